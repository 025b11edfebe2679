"""Every powerseek_orbits ledger row runs and none fails (symbolic and numeric checks)."""

import pytest

from proofs.ledger import all_claims, evaluate

CLAIMS = all_claims(["powerseek_orbits"])


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_claim(claim):
    res = evaluate(claim)
    assert res.failed is False, (res.errors, res.symbolic, res.numeric)
