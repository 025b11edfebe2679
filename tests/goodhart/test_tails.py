"""Tests of goodhart.tails: estimators on known tail indices, bootstrap, data loading, report."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

import goodhart as gh


def population_hill(dist, k: int, n: int) -> float:
    """The Hill functional at the threshold u = F^{-1}(1 - k/n): ∫_u^∞ F̄(x)/x dx / F̄(u) — what
    Hill's estimator concentrates around (its sample-size-dependent bias included)."""
    u = float(dist.isf(k / n))
    ls = float(dist.logsf(u))
    val, _ = integrate.quad(lambda s: math.exp(float(dist.logsf(u * math.exp(s))) - ls), 0, 200.0, limit=200)
    return val  # substitution x = u e^s: dx/x = ds


def test_hill_on_pareto_is_unbiased_within_5_se():
    alpha, n, k = 2.0, 50_000, 2_000
    x = stats.pareto(alpha).rvs(size=n, random_state=np.random.default_rng(0))
    e = gh.hill(x, k)
    assert abs(e.value - 1 / alpha) < 5 * e.stderr
    assert e.stderr == pytest.approx(e.value / math.sqrt(k)) and e.samples == n and e.k == k


@pytest.mark.parametrize("df", [2.0, 4.0])
def test_hill_on_student_t_with_bias_accounted(df):
    n, k = 100_000, 1_000
    Q = stats.t(df)
    x = Q.rvs(size=n, random_state=np.random.default_rng(int(df)))
    e = gh.hill(x, k)
    target = population_hill(Q, k, n)
    assert abs(e.value - target) < 5 * e.stderr
    # the oracle itself: the bias is real at k/n = 1e-2 (t tails are Pareto only to first order)
    # and vanishes as k/n -> 0
    assert target > 1 / df
    assert population_hill(Q, 1, 10**8) == pytest.approx(1 / df, rel=1e-3)


def test_pickands_and_moment_on_pareto():
    alpha, n, k = 2.0, 50_000, 1_000
    x = stats.pareto(alpha).rvs(size=n, random_state=np.random.default_rng(5))
    p = gh.pickands(x, k)
    m = gh.moment(x, k)
    assert abs(p.value - 0.5) < 5 * p.stderr
    assert abs(m.value - 0.5) < 5 * m.stderr
    # a light (exponential-type) tail: gamma = 0 for the moment estimator of a Gumbel-domain law
    y = stats.expon().rvs(size=n, random_state=np.random.default_rng(6))
    my = gh.moment(y, k)
    assert abs(my.value) < 5 * my.stderr + 0.05


def test_vectorised_k_equals_scalar_calls():
    x = stats.pareto(3.0).rvs(size=2000, random_state=np.random.default_rng(7))
    ks = np.array([10, 50, 200])
    e = gh.hill(x, ks)
    assert np.allclose(e.value, [gh.hill(x, int(k)).value for k in ks], rtol=0, atol=1e-15)
    path = gh.hill_path(x, ks)
    assert np.array_equal(path.gamma, e.value)


def test_bootstrap_reproducible_and_covers_truth():
    x = stats.pareto(2.0).rvs(size=5_000, random_state=np.random.default_rng(8))
    a = gh.bootstrap(x, 300, n_boot=300, level=0.99, rng=4)
    b = gh.bootstrap(x, 300, n_boot=300, level=0.99, rng=4)
    assert a == b
    assert a.low < 0.5 < a.high and a.low < a.value < a.high
    assert a.stderr == pytest.approx(a.value / math.sqrt(300), rel=0.3)  # bootstrap ~ asymptotic SE


@pytest.mark.parametrize("k", [0, 2000, 1.5])
def test_k_out_of_range(k):
    x = np.arange(1.0, 2001.0)
    with pytest.raises(ValueError, match="^k:"):
        gh.hill(x, k)


def test_bad_data():
    with pytest.raises(ValueError, match="^x:"):
        gh.hill(np.array([1.0, np.nan, 3.0]), 1)
    with pytest.raises(ValueError, match="^x:"):
        gh.hill(np.ones((3, 3)), 1)
    with pytest.raises(ValueError, match="^k:.*X_\\(k\\+1\\) > 0"):
        gh.hill(np.array([3.0, 2.0, -1.0, -2.0]), 2)
    with pytest.raises(ValueError, match="^k:"):
        gh.pickands(np.arange(1.0, 10.0), 3)
    with pytest.raises(ValueError, match="^estimator:"):
        gh.bootstrap(np.arange(1.0, 10.0), 2, estimator="nope")


