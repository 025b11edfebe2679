"""Shutdown avoidance (Turner et al. 2021, Cor. 6.14): in a Pac-Man-like grid where the start cell
can also switch off, how often is switching off average-optimal (Blackwell, gamma = 1) and how
often at gamma = 0.9? Under iid rewards the gamma = 1 answer is 1/(cells + 1)."""

import powerseek as ps

for n in (2, 3, 4):
    mdp = ps.examples.pacman_shutdown(n, n)
    p1 = ps.optimality_probability(mdp, "0,0", successor="off", gamma=1.0, samples=20_000, rng=0)
    p9 = ps.optimality_probability(mdp, "0,0", successor="off", gamma=0.9, samples=20_000, rng=0)
    print(f"{n}x{n}: P(off, gamma=1) = {p1.value:.4f} +- {p1.stderr:.4f} (1/{n*n+1} = {1/(n*n+1):.4f}); "
          f"gamma=0.9: {p9.value:.4f} +- {p9.stderr:.4f}")
