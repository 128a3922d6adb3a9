"""vexa.compile / Executable: levels, interpreters, the simulator path and the report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from vexa.runtime.executable import NodeCost, build_report, node_costs
from vexa.tools.errors import VexaError

import vexa

INPUTS = Path(__file__).parent / "filecheck" / "inputs"
EXAMPLES = Path(__file__).parent.parent / "examples"


def _pipeline_available() -> bool:
    from vexa.universe import get_all_passes

    have = get_all_passes()
    return all(p in have for p in ("convert-tile-to-vx", "vx-expand-math",
                                   "vx-allocate-registers", "vx-schedule"))


needs_vx = pytest.mark.skipif(
    not _pipeline_available(), reason="the tile -> vx passes are not all registered yet"
)


def _ort(model: Path | bytes, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
    ort = pytest.importorskip("onnxruntime")
    source = model if isinstance(model, bytes) else str(model)
    sess = ort.InferenceSession(source, providers=["CPUExecutionProvider"])
    return sess.run(None, feeds)


def _random_inputs(exe: vexa.Executable, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {n: rng.standard_normal(shape).astype(np.float32)
            for n, (shape, _) in zip(exe.input_names, exe.input_types, strict=True)}


# --------------------------------------------------------------------------- levels


@pytest.mark.parametrize("model", ["conv_bn_relu.onnx", "gemm.onnx", "softmax_opset13.onnx"])
def test_tile_level_matches_nn_level_and_onnxruntime(model: str) -> None:
    """stop_after='tile' runs the tile interpreter on the lowered, planned IR."""
    tile_exe = vexa.compile(INPUTS / model, stop_after="tile")
    nn_exe = vexa.compile(INPUTS / model, stop_after="nn")
    feeds = _random_inputs(tile_exe)
    got_tile = tile_exe.run(feeds)
    got_nn = nn_exe.run(list(feeds.values()))
    want = _ort(INPUTS / model, feeds)
    for t, n, w in zip(got_tile, got_nn, want, strict=True):
        np.testing.assert_allclose(t, w, rtol=1e-3, atol=1e-4)
        np.testing.assert_allclose(n, w, rtol=1e-3, atol=1e-4)
    assert tile_exe.report is None  # interpreters do not count cycles


def test_ir_levels_and_compile_times() -> None:
    exe = vexa.compile(INPUTS / "conv_bn_relu.onnx", stop_after="tile", dump_after=["all"])
    assert "nn.conv" in exe.ir("nn")
    assert "tile.kernel" in exe.ir("tile") and "nn.conv" not in exe.ir("tile")
    graph = ["nn-fold-constants", "nn-decompose-strided-conv"]
    assert list(exe.compile_times)[:5] == [
        "import", *graph, "convert-nn-to-tile", "tile-plan-memory"]
    assert set(exe.dumps) == {*graph, "convert-nn-to-tile", "tile-plan-memory"}
    with pytest.raises(VexaError, match="no vx IR: compiled with stop_after='tile'"):
        exe.ir("vx")
    with pytest.raises(VexaError, match="expected one of nn, tile, vx, asm, got 'llvm'"):
        exe.ir("llvm")


def test_compile_errors_are_vexa_errors() -> None:
    with pytest.raises(VexaError, match="stop_after: expected one of"):
        vexa.compile(INPUTS / "gemm.onnx", stop_after="ptx")
    with pytest.raises(VexaError, match="engine: expected 'fast' or 'reference'"):
        vexa.compile(INPUTS / "gemm.onnx", engine="gpu")
    with pytest.raises(VexaError, match="unknown target 'vx7'"):
        vexa.compile(INPUTS / "gemm.onnx", target="vx7")
    with pytest.raises(VexaError, match="unknown option 'tile_q'"):
        vexa.compile(INPUTS / "gemm.onnx", stop_after="tile", tile_q=3)
    exe = vexa.compile(INPUTS / "gemm.onnx", stop_after="nn")
    with pytest.raises(VexaError, match="expected shape"):
        exe.run([np.zeros((1, 1), np.float32)])
    with pytest.raises(VexaError, match="expected inputs"):
        exe.run({"nope": np.zeros((1, 1), np.float32)})


def test_missing_stage_is_reported_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stage whose pass is not registered: one clear error, before the model is imported."""
    from vexa.lowering import pipelines

    have = pipelines.available_passes()
    have.pop("vx-schedule", None)
    monkeypatch.setattr(pipelines, "available_passes", lambda: have)
    with pytest.raises(VexaError, match="^pass 'vx-schedule' is not available"):
        vexa.compile(INPUTS / "no-such-model.onnx")  # not read: the stages are checked first
    exe = vexa.compile(INPUTS / "gemm.onnx", stop_after="tile")  # stages above still run
    assert exe.level == "tile"


