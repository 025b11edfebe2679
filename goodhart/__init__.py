"""goodhart: catastrophic regressional Goodhart.

Selecting on a proxy U = V + X (true utility V, error X): conditioning E[V | U >= t], best-of-N
selection and KL-regularised optimisation, and tail diagnostics of real reward-model outputs.
Heavy- versus light-tailed error decides whether V follows U or falls back to E[V]
(Kwa & Thomas 2023; Kwa, Thomas & Garriga-Alonso, arXiv 2407.14503).
"""

# --- selection: distributions, dependent errors, conditioning, best-of-N ---

# --- KL-regularised optimisation and reward-model tails ---
