"""Search joint (V, X | V) families where E[V | V + X >= t] stays bounded though X | V is normal.

Kwa & Thomas (2023, Theorem 6): with X *independent* of V and light-tailed (F̄_X(t+1)/F̄_X(t) -> 0),
E[V | V + X >= t] -> infinity -- optimising the proxy U = V + X drags V along. Independence
matters: the paper's section 5.2 footnote already gives a dependent error that breaks it. This
example searches the family

    V ~ N(0, 1) or Laplace(0, 1),   X | V = v ~ N(0, sd(v)^2),
    sd(v) = sigma0 e^(-lam v^2)  ("gauss"),  sigma0 e^(-lam |v|)  ("exp"),  sigma0 / (1 + lam |v|)^2  ("power"),

in which X is normal -- as light-tailed as it gets -- given every V = v, and evaluates
E[V | U >= t] at t = 10, 20, 40, 80 by goodhart's log-space quadrature (``gh.Dependent``).

Laplace asymptotics predict the answer: log P(U >= t) is the max over v of log f_V(v) - (t - v)^2 /
(2 sd(v)^2). Because sd(v) -> 0 as |v| grows, the mass either comes from V itself (v ~ t, cost t^2/2
for the normal V, t for the Laplace V) or from the error at v = O(1), cost t^2 / (2 sigma0^2). So for
V ~ N(0, 1), E[V | U >= t] stays bounded (in fact -> 0) iff sigma0 > 1; for the Laplace V it is
unbounded for every sigma0. The summary compares each family with this prediction, away from the
boundary sigma0 = 1 where the approach to the limit is slow.

    python examples/sweep_goodhart.py                         # local processes
    python examples/sweep_goodhart.py --scheduler tcp://HOST:8786
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
from scipy import stats

SPEC = Path(__file__).with_name("goodhart.toml")


def error_sd(shape: str, sigma0: float, lam: float):
    """The conditional sd of X given V = v, as a function of v (a float or an ndarray of v)."""
    if shape == "gauss":
        return lambda v: sigma0 * np.exp(-lam * np.square(v))
    if shape == "exp":
        return lambda v: sigma0 * np.exp(-lam * np.abs(v))
    if shape == "power":
        return lambda v: sigma0 / (1.0 + lam * np.abs(v)) ** 2
    raise ValueError(f"shape: expected 'gauss', 'exp' or 'power', got {shape!r}")


def family_point(sigma0: float, lam: float, shape: str, v_law: str, t=(10.0, 20.0, 40.0, 80.0),
                 scalar_error: bool = False) -> dict:
    """E[V | V + X >= t] for one family; ``growth`` is the slope between the two largest t.

    The error law is ``gh.Dependent(..., vectorized=True)``: one ``scipy.stats.norm(0, sd(v))``
    for the whole array of quadrature nodes (about 40 calls for four thresholds instead of about
    18,000 scalar calls; 72 families in 3.7 s on the 2-core test machine). The sd is floored at
    1e-280 where it underflows far in the tail; N(0, 1e-280) has the point mass at 0's survival
    function except within 1e-278 of t - v = 0. ``scalar_error=True`` uses the scalar mode with
    the point mass instead, as the reference of :func:`summarize`.
    """
    import goodhart as gh

    V = {"norm": stats.norm(), "laplace": stats.laplace()}[v_law]
    sd = error_sd(shape, sigma0, lam)
    if scalar_error:
        def error(v: float):
            s = float(sd(v))
            return stats.norm(0.0, s) if s > 1e-280 else gh.point_mass(0.0)  # sd underflows far in the tail
        model = gh.Dependent(V=V, error=error)
    else:
        model = gh.Dependent(V=V, error=lambda v: stats.norm(0.0, np.maximum(sd(v), 1e-280)), vectorized=True)

    ts = np.asarray(t, dtype=float)
    res = gh.conditional_mean(model, t=ts, method="quad")
    value = np.asarray(res.value)
    return {
        "value": value,
        "stderr": np.asarray(res.stderr),
        "log_prob": np.asarray(res.log_prob),
        "growth": float((value[-1] - value[-2]) / (ts[-1] - ts[-2])) if ts.size > 1 else math.nan,
        "predicted_bounded": bool(v_law == "norm" and sigma0 > 1.0),
    }


def summarize(records: list[dict], t) -> str:
    import goodhart as gh

    lines = []
    # 1. the pipeline against a closed form: sd constant (lam = 0), V ~ N(0,1): U ~ N(0, s^2),
    #    s^2 = 1 + sigma0^2, and E[V | U >= t] = (1/s) phi(t/s) / Phi-bar(t/s).
    s0 = 2.0
    s = math.sqrt(1 + s0**2)
    got = family_point(s0, 0.0, "gauss", "norm", t)["value"]
    closed = [math.exp(stats.norm.logpdf(x / s) - stats.norm.logsf(x / s)) / s for x in t]
    lines.append(f"check, sd constant = {s0}: quad {np.round(got, 6).tolist()} closed form {np.round(closed, 6).tolist()}")
    # 2. the vectorised error law against the scalar mode (one scipy law per node) on one family
    ref = family_point(2.0, 0.1, "gauss", "norm", t[:1], scalar_error=True)["value"][0]
    fast = family_point(2.0, 0.1, "gauss", "norm", t[:1])["value"][0]
    lines.append(f"check, vectorized=True vs scalar error(v) at t = {t[0]}: {float(fast)!r} vs {float(ref)!r}")

    bounded = [r for r in records if r["result"]["growth"] < 0.02]
    lines.append(f"{len(records)} families; E[V | U >= t] flat between t = {t[-2]:g} and {t[-1]:g} "
                 f"(slope < 0.02) for {len(bounded)}:")
    lines.append("   V        shape   sigma0     lam   " + "".join(f"t={x:<7g}" for x in t) + "slope")
    for r in sorted(bounded, key=lambda r: (r["params"]["v_law"], r["params"]["shape"], r["params"]["sigma0"]))[:25]:
        p, x = r["params"], r["result"]
        lines.append(f"   {p['v_law']:8s} {p['shape']:6s} {p['sigma0']:7.3f} {p['lam']:7.4f}   "
                     + "".join(f"{v:<9.4f}" for v in x["value"]) + f"{x['growth']:.4f}")
    if len(bounded) > 25:
        lines.append(f"   ... {len(bounded) - 25} more")
    far = [r for r in records if abs(math.log(r["params"]["sigma0"])) > math.log(1.5)]
    agree = [r for r in far if (r["result"]["growth"] < 0.02) == r["result"]["predicted_bounded"]]
    lines.append(f"prediction 'bounded iff V normal and sigma0 > 1' vs slope < 0.02: {len(agree)}/{len(far)} "
                 f"families with sigma0 outside (2/3, 3/2) agree")
    lines.append("   (disagreements are families whose asymptotic regime starts beyond the largest t: tiny lam,\n"
                 "   where sd(v) has barely shrunk at v ~ t, or a Laplace V with 2 sigma0^2 > t, where the error\n"
                 "   route, cost t^2/(2 sigma0^2), is still cheaper than the V route, cost t)")
    for r in far:
        if r not in agree:
            p, x = r["params"], r["result"]
            lines.append(f"   disagrees: {p}  E = {np.round(x['value'], 4).tolist()}  slope {x['growth']:.4f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from tailpower.sweep import run_example

    rc, records, spec = run_example(SPEC, argv, __doc__.split("\n\n")[0])
    print(summarize(records, spec.fixed["t"]))
    return rc


if __name__ == "__main__":
    sys.exit(main())
