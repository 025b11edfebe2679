"""Reward laws: distributions D over state-reward vectors R in R^S (Turner et al. 2021, Def. 3.x).

- :func:`iid` -- every state's reward drawn independently from one scipy frozen law, continuous
  or discrete (the papers' default is U(0, 1)).
- :func:`independent` -- one law per state (a list in state order or a dict by state name).
- :func:`fixed` -- one deterministic reward vector (then POWER is exact and ``stderr`` is 0).
- :func:`tabulated` -- a law given by its table of values and probabilities (finite support), and
  :func:`point_mass`, one value with probability 1: frozen scipy laws, usable with :func:`iid`,
  :func:`independent` or directly as ``rewards=``.
- :func:`from_callable` (or pass any callable ``(rng, K) -> array (K, S)``).

Discrete laws (any scipy frozen discrete law, finite or infinite support, and the tables above)
give exact ties between rewards with positive probability. The optimality probability then counts
a reward vector for every action that SOME optimal policy takes (Turner et al. 2021, Def. 6.1), so
the probabilities of a state's actions can sum to more than 1. Laws of finite support can be
enumerated: ``method="exact"`` of :func:`powerseek.power` visits every reward vector, weighted
by its probability, when there are at most ``powerseek.MAX_EXACT`` (1e6) of them.

Samples are drawn in numpy from the caller's generator (SPEC 7), so a seed gives the same rewards
whatever the thread count; the numba kernels only solve.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from ._checks import float_array

__all__ = ["RewardLaw", "iid", "independent", "fixed", "tabulated", "point_mass", "from_callable", "as_law"]

_KINDS = ("iid", "independent", "fixed", "callable")


def _check_dist(name: str, dist: Any) -> Any:
    """A scipy.stats frozen law (continuous or discrete), else TypeError naming ``name``."""
    if isinstance(dist, (stats.rv_continuous, stats.rv_discrete)):
        raise TypeError(f"{name}: got the scipy distribution family {getattr(dist, 'name', '?')!r} itself; "
                        f"freeze it with its parameters, e.g. stats.{getattr(dist, 'name', 'norm')}()")
    if not (hasattr(dist, "rvs") and isinstance(getattr(dist, "dist", None), (stats.rv_continuous, stats.rv_discrete))):
        raise TypeError(f"{name}: expected a scipy.stats frozen distribution such as stats.uniform(), got {type(dist).__name__}")
    return dist


def is_discrete(dist: Any) -> bool:
    """Whether the frozen scipy law ``dist`` is discrete (then ties between rewards have positive
    probability; :func:`tabulated` and :func:`point_mass` laws are discrete).

    Parameters
    ----------
    dist : frozen scipy.stats distribution

    Returns
    -------
    bool

    Raises
    ------
    AttributeError
        ``dist`` is not a frozen scipy law (callers check with ``_check_dist`` first).

    Examples
    --------
    >>> from scipy import stats
    >>> is_discrete(stats.bernoulli(0.5)), is_discrete(stats.uniform())
    (True, False)
    """
    return isinstance(dist.dist, stats.rv_discrete)


def moments(dist: Any) -> tuple[float, float]:
    """(mean, variance) of a frozen law; NaN when scipy cannot tell (then treated as not finite).

    Finiteness is decided on the standardised law (loc 0, scale 1), so a law such as
    N(0, 1e300), whose variance 1e600 overflows float64, still counts as having a finite variance
    (the variance is then reported as the largest float)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            m, v = (float(x) for x in dist.stats(moments="mv"))
        except Exception:  # noqa: BLE001 -- scipy raises assorted errors for exotic parameters
            return math.nan, math.nan
        try:
            shapes, _, _ = dist.dist._parse_args(*dist.args, **dist.kwds)
            m0, v0 = (float(x) for x in dist.dist.stats(*shapes, moments="mv"))
        except Exception:  # noqa: BLE001 -- e.g. rv_discrete(values=...): no separate shapes
            return m, v
        if math.isfinite(v0) and not math.isfinite(v):
            v = np.finfo(float).max
        if math.isfinite(m0) and not math.isfinite(m):
            m = np.finfo(float).max
        return m, v


