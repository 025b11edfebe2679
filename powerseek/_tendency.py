"""Orbit-level tendencies of decision-makers (private; public through :mod:`powerseek.orbits` and
:mod:`powerseek`): over the orbit of a parameter vector theta, how often a decision-maker chooses
B more, less or equally often than A (Turner & Tadepalli, "Parametrically Retargetable
Decision-Makers Tend To Seek Power", NeurIPS 2022, Lemma B.3 and Thm. 3.6; see the module
docstring of :mod:`powerseek.orbits`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tailpower._common import as_generator, check_int, progress
from tailpower._results import ResultMixin

from ._checks import check_choice, check_real, check_work, work_limit
from .copies import _key, find_copies
from .decisions import Decision, MDPDecision, _as_options, subset_mask, tie_tol, utilities
from .orbits import _block_rows, _log_orbit_size, _theta, orbit_blocks, orbit_size, sample_orbit

__all__ = ["OrbitTendency", "orbit_tendency"]


@dataclass(frozen=True, eq=False)
class OrbitTendency(ResultMixin):
    """How a decision-maker treats B versus A over the orbit of theta.

    Attributes
    ----------
    more, less, equal : float
        Fractions of the orbit (of the sample, if sampled) where f(B | C, theta') is larger than,
        smaller than, equal to f(A | C, theta') (|difference| <= ``tol`` counts as equal).
    value : float
        ``more + equal``: the fraction that weakly prefers B (compare with n/(n+1)).
    stderr : float
        Standard error of ``value`` (0 for exact enumeration).
    stderrs : dict
        Standard errors of ``more``, ``less``, ``equal``.
    counts : tuple of int
        (#more, #less, #equal) orbit elements (or samples).
    orbit_size : int
        d! / prod m_i! (exact, even when sampled).
    method : str
        "exact" (full enumeration) or "sampled".
    samples : int
        Orbit elements drawn when sampled (0 when exact).
    copies : int or None
        n certified by :func:`find_copies` for (A, B), if certification was done.
    decision : str
        The decision-maker's name.
    tol : float
        The tolerance below which two probabilities count as equal.

    Examples
    --------
    >>> import powerseek as ps
    >>> t = ps.orbit_tendency(ps.decisions.optimal(), [[1, 0, 0]], [[0, 1, 0], [0, 0, 1]], [0.2, 0.5, 0.9])
    >>> t.more, t.less, t.orbit_size, t.method  # B holds 2 copies of A: value >= 2/3
    (0.6666666666666666, 0.3333333333333333, 6, 'exact')
    """

    more: float
    less: float
    equal: float
    value: float
    stderr: float
    stderrs: dict
    counts: tuple
    orbit_size: int
    method: str
    samples: int
    copies: int | None = None
    decision: str = ""
    tol: float = 1e-12

    def ci(self, which: str = "value", z: float = 1.959963984540054) -> tuple[float, float]:
        """Wilson score interval for ``which`` in {"value", "more", "less", "equal"} at normal
        quantile z (exact results give the point twice)."""
        which = check_choice("which", which, ("value", "more", "less", "equal"))
        z = check_real("z", z)
        if z < 0:
            raise ValueError(f"z: must be >= 0, got {z!r}")
        p = {"value": self.value, "more": self.more, "less": self.less, "equal": self.equal}[which]
        if self.method == "exact":
            return (p, p)
        n = self.samples
        den = 1 + z * z / n
        mid = (p + z * z / (2 * n)) / den
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
        return (max(0.0, mid - half), min(1.0, mid + half))

    @property
    def ratio(self) -> float:
        """#more / #less (inf when B is never strictly less likely): the largest n in >=^n_most."""
        m, l, _ = self.counts
        return math.inf if l == 0 else m / l

    def satisfies(self, n: int, z: float = 5.0) -> bool:
        """Whether the orbit is consistent with f(B) >=^n_most f(A): #more >= n #less exactly when
        enumerated; when sampled, whether more - n less >= 0 is within z standard errors."""
        n = check_int("n", n, minimum=0)
        z = check_real("z", z)
        m, l, _ = self.counts
        if self.method == "exact":
            return m >= n * l
        N = self.samples
        # mean and standard deviation of x = 1 (m times), -n (l times), 0 (else), in closed form
        mean = (m - n * l) / N
        var = max(0.0, (m + n * n * l - N * mean * mean) / (N - 1))
        return bool(mean + z * math.sqrt(var) / math.sqrt(N) >= 0)

    @property
    def bound(self) -> float | None:
        """n/(n+1) for the certified n (None if not certified)."""
        return None if self.copies is None else self.copies / (self.copies + 1)

    @property
    def bound_holds(self) -> bool | None:
        """``satisfies(copies)`` when copies were certified (None otherwise)."""
        return None if self.copies is None else self.satisfies(self.copies)


def _names(X) -> list:
    if isinstance(X, (str, int, np.integer)):
        return [X]
    return list(X) if hasattr(X, "__iter__") else [X]


def _check_decide(decide):
    from . import decisions as _dec

    if any(decide is f for f in (_dec.optimal, _dec.frac_optimal, _dec.anti_optimal, _dec.uniform)):
        return decide()
    if not (isinstance(decide, (Decision, MDPDecision)) or callable(decide)):
        raise TypeError(f"decide: expected a ps.decisions decision or a callable (X, C, theta), got {type(decide).__name__}")
    return decide


def _call_rule(fn, X, C, t) -> float:
    try:
        out = float(fn(X, C, t))
    except Exception as exc:  # noqa: BLE001 -- the user's rule; report it under its parameter
        raise ValueError(f"decide: the rule raised {type(exc).__name__}: {exc}") from exc
    if not math.isfinite(out):
        raise ValueError(f"decide: the rule returned {out!r} (a decision probability must be finite)")
    return out


def _prepare(decide, A, B, C, d_theta):
    """Return (evaluate(Theta) -> (fA, fB), copies_fn, name, steps per orbit element) for the
    three kinds of decide."""
    if isinstance(decide, MDPDecision):
        ca, cb = decide.action_columns(A, "A"), decide.action_columns(B, "B")
        cc = decide.action_columns(_names(A) + _names(B), "A") if C is None else decide.action_columns(C, "C")
        if not (set(ca) <= set(cc) and set(cb) <= set(cc)):
            raise ValueError("C: must contain every option of A and B")
        if d_theta != decide.mdp.n_states:
            raise ValueError(f"theta: expected a reward vector of length {decide.mdp.n_states}, got {d_theta}")
        masks = np.array([[c in ca for c in cc], [c in cb for c in cc]])

        def ev(Th):
            F = decide.evaluate_rewards(Th, cc, masks)
            return F[:, 0], F[:, 1]

        def vec_sets():
            return decide.option_vectors(A), decide.option_vectors(B)

        return ev, vec_sets, decide.name, decide.steps() + 4.0 * len(cc) ** 2
    Aa, Ba = _as_options("A", A), _as_options("B", B)
    if Aa.shape[1] != Ba.shape[1]:
        raise ValueError(f"B: option vectors have length {Ba.shape[1]}, A's have {Aa.shape[1]}")
    if C is None:  # A's options first, then B's new ones, in the order given (ordered rules see it)
        rows: list = []
        seen: set = set()
        for r in np.vstack([Aa, Ba]):
            k = _key(r)
            if k not in seen:
                seen.add(k)
                rows.append(r)
        Ca = np.array(rows)
    else:
        Ca = _as_options("C", C)
    if d_theta != Ca.shape[1]:
        raise ValueError(f"theta: expected length {Ca.shape[1]} (the option dimension), got {d_theta}")
    ma, mb = subset_mask(Aa, Ca, "A"), subset_mask(Ba, Ca, "B")
    if isinstance(decide, Decision) and decide._scalar is None:
        masks = np.array([ma, mb])

        def ev(Th):
            U = utilities(Th, Ca)
            F = decide.evaluate(U, masks, tie_tol(U))
            return F[:, 0], F[:, 1]

        name = decide.name
        steps = Ca.shape[0] * (Ca.shape[1] + 4.0 * Ca.shape[0] + 10)
    elif callable(decide):
        fn = decide._scalar if isinstance(decide, Decision) else decide
        Ax, Bx = Ca[ma], Ca[mb]

        def ev(Th):
            fa = np.array([_call_rule(fn, Ax, Ca, t) for t in Th])
            fb = np.array([_call_rule(fn, Bx, Ca, t) for t in Th])
            return fa, fb

        name = getattr(decide, "name", getattr(decide, "__name__", "rule"))
        steps = 4000.0 + Ca.shape[0] * Ca.shape[1]
    else:
        raise TypeError(f"decide: expected a ps.decisions decision or a callable (X, C, theta), got {type(decide).__name__}")
    return ev, (lambda: (Aa, Ba)), str(name), steps


def orbit_tendency(
    decide,
    A,
    B,
    theta,
    *,
    C=None,
    method: str = "auto",
    max_exact: int = 1_000_000,
    samples: int = 100_000,
    rng=None,
    tol: float = 1e-12,
    certify: bool = False,
) -> OrbitTendency:
    """Fractions of the orbit of theta on which B is chosen more / less / equally often than A.

    For every theta' in S_d . theta (distinct permutations), compare f(B | C, theta') with
    f(A | C, theta') (``decide`` = f; C defaults to A cup B). Turner & Tadepalli 2022: if B contains
    n copies of A and f is EU-determined, #more >= n #less on every orbit (f(B) >=^n_most f(A)), so
    ``value = more + equal >= n/(n+1)``.

    Parameters
    ----------
    decide : Decision, MDPDecision, or callable (X, C, theta) -> float
        ``ps.decisions.optimal()`` etc. (vectorised), an MDP-level decision (then A, B, C are action
        or successor names at its state and theta is a reward vector), or any plain function of
        option arrays (evaluated one theta at a time). ``ps.decisions.optimal`` itself (the
        factory, uncalled) is accepted and means ``optimal()``.
    A, B : option sets: lists of outcome vectors in R^d (or of action names for MDP decisions)
    theta : (d,) parameter vector (utility or reward)
    C : the full option set (default A cup B: A's options first, then B's, in the given order;
        only label-dependent rules such as ``decisions.ordered_optimal`` see the order)
    method : "auto" | "exact" | "sampled"
        "auto" enumerates when the orbit has at most ``max_exact`` elements, else samples.
    samples : int
        Orbit draws (uniform, with replacement) for the sampled method.
    rng : Generator | int | SeedSequence | None
    tol : float
        |f(B) - f(A)| <= tol counts as equal.
    certify : bool
        Also search for copies of A in B (:func:`find_copies`) and record n in ``copies``.

    Returns
    -------
    OrbitTendency
        ``more``, ``less``, ``equal`` and ``value = more + equal``, with standard errors when
        sampled. ``orbit_size`` is -1 when the exact size would have more than a million digits.

    Raises
    ------
    TypeError
        If ``decide`` is neither a decision nor a callable, or ``theta``, ``tol`` or a count has
        the wrong type.
    ValueError
        ``theta`` empty, not finite or of the wrong length; ``A``, ``B``, ``C`` malformed or of
        different lengths (``C`` must contain A and B); ``method`` unknown; ``tol`` < 0;
        ``samples`` < 2; ``decide`` raising or returning a non-finite probability.
    tailpower.BudgetError
        If the enumeration or the samples would exceed the work limit (an exact enumeration of
        20! elements is refused naming theta, not started).

    Examples
    --------
    >>> import powerseek as ps
    >>> A, B = [[1, 0, 0]], [[0, 1, 0], [0, 0, 1]]  # B holds n = 2 copies of A
    >>> t = ps.orbit_tendency(ps.decisions.optimal(), A, B, [0.2, 0.5, 0.9], certify=True)
    >>> t.value, t.copies  # more + equal = 2/3 >= n/(n + 1) (Turner & Tadepalli 2022, Thm. 3.6)
    (0.6666666666666666, 2)
    """
    decide = _check_decide(decide)
    th = _theta(theta)
    ev, vec_sets, name, per = _prepare(decide, A, B, C, th.size)
    method = check_choice("method", method, ("auto", "exact", "sampled"))
    tol = check_real("tol", tol)
    if tol < 0:
        raise ValueError(f"tol: must be >= 0, got {tol!r}")
    max_exact = check_int("max_exact", max_exact)
    certify = bool(certify)
    log_size = _log_orbit_size(th)
    exact = method == "exact" or (method == "auto" and log_size <= math.log(max_exact) + 1e-9)
    if exact:
        if log_size > math.log(work_limit()):
            check_work("theta", math.exp(min(log_size, 700.0)) * per, "enumerating the orbit exactly")
        size = orbit_size(th)
        exact = method == "exact" or size <= max_exact
    if exact:
        check_work("theta", size * (per + th.size), f"enumerating the orbit exactly ({size} elements)")
    else:
        N = check_int("samples", samples, minimum=2)
        check_work("samples", N * (per + 3.0 * th.size), f"evaluating {N} orbit samples")
        size = orbit_size(th) if log_size / math.log(10) <= 1e6 else -1
    cm = cl = ce = 0
    rows = _block_rows(th.size)
    if exact:
        N = size
        for Th in progress(orbit_blocks(th), total=-(-size // rows), desc="orbit"):
            fa, fb = ev(Th)
            dlt = fb - fa
            cm += int((dlt > tol).sum())
            cl += int((dlt < -tol).sum())
        ce = N - cm - cl
        nsamp = 0
    else:
        gen = as_generator(rng)
        done = 0
        while done < N:
            k = min(rows, N - done)
            Th = sample_orbit(th, k, gen)
            fa, fb = ev(Th)
            dlt = fb - fa
            cm += int((dlt > tol).sum())
            cl += int((dlt < -tol).sum())
            done += k
        ce = N - cm - cl
        nsamp = N
    more, less, equal = cm / N, cl / N, ce / N
    if exact:
        se = {"more": 0.0, "less": 0.0, "equal": 0.0}
        sev = 0.0
    else:
        se = {k: math.sqrt(p * (1 - p) / N) for k, p in (("more", more), ("less", less), ("equal", equal))}
        sev = math.sqrt((1 - less) * less / N)
    copies = None
    if certify:
        Av, Bv = vec_sets()
        copies = find_copies(Av, Bv).n
    return OrbitTendency(more, less, equal, more + equal, sev, se, (cm, cl, ce), size,
                         "exact" if exact else "sampled", nsamp, copies, name, float(tol))
