"""Pareto subtask times T = U^(-1/beta) in vectorisable double arithmetic (private, numba).

The sampling kernels (:mod:`cogpower._kernels`) turn blocks of 53-bit integers ``v`` into times

    T = U^(-1/beta) = 2^(w),   w = inv * L,   L = -log2(U),   U = (v + 1) 2^-53 in (0, 1],

with ``inv`` = 1/beta rounded to a double. Calls to libm's ``log``/``exp`` are scalar and were most
of the cost of a draw; here both are straight-line double arithmetic on bit patterns (no branches,
no table look-ups, no 64-bit int <-> float conversion instructions, which AVX2 lacks), so LLVM
vectorises :func:`pareto_block` over the block. Only IEEE-754 ``+ - * /`` (each correctly rounded;
no fused multiply-add, which numba does not form without ``fastmath``) and exact bit manipulations
are used, so the result does not depend on the vector width, nor on the machine as far as its
arithmetic is IEEE-754.

-log2(U): v + 1 = 2^e f exactly with f in [1/sqrt(2), sqrt(2)) (the integer v + 1 <= 2^53 becomes a
double exactly by the two-word magic-number method, (2^84 + 2^32 h) - (2^84 + 2^52) + (2^52 + l)
for v + 1 = 2^32 h + l; adding the bits of 1.0 minus those of 1/sqrt(2) to its bit pattern carries
into the exponent exactly when the mantissa is >= sqrt(2), which yields e and f without a
comparison), and L = (53 - e) - log2(f) with

    log2(f) = (2/ln 2) atanh(s) = s P(s^2),   s = (f - 1)/(f + 1),  |s| <= 3 - 2 sqrt(2) = 0.1716,

P of degree 7 in z = s^2 in [0, 0.02944] (the Chebyshev interpolant of (2/ln 2) atanh(sqrt z)/sqrt z
at 8 first-kind nodes, computed in 60-digit arithmetic and rounded to doubles: interpolation error
1.2e-18, 0.01 ulp; the series is Abramowitz & Stegun 4.1.27). f - 1 is exact (Sterbenz), so
log2(f) has a relative error of a few ulp; s P has the sign of f - 1, so L >= 0 even when
53 - e = 0 (f <= 1 there), U = 1 gives L = 0 and U = 2^-53 gives L = 53 exactly.

2^w for w >= 0: w is clamped to 1024.4 (2^w overflows for every w >= 1024), rounded to the nearest
integer n <= 1024 by adding 1.5 * 2^52 (n is read off the bit pattern), r = w - n in [-1/2, 1/2]
exactly, 2^r = Q(r) with Q of degree 11 (Chebyshev interpolant of 2^r at 12 first-kind nodes:
error 4.2e-18, 0.04 ulp), and T = (Q 2^(n - 1)) 2: both factors are exact powers of two (2^(n - 1)
<= 2^1023 is a double), so T overflows to +inf exactly when the rounded value exceeds the largest
double. For n = 0, r = w >= 0 and Q(r) >= Q(0) = 1 (positive coefficients); for n >= 1,
T >= 2^(1/2): every T is >= 1 as it must be.

Both polynomials are evaluated by Estrin's scheme (dependency chains of 3-4 steps instead of 7-11).
The relative error of T is that of computing 2^w from a w with a relative error of a few ulp:
|T/U^(-1/beta) - 1| <= (4 + 4 w) 2^-53 (the rounding of 1/beta included), checked against mpmath
in tests/cogpower/test_kernels.py. That is ~2e-14 at T = 1e15 and 5e-13 near the overflow: the
conditioning of U^(-1/beta) in 1/beta (libm's exp(-inv log U), used before, is of the same order).

Why not Intel SVML: numba vectorises libm calls with SVML only when llvmlite's LLVM carries the SVML
patch, and the current llvmlite wheels do not (``numba -s``: "llvmlite Using SVML Patched LLVM:
False"), so installing intel-cmplr-lib-rt changes nothing. This arithmetic needs no library,
vectorises for any SIMD width (SSE2, AVX2, AVX-512, NEON) with the same bits at every width.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic


@intrinsic
def as_double(typingctx, x):
    """Reinterpret the bits of a uint64 as a float64 (an LLVM bitcast, free and vectorisable)."""
    if x != types.uint64:
        return None

    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(types.uint64), codegen


@intrinsic
def as_bits(typingctx, x):
    """Reinterpret the bits of a float64 as a uint64."""
    if x != types.float64:
        return None

    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return types.uint64(types.float64), codegen


# log2(f) = s * P(s^2): Chebyshev interpolant of (2/ln 2) atanh(sqrt z)/sqrt z on [0, (3 - 2 sqrt 2)^2]
_L0 = 2.8853900817779268
_L1 = 0.9617966939259898
_L2 = 0.5770780163455203
_L3 = 0.4121985858409005
_L4 = 0.32059853491395984
_L5 = 0.262334352504183
_L6 = 0.2209130842311768
_L7 = 0.2136589569431927
# 2^r = Q(r): Chebyshev interpolant of 2^r on [-1/2, 1/2]
_E0 = 1.0
_E1 = 0.6931471805599453
_E2 = 0.24022650695910158
_E3 = 0.055504108664821625
_E4 = 0.009618129107587256
_E5 = 0.001333355814640647
_E6 = 0.00015403530463724353
_E7 = 1.5252733841556773e-05
_E8 = 1.3215432535912375e-06
_E9 = 1.0178057087733941e-07
_E10 = 7.074194297288521e-09
_E11 = 4.4558179083360645e-10

_MANT = np.uint64((1 << 52) - 1)
_SQRTH_BITS = np.uint64(0x3FE6A09E667F3BCD)  # the double nearest 1/sqrt(2)
_OFFSET = np.uint64(0x3FF0000000000000 - 0x3FE6A09E667F3BCD)  # bits of 1.0 minus those of 1/sqrt(2)
_M52_BITS = np.uint64(0x4330000000000000)  # 2^52
_M84_BITS = np.uint64(0x4530000000000000)  # 2^84
_LOW32 = np.uint64(0xFFFFFFFF)
_TWO52 = 2.0**52
_TWO84_PLUS_52 = 2.0**84 + 2.0**52
_ROUND = 1.5 * 2.0**52  # w + _ROUND rounds w (0 <= w < 2^51) to an integer n held in the low bits
_SCALE = np.uint64((1022 - 0x4338000000000000) % 2**64)  # bits(w + _ROUND) + _SCALE = n + 1022
_W_MAX = 1024.4  # 2^w overflows for every w >= 1024; keeps n <= 1024
_K_BASE = np.uint64(1076)  # 53 + 1023
_SHIFT32 = np.uint64(32)
_SHIFT52 = np.uint64(52)
_ONE = np.uint64(1)


@njit(cache=True)
def neg_log2_uniform(v):
    """L = -log2(U) >= 0 for U = (v + 1) 2^-53, v an integer in [0, 2^53) held in a uint64."""
    m = v + _ONE
    x = (as_double(_M84_BITS | (m >> _SHIFT32)) - _TWO84_PLUS_52) + as_double(_M52_BITS | (m & _LOW32))
    b = as_bits(x) + _OFFSET  # x = v + 1 exactly; the offset carries into the exponent iff f >= sqrt 2
    f = as_double((b & _MANT) + _SQRTH_BITS)  # x = 2^e f, f in [1/sqrt 2, sqrt 2)
    kf = as_double(_M52_BITS | (_K_BASE - (b >> _SHIFT52))) - _TWO52  # 53 - e, an integer in [0, 53]
    s = (f - 1.0) / (f + 1.0)
    z = s * s
    z2 = z * z
    p = ((_L0 + _L1 * z) + (_L2 + _L3 * z) * z2) + ((_L4 + _L5 * z) + (_L6 + _L7 * z) * z2) * (z2 * z2)
    return kf - s * p


@njit(cache=True)
def exp2_nonneg(w):
    """2^w for w >= 0 (+inf beyond the float range)."""
    w = min(w, _W_MAX)
    t = w + _ROUND
    r = w - (t - _ROUND)  # exact, in [-1/2, 1/2]
    r2 = r * r
    r4 = r2 * r2
    h0 = (_E0 + _E1 * r) + (_E2 + _E3 * r) * r2
    h1 = (_E4 + _E5 * r) + (_E6 + _E7 * r) * r2
    h2 = (_E8 + _E9 * r) + (_E10 + _E11 * r) * r2
    q = h0 + (h1 + h2 * r4) * r4
    # 2^(n - 1) (n <= 1024, so at most 2^1023) times 2: the last product overflows exactly when it must
    return q * as_double((as_bits(t) + _SCALE) << _SHIFT52) * 2.0


@njit(cache=True, error_model="numpy")
def pareto_block(v, out, nb, inv):
    """out[i] = 2^(inv * -log2(U_i)) = U_i^(-1/beta), U_i = (v[i] + 1) 2^-53, for i < nb."""
    for i in range(nb):
        out[i] = exp2_nonneg(inv * neg_log2_uniform(v[i]))
