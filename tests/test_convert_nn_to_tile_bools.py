"""Bools that never reach memory (convert-nn-to-tile, element-types=f32), through the
whole compiler on the simulator against onnxruntime: a comparison of a smaller shape
computed inside its broadcasting user's map, a bool constant held as f32 0/1 words,
OneHot of f32 indices in f32."""

from __future__ import annotations

import re

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

import vexa

ort = pytest.importorskip("onnxruntime")


def _run_both(nodes: list, inputs: dict[str, np.ndarray], out_shape: list[int],
              inits: list | None = None, opset: int = 13) -> tuple[np.ndarray, np.ndarray, str]:
    g = helper.make_graph(
        nodes, "g",
        [helper.make_tensor_value_info(k, TensorProto.FLOAT, list(v.shape))
         for k, v in inputs.items()],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, out_shape)], inits or [])
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    data = model.SerializeToString()
    want = ort.InferenceSession(data, providers=["CPUExecutionProvider"]).run(None, inputs)[0]
    exe = vexa.compile(data)
    got = exe.run(list(inputs.values()))[0]
    return got, want, exe.ir("tile")


def test_masked_softmax_rows_of_minus_inf() -> None:
    """The expanded Attention's guard: softmax(s + mask), then 0 on the rows whose mask
    is all -inf (where(reduce_max(mask) == -inf, 0, p), a 4x1 test on 2x3x4x6)."""
    rng = np.random.RandomState(0)
    s = rng.randn(2, 3, 4, 6).astype(np.float32)
    mask = np.where(rng.rand(4, 6) < 0.3, -np.inf, 0).astype(np.float32)
    mask[1] = -np.inf  # a fully masked row: softmax gives NaN there, the where gives 0
    mask[2] = 0
    ninf = numpy_helper.from_array(np.array([-np.inf], np.float32), "ninf")
    zero = numpy_helper.from_array(np.array([0], np.float32), "zero")
    nodes = [
        helper.make_node("Add", ["s", "mask"], ["a"]),
        helper.make_node("Softmax", ["a"], ["p"], axis=-1),
        helper.make_node("ReduceMax", ["mask"], ["r"], axes=[1], keepdims=1),
        helper.make_node("Equal", ["r", "ninf"], ["c"]),
        helper.make_node("Where", ["c", "zero", "p"], ["y"]),
    ]
    got, want, tile_ir = _run_both(nodes, {"s": s, "mask": mask}, [2, 3, 4, 6], [ninf, zero])
    assert "xi1" not in tile_ir
    assert not np.isnan(want).any()
    np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-4)


def test_nested_broadcast_bools() -> None:
    """where(not(a == 0) and (b < 0), x, -x): two bool groups of other shapes (3x1, 40),
    one of them a chain, in the where's map."""
    rng = np.random.RandomState(1)
    x = rng.randn(3, 40).astype(np.float32)
    a = np.array([[0.0], [1.5], [0.0]], np.float32)
    b = rng.randn(40).astype(np.float32)
    zero = numpy_helper.from_array(np.array(0, np.float32), "zero")
    nodes = [
        helper.make_node("Equal", ["a", "zero"], ["e"]),
        helper.make_node("Not", ["e"], ["n"]),
        helper.make_node("Less", ["b", "zero"], ["l"]),
        helper.make_node("And", ["n", "l"], ["c"]),
        helper.make_node("Neg", ["x"], ["nx"]),
        helper.make_node("Where", ["c", "x", "nx"], ["y"]),
    ]
    got, want, tile_ir = _run_both(nodes, {"x": x, "a": a, "b": b}, [3, 40], [zero])
    assert "xi1" not in tile_ir
    np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-4)


def test_bool_constant_causal_mask() -> None:
    """A non-splat bool constant (a causal mask) selects the scores, then a softmax."""
    s = np.random.RandomState(2).randn(1, 2, 5, 5).astype(np.float32)
    causal = numpy_helper.from_array(np.tril(np.ones((5, 5), bool))[None, None], "causal")
    big = numpy_helper.from_array(np.array(-1e9, np.float32), "big")
    nodes = [
        helper.make_node("Where", ["causal", "s", "big"], ["m"]),
        helper.make_node("Softmax", ["m"], ["y"], axis=-1),
    ]
    got, want, tile_ir = _run_both(nodes, {"s": s}, [1, 2, 5, 5], [causal, big])
    assert "xi1" not in tile_ir
    np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("axis", [1, -2, 0])
def test_one_hot_of_float_indices(axis: int) -> None:
    """OneHot with f32 indices (negative ones wrap, fractions truncate, out of range is
    all `off`) on the simulator, computed in f32."""
    idx = np.array([[0, 3.7, -1], [-4.2, 9, 2]], np.float32)
    depth = numpy_helper.from_array(np.array([5], np.float32), "depth")
    values = numpy_helper.from_array(np.array([-2, 3], np.float32), "values")
    node = helper.make_node("OneHot", ["i", "depth", "values"], ["y"], axis=axis)
    shape = [2, 3]
    shape.insert(axis % 3, 5)
    got, want, tile_ir = _run_both([node], {"i": idx}, shape, [depth, values], opset=11)
    assert "xi64" not in tile_ir and not re.search(r": i64$", tile_ir, re.M)  # no i64 data
    np.testing.assert_array_equal(got, want)
