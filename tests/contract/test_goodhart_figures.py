"""Contract tests of goodhart's figure functions (goodhart.figures.draw_*): bad arguments are
refused with a ValueError/TypeError naming the parameter, before any work (docs/contract.md).
That they return the Figure is tested in tests/goodhart/test_figures_api.py."""

from __future__ import annotations

import pytest
from contract_support import check

FIG = "__import__('goodhart.figures', fromlist=['figures'])"
COMMON = [("quick", "'yes'"), ("quick", "None"), ("fig", "object()"), ("fig", "1"), ("record", "[]")]
DRAWS = {
    "draw_conditional": COMMON,
    "draw_dependent": COMMON + [("ax", "'axes'"), ("ax", "1")],
    "draw_best_of_n": COMMON + [("rng", "'seed'"), ("rng", "-1")],
    "draw_kl_summary": COMMON,
    "draw_kl_exponent1": COMMON,
    "draw_kl_tilt": COMMON,
    "draw_reward_tails": COMMON + [("rng", "'seed'"), ("rng", "-1"), ("which", "'starling'"), ("which", "3")],
    "draw_detectability": COMMON,
    "draw_kl_frame": [("frame", "50"), ("frame", "-1"), ("frame", "2.5"), ("frame", "'last'"),
                      ("fig", "object()"), ("record", "[]")],
}


@pytest.mark.parametrize("draw", sorted(DRAWS))
def test_draw_functions_refuse_bad_arguments_by_name(draw):
    for name, value in DRAWS[draw]:
        base = "" if draw == "draw_kl_frame" or name == "quick" else "'quick': True, "
        out = check(f"{FIG}.{draw}(**{{{base}{name!r}: {value}}})", [name], package="goodhart")
        assert out["status"] == "raised", (draw, name, value)
