"""convert-tile-to-vx end to end: small ONNX models through import, convert-nn-to-tile,
tile-plan-memory, convert-tile-to-vx, vx-expand-math, vx-allocate-registers, vx-schedule,
emit_assembly, assemble, and the simulator, compared with onnxruntime."""

from __future__ import annotations

from typing import Any

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from xdsl.dialects.builtin import ModuleOp

from vexa.dialects.vx import emit_assembly
from vexa.lowering import pipelines
from vexa.lowering.import_onnx import import_onnx as import_model
from vexa.runtime.assembler import assemble
from vexa.runtime.isa import Program
from vexa.runtime.machine import run_program

ort = pytest.importorskip("onnxruntime")


def compile_to_program(module: ModuleOp, target: str = "vx128") -> Program:
    """nn module -> assembled Program: nn_to_tile, tile_to_vx, emit, assemble."""
    pipelines.run_pipeline(module, [pipelines.nn_to_tile(target), pipelines.tile_to_vx(target)])
    return assemble(emit_assembly(module, target), target)


def _run(model: onnx.ModelProto, inputs: dict[str, np.ndarray], target: str) -> dict[str, Any]:
    module = import_model(model)
    prog = compile_to_program(module, target)
    outs, _ = run_program(prog, target, inputs)
    return outs


def _check(model: onnx.ModelProto, inputs: dict[str, np.ndarray], target: str) -> None:
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    want = sess.run(None, inputs)
    got = _run(model, inputs, target)
    for out, w in zip(model.graph.output, want, strict=True):
        np.testing.assert_allclose(
            np.asarray(got[out.name]).reshape(w.shape), w, rtol=1e-3, atol=1e-4
        )


def _model(nodes: list[Any], ins: list[Any], outs: list[Any], inits: list[Any]) -> onnx.ModelProto:
    g = helper.make_graph(nodes, "g", ins, outs, inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])


