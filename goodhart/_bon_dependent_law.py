"""The law of U = V + X for a dependent error, on many points y at once (private; used by
:mod:`goodhart._bon_dependent`).

For X | V = v with law L_v (a :class:`~goodhart.Dependent` model), at each y

    f_U(y)          = ∫ f_V(v) f_{L_v}(y - v) dv  (+ f_V(y - c) where L_{y-c} is the point mass at c),
    E[V | U = y]    = [∫ v f_V(v) f_{L_v}(y - v) dv (+ (y - c) f_V(y - c))] / f_U(y),
    P(U > y)        = ∫ f_V(v) F̄_{L_v}(y - v) dv  (+ P(V > y - c, V in S_c)),
    P(U <= y)       = ∫ f_V(v) F_{L_v}(y - v) dv  (+ P(V <= y - c, V in S_c)),

with S_c the set of v whose error is the point mass at c (Kwa & Thomas 2023, Appendix identity,
with the conditional law in place of the law of X).

The v-integrals share one set of nodes for every y: Gauss-Kronrod 7/15 panels in z = logit F_V(v)
(v = F_V^{-1}(e^z / (1 + e^z)), dv f_V(v) = e^z / (1 + e^z)^2 dz), so the panels follow V's scale in
its centre and in both tails without knowing it, over |z| <= ``zmax`` (the mass beyond is e^-zmax
and enters the error bounds).  Each term is summed in log space per y (nothing underflows before
the largest term is subtracted).  In scalar mode the point-mass pieces are found on the nodes:
wherever the error law changes kind between neighbouring nodes (point mass at c, another point
mass, a continuous law; or another law object when ``error`` returns a few fixed objects) the
boundary is located by bisection in v to rounding and becomes a panel end, so no panel straddles
a jump of the integrand in v.  Panels of point masses are not integrated: their parts are the
closed forms above through V's distribution function.  Continuous panels are then bisected where
the Kronrod-Gauss differences of any of the integrals, at any y asked so far, exceed 1e-11 of the
total (a jump of a vectorised law's parameters is found this way).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special, stats

from tailpower._common import check_memory

from ._selection_quad import _GW, _KW, _NODES
from .model import PointMass

_PANEL = 2.0             # initial panel width in z
_TOL = 1e-11             # refinement tolerance of the v-integrals (relative to each total)
_MAX_PANELS = 600        # continuous panels in z after refinement (9,000 nodes)
_MAX_WORK = 5e7          # y x node evaluations of the error law per table (about 5-20 s of scipy;
                         # the models of the tests need 2e5 to 1.2e7)
_ROUNDS = 12             # refinement rounds
_BLOCK = 2_000_000       # y x node entries evaluated at once (16 MB per array)
_MAX_KEYS = 16           # distinct law objects up to which an object change is a boundary


def _q(V, z: np.ndarray) -> np.ndarray:
    """v = F_V^{-1}(logistic(z)), from the side where the probability is small."""
    z = np.asarray(z, float)
    out = np.empty(z.shape)
    lo = z <= 0
    with np.errstate(all="ignore"):
        out[lo] = np.asarray(V.ppf(special.expit(z[lo])), float)
        out[~lo] = np.asarray(V.isf(special.expit(-z[~lo])), float)
    return out


def _z_of(V, v: float) -> float:
    with np.errstate(all="ignore"):
        return float(V.logcdf(v)) - float(V.logsf(v))


class DependentLaw:
    """f_U, E[V | U = y], P(U > y) and P(U <= y) of a Dependent model at arrays of y (see module)."""

    def __init__(self, dep, zmax: float):
        self.dep, self.V = dep, dep.V
        self.zmax = float(zmax)
        self.vectorized = dep.vectorized
        with np.errstate(all="ignore"):
            self.v_lo, self.v_hi = (float(a) for a in self.V.support())
        # panels: rows (za, zb, va, vb); kind per panel: None (continuous) or c (point mass)
        zs = np.linspace(-self.zmax, self.zmax, int(math.ceil(2 * self.zmax / _PANEL)) + 1)
        vs = _q(self.V, zs)
        self.pan = [(zs[i], zs[i + 1], vs[i], vs[i + 1]) for i in range(zs.size - 1)]
        self.pm_values: set = set()
        self.pm: list = []
        self._memo: dict = {}
        self.work = 0.0
        self.centre = float(_q(self.V, np.array([0.0]))[0])   # the side of each y's smaller tail
        self._nodes = None
        self._locate_boundaries()

    # ------------------------------------------------------------------ laws at nodes
    def _law_at(self, v: float):
        """``error_at(v)``, remembered (the scan and the nodes ask for the same v; a scipy law
        costs about 1 ms to build)."""
        law = self._memo.get(v)
        if law is None:
            law = self.dep.error_at(v)
            if len(self._memo) < 100_000:
                self._memo[v] = law
        return law

    def _key_fn(self):
        if self.vectorized:
            return None
        # a first pass over the nodes: a few fixed law objects (piecewise models) make each object
        # change a boundary; a law built per v (hundreds of objects) does not
        seen = set()
        for (za, zb, va, vb) in self.pan:
            for v in _q(self.V, 0.5 * (za + zb) + 0.5 * (zb - za) * _NODES):
                if math.isfinite(v):
                    law = self._law_at(float(v))
                    if not isinstance(law, PointMass):
                        seen.add(id(law))
            if len(seen) > _MAX_KEYS:
                break
        by_id = len(seen) <= _MAX_KEYS

        def key(v: float):
            law = self._law_at(v)
            if isinstance(law, PointMass):
                return ("pm", law.value)
            return ("law", id(law)) if by_id else ("law", -1)
        return key

    def _locate_boundaries(self) -> None:
        """Scalar mode: split panels at every change of the error's kind (see module), found by
        bisection in v; mark point-mass panels."""
        self.kind = [None] * len(self.pan)
        key = self._key_fn()
        if key is None:
            return
        for _ in range(4):
            new, kinds, changed = [], [], False
            for (za, zb, va, vb) in self.pan:
                zn = 0.5 * (za + zb) + 0.5 * (zb - za) * _NODES
                vn = _q(self.V, zn)
                pts = [(za, va)] + list(zip(zn, vn)) + [(zb, vb)]
                keys = [key(float(v)) if math.isfinite(v) else None for _, v in pts]
                cuts = []
                for i in range(len(pts) - 1):
                    ka, kb = keys[i], keys[i + 1]
                    if ka is None or kb is None or ka == kb or (ka == ("law", -1) == kb):
                        continue
                    a, b = pts[i][1], pts[i + 1][1]
                    for _ in range(80):
                        mid = 0.5 * (a + b)
                        if not a < mid < b:
                            break
                        if key(mid) == ka:
                            a = mid
                        else:
                            b = mid
                    cuts.append(b)
                cuts = sorted(set(c for c in cuts if va < c < vb))
                if cuts:
                    changed = True
                    ends_v = [va] + cuts + [vb]
                    ends_z = [za] + [_z_of(self.V, c) for c in cuts] + [zb]
                    for i in range(len(ends_v) - 1):
                        if ends_z[i + 1] > ends_z[i]:
                            new.append((ends_z[i], ends_z[i + 1], ends_v[i], ends_v[i + 1]))
                            kinds.append(None)
                else:
                    new.append((za, zb, va, vb))
                    inner = [k for k in keys[1:-1] if k is not None]
                    pm = inner and all(k == inner[0] for k in inner) and inner[0][0] == "pm"
                    kinds.append(inner[0][1] if pm else None)
            self.pan, self.kind = new, kinds
            if not changed:
                break
        self.pm_values = {k for k in self.kind if k is not None}
        # point-mass intervals in v, merged; those reaching the ends of the z-range run to V's ends
        iv = []
        for (za, zb, va, vb), k in zip(self.pan, self.kind):
            if k is None:
                continue
            lo = self.v_lo if za <= -self.zmax else va
            hi = self.v_hi if zb >= self.zmax else vb
            if iv and iv[-1][0] == k and iv[-1][2] == va:
                iv[-1][2] = hi
            else:
                iv.append([k, lo, hi])
        self.pm = [tuple(x) for x in iv]

    # ------------------------------------------------------------------ nodes
    def _build_nodes(self) -> None:
        cont = [i for i, k in enumerate(self.kind) if k is None]
        za = np.array([self.pan[i][0] for i in cont])
        zb = np.array([self.pan[i][1] for i in cont])
        half = 0.5 * (zb - za)
        z = 0.5 * (za + zb)[:, None] + half[:, None] * _NODES[None, :]
        v = _q(self.V, z.ravel()).reshape(z.shape)
        ldp = special.log_expit(z) + special.log_expit(-z) + np.log(half)[:, None]
        ok = np.isfinite(v) & np.isfinite(ldp)
        self._nodes = dict(idx=np.array(cont, int), z=z, v=v, ldp=np.where(ok, ldp, -np.inf), ok=ok)
        self._laws = None
        if self.vectorized and v.size:
            batch = self.dep.error_array(np.where(ok, v, 0.0).ravel())
            m = v.size

            def pick(a):
                return np.broadcast_to(np.asarray(a, float), (m,)).reshape(1, m)
            self._laws = batch.dist(*[pick(a) for a in batch.args],
                                    **{k: pick(a) for k, a in batch.kwds.items()})
        elif v.size:
            groups: dict = {}
            for j, vj in enumerate(v.ravel()):
                if not ok.ravel()[j]:
                    continue
                law = self._law_at(float(vj))
                if isinstance(law, PointMass):      # a point mass inside a continuous panel (a
                    ok.ravel()[j] = False           # boundary not resolved): dropped, see errors
                    continue
                g = groups.setdefault(id(law), (law, []))
                g[1].append(j)
            self._laws = _merge(list(groups.values()))
            self._nodes["ldp"] = np.where(ok, ldp, -np.inf)

    # ------------------------------------------------------------------ evaluation
    def _cont(self, ys: np.ndarray):
        """The continuous part (below) with the missing tail of each y filled in from the other
        (log1p), and recomputed directly where that one is above log 1/2."""
        out = self._cont1(ys)
        r = ys >= self.centre
        with np.errstate(all="ignore"):
            out["lcdf"] = np.where(r, np.log1p(-np.exp(out["lsf"])), out["lcdf"])
            out["ecdf"] = np.where(r, out["esf"] * np.exp(out["lsf"] - out["lcdf"]), out["ecdf"])
            out["lsf"] = np.where(~r, np.log1p(-np.exp(out["lcdf"])), out["lsf"])
            out["esf"] = np.where(~r, out["ecdf"] * np.exp(out["lcdf"] - out["lsf"]), out["esf"])
        wrong = (r & (out["lsf"] > -0.6931471805599453)) | (~r & (out["lcdf"] > -0.6931471805599453))
        if np.any(wrong):
            fix = self._cont1(ys[wrong], flip=True)
            for k in ("lsf", "lcdf", "esf", "ecdf"):
                out[k][wrong] = np.where(r[wrong] == (k in ("lcdf", "ecdf")), fix[k], out[k][wrong])
            out["pan_err"] = np.maximum(out["pan_err"], fix["pan_err"])
        return out

    def _cont1(self, ys: np.ndarray, flip: bool = False):
        """Continuous part at ys: per y, for (pdf, sf, cdf): log of the Kronrod sum, of the
        Kronrod-Gauss difference per panel (max), and the mean of v under the pdf weights."""
        nd = self._nodes
        P = nd["z"].shape[0]
        ny = ys.size
        out = dict(lpdf=np.full(ny, -np.inf), lsf=np.full(ny, -np.inf), lcdf=np.full(ny, -np.inf),
                   mean=np.zeros(ny), epdf=np.zeros(ny), esf=np.zeros(ny), ecdf=np.zeros(ny),
                   emean=np.zeros(ny), pan_err=np.zeros(P))
        if P == 0:
            return out
        v = nd["v"].ravel()
        m = v.size
        check_memory("n", 8.0 * 12 * min(_BLOCK, ny * m), "the dependent best-of-N integrals")
        step = max(1, _BLOCK // m)
        for s0 in range(0, ny, step):
            y = ys[s0:s0 + step]
            x = y[:, None] - np.where(nd["ok"].ravel(), v, 0.0)[None, :]
            vals = {"logpdf": self._eval("logpdf", x)}
            # one tail per y where it is the smaller one (the other from it, log1p), both only
            # where the guess of the side was wrong
            right = (y >= self.centre) != flip
            lsf = np.full(x.shape, -np.inf)
            lcdf = np.full(x.shape, -np.inf)
            if np.any(right):
                lsf[right] = self._eval("logsf", x[right])
            if np.any(~right):
                lcdf[~right] = self._eval("logcdf", x[~right])
            vals["logsf"], vals["logcdf"] = lsf, lcdf
            for name, key in (("logpdf", "pdf"), ("logsf", "sf"), ("logcdf", "cdf")):
                if key != "pdf" and not np.any(right if key == "sf" else ~right):
                    continue
                sel = slice(None) if key == "pdf" else (right if key == "sf" else ~right)
                lt = vals[name][sel].reshape(-1, P, 15) + nd["ldp"][None, :, :]
                lt = np.where(np.isnan(lt), -np.inf, lt)
                mx = np.max(lt.reshape(lt.shape[0], -1), axis=1)
                fin = np.isfinite(mx)
                sh = np.where(fin, mx, 0.0)
                e = np.exp(lt - sh[:, None, None])
                kp = e @ _KW             # (y, P)
                gp = e @ _GW
                tot = kp.sum(axis=1)
                with np.errstate(divide="ignore"):
                    out["l" + key][s0:s0 + step][sel] = np.where(fin & (tot > 0), sh + np.log(np.where(tot > 0, tot, 1.0)), -np.inf)
                rel = np.abs(kp - gp) / np.where(tot > 0, tot, 1.0)[:, None]
                out["e" + key][s0:s0 + step][sel] = rel.sum(axis=1)
                out["pan_err"] = np.maximum(out["pan_err"], rel.max(axis=0)) if rel.size else out["pan_err"]
                if key == "pdf":
                    vv = np.where(nd["ok"], nd["v"], 0.0)
                    c = np.where(tot > 0, ((e * vv[None]) @ _KW).sum(axis=1) / np.where(tot > 0, tot, 1.0), 0.0)
                    d = np.abs(vv[None] - c[:, None, None])
                    k1 = (e * d) @ _KW
                    g1 = (e * (vv[None] - c[:, None, None])) @ _KW - (e * (vv[None] - c[:, None, None])) @ _GW
                    out["mean"][s0:s0 + step] = c
                    tz = np.where(tot > 0, tot, 1.0)
                    out["emean"][s0:s0 + step] = (np.abs(g1).sum(axis=1) + rel.sum(axis=1) * k1.sum(axis=1)) / tz
                    pe = np.abs(g1) / np.maximum(k1.sum(axis=1), 1e-300)[:, None]
                    out["pan_err"] = np.maximum(out["pan_err"], pe.max(axis=0))
        return out

    def _eval(self, name: str, x: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            if self.vectorized:
                try:
                    r = np.asarray(getattr(self._laws, name)(x), float)
                except Exception as exc:
                    raise ValueError(f"error: {name} of the law returned by error(v) failed: "
                                     f"{type(exc).__name__}: {exc}") from exc
            else:
                r = np.full(x.shape, -np.inf)
                for law, ix in self._laws:
                    try:
                        r[:, ix] = np.asarray(getattr(law, name)(x[:, ix]), float).reshape(x.shape[0], ix.size)
                    except Exception as exc:
                        raise ValueError(f"error: {name} of a law returned by error failed: "
                                         f"{type(exc).__name__}: {exc}") from exc
        if r.shape != x.shape:
            raise TypeError(f"error: {name} of the error law has shape {r.shape}, expected {x.shape}")
        bad = np.isnan(r) & self._nodes["ok"].ravel()[None, :]
        if np.any(bad):
            raise ValueError(f"error: the error law's {name} is nan at some t - v; are its parameters "
                             f"valid for every v?")
        if np.any(r == np.inf) and name == "logpdf":
            raise ValueError("error: the error law's density is infinite at some t - v; a density with "
                             "a singularity cannot be integrated here")
        return np.where(self._nodes["ok"].ravel()[None, :], r, -np.inf)

    def _pm(self, ys: np.ndarray):
        """Point-mass parts at ys (closed forms through V's distribution function)."""
        ny = ys.size
        lpdf = np.full(ny, -np.inf)
        mean = np.zeros(ny)
        lsf = np.full(ny, -np.inf)
        lcdf = np.full(ny, -np.inf)
        V = self.V
        for c, lo, hi in self.pm:
            w = ys - c
            inside = (w >= lo) & (w <= hi)
            with np.errstate(all="ignore"):
                lp = np.where(inside, np.asarray(V.logpdf(w), float), -np.inf)
            lp = np.where(np.isnan(lp), -np.inf, lp)
            both = np.logaddexp(lpdf, lp)
            with np.errstate(invalid="ignore"):
                mean = np.where(np.isfinite(both), mean * np.exp(lpdf - both) + w * np.exp(lp - both), 0.0)
            mean = np.where(np.isnan(mean), 0.0, mean)
            lpdf = both
            # P(V in [max(lo, w), hi]) and P(V in [lo, min(hi, w)])
            lsf = np.logaddexp(lsf, _lprob(V, np.maximum(lo, w), np.full(ny, hi)))
            lcdf = np.logaddexp(lcdf, _lprob(V, np.full(ny, lo), np.minimum(hi, w)))
        return lpdf, mean, lsf, lcdf

    def evaluate(self, ys, refine: bool = True) -> dict:
        """log f_U, E[V | U = y], log P(U > y), log P(U <= y) at ``ys`` with relative errors."""
        ys = np.asarray(ys, float).ravel()
        if self._nodes is None:
            self._build_nodes()
        self._charge(ys.size)
        c = self._cont(ys)
        for _ in range(_ROUNDS if refine else 0):
            bad = np.nonzero(c["pan_err"] > _TOL)[0]
            ncont = self._nodes["z"].shape[0]
            if bad.size == 0 or ncont + 7 * bad.size > _MAX_PANELS:
                break
            self._split(self._nodes["idx"][bad])
            self._charge(ys.size)
            c = self._cont(ys)
        plpdf, pmean, plsf, plcdf = self._pm(ys)
        lpdf = np.logaddexp(c["lpdf"], plpdf)
        with np.errstate(invalid="ignore", over="ignore"):
            wc, wp = np.exp(c["lpdf"] - lpdf), np.exp(plpdf - lpdf)
        fin = np.isfinite(lpdf)
        mean = np.where(fin, np.nan_to_num(wc) * c["mean"] + np.nan_to_num(wp) * pmean, 0.0)
        lsf = np.logaddexp(c["lsf"], plsf)
        lcdf = np.logaddexp(c["lcdf"], plcdf)
        # the mass beyond the z-range: e^-zmax of V on each side, relative to each tail
        tz = math.exp(-self.zmax)
        with np.errstate(over="ignore"):
            esf = c["esf"] + np.minimum(1.0, tz * np.exp(-lsf)) + 1e-14
            ecdf = c["ecdf"] + np.minimum(1.0, tz * np.exp(-lcdf)) + 1e-14
        epdf = np.nan_to_num(wc) * c["epdf"] + 1e-14
        emean = np.nan_to_num(wc) * c["emean"] + 1e-14 * (np.abs(mean) + 1.0)
        return dict(lpdf=lpdf, mean=mean, lsf=lsf, lcdf=lcdf, epdf=epdf, emean=emean, esf=esf, ecdf=ecdf)

    def _charge(self, ny: int) -> None:
        """Count the work of evaluating ``ny`` points on the current nodes; refuse past _MAX_WORK."""
        add = float(ny) * self._nodes["z"].size
        if self.work + add > _MAX_WORK:
            raise ValueError(
                f"error: the law of U = V + X needs more than {_MAX_WORK:.0e} evaluations of the error law "
                f"(y x v-nodes) for this model: the shared v-nodes do not converge, as for an error density "
                f"with a jump or an infinite value (whose place in v moves with y), or an error or V with "
                f"a tail so heavy that far values of U come from a v-window narrower than V's quantile "
                f"spacing; method='mc' needs only draws")
        self.work += add

    def _split(self, idx, parts: int = 8) -> None:
        """Split the panels ``idx`` into ``parts`` equal pieces in z (a jump inside a panel costs
        an error proportional to its width: 8x less per round)."""
        new, kinds = [], []
        cut = set(int(i) for i in idx)
        for i, (p, k) in enumerate(zip(self.pan, self.kind)):
            if i in cut:
                za, zb, va, vb = p
                zs = np.linspace(za, zb, parts + 1)
                vs = _q(self.V, zs)
                vs[0], vs[-1] = va, vb
                new += [(zs[j], zs[j + 1], vs[j], vs[j + 1]) for j in range(parts)]
                kinds += [k] * parts
            else:
                new.append(p)
                kinds.append(k)
        self.pan, self.kind = new, kinds
        self._build_nodes()


def _merge(groups: list) -> list:
    """Scalar-mode laws of one scipy family (an error callable that builds a law per v) merged into
    one law with array parameters of shape (1, k), evaluated elementwise like a vectorised batch
    (the same scipy formulas)."""
    fam: dict = {}
    out = []
    for law, ix in groups:
        dist = getattr(law, "dist", None)
        if isinstance(dist, stats.rv_continuous) and isinstance(law, stats.distributions.rv_frozen):
            key = (type(dist), getattr(dist, "name", None), len(law.args), tuple(sorted(law.kwds)))
            fam.setdefault(key, []).append((law, ix))
        else:
            out.append((law, np.array(ix)))
    for items in fam.values():
        if len(items) < 4:
            out += [(law, np.array(ix)) for law, ix in items]
            continue
        ixs = [np.array(ix) for _, ix in items]
        sizes = [i.size for i in ixs]
        allix = np.concatenate(ixs)

        def col(values):
            return np.repeat(np.array(values, float), sizes).reshape(1, -1)
        law0 = items[0][0]
        try:
            args = [col([law.args[j] for law, _ in items]) for j in range(len(law0.args))]
            kwds = {k: col([law.kwds[k] for law, _ in items]) for k in law0.kwds}
            batch = law0.dist(*args, **kwds)
        except (TypeError, ValueError):
            out += [(law, np.array(ix)) for law, ix in items]
            continue
        out.append((batch, allix))
    return out


def _lprob(V, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """log P(a < V <= b) elementwise (-inf where a >= b), from the tail on the far side of the median."""
    out = np.full(a.shape, -np.inf)
    ok = b > a
    if not np.any(ok):
        return out
    a, b = a[ok], b[ok]
    with np.errstate(all="ignore"):
        med = float(V.median())
        right = a >= med
        sa, sb = np.asarray(V.logsf(a), float), np.asarray(V.logsf(b), float)
        ca, cb = np.asarray(V.logcdf(a), float), np.asarray(V.logcdf(b), float)
        r1 = sa + np.log1p(-np.exp(sb - sa))
        r2 = cb + np.log1p(-np.exp(ca - cb))
        # straddling the median: 1 - P(V <= a) - P(V > b)
        r3 = np.log1p(-(np.exp(ca) + np.exp(sb)))
        left = b <= med
        r = np.where(right, r1, np.where(left, r2, r3))
    out[ok] = np.where(np.isnan(r), -np.inf, r)
    return out
