"""Figure of goodhart.detectability: how many rollouts reveal a KL-pathological threshold policy.

:func:`draw_detectability` returns the matplotlib Figure; the registered function
``fn(out_dir, rng, quick) -> list[Path]`` (registry ``FIGURES``, merged by goodhart.figures) draws
it and writes the image and its sidecar.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy import stats

from tailpower import _draw
from tailpower._common import save_figure

from .detectability import detectability, detection_asymptote, threshold_policy
from .tails import load_rewards

PAPER = "Kwa, Thomas & Garriga-Alonso, arXiv 2407.14503, Theorems 1 and 3 (Jenner's question)"
GAIN = 1.0
DELTA = 0.05
LAWS = (("Student t, df = 3", stats.t(3), 3.0), ("Pareto, alpha = 2.5", stats.pareto(2.5), 2.5),
        ("lognormal, sigma = 1", stats.lognorm(1.0), None))
QUANTILES = (0.9, 0.99, 0.999, 0.9999)


@_draw.shared_doc
def draw_detectability(quick: bool = False, *, fig=None, record=None):
    """Can a KL-pathological policy be caught? Rollouts needed to see one outlier.

    Left: rollouts an observer needs (to see an outlier with probability 0.95) against the KL
    budget, at gain 1, with the Pareto-tail asymptote (alpha - 1) log(1/KL) log(1/delta)/KL
    (:func:`goodhart.detectability`, :func:`goodhart.detection_asymptote`). Right: the Starling
    reward model's scores as the base law: thresholds at the top 10% .. 0.01% of base
    generations and a policy gaining half a standard deviation of reward there
    (:func:`goodhart.threshold_policy`). The policies are those of Theorems 1 and 3 of Kwa,
    Thomas & Garriga-Alonso (arXiv 2407.14503).

    Parameters
    ----------
    quick : bool
        4 KL budgets from 0.3 to 1e-12 instead of 8.
    {fig}
    {record}

    {returns}

    Raises
    ------
    TypeError
        ``quick``, ``fig`` or ``record`` of the wrong type.
    {missing_plot}

    Examples
    --------
    >>> from goodhart.figures import draw_detectability
    >>> record = {}
    >>> fig = draw_detectability(quick=True, record=record)  # doctest: +SKIP
    >>> record["Student t, df = 3"]["rollouts"][0] < record["Student t, df = 3"]["rollouts"][-1]  # doctest: +SKIP
    True
    >>> draw_detectability(quick=True, record=[])
    Traceback (most recent call last):
    ...
    TypeError: record: expected a dict or None, got list

    (The drawing is skipped here: its quick version takes about 1 s.)
    """
    quick = _draw.check(quick, fig=fig, record=record)
    kls = np.geomspace(0.3, 1e-12, 4 if quick else 8)
    fig = _draw.figure(fig, (12, 4.6), "goodhart figures")
    a, b = fig.subplots(1, 2)
    data: dict = {"source": PAPER, "kl": kls, "gain": GAIN, "delta": DELTA}
    for j, (label, Q, alpha) in enumerate(LAWS):
        res = [detectability(Q, float(k), GAIN, DELTA) for k in kls]
        n = np.array([float(r.rollouts) for r in res])
        a.loglog(kls, n, "o-", ms=3, color=f"C{j}", label=f"{label}: threshold policy")
        if alpha is not None:
            a.loglog(kls, [detection_asymptote(float(k), alpha, DELTA) for k in kls], ls=":", color=f"C{j}",
                     label=f"asymptote ({alpha:g} - 1) log(1/KL) log(1/δ)/KL")
        data[label] = {"rollouts": n, "t": [r.t for r in res], "mass": [r.mass for r in res]}
    a.invert_xaxis()
    a.set_xlabel("KL(P || Q) budget (nats)")
    a.set_ylabel(f"rollouts to see an outlier w.p. {1 - DELTA:g}")
    a.set_title(f"gain E_P[X] - E_Q[X] = {GAIN:g}; normal Q: no policy below KL 0.75", fontsize=9)
    a.legend(fontsize=7)
    width = 0.38
    for j, name in enumerate(("llama", "random")):
        x = load_rewards(name)
        gain = 0.5 * float(x.std())
        rows = [threshold_policy(x, float(np.quantile(x, q)), gain=gain, delta=DELTA) for q in QUANTILES]
        pos = np.arange(len(QUANTILES)) + (j - 0.5) * width
        bars = b.bar(pos, [r.rollouts for r in rows], width, color=f"C{j + 3}",
                     label=f"Starling RM on {'Llama-2 generations' if name == 'llama' else 'random tokens'}")
        for bar, r in zip(bars, rows):
            b.text(bar.get_x() + bar.get_width() / 2, bar.get_height(), f"t={r.t:.2f}\nKL={r.kl:.2f}",
                   ha="center", va="bottom", fontsize=6)
        data[f"starling_{name}"] = {"gain": gain, "t": [r.t for r in rows], "kl": [r.kl for r in rows],
                                      "mass": [r.mass for r in rows], "rollouts": [r.rollouts for r in rows],
                                      "false_alarm": [r.false_alarm for r in rows]}
    b.set_xticks(np.arange(len(QUANTILES)), [f"top {100 * (1 - q):g}%" for q in QUANTILES])
    b.set_xlabel("outlier: a reward above the base policy's quantile")
    b.set_ylabel(f"rollouts to see an outlier w.p. {1 - DELTA:g}")
    b.set_ylim(0, 1.3 * max(b.get_ylim()[1], 1))
    b.set_title("base law = reward-model scores; gain = 0.5 sd of reward", fontsize=9)
    b.legend(fontsize=7, loc="upper left")
    fig.suptitle("Can a KL-pathological policy be caught? Rollouts needed to see one outlier")
    _draw.keep(record, data)
    return fig


def detectability_figure(out_dir, rng, quick: bool) -> list[Path]:
    """Rollouts that reveal a KL-pathological threshold policy (Kwa, Thomas & Garriga-Alonso, Theorems 1 and 3)."""
    record: dict = {}
    return save_figure(draw_detectability(quick, record=record), out_dir, "goodhart_detectability", record)


# the gallery (inspect.unwrap) shows the drawing code of the registered figure
detectability_figure.__wrapped__ = draw_detectability

FIGURES = {"goodhart_detectability": detectability_figure}