def _f32(name: str, shape: list[int]) -> Any:
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def _rand(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.RandomState(seed).randn(*shape).astype(np.float32)


def _mlp(M: int, K: int, N: int) -> onnx.ModelProto:
    W = numpy_helper.from_array(_rand(K, N, seed=1), "W")
    B = numpy_helper.from_array(_rand(N, seed=2), "B")
    return _model(
        [helper.make_node("MatMul", ["x", "W"], ["m"], name="mm"),
         helper.make_node("Add", ["m", "B"], ["a"], name="add"),
         helper.make_node("Relu", ["a"], ["y"], name="relu")],
        [_f32("x", [M, K])], [_f32("y", [M, N])], [W, B])


@pytest.mark.parametrize("target", ["vx128", "vx64"])
@pytest.mark.parametrize("mkn", [(4, 8, 33), (5, 16, 1), (3, 7, 31), (9, 20, 64)])
def test_matmul_add_relu(target: str, mkn: tuple[int, int, int]) -> None:
    M, K, N = mkn
    _check(_mlp(M, K, N), {"x": _rand(M, K)}, target)


@pytest.mark.parametrize("target", ["vx128", "vx64"])
def test_gemm_tiled_pipeline(target: str) -> None:
    """Large enough to be tiled into a software-pipelined tile.for."""
    _check(_mlp(64, 96, 80), {"x": _rand(64, 96)}, target)


@pytest.mark.parametrize("target", ["vx128", "vx64"])
@pytest.mark.parametrize("mkn", [(1, 2048, 10), (3, 37, 5), (2, 64, 33)])
def test_gemm_transposed_weights(target: str, mkn: tuple[int, int, int]) -> None:
    """Gemm with transB = 1 (a classifier head): tile.matmul transpose_b, a dot product
    per output (K = 37: a predicated last chunk)."""
    M, K, N = mkn
    W = numpy_helper.from_array(_rand(N, K, seed=1) * 0.1, "W")
    B = numpy_helper.from_array(_rand(N, seed=2), "B")
    model = _model([helper.make_node("Gemm", ["x", "W", "B"], ["y"], transB=1, name="fc")],
                   [_f32("x", [M, K])], [_f32("y", [M, N])], [W, B])
    _check(model, {"x": _rand(M, K)}, target)


def test_deep_loop_nests_stay_loops() -> None:
    """A tiled conv whose tile loop cannot get a hardware loop (its kernel takes both
    levels) becomes a branch loop: the code does not grow with the number of tiles
    (one output row per tile: 16 vs 64 tiles), and the result stays exact."""
    def program(h: int) -> Program:
        module = import_model(_conv(8, 16, h, 32, 3, 1))
        pipelines.run_pipeline(module, [pipelines.nn_to_tile("vx128", tile_h=1),
                                        pipelines.tile_to_vx("vx128")])
        return assemble(emit_assembly(module, "vx128"), "vx128")

    asm16, asm64 = program(16), program(64)
    assert len(asm16.code) == len(asm64.code)
    x = _rand(1, 8, 64, 32)
    outs, _ = run_program(asm64, "vx128", {"x": x})
    model = _conv(8, 16, 64, 32, 3, 1)
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    (want,) = sess.run(None, {"x": x})
    np.testing.assert_allclose(np.asarray(outs["y"]).reshape(want.shape), want, rtol=1e-3,
                               atol=1e-4)


@pytest.mark.parametrize("n", [1, 31, 33])
def test_elementwise_tails(n: int) -> None:
    model = _model(
        [helper.make_node("Mul", ["x", "z"], ["m"], name="mul"),
         helper.make_node("Sub", ["m", "z"], ["s"], name="sub"),
         helper.make_node("Exp", ["s"], ["y"], name="exp")],
        [_f32("x", [n]), _f32("z", [n])], [_f32("y", [n])], [])
    _check(model, {"x": _rand(n), "z": _rand(n, seed=3)}, "vx128")


@pytest.mark.parametrize("target", ["vx128", "vx64"])
def test_softmax(target: str) -> None:
    model = _model([helper.make_node("Softmax", ["x"], ["y"], axis=-1, name="sm")],
                   [_f32("x", [3, 37])], [_f32("y", [3, 37])], [])
    _check(model, {"x": _rand(3, 37)}, target)


@pytest.mark.parametrize("target", ["vx128", "vx64"])
def test_transpose(target: str) -> None:
    model = _model([helper.make_node("Transpose", ["x"], ["y"], perm=[0, 2, 1], name="tr")],
                   [_f32("x", [2, 5, 33])], [_f32("y", [2, 33, 5])], [])
    _check(model, {"x": _rand(2, 5, 33)}, target)


def test_unsupported_op_is_a_located_error() -> None:
    """An op the lowering does not know stays and fails the pass naming it and its node."""
    module = _tile_module_with_unknown_map_op()
    with pytest.raises(pipelines.StageError, match="cbrt1.*cannot lower 'math.cbrt' in tile.map"):
        pipelines.run_pipeline(module, pipelines.tile_to_vx())


def _tile_module_with_unknown_map_op() -> ModuleOp:
    from xdsl.context import Context
    from xdsl.dialects import arith, func, math
    from xdsl.dialects.builtin import Builtin
    from xdsl.parser import Parser

    from vexa.dialects.tile import TILE

    text = """builtin.module {
  func.func @main() {
    tile.kernel {
      %x = tile.alloc {offset = 0 : i64} : memref<8xf32, #tile.space<vtcm>>
      tile.map ins(%x : memref<8xf32, #tile.space<vtcm>>) outs(%x : memref<8xf32, #tile.space<vtcm>>) {
      ^bb0(%v: f32):
        %s = math.cbrt %v : f32
        tile.yield %s : f32
      } loc("cbrt1")
    }
    func.return
  }
}"""
    ctx = Context()
    for d in (Builtin, func.Func, arith.Arith, math.Math, TILE):
        ctx.load_dialect(d)
    return Parser(ctx, text).parse_module()


def _conv(C: int, Co: int, H: int, W: int, k: int, pad: int, group: int = 1,
          stride: int = 1) -> onnx.ModelProto:
    w = numpy_helper.from_array(_rand(Co, C // group, k, k, seed=4) * 0.3, "w")
    b = numpy_helper.from_array(_rand(Co, seed=5), "b")
    Ho = (H + 2 * pad - k) // stride + 1
    Wo = (W + 2 * pad - k) // stride + 1
    return _model(
        [helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv", pads=[pad] * 4,
                          group=group, strides=[stride, stride], kernel_shape=[k, k]),
         helper.make_node("Relu", ["c"], ["y"], name="relu")],
        [_f32("x", [1, C, H, W])], [_f32("y", [1, Co, Ho, Wo])], [w, b])


@pytest.mark.parametrize("target", ["vx128", "vx64"])
@pytest.mark.parametrize(
    "cfg", [(3, 8, 9, 9, 3, 1, 1), (8, 16, 6, 35, 1, 0, 1), (8, 8, 7, 7, 3, 1, 8),
            (4, 6, 8, 8, 3, 1, 2), (4, 8, 9, 9, 3, 1, 1, 2)],
    ids=["3x3", "1x1", "depthwise", "grouped", "3x3s2"])
def test_conv_relu(target: str, cfg: tuple[int, ...]) -> None:
    C, Co, H, W, k, pad, group, *stride = cfg
    _check(_conv(C, Co, H, W, k, pad, group, *stride), {"x": _rand(1, C, H, W)}, target)


@pytest.mark.parametrize("target", ["vx128", "vx64"])
def test_strided_conv_7x7(target: str) -> None:
    """The ResNet stem shape in small: 7x7, stride 2, pad 3 (width phases in VTCM)."""
    _check(_conv(3, 8, 20, 20, 7, 3, 1, stride=2), {"x": _rand(1, 3, 20, 20)}, target)


@pytest.mark.parametrize("cfg", [(16, 24, 7, 7, 3, 1, 1, 1), (8, 40, 14, 14, 1, 0, 1, 1),
                                 (8, 16, 14, 14, 3, 1, 1, 2), (6, 12, 9, 9, 3, 1, 3, 1),
                                 (8, 16, 56, 56, 1, 0, 1, 2)],
                         ids=["7x7-3x3", "14x14-1x1", "14x14-3x3s2", "9x9-grouped",
                              "56x56-1x1s2"])
def test_conv_small_planes(cfg: tuple[int, ...]) -> None:
    """Late-layer shapes: the output vectors run along the flattened plane (or along
    subsampled rows) through a scratch, then the output positions are copied out."""
    C, Co, H, W, k, pad, group, stride = cfg
    _check(_conv(C, Co, H, W, k, pad, group, stride=stride), {"x": _rand(1, C, H, W)},
           "vx128")


@pytest.mark.parametrize("onnx_op", ["Floor", "Ceil", "Round"])
def test_rounding(onnx_op: str) -> None:
    """Floor, Ceil and Round (half to even) bit for bit, on halves, signed zeros, values
    past 2^23 (already integral), inf and NaN, with a predicated tail (37 lanes)."""
    x = np.concatenate([
        np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -0.0, 0.0, 8388607.5, -8388607.5,
                  8388609.0, 1e30, -1e30, np.inf, -np.inf, np.nan], dtype=np.float32),
        _rand(21) * 100]).astype(np.float32)
    model = _model([helper.make_node(onnx_op, ["x"], ["y"], name="r")],
                   [_f32("x", [37])], [_f32("y", [37])], [])
    got = np.asarray(_run(model, {"x": x}, "vx128")["y"]).reshape(37)
    want = {"Floor": np.floor, "Ceil": np.ceil, "Round": np.round}[onnx_op](x)
    np.testing.assert_array_equal(got.view(np.uint32)[~np.isnan(want)],
                                  want.view(np.uint32)[~np.isnan(want)])
    assert np.isnan(got[np.isnan(want)]).all()


