"""Every powerseek figure renders in quick mode (PNG + JSON sidecar)."""

import json

import pytest

from powerseek.figures import FIGURES


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_figure_quick(name, tmp_path):
    paths = FIGURES[name](tmp_path, 0, True)
    assert {p.suffix for p in paths} == {".png", ".json"}
    side = json.loads(paths[1].read_text())
    assert side["figure"] == name and paths[0].stat().st_size > 10_000
