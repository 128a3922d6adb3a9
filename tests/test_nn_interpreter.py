"""The nn interpreter: binding inputs, constants and resources, properties, located errors.

The IR is written in the generic op syntax and parsed with unregistered ops allowed, so
these tests exercise the interpreter alone, without the nn dialect or the importer.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from vexa.runtime.nn_interpreter import (
    element_type,
    evaluate_op,
    interpret,
    numpy_dtype,
)
from vexa.runtime.nn_reference import KERNELS
from vexa.runtime.resources import ResourceTable, module_resources
from vexa.tools.errors import VexaError
from xdsl.context import Context
from xdsl.dialect_interfaces.op_asm import OpAsmDialectInterface
from xdsl.dialects.builtin import Builtin, ModuleOp
from xdsl.dialects.func import Func
from xdsl.parser import Parser

RNG = np.random.default_rng(0)


def parse(text: str) -> ModuleOp:
    # xDSL keeps declared resource names in the one global Builtin dialect object and renames
    # a handle seen before (w0 -> w0_0), so a second parse in this process would not find w0
    Builtin.get_interface(OpAsmDialectInterface)._blob_storage.clear()  # pyright: ignore[reportOptionalMemberAccess, reportPrivateUsage]
    ctx = Context(allow_unregistered=True)
    ctx.load_dialect(Builtin)
    ctx.load_dialect(Func)
    return Parser(ctx, text).parse_module()


CONV_RELU = """
func.func @main(%x: tensor<1x2x5x5xf32> {nn.name = "input"}) -> tensor<1x3x3x3xf32>
    attributes {nn.output_names = ["y"]} {
  %w = "nn.constant"() <{value = dense_resource<w0> : tensor<3x2x3x3xf32>}> : () -> tensor<3x2x3x3xf32> loc("w0")
  %b = "nn.constant"() <{value = dense<0.5> : tensor<3xf32>}> : () -> tensor<3xf32> loc("b0")
  %c = "nn.conv"(%x, %w, %b) <{kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>,
      pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64}>
      : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<1x3x3x3xf32> loc("conv1")
  %r = "nn.relu"(%c) : (tensor<1x3x3x3xf32>) -> tensor<1x3x3x3xf32> loc("relu1")
  func.return %r : tensor<1x3x3x3xf32>
}
"""


def conv_relu_expected(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    attrs = {
        "kernel_shape": [3, 3],
        "strides": [2, 2],
        "pads": [1, 1, 1, 1],
        "dilations": [1, 1],
        "group": 1,
    }
    (y,) = KERNELS["nn.conv"]([x, w, np.full(3, 0.5, np.float32)], attrs)
    return np.maximum(y, 0)


def test_conv_relu_with_resource_and_splat() -> None:
    module = parse(CONV_RELU)
    w = RNG.standard_normal((3, 2, 3, 3)).astype(np.float32)
    module_resources(module)["w0"] = w
    x = RNG.standard_normal((1, 2, 5, 5)).astype(np.float32)
    expected = conv_relu_expected(x, w)
    by_name = interpret(module, {"input": x})
    by_position = interpret(module, [x])
    assert len(by_name) == 1 and by_name[0].dtype == np.float32
    np.testing.assert_array_equal(by_name[0], expected)
    np.testing.assert_array_equal(by_position[0], expected)


def test_explicit_resource_table_wins() -> None:
    module = parse(CONV_RELU)
    w = RNG.standard_normal((3, 2, 3, 3)).astype(np.float32)
    x = RNG.standard_normal((1, 2, 5, 5)).astype(np.float32)
    (y,) = interpret(module, [x], ResourceTable({"w0": w}))
    np.testing.assert_array_equal(y, conv_relu_expected(x, w))


def test_missing_resource_is_located_error() -> None:
    module = parse(CONV_RELU)
    with pytest.raises(VexaError, match=r"w0: no bytes for dense_resource<w0>"):
        interpret(module, [np.zeros((1, 2, 5, 5), np.float32)])


def test_resource_of_wrong_shape() -> None:
    module = parse(CONV_RELU)
    with pytest.raises(VexaError, match=r"expected tensor<3x2x3x3xf32>, got tensor<4xf32>"):
        interpret(
            module,
            [np.zeros((1, 2, 5, 5), np.float32)],
            ResourceTable({"w0": np.zeros(4, np.float32)}),
        )


@pytest.mark.parametrize(
    "inputs, message",
    [
        ([], r"expected 1 arrays \['input'\], got 0"),
        ({"x": np.zeros((1, 2, 5, 5), np.float32)}, r"expected \['input'\], got \['x'\]"),
        (
            [np.zeros((1, 2, 4, 5), np.float32)],
            r"input 'input': expected tensor<1x2x5x5xf32>, got tensor<1x2x4x5xf32>",
        ),
        (
            [np.zeros((1, 2, 5, 5), np.float64)],
            r"input 'input': expected tensor<1x2x5x5xf32>, got tensor<1x2x5x5xf64>",
        ),
    ],
)
def test_bad_inputs(inputs: object, message: str) -> None:
    module = parse(CONV_RELU)
    module_resources(module)["w0"] = np.zeros((3, 2, 3, 3), np.float32)
    with pytest.raises(VexaError, match=message):
        interpret(module, inputs)  # type: ignore[arg-type]


def test_missing_kernel_is_located_error() -> None:
    module = parse(
        """
