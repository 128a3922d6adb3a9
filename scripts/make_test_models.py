"""Write the small ONNX models the importer's lit tests and pytest use.

    python scripts/make_test_models.py          # -> tests/filecheck/inputs/*.onnx

The files are committed, so lit needs nothing else; rerun this after changing a model
(the output is deterministic: seeded weights, fixed IR version). Good models check one
importer feature each; the `bad_*` ones each carry one defect a user can hit.
"""

from __future__ import annotations

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "filecheck", "inputs"
)
IR_VERSION = 8  # onnxruntime 1.x reads it; opset 7..18 all fit

F = TensorProto.FLOAT
I64 = TensorProto.INT64


def _rng() -> np.random.Generator:
    return np.random.default_rng(1234)


def _model(
    nodes: list,
    inputs: list,
    outputs: list,
    inits: list | None = None,
    opset: int = 13,
    name: str = "g",
) -> onnx.ModelProto:
    graph = helper.make_graph(nodes, name, inputs, outputs, inits or [])
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="vexa-tests"
    )
    model.ir_version = IR_VERSION
    return model


def _t(name: str, array: np.ndarray) -> TensorProto:
    return numpy_helper.from_array(array, name)


def conv_bn_relu() -> onnx.ModelProto:
    """Conv (auto_pad SAME_UPPER, stride 2) + BatchNormalization + Relu + MaxPool, named nodes."""
    r = _rng()
    inits = [
        _t("conv1.weight", r.standard_normal((8, 3, 3, 3)).astype(np.float32)),
        _t("conv1.bias", r.standard_normal(8).astype(np.float32)),
        _t("bn1.scale", (r.random(8) + 0.5).astype(np.float32)),
        _t("bn1.b", r.standard_normal(8).astype(np.float32)),
        _t("bn1.mean", r.standard_normal(8).astype(np.float32)),
        _t("bn1.var", (r.random(8) + 0.5).astype(np.float32)),
    ]
    nodes = [
        helper.make_node(
            "Conv",
            ["x", "conv1.weight", "conv1.bias"],
            ["c"],
            name="conv1",
            auto_pad="SAME_UPPER",
            strides=[2, 2],
        ),
        helper.make_node(
            "BatchNormalization",
            ["c", "bn1.scale", "bn1.b", "bn1.mean", "bn1.var"],
            ["b"],
            name="bn1",
            epsilon=1e-3,
        ),
        helper.make_node("Relu", ["b"], ["r"], name="relu1"),
        helper.make_node(
            "MaxPool", ["r"], ["y"], name="pool1", kernel_shape=[2, 2], strides=[2, 2]
        ),
    ]
    x = helper.make_tensor_value_info("x", F, [1, 3, 16, 16])
    y = helper.make_tensor_value_info("y", F, None)
    return _model(nodes, [x], [y], inits, opset=13)


def gemm() -> onnx.ModelProto:
    """Flatten + Gemm (transB) + Relu + Gemm; unnamed nodes get <op_type>_<index>."""
    r = _rng()
    inits = [
        _t("fc1_w", r.standard_normal((32, 48)).astype(np.float32)),
        _t("fc1_b", r.standard_normal(32).astype(np.float32)),
        _t("fc2_w", r.standard_normal((32, 10)).astype(np.float32)),
    ]
    nodes = [
        helper.make_node("Flatten", ["x"], ["f"]),
        helper.make_node("Gemm", ["f", "fc1_w", "fc1_b"], ["h"], transB=1),
        helper.make_node("Relu", ["h"], ["hr"]),
        helper.make_node("Gemm", ["hr", "fc2_w"], ["y"], alpha=0.5),
    ]
    x = helper.make_tensor_value_info("x", F, [2, 3, 4, 4])
    y = helper.make_tensor_value_info("y", F, [2, 10])
    return _model(nodes, [x], [y], inits, opset=11)


