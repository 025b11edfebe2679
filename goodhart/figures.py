"""Figures of goodhart: drawing functions that return a matplotlib Figure, and the registry
``FIGURES`` of name -> function(out_dir, rng, quick) -> list of written paths (image and sidecar).

Each ``draw_*`` function takes ``fig=`` (draw into a given figure) -- one-panel figures also
``ax=`` -- and ``record=`` (a dict filled with the plotted numbers), and needs matplotlib (the
``plot`` extra). The figures live in four modules: selection (conditioning, dependent error,
best-of-N), KL (Theorem 1 and 4 paths), reward-model tails and detectability (rollouts that reveal
a threshold policy).
"""

import importlib

from ._figures_bon_dependent import draw_bon_dependent
from ._figures_detectability import draw_detectability
from ._figures_kl import draw_kl_exponent1, draw_kl_frame, draw_kl_summary, draw_kl_tilt
from ._figures_selection import draw_best_of_n, draw_conditional, draw_dependent
from ._figures_tails import draw_reward_tails

__all__ = ["draw_conditional", "draw_dependent", "draw_best_of_n", "draw_kl_frame", "draw_kl_summary",
           "draw_kl_exponent1", "draw_kl_tilt", "draw_reward_tails", "draw_detectability", "draw_bon_dependent",
           "FIGURES"]

FIGURES: dict = {}
for _name in ("goodhart._figures_selection", "goodhart._figures_kl", "goodhart._figures_tails",
              "goodhart._figures_detectability", "goodhart._figures_bon_dependent"):
    try:
        FIGURES.update(importlib.import_module(_name).FIGURES)
    except ModuleNotFoundError as _exc:  # that half is not built yet
        if _exc.name != _name:
            raise