func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
  %y = "nn.frobnicate"(%x) : (tensor<2xf32>) -> tensor<2xf32> loc("node_7")
  func.return %y : tensor<2xf32>
}
"""
    )
    with pytest.raises(VexaError, match=r"node_7: no reference kernel for 'nn.frobnicate'"):
        interpret(module, [np.zeros(2, np.float32)])


def test_wrong_result_type_is_located_error() -> None:
    module = parse(
        """
func.func @main(%x: tensor<2x3xf32>) -> tensor<3x3xf32> {
  %y = "nn.relu"(%x) : (tensor<2x3xf32>) -> tensor<3x3xf32> loc("bad_relu")
  func.return %y : tensor<3x3xf32>
}
"""
    )
    with pytest.raises(
        VexaError,
        match=r"bad_relu: nn.relu result #0: expected tensor<3x3xf32>, got tensor<2x3xf32>",
    ):
        interpret(module, [np.zeros((2, 3), np.float32)])


def test_kernel_failure_is_located_error() -> None:
    module = parse(
        """
func.func @main(%x: tensor<2x3xf32>) -> tensor<4x2xf32> {
  %y = "nn.reshape"(%x) <{shape = array<i64: 4, 2>}> : (tensor<2x3xf32>) -> tensor<4x2xf32> loc("bad_reshape")
  func.return %y : tensor<4x2xf32>
}
"""
    )
    with pytest.raises(VexaError, match=r"bad_reshape: nn.reshape: ValueError"):
        interpret(module, [np.zeros((2, 3), np.float32)])


def test_properties_of_every_kind() -> None:
    """Type (Cast `to`), float, string, int, dense array, bool splat, multiple results."""
    module = parse(
        """