def test_package_data_and_user_files(tmp_path):
    r, l = gh.load_rewards("random"), gh.load_rewards("llama")
    assert r.shape == (30_000,) and l.shape == (16_000,) and np.all(np.isfinite(r)) and r.dtype == np.float64
    with pytest.raises(ValueError, match="^name:"):
        gh.load_rewards("other")
    with pytest.raises(ValueError, match="^path:.*no such file"):
        gh.load_rewards(path=tmp_path / "missing.npy")
    np.save(tmp_path / "two_d.npy", np.ones((2, 2)))
    with pytest.raises(ValueError, match="^path:.*1-D"):
        gh.load_rewards(path=tmp_path / "two_d.npy")
    np.save(tmp_path / "nan.npy", np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match="^path:.*non-finite"):
        gh.load_rewards(path=tmp_path / "nan.npy")
    np.save(tmp_path / "ok.npy", np.array([1.0, 2.0]))
    assert np.array_equal(gh.load_rewards(path=tmp_path / "ok.npy"), [1.0, 2.0])


def test_tail_report_numbers_on_starling_random():
    import matplotlib.pyplot as plt

    rep = gh.tail_report(gh.load_rewards("random"), ks_at=(172,))
    plt.close(rep.figure)
    g, se = rep.hill_at[172]
    d = gh.load_rewards("random")
    d = d - d.mean()
    assert g == pytest.approx(gh.hill(d[d > 0], 172).value) and se == pytest.approx(g / math.sqrt(172))
    assert rep.n == 30_000 and rep.n_positive == int(np.sum(d > 0))
    assert abs(g - 0.20) < 2 * se  # the paper: "appears to be 0.20"


# ----------------------------------------------------------------------------- reliability regressions
# Inputs that once crashed, allocated gigabytes or gave wrong numbers (docs/contract.md), pinned to
# their correct values: mpmath at 50 digits or the defining formula in a different arrangement.
import mpmath as mp  # noqa: E402

import tailpower  # noqa: E402
from goodhart import _tail_estimators as te  # noqa: E402


def _log_ratios_mp(x, k):
    """log(X_(i) / X_(k+1)), i <= k, in 50-digit arithmetic (the definition, no rearrangement)."""
    with mp.workdps(50):
        xs = sorted((mp.mpf(float(v)) for v in x), reverse=True)
        return [mp.log(xs[i] / xs[k]) for i in range(k)]


def test_hill_near_constant_data_matches_mpmath():
    # cs/k - log X_(k+1) lost 5 digits for data 1e10 + Exp(1) (relative error 4e-5) and could go
    # negative (the Hill plot's error bars then raised); the spacing form is exact to a few ulps
    x = 1e10 + np.random.default_rng(0).standard_exponential(100)
    for k in (1, 5, 20, 50, 99):
        ref = float(mp.fsum(_log_ratios_mp(x, k)) / k)
        assert gh.hill(x, k).value == pytest.approx(ref, rel=1e-13)


def test_moment_estimator_matches_its_definition():
    x = np.concatenate([stats.pareto(2.0).rvs(size=500, random_state=np.random.default_rng(2)), 1e10 + np.arange(5.0)])
    ks = np.array([2, 3, 10, 100, 400])
    e = gh.moment(x, ks)
    for k, g in zip(ks, e.value):
        d = _log_ratios_mp(x, int(k))
        with mp.workdps(50):
            m1, m2 = mp.fsum(d) / k, mp.fsum(v * v for v in d) / k
            ref = float(m1 + 1 - 1 / (2 * (1 - m1 * m1 / m2)))
        assert g == pytest.approx(ref, rel=1e-12)
    # an array of 10^5 values of k: the per-k loop was O(sum k) = 5e9 operations
    big = stats.pareto(2.0).rvs(size=100_001, random_state=np.random.default_rng(3))
    many = gh.moment(big, np.arange(2, 100_000))
    assert many.value.shape == (99_998,) and np.all(np.isfinite(many.value))


