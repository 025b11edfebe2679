"""A sweep killed with SIGKILL mid-run resumes to the same final file: nothing lost or duplicated.

The sweep runs in a subprocess (`tailpower sweep SPEC --workers 2`, its own process group). Once
some records are on disk, the whole group -- runner and pool workers -- gets SIGKILL, as when a
node dies. A torn half line is then appended, as a kill in the middle of a write leaves it. The
rerun must compute only the missing points and end with a file byte-identical to an
uninterrupted run.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from tailpower.sweep import load_results, run_sweep

TOY = textwrap.dedent(
    '''
    import time
    import numpy as np

    def slow(a, b, rng, delay):
        g = np.random.default_rng(rng)
        time.sleep(delay)
        return {"value": a + b * g.standard_normal(), "u": g.random()}
    '''
)

SPEC = textwrap.dedent(
    '''
    function = "resume_toy_fn.py:slow"
    results = "results.jsonl"
    seed = 99
    [fixed]
    delay = 0.25
    [grid]
    a = [0, 1, 2, 3, 4, 5]
    b = [0.5, 1.0, 2.0, 4.0, 8.0]
    '''
)
N_POINTS = 30


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True) if path.exists() else []


def test_resume_after_sigkill_loses_and_duplicates_nothing(tmp_path):
    (tmp_path / "resume_toy_fn.py").write_text(TOY)
    spec_path = tmp_path / "spec.toml"
    spec_path.write_text(SPEC)
    results = tmp_path / "results.jsonl"
    cli = [sys.executable, "-c", "import sys; from tailpower.cli import main; sys.exit(main())"]
    proc = subprocess.Popen(
        [*cli, "sweep", str(spec_path), "--workers", "2"],
        start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while len(_lines(results)) < 1 + 6:  # header + at least 6 records
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the sweep wrote no records within 60 s"
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == -signal.SIGKILL

    killed = load_results(results)
    n_done = len(killed)
    print(f"killed after {n_done} of {N_POINTS} records")
    assert 6 <= n_done < N_POINTS, f"kill came too late to test anything ({n_done} records)"
    with open(results, "ab") as fh:  # a write torn by the kill
        fh.write(_lines(results)[-1][:40])
    assert load_results(results) == killed

    # resume: only the missing points are computed
    submitted = []

    class Counting(cf.ThreadPoolExecutor):
        def submit(self, fn, *args, **kw):
            submitted.append(args[1])
            return super().submit(fn, *args, **kw)

    resumed = run_sweep(spec_path, Counting(6))
    assert len(submitted) == N_POINTS - n_done
    assert {json.dumps(p, sort_keys=True) for p in submitted}.isdisjoint(
        {json.dumps(r["params"], sort_keys=True) for r in killed}
    )
    for r in killed:  # records written before the kill are kept unchanged
        assert r in resumed

    # an uninterrupted run of the same spec gives the same records and the same bytes
    fresh = run_sweep(spec_path, cf.ThreadPoolExecutor(8), results=tmp_path / "fresh.jsonl")
    keys = [r["key"] for r in resumed]
    assert len(keys) == len(set(keys)) == N_POINTS
    assert resumed == fresh
    assert results.read_bytes() == (tmp_path / "fresh.jsonl").read_bytes()
    assert len(_lines(results)) == 1 + N_POINTS
