"""The ledger rows answering open questions (proofs/open_questions.py) run and none fails; the
asymptote of goodhart.detectability is checked there (SymPy limit and the numbers)."""

import pytest

from proofs.ledger import all_claims, evaluate

CLAIMS = all_claims(["open_questions"])


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_claim(claim):
    res = evaluate(claim)
    assert res.failed is False, (res.errors, res.symbolic, res.numeric)
