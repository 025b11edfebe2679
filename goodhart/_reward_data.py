"""The reward arrays of the paper's §6 and users' own reward files (private; the public names are
``goodhart.load_rewards`` and ``goodhart.REWARD_DATASETS``).

Kwa, Thomas & Garriga-Alonso (arXiv 2407.14503, §6) published the Starling-RM-7B-alpha rewards
of random token sequences and of Llama-2-7b-chat generations; they ship as package data (see
goodhart/data/PROVENANCE.md). A user's ``.npy`` file is only read, after its header has been
checked against the memory budget.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import numpy as np

from tailpower._common import check_memory

__all__ = ["REWARD_DATASETS", "load_rewards"]

REWARD_DATASETS = {
    "random": "random_starling_reward_values.npy",
    "llama": "llama_starling_reward_values.npy",
}


def _user_file(path) -> Path:
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path: expected a file path (str or os.PathLike), got {type(path).__name__}")
    p = Path(path)
    try:
        exists, is_file = p.exists(), p.is_file()
    except (OSError, ValueError) as exc:
        raise ValueError(f"path: cannot use {str(p)!r} as a file path: {exc}") from None
    if not exists:
        raise ValueError(f"path: no such file {str(p)!r}")
    if not is_file:
        raise ValueError(f"path: {str(p)!r} is not a regular file")
    return p


def _read_npy(p: Path, where: str) -> np.ndarray:
    """The 1-D numeric array in the .npy file ``p``; the header is read first so that the memory
    budget is checked before the data are."""
    try:
        head = np.load(p, mmap_mode="r", allow_pickle=False)
    except Exception as exc:  # noqa: BLE001 - any unreadable file
        raise ValueError(f"{where} cannot be read as a .npy array: {exc}") from None
    if not isinstance(head, np.ndarray):  # an .npz archive
        close = getattr(head, "close", None)
        if close is not None:
            close()
        raise ValueError(f"{where} must hold one 1-D numeric array (a .npy file), got {type(head).__name__}")
    shape, dtype = head.shape, head.dtype
    if len(shape) != 1 or dtype.kind not in "iuf":
        raise ValueError(f"{where} must hold a 1-D array of real numbers, got shape {shape} and dtype {dtype}")
    check_memory("path" if where.startswith("path") else "name", 16.0 * shape[0], f"loading {shape[0]} values")
    arr = np.array(head, dtype=np.float64)
    del head
    return arr


def load_rewards(name: str = "random", *, path=None) -> np.ndarray:
    """Reward values as a 1-D float64 array.

    The two reward arrays of Kwa, Thomas & Garriga-Alonso (arXiv 2407.14503, §6), package data
    from the paper's public experiment repository (see goodhart/data/PROVENANCE.md), or a user's
    own file.

    Parameters
    ----------
    name : {"random", "llama"}
        ``"random"``: Starling-RM-7B-alpha rewards of 30,000 uniformly random length-1024 token
        sequences; ``"llama"``: of 16,000 Llama-2-7b-chat generations.
    path : str or os.PathLike, optional
        A user's own ``.npy`` file instead (``name`` is then ignored), which must hold a 1-D
        array of finite real numbers; the file is only read.

    Returns
    -------
    ndarray of float64
        The rewards.

    Raises
    ------
    TypeError
        ``name`` not a string; ``path`` not a file path.
    ValueError
        ``name`` unknown; ``path`` missing, not a regular file, not a 1-D real ``.npy`` array or
        holding non-finite values; an array above the memory budget (``BudgetError``, a
        ValueError naming ``path`` or ``name``).

    Examples
    --------
    >>> r = load_rewards("llama")
    >>> r.shape, r.dtype
    ((16000,), dtype('float64'))
    """
    if path is not None:
        p = _user_file(path)
        where = f"path: {str(p)!r}"
        arr = _read_npy(p, where)
    else:
        if not isinstance(name, str):
            raise TypeError(f"name: expected one of {sorted(REWARD_DATASETS)}, got {type(name).__name__}")
        if name not in REWARD_DATASETS:
            raise ValueError(f"name: must be one of {sorted(REWARD_DATASETS)}, got {name!r}")
        where = f"name: {name!r}"
        ref = resources.files("goodhart").joinpath("data", REWARD_DATASETS[name])
        with resources.as_file(ref) as f:
            arr = _read_npy(Path(f), where)
    bad = int(np.count_nonzero(~np.isfinite(arr)))
    if bad:
        raise ValueError(f"{where} holds {bad} non-finite values")
    return arr
