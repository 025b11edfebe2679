"""Contract tests of powerseek's figure functions (powerseek.figures.draw_*): they refuse bad
arguments with a ValueError/TypeError naming the parameter, before any work (docs/contract.md).
That they return the Figure is tested in tests/powerseek/test_figures_api.py."""

from __future__ import annotations

import pytest
from contract_support import check

FIG = "__import__('powerseek.figures', fromlist=['figures'])"
BAD = [("rng", "'seed'"), ("rng", "-1"), ("quick", "'yes'"), ("quick", "None"), ("ax", "'axes'"), ("ax", "1"),
       ("fig", "object()"), ("record", "[]")]
DRAWS = ["draw_fig1_mdp", "draw_power_vs_gamma", "draw_detour", "draw_grid_heatmap", "draw_orbit_rules",
         "draw_orbit_fig1", "draw_aup", "draw_power_averse", "draw_multiagent"]


@pytest.mark.parametrize("draw", DRAWS)
def test_draw_functions_refuse_bad_arguments_by_name(draw):
    for name, value in BAD:
        out = check(f"{FIG}.{draw}(**{{'quick': True, {name!r}: {value}}})", [name], package="powerseek")
        assert out["status"] == "raised", (draw, name, value)
