"""nn-decompose-strided-conv: strided convolutions as unit-stride convolutions over the
phases of their input, through the whole compiler on the simulator, against onnxruntime."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

import vexa
from vexa.lowering import pipelines

ort = pytest.importorskip("onnxruntime")


def _model(C: int, Co: int, H: int, W: int, k: list[int], strides: list[int], pads: list[int],
           group: int = 1, bias: bool = True) -> bytes:
    rs = np.random.RandomState(3)
    w = (rs.randn(Co, C // group, *k) * 0.2).astype(np.float32)
    inits = [numpy_helper.from_array(w, "w")]
    if bias:
        inits.append(numpy_helper.from_array(rs.randn(Co).astype(np.float32), "b"))
    Ho = (H + pads[0] + pads[2] - k[0]) // strides[0] + 1
    Wo = (W + pads[1] + pads[3] - k[1]) // strides[1] + 1
    g = helper.make_graph(
        [helper.make_node("Conv", ["x", "w", *(["b"] if bias else [])], ["c"], name="sconv",
                          strides=strides, kernel_shape=k, pads=pads, group=group),
         helper.make_node("Relu", ["c"], ["y"], name="relu")],
        "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, C, H, W])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, Co, Ho, Wo])], inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]).SerializeToString()


def test_in_the_default_pipeline() -> None:
    assert "nn-decompose-strided-conv" in pipelines.full("vx128")


CASES = {
    "1x1-s2": (16, 32, 15, 15, [1, 1], [2, 2], [0, 0, 0, 0], 1, True),
    "1x1-s3x2-grouped-nobias": (8, 8, 9, 20, [1, 1], [3, 2], [0, 0, 0, 0], 2, False),
    "3x3-s2-pad1": (16, 24, 14, 14, [3, 3], [2, 2], [1, 1, 1, 1], 1, True),
    "3x3-s2-depthwise": (8, 8, 13, 11, [3, 3], [2, 2], [1, 1, 1, 1], 8, True),
    "7x7-s2-pad3-stem": (3, 16, 32, 32, [7, 7], [2, 2], [3, 3, 3, 3], 1, True),
    "2x3-s2x1-asym-pads": (4, 8, 9, 10, [2, 3], [2, 1], [0, 1, 1, 2], 1, False),
    "3x3-s3": (4, 4, 10, 10, [3, 3], [3, 3], [0, 0, 0, 0], 1, True),
}


@pytest.mark.parametrize("cfg", list(CASES.values()), ids=list(CASES))
def test_strided_conv_matches_onnxruntime(cfg: tuple) -> None:
    C, Co, H, W, k, strides, pads, group, bias = cfg
    model = _model(C, Co, H, W, k, strides, pads, group, bias)
    x = np.random.RandomState(0).randn(1, C, H, W).astype(np.float32)
    want = ort.InferenceSession(model, providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    exe = vexa.compile(model)
    nn_ir = exe.ir("nn")
    assert "nn.slice" in nn_ir and "strides = array<i64: 1, 1>" in nn_ir  # rewritten
    got = exe.run([x])[0]
    np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-4)
    # the new ops are charged to the conv's ONNX node
    assert "sconv" in str(exe.report) and "slice" in str(exe.report)


def test_sixteen_phases_sum_in_several_kernels() -> None:
    """AlexNet's 11x11 stride-4 conv has 16 phases: their sum cannot be one epilogue of
    16 inputs (18 address registers per loop level on a 32-register machine);
    convert-nn-to-tile caps a fused chain at MAX_CHAIN_INPUTS activations."""
    model = _model(3, 16, 67, 67, [11, 11], [4, 4], [0, 0, 0, 0])
    x = np.random.RandomState(0).randn(1, 3, 67, 67).astype(np.float32)
    want = ort.InferenceSession(model, providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    exe = vexa.compile(model)
    assert exe.ir("nn").count("nn.conv ") == 16
    np.testing.assert_allclose(exe.run([x])[0], want, rtol=1e-3, atol=1e-4)
