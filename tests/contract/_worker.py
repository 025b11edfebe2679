"""The sandbox process of the contract suite (started by ``contract_support.Sandbox``).

It imports the toolkit, warms the numba kernels, then caps its own address space (RLIMIT_AS) at
what it uses after the imports plus ``--cap`` bytes, and serves requests: one JSON line per call on
stdin, ``{"code": "<python expression or statements setting result>"}``, answered by one JSON line
on the file descriptor given by ``--reply`` (stdout is sent to stderr so library prints cannot
corrupt the protocol).  Each answer classifies the outcome:

- ``{"status": "ok", "nan": [...], "inf": [...], "summary": "..."}``: the call returned; ``nan`` and
  ``inf`` list the paths (``value``, ``stderr[3]``, ``['l_sw']`` ...) of non-finite numbers in it;
- ``{"status": "raised", "type": ..., "mro": [...], "message": ..., "where": ...}``: it raised.

A call that exceeds the time limit or kills the process gets no answer; the parent restarts it.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import numbers
import os
import resource
import sys
import traceback
import warnings


def _vm_size() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _walk(obj, path: str, out: dict, depth: int = 0) -> None:
    """Collect the paths of NaN and infinite numbers anywhere in ``obj`` (results, arrays, dicts)."""
    import numpy as np

    if depth > 6 or len(out["nan"]) + len(out["inf"]) > 20:
        return
    if isinstance(obj, (bool, np.bool_)) or obj is None or isinstance(obj, (str, bytes)):
        return
    if isinstance(obj, numbers.Number) and not isinstance(obj, numbers.Complex | numbers.Real):
        return
    if isinstance(obj, complex | np.complexfloating):
        for part, val in (("real", obj.real), ("imag", obj.imag)):
            _walk(float(val), f"{path}.{part}", out, depth + 1)
        return
    if isinstance(obj, numbers.Integral):  # exact integers are finite, however large
        return
    if isinstance(obj, numbers.Real):
        x = float(obj)
        if math.isnan(x):
            out["nan"].append(path or "result")
        elif math.isinf(x):
            out["inf"].append(path or "result")
        return
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind in "fc":
            bad = np.argwhere(np.isnan(obj))
            if bad.size:
                out["nan"].append(f"{path}[{','.join(map(str, bad[0]))}]")
            bad = np.argwhere(np.isinf(obj))
            if bad.size:
                out["inf"].append(f"{path}[{','.join(map(str, bad[0]))}]")
        elif obj.dtype == object:
            for i, v in enumerate(obj.ravel()[:200]):
                _walk(v, f"{path}[{i}]", out, depth + 1)
        return
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            _walk(getattr(obj, f.name), f"{path}.{f.name}" if path else f.name, out, depth + 1)
        return
    if isinstance(obj, dict):
        for k, v in list(obj.items())[:200]:
            _walk(v, f"{path}[{k!r}]", out, depth + 1)
        return
    if isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj[:200]):
            _walk(v, f"{path}[{i}]", out, depth + 1)
        return
    # Other objects (figures, MDPs, generators of results ...): not inspected.


def _plain(obj, depth: int = 0):
    """A small JSON-able copy of a result (numbers as floats, non-finite as strings), for checks of
    values in the parent; large or unknown objects become their (short) repr."""
    import numpy as np

    if depth > 4:
        return "..."
    if isinstance(obj, (bool, np.bool_)) or obj is None or isinstance(obj, str):
        return obj if not isinstance(obj, np.bool_) else bool(obj)
    if isinstance(obj, numbers.Integral):
        return int(obj) if abs(int(obj)) < 1 << 64 else f"<int of {int(obj).bit_length()} bits>"
    if isinstance(obj, numbers.Real):
        x = float(obj)
        return x if math.isfinite(x) else repr(x)
    if isinstance(obj, np.ndarray) and obj.size <= 256 and obj.dtype.kind in "biuf":
        return [_plain(v, depth + 1) for v in obj.ravel().tolist()]
    if isinstance(obj, (list, tuple)) and len(obj) <= 256:
        return [_plain(v, depth + 1) for v in obj]
    if isinstance(obj, dict) and len(obj) <= 256:
        return {str(k): _plain(v, depth + 1) for k, v in obj.items()}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _plain(getattr(obj, f.name), depth + 1) for f in dataclasses.fields(obj)}
    return repr(obj)[:200]


def _namespace() -> dict:
    import numpy as np
    from scipy import stats

    import cogpower as cp
    import goodhart as gh
    import powerseek as ps
    import tailpower

    return {"np": np, "stats": stats, "gh": gh, "ps": ps, "cp": cp, "tailpower": tailpower,
            "math": math}


def _run(code: str, ns: dict):
    try:
        compiled = compile(code, "<contract call>", "eval")
    except SyntaxError:
        local = dict(ns)
        exec(compile(code, "<contract call>", "exec"), local)
        return local.get("result")
    return eval(compiled, dict(ns))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cap", type=int, required=True, help="bytes allowed above the size after imports")
    ap.add_argument("--reply", type=int, required=True, help="file descriptor for the answers")
    args = ap.parse_args()
    reply = os.fdopen(args.reply, "w", buffering=1)
    sys.stdout = sys.stderr
    warnings.simplefilter("ignore")

    ns = _namespace()
    for pkg in ("cogpower", "goodhart", "powerseek"):
        warm = getattr(__import__(f"{pkg}._kernels", fromlist=["warmup"]), "warmup", None)
        if warm is not None:
            warm()
    base = _vm_size()
    limit = base + args.cap
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    reply.write(json.dumps({"status": "ready", "base": base, "limit": limit}) + "\n")

    for line in sys.stdin:
        req = json.loads(line)
        try:
            result = _run(req["code"], ns)
        except BaseException as exc:  # noqa: BLE001 -- classifying every exception is the point
            tb = traceback.extract_tb(exc.__traceback__)
            where = f"{tb[-1].filename}:{tb[-1].lineno}" if tb else ""
            ans = {"status": "raised", "type": type(exc).__name__,
                   "mro": [c.__name__ for c in type(exc).__mro__], "message": str(exc)[:2000],
                   "where": where}
            del exc
        else:
            found = {"nan": [], "inf": []}
            try:
                _walk(result, "", found)
                summary = repr(result)[:300]
                found["value"] = _plain(result)
            except BaseException as exc:  # noqa: BLE001 -- a result that cannot be inspected
                found["nan"].append(f"<inspection failed: {type(exc).__name__}: {exc}>")
                summary = "<unprintable>"
            ans = {"status": "ok", "summary": summary, **found}
            del result
        try:
            line = json.dumps(ans)
        except (TypeError, ValueError) as exc:  # an answer that cannot be encoded is reported, not lost
            line = json.dumps({"status": "ok", "nan": [f"<reply not encodable: {exc}>"], "inf": [],
                               "summary": "<unencodable>"})
        reply.write(line + "\n")


if __name__ == "__main__":
    main()
