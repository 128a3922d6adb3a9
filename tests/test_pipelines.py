"""lowering/pipelines.py: the named pipelines as `-p` specs, and run_pipeline's stages."""

from __future__ import annotations

from pathlib import Path

import pytest
from vexa.lowering import pipelines
from vexa.lowering.import_onnx import import_onnx
from vexa.tools.errors import VexaError

INPUTS = Path(__file__).parent / "filecheck" / "inputs"


def test_named_pipelines_are_specs() -> None:
    assert pipelines.nn_to_tile("vx64") == "convert-nn-to-tile{target=vx64},tile-plan-memory"
    assert pipelines.tile_to_vx("vx64") == (
        "convert-tile-to-vx{target=vx64},vx-expand-math,"
        "vx-allocate-registers{target=vx64},vx-schedule{target=vx64}"
    )
    assert pipelines.full("vx64", available=()) == (
        pipelines.nn_to_tile("vx64") + "," + pipelines.tile_to_vx("vx64")
    )
    # graph passes join the pipeline only when registered
    graph = pipelines.nn_graph(available={"nn-fold-constants"})
    assert graph == "nn-fold-constants"
    assert pipelines.full("vx128", available={"nn-fold-constants"}).startswith(graph + ",")


def test_target_paths_are_quoted_and_reparse() -> None:
    spec = pipelines.nn_to_tile("some/dir-x/m.toml", tile_m=4, double_buffer=False)
    assert spec.startswith('convert-nn-to-tile{target="some/dir-x/m.toml" tile-m=4')
    assert pipelines.stage_names(spec) == ["convert-nn-to-tile", "tile-plan-memory"]
    ((_, p), _) = pipelines.build_passes(spec)
    assert p.target == "some/dir-x/m.toml" and p.tile_m == 4 and p.double_buffer is False


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("convert-tile-to-vx", "pass 'convert-tile-to-vx' is not available"),
        ("no-such-pass", "unknown pass 'no-such-pass'"),
        ("convert-nn-to-tile{bogus=1}", "pass 'convert-nn-to-tile': unknown option 'bogus'"),
        ("convert-nn-to-tile{", "malformed pass pipeline"),
    ],
)
def test_stage_errors_are_one_clear_message(spec: str, message: str) -> None:
    from vexa.universe import get_all_passes

    if spec == "convert-tile-to-vx" and "convert-tile-to-vx" in get_all_passes():
        spec, message = "vx-not-a-pass", "unknown pass 'vx-not-a-pass'"
    with pytest.raises(VexaError, match="^" + message.replace("{", r"\{")):
        pipelines.build_passes(spec)


def test_run_pipeline_times_verifies_and_dumps() -> None:
    module = import_onnx(INPUTS / "conv_bn_relu.onnx")
    ticks = iter(range(100))
    result = pipelines.run_pipeline(
        module,
        pipelines.nn_to_tile("vx128"),
        dump_after={"convert-nn-to-tile"},
        timer=lambda: float(next(ticks)),
    )
    assert list(result.times) == ["convert-nn-to-tile", "tile-plan-memory"]
    assert all(t == 1.0 for t in result.times.values())  # one tick per stage
    assert list(result.dumps) == ["convert-nn-to-tile"]
    assert "tile.kernel" in result.dumps["convert-nn-to-tile"]
    assert "tile.dram_bytes" not in result.dumps["convert-nn-to-tile"]  # before planning
    assert "tile.dram_bytes" in str(module)


def test_run_pipeline_replays_the_same_ir_as_a_two_step_run() -> None:
    """A prefix of a pipeline, then the rest, equals the whole: stages are reproducible."""
    a = import_onnx(INPUTS / "conv_bn_relu.onnx")
    b = import_onnx(INPUTS / "conv_bn_relu.onnx")
    pipelines.run_pipeline(a, pipelines.nn_to_tile())
    pipelines.run_pipeline(b, "convert-nn-to-tile{target=vx128}")
    pipelines.run_pipeline(b, "tile-plan-memory")
    assert str(a) == str(b)


def _unlowered_model() -> bytes:
    """A one-node model of a form convert-nn-to-tile does not lower under its default
    element-types=f32 (ArgMax: int64 indices; only the tile engine's element-types=all
    has it)."""
    from onnx import TensorProto, helper

    node = helper.make_node("ArgMax", ["x"], ["y"], axis=1, keepdims=1, name="argmax1")
    graph = helper.make_graph(
        [node], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 8])],
        [helper.make_tensor_value_info("y", TensorProto.INT64, [2, 1])],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]).SerializeToString()


def test_failing_stage_is_named() -> None:
    module = import_onnx(_unlowered_model())
    with pytest.raises(pipelines.StageError) as info:
        pipelines.run_pipeline(module, pipelines.nn_to_tile())
    assert info.value.stage == "convert-nn-to-tile"
    assert str(info.value).startswith("convert-nn-to-tile: ")
    assert "argmax1" in str(info.value)


_VEXP = """builtin.module attributes {vx.target = "vx128"} {
  vx.data @x dram 256
  vx.data @y dram 256
  vx.io input @x : tensor<64xf32>
  vx.io output @y : tensor<64xf32>
  vx.func @main {
    %p = vx.li @x + 0 : !vx.reg loc("load")
    %q = vx.li @y + 0 : !vx.reg loc("load")
    %r:2 = vx.loop 2 iter_args(%a = %p, %b = %q) -> (!vx.reg, !vx.reg) {
      %v = vx.vld %a, 0 : (!vx.reg) -> !vx.vreg loc("exp1")
      %e = vx.exp.f32 %v : (!vx.vreg) -> !vx.vreg loc("exp1")
      vx.vst %e, %b, 0 : !vx.vreg, !vx.reg loc("exp1")
      %a2 = vx.addi %a, 128 : (!vx.reg) -> !vx.reg loc("exp1")
      %b2 = vx.addi %b, 128 : (!vx.reg) -> !vx.reg loc("exp1")
      vx.yield %a2, %b2 : !vx.reg, !vx.reg
    }
    vx.halt
  }
}
"""


def test_vx_stages_of_tile_to_vx_run_on_the_simulator(tmp_path: Path) -> None:
    """The vx half of tile_to_vx on hand-written virtual-register IR: expand exp, allocate,
    schedule, emit, assemble, simulate; exp(x) to 1e-6 and cycles attributed by tag."""
    from vexa.universe import get_all_passes

    stages = pipelines.stage_names(pipelines.tile_to_vx("vx128"))[1:]
    if any(s not in get_all_passes() for s in stages):
        pytest.skip(f"not all of {stages} are registered yet")
    import numpy as np

    from vexa.dialects.vx import emit_assembly, load_module
    from vexa.runtime.assembler import assemble
    from vexa.runtime.machine import run_program

    path = tmp_path / "vexp.mlir"
    path.write_text(_VEXP)
    module, _ = load_module(str(path))
    spec = ",".join(pipelines.tile_to_vx("vx128").split(",")[1:])
    result = pipelines.run_pipeline(module, spec, dump_after={"vx-allocate-registers"})
    assert list(result.times) == stages
    assert "vx.exp.f32" not in result.dumps["vx-allocate-registers"]
    x = np.linspace(-3, 3, 64).astype(np.float32)
    outs, stats = run_program(assemble(emit_assembly(module), "vx128"), "vx128", {"x": x})
    np.testing.assert_allclose(outs["y"], np.exp(x), rtol=1e-6)
    assert set(stats.cycles_by_tag) == {"load", "exp1"}
    assert sum(stats.cycles_by_tag.values()) == stats.cycles
