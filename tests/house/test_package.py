"""The distribution as users get it: version, markers, metadata, the light core without its
extras, the command line's package features, and the goodhart/proofs name clash."""

from __future__ import annotations

import importlib
import json
import math
import re
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

import tailpower
from tailpower import _extras
from tailpower.cli import benchmarks_dir, figure_registry, ledger_areas, main

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("tailpower", "goodhart", "powerseek", "cogpower", "proofs")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def run_python(code: str, *, cwd: Path = ROOT, pythonpath: str | None = None, timeout: float = 240):
    """Run ``code`` in a fresh interpreter; returns the completed process (text)."""
    env = {k: v for k, v in __import__("os").environ.items() if k != "PYTHONPATH"}
    env.update(MPLBACKEND="Agg", NUMBA_NUM_THREADS="1")
    if pythonpath is not None:
        env["PYTHONPATH"] = pythonpath
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


# ----------------------------------------------------------------------------- metadata
def test_every_package_has_the_one_version_and_a_py_typed_marker(capsys):
    from importlib.metadata import version

    assert re.fullmatch(r"\d+\.\d+\.\d+", tailpower.__version__)
    assert version("tailpower") == tailpower.__version__
    for name in PACKAGES:
        pkg = importlib.import_module(name)
        assert pkg.__version__ == tailpower.__version__, name
        assert (Path(pkg.__file__).parent / "py.typed").is_file(), name
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0 and capsys.readouterr().out.strip() == f"tailpower {tailpower.__version__}"


