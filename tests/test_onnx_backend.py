"""The ONNX backend API itself: inputs it accepts, options it checks, limits it declares.

The conformance suite (tests/test_onnx_backend_conformance.py) checks answers; this
file checks the API around them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper
from vexa.runtime.onnx_backend import Unsupported, VexaBackend
from vexa.tools.errors import VexaError

import vexa.onnx_backend as backend

ROOT = Path(__file__).resolve().parent.parent
TINY_CNN = ROOT / "examples" / "tiny_cnn.onnx"


def _image(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((1, 3, 8, 8), dtype=np.float32)


def _onnxruntime(model: onnx.ModelProto | Path, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
    import onnxruntime as ort

    src = str(model) if isinstance(model, Path) else model.SerializeToString()
    return ort.InferenceSession(src, providers=["CPUExecutionProvider"]).run(None, feeds)


def _add_model(shape: list[int | str]) -> onnx.ModelProto:
    graph = helper.make_graph(
        [helper.make_node("Add", ["x", "y"], ["z"], name="add")],
        "add",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, shape),
            helper.make_tensor_value_info("y", TensorProto.FLOAT, shape),
        ],
        [helper.make_tensor_value_info("z", TensorProto.FLOAT, shape)],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_module_level_api_is_exported() -> None:
    for name in (
        "prepare",
        "run_model",
        "run_node",
        "supports_device",
        "VexaBackend",
        "VexaBackendRep",
        "Unsupported",
    ):
        assert hasattr(backend, name), name
    assert issubclass(Unsupported, VexaError)


@pytest.mark.parametrize("form", ["proto", "bytes", "path", "str"])
def test_prepare_accepts_proto_bytes_and_paths(form: str) -> None:
    proto = onnx.load(TINY_CNN)
    model = {
        "proto": proto,
        "bytes": proto.SerializeToString(),
        "path": TINY_CNN,
        "str": str(TINY_CNN),
    }[form]
    rep = backend.prepare(model)
    x = _image()
    (probs,) = rep.run([x])
    (expected,) = _onnxruntime(TINY_CNN, {"image": x})
    np.testing.assert_allclose(probs, expected, rtol=1e-5, atol=1e-6)


def test_run_accepts_list_dict_and_array_and_names_outputs() -> None:
    rep = backend.prepare(TINY_CNN)
    x = _image(1)
    a = rep.run([x])
    b = rep.run({"image": x})
    c = rep.run(x)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[0], c["probs"])
    assert a[0].shape == (1, 10) and a[0].dtype == np.float32


def test_run_model_matches_prepare_run() -> None:
    x = _image(2)
    (probs,) = backend.run_model(TINY_CNN, [x])
    (expected,) = backend.prepare(TINY_CNN).run([x])
    np.testing.assert_array_equal(probs, expected)


def test_run_node() -> None:
    node = helper.make_node("Relu", ["x"], ["y"])
    x = np.array([[-1.0, 2.0], [3.0, -4.0]], dtype=np.float32)
    (y,) = backend.run_node(node, [x])
    np.testing.assert_array_equal(y, np.maximum(x, 0))


def test_engine_is_a_checked_option() -> None:
    with pytest.raises(VexaError, match="unknown engine 'gpu', expected one of interp, sim"):
        backend.prepare(TINY_CNN, engine="gpu")
    with pytest.raises(VexaError, match="unexpected prepare options"):
        backend.prepare(TINY_CNN, optimise=True)


def test_devices() -> None:
    assert backend.supports_device("CPU")
    assert not backend.supports_device("CUDA")
    with pytest.raises(Unsupported, match="device 'CUDA' is not supported"):
        backend.prepare(TINY_CNN, "CUDA")


def test_bad_inputs_are_one_line_errors() -> None:
    rep = backend.prepare(TINY_CNN)
    with pytest.raises(
        VexaError, match=r"input 'image': expected shape \[1, 3, 8, 8\], got \[1, 3, 4, 4\]"
    ):
        rep.run([np.zeros((1, 3, 4, 4), np.float32)])
    with pytest.raises(VexaError, match="expected element type float32, got float64"):
        rep.run([np.zeros((1, 3, 8, 8), np.float64)])
    with pytest.raises(VexaError, match="missing inputs"):
        rep.run({"x": _image()})
    with pytest.raises(VexaError, match="no such model file"):
        backend.prepare("does/not/exist.onnx")


def test_symbolic_dims_specialise_per_shape() -> None:
    rep = backend.prepare(_add_model(["n", 3]))
    for n in (1, 4):
        x = np.arange(3 * n, dtype=np.float32).reshape(n, 3)
        (z,) = rep.run([x, x])
        np.testing.assert_array_equal(z, x + x)


def test_input_shapes_pin_symbolic_dims() -> None:
    rep = backend.prepare(_add_model(["n", 3]), input_shapes={"x": [2, 3], "y": [2, 3]})
    assert rep.module is not None  # imported at prepare time
    with pytest.raises(VexaError, match="expected shape"):
        rep.run([np.zeros((5, 3), np.float32)] * 2)
    with pytest.raises(VexaError, match="input_shapes names unknown inputs"):
        backend.prepare(_add_model([2, 3]), input_shapes={"q": [1]})


@pytest.mark.parametrize(
    ("elem", "category"),
    [
        (TensorProto.STRING, "dtype STRING"),
        (TensorProto.COMPLEX64, "dtype COMPLEX64"),
        (TensorProto.FLOAT8E4M3FN, "dtype FLOAT8E4M3FN"),
    ],
)
def test_unsupported_dtypes_are_declared(elem: int, category: str) -> None:
    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"])],
        "g",
        [helper.make_tensor_value_info("x", elem, [2])],
        [helper.make_tensor_value_info("y", elem, [2])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
    with pytest.raises(Unsupported) as info:
        VexaBackend.prepare(model)
    assert info.value.category == category
    assert not VexaBackend.is_compatible(model)


def test_unsupported_op_is_declared() -> None:
    graph = helper.make_graph(
        [helper.make_node("Einsum", ["x", "x"], ["y"], equation="ij,ij->i")],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    with pytest.raises(Unsupported, match="Einsum") as info:
        VexaBackend.prepare(model)
    assert info.value.category == "op Einsum"


def test_shape_like_inputs_are_specialised_on_their_value() -> None:
    # Reshape's `shape` comes in as a graph input: vexa compiles one module per value.
    graph = helper.make_graph(
        [helper.make_node("Reshape", ["x", "shape"], ["y"])],
        "g",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 6]),
            helper.make_tensor_value_info("shape", TensorProto.INT64, [2]),
        ],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["a", "b"])],
    )
    rep = backend.prepare(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]))
    x = np.arange(12, dtype=np.float32).reshape(2, 6)
    for shape in ([3, 4], [4, 3], [3, 4]):
        (y,) = rep.run([x, np.array(shape, np.int64)])
        np.testing.assert_array_equal(y, x.reshape(shape))
    assert len(rep._cache) == 2


def test_run_node_with_a_shape_input() -> None:
    node = helper.make_node("ReduceSum", ["x", "axes"], ["y"], keepdims=0)
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    (y,) = backend.run_node(node, [x, np.array([1], np.int64)])
    np.testing.assert_array_equal(y, x.sum(axis=1))


def test_old_opsets_are_converted() -> None:
    graph = helper.make_graph(
        [helper.make_node("Add", ["x", "y"], ["z"], broadcast=1)],
        "g",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3]),
            helper.make_tensor_value_info("y", TensorProto.FLOAT, [3]),
        ],
        [helper.make_tensor_value_info("z", TensorProto.FLOAT, [2, 3])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 6)])
    model.ir_version = 3
    x, y = np.ones((2, 3), np.float32), np.arange(3, dtype=np.float32)
    (z,) = backend.prepare(model).run([x, y])
    np.testing.assert_array_equal(z, x + y)
