"""Where does best-of-N stop helping?  Exact utility E[V_sel] for the paper's 2 x 5 grid, n to 1e9.

One table of the law of U = V + X per pair (gh.best_of_n_table) gives the whole curve; the peak
is the root of dE/dn on the continuous extension in n (BestOfNTable.peak), with the best integer
n next to it.

    python examples/goodhart_best_of_n_peaks.py
"""

import numpy as np

import goodhart as gh
from goodhart._figures_selection import bon_grid

rows, cols = bon_grid()
for rl, V in rows:
    for cl, X in cols:
        tab = gh.best_of_n_table(V, X)
        r = tab.curve(np.geomspace(1, 1e9, 46).round())
        p = tab.peak(n_max=1e9)
        where = (f"peak N = {p.n:10.4g} (best integer {p.best_integer})" if p.interior
                 else f"rises to N = 1e9{'':19s}")
        print(f"{rl:9s} {cl:12s} {where}  max utility = {p.utility:7.4f}  utility at 1e9 = {r.utility[-1]:10.4g}"
              f"  (relative error <= {np.max(r.utility_rel_err):.0e})")
