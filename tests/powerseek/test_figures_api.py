"""powerseek's figure functions a user calls: they return the Figure, draw into a given axes (one
panel) or figure, refuse bad arguments by name, and record numbers that agree with the closed
forms of Turner et al. 2021 ("Optimal Policies Tend to Seek Power", Fig. 3)."""

from __future__ import annotations

import json

import numpy as np
import pytest

plt = pytest.importorskip("matplotlib.pyplot")

from powerseek import figures  # noqa: E402


def test_draw_into_a_given_axes_or_figure_and_return_it():
    fig, ax = plt.subplots()
    try:
        assert figures.draw_power_vs_gamma(rng=0, quick=True, ax=ax) is fig
        texts = [t.get_text() for t in ax.get_legend().get_texts()]
        # the legend names the closed-form lines, not only the Monte Carlo points
        assert "closed form, l_sw, l: (2/3 + γ/2)/(1 + γ)" in texts and "closed form, empty: 1/2" in texts
    finally:
        plt.close(fig)
    fig = plt.figure()
    try:
        assert figures.draw_grid_heatmap(rng=0, quick=True, fig=fig) is fig
        assert len([a for a in fig.axes if a.get_images()]) == 2  # two panels (and their colour bars)
    finally:
        plt.close(fig)
    fig, ax = plt.subplots()
    other = plt.figure()
    try:
        with pytest.raises(ValueError, match="^ax: "):
            figures.draw_power_vs_gamma(rng=0, quick=True, ax=ax, fig=other)
        with pytest.raises(TypeError, match="^ax: "):  # two panels cannot go into one axes
            figures.draw_detour(rng=0, quick=True, ax=ax)
    finally:
        plt.close(fig)
        plt.close(other)
    with pytest.raises(TypeError, match="^record: "):
        figures.draw_power_vs_gamma(rng=0, quick=True, record=[])
    with pytest.raises(TypeError, match="^rng: "):
        figures.draw_grid_heatmap(rng="seed", quick=True)
    with pytest.raises(TypeError, match="^quick: "):
        figures.draw_fig1_mdp(rng=0, quick="yes")


def test_recorded_numbers_agree_with_the_closed_forms():
    record: dict = {}
    plt.close(figures.draw_power_vs_gamma(rng=1, quick=True, record=record))
    g = np.asarray(record["gammas"])
    closed = {"empty": np.full_like(g, 0.5), "l_sw": (2 / 3 + g / 2) / (1 + g), "l_nw": (0.5 + 2 * g / 3) / (1 + g),
              "r_se": np.full_like(g, 2 / 3)}
    for s, exact in closed.items():
        z = (np.asarray(record["power"][s]) - exact) / np.maximum(np.asarray(record["stderr"][s]), 1e-12)
        assert np.all(np.abs(z) < 5), (s, z)
    assert record["source"].startswith("Turner, Smith, Shah, Critch & Tadepalli")


def test_grid_heatmap_titles_match_its_data():
    record: dict = {}
    fig = figures.draw_grid_heatmap(rng=2, quick=True, record=record)
    try:
        n, mid = record["n"], record["n"] // 2
        for gm, ax in zip(("0.5", "0.9"), [a for a in fig.axes if a.get_images()]):
            grid = np.asarray(record["power"][gm])
            door = grid[mid, mid]
            below = int(np.sum(grid[~np.isnan(grid)] < door))
            assert record["below_door"][gm] == below
            assert f"{below} of the other {record['cells'] - 1} cells have less POWER than the door" in ax.get_title()
        corners = [(r, c) for r in (0, n - 1) for c in (0, mid - 1, mid + 1, n - 1)]
        grid = np.asarray(record["power"]["0.9"])
        least = max(grid[c] for c in corners) < min(grid[r, c] for r in range(n) for c in range(n)
                                                    if (r, c) not in corners and not np.isnan(grid[r, c]))
        assert record["corners_least"]["0.9"] == least
        assert ("corners have the least POWER" in fig._suptitle.get_text()) == all(record["corners_least"].values())
    finally:
        plt.close(fig)


def test_registered_figures_keep_the_registry_contract_and_cite_their_source(tmp_path):
    paths = figures.FIGURES["powerseek_grid_heatmap"](tmp_path, np.random.default_rng(0), True)
    assert [p.suffix for p in paths] == [".png", ".json"]
    side = json.loads(paths[1].read_text())
    assert side["source"].startswith("Turner, Smith, Shah, Critch & Tadepalli") and "seed" in side
    assert side["code"] == "powerseek.figures:grid_heatmap"
    assert all(fn.__doc__ and "Turner" in fn.__doc__ and "\n" not in fn.__doc__ for fn in figures.FIGURES.values()
               if fn.__module__.startswith("powerseek._figures") or fn.__module__ == "powerseek.figures")
    for name in figures.__all__:
        if name.startswith("draw_"):
            assert getattr(figures.FIGURES[f"powerseek_{name[5:]}"], "__wrapped__", None) is getattr(figures, name)
