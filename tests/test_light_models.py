"""Real networks: ONNX's nine "light" model-zoo graphs, as shipped and randomized.

For each network (AlexNet, DenseNet-121, Inception v1/v2, ResNet-50, ShuffleNet,
SqueezeNet, VGG-19, ZFNet-512) and each variant:
- "shipped": onnx/backend/test/data/light/light_<name>.onnx, every weight a
  ConstantOfShape(0.02) fill;
- "random": the same graph with seeded He-scaled random weights and calibrated
  BatchNormalization statistics (scripts/make_light_variants.py, cached
  outside the repository);
the tests check that
- the importer accepts it, and the printed nn IR re-parses (nn dialect
  registered in a Context) and re-prints to the same text (in-process; one
  model also through the real `vexa-opt` CLI);
- the nn interpreter's outputs match onnxruntime's (rtol 1e-4, atol 1e-5) on a
  seeded random input.

Select with `-k light`. Large splat constants (the shipped 37M-103M-element fills)
print as `nn.constant splat<v> : tensor<...>`, which parses in constant time.
"""

from __future__ import annotations

import importlib.util
import io
import math
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_script(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


variants = _load_script("make_light_variants")
NETWORKS = variants.light_model_names()
VARIANTS = ("shipped", "random")
CASES = [
    pytest.param((net, var), id=f"{net}-{var}", marks=pytest.mark.xdist_group(f"light_{net}"))
    for net in NETWORKS
    for var in VARIANTS
]
RTOL, ATOL = 1e-4, 1e-5


def model_path(net: str, variant: str) -> Path:
    if variant == "shipped":
        return variants.light_model_path(net)
    return variants.variant_path(net, seed=0)


@dataclass
class Imported:
    """One network variant, imported once for all the tests of that case."""

    net: str
    variant: str
    path: Path
    module: Any
    text: str


@pytest.fixture(scope="module", params=CASES)
def light(request: pytest.FixtureRequest) -> Iterator[Imported]:
    # Module-scoped and parametrized: pytest runs every test of one case before
    # the next case and drops the module in between (VGG-19 alone holds 575 MB).
    from vexa.lowering.import_onnx import import_onnx

    net, variant = request.param
    path = model_path(net, variant)
    module = import_onnx(onnx.load(path))
    module.verify()
    yield Imported(net, variant, path, module, print_ir(module))


def print_ir(op: Any) -> str:
    from xdsl.printer import Printer

    out = io.StringIO()
    Printer(stream=out).print_op(op)
    return out.getvalue()


def _fresh_builtin() -> Any:
    """The builtin dialect with its own resource-handle table.

    xDSL keeps the names of parsed `dense_resource` handles in the builtin
    dialect's interface, a process-wide singleton, and renames a handle it has
    seen before (`conv1_w_0` -> `conv1_w_0_0`): the second module parsed in one
    process would print differently. vexa-opt parses once per process; a test
    that parses many needs a fresh table per parse.
    """
    from xdsl.dialects.builtin import Builtin
    from xdsl.ir import Dialect

    return Dialect(
        "builtin",
        list(Builtin.operations),
        list(Builtin.attributes),
        [type(i)() for i in Builtin._interfaces],
    )


def parse_ir(text: str) -> Any:
    from xdsl.context import Context
    from xdsl.dialects import get_all_dialects
    from xdsl.parser import Parser

    from vexa.universe import get_all_dialects as vexa_dialects

    ctx = Context()
    factories = {**get_all_dialects(), **vexa_dialects(), "builtin": _fresh_builtin}
    for name, factory in factories.items():
        ctx.register_dialect(name, factory)
    return Parser(ctx, text).parse_module()


def random_inputs(model: onnx.ModelProto, seed: int = 0) -> dict[str, np.ndarray]:
    inits = {t.name for t in model.graph.initializer}
    rng = np.random.default_rng(seed)
    return {
        i.name: rng.standard_normal(
            [d.dim_value for d in i.type.tensor_type.shape.dim], dtype=np.float32
        )
        for i in model.graph.input
        if i.name not in inits
    }


def test_light_import_and_roundtrip(light: Imported) -> None:
    assert "nn.conv" in light.text
    reparsed = parse_ir(light.text)
    reparsed.verify()
    assert print_ir(reparsed) == light.text


def test_light_interpreter_matches_onnxruntime(light: Imported) -> None:
    import onnxruntime as ort
    from vexa.runtime.nn_interpreter import interpret
    from vexa.runtime.resources import module_resources

    model = onnx.load(light.path, load_external_data=False)
    feeds = random_inputs(model)
    session = ort.InferenceSession(str(light.path), providers=["CPUExecutionProvider"])
    expected = session.run(None, feeds)
    del session  # hold one copy of the weights at a time
    inputs = [feeds[i.name] for i in model.graph.input if i.name in feeds]
    got = interpret(light.module, inputs, module_resources(light.module))
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert g.shape == e.shape and g.dtype == e.dtype
        np.testing.assert_allclose(g, e, rtol=RTOL, atol=ATOL)


def test_light_vexa_opt_cli_roundtrip(tmp_path: Path) -> None:
    """The installed `vexa-opt` parses and re-prints one imported network identically."""
    from vexa.lowering.import_onnx import import_onnx
    from vexa.runtime.resources import module_resources

    module = import_onnx(onnx.load(model_path("squeezenet", "random")))
    text = print_ir(module)
    ir = tmp_path / "squeezenet.mlir"
    ir.write_text(text)
    module_resources(module).save(tmp_path / "squeezenet.npz")
    exe = shutil.which("vexa-opt") or str(Path(sys.executable).parent / "vexa-opt")
    proc = subprocess.run([exe, str(ir)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == text.strip()


# The whole compiler on the simulator. SqueezeNet runs in the suite (about a minute);
# VEXA_LIGHT_SIM=all runs all nine (BENCHMARKS.md, "End to end", gives their figures).
SIM_NETS = NETWORKS if os.environ.get("VEXA_LIGHT_SIM") == "all" else ["squeezenet"]


@pytest.mark.parametrize(
    "net", [pytest.param(n, marks=pytest.mark.xdist_group(f"light_{n}")) for n in SIM_NETS]
)
def test_light_simulated_matches_onnxruntime(net: str) -> None:
    """vexa.compile (random weights) -> program on vx128 -> fast simulator, timing on:
    outputs match onnxruntime (rtol 1e-3, atol 1e-4), the report's rows add up."""
    import onnxruntime as ort

    import vexa

    path = model_path(net, "random")
    feeds = random_inputs(onnx.load(path, load_external_data=False))
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    expected = session.run(None, feeds)
    del session
    exe = vexa.compile(path)
    got = exe.run(feeds)
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_allclose(g.reshape(e.shape), e, rtol=1e-3, atol=1e-4)
    report = exe.report
    assert report is not None and sum(r.cycles for r in report.rows) == report.cycles
