"""Tail-index estimators and the reward-model tail diagnostic.

Kwa, Thomas & Garriga-Alonso (arXiv 2407.14503, §6) ask whether real reward-model outputs have
heavy-tailed error. Their diagnostic has four panels -- histogram, normal QQ, exponential QQ of
the values above the mean, and a Hill plot with standard-error bars -- and uses the Hill estimator

    gamma_k = (1/k) Σ_{i<=k} [log X_(i) - log X_(k+1)],   SE = gamma_k / sqrt(k),

over the top order statistics X_(1) >= X_(2) >= ...  (gamma = 1/alpha for a Pareto(alpha) tail,
1/df for Student t; gamma -> 0 for light tails). Here also Pickands' estimator, the moment
estimator of Dekkers, Einmahl & de Haan (1989), bootstrap confidence intervals, and the two
Starling-RM-7B-alpha reward arrays the paper published (package data, see data/PROVENANCE.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from tailpower._common import as_generator, check_int

__all__ = [
    "TailEstimate",
    "BootstrapCI",
    "HillPath",
    "TailReport",
    "hill",
    "pickands",
    "moment",
    "bootstrap",
    "hill_path",
    "hill_plot",
    "tail_report",
    "load_rewards",
    "REWARD_DATASETS",
]

REWARD_DATASETS = {
    "random": "random_starling_reward_values.npy",
    "llama": "llama_starling_reward_values.npy",
}


@dataclass(frozen=True)
class TailEstimate:
    """A tail-index estimate gamma (= 1/alpha) from the top ``k`` order statistics.

    ``value`` and ``stderr`` are floats, or arrays when ``k`` was an array; ``stderr`` is the
    asymptotic standard deviation at the estimated gamma; ``samples`` is the sample size n.
    """

    value: Any
    stderr: Any
    k: Any
    method: str
    samples: int


def _data(x, name: str = "x") -> np.ndarray:
    arr = np.asarray(x)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"{name}: expected a 1-D array of real numbers, got dtype {arr.dtype}")
    arr = arr.astype(float)
    if arr.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array, got shape {arr.shape}")
    if arr.size < 2:
        raise ValueError(f"{name}: needs at least 2 values, got {arr.size}")
    if not np.all(np.isfinite(arr)):
        bad = int(np.sum(~np.isfinite(arr)))
        raise ValueError(f"{name}: must contain only finite numbers ({bad} non-finite values)")
    return arr


def _ks(k, lo: int, hi: int, what: str) -> tuple[np.ndarray, bool]:
    scalar = np.ndim(k) == 0
    ks = np.atleast_1d(np.asarray(k))
    if ks.ndim != 1 or ks.size == 0:
        raise ValueError(f"k: expected an integer or a 1-D array of integers, got shape {ks.shape}")
    out = np.array([check_int("k", v, minimum=1) for v in ks.tolist()], dtype=np.int64)
    bad = (out < lo) | (out > hi)
    if np.any(bad):
        raise ValueError(f"k: must be in [{lo}, {hi}] for {what}, got {out[bad][0]}")
    return out, scalar


def _ret(a: np.ndarray, scalar: bool):
    return float(a[0]) if scalar else a


def _hill_from_desc(xd: np.ndarray, ks: np.ndarray) -> np.ndarray:
    if np.any(xd[ks] <= 0):
        kk = ks[xd[ks] <= 0][0]
        raise ValueError(
            f"k: the Hill estimator needs X_(k+1) > 0; with k = {int(kk)} it is {float(xd[kk]):.6g} "
            f"(only {int(np.sum(xd > 0))} positive values: shift or keep the positive part)"
        )
    top = xd[: ks.max() + 1]
    logs = np.log(np.where(top > 0, top, 1.0))
    cs = np.cumsum(logs)
    return cs[ks - 1] / ks - logs[ks]


def hill(x, k) -> TailEstimate:
    """Hill's estimator gamma_k = (1/k) Σ_{i<=k} log X_(i) - log X_(k+1), SE gamma_k/sqrt(k).

    Parameters
    ----------
    x : 1-D array of finite numbers (n >= 2); X_(k+1) must be > 0.
    k : int or 1-D array of ints in [1, n-1].

    Notes
    -----
    Asymptotically normal with sd gamma/sqrt(k) when k -> inf, k/n -> 0 and the second-order
    bias vanishes (Hill 1975; paper §6 uses the same SE).  For a Pareto(alpha) sample it is the
    exact conditional MLE of 1/alpha.
    """
    arr = _data(x)
    n = arr.size
    ks, scalar = _ks(k, 1, n - 1, f"the Hill estimator with n = {n}")
    xd = np.sort(arr)[::-1]
    g = _hill_from_desc(xd, ks)
    return TailEstimate(_ret(g, scalar), _ret(g / np.sqrt(ks), scalar), _ret(ks, scalar) if not scalar else int(ks[0]), "hill", n)


def _pickands_sd(g: np.ndarray) -> np.ndarray:
    """Asymptotic sd * sqrt(k) of Pickands' estimator:
    gamma sqrt(2^{2gamma+1} + 1) / (2 (2^gamma - 1) log 2), -> sqrt(3)/(2 log² 2) at gamma = 0."""
    g = np.asarray(g, dtype=float)
    small = np.abs(g) < 1e-6
    gs = np.where(small, 1.0, g)
    val = gs * np.sqrt(2.0 ** (2 * gs + 1) + 1) / (2 * (2.0**gs - 1) * math.log(2))
    return np.where(small, math.sqrt(3) / (2 * math.log(2) ** 2), val)


def pickands(x, k) -> TailEstimate:
    """Pickands' estimator gamma = log((X_(k) - X_(2k)) / (X_(2k) - X_(4k))) / log 2, 4k <= n.

    Location and scale invariant, valid for any sign of gamma (Pickands 1975); asymptotic sd
    gamma sqrt(2^{2gamma+1}+1) / (2 (2^gamma - 1) log 2 sqrt(k)) (de Haan & Ferreira 2006, Thm 3.3.5).
    """
    arr = _data(x)
    n = arr.size
    ks, scalar = _ks(k, 1, n // 4, f"Pickands' estimator (4k <= n = {n})")
    xd = np.sort(arr)[::-1]
    a, b, c = xd[ks - 1], xd[2 * ks - 1], xd[4 * ks - 1]
    if np.any(a - b <= 0) or np.any(b - c <= 0):
        raise ValueError("k: tied order statistics X_(k), X_(2k), X_(4k): Pickands' estimator is undefined")
    g = np.log((a - b) / (b - c)) / math.log(2)
    return TailEstimate(_ret(g, scalar), _ret(_pickands_sd(g) / np.sqrt(ks), scalar), int(ks[0]) if scalar else ks, "pickands", n)


def _moment_sd(g: np.ndarray) -> np.ndarray:
    """Asymptotic sd * sqrt(k) of the moment estimator: sqrt(1 + gamma²) for gamma >= 0; for
    gamma < 0: (1-g)²(1-2g)[4 - 8(1-2g)/(1-3g) + (5-11g)(1-2g)/((1-3g)(1-4g))] (variance)."""
    g = np.asarray(g, dtype=float)
    gn = np.minimum(g, 0.0)
    var_neg = (1 - gn) ** 2 * (1 - 2 * gn) * (
        4 - 8 * (1 - 2 * gn) / (1 - 3 * gn) + (5 - 11 * gn) * (1 - 2 * gn) / ((1 - 3 * gn) * (1 - 4 * gn))
    )
    return np.sqrt(np.where(g >= 0, 1 + g * g, var_neg))


def moment(x, k) -> TailEstimate:
    """Moment estimator of Dekkers, Einmahl & de Haan (1989):

    M_j = (1/k) Σ_{i<=k} (log X_(i) - log X_(k+1))^j,
    gamma = M_1 + 1 - 1/2 (1 - M_1² / M_2)^{-1},

    valid for every sign of gamma; needs X_(k+1) > 0.  Asymptotic sd sqrt(1 + gamma²)/sqrt(k) for
    gamma >= 0.
    """
    arr = _data(x)
    n = arr.size
    ks, scalar = _ks(k, 2, n - 1, f"the moment estimator with n = {n}")
    xd = np.sort(arr)[::-1]
    m1 = _hill_from_desc(xd, ks)
    top = xd[: ks.max() + 1]
    logs = np.log(top)
    m2 = np.array([np.mean((logs[:kk] - logs[kk]) ** 2) for kk in ks])
    if np.any(m2 <= 0):
        raise ValueError("k: the top k+1 order statistics are tied: the moment estimator is undefined")
    g = m1 + 1 - 0.5 / (1 - m1 * m1 / m2)
    return TailEstimate(_ret(g, scalar), _ret(_moment_sd(g) / np.sqrt(ks), scalar), int(ks[0]) if scalar else ks, "moment", n)


_ESTIMATORS = {"hill": hill, "pickands": pickands, "moment": moment}


@dataclass(frozen=True)
class BootstrapCI:
    """Percentile bootstrap interval of a tail estimator at fixed k.

    ``value`` is the estimate on the data, ``stderr`` the bootstrap standard deviation,
    ``low``/``high`` the percentile interval at ``level``, ``samples`` the number of resamples.
    """

    value: float
    stderr: float
    low: float
    high: float
    level: float
    k: int
    method: str
    samples: int


def bootstrap(x, k: int, *, estimator: str = "hill", n_boot: int = 1000, level: float = 0.95, rng=None) -> BootstrapCI:
    """Nonparametric bootstrap CI of ``estimator`` ("hill", "pickands", "moment") at ``k``.

    Resamples the n values with replacement ``n_boot`` times (generator ``rng``, SPEC 7) and
    reports the percentile interval.  Same seed -> same interval.
    """
    if estimator not in _ESTIMATORS:
        raise ValueError(f"estimator: must be one of {sorted(_ESTIMATORS)}, got {estimator!r}")
    n_boot = check_int("n_boot", n_boot, minimum=2)
    if not (isinstance(level, (int, float)) and 0 < level < 1):
        raise ValueError(f"level: must be in (0, 1), got {level!r}")
    arr = _data(x)
    est = _ESTIMATORS[estimator]
    point = est(arr, k)
    gen = as_generator(rng)
    n = arr.size
    vals = np.empty(n_boot)
    kk = int(point.k)
    for b in range(n_boot):
        xs = arr[gen.integers(0, n, size=n)]
        try:
            vals[b] = float(est(xs, kk).value)
        except ValueError:  # ties in a resample (e.g. Pickands): that resample has no estimate
            vals[b] = np.nan
    ok = vals[np.isfinite(vals)]
    if ok.size < 2:
        raise ValueError("x: fewer than 2 bootstrap resamples gave a finite estimate")
    lo, hi = np.quantile(ok, [(1 - level) / 2, (1 + level) / 2])
    return BootstrapCI(float(point.value), float(np.std(ok, ddof=1)), float(lo), float(hi), float(level), kk,
                       f"bootstrap-{estimator}", int(n_boot))


@dataclass(frozen=True)
class HillPath:
    """Hill estimates over a range of k (the Hill plot): arrays ``k``, ``gamma``, ``stderr``."""

    k: np.ndarray
    gamma: np.ndarray
    stderr: np.ndarray
    samples: int


def hill_path(x, ks=None) -> HillPath:
    """Hill estimates at every k in ``ks`` (default: 1 .. (number of positive values) - 1)."""
    arr = _data(x)
    npos = int(np.sum(arr > 0))
    if npos < 2:
        raise ValueError(f"x: the Hill plot needs at least 2 positive values, got {npos}")
    if ks is None:
        ks = np.arange(1, npos)
    est = hill(arr, np.asarray(ks))
    return HillPath(np.atleast_1d(est.k), np.atleast_1d(est.value), np.atleast_1d(est.stderr), arr.size)


def hill_plot(x, ks=None, ax=None, *, bars: int = 40) -> HillPath:
    """Draw the Hill plot (gamma_k against k, log k axis, ±1 SE bars at ``bars`` values of k) on
    ``ax`` (a new figure if None) and return the numbers."""
    import matplotlib.pyplot as plt

    path = hill_path(x, ks)
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    ax.plot(path.k, path.gamma, lw=1, color="C0")
    sel = np.unique(np.geomspace(1, path.k.size, bars).astype(int) - 1)
    ax.errorbar(path.k[sel], path.gamma[sel], yerr=path.stderr[sel], fmt="none", ecolor="C0", alpha=0.6, capsize=2)
    ax.set_xscale("log")
    ax.set_xlabel("k (number of top order statistics)")
    ax.set_ylabel(r"Hill estimate $\hat\gamma_k$")
    ax.axhline(0, color="k", lw=0.5)
    return path


@dataclass(frozen=True)
class TailReport:
    """Numbers of the four-panel diagnostic (see :func:`tail_report`)."""

    n: int
    mean: float
    std: float
    skewness: float
    excess_kurtosis: float
    normal_qq_r: float          # correlation of the normal QQ plot (1 for a normal sample)
    exp_qq_r: float             # correlation of the exponential QQ plot of values above the mean
    exp_qq_slope: float         # slope of that plot (the exponential scale if linear)
    n_positive: int             # number of demeaned values > 0 (the Hill plot's sample)
    hill_k: np.ndarray
    hill_gamma: np.ndarray
    hill_stderr: np.ndarray
    hill_at: dict               # {k: (gamma, se)} at a few k
    pickands_at: dict
    moment_at: dict
    normal_reference_hill: dict  # Hill at the same k of a normal sample of the same size and sd
    figure: Any = field(default=None, compare=False, repr=False)


def tail_report(data, *, ks_at=(100, 172, 300, 1000), ax=None, title: str | None = None, rng=0) -> TailReport:
    """The paper's four-panel tail diagnostic of reward-model outputs, and its numbers.

    Panels (Kwa, Thomas & Garriga-Alonso 2024, §6): (a) histogram; (b) normal QQ plot;
    (c) exponential QQ plot of the values above the mean minus the mean (a straight line means an
    exponential tail, upward curvature a heavier one); (d) Hill plot with ±SE bars of the demeaned
    data restricted to its positive values, as in the paper.  The numbers include the Hill,
    Pickands and moment estimates at ``ks_at`` and, as the null reference, the Hill estimates of a
    normal sample with the same size, mean and sd (seeded by ``rng``): a light (Gaussian) tail
    gives Hill estimates that decay only like 1/(2 log n), so a positive Hill value alone does not
    show a heavy tail.

    Parameters
    ----------
    data : 1-D array of finite numbers.
    ks_at : values of k where estimates are reported (those > n_positive - 1 are skipped).
    ax : array of 4 matplotlib axes, or None to create a 2x2 figure (returned in ``.figure``).
    """
    import matplotlib.pyplot as plt

    x = _data(data, "data")
    n = x.size
    mu, sd = float(x.mean()), float(x.std(ddof=1))
    d = x - mu
    pos = d[d > 0]
    if pos.size < 3:
        raise ValueError("data: needs at least 3 values above the mean")
    if ax is None:
        fig, axes = plt.subplots(2, 2, figsize=(10, 7.5))
        axes = axes.ravel()
    else:
        axes = np.asarray(ax).ravel()
        fig = axes[0].figure
    axes[0].hist(x, bins=80, color="C0", alpha=0.8)
    axes[0].set_xlabel("reward")
    axes[0].set_ylabel("count")
    axes[0].set_title("histogram")
    (osm, osr), (slope, icpt, r_norm) = stats.probplot(x, dist="norm")
    axes[1].plot(osm, osr, ".", ms=2)
    axes[1].plot(osm, slope * osm + icpt, "r-", lw=1)
    axes[1].set_xlabel("normal quantile")
    axes[1].set_ylabel("ordered reward")
    axes[1].set_title(f"normal QQ (r = {r_norm:.4f})")
    (eqm, eqr), (eslope, eicpt, r_exp) = stats.probplot(pos, dist="expon")
    axes[2].plot(eqm, eqr, ".", ms=2)
    axes[2].plot(eqm, eslope * eqm + eicpt, "r-", lw=1)
    axes[2].set_xlabel("exponential quantile")
    axes[2].set_ylabel("reward - mean (values above the mean)")
    axes[2].set_title(f"exponential QQ (r = {r_exp:.4f})")
    path = hill_plot(pos, ax=axes[3])
    ks = [int(k) for k in ks_at if 1 <= int(k) <= pos.size - 1]
    gen = as_generator(rng)
    ref = gen.normal(0.0, sd, size=n)
    ref = ref[ref > 0]
    ref_path = hill_path(ref, np.arange(1, min(ref.size, pos.size)))
    axes[3].plot(ref_path.k, ref_path.gamma, lw=1, color="0.5", ls="--", label="normal sample, same n and sd")
    body = path.gamma[: max(path.k.size // 4, 1)]
    axes[3].set_ylim(min(0.0, float(body.min()) - 0.05), max(0.6, 1.3 * float(body.max() + path.stderr[: body.size].max())))
    axes[3].legend(fontsize=8)
    axes[3].set_title("Hill plot of demeaned positive values (±1 SE)")
    if title:
        fig.suptitle(title)
    fig.tight_layout()

    def at(est, lo):
        out = {}
        for k in ks:
            if k >= lo and (est is not pickands or 4 * k <= pos.size):
                e = est(pos, k)
                out[k] = (float(e.value), float(e.stderr))
        return out

    return TailReport(
        n=n, mean=mu, std=sd, skewness=float(stats.skew(x)), excess_kurtosis=float(stats.kurtosis(x)),
        normal_qq_r=float(r_norm), exp_qq_r=float(r_exp), exp_qq_slope=float(eslope), n_positive=int(pos.size),
        hill_k=path.k, hill_gamma=path.gamma, hill_stderr=path.stderr,
        hill_at=at(hill, 1), pickands_at=at(pickands, 1), moment_at=at(moment, 2),
        normal_reference_hill={k: float(ref_path.gamma[k - 1]) for k in ks if k <= ref_path.k.size},
        figure=fig,
    )


def load_rewards(name: str = "random", *, path=None) -> np.ndarray:
    """Reward values as a 1-D float64 array.

    ``name="random"``: Starling-RM-7B-alpha rewards of 30,000 uniformly random length-1024 token
    sequences; ``"llama"``: of 16,000 Llama-2-7b-chat generations (package data, from the paper's
    public experiment repository; see goodhart/data/PROVENANCE.md).  ``path``: a user's own
    ``.npy`` file instead, which must hold a 1-D array of finite numbers.
    """
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise ValueError(f"path: no such file {str(p)!r}")
        try:
            arr = np.load(p, allow_pickle=False)
        except Exception as exc:  # noqa: BLE001 - any unreadable file
            raise ValueError(f"path: cannot read {str(p)!r} as a .npy array: {exc}") from exc
        where = f"path: {str(p)!r}"
    else:
        if name not in REWARD_DATASETS:
            raise ValueError(f"name: must be one of {sorted(REWARD_DATASETS)}, got {name!r}")
        ref = resources.files("goodhart").joinpath("data", REWARD_DATASETS[name])
        with resources.as_file(ref) as f:
            arr = np.load(f, allow_pickle=False)
        where = f"name: {name!r}"
    if not isinstance(arr, np.ndarray) or arr.ndim != 1 or not np.issubdtype(arr.dtype, np.number):
        raise ValueError(f"{where} must hold a 1-D numeric array, got shape {getattr(arr, 'shape', None)}")
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{where} holds {int(np.sum(~np.isfinite(arr)))} non-finite values")
    return arr
