"""Reward laws: distributions D over state-reward vectors R in R^S (Turner et al. 2021, Def. 3.x).

- :func:`iid` -- every state's reward drawn independently from one scipy frozen continuous law
  (the papers' default is U(0, 1)).
- :func:`independent` -- one law per state (a list in state order or a dict by state name).
- :func:`fixed` -- one deterministic reward vector (then POWER is exact and ``stderr`` is 0).
- :func:`from_callable` (or pass any callable ``(rng, K) -> array (K, S)``).

Samples are drawn in numpy from the caller's generator (SPEC 7), so a seed gives the same rewards
whatever the thread count; the numba kernels only solve.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["RewardLaw", "iid", "independent", "fixed", "from_callable", "as_law"]


def _check_dist(name: str, dist: Any) -> Any:
    if not (hasattr(dist, "rvs") and hasattr(dist, "cdf") and hasattr(dist, "dist")):
        raise TypeError(f"{name}: expected a scipy.stats frozen continuous distribution, got {type(dist).__name__}")
    if not hasattr(dist.dist, "pdf"):
        raise TypeError(f"{name}: expected a continuous distribution (with a pdf)")
    return dist


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

    @property
    def deterministic(self) -> bool:
        return self.kind == "fixed"

    def sample(self, gen: np.random.Generator, K: int, mdp) -> np.ndarray:
        """Draw ``K`` reward vectors on the states of ``mdp``: array (K, S) of float64."""
        S = mdp.n_states
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
            out = np.asarray(self.fn(gen, K), dtype=float)
            if out.shape != (K, S):
                raise ValueError(f"rewards: callable returned shape {out.shape}, expected {(K, S)}")
        if not np.all(np.isfinite(out)):
            raise ValueError("rewards: sampled rewards must be finite")
        return out

    def _per_state(self, mdp) -> list:
        d = self.dists
        if isinstance(d, Mapping):
            unknown = set(map(str, d)) - set(mdp.states)
            if unknown:
                raise ValueError(f"rewards: unknown state names {sorted(unknown)}")
            missing = set(mdp.states) - set(map(str, d))
            if missing:
                raise ValueError(f"rewards: no law for states {sorted(missing)}")
            dd = {str(k): v for k, v in d.items()}
            return [dd[n] for n in mdp.states]
        if len(d) != mdp.n_states:
            raise ValueError(f"rewards: {len(d)} laws for {mdp.n_states} states")
        return list(d)


def iid(dist) -> RewardLaw:
    """Rewards iid across states with the scipy frozen continuous law ``dist`` (e.g.
    ``scipy.stats.uniform()``, the papers' U(0, 1))."""
    return RewardLaw("iid", dist=_check_dist("dist", dist))


def independent(dists: Sequence | Mapping) -> RewardLaw:
    """Independent rewards with one law per state: a list in ``mdp.states`` order, or a dict
    ``{state name: frozen law}``."""
    items = dists.values() if isinstance(dists, Mapping) else dists
    for i, d in enumerate(items):
        _check_dist(f"dists[{i}]", d)
    return RewardLaw("independent", dists=dists if isinstance(dists, Mapping) else tuple(dists))


def fixed(vector) -> RewardLaw:
    """One deterministic reward vector (array of length S, in ``mdp.states`` order)."""
    v = np.asarray(vector, dtype=float)
    if v.ndim != 1 or v.size == 0:
        raise ValueError(f"vector: expected a 1-d reward vector, got shape {v.shape}")
    if not np.all(np.isfinite(v)):
        raise ValueError("vector: rewards must be finite")
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
    if hasattr(rewards, "rvs") and hasattr(rewards, "dist"):
        return iid(rewards)
    if callable(rewards):
        return from_callable(rewards)
    if isinstance(rewards, (list, tuple, np.ndarray)):
        return fixed(rewards)
    raise TypeError(
        f"rewards: expected ps.iid(...), ps.independent(...), ps.fixed(...), a callable (rng, K) -> (K, S) "
        f"or a reward vector, got {type(rewards).__name__}"
    )
