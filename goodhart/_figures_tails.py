"""Figures of the reward-model tails (Kwa, Thomas & Garriga-Alonso, arXiv 2407.14503, §6): the
four-panel diagnostic of the two Starling-RM-7B-alpha reward arrays the paper published.

:func:`draw_reward_tails` returns the matplotlib Figure; the registered functions
``fn(out_dir, rng, quick) -> list[Path]`` (registry ``FIGURES``, merged by goodhart.figures) draw
it and write the image and its sidecar.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy import stats

from tailpower import _draw
from tailpower._common import RNGLike, save_figure

from .tails import load_rewards, tail_report

PAPER = "Kwa, Thomas & Garriga-Alonso, arXiv 2407.14503"

TAILS = {
    "random": ("Starling-RM-7B-alpha, 30,000 random token sequences",
               "Hill estimate appears to be 0.20 for higher values"),
    "llama": ("Starling-RM-7B-alpha, 16,000 Llama-2-7b-chat generations", "approximately normal"),
}


@_draw.shared_doc
def draw_reward_tails(which: str = "random", rng: RNGLike = 0, quick: bool = False, *, fig=None, record=None):
    """The four-panel tail diagnostic (:func:`goodhart.tail_report`) of the Starling-RM-7B-alpha
    rewards of Kwa, Thomas & Garriga-Alonso (arXiv 2407.14503, §6): histogram, normal QQ,
    exponential QQ of the values above the mean, and the Hill plot next to a normal sample's.

    The subtitle gives what the numbers show: the skewness and D'Agostino & Pearson's (1973)
    normality test, and how often values lie beyond the mean plus 2 and 3 standard deviations
    compared with a normal law (a light upper tail has fewer).

    Parameters
    ----------
    which : {"random", "llama"}
        Rewards of random token sequences (30,000) or of Llama-2-7b-chat generations (16,000).
    rng : numpy.random.Generator, int, SeedSequence or None
        Randomness of the normal reference sample.
    quick : bool
        The first 4,000 rewards only.
    {fig}
    {record}

    {returns}

    Raises
    ------
    TypeError
        ``which`` not a string; ``rng``, ``quick``, ``fig`` or ``record`` of the wrong type.
    ValueError
        ``which`` unknown; ``rng`` a negative seed.
    {missing_plot}

    Examples
    --------
    The Llama-2 rewards are left-skewed, so not normal, and their upper tail is lighter than a
    normal law's:

    >>> from goodhart.figures import draw_reward_tails
    >>> record = {}
    >>> fig = draw_reward_tails("llama", record=record)
    >>> round(record["skewness"], 2), record["normality_test"]["pvalue"] < 1e-100
    (-0.57, True)
    >>> record["beyond_mean_plus_2sd"], record["normal_beyond_2sd"]
    (0.008875, 0.02275)
    >>> import matplotlib.pyplot as plt
    >>> plt.close(fig)
    """
    quick = _draw.check(quick, fig=fig, record=record)
    if not isinstance(which, str):
        raise TypeError(f"which: expected one of {sorted(TAILS)}, got {type(which).__name__}")
    if which not in TAILS:
        raise ValueError(f"which: must be one of {sorted(TAILS)}, got {which!r}")
    title, stated = TAILS[which]
    data = load_rewards(which)
    if quick:
        data = data[:4000]
    axes = None if fig is None else list(fig.subplots(2, 2).ravel())
    rep = tail_report(data, title=title, rng=rng, ax=axes)
    z = (data - rep.mean) / rep.std
    beyond = {c: float(np.mean(z > c)) for c in (2, 3)}
    normal = {c: round(float(stats.norm.sf(c)), 5) for c in (2, 3)}
    test = stats.normaltest(data)
    p_text = f"p = {test.pvalue:.1e}" if test.pvalue >= 1e-300 else "p < 1e-300"  # 0 when it underflows
    rep.figure.suptitle(
        f"{title}{' (first 4,000)' if quick else ''}\nskewness {rep.skewness:.2f}, normality test {p_text}; "
        f"above mean + 2 sd: {100 * beyond[2]:.2f}% (normal {100 * normal[2]:.2f}%), "
        f"+ 3 sd: {100 * beyond[3]:.3f}% (normal {100 * normal[3]:.3f}%)", fontsize=10)
    _draw.keep(record, {
        "source": f"{PAPER}, §6 (reward-model tails)",
        "parameters": {"data": which, "n": rep.n, "quick": quick},
        "mean": rep.mean, "std": rep.std, "skewness": rep.skewness, "excess_kurtosis": rep.excess_kurtosis,
        "normality_test": {"name": "D'Agostino-Pearson K^2", "statistic": float(test.statistic),
                           "pvalue": float(test.pvalue)},
        "beyond_mean_plus_2sd": beyond[2], "beyond_mean_plus_3sd": beyond[3],
        "normal_beyond_2sd": normal[2], "normal_beyond_3sd": normal[3],
        "normal_qq_r": rep.normal_qq_r, "exp_qq_r": rep.exp_qq_r, "n_positive": rep.n_positive,
        "hill_at": rep.hill_at, "pickands_at": rep.pickands_at, "moment_at": rep.moment_at,
        "normal_reference_hill": rep.normal_reference_hill,
        "hill_k": rep.hill_k, "hill_gamma": rep.hill_gamma, "hill_stderr": rep.hill_stderr,
        "stated": stated,
    })
    return rep.figure


def tails_random(out_dir, rng, quick: bool) -> list[Path]:
    """Tail diagnostic of Starling-RM rewards of random token sequences (Kwa, Thomas & Garriga-Alonso §6: Hill about 0.20)."""
    record: dict = {}
    return save_figure(draw_reward_tails("random", rng, quick, record=record), out_dir, "goodhart_tails_random", record)


def tails_llama(out_dir, rng, quick: bool) -> list[Path]:
    """Tail diagnostic of Starling-RM rewards of Llama-2-7b-chat generations (Kwa, Thomas & Garriga-Alonso §6)."""
    record: dict = {}
    return save_figure(draw_reward_tails("llama", rng, quick, record=record), out_dir, "goodhart_tails_llama", record)


# the gallery (inspect.unwrap) shows the drawing code of each registered figure
tails_random.__wrapped__ = draw_reward_tails
tails_llama.__wrapped__ = draw_reward_tails

FIGURES = {
    "goodhart_tails_random": tails_random,
    "goodhart_tails_llama": tails_llama,
}
