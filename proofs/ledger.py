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
:func:`all_claims` collects them. An area whose module fails to import contributes one failing
claim carrying the traceback, so ``tailpower claims`` reports it with the rest instead of stopping.
"""

from __future__ import annotations

import importlib
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from tailpower._results import ResultMixin

__all__ = ["Check", "Claim", "ClaimResult", "all_claims", "areas", "evaluate"]

VERDICTS = ("holds", "source wrong", "open")


@dataclass(frozen=True)
class Check(ResultMixin):
    """Outcome of one check of a claim.

    Prints as ``ok: computed (detail)`` or ``FAILS: ...``; ``to_dict()`` gives plain data (exact
    SymPy values as their text, never rounded).

    Attributes
    ----------
    ok : bool
        Whether the check reproduced the claim.
    computed : object
        The value the check computed (a number, a SymPy expression, a tuple, ...), or None.
    detail : str
        A short explanation (method, tolerance, the comparison made).

    Examples
    --------
    >>> from proofs.ledger import Check
    >>> print(Check(True, 0.5, "closed form"))
    ok: 0.5 (closed form)
    >>> Check(False, 2).to_dict()
    {'ok': False, 'computed': 2, 'detail': ''}
    """

    ok: bool
    computed: Any = None
    detail: str = ""

    def __str__(self) -> str:
        text = f"{'ok' if self.ok else 'FAILS'}: {self.computed}"
        return f"{text} ({self.detail})" if self.detail else text


@dataclass(frozen=True)
class Claim(ResultMixin):
    """One statement of a source, with its symbolic and numeric checks.

    Prints as ``id: statement [source]``; ``to_dict()`` names the check functions.

    Attributes
    ----------
    id : str
        Unique identifier, starting with the area's name (``"cogpower.critical_power"``).
    source : str
        Paper or post, with the theorem, equation or figure.
    statement : str
        The claim in words.
    stated : object
        The value the source states, if any.
    symbolic, numeric : callable or None
        Functions of no arguments returning a :class:`Check`; at least one is given.
    verdict : {"holds", "source wrong", "open"}
        The project's conclusion about the source.
    note : str
        Anything a reader should know (e.g. what the source got wrong).

    Raises
    ------
    TypeError
        If a text field is not a string or a check is not callable.
    ValueError
        If ``id`` is empty, ``verdict`` is not one of the three, or no check is given.

    Examples
    --------
    >>> from proofs.ledger import Check, Claim
    >>> c = Claim("demo.half", "a textbook", "1/2 is a half", stated=0.5,
    ...           numeric=lambda: Check(1 / 2 == 0.5, 1 / 2))
    >>> print(c)
    demo.half: 1/2 is a half [a textbook]
    >>> print(c.numeric())
    ok: 0.5
    """

    id: str
    source: str
    statement: str
    stated: Any = None
    symbolic: Callable[[], Check] | None = None
    numeric: Callable[[], Check] | None = None
    verdict: str = "holds"
    note: str = ""

    def __post_init__(self) -> None:
        for name in ("id", "source", "statement", "note"):
            value = getattr(self, name)
            if not isinstance(value, str):
                raise TypeError(f"{name}: expected a string, got {type(value).__name__}")
        if not self.id:
            raise ValueError("id: must not be empty")
        if not isinstance(self.verdict, str) or self.verdict not in VERDICTS:
            raise ValueError(f"verdict: must be one of {VERDICTS}, got {self.verdict!r}")
        for name in ("symbolic", "numeric"):
            value = getattr(self, name)
            if value is not None and not callable(value):
                raise TypeError(f"{name}: expected a function returning a Check, or None, got {type(value).__name__}")
        if self.symbolic is None and self.numeric is None:
            raise ValueError(f"symbolic: claim {self.id!r} needs at least one check (symbolic or numeric)")

    def __str__(self) -> str:
        return f"{self.id}: {self.statement} [{self.source}]"


@dataclass(frozen=True)
class ClaimResult(ResultMixin):
    """The outcome of evaluating one :class:`Claim` (see :func:`evaluate`).

    Prints as ``id: status (symbolic ..., numeric ..., seconds)``; ``to_dict()`` adds ``status``.

    Attributes
    ----------
    claim : Claim
        The claim evaluated.
    symbolic, numeric : Check or None
        The outcomes of its checks (None where the claim has no such check or it raised).
    seconds : float
        Wall time of the evaluation.
    errors : tuple of str
        Tracebacks of checks that raised.

    Examples
    --------
    >>> from proofs.ledger import Check, Claim, ClaimResult
    >>> c = Claim("demo.half", "a textbook", "1/2 is a half", numeric=lambda: Check(True, 0.5))
    >>> r = ClaimResult(c, None, c.numeric(), 0.01)
    >>> r.status, r.failed
    ('holds', False)
    >>> print(r)
    demo.half: holds (numeric ok: 0.5, 0.01 s)
    """

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

    def to_dict(self) -> dict[str, Any]:
        """The fields as plain data (see :class:`tailpower._results.ResultMixin`), plus ``status``."""
        return {**super().to_dict(), "status": self.status}

    def __str__(self) -> str:
        parts = [f"{name} {check}" for name, check in (("symbolic", self.symbolic), ("numeric", self.numeric))
                 if check is not None]
        parts += [f"{len(self.errors)} error(s)"] if self.errors else []
        return f"{self.claim.id}: {self.status} ({', '.join(parts + [f'{self.seconds:.2f} s'])})"


def areas() -> list[str]:
    """Names of the modules of ``proofs`` that may hold claims (every module but this one).

    Returns
    -------
    list of str
        Sorted module names (without the ``proofs.`` prefix; private modules left out).

    Raises
    ------
    Nothing: it takes no arguments and imports no area.

    Examples
    --------
    >>> from proofs.ledger import areas
    >>> {"cogpower", "goodhart", "powerseek"} <= set(areas())
    True
    """
    import pkgutil

    import proofs

    return sorted(m.name for m in pkgutil.iter_modules(proofs.__path__)
                  if m.name != "ledger" and not m.name.startswith("_"))


def _import_failure(area: str, tb: str) -> Claim:
    """A claim that fails with the traceback of an area module that does not import (or whose
    ``CLAIMS`` is not a list of claims)."""

    def reraise() -> Check:
        raise ImportError(f"proofs.{area} failed to load its claims:\n{tb}")

    return Claim(f"{area}.import", f"proofs/{area}.py", f"the claims module proofs.{area} imports",
                 symbolic=reraise)


def all_claims(selected: str | list[str] | tuple[str, ...] | None = None) -> list[Claim]:
    """Every claim of the ledger (or of the ``selected`` areas), in area order.

    Parameters
    ----------
    selected : str or sequence of str, optional
        Area names (modules of ``proofs`` holding a ``CLAIMS`` list, see :func:`areas`); ``None``
        or empty: all areas.

    Returns
    -------
    list of Claim
        In area order, each area's claims in the order of its ``CLAIMS`` list.

    Raises
    ------
    TypeError, ValueError
        Naming ``selected``: not area names, or an unknown area. An area whose module fails to
        import (or has a malformed ``CLAIMS``) is not an error here: it contributes a claim
        ``<area>.import`` that fails.

    Examples
    --------
    >>> from proofs.ledger import all_claims
    >>> "powerseek_orbits.orbit_size" in [c.id for c in all_claims("powerseek_orbits")]
    True
    """
    known = areas()
    if isinstance(selected, str):
        selected = [selected]
    elif selected is not None:
        if isinstance(selected, bytes) or not hasattr(selected, "__iter__"):
            raise TypeError(f"selected: expected area names (a str or a list of str), got {type(selected).__name__}")
        selected = list(selected)
    for a in selected or ():
        if not isinstance(a, str):
            raise TypeError(f"selected: expected area names (str), got {a!r}")
        if a not in known:
            raise ValueError(f"selected: unknown ledger area {a!r}; known: {known}")
    claims: list[Claim] = []
    for area in dict.fromkeys(selected or known):
        try:
            module = importlib.import_module(f"proofs.{area}")
        except Exception:  # noqa: BLE001 -- reported as a failing claim of the area
            claims.append(_import_failure(area, traceback.format_exc(limit=6)))
            continue
        found = getattr(module, "CLAIMS", [])
        if not isinstance(found, list) or not all(isinstance(c, Claim) for c in found):
            claims.append(_import_failure(area, f"proofs.{area}.CLAIMS is not a list of Claim objects"))
            continue
        claims.extend(found)
    ids = [c.id for c in claims]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise ValueError(f"selected: the selected areas repeat claim ids {sorted(dup)}")
    return claims


def _is_sympy_boolean(value: Any) -> bool:
    """SymPy's ``true``/``false`` (what a decided relational such as ``x <= 1/4`` evaluates to)."""
    from sympy.logic.boolalg import BooleanAtom

    return isinstance(value, BooleanAtom)


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
    if not isinstance(res.ok, (bool, np.bool_)) and not _is_sympy_boolean(res.ok):
        errors.append(f"check returned Check(ok={res.ok!r}), not a boolean verdict")
        return None
    return res


