"""The sampling kernels (cogpower._kernels, cogpower._pareto) against independent computations: a
plain numpy implementation of the same 16-lane generator (bit for bit), numpy's own power function,
mpmath at 40 digits for the vectorised -log2/exp2 arithmetic, the Pareto law (KS), and the closed
form of the mean. (Thread-count and work-cutting invariance are in test_cogpower.py.)"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
from scipy import stats

import cogpower as cp
from cogpower import _kernels, _pareto
from tailpower._common import chunk_seeds

M64 = (1 << 64) - 1
LANES = _kernels.LANES


def reference_words(seed: int) -> np.ndarray:
    """Word-major lane states (4, LANES): lane l's words are splitmix64 outputs 4l .. 4l + 3."""
    x, outs = seed, []
    for _ in range(4 * LANES):
        x = (x + 0x9E3779B97F4A7C15) & M64
        z = x
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        outs.append(z ^ (z >> 31))
    return np.array(outs, dtype=np.uint64).reshape(LANES, 4).T.copy()


def reference_draws(seed: int, count: int, k: int = 1) -> np.ndarray:
    """The 53-bit integers of a chunk's first ``count`` subtasks: subtask s takes the largest of the
    next k xoshiro256+ outputs of lane s mod LANES (Blackman & Vigna's algorithm in numpy)."""
    s0, s1, s2, s3 = (w.copy() for w in reference_words(seed))
    out = []
    for _ in range(-(-count // LANES)):
        best = np.zeros(LANES, dtype=np.uint64)
        for _ in range(k):
            best = np.maximum(best, (s0 + s3) >> np.uint64(11))
            t = s1 << np.uint64(17)
            s2 ^= s0
            s3 ^= s1
            s1 ^= s2
            s0 ^= s3
            s2 ^= t
            s3 = (s3 << np.uint64(45)) | (s3 >> np.uint64(19))
        out.append(best)
    return np.concatenate(out)[:count]


def reference_sums(n: int, tasks: int, beta: float, seed: int, k: int = 1) -> np.ndarray:
    """S_n of every task from the reference draws and numpy's pow, T = U^(-1/beta)."""
    seeds = chunk_seeds(seed, _kernels.n_chunks(tasks))
    sums = []
    for c, sd in enumerate(seeds):
        m = min(_kernels.CHUNK, tasks - c * _kernels.CHUNK)
        u = (reference_draws(int(sd), m * n, k).astype(float) + 1.0) * 2.0**-53
        sums.append((u ** (-1.0 / beta)).reshape(m, n).sum(axis=1))
    return np.concatenate(sums)


@pytest.mark.parametrize("nb, k", [(16, 1), (100, 1), (37, 3)])
def test_generator_is_the_numpy_reference_bit_for_bit(nb, k):
    seed = 0x1234_5678_9ABC_DEF
    state, _, _ = _kernels.new_state(np.array([seed], dtype=np.int64))
    np.testing.assert_array_equal(state[0].reshape(4, LANES), reference_words(seed))
    buf = np.empty(nb, dtype=np.uint64)
    _kernels.fill(buf, nb, k, state[0])
    np.testing.assert_array_equal(buf, reference_draws(seed, nb, k))


def test_last_partial_turn_steps_only_the_lanes_it_uses():
    """At a chunk's end (nb not a multiple of LANES) the unused lanes are not stepped, so a huge k
    costs k draws per subtask, not LANES k."""
    state, _, _ = _kernels.new_state(np.array([7], dtype=np.int64))
    st = state[0].copy()
    _kernels.fill(np.empty(5, dtype=np.uint64), 5, 1000, st)
    words, before = st.reshape(4, LANES), state[0].reshape(4, LANES)
    assert np.all(words[:, :5] != before[:, :5])
    np.testing.assert_array_equal(words[:, 5:], before[:, 5:])


@pytest.mark.parametrize("method, beta", [("direct", 1.3), ("direct", 0.4), ("naive", 0.7)])
def test_simulate_is_the_reference_stream(method, beta):
    """The whole pipeline (seeds, chunks, lanes, blocks, the transform, the four sums) against numpy
    on 2 chunks (the second partial) and n not a multiple of 16 (turns cross task boundaries)."""
    n, tasks, seed = 23, 300, 17
    k = 3 if method == "naive" else 1  # naive: k = 3 approaches of survival exponent beta each
    m = cp.IndependentSteps(alpha=beta, power=k)
    x = m.simulate(n, tasks, rng=seed, method=method)
    ref = reference_sums(n, tasks, beta if k > 1 else m.beta, seed, k)
    # per draw the transform is within (4 + 4 log2 T) 2^-53 (test below) and pow within a few ulp
    # of the same exponent; log2 T <= 53/beta; sums of n positive terms in another order: n 2^-53
    np.testing.assert_allclose(x, ref, rtol=(6 + 6 * 53 / beta + 2 * n) * 2.0**-53, atol=0)


def _transform(v: np.ndarray, beta: float) -> np.ndarray:
    out = np.empty(v.size)
    _pareto.pareto_block(v, out, v.size, min(1.0 / beta, 1.7e308))
    return out


def test_transform_against_mpmath():
    """|T / U^(-1/beta) - 1| <= (4 + 4 w) 2^-53, w = log2 T, against 40-digit mpmath with the exact
    beta (so the rounding of 1/beta is included): 1200 integers v spread over all 53 binades, the
    ends of the grid and both sides of the sqrt(2) split, at 8 exponents (up to w near 1024)."""
    mp.mp.dps = 40
    rng = np.random.default_rng(5)
    v = rng.integers(0, 2**53, 1200, dtype=np.uint64) >> rng.integers(0, 53, 1200).astype(np.uint64)
    split = int(math.sqrt(2) * 2**52)  # v + 1 just below / above sqrt(2) 2^52
    v = np.concatenate([v, np.array([0, 1, 2, 3, 2**52 - 2, 2**52 - 1, 2**52, split - 2, split - 1,
                                     split, 2**53 - 2, 2**53 - 1], dtype=np.uint64)])
    largest = mp.mpf(np.finfo(float).max)
    for beta in (53 / 1023.9, 0.1, 0.7, 1.0, 1.5, 3.0, 40.0, 1e6):
        t = _transform(v, beta)
        for vi, ti in zip(v.tolist(), t.tolist()):
            w = -mp.log((mp.mpf(vi) + 1) / mp.mpf(2) ** 53, 2) / mp.mpf(beta)
            ref = mp.power(2, w)
            assert ref <= largest and math.isfinite(ti)
            assert abs(mp.mpf(ti) / ref - 1) <= (4 + 4 * w) * mp.mpf(2) ** -53, (vi, beta, ti, ref)
    assert _transform(np.array([2**53 - 1, 0], dtype=np.uint64), 1.0).tolist() == [1.0, 2.0**53]


def test_transform_overflows_exactly_past_the_largest_double():
    v = np.array([0, 0], dtype=np.uint64)  # U = 2^-53, T = 2^(53/beta)
    below, above = 53 / 1023.999, 53 / 1024.001
    t = _transform(v[:1], below)[0]
    assert math.isfinite(t) and t == pytest.approx(2.0 ** 1023.999, rel=1e-12)  # 1/beta rounded twice
    assert _transform(v[:1], above)[0] == math.inf
    assert _transform(v[:1], 1e-300)[0] == math.inf  # inv clipped to 1.7e308: no NaN
    assert _transform(np.array([2**53 - 1], dtype=np.uint64), 1e-300)[0] == 1.0  # U = 1: T = 1


@pytest.mark.parametrize("method, alpha, power", [("direct", 0.6, 1.0), ("direct", 2.5, 1.0),
                                                  ("naive", 0.5, 3)])
def test_single_subtask_draws_follow_the_pareto_law(method, alpha, power):
    """KS of 100,000 draws of T (n = 1) against P(T > t) = t^-beta; a 3% error in beta is detected."""
    m = cp.IndependentSteps(alpha=alpha, power=power)
    x = m.simulate(1, 100_000, rng=3, method=method)
    assert stats.kstest(x, stats.pareto(m.beta).cdf).pvalue > 1e-4
    assert stats.kstest(x, stats.pareto(1.03 * m.beta).cdf).pvalue < 1e-4


@pytest.mark.parametrize("method", ["direct", "naive"])
def test_mean_of_s_n_matches_the_closed_form(method):
    """beta = 3: E[S_n/n] = beta/(beta - 1) = 1.5, Var T = beta/((beta - 1)^2 (beta - 2)) = 0.75;
    the mean of 40,000 values of S_50/50 is within 5 standard errors (3.1e-4 each)."""
    m = cp.IndependentSteps(alpha=1.0, power=3)
    x = m.simulate(50, 40_000, rng=8, method=method) / 50
    se = math.sqrt(0.75 / 50 / 40_000)
    assert abs(x.mean() - 1.5) < 5 * se


def test_state_memory_is_accounted():
    tasks = 10_000
    arrays = _kernels.new_state(chunk_seeds(0, _kernels.n_chunks(tasks)))
    assert sum(a.nbytes for a in arrays) <= _kernels.state_bytes(tasks)


def test_a_forked_child_gets_its_own_worker_threads(monkeypatch):
    """A thread pool inherited through fork() has no threads in the child: submitting to it would
    hang. Pools are kept per process id, so a child (another pid) starts its own."""
    parent = _kernels._pool(2)
    assert _kernels._pool(2) is parent
    monkeypatch.setattr(_kernels.os, "getpid", lambda: -12345)
    child = _kernels._pool(2)
    assert child is not parent
    assert child.submit(lambda: 7).result(timeout=30) == 7
