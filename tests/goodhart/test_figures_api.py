"""goodhart's figure functions a user calls: they return the Figure, draw into a given axes or
figure, refuse bad arguments by name before any work, and record numbers that agree with the
closed forms they illustrate."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

plt = pytest.importorskip("matplotlib.pyplot")

from goodhart import figures  # noqa: E402


def test_draw_into_a_given_figure_or_axes_and_return_it():
    fig = plt.figure()
    try:
        assert figures.draw_kl_frame(49, fig=fig) is fig and len(fig.axes) == 3
    finally:
        plt.close(fig)
    fig = plt.figure()
    try:
        assert figures.draw_reward_tails("llama", quick=True, fig=fig) is fig and len(fig.axes) == 4
    finally:
        plt.close(fig)
    fig, ax = plt.subplots()
    other = plt.figure()
    try:
        with pytest.raises(ValueError, match="^ax: "):
            figures.draw_dependent(quick=True, ax=ax, fig=other)
        with pytest.raises(TypeError, match="^ax: "):
            figures.draw_dependent(quick=True, ax=fig)
    finally:
        plt.close(fig)
        plt.close(other)
    with pytest.raises(TypeError, match="^record: "):
        figures.draw_kl_tilt(quick=True, record=[])
    with pytest.raises(TypeError, match="^fig: "):
        figures.draw_conditional(quick=True, fig="figure")
    with pytest.raises(TypeError, match="^quick: "):
        figures.draw_kl_summary(quick="yes")
    with pytest.raises(ValueError, match="^frame: "):
        figures.draw_kl_frame(50)
    with pytest.raises(ValueError, match="^which: "):
        figures.draw_reward_tails("starling")
    with pytest.raises(ValueError, match="^rng: "):
        figures.draw_best_of_n(rng=-1, quick=True)


def test_kl_frame_numbers_are_the_student_t_closed_forms():
    """Theorem 1's P_t at t = 100 (Q = t(3), mass m = 100^-0.8 above t): KL = (1-m) log((1-m)/F(t))
    + m log(m/F̄(t)), E[X] = m E[X | X > t] + (1-m) E[X | X <= t] with
    E[X 1{X > t}] = f(t)(3 + t²)/2 and E[X] = 0."""
    record: dict = {}
    plt.close(figures.draw_kl_frame(49, record=record))
    t, Q = 100.0, stats.t(3)
    m = t ** -0.8
    upper = Q.pdf(t) * (3 + t * t) / 2
    mean = m * upper / Q.sf(t) - (1 - m) * upper / Q.cdf(t)
    kl = (1 - m) * math.log((1 - m) / Q.cdf(t)) + m * math.log(m / Q.sf(t))
    assert float(record["t"]) == t and abs(float(record["mass"]) - m) < 1e-15
    assert abs(float(record["mean"]) - mean) < 1e-9 * mean and abs(float(record["kl"]) - kl) < 1e-12


def test_kl_tilt_follows_theorem_4_and_labels_the_direction_of_each_path():
    record: dict = {}
    fig = figures.draw_kl_tilt(quick=True, record=record)
    try:
        light, heavy = record["light"], record["heavy"]
        beta = np.asarray(light["beta"])
        # V, X ~ N(0, 1): E*[V] = 1/beta, KL = (1 + 1)/(2 beta²) = 1/beta²
        np.testing.assert_allclose(light["mean_V"], 1 / beta, rtol=1e-9)
        np.testing.assert_allclose(light["kl"], 1 / beta**2, rtol=1e-8)
        assert np.all(np.diff(beta) < 0) and np.all(np.diff(heavy["t"]) > 0)
        assert np.all(np.diff(heavy["mean_U"]) > 0) and heavy["kl"][-1] < heavy["kl"][0]
        assert np.all(np.abs(heavy["mean_V"][1:]) < 0.1)  # E[V] stays near 0 for heavy error
        texts = [t.get_text() for ax in fig.axes for t in ax.texts]
        assert "β falls" in texts and "t grows" in texts
        assert {f"t = {t:.3g}" for t in heavy["t"]} <= set(texts)
        assert all(ax.get_xlabel() and ax.get_ylabel() for ax in fig.axes)
    finally:
        plt.close(fig)


def test_kl_summary_panels_have_labels_and_a_legend():
    fig = figures.draw_kl_summary(quick=True)
    try:
        small = fig.axes[:8]
        assert small[0].get_legend() is not None and fig.axes[8].get_legend() is not None
        assert all(a.get_ylabel() for a in small[::4]) and all(a.get_xlabel() for a in small[4:])
        assert fig.axes[8].get_xlabel() and fig.axes[8].get_ylabel()
    finally:
        plt.close(fig)


def test_registered_goodhart_figures_cite_their_source_and_unwrap_to_a_draw_function():
    for name, fn in figures.FIGURES.items():
        if not fn.__module__.startswith(("goodhart._figures_selection", "goodhart._figures_kl",
                                         "goodhart._figures_tails", "goodhart._figures_detectability")):
            continue  # figures of other modules keep their own conventions
        assert fn.__doc__ and "Kwa" in fn.__doc__ and "\n" not in fn.__doc__, name
        assert fn.__wrapped__.__name__ in figures.__all__, name
