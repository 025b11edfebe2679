"""The contract suite: every public function answers correctly or refuses with a named error,
within the memory budget and a time limit (see ``contract_support``)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import contract_support  # noqa: E402


def pytest_sessionfinish(session, exitstatus):
    contract_support.shutdown()
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # a pytest-xdist worker: the controller adds up the counts
        workeroutput["contract_counts"] = [[p, k, n] for (p, k), n in contract_support.COUNTS.items()]
