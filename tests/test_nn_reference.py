"""Every nn reference kernel against onnxruntime on small random inputs.

Each case builds a one-node ONNX model with onnx.helper, runs it with onnxruntime (graph
optimisations off, so onnxruntime's own kernel runs) and compares with the kernel called
directly with explicit attributes — the form the importer produces (rule 2 and 3 of
docs/nn_ops.md: defaults filled in, constant inputs turned into properties).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx import helper
from vexa.runtime.nn_reference import KERNELS

RNG = np.random.default_rng(0)


def rand(*shape: int, dtype: Any = np.float32, lo: float = -1.0, hi: float = 1.0) -> np.ndarray:
    return RNG.uniform(lo, hi, size=shape).astype(dtype)


def ints(*shape: int, lo: int = -5, hi: int = 5, dtype: Any = np.int64) -> np.ndarray:
    return RNG.integers(lo, hi, size=shape).astype(dtype)


@dataclass
class Case:
    """One ONNX node and the equivalent kernel call.

    `inputs` feed the ONNX node (None = absent optional input); the kernel gets the first
    `operands` of them (all by default) and `attrs` as its properties.
    """

    id: str
    op: str
    op_type: str
    inputs: list[np.ndarray | None]
    onnx_attrs: dict[str, Any] = field(default_factory=dict)
    attrs: dict[str, Any] = field(default_factory=dict)
    operands: int | None = None
    opset: int = 19
    outputs: int = 1
    oracle: str = "onnxruntime"  # or "reference": onnx.reference, where onnxruntime deviates
    rtol: float = 1e-4
    atol: float = 1e-5


def run_onnxruntime(case: Case) -> list[np.ndarray]:
    names, graph_inputs, feeds = [], [], {}
    for i, x in enumerate(case.inputs):
        if x is None:
            names.append("")
            continue
        name = f"in{i}"
        names.append(name)
        graph_inputs.append(
            helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(x.dtype), x.shape)
        )
        feeds[name] = x
    outs = [f"out{i}" for i in range(case.outputs)]
    node = helper.make_node(case.op_type, names, outs, **case.onnx_attrs)
    graph = helper.make_graph(
        [node],
        "g",
        graph_inputs,
        [onnx.ValueInfoProto(name=o) for o in outs],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", case.opset)])
    model.ir_version = 9
    if case.oracle == "reference":
        return run_reference(model, feeds)
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    options.intra_op_num_threads = 1
    try:
        sess = ort.InferenceSession(
            model.SerializeToString(), options, providers=["CPUExecutionProvider"]
        )
    except ort.capi.onnxruntime_pybind11_state.NotImplemented:
        # onnxruntime has no kernel for this dtype (f64 Conv, f64 Erf, ...): ONNX's own
        return run_reference(model, feeds)
    return sess.run(outs, feeds)


def run_reference(model: Any, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
    from onnx.reference import ReferenceEvaluator

    return list(ReferenceEvaluator(model).run(None, feeds))


def run_kernel(case: Case) -> list[np.ndarray]:
    n = len(case.inputs) if case.operands is None else case.operands
    return KERNELS[case.op](list(case.inputs[:n]), dict(case.attrs))


def check(case: Case) -> None:
    expected = run_onnxruntime(case)
    # kernels compute every optional trailing result; the node asks for a prefix
    got = run_kernel(case)[: case.outputs]
    assert len(got) == len(expected)
    for e, g in zip(expected, got):
        assert g.dtype == e.dtype, f"dtype: expected {e.dtype}, got {g.dtype}"
        assert g.shape == e.shape, f"shape: expected {e.shape}, got {g.shape}"
        if e.dtype.kind in "fc":
            np.testing.assert_allclose(g, e, rtol=case.rtol, atol=case.atol)
        else:
            np.testing.assert_array_equal(g, e)


# ------------------------------------------------------------------------------------------
# cases

CASES: list[Case] = []


def add(case: Case) -> None:
    CASES.append(case)


def conv_attrs(
    k: list[int], strides=None, pads=None, dilations=None, group: int = 1
) -> tuple[dict, dict]:
    nd = len(k)
    full = {
        "kernel_shape": k,
        "strides": strides or [1] * nd,
        "pads": pads or [0] * (2 * nd),
        "dilations": dilations or [1] * nd,
        "group": group,
    }
    return full, dict(full)


# Conv: pads/strides/dilations/groups/bias/1-D/3-D
for cid, x, w, b, kw in [
    ("basic", rand(1, 3, 8, 8), rand(4, 3, 3, 3), None, {}),
    ("bias_pad", rand(2, 3, 7, 9), rand(5, 3, 3, 3), rand(5), {"pads": [1, 1, 1, 1]}),
    (
        "stride_asym_pad",
        rand(1, 4, 9, 10),
        rand(6, 4, 3, 2),
        rand(6),
        {"strides": [2, 3], "pads": [1, 0, 2, 1]},
    ),
    (
        "dilation",
        rand(1, 2, 11, 11),
        rand(3, 2, 3, 3),
        None,
        {"dilations": [2, 3], "pads": [2, 1, 0, 3]},
    ),
    ("group2", rand(1, 4, 6, 6), rand(6, 2, 3, 3), rand(6), {"group": 2, "pads": [1, 1, 1, 1]}),
    (
        "depthwise",
        rand(2, 5, 7, 7),
        rand(5, 1, 3, 3),
        rand(5),
        {"group": 5, "strides": [2, 2], "pads": [1, 1, 1, 1]},
    ),
    ("depthwise_mult", rand(1, 3, 6, 6), rand(6, 1, 3, 3), None, {"group": 3}),
    ("pointwise", rand(1, 8, 5, 5), rand(4, 8, 1, 1), rand(4), {}),
    (
        "stem7x7",
        rand(1, 3, 32, 32),
        rand(8, 3, 7, 7),
        rand(8),
        {"strides": [2, 2], "pads": [3, 3, 3, 3]},
    ),
    ("conv1d", rand(2, 3, 10), rand(4, 3, 3), rand(4), {"pads": [1, 2], "strides": [2]}),
    ("conv3d", rand(1, 2, 5, 6, 4), rand(3, 2, 3, 2, 2), None, {"pads": [1, 0, 1, 1, 1, 0]}),
]:
    k = list(w.shape[2:])
    full, attrs = conv_attrs(k, **kw)
    inputs = [x, w] if b is None else [x, w, b]
    add(Case(f"conv_{cid}", "nn.conv", "Conv", inputs, full, attrs))

# ConvTranspose
for cid, x, w, b, kw in [
    ("basic", rand(1, 3, 4, 4), rand(3, 2, 3, 3), None, {}),
    (
        "stride_pad",
        rand(1, 2, 5, 4),
        rand(2, 3, 3, 3),
        rand(3),
        {"strides": [2, 2], "pads": [1, 1, 1, 1]},
    ),
    (
        "outpad",
        rand(2, 2, 3, 3),
        rand(2, 2, 3, 3),
        None,
        {"strides": [2, 2], "output_padding": [1, 1]},
    ),
    (
        "dil_group",
        rand(1, 4, 4, 5),
        rand(4, 1, 2, 3),
        rand(2),
        {"dilations": [2, 1], "group": 2, "pads": [0, 1, 1, 0]},
    ),
    ("1d", rand(1, 2, 6), rand(2, 3, 4), None, {"strides": [3], "pads": [1, 2]}),
]:
    nd = x.ndim - 2
    full = {
        "kernel_shape": list(w.shape[2:]),
        "strides": kw.get("strides", [1] * nd),
        "pads": kw.get("pads", [0] * (2 * nd)),
        "dilations": kw.get("dilations", [1] * nd),
        "group": kw.get("group", 1),
        "output_padding": kw.get("output_padding", [0] * nd),
    }
    add(
        Case(
            f"conv_transpose_{cid}",
            "nn.conv_transpose",
            "ConvTranspose",
            [x, w] if b is None else [x, w, b],
            full,
            dict(full),
        )
    )

# Pooling
for cid, x, kw in [
    ("k2s2", rand(1, 3, 8, 8), {"kernel_shape": [2, 2], "strides": [2, 2]}),
    ("k3s2p1", rand(2, 2, 9, 9), {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1]}),
    (
        "asym_pad",
        rand(1, 2, 7, 6),
        {"kernel_shape": [3, 2], "strides": [1, 2], "pads": [0, 1, 2, 0]},
    ),
    ("ceil", rand(1, 2, 8, 7), {"kernel_shape": [3, 3], "strides": [2, 2], "ceil_mode": 1}),
    (
        "ceil_pad",
        rand(1, 2, 6, 6),
        {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1], "ceil_mode": 1},
    ),
    (
        "ceil_drop_last",
        rand(1, 1, 5, 5),
        {"kernel_shape": [2, 2], "strides": [2, 2], "pads": [1, 1, 1, 1], "ceil_mode": 1},
    ),
    (
        "dilated",
        rand(1, 2, 9, 9),
        {"kernel_shape": [2, 3], "dilations": [2, 2], "pads": [1, 1, 0, 2]},
    ),
    ("1d", rand(2, 3, 11), {"kernel_shape": [3], "strides": [2], "pads": [1, 1]}),
    (
        "ceil_dilated",
        rand(1, 2, 10, 9),
        {"kernel_shape": [2, 2], "strides": [3, 2], "dilations": [2, 2], "ceil_mode": 1},
    ),
    (
        "ceil_asym_pad",
        rand(1, 2, 7, 8),
        {"kernel_shape": [3, 2], "strides": [2, 3], "pads": [2, 0, 0, 1], "ceil_mode": 1},
    ),
    (
        "3d",
        rand(1, 2, 5, 6, 7),
        {"kernel_shape": [2, 3, 2], "strides": [2, 2, 1], "pads": [1, 0, 1, 0, 1, 1]},
    ),
]:
    nd = x.ndim - 2
    full = {
        "kernel_shape": kw["kernel_shape"],
        "strides": kw.get("strides", [1] * nd),
        "pads": kw.get("pads", [0] * (2 * nd)),
        "dilations": kw.get("dilations", [1] * nd),
        "ceil_mode": kw.get("ceil_mode", 0),
    }
    add(Case(f"max_pool_{cid}", "nn.max_pool", "MaxPool", [x], full, dict(full)))
    for cip in (0, 1):
        avg = dict(full, count_include_pad=cip)
        add(
            Case(
                f"average_pool_{cid}_cip{cip}",
                "nn.average_pool",
                "AveragePool",
                [x],
                avg,
                dict(avg),
            )
        )
    if "dilations" not in kw:
        lp = dict(full, p=2)
        del lp["dilations"]
        add(
            Case(
                f"lp_pool_{cid}",
                "nn.lp_pool",
                "LpPool",
                [x],
                dict(lp, dilations=full["dilations"]),
                dict(lp, dilations=full["dilations"]),
                opset=19,
            )
        )

# MaxPool's optional Indices (ties pick the first maximum; padding never wins)
for so in (0, 1):
    xi = ints(2, 2, 6, 5, lo=0, hi=4).astype(np.float32)
    for cid, a in [
        (
            "k3s2p1",
            {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1], "dilations": [1, 1]},
        ),
        (
            "dil_ceil",
            {"kernel_shape": [2, 2], "strides": [2, 1], "pads": [0, 1, 1, 0], "dilations": [2, 1]},
        ),
    ]:
        a = dict(a, ceil_mode=int(cid.endswith("ceil")))
        add(
            Case(
                f"max_pool_indices_{cid}_so{so}",
                "nn.max_pool",
                "MaxPool",
                [xi],
                dict(a, storage_order=so),
                dict(a, storage_order=so),
                outputs=2,
                opset=12 if cid == "k3s2p1" else 19,
            )
        )
add(Case("global_average_pool", "nn.global_average_pool", "GlobalAveragePool", [rand(2, 3, 5, 6)]))
add(Case("global_max_pool", "nn.global_max_pool", "GlobalMaxPool", [rand(2, 3, 5, 6)]))

# Normalization
bn_x = rand(2, 4, 5, 5)
add(
    Case(
        "batch_normalization",
        "nn.batch_normalization",
        "BatchNormalization",
        [bn_x, rand(4), rand(4), rand(4), rand(4, lo=0.1, hi=2.0)],
        {"epsilon": 1e-5},
        {"epsilon": 1e-5},
        opset=15,
    )
)
add(
    Case(
        "batch_normalization_2d",
        "nn.batch_normalization",
        "BatchNormalization",
        [rand(3, 4), rand(4), rand(4), rand(4), rand(4, lo=0.1, hi=2.0)],
        {"epsilon": 1e-3},
        {"epsilon": 1e-3},
        opset=15,
    )
)
add(
    Case(
        "instance_normalization",
        "nn.instance_normalization",
        "InstanceNormalization",
        [rand(2, 3, 4, 5), rand(3), rand(3)],
        {"epsilon": 1e-5},
        {"epsilon": 1e-5},
    )
)
for axis in (-1, 1):
    ln = {"axis": axis, "epsilon": 1e-5}
    add(
        Case(
            f"layer_normalization_axis{axis}",
            "nn.layer_normalization",
            "LayerNormalization",
            [
                rand(2, 3, 4),
                rand(*([3, 4] if axis == 1 else [4])),
                rand(*([3, 4] if axis == 1 else [4])),
            ],
            dict(ln, stash_type=1),
            ln,
            opset=17,
        )
    )
add(
    Case(
        "layer_normalization_nobias",
        "nn.layer_normalization",
        "LayerNormalization",
        [rand(2, 6), rand(6)],
        {"axis": -1, "epsilon": 1e-5},
        {"axis": -1, "epsilon": 1e-5},
        opset=17,
    )
)
for axis in (-1, 1):  # the optional Mean and InvStdDev results
    ln = {"axis": axis, "epsilon": 1e-5}
    add(
        Case(
            f"layer_normalization_stats_axis{axis}",
            "nn.layer_normalization",
            "LayerNormalization",
            [
                rand(2, 3, 4),
                rand(*([3, 4] if axis == 1 else [4])),
                rand(*([3, 4] if axis == 1 else [4])),
            ],
            ln,
            ln,
            opset=17,
            outputs=3,
        )
    )
for size in (1, 3, 5):  # onnxruntime accepts odd sizes only
    lrn = {"alpha": 1e-2, "beta": 0.75, "bias": 1.0, "size": size}
    add(Case(f"lrn_size{size}", "nn.lrn", "LRN", [rand(2, 7, 3, 3)], lrn, dict(lrn)))

# Linear algebra
for cid, a, b in [
    ("2d", rand(3, 4), rand(4, 5)),
    ("batched", rand(2, 3, 4), rand(2, 4, 5)),
    ("broadcast", rand(2, 1, 3, 4), rand(3, 4, 2)),
    ("vec_left", rand(4), rand(2, 4, 3)),
    ("vec_right", rand(2, 3, 4), rand(4)),
    ("int", ints(3, 4), ints(4, 2)),
]:
    add(Case(f"mat_mul_{cid}", "nn.mat_mul", "MatMul", [a, b]))
for cid, a, b, c, kw in [
    ("plain", rand(3, 4), rand(4, 5), None, {}),
    ("bias_vec", rand(3, 4), rand(4, 5), rand(5), {"alpha": 0.5, "beta": 2.0}),
    ("trans", rand(4, 3), rand(5, 4), rand(3, 1), {"trans_a": 1, "trans_b": 1}),
    ("scalar_c", rand(2, 4), rand(4, 3), rand(1), {"beta": 0.5}),
]:
    g = {"alpha": 1.0, "beta": 1.0, "trans_a": 0, "trans_b": 0, **kw}
    # ONNX spells them transA/transB; nn properties are snake_case (docs/nn_ops.md)
    onnx_g = {
        "alpha": g["alpha"],
        "beta": g["beta"],
        "transA": g["trans_a"],
        "transB": g["trans_b"],
    }
    add(Case(f"gemm_{cid}", "nn.gemm", "Gemm", [a, b] if c is None else [a, b, c], onnx_g, g))


# Elementwise unary
POS = rand(2, 3, 4, lo=0.1, hi=3.0)
UNIT = rand(2, 3, 4, lo=-0.9, hi=0.9)
WIDE = rand(2, 3, 4, lo=-4.0, hi=4.0)
for op_type, x in [
    ("Abs", WIDE),
    ("Neg", WIDE),
    ("Exp", WIDE),
    ("Log", POS),
    ("Sqrt", POS),
    ("Reciprocal", POS),
    ("Relu", WIDE),
    ("Sigmoid", WIDE),
    ("Tanh", WIDE),
    ("Erf", WIDE),
    ("Floor", WIDE),
    ("Ceil", WIDE),
    ("Round", np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.3, -0.7], np.float32)),
    ("Sign", WIDE),
    ("Sin", WIDE),
    ("Cos", WIDE),
    ("Tan", UNIT),
    ("Asin", UNIT),
    ("Acos", UNIT),
    ("Atan", WIDE),
    ("Sinh", WIDE),
    ("Cosh", WIDE),
    ("Asinh", WIDE),
    ("Acosh", POS + 1),
    ("Atanh", UNIT),
    ("Softplus", WIDE),
    ("Softsign", WIDE),
    ("Identity", WIDE),
    ("HardSwish", WIDE),
    ("Mish", WIDE),
    ("IsNaN", np.array([1.0, np.nan, -np.inf, 0.0], np.float32)),
    ("Abs", ints(5)),
    ("Neg", ints(5)),
    ("Sign", ints(6)),
    ("Relu", ints(6, dtype=np.int32)),
]:
    name = "nn." + re.sub(r"(?<!^)(?=[A-Z])", "_", op_type).lower().replace(
        "is_na_n", "is_nan"
    ).replace("hard_swish", "hard_swish")
    add(Case(f"{name[3:]}_{x.dtype}", name, op_type, [x], opset=20))
add(Case("not", "nn.not", "Not", [RNG.random((3, 4)) > 0.5]))
add(Case("bitwise_not", "nn.bitwise_not", "BitwiseNot", [ints(3, 4, dtype=np.int32)], opset=18))
for dn, dp in [(1, 1), (0, 1), (1, 0)]:
    add(
        Case(
            f"is_inf_{dn}{dp}",
            "nn.is_inf",
            "IsInf",
            [np.array([1.0, np.inf, -np.inf, np.nan], np.float32)],
            {"detect_negative": dn, "detect_positive": dp},
            {"detect_negative": dn, "detect_positive": dp},
        )
    )
for op_type, attrs in [
    ("LeakyRelu", {"alpha": 0.1}),
    ("Elu", {"alpha": 0.7}),
    ("Celu", {"alpha": 1.3}),
    ("Selu", {"alpha": 1.67, "gamma": 1.05}),
    ("ThresholdedRelu", {"alpha": 0.4}),
    ("HardSigmoid", {"alpha": 0.2, "beta": 0.5}),
    ("Gelu", {"approximate": "none"}),
    ("Gelu", {"approximate": "tanh"}),
]:
    name = "nn." + re.sub(r"(?<!^)(?=[A-Z])", "_", op_type).lower()
    tag = "_".join(str(v) for v in attrs.values())
    add(Case(f"{name[3:]}_{tag}", name, op_type, [WIDE], attrs, dict(attrs), opset=20))
for cid, x, lo, hi in [
    ("both", WIDE, -1.0, 2.0),
    ("min_only", WIDE, 0.5, None),
    ("max_only", WIDE, None, -0.5),
    ("int", ints(10, lo=-9, hi=9), -3, 4),
]:
    inputs = [x] + [None if v is None else np.array(v, dtype=x.dtype) for v in (lo, hi)]
    attrs = {
        "min": float("-inf") if lo is None else float(lo),
        "max": float("inf") if hi is None else float(hi),
    }
    add(Case(f"clip_{cid}", "nn.clip", "Clip", inputs, {}, attrs, operands=1))
for cid, x, to in [
    ("f32_i32", WIDE * 3, np.int32),
    ("f32_i64", WIDE * 3, np.int64),
    ("f32_f16", WIDE, np.float16),
    ("i64_f32", ints(6), np.float32),
    ("f32_bool", np.array([0.0, 1.5, -0.0, 2.0], np.float32), np.bool_),
    ("bool_f32", RNG.random(5) > 0.5, np.float32),
    ("i32_i8", ints(6, dtype=np.int32), np.int8),
    ("f16_f32", WIDE.astype(np.float16), np.float32),
    ("f32_f64", WIDE, np.float64),
]:
    add(
        Case(
            f"cast_{cid}",
            "nn.cast",
            "Cast",
            [x],
            {"to": helper.np_dtype_to_tensor_dtype(np.dtype(to))},
            {"to": np.dtype(to)},
        )
    )
add(Case("dropout", "nn.dropout", "Dropout", [WIDE], opset=13))
add(Case("dropout_mask", "nn.dropout", "Dropout", [WIDE], opset=13, outputs=2))

# Elementwise binary, broadcasting
for cid, a, b in [
    ("same", rand(2, 3, 4), rand(2, 3, 4)),
    ("bcast", rand(2, 1, 4), rand(3, 1)),
    ("scalar", rand(2, 3), rand()),
    ("rank0", rand(), rand(4)),
]:
    for op_type in (
        "Add",
        "Sub",
        "Mul",
        "Div",
        "Equal",
        "Less",
        "LessOrEqual",
        "Greater",
        "GreaterOrEqual",
    ):
        name = "nn." + re.sub(r"(?<!^)(?=[A-Z])", "_", op_type).lower()
        bb = b + 2.0 if op_type == "Div" else b
        add(Case(f"{name[3:]}_{cid}", name, op_type, [a, np.asarray(bb, a.dtype)]))
add(Case("pow_f", "nn.pow", "Pow", [rand(3, 4, lo=0.1, hi=2.0), rand(4, lo=-2, hi=2)], opset=15))
add(Case("pow_int_exp", "nn.pow", "Pow", [rand(3, 4), np.array([2, 3, 1, 0], np.int64)], opset=15))
add(
    Case(
        "pow_int_int",
        "nn.pow",
        "Pow",
        [ints(6, lo=-9, hi=9), np.array([0, 1, 2, 3, 2, 1], np.int64)],
        opset=15,
    )
)
add(
    Case(
        "pow_int_float",
        "nn.pow",
        "Pow",
        [ints(6, lo=1, hi=9, dtype=np.int32), rand(6, lo=0, hi=2)],
        opset=15,
    )
)
for op_type in ("Add", "Sub", "Mul", "Div", "Equal", "Less", "Greater"):
    name = "nn." + re.sub(r"(?<!^)(?=[A-Z])", "_", op_type).lower()
    b = ints(3, 1, lo=1, hi=7) if op_type == "Div" else ints(3, 1)
    add(Case(f"{name[3:]}_int", name, op_type, [ints(3, 4, lo=-20, hi=20), b]))
add(
    Case(
        "div_int_neg",
        "nn.div",
        "Div",
        [np.array([-7, 7, -7, 7, -6], np.int32), np.array([2, -2, -2, 2, 3], np.int32)],
    )
)
for fmod, a, b in [
    (0, ints(8, lo=-20, hi=20), ints(8, lo=1, hi=6) * np.array([1, -1] * 4)),
    (1, ints(8, lo=-20, hi=20), ints(8, lo=1, hi=6) * np.array([1, -1] * 4)),
    (1, rand(6) * 5, rand(6, lo=0.5, hi=2)),
]:
    add(Case(f"mod_fmod{fmod}_{a.dtype}", "nn.mod", "Mod", [a, b], {"fmod": fmod}, {"fmod": fmod}))
add(Case("prelu", "nn.p_relu", "PRelu", [WIDE, rand(3, 1)], opset=16))
add(Case("prelu_scalar", "nn.p_relu", "PRelu", [WIDE, rand(1)], opset=16))
bools = (RNG.random((3, 4)) > 0.5, RNG.random((4,)) > 0.5)
for op_type in ("And", "Or", "Xor"):
    add(Case(op_type.lower(), "nn." + op_type.lower(), op_type, list(bools)))
for op_type in ("BitwiseAnd", "BitwiseOr", "BitwiseXor"):
    name = "nn." + re.sub(r"(?<!^)(?=[A-Z])", "_", op_type).lower()
    add(
        Case(
            name[3:],
            name,
            op_type,
            [ints(3, 4, lo=0, hi=100, dtype=np.int32), ints(4, lo=0, hi=100, dtype=np.int32)],
            opset=18,
        )
    )
for direction in ("LEFT", "RIGHT"):
    add(
        Case(
            f"bit_shift_{direction}",
            "nn.bit_shift",
            "BitShift",
            [ints(6, lo=0, hi=200, dtype=np.uint32), ints(6, lo=0, hi=5, dtype=np.uint32)],
            {"direction": direction},
            {"direction": direction},
        )
    )
for op_type in ("Sum", "Mean", "Max", "Min"):
    name = "nn." + op_type.lower()
    add(Case(f"{op_type.lower()}_1", name, op_type, [rand(2, 3)]))
    add(Case(f"{op_type.lower()}_3", name, op_type, [rand(2, 3), rand(3), rand(2, 1)]))
add(Case("where", "nn.where", "Where", [RNG.random((2, 1, 4)) > 0.5, rand(3, 4), rand(2, 3, 1)]))

# Softmax family
for op_type in ("Softmax", "LogSoftmax", "Hardmax"):
    name = "nn." + re.sub(r"(?<!^)(?=[A-Z])", "_", op_type).lower()
    for axis in (-1, 1):
        add(
            Case(
                f"{name[3:]}_axis{axis}",
                name,
                op_type,
                [rand(2, 3, 4) * 3],
                {"axis": axis},
                {"axis": axis},
                opset=13,
            )
        )

# Reductions (opset 18: axes is an input)
for op_type in (
    "ReduceSum",
    "ReduceMean",
    "ReduceMax",
    "ReduceMin",
    "ReduceProd",
    "ReduceL1",
    "ReduceL2",
    "ReduceLogSum",
    "ReduceLogSumExp",
    "ReduceSumSquare",
):
    name = "nn." + re.sub(r"(?<!^)(?=[A-Z])", "_", op_type).lower().replace("_l_1", "_l1").replace(
        "_l_2", "_l2"
    )
    x = rand(2, 3, 4, lo=0.1, hi=1.5)
    for axes in ([1], [0, 2], [-1], []):
        for keepdims in (0, 1):
            inputs = [x, np.array(axes, np.int64)] if axes else [x]
            norm = sorted(a % 3 for a in axes)
            add(
                Case(
                    f"{name[3:]}_{'_'.join(map(str, axes)) or 'all'}_k{keepdims}",
                    name,
                    op_type,
                    inputs,
                    {"keepdims": keepdims},
                    {"axes": norm, "keepdims": keepdims},
                    operands=1,
                    opset=18,
                )
            )
add(
    Case(
        "reduce_sum_int",
        "nn.reduce_sum",
        "ReduceSum",
        [ints(3, 4), np.array([1], np.int64)],
        {"keepdims": 0},
        {"axes": [1], "keepdims": 0},
        operands=1,
        opset=18,
    )
)
for op_type in ("ArgMax", "ArgMin"):
    name = "nn." + re.sub(r"(?<!^)(?=[A-Z])", "_", op_type).lower()
    x = ints(3, 4, 5, lo=0, hi=3).astype(np.float32)  # ties exercise select_last_index
    for axis, keepdims, last in [(0, 1, 0), (1, 0, 0), (-1, 1, 1), (2, 0, 1)]:
        a = {"axis": axis, "keepdims": keepdims, "select_last_index": last}
        add(Case(f"{name[3:]}_{axis}_{keepdims}_{last}", name, op_type, [x], a, dict(a)))

# Shape and data movement
X4 = rand(2, 3, 4, 5)
add(
    Case(
        "reshape",
        "nn.reshape",
        "Reshape",
        [X4, np.array([6, 20], np.int64)],
        {},
        {"shape": [6, 20]},
        operands=1,
    )
)
add(
    Case(
        "reshape_4d",
        "nn.reshape",
        "Reshape",
        [X4, np.array([2, 60, 1, 1], np.int64)],
        {},
        {"shape": [2, 60, 1, 1]},
        operands=1,
    )
)
for axis in (0, 1, 3, -1):
    add(Case(f"flatten_{axis}", "nn.flatten", "Flatten", [X4], {"axis": axis}, {"axis": axis}))
add(
    Case(
        "unsqueeze",
        "nn.unsqueeze",
        "Unsqueeze",
        [rand(3, 4), np.array([0, 3], np.int64)],
        {},
        {"axes": [0, 3]},
        operands=1,
        opset=13,
    )
)
add(
    Case(
        "unsqueeze_neg",
        "nn.unsqueeze",
        "Unsqueeze",
        [rand(3, 4), np.array([-1], np.int64)],
        {},
        {"axes": [2]},
        operands=1,
        opset=13,
    )
)
add(
    Case(
        "squeeze",
        "nn.squeeze",
        "Squeeze",
        [rand(1, 3, 1, 4), np.array([0, 2], np.int64)],
        {},
        {"axes": [0, 2]},
        operands=1,
        opset=13,
    )
)
for perm in ([0, 2, 3, 1], [3, 2, 1, 0], [1, 0, 2, 3]):
    add(
        Case(
            f"transpose_{''.join(map(str, perm))}",
            "nn.transpose",
            "Transpose",
            [X4],
            {"perm": perm},
            {"perm": perm},
        )
    )
for axis in (0, 1, -1):
    shapes = [[2, 3, 4], [2, 3, 4]]
    for s in shapes[1:]:
        s[axis] = 5
    add(
        Case(
            f"concat_{axis}",
            "nn.concat",
            "Concat",
            [rand(*shapes[0]), rand(*shapes[1]), rand(*shapes[1])],
            {"axis": axis},
            {"axis": axis},
        )
    )
add(Case("concat_1", "nn.concat", "Concat", [rand(2, 3)], {"axis": 1}, {"axis": 1}))
add(
    Case(
        "split",
        "nn.split",
        "Split",
        [rand(2, 7, 3), np.array([2, 4, 1], np.int64)],
        {"axis": 1},
        {"axis": 1, "split": [2, 4, 1]},
        operands=1,
        outputs=3,
        opset=13,
    )
)
add(
    Case(
        "split_last",
        "nn.split",
        "Split",
        [rand(6, 4), np.array([3, 1], np.int64)],
        {"axis": -1},
        {"axis": -1, "split": [3, 1]},
        operands=1,
        outputs=2,
        opset=13,
    )
)
for cid, starts, ends, axes, steps in [
    ("basic", [0, 1], [2, 3], [0, 2], [1, 1]),
    ("step", [1, 0], [5, 4], [3, 1], [2, 2]),
    ("neg_step", [4, 2], [-1, 0], [3, 2], [-1, -2]),
    ("neg_step_mid", [3], [1], [3], [-1]),
]:
    raw_ends = [(-10 if e == -1 else e) for e in ends]
    ins = [X4] + [np.array(v, np.int64) for v in (starts, raw_ends, axes, steps)]
    add(
        Case(
            f"slice_{cid}",
            "nn.slice",
            "Slice",
            ins,
            {},
            {"starts": starts, "ends": ends, "axes": axes, "steps": steps},
            operands=1,
            opset=13,
        )
    )
for mode, pads in [
    ("constant", [0, 1, 2, 0, 1, 0]),
    ("constant", [1, -1, 0, 0, 2, 1]),
    ("reflect", [1, 2, 0, 1, 1, 2]),
    ("edge", [2, 0, 1, 0, 3, 1]),
    ("wrap", [1, 1, 1, 1, 1, 2]),
]:
    x = rand(3, 4, 5)
    ins = [x, np.array(pads, np.int64), np.array(1.5, np.float32)]
    add(
        Case(
            f"pad_{mode}_{'_'.join(map(str, pads))}",
            "nn.pad",
            "Pad",
            ins,
            {"mode": mode},
            {"pads": pads, "mode": mode, "constant_value": 1.5},
            operands=1,
            opset=19,
        )
    )
for axis, idx in [
    (0, ints(2, 3, lo=-2, hi=2)),
    (1, ints(4, lo=-3, hi=3)),
    (2, np.array(1, np.int64)),
]:
    add(
        Case(
            f"gather_{axis}",
            "nn.gather",
            "Gather",
            [rand(2, 3, 4), idx],
            {"axis": axis},
            {"axis": axis},
        )
    )
add(
    Case(
        "gather_elements",
        "nn.gather_elements",
        "GatherElements",
        [rand(3, 4), ints(3, 2, lo=-4, hi=4)],
        {"axis": 1},
        {"axis": 1},
    )
)
add(
    Case(
        "gather_elements_0",
        "nn.gather_elements",
        "GatherElements",
        [rand(3, 4), ints(2, 4, lo=-3, hi=3)],
        {"axis": 0},
        {"axis": 0},
    )
)
add(
    Case(
        "expand",
        "nn.expand",
        "Expand",
        [rand(3, 1), np.array([2, 3, 4], np.int64)],
        {},
        {"shape": [2, 3, 4]},
        operands=1,
    )
)
add(
    Case(
        "expand_ones",
        "nn.expand",
        "Expand",
        [rand(2, 3), np.array([1, 1], np.int64)],
        {},
        {"shape": [1, 1]},
        operands=1,
    )
)
add(
    Case(
        "tile",
        "nn.tile",
        "Tile",
        [rand(2, 3), np.array([2, 3], np.int64)],
        {},
        {"repeats": [2, 3]},
        operands=1,
    )
)
for mode in ("DCR", "CRD"):
    add(
        Case(
            f"depth_to_space_{mode}",
            "nn.depth_to_space",
            "DepthToSpace",
            [rand(1, 8, 2, 3)],
            {"blocksize": 2, "mode": mode},
            {"blocksize": 2, "mode": mode},
        )
    )
add(
    Case(
        "space_to_depth",
        "nn.space_to_depth",
        "SpaceToDepth",
        [rand(2, 2, 4, 6)],
        {"blocksize": 2},
        {"blocksize": 2},
    )
)
for upper, k in [(1, 0), (0, 0), (1, -1), (0, 2)]:
    add(
        Case(
            f"trilu_{upper}_{k}",
            "nn.trilu",
            "Trilu",
            [rand(2, 4, 5), np.array(k, np.int64)],
            {"upper": upper},
            {"upper": upper, "k": k},
            operands=1,
            opset=14,
        )
    )
for exclusive, reverse in [(0, 0), (1, 0), (0, 1), (1, 1)]:
    a = {"exclusive": exclusive, "reverse": reverse}
    add(
        Case(
            f"cum_sum_{exclusive}{reverse}",
            "nn.cum_sum",
            "CumSum",
            [rand(3, 4), np.array(1, np.int64)],
            a,
            dict(a, axis=1),
            operands=1,
        )
    )
for axis in (-1, 0):
    add(
        Case(
            f"one_hot_{axis}",
            "nn.one_hot",
            "OneHot",
            [ints(2, 3, lo=-4, hi=5), np.array(4, np.int64), np.array([0.0, 2.0], np.float32)],
            {"axis": axis},
            {"axis": axis, "depth": 4, "values": np.array([0.0, 2.0], np.float32)},
            operands=1,
        )
    )
for axis, largest in [(-1, 1), (1, 0), (0, 1)]:
    x = ints(4, 5, 6, lo=0, hi=6).astype(np.float32)  # ties: lower index first
    add(
        Case(
            f"top_k_{axis}_{largest}",
            "nn.top_k",
            "TopK",
            [x, np.array([3], np.int64)],
            {"axis": axis, "largest": largest, "sorted": 1},
            {"axis": axis, "k": 3, "largest": largest, "sorted": 1},
            operands=1,
            outputs=2,
        )
    )

# Resize (opset 19)
RESIZE_X = rand(1, 2, 4, 5)
for mode, ctm, nm, scales, sizes in [
    ("nearest", "asymmetric", "floor", [1, 1, 2, 2], None),
    ("nearest", "half_pixel", "round_prefer_floor", [1, 1, 1.5, 0.6], None),
    ("nearest", "align_corners", "round_prefer_ceil", None, [1, 2, 7, 3]),
    ("nearest", "pytorch_half_pixel", "ceil", [1, 1, 0.5, 2.0], None),
    ("linear", "half_pixel", "round_prefer_floor", [1, 1, 2, 2], None),
    ("linear", "align_corners", "round_prefer_floor", None, [1, 2, 7, 9]),
    ("linear", "asymmetric", "round_prefer_floor", [1, 1, 0.5, 1.5], None),
    ("linear", "pytorch_half_pixel", "round_prefer_floor", None, [1, 2, 1, 8]),
    ("linear", "half_pixel_symmetric", "round_prefer_floor", [1, 1, 1.7, 0.8], None),
    ("cubic", "half_pixel", "round_prefer_floor", [1, 1, 2, 1.5], None),
    ("cubic", "align_corners", "round_prefer_floor", None, [1, 2, 6, 3]),
    ("linear", "align_corners", "round_prefer_floor", [1, 1, 2, 2], None),
    ("nearest", "pytorch_half_pixel", "round_prefer_ceil", None, [1, 2, 1, 3]),
]:
    for exclude in (0, 1) if mode == "cubic" else (0,):
        onnx_attrs = {
            "mode": mode,
            "coordinate_transformation_mode": ctm,
            "nearest_mode": nm,
            "cubic_coeff_a": -0.75,
            "exclude_outside": exclude,
        }
        ins = [
            RESIZE_X,
            None,
            np.array(scales, np.float32) if scales else None,
            np.array(sizes, np.int64) if sizes else None,
        ]
        attrs = dict(onnx_attrs, extrapolation_value=0.0, scales=scales or [], sizes=sizes or [])
        add(
            Case(
                f"resize_{mode}_{ctm}_{nm}_{exclude}_{'s' if scales else 'z'}",
                "nn.resize",
                "Resize",
                ins,
                onnx_attrs,
                attrs,
                operands=1,
                opset=19,
            )
        )


# Folded by the importer with evaluate_op (never in nn IR)
add(Case("shape", "nn.shape", "Shape", [X4], {}, {"start": 0, "end": None}, opset=15))
add(
    Case(
        "shape_start_end",
        "nn.shape",
        "Shape",
        [X4],
        {"start": 1, "end": -1},
        {"start": 1, "end": -1},
        opset=15,
    )
)
add(Case("size", "nn.size", "Size", [X4]))
for cid, start, limit, delta in [
    ("int", 2, 11, 3),
    ("neg", 5, -4, -2),
    ("empty", 3, 1, 1),
    ("float", 0.5, 2.0, 0.4),
]:
    dt = np.int64 if isinstance(start, int) else np.float32
    add(Case(f"range_{cid}", "nn.range", "Range", [np.array(v, dt) for v in (start, limit, delta)]))
for cid, value in [
    ("default", None),
    ("int", np.array([7], np.int32)),
    ("float", np.array([1.5], np.float32)),
]:
    onnx_attrs = {} if value is None else {"value": onnx.numpy_helper.from_array(value)}
    add(
        Case(
            f"constant_of_shape_{cid}",
            "nn.constant_of_shape",
            "ConstantOfShape",
            [np.array([2, 3], np.int64)],
            onnx_attrs,
            {} if value is None else {"value": value},
        )
    )

# Where onnxruntime and the ONNX reference (the conformance suite's expected outputs)
# disagree, the kernels follow ONNX: downsampling align_corners measures the resized length
# as in * scale, unfloored (test_resize_downsample_scales_linear_align_corners).
for mode in ("linear", "cubic"):
    a = {
        "mode": mode,
        "coordinate_transformation_mode": "align_corners",
        "nearest_mode": "round_prefer_floor",
        "cubic_coeff_a": -0.75,
        "exclude_outside": 0,
    }
    add(
        Case(
            f"resize_{mode}_align_corners_downsample",
            "nn.resize",
            "Resize",
            [rand(1, 1, 2, 4), None, np.array([1, 1, 0.6, 0.6], np.float32)],
            a,
            dict(a, extrapolation_value=0.0, scales=[1, 1, 0.6, 0.6], sizes=[]),
            operands=1,
            oracle="reference",
        )
    )
# f16 softmax follows the ONNX reference's f16 rounding (test_attention_4d_causal_fp16_expanded)
for op_type in ("Softmax", "LogSoftmax"):
    name = "nn." + re.sub(r"(?<!^)(?=[A-Z])", "_", op_type).lower()
    add(
        Case(
            f"{name[3:]}_f16",
            name,
            op_type,
            [(rand(3, 16) * 4).astype(np.float16)],
            {"axis": -1},
            {"axis": -1},
            opset=13,
            oracle="reference",
            rtol=1e-3,
            atol=1e-7,
        )
    )
# Empty reductions give the identity of the reduction (opset 18)
for op_type in ("ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceLogSumExp"):
    name = "nn." + re.sub(r"(?<!^)(?=[A-Z])", "_", op_type).lower()
    add(
        Case(
            f"{name[3:]}_empty",
            name,
            op_type,
            [np.zeros((2, 0, 4), np.float32), np.array([1], np.int64)],
            {"keepdims": 1},
            {"axes": [1], "keepdims": 1},
            operands=1,
            opset=18,
            oracle="reference",
        )
    )
add(
    Case(
        "space_to_depth_crd",
        "nn.space_to_depth",
        "SpaceToDepth",
        [rand(1, 2, 4, 4)],
        {"blocksize": 2, "mode": "CRD"},
        {"blocksize": 2, "mode": "CRD"},
        opset=25,
        oracle="reference",
    )
)


# Kernels ready for ops not yet in docs/nn_ops.md
add(
    Case(
        "swish",
        "nn.swish",
        "Swish",
        [WIDE],
        {"alpha": 1.5},
        {"alpha": 1.5},
        opset=24,
        oracle="reference",
    )
)
add(
    Case(
        "shrink",
        "nn.shrink",
        "Shrink",
        [WIDE],
        {"bias": 0.5, "lambd": 1.0},
        {"bias": 0.5, "lambd": 1.0},
    )
)
for p_ in (1, 2):
    add(
        Case(
            f"lp_normalization_p{p_}",
            "nn.lp_normalization",
            "LpNormalization",
            [WIDE],
            {"axis": 1, "p": p_},
            {"axis": 1, "p": p_},
        )
    )
add(
    Case(
        "mean_variance_normalization",
        "nn.mean_variance_normalization",
        "MeanVarianceNormalization",
        [rand(2, 3, 4, 5)],
        {"axes": [0, 2, 3]},
        {"axes": [0, 2, 3]},
    )
)
add(
    Case(
        "group_normalization",
        "nn.group_normalization",
        "GroupNormalization",
        [rand(2, 6, 3, 3), rand(6), rand(6)],
        {"num_groups": 3, "epsilon": 1e-5},
        {"num_groups": 3, "epsilon": 1e-5},
        opset=21,
    )
)
add(
    Case(
        "rms_normalization",
        "nn.rms_normalization",
        "RMSNormalization",
        [rand(2, 3, 8), rand(8)],
        {"axis": -1, "epsilon": 1e-5},
        {"axis": -1, "epsilon": 1e-5},
        opset=23,
    )
)
for k in (0, 1, -2):
    add(
        Case(
            f"eye_like_{k}",
            "nn.eye_like",
            "EyeLike",
            [rand(4, 5)],
            {"k": k, "dtype": 7},
            {"k": k, "dtype": np.dtype(np.int64)},
        )
    )
add(
    Case(
        "gather_nd",
        "nn.gather_nd",
        "GatherND",
        [rand(3, 4, 5), np.array([[0, 1], [2, -1]], np.int64)],
        {"batch_dims": 0},
        {"batch_dims": 0},
    )
)
add(
    Case(
        "gather_nd_batch",
        "nn.gather_nd",
        "GatherND",
        [rand(2, 4, 5), np.array([[[1]], [[3]]], np.int64)],
        {"batch_dims": 1},
        {"batch_dims": 1},
    )
)
for red in ("none", "add", "mul", "max", "min"):
    idx = (
        np.array([[1, 0, 2], [0, 2, 1]], np.int64)
        if red == "none"
        else np.array([[1, 1, -1], [0, 2, 0]], np.int64)
    )
    add(
        Case(
            f"scatter_elements_{red}",
            "nn.scatter_elements",
            "ScatterElements",
            [rand(3, 3), idx, rand(2, 3)],
            {"axis": 0, "reduction": red},
            {"axis": 0, "reduction": red},
            opset=18,
        )
    )
    nd_idx = (
        np.array([[0], [2]], np.int64) if red == "none" else np.array([[0], [2], [0]], np.int64)
    )
    add(
        Case(
            f"scatter_nd_{red}",
            "nn.scatter_nd",
            "ScatterND",
            [rand(4, 3), nd_idx, rand(nd_idx.shape[0], 3)],
            {"reduction": red},
            {"reduction": red},
            opset=18,
        )
    )
for exclusive, reverse in [(0, 0), (1, 1)]:
    a = {"exclusive": exclusive, "reverse": reverse}
    add(
        Case(
            f"cum_prod_{exclusive}{reverse}",
            "nn.cum_prod",
            "CumProd",
            [rand(3, 4), np.array(1, np.int64)],
            a,
            dict(a, axis=1),
            operands=1,
            opset=26,
            oracle="reference",
        )
    )
add(
    Case(
        "reverse_sequence",
        "nn.reverse_sequence",
        "ReverseSequence",
        [rand(4, 3, 2), np.array([4, 1, 3], np.int64)],
        {"batch_axis": 1, "time_axis": 0},
        {"batch_axis": 1, "time_axis": 0},
    )
)
for eq, shapes in [
    ("ij,jk->ik", [(3, 4), (4, 5)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("ii->i", [(4, 4)]),
    ("ij->", [(3, 4)]),
]:
    add(
        Case(
            f"einsum_{eq.replace(',', '_').replace('->', '_to_') or 'x'}",
            "nn.einsum",
            "Einsum",
            [rand(*sh) for sh in shapes],
            {"equation": eq},
            {"equation": eq},
            opset=12,
        )
    )

for cid, shape, weight, ignore in [
    ("2d", (4, 5), False, None),
    ("3d_weight", (3, 5, 2), True, None),
    ("4d_ignore", (2, 4, 3, 2), False, 1),
    ("weight_ignore", (5, 3), True, 0),
]:
    for reduction in ("none", "sum", "mean"):
        x = rand(*shape)
        target = ints(shape[0], *shape[2:], lo=0, hi=shape[1])
        ins = [x, target] + ([rand(shape[1], lo=0.2, hi=1.0)] if weight else [])
        a = {"reduction": reduction} | ({} if ignore is None else {"ignore_index": ignore})
        kernel_a = dict(a, ignore_index=ignore)
        add(
            Case(
                f"negative_log_likelihood_loss_{cid}_{reduction}",
                "nn.negative_log_likelihood_loss",
                "NegativeLogLikelihoodLoss",
                ins,
                a,
                kernel_a,
                opset=13,
            )
        )
        add(
            Case(
                f"softmax_cross_entropy_loss_{cid}_{reduction}",
                "nn.softmax_cross_entropy_loss",
                "SoftmaxCrossEntropyLoss",
                ins,
                a,
                kernel_a,
                opset=13,
                outputs=2,
            )
        )

# Attention (opset 23+): a few of each feature; onnxruntime where it implements the case
B, SQ, SKV, HD = 2, 3, 5, 4
ATTENTION = [
    (
        "4d",
        [rand(B, 2, SQ, HD), rand(B, 2, SKV, HD), rand(B, 2, SKV, HD)],
        {},
        1,
        "onnxruntime",
        23,
    ),
    (
        "3d_gqa",
        [rand(B, SQ, 4 * HD), rand(B, SKV, 2 * HD), rand(B, SKV, 2 * 6)],
        {"q_num_heads": 4, "kv_num_heads": 2},
        1,
        "reference",
        23,
    ),
    (
        "bool_mask",
        [rand(B, 2, SQ, HD), rand(B, 2, SKV, HD), rand(B, 2, SKV, HD), RNG.random((SQ, SKV)) > 0.3],
        {"scale": 0.3},
        1,
        "reference",
        23,
    ),
    (
        "short_float_mask",
        [rand(B, 2, SQ, HD), rand(B, 2, SKV, HD), rand(B, 2, SKV, HD), rand(B, 1, SQ, SKV - 2)],
        {},
        1,
        "reference",
        23,
    ),
    (
        "causal_past",
        [
            rand(B, 2, SQ, HD),
            rand(B, 2, SQ, HD),
            rand(B, 2, SQ, HD),
            None,
            rand(B, 2, 2, HD),
            rand(B, 2, 2, HD),
        ],
        {"is_causal": 1},
        3,
        "reference",
        23,
    ),
    (
        "softcap_mode1",
        [rand(B, 2, SQ, HD) * 4, rand(B, 2, SKV, HD), rand(B, 2, SKV, HD)],
        {"softcap": 2.0, "qk_matmul_output_mode": 1},
        4,
        "reference",
        23,
    ),
    (
        "mode2_mask",
        [rand(B, 2, SQ, HD), rand(B, 2, SKV, HD), rand(B, 2, SKV, HD), rand(SQ, SKV)],
        {"qk_matmul_output_mode": 2},
        4,
        "reference",
        23,
    ),
    (
        "mode3_causal",
        [rand(B, 2, SQ, HD), rand(B, 2, SKV, HD), rand(B, 2, SKV, HD)],
        {"qk_matmul_output_mode": 3, "is_causal": 1},
        4,
        "reference",
        23,
    ),
    (
        "precision",
        [
            rand(B, 2, SQ, HD, dtype=np.float16),
            rand(B, 2, SKV, HD, dtype=np.float16),
            rand(B, 2, SKV, HD, dtype=np.float16),
        ],
        {"softmax_precision": 1},
        1,
        "reference",
        23,
    ),
    (
        "nonpad",
        [
            rand(B, 2, SQ, HD),
            rand(B, 2, SKV, HD),
            rand(B, 2, SKV, HD),
            None,
            None,
            None,
            np.array([5, 3], np.int64),
        ],
        {"is_causal": 1},
        1,
        "reference",
        24,
    ),
]
for cid, ins, a, n_out, oracle, opset in ATTENTION:
    kernel_a = {
        "is_causal": 0,
        "qk_matmul_output_mode": 0,
        "softcap": 0.0,
        "softmax_precision": 0,
        "scale": None,
    } | a
    if "q_num_heads" not in a:
        kernel_a |= {"q_num_heads": 0, "kv_num_heads": 0}
    tol = {"rtol": 1e-3, "atol": 1e-3} if ins[0].dtype == np.float16 else {}
    add(
        Case(
            f"attention_{cid}",
            "nn.attention",
            "Attention",
            ins,
            a,
            kernel_a,
            opset=opset,
            outputs=n_out,
            oracle=oracle,
            **tol,
        )
    )

# Other dtypes: f16 and f64 float paths, integer pooling and data movement
H = {"rtol": 1e-3, "atol": 1e-3}
for dt in (np.float16, np.float64):
    tag = np.dtype(dt).name
    x4, w4 = rand(1, 3, 6, 6, dtype=dt), rand(4, 3, 3, 3, dtype=dt)
    tol = H if dt == np.float16 else {}
    conv_a = {
        "kernel_shape": [3, 3],
        "strides": [1, 1],
        "pads": [1, 1, 1, 1],
        "dilations": [1, 1],
        "group": 1,
    }
    add(
        Case(
            f"conv_{tag}",
            "nn.conv",
            "Conv",
            [x4, w4, rand(4, dtype=dt)],
            conv_a,
            dict(conv_a),
            **tol,
        )
    )
    pool_a = {
        "kernel_shape": [3, 3],
        "strides": [2, 2],
        "pads": [1, 1, 1, 1],
        "dilations": [1, 1],
        "ceil_mode": 0,
    }
    add(Case(f"max_pool_{tag}", "nn.max_pool", "MaxPool", [x4], pool_a, dict(pool_a), **tol))
    avg_a = dict(pool_a, count_include_pad=0)
    add(
        Case(
            f"average_pool_{tag}", "nn.average_pool", "AveragePool", [x4], avg_a, dict(avg_a), **tol
        )
    )
    add(
        Case(
            f"mat_mul_{tag}",
            "nn.mat_mul",
            "MatMul",
            [rand(3, 8, dtype=dt), rand(8, 2, dtype=dt)],
            **tol,
        )
    )
    g_a = {"alpha": 0.5, "beta": 2.0, "trans_a": 0, "trans_b": 1}
    add(
        Case(
            f"gemm_{tag}",
            "nn.gemm",
            "Gemm",
            [rand(3, 8, dtype=dt), rand(2, 8, dtype=dt), rand(2, dtype=dt)],
            {"alpha": 0.5, "beta": 2.0, "transA": 0, "transB": 1},
            g_a,
            **tol,
        )
    )
    for op_type in ("Add", "Mul", "Div", "Sub"):
        name = "nn." + op_type.lower()
        add(
            Case(
                f"{op_type.lower()}_{tag}",
                name,
                op_type,
                [rand(2, 3, dtype=dt), rand(3, dtype=dt) + 2],
                **tol,
            )
        )
    for op_type in ("Relu", "Sigmoid", "Tanh", "Exp", "Sqrt", "Erf"):
        name = "nn." + op_type.lower()
        x = rand(2, 5, dtype=dt, lo=0.1, hi=2.0)
        add(Case(f"{op_type.lower()}_{tag}", name, op_type, [x], **tol))
    add(
        Case(
            f"softmax_{tag}",
            "nn.softmax",
            "Softmax",
            [rand(2, 7, dtype=dt)],
            {"axis": 1},
            {"axis": 1},
            opset=13,
            **tol,
        )
    )
    bn_in = [
        x4,
        rand(3, dtype=dt),
        rand(3, dtype=dt),
        rand(3, dtype=dt),
        rand(3, dtype=dt, lo=0.5, hi=1.5),
    ]
    add(
        Case(
            f"batch_normalization_{tag}",
            "nn.batch_normalization",
            "BatchNormalization",
            bn_in,
            {"epsilon": 1e-5},
            {"epsilon": 1e-5},
            opset=15,
            **tol,
        )
    )
    add(
        Case(
            f"global_average_pool_{tag}", "nn.global_average_pool", "GlobalAveragePool", [x4], **tol
        )
    )
for dt in (np.int8, np.uint8):
    xi = ints(1, 2, 5, 5, lo=0, hi=100, dtype=dt)
    pool_a = {
        "kernel_shape": [2, 2],
        "strides": [2, 2],
        "pads": [0, 0, 1, 1],
        "dilations": [1, 1],
        "ceil_mode": 0,
    }
    add(
        Case(
            f"max_pool_{np.dtype(dt).name}",
            "nn.max_pool",
            "MaxPool",
            [xi],
            dict(pool_a, storage_order=0),
            dict(pool_a),
            opset=12,
        )
    )
    add(
        Case(
            f"transpose_{np.dtype(dt).name}",
            "nn.transpose",
            "Transpose",
            [xi],
            {"perm": [0, 2, 3, 1]},
            {"perm": [0, 2, 3, 1]},
        )
    )
    add(
        Case(
            f"concat_{np.dtype(dt).name}", "nn.concat", "Concat", [xi, xi], {"axis": 1}, {"axis": 1}
        )
    )


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_kernel_matches_onnxruntime(case: Case) -> None:
    check(case)


def test_every_registered_kernel_is_tested() -> None:
    tested = {c.op for c in CASES}
    aliases = {"nn.is_na_n", "nn.prelu"}
    assert set(KERNELS) - tested - aliases == set()


def test_blocked_im2col_and_matmul_match_unblocked(monkeypatch: pytest.MonkeyPatch) -> None:
    """The memory-bounding blocks (im2col rows, f64 weight columns) change nothing."""
    import vexa.runtime.nn_reference as ref

    x, w, b = rand(2, 4, 9, 7), rand(6, 2, 3, 3), rand(6)
    attrs = {
        "kernel_shape": [3, 3],
        "strides": [2, 1],
        "pads": [1, 0, 1, 2],
        "dilations": [1, 2],
        "group": 2,
    }
    a, m = rand(3, 40), rand(40, 50)
    whole_conv = KERNELS["nn.conv"]([x, w, b], attrs)[0]
    whole_mm = KERNELS["nn.mat_mul"]([a, m], {})[0]
    monkeypatch.setattr(ref, "_IM2COL_CHUNK", 30)
    monkeypatch.setattr(ref, "_F64_CHUNK", 200)
    np.testing.assert_array_equal(KERNELS["nn.conv"]([x, w, b], attrs)[0], whole_conv)
    np.testing.assert_array_equal(KERNELS["nn.mat_mul"]([a, m], {})[0], whole_mm)


def test_erf_is_f32_accurate() -> None:
    """The scipy-free erf is within 2e-7 of math.erf everywhere (f32 needs ~6e-8 near 1)."""
    import math

    from vexa.runtime.nn_reference import _erf

    xs = np.concatenate([np.linspace(-6, 6, 20001), [0.0, 1e-8, -1e-8, 0.999999, 1.0, 1.000001]])
    exact = np.array([math.erf(v) for v in xs])
    got = _erf(xs)
    assert np.max(np.abs(got - exact)) < 2e-7
    small = np.abs(xs) < 1
    assert (
        np.max(np.abs(got[small] - exact[small]) / np.maximum(np.abs(exact[small]), 1e-30)) < 1e-12
    )