def reshape_shape() -> onnx.ModelProto:
    """Reshape whose target comes from a Shape -> Gather -> Unsqueeze -> Concat subgraph,
    plus a Reshape with 0 and -1: both fold to explicit shapes."""
    inits = [
        _t("zero", np.array(0, np.int64)),
        _t("axes0", np.array([0], np.int64)),
        _t("minus1", np.array([-1], np.int64)),
        _t("shape_0m1", np.array([0, -1, 2], np.int64)),
    ]
    nodes = [
        helper.make_node("Shape", ["x"], ["s"], name="shape"),
        helper.make_node("Gather", ["s", "zero"], ["n"], name="batch", axis=0),
        helper.make_node("Unsqueeze", ["n", "axes0"], ["n1"], name="batch_1d"),
        helper.make_node("Concat", ["n1", "minus1"], ["target"], name="target", axis=0),
        helper.make_node("Reshape", ["x", "target"], ["flat"], name="flatten"),
        helper.make_node("Reshape", ["x", "shape_0m1"], ["pairs"], name="pairs"),
    ]
    x = helper.make_tensor_value_info("x", F, [2, 3, 4])
    outs = [
        helper.make_tensor_value_info("flat", F, None),
        helper.make_tensor_value_info("pairs", F, None),
    ]
    return _model(nodes, [x], outs, inits, opset=13)


def softmax(opset: int) -> onnx.ModelProto:
    """Softmax with axis = 1 on a rank-3 input: opset 11 normalises over dims 1..2 (coerced
    to 2-D), opset 13 over dim 1 only."""
    nodes = [helper.make_node("Softmax", ["x"], ["y"], name="softmax", axis=1)]
    x = helper.make_tensor_value_info("x", F, [2, 3, 4])
    y = helper.make_tensor_value_info("y", F, [2, 3, 4])
    return _model(nodes, [x], [y], opset=opset)


def constants() -> onnx.ModelProto:
    """Initializer (large: dense_resource), Constant node (small: dense), ConstantOfShape
    (splat), and a graph input that is also an initializer (a constant, not an argument)."""
    r = _rng()
    big = r.standard_normal((4, 8)).astype(np.float32)
    inits = [
        _t("big", big),
        _t("bias_in", np.full((8,), 0.5, np.float32)),
        _t("shape48", np.array([4, 8], np.int64)),
    ]
    nodes = [
        helper.make_node(
            "Constant",
            [],
            ["small"],
            name="small_const",
            value=_t("small_v", np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], np.float32)),
        ),
        helper.make_node(
            "ConstantOfShape",
            ["shape48"],
            ["ones"],
            name="ones",
            value=_t("one", np.array([1.0], np.float32)),
        ),
        helper.make_node("Mul", ["x", "big"], ["m"], name="scale"),
        helper.make_node("Add", ["m", "small"], ["a"], name="shift"),
        helper.make_node("Add", ["a", "ones"], ["a1"], name="plus_one"),
        helper.make_node("Add", ["a1", "bias_in"], ["y"], name="bias"),
    ]
    x = helper.make_tensor_value_info("x", F, [4, 8])
    bias_in = helper.make_tensor_value_info("bias_in", F, [8])
    y = helper.make_tensor_value_info("y", F, [4, 8])
    return _model(nodes, [x, bias_in], [y], inits, opset=13)


def bad_unsupported() -> onnx.ModelProto:
    """Three unsupported op types (one twice) among supported ones."""
    nodes = [
        helper.make_node("Relu", ["x"], ["r"], name="relu"),
        helper.make_node("GatherND", ["r", "idx"], ["g1"], name="gather_nd_a"),
        helper.make_node("GatherND", ["x", "idx"], ["g2"], name="gather_nd_b"),
        helper.make_node("Einsum", ["x", "x"], ["e"], name="einsum", equation="ij,ij->ij"),
        helper.make_node("Det", ["x"], ["d"], name="det"),
    ]
    x = helper.make_tensor_value_info("x", F, [2, 2])
    outs = [helper.make_tensor_value_info(n, F, None) for n in ("g1", "g2", "e", "d")]
    return _model(nodes, [x], outs, [_t("idx", np.array([[0], [1]], np.int64))], opset=13)