def test_softplus_log1p() -> None:
    """Softplus = log1p(exp(x)): tiny exp(x) (x = -30) keeps its value, not log(1) = 0."""
    x = np.concatenate([np.array([-30.0, -20.0, -1e-3, 0.0, 1e-3, 20.0, 80.0], np.float32),
                        _rand(30) * 4]).astype(np.float32)
    model = _model([helper.make_node("Softplus", ["x"], ["y"], name="sp")],
                   [_f32("x", [37])], [_f32("y", [37])], [])
    got = np.asarray(_run(model, {"x": x}, "vx128")["y"]).reshape(37)
    want = np.log1p(np.exp(x.astype(np.float64)))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=0)


@pytest.mark.parametrize("beta", [0.75, 2.0, 3.0, 0.5])
def test_lrn(beta: float) -> None:
    """AlexNet's and Inception's LRN: x / (bias + alpha/size * window sum of x^2) ** beta,
    math.powf with a constant exponent (0.75: exp(b log a); 2, 3: squaring; 0.5: sqrt)."""
    model = _model([helper.make_node("LRN", ["x"], ["y"], size=5, alpha=1e-2, beta=beta,
                                     bias=1.0, name="lrn")],
                   [_f32("x", [1, 16, 9, 9])], [_f32("y", [1, 16, 9, 9])], [])
    _check(model, {"x": _rand(1, 16, 9, 9) * 3}, "vx128")


