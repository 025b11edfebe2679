"""Every claim of the goodhart selection ledger (proofs/goodhart.py) passes its checks."""

import pytest

from proofs.goodhart import CLAIMS
from proofs.ledger import evaluate


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_claim(claim):
    res = evaluate(claim)
    assert res.failed is False, (res.symbolic, res.numeric, res.errors)
