"""proofs: SymPy derivations of the closed forms the science packages are checked against, and
the claims ledger (``proofs.ledger``): every number the source papers state, re-derived
symbolically and numerically. The only package that imports the other three.
"""

from tailpower import __version__  # noqa: E402,F401 -- one version for the whole distribution
