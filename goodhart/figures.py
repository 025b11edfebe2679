"""Figure registry of goodhart: name -> function(out_dir, rng, quick) -> list of written paths.

The figures live in three modules: selection (conditioning, dependent error, best-of-N), KL
(Theorem 1 and 4 paths, reward-model tails) and detectability (rollouts that reveal a threshold
policy).
"""

import importlib

FIGURES: dict = {}
for _name in ("goodhart._figures_selection", "goodhart._figures_kl", "goodhart._figures_detectability"):
    try:
        FIGURES.update(importlib.import_module(_name).FIGURES)
    except ModuleNotFoundError as _exc:  # that half is not built yet
        if _exc.name != _name:
            raise
