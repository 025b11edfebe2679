"""Contract tests of cogpower's figure functions (cogpower.figures.draw_*): they return a Figure or
refuse bad arguments with a ValueError/TypeError naming the parameter, before any work
(docs/contract.md). That they return the Figure is tested in tests/cogpower/test_figures_api.py."""

from __future__ import annotations

import pytest
from contract_support import check

FIG = "__import__('cogpower.figures', fromlist=['figures'])"
BAD = [("rng", "'seed'"), ("rng", "-1"), ("quick", "'yes'"), ("quick", "None"), ("ax", "'axes'"), ("ax", "1"),
       ("fig", "object()"), ("record", "[]")]


@pytest.mark.parametrize("draw", ["draw_mean_vs_power", "draw_budget_fraction", "draw_median_vs_n"])
def test_draw_functions_refuse_bad_arguments_by_name(draw):
    for name, value in BAD:
        out = check(f"{FIG}.{draw}(**{{'quick': True, {name!r}: {value}}})", [name], package="cogpower")
        assert out["status"] == "raised", (draw, name, value)

