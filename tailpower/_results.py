"""One way for every result object to print itself and become plain data.

:class:`ResultMixin` is a base class for the frozen result dataclasses of all packages. It adds

- ``str(result)``: ``value ± stderr (method, samples)`` -- e.g. ``0.8364 ± 0.0012 (mc, 10000
  samples)`` -- from whichever of those fields the class has; arrays are summarised (their size
  and range); a result without an error prints its value alone;
- ``result.to_dict()``: the fields as plain Python data (floats, ints, bools, strings, None,
  lists, nested dicts); numpy scalars and arrays are converted, non-finite floats stay the floats
  ``inf``/``nan`` (never strings), nested dataclasses become dicts.

``repr`` stays the dataclass's (every field, for debugging). A class names its fields through
class attributes when they differ from the defaults (``_value_field = "value"``,
``_error_field = "stderr"``).
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from typing import Any

import numpy as np

__all__ = ["ResultMixin", "plain", "format_value"]


def plain(obj: Any) -> Any:
    """``obj`` as plain Python data (see the module docstring).

    Parameters
    ----------
    obj : object
        A number, array, sequence, mapping, dataclass, callable or anything else.

    Returns
    -------
    object
        Python scalars (``bool``, ``int``, ``float``, ``complex``, ``str``, ``None``) unchanged;
        numpy scalars as the Python scalar; arrays, tuples and lists as lists; mappings as dicts
        (keys as strings); dataclasses as dicts of their fields; functions as their qualified
        name; anything else (an exact SymPy expression, a Fraction) as its ``str``, so that
        nothing exact is rounded.

    Raises
    ------
    RecursionError
        Only for self-containing structures, which results never are.

    Examples
    --------
    >>> import numpy as np
    >>> plain({"x": np.float64(0.5), "y": np.array([1.0, np.inf]), "n": np.int64(3)})
    {'x': 0.5, 'y': [1.0, inf], 'n': 3}
    """
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if hasattr(obj, "to_dict") and callable(obj.to_dict) and not isinstance(obj, type):
        return obj.to_dict()
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, np.ndarray):
        return plain(obj.tolist())
    if isinstance(obj, np.generic):
        return plain(obj.item())
    if isinstance(obj, (int, float, complex)):
        return obj
    if isinstance(obj, dict):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain(v) for v in obj]
    if callable(obj):
        name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
        module = getattr(obj, "__module__", None)
        if name:
            return f"{module}.{name}" if module else name
    return str(obj)


def format_value(value: float, error: float | None = None) -> str:
    """``value`` rounded to its ``error`` (two significant digits of the error), or to 6 digits.

    Parameters
    ----------
    value : float
        The number to print.
    error : float or None
        Its standard error or error bound; None, 0 or non-finite prints ``value`` alone.

    Returns
    -------
    str
        ``"0.8364 ± 0.0012"``; ``"0.5"`` without a positive finite error.

    Raises
    ------
    TypeError
        If ``value`` or ``error`` is not a real number.

    Examples
    --------
    >>> format_value(0.836412, 0.00123)
    '0.8364 ± 0.0012'
    >>> format_value(12345.6, 234.0)
    '12350 ± 230'
    >>> format_value(4.0, 1.6e-15)
    '4.0 ± 1.6e-15'
    >>> format_value(float("inf"), 0.0)
    'inf'
    """
    v = float(value)
    e = None if error is None else float(error)
    if e is None or not (math.isfinite(e) and e > 0) or not math.isfinite(v):
        text = f"{v:.6g}"
        return text if e is None or e == 0 or not math.isfinite(v) else f"{text} ± {e:.2g}"
    if e < 1e-12 * abs(v):  # below rounding of the digits that matter: the shortest repr
        return f"{v!r} ± {e:.1e}"
    decimals = 1 - math.floor(math.log10(e))  # two significant digits of the error
    big = max(abs(v), e)
    if 0 <= decimals and big >= 1e-4 and decimals + math.floor(math.log10(big)) < 17:  # <= 17 digits
        return f"{v:.{decimals}f} ± {e:.{decimals}f}"
    if decimals < 0 and abs(v) < 1e15:
        return f"{round(v, decimals):.0f} ± {round(e, decimals):.0f}"
    if v == 0:
        return f"0 ± {e:.1e}"
    digits = min(16, max(1, math.floor(math.log10(abs(v))) + decimals))  # mantissa digits after the point
    return f"{v:.{digits}e} ± {e:.1e}"


def _summary(value: np.ndarray, error: Any) -> str:
    """A short summary of an array of values (with their errors where given)."""
    v = np.asarray(value, dtype=float).ravel()
    e = None if error is None else np.broadcast_to(np.asarray(error, dtype=float), np.shape(value)).ravel()
    if v.size <= 4:
        items = [format_value(x, None if e is None else y) for x, y in zip(v, e if e is not None else v)]
        return "[" + ", ".join(items) + "]"
    finite = v[np.isfinite(v)]
    text = f"{v.size} values"
    if finite.size:
        text += f" in [{finite.min():.4g}, {finite.max():.4g}]"
    if finite.size < v.size:
        text += f" ({v.size - finite.size} non-finite)"
    if e is not None and np.any(np.isfinite(e)):
        text += f", stderr <= {np.nanmax(np.where(np.isfinite(e), e, np.nan)):.2g}"
    return text


class ResultMixin:
    """Base class of frozen result dataclasses: ``str`` as ``value ± stderr (method, samples)``
    and ``to_dict()`` (plain Python data).

    A class without the value field (``_value_field``, default ``"value"``) prints as its repr;
    one whose value is None but which has a ``log_value`` prints ``exp(log_value)``.

    Parameters
    ----------
    None
        The mixin has no fields of its own; the dataclass inheriting it has them. A subclass whose
        value or error field has another name sets ``_value_field`` / ``_error_field``.

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class Mean(ResultMixin):
    ...     value: float
    ...     stderr: float
    ...     method: str
    ...     samples: int
    >>> r = Mean(0.836412, 0.00123, "mc", 10000)
    >>> print(r)
    0.8364 ± 0.0012 (mc, 10000 samples)
    >>> r.to_dict()
    {'value': 0.836412, 'stderr': 0.00123, 'method': 'mc', 'samples': 10000}
    """

    __slots__ = ()
    _value_field = "value"
    _error_field = "stderr"

    def to_dict(self) -> dict[str, Any]:
        """The fields as plain Python data (numpy converted, non-finite floats kept as floats).

        Returns
        -------
        dict
            ``{field name: plain(value)}`` in field order.
        """
        return {f.name: plain(getattr(self, f.name)) for f in dataclasses.fields(self)}

    def _value_text(self) -> str:
        value = getattr(self, self._value_field, None)
        error = getattr(self, self._error_field, None)
        if value is None and getattr(self, "log_value", None) is not None:
            return f"exp({float(self.log_value):.10g})" + ("" if error is None else f" (error {float(error):.2g} in log)")
        if isinstance(value, np.ndarray) or isinstance(error, np.ndarray):
            return _summary(value, error)
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            return format_value(value, error if isinstance(error, numbers.Real) else None)
        return str(value)

    def __str__(self) -> str:
        if not hasattr(self, self._value_field):  # nothing to lead with: every field, as repr
            return repr(self)
        text = self._value_text()
        tags = []
        method = getattr(self, "method", None)
        if method:
            tags.append(str(method))
        samples = getattr(self, "samples", None)
        if isinstance(samples, numbers.Integral) and samples > 0:
            tags.append(f"{int(samples)} samples")
        return f"{text} ({', '.join(tags)})" if tags else text