def test_pow_by_a_tensor_exponent() -> None:
    """Pow by a tensor exponent reaches the map as a computed value: vx.pow.f32, with
    IEEE signs for negative bases (odd/even integer exponents; NaN for non-integers)."""
    x = _rand(2, 37) * 3
    e = np.round(_rand(2, 37, seed=1) * 4)
    e[0, ::3] += 0.5  # non-integer exponents: NaN for the negative bases
    model = _model([helper.make_node("Pow", ["x", "e"], ["y"], name="pow1")],
                   [_f32("x", [2, 37]), _f32("e", [2, 37])], [_f32("y", [2, 37])], [])
    _check(model, {"x": x, "e": e}, "vx128")


def test_float_mod_python_semantics() -> None:
    """Mod with fmod = 0 on f32 (the remainder takes the divisor's sign): its map needs
    cmpf one and xor/and of predicates."""
    rng = np.random.RandomState(5)
    a = (rng.uniform(-50, 50, (2, 45))).astype(np.float32)
    b = (rng.uniform(0.5, 7, (2, 45)) * rng.choice([-1, 1], (2, 45))).astype(np.float32)
    model = _model([helper.make_node("Mod", ["a", "b"], ["y"], name="mod", fmod=0)],
                   [_f32("a", [2, 45]), _f32("b", [2, 45])], [_f32("y", [2, 45])], [])
    got = np.asarray(_run(model, {"a": a, "b": b}, "vx128")["y"]).reshape(2, 45)
    # onnxruntime has no float Mod with fmod = 0 before opset 28: numpy's % is the reference
    want = np.mod(a.astype(np.float64), b.astype(np.float64))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-4)


def test_gemm_with_both_transposes() -> None:
    """Gemm with transA = transB = 1 (A and B runtime inputs, alpha, beta, a bias)."""
    model = _model([helper.make_node("Gemm", ["a", "b", "c"], ["y"], name="gemm", transA=1,
                                     transB=1, alpha=0.25, beta=0.35)],
                   [_f32("a", [7, 3]), _f32("b", [37, 7]), _f32("c", [1, 37])],
                   [_f32("y", [3, 37])], [])
    _check(model, {"a": _rand(7, 3), "b": _rand(37, 7, seed=1), "c": _rand(1, 37, seed=2)},
           "vx128")


@pytest.mark.parametrize("op,shape,axes", [
    ("ReduceSum", [3, 5, 4, 37], [0, 2, 3]),  # MVN's: rows of 4*37 with a 3-step loop
    ("ReduceMax", [3, 5, 4, 37], [0, 2]),  # vectors along the last, kept dim (tail 5)
    ("ReduceSum", [2, 3, 4, 5, 70], [1, 3]),  # kept segments between and after
    ("ReduceMax", [2, 3, 40, 5], [0, 2, 3]),
    ("ReduceProd", [3, 45], [1]),  # rows: vmul accumulation and tree
    ("ReduceProd", [6, 37], [0]),  # vertical
    ("ReduceProd", [2, 3, 4, 5], [0, 2, 3]),
])
def test_reduce_over_non_adjacent_dims(op: str, shape: list[int], axes: list[int]) -> None:
    """Reductions over non-adjacent dims, and ReduceProd (tile.reduce mul) in each form."""
    out = [1 if d in axes else n for d, n in enumerate(shape)]
    ax = numpy_helper.from_array(np.array(axes, dtype=np.int64), "axes")
    model = _model([helper.make_node(op, ["x", "axes"], ["y"], name="red", keepdims=1)],
                   [_f32("x", shape)], [_f32("y", out)], [ax])
    model.opset_import[0].version = 18
    x = _rand(*shape)
    if op == "ReduceProd":  # products of values near 1 stay in range
        x = (1.0 + 0.05 * x).astype(np.float32)
    _check(model, {"x": x}, "vx128")


