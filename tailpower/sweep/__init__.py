"""Parameter sweeps and counterexample searches over pure functions of the toolkit.

A *sweep* evaluates one pure function ``f(**params, **fixed, rng=seed)`` at many parameter points
and streams one JSON record per point into an append-only results file. It runs on any
``concurrent.futures.Executor``: local processes by default, a Dask cluster through
``distributed.Client(address).get_executor()``, or threads. Killing the run (even with SIGKILL)
loses only the points in flight; rerunning the same spec skips every finished point.

The spec (a TOML file or a dict)::

    function = "goodhart:conditional_mean"   # "package.module:function" or "file.py:function"
    results  = "results/run.jsonl"           # relative to the spec file; default <spec>.jsonl
    seed     = 0                             # root of every per-point seed
    seed_arg = "rng"                         # keyword the per-point seed is passed as; false: none
    errors   = "raise"                       # or "record": an exception becomes an error record

    [fixed]                                  # keyword arguments shared by every point
    samples = 10000

    [grid]                                   # cartesian product of the value lists
    alpha = [0.5, 1.0, 2.0]
    gamma = {linspace = [0.1, 0.9, 9]}       # also geomspace = [a, b, n], range = [start, stop, step]

    [search]                                 # random or adaptive search (optional)
    kind = "random"                          # "random": n points; "adaptive": n points per round
    n = 200
    [search.params]
    sd = {loguniform = [0.01, 10.0]}         # uniform, loguniform, normal = [mu, sd],
    k  = {integers = [2, 9]}                 # integers = [lo, hi] (inclusive), choice = [...]

A random search combined with a grid evaluates every random draw at every grid point. An adaptive
search (``kind = "adaptive"``, with ``rounds``, ``objective`` -- a field of the result --,
``goal = "min" | "max"``, ``keep`` and ``shrink``) is a seeded cross-entropy-style search: round 0
draws ``n`` points from the priors; round ``r`` perturbs the best ``keep`` fraction of all earlier
points with steps shrinking like ``shrink**r``. Round ``r`` depends only on the records of rounds
``< r``, so it too is reproducible and resumable.


Determinism
-----------
Each point's *key* is the first 16 hex digits of the SHA-256 of the canonical JSON of its
parameters, and its seed is drawn from ``SeedSequence(seed, spawn_key=key)``. A point's result
therefore depends only on the spec and the point -- never on the executor, the worker count or the
order in which points finish. When a sweep completes, the results file is rewritten atomically in
canonical form (header, then records sorted by key), so the same spec gives a byte-identical file
whether it ran in one go, locally, on Dask, or was killed and resumed.

Results file
------------
JSON lines. Line 1 is a header ``{"tailpower_sweep": 1, "spec_hash": ..., "spec": ...}``; the
hash covers everything that determines the records (function, fixed, grid, search, seed, seed_arg,
errors -- not the results path). Each further line is ``{"key", "params", "seed", "round",
"result"}`` or, with ``errors = "record"``, ``{"key", "params", "seed", "round", "error"}``. Every
line is flushed and fsynced as its point finishes; a half-written last line left by a kill is
ignored by :func:`load_results` and cut away before a rerun appends. Results are converted to JSON
in the worker: a dataclass (e.g. :class:`tailpower._common.Estimate`) or mapping becomes an object,
a scalar becomes ``{"value": x}``; numpy arrays become lists and non-finite floats the strings
``"inf"``, ``"-inf"``, ``"nan"`` (as :func:`tailpower._common.jsonable`). Floats are written with
``repr``, which round-trips exactly. ``load_results(path, as_frame=True)`` gives a pandas DataFrame
with real NaN and infinities, and :func:`write_parquet` writes the records as a Parquet file (both
need the ``frames`` extra: ``pip install 'tailpower[frames]'``).

Nothing a user owns is overwritten (docs/contract.md, item 4): a results path that holds anything
but this spec's own results file -- a text file, binary data, the results of a different spec or
of a newer format, a directory -- is refused with a ``ValueError`` naming ``results`` before it is
opened for writing, and the final rewrite goes through a temporary file of its own.

Limits
------
A spec is validated key by key (errors name the key: ``grid.alpha.linspace[2]: ...``). A sweep whose
points and records would not fit in the memory budget (``tailpower.set_memory_budget``; about
1.2 KB per point) is refused with :class:`tailpower.BudgetError` naming ``grid`` or ``search.n``
when the spec is loaded, before any point exists; so is a single ``linspace``/``range`` too long to
hold. Reading a results file needs about 8 times its size and is refused above the budget.

The package is split along its seams: :mod:`~tailpower.sweep.spec` (reading and validating specs),
:mod:`~tailpower.sweep.search` (grid, random and adaptive points), :mod:`~tailpower.sweep.store`
(the results file), :mod:`~tailpower.sweep.run` (executors and workers) and
:mod:`~tailpower.sweep.command` (the ``tailpower sweep`` command, shared with the examples).
"""

from .command import run_example
from .keys import point_key, point_seed
from .run import run_sweep
from .search import points
from .spec import SweepSpec, load_spec
from .frames import to_frame, write_parquet
from .store import FORMAT_VERSION, load_results, table

__all__ = ["SweepSpec", "load_spec", "points", "run_sweep", "load_results", "table", "run_example",
           "point_key", "point_seed", "FORMAT_VERSION", "to_frame", "write_parquet"]
