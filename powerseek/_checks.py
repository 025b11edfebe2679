"""Argument checks and resource limits shared by the powerseek modules (private).

Every public function of powerseek keeps the contract of ``docs/contract.md``: it answers, or it
raises a ``ValueError`` / ``TypeError`` whose message starts with the name of the offending
parameter.  The helpers here turn malformed input into such messages, and estimate the work a call
implies so that impractical inputs are refused before the work starts:

- memory goes through :func:`tailpower._common.check_memory` (the toolkit's memory budget);
- time: compiled loops and searches are charged in *steps* (about one transition-entry update of
  value iteration, roughly 10 ns); a call whose size is driven by a parameter (``samples``, an
  orbit, a horizon) is refused with :class:`tailpower.BudgetError` when it would need more than
  :func:`work_limit` steps (default ``5e9``, about a minute), settable with :func:`set_work_limit`.
"""

from __future__ import annotations

import math
import numbers
from contextlib import contextmanager
from typing import Any, Iterator

import numpy as np

from tailpower._common import BudgetError

__all__ = [
    "Unsupported",
    "work_limit",
    "set_work_limit",
    "check_work",
    "check_gamma",
    "check_real",
    "check_bool",
    "check_choice",
    "float_array",
    "pow2_scale",
    "reward_matrix",
    "check_positive",
]


class Unsupported(ValueError, NotImplementedError):
    """The input is valid but outside what this method implements (e.g. gamma = 1 on a stochastic
    MDP).  A ``ValueError`` naming the parameter, and a ``NotImplementedError`` for older callers."""


# ----------------------------------------------------------------------------- work limit
_DEFAULT_WORK = 5e9
_work_limit = _DEFAULT_WORK


def work_limit() -> float:
    """The most steps (about 10 ns each) a powerseek call driven by a size parameter may take.

    Returns
    -------
    float
        The current limit (default ``5e9``, about a minute); a call that would need more steps
        raises :class:`tailpower.BudgetError` before it starts.

    Raises
    ------
    Nothing: it only reads the limit.

    Examples
    --------
    >>> import powerseek as ps
    >>> ps.work_limit()
    5000000000.0
    """
    return _work_limit


@contextmanager
def _restore(old: float) -> Iterator[float]:
    try:
        yield _work_limit
    finally:
        set_work_limit(old)


def set_work_limit(steps: float):
    """Set the work limit of powerseek calls (steps of about 10 ns; default ``5e9``, about a minute).

    Parameters
    ----------
    steps : float
        The new limit, a finite number >= 1e6.

    Returns
    -------
    context manager
        Restores the previous limit on exit, so both forms work::

            ps.set_work_limit(1e11)              # from now on
            with ps.set_work_limit(1e12): ...    # only inside the block

    Raises
    ------
    TypeError
        If ``steps`` is not a real number.
    ValueError
        If ``steps`` is below 1e6, infinite or NaN.

    Examples
    --------
    >>> import powerseek as ps
    >>> with ps.set_work_limit(1e11):
    ...     ps.work_limit()
    100000000000.0
    >>> ps.work_limit()  # restored on leaving the block
    5000000000.0
    """
    global _work_limit
    x = check_real("steps", steps)
    if not x >= 1e6:
        raise ValueError(f"steps: the work limit must be a finite number >= 1e6, got {steps!r}")
    old, _work_limit = _work_limit, x
    return _restore(old)


def check_work(parameter: str, steps: float, what: str) -> None:
    """Raise :class:`BudgetError` naming ``parameter`` if ``steps`` exceeds the work limit."""
    need = float(steps)
    if not need <= _work_limit:
        raise BudgetError(
            f"{parameter}: {what} needs about {need:.2g} steps (~10 ns each), above the work limit of "
            f"{_work_limit:.2g}; reduce {parameter} or raise the limit with powerseek.set_work_limit(...)",
            parameter=parameter, needed=need, budget=_work_limit)