def test_comparisons_fused_into_where() -> None:
    """Bools that stay inside one fused map (a compare, a Not, then a Where; Shrink) pass
    convert-nn-to-tile's f32 check and run as predicates."""
    lo = numpy_helper.from_array(np.array(-0.3, dtype=np.float32), "lo")
    nodes = [helper.make_node("Less", ["x", "lo"], ["l"], name="lt"),
             helper.make_node("Not", ["l"], ["n"], name="not"),
             helper.make_node("Where", ["n", "x", "lo"], ["y"], name="w"),
             helper.make_node("Shrink", ["x"], ["s"], name="shrink", bias=0.5, lambd=0.8),
             # the exp's chain would take the where: the compare's chain is planned first
             helper.make_node("Exp", ["x"], ["e"], name="exp"),
             helper.make_node("Mul", ["e", "lo"], ["m"], name="mul"),
             helper.make_node("Less", ["x", "lo"], ["l2"], name="lt2"),
             helper.make_node("Where", ["l2", "m", "x"], ["z"], name="w2")]
    model = _model(nodes, [_f32("x", [3, 45])],
                   [_f32("y", [3, 45]), _f32("s", [3, 45]), _f32("z", [3, 45])], [lo])
    _check(model, {"x": _rand(3, 45)}, "vx128")


@pytest.mark.parametrize("p,axis", [(1, 1), (2, 0), (2, -1)])
def test_lp_normalization_with_a_zero_norm(p: int, axis: int) -> None:
    """LpNormalization (zero norms give 0): its guard becomes the divisor's, so the bool
    stays in one map."""
    model = _model([helper.make_node("LpNormalization", ["x"], ["y"], name="lpn", p=p,
                                     axis=axis)],
                   [_f32("x", [4, 37])], [_f32("y", [4, 37])], [])
    x = _rand(4, 37)
    x[1] = 0.0
    x[:, 3] = 0.0
    _check(model, {"x": x}, "vx128")


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_hardmax_first_maximum(axis: int) -> None:
    """Hardmax without argmax (max, compare, cum_sum): 1 at the first maximum only."""
    x = np.round(_rand(3, 6, 37) * 2)  # many ties
    model = _model([helper.make_node("Hardmax", ["x"], ["y"], name="hm", axis=axis)],
                   [_f32("x", [3, 6, 37])], [_f32("y", [3, 6, 37])], [])
    _check(model, {"x": x}, "vx128")


def test_trigonometric_and_hyperbolic_functions() -> None:
    """The eleven trigonometric/hyperbolic ONNX ops, each a vx pseudo-op expanded by
    vx-expand-math, against onnxruntime (acosh on [1, 10], the rest on (-1, 1) and sin,
    cos, tan, sinh, cosh, asinh, atan also on (-20, 20))."""
    names = ["Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh",
             "Atanh"]
    wide = {"Sin", "Cos", "Tan", "Sinh", "Cosh", "Asinh", "Atan"}
    nodes, outs = [], []
    for n in names:
        src = "w" if n == "Acosh" else "u"
        nodes.append(helper.make_node(n, [src], [n.lower()], name=n.lower()))
        outs.append(_f32(n.lower(), [3, 41]))
        if n in wide:
            nodes.append(helper.make_node(n, ["v"], [n.lower() + "_v"], name=n.lower() + "_v"))
            outs.append(_f32(n.lower() + "_v", [3, 41]))
    rng = np.random.RandomState(3)
    u = rng.uniform(-0.999, 0.999, (3, 41)).astype(np.float32)
    v = rng.uniform(-20, 20, (3, 41)).astype(np.float32)
    w = rng.uniform(1, 10, (3, 41)).astype(np.float32)
    model = _model(nodes, [_f32("u", [3, 41]), _f32("v", [3, 41]), _f32("w", [3, 41])],
                   outs, [])
    _check(model, {"u": u, "v": v, "w": w}, "vx128")