def evaluate(claim: Claim) -> ClaimResult:
    """Run both checks of ``claim``; a check that raises (any ``Exception``) or returns something
    other than a :class:`Check` with a boolean ``ok`` makes the claim fail, with the reason in
    ``errors``.

    Parameters
    ----------
    claim : Claim
        A claim of the ledger (:func:`all_claims`).

    Returns
    -------
    ClaimResult
        Both checks' outcomes, the verdict ``status``, the run time and the errors.

    Raises
    ------
    TypeError
        If ``claim`` is not a :class:`Claim` (a failing check is a verdict, not an exception).

    Examples
    --------
    >>> from proofs.ledger import all_claims, evaluate
    >>> claim = next(c for c in all_claims("powerseek_orbits") if c.id == "powerseek_orbits.orbit_size")
    >>> result = evaluate(claim)
    >>> result.status, result.symbolic.computed
    ('holds', 6)
    """
    if not isinstance(claim, Claim):
        raise TypeError(f"claim: expected a proofs.ledger.Claim, got {type(claim).__name__}")
    errors: list[str] = []
    t0 = time.perf_counter()
    sym = _run(claim.symbolic, errors)
    num = _run(claim.numeric, errors)
    return ClaimResult(claim, sym, num, time.perf_counter() - t0, tuple(errors))
