"""Models of regressional Goodhart: distributions, degenerate errors and dependent errors.

The proxy is U = V + X with true utility V and error X (Kwa & Thomas, "When is Goodhart
catastrophic?", 2023).  Distributions are scipy frozen continuous distributions
(``scipy.stats.t(3)``); an error may also be the degenerate law :func:`point_mass` (X = c with
probability 1), which is what the dependent-error example of the paper's section 5.2 footnote
needs.  :class:`Dependent` lets the law of X depend on the value of V.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from scipy import stats

__all__ = ["PointMass", "point_mass", "Dependent", "check_distribution", "is_distribution", "Family",
           "FAMILIES", "family"]

_REQUIRED = ("logpdf", "logsf", "logcdf", "sf", "cdf", "isf", "ppf", "rvs", "mean")


def is_distribution(obj: Any) -> bool:
    """True if ``obj`` is a scipy frozen continuous distribution (or quacks like one).

    A frozen ``rv_continuous`` always qualifies; other objects qualify if they have the methods
    ``logpdf, logsf, logcdf, sf, cdf, isf, ppf, rvs, mean``.  Discrete scipy laws do not.
    """
    if isinstance(obj, stats.distributions.rv_frozen):
        return isinstance(getattr(obj, "dist", None), stats.rv_continuous)
    if isinstance(obj, type):
        return False
    return all(callable(getattr(obj, m, None)) for m in _REQUIRED)


def check_distribution(name: str, obj: Any) -> Any:
    """Return ``obj`` if it is a continuous distribution (see :func:`is_distribution`), else raise
    TypeError naming the parameter ``name``.  A scipy frozen law must also have scalar, finite
    parameters that scipy accepts (otherwise every function of it is NaN): ValueError / TypeError
    naming ``name``."""
    if isinstance(obj, PointMass):
        raise TypeError(
            f"{name}: a point mass is only allowed as the error law returned by a Dependent "
            f"error callable, got {obj!r}"
        )
    if isinstance(obj, stats.rv_continuous) or isinstance(obj, stats.rv_discrete):
        raise TypeError(
            f"{name}: expected a frozen scipy distribution such as scipy.stats.norm(), "
            f"got the unfrozen {type(obj).__name__} (call it with its parameters)"
        )
    if not is_distribution(obj):
        raise TypeError(
            f"{name}: expected a scipy frozen continuous distribution (e.g. scipy.stats.t(3)), "
            f"got {type(obj).__name__}"
        )
    if isinstance(obj, stats.distributions.rv_frozen):
        _check_frozen_parameters(name, obj)
    return obj


def _check_frozen_parameters(name: str, law: Any) -> None:
    """One law (scalar parameters), with parameters scipy accepts and finite location and scale."""
    try:
        shapes, loc, scale = law.dist._parse_args(*law.args, **law.kwds)
        params = [np.asarray(p, dtype=float) for p in (*shapes, loc, scale)]
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name}: the parameters of {law.dist.name} are not numbers: {exc}") from None
    if any(p.shape != () for p in params):
        raise TypeError(f"{name}: expected one distribution (scalar parameters), got {law.dist.name} "
                        f"with parameters of shapes {[p.shape for p in params]}")
    if not all(np.isfinite(p) for p in params):
        raise ValueError(f"{name}: the parameters of {law.dist.name} must be finite, got "
                         f"{[float(p) for p in params]}")
    with np.errstate(all="ignore"):
        ok = bool(np.all(law.dist._argcheck(*shapes))) and float(scale) > 0
    if not ok:
        raise ValueError(f"{name}: invalid parameters for {law.dist.name} (shapes {[float(p) for p in shapes]}, "
                         f"loc {float(loc)!r}, scale {float(scale)!r}); scipy would return nan")


# ----------------------------------------------------------------------------- point mass
@dataclass(frozen=True)
class PointMass:
    """The degenerate law X = ``value`` with probability 1.

    It offers the cumulative methods of a scipy frozen distribution with the degenerate
    semantics, so quadrature code can treat it uniformly:
    ``cdf(x) = 1{x >= c}``, ``sf(x) = P(X > x) = 1{x < c}``, ``logsf`` / ``logcdf`` their logs
    (0 or -inf), ``ppf(q) = isf(q) = c`` for q in [0, 1], ``mean() = median() = c``,
    ``var() = std() = 0``, ``rvs`` returns c.  It has no density (no ``logpdf``).

    It is what the dependent-error example of Kwa, Thomas & Garriga-Alonso (arXiv 2407.14503,
    §5.2 footnote) needs: X = 0 whenever |V| > 1.

    Attributes
    ----------
    value : float
        The point c (finite).

    Raises
    ------
    TypeError
        ``value`` not a real number (the message names it ``c``, the parameter of
        :func:`point_mass`).
    ValueError
        ``value`` not finite.

    Examples
    --------
    >>> from goodhart import PointMass
    >>> X = PointMass(2.0)
    >>> X.cdf([1.0, 2.0, 3.0]), float(X.sf(2.0)), X.mean()
    (array([0., 1., 1.]), 0.0, 2.0)
    """

    value: float

    def __post_init__(self) -> None:
        v = self.value
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise TypeError(f"c: expected a real number, got {type(v).__name__}")
        if not math.isfinite(float(v)):
            raise ValueError(f"c: must be finite, got {v!r}")
        object.__setattr__(self, "value", float(v))

    # cumulative functions --------------------------------------------------
    def cdf(self, x):
        return np.where(np.asarray(x, dtype=float) >= self.value, 1.0, 0.0)[()]

    def sf(self, x):
        return np.where(np.asarray(x, dtype=float) < self.value, 1.0, 0.0)[()]

    def logcdf(self, x):
        return np.where(np.asarray(x, dtype=float) >= self.value, 0.0, -np.inf)[()]

    def logsf(self, x):
        return np.where(np.asarray(x, dtype=float) < self.value, 0.0, -np.inf)[()]

    def ppf(self, q):
        q = np.asarray(q, dtype=float)
        return np.where((q >= 0) & (q <= 1), self.value, np.nan)[()]

    def isf(self, q):
        return self.ppf(q)

    # moments ---------------------------------------------------------------
    def mean(self) -> float:
        return self.value

    def median(self) -> float:
        return self.value

    def var(self) -> float:
        return 0.0

    def std(self) -> float:
        return 0.0

    def support(self) -> tuple[float, float]:
        return (self.value, self.value)

    def rvs(self, size=None, random_state=None):
        if size is None:
            return self.value
        return np.full(size, self.value)

    def __repr__(self) -> str:
        return f"point_mass({self.value!r})"


def point_mass(c: float) -> PointMass:
    """The degenerate law X = ``c`` with probability 1 (see :class:`PointMass`).

    Parameters
    ----------
    c : float
        The point, finite.

    Returns
    -------
    PointMass
        Usable as the law of X given V = v returned by a scalar-mode :class:`Dependent` error.

    Raises
    ------
    TypeError
        ``c`` not a real number.
    ValueError
        ``c`` not finite.

    Examples
    --------
    The error of Kwa, Thomas & Garriga-Alonso (arXiv 2407.14503, §5.2 footnote): X ~ N(0, 4)
    when |V| <= 1, else X = 0:

    >>> from scipy import stats
    >>> from goodhart import Dependent
    >>> model = Dependent(V=stats.norm(), error=lambda v: stats.norm(0, 2) if abs(v) <= 1 else point_mass(0.0))
    >>> model.error_at(3.0)
    point_mass(0.0)
    """
    return PointMass(c)


# ----------------------------------------------------------------------------- dependent error
def _is_error_law(obj: Any) -> bool:
    return isinstance(obj, PointMass) or is_distribution(obj)


@dataclass(frozen=True)
class Dependent:
    """Proxy U = V + X where the law of the error X depends on the true utility V.

    Parameters
    ----------
    V : scipy frozen continuous distribution
        Law of the true utility.
    error : callable
        Scalar mode (default): ``error(v)`` returns the conditional law of X given V = v, a scipy
        frozen continuous distribution or :func:`point_mass` ``(c)``; it is called with a Python
        float, once per quadrature node (about 5,000 calls per threshold).
        Vectorised mode (``vectorized=True``): ``error(v)`` is called with a 1-D float ndarray of
        values of V and returns ONE scipy frozen continuous distribution whose parameters
        broadcast against that array, e.g. ``lambda v: stats.norm(0, 2 / (1 + np.abs(v)))``; its
        ``logsf``/``logcdf``/``logpdf``/``isf``/``ppf`` are evaluated elementwise at ``t - v``.
        :func:`point_mass` is not allowed in this mode (a degenerate error has no scipy law with
        array parameters; use scalar mode), nor are duck-typed laws (element laws are rebuilt from
        the frozen law's ``dist``, ``args`` and ``kwds``).  Parameters that scipy rejects
        (e.g. a scale that underflows to 0) make the law's functions NaN; the quadrature then
        raises ValueError naming ``error`` rather than treat NaN as zero weight.
    vectorized : bool, default False
        Selects the calling convention of ``error`` (above).  Both modes give the same numbers
        (same quadrature nodes, the same scipy formulas elementwise); the vectorised mode makes one
        ``error`` call per batch of nodes instead of one per node.

    Notes
    -----
    E[V | V + X >= t] = ∫ v f_V(v) P(X >= t - v | V = v) dv / ∫ f_V(v) P(X >= t - v | V = v) dv,
    the identity of Kwa & Thomas (2023, Appendix) with F̄_X replaced by the conditional
    survival function.  Example (paper §5.2 footnote): V ~ N(0, 1), X | V ~ N(0, 4) if |V| <= 1
    and X = 0 otherwise (scalar mode: the point mass needs it)::

        Dependent(V=stats.norm(), error=lambda v: stats.norm(0, 2) if abs(v) <= 1 else point_mass(0.0))

    A heteroscedastic normal error in vectorised mode::

        Dependent(V=stats.norm(), error=lambda v: stats.norm(0, 2 / (1 + np.abs(v))), vectorized=True)

    Any exception raised by ``error`` is reported as a TypeError naming ``error`` (with the value
    of v and the original exception), and a returned scipy law with invalid, non-finite or array
    parameters (scalar mode) as a ValueError / TypeError naming ``error``, so that a misbehaving
    callable never surfaces as a foreign exception or as NaN weights (docs/contract.md).

    Construction validates ``error``: scalar mode calls it at the quartiles and median of V;
    vectorised mode calls it on the array of those three points and on the median alone, and
    checks that the returned law is a frozen scipy continuous distribution with
    ``law.logsf(np.zeros(m)).shape == (m,)`` (otherwise TypeError naming ``error``).

    Raises
    ------
    TypeError
        ``V`` not a continuous law; ``error`` not a callable (or a distribution), failing, or
        returning something other than a law (see above); ``vectorized`` not a bool.
    ValueError
        ``V`` with non-finite quartiles; ``error`` returning a law with invalid parameters.

    Examples
    --------
    The heteroscedastic error above, in vectorised mode (one call of ``error`` per batch of
    quadrature nodes):

    >>> import numpy as np
    >>> from scipy import stats
    >>> from goodhart import Dependent, conditional_mean
    >>> model = Dependent(V=stats.norm(), error=lambda v: stats.norm(0, 2 / (1 + np.abs(v))), vectorized=True)
    >>> float(model.error_at(1.0).std())
    1.0
    >>> r = conditional_mean(model, t=3.0)
    >>> round(r.value, 6), bool(r.stderr < 1e-10)
    (0.800584, True)
    """

    V: Any
    error: Callable[[Any], Any]
    vectorized: bool = False

    def __post_init__(self) -> None:
        check_distribution("V", self.V)
        if not callable(self.error):
            raise TypeError(f"error: expected a callable v -> distribution, got {type(self.error).__name__}")
        if isinstance(self.error, type) or is_distribution(self.error):
            raise TypeError(
                "error: expected a callable v -> distribution of X given V = v, got a distribution; "
                "use lambda v: dist for an error independent of V"
            )
        if not isinstance(self.vectorized, (bool, np.bool_)):
            raise TypeError(f"vectorized: expected a bool, got {type(self.vectorized).__name__}")
        object.__setattr__(self, "vectorized", bool(self.vectorized))
        with np.errstate(all="ignore"):
            qs = [float(self.V.ppf(q)) for q in (0.25, 0.5, 0.75)]
        if not all(math.isfinite(q) for q in qs):
            raise ValueError(f"V: its quartiles must be finite, got {qs}")
        if self.vectorized:
            self.error_array(np.array(qs))
            self.error_array(np.array(qs[1:2]))
        else:
            for v in qs:
                self.error_at(v)

    def error_at(self, v: float) -> Any:
        """The law of X given V = ``v``, validated.

        In vectorised mode this calls ``error(np.array([v]))`` and returns the element law rebuilt
        with scalar parameters, so it can be used exactly like a scalar-mode law.
        """
        if self.vectorized:
            return self._element(self.error_array(np.array([float(v)])), 0, 1)
        try:
            law = self.error(float(v))
        except Exception as exc:  # the user's callable: any failure is reported as the argument's fault
            raise TypeError(f"error: calling error({float(v)!r}) failed: {type(exc).__name__}: {exc}") from exc
        if not _is_error_law(law):
            raise TypeError(
                f"error: error({float(v)!r}) must return a scipy frozen continuous distribution or "
                f"point_mass(c), got {type(law).__name__}"
            )
        if isinstance(law, stats.distributions.rv_frozen):
            checked = self.__dict__.setdefault("_checked", {})     # law objects already validated
            if checked.get(id(law)) is law:
                return law
            try:
                _check_frozen_parameters("error", law)
            except (TypeError, ValueError) as exc:
                raise type(exc)(f"error: the law returned by error({float(v)!r}): {str(exc)[7:]}") from None
            if len(checked) < 256:
                checked[id(law)] = law          # kept alive, so its id is not reused
        return law

    def error_array(self, v) -> Any:
        """Vectorised mode: the batch law of X given V = ``v`` for a 1-D array ``v``, validated.

        Returns one scipy frozen continuous distribution whose methods, evaluated at an array of
        shape ``v.shape``, act elementwise (checked: ``law.logsf(np.zeros(m)).shape == (m,)``).
        """
        if not self.vectorized:
            raise TypeError("error: error_array needs Dependent(..., vectorized=True); use error_at(v)")
        v = np.asarray(v, dtype=float).ravel()
        m = v.size
        try:
            law = self.error(v)
        except Exception as exc:  # the user's callable: any failure is reported as the argument's fault
            raise TypeError(f"error: calling error(v) on an array of {m} values failed: "
                            f"{type(exc).__name__}: {exc}") from exc
        if isinstance(law, PointMass):
            raise TypeError("error: point_mass is not allowed with vectorized=True; use the scalar mode")
        if not (isinstance(law, stats.distributions.rv_frozen) and is_distribution(law)):
            raise TypeError(
                "error: with vectorized=True, error(v) must return one scipy frozen continuous "
                f"distribution with parameters broadcasting against v, got {type(law).__name__}"
            )
        try:
            with np.errstate(all="ignore"):
                shape = np.shape(law.logsf(np.zeros(m)))
        except Exception as exc:
            raise TypeError(f"error: the law returned by error(v) does not broadcast against v of "
                            f"shape ({m},): {type(exc).__name__}: {exc}") from exc
        if shape != (m,):
            raise TypeError(f"error: the law returned by error(v) for v of shape ({m},) has batch shape "
                            f"{shape}; its parameters must broadcast to shape ({m},)")
        return law

    @staticmethod
    def _element(law: Any, idx, m: int) -> Any:
        """The scipy frozen law made of the entries ``idx`` (int or index array) of a batch law of
        batch size ``m`` (parameters broadcast to (m,) and indexed)."""
        def pick(a):
            return np.broadcast_to(np.asarray(a, dtype=float), (m,))[idx]
        args = [pick(a) for a in law.args]
        kwds = {k: pick(a) for k, a in law.kwds.items()}
        return law.dist(*args, **kwds)


# ----------------------------------------------------------------------------- registry
@dataclass(frozen=True)
class Family:
    """A named family of distributions with its right-tail class.

    Tail classes follow Kwa & Thomas (2023, §2.2) and Theorems 5/6 of the Appendix:

    - ``heavy``: lim_{x->inf} e^{λx} F̄(x) = inf for every λ > 0 (light = not heavy);
    - ``subexponential``: lim P(X1 + X2 > x) / P(X > x) = 2 (implies heavy);
    - ``thm6``: lim F̄(t+1)/F̄(t) = 0, the light-error hypothesis of Theorem 6 (``None`` when the
      support is bounded above so that the ratio is eventually 0/0);
    - ``finite_mean``: E[X] finite (for every parameter in ``params``' safe ranges).

    Each flag is derived in ``proofs/goodhart.py`` (SymPy limits of the survival function or,
    via L'Hôpital, of the density), and the ledger checks the registry against it.

    Attributes
    ----------
    name : str
        The registry key (``FAMILIES[name]``).
    make : callable
        ``make(**params)`` returns the scipy frozen law.
    params : dict
        Parameter name -> (low, high) safe range for tests and Hypothesis strategies.
    heavy, subexponential : bool
        The right-tail classes above.
    thm6 : bool or None
        Whether Theorem 6's hypothesis holds (None for a support bounded above).
    finite_mean : bool
        E[X] finite throughout the safe ranges.
    note : str
        The tail asymptotics behind the flags.

    Examples
    --------
    >>> from goodhart import FAMILIES
    >>> f = FAMILIES["lomax"]
    >>> f.heavy, f.subexponential, f.thm6, float(f.make(c=3.0).mean())
    (True, True, False, 0.5)
    """

    name: str
    make: Callable[..., Any]
    params: dict            # parameter name -> (low, high) safe range for tests / strategies
    heavy: bool
    subexponential: bool
    thm6: bool | None
    finite_mean: bool
    note: str = ""


FAMILIES: dict[str, Family] = {f.name: f for f in (
    Family("normal", lambda scale=1.0: stats.norm(0.0, scale), {"scale": (0.2, 5.0)},
           heavy=False, subexponential=False, thm6=True, finite_mean=True,
           note="F̄(t+1)/F̄(t) ~ e^{-t-1/2} -> 0"),
    Family("student_t", lambda df=3.0, scale=1.0: stats.t(df, 0.0, scale), {"df": (1.5, 30.0), "scale": (0.2, 5.0)},
           heavy=True, subexponential=True, thm6=False, finite_mean=True,
           note="F̄ ~ c x^-df (regularly varying); finite mean for df > 1 (the safe range)"),
    Family("lognormal", lambda sigma=1.0, scale=1.0: stats.lognorm(sigma, 0.0, scale), {"sigma": (0.2, 2.0), "scale": (0.2, 5.0)},
           heavy=True, subexponential=True, thm6=False, finite_mean=True),
    Family("lomax", lambda c=3.0, scale=1.0: stats.lomax(c, 0.0, scale), {"c": (1.5, 10.0), "scale": (0.2, 5.0)},
           heavy=True, subexponential=True, thm6=False, finite_mean=True,
           note="Pareto type II, F̄(x) = (1 + x/scale)^-c; finite mean for c > 1"),
    Family("pareto", lambda b=3.0, scale=1.0: stats.pareto(b, 0.0, scale), {"b": (1.5, 10.0), "scale": (0.2, 5.0)},
           heavy=True, subexponential=True, thm6=False, finite_mean=True,
           note="F̄(x) = (x/scale)^-b for x >= scale"),
    Family("exponential", lambda scale=1.0: stats.expon(0.0, scale), {"scale": (0.2, 5.0)},
           heavy=False, subexponential=False, thm6=False, finite_mean=True,
           note="F̄(t+1)/F̄(t) = e^{-1/scale}: light, yet outside Theorem 6"),
    Family("laplace", lambda scale=1.0: stats.laplace(0.0, scale), {"scale": (0.2, 5.0)},
           heavy=False, subexponential=False, thm6=False, finite_mean=True,
           note="exponential right tail: light, outside Theorem 6"),
    Family("levy", lambda scale=1.0: stats.levy(0.0, scale), {"scale": (0.2, 5.0)},
           heavy=True, subexponential=True, thm6=False, finite_mean=False,
           note="F̄ ~ sqrt(2 scale/π) x^-1/2; infinite mean"),
    Family("cauchy", lambda scale=1.0: stats.cauchy(0.0, scale), {"scale": (0.2, 5.0)},
           heavy=True, subexponential=True, thm6=False, finite_mean=False,
           note="F̄ ~ scale/(π x); mean undefined"),
    Family("weibull_heavy", lambda k=0.5, scale=1.0: stats.weibull_min(k, 0.0, scale), {"k": (0.3, 0.9), "scale": (0.2, 5.0)},
           heavy=True, subexponential=True, thm6=False, finite_mean=True,
           note="F̄ = exp(-(x/scale)^k), k < 1: heavy and subexponential"),
    Family("weibull_light", lambda k=2.0, scale=1.0: stats.weibull_min(k, 0.0, scale), {"k": (1.2, 4.0), "scale": (0.2, 5.0)},
           heavy=False, subexponential=False, thm6=True, finite_mean=True,
           note="F̄ = exp(-(x/scale)^k), k > 1: F̄(t+1)/F̄(t) -> 0"),
    Family("uniform", lambda scale=1.0: stats.uniform(-scale, 2 * scale), {"scale": (0.2, 5.0)},
           heavy=False, subexponential=False, thm6=None, finite_mean=True,
           note="bounded support [-scale, scale]: the Theorem 6 ratio is eventually 0/0"),
    Family("gumbel", lambda scale=1.0: stats.gumbel_r(0.0, scale), {"scale": (0.2, 5.0)},
           heavy=False, subexponential=False, thm6=False, finite_mean=True,
           note="F̄ ~ e^{-x/scale}: light, outside Theorem 6"),
)}


def family(name: str) -> Family:
    """The registered :class:`Family` called ``name`` (see ``FAMILIES``).

    Parameters
    ----------
    name : str
        One of ``sorted(FAMILIES)``: normal, student_t, lognormal, lomax, pareto, exponential,
        laplace, levy, cauchy, weibull_heavy, weibull_light, uniform, gumbel.

    Returns
    -------
    Family
        The family with its tail classes (Kwa & Thomas 2023, §2.2 and Theorems 5 and 6).

    Raises
    ------
    TypeError
        ``name`` not a string.
    ValueError
        ``name`` not registered.

    Examples
    --------
    The exponential law is light-tailed yet outside Theorem 6 (F̄(t+1)/F̄(t) = e^-1 does not
    tend to 0):

    >>> f = family("exponential")
    >>> f.heavy, f.thm6
    (False, False)
    """
    if not isinstance(name, str):
        raise TypeError(f"name: expected a family name (str), got {type(name).__name__}")
    if name not in FAMILIES:
        raise ValueError(f"name: unknown family {name!r}; known: {sorted(FAMILIES)}")
    return FAMILIES[name]