@dataclass(frozen=True, eq=False)
class RewardLaw:
    """A distribution D over reward vectors R in R^S on the states of an MDP (Turner et al. 2021,
    section 2: rewards on states, D a distribution over reward functions).

    Build one with :func:`iid`, :func:`independent`, :func:`fixed` or :func:`from_callable`
    rather than directly; every estimator also accepts a frozen scipy law (meaning iid), a reward
    vector or a callable and converts it with :func:`as_law`.

    Parameters
    ----------
    kind : str
        "iid", "independent", "fixed" or "callable".
    dist : frozen scipy distribution or None
        The common law (kind "iid").
    dists : tuple or mapping or None
        Per-state laws (kind "independent").
    vector : ndarray or None
        The reward vector (kind "fixed").
    fn : callable or None
        ``fn(rng, K) -> (K, S)`` (kind "callable").

    Raises
    ------
    ValueError
        ``kind`` not one of the four.
    TypeError
        The field that ``kind`` needs has the wrong type (naming it).

    Examples
    --------
    >>> import powerseek as ps
    >>> from scipy import stats
    >>> law = ps.iid(stats.bernoulli(0.5))
    >>> law.kind, law.deterministic
    ('iid', False)
    """

    kind: str
    dist: Any = None
    dists: Any = None
    vector: np.ndarray | None = None
    fn: Callable | None = None

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"kind: expected one of {_KINDS}, got {self.kind!r}")
        if self.kind == "iid":
            _check_dist("dist", self.dist)
        elif self.kind == "independent" and not isinstance(self.dists, (Mapping, tuple, list)):
            raise TypeError(f"dists: expected a list or dict of frozen laws, got {type(self.dists).__name__}")
        elif self.kind == "fixed" and not (isinstance(self.vector, np.ndarray) and self.vector.ndim == 1):
            raise TypeError("vector: expected a 1-d array (use ps.fixed(vector))")
        elif self.kind == "callable" and not callable(self.fn):
            raise TypeError(f"fn: expected a callable (rng, K) -> (K, S), got {type(self.fn).__name__}")

    @property
    def deterministic(self) -> bool:
        return self.kind == "fixed"

    def laws(self, mdp) -> list:
        """The per-state frozen laws (kinds "iid" and "independent"), else an empty list."""
        if self.kind == "iid":
            return [self.dist]
        if self.kind == "independent":
            return self._per_state(mdp)
        return []

    def finite_moments(self, mdp) -> tuple[bool, bool]:
        """(every state's reward has a finite mean, ... a finite variance); a callable law is
        assumed to have both (its samples are checked to be finite)."""
        mv = [moments(d) for d in self.laws(mdp)]
        return (all(math.isfinite(m) for m, _ in mv), all(math.isfinite(v) for _, v in mv))

    def sample(self, gen: np.random.Generator, K: int, mdp) -> np.ndarray:
        """Draw ``K`` reward vectors on the states of ``mdp``: array (K, S) of float64."""
        from tailpower._common import check_int, check_memory

        K = check_int("K", K)
        S = mdp.n_states
        check_memory("K", 2.0 * K * S * 8, f"{K} reward vectors on {S} states")
        with np.errstate(all="ignore"):
            if self.kind == "iid":
                out = np.asarray(self.dist.rvs(size=(K, S), random_state=gen), dtype=float)
            elif self.kind == "independent":
                dists = self._per_state(mdp)
                out = np.empty((K, S))
                for s, d in enumerate(dists):
                    out[:, s] = d.rvs(size=K, random_state=gen)
            elif self.kind == "fixed":
                v = self.vector
                if v.shape != (S,):
                    raise ValueError(f"rewards: fixed vector has {v.shape[0]} entries, the MDP has {S} states")
                out = np.broadcast_to(v, (K, S)).copy()
            else:
                try:
                    raw = self.fn(gen, K)
                except Exception as exc:  # noqa: BLE001 -- the user's callable; report it under its name
                    raise ValueError(f"rewards: the reward callable fn(rng, K) raised {type(exc).__name__}: {exc}") from exc
                out = float_array("rewards", raw)
                if out.shape != (K, S):
                    raise ValueError(f"rewards: callable returned shape {out.shape}, expected {(K, S)}")
        if not np.all(np.isfinite(out)):
            raise ValueError("rewards: sampled rewards must be finite (the law produced NaN or an overflow)")
        return out

    def _per_state(self, mdp) -> list:
        d = self.dists
        if isinstance(d, Mapping):
            unknown = set(map(str, d)) - set(mdp.states)
            if unknown:
                raise ValueError(f"rewards: unknown state names {sorted(unknown)[:10]}")
            missing = set(mdp.states) - set(map(str, d))
            if missing:
                raise ValueError(f"rewards: no law for states {sorted(missing)[:10]}")
            dd = {str(k): v for k, v in d.items()}
            return [dd[n] for n in mdp.states]
        if len(d) != mdp.n_states:
            raise ValueError(f"rewards: {len(d)} laws for {mdp.n_states} states")
        return list(d)


