"""Numpy reference kernels for the `nn` dialect (level L1), with ONNX inference semantics.

One function per nn op of docs/nn_ops.md, registered in `KERNELS` under the op name
(`"nn.conv"`, `"nn.reduce_mean"`, ...). A kernel takes the operand arrays (an absent optional
operand is `None` at its position) and the properties as plain Python values under their ONNX
names, all explicit (the importer fills defaults), and returns the list of results (every
optional trailing result included, e.g. Attention's caches: callers take the prefix the op
declares):

    >>> KERNELS["nn.relu"]([np.array([-1.0, 2.0], np.float32)], {})
    [array([0., 2.], dtype=float32)]

Results keep ONNX dtypes: f32 stays f32, comparisons give bool, ArgMax gives int64. Shape,
Size, Range and ConstantOfShape also have kernels (`nn.shape`, ...) for the importer's
constant folding through `evaluate_op`, though they never appear in nn IR. The
kernels are the oracle every pass and lowering is checked against, and the importer folds
constant subgraphs with them, so they favour exactness; convolution and pooling are still
vectorised (stride tricks + one matmul per conv) so that a ResNet-50 runs in seconds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

Operands = list[np.ndarray | None]
Attrs = dict[str, Any]
Kernel = Callable[[Operands, Attrs], list[np.ndarray]]

KERNELS: dict[str, Kernel] = {}


def kernel(*names: str) -> Callable[[Kernel], Kernel]:
    """Register a kernel under one or more nn op names."""

    def register(fn: Kernel) -> Kernel:
        for name in names:
            KERNELS[name] = fn
        return fn

    return register


# --------------------------------------------------------------------------------------
# helpers


def _axis(axis: int, rank: int) -> int:
    return axis + rank if axis < 0 else axis


def _axes(axes: Sequence[int], rank: int) -> tuple[int, ...]:
    return tuple(sorted(_axis(int(a), rank) for a in axes))


def _is_float(x: np.ndarray) -> bool:
    return x.dtype.kind == "f" or x.dtype.name == "bfloat16"


def _compute_dtype(dtype: np.dtype) -> np.dtype:
    """The dtype transcendental math runs in: f16/bf16 go through f32, like onnxruntime."""
    if dtype.itemsize < 4 and (dtype.kind == "f" or dtype.name == "bfloat16"):
        return np.dtype(np.float32)
    return dtype


def _float_map(fn: Callable[[np.ndarray], np.ndarray]) -> Kernel:
    """An elementwise float kernel computed in f32 (or f64) and cast back."""

    def run(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
        x = inputs[0]
        assert x is not None
        xc = x.astype(_compute_dtype(x.dtype), copy=False)
        return [np.asarray(fn(xc)).astype(x.dtype, copy=False)]

    return run


# Numerical Recipes erfc(z) = t * exp(-z^2 + P(t)), t = 1 / (1 + z/2): P's coefficients
_ERFC_COEFFS = (
    0.17087277, -0.82215223, 1.48851587, -1.13520398, 0.27886807,
    -0.18628806, 0.09678418, 0.37409196, 1.00002368, -1.26551223,
)  # fmt: skip


def _erf(x: np.ndarray) -> np.ndarray:
    """erf without scipy: Taylor series near 0, Numerical Recipes erfc (rel. err 1.2e-7) beyond.

    Computed in f64, so the result is within 1 ulp of f32 erf.
    """
    xd = np.asarray(x, dtype=np.float64)
    out = np.empty_like(xd)
    small = np.abs(xd) < 1.0
    xs = xd[small]
    # sum_n (-1)^n x^(2n+1) / (n! (2n+1)); 20 terms reach 1e-17 for |x| < 1
    term = xs.copy()
    acc = xs.copy()
    x2 = xs * xs
    for n in range(1, 20):
        term = term * -x2 / n
        acc = acc + term / (2 * n + 1)
    out[small] = acc * (2.0 / math.sqrt(math.pi))
    xl = xd[~small]
    z = np.abs(xl)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = np.zeros_like(t)
    for coef in _ERFC_COEFFS:  # Horner, highest power first
        poly = poly * t + coef
    poly = poly - z * z
    erfc = t * np.exp(poly)
    out[~small] = np.where(xl >= 0, 1.0 - erfc, erfc - 1.0)
    return out


# ONNX TensorProto codes of attributes that name a float type (stash_type, softmax_precision)
_ONNX_FLOAT_TYPES = {1: np.float32, 10: np.float16, 11: np.float64}


def _int_info_bounds(dtype: np.dtype, lo: float, hi: float) -> tuple[Any, Any]:
    """Clip bounds for an integer tensor: ±inf become the dtype's range."""
    info = np.iinfo(dtype)
    lo_v = info.min if not math.isfinite(lo) else max(int(lo), info.min)
    hi_v = info.max if not math.isfinite(hi) else min(int(hi), info.max)
    return dtype.type(lo_v), dtype.type(hi_v)


# --------------------------------------------------------------------------------------
# elementwise unary

_UNARY: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "nn.exp": np.exp,
    "nn.log": np.log,
    "nn.sqrt": np.sqrt,
    "nn.reciprocal": np.reciprocal,
    "nn.tanh": np.tanh,
    "nn.erf": lambda x: _erf(x).astype(x.dtype),
    "nn.sin": np.sin,
    "nn.cos": np.cos,
    "nn.tan": np.tan,
    "nn.asin": np.arcsin,
    "nn.acos": np.arccos,
    "nn.atan": np.arctan,
    "nn.sinh": np.sinh,
    "nn.cosh": np.cosh,
    "nn.asinh": np.arcsinh,
    "nn.acosh": np.arccosh,
    "nn.atanh": np.arctanh,
    "nn.softplus": lambda x: np.logaddexp(x.dtype.type(0), x),
    "nn.softsign": lambda x: x / (1 + np.abs(x)),
    "nn.hard_swish": lambda x: x * np.clip(x * x.dtype.type(1 / 6) + x.dtype.type(0.5), 0, 1),
    "nn.mish": lambda x: x * np.tanh(np.logaddexp(x.dtype.type(0), x)),
}
for _name, _fn in _UNARY.items():
    KERNELS[_name] = _float_map(_fn)


def _sigmoid_stable(x: np.ndarray) -> np.ndarray:
    # exp of a non-positive argument never overflows
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


KERNELS["nn.sigmoid"] = _float_map(_sigmoid_stable)


