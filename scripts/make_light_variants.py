#!/usr/bin/env python3
"""Randomized-weight variants of ONNX's nine "light" model-zoo networks.

ONNX ships `onnx/backend/test/data/light/light_*.onnx`: the real graphs of
AlexNet, DenseNet-121, Inception v1/v2, ResNet-50, ShuffleNet, SqueezeNet,
VGG-19 and ZFNet-512 with every weight replaced by `ConstantOfShape(0.02)`, so
that the files stay small. Constant weights hide bugs (every output channel
computes the same thing), so this script writes, for each network, a variant in
which every `ConstantOfShape` fill becomes a seeded random initializer of the
same name and shape; the graph is otherwise unchanged (same nodes, names,
opset and IR version):

- weights: normal, std sqrt(2 / fan_in) (He), fan_in from the weight shape
  (product of all but the first dimension; the first one for a Gemm B with
  transB = 0; the length for a 1-D tensor);
- BatchNormalization scale and variance (and the Mul-by-scale of the unfolded
  BN in DenseNet / Inception v2): uniform in [0.5, 1.5), so positive;
- then BN running mean and variance are calibrated, as training would leave
  them: set to the per-channel statistics of each BN's input on one seeded
  calibration image (onnxruntime, one run per level of BN depth). Random
  running statistics do not normalise: ResNet-50's logits reach 1e5 and
  ShuffleNet's 1e3 (a one-hot softmax that tests nothing); calibrated, every
  network's logits are O(1..10).

    python scripts/make_light_variants.py [--out DIR] [--seed N] [--only resnet50,...]

The files are large (VGG-19 has 143 M parameters: 575 MB) and live in a cache
directory that is never committed: `$VEXA_CACHE_DIR/light` or
`~/.cache/vexa/light` by default. tests/test_light_models.py calls
`variant_path` / `randomize` from here.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import onnx
from onnx import ModelProto, helper, numpy_helper

LIGHT_DIR = Path(onnx.__file__).resolve().parent / "backend" / "test" / "data" / "light"

# Ops that only move a weight around on its way to the op that uses it.
_PASSTHROUGH = {"Unsqueeze", "Reshape", "Squeeze", "Transpose", "Flatten", "Identity"}


def light_model_names() -> list[str]:
    """The networks: "bvlc_alexnet", "densenet121", ... (file stem without "light_")."""
    return sorted(p.stem.removeprefix("light_") for p in LIGHT_DIR.glob("light_*.onnx"))


def light_model_path(name: str) -> Path:
    """The shipped file of network `name`."""
    return LIGHT_DIR / f"light_{name}.onnx"


def default_cache_dir() -> Path:
    """Where variants go unless told otherwise (never inside the repository)."""
    root = os.environ.get("VEXA_CACHE_DIR")
    base = (
        Path(root)
        if root
        else Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "vexa"
    )
    return base / "light"


def _final_uses(model: ModelProto, name: str) -> list[tuple[onnx.NodeProto, int]]:
    """(node, input index) pairs using `name`, looking through pass-through ops."""
    users: dict[str, list[tuple[onnx.NodeProto, int]]] = defaultdict(list)
    for node in model.graph.node:
        for i, inp in enumerate(node.input):
            users[inp].append((node, i))
    out, todo, seen = [], [name], set()
    while todo:
        value = todo.pop()
        if value in seen:
            continue
        seen.add(value)
        for node, i in users[value]:
            if node.op_type in _PASSTHROUGH and i == 0:
                todo.extend(node.output)
            else:
                out.append((node, i))
    return out


def _is_positive_role(uses: list[tuple[onnx.NodeProto, int]]) -> bool:
    """A BN scale or variance, or the Mul by an unfolded BN scale."""
    for node, i in uses:
        if node.op_type == "BatchNormalization" and i in (1, 4):
            return True
        if node.op_type == "Mul":
            return True
    return False


def _fan_in(shape: tuple[int, ...], uses: list[tuple[onnx.NodeProto, int]]) -> int:
    if len(shape) == 0:
        return 1
    if len(shape) == 1:
        return max(shape[0], 1)
    for node, i in uses:
        if node.op_type == "Gemm" and i == 1 and len(shape) == 2:
            trans_b = next((a.i for a in node.attribute if a.name == "transB"), 0)
            return shape[1] if trans_b else shape[0]
    return max(int(np.prod(shape[1:])), 1)


def _bn_levels(graph: onnx.GraphProto, bns: list[onnx.NodeProto]) -> list[list[onnx.NodeProto]]:
    """BNs grouped by how many BNs lie upstream of them (the graph is topologically sorted)."""
    depth: dict[str, int] = {}
    bn_ids = {id(n) for n in bns}
    levels: dict[int, list[onnx.NodeProto]] = defaultdict(list)
    for node in graph.node:
        d = max((depth.get(i, 0) for i in node.input), default=0)
        if id(node) in bn_ids:
            levels[d].append(node)
            d += 1
        for o in node.output:
            depth[o] = d
    return [levels[k] for k in sorted(levels)]


def calibrate_batchnorm(model: ModelProto, seed: int = 0) -> int:
    """Set every BN's running mean/var (initializers) to its input's statistics.

    Runs the model with onnxruntime on one seeded N(0, 1) image and reads the BN
    inputs, level by level (a BN is calibrated once every BN upstream of it is),
    so one sweep is exact. In place; returns the number of runs.
    """
    import onnxruntime as ort

    graph = model.graph
    inits = {t.name: t for t in graph.initializer}
    bns = [
        n
        for n in graph.node
        if n.op_type == "BatchNormalization" and n.input[3] in inits and n.input[4] in inits
    ]
    if not bns:
        return 0
    probe = ModelProto()
    probe.CopyFrom(model)
    del probe.graph.output[:]
    probe.graph.output.extend(onnx.ValueInfoProto(name=n.input[0]) for n in bns)
    # Mean/var become plain graph inputs of the probe, so one session serves
    # every run (onnxruntime does not let IR-3 initializers be overridden).
    stat_names = {bn.input[k] for bn in bns for k in (3, 4)}
    kept = [t for t in probe.graph.initializer if t.name not in stat_names]
    del probe.graph.initializer[:]
    probe.graph.initializer.extend(kept)
    inputs = {i.name for i in probe.graph.input}
    for name in sorted(stat_names - inputs):
        probe.graph.input.append(
            helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, list(inits[name].dims))
        )
    session = ort.InferenceSession(probe.SerializeToString(), providers=["CPUExecutionProvider"])
    rng = np.random.default_rng([seed, 1])
    feeds: dict[str, np.ndarray] = {
        i.name: rng.standard_normal(
            [d.dim_value for d in i.type.tensor_type.shape.dim], dtype=np.float32
        )
        for i in graph.input
        if i.name not in inits
    }
    stats = {name: numpy_helper.to_array(inits[name]) for name in stat_names}
    levels = _bn_levels(graph, bns)
    for level in levels:
        outs = session.run([bn.input[0] for bn in level], {**feeds, **stats})
        for bn, x in zip(level, outs, strict=True):
            axes = (0, *range(2, x.ndim))
            stats[bn.input[3]] = x.mean(axis=axes).astype(np.float32)
            stats[bn.input[4]] = (x.var(axis=axes) + np.float32(1e-3)).astype(np.float32)
    for name, value in stats.items():
        inits[name].CopyFrom(numpy_helper.from_array(value, name))
    return len(levels)


def randomize(model: ModelProto, seed: int = 0) -> ModelProto:
    """A copy of `model` with every ConstantOfShape fill replaced by random weights.

    Deterministic for a given (model, seed): tensors are drawn in node order.
    """
    out = ModelProto()
    out.CopyFrom(model)
    graph = out.graph
    rng = np.random.default_rng(seed)
    inits = {t.name: t for t in graph.initializer}
    replaced: dict[str, np.ndarray] = {}
    keep_nodes = []
    for node in graph.node:
        if node.op_type != "ConstantOfShape" or node.input[0] not in inits:
            keep_nodes.append(node)
            continue
        shape = tuple(int(d) for d in numpy_helper.to_array(inits[node.input[0]]))
        uses = _final_uses(out, node.output[0])
        size = int(np.prod(shape)) if shape else 1
        if _is_positive_role(uses):
            value = rng.uniform(0.5, 1.5, size=size).astype(np.float32)
        else:
            std = np.sqrt(2.0 / _fan_in(shape, uses))
            value = rng.standard_normal(size, dtype=np.float32) * np.float32(std)
        replaced[node.output[0]] = value.reshape(shape)
    del graph.node[:]
    graph.node.extend(keep_nodes)

    # Shape tensors that only fed the removed fills go; the new weights join the
    # initializers (and, for IR < 4, the graph inputs, as that IR requires).
    still_used = {i for n in graph.node for i in n.input} | {o.name for o in graph.output}
    dead = {name for name in inits if name not in still_used}
    kept_inits = [t for t in graph.initializer if t.name not in dead]
    del graph.initializer[:]
    graph.initializer.extend(kept_inits)
    graph.initializer.extend(numpy_helper.from_array(v, name) for name, v in replaced.items())
    kept_inputs = [i for i in graph.input if i.name not in dead]
    del graph.input[:]
    graph.input.extend(kept_inputs)
    if out.ir_version < 4:
        graph.input.extend(
            helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, v.shape)
            for name, v in replaced.items()
        )
    calibrate_batchnorm(out, seed)
    return out


def variant_path(name: str, seed: int = 0, cache_dir: Path | str | None = None) -> Path:
    """The randomized variant of network `name`, written on first use and cached."""
    directory = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    path = directory / f"light_{name}_random_seed{seed}.onnx"
    src = light_model_path(name)
    if path.exists() and path.stat().st_mtime >= max(
        src.stat().st_mtime, Path(__file__).stat().st_mtime
    ):
        return path
    directory.mkdir(parents=True, exist_ok=True)
    model = randomize(onnx.load(src), seed)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    onnx.save(model, tmp)
    os.replace(tmp, path)  # atomic: parallel test workers never see half a file
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=None, help=f"output directory (default {default_cache_dir()})"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", default="", help="comma-separated network names")
    args = parser.parse_args(argv)
    names = [n for n in args.only.split(",") if n] or light_model_names()
    unknown = sorted(set(names) - set(light_model_names()))
    if unknown:
        print(
            f"make_light_variants: error: unknown networks {unknown}, expected some of "
            f"{light_model_names()}",
            file=sys.stderr,
        )
        return 1
    for name in names:
        path = variant_path(name, args.seed, args.out)
        print(f"{path}  ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
