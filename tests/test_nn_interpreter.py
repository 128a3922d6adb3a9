"""The nn interpreter: binding inputs, constants and resources, properties, located errors.

The IR is written in the generic op syntax and parsed with unregistered ops allowed, so
these tests exercise the interpreter alone, without the nn dialect or the importer.
"""

from __future__ import annotations

import numpy as np
import pytest
from xdsl.context import Context
from xdsl.dialect_interfaces.op_asm import OpAsmDialectInterface
from xdsl.dialects.builtin import Builtin, ModuleOp
from xdsl.dialects.func import Func
from xdsl.parser import Parser

from vexa.runtime.nn_interpreter import (
    element_type,
    evaluate_op,
    interpret,
    numpy_dtype,
)
from vexa.runtime.nn_reference import KERNELS
from vexa.runtime.resources import ResourceTable, module_resources
from vexa.tools.errors import VexaError

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
    attrs = {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1], "dilations": [1, 1], "group": 1}
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
        interpret(module, [np.zeros((1, 2, 5, 5), np.float32)], ResourceTable({"w0": np.zeros(4, np.float32)}))


@pytest.mark.parametrize(
    "inputs, message",
    [
        ([], r"expected 1 arrays \['input'\], got 0"),
        ({"x": np.zeros((1, 2, 5, 5), np.float32)}, r"expected \['input'\], got \['x'\]"),
        ([np.zeros((1, 2, 4, 5), np.float32)], r"input 'input': expected tensor<1x2x5x5xf32>, got tensor<1x2x4x5xf32>"),
        ([np.zeros((1, 2, 5, 5), np.float64)], r"input 'input': expected tensor<1x2x5x5xf32>, got tensor<1x2x5x5xf64>"),
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
    with pytest.raises(VexaError, match=r"bad_relu: nn.relu result #0: expected tensor<3x3xf32>, got tensor<2x3xf32>"):
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
        (np.float32, "f32"), (np.float16, "f16"), (np.float64, "f64"), (np.bool_, "i1"),
        (np.int8, "i8"), (np.int16, "i16"), (np.int32, "i32"), (np.int64, "i64"),
        (np.uint8, "ui8"), (np.uint16, "ui16"), (np.uint32, "ui32"), (np.uint64, "ui64"),
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