def test_moment_tied_top_values_refused():
    x = np.concatenate([np.full(10, 7.0), [1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="^k: .*tied"):
        gh.moment(x, 5)  # top 5 equal, X_(6) smaller: M2 = M1^2, the estimate was -inf


def test_pickands_sd_for_large_gamma():
    # 2^(2 gamma + 1) overflowed for gamma > 511 (stderr inf); gamma here is log2(ratio) ~ 1000
    x = np.concatenate([[1e300, 1.0, 1e-300], np.full(9, 1e-305)])
    x = np.sort(x)[::-1]
    e = gh.pickands(x, 1)
    g = math.log((x[0] - x[1]) / (x[1] - x[3])) / math.log(2)
    with mp.workdps(50):
        gm = mp.mpf(g)
        sd = gm * mp.sqrt(2 ** (2 * gm + 1) + 1) / (2 * (2**gm - 1) * mp.log(2))
    assert e.value == pytest.approx(g, rel=1e-13) and e.stderr == pytest.approx(float(sd), rel=1e-12)


@pytest.mark.parametrize("k", [2**63, [2**200], np.array([2**62]), [1, 0], np.array([1.5, 2.0])])
def test_k_huge_or_fractional_is_refused_by_name(k):
    with pytest.raises(ValueError, match="^k:"):  # OverflowError before (int64 conversion)
        gh.hill(np.arange(1.0, 50.0), k)


def test_bad_data_types_are_refused_by_name():
    for bad, err in (("abc", TypeError), (None, TypeError), (np.array([1 + 1j, 2, 3]), TypeError),
                     ([1.0, None, 2.0], TypeError), (np.array([5.0]), ValueError)):
        with pytest.raises(err, match="^x:"):
            gh.hill(bad, 1)


def test_top_order_statistics_in_pieces_equal_the_full_sort():
    x = np.random.default_rng(4).standard_cauchy(300_000)
    full = np.sort(x)[::-1][:5000]
    with tailpower.set_memory_budget("1MiB"):  # pieces of 65,536 values
        assert np.array_equal(te.top_order_statistics(x, 5000), full)
        small = gh.hill(np.abs(x), [10, 100, 1000])
    assert np.array_equal(small.value, gh.hill(np.abs(x), [10, 100, 1000]).value)


def test_bootstrap_regressions():
    x = stats.pareto(2.0).rvs(size=2000, random_state=np.random.default_rng(8))
    with pytest.raises(TypeError, match="^estimator:"):
        gh.bootstrap(x, 50, estimator=["hill"])  # unhashable list before
    with pytest.raises(ValueError, match="^n_boot: .*limit"):
        gh.bootstrap(x, 50, n_boot=10**9)  # would have allocated 8 GB of results, then looped 1e9 times
    with pytest.raises(ValueError, match="^n_boot: .*limit"):
        gh.bootstrap(x[:12], 3, n_boot=10**7)  # tiny resamples, but 10^7 generator calls: minutes
    for level in (0.0, 1.0, float("nan"), -0.1):
        with pytest.raises(ValueError, match="^level:"):
            gh.bootstrap(x, 50, level=level)
    # resamples drawn one by one with the same generator: the same numbers as the blocked code
    gen = np.random.default_rng(11)
    ref = [gh.hill(x[gen.integers(0, x.size, size=x.size)], 50).value for _ in range(300)]
    ci = gh.bootstrap(x, 50, n_boot=300, rng=11)
    assert ci.stderr == pytest.approx(np.std(ref, ddof=1), rel=1e-12)
    assert (ci.low, ci.high) == pytest.approx(tuple(np.quantile(ref, [0.025, 0.975])), rel=1e-12)
    with tailpower.set_memory_budget("1MiB"):  # blocks of a few resamples
        assert gh.bootstrap(x, 50, n_boot=300, rng=11) == ci
    m = gh.bootstrap(x, 50, estimator="moment", n_boot=50, rng=1)
    p = gh.bootstrap(x, 50, estimator="pickands", n_boot=50, rng=1)
    assert m.valid == 50 and p.valid == 50 and m.low < m.value < m.high and p.low < p.value < p.high


def test_hill_plot_and_path_named_refusals():
    import matplotlib.pyplot as plt

    x = stats.pareto(2.0).rvs(size=500, random_state=np.random.default_rng(1))
    for bars, err in ((-1, ValueError), ("1.0", TypeError), ([1.0, 2.0], TypeError), ({}, TypeError)):
        with pytest.raises(err, match="^bars:"):
            gh.hill_plot(x, bars=bars)
    with pytest.raises(TypeError, match="^ax:"):
        gh.hill_plot(x, ax="ax")
    path = gh.hill_plot(x, bars=10**9)  # np.geomspace(1, k, 10**9) allocated 7.5 GiB
    plt.close("all")
    assert path.k.size == 499
    with pytest.raises(ValueError, match="^ks:"):
        gh.hill_path(x, [0, 3])


def test_tail_report_regressions():
    import matplotlib.pyplot as plt

    x = stats.t(4).rvs(size=3000, random_state=np.random.default_rng(0))
    for ks_at, err in ((None, TypeError), ((float("nan"),), ValueError), (("a",), TypeError), (3, TypeError),
                       ((0, 5), ValueError)):
        with pytest.raises(err, match="^ks_at:"):
            gh.tail_report(x, ks_at=ks_at)
    with pytest.raises(TypeError, match="^title:"):
        gh.tail_report(x, title=3)
    with pytest.raises(ValueError, match="^data: .*all equal"):
        gh.tail_report(np.repeat([1.0, 2.0, 3.0], 10))  # exp_qq_r was NaN
    with pytest.raises(ValueError, match="^data:"):
        gh.tail_report(np.array([True, False, True, True]))  # the reference sample raised "x: ..."
    # data at 2^600: analysed after an exact rescaling, every number scales exactly
    a = gh.tail_report(x, ks_at=(10, 100))
    b = gh.tail_report(np.ldexp(x, 600), ks_at=(10, 100))
    plt.close("all")
    assert b.mean == math.ldexp(a.mean, 600) and b.std == math.ldexp(a.std, 600)
    assert b.hill_at == a.hill_at and b.moment_at == a.moment_at and b.normal_qq_r == a.normal_qq_r
    assert np.all(a.hill_gamma >= 0)


def test_load_rewards_regressions(tmp_path):
    for name, err in ((["random"], TypeError), (None, TypeError), (3, TypeError)):
        with pytest.raises(err, match="^name:"):
            gh.load_rewards(name)  # unhashable / wrong type
    with pytest.raises(TypeError, match="^path:"):
        gh.load_rewards(path=3)
    with pytest.raises(ValueError, match="^path: .*not a regular file"):
        gh.load_rewards(path=tmp_path)
    with pytest.raises(ValueError, match="^path: .*no such file"):
        gh.load_rewards(path=str(tmp_path / "missing.npy").encode())
    np.savez(tmp_path / "a.npz", x=np.ones(3))
    with pytest.raises(ValueError, match="^path:"):
        gh.load_rewards(path=tmp_path / "a.npz")
    np.save(tmp_path / "c.npy", np.array([1 + 1j, 2.0]))
    with pytest.raises(ValueError, match="^path: .*real numbers"):
        gh.load_rewards(path=tmp_path / "c.npy")  # complex parts were dropped silently
    (tmp_path / "text.npy").write_text("not an array")
    with pytest.raises(ValueError, match="^path: .*cannot be read"):
        gh.load_rewards(path=tmp_path / "text.npy")
    # a header announcing 2 GiB is refused before the data are read (sparse file: no disk used)
    big = np.lib.format.open_memmap(tmp_path / "big.npy", mode="w+", dtype=np.float64, shape=(2**28,))
    del big
    with pytest.raises(ValueError, match="^path: .*memory budget"):
        gh.load_rewards(path=tmp_path / "big.npy")


def test_llama_rewards_are_not_normal_but_have_a_light_upper_tail():
    """What the figure and README say of the Starling rewards of Llama-2 generations (the paper,
    §6, says 'approximately normal'): D'Agostino & Pearson's test rejects normality (skewness
    -0.57), while the upper tail is light -- fewer values beyond the mean + 2 and + 3 sd than a
    normal law has (binomial standard errors), the moment estimate of gamma is consistent with 0
    and the Hill estimate with that of a normal sample."""
    x = gh.load_rewards("llama")
    n = x.size
    assert stats.normaltest(x).pvalue < 1e-100 and abs(stats.skew(x) + 0.572) < 0.001
    z = (x - x.mean()) / x.std(ddof=1)
    for c in (2.0, 3.0):
        p = stats.norm.sf(c)
        assert np.mean(z > c) < p - 3 * math.sqrt(p * (1 - p) / n), c
    d = x - x.mean()
    pos = d[d > 0]
    m = gh.moment(pos, 172)
    assert abs(m.value) < 2 * m.stderr  # gamma = 0: a light (Gumbel-domain) tail
    h = gh.hill(pos, 172)
    ref = np.random.default_rng(0).normal(0.0, x.std(ddof=1), n)
    assert abs(h.value - gh.hill(ref[ref > 0], 172).value) < 2 * h.stderr


def test_plots_without_matplotlib_name_the_plot_extra(monkeypatch):
    """hill_plot and tail_report draw with matplotlib, an optional dependency: without it they say
    which extra to install (a ModuleNotFoundError subclass), after checking their other arguments."""
    from tailpower._extras import MissingExtraError

    monkeypatch.setitem(__import__("sys").modules, "matplotlib.pyplot", None)  # import fails
    x = np.random.default_rng(0).pareto(2.0, 200) + 1.0
    with pytest.raises(MissingExtraError, match=r"goodhart.hill_plot needs matplotlib.*'plot' extra"):
        gh.hill_plot(x)
    with pytest.raises(MissingExtraError, match=r"goodhart.tail_report needs matplotlib.*'plot' extra"):
        gh.tail_report(x)
    with pytest.raises(ValueError, match="^bars: "):
        gh.hill_plot(x, bars=0)
