"""Support for the contract suite: a sandbox process, the contract assertion, input strategies.

The contract (docs/contract.md): every public function returns a finite, correct answer with an
honest error bound, or raises ValueError/TypeError whose message starts with the name of the
offending parameter; within the memory budget and a time limit; never overwriting user files.

Calls are Python source strings (``"gh.conditional_mean(stats.norm(), stats.norm(), t=1e4)"``), so a
failing example is printed as a line you can paste into a shell.  They run in a long-lived worker
process (``_worker.py``) whose address space is capped (RLIMIT_AS) at its size after the imports
plus ``CAP`` bytes, and which is killed and restarted when a call exceeds its time limit.  The
namespace of a call has ``np, stats, gh, ps, cp, tailpower, math``.
"""

from __future__ import annotations

import collections
import fnmatch
import json
import math
import os
import re
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterable

from hypothesis import strategies as st

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CAP = int(os.environ.get("TAILPOWER_CONTRACT_CAP", 2 << 30))   # 1 GiB budget + 1 GiB slack
TIMEOUT = float(os.environ.get("TAILPOWER_CONTRACT_TIMEOUT", 60.0))

#: calls made and contract failures seen in this process, by package (printed at the end)
COUNTS: collections.Counter = collections.Counter()


class Sandbox:
    """A worker process that runs calls under a memory cap; restarted after a hang or a crash."""

    def __init__(self, cap: int = CAP):
        self.cap = cap
        self.proc: subprocess.Popen | None = None
        self.reply = None

    def start(self) -> None:
        r, w = os.pipe()
        env = dict(os.environ, MALLOC_ARENA_MAX="2", OMP_NUM_THREADS="1", MPLBACKEND="Agg",
                   NUMBA_NUM_THREADS=os.environ.get("NUMBA_NUM_THREADS", "2"))
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "_worker.py"), "--cap", str(self.cap), "--reply", str(w)],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(w,), text=True, cwd=str(ROOT), env=env)
        os.close(w)
        self.reply = os.fdopen(r, "r")
        hello = self._read(300.0)
        if hello is None or hello.get("status") != "ready":
            self.stop()
            raise RuntimeError(f"contract sandbox did not start: {hello!r}")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None
        if self.reply is not None:
            self.reply.close()
            self.reply = None

    def _read(self, timeout: float) -> dict | None:
        ready, _, _ = select.select([self.reply], [], [], timeout)
        if not ready:
            return None
        line = self.reply.readline()
        return json.loads(line) if line else {"status": "eof"}

    def call(self, code: str, timeout: float = TIMEOUT) -> dict:
        """Run ``code`` in the sandbox; the outcome dict always has ``status`` and ``seconds``."""
        if self.proc is None or self.proc.poll() is not None:
            self.stop()
            self.start()
        t0 = time.perf_counter()
        try:
            self.proc.stdin.write(json.dumps({"code": code}) + "\n")
            self.proc.stdin.flush()
            ans = self._read(timeout)
        except (BrokenPipeError, OSError, ValueError):
            ans = None
        secs = time.perf_counter() - t0
        if ans is None or ans.get("status") == "eof":
            try:
                rc = self.proc.wait(timeout=10) if ans is not None else self.proc.poll()
            except subprocess.TimeoutExpired:
                rc = None
            self.stop()
            ans = {"status": "timeout", "limit": timeout} if rc is None else {"status": "died", "returncode": rc}
        ans["seconds"] = secs
        return ans


_SANDBOX: Sandbox | None = None


def sandbox() -> Sandbox:
    """The process-wide sandbox (started on first use, stopped at exit by the conftest)."""
    global _SANDBOX
    if _SANDBOX is None:
        _SANDBOX = Sandbox()
    return _SANDBOX


def shutdown() -> None:
    global _SANDBOX
    if _SANDBOX is not None:
        _SANDBOX.stop()
        _SANDBOX = None


# ----------------------------------------------------------------------------- the contract
_FOREIGN = ("NumbaError", "TypingError", "LinAlgError", "JSONDecodeError", "TOMLDecodeError",
            "UnicodeDecodeError", "UnicodeError")


def violation(out: dict, params: Iterable[str], allow_inf: Iterable[str] = ()) -> str | None:
    """Why ``out`` breaks the contract, or None if it keeps it.

    - raised: the exception must be a ValueError or TypeError (not one of numba's, nor a foreign
      ValueError such as LinAlgError), and the message must start with one of ``params`` (the name
      of the offending parameter, as in ``"t: must be finite"``);
    - returned: no NaN anywhere in the result; infinities only at paths matching ``allow_inf``
      (fnmatch patterns such as ``"stderr*"``), where the true answer is infinite;
    - died / timed out: always a violation.
    """
    status = out["status"]
    if status == "timeout":
        return f"no answer within {out['limit']:.0f} s (hang or unbounded work)"
    if status == "died":
        return f"the process died (return code {out.get('returncode')}; memory cap or a crash)"
    if status == "raised":
        mro = out["mro"]
        head = f"{out['type']}: {out['message'][:400]} (at {out.get('where')})"
        if not ({"ValueError", "TypeError"} & set(mro)) or any(f in mro for f in _FOREIGN):
            return "foreign exception " + head
        names = sorted(set(params), key=len, reverse=True)
        msg = out["message"].lstrip()
        if not any(re.match(rf"{re.escape(n)}(?![A-Za-z0-9_])", msg) for n in names):
            return f"the message does not start with a parameter name {sorted(set(params))}: " + head
        return None
    if out["nan"]:
        return f"NaN in the result at {out['nan']}: {out['summary']}"
    pats = list(allow_inf)
    bad = [p for p in out["inf"] if not any(fnmatch.fnmatch(p, q) for q in pats)]
    if bad:
        return f"infinity in the result at {bad}: {out['summary']}"
    return None


