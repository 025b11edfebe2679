"""cogpower kernels: direct (one uniform per subtask) and naive (all k approaches) numba kernels
against a numpy vectorised baseline, for 1e8 subtasks (1e6 in quick mode), as speed ratios."""

from __future__ import annotations

import numpy as np

try:
    from _harness import Row, best_time, main
except ImportError:  # run from the repository root
    from benchmarks._harness import Row, best_time, main

import cogpower as cp


def _numpy_baseline(n, tasks, beta, rng):
    """Vectorised numpy: blocks of subtasks x tasks uniforms, T = U^(-1/beta), summed."""
    gen = np.random.default_rng(rng)
    s = np.zeros(tasks)
    rows = max(1, (1 << 22) // tasks)
    done = 0
    while done < n:
        b = min(rows, n - done)
        s += ((1.0 - gen.random((b, tasks))) ** (-1.0 / beta)).sum(axis=0)
        done += b
    return s


def run(quick: bool = False) -> list[Row]:
    n, tasks = (1000, 1000) if quick else (10_000, 10_000)  # 1e6 / 1e8 subtasks
    label = f"{n * tasks:.0e} subtasks"
    m = cp.IndependentSteps(alpha=0.5, power=3)  # k = 3, beta = 1.5
    m.simulate(10, 10, rng=0)
    m.simulate(10, 10, rng=0, method="naive")
    base = best_time(lambda: _numpy_baseline(n, tasks, m.beta, 0), repeat=1 if not quick else 3)
    direct = best_time(lambda: m.simulate(n, tasks, rng=0), repeat=1 if not quick else 3)
    naive = best_time(lambda: m.simulate(n, tasks, rng=0, method="naive"), repeat=1 if not quick else 3)
    return [
        Row(f"direct kernel, {label}", direct, "numpy vectorised", base),
        Row(f"naive kernel (k=3), {label}", naive, "numpy vectorised", base),
        Row(f"direct kernel, {label}", direct, "naive kernel", naive),
    ]


if __name__ == "__main__":
    main(run)