def test_options_reach_the_tiler() -> None:
    a = vexa.compile(INPUTS / "conv_bn_relu.onnx", stop_after="tile")
    b = vexa.compile(INPUTS / "conv_bn_relu.onnx", stop_after="tile", tile_h=2)
    assert a.ir("tile") != b.ir("tile")
    feeds = _random_inputs(a)
    np.testing.assert_allclose(a.run(feeds)[0], b.run(feeds)[0], rtol=1e-5, atol=1e-6)


# --------------------------------------------------------------------------- the report


_TAGGED = """.target vx128
.input A f32 64
.output C f32 64
.data
A: .zero 256
C: .zero 256
.text
main:
    li r1, A
    .loc "add1"
    li r2, C
    vld v0, r1, 0
    vld v1, r1, 128
    vadd.f32 v0, v0, v0
    vadd.f32 v1, v1, v1
    .loc "relu1"
    vsplati v2, 0
    vmax.f32 v0, v0, v2
    vmax.f32 v1, v1, v2
    vst v0, r2, 0
    vst v1, r2, 128
    halt
"""


@pytest.mark.parametrize("engine", ["fast", "reference"])
def test_report_rows_add_up_to_the_simulated_cycles(engine: str) -> None:
    from vexa.runtime.assembler import assemble
    from vexa.runtime.machine import run_program

    a = np.arange(64, dtype=np.float32) - 30
    outs, stats = run_program(assemble(_TAGGED, "vx128"), "vx128", {"A": a}, engine=engine)
    np.testing.assert_array_equal(outs["C"], np.maximum(2 * a, 0))
    costs = {
        "add1": NodeCost(["add"], macs=64, bytes=512),
        "relu1": NodeCost(["relu"], macs=64, bytes=512),
        "fused_relu": NodeCost(["relu"], macs=64, bytes=512),
    }
    report = build_report(stats, costs, "vx128", spills={"add1": 2})
    assert sum(r.cycles for r in report.rows) == stats.cycles == report.cycles
    assert {r.name for r in report.rows} >= {"add1", "relu1"}
    assert report.idle_nodes == ["fused_relu"]
    assert abs(sum(r.share for r in report.rows) - 100.0) < 1e-9
    add1 = next(r for r in report.rows if r.name == "add1")
    # roofline bound: max(64 MACs / 64 per cycle, 512 bytes / 32 per cycle) = 16 cycles
    assert add1.bound == 16.0
    assert add1.roofline == pytest.approx(100 * 16 / add1.cycles)
    assert report.spills == 2 and add1.spills == 2
    text = report.text()
    assert "add1" in text and "total" in text and f"{stats.cycles}" in text
    data = report.to_dict()
    assert sum(n["cycles"] for n in data["nodes"]) == data["cycles"]
    assert data["nodes_without_cycles"] == ["fused_relu"]


def _add_relu_model() -> bytes:
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Add", ["x", "x"], ["s"], name="add1"),
         helper.make_node("Relu", ["s"], ["y"], name="relu1")],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [64])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [64])],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString()


