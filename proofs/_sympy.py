"""SymPy, or a message naming the extra that installs it.

Every module of ``proofs`` derives its closed forms with SymPy, which is not part of tailpower's
light core: ``pip install 'tailpower[symbolic]'``.
"""

from tailpower._extras import require

sp = require("sympy", "symbolic", "the proofs package (SymPy derivations and the claims ledger)")

__all__ = ["sp"]
