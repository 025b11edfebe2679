"""Orbit-level shutdown avoidance, MDP-level (Turner et al. 2021 Cor. 6.14; Turner & Tadepalli 2022).

1. Figure 1 (Cor. D.12): average-optimal first actions at star; for random reward vectors the
   exact orbit (8! = 40320 permutations when rewards are distinct) has >= 3/4 avoiding empty.
2. Pac-Man-like grids: the recurrent state distributions avoiding "off" contain one copy of off's
   per cell, so >= cells/(cells + 1) of every orbit prefers staying on. Orbits of 10! rewards are
   sampled, with Wilson intervals.
"""

import numpy as np

import powerseek as ps

D = ps.decisions
rng = np.random.default_rng(0)

mdp = ps.examples.turner_fig1()
avg = D.mdp_average_optimal(mdp, "star")
for i in range(5):
    th = rng.random(8) if i % 2 == 0 else rng.integers(0, 3, 8).astype(float)
    t = ps.orbit_tendency(avg, ["empty"], ["l", "r"], th, certify=True)
    print(f"Fig 1, R = {np.round(th, 2).tolist()}: orbit {t.orbit_size:6d} ({t.method}), avoid empty on "
          f"{t.value:.4f} >= {t.bound:.4f} (n = {t.copies}), #more >= n #less: {t.bound_holds}")

for n in (2, 3):
    grid = ps.examples.pacman_shutdown(n, n)
    dec = D.mdp_average_optimal(grid, "0,0")
    V = dec.option_vectors(list(grid.actions[grid.index("0,0")]))
    off = grid.index("off")
    A, B = V[V[:, off] == 1], V[V[:, off] == 0]
    c = ps.find_copies(A, B)
    t = ps.orbit_tendency(D.optimal(), A, B, rng.random(grid.n_states), samples=100_000, rng=1)
    lo, hi = t.ci("less", z=5)
    print(f"{n}x{n} grid: {len(B)} RSDs avoid off, n = {c.n} copies; orbit {t.orbit_size} ({t.method}); off strictly best on "
          f"{t.less:.4f} [{lo:.4f}, {hi:.4f}] (1/{n * n + 1} = {1 / (n * n + 1):.4f}); bound n/(n+1) = {c.bound:.4f}")
