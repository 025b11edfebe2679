"""Canonical JSON, point keys and point seeds: what makes a sweep's records independent of
scheduling (see :mod:`tailpower.sweep`, "Determinism")."""

from __future__ import annotations

import hashlib
import json
import math
import numbers
import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from .._common import check_int

__all__ = ["dumps", "plain_json", "point_key", "point_seed"]

MAX_DEPTH = 64  # nesting of lists/tables in a spec or a point (deeper input is refused)
_HEX_KEY = re.compile(r"[0-9a-fA-F]{1,64}")


def dumps(obj: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, strict (no NaN/inf literals), ASCII."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False, ensure_ascii=True)


def plain_json(where: str, value: Any, depth: int = 0) -> Any:
    """``value`` as plain JSON data (tuples -> lists, numpy numbers -> Python numbers), or a
    ValueError/TypeError naming the offending entry (``"grid.alpha[2]: must be finite, got nan"``).

    Spec values are hashed and stored as strict JSON, so only finite numbers, strings, booleans,
    ``None``, lists and string-keyed tables are allowed.
    """
    if depth > MAX_DEPTH:
        raise ValueError(f"{where}: nested more than {MAX_DEPTH} levels deep")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        x = float(value)
        if not math.isfinite(x):
            raise ValueError(f"{where}: must be finite (the spec is stored as strict JSON), got {x}")
        return x
    if isinstance(value, (list, tuple)):
        return [plain_json(f"{where}[{i}]", v, depth + 1) for i, v in enumerate(value)]
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"{where}: table keys must be strings, got {k!r}")
            out[k] = plain_json(f"{where}.{k}", v, depth + 1)
        return out
    raise TypeError(
        f"{where}: expected a number, string, boolean, list or table, got {type(value).__name__}"
    )


def point_key(params: Mapping[str, Any]) -> str:
    """Stable key of a parameter point: 16 hex digits of SHA-256 of its canonical JSON.

    Parameters
    ----------
    params : mapping
        ``{name: value}`` of one point (numbers, strings, booleans, None, lists and tables).

    Returns
    -------
    str
        16 lowercase hex digits; equal points (whatever their key order) have equal keys.

    Raises
    ------
    TypeError, ValueError
        Naming ``params`` if it is not a table of finite JSON values with string keys.

    Examples
    --------
    >>> point_key({"alpha": 0.5, "n": 10}) == point_key({"n": 10, "alpha": 0.5})
    True
    >>> len(point_key({"alpha": 0.5}))
    16
    """
    if not isinstance(params, Mapping):
        raise TypeError(f"params: expected a mapping of parameter names to values, got {type(params).__name__}")
    return hashlib.sha256(dumps(plain_json("params", params)).encode()).hexdigest()[:16]


def point_seed(seed: int, key: str) -> int:
    """The seed a point's function receives: from ``SeedSequence(seed, spawn_key=key words)``.

    Depends only on the spec seed and the point key, so results do not depend on scheduling.

    Parameters
    ----------
    seed : int
        The spec's root seed, ``>= 0``.
    key : str
        A point key (:func:`point_key`): hexadecimal digits.

    Returns
    -------
    int
        A 63-bit non-negative seed (usable by ``numpy.random.default_rng``).

    Raises
    ------
    TypeError
        ``seed`` not an integer; ``key`` not a string.
    ValueError
        ``seed`` negative; ``key`` not 1 to 64 hex digits.

    Examples
    --------
    >>> key = point_key({"alpha": 0.5})
    >>> point_seed(0, key) == point_seed(0, key) != point_seed(1, key)
    True
    >>> 0 <= point_seed(0, key) < 2**63
    True
    """
    seed = check_int("seed", seed, minimum=0)
    if not isinstance(key, str):
        raise TypeError(f"key: expected a point key (a string of hex digits), got {type(key).__name__}")
    if not _HEX_KEY.fullmatch(key):
        raise ValueError(f"key: expected a point key of 1 to 64 hex digits, got {key[:80]!r}")
    words = tuple(int(key[i : i + 8], 16) for i in range(0, len(key), 8))
    state = np.random.SeedSequence(seed, spawn_key=words).generate_state(2, np.uint32)
    return (int(state[0]) << 31) | (int(state[1]) >> 1)  # 63 bits, a valid non-negative seed