def test_license_citation_and_metadata_are_consistent():
    project = PYPROJECT["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert project["authors"] and any(c.startswith("Typing :: Typed") for c in project["classifiers"])
    cff = (ROOT / "CITATION.cff").read_text()
    assert re.search(r"^cff-version: 1\.2\.0$", cff, re.M) and re.search(r"^license: MIT$", cff, re.M)
    assert re.search(rf'^version: "{re.escape(tailpower.__version__)}"$', cff, re.M)
    for title in ("Optimal Policies Tend to Seek Power", "Parametrically Retargetable Decision-Makers",
                  "Catastrophic Goodhart"):
        assert title in cff


def test_the_core_needs_none_of_the_optional_packages():
    core = " ".join(PYPROJECT["project"]["dependencies"])
    extras = PYPROJECT["project"]["optional-dependencies"]
    for extra, modules in _extras.EXTRAS.items():
        for module in modules:
            assert module not in core, f"{module} is in the core dependencies"
            assert any(module in d for d in extras[extra]), f"extra {extra} does not install {module}"
    # make test installs every feature: the test extra pulls in all, and all every feature extra
    assert any("tailpower[all]" in d for d in extras["test"])
    assert set(_extras.EXTRAS) <= set(re.findall(r"\w+", extras["all"][0].split("[")[1]))


# ----------------------------------------------------------------------------- the light core
LIGHT_CORE = """
import importlib.abc, json, sys
BLOCKED = {"matplotlib", "sympy", "flint", "hypothesis", "pandas", "pyarrow", "distributed", "dask"}

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)

sys.meta_path.insert(0, Block())
out = {}
import numpy as np
from scipy import stats
import cogpower, goodhart, powerseek, proofs, tailpower, tailpower.sweep, proofs.ledger  # the core
out["loaded"] = sorted(m for m in BLOCKED if m in sys.modules)
out["critical_power"] = cogpower.critical_power(alpha=0.5)
out["conditional"] = goodhart.conditional_mean(stats.norm(), stats.norm(), t=1.0).value
out["rewards"] = int(goodhart.load_rewards("llama").size)
for module in ("goodhart.strategies", "powerseek.strategies", "cogpower.strategies", "proofs.goodhart"):
    try:
        importlib.import_module(module)
        out[module] = "imported"
    except ModuleNotFoundError as exc:
        out[module] = str(exc)
try:
    powerseek.symbolic_power(powerseek.examples.turner_fig1(), "star")
except ModuleNotFoundError as exc:
    out["powerseek.symbolic_power"] = str(exc)
try:
    tailpower.sweep.to_frame([])
except ModuleNotFoundError as exc:
    out["frame"] = str(exc)
from tailpower.cli import main
for argv in (["figures", "cogpower_mean_vs_power", "--quick"], ["claims", "--area", "cogpower"],
             ["sweep", "examples/cogpower.toml", "--scheduler", "local"], ["figures", "--list"]):
    try:
        out[argv[0] + str(len(argv))] = main(argv)
    except SystemExit as exc:
        out[argv[0] + str(len(argv))] = exc.code
print(json.dumps(out))
"""


def test_the_light_core_works_and_every_missing_extra_is_named():
    proc = run_python(LIGHT_CORE)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["loaded"] == []
    assert out["critical_power"] == 2.0 and out["rewards"] == 16_000
    # normal/normal: E[V | V + X >= 1] = (1/sqrt 2) phi(1/sqrt 2)/Phi-bar(1/sqrt 2)
    from scipy import stats

    z = 2**-0.5
    assert abs(out["conditional"] - z * stats.norm.pdf(z) / stats.norm.sf(z)) < 1e-9
    for module, extra in (("goodhart.strategies", "strategies"), ("powerseek.strategies", "strategies"),
                          ("cogpower.strategies", "strategies"), ("proofs.goodhart", "symbolic"),
                          ("powerseek.symbolic_power", "symbolic")):
        assert f"install the '{extra}' extra: pip install 'tailpower[{extra}]'" in out[module], out[module]
    assert "'frames' extra" in out["frame"]
    assert out["figures3"] == 2 and out["claims3"] == 2 and out["sweep4"] == 2  # usage errors
    assert out["figures2"] == 0  # --list needs no matplotlib
    err = proc.stderr
    for extra in ("plot", "symbolic", "distributed"):
        assert f"pip install 'tailpower[{extra}]'" in err, err[-2000:]
    assert "Traceback" not in err


# ----------------------------------------------------------------------------- the name clash
DECOY = """
import importlib.util, json, sys
from pathlib import Path
out = {}
import goodhart
out["first"] = goodhart.__file__                      # the decoy: it comes first on sys.path
from tailpower.cli import main
for argv in (["figures", "--list"], ["claims", "--area", "goodhart"]):
    try:
        main(argv)
    except SystemExit as exc:
        out[argv[0]] = exc.code
# ours, loaded by the distribution's own path, works beside the decoy
from tailpower._extras import own_root
for name in ("goodhart", "proofs"):
    sys.modules.pop(name, None)
    init = own_root() / name / "__init__.py"
    spec = importlib.util.spec_from_file_location(name, init, submodule_search_locations=[str(init.parent)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
import proofs.goodhart_kl
goodhart = sys.modules["goodhart"]
out["ours"] = goodhart.__file__
out["value"] = goodhart.bon_kl(4)
out["limit"] = float(proofs.goodhart_kl.exponent1_limit())
print(json.dumps(out))
"""


def test_a_foreign_goodhart_is_refused_by_the_cli_and_ours_works_beside_it(tmp_path):
    for name in ("goodhart", "proofs"):  # stand-ins for the unrelated distributions of those names
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text(f'"""Another distribution\'s {name}."""\nDECOY = True\n')
    proc = run_python(DECOY, cwd=tmp_path, pythonpath=str(tmp_path))
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["first"].startswith(str(tmp_path))
    assert out["figures"] == 2 and out["claims"] == 2
    assert "goodhart: 'import goodhart' loads the package at" in proc.stderr
    assert "another distribution named 'goodhart'" in proc.stderr and "Traceback" not in proc.stderr
    assert out["ours"] == str(_extras.own_root() / "goodhart" / "__init__.py")
    assert abs(out["limit"] - 1.5) < 1e-12  # c nu/(nu - 1) for t(3), through our proofs and goodhart
    assert abs(out["value"] - (math.log(4) - 3 / 4)) < 1e-12  # KL of best-of-4: log N - (N - 1)/N


def test_our_packages_never_import_themselves_by_their_clashing_names():
    """goodhart's modules use relative imports only, so a goodhart loaded by its own path never
    pulls in another distribution's; proofs imports goodhart on purpose (it checks it)."""
    import ast

    for path in (ROOT / "goodhart").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
            for n in names:
                assert n.split(".")[0] not in ("goodhart", "proofs"), f"{path}: imports {n}"
    for name in PACKAGES:
        _extras.check_own_package(name)  # the test environment imports ours
    with pytest.raises(ValueError, match="^name:"):
        _extras.check_own_package("numpy")


# ----------------------------------------------------------------------------- the command line
def test_figures_list_names_every_registered_figure(capsys):
    assert main(["figures", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [ln.split()[0] for ln in lines] == sorted(figure_registry())
    with pytest.raises(SystemExit) as info:
        main(["figures", "--list", "cogpower"])
    assert info.value.code == 2


@pytest.mark.parametrize("argv, words", [
    (["figures", "--format", "gif"], "invalid choice: 'gif'"),
    (["figures", "--dpi", "5"], "--dpi: expected an integer from 10 to 2400"),
    (["claims", "--area", "nope"], "invalid choice: 'nope' (choose from 'cogpower'"),
])
def test_bad_options_are_usage_errors_naming_the_choices(argv, words, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert words in capsys.readouterr().err


def test_claims_areas_are_the_ledger_areas_and_a_failing_claim_exits_1(monkeypatch, capsys):
    from proofs import ledger

    assert ledger_areas() == ledger.areas()
    bad = ledger.Claim("cogpower.always_fails", "test", "1 = 2", numeric=lambda: ledger.Check(False, 1))
    monkeypatch.setattr(ledger, "all_claims", lambda selected=None: [bad])
    assert main(["claims", "--area", "cogpower"]) == 1  # a failing claim: 1, never the usage code 2
    assert "1 claims, 1 failing" in capsys.readouterr().out


def test_bench_exists_only_in_a_source_checkout(tmp_path, monkeypatch):
    assert benchmarks_dir() == ROOT / "benchmarks"  # this checkout (editable install)
    from tailpower import cli

    monkeypatch.setattr(cli, "own_root", lambda: tmp_path)  # as if installed from a wheel
    monkeypatch.chdir(tmp_path)
    (tmp_path / "benchmarks").mkdir()
    (tmp_path / "benchmarks" / "bench_mine.py").write_text("raise SystemExit('a user file ran')\n")
    assert cli.benchmarks_dir() is None  # a user's benchmarks/ folder is never run
    with pytest.raises(SystemExit) as info:
        cli.main(["bench"])
    assert info.value.code == 2
