"""Where does best-of-N stop helping?  Exact utility E[V_sel] for the paper's 2 x 5 grid, n to 1e9.

    python examples/goodhart_best_of_n_peaks.py
"""

import numpy as np

from goodhart._figures_selection import bon_curves, bon_grid

rows, cols = bon_grid()
for rl, V in rows:
    for cl, X in cols:
        ns, r, peak = bon_curves(V, X, 1e9, 46, 0.5, 30.0)
        print(f"{rl:9s} {cl:12s} peak N = {peak:10.3g}  max utility = {np.max(r.utility):7.4f}  "
              f"utility at 1e9 = {r.utility[-1]:8.4f}")
