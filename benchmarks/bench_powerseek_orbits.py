"""Orbit enumeration and exact orbit tendencies.

- Enumerating the orbit of a 10-entry vector with one repeated pair (10!/2 = 1,814,400 distinct
  permutations): numba lexicographic multiset permutations (``ps.orbit``'s blocks) vs
  ``sympy.utilities.iterables.multiset_permutations`` (a Python generator), same elements.
- Exact orbit tendency on Figure 1 (Cor. D.12, 8! = 40320 reward vectors): batched decision
  (Karp's maximum mean cycle on all orbit elements) vs calling the decision per reward vector.
The baselines are timed on a prefix and scaled linearly (noted in the row)."""

from __future__ import annotations

import itertools

import numpy as np

from _harness import Row, best_time, main

import powerseek as ps
from powerseek.orbits import orbit_blocks


def run(quick: bool) -> list[Row]:
    from sympy.utilities.iterables import multiset_permutations

    rows = []
    th = np.array([0, 0, 1, 2, 3, 4, 5, 6, 7, 8], dtype=float) if not quick else np.array([0, 0, 1, 2, 3, 4, 5, 6], dtype=float)
    size = ps.orbit_size(th)
    sum(len(b) for b in orbit_blocks(th[:4]))  # compile
    t_nb = best_time(lambda: sum(len(b) for b in orbit_blocks(th)), repeat=2)
    prefix = min(size, 200_000)
    t_sp = best_time(lambda: sum(1 for _ in itertools.islice(multiset_permutations(th.tolist()), prefix)), repeat=1) * size / prefix
    rows.append(Row(f"orbit enumeration, {size} elements", t_nb, "sympy multiset_permutations", t_sp,
                    "" if prefix == size else f"baseline on {prefix} elements, scaled"))

    mdp = ps.examples.turner_fig1()
    dec = ps.decisions.mdp_average_optimal(mdp, "star")
    R = np.random.default_rng(0).random(8)
    ps.orbit_tendency(dec, ["empty"], ["l", "r"], R)
    t_b = best_time(lambda: ps.orbit_tendency(dec, ["empty"], ["l", "r"], R), repeat=2)
    allR = ps.orbit_array(R)
    k = 500 if quick else 2000

    def loop():
        for r in allR[:k]:
            dec(["empty"], ["empty", "l", "r"], r)
            dec(["l", "r"], ["empty", "l", "r"], r)

    t_l = best_time(loop, repeat=1) * len(allR) / k
    rows.append(Row("exact orbit tendency, Fig 1, 40320 rewards", t_b, "per-reward decision calls", t_l, f"baseline on {k}, scaled"))
    return rows


if __name__ == "__main__":
    main(run)
