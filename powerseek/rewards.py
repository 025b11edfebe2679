"""Reward laws: distributions D over state-reward vectors R in R^S (Turner et al. 2021, Def. 3.x).

- :func:`iid` -- every state's reward drawn independently from one scipy frozen law, continuous
  or discrete (the papers' default is U(0, 1)).
- :func:`independent` -- one law per state (a list in state order or a dict by state name).
- :func:`fixed` -- one deterministic reward vector (then POWER is exact and ``stderr`` is 0).
- :func:`from_callable` (or pass any callable ``(rng, K) -> array (K, S)``).

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

__all__ = ["RewardLaw", "iid", "independent", "fixed", "from_callable", "as_law"]

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
    """A distribution over reward vectors on the states of an MDP.

    Attributes
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
    """Rewards iid across states with the scipy frozen law ``dist`` (e.g. ``scipy.stats.uniform()``,
    the papers' U(0, 1); discrete laws such as ``stats.randint(0, 3)`` give exact ties).

    POWER is an expectation: :func:`powerseek.power` refuses laws without a finite mean (Cauchy,
    Levy); optimality probabilities are defined for any law."""
    return RewardLaw("iid", dist=_check_dist("dist", dist))


def independent(dists: Sequence | Mapping) -> RewardLaw:
    """Independent rewards with one law per state: a list in ``mdp.states`` order, or a dict
    ``{state name: frozen law}``."""
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
    """One deterministic reward vector (array of length S, in ``mdp.states`` order)."""
    v = float_array(name, vector)
    if v.ndim != 1 or v.size == 0:
        raise ValueError(f"{name}: expected a 1-d reward vector, got shape {v.shape}")
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{name}: rewards must be finite")
    v = v.copy()
    v.setflags(write=False)
    return RewardLaw("fixed", vector=v)


def from_callable(fn: Callable) -> RewardLaw:
    """Rewards drawn by ``fn(rng, K) -> array (K, S)``."""
    if not callable(fn):
        raise TypeError(f"fn: expected a callable (rng, K) -> (K, S), got {type(fn).__name__}")
    return RewardLaw("callable", fn=fn)


def as_law(rewards) -> RewardLaw:
    """Coerce ``rewards`` (a RewardLaw, a frozen scipy law meaning iid, a vector, or a callable)."""
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
