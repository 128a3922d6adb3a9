"""Shape inference and the inferred builder of the nn dialect (dialects/nn.py).

Sizes are checked against hand-computed ONNX values and, where a reference exists, against
onnxruntime-compatible numpy behaviour (numpy broadcasting and matmul)."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import pytest
from xdsl.dialects.builtin import (
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    DenseResourceAttr,
    FloatAttr,
    IntegerAttr,
    ModuleOp,
    StringAttr,
    TensorType,
    f16,
    f32,
    i1,
    i64,
)
from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import Attribute, Block, Region
from xdsl.utils.exceptions import VerifyException

from vexa.dialects import nn


def T(*shape: int, elem: Attribute = f32) -> TensorType:
    return TensorType(elem, shape)


def ints(*v: int) -> DenseArrayBase:
    return DenseArrayBase.from_list(i64, v)


def i(v: int) -> IntegerAttr:
    return IntegerAttr(v, 64)


def fl(v: float) -> FloatAttr:
    return FloatAttr(v, f32)


def conv_props(k: Sequence[int], s=(1, 1), p=(0, 0, 0, 0), d=(1, 1), g=1) -> dict[str, Attribute]:
    return {
        "kernel_shape": ints(*k),
        "strides": ints(*s),
        "pads": ints(*p),
        "dilations": ints(*d),
        "group": i(g),
    }


def pool_props(k, s=(1, 1), p=(0, 0, 0, 0), d=(1, 1), ceil=0) -> dict[str, Attribute]:
    return {
        "kernel_shape": ints(*k),
        "strides": ints(*s),
        "pads": ints(*p),
        "dilations": ints(*d),
        "ceil_mode": i(ceil),
    }


def infer(cls: type[nn.NnOp], types: Sequence[TensorType], props=None) -> list[TensorType]:
    return cls.infer_result_types(types, props or {})


# ------------------------------------------------------------------------------ conv


@pytest.mark.parametrize(
    "x, w, props, out",
    [
        # ResNet-50 stem: 224 -> 112 with k7 s2 p3
        ((1, 3, 224, 224), (64, 3, 7, 7), conv_props((7, 7), (2, 2), (3, 3, 3, 3)), (1, 64, 112, 112)),
        # asymmetric pads, non-square input
        ((2, 4, 10, 7), (8, 4, 3, 3), conv_props((3, 3), (1, 1), (0, 1, 2, 0)), (2, 8, 10, 6)),
        # dilation 2: effective kernel 5
        ((1, 4, 9, 9), (4, 4, 3, 3), conv_props((3, 3), d=(2, 2)), (1, 4, 5, 5)),
        # stride 3 with floor: (10 - 3) // 3 + 1 = 3
        ((1, 1, 10, 10), (1, 1, 3, 3), conv_props((3, 3), (3, 3)), (1, 1, 3, 3)),
        # depthwise: group = channels
        ((1, 32, 8, 8), (32, 1, 3, 3), conv_props((3, 3), p=(1, 1, 1, 1), g=32), (1, 32, 8, 8)),
        # grouped conv: 2 groups of 3 input channels
        ((1, 6, 5, 5), (4, 3, 1, 1), conv_props((1, 1), g=2), (1, 4, 5, 5)),
        # 1-D conv
        ((1, 2, 16), (3, 2, 5), {**conv_props((5,), (2,), (2, 2), (1,))}, (1, 3, 8)),
    ],
)
def test_conv_output_sizes(x, w, props, out) -> None:
    assert infer(nn.ConvOp, [T(*x), T(*w)], props) == [T(*out)]


def test_conv_bias_and_build_inferred() -> None:
    block = Block(arg_types=[T(1, 3, 8, 8), T(4, 3, 3, 3), T(4)])
    op = nn.ConvOp.build_inferred(block.args, conv_props((3, 3), p=(1, 1, 1, 1)))
    assert op.result.type == T(1, 4, 8, 8)
    assert op.b is block.args[2]
    op.verify()
    no_bias = nn.ConvOp.build_inferred(block.args[:2], conv_props((3, 3)))
    assert no_bias.b is None and no_bias.result.type == T(1, 4, 6, 6)


def test_conv_rejects_group_mismatch() -> None:
    with pytest.raises(VerifyException, match="expected 6 input channels"):
        infer(nn.ConvOp, [T(1, 4, 5, 5), T(4, 3, 1, 1)], conv_props((1, 1), g=2))


def test_conv_transpose_output_padding() -> None:
    props = conv_props((3, 3), (2, 2), (1, 1, 1, 1)) | {"output_padding": ints(1, 1)}
    # 2 * (4 - 1) + 1 + 3 - 2 = 8, and 2 groups of 4 output channels
    assert infer(nn.ConvTransposeOp, [T(1, 8, 4, 4), T(8, 4, 3, 3)], props) == [T(1, 4, 8, 8)]
    props["group"] = i(2)
    assert infer(nn.ConvTransposeOp, [T(1, 8, 4, 4), T(8, 4, 3, 3), T(8)], props) == [
        T(1, 8, 8, 8)
    ]


# --------------------------------------------------------------------------- pooling


@pytest.mark.parametrize(
    "size, k, s, p, ceil, out",
    [
        (112, 3, 2, (1, 1), 0, 56),  # ResNet max pool
        (112, 3, 2, (1, 1), 1, 57),  # ceil keeps a window starting on the last real element
        (6, 3, 2, (0, 0), 0, 2),
        (6, 3, 2, (0, 0), 1, 3),  # ceil: (6 - 3) / 2 = 1.5 -> 2 (+1)
        (4, 2, 2, (0, 1), 1, 2),  # ceil would give 3, but that window starts in the padding
        (7, 2, 2, (0, 0), 0, 3),
        (7, 2, 2, (0, 0), 1, 4),
    ],
)
def test_pool_ceil_mode(size, k, s, p, ceil, out) -> None:
    props = pool_props((k, k), (s, s), (p[0], p[0], p[1], p[1]), ceil=ceil)
    assert infer(nn.MaxPoolOp, [T(1, 2, size, size)], props) == [T(1, 2, out, out)]
    props["count_include_pad"] = i(0)
    assert infer(nn.AveragePoolOp, [T(1, 2, size, size)], props) == [T(1, 2, out, out)]


def test_global_pool() -> None:
    assert infer(nn.GlobalAveragePoolOp, [T(1, 2048, 7, 7)]) == [T(1, 2048, 1, 1)]
    assert infer(nn.GlobalMaxPoolOp, [T(2, 3, 4, 5, 6)]) == [T(2, 3, 1, 1, 1)]


# ---------------------------------------------------------------------- broadcasting


@pytest.mark.parametrize(
    "a, b",
    [((2, 3), (3,)), ((2, 1, 4), (3, 1)), ((), (5, 2)), ((1,), (1,)), ((8, 1, 6, 1), (7, 1, 5))],
)
def test_binary_broadcast_matches_numpy(a, b) -> None:
    expected = np.broadcast_shapes(a, b)
    assert infer(nn.AddOp, [T(*a), T(*b)]) == [T(*expected)]
    assert infer(nn.LessOp, [T(*a), T(*b)]) == [T(*expected, elem=i1)]


def test_variadic_and_where() -> None:
    assert infer(nn.SumOp, [T(2, 3), T(3), T(1, 1)]) == [T(2, 3)]
    assert infer(nn.WhereOp, [T(2, 1, elem=i1), T(3), T()]) == [T(2, 3)]
    with pytest.raises(VerifyException, match="expected operand element types to agree"):
        infer(nn.MaxOp, [T(2), T(2, elem=f16)])
    with pytest.raises(VerifyException, match="expected broadcastable shapes"):
        infer(nn.MulOp, [T(2, 3), T(2)])


# ------------------------------------------------------------------- linear algebra


@pytest.mark.parametrize(
    "a, b",
    [((3,), (3,)), ((3,), (3, 4)), ((2, 3), (3,)), ((2, 3), (3, 4)), ((5, 1, 2, 3), (4, 3, 6)), ((7, 2, 3), (3, 5))],
)
def test_mat_mul_matches_numpy(a, b) -> None:
    expected = np.matmul(np.zeros(a), np.zeros(b)).shape
    assert infer(nn.MatMulOp, [T(*a), T(*b)]) == [T(*expected)]


@pytest.mark.parametrize("ta, tb", [(0, 0), (0, 1), (1, 0), (1, 1)])
def test_gemm_transposes(ta: int, tb: int) -> None:
    a = (8, 2) if ta else (2, 8)
    b = (5, 8) if tb else (8, 5)
    props = {"alpha": fl(1.0), "beta": fl(1.0), "trans_a": i(ta), "trans_b": i(tb)}
    assert infer(nn.GemmOp, [T(*a), T(*b)], props) == [T(2, 5)]
    assert infer(nn.GemmOp, [T(*a), T(*b), T(5)], props) == [T(2, 5)]
    assert infer(nn.GemmOp, [T(*a), T(*b), T(2, 1)], props) == [T(2, 5)]


# ------------------------------------------------------------------------ reductions


@pytest.mark.parametrize(
    "axes, keep, out",
    [((1,), 1, (2, 1, 4)), ((1,), 0, (2, 4)), ((0, 2), 0, (3,)), ((), 1, (1, 1, 1)), ((), 0, ())],
)
def test_reductions(axes, keep, out) -> None:
    props = {"axes": ints(*axes), "keepdims": i(keep)}
    for cls in (nn.ReduceSumOp, nn.ReduceMeanOp, nn.ReduceLogSumExpOp):
        assert infer(cls, [T(2, 3, 4)], props) == [T(*out)]


def test_arg_max_is_i64() -> None:
    props = {"axis": i(-1), "keepdims": i(1), "select_last_index": i(0)}
    assert infer(nn.ArgMaxOp, [T(2, 3)], props) == [T(2, 1, elem=i64)]


# --------------------------------------------------------------------- data movement


def test_shape_ops() -> None:
    assert infer(nn.ReshapeOp, [T(2, 3, 4)], {"shape": ints(6, 4)}) == [T(6, 4)]
    assert infer(nn.FlattenOp, [T(2, 3, 4)], {"axis": i(0)}) == [T(1, 24)]
    assert infer(nn.FlattenOp, [T(2, 3, 4)], {"axis": i(-1)}) == [T(6, 4)]
    assert infer(nn.SqueezeOp, [T(1, 3, 1)], {"axes": ints(0, 2)}) == [T(3)]
    assert infer(nn.UnsqueezeOp, [T(3, 4)], {"axes": ints(0, 3)}) == [T(1, 3, 4, 1)]
    assert infer(nn.TransposeOp, [T(2, 3, 4)], {"perm": ints(2, 0, 1)}) == [T(4, 2, 3)]
    assert infer(nn.ConcatOp, [T(2, 3), T(2, 5)], {"axis": i(-1)}) == [T(2, 8)]
    assert infer(nn.SplitOp, [T(2, 6)], {"axis": i(1), "split": ints(1, 5)}) == [T(2, 1), T(2, 5)]
    assert infer(nn.ExpandOp, [T(3, 1)], {"shape": ints(2, 1, 4)}) == [T(2, 3, 4)]
    assert infer(nn.TileOp, [T(2, 3)], {"repeats": ints(3, 2)}) == [T(6, 6)]
    pad = {"pads": ints(1, 0, 2, -1), "mode": StringAttr("constant"), "constant_value": fl(0)}
    assert infer(nn.PadOp, [T(2, 3)], pad) == [T(5, 2)]


@pytest.mark.parametrize(
    "start, end, step, out",
    [(1, 3, 1, 2), (0, 4, 2, 2), (0, 5, 2, 3), (4, -1, -1, 5), (4, -1, -2, 3), (3, 0, -1, 3), (3, 3, 1, 0)],
)
def test_slice_sizes_match_python(start, end, step, out) -> None:
    props = {"starts": ints(start), "ends": ints(end), "axes": ints(0), "steps": ints(step)}
    stop = None if end < 0 else end  # the importer's -1 means "through index 0"
    assert len(range(5)[start:stop:step]) == out
    assert infer(nn.SliceOp, [T(5, 2)], props) == [T(out, 2)]


def test_gather_onehot_topk_resize() -> None:
    assert infer(nn.GatherOp, [T(5, 4), T(2, 3, elem=i64)], {"axis": i(1)}) == [T(5, 2, 3)]
    assert infer(nn.GatherOp, [T(5, 4), T(elem=i64)], {"axis": i(0)}) == [T(4)]
    assert infer(nn.GatherElementsOp, [T(3, 3), T(2, 3, elem=i64)], {"axis": i(0)}) == [T(2, 3)]
    oh = {"axis": i(0), "depth": i(4), "values": DenseArrayBase.from_list(i64, [0, 1])}
    assert infer(nn.OneHotOp, [T(2, 3, elem=i64)], oh) == [T(4, 2, 3, elem=i64)]
    tk = {"axis": i(0), "k": i(2), "largest": i(1), "sorted": i(1)}
    assert infer(nn.TopKOp, [T(5, 3)], tk) == [T(2, 3), T(2, 3, elem=i64)]
    rs = {
        "mode": StringAttr("nearest"),
        "coordinate_transformation_mode": StringAttr("asymmetric"),
        "nearest_mode": StringAttr("floor"),
        "cubic_coeff_a": fl(-0.75),
        "exclude_outside": i(0),
        "extrapolation_value": fl(0.0),
        "scales": DenseArrayBase.from_list(f32, [1.0, 1.0, 1.5, 2.0]),
        "sizes": ints(),
    }
    assert infer(nn.ResizeOp, [T(1, 3, 5, 4)], rs) == [T(1, 3, 7, 8)]
    rs["sizes"] = ints(1, 3, 2, 2)
    assert infer(nn.ResizeOp, [T(1, 3, 5, 4)], rs) == [T(1, 3, 2, 2)]
    d2s = {"blocksize": i(2), "mode": StringAttr("CRD")}
    assert infer(nn.DepthToSpaceOp, [T(1, 8, 2, 3)], d2s) == [T(1, 2, 4, 6)]
    assert infer(nn.SpaceToDepthOp, [T(1, 2, 4, 6)], {"blocksize": i(2)}) == [T(1, 8, 2, 3)]


def test_cast_and_constants() -> None:
    assert infer(nn.CastOp, [T(2)], {"to": f16}) == [T(2, elem=f16)]
    assert infer(nn.IsNaNOp, [T(2)]) == [T(2, elem=i1)]
    res = DenseResourceAttr.from_params("w", T(4, 3))
    assert nn.ConstantOp.build_inferred([], {"value": res}).result.type == T(4, 3)
    dense = DenseIntOrFPElementsAttr.from_list(T(2), [1.0, 2.0])
    assert nn.ConstantOp.build_inferred([], {"value": dense}).result.type == T(2)


def test_verify_reports_expected_type() -> None:
    block = Block(arg_types=[T(2, 3)])
    op = nn.ReluOp.build_inferred(block.args, {})
    op.verify()
    bad = nn.SoftmaxOp.create(operands=block.args, result_types=[T(2, 3)], properties={"axis": i(5)})
    with pytest.raises(VerifyException, match=r"expected axis in \[-2, 1\], got 5"):
        bad.verify()
    wrong = nn.ReshapeOp.create(
        operands=block.args, result_types=[T(3, 2)], properties={"shape": ints(6)}
    )
    with pytest.raises(VerifyException, match=r"expected tensor<6xf32>, got tensor<3x2xf32>"):
        wrong.verify()


def test_onnx_op_table() -> None:
    assert nn.ONNX_OPS["Conv"] is nn.ConvOp
    assert nn.ONNX_OPS["LRN"].name == "nn.lrn"
    assert nn.ONNX_OPS["IsNaN"].name == "nn.is_nan"
    assert nn.ONNX_OPS["GlobalAveragePool"].name == "nn.global_average_pool"
    assert all(cls.__name__ == f"{t}Op" for t, cls in nn.ONNX_OPS.items())


def test_verify_is_fast() -> None:
    """A ResNet-sized chain (~500 ops) verifies in well under a second."""
    block = Block(arg_types=[T(1, 64, 56, 56), T(64, 64, 3, 3), T(64)])
    x, w, b = block.args
    props = conv_props((3, 3), p=(1, 1, 1, 1))
    for _ in range(170):
        c = nn.ConvOp.build_inferred([x, w, b], props)
        r = nn.ReluOp.build_inferred([c.result], {})
        s = nn.AddOp.build_inferred([r.result, x], {})
        block.add_ops([c, r, s])
        x = s.result
    block.add_op(ReturnOp())
    func = FuncOp("main", ((T(1, 64, 56, 56), T(64, 64, 3, 3), T(64)), ()), Region(block))
    module = ModuleOp([func])
    start = time.perf_counter()
    module.verify()
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize(
    "props, message",
    [
        ({}, "nn.softmax: expected property axis, got none"),
        ({"axis": IntegerAttr(1, 32)}, "nn.softmax: property axis: "),
        ({"axis": i(1), "dim": i(1)}, "nn.softmax: unknown property dim"),
        ({"axis": ints(1)}, "nn.softmax: property axis: "),
    ],
)
def test_build_inferred_checks_property_encodings(props, message: str) -> None:
    block = Block(arg_types=[T(2, 3)])
    with pytest.raises(VerifyException, match=message):
        nn.SoftmaxOp.build_inferred(block.args, props)


def test_every_op_is_documented_and_round_trip_tested() -> None:
    """Each op has a docstring with an ```mlir example, and ops.mlir exercises it."""
    from pathlib import Path

    ops_mlir = (Path(__file__).parent / "filecheck/dialects/nn/ops.mlir").read_text()
    for op in nn.NN.operations:
        assert "```mlir" in (op.__doc__ or ""), op.name
        assert f" {op.name} " in ops_mlir, op.name
