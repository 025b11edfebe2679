"""Argument checks of the public derivations in ``proofs`` (docs/contract.md, item 1): a SymPy
expression is passed through, a number must lie where the derivation holds; anything else is a
TypeError/ValueError naming the argument."""

from __future__ import annotations

import itertools
import math
import numbers
from typing import Any

from proofs._sympy import sp  # SymPy, or an error naming the symbolic extra


def symbolic_arg(name: str, value: Any, *, lo: float | None = None, hi: float | None = None,
                 closed: bool = False, where: str = "", exact: bool = True) -> Any:
    """``value`` unchanged if it is a SymPy expression with free symbols, or a real number in
    ``(lo, hi)`` (``[lo, hi]`` when ``closed``) as an exact SymPy number; otherwise a named error
    saying the range.

    Floats become the exact rational they stand for (unless ``exact=False``: then numbers are
    returned as given): SymPy's 15-digit floats can overflow (``1e308**2``) or break its
    integration (``beta = 5e-324``), while the exact value evaluates to full precision."""
    if isinstance(value, bool) or isinstance(value, str):
        raise TypeError(f"{name}: expected a real number or a SymPy expression, got {type(value).__name__}")
    if isinstance(value, sp.Basic):
        if not value.is_number:
            return value
        try:
            x = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{name}: must be a real number, got {value}") from None
    elif isinstance(value, numbers.Real):
        x = float(value)
    else:
        raise TypeError(f"{name}: expected a real number or a SymPy expression, got {type(value).__name__}")
    if not math.isfinite(x):
        raise ValueError(f"{name}: must be finite, got {value}")
    below = lo is not None and (x < lo if closed else x <= lo)
    above = hi is not None and (x > hi if closed else x >= hi)
    if below or above:
        left, right = ("[", "]") if closed else ("(", ")")
        span = f"{left}{'-inf' if lo is None else lo}, {'inf' if hi is None else hi}{right}"
        raise ValueError(f"{name}: must be in {span}{where}, got {value}")
    if not exact or isinstance(value, sp.Basic) and not isinstance(value, sp.Float):
        return value
    if isinstance(value, numbers.Integral):
        return sp.Integer(int(value))
    return sp.Rational(value) if isinstance(value, sp.Float) else sp.Rational(float(value))


def int_arg(name: str, value: Any, *, lo: int, hi: int, why: str = "") -> int:
    """An integer (Python, numpy or SymPy) in ``[lo, hi]``, or a named error."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, sp.Integer)):
        raise TypeError(f"{name}: expected an integer, got {type(value).__name__}")
    k = int(value)
    if not lo <= k <= hi:
        raise ValueError(f"{name}: must be an integer in [{lo}, {hi}]{why}, got {k}")
    return k


def visit_distribution_args(fs, gammas, g: sp.Symbol, *, max_lps: int) -> tuple[list, list]:
    """Arguments of ``proofs.powerseek.non_dominated``: ``fs`` pairs ``(policy, f)`` with ``f`` a
    list of expressions in the symbol ``g`` only, all of one length; ``gammas`` numbers in (0, 1);
    at most ``max_lps`` linear programs. Returns ``(fs with SymPy entries, gammas)``."""
    if isinstance(fs, (str, bytes)) or not hasattr(fs, "__iter__"):
        raise TypeError(f"fs: expected the list of (policy, f) pairs of visit_distributions, got {type(fs).__name__}")
    fs = list(itertools.islice(fs, max_lps + 1))  # an endless iterable is cut (and refused below)
    if isinstance(gammas, (str, bytes)) or not hasattr(gammas, "__iter__"):
        raise TypeError(f"gammas: expected a sequence of discount rates in (0, 1), got {type(gammas).__name__}")
    gammas = [symbolic_arg("gammas", gv, lo=0, hi=1) for gv in itertools.islice(gammas, max_lps + 1)]
    if any(isinstance(gv, sp.Basic) and not gv.is_number for gv in gammas):
        raise TypeError("gammas: expected numbers in (0, 1), not symbols")
    if not fs or not gammas:
        raise ValueError(f"{'fs' if not fs else 'gammas'}: must not be empty")
    if len(fs) * len(gammas) > max_lps:
        raise ValueError(f"fs: {len(fs)} visit distributions x {len(gammas)} gammas = {len(fs) * len(gammas):,} "
                         f"linear programs, above {max_lps:,}")
    width = None
    for i, pair in enumerate(fs):
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2 and isinstance(pair[1], (tuple, list))):
            raise TypeError(f"fs: item {i} is not a (policy, f) pair with f a list")
        if width is None:
            width = len(pair[1])
        if len(pair[1]) != width or not width:
            raise ValueError(f"fs: item {i} has {len(pair[1])} entries, expected {width} (one per state)")
        for v in pair[1]:
            if isinstance(v, bool) or not isinstance(v, (sp.Basic, int, float)):
                raise TypeError(f"fs: item {i} holds a {type(v).__name__}, not a SymPy expression")
            if isinstance(v, sp.Basic) and not v.free_symbols <= {g}:
                other = v.free_symbols - {g}
                hint = (" (a Symbol('gamma') without positive=True is another symbol: use proofs.powerseek.g)"
                        if any(str(x) == "gamma" for x in other) else "")
                raise ValueError(f"fs: item {i} depends on {sorted(map(str, other))}, not only gamma{hint}")
    return [(p, [sp.sympify(v) for v in f]) for p, f in fs], gammas