def bad_dangling() -> onnx.ModelProto:
    """A node reads 'ghost', which nothing produces."""
    nodes = [helper.make_node("Add", ["x", "ghost"], ["y"], name="add_ghost")]
    x = helper.make_tensor_value_info("x", F, [2, 3])
    y = helper.make_tensor_value_info("y", F, [2, 3])
    return _model(nodes, [x], [y], opset=13)


def bad_dynamic() -> onnx.ModelProto:
    """Input 'x' has a symbolic batch dimension 'batch'."""
    nodes = [helper.make_node("Relu", ["x"], ["y"], name="relu")]
    x = helper.make_tensor_value_info("x", F, ["batch", 3, 8])
    y = helper.make_tensor_value_info("y", F, ["batch", 3, 8])
    return _model(nodes, [x], [y], opset=13)


def bad_optional_output() -> onnx.ModelProto:
    """Dropout's mask output is used by a later node: vexa does not produce it."""
    nodes = [
        helper.make_node("Dropout", ["x"], ["d", "mask"], name="drop"),
        helper.make_node("Cast", ["mask"], ["mf"], name="mask_f", to=F),
        helper.make_node("Add", ["d", "mf"], ["y"], name="add"),
    ]
    x = helper.make_tensor_value_info("x", F, [2, 3])
    y = helper.make_tensor_value_info("y", F, [2, 3])
    return _model(nodes, [x], [y], opset=13)


def bad_dynamic_shape_input() -> onnx.ModelProto:
    """Reshape's 'shape' is a graph input, only known at run time."""
    nodes = [helper.make_node("Reshape", ["x", "shape"], ["y"], name="reshape_dyn")]
    x = helper.make_tensor_value_info("x", F, [2, 3])
    shape = helper.make_tensor_value_info("shape", I64, [2])
    y = helper.make_tensor_value_info("y", F, None)
    return _model(nodes, [x, shape], [y], opset=13)


MODELS = {
    "conv_bn_relu": conv_bn_relu,
    "gemm": gemm,
    "reshape_shape": reshape_shape,
    "softmax_opset11": lambda: softmax(11),
    "softmax_opset13": lambda: softmax(13),
    "constants": constants,
    "bad_unsupported": bad_unsupported,
    "bad_dangling": bad_dangling,
    "bad_dynamic": bad_dynamic,
    "bad_optional_output": bad_optional_output,
    "bad_dynamic_shape_input": bad_dynamic_shape_input,
}


def main(out_dir: str = OUT) -> None:
    os.makedirs(out_dir, exist_ok=True)
    for name, make in MODELS.items():
        with open(os.path.join(out_dir, f"{name}.onnx"), "wb") as f:
            f.write(make().SerializeToString())
    # a truncated model and a file that is not ONNX at all
    whole = conv_bn_relu().SerializeToString()
    with open(os.path.join(out_dir, "bad_truncated.onnx"), "wb") as f:
        f.write(whole[: len(whole) // 2])
    with open(os.path.join(out_dir, "bad_not_onnx.onnx"), "w") as f:
        f.write("this is a text file, not an ONNX model\n")
    with open(os.path.join(out_dir, "bad_malformed.mlir"), "w") as f:
        f.write(
            "func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {\n"
            "  %r = nn.relu %y : tensor<2xf32>\n"
            "  func.return %r : tensor<2xf32>\n}\n"
        )
    with open(os.path.join(out_dir, "bad_syntax.mlir"), "w") as f:
        f.write("func.func @f() {\n  %0 = nn.relu 3 : tensor<2xf32>\n}\n")


if __name__ == "__main__":
    main(*sys.argv[1:])
