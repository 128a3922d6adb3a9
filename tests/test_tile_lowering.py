"""convert-nn-to-tile + tile-plan-memory, checked numerically: the tile interpreter (running
in the planned DRAM/VTCM arenas, so a bad memory plan corrupts results) must match the nn
interpreter on small models, for several targets and forced tile sizes."""

from __future__ import annotations

import importlib.util
import os
from typing import Any

import numpy as np
import pytest
from xdsl.context import Context
from xdsl.dialect_interfaces.op_asm import OpAsmDialectInterface
from xdsl.dialects import get_all_dialects as xdsl_dialects
from xdsl.dialects.builtin import DenseResourceAttr, ModuleOp
from xdsl.parser import Parser
from xdsl.passes import PassPipeline
from xdsl.utils.exceptions import DiagnosticException

from vexa.dialects import tile
from vexa.passes.tile_plan_memory import plan_report
from vexa.runtime import nn_interpreter, tile_interpreter
from vexa.runtime.resources import ResourceTable, attach_resources
from vexa.universe import get_all_dialects, get_all_passes

HERE = os.path.dirname(__file__)
SMALL_TARGET = os.path.join(HERE, "filecheck", "inputs", "vx_256k.toml")


def make_context() -> Context:
    ctx = Context()
    for name, factory in xdsl_dialects().items():
        ctx.register_dialect(name, factory)
    for name, factory in get_all_dialects().items():
        if name not in ctx.registered_dialect_names:
            ctx.register_dialect(name, factory)
    return ctx


def parse(text: str) -> ModuleOp:
    """Parse nn IR; forget earlier dense_resource handles first (xDSL keeps them in a
    process-global table and renames a repeated `w` to `w_0`, which would no longer match
    the weights given to the test)."""
    ctx = make_context()
    iface = ctx.get_dialect("builtin").get_interface(OpAsmDialectInterface)
    if iface is not None:
        iface._blob_storage.clear()  # noqa: SLF001
    return Parser(ctx, text).parse_module()


def lower(module: ModuleOp, spec: str) -> ModuleOp:
    ctx = make_context()
    PassPipeline.parse_spec(get_all_passes(), spec).apply(ctx, module)
    module.verify()
    return module


def check(
    text: str,
    weights: dict[str, np.ndarray],
    inputs: list[np.ndarray],
    spec: str,
    rtol: float = 1e-4,
) -> ModuleOp:
    module = parse(text)
    attach_resources(module, ResourceTable(weights))
    want = nn_interpreter.interpret(module, inputs)
    lowered = lower(module, spec + ",tile-plan-memory")
    got = tile_interpreter.interpret(lowered, inputs)
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=rtol, atol=rtol * max(1.0, float(np.abs(w).max())))
    return lowered


def rand(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed + sum(shape)).standard_normal(shape).astype(np.float32)


def ty(*shape: int) -> str:
    return "tensor<" + "x".join(map(str, shape)) + "xf32>"


SPECS = [
    "convert-nn-to-tile",
    "convert-nn-to-tile{target=vx64}",
    f'convert-nn-to-tile{{target="{SMALL_TARGET}"}}',
    "convert-nn-to-tile{target=vx64 tile-co=3 tile-h=3 tile-ci=2 tile-c=3}",
    "convert-nn-to-tile{double-buffer=false fuse=false tile-h=2}",
]


def conv_text(
    c: int, co: int, h: int, k: int, s: int, p: int, group: int = 1, dil: int = 1, bias: bool = True
) -> str:
    ho = (h + 2 * p - dil * (k - 1) - 1) // s + 1
    b = ", %b" if bias else ""
    bt = f", {ty(co)}" if bias else ""
    return f"""
func.func @main(%x: {ty(1, c, h, h)}) -> {ty(1, co, ho, ho)} {{
  %w = nn.constant dense_resource<w> : {ty(co, c // group, k, k)}
  %b = nn.constant dense_resource<b> : {ty(co)}
  %y = nn.conv %x, %w{b} {{kernel_shape = array<i64: {k}, {k}>, strides = array<i64: {s}, {s}>, pads = array<i64: {p}, {p}, {p}, {p}>, dilations = array<i64: {dil}, {dil}>, group = {group} : i64}} : ({ty(1, c, h, h)}, {ty(co, c // group, k, k)}{bt}) -> {ty(1, co, ho, ho)} loc("conv")
  %r = nn.relu %y : {ty(1, co, ho, ho)} loc("relu")
  func.return %r : {ty(1, co, ho, ho)}
}}"""


