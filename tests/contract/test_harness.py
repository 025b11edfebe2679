"""The contract harness itself: it must catch each kind of violation it exists to catch."""

from __future__ import annotations

import pytest
from contract_support import Sandbox, check, violation


@pytest.fixture(scope="module")
def box():
    b = Sandbox(cap=512 << 20)
    yield b
    b.stop()


def test_named_refusal_passes(box):
    out = box.call("gh.conditional_mean(stats.norm(), stats.norm(), t=float('nan'))")
    assert out["status"] == "raised" and violation(out, ["t"]) is None
    assert violation(out, ["V"]) is not None  # the message names t, not V


def test_foreign_exception_nan_and_inf_are_violations(box):
    assert "foreign" in violation(box.call("1 / 0"), ["x"])
    assert "NaN" in violation(box.call("{'a': [1.0, float('nan')]}"), ["x"])
    out = box.call("np.array([1.0, np.inf])")
    assert "infinity" in violation(out, ["x"]) and violation(out, ["x"], allow_inf=["[*"]) is None
    assert out["value"] == [1.0, "inf"]


def test_memory_cap_and_hang_are_violations_and_the_sandbox_recovers(box):
    out = box.call("np.ones(10**9)")  # 8 GB, far above the cap
    assert out["status"] == "raised" and "foreign" in violation(out, ["x"])
    out = box.call("import time\nwhile True: time.sleep(1)", timeout=2)
    assert out["status"] == "timeout" and violation(out, ["x"]) is not None
    out = box.call("import os\nos._exit(3)")
    assert out["status"] == "died" and out["returncode"] == 3
    assert box.call("1 + 1")["value"] == 2


def test_check_reports_the_reproducer():
    with pytest.raises(AssertionError, match=r"1 / 0"):
        check("1 / 0", ["x"], package="harness")