def check(code: str, params: Iterable[str], *, allow_inf: Iterable[str] = (), timeout: float = TIMEOUT,
          package: str | None = None) -> dict:
    """Run ``code`` in the sandbox and assert the contract; returns the outcome for further checks."""
    alias = {"gh": "goodhart", "ps": "powerseek", "cp": "cogpower"}
    heads = [alias[w] for w in re.findall(r"\b(gh|ps|cp)\.", code)]
    pkg = package or (heads[0] if heads else "other")
    out = sandbox().call(code, timeout=timeout)
    COUNTS[(pkg, "calls")] += 1
    why = violation(out, params, allow_inf)
    if why is not None:
        COUNTS[(pkg, "violations")] += 1
        raise AssertionError(f"contract broken by\n    {code}\n  {why}")
    return out


# ----------------------------------------------------------------------------- inputs as code
def float_code(x: float) -> str:
    """Source text for the float ``x`` (``float('nan')`` etc. for non-finite values)."""
    if math.isnan(x):
        return "float('nan')"
    if math.isinf(x):
        return "float('inf')" if x > 0 else "float('-inf')"
    return repr(float(x))


#: reals a careless or adversarial caller passes
EXTREME_REALS = ["0.0", "-0.0", "1.0", "-1.0", "5e-324", "1e-300", "1e-16", "1e16", "1e103", "1e308",
                 "-1e308", "float('inf')", "float('-inf')", "float('nan')"]
#: values of the wrong type
WRONG_TYPES = ["None", "'1.0'", "[1.0, 2.0]", "object()", "True", "1j", "{}"]
#: integers, huge and negative, and integral floats
EXTREME_INTS = ["0", "-1", "1", "2", "3", "10**6", "10**9", "10**12", "10**18", "2**63", "2**200",
                "1e6", "1.5", "float('nan')", "float('inf')"]


def reals(lo: float = -1e6, hi: float = 1e6) -> st.SearchStrategy[str]:
    """Source text of reals: ordinary ones in [lo, hi] and the extremes."""
    return st.one_of(st.sampled_from(EXTREME_REALS),
                     st.floats(lo, hi, allow_nan=False, allow_infinity=False).map(float_code))


def ints(lo: int = 0, hi: int = 1000) -> st.SearchStrategy[str]:
    """Source text of integers: ordinary ones in [lo, hi] and the extremes."""
    return st.one_of(st.sampled_from(EXTREME_INTS), st.integers(lo, hi).map(str))


def wrong_types() -> st.SearchStrategy[str]:
    return st.sampled_from(WRONG_TYPES)


def probabilities() -> st.SearchStrategy[str]:
    """Source text of probabilities, including 0, 1, the ends of double precision and outside [0, 1]."""
    return st.one_of(
        st.sampled_from(["0.0", "1.0", "5e-324", "1e-300", "1e-12", "0.5", "1 - 1e-12", "1 - 2**-53",
                         "-0.1", "1.1", "float('nan')", "float('inf')"]),
        st.floats(0, 1, exclude_min=True, exclude_max=True).map(float_code))


#: continuous laws: light, heavy, bounded, one-sided, infinite density at an end, no mean,
#: extreme location and scale
CONTINUOUS_LAWS = [
    "stats.norm()", "stats.norm(0, 2)", "stats.t(3)", "stats.t(1.5)", "stats.t(30)", "stats.cauchy()",
    "stats.levy()", "stats.lognorm(1)", "stats.lognorm(2)", "stats.lomax(3)", "stats.pareto(1.5)",
    "stats.expon()", "stats.laplace()", "stats.gumbel_r()", "stats.uniform()", "stats.uniform(-1, 2)",
    "stats.weibull_min(0.5)", "stats.weibull_min(4)", "stats.gamma(0.5)", "stats.chi2(1)",
    "stats.beta(0.5, 0.5)", "stats.beta(2, 5)", "stats.logistic()", "stats.genpareto(0.5)",
    "stats.norm(0, 1e-8)", "stats.norm(0, 1e8)", "stats.norm(1e12)", "stats.norm(-1e12)",
    "stats.t(3, 0, 1e-6)", "stats.expon(0, 1e6)", "stats.uniform(0, 1e-9)", "stats.levy_stable(1.5, 0)",
]
#: things passed where a continuous law is expected
NOT_CONTINUOUS = ["stats.poisson(3)", "stats.bernoulli(0.5)", "stats.norm", "stats.randint(0, 5)",
                  "None", "1.0", "'norm'", "[stats.norm()]", "gh.point_mass(0.0)"]


def continuous_laws() -> st.SearchStrategy[str]:
    return st.sampled_from(CONTINUOUS_LAWS)


def any_laws() -> st.SearchStrategy[str]:
    """Continuous laws (mostly) and things that are not continuous laws."""
    return st.one_of(st.sampled_from(CONTINUOUS_LAWS), st.sampled_from(NOT_CONTINUOUS))


def call_code(fn: str, *args: str, **kwargs: str) -> str:
    """``fn(args..., key=value...)`` from source texts."""
    parts = list(args) + [f"{k}={v}" for k, v in kwargs.items()]
    return f"{fn}({', '.join(parts)})"
