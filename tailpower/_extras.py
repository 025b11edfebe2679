"""Optional dependencies and the distribution's own packages.

The core install (numpy, scipy, numba, mpmath, tqdm, networkx) runs every estimator. Features
that need more name their extra when it is missing (:func:`require`):

=============  =========================  ==============================================
extra          packages                   needed by
=============  =========================  ==============================================
``plot``       matplotlib                 ``tailpower figures``, the ``*.figures`` modules
``symbolic``   sympy, python-flint        ``proofs``, ``tailpower claims``, symbolic POWER
``strategies`` hypothesis                 ``goodhart/powerseek/cogpower.strategies``
``frames``     pandas, pyarrow            ``load_results(as_frame=True)``, Parquet output
``distributed`` dask[distributed]         ``tailpower sweep --scheduler``
=============  =========================  ==============================================

The import names ``goodhart`` and ``proofs`` are also used by unrelated distributions on the
public package index. :func:`check_own_package` tells whether the module a name imports is the
one this distribution installed (next to ``tailpower``), so the command line can refuse with a
clear message instead of running someone else's code.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from types import ModuleType

__all__ = ["EXTRAS", "MissingExtraError", "require", "has", "own_root", "check_own_package"]

#: extra -> the importable top-level modules it installs
EXTRAS = {
    "plot": ("matplotlib",),
    "symbolic": ("sympy", "flint"),
    "strategies": ("hypothesis",),
    "frames": ("pandas", "pyarrow"),
    "distributed": ("distributed",),
}

#: the packages this distribution installs next to ``tailpower``
OWN_PACKAGES = ("tailpower", "goodhart", "powerseek", "cogpower", "proofs")


class MissingExtraError(ModuleNotFoundError):
    """A feature needs an optional dependency that is not installed; the message names the extra."""


def has(module: str) -> bool:
    """True if ``module`` can be imported (without importing it)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def require(module: str, extra: str, feature: str) -> ModuleType:
    """Import and return ``module``; if it is not installed, raise :class:`MissingExtraError`
    saying that ``feature`` needs the extra ``extra`` and how to install it.

    Examples
    --------
    >>> from tailpower._extras import require
    >>> require("numpy", "core", "everything").__name__
    'numpy'
    """
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        top = module.split(".")[0]
        if exc.name is not None and exc.name.split(".")[0] != top:
            raise  # the module exists but one of *its* imports is missing: not ours to explain
        raise MissingExtraError(
            f"{feature} needs {top}, which is not installed; install the {extra!r} extra: "
            f"pip install 'tailpower[{extra}]'", name=top) from None


def own_root() -> Path:
    """The directory holding this distribution's packages (site-packages, or the checkout of an
    editable install)."""
    return Path(__file__).resolve().parent.parent


def check_own_package(name: str) -> None:
    """Raise ImportError (message starting with ``name``) unless ``import name`` would load the
    package of that name that this distribution installed next to ``tailpower``.

    Another distribution on the public index also provides ``goodhart`` (a reward-trap tool) and
    one provides ``proofs``; installed in the same environment, or put first on ``sys.path``, it
    would shadow ours (or ours would shadow it).

    Examples
    --------
    >>> from tailpower._extras import check_own_package
    >>> check_own_package("goodhart")   # silent: the goodhart on sys.path is ours
    """
    if name not in OWN_PACKAGES:
        raise ValueError(f"name: must be one of {OWN_PACKAGES}, got {name!r}")
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        spec = None
    expected = own_root() / name
    origin = None if spec is None or spec.origin is None else Path(spec.origin).resolve()
    if origin is None or origin.parent != expected:
        where = "nowhere" if origin is None else str(origin.parent)
        raise ImportError(
            f"{name}: 'import {name}' loads the package at {where}, not tailpower's at {expected}; "
            f"another distribution named {name!r} is installed or comes first on sys.path -- "
            f"install tailpower in its own virtual environment")
