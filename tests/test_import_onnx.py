"""The ONNX importer: imported nn IR interpreted with numpy vs onnxruntime on the ONNX model.

Each case is a small graph at one opset, so that every normaliser (defaults per opset,
auto_pad, constant inputs to properties, opset < 13 Softmax, Reshape 0/-1, Slice clamping,
folding of shape subgraphs) is checked numerically. Error cases check the one-message
contract of lowering/import_onnx.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from vexa.lowering.import_onnx import import_onnx
from vexa.runtime.nn_interpreter import interpret
from vexa.runtime.resources import module_resources
from vexa.tools.errors import VexaError

ort = pytest.importorskip("onnxruntime")

F = TensorProto.FLOAT
I64 = TensorProto.INT64
RNG = np.random.default_rng(7)


def _f(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape).astype(np.float32)


def _i(*values: int) -> np.ndarray:
    return np.array(values, dtype=np.int64)


def make(
    nodes: Sequence[onnx.NodeProto],
    inputs: dict[str, np.ndarray],
    outputs: Sequence[str],
    opset: int,
    inits: dict[str, np.ndarray] | None = None,
) -> onnx.ModelProto:
    """A model with typed inputs and outputs typed by ONNX shape inference."""
    vis = [
        helper.make_tensor_value_info(n, helper.np_dtype_to_tensor_dtype(a.dtype), a.shape)
        for n, a in inputs.items()
    ]
    outs = [onnx.ValueInfoProto(name=o) for o in outputs]
    init = [numpy_helper.from_array(a, n) for n, a in (inits or {}).items()]
    graph = helper.make_graph(list(nodes), "t", vis, outs, init)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    inferred = onnx.shape_inference.infer_shapes(model)
    types = {vi.name: vi.type for vi in inferred.graph.value_info}
    types.update(
        {vi.name: vi.type for vi in inferred.graph.output if vi.type.HasField("tensor_type")}
    )
    for out in model.graph.output:
        if out.name in types:
            out.type.CopyFrom(types[out.name])
    return model


def check(
    model: onnx.ModelProto, inputs: dict[str, np.ndarray], rtol: float = 1e-5, atol: float = 1e-5
) -> Any:
    """Import + interpret vs onnxruntime; returns the module."""
    module = import_onnx(model)
    module.verify()
    ours = interpret(module, inputs, module_resources(module))
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    ref = sess.run(None, inputs)
    assert len(ours) == len(ref)
    for o, r in zip(ours, ref):
        assert o.shape == r.shape, (o.shape, r.shape)
        assert o.dtype == r.dtype, (o.dtype, r.dtype)
        np.testing.assert_allclose(o, r, rtol=rtol, atol=atol)
    return module


def one(
    op: str,
    ins: dict[str, np.ndarray],
    opset: int,
    inits: dict[str, np.ndarray] | None = None,
    n_out: int = 1,
    **attrs: Any,
) -> Any:
    """A one-node model: graph inputs `ins`, constant inputs `inits` (in that order)."""
    names = list(ins) + list(inits or {})
    outs = [f"y{i}" for i in range(n_out)]
    node = helper.make_node(op, names, outs, name=op.lower(), **attrs)
    return check(make([node], ins, outs, opset, inits), ins)


def _ops(module: Any) -> list[str]:
    return [op.name for op in module.walk() if op.name.startswith("nn.")]


# --------------------------------------------------------------------------- conv / pool


@pytest.mark.parametrize("opset", [7, 11, 13, 22])
@pytest.mark.parametrize(
    "attrs",
    [
        {"pads": [1, 0, 2, 1]},
        {"auto_pad": "SAME_UPPER", "strides": [2, 2]},
        {"auto_pad": "SAME_LOWER", "strides": [2, 3]},
        {"auto_pad": "VALID", "dilations": [2, 1]},
        {"group": 2, "kernel_shape": [3, 3]},
    ],
)
def test_conv(opset: int, attrs: dict) -> None:
    group = attrs.get("group", 1)
    w = _f(4, 4 // group, 3, 3)
    x = _f(1, 4, 9, 8)
    one("Conv", {"x": x}, opset, {"w": w, "b": _f(4)}, **attrs)


@pytest.mark.parametrize(
    "attrs",
    [
        {"strides": [2, 2]},
        {"strides": [2, 2], "output_padding": [1, 1], "pads": [1, 0, 1, 0]},
        {"strides": [2, 2], "output_shape": [8, 9]},
        {"strides": [2, 2], "auto_pad": "SAME_UPPER"},
    ],
)
def test_conv_transpose(attrs: dict) -> None:
    one("ConvTranspose", {"x": _f(1, 3, 4, 4)}, 13, {"w": _f(3, 2, 3, 3)}, **attrs)


@pytest.mark.parametrize("op", ["MaxPool", "AveragePool"])
@pytest.mark.parametrize(
    "attrs",
    [
        {"kernel_shape": [3, 3], "strides": [2, 2]},
        {"kernel_shape": [3, 3], "strides": [2, 2], "ceil_mode": 1},
        {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1]},
        {"kernel_shape": [2, 2], "auto_pad": "SAME_UPPER", "strides": [2, 2]},
        {"kernel_shape": [3, 2], "auto_pad": "SAME_LOWER"},
    ],
)
def test_pool(op: str, attrs: dict) -> None:
    one(op, {"x": _f(1, 2, 7, 7)}, 12, **attrs)


def test_average_pool_count_include_pad() -> None:
    one(
        "AveragePool",
        {"x": _f(1, 2, 5, 5)},
        7,
        kernel_shape=[3, 3],
        pads=[1, 1, 1, 1],
        count_include_pad=1,
    )


@pytest.mark.parametrize("op", ["GlobalAveragePool", "GlobalMaxPool"])
def test_global_pool(op: str) -> None:
    one(op, {"x": _f(2, 3, 4, 5)}, 13)


def test_batch_norm_opsets() -> None:
    for opset in (7, 9, 15):
        inits = {"s": _f(3), "b": _f(3), "m": _f(3), "v": np.abs(_f(3)) + 0.5}
        one("BatchNormalization", {"x": _f(2, 3, 4, 4)}, opset, inits, epsilon=1e-3)


# --------------------------------------------------------------------------- linear algebra


@pytest.mark.parametrize("opset", [7, 11, 13])
def test_gemm(opset: int) -> None:
    one("Gemm", {"a": _f(4, 3)}, opset, {"b": _f(5, 3), "c": _f(5)}, transB=1, alpha=0.5, beta=2.0)


def test_gemm_without_c() -> None:
    one("Gemm", {"a": _f(3, 4)}, 13, {"b": _f(3, 5)}, transA=1)


def test_matmul_broadcast() -> None:
    one("MatMul", {"a": _f(2, 1, 3, 4)}, 13, {"b": _f(5, 4, 6)})


# --------------------------------------------------------------------------- softmax family


@pytest.mark.parametrize("op", ["Softmax", "LogSoftmax", "Hardmax"])
@pytest.mark.parametrize("opset", [7, 11, 13])
@pytest.mark.parametrize("axis", [None, 0, 1, -1, 2])
def test_softmax_family(op: str, opset: int, axis: int | None) -> None:
    attrs = {} if axis is None else {"axis": axis}
    one(op, {"x": _f(2, 3, 4)}, opset, **attrs)


# --------------------------------------------------------------------------- reductions


@pytest.mark.parametrize(
    "op", ["ReduceSum", "ReduceMean", "ReduceMax", "ReduceL2", "ReduceLogSumExp"]
)
@pytest.mark.parametrize("opset", [11, 13, 18])
def test_reduce(op: str, opset: int) -> None:
    axes_as_input = opset >= (13 if op == "ReduceSum" else 18)
    x = {"x": np.abs(_f(2, 3, 4)) + 0.1}
    if axes_as_input:
        one(op, x, opset, {"axes": _i(-1, 0)}, keepdims=0)
    else:
        one(op, x, opset, axes=[-1, 0], keepdims=0)
    one(op, x, opset)  # no axes: all of them


def test_reduce_noop_with_empty_axes() -> None:
    module = one("ReduceSum", {"x": _f(2, 3)}, 13, noop_with_empty_axes=1)
    assert "nn.reduce_sum" not in _ops(module)


@pytest.mark.parametrize("op", ["ArgMax", "ArgMin"])
def test_arg(op: str) -> None:
    x = np.array([[1, 3, 3], [2, 0, 2]], np.float32)
    one(op, {"x": x}, 13, axis=-1, keepdims=0, select_last_index=1)
    one(op, {"x": x}, 11)


# --------------------------------------------------------------------------- shapes


def test_reshape_zero_and_minus_one() -> None:
    module = one("Reshape", {"x": _f(2, 3, 4)}, 13, {"shape": _i(0, -1)})
    assert _ops(module) == ["nn.reshape"]


def test_reshape_allowzero() -> None:
    one("Reshape", {"x": _f(2, 3, 4)}, 14, {"shape": _i(4, 6)}, allowzero=1)


def test_shape_subgraph_folds() -> None:
    nodes = [
        helper.make_node("Shape", ["x"], ["s"]),
        helper.make_node("Slice", ["s", "zero", "two"], ["s2"]),
        helper.make_node("ReduceProd", ["s2"], ["p"], keepdims=1),
        helper.make_node("Cast", ["p"], ["pf"], to=F),
        helper.make_node("Cast", ["pf"], ["pi"], to=I64),
        helper.make_node("Concat", ["pi", "minus1"], ["target"], axis=0),
        helper.make_node("Reshape", ["x", "target"], ["y"]),
    ]
    inits = {"zero": _i(0), "two": _i(2), "minus1": _i(-1)}
    x = {"x": _f(2, 3, 4)}
    module = check(make(nodes, x, ["y"], 13, inits), x)
    assert _ops(module) == ["nn.reshape"]


def test_range_and_constant_of_shape_fold() -> None:
    nodes = [
        helper.make_node("Range", ["start", "limit", "delta"], ["r"]),
        helper.make_node("Shape", ["x"], ["s"]),
        helper.make_node(
            "ConstantOfShape",
            ["s"],
            ["z"],
            value=numpy_helper.from_array(np.array([2.0], np.float32)),
        ),
        helper.make_node("Cast", ["r"], ["rf"], to=F),
        helper.make_node("Add", ["x", "rf"], ["a"]),
        helper.make_node("Mul", ["a", "z"], ["y"]),
    ]
    inits = {
        "start": np.array(0, np.int64),
        "limit": np.array(4, np.int64),
        "delta": np.array(1, np.int64),
    }
    x = {"x": _f(3, 4)}
    module = check(make(nodes, x, ["y"], 13, inits), x)
    assert _ops(module).count("nn.constant") == 2
    assert "nn.cast" not in _ops(module)


@pytest.mark.parametrize("opset", [11, 13])
def test_squeeze_unsqueeze(opset: int) -> None:
    x = {"x": _f(1, 3, 1, 2)}
    if opset >= 13:
        one("Squeeze", x, opset, {"axes": _i(-2)})
        one("Unsqueeze", x, opset, {"axes": _i(-1, 0)})
    else:
        one("Squeeze", x, opset, axes=[-2])
        one("Unsqueeze", x, opset, axes=[-1, 0])
    one("Squeeze", x, opset)


def test_flatten_transpose_concat() -> None:
    one("Flatten", {"x": _f(2, 3, 4)}, 13, axis=-1)
    one("Flatten", {"x": _f(2, 3, 4)}, 13, axis=0)
    one("Transpose", {"x": _f(2, 3, 4)}, 13)
    one("Transpose", {"x": _f(2, 3, 4)}, 13, perm=[1, 0, 2])
    one("Concat", {"a": _f(2, 3), "b": _f(2, 2)}, 13, axis=-1)


@pytest.mark.parametrize("opset", [11, 13, 18])
def test_split(opset: int) -> None:
    x = {"x": _f(2, 6)}
    if opset >= 13:
        one("Split", x, opset, {"split": _i(1, 5)}, n_out=2, axis=1)
    else:
        one("Split", x, opset, n_out=2, axis=1, split=[1, 5])
    one("Split", x, opset, n_out=3, axis=-1, **({"num_outputs": 3} if opset >= 18 else {}))


def test_split_uneven_opset18() -> None:
    one("Split", {"x": _f(7, 2)}, 18, n_out=3, num_outputs=3)


@pytest.mark.parametrize(
    "starts, ends, axes, steps",
    [
        ([1], [1000], [1], None),
        ([-1, 0], [-1000, 10], [1, 0], [-1, 2]),
        ([0, -3], [2**63 - 1, -1], [0, -1], [1, 1]),
        ([5], [0], [1], [-2]),
    ],
)
def test_slice(starts: list, ends: list, axes: list, steps: list | None) -> None:
    x = {"x": _f(4, 6)}
    inits = {"starts": _i(*starts), "ends": _i(*ends), "axes": _i(*axes)}
    if steps is not None:
        inits["steps"] = _i(*steps)
    one("Slice", x, 13, inits)


def test_slice_opset9() -> None:
    one("Slice", {"x": _f(4, 6)}, 9, starts=[1, -2], ends=[100, 5], axes=[0, 1])
    one("Slice", {"x": _f(4, 6)}, 9, starts=[1], ends=[3])


def test_pad_opsets() -> None:
    one("Pad", {"x": _f(2, 3)}, 7, pads=[0, 1, 1, 2], value=1.5)
    one("Pad", {"x": _f(2, 3)}, 11, {"pads": _i(1, 0, 0, 2), "cv": np.array(2.0, np.float32)})
    one("Pad", {"x": _f(3, 4)}, 13, {"pads": _i(1, 2, 1, 0)}, mode="reflect")
    one(
        "Pad",
        {"x": _f(3, 4)},
        18,
        {"pads": _i(1, 2), "cv": np.array(0.5, np.float32), "axes": _i(-1)},
    )


def test_gather_expand_tile() -> None:
    one("Gather", {"x": _f(5, 4)}, 13, {"i": _i(0, -1, 3)}, axis=0)
    one(
        "GatherElements",
        {"x": _f(3, 3)},
        13,
        {"i": np.array([[0, 2], [1, 0], [2, 2]], np.int64)},
        axis=1,
    )
    one("Expand", {"x": _f(3, 1)}, 13, {"shape": _i(2, 1, 4)})
    one("Tile", {"x": _f(2, 3)}, 13, {"r": _i(2, 1)})


def test_misc_data_ops() -> None:
    one("Trilu", {"x": _f(4, 5)}, 14, {"k": np.array(1, np.int64)}, upper=0)
    one("Trilu", {"x": _f(4, 5)}, 14)
    one("CumSum", {"x": _f(3, 4)}, 14, {"axis": np.array(-1, np.int64)}, exclusive=1, reverse=1)
    one("DepthToSpace", {"x": _f(1, 8, 2, 3)}, 13, blocksize=2, mode="CRD")
    one("DepthToSpace", {"x": _f(1, 8, 2, 3)}, 9, blocksize=2)
    one("SpaceToDepth", {"x": _f(1, 2, 4, 6)}, 13, blocksize=2)
    one(
        "OneHot",
        {"i": np.array([0, 2, -1], np.int64)},
        11,
        {"d": np.array(4, np.int64), "v": np.array([0.5, 3.0], np.float32)},
        axis=0,
    )


@pytest.mark.parametrize("opset", [9, 10, 11])
def test_top_k(opset: int) -> None:
    x = {"x": _f(3, 6)}
    if opset >= 10:
        one("TopK", x, opset, {"k": _i(2)}, n_out=2)
    else:
        one("TopK", x, opset, n_out=2, k=2)


@pytest.mark.parametrize(
    "opset, attrs, scales, sizes",
    [
        (10, {"mode": "nearest"}, [1, 1, 2, 3], None),
        (10, {"mode": "linear"}, [1, 1, 2, 2], None),
        (11, {"mode": "nearest"}, [1, 1, 2, 1.5], None),
        (
            13,
            {"mode": "linear", "coordinate_transformation_mode": "align_corners"},
            None,
            [1, 2, 7, 5],
        ),
        (
            13,
            {
                "mode": "nearest",
                "coordinate_transformation_mode": "asymmetric",
                "nearest_mode": "floor",
            },
            [1, 1, 0.5, 0.5],
            None,
        ),
        (18, {"mode": "linear", "axes": [2, 3]}, None, [6, 8]),
        (
            19,
            {"mode": "nearest", "coordinate_transformation_mode": "half_pixel_symmetric"},
            [1, 1, 2, 2],
            None,
        ),
    ],
)
def test_resize(opset: int, attrs: dict, scales: list | None, sizes: list | None) -> None:
    x = {"x": _f(1, 2, 4, 4)}
    if opset == 10:
        one("Resize", x, opset, {"scales": np.array(scales, np.float32)}, **attrs)
        return
    inits: dict[str, np.ndarray] = {"roi": np.array([], np.float32)}
    inits["scales"] = np.array(scales if scales is not None else [], np.float32)
    if sizes is not None:
        inits["sizes"] = _i(*sizes)
    one("Resize", x, opset, inits, **attrs)


def test_upsample_opset9() -> None:
    one(
        "Upsample",
        {"x": _f(1, 2, 3, 3)},
        9,
        {"scales": np.array([1, 1, 2, 2], np.float32)},
        mode="nearest",
    )


# --------------------------------------------------------------------------- elementwise


@pytest.mark.parametrize(
    "op, attrs",
    [
        ("LeakyRelu", {}),
        ("LeakyRelu", {"alpha": 0.3}),
        ("Elu", {}),
        ("Selu", {}),
        ("Celu", {"alpha": 2.0}),
        ("HardSigmoid", {}),
        ("ThresholdedRelu", {}),
        ("Relu", {}),
        ("Sigmoid", {}),
        ("Tanh", {}),
        ("Softplus", {}),
        ("Softsign", {}),
        ("HardSwish", {}),
        ("Erf", {}),
        ("Abs", {}),
        ("Neg", {}),
        ("Exp", {}),
        ("Floor", {}),
        ("Ceil", {}),
        ("Round", {}),
        ("Sign", {}),
        ("Sin", {}),
    ],
)
def test_unary(op: str, attrs: dict) -> None:
    opset = 14 if op == "HardSwish" else 13
    one(op, {"x": _f(3, 4)}, opset, **attrs)


@pytest.mark.parametrize("opset", [7, 11, 13])
def test_clip(opset: int) -> None:
    x = {"x": _f(3, 4)}
    if opset < 11:
        one("Clip", x, opset, min=-0.5, max=0.5)
        one("Clip", x, opset, max=0.2)
    else:
        one("Clip", x, opset, {"lo": np.array(-0.5, np.float32), "hi": np.array(0.5, np.float32)})
        node = helper.make_node("Clip", ["x", "", "hi"], ["y"])
        check(make([node], x, ["y"], opset, {"hi": np.array(0.1, np.float32)}), x)


@pytest.mark.parametrize(
    "op", ["Add", "Sub", "Mul", "Div", "Pow", "Equal", "Less", "Greater", "PRelu"]
)
def test_binary_broadcast(op: str) -> None:
    a = np.abs(_f(2, 3, 4)) + 0.5
    one(op, {"a": a}, 13, {"b": np.abs(_f(3, 1)) + 0.5})


def test_variadic_where_cast() -> None:
    for op in ("Sum", "Mean", "Max", "Min"):
        one(op, {"a": _f(2, 3), "b": _f(3), "c": _f(1, 3)}, 13)
    c = {"c": RNG.random((2, 3)) < 0.5}
    one("Where", c, 13, {"x": _f(2, 3), "y": _f(3)})
    one("Cast", {"x": _f(2, 3) * 10}, 13, to=TensorProto.INT32)
    one("CastLike", {"x": _f(2, 3) * 10}, 15, {"t": np.array([1], np.int64)})


def test_normalizations() -> None:
    one("InstanceNormalization", {"x": _f(2, 3, 4, 5)}, 13, {"s": _f(3), "b": _f(3)})
    one("LayerNormalization", {"x": _f(2, 3, 4)}, 17, {"s": _f(4), "b": _f(4)})
    one("LayerNormalization", {"x": _f(2, 3, 4)}, 17, {"s": _f(3, 4)}, axis=1)
    one("LRN", {"x": _f(1, 5, 3, 3)}, 13, size=3)


def test_identity_and_dropout_are_aliases() -> None:
    nodes = [
        helper.make_node("Identity", ["x"], ["i"]),
        helper.make_node("Dropout", ["i"], ["d"], ratio=0.3),
        helper.make_node("Relu", ["d"], ["y"]),
    ]
    x = {"x": _f(2, 3)}
    module = check(make(nodes, x, ["y"], 10), x)
    assert _ops(module) == ["nn.relu"]
    nodes12 = [helper.make_node("Dropout", ["x", "ratio"], ["y"])]
    check(make(nodes12, x, ["y"], 13, {"ratio": np.array(0.5, np.float32)}), x)


# --------------------------------------------------------------------------- constants & graph


def test_constant_forms_and_resources() -> None:
    big = _f(5, 5)
    nodes = [
        helper.make_node("Constant", [], ["c1"], value_float=2.0),
        helper.make_node("Constant", [], ["c2"], value_floats=[1.0, 2.0, 3.0]),
        helper.make_node("Constant", [], ["c3"], value=numpy_helper.from_array(big, "c3v")),
        helper.make_node("Mul", ["x", "c1"], ["a"]),
        helper.make_node("Add", ["a", "c3"], ["b"]),
        helper.make_node("Sub", ["b", "c2_5"], ["y"]),
        helper.make_node("Tile", ["c2", "rep"], ["c2_t"]),
        helper.make_node("Slice", ["c2_t", "s0", "s5"], ["c2_5"]),
    ]
    order = [nodes[0], nodes[1], nodes[2], nodes[6], nodes[7], nodes[3], nodes[4], nodes[5]]
    inits = {"rep": _i(2), "s0": _i(0), "s5": _i(5)}
    x = {"x": _f(5, 5)}
    module = check(make(order, x, ["y"], 13, inits), x)
    table = module_resources(module)
    assert list(table) == ["c3"]
    np.testing.assert_array_equal(table["c3"], big)


def test_unsorted_nodes_and_output_is_input() -> None:
    nodes = [helper.make_node("Relu", ["a"], ["y"]), helper.make_node("Neg", ["x"], ["a"])]
    x = {"x": _f(2, 2)}
    check(make(nodes, x, ["y", "x"], 13), x)


def test_large_constant_subgraph_is_not_folded() -> None:
    # a 2048-element all-constant op stays an op (contract: fold results <= 1024 elements)
    nodes = [helper.make_node("Relu", ["w"], ["rw"]), helper.make_node("Add", ["x", "rw"], ["y"])]
    x = {"x": _f(32, 64)}
    module = check(make(nodes, x, ["y"], 13, {"w": _f(32, 64)}), x)
    assert "nn.relu" in _ops(module)


def test_input_shapes_pin_dynamic_dims() -> None:
    node = helper.make_node("Relu", ["x"], ["y"])
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("x", F, ["n", 3])],
        [helper.make_tensor_value_info("y", F, ["n", 3])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    with pytest.raises(VexaError, match=r"input 'x' dim 0 is dynamic \('n'\)"):
        import_onnx(model)
    module = import_onnx(model, input_shapes={"x": [4, 3]})
    (y,) = interpret(module, {"x": -np.ones((4, 3), np.float32)})
    assert y.shape == (4, 3) and not y.any()
    with pytest.raises(VexaError, match="pinned dim 1 is 2, expected 3"):
        import_onnx(model, input_shapes={"x": [4, 2]})


def test_accepts_bytes_and_path(tmp_path: Any) -> None:
    node = helper.make_node("Relu", ["x"], ["y"], name="r")
    model = make([node], {"x": _f(2)}, ["y"], 13)
    path = tmp_path / "m.onnx"
    path.write_bytes(model.SerializeToString())
    for source in (model, model.SerializeToString(), str(path), path):
        module = import_onnx(source)
        assert _ops(module) == ["nn.relu"]


# --------------------------------------------------------------------------- errors


def test_unsupported_ops_listed_at_once() -> None:
    nodes = [
        helper.make_node("GatherND", ["x", "x"], ["a"], name="nz1"),
        helper.make_node("GatherND", ["x", "x"], ["b"], name="nz2"),
        helper.make_node("Relu", ["x"], ["c"]),
        helper.make_node("Einsum", ["x"], ["d"], equation="ij->ji"),
    ]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", F, [2, 2])],
        [onnx.ValueInfoProto(name=n) for n in "abcd"],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    with pytest.raises(VexaError) as info:
        import_onnx(model)
    lines = str(info.value).splitlines()
    assert lines[0] == "unsupported ops: GatherND (2), Einsum (1)"
    assert lines[1] == "GatherND: 'nz1', 'nz2'"
    assert lines[2] == "Einsum: 'Einsum_3'"


def test_foreign_domain_is_unsupported() -> None:
    node = helper.make_node("FusedConv", ["x"], ["y"], domain="com.microsoft", name="fc")
    graph = helper.make_graph(
        [node], "g", [helper.make_tensor_value_info("x", F, [2])], [onnx.ValueInfoProto(name="y")]
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid("com.microsoft", 1)]
    )
    with pytest.raises(VexaError, match=r"unsupported ops: com.microsoft.FusedConv \(1\)"):
        import_onnx(model)


def test_old_opset_rejected() -> None:
    node = helper.make_node("Relu", ["x"], ["y"])
    graph = helper.make_graph(
        [node], "g", [helper.make_tensor_value_info("x", F, [2])], [onnx.ValueInfoProto(name="y")]
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 6)])
    with pytest.raises(VexaError, match="unsupported opset: expected 7 to"):
        import_onnx(model)


def test_not_onnx_bytes() -> None:
    with pytest.raises(VexaError, match="not a valid ONNX model"):
        import_onnx(b"\x08\x07garbage-garbage")
    with pytest.raises(VexaError, match="not a valid ONNX model"):
        import_onnx(b"")


def test_training_mode_rejected() -> None:
    x = {"x": _f(2, 3)}
    node = helper.make_node("Dropout", ["x", "r", "t"], ["y"], name="drop")
    model = make([node], x, ["y"], 13, {"r": np.array(0.5, np.float32), "t": np.array(True)})
    with pytest.raises(
        VexaError, match=r"node 'drop' \(Dropout\): training_mode = true is not supported"
    ):
        import_onnx(model)


def test_shape_inference_error_is_located() -> None:
    node = helper.make_node("MatMul", ["a", "b"], ["y"], name="mm")
    graph = helper.make_graph(
        [node],
        "g",
        [
            helper.make_tensor_value_info("a", F, [2, 3]),
            helper.make_tensor_value_info("b", F, [4, 5]),
        ],
        [onnx.ValueInfoProto(name="y")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    with pytest.raises(VexaError, match=r"^node 'mm' \(MatMul\): "):
        import_onnx(model)


# --------------------------------------------------------------------------- decompositions


def test_decomposed_functions() -> None:
    x = {"x": _f(2, 3, 4, 5)}
    one("LpNormalization", x, 13, axis=1, p=1)
    one("LpNormalization", {"x": np.array([[0.0, 0.0], [3.0, 4.0]], np.float32)}, 13, axis=1)
    one("MeanVarianceNormalization", x, 13)
    one("Shrink", x, 13, lambd=0.3, bias=0.1)
    one("EyeLike", {"x": _f(3, 4)}, 13, k=1)
    module = one("RMSNormalization", {"x": _f(2, 3, 4)}, 23, {"s": _f(4)})
    assert "nn.reduce_mean" in _ops(module)
    one("Swish", x, 24, alpha=0.7)


@pytest.mark.parametrize("mode", ["DCR", "CRD"])
def test_space_to_depth_modes_opset25(mode: str) -> None:
    # onnxruntime lacks opset 25: ONNX's reference evaluator is the oracle here
    from onnx.reference import ReferenceEvaluator

    x = _f(1, 2, 4, 6)
    node = helper.make_node("SpaceToDepth", ["x"], ["y"], blocksize=2, mode=mode)
    model = make([node], {"x": x}, ["y"], 25)
    (ref,) = ReferenceEvaluator(model).run(None, {"x": x})
    (ours,) = interpret(import_onnx(model), {"x": x})
    np.testing.assert_array_equal(ours, ref)


def test_model_local_functions_are_inlined() -> None:
    body = [helper.make_node("Relu", ["a"], ["r"]), helper.make_node("Neg", ["r"], ["b"])]
    fn = helper.make_function("local", "ReluNeg", ["a"], ["b"], body, [helper.make_opsetid("", 13)])
    node = helper.make_node("ReluNeg", ["x"], ["y"], domain="local", name="call")
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("x", F, [2, 3])],
        [onnx.ValueInfoProto(name="y")],
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid("local", 1)],
        functions=[fn],
    )
    x = _f(2, 3)
    module = import_onnx(model)
    assert _ops(module) == ["nn.relu", "nn.neg"]
    np.testing.assert_array_equal(interpret(module, {"x": x})[0], -np.maximum(x, 0))


def test_cycle_is_an_error() -> None:
    nodes = [
        helper.make_node("Add", ["x", "b"], ["a"], name="n1"),
        helper.make_node("Relu", ["a"], ["b"], name="n2"),
    ]
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", F, [2])], [onnx.ValueInfoProto(name="b")]
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    with pytest.raises(VexaError, match="the graph has a cycle through nodes 'n1', 'n2'"):
        import_onnx(model)


def test_group_normalization() -> None:
    one(
        "GroupNormalization",
        {"x": _f(2, 6, 3, 4)},
        21,
        {"s": _f(6), "b": _f(6)},
        num_groups=3,
        epsilon=1e-3,
    )
    module = one(
        "GroupNormalization", {"x": _f(2, 6, 5)}, 18, {"s": _f(2), "b": _f(2)}, num_groups=2
    )
    assert "nn.reduce_mean" in _ops(module)


def test_data_dependent_ops_with_known_data() -> None:
    # NonZero/Unique of initializers fold; Compress with a known condition is a Gather
    data = np.array([[2.0, 0.0, 2.0], [1.0, 1.0, 0.0]], np.float32)
    for node in (
        helper.make_node("NonZero", ["d"], ["nz"]),
        helper.make_node("Unique", ["d"], ["u", "i", "inv", "c"], sorted=0),
        helper.make_node("Unique", ["d"], ["u", "i", "inv", "c"], axis=1),
    ):
        outs = [o for o in node.output]
        add = [helper.make_node("Identity", [o], [o + "_out"]) for o in outs]
        model = make([node, *add], {"x": _f(1)}, [o + "_out" for o in outs], 13, {"d": data})
        check(model, {"x": _f(1)})
    cond = np.array([True, False, True])
    one("Compress", {"x": _f(2, 3)}, 13, {"cond": cond}, axis=1)
    one("Compress", {"x": _f(2, 3)}, 13, {"cond": cond})


def test_center_crop_pad() -> None:
    one("CenterCropPad", {"x": _f(5, 4, 3)}, 18, {"shape": _i(2, 7)}, axes=[0, 2])
    one("CenterCropPad", {"x": _f(4, 6)}, 18, {"shape": _i(3, 9)})


def test_data_dependent_op_on_run_time_values_names_the_input() -> None:
    x = {"x": _f(2, 3)}
    with pytest.raises(
        VexaError, match=r"node 'nonzero' \(NonZero\): input 'X' \('x'\) must be a constant"
    ):
        import_onnx(make([helper.make_node("NonZero", ["x"], ["y"], name="nonzero")], x, ["y"], 13))


def test_layer_norm_mean_and_inv_std_when_used() -> None:
    node = helper.make_node("LayerNormalization", ["x", "s", "b"], ["y", "mean", "inv"], axis=1)
    x = {"x": _f(2, 3, 4)}
    module = check(make([node], x, ["y", "mean", "inv"], 17, {"s": _f(3, 4), "b": _f(3, 4)}), x)
    assert _ops(module).count("nn.reduce_mean") == 2
    unused = helper.make_node("LayerNormalization", ["x", "s"], ["y", "", "inv"])
    module = check(make([unused], x, ["y"], 17, {"s": _f(4)}), x)
    assert "nn.reduce_mean" not in _ops(module)
