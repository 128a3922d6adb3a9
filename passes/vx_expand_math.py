"""`vx-expand-math`: expand the math pseudo-instructions into real vx instructions.

The machine has no divide, exp, log or tanh (docs/isa_spec.md): only f32 add/sub/mul/fma,
min/max, integer lane ops and shifts, conversions, compares/selects and the 11-bit
`vrecip.f32`/`vrsqrt.f32` estimates. Each pseudo-op of dialects/vx.py (`vx.exp.f32`, ...,
`vx.div.f32`) becomes range reduction + polynomial + Newton steps on virtual registers:

```mlir
%y = vx.exp.f32 %x : (!vx.vreg) -> !vx.vreg loc("Softmax_3")
// becomes (constants are vx.vsplati of f32 bit patterns)
%a = vx.vmax.f32 %x, %lo ... %t = vx.vadd.f32 (x*log2e), 1.5*2^23   // n = round(x/ln2)
%r = x - n*ln2_hi - n*ln2_lo                                          // Cody-Waite
%p = 1 + r + r^2*P(r)                                                  // Cephes expf
%y = p * 2^(n>>1) * 2^(n-(n>>1))     // exponent built with vsrai/vadd.i32/vshli.i32
```

Every created op carries the location of the pseudo-op it replaces. Arithmetic is done
with separate `vmul`+`vadd` (never `vfma` on a constant accumulator: vfma ties its
accumulator register, which would clobber a shared constant); vfma rounds twice anyway,
so nothing is lost.

Accuracy: max error in f32 ulp of the exact (float64 numpy) result, over every 2^8-th f32
bit pattern (16.7M inputs: both signs, subnormals, inf, NaN) plus special values, run on
the fast simulator by `scripts/measure_math_ulp.py --step 8`; each expansion's docstring
states its figure (all <= 3.47 ulp; sin/cos/tan for |x| <= 8192 only, also on the f32
values nearest to multiples of π/2, and pow for
|y·ln|a|| <= 1: see theirs), tests/test_vx_expand_math.py checks it on a coarser
sample, and BENCHMARKS.md ("vx math expansions: accuracy") lists them.

Constants and register pressure: a constant needed by a pseudo-op inside a `vx.loop` is
hoisted in front of the outermost enclosing loop of its `vx.func` (a loop-invariant
`vx.vsplati` is then free per iteration), shared by every expansion under that loop (by
bit pattern), up to `hoist-limit` distinct constants per loop nest (default 12 of the 32
vector registers, so that the loop's own data and the ~6 temporaries an expansion keeps
live still fit without spilling; exp needs 14 constants, erf 25). Constants past the
limit, and all constants outside loops, are materialised next to their use (one valu op
each, deduplicated within one expansion); `hoist-limit=0` never hoists. Measured peak
in a loop `y[i] = f(x[i])`: 6-9 live vector registers per expansion without hoisting
(17-21 with the default 12 hoisted), and at most one predicate register (the machine has
4) — every compare feeds its select right away.

Input invariant: vx IR on virtual registers (before `vx-allocate-registers`); pseudo-ops
are not inside `vx.packet`s (the packet verifier forbids it).
Output IR: the same, with no pseudo-instruction left; only instructions of
docs/isa_spec.md (plus hoisted `vx.vsplati`s before loops).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from vexa.dialects import vx
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
)
from xdsl.rewriter import InsertPoint
from xdsl.utils.exceptions import DiagnosticException

# region Helpers


def f32_bits(value: float) -> int:
    """The signed 32-bit pattern of the f32 nearest to `value` (a vsplati immediate)."""
    return int(np.array([value], dtype=np.float32).view(np.int32)[0])


def _outermost_loop(op: Operation) -> vx.LoopOp | None:
    """The outermost `vx.loop` around `op` inside its function, if any."""
    found: vx.LoopOp | None = None
    current = op.parent_op()
    while current is not None and not isinstance(current, vx.FuncOp):
        if isinstance(current, vx.LoopOp):
            found = current
        current = current.parent_op()
    return found


@dataclass
class _ConstantPool:
    """Hoisted constants: one table of bit pattern -> value per outermost loop."""

    limit: int
    tables: dict[vx.LoopOp, dict[int, SSAValue]] = field(default_factory=dict)

    def get(self, anchor: vx.LoopOp | None, bits: int, rewriter: PatternRewriter,
            source: Operation) -> SSAValue | None:
        """The hoisted splat of `bits` before `anchor`, or None when not hoistable."""
        if anchor is None:
            return None
        table = self.tables.setdefault(anchor, {})
        value = table.get(bits)
        if value is not None:
            return value
        if len(table) >= self.limit:
            return None
        splat = vx.VsplatiOp(bits)
        splat.location = source.location
        rewriter.insert(splat, InsertPoint.before(anchor))
        table[bits] = splat.vd
        return splat.vd


class _Builder:
    """Appends instructions (with the pseudo-op's location) for one expansion."""

    def __init__(self, source: Operation, pool: _ConstantPool, rewriter: PatternRewriter):
        self.source = source
        self.pool = pool
        self.rewriter = rewriter
        self.anchor = _outermost_loop(source)
        self.ops: list[Operation] = []
        self.local: dict[int, SSAValue] = {}

    def emit(self, op: Operation) -> SSAValue:
        op.location = self.source.location
        self.ops.append(op)
        return op.results[0]

    def bits(self, pattern: int) -> SSAValue:
        """A splat of a 32-bit pattern (hoisted when possible)."""
        pattern = (pattern + 2**31) % 2**32 - 2**31
        value = self.pool.get(self.anchor, pattern, self.rewriter, self.source)
        if value is None:
            value = self.local.get(pattern)
        if value is None:
            value = self.local[pattern] = self.emit(vx.VsplatiOp(pattern))
        return value

    def c(self, value: float) -> SSAValue:
        """A splat of the f32 constant nearest to `value`."""
        return self.bits(f32_bits(value))

    # f32 arithmetic
    def add(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.emit(vx.VaddF32Op(a, b))

    def sub(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.emit(vx.VsubF32Op(a, b))

    def mul(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.emit(vx.VmulF32Op(a, b))

    def max(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.emit(vx.VmaxF32Op(a, b))

    def min(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.emit(vx.VminF32Op(a, b))

    def abs(self, a: SSAValue) -> SSAValue:
        return self.emit(vx.VabsF32Op(a))

    def horner(self, coeffs: tuple[float, ...], t: SSAValue) -> SSAValue:
        """coeffs[0] + t*(coeffs[1] + t*(...)), highest degree first evaluated."""
        p = self.c(coeffs[-1])
        for coeff in reversed(coeffs[:-1]):
            p = self.add(self.mul(p, t), self.c(coeff))
        return p

    # integer lane ops
    def iadd(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.emit(vx.VaddI32Op(a, b))

    def isub(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.emit(vx.VsubI32Op(a, b))

    def shli(self, a: SSAValue, k: int) -> SSAValue:
        return self.emit(vx.VshliI32Op(a, k))

    def srai(self, a: SSAValue, k: int) -> SSAValue:
        return self.emit(vx.VsraiI32Op(a, k))

    def and_(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.emit(vx.VandOp(a, b))

    def or_(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.emit(vx.VorOp(a, b))

    def xor(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.emit(vx.VxorOp(a, b))

    def f2i(self, a: SSAValue) -> SSAValue:
        return self.emit(vx.VcvtI32F32Op(a))

    def i2f(self, a: SSAValue) -> SSAValue:
        return self.emit(vx.VcvtF32I32Op(a))

    # compares and selects (predicates: the machine has only 4, so they die quickly)
    def gt(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.emit(vx.VcmpgtF32Op(a, b))

    def eq(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.emit(vx.VcmpeqF32Op(a, b))

    def sel(self, q: SSAValue, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.emit(vx.VselOp(q, a, b))

    def ieq(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.emit(vx.VcmpeqI32Op(a, b))

    def qand(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.emit(vx.QandOp(a, b))


# endregion

# region Expansions (each returns the result value; `b` collects the instructions)

_INF = 0x7F800000
_NEG_INF = 0xFF800000
_NAN = 0x7FC00000
_SIGN = 0x80000000
_MAGIC = 12582912.0  # 1.5 * 2^23: adding it rounds |t| < 2^22 to an integer (ties even)

# e^r = 1 + r + r^2 * P(r) on |r| <= 0.35 (Cephes expf)
_EXP_P = (5.0000001201e-1, 1.6666665459e-1, 4.1665795894e-2, 8.3334519073e-3,
          1.3981999507e-3, 1.9875691500e-4)
# log(1 + f) = f - f^2/2 + f^3 * P(f) on sqrt(1/2) - 1 <= f < sqrt(2) - 1 (Cephes logf)
_LOG_P = (3.3333331174e-1, -2.4999993993e-1, 2.0000714765e-1, -1.6668057665e-1,
          1.4249322787e-1, -1.2420140846e-1, 1.1676998740e-1, -1.1514610310e-1,
          7.0376836292e-2)
# tanh(x) = x + x^3 * P(x^2) on |x| < 0.625 (Cephes tanhf)
_TANH_P = (-3.33332819422e-1, 1.33314422036e-1, -5.37397155531e-2, 2.06390887954e-2,
           -5.70498872745e-3)
# erf(x) = x * P(x^2) on |x| <= 1 (Chebyshev fit, degree 6 in x^2)
_ERF_SMALL = (1.128379165883329, -0.37612626907891933, 0.11283597491556896,
              -0.026854329538184486, 0.005189312812450874, -0.0008018859013996834,
              7.8825004462037e-05)
# erf(x) = P(x - 2.5) on 1 <= x <= 4 (Chebyshev fit, degree 12)
_ERF_LARGE = (0.9995930793610476, 0.002177979276821944, -0.005447070567268916,
              0.008354324905421179, -0.00861277769891686, 0.0061000245882579995,
              -0.002823758015341334, 0.0005742036797048375, 0.0002920029945704196,
              -0.00028087242220679637, 5.94122612678503e-05, 2.1406097310448156e-05,
              -8.709190291109355e-06)


def _exp(b: _Builder, x: SSAValue, halve: bool = False) -> SSAValue:
    """exp(x): max error 0.97 ulp (measured, full f32 range incl. subnormal results).

    Clamp to [-104, 89] (beyond, the result is 0 resp. inf anyway; NaN propagates through
    vmax), n = round(x·log2 e) by the 1.5·2^23 trick (its integer is the low mantissa bits,
    so n as i32 is one vsub.i32), r = x − n·ln2_hi − n·ln2_lo (ln2_hi has 9 bits: n·ln2_hi
    and the first subtraction are exact), e^r = 1 + r + r²·P(r) (P of degree 5, Cephes),
    then scale by 2^(n>>1)·2^(n−(n>>1)): two normal powers of two, so results that
    overflow become inf and subnormal results are rounded once, correctly. With `halve`,
    exp(x)/2 (the second power of two one lower; the clamp one higher), for sinh/cosh.
    """
    x = b.min(b.max(x, b.c(-104.0)), b.c(90.0 if halve else 89.0))
    magic = b.c(_MAGIC)
    t = b.add(b.mul(x, b.c(1.4426950408889634)), magic)
    n = b.isub(t, magic)
    nf = b.sub(t, magic)
    r = b.sub(x, b.mul(nf, b.c(0.693359375)))
    r = b.sub(r, b.mul(nf, b.c(-2.12194440e-4)))
    r2 = b.mul(r, r)
    p = b.add(b.add(b.mul(b.horner(_EXP_P, r), r2), r), b.c(1.0))
    n1 = b.srai(n, 1)
    n2 = b.isub(n, n1)
    bias = b.bits(127)
    s1 = b.shli(b.iadd(n1, bias), 23)
    s2 = b.shli(b.iadd(n2, b.bits(126) if halve else bias), 23)
    return b.mul(b.mul(p, s1), s2)


def _log(b: _Builder, x: SSAValue) -> SSAValue:
    """log(x): max error 0.81 ulp (measured, full f32 range incl. subnormal inputs).

    Subnormal inputs are scaled by 2^23 first. x = 2^e·m with m in [√½, √2) by integer ops
    (e = (bits − bits(√½)) >> 23, m = bits − e<<23), f = m − 1 exactly, log(1+f) by the
    Cephes polynomial, then e·ln2 in two parts. 0 → −inf, x < 0 and NaN → NaN, +inf → +inf.
    """
    tiny = b.gt(b.c(1.1754943508222875e-38), x)  # subnormal, zero, negative
    xs = b.sel(tiny, b.mul(x, b.c(8388608.0)), x)
    adjust = b.sel(tiny, b.c(23.0), b.c(0.0))
    e = b.srai(b.isub(xs, b.bits(0x3F3504F3)), 23)
    m = b.isub(xs, b.shli(e, 23))
    f = b.sub(m, b.c(1.0))
    ef = b.sub(b.i2f(e), adjust)
    z = b.mul(f, f)
    y = b.mul(b.mul(b.horner(_LOG_P, f), f), z)
    y = b.add(y, b.mul(ef, b.c(-2.12194440e-4)))
    y = b.sub(y, b.mul(z, b.c(0.5)))
    y = b.add(b.add(f, y), b.mul(ef, b.c(0.693359375)))
    inf = b.bits(_INF)
    y = b.sel(b.eq(x, inf), inf, y)
    nonpositive = b.sel(b.eq(x, b.c(0.0)), b.bits(_NEG_INF), b.bits(_NAN))
    return b.sel(b.gt(x, b.c(0.0)), y, nonpositive)


def _newton_recip(b: _Builder, a: SSAValue, steps: int = 2) -> SSAValue:
    """1/a from the vrecip estimate and `steps` Newton steps y += y·(1 − a·y); lanes where
    the estimate is 0, inf or NaN (a = inf, 0, NaN; 1/a overflowing) keep the estimate."""
    y0 = b.emit(vx.VrecipF32Op(a))
    one = b.c(1.0)
    y = y0
    for _ in range(steps):
        y = b.add(y, b.mul(y, b.sub(one, b.mul(a, y))))
    # NaN exactly when the estimate is special: 0·inf, inf − inf (y0 = 0, inf)
    return b.sel(b.eq(y, y), y, y0)


def _recip(b: _Builder, a: SSAValue) -> SSAValue:
    """1/a: max error 1.36 ulp (measured). |a| > 2^125 is scaled by 2^-4 first so that the
    estimate is not a subnormal (which has fewer than 11 bits), and the result rescaled."""
    big = b.gt(b.abs(a), b.c(2.0**125))
    s = b.sel(big, b.c(2.0**-4), b.c(1.0))
    return b.mul(_newton_recip(b, b.mul(a, s)), s)


def _div(b: _Builder, a: SSAValue, d: SSAValue) -> SSAValue:
    """a/d: max error 1.37 ulp (measured). Both are scaled by 2^-4 when |d| > 2^125 and by
    2^24 when |a| or |d| is subnormal (so 1/d and the residual stay normal numbers), then
    q = a·(1/d) plus one correction q += (a − d·q)·(1/d); lanes where the correction is
    NaN (q = 0, inf, NaN) keep q."""
    ad = b.abs(d)
    s = b.sel(b.gt(ad, b.c(2.0**125)), b.c(2.0**-4), b.c(1.0))
    # a subnormal operand: scale both up (if d overflows then, a/d underflows to ±0 anyway)
    tiny = b.gt(b.c(1.1754943508222875e-38), b.min(ad, b.abs(a)))
    s = b.sel(tiny, b.c(2.0**24), s)
    a, d = b.mul(a, s), b.mul(d, s)
    y = _newton_recip(b, d)
    q = b.mul(a, y)
    q1 = b.add(q, b.mul(b.sub(a, b.mul(d, q)), y))
    return b.sel(b.eq(q1, q1), q1, q)


def _rsqrt_newton(b: _Builder, x: SSAValue) -> SSAValue:
    y0 = b.emit(vx.VrsqrtF32Op(x))
    one, half = b.c(1.0), b.c(0.5)
    y = y0
    for _ in range(2):
        e = b.sub(one, b.mul(b.mul(x, y), y))  # x·y first: y·y overflows for subnormal x
        y = b.add(y, b.mul(y, b.mul(e, half)))
    # NaN exactly when the estimate is special (x = ±0, +inf): keep the estimate there
    return b.sel(b.eq(y, y), y, y0)


def _rsqrt(b: _Builder, x: SSAValue) -> SSAValue:
    """1/sqrt(x): max error 1.2 ulp (measured). vrsqrt estimate + 2 Newton steps
    y += y·(1 − x·y·y)/2; ±0 → ±inf, +inf → 0, x < 0 and NaN → NaN (the estimate's)."""
    return _rsqrt_newton(b, x)


def _sqrt(b: _Builder, x: SSAValue) -> SSAValue:
    """sqrt(x): max error 1.73 ulp (measured). x·rsqrt(x); ±0 and +inf are returned
    unchanged (x·rsqrt(x) would be 0·inf)."""
    s = b.mul(x, _rsqrt_newton(b, x))
    s = b.sel(b.eq(x, b.bits(_INF)), x, s)
    return b.sel(b.eq(x, b.c(0.0)), x, s)


def _sigmoid(b: _Builder, x: SSAValue) -> SSAValue:
    """1/(1+exp(−x)): max error 2.03 ulp (measured). With z = exp(−|x|) (never overflows):
    1/(1+z) for x ≥ 0 and z/(1+z) for x < 0, so tiny results for very negative x keep
    their precision instead of becoming 1/inf = 0."""
    one = b.c(1.0)
    z = _exp(b, b.or_(x, b.bits(_SIGN)))
    w = b.add(one, z)
    w_lo = b.sub(z, b.sub(w, one))  # 1 + z = w + w_lo exactly (Fast2Sum: z <= 1)
    s = _newton_recip(b, w)
    num = b.sel(b.gt(b.c(0.0), x), z, one)
    q = b.mul(num, s)
    # one correction step towards num / (w + w_lo)
    r = b.sub(b.sub(num, b.mul(w, q)), b.mul(w_lo, q))
    return b.add(q, b.mul(r, s))


def _tanh(b: _Builder, x: SSAValue) -> SSAValue:
    """tanh(x): max error 1.35 ulp (measured). |x| < 0.625: x + x³·P(x²) (no cancellation);
    else 1 − 2/(1 + exp(2|x|)) with |x| clamped to 10 (tanh is 1.0 in f32 there); the sign
    of x is or-ed back in (so tanh(−0) = −0)."""
    sign = b.and_(x, b.bits(_SIGN))
    a = b.min(b.abs(x), b.c(10.0))
    z = b.mul(a, a)
    small = b.add(b.mul(b.mul(b.horner(_TANH_P, z), z), a), a)
    big_e = _exp(b, b.add(a, a))
    two = b.c(2.0)
    large = b.sub(b.c(1.0), b.mul(two, _newton_recip(b, b.add(b.c(1.0), big_e))))
    t = b.sel(b.gt(b.c(0.625), a), small, large)
    return b.or_(t, sign)


def _erf(b: _Builder, x: SSAValue) -> SSAValue:
    """erf(x): max error 1.31 ulp (measured). |x| ≤ 1: x·P(x²) (degree 6 in x²);
    1 < |x| < 3.9192: P(|x| − 2.5) (degree 12); beyond, 1 (erf rounds to 1 in f32); the
    sign of x is or-ed back in. Coefficients: Chebyshev least-squares fits in float64,
    checked in f32 Horner arithmetic."""
    sign = b.and_(x, b.bits(_SIGN))
    a = b.min(b.abs(x), b.c(4.0))
    # x + x·(P − 1): the leading 2/√π is not rounded to f32 as a whole
    q = b.horner((_ERF_SMALL[0] - 1.0, *_ERF_SMALL[1:]), b.mul(a, a))
    small = b.add(b.mul(q, a), a)
    one = b.c(1.0)
    large = b.min(b.horner(_ERF_LARGE, b.sub(a, b.c(2.5))), one)
    # erf(x) rounds to 1 from x = 3.9192 on; the fit is off by an ulp there
    large = b.sel(b.gt(a, b.c(3.9192)), one, large)
    t = b.sel(b.gt(a, b.c(1.0)), large, small)
    return b.or_(t, sign)


# sin(r) = r + r·z·P(z), cos(r) = 1 − z/2 + z²·Q(z) on |r| <= π/4, z = r² (Cephes sinf/cosf)
_SIN_P = (-1.6666654611e-1, 8.3321608736e-3, -1.9515295891e-4)
_COS_P = (4.166664568298827e-2, -1.388731625493765e-3, 2.443315711809948e-5)
# π/2 in five parts for Cody-Waite: 8, 11, 11 and 11 significant bits (q·P1 ... q·P4 are
# exact for q < 2^13), then the f32 nearest the rest (π/2 − ΣP = −2.7e-24)
_PIO2 = (1.5703125, 4.837512969970703125e-4, 7.549533620476723e-08, 2.5632829192545614e-12,
         6.123234262925839e-17)
_PIO2_HI, _PIO2_LO = 1.5707963705062866, -4.371139000186243e-08  # f32(π/2) + rest
_PI_HI, _PI_LO = 3.1415927410125732, -8.742278000372485e-08
_PIO4_HI, _PIO4_LO = 0.7853981852531433, -2.1855695000931212e-08
# asin(x) = x + x·z·P(z), z = x², on |x| <= 1/2 (Cephes asinf)
_ASIN_P = (1.6666752422e-1, 7.4953002686e-2, 4.5470025998e-2, 2.4181311049e-2,
           4.2163199048e-2)
# atan(t) = t + t·z·P(z) on |t| <= tan(π/8) (Cephes atanf)
_ATAN_P = (-3.33329491539e-1, 1.99777106478e-1, -1.38776856032e-1, 8.05374449538e-2)
# sinh(x) = x + x·z·P(z) on |x| <= 1 (Cephes sinhf)
_SINH_P = (1.66667160211e-1, 8.33028376239e-3, 2.03721912945e-4)
# asinh(x) = x + x·z·P(z) on |x| < 1/2 (Cephes asinhf)
_ASINH_P = (-1.6666288134e-1, 7.4847586088e-2, -4.2699340972e-2, 2.0122003309e-2)
# acosh(1 + z) = √z·P(z) on 0 <= z < 1/2 (Cephes acoshf)
_ACOSH_P = (1.4142135263, -1.1784741703e-1, 2.6454905019e-2, -7.5272886713e-3,
            1.7596881071e-3)
# atanh(x) = x + x·z·P(z) on |x| < 1/2 (Cephes atanhf)
_ATANH_P = (3.33337300303e-1, 1.99782164500e-1, 1.46691431730e-1, 8.24370301058e-2,
            1.81740078349e-1)
_LN2 = 0.6931471805599453


def _odd_poly(b: _Builder, coeffs: tuple[float, ...], x: SSAValue, z: SSAValue) -> SSAValue:
    """x + x·z·P(z): the leading x is added last, exactly as the Cephes kernels do."""
    return b.add(b.mul(b.mul(b.horner(coeffs, z), z), x), x)


def _sincos_reduce(b: _Builder, a: SSAValue) -> tuple[SSAValue, SSAValue, SSAValue]:
    """For a = |x|: (q as i32, sin r, cos r) with a = q·π/2 + r, |r| <= π/4: q = round(a·2/π)
    by the 1.5·2^23 trick, r by five-part Cody-Waite: for q < 2^13 the first four
    products are exact and, when r is small (a near a multiple of π/2: the hard case),
    so is each subtraction (Sterbenz), so r keeps its full precision there."""
    magic = b.c(_MAGIC)
    t = b.add(b.mul(a, b.c(2.0 / np.pi)), magic)
    q = b.isub(t, magic)
    qf = b.sub(t, magic)
    r = a
    for part in _PIO2:
        r = b.sub(r, b.mul(qf, b.c(part)))
    z = b.mul(r, r)
    sin_r = _odd_poly(b, _SIN_P, r, z)
    cos_r = b.add(b.sub(b.c(1.0), b.mul(z, b.c(0.5))), b.mul(b.mul(z, z), b.horner(_COS_P, z)))
    return q, sin_r, cos_r


def _quadrant_bit(b: _Builder, q: SSAValue, bit: int) -> SSAValue:
    """A predicate: bit `bit` of the i32 lanes q is set."""
    mask = b.bits(1 << bit)
    return b.ieq(b.and_(q, mask), mask)


def _sin(b: _Builder, x: SSAValue) -> SSAValue:
    """sin(x): max error 1.62 ulp (measured) for |x| <= 8192 (q < 2^13: the Cody-Waite
    reduction loses no bit; 1.0 ulp on the 16k f32 values nearest to multiples of π/2,
    where the reduced argument is tiny); beyond, the reduced argument loses bits
    (no Payne-Hanek): measured max absolute error 0.25 for 8192 < |x| < 2^22·π/2, and the
    result is meaningless from there on (the rounding trick needs q < 2^22). inf, NaN → NaN.
    sin(±x) picks ±sin r / ±cos r by the quadrant q = round(|x|·2/π); the sign is
    x's sign xor bit 1 of q, applied with vxor."""
    sign = b.and_(x, b.bits(_SIGN))
    q, sin_r, cos_r = _sincos_reduce(b, b.abs(x))
    y = b.sel(_quadrant_bit(b, q, 0), cos_r, sin_r)
    flip = b.shli(b.and_(q, b.bits(2)), 30)  # bit 1 of q -> the sign bit
    return b.xor(y, b.xor(flip, sign))


def _cos(b: _Builder, x: SSAValue) -> SSAValue:
    """cos(x): max error 1.78 ulp (measured) for |x| <= 8192 (1.49 near multiples of
    π/2); beyond, as sin (absolute
    error 0.25 up to 2^22·π/2, meaningless past it). inf, NaN → NaN. Quadrant q:
    cos r, −sin r, −cos r, sin r."""
    q, sin_r, cos_r = _sincos_reduce(b, b.abs(x))
    y = b.sel(_quadrant_bit(b, q, 0), sin_r, cos_r)
    flip = b.shli(b.and_(b.iadd(q, b.bits(1)), b.bits(2)), 30)
    return b.xor(y, flip)


def _tan(b: _Builder, x: SSAValue) -> SSAValue:
    """tan(x): max error 3.47 ulp (measured) for |x| <= 8192 (same reduction as sin; 3.41
    near multiples of π/2);
    sin r / cos r for an even quadrant, −cos r / sin r for an odd one (a vx.div
    expansion), x's sign or-ed in by vxor. inf, NaN → NaN."""
    sign = b.and_(x, b.bits(_SIGN))
    q, sin_r, cos_r = _sincos_reduce(b, b.abs(x))
    odd = _quadrant_bit(b, q, 0)
    num = b.sel(odd, b.emit(vx.VnegF32Op(cos_r)), sin_r)
    odd = _quadrant_bit(b, q, 0)
    den = b.sel(odd, sin_r, cos_r)
    return b.xor(_div(b, num, den), sign)


def _asin_core(b: _Builder, a: SSAValue) -> SSAValue:
    """For a = |x|: asin(w) with w = a (a <= 1/2) or w = √((1 − a)/2) (a > 1/2; then
    asin(a) = π/2 − 2·asin(w))."""
    half = b.c(0.5)
    zb = b.mul(b.sub(b.c(1.0), a), half)  # exact for a in [1/2, 1]
    big = b.gt(a, half)
    w = b.sel(big, _sqrt(b, zb), a)
    big = b.gt(a, half)
    z = b.sel(big, zb, b.mul(a, a))
    return _odd_poly(b, _ASIN_P, w, z)


def _asin(b: _Builder, x: SSAValue) -> SSAValue:
    """asin(x): max error 2.63 ulp (measured). |x| <= 1/2: x + x·z·P(z); above,
    π/2 − 2·asin(√((1 − |x|)/2)) with π/2 in two parts; |x| > 1 → NaN (√ of a negative)."""
    sign = b.and_(x, b.bits(_SIGN))
    a = b.abs(x)
    p = _asin_core(b, a)
    p2 = b.add(p, p)
    large = b.add(b.sub(b.c(_PIO2_HI), p2), b.c(_PIO2_LO))
    y = b.sel(b.gt(a, b.c(0.5)), large, p)
    return b.or_(y, sign)


def _acos(b: _Builder, x: SSAValue) -> SSAValue:
    """acos(x): max error 2.04 ulp (measured). |x| <= 1/2: π/2 − asin(x); x > 1/2:
    2·asin(√((1 − x)/2)); x < −1/2: π − 2·asin(√((1 + x)/2)); π/2 and π in two parts
    ((K_hi − t) + K_lo). |x| > 1 → NaN."""
    a = b.abs(x)
    p = _asin_core(b, a)
    sign = b.and_(x, b.bits(_SIGN))
    p2 = b.add(p, p)
    neg = b.gt(b.c(0.0), x)
    k_hi = b.sel(neg, b.c(_PI_HI), b.c(0.0))
    neg = b.gt(b.c(0.0), x)
    k_lo = b.sel(neg, b.c(_PI_LO), b.c(0.0))
    neg = b.gt(b.c(0.0), x)
    t = b.sel(neg, p2, b.emit(vx.VnegF32Op(p2)))
    small = b.gt(b.c(0.5), a)
    k_hi = b.sel(small, b.c(_PIO2_HI), k_hi)
    small = b.gt(b.c(0.5), a)
    k_lo = b.sel(small, b.c(_PIO2_LO), k_lo)
    small = b.gt(b.c(0.5), a)
    t = b.sel(small, b.or_(p, sign), t)
    y = b.add(b.sub(k_hi, t), k_lo)
    # |x| = 1/2 exactly belongs to the first branch too (both are accurate there)
    return y


def _atan(b: _Builder, x: SSAValue) -> SSAValue:
    """atan(x): max error 1.33 ulp (measured). a = |x| > tan(3π/8): π/2 + atan(−1/a);
    a > tan(π/8): π/4 + atan((a − 1)/(a + 1)); else atan(a); then t + t·z·P(z) and the
    offset (two parts) added last; x's sign or-ed back in. ±inf → ±π/2."""
    sign = b.and_(x, b.bits(_SIGN))
    a = b.abs(x)
    one = b.c(1.0)
    mid_t = _div(b, b.sub(a, one), b.add(a, one))
    big_t = b.emit(vx.VnegF32Op(_recip(b, a)))
    def pick(if_big: SSAValue, if_mid: SSAValue, other: SSAValue) -> SSAValue:
        # each compare feeds its select right away (the machine has 4 predicates)
        v = b.sel(b.gt(a, b.c(0.4142135623730950)), if_mid, other)
        return b.sel(b.gt(a, b.c(2.414213562373095)), if_big, v)

    zero = b.c(0.0)
    t = pick(big_t, mid_t, a)
    hi = pick(b.c(_PIO2_HI), b.c(_PIO4_HI), zero)
    lo = pick(b.c(_PIO2_LO), b.c(_PIO4_LO), zero)
    z = b.mul(t, t)
    y = b.add(b.mul(b.mul(b.horner(_ATAN_P, z), z), t), lo)
    y = b.add(hi, b.add(y, t))
    return b.or_(y, sign)


def _sinh(b: _Builder, x: SSAValue) -> SSAValue:
    """sinh(x): max error 1.53 ulp (measured). |x| <= 1: x + x·z·P(z); above,
    h − 1/(4h) with h = exp(|x|)/2 (built directly, so it is finite up to |x| = 89.4);
    x's sign or-ed back in."""
    sign = b.and_(x, b.bits(_SIGN))
    a = b.abs(x)
    small = _odd_poly(b, _SINH_P, a, b.mul(a, a))
    h = _exp(b, a, halve=True)
    large = b.sub(h, b.mul(_recip(b, h), b.c(0.25)))
    y = b.sel(b.gt(a, b.c(1.0)), large, small)
    return b.or_(y, sign)


def _cosh(b: _Builder, x: SSAValue) -> SSAValue:
    """cosh(x): max error 1.39 ulp (measured). h + 1/(4h) with h = exp(|x|)/2."""
    h = _exp(b, b.abs(x), halve=True)
    return b.add(h, b.mul(_recip(b, h), b.c(0.25)))


def _asinh(b: _Builder, x: SSAValue) -> SSAValue:
    """asinh(x): max error 2.79 ulp (measured). |x| < 1/2: x + x·z·P(z); up to 2^12:
    log(|x| + √(x² + 1)); above, log(|x|) + ln 2 (√(x² + 1) = |x| in f32 there); x's sign
    or-ed back in."""
    sign = b.and_(x, b.bits(_SIGN))
    a = b.abs(x)
    small = _odd_poly(b, _ASINH_P, a, b.mul(a, a))
    huge = b.gt(a, b.c(4096.0))
    arg = b.sel(huge, a, b.add(a, _sqrt(b, b.add(b.mul(a, a), b.c(1.0)))))
    huge = b.gt(a, b.c(4096.0))
    large = b.add(_log(b, arg), b.sel(huge, b.c(_LN2), b.c(0.0)))
    y = b.sel(b.gt(b.c(0.5), a), small, large)
    return b.or_(y, sign)


def _acosh(b: _Builder, x: SSAValue) -> SSAValue:
    """acosh(x): max error 2.56 ulp (measured). z = x − 1 < 1/2: √z·P(z); up to 2^12:
    log(x + √((x − 1)(x + 1))); above, log(x) + ln 2. x < 1 → NaN (√ of a negative)."""
    one = b.c(1.0)
    z = b.sub(x, one)
    small = b.mul(_sqrt(b, z), b.horner(_ACOSH_P, z))
    huge = b.gt(x, b.c(4096.0))
    arg = b.sel(huge, x, b.add(x, _sqrt(b, b.mul(z, b.add(x, one)))))
    huge = b.gt(x, b.c(4096.0))
    large = b.add(_log(b, arg), b.sel(huge, b.c(_LN2), b.c(0.0)))
    large = b.sel(b.gt(one, x), b.bits(_NAN), large)  # x < 1 (incl. −inf)
    return b.sel(b.gt(b.c(0.5), z), small, large)


def _atanh(b: _Builder, x: SSAValue) -> SSAValue:
    """atanh(x): max error 1.16 ulp (measured). |x| < 1/2: x + x·z·P(z); above,
    log((1 + |x|)/(1 − |x|))/2; ±1 → ±inf, |x| > 1 → NaN; x's sign or-ed back in."""
    sign = b.and_(x, b.bits(_SIGN))
    a = b.abs(x)
    one = b.c(1.0)
    small = _odd_poly(b, _ATANH_P, a, b.mul(a, a))
    large = b.mul(_log(b, _div(b, b.add(one, a), b.sub(one, a))), b.c(0.5))
    y = b.sel(b.gt(b.c(0.5), a), small, large)
    return b.or_(y, sign)


def _pow(b: _Builder, a: SSAValue, y: SSAValue) -> SSAValue:
    """a ** y = exp(y·log|a|): max error 1.67 ulp for |y·ln|a|| <= 1 (measured; the
    rounding of y·log|a| is amplified by exp, no extended-precision log here: 5.75 ulp for
    |y·ln|a|| <= 4, 24.6 ulp up to 16, 137.5 ulp = 8.2e-6 relative up to the overflow edge
    89; in general below 2 + 1.9·|y·ln|a|| ulp). IEEE special cases: a negative base
    with an odd integer y flips the sign (also −0 and −inf), a finite negative base with a
    non-integer y gives NaN; y = ±0 → 1 (even for a NaN), a = 1 → 1, (−1) ** ±inf → 1.
    Integer-ness: |y| >= 2^24 is an even integer; below, trunc(y) == y by two vcvts."""
    zero, one = b.c(0.0), b.c(1.0)
    r = _exp(b, b.mul(y, _log(b, b.abs(a))))
    y2 = b.sel(b.gt(b.c(2.0**24), b.abs(y)), y, zero)  # NaN -> 0 (r is NaN anyway)
    i = b.f2i(y2)
    t = b.i2f(i)
    odd = b.sel(b.eq(t, y2), b.shli(b.and_(i, b.bits(1)), 31), zero)
    r = b.xor(r, b.and_(b.and_(a, b.bits(_SIGN)), odd))
    not_real = b.sel(b.eq(t, y2), r, b.bits(_NAN))  # a negative base, non-integer y
    r = b.sel(b.qand(b.gt(zero, a), b.gt(a, b.bits(_NEG_INF))), not_real, r)
    r = b.sel(b.eq(y, zero), one, r)
    r = b.sel(b.eq(a, one), one, r)
    minus_one_inf = b.qand(b.eq(b.abs(y), b.bits(_INF)), b.eq(a, b.c(-1.0)))
    return b.sel(minus_one_inf, one, r)

_UNARY: dict[type[Operation], Callable[[_Builder, SSAValue], SSAValue]] = {
    vx.ExpF32Op: _exp,
    vx.LogF32Op: _log,
    vx.TanhF32Op: _tanh,
    vx.SigmoidF32Op: _sigmoid,
    vx.ErfF32Op: _erf,
    vx.RecipF32Op: _recip,
    vx.SqrtF32Op: _sqrt,
    vx.RsqrtF32Op: _rsqrt,
    vx.SinF32Op: _sin,
    vx.CosF32Op: _cos,
    vx.TanF32Op: _tan,
    vx.AsinF32Op: _asin,
    vx.AcosF32Op: _acos,
    vx.AtanF32Op: _atan,
    vx.SinhF32Op: _sinh,
    vx.CoshF32Op: _cosh,
    vx.AsinhF32Op: _asinh,
    vx.AcoshF32Op: _acosh,
    vx.AtanhF32Op: _atanh,
}

# endregion

# region Pattern and pass


@dataclass
class ExpandMathPattern(RewritePattern):
    """Replace one pseudo-instruction by its expansion (the table above)."""

    pool: _ConstantPool

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if not isinstance(op, vx.VxPseudoInstruction):
            return
        b = _Builder(op, self.pool, rewriter)
        if isinstance(op, vx.DivF32Op):
            result = _div(b, op.va, op.vb)
        elif isinstance(op, vx.PowF32Op):
            result = _pow(b, op.va, op.vb)
        else:
            expand = _UNARY.get(type(op))
            if expand is None:
                return
            result = expand(b, op.operands[0])
        rewriter.replace(op, b.ops, [result])


@dataclass(frozen=True)
class VxExpandMathPass(ModulePass):
    """Expand `vx.exp.f32` ... `vx.div.f32` into vx instructions (see the module docstring).

    Option `hoist-limit`: at most this many distinct constants hoisted in front of each
    outermost `vx.loop` (0: never hoist).
    """

    name = "vx-expand-math"

    hoist_limit: int = 12

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        pool = _ConstantPool(self.hoist_limit)
        PatternRewriteWalker(ExpandMathPattern(pool), apply_recursively=False).rewrite_module(op)
        for leftover in op.walk():
            if isinstance(leftover, vx.VxPseudoInstruction):
                raise DiagnosticException(
                    f"{vx.location_tag(leftover) or '<unknown location>'}: {leftover.name}: "
                    "expected a pseudo-instruction with an expansion, got none for this op"
                )


# endregion