def test_run_maps_inputs_and_reports_against_nn_costs() -> None:
    """A full executable's run(): graph names -> program symbols, report from nn costs.

    The program is hand-written (what the vx pipeline would produce), tagged like the
    ONNX nodes, so this checks the runtime half independently of the compiler.
    """
    from vexa.runtime.assembler import assemble

    exe = vexa.compile(_add_relu_model(), stop_after="nn")
    exe.program = assemble(_TAGGED.replace("A", "x").replace("C", "y"), "vx128")
    exe.level = "program"
    x = np.arange(64, dtype=np.float32) - 30
    (y,) = exe.run({"x": x})
    np.testing.assert_array_equal(y, np.maximum(2 * x, 0))
    report = exe.report
    assert report is not None and report.cycles == exe.stats.cycles
    assert sum(r.cycles for r in report.rows) == report.cycles
    rows = {r.name: r for r in report.rows}
    assert rows["add1"].ops == ["add"] and rows["add1"].macs == 64
    assert rows["add1"].bytes == 3 * 256  # two operands and the result, f32
    assert rows["relu1"].bound == max(64 / 64, 512 / 32)
    assert "add1" in str(report) and '"relu1"' in report.to_json()


def test_node_costs_from_nn_ops() -> None:
    from vexa.lowering.import_onnx import import_onnx

    costs = node_costs(import_onnx(INPUTS / "conv_bn_relu.onnx"))
    conv = costs["conv1"]
    # conv1: 1x3x16x16 -> 1x8x16x16 (3x3, pad 1)? MACs = out elements x Ci x Kh x Kw
    from vexa.runtime.nn_interpreter import _find_main

    fn = _find_main(import_onnx(INPUTS / "conv_bn_relu.onnx"))
    op = next(o for o in fn.body.block.ops if o.name == "nn.conv")
    out = int(np.prod(op.results[0].type.get_shape()))
    w = op.operands[1].type.get_shape()
    assert conv.macs == out * int(np.prod(w[1:]))
    assert conv.bytes == 4 * (int(np.prod(op.operands[0].type.get_shape())) + int(np.prod(w))
                              + sum(int(np.prod(v.type.get_shape())) for v in op.operands[2:])
                              + out)
    assert costs["relu1"].macs == costs["relu1"].bytes // 8  # one op per element, in + out


# --------------------------------------------------------------------------- simulator


