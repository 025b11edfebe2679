"""Infrastructure shared by goodhart, powerseek and cogpower.

Only plumbing lives here -- random-number handling, result objects, figure output and progress
bars -- never science. The three science packages import this module and never each other.

Randomness: every public stochastic function takes ``rng`` as a
``numpy.random.Generator``, an ``int`` seed, a ``SeedSequence`` or ``None`` (SciPy SPEC 7).
Numba kernels never touch hidden global state that depends on the thread schedule: the work is
cut into chunks whose boundaries depend only on the problem size, each chunk gets its own seed
drawn from the caller's generator, and the kernel seeds inside the chunk. The output is then
bit-identical for a given seed at any ``NUMBA_NUM_THREADS``.
"""

from __future__ import annotations

import json
import math
import numbers
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

import numpy as np

from ._results import ResultMixin

__all__ = [
    "BudgetError",
    "memory_budget",
    "set_memory_budget",
    "check_memory",
    "format_bytes",
    "Estimate",
    "as_generator",
    "chunk_seeds",
    "check_positive",
    "check_int",
    "progress",
    "show_progress",
    "save_figure",
    "figure_options",
    "jsonable",
]

RNGLike = np.random.Generator | np.random.SeedSequence | int | None


def as_generator(rng: RNGLike) -> np.random.Generator:
    """Coerce ``rng`` to a ``numpy.random.Generator`` (SPEC 7).

    ``None`` gives fresh OS entropy; an ``int`` or ``SeedSequence`` seeds a new PCG64 generator; a
    ``Generator`` is used as is (and advanced).

    Parameters
    ----------
    rng : numpy.random.Generator, SeedSequence, int >= 0 or None
        The randomness every stochastic function of the toolkit takes.

    Returns
    -------
    numpy.random.Generator
        ``rng`` itself when it is one, else a new generator.

    Raises
    ------
    TypeError
        ``rng`` of another type (a bool, a float, a string, a legacy ``RandomState``).
    ValueError
        ``rng`` a negative integer.

    Examples
    --------
    >>> from tailpower._common import as_generator
    >>> as_generator(0).integers(0, 100, 3)   # the same numbers as numpy.random.default_rng(0)
    array([85, 63, 51])
    >>> g = as_generator(1)
    >>> as_generator(g) is g
    True
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, np.random.SeedSequence):
        return np.random.default_rng(rng)
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"rng: an integer seed must be >= 0, got {rng}")
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"rng: expected a numpy.random.Generator, SeedSequence, non-negative int or None, "
        f"got {type(rng).__name__}"
    )


def chunk_seeds(rng: RNGLike, n_chunks: int) -> np.ndarray:
    """One independent 63-bit seed per work chunk, drawn from ``rng``.

    Chunk boundaries must depend on the problem size only (never on the thread count); then a
    kernel that seeds at the start of each chunk is reproducible at any ``NUMBA_NUM_THREADS``.
    """
    gen = as_generator(rng)
    return gen.integers(1, 2**63 - 1, size=int(n_chunks), dtype=np.int64)


def check_positive(name: str, value: Any, *, allow_inf: bool = False, strict: bool = True) -> float:
    """Return ``value`` as a float, raising ValueError naming ``name`` unless it is > 0 (>= 0 if
    not ``strict``) and finite (or +inf when ``allow_inf``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected a real number, got {type(value).__name__}")
    try:
        x = float(value)
    except OverflowError:  # an integer beyond the float range
        raise ValueError(f"{name}: must be at most {np.finfo(float).max:.4g}, got an integer of "
                         f"{int(value).bit_length()} bits") from None
    if math.isnan(x):
        raise ValueError(f"{name}: must be a number, got nan")
    if math.isinf(x) and not (allow_inf and x > 0):
        raise ValueError(f"{name}: must be finite, got {x}")
    if (strict and not x > 0) or (not strict and x < 0):
        bound = "> 0" if strict else ">= 0"
        raise ValueError(f"{name}: must be {bound}, got {value!r}")
    return x


def check_int(name: str, value: Any, *, minimum: int = 1) -> int:
    """Return ``value`` as an int, raising ValueError naming ``name`` unless it is an integer
    (a float with integral value is accepted, e.g. ``1e6``) and ``>= minimum``."""
    if isinstance(value, bool):
        raise TypeError(f"{name}: expected an integer, got bool")
    if isinstance(value, numbers.Integral):
        k = int(value)
    elif isinstance(value, numbers.Real) and math.isfinite(value) and float(value).is_integer():
        k = int(value)
    else:
        raise (TypeError if not isinstance(value, numbers.Real) else ValueError)(
            f"{name}: expected an integer >= {minimum}, got {value!r}"
        )
    if k < minimum:
        raise ValueError(f"{name}: must be an integer >= {minimum}, got {value!r}")
    return k


# ----------------------------------------------------------------------------- resource budget
_GIB = 1 << 30
_UNITS = {"": 1, "b": 1, "k": 1 << 10, "kb": 10**3, "kib": 1 << 10, "m": 1 << 20, "mb": 10**6,
          "mib": 1 << 20, "g": _GIB, "gb": 10**9, "gib": _GIB, "t": 1 << 40, "tb": 10**12, "tib": 1 << 40}


class BudgetError(ValueError):
    """A call would need more memory (or more iterations) than the budget allows.

    A ``ValueError`` (the input is outside what can be answered within the budget), so code that
    handles bad input handles it too.  The message names the parameter that drives the cost,
    how much was needed and the budget; ``needed`` and ``budget`` hold the two numbers (bytes for
    memory).

    Parameters
    ----------
    message : str
        Starts with the parameter's name (``"n: ..."``).
    parameter : str
        That parameter's name.
    needed, budget : float
        What the call would need and what the budget allows.

    Examples
    --------
    >>> import tailpower
    >>> try:
    ...     tailpower.check_memory("n", 2.0**31, "an array of n doubles")
    ... except tailpower.BudgetError as exc:
    ...     print(exc.parameter, exc.needed > exc.budget, isinstance(exc, ValueError))
    n True True
    """

    def __init__(self, message: str, *, parameter: str, needed: float, budget: float):
        super().__init__(message)
        self.parameter = parameter
        self.needed = needed
        self.budget = budget


def format_bytes(n: float) -> str:
    """``n`` bytes as a short human-readable string (``"1.5 GiB"``).

    Parameters
    ----------
    n : float
        A number of bytes (binary units: 1 KiB = 1024 bytes, three significant digits).

    Returns
    -------
    str
        ``"10 B"``, ``"1.5 KiB"``, ..., up to TiB.

    Raises
    ------
    TypeError, ValueError
        ``n`` that ``float()`` cannot convert (the message is ``float()``'s own).

    Examples
    --------
    >>> format_bytes(1536), format_bytes(3 * 2**30), format_bytes(10)
    ('1.5 KiB', '3 GiB', '10 B')
    """
    n = float(n)
    for unit, size in (("TiB", 1 << 40), ("GiB", _GIB), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if abs(n) >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n:.0f} B"


def _parse_bytes(name: str, value: Any) -> int:
    if isinstance(value, str):
        text = value.strip().lower().replace(" ", "")
        num = text.rstrip("abcdefghijklmnopqrstuvwxyz")
        unit = text[len(num):]
        if unit not in _UNITS or not num:
            raise ValueError(f"{name}: expected a number of bytes such as 1073741824 or '2GiB', got {value!r}")
        try:
            value = float(num) * _UNITS[unit]
        except ValueError:
            raise ValueError(f"{name}: expected a number of bytes such as 1073741824 or '2GiB', got {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected a number of bytes (int) or a string such as '2GiB', got {type(value).__name__}")
    x = float(value)
    if not (math.isfinite(x) and x >= 1 << 20):
        raise ValueError(f"{name}: the memory budget must be a finite number of bytes >= 1 MiB, got {value!r}")
    return int(x)


_memory_budget = _parse_bytes("TAILPOWER_MEMORY_BUDGET", os.environ.get("TAILPOWER_MEMORY_BUDGET", _GIB))


def memory_budget() -> int:
    """The memory budget in bytes: the most any single call of the toolkit may allocate.

    Default 1 GiB; set it with :func:`set_memory_budget` or the environment variable
    ``TAILPOWER_MEMORY_BUDGET`` (bytes, or a string such as ``"4GiB"``).  A call that would need
    more streams its work in pieces where it can and otherwise raises :class:`BudgetError` before
    allocating.

    Returns
    -------
    int
        The budget in bytes (at least 1 MiB).

    Raises
    ------
    None
        Reading the budget cannot fail; an invalid ``TAILPOWER_MEMORY_BUDGET`` is refused when
        ``tailpower`` is imported (ValueError naming the variable).

    Examples
    --------
    >>> import tailpower
    >>> with tailpower.set_memory_budget("2GiB"):
    ...     tailpower.memory_budget()
    2147483648
    """
    return _memory_budget


@contextmanager
def _restore_budget(old: int) -> Iterator[int]:
    try:
        yield _memory_budget
    finally:
        set_memory_budget(old)


def set_memory_budget(nbytes: int | float | str):
    """Set the memory budget; the returned context manager restores the previous one.

    Parameters
    ----------
    nbytes : int, float or str
        Bytes, or a string such as ``"4GiB"``, ``"256MiB"`` or ``"2GB"``; at least 1 MiB.

    Returns
    -------
    context manager
        Restores the previous budget on exit, so both ``set_memory_budget("4GiB")`` (from now
        on) and ``with set_memory_budget("256MiB"): ...`` (only inside the block) work.

    Raises
    ------
    ValueError, TypeError
        Naming ``nbytes``: not a number of bytes, or below 1 MiB, or not finite.

    Examples
    --------
    >>> import tailpower
    >>> with tailpower.set_memory_budget("256MiB"):
    ...     tailpower.format_bytes(tailpower.memory_budget())
    '256 MiB'
    """
    global _memory_budget
    old = _memory_budget
    _memory_budget = _parse_bytes("nbytes", nbytes)
    return _restore_budget(old)


def check_memory(parameter: str, nbytes: float, what: str = "this call") -> None:
    """Raise :class:`BudgetError` naming ``parameter`` if ``nbytes`` exceeds the memory budget.

    Call it before allocating, with an estimate of the peak the allocation implies.

    Parameters
    ----------
    parameter : str
        The caller's parameter that drives the cost (the message starts with it).
    nbytes : float
        The estimated peak in bytes; NaN or infinite counts as above the budget.
    what : str
        What needs the memory, for the message.

    Returns
    -------
    None

    Raises
    ------
    BudgetError
        A ValueError, when ``nbytes`` exceeds :func:`memory_budget` (or is not finite).
    TypeError, ValueError
        ``nbytes`` that ``float()`` cannot convert.

    Examples
    --------
    >>> import tailpower
    >>> tailpower.check_memory("n", 8.0 * 10**6, "an array of n doubles")   # 8 MB: silent
    >>> tailpower.check_memory("n", 8.0 * 10**12, "an array of n doubles")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    tailpower._common.BudgetError: n: an array of n doubles needs about 7.28 TiB, above the memory budget of ...
    """
    need = float(nbytes)
    if not need <= _memory_budget:  # also catches nan/inf estimates
        raise BudgetError(
            f"{parameter}: {what} needs about {format_bytes(need)}, above the memory budget of "
            f"{format_bytes(_memory_budget)}; reduce {parameter} or raise the budget with "
            f"tailpower.set_memory_budget(...)",
            parameter=parameter, needed=need, budget=_memory_budget)


@dataclass(frozen=True)
class Estimate(ResultMixin):
    """A number with its uncertainty and provenance.

    Attributes
    ----------
    value : float
        The estimate.
    stderr : float
        Monte Carlo standard error, or an error bound for deterministic methods (0.0 if exact).
    method : str
        Which method produced it ("quad", "exact_mc", "mc", "closed", ...).
    samples : int
        Number of random samples used (0 for deterministic methods).

    Examples
    --------
    >>> from tailpower._common import Estimate
    >>> est = Estimate(0.836412, 0.00123, "mc", 10000)
    >>> print(est)
    0.8364 ± 0.0012 (mc, 10000 samples)
    >>> est.to_dict()
    {'value': 0.836412, 'stderr': 0.00123, 'method': 'mc', 'samples': 10000}
    >>> float(Estimate(0.5, 0.0, "closed"))
    0.5
    """

    value: float
    stderr: float
    method: str
    samples: int = 0

    def __float__(self) -> float:
        return float(self.value)


# ----------------------------------------------------------------------------- progress bars
_PROGRESS = False


@contextmanager
def show_progress(enabled: bool = True) -> Iterator[None]:
    """Within this context long loops show a tqdm bar (the CLI turns it on; libraries stay quiet)."""
    global _PROGRESS
    old, _PROGRESS = _PROGRESS, enabled
    try:
        yield
    finally:
        _PROGRESS = old


def progress(iterable: Iterable, *, total: int | None = None, desc: str | None = None) -> Iterable:
    """Wrap ``iterable`` in a tqdm bar when progress display is on, else return it unchanged."""
    if not _PROGRESS:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=desc, leave=False)