@pytest.mark.parametrize("spec", SPECS)
@pytest.mark.parametrize(
    "c,co,h,k,s,p,group,dil",
    [
        (8, 16, 12, 3, 1, 1, 1, 1),
        (3, 8, 15, 7, 2, 3, 1, 1),
        (6, 6, 9, 3, 1, 1, 6, 1),  # depthwise
        (8, 12, 8, 3, 2, 1, 2, 1),  # grouped
        (4, 4, 10, 3, 1, 2, 1, 2),  # dilated
    ],
)
def test_conv(
    spec: str, c: int, co: int, h: int, k: int, s: int, p: int, group: int, dil: int
) -> None:
    w = {"w": rand(co, c // group, k, k), "b": rand(co)}
    check(conv_text(c, co, h, k, s, p, group, dil), w, [rand(1, c, h, h)], spec)


RESIDUAL = f"""
func.func @main(%x: {ty(1, 8, 10, 10)}) -> {ty(1, 8, 10, 10)} {{
  %w = nn.constant dense_resource<w> : {ty(8, 8, 3, 3)}
  %s = nn.constant dense_resource<s> : {ty(8)}
  %bb = nn.constant dense_resource<bb> : {ty(8)}
  %m = nn.constant dense_resource<m> : {ty(8)}
  %v = nn.constant dense_resource<v> : {ty(8)}
  %y = nn.conv %x, %w {{kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64}} : ({ty(1, 8, 10, 10)}, {ty(8, 8, 3, 3)}) -> {ty(1, 8, 10, 10)} loc("conv")
  %n = nn.batch_normalization %y, %s, %bb, %m, %v {{epsilon = 9.99999974E-6 : f32}} : ({ty(1, 8, 10, 10)}, {ty(8)}, {ty(8)}, {ty(8)}, {ty(8)}) -> {ty(1, 8, 10, 10)} loc("bn")
  %a = nn.sum %n, %x : ({ty(1, 8, 10, 10)}, {ty(1, 8, 10, 10)}) -> {ty(1, 8, 10, 10)} loc("sum")
  %r = nn.relu %a : {ty(1, 8, 10, 10)} loc("relu")
  func.return %r : {ty(1, 8, 10, 10)}
}}"""


@pytest.mark.parametrize("spec", SPECS[:3] + SPECS[4:])
def test_conv_batchnorm_residual_fused(spec: str) -> None:
    w = {
        "w": rand(8, 8, 3, 3),
        "s": rand(8),
        "bb": rand(8),
        "m": rand(8),
        "v": np.abs(rand(8)) + 0.5,
    }
    lowered = check(RESIDUAL, w, [rand(1, 8, 10, 10)], spec)
    kernels = [op for op in lowered.walk() if isinstance(op, tile.KernelOp)]
    assert len(kernels) == (1 if "fuse=false" not in spec else 4)
    handles = [
        op.value.resource_handle.data
        for op in lowered.walk()
        if isinstance(op, tile.ConstantOp) and isinstance(op.value, DenseResourceAttr)
    ]
    if "fuse=false" not in spec:  # batch norm folded into the conv weights and bias
        assert any(h.startswith("conv_w_bn") for h in handles) and "w" not in handles


POOLS = f"""
func.func @main(%x: {ty(1, 5, 11, 11)}) -> ({ty(1, 5, 6, 6)}, {ty(1, 5, 6, 6)}, {ty(1, 5, 1, 1)}, {ty(1, 5, 1, 1)}) {{
  %a = nn.max_pool %x {{kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = 0 : i64}} : ({ty(1, 5, 11, 11)}) -> {ty(1, 5, 6, 6)} loc("maxpool")
  %b = nn.average_pool %x {{kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = 0 : i64, count_include_pad = 0 : i64}} : ({ty(1, 5, 11, 11)}) -> {ty(1, 5, 6, 6)} loc("avgpool")
  %c = nn.global_average_pool %x : ({ty(1, 5, 11, 11)}) -> {ty(1, 5, 1, 1)} loc("gap")
  %d = nn.global_max_pool %x : ({ty(1, 5, 11, 11)}) -> {ty(1, 5, 1, 1)} loc("gmp")
  func.return %a, %b, %c, %d : {ty(1, 5, 6, 6)}, {ty(1, 5, 6, 6)}, {ty(1, 5, 1, 1)}, {ty(1, 5, 1, 1)}
}}"""


CEIL_POOL = f"""
func.func @main(%x: {ty(1, 3, 10, 10)}) -> ({ty(1, 3, 5, 5)}, {ty(1, 3, 5, 5)}) {{
  %a = nn.max_pool %x {{kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = 1 : i64}} : ({ty(1, 3, 10, 10)}) -> {ty(1, 3, 5, 5)} loc("maxpool")
  %b = nn.average_pool %x {{kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = 1 : i64, count_include_pad = 0 : i64}} : ({ty(1, 3, 10, 10)}) -> {ty(1, 3, 5, 5)} loc("avgpool")
  func.return %a, %b : {ty(1, 3, 5, 5)}, {ty(1, 3, 5, 5)}
}}"""


@pytest.mark.parametrize("spec", SPECS)
def test_pools(spec: str) -> None:
    check(POOLS, {}, [rand(1, 5, 11, 11)], spec)
    check(CEIL_POOL, {}, [rand(1, 3, 10, 10)], spec)


CLASSIFIER = f"""
func.func @main(%x: {ty(1, 16, 3, 3)}) -> {ty(1, 10)} {{
  %w = nn.constant dense_resource<w> : {ty(10, 16)}
  %b = nn.constant dense_resource<b> : {ty(10)}
  %g = nn.global_average_pool %x : ({ty(1, 16, 3, 3)}) -> {ty(1, 16, 1, 1)} loc("gap")
  %f = nn.flatten %g {{axis = 1 : i64}} : ({ty(1, 16, 1, 1)}) -> {ty(1, 16)} loc("flatten")
  %d = nn.dropout %f : {ty(1, 16)} loc("drop")
  %y = nn.gemm %d, %w, %b {{alpha = 1.000000e+00 : f32, beta = 1.000000e+00 : f32, trans_a = 0 : i64, trans_b = 1 : i64}} : ({ty(1, 16)}, {ty(10, 16)}, {ty(10)}) -> {ty(1, 10)} loc("fc")
  %s = nn.softmax %y {{axis = 1 : i64}} : {ty(1, 10)} loc("prob")
  func.return %s : {ty(1, 10)}
}}"""


@pytest.mark.parametrize("spec", SPECS + ["convert-nn-to-tile{tile-n=4 tile-k=8}"])
def test_classifier_head(spec: str) -> None:
    check(CLASSIFIER, {"w": rand(10, 16), "b": rand(10)}, [rand(1, 16, 3, 3)], spec)


MATMULS = f"""
func.func @main(%a: {ty(2, 5, 12)}, %b: {ty(12, 7)}, %c: {ty(7, 5)}) -> ({ty(2, 5, 7)}, {ty(5, 5)}) {{
  %y = nn.mat_mul %a, %b : ({ty(2, 5, 12)}, {ty(12, 7)}) -> {ty(2, 5, 7)} loc("mm")
  %z = nn.gemm %c, %c {{alpha = 5.000000e-01 : f32, beta = 1.000000e+00 : f32, trans_a = 1 : i64, trans_b = 0 : i64}} : ({ty(7, 5)}, {ty(7, 5)}) -> {ty(5, 5)} loc("gemm")
  func.return %y, %z : {ty(2, 5, 7)}, {ty(5, 5)}
}}"""


@pytest.mark.parametrize("spec", SPECS + ["convert-nn-to-tile{tile-m=2 tile-n=3 tile-k=4}"])
def test_matmul(spec: str) -> None:
    check(MATMULS, {}, [rand(2, 5, 12), rand(12, 7), rand(7, 5)], spec)


NORMS = f"""
func.func @main(%x: {ty(2, 6, 8)}, %y: {ty(1, 7, 4, 5)}) -> ({ty(2, 6, 8)}, {ty(1, 7, 4, 5)}, {ty(2, 6, 8)}) {{
  %s = nn.constant dense_resource<s> : {ty(8)}
  %b = nn.constant dense_resource<b> : {ty(8)}
  %n = nn.layer_normalization %x, %s, %b {{axis = -1 : i64, epsilon = 9.99999974E-6 : f32}} : ({ty(2, 6, 8)}, {ty(8)}, {ty(8)}) -> {ty(2, 6, 8)} loc("ln")
  %l = nn.lrn %y {{alpha = 9.99999974E-5 : f32, beta = 7.500000e-01 : f32, bias = 1.000000e+00 : f32, size = 3 : i64}} : {ty(1, 7, 4, 5)} loc("lrn")
  %m = nn.softmax %x {{axis = 1 : i64}} : {ty(2, 6, 8)} loc("softmax")
  func.return %n, %l, %m : {ty(2, 6, 8)}, {ty(1, 7, 4, 5)}, {ty(2, 6, 8)}
}}"""


@pytest.mark.parametrize("spec", SPECS)
def test_normalizations(spec: str) -> None:
    check(NORMS, {"s": rand(8), "b": rand(8)}, [rand(2, 6, 8), rand(1, 7, 4, 5) * 10], spec)


MOVES = f"""
func.func @main(%x: {ty(1, 4, 3, 5)}, %y: {ty(1, 2, 3, 5)}, %z: {ty(5)}) -> ({ty(1, 3, 5, 6)}, {ty(1, 6, 15)}) {{
  %c = nn.concat %x, %y {{axis = 1 : i64}} : ({ty(1, 4, 3, 5)}, {ty(1, 2, 3, 5)}) -> {ty(1, 6, 3, 5)} loc("concat")
  %m = nn.mul %c, %z : ({ty(1, 6, 3, 5)}, {ty(5)}) -> {ty(1, 6, 3, 5)} loc("mul")
  %t = nn.transpose %m {{perm = array<i64: 0, 2, 3, 1>}} : ({ty(1, 6, 3, 5)}) -> {ty(1, 3, 5, 6)} loc("transpose")
  %r = nn.reshape %c {{shape = array<i64: 1, 6, 15>}} : ({ty(1, 6, 3, 5)}) -> {ty(1, 6, 15)} loc("reshape")
  func.return %t, %r : {ty(1, 3, 5, 6)}, {ty(1, 6, 15)}
}}"""


@pytest.mark.parametrize("spec", SPECS)
def test_data_movement(spec: str) -> None:
    check(MOVES, {}, [rand(1, 4, 3, 5), rand(1, 2, 3, 5), rand(5)], spec)


def test_unsupported_op_is_a_located_error() -> None:
    text = f"""
func.func @main(%x: {ty(2, 3)}) -> {ty(2, 1)} {{
  %v, %k = nn.top_k %x {{axis = 1 : i64, k = 1 : i64, largest = 1 : i64, sorted = 1 : i64}} : ({ty(2, 3)}) -> ({ty(2, 1)}, tensor<2x1xi64>) loc("tk")
  func.return %v : {ty(2, 1)}
}}"""
    module = parse(text)
    before = str(module)
    # element-types=f32 (the default) lowers only what convert-tile-to-vx takes
    with pytest.raises(DiagnosticException, match=r'loc\("tk"\): error: cannot lower nn.top_k'):
        lower(module, "convert-nn-to-tile")
    assert str(module) == before  # left unconverted


def _vtcm_ok(module: ModuleOp, capacity: int) -> None:
    kernels = [op for op in module.walk() if isinstance(op, tile.KernelOp)]
    assert kernels
    for k in kernels:
        assert k.vtcm_bytes is not None and k.vtcm_bytes.value.data <= capacity


@pytest.mark.parametrize("target,capacity", [("vx128", 4 << 20), (SMALL_TARGET, 256 << 10)])
def test_no_kernel_oversubscribes_vtcm(target: str, capacity: int) -> None:
    # a ResNet-sized layer: 256 -> 256 channels, 3x3, 28x28 (2.3 MiB of weights)
    text = conv_text(256, 256, 28, 3, 1, 1)
    module = parse(text)
    attach_resources(module, ResourceTable({"w": rand(256, 256, 3, 3), "b": rand(256)}))
    lowered = lower(module, f'convert-nn-to-tile{{target="{target}"}},tile-plan-memory')
    _vtcm_ok(lowered, capacity)
    assert plan_report(lowered)["vtcm_capacity"] == capacity


def _variants() -> Any:
    """scripts/make_light_variants.py: seeded random weights for the light networks (their
    shipped constant weights make every channel equal and the softmax ill-conditioned)."""
    path = os.path.join(HERE, "..", "scripts", "make_light_variants.py")
    spec = importlib.util.spec_from_file_location("make_light_variants", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["squeezenet", "shufflenet"])
def test_light_network_matches_nn_interpreter(name: str) -> None:
    importer = pytest.importorskip("vexa.lowering.import_onnx")
    module = importer.import_onnx(str(_variants().variant_path(name, seed=0)))
    fn = nn_interpreter._find_main(module)  # noqa: SLF001 - the input shape of the graph
    shape = fn.body.block.args[0].type.get_shape()
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    want = nn_interpreter.interpret(module, [x])
    lowered = lower(module, f'convert-nn-to-tile{{target="{SMALL_TARGET}"}},tile-plan-memory')
    got = tile_interpreter.interpret(lowered, [x])
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-3, atol=1e-4)
    _vtcm_ok(lowered, 256 << 10)


VECTOR_MATMUL = f"""
func.func @main(%v: {ty(12)}, %b: {ty(12, 7)}, %a: {ty(3, 12)}, %c: {ty(3, 7)}) -> ({ty(7)}, {ty(3)}, {ty(3, 7)}) {{
  %y = nn.mat_mul %v, %b : ({ty(12)}, {ty(12, 7)}) -> {ty(7)} loc("vm")
  %z = nn.mat_mul %a, %v : ({ty(3, 12)}, {ty(12)}) -> {ty(3)} loc("mv")
  %g = nn.gemm %a, %b, %c {{alpha = 2.000000e+00 : f32, beta = 5.000000e-01 : f32, trans_a = 0 : i64, trans_b = 0 : i64}} : ({ty(3, 12)}, {ty(12, 7)}, {ty(3, 7)}) -> {ty(3, 7)} loc("gemm")
  func.return %y, %z, %g : {ty(7)}, {ty(3)}, {ty(3, 7)}
}}"""


@pytest.mark.parametrize("spec", SPECS[:2])
def test_matmul_vectors_and_gemm_scaling(spec: str) -> None:
    check(VECTOR_MATMUL, {}, [rand(12), rand(12, 7), rand(3, 12), rand(3, 7)], spec)


CONCATS = f"""
func.func @main(%x: {ty(1, 4, 6, 6)}) -> ({ty(1, 12, 6, 6)}, {ty(2, 1, 8)}, {ty(1, 8, 1, 1)}) {{
  %a = nn.relu %x : {ty(1, 4, 6, 6)} loc("a")
  %b = nn.sigmoid %x : {ty(1, 4, 6, 6)} loc("b")
  %c1 = nn.concat %a, %b {{axis = 1 : i64}} : ({ty(1, 4, 6, 6)}, {ty(1, 4, 6, 6)}) -> {ty(1, 8, 6, 6)} loc("cat1")
  %d = nn.max_pool %c1 {{kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = 0 : i64}} : ({ty(1, 8, 6, 6)}) -> {ty(1, 8, 6, 6)} loc("pool")
  %e = nn.global_max_pool %d : ({ty(1, 8, 6, 6)}) -> {ty(1, 8, 1, 1)} loc("gmp")
  %c2 = nn.concat %c1, %x {{axis = 1 : i64}} : ({ty(1, 8, 6, 6)}, {ty(1, 4, 6, 6)}) -> {ty(1, 12, 6, 6)} loc("cat2")
  %p = nn.reshape %e {{shape = array<i64: 2, 4, 1>}} : ({ty(1, 8, 1, 1)}) -> {ty(2, 4, 1)} loc("r")
  %t = nn.transpose %p {{perm = array<i64: 0, 2, 1>}} : ({ty(2, 4, 1)}) -> {ty(2, 1, 4)} loc("t")
  %u = nn.concat %t, %t {{axis = 2 : i64}} : ({ty(2, 1, 4)}, {ty(2, 1, 4)}) -> {ty(2, 1, 8)} loc("cat3")
  func.return %c2, %u, %e : {ty(1, 12, 6, 6)}, {ty(2, 1, 8)}, {ty(1, 8, 1, 1)}
}}"""


@pytest.mark.parametrize("spec", SPECS[:3] + ["convert-nn-to-tile{inplace-concat=false}"])
def test_concat_in_place(spec: str) -> None:
    """Kernel outputs are written into their slice of a (nested) concat; a function
    argument and a non-contiguous concat (axis 2 of 2x1x4) are copied by DMA."""
    lowered = check(CONCATS, {}, [rand(1, 4, 6, 6)], spec)
    views = [
        op for op in lowered.walk() if isinstance(op, tile.ViewOp) and op.element_offset is not None
    ]
    assert len(views) == (0 if "inplace" in spec else 3)  # %a, %b into %c1, %c1 into %c2


@pytest.mark.parametrize(
    "src,dst,sizes",
    [
        ((64, 64), (8, 64), (8, 64)),  # whole rows: one 1-D copy
        ((1, 64, 56, 56), (1, 16, 10, 58), (1, 16, 10, 56)),  # rows of 56 into a padded tile
        ((1, 8, 6, 6), (1, 8, 6, 6), (1, 8, 6, 6)),
        ((2, 5, 12), (1, 4, 6), (1, 4, 6)),
        ((1, 4, 6, 3, 2), (1, 4, 6, 3, 1), (1, 4, 6, 3, 1)),  # every other column
        ((1, 4, 3, 2, 6), (1, 4, 3, 1, 6), (1, 4, 3, 1, 6)),  # every other row
        ((3, 1, 5, 2), (3, 1, 5, 1), (2, 1, 4, 1)),  # part of the columns, a dim of one
    ],
)
def test_dma_plan_covers_the_box(
    src: tuple[int, ...], dst: tuple[int, ...], sizes: tuple[int, ...]
) -> None:
    """Replaying the 1-D/2-D descriptors byte by byte moves exactly the box."""
    plan = tile.dma_plan(src, dst, sizes, 4)
    a = np.arange(int(np.prod(src)), dtype=np.float32).reshape(src)
    want = np.zeros(dst, np.float32)
    tile_interpreter.dma_copy(a, [0] * len(src), want, [0] * len(dst), sizes)
    sb, db = a.view(np.uint8).reshape(-1), np.zeros(want.nbytes, np.uint8)
    bases = [(0, 0)]
    for count, ss, ds in plan.outer:
        bases = [(s0 + i * ss, d0 + i * ds) for s0, d0 in bases for i in range(count)]
    assert len(bases) == plan.descriptors
    for s0, d0 in bases:
        for r in range(plan.rows):
            s1, d1 = s0 + r * plan.src_stride, d0 + r * plan.dst_stride
            db[d1 : d1 + plan.row_bytes] = sb[s1 : s1 + plan.row_bytes]
    np.testing.assert_array_equal(db.view(np.float32).reshape(dst), want)


def test_dma_plan_merges_dims_that_continue_their_rows() -> None:
    """The columns of a stepped slice over whole rows are one descriptor of stride 8 (not
    one per row and channel); rows of whole runs at a stride merge the same way."""
    cols = tile.dma_plan((1, 4, 6, 3, 2), (1, 4, 6, 3, 1), (1, 4, 6, 3, 1), 4)
    assert (cols.row_bytes, cols.rows, cols.src_stride, cols.dst_stride, cols.outer) == (
        4, 72, 8, 4, ())
    rows = tile.dma_plan((1, 4, 3, 2, 6), (1, 4, 3, 1, 6), (1, 4, 3, 1, 6), 4)
    assert (rows.row_bytes, rows.rows, rows.src_stride, rows.descriptors) == (24, 12, 48, 1)


def test_interpreter_traps_a_missing_dma_wait() -> None:
    """The interpreter runs DMA eagerly, so it checks the waits instead: dropping the wait
    of the double-buffered input makes the compute op race with its prefetch."""
    module = parse(conv_text(8, 16, 12, 3, 1, 1))
    attach_resources(module, ResourceTable({"w": rand(16, 8, 3, 3), "b": rand(16)}))
    lowered = lower(module, "convert-nn-to-tile{tile-h=4}")
    loop = next(op for op in lowered.walk() if isinstance(op, tile.ForOp))
    wait = next(op for op in loop.body.block.ops if isinstance(op, tile.DmaWaitOp))
    wait.detach()
    wait.erase()
    with pytest.raises(tile_interpreter.DmaHazardError, match='loc\\("conv"\\): tile.conv reads'):
        tile_interpreter.interpret(lowered, [rand(1, 8, 12, 12)])


SLICE_PAD = f"""
func.func @main(%x: {ty(2, 6, 5)}) -> ({ty(2, 3, 5)}, {ty(2, 9, 4)}) {{
  %s = nn.slice %x {{starts = array<i64: 2>, ends = array<i64: 5>, axes = array<i64: 1>, steps = array<i64: 1>}} : ({ty(2, 6, 5)}) -> {ty(2, 3, 5)} loc("slice")
  %p = nn.pad %x {{pads = array<i64: 0, 1, 0, 0, 2, -1>, mode = "constant", constant_value = 1.500000e+00 : f32}} : ({ty(2, 6, 5)}) -> {ty(2, 9, 4)} loc("pad")
  %r = nn.relu %p : {ty(2, 9, 4)} loc("relu")
  func.return %s, %r : {ty(2, 3, 5)}, {ty(2, 9, 4)}
}}"""


@pytest.mark.parametrize("spec", SPECS[:2] + ["convert-nn-to-tile{fuse=false}"])
def test_slice_and_pad(spec: str) -> None:
    check(SLICE_PAD, {}, [rand(2, 6, 5)], spec)


# ops added after the light networks: unary activations fused after a matmul, pow with a
# broadcast exponent, reductions (rank-dropping and keepdims, several tiles on the small
# target), log-softmax on axis 0, expand, split and a 1-D conv.
MORE_OPS = f"""
func.func @main(%x: {ty(64, 96, 40)}, %a: {ty(24, 48)}, %b: {ty(48, 32)}, %e: {ty(32)}, %c: {ty(2, 8, 30)}) -> ({ty(64, 40)}, {ty(1, 96, 1)}, {ty(64, 96, 1)}, {ty(24, 32)}, {ty(64, 96, 40)}, {ty(3, 24, 32)}, {ty(24, 12)}, {ty(24, 36)}, {ty(2, 6, 15)}) {{
  %l2 = nn.reduce_l2 %x {{axes = array<i64: 1>, keepdims = 0 : i64}} : ({ty(64, 96, 40)}) -> {ty(64, 40)} loc("l2")
  %mn = nn.reduce_min %x {{axes = array<i64: 0, 2>, keepdims = 1 : i64}} : ({ty(64, 96, 40)}) -> {ty(1, 96, 1)} loc("min")
  %ls = nn.reduce_log_sum_exp %x {{axes = array<i64: 2>, keepdims = 1 : i64}} : ({ty(64, 96, 40)}) -> {ty(64, 96, 1)} loc("lse")
  %m = nn.mat_mul %a, %b : ({ty(24, 48)}, {ty(48, 32)}) -> {ty(24, 32)} loc("mm")
  %g = nn.gelu %m {{approximate = "tanh"}} : {ty(24, 32)} loc("gelu")
  %s = nn.softplus %g : {ty(24, 32)} loc("softplus")
  %p = nn.pow %s, %e : ({ty(24, 32)}, {ty(32)}) -> {ty(24, 32)} loc("pow")
  %lsm = nn.log_softmax %x {{axis = 0 : i64}} : {ty(64, 96, 40)} loc("lsm")
  %ex = nn.expand %p {{shape = array<i64: 3, 1, 1>}} : ({ty(24, 32)}) -> {ty(3, 24, 32)} loc("expand")
  %s1, %s2 = nn.split %a {{axis = 1 : i64, split = array<i64: 12, 36>}} : ({ty(24, 48)}) -> ({ty(24, 12)}, {ty(24, 36)}) loc("split")
  %w = nn.constant dense_resource<w> : {ty(6, 8, 5)}
  %cv = nn.conv %c, %w {{kernel_shape = array<i64: 5>, strides = array<i64: 2>, pads = array<i64: 2, 1>, dilations = array<i64: 1>, group = 1 : i64}} : ({ty(2, 8, 30)}, {ty(6, 8, 5)}) -> {ty(2, 6, 15)} loc("conv1d")
  func.return %l2, %mn, %ls, %p, %lsm, %ex, %s1, %s2, %cv : {ty(64, 40)}, {ty(1, 96, 1)}, {ty(64, 96, 1)}, {ty(24, 32)}, {ty(64, 96, 40)}, {ty(3, 24, 32)}, {ty(24, 12)}, {ty(24, 36)}, {ty(2, 6, 15)}
}}"""


@pytest.mark.parametrize("spec", [SPECS[0], SPECS[2], SPECS[4]])
def test_more_ops(spec: str) -> None:
    e = np.abs(rand(32)) + 0.5  # pow of a softplus (positive) by a positive exponent
    inputs = [rand(64, 96, 40), rand(24, 48), rand(48, 32), e, rand(2, 8, 30)]
    lowered = check(MORE_OPS, {"w": rand(6, 8, 5)}, inputs, spec)
    if "vx_256k" in spec:  # the 960 KiB input cannot be one tile: several per reduction
        kernels = [k for k in lowered.walk() if isinstance(k, tile.KernelOp)]
        sizes = [k.attributes["tile_sizes"] for k in kernels if "tile_sizes" in k.attributes]
        assert (64, 1, 40) not in [tuple(s.get_values()) for s in sizes]  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- element types

ALL = "convert-nn-to-tile{element-types=all}"
ALL_SMALL = f'convert-nn-to-tile{{target="{SMALL_TARGET}" element-types=all}}'


def test_integer_and_bool_elementwise_match_the_reference_exactly() -> None:
    # Div truncates toward zero, Mod takes the divisor's sign, comparisons feed Where and
    # the logic ops; unsigned bytes shift logically and wrap under BitwiseNot
    text = """
func.func @main(%a: tensor<4x6xi32>, %b: tensor<6xi32>, %u: tensor<4x6xui8>, %s: tensor<4x6xui8>) -> (tensor<4x6xi32>, tensor<4x6xi32>, tensor<4x6xi1>, tensor<4x6xui8>) {
  %q = nn.div %a, %b : (tensor<4x6xi32>, tensor<6xi32>) -> tensor<4x6xi32>
  %m = nn.mod %a, %b {fmod = 0 : i64} : (tensor<4x6xi32>, tensor<6xi32>) -> tensor<4x6xi32>
  %lt = nn.less %q, %m : (tensor<4x6xi32>, tensor<4x6xi32>) -> tensor<4x6xi1>
  %w = nn.where %lt, %q, %m : (tensor<4x6xi1>, tensor<4x6xi32>, tensor<4x6xi32>) -> tensor<4x6xi32>
  %ge = nn.greater_or_equal %a, %b : (tensor<4x6xi32>, tensor<6xi32>) -> tensor<4x6xi1>
  %x = nn.xor %lt, %ge : (tensor<4x6xi1>, tensor<4x6xi1>) -> tensor<4x6xi1>
  %sh = nn.bit_shift %u, %s {direction = "RIGHT"} : (tensor<4x6xui8>, tensor<4x6xui8>) -> tensor<4x6xui8>
  %n = nn.bitwise_not %sh : tensor<4x6xui8>
  func.return %m, %w, %x, %n : tensor<4x6xi32>, tensor<4x6xi32>, tensor<4x6xi1>, tensor<4x6xui8>
}"""
    rng = np.random.default_rng(3)
    a = rng.integers(-50, 50, (4, 6)).astype(np.int32)
    b = np.array([3, -4, 7, -2, 5, -9], np.int32)
    u = rng.integers(0, 256, (4, 6)).astype(np.uint8)
    s = rng.integers(0, 8, (4, 6)).astype(np.uint8)
    check(text, {}, [a, b, u, s], ALL, rtol=0)


def test_casts_and_half_precision() -> None:
    # f32 -> i8 truncates, NaN -> bool is true, ui8 -> f32 reads unsigned, f16 arithmetic
    text = """
func.func @main(%x: tensor<8xf32>, %u: tensor<8xui8>, %h: tensor<8xf16>) -> (tensor<8xi8>, tensor<8xi1>, tensor<8xf32>, tensor<8xf16>) {
  %i = nn.cast %x {to = i8} : (tensor<8xf32>) -> tensor<8xi8>
  %b = nn.cast %x {to = i1} : (tensor<8xf32>) -> tensor<8xi1>
  %f = nn.cast %u {to = f32} : (tensor<8xui8>) -> tensor<8xf32>
  %e = nn.exp %h : tensor<8xf16>
  %y = nn.mul %e, %h : (tensor<8xf16>, tensor<8xf16>) -> tensor<8xf16>
  func.return %i, %b, %f, %y : tensor<8xi8>, tensor<8xi1>, tensor<8xf32>, tensor<8xf16>
}"""
    x = np.array([1.7, -1.7, 0.0, np.nan, 100.2, -0.4, 3.0, -99.9], np.float32)
    u = np.array([0, 1, 127, 128, 200, 255, 3, 9], np.uint8)
    h = np.linspace(-2, 2, 8).astype(np.float16)
    check(text, {}, [x, u, h], ALL, rtol=1e-3)


@pytest.mark.parametrize("spec", [ALL, ALL_SMALL])
def test_tiled_argmax_gather_cumsum_topk(spec: str) -> None:
    # large enough that the 256 KiB target needs several tiles of each kernel
    text = """
func.func @main(%x: tensor<256x300xf32>, %i: tensor<500xi64>, %c: tensor<128x200xi32>) -> (tensor<256xi64>, tensor<500x300xf32>, tensor<128x200xi32>, tensor<256x300xf32>, tensor<5x300xf32>, tensor<5x300xi64>) {
  %a = nn.arg_max %x {axis = 1 : i64, keepdims = 0 : i64, select_last_index = 0 : i64} : (tensor<256x300xf32>) -> tensor<256xi64>
  %g = nn.gather %x, %i {axis = 0 : i64} : (tensor<256x300xf32>, tensor<500xi64>) -> tensor<500x300xf32>
  %s = nn.cum_sum %c {axis = 1 : i64, exclusive = 0 : i64, reverse = 1 : i64} : tensor<128x200xi32>
  %h = nn.hardmax %x {axis = 0 : i64} : tensor<256x300xf32>
  %v, %k = nn.top_k %x {axis = 0 : i64, k = 5 : i64, largest = 1 : i64, sorted = 1 : i64} : (tensor<256x300xf32>) -> (tensor<5x300xf32>, tensor<5x300xi64>)
  func.return %a, %g, %s, %h, %v, %k : tensor<256xi64>, tensor<500x300xf32>, tensor<128x200xi32>, tensor<256x300xf32>, tensor<5x300xf32>, tensor<5x300xi64>
}"""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((256, 300)).astype(np.float32)
    i = rng.integers(-256, 256, 500).astype(np.int64)
    c = rng.integers(-1000, 1000, (128, 200)).astype(np.int32)
    lowered = check(text, {}, [x, i, c], spec, rtol=0)
    if spec == ALL_SMALL:
        steps = [
            op.ub.value.data for op in lowered.walk() if isinstance(op, tile.ForOp)
        ]
        assert max(steps) > 1  # tiled, not one whole-tensor step


@pytest.mark.parametrize(
    "spec",
    [
        "convert-nn-to-tile",
        f'convert-nn-to-tile{{target="{SMALL_TARGET}" tile-co=4 tile-h=3 tile-ci=2}}',
    ],
)
def test_conv3d_and_pool3d(spec: str) -> None:
    # padded, strided, dilated 3-D conv (a sum of 2-D convs over the depth taps, reduced
    # over input-channel tiles too when tile-ci splits them), then a 3-D average pool
    text = """
func.func @main(%x: tensor<1x4x7x9x8xf32>) -> tensor<1x6x2x3x4xf32> {
  %w = nn.constant dense_resource<w> : tensor<6x4x3x3x2xf32>
  %b = nn.constant dense_resource<b> : tensor<6xf32>
  %y = nn.conv %x, %w, %b {auto_pad = "NOTSET", dilations = array<i64: 2, 1, 1>, group = 1 : i64, kernel_shape = array<i64: 3, 3, 2>, pads = array<i64: 1, 1, 0, 1, 1, 1>, strides = array<i64: 1, 2, 1>} : (tensor<1x4x7x9x8xf32>, tensor<6x4x3x3x2xf32>, tensor<6xf32>) -> tensor<1x6x5x5x8xf32>
  %p = nn.average_pool %y {kernel_shape = array<i64: 2, 2, 2>, strides = array<i64: 2, 2, 2>, pads = array<i64: 0, 0, 0, 0, 1, 0>, dilations = array<i64: 1, 1, 1>, ceil_mode = 0 : i64, count_include_pad = 0 : i64} : (tensor<1x6x5x5x8xf32>) -> tensor<1x6x2x3x4xf32>
  func.return %p : tensor<1x6x2x3x4xf32>
}"""
    weights = {"w": rand(6, 4, 3, 3, 2), "b": rand(6)}
    check(text, weights, [rand(1, 4, 7, 9, 8, seed=1)], spec)
