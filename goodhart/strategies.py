"""Public Hypothesis strategies for goodhart property tests.

    from goodhart.strategies import distributions, dependent_models
    @given(V=distributions(heavy=False), X=distributions(heavy=True, finite_mean=True))
    def test_something(V, X): ...

Parameters are drawn inside the safe ranges recorded in ``goodhart.model.FAMILIES``.
"""

from __future__ import annotations

from tailpower._extras import require
from scipy import stats

from .model import FAMILIES, Dependent, point_mass

st = require("hypothesis.strategies", "strategies", "goodhart.strategies")  # or an error naming the extra

__all__ = ["families", "distributions", "dependent_models"]


def families(*, heavy: bool | None = None, thm6: bool | None = None, finite_mean: bool | None = None,
             bounded: bool | None = None) -> st.SearchStrategy:
    """Registered :class:`~goodhart.model.Family` objects filtered by tail class.

    The classes are those of Kwa & Thomas (2023, §2.2 and Theorems 5/6 of the Appendix), as
    recorded in ``goodhart.FAMILIES``.

    Parameters
    ----------
    heavy, thm6, finite_mean : bool or None
        Keep the families whose flag has this value (None: any).
    bounded : bool or None
        Keep the families whose support is (True) or is not (False) bounded above.

    Returns
    -------
    hypothesis.strategies.SearchStrategy
        Draws :class:`~goodhart.model.Family` objects.

    Raises
    ------
    TypeError
        A filter that is neither None nor a bool.
    ValueError
        No registered family has the requested class (the message names the four filters).

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5, database=None)
    ... @given(families(heavy=False, thm6=True))
    ... def test(f):
    ...     assert f.name in ("normal", "weibull_light")
    >>> test()
    """
    for name, val in (("heavy", heavy), ("thm6", thm6), ("finite_mean", finite_mean), ("bounded", bounded)):
        if val is not None and not isinstance(val, bool):
            raise TypeError(f"{name}: expected None or a bool, got {type(val).__name__}")
    chosen = [f for f in FAMILIES.values()
              if (heavy is None or f.heavy == heavy)
              and (thm6 is None or f.thm6 == thm6)
              and (finite_mean is None or f.finite_mean == finite_mean)
              and (bounded is None or (f.thm6 is None) == bounded)]
    if not chosen:
        raise ValueError(f"heavy, thm6, finite_mean, bounded: no registered family has the requested tail "
                         f"class (heavy={heavy}, thm6={thm6}, finite_mean={finite_mean}, bounded={bounded})")
    return st.sampled_from(chosen)


@st.composite
def _instance(draw, fam_strategy):
    fam = draw(fam_strategy)
    params = {name: draw(st.floats(lo, hi, allow_nan=False, allow_infinity=False))
              for name, (lo, hi) in fam.params.items()}
    return fam.make(**params)


def distributions(*, heavy: bool | None = None, thm6: bool | None = None,
                  finite_mean: bool | None = None, bounded: bool | None = None) -> st.SearchStrategy:
    """Frozen scipy distributions of the registered families, parameters in their safe ranges.

    Every draw is answered by goodhart's selection functions at ordinary thresholds; a true utility
    V must have a finite mean (``finite_mean=True``), an error X may not.

    Parameters
    ----------
    heavy, thm6, finite_mean, bounded : bool or None
        Filters on the family's tail class, as in :func:`families`.

    Returns
    -------
    hypothesis.strategies.SearchStrategy
        Draws scipy frozen continuous distributions.

    Raises
    ------
    TypeError
        A filter that is neither None nor a bool.
    ValueError
        No registered family has the requested class.

    Examples
    --------
    Selecting on the proxy never lowers the expected true utility when the error is independent:
    P(U >= t | V = v) = F̄_X(t - v) is nondecreasing in v, so E[V | U >= t] >= E[V] (Chebyshev's
    association inequality); Kwa & Thomas (2023, Theorem 5) show that it tends back to E[V] for
    heavy-tailed X:

    >>> from hypothesis import given, settings
    >>> from goodhart import conditional_mean
    >>> @settings(max_examples=3, database=None, deadline=None)
    ... @given(V=distributions(heavy=False, thm6=True), X=distributions(heavy=True, finite_mean=True))
    ... def test(V, X):
    ...     r = conditional_mean(V, X, 20.0)
    ...     assert r.value + r.stderr >= float(V.mean()) - 1e-9
    >>> test()
    """
    return _instance(families(heavy=heavy, thm6=thm6, finite_mean=finite_mean, bounded=bounded))


class _SwitchedError:
    """X | V = v is ``inner`` if |v| <= c, else ``outer`` (a picklable error callable)."""

    def __init__(self, inner, outer, c: float):
        self.inner, self.outer, self.c = inner, outer, c

    def __call__(self, v: float):
        return self.inner if abs(v) <= self.c else self.outer

    def __repr__(self) -> str:
        return f"lambda v: {self.inner!r} if abs(v) <= {self.c!r} else {self.outer!r}"


@st.composite
def dependent_models(draw) -> Dependent:
    """Dependent models V ~ N(0, s^2); X | V ~ N(0, w^2) if |V| <= c, else X = point mass at b
    (the shape of the example in Kwa, Thomas & Garriga-Alonso 2024, arXiv 2407.14503, §5.2
    footnote), with s in [0.5, 2], w in [0.5, 3], c in [0.5, 2], b in [-1, 1].

    Returns
    -------
    hypothesis.strategies.SearchStrategy
        Draws :class:`~goodhart.Dependent` models (scalar mode, picklable error callables).

    Raises
    ------
    TypeError
        When called with arguments (it takes none).

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=3, database=None)
    ... @given(dependent_models())
    ... def test(model):
    ...     assert model.error_at(10.0).var() == 0.0   # |V| > c: X is a point mass
    >>> test()
    """
    s = draw(st.floats(0.5, 2.0))
    w = draw(st.floats(0.5, 3.0))
    c = draw(st.floats(0.5, 2.0))
    b = draw(st.floats(-1.0, 1.0))
    return Dependent(V=stats.norm(0.0, s), error=_SwitchedError(stats.norm(0.0, w), point_mass(b), c))
