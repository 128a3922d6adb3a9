"""convert-tile-to-vx's software-pipelined loops: the conv micro-kernel's input-channel
loop (and its blocking of output channels) and the scalar word copies, checked against
onnxruntime, and the packing of their loop bodies after vx-schedule (vx128: two FMAs a
packet, one store a packet)."""

from __future__ import annotations

import re

import onnx
import pytest
from onnx import helper
from test_convert_tile_to_vx import _check, _conv, _f32, _model, _rand, import_model

from vexa.dialects.vx import emit_assembly
from vexa.lowering import pipelines
from vexa.lowering.convert_tile_to_vx import Buf, _carried, _Lowerer
from vexa.runtime.target import load_target

pytest.importorskip("onnxruntime")


def test_carried_loads() -> None:
    """vx128 multiplies two vectors a packet and loads two broadcasts or one unaligned
    vector a packet, two cycles late: of an 8-row, 2-vector step (vector-major FMAs:
    vector 0 with weights 0..7, then vector 1), the first vector and the first four
    weights must come from the iteration before; the others load in time in the body."""
    t = load_target("vx128")
    first_use = [0, 8, *range(8)]  # x0, x1, w0..w7
    carried = _carried(first_use, ["vldu"] * 2 + ["vld"] * 8, t)
    assert carried == [True, False, True, True, True, True, False, False, False, False]
    # a single product needs both operands at once: both carried
    assert _carried([0, 0], ["vldu", "vld"], t) == [True, True]


def test_overread_stays_in_vtcm() -> None:
    """The pipelined loop's one extra round of loads must stay inside the VTCM."""
    t = load_target("vx128")
    low = _Lowerer(t, {})
    low.vtcm_plan = t.vtcm_bytes - 4096
    x = Buf("vtcm_arena", 0, (1024,))
    assert low._overread_ok((x, 4096))
    assert not low._overread_ok((x, 4097))
    assert not low._overread_ok((Buf("w", 0, (16,)), 4))  # a DRAM symbol: never


@pytest.mark.parametrize(
    "cfg", [(16, 13, 10, 10, 1, 0), (16, 16, 4, 128, 1, 0), (32, 16, 4, 64, 1, 0),
            (8, 16, 12, 12, 3, 1), (8, 13, 10, 100, 3, 1), (5, 3, 9, 70, 3, 1)],
    ids=["1x1-blocks-5-4-4", "1x1-4x4", "1x1-8x2", "3x3-8x2", "3x3-5x4-blocks", "3x3-rows3"])
def test_pipelined_conv(cfg: tuple[int, ...]) -> None:
    C, Co, H, W, k, pad = cfg
    _check(_conv(C, Co, H, W, k, pad), {"x": _rand(1, C, H, W)}, "vx128")


def _channel_loops(asm: str) -> list[tuple[int, int]]:
    """(packets, vfma instructions) of each innermost loop body holding FMAs."""
    out = []
    for m in re.finditer(r"loopi? \w+, (\w+_end)\n", asm):
        body = asm[m.end():asm.index("\n" + m.group(1) + ":", m.end())]
        if "loop" not in body and "vfma" in body:
            out.append((body.count("\n") + 1, body.count("vfma")))
    return out


@pytest.mark.parametrize("cfg", [(16, 16, 4, 128, 1, 0), (32, 16, 4, 64, 1, 0),
                                 (8, 16, 12, 12, 3, 1)], ids=["1x1-4x4", "1x1-8x2", "3x3-8x2"])
def test_channel_loop_is_packed(cfg: tuple[int, ...]) -> None:
    """Two FMAs in every packet of the channel loop: the loads of the next channel (and
    of the next tap) overlap the FMAs, and the pointer steps take no packet of their own."""
    module = import_model(_conv(*cfg))
    pipelines.run_pipeline(module, [pipelines.nn_to_tile("vx128"),
                                    pipelines.tile_to_vx("vx128")])
    loops = _channel_loops(emit_assembly(module, "vx128"))
    assert loops
    for packets, fmas in loops:
        assert packets * 2 == fmas, loops


def _maxpool(C: int, H: int, W: int) -> onnx.ModelProto:
    return _model([helper.make_node("MaxPool", ["x"], ["y"], name="pool", kernel_shape=[3, 3],
                                    strides=[2, 2], pads=[1, 1, 1, 1])],
                  [_f32("x", [1, C, H, W])], [_f32("y", [1, C, H // 2, W // 2])], [])


def test_scalar_copies_one_word_a_packet() -> None:
    """The scalar word copies (here a strided max pool's phase split) are software-
    pipelined: the loops copy one word a packet, and the pool still matches onnxruntime."""
    model = _maxpool(2, 8, 64)
    _check(model, {"x": _rand(1, 2, 8, 64)}, "vx128")
    module = import_model(model)
    pipelines.run_pipeline(module, [pipelines.nn_to_tile("vx128"),
                                    pipelines.tile_to_vx("vx128")])
    asm = emit_assembly(module, "vx128")
    loops = []
    for m in re.finditer(r"loopi? \w+, (\w+_end)\n", asm):
        body = asm[m.end():asm.index("\n" + m.group(1) + ":", m.end())]
        if "loop" not in body and re.search(r"\bst r", body):
            loops.append((body.count("\n") + 1, len(re.findall(r"\bst r", body))))
    assert loops
    assert all(packets == words for packets, words in loops), loops