@kernel("nn.abs")
def abs_(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    return [np.abs(inputs[0])]


@kernel("nn.neg")
def neg(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    return [np.negative(inputs[0])]


@kernel("nn.relu")
def relu(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    return [np.maximum(x, x.dtype.type(0))]


@kernel("nn.floor")
def floor(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    return [np.floor(inputs[0])]


@kernel("nn.ceil")
def ceil(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    return [np.ceil(inputs[0])]


@kernel("nn.round")
def round_(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    # numpy rounds half to even, as ONNX Round does
    return [np.round(inputs[0])]


@kernel("nn.sign")
def sign(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    return [np.sign(x).astype(x.dtype, copy=False)]


@kernel("nn.not")
def not_(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    return [np.logical_not(inputs[0])]


@kernel("nn.bitwise_not")
def bitwise_not(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    return [np.bitwise_not(inputs[0])]


@kernel("nn.identity")
def identity(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    return [x]


@kernel("nn.dropout")
def dropout(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    """Inference-mode Dropout: the identity, and an all-true mask as the optional result."""
    x = inputs[0]
    assert x is not None
    return [x, np.ones(x.shape, dtype=np.bool_)]


@kernel("nn.is_na_n", "nn.is_nan")
def is_nan(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    return [np.isnan(inputs[0])]


@kernel("nn.is_inf")
def is_inf(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    pos = np.isposinf(x) if attrs["detect_positive"] else np.zeros(x.shape, bool)
    neg_ = np.isneginf(x) if attrs["detect_negative"] else np.zeros(x.shape, bool)
    return [pos | neg_]


def _unary_with(fn: Callable[[np.ndarray, Attrs], np.ndarray]) -> Kernel:
    def run(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
        x = inputs[0]
        assert x is not None
        xc = x.astype(_compute_dtype(x.dtype), copy=False)
        return [np.asarray(fn(xc, attrs)).astype(x.dtype, copy=False)]

    return run


def _f(x: np.ndarray, v: float) -> Any:
    """A Python float as a scalar of x's dtype, so arithmetic stays in that dtype."""
    return x.dtype.type(v)


KERNELS["nn.leaky_relu"] = _unary_with(lambda x, a: np.where(x >= 0, x, x * _f(x, a["alpha"])))
KERNELS["nn.elu"] = _unary_with(
    lambda x, a: np.where(x >= 0, x, _f(x, a["alpha"]) * np.expm1(np.minimum(x, 0)))
)
KERNELS["nn.celu"] = _unary_with(
    lambda x, a: (
        np.maximum(x, 0)
        + np.minimum(0, _f(x, a["alpha"]) * np.expm1(np.minimum(x, 0) / _f(x, a["alpha"])))
    )
)
KERNELS["nn.selu"] = _unary_with(
    lambda x, a: (
        _f(x, a["gamma"]) * np.where(x > 0, x, _f(x, a["alpha"]) * np.expm1(np.minimum(x, 0)))
    )
)
KERNELS["nn.thresholded_relu"] = _unary_with(
    lambda x, a: np.where(x > _f(x, a["alpha"]), x, _f(x, 0))
)
KERNELS["nn.hard_sigmoid"] = _unary_with(
    lambda x, a: np.clip(x * _f(x, a["alpha"]) + _f(x, a["beta"]), 0, 1)
)


def _gelu(x: np.ndarray, a: Attrs) -> np.ndarray:
    xd = x.astype(np.float64)
    if a["approximate"] == "tanh":
        inner = math.sqrt(2 / math.pi) * (xd + 0.044715 * xd**3)
        return 0.5 * xd * (1 + np.tanh(inner))
    return 0.5 * xd * (1 + _erf(xd / math.sqrt(2)))


KERNELS["nn.gelu"] = _unary_with(_gelu)


@kernel("nn.clip")
def clip(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    lo, hi = float(attrs["min"]), float(attrs["max"])
    if _is_float(x):
        return [np.minimum(np.maximum(x, _f(x, lo)), _f(x, hi))]
    lo_v, hi_v = _int_info_bounds(x.dtype, lo, hi)
    return [np.minimum(np.maximum(x, lo_v), hi_v)]


@kernel("nn.cast")
def cast(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    to = np.dtype(attrs["to"])
    if to == np.bool_:
        return [x != 0]
    if _is_float(x) and to.kind in "iu":
        # float -> int truncates toward zero (C semantics, as onnxruntime)
        return [np.trunc(x).astype(to)]
    return [x.astype(to)]


# --------------------------------------------------------------------------------------
# elementwise binary, variadic, ternary


def _binary(fn: Callable[[np.ndarray, np.ndarray], np.ndarray], keep_dtype: bool = True) -> Kernel:
    def run(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
        a, b = inputs[0], inputs[1]
        assert a is not None and b is not None
        r = np.asarray(fn(a, b))
        return [r.astype(a.dtype, copy=False) if keep_dtype else r]

    return run


def _div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.dtype.kind in "iu":
        # C integer division truncates toward zero; numpy's // floors
        q = np.floor_divide(a, b)
        fix = (np.remainder(a, b) != 0) & ((a < 0) != (b < 0))
        return q + fix.astype(q.dtype)
    return np.divide(a, b)


def _pow(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pow with the base's dtype; integer powers stay exact (no f64 detour) when they can."""
    if _is_float(a):
        return np.power(a, b.astype(a.dtype, copy=False))
    if b.dtype.kind in "iu" and not (b < 0).any():
        return np.power(a, b.astype(a.dtype, copy=False))
    return np.power(a.astype(np.float64), b.astype(np.float64))


def _prelu(x: np.ndarray, slope: np.ndarray) -> np.ndarray:
    return np.where(x < 0, x * slope.astype(x.dtype, copy=False), x)


KERNELS["nn.add"] = _binary(np.add)
KERNELS["nn.sub"] = _binary(np.subtract)
KERNELS["nn.mul"] = _binary(np.multiply)
KERNELS["nn.div"] = _binary(_div)
KERNELS["nn.pow"] = _binary(_pow)
KERNELS["nn.p_relu"] = KERNELS["nn.prelu"] = _binary(_prelu)
KERNELS["nn.and"] = _binary(np.logical_and)
KERNELS["nn.or"] = _binary(np.logical_or)
KERNELS["nn.xor"] = _binary(np.logical_xor)
KERNELS["nn.bitwise_and"] = _binary(np.bitwise_and)
KERNELS["nn.bitwise_or"] = _binary(np.bitwise_or)
KERNELS["nn.bitwise_xor"] = _binary(np.bitwise_xor)
KERNELS["nn.equal"] = _binary(np.equal, keep_dtype=False)
KERNELS["nn.less"] = _binary(np.less, keep_dtype=False)
KERNELS["nn.less_or_equal"] = _binary(np.less_equal, keep_dtype=False)
KERNELS["nn.greater"] = _binary(np.greater, keep_dtype=False)
KERNELS["nn.greater_or_equal"] = _binary(np.greater_equal, keep_dtype=False)


@kernel("nn.mod")
def mod(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    a, b = inputs[0], inputs[1]
    assert a is not None and b is not None
    # fmod=1: sign of the dividend (C fmod); fmod=0: sign of the divisor (Python %)
    r = np.fmod(a, b) if attrs["fmod"] else np.mod(a, b)
    return [r.astype(a.dtype, copy=False)]


@kernel("nn.bit_shift")
def bit_shift(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    a, b = inputs[0], inputs[1]
    assert a is not None and b is not None
    b = b.astype(a.dtype, copy=False)
    r = np.left_shift(a, b) if attrs["direction"] == "LEFT" else np.right_shift(a, b)
    return [r.astype(a.dtype, copy=False)]


def _variadic(fn: Callable[[np.ndarray, np.ndarray], np.ndarray], mean: bool = False) -> Kernel:
    def run(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
        xs = [x for x in inputs if x is not None]
        acc = xs[0]
        for x in xs[1:]:
            acc = fn(acc, x)
        if mean:
            acc = acc / acc.dtype.type(len(xs)) if _is_float(acc) else acc // len(xs)
        return [np.asarray(acc).astype(xs[0].dtype, copy=False)]

    return run


KERNELS["nn.sum"] = _variadic(np.add)
KERNELS["nn.mean"] = _variadic(np.add, mean=True)
KERNELS["nn.max"] = _variadic(np.maximum)
KERNELS["nn.min"] = _variadic(np.minimum)


@kernel("nn.where")
def where(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    c, x, y = inputs
    assert c is not None and x is not None and y is not None
    return [np.where(c, x, y).astype(x.dtype, copy=False)]


# --------------------------------------------------------------------------------------
# linear algebra
#
# Float products accumulate in f64 and round once to the result dtype. BLAS f32 kernels
# round differently in different rows (edge blocks), so channels with identical weights
# (the shipped "light" models fill every weight with 0.02) would drift apart by an ulp and
# logits of 1e9 turn a uniform softmax into a one-hot; f64 keeps them identical and is
# closer to the exact value the reference should stand for.

_F64_CHUNK = 1 << 22  # elements of a right-hand matrix converted to f64 at a time


def _acc_dtype(*xs: np.ndarray) -> np.dtype:
    dt = np.result_type(*xs)
    return np.dtype(np.float64) if dt.kind == "f" or dt.name == "bfloat16" else dt


def _matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """numpy matmul accumulated in f64 for floats; a large 2-D `b` (weights of a VGG fc
    layer: 100 M elements) is converted a block of columns at a time."""
    acc = _acc_dtype(a, b)
    if acc != np.float64:
        return np.matmul(a, b)
    a64 = a.astype(np.float64, copy=False)
    if b.ndim != 2 or b.size <= _F64_CHUNK:
        return np.matmul(a64, b.astype(np.float64, copy=False))
    out = np.empty((*a.shape[:-1], b.shape[1]), dtype=np.float64)
    step = max(1, _F64_CHUNK // b.shape[0])
    for j in range(0, b.shape[1], step):
        out[..., j : j + step] = np.matmul(a64, b[:, j : j + step].astype(np.float64))
    return out


@kernel("nn.mat_mul")
def mat_mul(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    a, b = inputs[0], inputs[1]
    assert a is not None and b is not None
    return [_matmul(a, b).astype(np.result_type(a, b), copy=False)]


@kernel("nn.gemm")
def gemm(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    a, b = inputs[0], inputs[1]
    c = inputs[2] if len(inputs) > 2 else None
    assert a is not None and b is not None
    if attrs["trans_a"]:
        a = a.T
    if attrs["trans_b"]:
        b = b.T
    y = _matmul(a, b)
    alpha, beta = float(attrs["alpha"]), float(attrs["beta"])
    if alpha != 1.0:
        y = y * alpha
    if c is not None and beta != 0.0:
        y = y + c.astype(y.dtype, copy=False) * beta
    return [y.astype(a.dtype, copy=False)]


def _pad_spatial(
    x: np.ndarray, pads: Sequence[int], value: Any, extra: Sequence[int] = ()
) -> np.ndarray:
    """Pad the spatial axes (2..) of x: `pads` = [begin..., end...] (+ `extra` at the end)."""
    nd = x.ndim - 2
    pads = list(pads) or [0] * (2 * nd)
    ends = [pads[nd + i] + (extra[i] if extra else 0) for i in range(nd)]
    if not any(pads[:nd]) and not any(ends):
        return x
    width = [(0, 0), (0, 0)] + [(pads[i], ends[i]) for i in range(nd)]
    return np.pad(x, width, mode="constant", constant_values=value)


def _windows(
    xp: np.ndarray,
    out: Sequence[int],
    kernel: Sequence[int],
    strides: Sequence[int],
    dilations: Sequence[int],
) -> np.ndarray:
    """A read-only view (N, C, *out, *kernel) of the sliding windows of padded xp."""
    nd = len(kernel)
    s = xp.strides
    shape = (*xp.shape[:2], *out, *kernel)
    st = (
        s[0],
        s[1],
        *(s[2 + i] * strides[i] for i in range(nd)),
        *(s[2 + i] * dilations[i] for i in range(nd)),
    )
    return as_strided(xp, shape, st, writeable=False)


def _conv_out(size: int, k: int, s: int, d: int, pb: int, pe: int) -> int:
    return (size + pb + pe - ((k - 1) * d + 1)) // s + 1


_IM2COL_CHUNK = 1 << 22  # elements of one im2col block: bounds memory for VGG-sized layers


def _conv_depthwise(win: np.ndarray, w: np.ndarray, acc: np.dtype) -> np.ndarray:
    """One output channel per input channel: K multiply-adds over the whole tensor beat
    G tiny matmuls. `win` is (N, G, 1, *out, *k); returns (N, G, *out)."""
    n, g = win.shape[:2]
    nd = (win.ndim - 3) // 2
    k = win.shape[3 + nd :]
    out = win.shape[3 : 3 + nd]
    y = np.zeros((n, g, *out), dtype=acc)
    wk = w.reshape(g, -1).astype(acc, copy=False)
    spatial = (slice(None),) * nd
    for j, idx in enumerate(np.ndindex(*k)):
        tap = win[(slice(None), slice(None), 0, *spatial, *idx)]
        y += tap * wk[:, j].reshape((1, g) + (1,) * nd)
    return y


def _conv_im2col(win: np.ndarray, wg: np.ndarray, acc: np.dtype) -> np.ndarray:
    """im2col + batched matmul, a block of output rows at a time so that the column copy
    stays small. `win` is (N, G, Cg, *out, *k), `wg` (G, Mg, Cg*K); returns (N, G, Mg, P)."""
    n, g, cg = win.shape[:3]
    nd = (win.ndim - 3) // 2
    out = win.shape[3 : 3 + nd]
    kk = math.prod(win.shape[3 + nd :])
    rest = math.prod(out[1:])
    mg = wg.shape[1]
    y = np.empty((n, g, mg, out[0], rest), dtype=acc)
    rows = max(1, _IM2COL_CHUNK // max(1, n * cg * kk * rest))
    perm = (0, 1, 2, *range(3 + nd, 3 + 2 * nd), *range(3, 3 + nd))
    for r0 in range(0, out[0], rows):
        block = win[:, :, :, r0 : r0 + rows]
        r = block.shape[3]
        # the im2col copy, cast to the accumulation dtype in the same pass
        cols = np.ascontiguousarray(block.transpose(perm), dtype=acc).reshape(
            n, g, cg * kk, r * rest
        )
        y[:, :, :, r0 : r0 + r] = np.matmul(wg, cols).reshape(n, g, mg, r, rest)
    return y


@kernel("nn.conv")
def conv(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    """N-d grouped, strided, dilated convolution: im2col in blocks + batched matmul in f64."""
    x, w = inputs[0], inputs[1]
    b = inputs[2] if len(inputs) > 2 else None
    assert x is not None and w is not None
    n, c = x.shape[:2]
    m = w.shape[0]
    nd = x.ndim - 2
    k = list(w.shape[2:])
    strides = list(attrs["strides"]) or [1] * nd
    dil = list(attrs["dilations"]) or [1] * nd
    pads = list(attrs["pads"]) or [0] * (2 * nd)
    g = int(attrs["group"])
    cg, mg = c // g, m // g
    out = [
        _conv_out(x.shape[2 + i], k[i], strides[i], dil[i], pads[i], pads[nd + i])
        for i in range(nd)
    ]
    p = math.prod(out)
    kk = math.prod(k)
    acc = _acc_dtype(x, w)
    wg = w.reshape(g, mg, cg * kk).astype(acc, copy=False)
    if kk == 1 and all(s == 1 for s in strides) and not any(pads):
        y = np.matmul(wg, x.reshape(n, g, cg, p).astype(acc, copy=False))
    else:
        xp = _pad_spatial(x, pads, 0)
        win = _windows(xp, out, k, strides, dil).reshape(n, g, cg, *out, *k)
        if cg == 1 and mg == 1:
            y = _conv_depthwise(win, w, acc)
        else:
            y = _conv_im2col(win, wg, acc)
    y = y.reshape(n, m, *out)
    if b is not None:
        y += b.reshape((1, m) + (1,) * nd).astype(y.dtype, copy=False)
    return [y.astype(x.dtype, copy=False)]


@kernel("nn.conv_transpose")
def conv_transpose(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    """Transposed convolution: one matmul to columns, then col2im with one add per tap."""
    x, w = inputs[0], inputs[1]
    b = inputs[2] if len(inputs) > 2 else None
    assert x is not None and w is not None
    n, c = x.shape[:2]
    nd = x.ndim - 2
    g = int(attrs["group"])
    cg = c // g
    mg = w.shape[1]
    m = mg * g
    k = list(w.shape[2:])
    kk = math.prod(k)
    strides = list(attrs["strides"]) or [1] * nd
    dil = list(attrs["dilations"]) or [1] * nd
    pads = list(attrs["pads"]) or [0] * (2 * nd)
    opad = list(attrs["output_padding"]) or [0] * nd
    ins = list(x.shape[2:])
    full = [strides[i] * (ins[i] - 1) + (k[i] - 1) * dil[i] + 1 + opad[i] for i in range(nd)]
    out = [full[i] - pads[i] - pads[nd + i] for i in range(nd)]
    p = math.prod(ins)
    # (G, Cg, Mg*K)^T @ (N, G, Cg, P) -> (N, G, Mg*K, P)
    acc_dtype = _acc_dtype(x, w)
    wt = w.reshape(g, cg, mg * kk).transpose(0, 2, 1).astype(acc_dtype, copy=False)
    cols = np.matmul(wt, x.reshape(n, g, cg, p).astype(acc_dtype, copy=False)).reshape(
        n, m, *k, *ins
    )
    # allocate enough room for pads that could be negative in the crop below
    y = np.zeros((n, m, *[max(full[i], pads[i] + out[i]) for i in range(nd)]), dtype=acc_dtype)
    for idx in np.ndindex(*k):
        sl = tuple(
            slice(idx[i] * dil[i], idx[i] * dil[i] + strides[i] * (ins[i] - 1) + 1, strides[i])
            for i in range(nd)
        )
        y[(slice(None), slice(None), *sl)] += cols[(slice(None), slice(None), *idx)]
    y = y[(slice(None), slice(None), *(slice(pads[i], pads[i] + out[i]) for i in range(nd)))]
    if b is not None:
        y = y + b.reshape((1, m) + (1,) * nd)
    return [np.ascontiguousarray(y).astype(x.dtype, copy=False)]


# --------------------------------------------------------------------------------------
# normalization


@kernel("nn.batch_normalization")
def batch_normalization(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x, scale, bias, mean, var = inputs[:5]
    assert x is not None and scale is not None and bias is not None
    assert mean is not None and var is not None
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    dt = x.dtype
    inv = scale.astype(dt) / np.sqrt(var.astype(dt) + dt.type(attrs["epsilon"]))
    shift = bias.astype(dt) - mean.astype(dt) * inv
    return [x * inv.reshape(shape) + shift.reshape(shape)]


@kernel("nn.instance_normalization")
def instance_normalization(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x, scale, bias = inputs[:3]
    assert x is not None and scale is not None and bias is not None
    axes = tuple(range(2, x.ndim))
    xd = x.astype(np.float64)
    mean = xd.mean(axis=axes, keepdims=True)
    var = ((xd - mean) ** 2).mean(axis=axes, keepdims=True)
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    y = (xd - mean) / np.sqrt(var + attrs["epsilon"]) * scale.reshape(shape) + bias.reshape(shape)
    return [y.astype(x.dtype)]


@kernel("nn.layer_normalization")
def layer_normalization(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x, scale = inputs[0], inputs[1]
    bias = inputs[2] if len(inputs) > 2 else None
    assert x is not None and scale is not None
    axis = _axis(int(attrs["axis"]), x.ndim)
    axes = tuple(range(axis, x.ndim))
    xd = x.astype(np.float64)
    mean = xd.mean(axis=axes, keepdims=True)
    var = ((xd - mean) ** 2).mean(axis=axes, keepdims=True)
    inv_std = 1 / np.sqrt(var + attrs["epsilon"])
    y = (xd - mean) * inv_std * scale
    if bias is not None:
        y = y + bias
    # optional Mean and InvStdDev results, in the stash type (f32 unless told otherwise)
    stash = attrs.get("stash_type", np.float32)
    stash = _ONNX_FLOAT_TYPES.get(stash, np.float32) if isinstance(stash, int) else stash
    return [y.astype(x.dtype), mean.astype(stash), inv_std.astype(stash)]


@kernel("nn.lrn")
def lrn(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    size = int(attrs["size"])
    before, after = (size - 1) // 2, size - 1 - (size - 1) // 2
    sq = x.astype(np.float64) ** 2
    width = [(0, 0), (before, after)] + [(0, 0)] * (x.ndim - 2)
    sqp = np.pad(sq, width)
    c = x.shape[1]
    acc = np.zeros_like(sq)
    for i in range(size):
        acc += sqp[:, i : i + c]
    denom = (attrs["bias"] + attrs["alpha"] / size * acc) ** attrs["beta"]
    return [(x / denom).astype(x.dtype)]


# --------------------------------------------------------------------------------------
# pooling


def _pool_geometry(
    x: np.ndarray, attrs: Attrs
) -> tuple[list[int], list[int], list[int], list[int], list[int], list[int]]:
    """kernel, strides, dilations, pads, output size and the extra end padding ceil_mode needs."""
    nd = x.ndim - 2
    k = list(attrs["kernel_shape"])
    strides = list(attrs.get("strides") or [1] * nd)
    dil = list(attrs.get("dilations") or [1] * nd)
    pads = list(attrs.get("pads") or [0] * (2 * nd))
    ceil_mode = int(attrs.get("ceil_mode", 0))
    out, extra = [], []
    for i in range(nd):
        size = x.shape[2 + i]
        span = (k[i] - 1) * dil[i] + 1
        num = size + pads[i] + pads[nd + i] - span
        o = (-(-num // strides[i]) if ceil_mode else num // strides[i]) + 1
        # a window may not start in the end padding (the onnxruntime / PyTorch rule)
        if ceil_mode and (o - 1) * strides[i] >= size + pads[i]:
            o -= 1
        out.append(o)
        need = (o - 1) * strides[i] + span
        extra.append(max(0, need - (size + pads[i] + pads[nd + i])))
    return k, strides, dil, pads, out, extra


def _lowest(dtype: np.dtype) -> Any:
    if dtype.kind in "iu":
        return np.iinfo(dtype).min
    return -np.inf


@kernel("nn.max_pool")
def max_pool(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    k, strides, dil, pads, out, extra = _pool_geometry(x, attrs)
    xp = _pad_spatial(x, pads, _lowest(x.dtype), extra)
    win = _windows(xp, out, k, strides, dil)
    # one comparison per tap: numpy reduces a strided window view over many axes slowly.
    # The first maximum in tap order wins (onnxruntime's strict >), which fixes Indices.
    taps = list(np.ndindex(*k))
    acc = win[(Ellipsis, *taps[0])].copy()
    best = np.zeros(acc.shape, dtype=np.int64)
    for t, idx in enumerate(taps[1:], start=1):
        tap = win[(Ellipsis, *idx)]
        better = np.greater(tap, acc)
        np.copyto(acc, tap, where=better)
        np.copyto(best, t, where=better)
    return [acc, _max_pool_indices(x.shape, best, taps, strides, dil, pads, attrs)]


def _max_pool_indices(
    shape: Sequence[int],
    best: np.ndarray,
    taps: list[tuple[int, ...]],
    strides: Sequence[int],
    dil: Sequence[int],
    pads: Sequence[int],
    attrs: Attrs,
) -> np.ndarray:
    """MaxPool's optional Indices: the flat input index of each maximum (row-major, or
    spatially column-major with `storage_order` 1)."""
    nd = len(shape) - 2
    tap_coords = np.array(taps, dtype=np.int64).reshape(len(taps), nd)
    coords = []
    for i in range(nd):
        o = np.arange(best.shape[2 + i]).reshape(
            [-1 if a == 2 + i else 1 for a in range(best.ndim)]
        )
        coords.append(o * strides[i] - pads[i] + tap_coords[best, i] * dil[i])
    spatial = list(shape[2:])
    order = list(range(nd))[::-1] if attrs.get("storage_order", 0) else list(range(nd))
    flat = np.zeros(best.shape, dtype=np.int64)
    for i in order:
        flat = flat * spatial[i] + coords[i]
    plane = math.prod(spatial)
    nc = (np.arange(shape[0]).reshape(-1, 1) * shape[1] + np.arange(shape[1])).reshape(
        shape[0], shape[1], *([1] * nd)
    )
    return nc * plane + flat


def _window_sum(
    xp: np.ndarray, out: Sequence[int], k: Sequence[int], strides: Sequence[int], dil: Sequence[int]
) -> np.ndarray:
    """Sum over the kernel window, accumulated one tap at a time (no K-times copy)."""
    nd = len(k)
    win = _windows(xp, out, k, strides, dil)
    acc = np.zeros(win.shape[: 2 + nd], dtype=xp.dtype)
    for idx in np.ndindex(*k):
        acc += win[(Ellipsis, *idx)]
    return acc


def _pool_divisor(x: np.ndarray, attrs: Attrs, include_pad: bool) -> np.ndarray:
    """Per-output element count: the window ∩ (input + explicit pads if include_pad)."""
    k, strides, dil, pads, out, extra = _pool_geometry(x, attrs)
    nd = len(k)
    ones = np.ones((1, 1, *x.shape[2:]), dtype=np.float64)
    mask = _pad_spatial(ones, pads, 1.0 if include_pad else 0.0)
    mask = _pad_spatial(mask, [0] * (2 * nd), 0.0, extra)
    return _window_sum(mask, out, k, strides, dil)


@kernel("nn.average_pool")
def average_pool(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    k, strides, dil, pads, out, extra = _pool_geometry(x, attrs)
    acc_dtype = np.float64 if x.dtype != np.float32 else np.float32
    xp = _pad_spatial(x.astype(acc_dtype, copy=False), pads, 0, extra)
    total = _window_sum(xp, out, k, strides, dil)
    div = _pool_divisor(x, attrs, bool(attrs["count_include_pad"]))
    return [(total / div.astype(acc_dtype)).astype(x.dtype, copy=False)]


@kernel("nn.lp_pool")
def lp_pool(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    pw = float(attrs["p"])
    k, strides, dil, pads, out, extra = _pool_geometry(x, attrs)
    xp = _pad_spatial(np.abs(x.astype(np.float64)) ** pw, pads, 0.0, extra)
    total = _window_sum(xp, out, k, strides, dil)
    return [(total ** (1.0 / pw)).astype(x.dtype)]


@kernel("nn.global_average_pool")
def global_average_pool(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    axes = tuple(range(2, x.ndim))
    return [x.mean(axis=axes, keepdims=True, dtype=np.float64).astype(x.dtype)]


@kernel("nn.global_max_pool")
def global_max_pool(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    return [x.max(axis=tuple(range(2, x.ndim)), keepdims=True)]


# --------------------------------------------------------------------------------------
# softmax family


def _softmax_dtype(dtype: np.dtype) -> np.dtype:
    """f32/f64 softmax runs in f64; f16 runs step by step in f16 like the ONNX reference,
    whose rounding the conformance suite's f16 tolerances (1 ulp) are set against."""
    return dtype if dtype == np.float16 else np.dtype(np.float64)


@kernel("nn.softmax")
def softmax(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    axis = _axis(int(attrs["axis"]), x.ndim)
    xd = x.astype(_softmax_dtype(x.dtype))
    e = np.exp(xd - xd.max(axis=axis, keepdims=True))
    return [(e / e.sum(axis=axis, keepdims=True)).astype(x.dtype)]


@kernel("nn.log_softmax")
def log_softmax(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    axis = _axis(int(attrs["axis"]), x.ndim)
    xd = x.astype(_softmax_dtype(x.dtype))
    s = xd - xd.max(axis=axis, keepdims=True)
    return [(s - np.log(np.exp(s).sum(axis=axis, keepdims=True))).astype(x.dtype)]


@kernel("nn.hardmax")
def hardmax(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    axis = _axis(int(attrs["axis"]), x.ndim)
    idx = np.expand_dims(np.argmax(x, axis=axis), axis)
    y = np.zeros_like(x)
    np.put_along_axis(y, idx, x.dtype.type(1), axis=axis)
    return [y]


# --------------------------------------------------------------------------------------
# reductions


def _reduce(fn: Callable[[np.ndarray, tuple[int, ...]], np.ndarray], wide: bool = True) -> Kernel:
    """A reduction over `axes` (empty = all) with `keepdims`; floats accumulate in f64."""

    def run(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
        x = inputs[0]
        assert x is not None
        axes = _axes(attrs["axes"], x.ndim) or tuple(range(x.ndim))
        xc = x.astype(np.float64) if wide and _is_float(x) else x
        r = np.asarray(fn(xc, axes))
        if attrs["keepdims"]:
            r = np.expand_dims(r, axes) if r.ndim != x.ndim else r
        return [r.astype(x.dtype, copy=False)]

    return run


def _int_mean(x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    if _is_float(x):
        return x.mean(axis=axes)
    n = math.prod(x.shape[a] for a in axes)
    return np.trunc(x.sum(axis=axes, dtype=np.float64) / n)


def _log_sum_exp(x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    m = x.max(axis=axes, keepdims=True, initial=-np.inf)
    m = np.where(np.isfinite(m), m, 0)
    return np.log(np.exp(x - m).sum(axis=axes)) + np.squeeze(m, axis=axes)


def _highest(dtype: np.dtype) -> Any:
    if dtype == np.bool_:
        return True
    if dtype.kind in "iu":
        return np.iinfo(dtype).max
    return np.inf


def _lowest_value(dtype: np.dtype) -> Any:
    return False if dtype == np.bool_ else _lowest(dtype)


# an empty reduction yields the identity (ONNX >= 18): max -> lowest, min -> highest
KERNELS["nn.reduce_sum"] = _reduce(lambda x, a: x.sum(axis=a))
KERNELS["nn.reduce_mean"] = _reduce(_int_mean)
KERNELS["nn.reduce_max"] = _reduce(
    lambda x, a: x.max(axis=a, initial=_lowest_value(x.dtype)), wide=False
)
KERNELS["nn.reduce_min"] = _reduce(
    lambda x, a: x.min(axis=a, initial=_highest(x.dtype)), wide=False
)
KERNELS["nn.reduce_prod"] = _reduce(lambda x, a: x.prod(axis=a))
KERNELS["nn.reduce_l1"] = _reduce(lambda x, a: np.abs(x).sum(axis=a))
KERNELS["nn.reduce_l2"] = _reduce(lambda x, a: np.sqrt((x.astype(np.float64) ** 2).sum(axis=a)))
KERNELS["nn.reduce_log_sum"] = _reduce(lambda x, a: np.log(x.sum(axis=a)))
KERNELS["nn.reduce_log_sum_exp"] = _reduce(_log_sum_exp)
KERNELS["nn.reduce_sum_square"] = _reduce(lambda x, a: (x * x).sum(axis=a))


def _arg(fn: Callable[..., np.ndarray]) -> Kernel:
    def run(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
        x = inputs[0]
        assert x is not None
        axis = _axis(int(attrs["axis"]), x.ndim)
        if attrs["select_last_index"]:
            flipped = np.flip(x, axis=axis)
            r = x.shape[axis] - 1 - fn(flipped, axis=axis)
        else:
            r = fn(x, axis=axis)
        if attrs["keepdims"]:
            r = np.expand_dims(r, axis)
        return [np.asarray(r, dtype=np.int64)]

    return run


KERNELS["nn.arg_max"] = _arg(np.argmax)
KERNELS["nn.arg_min"] = _arg(np.argmin)


# --------------------------------------------------------------------------------------
# shape and data movement


@kernel("nn.reshape")
def reshape(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    return [np.reshape(x, tuple(int(d) for d in attrs["shape"]))]


@kernel("nn.flatten")
def flatten(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    axis = _axis(int(attrs["axis"]), x.ndim)
    return [x.reshape(math.prod(x.shape[:axis]), math.prod(x.shape[axis:]))]


@kernel("nn.unsqueeze")
def unsqueeze(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    rank = x.ndim + len(attrs["axes"])
    return [np.expand_dims(x, _axes(attrs["axes"], rank))]


@kernel("nn.squeeze")
def squeeze(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    axes = _axes(attrs["axes"], x.ndim) or tuple(i for i, d in enumerate(x.shape) if d == 1)
    return [np.squeeze(x, axis=axes)]


@kernel("nn.transpose")
def transpose(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    perm = list(attrs["perm"]) or list(reversed(range(x.ndim)))
    return [np.transpose(x, perm)]


@kernel("nn.concat")
def concat(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    xs = [x for x in inputs if x is not None]
    axis = _axis(int(attrs["axis"]), xs[0].ndim)
    return [np.concatenate(xs, axis=axis)]


@kernel("nn.split")
def split(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    axis = _axis(int(attrs["axis"]), x.ndim)
    bounds = np.cumsum([int(s) for s in attrs["split"]])[:-1]
    return list(np.split(x, bounds, axis=axis))


@kernel("nn.slice")
def slice_(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    """Slice with `starts ends axes steps` already clamped by the importer.

    Clamped ends of a negative step may be -1, meaning "through index 0", which a Python
    slice cannot say with a number: it becomes None.
    """
    x = inputs[0]
    assert x is not None
    index: list[slice] = [slice(None)] * x.ndim
    for start, end, axis, step in zip(
        attrs["starts"], attrs["ends"], attrs["axes"], attrs["steps"]
    ):
        axis = _axis(int(axis), x.ndim)
        step = int(step)
        stop: int | None = int(end)
        if step < 0 and stop is not None and stop < 0:
            stop = None
        index[axis] = slice(int(start), stop, step)
    return [x[tuple(index)]]


@kernel("nn.pad")
def pad(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    nd = x.ndim
    pads = [int(p) for p in attrs["pads"]]
    # negative pads crop
    crop = tuple(slice(max(0, -pads[i]), x.shape[i] - max(0, -pads[nd + i])) for i in range(nd))
    x = x[crop]
    width = [(max(0, pads[i]), max(0, pads[nd + i])) for i in range(nd)]
    mode = attrs["mode"]
    if mode == "constant":
        value = attrs["constant_value"]
        return [
            np.pad(x, width, mode="constant", constant_values=np.asarray(value).astype(x.dtype))
        ]
    if mode not in ("reflect", "edge", "wrap"):
        raise ValueError(f"unsupported pad mode '{mode}'")
    return [np.pad(x, width, mode=mode)]


@kernel("nn.gather")
def gather(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    data, indices = inputs[0], inputs[1]
    assert data is not None and indices is not None
    axis = _axis(int(attrs["axis"]), data.ndim)
    idx = np.where(indices < 0, indices + data.shape[axis], indices)
    return [np.take(data, idx, axis=axis)]


@kernel("nn.gather_elements")
def gather_elements(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    data, indices = inputs[0], inputs[1]
    assert data is not None and indices is not None
    axis = _axis(int(attrs["axis"]), data.ndim)
    idx = np.where(indices < 0, indices + data.shape[axis], indices)
    return [np.take_along_axis(data, idx, axis=axis)]


@kernel("nn.expand")
def expand(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    shape = np.broadcast_shapes(x.shape, tuple(int(d) for d in attrs["shape"]))
    return [np.broadcast_to(x, shape).copy()]


@kernel("nn.tile")
def tile(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    return [np.tile(x, [int(r) for r in attrs["repeats"]])]


@kernel("nn.depth_to_space")
def depth_to_space(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    bs = int(attrs["blocksize"])
    n, c, h, w = x.shape
    co = c // (bs * bs)
    if attrs["mode"] == "CRD":
        t = x.reshape(n, co, bs, bs, h, w).transpose(0, 1, 4, 2, 5, 3)
    else:
        t = x.reshape(n, bs, bs, co, h, w).transpose(0, 3, 4, 1, 5, 2)
    return [t.reshape(n, co, h * bs, w * bs)]


@kernel("nn.space_to_depth")
def space_to_depth(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    bs = int(attrs["blocksize"])
    n, c, h, w = x.shape
    t = x.reshape(n, c, h // bs, bs, w // bs, bs)
    # `mode` is newer than the contract (opset 25); without it SpaceToDepth is DCR
    if attrs.get("mode", "DCR") == "CRD":
        t = t.transpose(0, 1, 3, 5, 2, 4)
    else:
        t = t.transpose(0, 3, 5, 1, 2, 4)
    return [t.reshape(n, c * bs * bs, h // bs, w // bs)]


@kernel("nn.trilu")
def trilu(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    k = int(attrs["k"])
    return [np.triu(x, k) if attrs["upper"] else np.tril(x, k)]


@kernel("nn.cum_sum")
def cum_sum(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    axis = _axis(int(attrs["axis"]), x.ndim)
    t = np.flip(x, axis) if attrs["reverse"] else x
    r = np.cumsum(t, axis=axis, dtype=x.dtype)
    if attrs["exclusive"]:
        r = np.concatenate(
            [
                np.zeros_like(np.take(r, [0], axis=axis)),
                np.take(r, range(r.shape[axis] - 1), axis=axis),
            ],
            axis=axis,
        )
    if attrs["reverse"]:
        r = np.flip(r, axis)
    return [np.ascontiguousarray(r)]


@kernel("nn.one_hot")
def one_hot(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    """`values` = [off, on]; the result dtype follows them (the interpreter casts it to the
    declared element type, which a list of Python numbers cannot carry)."""
    indices = inputs[0]
    assert indices is not None
    depth = int(attrs["depth"])
    values = attrs["values"]
    if isinstance(values, np.ndarray):
        vals = values
    else:
        vals = np.asarray(
            values, dtype=np.int64 if all(isinstance(v, int) for v in values) else np.float32
        )
    rank = indices.ndim + 1
    axis = _axis(int(attrs["axis"]), rank)
    idx = indices.astype(np.int64)
    idx = np.where(idx < 0, idx + depth, idx)
    hot = np.expand_dims(idx, axis) == np.arange(depth).reshape(
        [depth if i == axis else 1 for i in range(rank)]
    )
    return [np.where(hot, vals[1], vals[0]).astype(vals.dtype)]


def _resize_coords(mode: str, out_len: int, in_len: int, scale: float) -> np.ndarray:
    """Output pixel index -> input coordinate (ONNX Resize coordinate_transformation_mode).

    Like the ONNX reference, the resized length in the formulas is `in_len * scale`,
    unfloored (equal to `out_len` when `sizes` was given, since then scale = out / in).
    """
    xo = np.arange(out_len, dtype=np.float64)
    length = in_len * scale
    if mode == "half_pixel":
        return (xo + 0.5) / scale - 0.5
    if mode == "half_pixel_symmetric":
        adjustment = out_len / length
        center = in_len / 2
        offset = center * (1 - adjustment)
        return offset + (xo + 0.5) / scale - 0.5
    if mode == "pytorch_half_pixel":
        return (xo + 0.5) / scale - 0.5 if length != 1 else np.full_like(xo, -0.5)
    if mode == "align_corners":
        return xo * (in_len - 1) / (length - 1) if length != 1 else np.zeros_like(xo)
    if mode == "asymmetric":
        return xo / scale
    raise ValueError(f"unsupported coordinate_transformation_mode '{mode}'")


def _nearest(coords: np.ndarray, mode: str, in_len: int) -> np.ndarray:
    if mode == "floor":
        idx = np.floor(coords)
    elif mode == "ceil":
        idx = np.ceil(coords)
    elif mode == "round_prefer_ceil":
        idx = np.floor(coords + 0.5)
    else:  # round_prefer_floor
        idx = np.ceil(coords - 0.5)
    return np.clip(idx, 0, in_len - 1).astype(np.int64)


def _cubic_weights(
    coords: np.ndarray, a: float, in_len: int, exclude: bool
) -> tuple[np.ndarray, np.ndarray]:
    base = np.floor(coords)
    t = coords - base
    idx = base[:, None].astype(np.int64) + np.arange(-1, 3)[None, :]
    d = np.abs(t[:, None] - np.arange(-1, 3)[None, :])
    w = np.where(
        d <= 1,
        ((a + 2) * d - (a + 3)) * d * d + 1,
        np.where(d < 2, ((a * d - 5 * a) * d + 8 * a) * d - 4 * a, 0.0),
    )
    if exclude:
        w = np.where((idx < 0) | (idx >= in_len), 0.0, w)
        w = w / w.sum(axis=1, keepdims=True)
    return np.clip(idx, 0, in_len - 1), w


@kernel("nn.resize")
def resize(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    """Resize nearest/linear/cubic, separably one axis at a time (exact for N-linear)."""
    x = inputs[0]
    assert x is not None
    scales = [float(s) for s in attrs["scales"]]
    sizes = [int(s) for s in attrs["sizes"]]
    if sizes:
        scales = [o / i for o, i in zip(sizes, x.shape)]
    else:
        sizes = [math.floor(i * s) for i, s in zip(x.shape, scales)]
    mode = attrs["mode"]
    ctm = attrs["coordinate_transformation_mode"]
    y = x if mode == "nearest" else x.astype(np.float64)
    for axis, (in_len, out_len, scale) in enumerate(zip(x.shape, sizes, scales)):
        if in_len == out_len and scale == 1.0:
            continue
        coords = _resize_coords(ctm, out_len, in_len, scale)
        if mode == "nearest":
            y = np.take(y, _nearest(coords, attrs["nearest_mode"], in_len), axis=axis)
            continue
        shape = [1] * y.ndim
        shape[axis] = out_len
        if mode == "linear":
            c = np.clip(coords, 0, in_len - 1)
            lo = np.floor(c).astype(np.int64)
            hi = np.minimum(lo + 1, in_len - 1)
            frac = (c - lo).reshape(shape)
            y = np.take(y, lo, axis=axis) * (1 - frac) + np.take(y, hi, axis=axis) * frac
        elif mode == "cubic":
            idx, w = _cubic_weights(
                coords, float(attrs["cubic_coeff_a"]), in_len, bool(attrs["exclude_outside"])
            )
            acc = np.zeros(y.shape[:axis] + (out_len,) + y.shape[axis + 1 :])
            for j in range(4):
                acc += np.take(y, idx[:, j], axis=axis) * w[:, j].reshape(shape)
            y = acc
        else:
            raise ValueError(f"unsupported resize mode '{mode}'")
    if mode != "nearest" and not _is_float(x):
        y = np.round(y)
    return [np.asarray(y).astype(x.dtype)]


@kernel("nn.top_k")
def top_k(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    axis = _axis(int(attrs["axis"]), x.ndim)
    k = int(attrs["k"])
    keys = -x.astype(np.float64) if attrs["largest"] else x
    # stable sort: ties keep the lower index first, as onnxruntime
    order = np.argsort(keys, axis=axis, kind="stable")
    idx = np.take(order, np.arange(k), axis=axis)
    return [np.take_along_axis(x, idx, axis=axis), idx.astype(np.int64)]


# --------------------------------------------------------------------------------------
# folded by the importer, never in nn IR (docs/nn_ops.md): kernels for evaluate_op


@kernel("nn.shape")
def shape(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    """Shape with optional `start`/`end` (opset 15), as an int64 vector."""
    x = inputs[0]
    assert x is not None
    dims = np.array(x.shape, dtype=np.int64)
    start, end = attrs.get("start", 0), attrs.get("end")
    return [dims[start:end] if end is not None else dims[start:]]


@kernel("nn.size")
def size(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    return [np.array(x.size, dtype=np.int64)]


@kernel("nn.range")
def range_(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    """Range(start, limit, delta): max(ceil((limit - start) / delta), 0) elements."""
    start, limit, delta = inputs[0], inputs[1], inputs[2]
    assert start is not None and limit is not None and delta is not None
    n = max(math.ceil((float(limit) - float(start)) / float(delta)), 0)
    return [(start + np.arange(n, dtype=start.dtype) * delta).astype(start.dtype)]


@kernel("nn.constant_of_shape")
def constant_of_shape(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    """ConstantOfShape: `value` is a one-element array (f32 zero when the model omits it)."""
    shape_ = inputs[0]
    assert shape_ is not None
    value = attrs.get("value")
    fill = np.zeros(1, np.float32) if value is None else np.asarray(value).reshape(-1)
    return [np.full(tuple(int(d) for d in shape_), fill[0], dtype=fill.dtype)]


# --------------------------------------------------------------------------------------
# ready for ops not yet in docs/nn_ops.md (the dialect and importer add a row to use them);
# attribute names follow the same rules (ONNX names in snake_case, constant inputs ->
# properties): Swish Shrink LpNormalization MeanVarianceNormalization GroupNormalization
# RMSNormalization EyeLike GatherND ScatterElements ScatterND CumProd ReverseSequence Einsum
# NegativeLogLikelihoodLoss SoftmaxCrossEntropyLoss Attention


KERNELS["nn.swish"] = _unary_with(lambda x, a: x * _sigmoid_stable(x * _f(x, a["alpha"])))
KERNELS["nn.shrink"] = _unary_with(
    lambda x, a: np.where(
        x < -a["lambd"], x + _f(x, a["bias"]), np.where(x > a["lambd"], x - _f(x, a["bias"]), 0)
    )
)


@kernel("nn.lp_normalization")
def lp_normalization(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    axis = _axis(int(attrs["axis"]), x.ndim)
    xd = x.astype(np.float64)
    if int(attrs["p"]) == 1:
        norm = np.abs(xd).sum(axis=axis, keepdims=True)
    else:
        norm = np.sqrt((xd * xd).sum(axis=axis, keepdims=True))
    return [(xd / norm).astype(x.dtype)]


@kernel("nn.mean_variance_normalization")
def mean_variance_normalization(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    axes = _axes(attrs["axes"], x.ndim)
    xd = x.astype(np.float64)
    mean = xd.mean(axis=axes, keepdims=True)
    var = (xd * xd).mean(axis=axes, keepdims=True) - mean * mean
    return [((xd - mean) / (np.sqrt(var) + 1e-9)).astype(x.dtype)]


@kernel("nn.group_normalization")
def group_normalization(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    """GroupNormalization (opset 21: per-channel `scale` and `bias`)."""
    x, scale, bias = inputs[:3]
    assert x is not None and scale is not None and bias is not None
    n, c = x.shape[:2]
    groups = int(attrs["num_groups"])
    xg = x.astype(np.float64).reshape(n, groups, -1)
    mean = xg.mean(axis=2, keepdims=True)
    var = xg.var(axis=2, keepdims=True)
    y = ((xg - mean) / np.sqrt(var + attrs["epsilon"])).reshape(x.shape)
    shape = (1, c) + (1,) * (x.ndim - 2)
    return [(y * scale.reshape(shape) + bias.reshape(shape)).astype(x.dtype)]


@kernel("nn.rms_normalization")
def rms_normalization(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x, scale = inputs[0], inputs[1]
    assert x is not None and scale is not None
    axis = _axis(int(attrs["axis"]), x.ndim)
    xd = x.astype(np.float64)
    ms = (xd * xd).mean(axis=tuple(range(axis, x.ndim)), keepdims=True)
    return [(xd / np.sqrt(ms + attrs["epsilon"]) * scale).astype(x.dtype)]


@kernel("nn.eye_like")
def eye_like(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    dtype = np.dtype(attrs["dtype"]) if attrs.get("dtype") is not None else x.dtype
    return [np.eye(x.shape[0], x.shape[1], k=int(attrs["k"]), dtype=dtype)]


@kernel("nn.gather_nd")
def gather_nd(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    data, indices = inputs[0], inputs[1]
    assert data is not None and indices is not None
    b = int(attrs["batch_dims"])
    batch = data.shape[:b]
    depth = indices.shape[-1]
    idx = np.where(indices < 0, indices + np.array(data.shape[b : b + depth]), indices)
    flat_data = data.reshape(math.prod(batch), *data.shape[b:])
    flat_idx = idx.reshape(math.prod(batch), -1, depth)
    out = np.stack([d[tuple(i.T)] for d, i in zip(flat_data, flat_idx)])
    return [out.reshape(*indices.shape[:-1], *data.shape[b + depth :])]


def _scatter_reduce(
    target: np.ndarray, index: tuple[np.ndarray, ...], updates: np.ndarray, how: str
) -> None:
    """target[index] (op)= updates, applying duplicates in order like the ONNX reference."""
    if how == "none":
        target[index] = updates
        return
    ufunc = {"add": np.add, "mul": np.multiply, "max": np.maximum, "min": np.minimum}[how]
    ufunc.at(target, index, updates)


@kernel("nn.scatter_elements")
def scatter_elements(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    data, indices, updates = inputs[0], inputs[1], inputs[2]
    assert data is not None and indices is not None and updates is not None
    axis = _axis(int(attrs["axis"]), data.ndim)
    idx = np.where(indices < 0, indices + data.shape[axis], indices)
    grid = list(np.indices(idx.shape, sparse=True))
    grid[axis] = idx
    out = data.copy()
    _scatter_reduce(out, tuple(grid), updates, attrs["reduction"])
    return [out]


@kernel("nn.scatter_nd")
def scatter_nd(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    data, indices, updates = inputs[0], inputs[1], inputs[2]
    assert data is not None and indices is not None and updates is not None
    depth = indices.shape[-1]
    idx = indices.reshape(-1, depth)
    idx = np.where(idx < 0, idx + np.array(data.shape[:depth]), idx)
    upd = updates.reshape(idx.shape[0], *data.shape[depth:])
    out = data.copy()
    _scatter_reduce(out, tuple(idx.T), upd, attrs["reduction"])
    return [out]


@kernel("nn.cum_prod")
def cum_prod(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    axis = _axis(int(attrs["axis"]), x.ndim)
    t = np.flip(x, axis) if attrs["reverse"] else x
    r = np.cumprod(t, axis=axis, dtype=x.dtype)
    if attrs["exclusive"]:
        ones = np.ones_like(np.take(r, [0], axis=axis))
        r = np.concatenate([ones, np.take(r, range(r.shape[axis] - 1), axis=axis)], axis=axis)
    if attrs["reverse"]:
        r = np.flip(r, axis)
    return [np.ascontiguousarray(r)]


@kernel("nn.reverse_sequence")
def reverse_sequence(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x, lens = inputs[0], inputs[1]
    assert x is not None and lens is not None
    batch_axis, time_axis = int(attrs["batch_axis"]), int(attrs["time_axis"])
    y = x.copy()
    for bi, length in enumerate(lens.tolist()):
        src = [slice(None)] * x.ndim
        src[batch_axis] = bi  # type: ignore[call-overload]
        src[time_axis] = slice(length - 1, None, -1) if length > 0 else slice(0, 0)
        dst = list(src)
        dst[time_axis] = slice(0, length)
        y[tuple(dst)] = x[tuple(src)]
    return [y]


@kernel("nn.einsum")
def einsum(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    xs = [x for x in inputs if x is not None]
    acc = _acc_dtype(*xs)
    r = np.einsum(attrs["equation"], *[x.astype(acc, copy=False) for x in xs])
    return [np.asarray(r).astype(np.result_type(*xs), copy=False)]


def _nll(x: np.ndarray, target: np.ndarray, weight: np.ndarray | None, attrs: Attrs) -> np.ndarray:
    """Negative log-likelihood of log-probabilities x (N, C, d...) at target (N, d...)."""
    ignore = attrs.get("ignore_index")
    valid = np.ones(target.shape, bool) if ignore is None else target != ignore
    t = np.where(valid, target, 0).astype(np.int64)
    xd = x.astype(np.float64)
    loss = -np.take_along_axis(xd, t[:, None], axis=1)[:, 0] * valid
    w = valid.astype(np.float64)
    if weight is not None:
        w = w * weight.astype(np.float64)[t]
        loss = loss * w
    reduction = attrs["reduction"]
    if reduction == "sum":
        loss = loss.sum()
    elif reduction == "mean":
        # weighted (or with ignored targets): the mean over the weights actually used
        loss = loss.sum() / w.sum() if weight is not None or ignore is not None else loss.mean()
    return np.asarray(loss).astype(x.dtype)


@kernel("nn.negative_log_likelihood_loss")
def negative_log_likelihood_loss(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    x, target = inputs[0], inputs[1]
    weight = inputs[2] if len(inputs) > 2 else None
    assert x is not None and target is not None
    return [_nll(x, target, weight, attrs)]


@kernel("nn.softmax_cross_entropy_loss")
def softmax_cross_entropy_loss(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    """Loss and log-probabilities (the second result is the optional `log_prob`)."""
    scores, labels = inputs[0], inputs[1]
    weight = inputs[2] if len(inputs) > 2 else None
    assert scores is not None and labels is not None
    (log_prob,) = log_softmax([scores], {"axis": 1})
    return [_nll(log_prob, labels, weight, attrs), log_prob]


def _attention_bias(
    sq: int,
    skv: int,
    dtype: np.dtype,
    mask: np.ndarray | None,
    causal_offset: int | np.ndarray | None,
    window: tuple[int, int, int | np.ndarray] | None,
    nonpad: np.ndarray | None,
) -> np.ndarray:
    """The additive bias (0 = attend, -inf = masked) of Attention, shape (..., sq, skv).

    `causal_offset`: the query block starts that many keys in (past length, or per batch
    nonpad - sq); a query i attends key j <= i + offset. Per-batch offsets give a
    (batch, 1, sq, skv) bias, so a rank-3 mask keeps its (heads, sq, skv) meaning."""
    zero, ninf = dtype.type(0), dtype.type(-np.inf)
    bias: np.ndarray = np.zeros((sq, skv), dtype)
    if mask is not None:
        if mask.shape[-1] < skv:  # a shorter mask is padded: the extra keys are masked
            width = [(0, 0)] * (mask.ndim - 1) + [(0, skv - mask.shape[-1])]
            mask = np.pad(mask, width, constant_values=False if mask.dtype == np.bool_ else -np.inf)
        mask = np.where(mask, zero, ninf) if mask.dtype == np.bool_ else mask.astype(dtype)
        bias = bias + mask
    i = np.arange(sq).reshape(sq, 1)
    j = np.arange(skv).reshape(1, skv)

    def add_where(allowed_of: Callable[[Any], np.ndarray], offset: Any) -> None:
        nonlocal bias
        per_batch = np.ndim(offset) > 0
        off = np.reshape(offset, (-1, 1, 1)) if per_batch else int(offset)
        term = np.where(allowed_of(off), zero, ninf)
        bias = bias + (term.reshape(term.shape[0], 1, sq, skv) if per_batch else term)

    if causal_offset is not None:
        add_where(lambda off: j <= i + off, causal_offset)
    if window is not None:
        left, right, offset = window

        def in_window(off: Any) -> np.ndarray:
            diff = (i + off) - j
            allowed = np.ones_like(diff, dtype=np.bool_)
            if left >= 0:
                allowed &= diff <= left
            if right >= 0:
                allowed &= -diff <= right
            return allowed

        add_where(in_window, offset)
    if nonpad is not None:
        padding = np.arange(skv) < nonpad.reshape(-1, 1)
        bias = bias + np.where(padding, zero, ninf).reshape(-1, 1, 1, skv)
    return bias


@kernel("nn.attention")
def attention(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
    """Attention (opset 23+): operands `q k v attn_mask? past_key? past_value?
    nonpad_kv_seqlen?`; results `y present_key present_value qk_matmul_output`.

    Follows the ONNX reference step by step in the input dtype (its rounding is what the
    conformance tolerances are set against): Q and K^T each scaled by sqrt(scale), softcap,
    additive mask (causal bottom-right aligned to the cache, sliding window, padding),
    softmax (a fully masked row gives 0), grouped-query heads repeated interleaved."""
    q, k, v = inputs[0], inputs[1], inputs[2]
    assert q is not None and k is not None and v is not None
    mask, past_k, past_v, nonpad = (list(inputs[3:]) + [None] * 4)[:4]
    rank3 = q.ndim == 3
    if rank3:
        qh, kvh = int(attrs["q_num_heads"]), int(attrs["kv_num_heads"])
        b = q.shape[0]
        q = q.reshape(b, q.shape[1], qh, -1).transpose(0, 2, 1, 3)
        k = k.reshape(b, k.shape[1], kvh, -1).transpose(0, 2, 1, 3)
        v = v.reshape(b, v.shape[1], kvh, -1).transpose(0, 2, 1, 3)
    dt = q.dtype
    scale = attrs.get("scale")
    scale = 1 / math.sqrt(q.shape[3]) if scale is None else float(scale)
    root = dt.type(math.sqrt(scale))
    if past_k is not None and past_v is not None:
        k = np.concatenate([past_k, k], axis=2)
        v = np.concatenate([past_v, v], axis=2)
    present_k, present_v = k, v
    sq, skv = q.shape[2], k.shape[2]
    if past_k is not None:
        offset: Any = past_k.shape[2]
    elif nonpad is not None:
        offset = nonpad.reshape(-1) - sq
    else:
        offset = 0
    left, right = int(attrs.get("left_window_size", -1)), int(attrs.get("right_window_size", -1))
    window = (left, right, offset) if left >= 0 or right >= 0 else None
    causal = offset if attrs.get("is_causal") else None
    bias = _attention_bias(sq, skv, dt, mask, causal, window, nonpad)
    if q.shape[1] != k.shape[1] and q.shape[1] % k.shape[1] == 0:
        reps = q.shape[1] // k.shape[1]  # grouped-query: each KV head serves `reps` heads
        k, v = np.repeat(k, reps, axis=1), np.repeat(v, reps, axis=1)
    qk = np.matmul(q * root, np.swapaxes(k, 2, 3) * root).astype(dt, copy=False)
    softcap = attrs.get("softcap")
    if softcap is not None and softcap > 0:
        qk = np.tanh(qk / dt.type(softcap)) * dt.type(softcap)
    with_bias = qk + bias
    mode = int(attrs.get("qk_matmul_output_mode", 0))
    qk_out = with_bias if mode == 2 else qk
    precision = attrs.get("softmax_precision")
    if precision is not None and precision != 0:
        dtype_p = _ONNX_FLOAT_TYPES.get(precision) if isinstance(precision, int) else precision
        with_bias = with_bias.astype(dtype_p)
    row_max = with_bias.max(axis=-1, keepdims=True)
    e = np.exp(with_bias - np.where(np.isneginf(row_max), 0, row_max).astype(with_bias.dtype))
    total = e.sum(axis=-1, keepdims=True)
    probs = e / np.where(total == 0, 1, total).astype(e.dtype)
    dead_rows = np.isneginf(bias.max(axis=-1, keepdims=True))
    probs = np.where(dead_rows, probs.dtype.type(0), probs)
    if mode == 3:
        qk_out = probs
    y = np.matmul(probs.astype(dt), v).astype(dt, copy=False)
    if rank3:
        y = y.transpose(0, 2, 1, 3).reshape(y.shape[0], y.shape[2], -1)
    return [y, present_k, present_v, qk_out.astype(dt)]


def _ieee(fn: Kernel) -> Kernel:
    """Run a kernel with IEEE semantics and no numpy warnings: log(0) = -inf, 0/0 = nan,
    as onnxruntime computes them silently."""

    def run(inputs: Operands, attrs: Attrs) -> list[np.ndarray]:
        with np.errstate(all="ignore"):
            # a 0-d numpy computation may come back as a numpy scalar: make it an array
            return [np.asarray(r) for r in fn(inputs, attrs)]

    run.__doc__ = fn.__doc__
    run.__name__ = getattr(fn, "__name__", "kernel")
    return run


KERNELS.update({name: _ieee(fn) for name, fn in KERNELS.items()})
