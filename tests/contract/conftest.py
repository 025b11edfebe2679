"""The contract suite: every public function answers correctly or refuses with a named error,
within the memory budget and a time limit (see ``contract_support``)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import contract_support  # noqa: E402


def pytest_sessionfinish(session, exitstatus):
    contract_support.shutdown()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    counts = contract_support.COUNTS
    if not counts:
        return
    pkgs = sorted({p for p, _ in counts})
    parts = [f"{p}: {counts[(p, 'calls')]} calls, {counts[(p, 'violations')]} violations" for p in pkgs]
    terminalreporter.write_line("contract suite -- " + "; ".join(parts))
