"""Shared harness of the ratio benchmarks.

Speed is reported as a ratio against a baseline timed in the same run (never an absolute time
asserted anywhere). Each ``bench_*.py`` defines ``run(quick: bool) -> list[Row]``; ``tailpower
bench`` (or ``make bench``) runs them all, and each file also runs on its own with python.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Row:
    case: str          # what was measured, e.g. "direct kernel, 1e8 subtasks"
    seconds: float     # best wall time of the candidate
    baseline: str      # name of the baseline timed in the same run
    base_seconds: float
    note: str = ""

    @property
    def ratio(self) -> float:
        """How many times faster than the baseline (> 1 is faster)."""
        return self.base_seconds / self.seconds

    def format(self) -> str:
        s = f"{self.case:48s} {self.seconds:9.4f} s   {self.ratio:8.2f}x vs {self.baseline} ({self.base_seconds:.4f} s)"
        return s + (f"  [{self.note}]" if self.note else "")


def best_time(fn: Callable[[], object], repeat: int = 3) -> float:
    """Best wall time of ``repeat`` calls of ``fn`` (call it once before to exclude compilation)."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main(run: Callable[[bool], list[Row]]) -> None:
    import sys

    for row in run("--quick" in sys.argv):
        print(row.format())
