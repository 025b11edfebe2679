"""POWER with many reward samples: batched numba value iteration vs a per-sample numpy loop (the
way POWERplay-style code computes POWER) and vs a batched numpy/BLAS value iteration, same
stopping rule (sup-norm step <= tol (1 - gamma)/gamma, V* error <= tol) and same samples.

The per-sample loop is too slow for 1e5 samples; it is timed on a subset and scaled linearly
(noted in the row)."""

from __future__ import annotations

import numpy as np

from _harness import Row, best_time, main

import powerseek as ps
from powerseek.figures import two_rooms


def _vi_numpy_batched(T, R, gamma, thresh):
    """All samples at once: V (K, S); Q = R + gamma * V @ T_flat (S, A*S) -> max over actions."""
    S, A, _ = T.shape
    M = T.reshape(S * A, S).T  # (S', S*A)
    V = R.copy()
    while True:
        Q = (V @ M).reshape(-1, S, A)
        W = R + gamma * Q.max(axis=2)
        d = np.abs(W - V).max()
        V = W
        if d <= thresh:
            return V


def _vi_numpy_loop(T, R, gamma, thresh):
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


def _masked(mdp):
    # absent actions: copy the state's first action (same max; keeps numpy baselines dense)
    T = mdp.transitions.copy()
    for s in range(mdp.n_states):
        first = np.flatnonzero(mdp.action_mask[s])[0]
        for a in np.flatnonzero(~mdp.action_mask[s]):
            T[s, a] = T[s, first]
    return T


def run(quick: bool = False) -> list[Row]:
    rows = []
    gamma, eps = 0.9, 1e-8
    thresh = eps * (1 - gamma) / gamma
    cases = [("Fig 1 (8 states)", ps.examples.turner_fig1(), 10_000 if quick else 100_000),
             ("20x20 gridworld (400 states)", ps.MDP.gridworld(20, 20), 2_000 if quick else 100_000)]
    rng = np.random.default_rng(0)
    for name, mdp, K in cases:
        R = rng.random((K, mdp.n_states))
        T = _masked(mdp)
        ps.value_iteration(mdp, R[:10], gamma, eps)  # compile / load cache
        t_nb = best_time(lambda: ps.value_iteration(mdp, R, gamma, eps), repeat=1 if mdp.n_states > 50 else 3)
        Vn = ps.value_iteration(mdp, R[:200], gamma, eps).values
        Kb = min(K, 20_000 if mdp.n_states < 50 else 2_000)
        t_blas = best_time(lambda: _vi_numpy_batched(T, R[:Kb], gamma, thresh), repeat=1) * K / Kb
        Kl = min(K, 2_000 if mdp.n_states < 50 else 200)
        t_loop = best_time(lambda: _vi_numpy_loop(T, R[:Kl], gamma, thresh), repeat=1) * K / Kl
        err = np.abs(_vi_numpy_batched(T, R[:200], gamma, thresh) - Vn).max()
        note = f"gamma={gamma}, eps={eps}; max |dV| vs numpy {err:.1e}"
        rows.append(Row(f"{name}, {K:.0e} samples: numba batched VI", t_nb, "numpy per-sample loop", t_loop,
                        note + f"; loop timed on {Kl} samples, scaled"))
        rows.append(Row(f"{name}, {K:.0e} samples: numba batched VI", t_nb, "numpy/BLAS batched VI", t_blas,
                        note + (f"; timed on {Kb} samples, scaled" if Kb < K else "")))
    return rows


if __name__ == "__main__":
    main(run)
