"""nn-fold-constants through the whole compiler on the simulator, against onnxruntime."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

import vexa

ort = pytest.importorskip("onnxruntime")


@pytest.mark.parametrize("value", [False, True])
def test_where_on_a_splat_constant_condition(value: bool) -> None:
    """The expanded Attention graphs' pattern: a constant i1 mask (folded from shapes)
    selects between a scalar and the scores; folded, no bool tensor reaches memory."""
    cond = numpy_helper.from_array(np.full((4, 1), value), "c")
    minus = numpy_helper.from_array(np.array([-1e9], np.float32), "m")
    g = helper.make_graph(
        [helper.make_node("Where", ["c", "m", "x"], ["w"], name="mask"),
         helper.make_node("Softmax", ["w"], ["y"], name="softmax", axis=-1)],
        "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 4, 6])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3, 4, 6])], [cond, minus])
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]).SerializeToString()
    x = np.random.RandomState(0).randn(2, 3, 4, 6).astype(np.float32)
    want = ort.InferenceSession(model, providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    exe = vexa.compile(model)
    assert "nn.where" not in exe.ir("nn")
    np.testing.assert_allclose(exe.run([x])[0], want, rtol=1e-3, atol=1e-4)