# ----------------------------------------------------------------------------- figures
def jsonable(obj: Any) -> Any:
    """Convert numpy scalars/arrays and non-finite floats into strict JSON values.

    Non-finite floats become the strings "inf", "-inf" and "nan" (strict JSON has no such numbers).
    """
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, (np.bool_, bool)):
        return bool(obj)
    if isinstance(obj, numbers.Integral):
        return int(obj)
    if isinstance(obj, numbers.Real):
        x = float(obj)
        if math.isfinite(x):
            return x
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    if isinstance(obj, Path):
        return str(obj)
    return obj


def _own_sidecar(path: Path, name: str) -> bool:
    """True if ``path`` is a figure sidecar this toolkit wrote for figure ``name``."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(1 << 20)
        data = json.loads(head.decode("utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("figure") == name


def _replace_atomically(path: Path, write) -> None:
    """Write through ``write(tmp_path)`` to a private temporary file next to ``path``, then rename."""
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a figure gets the usual permissions
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


FIGURE_FORMATS = ("png", "pdf", "svg")
_FIGURE_OPTIONS: dict[str, Any] = {"format": "png", "dpi": 110, "seed": None}


def _check_format(name: str, value: Any) -> str:
    if not isinstance(value, str) or value.lower() not in FIGURE_FORMATS:
        raise ValueError(f"{name}: must be one of {', '.join(FIGURE_FORMATS)}, got {value!r}")
    return value.lower()


def _check_dpi(name: str, value: Any) -> int:
    dpi = check_int(name, value, minimum=10)
    if dpi > 2400:
        raise ValueError(f"{name}: must be an integer from 10 to 2400, got {value!r}")
    return dpi


@contextmanager
def figure_options(*, format: str = "png", dpi: int = 110, seed: int | None = None) -> Iterator[None]:
    """Within this context :func:`save_figure` writes ``format`` at ``dpi`` and records ``seed``.

    The command line sets it from ``--format``, ``--dpi`` and ``--seed``.

    Parameters
    ----------
    format : {"png", "pdf", "svg"}
        Image format (case-insensitive).
    dpi : int
        Resolution in dots per inch, 10 to 2400 (PDF and SVG use it for embedded rasters).
    seed : int or None
        The base seed the figures' random streams were derived from, recorded in every sidecar.

    Returns
    -------
    context manager
        Restores the previous options on exit.

    Raises
    ------
    ValueError, TypeError
        Naming ``format``, ``dpi`` or ``seed`` when out of range or of the wrong type.

    Examples
    --------
    >>> from tailpower._common import figure_options
    >>> with figure_options(format="pdf", dpi=300, seed=0):
    ...     pass
    """
    global _FIGURE_OPTIONS
    if seed is not None:
        seed = check_int("seed", seed, minimum=0)
    new = {"format": _check_format("format", format), "dpi": _check_dpi("dpi", dpi), "seed": seed}
    old, _FIGURE_OPTIONS = _FIGURE_OPTIONS, new
    try:
        yield
    finally:
        _FIGURE_OPTIONS = old


def _caller() -> str:
    """``module:function`` of the figure function that called :func:`save_figure`."""
    import sys

    frame = sys._getframe(2)
    return f"{frame.f_globals.get('__name__', '?')}:{frame.f_code.co_name}"


def save_figure(fig, out_dir: str | Path, name: str, sidecar: dict[str, Any], *,
                format: str | None = None, dpi: int | None = None) -> list[Path]:
    """Write ``fig`` as ``out_dir/name.<format>`` and ``sidecar`` as ``out_dir/name.json``.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure; it is closed afterwards.
    out_dir : str or Path
        Output directory (created if missing).
    name : str
        File stem, the figure's registered name.
    sidecar : dict
        The parameters, the plotted numbers and the source's stated numbers where there are some.
    format, dpi : optional
        ``"png"``, ``"pdf"`` or ``"svg"`` and the resolution (10 to 2400); default: those of the
        enclosing :func:`figure_options` context, else PNG at 110 dpi.

    Returns
    -------
    list of Path
        The image and the sidecar.

    Raises
    ------
    ValueError
        ``out_dir`` when a file there is not this toolkit's output for ``name``; ``format`` or
        ``dpi`` out of range.

    Notes
    -----
    The sidecar always records ``seed`` (the figure's own, else the base seed of the enclosing
    :func:`figure_options`, else null for a figure drawn from a caller's generator), ``source``
    (the figure's citation, else the code that drew it), ``code`` (``module:function``),
    ``tailpower_version``, ``format`` and ``dpi``.

    Existing files are replaced only when they are this toolkit's own output for the same figure
    (the sidecar names it); anything else at those paths is left alone and ``out_dir`` is refused
    with a ValueError. Both files are written to temporary names and renamed into place, so an
    interrupted run never leaves a half-written figure.

    Examples
    --------
    >>> import json, tempfile
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [0, 2])
    >>> out = tempfile.mkdtemp()
    >>> with figure_options(format="svg", seed=0):
    ...     paths = save_figure(fig, out, "my_line", {"slope": 2.0})
    >>> [p.name for p in paths]
    ['my_line.svg', 'my_line.json']
    >>> json.loads(paths[1].read_text())["seed"]
    0
    """
    import matplotlib.pyplot as plt

    from . import __version__

    try:
        fmt = _check_format("format", _FIGURE_OPTIONS["format"] if format is None else format)
        dots = _check_dpi("dpi", _FIGURE_OPTIONS["dpi"] if dpi is None else dpi)
        out = Path(out_dir)
        img, js = out / f"{name}.{fmt}", out / f"{name}.json"
        code = _caller()
        meta = {"figure": name, **sidecar}
        meta.setdefault("seed", _FIGURE_OPTIONS["seed"])
        meta.setdefault("source", code)
        meta.update(code=code, tailpower_version=__version__, format=fmt, dpi=dots)
        if _FIGURE_OPTIONS["seed"] is not None:
            meta["base_seed"] = _FIGURE_OPTIONS["seed"]
        out.mkdir(parents=True, exist_ok=True)
        for p in (img, js):
            if (p.exists() or p.is_symlink()) and not p.is_file():
                raise ValueError(f"out_dir: {p} exists and is not a regular file; not replacing it")
        if (img.exists() or js.exists()) and not _own_sidecar(js, name):
            raise ValueError(
                f"out_dir: {img.name} or {js.name} in {out} was not written by tailpower for the figure "
                f"{name!r} (no matching sidecar); not overwriting it -- choose another output directory")
        payload = json.dumps(jsonable(meta), indent=1, allow_nan=False)
        # fixed metadata: the same figure and seed give the same bytes (no creation date)
        md = {"pdf": {"CreationDate": None}, "svg": {"Date": None}}.get(fmt)
        _replace_atomically(img, lambda tmp: fig.savefig(tmp, dpi=dots, bbox_inches="tight", format=fmt,
                                                          metadata=md))
        _replace_atomically(js, lambda tmp: Path(tmp).write_text(payload))
    finally:
        plt.close(fig)
    return [img, js]
