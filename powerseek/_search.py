"""Counterexample search for orbit-level tendencies (Turner & Tadepalli 2022): parameter vectors
theta whose orbit gives a decision-maker the smallest fraction weakly preferring B.  Public through
:mod:`powerseek.orbits` and the package.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tailpower._common import as_generator, check_int, progress
from tailpower._results import ResultMixin

from ._checks import check_work, float_array
from .copies import find_copies
from .decisions import MDPDecision, _as_options
from .orbits import OrbitTendency, _check_decide, _prepare, orbit_tendency

__all__ = ["Counterexample", "search_counterexample"]


@dataclass(frozen=True, eq=False)
class Counterexample(ResultMixin):
    """Result of :func:`search_counterexample`.

    Attributes
    ----------
    theta : ndarray
        The parameter vector with the smallest tendency fraction found.
    tendency : OrbitTendency
        Its orbit tendency (exact when the orbit is small enough).
    value : float
        ``tendency.value`` (= more + equal), the minimum found.
    bound : float or None
        n/(n+1) for the certified n (None if ``copies`` was not given / found).
    violates : bool
        Whether #more < n #less on that orbit (the orbit theorem's conclusion fails).
    tried : int
        Parameter vectors evaluated.
    history : ndarray
        Running minimum after each evaluation.

    Examples
    --------
    >>> import powerseek as ps
    >>> A, B = [[1, 0, 0]], [[0, 1, 0], [0, 0, 1]]
    >>> found = ps.search_counterexample(ps.decisions.optimal(), A, B, trials=10, local_steps=5, rng=0)
    >>> found.value, found.bound, found.violates  # the optimal rule keeps n/(n + 1) = 2/3
    (0.6666666666666666, 0.6666666666666666, False)
    """

    theta: np.ndarray
    tendency: OrbitTendency
    value: float
    bound: float | None
    violates: bool
    tried: int
    history: np.ndarray
    stderr: float = 0.0
    method: str = "random+local"
    samples: int = 0


def search_counterexample(
    decide,
    A,
    B,
    *,
    C=None,
    copies: int | None = None,
    trials: int = 200,
    local_steps: int = 100,
    levels: Sequence[float] | None = None,
    rng=None,
    max_exact: int = 50_000,
) -> Counterexample:
    """Search parameter vectors theta for the smallest orbit tendency ``more + equal`` of ``decide``.

    Orbit tendencies depend on theta only through the orbit, i.e. the multiset of its values, and
    ties matter (label-dependent tie-breaking shows up only there). The search draws ``trials``
    candidates -- half with entries from a few small integer ``levels`` (many ties), half
    continuous U(0, 1) -- and then hill-climbs ``local_steps`` times from the best (replace one
    entry by a level or a fresh uniform; keep if the fraction does not increase). Each candidate's
    tendency is exact (orbits up to ``max_exact``) or sampled.

    ``copies`` (default: certified by :func:`find_copies` for vector options; the MDP decision's
    option vectors otherwise) gives the bound n/(n+1); ``violates`` says whether the best found
    breaks #more >= n #less. For EU-determined rules it never should (Turner & Tadepalli 2022,
    "Parametrically Retargetable Decision-Makers Tend To Seek Power", Thm. 3.6).

    Parameters
    ----------
    decide : Decision, MDPDecision, or callable (X, C, theta) -> float
        As for :func:`orbit_tendency`.
    A, B : option sets
        As for :func:`orbit_tendency`.
    C : option set, optional
        The full option set (default A cup B).
    copies : int, optional
        n for the bound n/(n+1) (default: certified by :func:`find_copies`).
    trials : int, default 200
        Random candidates.
    local_steps : int, default 100
        Hill-climbing steps from the best candidate.
    levels : sequence of float, optional
        The values tied candidates draw from (default 0, 1, 2).
    rng : numpy.random.Generator, int, SeedSequence or None
    max_exact : int, default 50,000
        Orbits up to this size are enumerated, larger ones sampled.

    Returns
    -------
    Counterexample
        The parameter vector with the smallest ``more + equal`` found and its tendency.

    Raises
    ------
    TypeError
        If ``decide`` is neither a decision nor a callable, or a count is not a number.
    ValueError
        ``trials`` or ``max_exact`` not a whole number >= 1, ``local_steps`` or ``copies`` not one
        >= 0; ``levels`` empty or
        not finite; ``A``, ``B``, ``C`` malformed; ``decide`` failing on a drawn vector.
    tailpower.BudgetError
        If the trials would exceed the work limit.

    Examples
    --------
    >>> import powerseek as ps
    >>> A, B = [[1, 0, 0]], [[0, 1, 0], [0, 0, 1]]  # B holds 2 copies of A
    >>> found = ps.search_counterexample(ps.decisions.ordered_optimal(), A, B, trials=10, local_steps=5, rng=0)
    >>> found.violates, found.theta.tolist()  # label tie-breaking is not EU-determined: all tied, A wins
    (True, [2.0, 2.0, 2.0])
    """
    decide = _check_decide(decide)
    gen = as_generator(rng)
    trials = check_int("trials", trials)
    local_steps = check_int("local_steps", local_steps, minimum=0)
    max_exact = check_int("max_exact", max_exact)
    if isinstance(decide, MDPDecision):
        d = decide.mdp.n_states
    else:
        d = _as_options("A", A).shape[1]
    lv = float_array("levels", [0.0, 1.0, 2.0] if levels is None else levels)
    if lv.ndim != 1 or lv.size == 0 or not np.all(np.isfinite(lv)):
        raise ValueError(f"levels: expected a non-empty list of finite values, got shape {lv.shape}")
    _, vec_sets, _, per = _prepare(decide, A, B, C, d)
    # a candidate's orbit has at most d! elements, enumerated up to max_exact, else 20,000 samples
    size_cap = math.factorial(d) if d < 20 else math.inf
    per_candidate = min(size_cap, max(max_exact, 20_000)) * (per + d)
    check_work("trials", (trials + local_steps) * per_candidate, f"{trials} trials and {local_steps} local steps")
    if copies is None:
        Av, Bv = vec_sets()
        copies = find_copies(Av, Bv).n
    else:
        copies = check_int("copies", copies, minimum=0)

    def score(th):
        try:
            return orbit_tendency(decide, A, B, th, C=C, max_exact=max_exact, samples=20_000, rng=gen)
        except ValueError as exc:
            if str(exc).startswith("theta: "):  # the drawn theta comes from the levels
                raise ValueError(f"levels: the parameter vector {th.tolist()[:8]} drawn from them failed: "
                                 + str(exc).split(": ", 1)[1]) from None
            raise

    best_th, best_t = None, None
    hist = []
    for i in progress(range(trials), total=trials, desc="search"):
        th = gen.choice(lv, size=d) if i % 2 == 0 else gen.random(d)
        t = score(th)
        if best_t is None or t.value < best_t.value:
            best_th, best_t = th, t
        hist.append(best_t.value)
    for _ in range(local_steps):
        th = best_th.copy()
        j = int(gen.integers(d))
        th[j] = gen.choice(lv) if gen.random() < 0.5 else gen.random()
        t = score(th)
        if t.value <= best_t.value:
            best_th, best_t = th, t
        hist.append(best_t.value)
    bound = copies / (copies + 1) if copies else None
    violates = bool(copies) and not best_t.satisfies(copies)
    return Counterexample(best_th, best_t, best_t.value, bound, violates, len(hist), np.array(hist), best_t.stderr,
                          "random+local", best_t.samples)
