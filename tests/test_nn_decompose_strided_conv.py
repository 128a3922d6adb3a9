"""nn-decompose-strided-conv: strided 1x1 convolutions as a stepped slice and a unit-stride
convolution, through the whole compiler on the simulator, against onnxruntime."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

import vexa
from vexa.lowering import pipelines

ort = pytest.importorskip("onnxruntime")


def _model(C: int, Co: int, H: int, W: int, strides: list[int], group: int = 1,
           bias: bool = True) -> bytes:
    rs = np.random.RandomState(3)
    inits = [numpy_helper.from_array((rs.randn(Co, C // group, 1, 1) * 0.2).astype(np.float32), "w")]
    if bias:
        inits.append(numpy_helper.from_array(rs.randn(Co).astype(np.float32), "b"))
    Ho, Wo = ((H - 1) // strides[0] + 1, (W - 1) // strides[1] + 1)
    g = helper.make_graph(
        [helper.make_node("Conv", ["x", "w", *(["b"] if bias else [])], ["c"], name="proj",
                          strides=strides, kernel_shape=[1, 1], group=group),
         helper.make_node("Relu", ["c"], ["y"], name="relu")],
        "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, C, H, W])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, Co, Ho, Wo])], inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]).SerializeToString()


def test_in_the_default_pipeline() -> None:
    assert "nn-decompose-strided-conv" in pipelines.full("vx128")


@pytest.mark.parametrize("cfg", [(16, 32, 15, 15, [2, 2], 1, True), (8, 8, 9, 20, [3, 2], 2, False),
                                 (32, 16, 28, 28, [2, 2], 1, True)],
                         ids=["s2", "s3x2-grouped-nobias", "s2-28"])
def test_strided_pointwise_conv_matches_onnxruntime(cfg: tuple) -> None:
    C, Co, H, W, strides, group, bias = cfg
    model = _model(C, Co, H, W, strides, group, bias)
    x = np.random.RandomState(0).randn(1, C, H, W).astype(np.float32)
    want = ort.InferenceSession(model, providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    exe = vexa.compile(model)
    assert "nn.slice" in exe.ir("nn")  # rewritten
    got = exe.run([x])[0]
    np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-4)
    # the slice is charged to the conv's ONNX node
    assert "proj" in str(exe.report) and "slice" in str(exe.report)