func.func @main(%x: tensor<2x4xf32> {nn.name = "x"}, %i: tensor<3xi64> {nn.name = "i"})
    -> (tensor<2x4xf16>, tensor<2x4xf32>, tensor<2x1xf32>, tensor<2x3xf32>, tensor<2x4xi1>, tensor<3x4xf32>) {
  %c = "nn.cast"(%x) <{to = f16}> : (tensor<2x4xf32>) -> tensor<2x4xf16> loc("cast")
  %l = "nn.leaky_relu"(%x) <{alpha = 1.000000e-01 : f32}> : (tensor<2x4xf32>) -> tensor<2x4xf32> loc("leaky")
  %s:2 = "nn.split"(%l) <{axis = 1 : i64, split = array<i64: 1, 3>}> : (tensor<2x4xf32>) -> (tensor<2x1xf32>, tensor<2x3xf32>) loc("split")
  %t = "nn.constant"() <{value = dense<true> : tensor<2x4xi1>}> : () -> tensor<2x4xi1> loc("t")
  %g = "nn.gelu"(%x) <{approximate = "none"}> : (tensor<2x4xf32>) -> tensor<2x4xf32> loc("gelu")
  %o = "nn.one_hot"(%i) <{axis = -1 : i64, depth = 4 : i64, values = array<f32: 0.0, 3.0>}> : (tensor<3xi64>) -> tensor<3x4xf32> loc("onehot")
  func.return %c, %l, %s#0, %s#1, %t, %o : tensor<2x4xf16>, tensor<2x4xf32>, tensor<2x1xf32>, tensor<2x3xf32>, tensor<2x4xi1>, tensor<3x4xf32>
}
"""
    )
    x = RNG.standard_normal((2, 4)).astype(np.float32)
    i = np.array([0, 3, -1], np.int64)
    c, l, s0, s1, t, o = interpret(module, {"i": i, "x": x})
    assert c.dtype == np.float16 and np.allclose(c, x, atol=1e-3)
    np.testing.assert_allclose(l, np.where(x >= 0, x, np.float32(0.1) * x), rtol=1e-6)
    np.testing.assert_array_equal(s0, l[:, :1])
    np.testing.assert_array_equal(s1, l[:, 1:])
    assert t.dtype == np.bool_ and t.all()
    assert o.dtype == np.float32
    np.testing.assert_array_equal(o, [[3, 0, 0, 0], [0, 0, 0, 3], [0, 0, 0, 3]])


def test_intermediates_are_freed() -> None:
    """Chains hold one activation at a time: values die after their last use."""
    n = 30
    lines = ["func.func @main(%v0: tensor<64xf32>) -> tensor<64xf32> {"]
    for k in range(1, n + 1):
        lines.append(f'  %v{k} = "nn.relu"(%v{k - 1}) : (tensor<64xf32>) -> tensor<64xf32>')
    lines += [f"  func.return %v{n} : tensor<64xf32>", "}"]
    module = parse("\n".join(lines))
    import gc
    import weakref

    seen: list[weakref.ref[np.ndarray]] = []
    relu = KERNELS["nn.relu"]

    def tracking(inputs: list, attrs: dict) -> list[np.ndarray]:
        out = relu(inputs, attrs)
        seen.append(weakref.ref(out[0]))
        assert sum(r() is not None for r in seen) <= 3
        return out

    KERNELS["nn.relu"] = tracking
    try:
        (y,) = interpret(module, [np.arange(64, dtype=np.float32) - 32])
    finally:
        KERNELS["nn.relu"] = relu
    gc.collect()
    assert len(seen) == n
    np.testing.assert_array_equal(y, np.maximum(np.arange(64) - 32, 0))


def test_evaluate_op() -> None:
    (y,) = evaluate_op("nn.add", [np.array([1, 2], np.int64), np.array(3, np.int64)], {})
    np.testing.assert_array_equal(y, [4, 5])
    (z,) = evaluate_op("nn.reshape", [np.arange(6)], {"shape": [3, 2]})
    assert z.shape == (3, 2)
    (shape,) = evaluate_op("nn.shape", [z], {"start": 0, "end": None})
    assert shape.dtype == np.int64 and shape.tolist() == [3, 2]
    with pytest.raises(VexaError, match="no reference kernel for 'nn.frobnicate'"):
        evaluate_op("nn.frobnicate", [z], {})


@pytest.mark.parametrize(
    "dtype, text",
    [
        (np.float32, "f32"),
        (np.float16, "f16"),
        (np.float64, "f64"),
        (np.bool_, "i1"),
        (np.int8, "i8"),
        (np.int16, "i16"),
        (np.int32, "i32"),
        (np.int64, "i64"),
        (np.uint8, "ui8"),
        (np.uint16, "ui16"),
        (np.uint32, "ui32"),
        (np.uint64, "ui64"),
    ],
)
def test_dtype_round_trip(dtype: type, text: str) -> None:
    ty = element_type(dtype)
    assert str(ty) == text
    assert numpy_dtype(ty) == np.dtype(dtype)


def test_bf16_round_trip() -> None:
    ml_dtypes = pytest.importorskip("ml_dtypes")
    ty = element_type(ml_dtypes.bfloat16)
    assert str(ty) == "bf16"
    assert numpy_dtype(ty) == np.dtype(ml_dtypes.bfloat16)


# ------------------------------------------------------------------------------------------
# with the nn dialect: custom syntax, ops built with build_inferred, every op of ops.mlir

OPS_MLIR = Path(__file__).parent / "filecheck" / "dialects" / "nn" / "ops.mlir"


def nn_context() -> Context:
    from xdsl.dialects import get_all_dialects

    from vexa.universe import get_all_dialects as vexa_dialects

    Builtin.get_interface(OpAsmDialectInterface)._blob_storage.clear()  # pyright: ignore[reportOptionalMemberAccess, reportPrivateUsage]
    ctx = Context()
    for name, factory in {**get_all_dialects(), **vexa_dialects()}.items():
        ctx.register_dialect(name, factory)
    return ctx


NN_NET = """
func.func @main(%x: tensor<1x3x8x8xf32> {nn.name = "data"}) -> tensor<1x10xf32>
    attributes {nn.output_names = ["prob"]} {
  %w = nn.constant dense_resource<conv_w> : tensor<4x3x3x3xf32> loc("conv_w")
  %s = nn.constant dense<[1.0, 0.5, 2.0, 1.5]> : tensor<4xf32> loc("bn_s")
  %b = nn.constant dense<0.25> : tensor<4xf32> loc("bn_b")
  %m = nn.constant dense<[0.0, 0.1, -0.1, 0.2]> : tensor<4xf32> loc("bn_m")
  %v = nn.constant dense<[1.0, 2.0, 0.5, 1.0]> : tensor<4xf32> loc("bn_v")
  %fc = nn.constant dense_resource<fc_w> : tensor<10x64xf32> loc("fc_w")
  %c = nn.conv %x, %w {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32> loc("conv1")
  %n = nn.batch_normalization %c, %s, %b, %m, %v {epsilon = 1.000000e-05 : f32} : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32> loc("bn1")
  %r = nn.relu %n : tensor<1x4x8x8xf32> loc("relu1")
  %p = nn.max_pool %r {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = 0 : i64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32> loc("pool1")
  %f = nn.flatten %p {axis = 1 : i64} : (tensor<1x4x4x4xf32>) -> tensor<1x64xf32> loc("flat")
  %g = nn.gemm %f, %fc {alpha = 1.000000e+00 : f32, beta = 1.000000e+00 : f32, trans_a = 0 : i64, trans_b = 1 : i64} : (tensor<1x64xf32>, tensor<10x64xf32>) -> tensor<1x10xf32> loc("fc")
  %y = nn.softmax %g {axis = 1 : i64} : tensor<1x10xf32> loc("prob")
  func.return %y : tensor<1x10xf32>
}
"""


def test_nn_dialect_network_matches_onnxruntime() -> None:
    """A conv-bn-relu-pool-gemm-softmax net in nn syntax vs the same net in onnxruntime."""
    pytest.importorskip("vexa.dialects.nn")
    ort = pytest.importorskip("onnxruntime")
    from onnx import helper, numpy_helper

    module = Parser(nn_context(), NN_NET).parse_module()
    module.verify()
    w = RNG.standard_normal((4, 3, 3, 3)).astype(np.float32)
    fc = RNG.standard_normal((10, 64)).astype(np.float32)
    x = RNG.standard_normal((1, 3, 8, 8)).astype(np.float32)
    resources = module_resources(module)
    resources["conv_w"], resources["fc_w"] = w, fc
    (y,) = interpret(module, {"data": x})

    inits = {
        "w": w,
        "s": np.array([1.0, 0.5, 2.0, 1.5], np.float32),
        "b": np.full(4, 0.25, np.float32),
        "m": np.array([0.0, 0.1, -0.1, 0.2], np.float32),
        "v": np.array([1.0, 2.0, 0.5, 1.0], np.float32),
        "fc": fc,
    }
    nodes = [
        helper.make_node("Conv", ["data", "w"], ["c"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c", "s", "b", "m", "v"], ["n"], epsilon=1e-5),
        helper.make_node("Relu", ["n"], ["r"]),
        helper.make_node("MaxPool", ["r"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["p"], ["f"], axis=1),
        helper.make_node("Gemm", ["f", "fc"], ["g"], transB=1),
        helper.make_node("Softmax", ["g"], ["prob"], axis=1),
    ]
    graph = helper.make_graph(
        nodes,
        "net",
        [helper.make_tensor_value_info("data", 1, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("prob", 1, [1, 10])],
        [numpy_helper.from_array(v, k) for k, v in inits.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    (expected,) = ort.InferenceSession(
        model.SerializeToString(), providers=["CPUExecutionProvider"]
    ).run(None, {"data": x})
    np.testing.assert_allclose(y, expected, rtol=1e-4, atol=1e-6)


def test_build_inferred_optional_variadic_and_multi_result() -> None:
    """Absent optional operands (Conv bias, Gemm C) reach the kernel as None at their place;
    variadic operands (Concat) and several results (Split, TopK) keep their order."""
    nn = pytest.importorskip("vexa.dialects.nn")
    from xdsl.dialects.builtin import (
        DenseArrayBase,
        FloatAttr,
        IntegerAttr,
        NameLoc,
        NoneAttr,
        StringAttr,
        TensorType,
        f32,
        i64,
    )
    from xdsl.dialects.func import FuncOp, ReturnOp
    from xdsl.ir import Block, Region

    def ints_(*v: int) -> DenseArrayBase:
        return DenseArrayBase.from_list(i64, v)

    x_t = TensorType(f32, [1, 2, 5, 5])
    w_t = TensorType(f32, [3, 2, 3, 3])
    block = Block(arg_types=[x_t, w_t])
    x, w = block.args
    conv = nn.ConvOp.build_inferred(
        [x, w],
        {
            "kernel_shape": ints_(3, 3),
            "strides": ints_(1, 1),
            "pads": ints_(0, 0, 0, 0),
            "dilations": ints_(1, 1),
            "group": IntegerAttr(1, i64),
        },
    )
    conv.location = NameLoc(StringAttr("conv_nobias"), NoneAttr())
    flat = nn.FlattenOp.build_inferred([conv.results[0]], {"axis": IntegerAttr(1, i64)})  # 1x27
    gemm = nn.GemmOp.build_inferred(
        [flat.results[0], flat.results[0]],
        {
            "alpha": FloatAttr(0.5, f32),
            "beta": FloatAttr(1.0, f32),
            "trans_a": IntegerAttr(0, i64),
            "trans_b": IntegerAttr(1, i64),
        },
    )  # 1x1
    cat = nn.ConcatOp.build_inferred(
        [flat.results[0], gemm.results[0], flat.results[0]], {"axis": IntegerAttr(1, i64)}
    )  # 1x55
    split = nn.SplitOp.build_inferred(
        [cat.results[0]], {"axis": IntegerAttr(1, i64), "split": ints_(27, 1, 27)}
    )
    topk = nn.TopKOp.build_inferred(
        [split.results[0]],
        {
            "axis": IntegerAttr(1, i64),
            "k": IntegerAttr(4, i64),
            "largest": IntegerAttr(1, i64),
            "sorted": IntegerAttr(1, i64),
        },
    )
    ops = [conv, flat, gemm, cat, split, topk]
    for op in ops:
        block.add_op(op)
    outs = [split.results[1], topk.results[0], topk.results[1]]
    block.add_op(ReturnOp(*outs))
    func = FuncOp("main", ([x_t, w_t], [o.type for o in outs]), Region(block))
    ModuleOp([func]).verify()

    xv = RNG.standard_normal((1, 2, 5, 5)).astype(np.float32)
    wv = RNG.standard_normal((3, 2, 3, 3)).astype(np.float32)
    mid, vals, idx = interpret(func, [xv, wv])
    attrs = {
        "kernel_shape": [3, 3],
        "strides": [1, 1],
        "pads": [0, 0, 0, 0],
        "dilations": [1, 1],
        "group": 1,
    }
    f = KERNELS["nn.conv"]([xv, wv, None], attrs)[0].reshape(1, 27)
    g = 0.5 * (f.astype(np.float64) @ f.T.astype(np.float64))
    np.testing.assert_allclose(mid, g, rtol=1e-5)
    order = np.argsort(-f[0], kind="stable")[:4]
    np.testing.assert_array_equal(idx[0], order)
    np.testing.assert_array_equal(vals[0], f[0][order])
    assert idx.dtype == np.int64


def _random_array(ty: object, rng: np.random.Generator) -> np.ndarray:
    from xdsl.dialects.builtin import TensorType

    assert isinstance(ty, TensorType)
    shape = tuple(ty.get_shape())
    dtype = numpy_dtype(ty.get_element_type())
    if dtype == np.bool_:
        return rng.random(shape) > 0.5
    if dtype.kind in "iu":
        return rng.integers(0, 2, size=shape).astype(dtype)  # valid indices for every dim
    return rng.uniform(0.1, 0.9, size=shape).astype(dtype)


@pytest.mark.skipif(
    not OPS_MLIR.exists(), reason="tests/filecheck/dialects/nn/ops.mlir not written yet"
)
def test_every_op_of_ops_mlir_runs_with_its_declared_types() -> None:
    """Each example of the dialect runs, and each kernel result has the shape the dialect's
    shape inference declared: the dialect and the kernels agree, op by op."""
    pytest.importorskip("vexa.dialects.nn")
    from xdsl.dialects.builtin import DenseResourceAttr
    from xdsl.dialects.func import FuncOp

    module = Parser(nn_context(), OPS_MLIR.read_text()).parse_module()
    rng = np.random.default_rng(1)
    table = ResourceTable()
    for op in module.walk():
        value = op.properties.get("value")
        if op.name == "nn.constant" and isinstance(value, DenseResourceAttr):
            table[value.resource_handle.data] = _random_array(value.type, rng)
    seen = set()
    for func in module.ops:
        assert isinstance(func, FuncOp)
        inputs = [_random_array(t, rng) for t in func.function_type.inputs.data]
        interpret(func, inputs, table)
        seen |= {op.name for op in func.body.block.ops}
    assert len(seen) > 100


def test_outputs_never_alias_weights_or_inputs() -> None:
    """Writing into an output must not change the resource table or the caller's input."""
    module = parse(
        """
func.func @main(%x: tensor<4xf32>) -> (tensor<2x2xf32>, tensor<4xf32>) {
  %w = "nn.constant"() <{value = dense_resource<w> : tensor<4xf32>}> : () -> tensor<4xf32>
  %r = "nn.reshape"(%w) <{shape = array<i64: 2, 2>}> : (tensor<4xf32>) -> tensor<2x2xf32>
  %i = "nn.identity"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  func.return %r, %i : tensor<2x2xf32>, tensor<4xf32>
}
"""
    )
    table = ResourceTable({"w": np.arange(4, dtype=np.float32)})
    x = np.ones(4, np.float32)
    r, i = interpret(module, [x], table)
    r[...] = -1
    i[...] = -1
    np.testing.assert_array_equal(table["w"], [0, 1, 2, 3])
    np.testing.assert_array_equal(x, [1, 1, 1, 1])


def test_rank0_results_are_arrays() -> None:
    (y,) = evaluate_op("nn.relu", [np.array(-2.0, np.float32)], {})
    assert isinstance(y, np.ndarray) and y.shape == () and y.dtype == np.float32


def test_observe_sees_every_node_by_location() -> None:
    module = parse(CONV_RELU)
    w = RNG.standard_normal((3, 2, 3, 3)).astype(np.float32)
    x = RNG.standard_normal((1, 2, 5, 5)).astype(np.float32)
    seen: dict[str, np.ndarray] = {}

    def keep(op: object, results: list[np.ndarray]) -> None:
        from vexa.runtime.nn_interpreter import location_name

        seen[location_name(op)] = results[0].copy()  # type: ignore[arg-type]

    (y,) = interpret(module, [x], ResourceTable({"w0": w}), observe=keep)
    assert list(seen) == ["w0", "b0", "conv1", "relu1"]
    np.testing.assert_array_equal(seen["relu1"], y)
    np.testing.assert_array_equal(seen["relu1"], np.maximum(seen["conv1"], 0))


def test_imported_model_matches_onnxruntime() -> None:
    """The importer -> interpreter seam on a graph mixing attribute kinds: auto_pad and
    depthwise Conv, negative Slice bounds, reflect Pad, Resize scales, ReduceMean axes,
    Reshape -1, TopK (two results), Split, Cast, several outputs."""
    ort = pytest.importorskip("onnxruntime")
    import_onnx = pytest.importorskip("vexa.lowering.import_onnx").import_onnx
    from onnx import TensorProto, ValueInfoProto, helper, numpy_helper

    rng = np.random.default_rng(3)
    consts = {
        "w": rng.standard_normal((8, 3, 3, 3)).astype(np.float32),
        "b": rng.standard_normal(8).astype(np.float32),
        "dw": rng.standard_normal((8, 1, 3, 3)).astype(np.float32),
        "shape": np.array([1, 8, -1], np.int64),
        "axes": np.array([2], np.int64),
        "starts": np.array([1, -5], np.int64),
        "ends": np.array([100, -1], np.int64),
        "sl_axes": np.array([2, 3], np.int64),
        "pads": np.array([0, 0, 1, 2, 0, 0, 2, 1], np.int64),
        "scales": np.array([1, 1, 2, 1.5], np.float32),
        "k": np.array([3], np.int64),
        "split": np.array([3, 5], np.int64),
    }
    node = helper.make_node
    nodes = [
        node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1], name="conv"),
        node("Conv", ["c", "dw"], ["d"], group=8, strides=[2, 2], auto_pad="SAME_UPPER", name="dw"),
        node("Sigmoid", ["d"], ["s"], name="sig"),
        node("Mul", ["d", "s"], ["silu"], name="silu"),
        node("Slice", ["silu", "starts", "ends", "sl_axes"], ["sl"], name="slice"),
        node("Pad", ["sl", "pads"], ["pd"], mode="reflect", name="pad"),
        node("Resize", ["pd", "", "scales"], ["rs"], mode="linear", name="resize"),
        node("ReduceMean", ["rs", "axes"], ["rm"], keepdims=1, name="rmean"),
        node("Transpose", ["rm"], ["tr"], perm=[0, 3, 2, 1], name="tr"),
        # TopK on the conv output: no duplicated values, so indices have no near-ties
        node("Reshape", ["c", "shape"], ["flat"], name="reshape"),
        node("TopK", ["flat", "k"], ["tv", "ti"], axis=-1, name="topk"),
        node("Split", ["tv", "split"], ["s0", "s1"], axis=1, name="split"),
        node("Softmax", ["s1"], ["sm"], axis=-1, name="softmax"),
        node("Cast", ["ti"], ["tif"], to=TensorProto.FLOAT, name="cast"),
    ]
    outs = ["tr", "sm", "tif", "s0"]
    graph = helper.make_graph(
        nodes,
        "seam",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 9, 10])],
        [ValueInfoProto(name=o) for o in outs],
        [numpy_helper.from_array(v, k) for k, v in consts.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 9
    x = rng.standard_normal((1, 3, 9, 10)).astype(np.float32)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    expected = session.run(outs, {"x": x})
    module = import_onnx(model)
    got = interpret(module, {"x": x})
    for name, e, g in zip(outs, expected, got, strict=True):
        assert g.shape == e.shape and g.dtype == e.dtype, name
        np.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-5, err_msg=name)
