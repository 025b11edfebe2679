"""Every registered figure renders in quick mode into a PNG and a strict-JSON sidecar."""

from __future__ import annotations

import json

import pytest

from tailpower.cli import figure_registry, figure_rng, main

REGISTRY = figure_registry()


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_figure_quick_writes_png_and_json(name, tmp_path):
    """Every registered figure of every package draws in quick mode (the one place figures are drawn
    whole in the suite): PNGs with their sidecars, standard JSON naming the figure."""
    paths = REGISTRY[name](tmp_path, figure_rng(0, name), True)
    pngs = [p for p in paths if p.suffix == ".png"]
    sidecars = [p for p in paths if p.suffix == ".json"]
    assert pngs and len(pngs) == len(sidecars), paths
    for png in pngs:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert png.stat().st_size > 10_000  # a drawn figure, not an empty canvas
        assert png.with_suffix(".json") in sidecars
    for js in sidecars:
        data = json.loads(js.read_text(), parse_constant=lambda c: pytest.fail(f"{js}: non-standard {c}"))
        assert data["figure"] == js.stem


def test_cli_figures_by_package_prefix(tmp_path, capsys):
    names = [n for n in REGISTRY if n.startswith("cogpower_")]
    if not names:
        pytest.skip("cogpower has no figures registered")
    assert main(["figures", names[0], "--quick", "--out", str(tmp_path)]) == 0
    assert names[0] in capsys.readouterr().out
    assert (tmp_path / f"{names[0]}.png").exists() or any(tmp_path.glob(f"{names[0]}*.png"))


def test_save_figure_never_overwrites_a_file_that_is_not_its_own(tmp_path):
    import matplotlib.pyplot as plt

    from tailpower._common import save_figure

    (tmp_path / "fig_x.png").write_text("a user's notes")
    with pytest.raises(ValueError, match="^out_dir:"):
        save_figure(plt.figure(), tmp_path, "fig_x", {"seed": 0})
    assert (tmp_path / "fig_x.png").read_text() == "a user's notes"
    (tmp_path / "fig_y.json").write_text('{"figure": "another"}')
    with pytest.raises(ValueError, match="^out_dir:"):
        save_figure(plt.figure(), tmp_path, "fig_y", {"seed": 0})
    assert (tmp_path / "fig_y.json").read_text() == '{"figure": "another"}'
    # its own output is replaced (atomically: no temporary file is left behind)
    save_figure(plt.figure(), tmp_path, "fig_z", {"seed": 0})
    save_figure(plt.figure(), tmp_path, "fig_z", {"seed": 1})
    assert json.loads((tmp_path / "fig_z.json").read_text())["seed"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fig_x.png", "fig_y.json", "fig_z.json", "fig_z.png"]
