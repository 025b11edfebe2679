"""Which best-of-N means are infinite (private): E[U_sel] and E[X_sel] are +inf when the right
tail of X has an infinite mean (Levy, Cauchy), -inf when the left tail of the maximum of n does
(levy_l with n <= 2), and undefined when both are."""

from __future__ import annotations

import math

import numpy as np


def _tail_mean_infinite(law, side: int, power: float = 1.0) -> bool | None:
    """Whether ∫_0^∞ P(side * X > x)^power dx = ∞, by regular variation: x P(.)^power does not
    decay by half over eight decades (power-law tails with index * power <= 1).  None when the
    tail cannot be evaluated there (scipy's functions underflow or fail)."""
    with np.errstate(all="ignore"):
        try:
            base = abs(float(law.median())) + float(law.isf(0.25) - law.ppf(0.25))
        except Exception:
            base = 1.0
        base = base if math.isfinite(base) and base > 0 else 1.0

        def lg(x):
            lp = float(law.logsf(x)) if side > 0 else float(law.logcdf(-x))
            return math.log(x) + power * lp

        for k1, k2 in ((8, 16), (20, 28), (4, 8)):
            try:
                a, b = lg(base * 10.0**k1), lg(base * 10.0**k2)
            except Exception:
                continue
            if math.isfinite(a) and math.isfinite(b):
                return b >= a - math.log(2.0)
            if math.isfinite(a) and b == -math.inf and lg(base * 10.0**(k1 + 1)) < a - math.log(2.0):
                return False   # a tail that ends (bounded support) or decays fast enough to underflow
    return None


def _selected_proxy_infinite(V, X, n: float) -> float:
    """0.0 if E[U_sel] is finite, +inf or -inf if it is infinite (n iid draws, n >= 1).

    scipy's mean of X decides whether anything is infinite; which tail is decided numerically
    (scipy reports +inf for the mean of levy_l, whose infinite tail is the left one)."""
    with np.errstate(all="ignore"):
        mx = float(X.mean())
    if math.isfinite(mx):
        return 0.0
    right = _tail_mean_infinite(X, +1)
    left = _tail_mean_infinite(X, -1, n)
    if right is None and left is None:  # cannot tell: trust scipy's sign
        right, left = mx == math.inf, mx == -math.inf
    right, left = bool(right), bool(left)
    if right and left or not (right or left) and n == 1:
        raise ValueError(f"X: the mean of X is {mx} and its tails are too heavy for the selected proxy of "
                         f"best-of-{n:g} to have a mean (E[U_sel] is undefined)")
    return math.inf if right else (-math.inf if left else 0.0)


def _infinite(V, X, n_arr, cache=None) -> np.ndarray:
    """_selected_proxy_infinite for each n (0 for all when X has a finite mean), memoised in
    ``cache`` (a dict) when given.  Which tail is infinite is decided once: the right tail's test
    does not depend on n, and the left one's (the left tail of the maximum of n, P(X <= -x)^n)
    only gets lighter as n grows, so once it is finite it stays finite."""
    with np.errstate(all="ignore"):
        mx = float(X.mean())
    if math.isfinite(mx):
        return np.zeros(n_arr.size)
    cache = {} if cache is None else cache
    if "right" not in cache:
        cache["right"] = _tail_mean_infinite(X, +1)
    out = np.empty(n_arr.size)
    order = np.argsort(n_arr.ravel(), kind="stable")
    flat = n_arr.ravel()
    for i in order:
        key = float(flat[i])
        if key in cache:
            out[i] = cache[key]
            continue
        if key != 1.0 and cache.get("left_finite_from", math.inf) <= key and cache["right"] is not None:
            left = False
        else:
            left = _tail_mean_infinite(X, -1, key)
            if left is False and key != 1.0:
                cache["left_finite_from"] = min(cache.get("left_finite_from", math.inf), key)
        right = cache["right"]
        if right is None and left is None:  # cannot tell: trust scipy's sign
            right, left = mx == math.inf, mx == -math.inf
        right, left = bool(right), bool(left)
        if right and left or not (right or left) and key == 1.0:
            raise ValueError(f"X: the mean of X is {mx} and its tails are too heavy for the selected proxy of "
                             f"best-of-{key:g} to have a mean (E[U_sel] is undefined)")
        out[i] = cache[key] = math.inf if right else (-math.inf if left else 0.0)
    return out
