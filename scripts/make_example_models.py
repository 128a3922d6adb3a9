#!/usr/bin/env python3
"""Write the small example models the README's quick start uses.

    python scripts/make_example_models.py [--out examples]

examples/tiny_cnn.onnx: input "image" 1x3x8x8 -> Conv 3x3 (4 channels, pad 1)
-> BatchNormalization -> Relu -> MaxPool 2x2 -> Flatten -> Gemm (64 -> 10)
-> Softmax -> output "probs" 1x10. Seeded weights (He-scaled), opset 13,
about 3 KB. The committed file is byte-for-byte what this script writes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = Path(__file__).resolve().parent.parent


def tiny_cnn(seed: int = 0) -> onnx.ModelProto:
    """conv-bn-relu-pool-gemm-softmax on a 1x3x8x8 image, 10 classes."""
    rng = np.random.default_rng(seed)

    def he(shape: tuple[int, ...], fan_in: int) -> np.ndarray:
        return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)

    weights = {
        "conv_w": he((4, 3, 3, 3), 27),
        "conv_b": (rng.standard_normal(4) * 0.1).astype(np.float32),
        "bn_scale": rng.uniform(0.5, 1.5, 4).astype(np.float32),
        "bn_bias": (rng.standard_normal(4) * 0.1).astype(np.float32),
        "bn_mean": (rng.standard_normal(4) * 0.1).astype(np.float32),
        "bn_var": rng.uniform(0.5, 1.5, 4).astype(np.float32),
        "fc_w": he((10, 64), 64),
        "fc_b": (rng.standard_normal(10) * 0.1).astype(np.float32),
    }
    nodes = [
        helper.make_node(
            "Conv",
            ["image", "conv_w", "conv_b"],
            ["conv"],
            name="conv1",
            kernel_shape=[3, 3],
            pads=[1, 1, 1, 1],
        ),
        helper.make_node(
            "BatchNormalization",
            ["conv", "bn_scale", "bn_bias", "bn_mean", "bn_var"],
            ["bn"],
            name="bn1",
            epsilon=1e-5,
        ),
        helper.make_node("Relu", ["bn"], ["relu"], name="relu1"),
        helper.make_node(
            "MaxPool", ["relu"], ["pool"], name="pool1", kernel_shape=[2, 2], strides=[2, 2]
        ),
        helper.make_node("Flatten", ["pool"], ["flat"], name="flatten", axis=1),
        helper.make_node("Gemm", ["flat", "fc_w", "fc_b"], ["logits"], name="fc", transB=1),
        helper.make_node("Softmax", ["logits"], ["probs"], name="softmax", axis=1),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny_cnn",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, [1, 10])],
        initializer=[numpy_helper.from_array(v, k) for k, v in weights.items()],
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="vexa-examples"
    )
    model.ir_version = 8  # readable by every onnxruntime of the last years
    onnx.checker.check_model(model, full_check=True)
    return model


MODELS = {"tiny_cnn.onnx": tiny_cnn}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "examples")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for filename, build in MODELS.items():
        path = args.out / filename
        path.write_bytes(build().SerializeToString())
        print(f"{path}  ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
