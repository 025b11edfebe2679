"""AUP agents (Turner, Hadfield-Menell & Tadepalli 2020): the agent's MDP, whose reward R(s) -
penalty(s, a) depends on the action, solved by policy iteration (exact evaluation of each policy,
greedy improvement: a handful of steps at any gamma) against the value iteration it replaced
(~1/(1 - gamma) sweeps), in one run.

Each row is a whole ``ps.aup_action_frequencies`` call on a figure configuration (Fig. 1 MDP with a
no-op at 'star', the Pac-Man shutdown grid at '0,0'; the figure's 10 penalty weights, 5 auxiliary
rewards, the same seed): the auxiliary values and the successors' POWER (400 samples) are common
to both, so the ratio understates the solver's own speed-up. The note says whether both chose the
same actions for every sample and lam.

    tailpower bench powerseek_aup [--quick]
"""

from __future__ import annotations

import time

import numpy as np

from _harness import Row, best_time, main

import powerseek as ps
from powerseek import aup
from powerseek._figures_aup import fig1_with_noop

LAMS = np.array([0, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20.0])


def _call(mdp, state, gamma, samples, solver):
    aup._SOLVER = solver
    try:
        return ps.aup_action_frequencies(mdp, state, LAMS, gamma, samples=samples, rng=0, noop="self",
                                         power_samples=400)
    finally:
        aup._SOLVER = "auto"


def run(quick: bool = False) -> list[Row]:
    rows = []
    samples = 50 if quick else 200
    gammas = (0.9, 0.99) if quick else (0.9, 0.99, 0.999)
    cases = [("Fig. 1 + no-op, 'star'", fig1_with_noop(), "star"),
             ("Pac-Man 3x3, '0,0'", ps.examples.pacman_shutdown(), "0,0")]
    old = ps.work_limit()
    ps.set_work_limit(1e12)  # value iteration at gamma = 0.999 is above the default limit
    try:
        _call(cases[0][1], "star", 0.9, 10, "auto")  # compile / load the kernels
        for gamma in gammas:
            for name, mdp, state in cases:
                t_pi = best_time(lambda: _call(mdp, state, gamma, samples, "auto"), repeat=3)
                t0 = time.perf_counter()
                vi = _call(mdp, state, gamma, samples, "vi")  # one timing: seconds, not noise
                t_vi = time.perf_counter() - t0
                same = np.array_equal(_call(mdp, state, gamma, samples, "auto").frequency, vi.frequency)
                rows.append(Row(f"AUP {name}, gamma={gamma}: policy iteration", t_pi, "value iteration", t_vi,
                                f"{samples} samples x 10 lams; same frequencies: {same}"))
    finally:
        ps.set_work_limit(old)
    return rows


if __name__ == "__main__":
    main(run)