# ----------------------------------------------------------------------------- scalars
def check_real(name: str, value: Any, *, finite: bool = True) -> float:
    """``value`` as a float; TypeError for non-reals (and bools), ValueError for NaN (and
    infinities when ``finite``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected a real number, got {type(value).__name__}")
    try:
        x = float(value)
    except OverflowError:
        raise ValueError(f"{name}: must be finite, got a number too large for float64") from None
    if math.isnan(x):
        raise ValueError(f"{name}: must be a number, got nan")
    if finite and math.isinf(x):
        raise ValueError(f"{name}: must be finite, got {x}")
    return x


def check_gamma(gamma: Any, *, open_interval: bool = True, name: str = "gamma") -> float:
    """The discount rate as a float: in (0, 1) (``open_interval``) or in [0, 1]."""
    g = check_real(name, gamma, finite=False)
    if open_interval:
        if not 0.0 < g < 1.0:
            raise ValueError(f"{name}: must be in (0, 1) here, got {gamma!r}")
    elif not 0.0 <= g <= 1.0:
        raise ValueError(f"{name}: must be in [0, 1], got {gamma!r}")
    return g


def check_bool(name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected True or False, got {type(value).__name__}")
    return bool(value)


def check_choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        opts = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name}: expected one of {opts}, got {value!r}")
    return value


def float_array(name: str, value: Any) -> np.ndarray:
    """``np.asarray(value, dtype=float)`` with numpy's conversion errors turned into messages
    naming ``name`` (strings, ragged lists, objects, complex numbers)."""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name}: expected an array of real numbers, got {type(value).__name__}")
    if isinstance(value, np.ndarray) and value.dtype.kind == "c" or (
            isinstance(value, complex | np.complexfloating)):
        raise TypeError(f"{name}: expected real numbers, got complex")
    if isinstance(value, np.ndarray) and value.dtype != np.float64:
        from tailpower._common import check_memory

        check_memory(name, value.size * 8.0, f"a float64 copy of a {value.shape} array")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError) as exc:
        raise TypeError(f"{name}: expected an array of real numbers ({exc})") from None
    return arr


def pow2_scale(x: np.ndarray) -> float:
    """A power of two c with max|x| / c in [1, 2) (1.0 for an all-zero or empty ``x``).

    Dividing by a power of two is exact (short of the subnormal range), so solvers that are
    positively homogeneous in the rewards (V*, POWER, optimal actions) run on rewards of size
    about 1 and scale back: no overflow for rewards near 1e308, no underflow for rewards near
    5e-324.
    """
    m = float(np.max(np.abs(x))) if x.size else 0.0
    if m == 0.0:
        return 1.0
    _, e = math.frexp(m)  # m = f 2^e, f in [0.5, 1)
    return math.ldexp(1.0, e - 1)


def reward_matrix(mdp, rewards: Any, name: str = "rewards") -> tuple[np.ndarray, bool]:
    """Rewards on the states of ``mdp`` as a C-contiguous (K, S) float array, and whether one
    vector (S,) was given; finite entries, K >= 1."""
    R = float_array(name, rewards)
    squeeze = R.ndim == 1
    if R.ndim not in (1, 2) or R.shape[-1] != mdp.n_states or R.size == 0:
        raise ValueError(f"{name}: expected shape (S,) or (K, S) with S = {mdp.n_states} and K >= 1, got {R.shape}")
    if not np.all(np.isfinite(R)):
        raise ValueError(f"{name}: must be finite")
    return np.ascontiguousarray(np.atleast_2d(R)), squeeze


def check_positive(name: str, value: Any, *, strict: bool = True) -> float:
    """``value`` as a finite float > 0 (>= 0 unless ``strict``), else ValueError / TypeError naming
    ``name`` (also for integers too large for float64)."""
    x = check_real(name, value)
    if (strict and not x > 0) or (not strict and x < 0):
        raise ValueError(f"{name}: must be {'> 0' if strict else '>= 0'}, got {value!r}")
    return x
