"""nn-fold-constants: fold nn ops whose outcome a constant operand decides.

    vexa-opt m.mlir -p 'nn-fold-constants'

Folded so far:
- `nn.where` whose condition is a splat constant (all true or all false): the selected
  operand, broadcast to the result shape with `nn.expand` when it is smaller.

    %c = nn.constant dense<false> : tensor<4x1xi1>
    %r = nn.where %c, %x, %y : (tensor<4x1xi1>, tensor<1xf32>, tensor<2x3x4x6xf32>) -> ...
      ==>  uses of %r take %y (same shape); %c goes when nothing else uses it

Why: ONNX's expanded Attention graphs build their masks from shapes; the importer folds
those to constants, leaving `where`s on constant i1 tensors. Folded, no bool tensor has
to reach memory (convert-nn-to-tile's f32 path keeps i1 only inside one fused map).
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import DenseArrayBase, DenseIntOrFPElementsAttr, ModuleOp, i64
from xdsl.ir import SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)

from vexa.dialects import nn


def _splat_bool(v: SSAValue) -> bool | None:
    """The value of a splat constant condition, None when `v` is not one."""
    const = v.owner
    if not isinstance(const, nn.ConstantOp):
        return None
    value = const.value
    if not isinstance(value, DenseIntOrFPElementsAttr):
        return None
    from vexa.runtime.nn_interpreter import dense_to_numpy

    arr = dense_to_numpy(value)
    if arr.size == 0 or not (arr == arr.flat[0]).all():
        return None
    return bool(arr.flat[0])


class FoldWhereOfSplatCondition(RewritePattern):
    """nn.where(splat c, x, y) -> x or y (nn.expand to the result shape if smaller)."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: nn.WhereOp, rewriter: PatternRewriter) -> None:
        pick = _splat_bool(op.condition)
        if pick is None:
            return
        chosen = op.x if pick else op.y
        cond = op.condition.owner
        if chosen.type == op.result.type:
            rewriter.replace_op(op, [], [chosen])
        else:
            shape = op.result.type.get_shape()  # type: ignore[union-attr]
            expand = nn.ExpandOp.build_inferred(
                [chosen], {"shape": DenseArrayBase.from_list(i64, list(shape))})
            if expand.result.type != op.result.type:
                return  # an element type the where would have converted: leave it
            expand.location = op.location
            rewriter.replace_op(op, [expand], [expand.result])
        if isinstance(cond, nn.ConstantOp) and not cond.result.uses:
            rewriter.erase_op(cond)


@dataclass(frozen=True)
class NnFoldConstantsPass(ModulePass):
    """Fold nn ops decided by constant operands (see the module docstring)."""

    name = "nn-fold-constants"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(
            GreedyRewritePatternApplier([FoldWhereOfSplatCondition()]),
            apply_recursively=False,
        ).rewrite_module(op)
