"""The claims ledger: every number the source papers state, re-derived two ways.

A :class:`Claim` records where a statement comes from (paper or post, theorem or figure), the
statement, the stated value if any, and two independent checks: a ``symbolic`` one (SymPy, exact
where possible) and a ``numeric`` one (quadrature or Monte Carlo through the toolkit's public API).
Each check returns a :class:`Check`: whether it passed, the value it computed and a short detail.

The ``verdict`` is the project's conclusion about the *source*:

- ``"holds"``: the stated claim is reproduced.
- ``"source wrong"``: the checks establish a different value (recorded in ``computed``); the
  checks then assert *our* value, and the row shows both.
- ``"open"``: no stated value to compare with, or the source's claim is a conjecture we only
  probe numerically.

A claim *fails* when any of its checks returns ``ok=False`` or raises -- that is a bug in the
toolkit or in the derivation, and ``tailpower claims`` exits 1.

Each science area lists its claims in ``proofs/<area>.py`` as a module-level ``CLAIMS`` list;
:func:`all_claims` collects them.
"""

from __future__ import annotations

import importlib
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable

__all__ = ["Check", "Claim", "ClaimResult", "all_claims", "areas", "evaluate"]

VERDICTS = ("holds", "source wrong", "open")


@dataclass(frozen=True)
class Check:
    """Outcome of one check of a claim."""

    ok: bool
    computed: Any = None
    detail: str = ""


@dataclass(frozen=True)
class Claim:
    """One statement of a source, with its symbolic and numeric checks."""

    id: str
    source: str
    statement: str
    stated: Any = None
    symbolic: Callable[[], Check] | None = None
    numeric: Callable[[], Check] | None = None
    verdict: str = "holds"
    note: str = ""

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict: must be one of {VERDICTS}, got {self.verdict!r}")
        if self.symbolic is None and self.numeric is None:
            raise ValueError(f"claim {self.id}: needs at least one check")


@dataclass(frozen=True)
class ClaimResult:
    claim: Claim
    symbolic: Check | None
    numeric: Check | None
    seconds: float = 0.0
    errors: tuple[str, ...] = field(default_factory=tuple)

    @property
    def failed(self) -> bool:
        return bool(self.errors) or any(c is not None and not c.ok for c in (self.symbolic, self.numeric))

    @property
    def status(self) -> str:
        return "FAILS" if self.failed else self.claim.verdict


def areas() -> list[str]:
    """Names of the modules of ``proofs`` that may hold claims (every module but this one)."""
    import pkgutil

    import proofs

    return sorted(m.name for m in pkgutil.iter_modules(proofs.__path__) if m.name != "ledger")


def all_claims(selected: list[str] | tuple[str, ...] | None = None) -> list[Claim]:
    """Every claim of the ledger (or of the ``selected`` areas), in area order.

    An area is a module ``proofs.<area>`` with a module-level ``CLAIMS`` list.
    """
    known = areas()
    for a in selected or ():
        if a not in known:
            raise ValueError(f"area: unknown ledger area {a!r}; known: {known}")
    claims: list[Claim] = []
    for area in selected or known:
        claims.extend(getattr(importlib.import_module(f"proofs.{area}"), "CLAIMS", []))
    ids = [c.id for c in claims]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise ValueError(f"duplicate claim ids: {sorted(dup)}")
    return claims


def _run(check: Callable[[], Check] | None, errors: list[str]) -> Check | None:
    if check is None:
        return None
    try:
        res = check()
    except Exception:  # a check that raises is a failed check, reported with its traceback
        errors.append(traceback.format_exc(limit=4))
        return None
    if not isinstance(res, Check):
        errors.append(f"check returned {type(res).__name__}, not Check")
        return None
    return res


def evaluate(claim: Claim) -> ClaimResult:
    """Run both checks of ``claim``."""
    errors: list[str] = []
    t0 = time.perf_counter()
    sym = _run(claim.symbolic, errors)
    num = _run(claim.numeric, errors)
    return ClaimResult(claim, sym, num, time.perf_counter() - t0, tuple(errors))