def iid(dist) -> RewardLaw:
    """Rewards iid across states with the scipy frozen law ``dist`` (Turner et al. 2021 use iid
    U(0, 1), Def. 5.2's D_bound being any bounded iid law; continuous or discrete laws here).

    Discrete laws (``stats.bernoulli(p)``, ``stats.randint(0, 3)``, ``stats.poisson(2)``,
    :func:`tabulated`, :func:`point_mass`) give exact ties between rewards: see the module notes
    on how the optimality probability counts them. POWER is an expectation:
    :func:`powerseek.power` refuses laws without a finite mean (Cauchy, Levy); optimality
    probabilities are defined for any law.

    Parameters
    ----------
    dist : frozen scipy.stats distribution
        E.g. ``stats.uniform()`` (the papers' law) or ``stats.bernoulli(0.3)``.

    Returns
    -------
    RewardLaw
        Of kind "iid".

    Raises
    ------
    TypeError
        ``dist`` is not a frozen scipy law (e.g. the family ``stats.norm`` itself, unfrozen).

    Examples
    --------
    >>> import powerseek as ps
    >>> from scipy import stats
    >>> ps.power(ps.examples.wait(), 0.0, rewards=ps.iid(stats.bernoulli(0.5)))["start"].value
    0.75
    """
    return RewardLaw("iid", dist=_check_dist("dist", dist))


def independent(dists: Sequence | Mapping) -> RewardLaw:
    """Independent rewards with one law per state (Turner et al. 2021 allow any distribution D
    over reward functions; independence across states is what Def. 5.2's examples use).

    Parameters
    ----------
    dists : list of frozen scipy laws, or dict {state name: frozen law}
        A list in ``mdp.states`` order, or a dict naming every state once. Continuous and discrete
        laws may be mixed.

    Returns
    -------
    RewardLaw
        Of kind "independent" (matched to an MDP's states when used).

    Raises
    ------
    TypeError
        ``dists`` is not a list or dict, or an item is not a frozen scipy law (naming its index).
    ValueError
        ``dists`` is empty. (A wrong number of laws or unknown state names are refused naming
        ``rewards`` when the law meets an MDP.)

    Examples
    --------
    >>> import powerseek as ps
    >>> from scipy import stats
    >>> law = ps.independent([stats.bernoulli(0.5), stats.uniform()])
    >>> law.kind
    'independent'
    """
    if isinstance(dists, Mapping):
        items = list(dists.values())
    elif isinstance(dists, (Sequence, np.ndarray)) and not isinstance(dists, (str, bytes)):
        items = list(dists)
    else:
        raise TypeError(f"dists: expected a list of frozen laws or a dict state -> law, got {type(dists).__name__}")
    if not items:
        raise ValueError("dists: need at least one law")
    for i, d in enumerate(items):
        _check_dist(f"dists[{i}]", d)
    return RewardLaw("independent", dists=dict(dists) if isinstance(dists, Mapping) else tuple(items))


