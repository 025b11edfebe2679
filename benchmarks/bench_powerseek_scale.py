"""powerseek at scale: policy iteration against the kept value iteration, in one run.

Every solver row computes V* to the accuracy POWER asks for (eps = 1e-9 / (1 - gamma) on V*, so
the POWER bias is at most 1e-9) on the same iid U(0, 1) reward samples; the ratio is how many
times faster than the baseline timed in the same run. Value iteration's cost grows like
1/(1 - gamma) (2,000 sweeps at gamma = 0.99); policy iteration evaluates each policy exactly (on a
deterministic MDP in O(S) on its functional graph) and needs a handful of improvements at any
gamma. Slow baselines are timed on a subset of the samples and scaled linearly (said in the
note). The last row runs ``ps.power`` on a 300 x 300 gridworld (90,000 states) with 20 samples in
a fresh process and reports its peak resident memory.

    tailpower bench powerseek_scale [--quick]
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import numpy as np

from _harness import Row, best_time, main

import powerseek as ps
import tailpower


def _vi_numpy_loop(T, R, gamma, thresh):
    """POWERplay-style: one reward vector at a time, dense numpy value iteration."""
    out = np.empty_like(R)
    for k in range(R.shape[0]):
        r = R[k]
        v = r.copy()
        while True:
            w = r + gamma * (T @ v).max(axis=1)
            d = np.abs(w - v).max()
            v = w
            if d <= thresh:
                break
        out[k] = v
    return out


def _dense_without_gaps(mdp):
    """(S, A, S) with absent actions copied from the state's first action (same max)."""
    T = mdp.transitions.copy()
    for s in range(mdp.n_states):
        first = np.flatnonzero(mdp.action_mask[s])[0]
        T[s, ~mdp.action_mask[s]] = T[s, first]
    return T


def _solve_time(mdp, R, gamma, method, subset=None):
    eps = 1e-9 / (1 - gamma)
    Rs = R if subset is None else R[:subset]
    t0 = time.perf_counter()
    res = ps.value_iteration(mdp, Rs, gamma, eps=eps, method=method)
    t = time.perf_counter() - t0
    return t * R.shape[0] / Rs.shape[0], res


_RSS_SCRIPT = """
import json, resource, sys, time
import powerseek as ps
t0 = time.perf_counter()
mdp = ps.MDP.gridworld(300, 300)
t1 = time.perf_counter()
out = {"build": t1 - t0, "states": mdp.n_states}
for g in (0.99, 1.0):
    t = time.perf_counter()
    r = ps.power(mdp, g, samples=20, rng=0)
    out[str(g)] = [time.perf_counter() - t, r.method, float(r.value.mean())]
try:  # VmHWM: this process's peak (ru_maxrss would include the parent's peak at fork on Linux)
    with open("/proc/self/status") as fh:
        hwm = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    hwm = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
out["rss_gib"] = hwm / 2**20
print(json.dumps(out))
"""


def run(quick: bool = False) -> list[Row]:
    with tailpower.set_memory_budget("4GiB"):  # 1e5 reward vectors of 400 states: 320 MB each array
        return _run(quick)


def _run(quick: bool) -> list[Row]:
    rows = []
    grid = ps.MDP.gridworld(20, 20)
    K = 2_000 if quick else 100_000
    R = np.random.default_rng(0).random((K, grid.n_states))
    ps.value_iteration(grid, R[:64], 0.9, method="pi")  # compile / load the kernels
    ps.value_iteration(grid, R[:64], 0.9, method="vi")
    auto = {}
    for gamma, sub in ((0.5, None), (0.9, K // 5), (0.99, K // 50)):
        t_vi, vi = _solve_time(grid, R, gamma, "vi", sub)
        t_auto = best_time(lambda: _solve_time(grid, R, gamma, "auto"), repeat=1 if not quick else 2)
        _, res = _solve_time(grid, R[:2000], gamma, "auto")
        auto[gamma] = (t_auto, res.method)
        n = min(vi.values.shape[0], res.values.shape[0])
        err = np.abs(vi.values[:n] - res.values[:n]).max()
        note = (f"auto chose {res.method!r}; max |dV| {err:.1e} <= bounds {vi.bound:.0e} + {res.bound:.0e}"
                + (f"; value iteration timed on {sub} samples, scaled" if sub else ""))
        rows.append(Row(f"20x20 grid, {K:.0e} samples, gamma={gamma}: auto", t_auto, "value iteration", t_vi, note))
    rows.append(Row(f"20x20 grid, {K:.0e} samples: auto at gamma=0.99", auto[0.99][0], "auto at gamma=0.5",
                    auto[0.5][0], "ratio >= 1/3 means the cost at 0.99 is at most 3x the cost at 0.5"))
    T = _dense_without_gaps(grid)
    Kl = 20 if quick else 100
    t0 = time.perf_counter()
    _vi_numpy_loop(T, R[:Kl], 0.99, 1e-9)
    t_loop = (time.perf_counter() - t0) * K / Kl
    rows.append(Row(f"20x20 grid, {K:.0e} samples, gamma=0.99: auto", auto[0.99][0], "POWERplay-style numpy loop",
                    t_loop, f"per-sample dense value iteration timed on {Kl} samples, scaled"))
    # a 1e5-state MDP
    big = ps.MDP.gridworld(316, 316)
    Kb = 4 if quick else 20
    Rb = np.random.default_rng(1).random((Kb, big.n_states))
    t_pi = best_time(lambda: _solve_time(big, Rb, 0.9, "auto"), repeat=1)
    t_vi, _ = _solve_time(big, Rb, 0.9, "vi", 1)
    t_99 = best_time(lambda: _solve_time(big, Rb, 0.99, "auto"), repeat=1)
    rows.append(Row(f"{big.n_states}-state gridworld, {Kb} samples, gamma=0.9: auto", t_pi, "value iteration", t_vi,
                    f"value iteration timed on 1 sample, scaled; at gamma=0.99 auto takes {t_99:.2f} s (value "
                    "iteration, ~2e9 steps per sample, is refused there)"))
    if not quick:
        out = subprocess.run([sys.executable, "-c", _RSS_SCRIPT], capture_output=True, text=True, check=True)
        m = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(Row("300x300 grid (90,000 states): POWER, 20 samples, gamma=0.99", m["0.99"][0],
                        "the same at gamma=1", m["1.0"][0],
                        f"fresh process: build {m['build']:.2f} s, peak RSS {m['rss_gib']:.2f} GiB, methods "
                        f"{m['0.99'][1]}/{m['1.0'][1]}"))
    return rows


if __name__ == "__main__":
    main(run)
