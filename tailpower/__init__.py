"""tailpower: executable AI-alignment theory.

The distribution ships four public packages -- ``goodhart``, ``powerseek``, ``cogpower`` and
``proofs`` -- plus this small infrastructure package, which holds the plumbing all of them share
(random-number handling, result objects, figure output) and the ``tailpower`` command line.
It holds no science, so the rule "no science package imports a sibling" stays intact.
"""

__version__ = "0.1.0"

from ._common import BudgetError, check_memory, format_bytes, memory_budget, set_memory_budget  # noqa: E402

__all__ = ["BudgetError", "check_memory", "format_bytes", "memory_budget", "set_memory_budget", "__version__"]
