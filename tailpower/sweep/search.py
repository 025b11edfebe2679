"""The points of a sweep: the grid's cartesian product, seeded random draws from the priors of
``[search.params]``, and the rounds of the adaptive (cross-entropy-style) search."""

from __future__ import annotations

import itertools
import math
import numbers
import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from .keys import point_key
from .spec import SweepSpec, load_spec

__all__ = ["points", "adaptive_round"]

RANDOM_TAG = 0x5EED_0001  # spawn-key tags that separate the search streams from the point seeds
ADAPT_TAG = 0x5EED_0002


def _draw(rng: np.random.Generator, dist: Any) -> Any:
    if not isinstance(dist, Mapping):
        return dist
    (kind, args), = dist.items()
    if kind == "choice":
        return args[int(rng.integers(len(args)))]
    lo, hi = args
    if kind == "uniform":
        return float(rng.uniform(lo, hi))
    if kind == "loguniform":
        return float(math.exp(rng.uniform(math.log(lo), math.log(hi))))
    if kind == "normal":
        return float(rng.normal(lo, hi))
    return int(rng.integers(lo, hi + 1))  # integers, inclusive


def _reflect(x: float, lo: float, hi: float) -> float:
    """Fold ``x`` back into [lo, hi] by reflection at the bounds."""
    width = hi - lo
    y = (x - lo) % (2 * width)
    return lo + (y if y <= width else 2 * width - y)


def _in_support(dist: Mapping, x: Any) -> bool:
    """Whether ``x`` (a parameter value read back from a results file) lies in the prior's support."""
    (kind, args), = dist.items()
    if kind == "choice":
        return True
    if isinstance(x, bool) or not isinstance(x, numbers.Real) or not math.isfinite(x):
        return False
    if kind == "normal":
        return True
    lo, hi = args
    return lo <= x <= hi and (kind != "integers" or float(x).is_integer())


def _perturb(rng: np.random.Generator, dist: Any, x: Any, scale: float) -> Any:
    """A step of relative size ``scale`` from ``x`` within the prior's support."""
    if not isinstance(dist, Mapping):
        return dist
    (kind, args), = dist.items()
    z = float(rng.standard_normal())
    if not _in_support(dist, x):
        return _draw(rng, dist)
    if kind == "choice":
        return args[int(rng.integers(len(args)))] if rng.random() < scale else x
    lo, hi = args
    if kind == "uniform":
        return float(_reflect(x + z * scale * (hi - lo), lo, hi))
    if kind == "loguniform":
        a, b = math.log(lo), math.log(hi)
        return float(math.exp(_reflect(math.log(x) + z * scale * (b - a), a, b)))
    if kind == "normal":
        return float(x + z * scale * 4.0 * hi)
    step = int(round(z * scale * (hi - lo + 1)))
    return int(min(hi, max(lo, int(x) + step)))


def _grid_points(spec: SweepSpec) -> list[dict]:
    names = list(spec.grid)
    return [dict(zip(names, combo)) for combo in itertools.product(*(spec.grid[n] for n in names))]


def _random_points(spec: SweepSpec) -> list[dict]:
    s = spec.search
    rng = np.random.default_rng(np.random.SeedSequence(spec.seed, spawn_key=(RANDOM_TAG,)))
    names = sorted(s["params"])
    return [{n: _draw(rng, s["params"][n]) for n in names} for _ in range(s["n"])]


def _objective(record: Mapping, field: str) -> float | None:
    res = record.get("result")
    if not isinstance(res, Mapping) or field not in res:
        return None
    v = res[field]
    if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
        return None
    return float(v)


def adaptive_round(spec: SweepSpec, rnd: int, earlier: list[dict]) -> list[dict]:
    """Points of round ``rnd`` (>= 1) of an adaptive search from the records of rounds ``< rnd``.

    Round ``rnd`` perturbs the best ``keep`` fraction of the earlier points with steps of relative
    size ``0.25 shrink**rnd``; it depends only on the spec and the earlier records (sorted by key),
    so a resumed search makes the same points.
    """
    s = spec.search
    names = sorted(s["params"])
    sign = -1.0 if s["goal"] == "max" else 1.0
    scored = [(sign * o, r["key"], r["params"]) for r in earlier
              if (o := _objective(r, s["objective"])) is not None and set(r["params"]) == set(names)]
    scored.sort(key=lambda t: (t[0], t[1]))
    rng = np.random.default_rng(np.random.SeedSequence(spec.seed, spawn_key=(ADAPT_TAG, rnd)))
    if not scored:  # nothing usable yet: draw afresh from the priors
        return [{n: _draw(rng, s["params"][n]) for n in names} for _ in range(s["n"])]
    elite = [p for _, _, p in scored[: max(1, math.ceil(s["keep"] * s["n"]))]]
    scale = 0.25 * s["shrink"] ** rnd
    seen = {r["key"] for r in earlier}
    out: list[dict] = []
    for _ in range(s["n"]):
        for _attempt in range(8):
            parent = elite[int(rng.integers(len(elite)))]
            child = {n: _perturb(rng, s["params"][n], parent[n], scale) for n in names}
            k = point_key(child)
            if k not in seen:
                seen.add(k)
                out.append(child)
                break
    return out


def points(spec: SweepSpec | str | os.PathLike | Mapping) -> list[dict]:
    """The parameter points of a grid and/or random search (round 0 of an adaptive search).

    Parameters
    ----------
    spec : path, mapping or SweepSpec
        The sweep spec (see :func:`tailpower.sweep.load_spec`); its size was checked against the
        memory budget when it was loaded, so the list is only made when it fits.

    Returns
    -------
    list of dict
        ``{name: value}`` per point: grid points in row-major order, each with every random draw.

    Raises
    ------
    ValueError, TypeError
        As :func:`tailpower.sweep.load_spec`, naming the spec key (or ``spec``).

    Examples
    --------
    >>> points({"function": "goodhart:detection_asymptote", "results": "out.jsonl",
    ...         "grid": {"kl": [1e-6, 1e-3], "tail_index": [2.0, 3.0]}})
    [{'kl': 1e-06, 'tail_index': 2.0}, {'kl': 1e-06, 'tail_index': 3.0}, {'kl': 0.001, 'tail_index': 2.0}, {'kl': 0.001, 'tail_index': 3.0}]
    """
    spec = load_spec(spec)
    grid = _grid_points(spec) if spec.grid else [{}]
    if spec.search is None:
        return grid
    rand = _random_points(spec)
    return [{**g, **r} for g in grid for r in rand]