def fixed(vector, name: str = "vector") -> RewardLaw:
    """One deterministic reward vector: the point mass D = delta_R (POWER is then
    (1 - gamma)/gamma (V*_R(s) - R(s)), exact, ``stderr`` 0).

    Parameters
    ----------
    vector : array_like (S,)
        Finite rewards in ``mdp.states`` order.
    name : str
        The parameter name used in error messages.

    Returns
    -------
    RewardLaw
        Of kind "fixed" (a read-only copy of the vector).

    Raises
    ------
    ValueError
        ``vector`` not 1-d and non-empty, or not finite.
    TypeError
        ``vector`` not numbers.

    Examples
    --------
    >>> import powerseek as ps
    >>> ps.power(ps.examples.wait(), 0.0, rewards=ps.fixed([0, 1, 0, 1, 0]))["start"].value
    1.0
    """
    v = float_array(name, vector)
    if v.ndim != 1 or v.size == 0:
        raise ValueError(f"{name}: expected a 1-d reward vector, got shape {v.shape}")
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{name}: rewards must be finite")
    v = v.copy()
    v.setflags(write=False)
    return RewardLaw("fixed", vector=v)


def tabulated(values, probs, tol: float = 1e-9):
    """A discrete law given by its table: P(X = values[i]) = probs[i]. A frozen scipy law, so it
    works wherever a reward law is accepted (``ps.iid(...)``, ``ps.independent([...])``,
    ``rewards=...``), and Monte Carlo, ``method="exact"`` (enumeration of reward vectors) and
    E[max] (:func:`powerseek.expected_max_iid`) all use it.

    Parameters
    ----------
    values : array_like (k,)
        Finite real values (ints, floats or Fractions; stored as float64). Repeated values are
        merged (their probabilities added); values of probability 0 are dropped.
    probs : array_like (k,)
        Probabilities >= 0 summing to 1 within ``tol``; they are then divided by their sum.
    tol : float
        Allowed |sum(probs) - 1| (default 1e-9).

    Returns
    -------
    frozen scipy.stats.rv_discrete
        Named "tabulated".

    Raises
    ------
    ValueError
        ``values`` empty, not 1-d or not finite; ``probs`` of another length, negative, not finite
        or not summing to 1 within ``tol``.
    TypeError
        ``values`` or ``probs`` not numbers.

    Examples
    --------
    >>> import powerseek as ps
    >>> law = ps.tabulated([0, 1, 10], [0.5, 0.3, 0.2])
    >>> float(law.mean())
    2.3
    >>> ps.power(ps.examples.wait(), 0.5, rewards=ps.iid(law), method="exact")["start"].method
    'exact'
    """
    tol = _check_tol(tol)
    x = float_array("values", values)
    p = float_array("probs", probs)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"values: expected a non-empty 1-d list of values, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("values: must be finite")
    if p.shape != x.shape:
        raise ValueError(f"probs: expected {x.size} probabilities (one per value), got shape {p.shape}")
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError("probs: probabilities must be finite and >= 0")
    total = float(math.fsum(p))
    if not abs(total - 1.0) <= tol:
        raise ValueError(f"probs: must sum to 1 (within tol = {tol:g}), got {total!r}")
    keep = p > 0
    ux, inv = np.unique(x[keep], return_inverse=True)
    up = np.zeros(ux.size)
    np.add.at(up, inv, p[keep])
    up /= up.sum()
    return stats.rv_discrete(name="tabulated", values=(ux, up))()


