"""cogpower kernels: direct (one uniform per subtask) and naive (all k approaches) numba kernels
against a numpy vectorised baseline (single-threaded, as numpy is), at 1 thread and at 2 threads,
for 1e8 subtasks (1e6 in quick mode), as speed ratios; plus the direct kernel against the previous
design (one scalar xoshiro256+ stream, libm log and exp per draw), kept here as a reference.
Each row's note says which path ran: the SIMD extension LLVM compiled for and whether SVML is used.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba import njit

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


@njit(cache=False)
def _scalar_libm(n, tasks, beta, out):
    """The previous kernel's inner loop on one thread: a serial xoshiro256+ stream and
    exp(-log(U)/beta) from libm for every draw, summed in order."""
    s0, s1, s2, s3 = np.uint64(1), np.uint64(2), np.uint64(3), np.uint64(4)
    inv = 1.0 / beta
    for t in range(tasks):
        s = 0.0
        for _ in range(n):
            r = s0 + s3
            x = s1 << np.uint64(17)
            s2 ^= s0
            s3 ^= s1
            s1 ^= s2
            s0 ^= s3
            s2 ^= x
            s3 = (s3 << np.uint64(45)) | (s3 >> np.uint64(19))
            s += math.exp(-inv * math.log((float(r >> np.uint64(11)) + 1.0) * 2.0**-53))
        out[t] = s


def path() -> str:
    """The SIMD extension LLVM targets on this host (the widest of AVX-512, AVX2, AVX, SSE2, NEON)."""
    import llvmlite.binding as ll

    feats = ll.get_host_cpu_features()
    simd = next((f for f in ("avx512f", "avx2", "avx", "sse2", "neon") if feats.get(f)), "scalar")
    svml = "SVML" if numba.config.USING_SVML else "no SVML"
    return f"{ll.get_host_cpu_name()}, {simd}, own log2/exp2, {svml}"


def _timed(fn, threads: int, repeat: int) -> float:
    old = numba.get_num_threads()
    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    try:
        return best_time(fn, repeat=repeat)
    finally:
        numba.set_num_threads(old)


def run(quick: bool = False) -> list[Row]:
    n, tasks = (1000, 1000) if quick else (10_000, 10_000)  # 1e6 / 1e8 subtasks
    repeat = 3 if quick else 1
    label = f"{n * tasks:.0e} subtasks"
    m = cp.IndependentSteps(alpha=0.5, power=3)  # k = 3, beta = 1.5
    m.simulate(10, 10, rng=0)
    m.simulate(10, 10, rng=0, method="naive")
    _scalar_libm(2, 2, m.beta, np.empty(2))
    base = best_time(lambda: _numpy_baseline(n, tasks, m.beta, 0), repeat=repeat)
    where = path()
    rows = []
    for threads in (1, 2):
        note = f"{where}, {min(threads, numba.config.NUMBA_NUM_THREADS)} thread(s)"
        direct = _timed(lambda: m.simulate(n, tasks, rng=0), threads, repeat)
        naive = _timed(lambda: m.simulate(n, tasks, rng=0, method="naive"), threads, repeat)
        rows.append(Row(f"direct kernel, {threads} thread(s), {label}", direct, "numpy vectorised", base, note))
        rows.append(Row(f"naive kernel (k=3), {threads} thread(s), {label}", naive, "numpy vectorised", base, note))
        if threads == 1:
            old = best_time(lambda: _scalar_libm(n, tasks, m.beta, np.empty(tasks)), repeat=repeat)
            rows.append(Row(f"direct kernel, 1 thread, {label}", direct, "scalar libm kernel", old, note))
    return rows


if __name__ == "__main__":
    main(run)
