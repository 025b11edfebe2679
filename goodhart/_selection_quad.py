"""Log-space adaptive Gauss-Kronrod quadrature for the selection integrals (private).

:func:`integrate` computes ∫ e^{g(v)} dv and the first two moments of v under it, where g is the
logarithm of an integrand such as f_V(v) F̄_X(t - v) (Kwa & Thomas 2023, Appendix identity), so
that nothing is exponentiated before the maximum of g is subtracted: the result stays finite
however far e^{max g} lies below the double-precision range.

Bounded work (docs/contract.md, items 2 and 3): the grid refinement stops at ``_MAX_GRID`` points
and the Gauss-Kronrod refinement at ``_MAX_NODES`` evaluations, both checked before a round
evaluates anything (a round that would exceed the cap refines only its worst intervals); the
integrand is evaluated in blocks of ``_BLOCK`` intervals, so the peak memory is a few MiB whatever
the integrand.  The tolerance never asks for more accuracy than the integrand has: when |g| is
large its rounding error (about eps |g|) sets a noise floor, which also enters the error bound.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
from tailpower._common import check_memory

from ._gauss_kronrod import GK15_G, GK15_K, GK15_X

# 15 nodes on [-1, 1] in increasing order, Kronrod weights, Gauss weights (0 off the 7 Gauss nodes)
_NODES, _KW, _GW = GK15_X, GK15_K, GK15_G

_RELEVANT = 46.0        # intervals whose crude mass is below e^-46 (1e-20) of the total are not refined
_MAX_GRID = 10_000      # points of the grid refinement
_MAX_NODES = 400_000    # Gauss-Kronrod evaluations
_BLOCK = 4096           # intervals evaluated at once (15 nodes each)
_MAX_ROUNDS = 60
_BIG = 1e300            # the grid is never extended beyond +-_BIG
_EPS = float(np.finfo(float).eps)
#: noise of g relative to |g|: rounding in log f_V, log F̄_X and in the argument t - v
_NOISE = 32 * _EPS


class _ZeroMass(ArithmeticError):
    """The integrand is zero (log -inf) at every point evaluated."""


class _Unresolvable(ArithmeticError):
    """|g| is so large that its rounding error (``noise``) hides the shape of the integrand."""

    def __init__(self, gmax: float, noise: float):
        super().__init__(gmax, noise)
        self.gmax, self.noise = gmax, noise


@dataclass(frozen=True)
class Atom:
    """A piece [a, b] next to an end of the domain whose mass is known in closed form (through a
    distribution function), used where the integrand may be infinite (a density with an
    integrable singularity at the end of its support).  ``log_mass`` and ``log_err`` are absolute
    (not rescaled); ``inner`` is the end shared with the domain."""

    a: float
    b: float
    log_mass: float
    log_err: float
    inner: float


@dataclass(frozen=True)
class Integral:
    """∫ e^g = e^scale i0, ∫ (v - c) e^g = e^scale i1, ∫ |v - c| e^g = e^scale a1 (c = ``center``).

    ``err0`` and ``err1`` bound the errors of i0 and i1; ``noise`` is the relative rounding floor of
    e^g.  ``knots`` / ``gknots`` are the points where g is known (g - scale) for sampling, and
    ``atoms`` the end pieces with their masses relative to e^scale.
    """

    scale: float
    i0: float
    i1: float
    a1: float
    center: float
    err0: float
    err1: float
    noise: float
    knots: np.ndarray
    gknots: np.ndarray
    atoms: tuple
    evaluations: int

    @property
    def log_mass(self) -> float:
        return self.scale + math.log(self.i0) if self.i0 > 0 else -math.inf

    @property
    def mean(self) -> float:
        return self.center + self.i1 / self.i0

    @property
    def spread(self) -> float:
        """A bound on E|v - mean| under e^g / i0: E|v - c| + |mean - c| (no second moment, which
        overflows when the mass spans 1e154)."""
        return self.a1 / self.i0 + abs(self.i1 / self.i0)

    @property
    def mean_err(self) -> float:
        m = self.i1 / self.i0
        # quadrature error of the ratio, plus the rounding floor of the weights: a relative
        # perturbation |e| <= noise of e^g moves the mean by at most noise/(1 - noise) * E|v - mean|
        quad = (self.err1 + abs(m) * self.err0) / self.i0
        noise = self.noise / (1.0 - min(self.noise, 0.5)) * self.spread
        return quad + noise + 4 * _EPS * abs(self.mean)


# ----------------------------------------------------------------------------- helpers
def loglin_mass(a, b, ga, gb):
    """∫_a^b exp(l(v)) dv for l linear between (a, ga) and (b, gb), in log; -inf ends allowed."""
    h = b - a
    out = np.full(np.shape(a), -np.inf)
    both = np.isfinite(ga) & np.isfinite(gb)
    with np.errstate(invalid="ignore"):
        d = np.where(both, gb - ga, 0.0)
    hi = np.maximum(ga, gb)
    ad = np.abs(d)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # ∫ = h e^{hi} (1 - e^{-|d|}) / |d|
        fac = np.where(ad > 1e-12, -np.expm1(-ad) / np.where(ad > 0, ad, 1.0), 1.0 - ad / 2)
        out = np.where(both, np.log(h) + hi + np.log(fac), out)
        one = np.isfinite(ga) ^ np.isfinite(gb)  # a jump to zero: at most width * finite end
        out = np.where(one, np.log(h) + np.where(np.isfinite(ga), ga, gb), out)
    return out


def _crude_bounds(a, b, ga, gb, c):
    """Crude logs of ∫_a^b e^g and ∫_a^b |v - c| e^g: width times the larger end value."""
    with np.errstate(divide="ignore", invalid="ignore"):
        lw = np.log(b - a) + np.maximum(ga, gb)
        lw1 = lw + np.log(np.maximum(np.abs(a - c), np.abs(b - c)))
    return lw, lw1


def _relevant(pts, g, c):
    """Intervals between the sorted ``pts`` (log integrand ``g``, already rescaled) that can carry
    more than e^-46 of ∫ e^g or of ∫ |v - c| e^g; the others are not refined and enter the result
    only through their log-linear estimate, counted again as error."""
    a, b, ga, gb = pts[:-1], pts[1:], g[:-1], g[1:]
    lb0, lb1 = _crude_bounds(a, b, ga, gb, c)
    tot0, tot1 = _logsumexp(lb0), _logsumexp(lb1)
    return a, b, ga, gb, lb0, (lb0 > tot0 - _RELEVANT) | (lb1 > tot1 - _RELEVANT)


def _logsumexp(x: np.ndarray) -> float:
    """log Σ e^x (-inf for no finite term); scipy's version costs ~2 ms a call in this loop."""
    top = float(np.max(x)) if x.size else -math.inf
    if not math.isfinite(top):
        return top if top == math.inf else -math.inf
    with np.errstate(under="ignore"):
        return top + math.log(float(np.sum(np.exp(x - top))))


