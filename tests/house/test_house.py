"""The house: shared helpers, the CLI and the ledger machinery."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from proofs.ledger import Check, Claim, all_claims, evaluate
from tailpower import _common as common
from tailpower.cli import figure_registry, figure_rng, main


def test_as_generator_accepts_spec7_inputs_and_is_reproducible():
    a = common.as_generator(5).random(3)
    b = common.as_generator(np.random.SeedSequence(5)).random(3)
    np.testing.assert_array_equal(a, b)
    g = np.random.default_rng(1)
    assert common.as_generator(g) is g
    assert isinstance(common.as_generator(None), np.random.Generator)


@pytest.mark.parametrize("bad", ["seed", 1.5, True])
def test_as_generator_rejects_other_types(bad):
    with pytest.raises(TypeError, match="rng"):
        common.as_generator(bad)


def test_as_generator_rejects_negative_seed():
    with pytest.raises(ValueError, match="rng"):
        common.as_generator(-1)


def test_chunk_seeds_depend_only_on_seed():
    s1, s2 = common.chunk_seeds(3, 10), common.chunk_seeds(3, 10)
    np.testing.assert_array_equal(s1, s2)
    assert len(set(s1.tolist())) == 10 and s1.min() > 0


@pytest.mark.parametrize(
    "value, err", [(0, ValueError), (-1.0, ValueError), (math.nan, ValueError), (math.inf, ValueError), ("1", TypeError),
                   (10**400, ValueError)]
)
def test_check_positive_names_parameter(value, err):
    with pytest.raises(err, match="alpha"):
        common.check_positive("alpha", value)


def test_memory_budget_refuses_with_the_parameter_and_the_size():
    import tailpower

    assert tailpower.memory_budget() == 1 << 30  # the documented default
    with tailpower.set_memory_budget("2MiB"):
        assert tailpower.memory_budget() == 2 << 20
        common.check_memory("samples", 2 << 20)  # at the budget: allowed
        with pytest.raises(tailpower.BudgetError, match=r"^samples: .* needs about 3 MiB, above the memory budget of 2 MiB") as e:
            common.check_memory("samples", 3 << 20)
        assert isinstance(e.value, ValueError) and e.value.needed == 3 << 20 and e.value.parameter == "samples"
        with pytest.raises(tailpower.BudgetError):
            common.check_memory("n", math.nan)  # an estimate that overflowed is refused, not waved through
    assert tailpower.memory_budget() == 1 << 30
    for bad, err in (("lots", ValueError), (0, ValueError), (math.inf, ValueError), (None, TypeError), ("1.5 parsecs", ValueError)):
        with pytest.raises(err, match="^nbytes:"):
            tailpower.set_memory_budget(bad)
    assert tailpower.memory_budget() == 1 << 30


def test_check_int():
    assert common.check_int("n", 1e6) == 1_000_000
    for bad in (0, 2.5, math.nan):
        with pytest.raises(ValueError, match="n:"):
            common.check_int("n", bad)


def test_jsonable_has_no_nonstandard_numbers():
    out = json.dumps(common.jsonable({"a": np.array([1.0, np.inf, -np.inf, np.nan]), "b": np.int64(3)}), allow_nan=False)
    assert json.loads(out) == {"a": [1.0, "inf", "-inf", "nan"], "b": 3}


def test_figure_rng_depends_on_name_and_seed_only():
    assert figure_rng(0, "x").random() == figure_rng(0, "x").random()
    assert figure_rng(0, "x").random() != figure_rng(0, "y").random()
    assert figure_rng(0, "x").random() != figure_rng(1, "x").random()


def test_registry_names_are_prefixed_by_package():
    for name in figure_registry():
        assert name.split("_")[0] in ("cogpower", "goodhart", "powerseek"), name


def test_ledger_flags_failing_and_raising_checks():
    good = Claim("t.good", "test", "1 = 1", symbolic=lambda: Check(True, 1))
    bad = Claim("t.bad", "test", "1 = 2", numeric=lambda: Check(False, 1))
    boom = Claim("t.boom", "test", "raises", numeric=lambda: 1 / 0)
    assert evaluate(good).status == "holds"
    assert evaluate(bad).status == "FAILS"
    res = evaluate(boom)
    assert res.failed and "ZeroDivisionError" in res.errors[0]
    with pytest.raises(ValueError, match="verdict"):
        Claim("t.x", "test", "s", symbolic=lambda: Check(True), verdict="maybe")


def test_claim_ids_are_unique_and_sourced():
    claims = all_claims()
    assert len({c.id for c in claims}) == len(claims)
    assert all(c.source and c.statement for c in claims)


def test_cli_unknown_figure_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["figures", "no_such_figure", "--quick"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "unknown figure 'no_such_figure'" in err and "Traceback" not in err
