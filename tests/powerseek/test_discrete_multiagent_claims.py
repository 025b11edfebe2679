"""The POWERplay ledger rows (proofs/powerseek_multiagent.py) run and none fails. They solve the
81-state joint gridworld for 2 x 8000 reward samples (3 s idle, up to 15 s on a loaded machine), so they run with
TAILPOWER_SLOW_TESTS=1 (and in ``tailpower claims``); the symbolic row runs always."""

import os

import pytest

from proofs.ledger import all_claims, evaluate

CLAIMS = all_claims(["powerseek_multiagent"])
slow = pytest.mark.skipif(not os.environ.get("TAILPOWER_SLOW_TESTS"),
                          reason="2 x 8000 multi-agent samples (3-15 s); set TAILPOWER_SLOW_TESTS=1")


def test_symbolic_rows():
    for claim in CLAIMS:
        if claim.symbolic is not None:
            assert claim.symbolic().ok, claim.id


@pytest.mark.slow
@slow
@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_claim(claim):
    res = evaluate(claim)
    assert res.failed is False, (res.errors, res.symbolic, res.numeric)