def point_mass(value):
    """The law of the constant ``value`` (probability 1): ``tabulated([value], [1])``. With
    :func:`iid` every state gets reward ``value``; in :func:`independent` it pins one state.

    Parameters
    ----------
    value : float
        A finite real number.

    Returns
    -------
    frozen scipy.stats.rv_discrete

    Raises
    ------
    ValueError
        ``value`` not finite, or not one number.
    TypeError
        ``value`` not a number.

    Examples
    --------
    >>> import powerseek as ps
    >>> law = ps.independent([ps.point_mass(1.0)] + [ps.point_mass(0.0)] * 4)
    >>> ps.power(ps.examples.wait(), 0.0, rewards=law, method="exact")["start"].value
    0.0
    """
    v = float_array("value", value)
    if v.ndim != 0:
        raise ValueError(f"value: expected one number, got shape {v.shape}")
    if not math.isfinite(float(v)):
        raise ValueError(f"value: must be finite, got {float(v)!r}")
    return tabulated([float(v)], [1.0])


def _check_tol(tol) -> float:
    from ._checks import check_real

    t = check_real("tol", tol)
    if not 0 <= t < 1:
        raise ValueError(f"tol: must be in [0, 1), got {tol!r}")
    return t


def from_callable(fn: Callable) -> RewardLaw:
    """Rewards drawn by ``fn(rng, K) -> array (K, S)``: any law D, sampled by the caller's code
    from the generator it is given (Monte Carlo only; ``method="exact"`` needs a table).

    Parameters
    ----------
    fn : callable
        ``fn(rng, K)`` returns K reward vectors, shape (K, S), finite.

    Returns
    -------
    RewardLaw
        Of kind "callable".

    Raises
    ------
    TypeError
        ``fn`` is not callable. (Bad output is refused naming ``rewards`` when sampled.)

    Examples
    --------
    >>> import powerseek as ps
    >>> law = ps.from_callable(lambda rng, K: rng.random((K, 5)) ** 2)
    >>> round(ps.power(ps.examples.wait(), 0.5, rewards=law, samples=2000, rng=0)["hug"].value, 1)
    0.3
    """
    if not callable(fn):
        raise TypeError(f"fn: expected a callable (rng, K) -> (K, S), got {type(fn).__name__}")
    return RewardLaw("callable", fn=fn)


def as_law(rewards) -> RewardLaw:
    """Coerce ``rewards`` to a :class:`RewardLaw`.

    Parameters
    ----------
    rewards : RewardLaw, frozen scipy law, array_like (S,) or callable
        A frozen scipy law (continuous or discrete, e.g. from :func:`tabulated`) means iid; a
        vector means :func:`fixed`; a callable ``(rng, K) -> (K, S)`` means :func:`from_callable`.

    Returns
    -------
    RewardLaw

    Raises
    ------
    TypeError
        Anything else (naming ``rewards``).
    ValueError
        A vector that is not finite or not 1-d.

    Examples
    --------
    >>> import powerseek as ps
    >>> from scipy import stats
    >>> ps.rewards.as_law(stats.randint(0, 3)).kind, ps.rewards.as_law([0.0, 1.0]).kind
    ('iid', 'fixed')
    """
    if isinstance(rewards, RewardLaw):
        return rewards
    if isinstance(rewards, (stats.rv_continuous, stats.rv_discrete)) or hasattr(rewards, "rvs"):
        return RewardLaw("iid", dist=_check_dist("rewards", rewards))
    if callable(rewards):
        return from_callable(rewards)
    if isinstance(rewards, (list, tuple, np.ndarray)):
        return fixed(rewards, name="rewards")
    raise TypeError(
        f"rewards: expected ps.iid(...), ps.independent(...), ps.fixed(...), a callable (rng, K) -> (K, S) "
        f"or a reward vector, got {type(rewards).__name__}"
    )