def test_tensor_names_that_read_as_registers() -> None:
    """Inception v2 names tensors r2, ...: program symbols must not read as registers."""
    w = numpy_helper.from_array(_rand(8, 5, seed=1), "v1")
    model = _model([helper.make_node("MatMul", ["r2", "v1"], ["q0"], name="mm")],
                   [_f32("r2", [3, 8])], [_f32("q0", [3, 5])], [w])
    import vexa

    exe = vexa.compile(model.SerializeToString())
    x = _rand(3, 8)
    (got,) = exe.run({"r2": x})
    np.testing.assert_allclose(got, x @ numpy_helper.to_array(w), rtol=1e-4, atol=1e-5)
    assert "t_r2" in exe.asm and "t_v1" in exe.asm


def test_weights_are_not_in_the_activation_arena() -> None:
    """Weights are data symbols of their own; the DRAM arena holds only activations (it
    used to span the planner's weight region too: VGG-19's 1.2 GB image did not fit)."""
    W = numpy_helper.from_array(_rand(512, 512, seed=1), "W")
    model = _model([helper.make_node("MatMul", ["x", "W"], ["m"], name="mm"),
                    helper.make_node("Transpose", ["m"], ["t"], name="tr"),
                    helper.make_node("MatMul", ["t", "x"], ["y"], name="mm2")],
                   [_f32("x", [4, 512])], [_f32("y", [512, 512])], [W])
    prog = compile_to_program(import_model(model))
    assert prog.symbols["dram_arena"].size <= 2 * 512 * 4 * 4 + 2048  # m and t only


def test_splat_constant_fills_its_buffer() -> None:
    """ConstantOfShape's splat (one stored value) initialises every element (a bug once:
    only the first element was written)."""
    shape = numpy_helper.from_array(np.array([3, 40], dtype=np.int64), "shape")
    value = helper.make_tensor("value", TensorProto.FLOAT, [1], [1.5])
    model = _model([helper.make_node("ConstantOfShape", ["shape"], ["c"], value=value, name="cos"),
                    helper.make_node("Add", ["x", "c"], ["y"], name="add")],
                   [_f32("x", [3, 40])], [_f32("y", [3, 40])], [shape])
    _check(model, {"x": _rand(3, 40)}, "vx128")


def test_double_buffered_strided_pool() -> None:
    """A tiled stride-2 max pool: its input tiles alternate between two VTCM buffers, so
    the tile loop carries the current buffer's address and the distance to the other
    (period 1, no unrolling); the phase split must read the current one, not the first
    iteration's (a bug once: every tile pooled the first buffer)."""
    model = _model([helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[3, 3],
                                     strides=[2, 2], pads=[1, 1, 1, 1], name="mp")],
                   [_f32("x", [1, 16, 56, 56])], [_f32("y", [1, 16, 28, 28])], [])
    _check(model, {"x": _rand(1, 16, 56, 56)}, "vx128")


