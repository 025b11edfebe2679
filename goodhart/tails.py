"""Tail-index estimators and the reward-model tail diagnostic.

Kwa, Thomas & Garriga-Alonso (arXiv 2407.14503, §6) ask whether real reward-model outputs have
heavy-tailed error. Their diagnostic has four panels -- histogram, normal QQ, exponential QQ of
the values above the mean, and a Hill plot with standard-error bars -- and uses the Hill estimator

    gamma_k = (1/k) Σ_{i<=k} [log X_(i) - log X_(k+1)],   SE = gamma_k / sqrt(k),

over the top order statistics X_(1) >= X_(2) >= ...  (gamma = 1/alpha for a Pareto(alpha) tail,
1/df for Student t; gamma -> 0 for light tails). Here also Pickands' estimator, the moment
estimator of Dekkers, Einmahl & de Haan (1989), bootstrap confidence intervals (all in
``goodhart._tail_estimators``), and the two Starling-RM-7B-alpha reward arrays the paper
published (package data, see data/PROVENANCE.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from tailpower._common import as_generator, check_int, check_memory
from tailpower._extras import require
from tailpower._results import ResultMixin, format_value

from ._reward_data import REWARD_DATASETS, load_rewards
from ._tail_estimators import BootstrapCI, TailEstimate, bootstrap, check_data, hill, moment, pickands

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



@dataclass(frozen=True)
class HillPath(ResultMixin):
    """Hill estimates over a range of k (the numbers of the Hill plot, Hill 1975).

    ``str(path)`` summarises the estimates (their number, range and largest standard error).

    Attributes
    ----------
    k : ndarray of int
        The numbers of top order statistics.
    gamma : ndarray
        Hill's estimate gamma_k at each k (see :func:`goodhart.hill`).
    stderr : ndarray
        Its asymptotic standard error gamma_k / sqrt(k).
    samples : int
        The sample size n.

    Examples
    --------
    >>> import numpy as np
    >>> from goodhart import hill_path
    >>> x = np.random.default_rng(0).pareto(2.0, 10_000) + 1.0
    >>> print(hill_path(x, ks=[10, 100, 1000]))
    [0.42 ± 0.13, 0.510 ± 0.051, 0.500 ± 0.016] (10000 samples)
    """

    k: np.ndarray
    gamma: np.ndarray
    stderr: np.ndarray
    samples: int
    _value_field = "gamma"


def _count_positive(arr: np.ndarray) -> int:
    step = 1 << 22
    return sum(int(np.count_nonzero(arr[i:i + step] > 0)) for i in range(0, arr.size, step))


def hill_path(x, ks=None) -> HillPath:
    """Hill estimates at every k in ``ks`` (default: 1 .. (number of positive values) - 1).

    The numbers of the Hill plot (Hill 1975; the diagnostic of Kwa, Thomas & Garriga-Alonso,
    arXiv 2407.14503, §6): a plateau of gamma_k over a range of k estimates the tail index.

    Parameters
    ----------
    x : 1-D array of finite real numbers
        The sample, with at least 2 positive values.
    ks : int or 1-D array of ints, optional
        The values of k, each in [1, n - 1] with X_(k+1) > 0; by default every k from 1 to the
        number of positive values minus 1.

    Returns
    -------
    HillPath
        Arrays ``k``, ``gamma``, ``stderr`` and the sample size.

    Raises
    ------
    TypeError
        ``x`` not an array of real numbers; ``ks`` not integers.
    ValueError
        ``x`` not 1-D, non-finite or with fewer than 2 positive values; ``ks`` out of range (the
        message names ``ks``); the default path above the memory budget (``BudgetError``, a
        ValueError naming ``x``).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).pareto(2.0, 10_000) + 1.0   # gamma = 1/2
    >>> path = hill_path(x)
    >>> path.k[[0, -1]], round(float(path.gamma[999]), 3)
    (array([   1, 9999]), 0.5)
    """
    arr = check_data(x)
    npos = _count_positive(arr)
    if npos < 2:
        raise ValueError(f"x: the Hill plot needs at least 2 positive values, got {npos}")
    if ks is None:
        check_memory("x", 8.0 * 6 * npos, f"the Hill plot at all {npos - 1} values of k")
        est = hill(arr, np.arange(1, npos))
    else:
        est = _renamed(hill, arr, ks)
    return HillPath(np.atleast_1d(est.k), np.atleast_1d(est.value), np.atleast_1d(est.stderr), arr.size)


def _renamed(estimator, arr, ks):
    """``estimator(arr, ks)`` with errors about its ``k`` reported as errors about ``ks``."""
    try:
        return estimator(arr, ks)
    except (TypeError, ValueError) as exc:
        msg = str(exc)
        if msg.startswith("k:"):
            raise type(exc)("ks:" + msg[2:]) from None
        raise


def _check_axes(ax, count: int) -> list:
    axes = list(np.asarray(ax, dtype=object).ravel()) if isinstance(ax, (list, tuple, np.ndarray)) else [ax]
    if len(axes) < count or not all(callable(getattr(a, m, None)) for a in axes[:count]
                                    for m in ("plot", "errorbar", "set_xscale", "hist")):
        what = "a matplotlib Axes" if count == 1 else f"an array of {count} matplotlib Axes"
        raise TypeError(f"ax: expected {what} or None, got {type(ax).__name__}")
    return axes[:count]


def hill_plot(x, ks=None, ax=None, *, bars: int = 40) -> HillPath:
    """Draw the Hill plot (gamma_k against k, log k axis, ±1 SE bars at ``bars`` values of k) on
    ``ax`` (a new figure if None) and return the numbers.

    The plot of Hill (1975) as Kwa, Thomas & Garriga-Alonso (arXiv 2407.14503, §6) draw it for
    reward-model outputs. Needs matplotlib (the ``plot`` extra).

    Parameters
    ----------
    x : 1-D array of finite real numbers
        The sample, with at least 2 positive values.
    ks : int or 1-D array of ints, optional
        The values of k (see :func:`hill_path`).
    ax : matplotlib Axes, optional
        Where to draw; by default a new figure (the Axes' ``figure``).
    bars : int
        Number of values of k with a standard-error bar, >= 1 (spread evenly in log k).

    Returns
    -------
    HillPath
        The plotted numbers; the axes are ``ax`` (or ``matplotlib.pyplot.gca()`` of the new
        figure).

    Raises
    ------
    TypeError
        ``ax`` not a matplotlib Axes; ``bars`` not an integer; ``x``/``ks`` as in :func:`hill_path`.
    ValueError
        ``bars`` < 1; ``x``/``ks`` as in :func:`hill_path`.
    tailpower._extras.MissingExtraError
        matplotlib is not installed (a ModuleNotFoundError naming the ``plot`` extra).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> x = np.random.default_rng(0).pareto(2.0, 10_000) + 1.0
    >>> fig, ax = plt.subplots()
    >>> path = hill_plot(x, ks=np.arange(1, 2000), ax=ax)
    >>> ax.get_xscale(), path.k.size
    ('log', 1999)
    >>> plt.close(fig)
    """
    bars = check_int("bars", bars, minimum=1)
    if ax is not None:
        ax = _check_axes(ax, 1)[0]
    path = hill_path(x, ks)
    if ax is None:
        plt = require("matplotlib.pyplot", "plot", "goodhart.hill_plot")
        _, ax = plt.subplots(figsize=(5, 3.5))
    ax.plot(path.k, path.gamma, lw=1, color="C0")
    size = path.k.size
    sel = np.unique(np.geomspace(1, size, min(bars, size)).astype(int) - 1)
    ax.errorbar(path.k[sel], path.gamma[sel], yerr=path.stderr[sel], fmt="none", ecolor="C0", alpha=0.6, capsize=2)
    ax.set_xscale("log")
    ax.set_xlabel("k (number of top order statistics)")
    ax.set_ylabel(r"Hill estimate $\hat\gamma_k$")
    ax.axhline(0, color="k", lw=0.5)
    return path


@dataclass(frozen=True)
class TailReport(ResultMixin):
    """Numbers of the four-panel diagnostic (see :func:`tail_report`).

    ``str(report)`` prints the summary statistics and the Hill estimates next to those of the
    normal reference sample; ``report.to_dict()`` gives every field but ``figure`` as plain data.

    Attributes
    ----------
    n, mean, std, skewness, excess_kurtosis
        Size and moments of the data (sample sd, ddof = 1).
    normal_qq_r, exp_qq_r, exp_qq_slope
        Correlation of the normal QQ plot (1 for a normal sample), and the correlation and slope
        of the exponential QQ plot of the values above the mean.
    n_positive : int
        The number of demeaned values > 0 (the sample of the Hill plot).
    hill_k, hill_gamma, hill_stderr : ndarray
        The Hill plot of those values.
    hill_at, pickands_at, moment_at : dict
        ``{k: (gamma, stderr)}`` at the requested k where the estimator is defined.
    normal_reference_hill : dict
        ``{k: gamma}`` of a normal sample with the same n and sd (the light-tail reference).
    figure : matplotlib Figure or None
        The four panels.

    Examples
    --------
    >>> from goodhart import load_rewards, tail_report
    >>> r = tail_report(load_rewards("llama")[:2000], ks_at=(50,), rng=0)
    >>> r.n_positive, round(r.skewness, 2)
    (1132, -0.61)
    >>> import matplotlib.pyplot as plt
    >>> plt.close(r.figure)
    """

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

    def to_dict(self) -> dict[str, Any]:
        """The fields but ``figure`` as plain Python data (see :class:`tailpower._results.ResultMixin`).

        Returns
        -------
        dict
            ``{field: value}``; the ``*_at`` dictionaries have string keys and [gamma, stderr] lists.
        """
        d = super().to_dict()
        del d["figure"]
        return d

    def __str__(self) -> str:
        hill = "; ".join(f"k={k}: {format_value(g, e)} (normal sample {self.normal_reference_hill[k]:.3g})"
                         if k in self.normal_reference_hill else f"k={k}: {format_value(g, e)}"
                         for k, (g, e) in self.hill_at.items())
        return (f"n = {self.n}, mean {self.mean:.6g}, sd {self.std:.6g}, skewness {self.skewness:.3g}, "
                f"excess kurtosis {self.excess_kurtosis:.3g}, normal QQ r {self.normal_qq_r:.4f}; "
                f"Hill of the demeaned positive values: {hill or 'none'}")


def _check_ks_at(ks_at) -> list[int]:
    if isinstance(ks_at, (str, bytes)) or not hasattr(ks_at, "__iter__"):
        raise TypeError(f"ks_at: expected an iterable of integers, got {type(ks_at).__name__}")
    return [check_int("ks_at", k, minimum=1) for k in ks_at]


#: QQ panels draw at most this many points (evenly spaced in rank, extremes included)
_QQ_POINTS = 100_000


def _thin(*arrays):
    n = arrays[0].size
    if n <= _QQ_POINTS:
        return arrays
    idx = np.unique(np.linspace(0, n - 1, _QQ_POINTS).astype(np.int64))
    return tuple(a[idx] for a in arrays)


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

    Data of extreme magnitude (beyond 2^±500) are analysed after an exact power-of-two rescaling
    (the panels then say so); all reported numbers are in the units of ``data``.

    Parameters
    ----------
    data : 1-D array of finite real numbers
        At least 3 values above their mean, not all equal.
    ks_at : iterable of int
        Integers >= 1 where estimates are reported (those > n_positive - 1 are skipped, and so
        are Pickands' (4k > n_positive) and the moment estimator's (k = 1, or tied values) where
        they are undefined).
    ax : sequence of 4 matplotlib Axes, optional
        Where to draw the panels; by default a new 2 x 2 figure (returned in ``.figure``).
    title : str, optional
        The figure's title.
    rng : numpy.random.Generator, int, SeedSequence or None
        Randomness of the normal reference sample.

    Returns
    -------
    TailReport
        The numbers of the panels and the figure.

    Raises
    ------
    TypeError
        ``data`` not an array of real numbers; ``ks_at`` not an iterable of integers; ``title``
        not a string; ``ax`` not 4 matplotlib Axes; ``rng`` not a seed or generator.
    ValueError
        ``data`` not 1-D, non-finite, with fewer than 3 values above the mean, those all equal,
        or a spread beyond double precision; ``ks_at`` with an integer < 1; the diagnostic above
        the memory budget (``BudgetError``, a ValueError naming ``data``).
    tailpower._extras.MissingExtraError
        matplotlib is not installed (a ModuleNotFoundError naming the ``plot`` extra).

    Examples
    --------
    On the Starling rewards of Llama-2 generations (the paper's §6 data) the upper tail is light:
    the Hill estimates match those of a normal sample of the same size and sd.

    >>> from goodhart import load_rewards
    >>> r = tail_report(load_rewards("llama"), ks_at=(172,), rng=0)
    >>> print(r)  # doctest: +ELLIPSIS
    n = 16000, ..., skewness -0.572, ... Hill of the demeaned positive values: k=172: 0.1138 ± 0.0087 (normal sample 0.12)
    >>> import matplotlib.pyplot as plt
    >>> plt.close(r.figure)
    """
    x = check_data(data, "data")
    n = x.size
    check_memory("data", 8.0 * 16 * n, "the four-panel tail diagnostic")
    ks_req = _check_ks_at(ks_at)
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title: expected a string or None, got {type(title).__name__}")
    axes = None if ax is None else _check_axes(ax, 4)
    gen = as_generator(rng)
    plt = require("matplotlib.pyplot", "plot", "goodhart.tail_report") if axes is None else None

    x = np.asarray(x, dtype=float)
    peak = float(np.max(np.abs(x)))
    e = math.frexp(peak)[1] if (peak > 2.0**500 or 0 < peak < 2.0**-500) else 0
    y = np.ldexp(x, -e) if e else x  # exact: a power-of-two scale commutes with rounding
    unit = "" if not e else f" (units of 2^{e})"
    mu_y, sd_y = float(y.mean()), float(y.std(ddof=1))
    d = y - mu_y
    pos = d[d > 0]
    if pos.size < 3:
        raise ValueError(f"data: needs at least 3 values above the mean, got {pos.size}")
    if float(np.ptp(pos)) == 0.0:
        raise ValueError(f"data: the {pos.size} values above the mean are all equal: the exponential QQ plot "
                         "and the Hill plot are degenerate")
    mu, sd = math.ldexp(mu_y, e), math.ldexp(sd_y, e)
    (osm, osr), (slope, icpt, r_norm) = stats.probplot(y, dist="norm")
    (eqm, eqr), (eslope, eicpt, r_exp) = stats.probplot(pos, dist="expon")
    exp_slope = math.ldexp(float(eslope), e)
    if not (math.isfinite(sd) and math.isfinite(exp_slope)):
        raise ValueError("data: the spread of the data exceeds the double-precision range (sd or the "
                         "exponential QQ slope overflows)")
    ks = [k for k in ks_req if k <= pos.size - 1]
    ref = gen.normal(0.0, sd_y, size=n)
    ref = ref[ref > 0]
    top = min(ref.size, pos.size)
    ref_path = hill_path(ref, np.arange(1, top)) if top >= 2 else None

    def at(est, lo):
        out = {}
        for k in ks:
            if k >= lo and (est is not pickands or 4 * k <= pos.size):
                try:
                    r = est(pos, k)
                except ValueError:  # ties: undefined at this k
                    continue
                out[k] = (float(r.value), float(r.stderr))
        return out

    hill_at, pickands_at, moment_at = at(hill, 1), at(pickands, 1), at(moment, 2)

    if axes is None:
        # constrained layout is applied when the figure is drawn: nothing is measured here
        fig, axs = plt.subplots(2, 2, figsize=(10, 7.5), layout="constrained")
        axes = list(axs.ravel())
    fig = axes[0].figure
    axes[0].hist(y, bins=80, color="C0", alpha=0.8)
    axes[0].set_xlabel("reward" + unit)
    axes[0].set_ylabel("count")
    axes[0].set_title("histogram")
    for a, (q, v), (sl, ic, r), law, what in (
            (axes[1], (osm, osr), (slope, icpt, r_norm), "normal", "ordered reward"),
            (axes[2], (eqm, eqr), (eslope, eicpt, r_exp), "exponential", "reward - mean (values above the mean)")):
        q_t, v_t = _thin(q, v)
        a.plot(q_t, v_t, ".", ms=2)
        a.plot(q_t, sl * q_t + ic, "r-", lw=1)
        a.set_xlabel(f"{law} quantile")
        a.set_ylabel(what + unit)
        a.set_title(f"{law} QQ (r = {r:.4f})")
    path = hill_plot(pos, ax=axes[3])
    if ref_path is not None:
        axes[3].plot(ref_path.k, ref_path.gamma, lw=1, color="0.5", ls="--", label="normal sample, same n and sd")
        axes[3].legend(fontsize=8)
    body = path.gamma[: max(path.k.size // 4, 1)]
    axes[3].set_ylim(min(0.0, float(body.min()) - 0.05),
                     max(0.6, 1.3 * float(body.max() + path.stderr[: body.size].max())))
    axes[3].set_title("Hill plot of demeaned positive values (±1 SE)")
    if title:
        fig.suptitle(title)

    return TailReport(
        n=n, mean=mu, std=sd, skewness=float(stats.skew(y)), excess_kurtosis=float(stats.kurtosis(y)),
        normal_qq_r=float(r_norm), exp_qq_r=float(r_exp), exp_qq_slope=exp_slope, n_positive=int(pos.size),
        hill_k=path.k, hill_gamma=path.gamma, hill_stderr=path.stderr,
        hill_at=hill_at, pickands_at=pickands_at, moment_at=moment_at,
        normal_reference_hill={} if ref_path is None else
        {k: float(ref_path.gamma[k - 1]) for k in ks if k <= ref_path.k.size},
        figure=fig,
    )
