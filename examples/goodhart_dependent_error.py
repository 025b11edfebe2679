"""Dependent error (Kwa, Thomas & Garriga-Alonso 2024, §5.2 footnote): unbiased, light-tailed error
that vanishes for |V| > 1.  The source guessed lim E[V | V + X >= t] = 0; the computation gives 1.

    python examples/goodhart_dependent_error.py
"""

from scipy import stats

import goodhart as gh

wide, zero = stats.norm(0, 2), gh.point_mass(0.0)
model = gh.Dependent(V=stats.norm(), error=lambda v: wide if abs(v) <= 1 else zero)

print(f"{'t':>8} {'E[V|U>=t] dependent':>22} {'bound':>9} {'log P(U>=t)':>14} {'independent N(0,4)':>20}")
for t in (2, 5, 10, 30, 100, 300, 1000):
    dep = gh.conditional_mean(model, t=float(t))
    ind = gh.conditional_mean(stats.norm(), stats.norm(0, 2), float(t))
    print(f"{t:8g} {dep.value:22.10f} {dep.stderr:9.1e} {dep.log_prob:14.2f} {ind.value:20.6f}")
print("limit: 1 (tilted law of V on [-1, 1] is N(t/5, 4/5) truncated; mean about 1 - 4/(t-5))")