def _built(name: str) -> bytes:
    """Small models of ops the whole pipeline lowers (matmul, elementwise, softmax)."""
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(7)
    f32 = lambda n, s: helper.make_tensor_value_info(n, TensorProto.FLOAT, s)  # noqa: E731
    if name == "mlp":
        nodes = [helper.make_node("MatMul", ["x", "W"], ["m"], name="mm1"),
                 helper.make_node("Add", ["m", "B"], ["a"], name="add1"),
                 helper.make_node("Relu", ["a"], ["y"], name="relu1"),
                 helper.make_node("Softmax", ["y"], ["p"], axis=-1, name="softmax1")]
        inits = [numpy_helper.from_array(rng.standard_normal((48, 40)).astype(np.float32), "W"),
                 numpy_helper.from_array(rng.standard_normal(40).astype(np.float32), "B")]
        graph = helper.make_graph(nodes, "g", [f32("x", [20, 48])], [f32("p", [20, 40])], inits)
    else:  # "eltwise": odd length, so the predicated tail runs
        nodes = [helper.make_node("Mul", ["x", "x"], ["m"], name="mul1"),
                 helper.make_node("Sub", ["m", "x"], ["s"], name="sub1"),
                 helper.make_node("Exp", ["s"], ["e"], name="exp1"),
                 helper.make_node("Add", ["e", "x"], ["y"], name="add2")]
        graph = helper.make_graph(nodes, "g", [f32("x", [3, 37])], [f32("y", [3, 37])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    return model.SerializeToString()


@needs_vx
@pytest.mark.parametrize(
    "model",
    [
        "mlp",
        "eltwise",
        "softmax_opset13.onnx",
        "softmax_opset11.onnx",
        "gemm.onnx",
        "conv_bn_relu.onnx",
    ],
)
def test_simulated_model_matches_onnxruntime(model: str) -> None:
    source: Any = INPUTS / model if model.endswith(".onnx") else _built(model)
    exe = vexa.compile(source)
    feeds = _random_inputs(exe)
    got = exe.run(feeds)
    for g, w in zip(got, _ort(source, feeds), strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-3, atol=1e-4)
    report = exe.report
    assert report is not None
    assert sum(r.cycles for r in report.rows) == report.cycles == exe.stats.cycles > 0
    assert exe.asm is not None and exe.asm.startswith(".target vx128")
    if model == "gemm.onnx":  # 32x48 f32 weights (6 KiB): by reference, not as text
        assert '.res f32 "fc1_w" 6144' in exe.asm
    assert "vx.func" in exe.ir("vx")
    assert {"import", "convert-tile-to-vx", "vx-schedule", "emit-asm", "assemble"} <= set(
        exe.compile_times
    )
    tagged = {r.name for r in report.rows if r.bound is not None}
    assert tagged, "no cycles were attributed to an ONNX node"


# --------------------------------------------------------------------------- onnx backend


def test_onnx_backend_sim_engine() -> None:
    """engine="sim": compiled and simulated; what the compiler lacks is Unsupported."""
    import vexa.onnx_backend as backend

    x = np.random.default_rng(1).standard_normal((20, 48)).astype(np.float32)
    rep = backend.prepare(_built("mlp"), engine="sim")
    if not _pipeline_available():
        with pytest.raises(backend.Unsupported, match="is not available") as info:
            rep.run([x])
        assert info.value.category.startswith("sim: ")
        return
    (y,) = rep.run([x])
    (want,) = _ort(_built("mlp"), {"x": x})
    np.testing.assert_allclose(y, want, rtol=1e-3, atol=1e-4)
    assert "nn.mat_mul" in str(rep.module)  # the rep keeps its nn module; compile used a copy
    (again,) = rep.run({"x": x})  # compiled once, run twice
    np.testing.assert_array_equal(again, y)


def test_compile_accepts_nn_ir_files_and_modules(tmp_path: Path) -> None:
    from vexa.lowering.import_onnx import import_onnx
    from vexa.tools import vexa_translate

    ir = tmp_path / "g.mlir"
    assert vexa_translate.main(["--import-onnx", str(INPUTS / "gemm.onnx"), "-o", str(ir)]) == 0
    from_file = vexa.compile(ir, stop_after="tile")
    from_module = vexa.compile(import_onnx(INPUTS / "gemm.onnx"), stop_after="tile")
    feeds = _random_inputs(from_file)
    np.testing.assert_array_equal(from_file.run(feeds)[0], from_module.run(feeds)[0])
    with pytest.raises(VexaError, match="input_shapes applies to ONNX models"):
        vexa.compile(ir, stop_after="nn", input_shapes={"x": [1, 3, 4, 4]})


def test_saved_assembly_runs_with_its_weights(tmp_path: Path) -> None:
    """exe.save_asm writes prog.s and prog.npz (the `.res` weights); vexa-run prog.s runs
    it like the executable, and without the weights says what is missing."""
    from vexa.tools import run_asm

    exe = vexa.compile(INPUTS / "gemm.onnx")
    prog = tmp_path / "gemm.s"
    exe.save_asm(prog)
    assert (tmp_path / "gemm.npz").is_file() and '.res f32 "fc1_w"' in prog.read_text()
    x = _random_inputs(exe)
    np.save(tmp_path / "x.npy", x["x"])
    out = tmp_path / "out"
    assert run_asm.main([str(prog), "--input", f"x={tmp_path / 'x.npy'}",
                         "--output-dir", str(out)]) == 0
    np.testing.assert_array_equal(np.load(out / "y.npy"), exe.run(x)[0])
    (tmp_path / "gemm.npz").unlink()
    with pytest.raises(SystemExit) as info:
        run_asm.main([str(prog), "--random-inputs"])
    assert info.value.code == 1
