"""Search for orbit-level counterexamples (Turner & Tadepalli 2022).

Environment: the ghost/apple/cherry toy, A = {ghost}, B = {apple, cherry}; B contains n = 2 copies
of A, so every EU-determined decision-maker (and every mixture of them) weakly prefers B on at
least 2/3 of every orbit. The search looks for parameters theta whose orbit has the smallest such
fraction. Two rules that are not EU-determined break the bound:

- ``ordered_optimal``: optimal, but ties broken by the option's position (A is listed first);
- ``distinct_b``: picks an optimal option, but refuses a multi-option set whose options have equal
  utilities -- it looks at more than the utilities of the chosen option.
"""

import numpy as np

import powerseek as ps

D = ps.decisions
A, B = [[1, 0, 0]], [[0, 1, 0], [0, 0, 1]]


def distinct_b(X, C, theta):
    u = X @ theta
    if len(X) > 1 and len(np.unique(u)) < len(u):
        return 0.0
    return float(np.any(u >= (C @ theta).max() - 1e-12))


rules = [D.optimal(), D.frac_optimal(), D.anti_optimal(), D.boltzmann(0.5), D.best_of_k(3), D.satisfice(1.0),
         D.quantilise(0.5), D.epsilon_greedy(0.1), D.mixture([(0.5, D.boltzmann(0.2)), (0.5, D.anti_optimal())]),
         D.ordered_optimal(), D.rule(distinct_b, "distinct_b")]
print(f"B contains n = {ps.find_copies(A, B).n} copies of A: bound 2/3")
for r in rules:
    res = ps.search_counterexample(r, A, B, trials=60, local_steps=40, rng=0)
    m, l, e = res.tendency.counts
    flag = "VIOLATES" if res.violates else "ok"
    print(f"{r.name:45s} min fraction {res.value:.4f}  (more/less/equal {m}/{l}/{e}) at theta = "
          f"{np.round(res.theta, 3).tolist()}  {flag}")
