"""tailpower.sweep on a real dask.distributed LocalCluster (2 worker processes).

The workers are separate processes started by distributed: the swept function (a file outside
any package) must be loaded there by path, arguments and results travel pickled through the
scheduler, and the final records and file must be identical to a local ProcessPoolExecutor run.
"""

from __future__ import annotations

import textwrap

import distributed  # the test extra installs dask[distributed]: a missing install fails, not skips
import pytest

from tailpower.sweep import load_results, run_sweep

TOY = textwrap.dedent(
    '''
    import os
    import numpy as np

    def toy(a, b, rng):
        g = np.random.default_rng(rng)
        return {"value": a * b + g.standard_normal(), "draws": g.random(4), "pid": 0 * os.getpid()}

    def pid(a, rng):
        return {"pid": os.getpid()}
    '''
)


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as c:
        yield c


def test_dask_distributed_sweep_equals_local_run(client, tmp_path):
    (tmp_path / "dask_toy_fn.py").write_text(TOY)
    spec = {
        "function": f"{tmp_path / 'dask_toy_fn.py'}:toy",
        "seed": 2024,
        "grid": {"a": [0.5, 1.0, 2.0, 4.0]},
        "search": {"n": 6, "params": {"b": {"normal": [0.0, 1.0]}}},
    }
    local = run_sweep(spec, workers=2, results=tmp_path / "local.jsonl")
    on_dask = run_sweep(spec, client.get_executor(), results=tmp_path / "dask.jsonl")
    assert len(local) == 24 and on_dask == local
    assert (tmp_path / "dask.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()

    # a sweep started locally and finished on the cluster gives the same file too
    lines = (tmp_path / "local.jsonl").read_bytes().splitlines(keepends=True)
    (tmp_path / "mixed.jsonl").write_bytes(b"".join(lines[:10]))  # header + 9 records
    assert run_sweep(spec, client.get_executor(), results=tmp_path / "mixed.jsonl") == local
    assert (tmp_path / "mixed.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()


def test_dask_distributed_points_run_on_the_workers(client, tmp_path):
    (tmp_path / "dask_pid_fn.py").write_text(TOY)
    spec = {"function": f"{tmp_path / 'dask_pid_fn.py'}:pid", "grid": {"a": list(range(12))}}
    recs = run_sweep(spec, client.get_executor(), results=tmp_path / "pid.jsonl")
    worker_pids = set(client.run(lambda: __import__("os").getpid()).values())
    pids = {r["result"]["pid"] for r in recs}
    assert pids <= worker_pids and len(recs) == 12
    assert load_results(tmp_path / "pid.jsonl") == recs


@pytest.mark.parametrize("name", ["goodhart", "powerseek", "cogpower"])
def test_dask_distributed_runs_the_examples(client, tmp_path, name):
    """The three example sweeps (shrunk) give the same records on the cluster as locally."""
    import concurrent.futures as cf
    import importlib.util
    from pathlib import Path

    helper = Path(__file__).with_name("test_sweep_examples.py")
    spec_ = importlib.util.spec_from_file_location("_sweep_examples_helper", helper)
    mod = importlib.util.module_from_spec(spec_)
    spec_.loader.exec_module(mod)
    spec = mod.small_spec(name, tmp_path / "local.jsonl")
    local = run_sweep(spec, cf.ThreadPoolExecutor(2))
    on_dask = run_sweep(spec, client.get_executor(), results=tmp_path / "dask.jsonl")
    assert on_dask == local and not any("error" in r for r in local)
    assert (tmp_path / "dask.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
