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
    """Registered :class:`~goodhart.model.Family` objects filtered by tail class (each filter None
    or a bool; ValueError naming them when no family matches)."""
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
    V must have a finite mean (``finite_mean=True``), an error X may not."""
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
    (the shape of the example in Kwa, Thomas & Garriga-Alonso 2024, §5.2 footnote)."""
    s = draw(st.floats(0.5, 2.0))
    w = draw(st.floats(0.5, 3.0))
    c = draw(st.floats(0.5, 2.0))
    b = draw(st.floats(-1.0, 1.0))
    return Dependent(V=stats.norm(0.0, s), error=_SwitchedError(stats.norm(0.0, w), point_mass(b), c))
