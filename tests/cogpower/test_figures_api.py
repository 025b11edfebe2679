"""The figure functions a user calls: they return the Figure, draw into a given axes or figure,
and record the plotted numbers, which agree with the closed forms they illustrate."""

from __future__ import annotations

import numpy as np
import pytest

plt = pytest.importorskip("matplotlib.pyplot")

from cogpower import figures  # noqa: E402


def test_draw_into_a_given_axes_or_figure_and_return_it():
    fig, ax = plt.subplots()
    try:
        assert figures.draw_mean_vs_power(rng=0, quick=True, ax=ax) is fig
        assert ax.get_ylabel() == "mean time per subtask" and ax.get_legend() is not None
    finally:
        plt.close(fig)
    fig = plt.figure()
    try:
        assert figures.draw_budget_fraction(rng=0, quick=True, fig=fig) is fig and len(fig.axes) == 1
    finally:
        plt.close(fig)
    fig, ax = plt.subplots()
    other = plt.figure()
    try:
        with pytest.raises(ValueError, match="^ax: "):
            figures.draw_mean_vs_power(rng=0, quick=True, ax=ax, fig=other)
    finally:
        plt.close(fig)
        plt.close(other)
    with pytest.raises(TypeError, match="^record: "):
        figures.draw_mean_vs_power(rng=0, quick=True, record=[])
    with pytest.raises(TypeError, match="^rng: "):
        figures.draw_mean_vs_power(rng="seed", quick=True)


def test_recorded_numbers_agree_with_the_closed_forms():
    record: dict = {}
    plt.close(figures.draw_mean_vs_power(rng=1, quick=True, record=record))
    beta = np.asarray(record["Q"]) * record["alpha"]
    np.testing.assert_allclose(record["closed_form"], beta / (beta - 1), rtol=1e-15)
    # the simulated means lie within 5 standard errors of the Pareto mean beta/(beta - 1)
    b = np.asarray(record["Q_mc"]) * record["alpha"]
    z = (np.asarray(record["mc_mean"]) - b / (b - 1)) / np.asarray(record["mc_stderr"])
    assert np.all(np.abs(z) < 5), z
    record = {}
    plt.close(figures.draw_budget_fraction(rng=1, quick=True, record=record))
    # Q = 4: mean 4/3 < B = 3, and P(S_1 <= 3) = 1 - 3^-4 for one subtask (Pareto(4) on [1, inf))
    first = record["data"]["4.0"]["fraction"][0]
    assert abs(first - (1 - 3.0 ** -4)) < 5 * np.sqrt(3.0 ** -4 / record["tasks"]) + 1.5 / record["tasks"]
    # Q = 1.5: mean = B = 3 with infinite variance; the limit is the stable CDF at 0, 1/beta
    assert abs(record["data"]["1.5"]["limit"] - 2 / 3) < 1e-12
    assert set(record["data"]) == {"0.5", "1.0", "1.5", "2.0", "4.0"}
    assert [k for k, v in record["data"].items() if "limit" in v] == ["1.5"]


def test_registered_figures_keep_the_registry_contract(tmp_path):
    paths = figures.FIGURES["cogpower_mean_vs_power"](tmp_path, np.random.default_rng(0), True)
    assert [p.suffix for p in paths] == [".png", ".json"]
    assert all(fn.__doc__ and "Kwa 2023" in fn.__doc__ and "\n" not in fn.__doc__ for fn in figures.FIGURES.values())