def _eval(logw, x: np.ndarray) -> np.ndarray:
    g = np.asarray(logw(x), dtype=float)
    if g.shape != x.shape:
        g = np.broadcast_to(g, x.shape).copy()
    return np.where(np.isnan(g), -np.inf, g)


def _floor(a, b, width: float):
    """Width below which an interval [a, b] is not split: 1e-13 relative to |v| or to ``width``,
    and at least four floating-point spacings."""
    big = np.maximum(np.abs(a), np.abs(b))
    return np.maximum(1e-13 * np.maximum(big, width), 4 * np.spacing(big))


def _memory_estimate() -> float:
    # knots (x, g) of every evaluation + one block of nodes (x, g, f, f*x, ... about 10 arrays)
    # + the grid and its temporaries (about 12 arrays)
    return 8.0 * (4 * (_MAX_NODES + _MAX_GRID) + 10 * 15 * _BLOCK + 12 * _MAX_GRID)


# ----------------------------------------------------------------------------- the integrator
def integrate(logw: Callable[[np.ndarray], np.ndarray], points, domain: tuple[float, float], *,
              rel: float = 1e-11, atoms: tuple = (), need_shape: bool = True,
              max_grid: int = _MAX_GRID, max_nodes: int = _MAX_NODES, width: float = 1.0) -> Integral:
    """∫ e^{g(v)} dv and the moments of v over ``domain`` (plus the ``atoms``), g = ``logw``.

    Algorithm: (i) evaluate g on ``points`` (quantile points of the laws involved) and bisect
    (geometrically across orders of magnitude, arithmetically otherwise) every interval that can
    carry more than e^-46 of the mass while g changes across it by more than 0.5 (or by more than
    its noise floor) or jumps to -inf (located by bisection to 1e-13 relative width); extend the grid
    outwards while the outermost point still carries mass; (ii) on the intervals that carry mass,
    apply Gauss-Kronrod 7/15 to e^{g - max g}, (v - c) e^{g - max g} and (v - c)^2 e^{g - max g}
    (c: the grid's argmax), bisecting until the summed |K15 - G7| is below max(``rel``, noise) times
    the integral; (iii) the intervals left out contribute their log-linear estimate to the value and
    the same amount to the error.  Work and memory are capped (module docstring); intervals left
    unconverged by a cap keep their |K15 - G7| in the error.

    ``width`` is the smallest scale on which the integrand varies (the narrower law's spread):
    intervals narrower than 1e-13 of it (or of |v|, or a few floating-point spacings) are not split.

    Raises
    ------
    _ZeroMass
        g = -inf at every point evaluated and no atom carries mass.
    _Unresolvable
        ``need_shape`` and the rounding error of g exceeds 0.01 (relative error of e^g), so the
        shape of the integrand (hence moments and samples) cannot be resolved.
    """
    check_memory("t", _memory_estimate(), "the adaptive quadrature")
    lo_s, hi_s = float(domain[0]), float(domain[1])
    lo_c, hi_c = max(lo_s, -_BIG), min(hi_s, _BIG)
    pts = np.asarray(points, dtype=float).ravel()
    pts = np.clip(pts[np.isfinite(pts)], lo_c, hi_c)
    extra = [x for x in (lo_s, hi_s) if math.isfinite(x)]
    pts = np.unique(np.concatenate([pts, extra, [0.0] if lo_s < 0 < hi_s else []]))
    if pts.size < 2:
        base = pts[0] if pts.size else 0.0
        pts = np.unique(np.clip(np.array([base - 1.0, base, base + 1.0]), lo_c, hi_c))
    g = _eval(logw, pts)
    nevals = pts.size
    atom_lm = np.array([at.log_mass for at in atoms], dtype=float)

    # ---------------------------------------------------------------- (i) grid refinement
    noise = 0.0
    for _ in range(_MAX_ROUNDS * 4):
        if not np.any(np.isfinite(g)):
            break
        gmax = float(np.max(g))
        noise = _NOISE * (abs(gmax) + _RELEVANT)
        c = float(pts[int(np.argmax(g))])
        a, b, ga, gb, lb0, relevant = _relevant(pts, g - gmax, c)
        new = []
        for end, sign in ((0, -1), (-1, 1)):  # extend outwards while an end point carries mass
            if np.isfinite(g[end]) and g[end] - gmax > -_RELEVANT:
                bound = lo_c if sign < 0 else hi_c
                if pts[end] != bound:
                    span = max(pts[-1] - pts[0], 1.0)
                    cand = float(np.clip(pts[end] + sign * 2.0 * span, lo_c, hi_c))
                    if cand != pts[end]:
                        new.append((cand, math.inf))
        jump = np.isfinite(ga) ^ np.isfinite(gb)
        with np.errstate(invalid="ignore"):
            dg = np.abs(np.where(np.isfinite(ga) & np.isfinite(gb), gb - ga, 0.0))
        steep = dg > max(0.5, 8 * noise)
        same_sign = ((a > 0) & (b > 0)) | ((a < 0) & (b < 0))
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(same_sign, np.maximum(np.abs(a), np.abs(b)) / np.minimum(np.abs(a), np.abs(b)), 1.0)
        wide = ratio > 4.0
        splittable = (b - a) > _floor(a, b, width)
        flag = relevant & splittable & (jump | steep | wide)
        if np.any(flag):
            fa, fb = a[flag], b[flag]
            geo = wide[flag] & ~jump[flag]
            mids = np.where(geo, np.sign(fa) * np.sqrt(np.abs(fa)) * np.sqrt(np.abs(fb)), 0.5 * (fa + fb))
            new.extend(zip(mids.tolist(), lb0[flag].tolist()))
        if not new:
            break
        room = max_grid - pts.size
        capped = len(new) >= room
        if capped:  # cap checked inside the round: keep the points of the heaviest intervals
            new.sort(key=lambda p: -p[1])
            new = new[:max(room, 0)]
        if not new:
            break
        xn = np.unique(np.array([p[0] for p in new]))
        gn = _eval(logw, xn)
        nevals += xn.size
        pts = np.concatenate([pts, xn])
        g = np.concatenate([g, gn])
        order = np.argsort(pts, kind="stable")
        pts, g = pts[order], g[order]
        keep = np.concatenate([[True], np.diff(pts) > 0])
        pts, g = pts[keep], g[keep]
        if capped:
            break

    finite_atoms = atom_lm[np.isfinite(atom_lm)]
    if not np.any(np.isfinite(g)):
        if finite_atoms.size == 0:
            raise _ZeroMass()
        gmax = float(np.max(finite_atoms))  # all the mass is in the atoms
    else:
        gmax = float(np.max(g))
        if finite_atoms.size:
            # atoms are masses, not density values: only used to keep the rescaling finite
            gmax = max(gmax, float(np.max(finite_atoms)) - 700.0)
    noise = _NOISE * (abs(gmax) + _RELEVANT) if np.any(np.isfinite(g)) else 0.0
    if need_shape and noise > 0.01:
        raise _Unresolvable(gmax, noise)
    finite = np.isfinite(g)
    c = float(pts[int(np.argmax(np.where(finite, g, -np.inf)))]) if np.any(finite) else 0.5 * (pts[0] + pts[-1])
    gs = g - gmax

    # ---------------------------------------------------------------- (iii) left-out intervals
    a, b, ga, gb, _, relevant = _relevant(pts, gs, c) if np.any(finite) else (
        pts[:-1], pts[1:], gs[:-1], gs[1:], None, np.zeros(pts.size - 1, bool))
    lm = loglin_mass(a[~relevant], b[~relevant], ga[~relevant], gb[~relevant])
    m_out = np.exp(lm)
    mid = 0.5 * (a[~relevant] + b[~relevant]) - c
    far = np.maximum(np.abs(a[~relevant] - c), np.abs(b[~relevant] - c))
    out0 = float(np.sum(m_out))
    out1 = float(np.sum(m_out * mid))
    outabs = float(np.sum(m_out * far))

    # atoms: mass known in closed form, position known to within their width
    at0 = at1 = atabs = aterr0 = aterr1 = 0.0
    for at in atoms:
        if not np.isfinite(at.log_mass):
            continue
        # (clipped: when |g| ~ 1e302 the rounding of g alone exceeds 709 and only log P is meaningful)
        m = math.exp(min(at.log_mass - gmax, 700.0))
        e = math.exp(min(at.log_err - gmax, 700.0)) if np.isfinite(at.log_err) else 0.0
        pos, half = 0.5 * (at.a + at.b) - c, 0.5 * (at.b - at.a)
        at0 += m
        at1 += m * pos
        atabs += m * (abs(pos) + half)
        aterr0 += e
        aterr1 += e * (abs(pos) + half) + m * half

    # ---------------------------------------------------------------- (ii) Gauss-Kronrod
    ia, ib = a[relevant], b[relevant]
    done = np.zeros(3)      # i0, i1, ∫|v - c|
    derr = np.zeros(2)
    knot_x, knot_g = [pts], [g]
    used = 0
    scale = gmax
    for rnd in range(_MAX_ROUNDS):
        if ia.size == 0:
            break
        # evaluate this round in blocks of _BLOCK intervals (bounded memory)
        k = np.empty((3, ia.size))
        e = np.empty((2, ia.size))
        for s0 in range(0, ia.size, _BLOCK):
            sl = slice(s0, s0 + _BLOCK)
            cc, h = 0.5 * (ia[sl] + ib[sl]), 0.5 * (ib[sl] - ia[sl])
            x = cc[:, None] + h[:, None] * _NODES[None, :]
            gx = _eval(logw, x.ravel()).reshape(x.shape)
            used += x.size
            knot_x.append(x.ravel())
            knot_g.append(gx.ravel())
            top = float(np.max(gx))
            if top - scale > 0:  # a node above the grid's maximum: rescale everything so far
                shift = top - scale
                fac = math.exp(-shift)
                done *= fac
                derr *= fac
                k[:, :s0] *= fac
                e[:, :s0] *= fac
                out0, out1, outabs = out0 * fac, out1 * fac, outabs * fac
                at0, at1, atabs, aterr0, aterr1 = (q * fac for q in (at0, at1, atabs, aterr0, aterr1))
                scale = top
            f = np.exp(gx - scale)
            dx = x - c
            k0, g0 = h * (f @ _KW), h * (f @ _GW)
            k1, g1 = h * ((f * dx) @ _KW), h * ((f * dx) @ _GW)
            k[0, sl], k[1, sl] = k0, k1
            k[2, sl] = h * ((f * np.abs(dx)) @ _KW)
            # nodes are rounded to doubles (by up to half a spacing at c): that moves the rule's
            # result by at most about spacing x the variation of the integrand over the interval
            sp = np.spacing(np.abs(cc)) + np.spacing(np.abs(h))
            e[0, sl] = np.abs(k0 - g0) + sp * np.abs(np.diff(f, axis=1)).sum(axis=1)
            e[1, sl] = np.abs(k1 - g1) + sp * np.abs(np.diff(f * dx, axis=1)).sum(axis=1)
        tot_i0 = done[0] + out0 + at0 + k[0].sum()
        tot_abs = done[2] + outabs + atabs + k[2].sum()
        tolr = max(rel, noise)
        with np.errstate(over="ignore"):  # noise ~1e205 at log mass ~ -1e219: everything is accepted
            tol0, tol1 = tolr * tot_i0, tolr * max(tot_abs, 1e-300 * tot_i0)
        n_int = max(ia.size, 1)
        ok = (e[0] <= tol0 / n_int) & (e[1] <= tol1 / n_int)
        ok |= (ib - ia) <= _floor(ia, ib, width)
        last = rnd == _MAX_ROUNDS - 1
        if last or np.all(ok) or (e[0][~ok].sum() <= 0.1 * tol0 and e[1][~ok].sum() <= 0.1 * tol1):
            ok[:] = True
        else:
            # cap checked before the next round evaluates: bisect only the worst intervals that fit
            bad = np.flatnonzero(~ok)
            room = (max_nodes - used) // 30
            if bad.size > room:
                worst = np.argsort(-(e[0][bad] / max(tol0, 1e-300) + e[1][bad] / max(tol1, 1e-300)))
                ok[bad[worst[max(room, 0):]]] = True
        done += k[:, ok].sum(axis=1)
        derr += e[:, ok].sum(axis=1)
        if np.all(ok):
            break
        ra, rb = ia[~ok], ib[~ok]
        rm = 0.5 * (ra + rb)
        ia, ib = np.concatenate([ra, rm]), np.concatenate([rm, rb])

    kx = np.concatenate(knot_x)
    kg = np.concatenate(knot_g) - scale
    order = np.argsort(kx, kind="stable")
    kx, kg = kx[order], kg[order]
    keep = np.concatenate([[True], np.diff(kx) > 0])
    i0 = done[0] + out0 + at0
    if not i0 > 0:
        raise _ZeroMass()
    i1 = done[1] + out1 + at1
    absall = done[2] + outabs + atabs
    rel_atoms = tuple((at.a, at.b, at.log_mass - scale, at.inner) for at in atoms if np.isfinite(at.log_mass))
    return Integral(
        scale=scale, i0=i0, i1=i1, a1=absall, center=c,
        err0=derr[0] + out0 + aterr0 + 50 * _EPS * i0,
        err1=derr[1] + outabs + aterr1 + 50 * _EPS * absall,
        noise=noise, knots=kx[keep], gknots=kg[keep], atoms=rel_atoms, evaluations=int(nevals + used),
    )