@pytest.mark.parametrize("k", [1, 3])
def test_strided_conv_accumulating(k: int) -> None:
    """Input channels tiled (tile-ci=4): every tile after the first accumulates into the
    output, so a stride-2 conv takes the phase-split path instead of the subsampled
    stride-1 one."""
    model = _conv(12, 8, 15, 15, k, k // 2, 1, stride=2)
    x = _rand(1, 12, 15, 15)
    module = import_model(model)
    pipelines.run_pipeline(module, [pipelines.nn_to_tile("vx128", tile_ci=4),
                                    pipelines.tile_to_vx("vx128")])
    prog = assemble(emit_assembly(module, "vx128"), "vx128")
    outs, _ = run_program(prog, "vx128", {"x": x})
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    (want,) = sess.run(None, {"x": x})
    np.testing.assert_allclose(np.asarray(outs["y"]).reshape(want.shape), want, rtol=1e-3,
                               atol=1e-4)


@pytest.mark.parametrize("target", ["vx128", "vx64"])
@pytest.mark.parametrize("kind", ["MaxPool", "AveragePool"])
def test_pool(target: str, kind: str) -> None:
    model = _model(
        [helper.make_node(kind, ["x"], ["y"], name="pool", kernel_shape=[3, 3],
                          strides=[2, 2], pads=[1, 1, 1, 1])],
        [_f32("x", [1, 4, 11, 37])], [_f32("y", [1, 4, 6, 19])], [])
    _check(model, {"x": _rand(1, 4, 11, 37)}, target)


def test_global_average_pool_flatten_gemm() -> None:
    W = numpy_helper.from_array(_rand(8, 10, seed=6), "W")
    model = _model(
        [helper.make_node("GlobalAveragePool", ["x"], ["g"], name="gap"),
         helper.make_node("Flatten", ["g"], ["f"], name="flat"),
         helper.make_node("MatMul", ["f", "W"], ["y"], name="fc")],
        [_f32("x", [1, 8, 5, 7])], [_f32("y", [1, 10])], [W])
    _check(model, {"x": _rand(1, 8, 5, 7)}, "vx128")


def test_batchnorm_concat_reshape() -> None:
    C = 6
    inits = [numpy_helper.from_array(np.abs(_rand(C, seed=s)) + 0.5, n)
             for s, n in ((7, "scale"), (8, "bias"), (9, "mean"), (10, "var"))]
    model = _model(
        [helper.make_node("BatchNormalization", ["x", "scale", "bias", "mean", "var"], ["b"],
                          name="bn"),
         helper.make_node("Concat", ["b", "x"], ["c"], axis=1, name="cat"),
         helper.make_node("Flatten", ["c"], ["y"], axis=1, name="flat")],
        [_f32("x", [1, C, 3, 5])], [_f32("y", [1, 2 * C * 15])], inits)
    _check(model, {"x": _rand(1, C, 3, 5)}, "vx64")


def test_layer_norm() -> None:
    g = numpy_helper.from_array(_rand(40, seed=11), "g")
    b = numpy_helper.from_array(_rand(40, seed=12), "b")
    node = helper.make_node("LayerNormalization", ["x", "g", "b"], ["y"], axis=-1, name="ln")
    g_ = helper.make_graph([node], "g", [_f32("x", [3, 40])], [_f32("y", [3, 40])], [g, b])
    model = helper.make_model(g_, opset_imports=[helper.make_opsetid("", 17)])
    _check(model, {"x": _rand(3, 40)}, "vx128")


def test_pipelined_tile_loop_is_one_body() -> None:
    """A conv tiled over output channels runs as one loop body for all tiles: the last
    tile's prefetch is a zero-byte transfer, not an epilogue copy of the kernel, so the
    program is (almost) as small for 32 tiles as for one."""
    sizes = {co: compile_to_program(import_model(_conv(64, co, 14, 14, 1, 0))).code.shape[0]
             for co in (8, 256)}
    assert sizes[256] < 1.25 * sizes[8], sizes
    _check(_conv(64, 48, 14, 14, 1, 0), {"x": _rand(1, 64, 14, 14)}, "vx128")


@pytest.mark.parametrize("hw", [7, 14])
def test_pointwise_conv_plane_is_stored_straight(hw: int) -> None:
    """A 1x1 conv's flattened plane is the output's own: vectors along it (7x7 in two
    vectors, not seven rows) go straight to the output, no scalar copies."""
    import re

    model = _conv(64, 32, hw, hw, 1, 0)
    _check(model, {"x": _rand(1, 64, hw, hw)}, "vx128")
    asm = emit_assembly(_compiled(model), "vx128")
    assert not re.search(r"\b(ld|st) r", asm)


def _compiled(model: onnx.ModelProto) -> ModuleOp:
    module = import_model(model)
    pipelines.run_pipeline(module, [pipelines.nn_to_tile("vx128"), pipelines.tile_to_vx("vx128")])
    return module
