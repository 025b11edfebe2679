"""tailpower: executable AI-alignment theory.

The distribution ships four public packages -- ``goodhart``, ``powerseek``, ``cogpower`` and
``proofs`` -- plus this small infrastructure package, which holds the plumbing all of them share
(random-number handling, result objects, figure output) and the ``tailpower`` command line.
It holds no science, so the rule "no science package imports a sibling" stays intact.

The documentation (``make docs``; sources in docs/) states the theory each package implements,
with its sources, tables the claims ledger, and has the API reference, the figure gallery and
the reliability contract (docs/contract.md). Optional features need extras, which are named
when missing (:mod:`tailpower._extras`).
"""

__version__ = "0.1.0"

from ._common import BudgetError, check_memory, format_bytes, memory_budget, set_memory_budget  # noqa: E402

__all__ = ["BudgetError", "check_memory", "format_bytes", "memory_budget", "set_memory_budget", "__version__"]
