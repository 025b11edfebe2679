"""The public API of the distribution, listed once: the documentation's API reference is generated
from :func:`public_api`, and ``tests/house`` checks the same objects' docstrings.

A package's public objects are its ``__all__`` (or, without one, its public non-module names);
public submodules whose own names users call (``powerseek.decisions.optimal``,
``cogpower.analytic.stable_cdf``, the strategies, the ledger and its derivations) are listed with
their objects.
"""

from __future__ import annotations

import importlib
import inspect
import types
from typing import NamedTuple

__all__ = ["Section", "SECTIONS", "public_api", "public_objects"]


class Section(NamedTuple):
    module: str        # the module whose objects are listed
    title: str         # heading on the API page
    page: str          # the API page (one per package)
    extra: str = ""    # the extra the module needs beyond the core, if any


SECTIONS = (
    Section("goodhart", "Selection, KL optimisation and reward-model tails", "goodhart"),
    Section("goodhart.strategies", "Hypothesis strategies", "goodhart", "strategies"),
    Section("goodhart.figures", "Figures", "goodhart", "plot"),
    Section("powerseek", "MDPs, POWER, optimality probability and orbits", "powerseek"),
    Section("powerseek.examples", "Example MDPs of the papers", "powerseek"),
    Section("powerseek.decisions", "Decision functions (retargetability)", "powerseek"),
    Section("powerseek.limits", "Limits at gamma = 1 (cycles, gains, Blackwell optimality)", "powerseek"),
    Section("powerseek.multiagent", "Two agents on a shared environment (POWER in multi-agent games)", "powerseek"),
    Section("powerseek.strategies", "Hypothesis strategies", "powerseek", "strategies"),
    Section("powerseek.figures", "Figures", "powerseek", "plot"),
    Section("cogpower", "The independent-steps model", "cogpower"),
    Section("cogpower.analytic", "Stable laws and predictions", "cogpower"),
    Section("cogpower.strategies", "Hypothesis strategies", "cogpower", "strategies"),
    Section("cogpower.figures", "Figures", "cogpower", "plot"),
    Section("proofs.ledger", "The claims ledger", "proofs", "symbolic"),
    Section("proofs.goodhart", "Derivations: conditioning and best-of-N", "proofs", "symbolic"),
    Section("proofs.goodhart_kl", "Derivations: the KL theorems", "proofs", "symbolic"),
    Section("proofs.powerseek", "Derivations: POWER and optimality probability", "proofs", "symbolic"),
    Section("proofs.powerseek_orbits", "Derivations: orbit tendencies", "proofs", "symbolic"),
    Section("proofs.powerseek_symbolic", "Derivations: closed forms by symbolic POWER", "proofs", "symbolic"),
    Section("proofs.cogpower", "Derivations: the independent-steps model", "proofs", "symbolic"),
    Section("tailpower", "Memory budget and version", "tailpower"),
    Section("tailpower.sweep", "Parameter sweeps and searches", "tailpower"),
    Section("tailpower._common", "Result objects and figure output", "tailpower"),
    Section("tailpower._results", "Printing and exporting results", "tailpower"),
    Section("tailpower.cli", "The command line", "tailpower"),
)

# Modules without __all__ whose plumbing is mostly internal: only these names are public.
_CHOSEN = {
    "tailpower._common": ("Estimate", "as_generator", "save_figure", "figure_options"),
    "tailpower.cli": ("main",),
}


def _names(module: types.ModuleType) -> list[str]:
    chosen = _CHOSEN.get(module.__name__)
    if chosen is not None:
        return list(chosen)
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n, v in vars(module).items()
                 if not n.startswith("_") and (inspect.isfunction(v) or inspect.isclass(v))
                 and (module.__name__ == v.__module__ or v.__module__.startswith(module.__name__ + "."))]
    return [n for n in names
            if not n.startswith("_") and not isinstance(getattr(module, n, None), types.ModuleType)]


def public_api() -> dict[Section, list[str]]:
    """``{section: [object names]}`` in page order (imports every listed module)."""
    return {s: _names(importlib.import_module(s.module)) for s in SECTIONS}


def public_objects() -> list[tuple[str, object]]:
    """``[(qualified name, object)]`` of every public object, without repeats: an object listed
    in two sections (re-exported) is counted once, under its first section."""
    seen: set[int] = set()
    out = []
    for section, names in public_api().items():
        module = importlib.import_module(section.module)
        for n in names:
            obj = getattr(module, n)
            if id(obj) in seen and not isinstance(obj, (str, int, float, tuple, dict, frozenset)):
                continue
            seen.add(id(obj))
            out.append((f"{section.module}.{n}", obj))
    return out
