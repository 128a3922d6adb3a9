"""nn-decompose-strided-conv: a strided convolution becomes unit-stride convolutions over
the phases of its input.

    vexa-opt m.mlir -p 'nn-decompose-strided-conv'

With strides (sh, sw), output row i of a convolution reads padded input rows sh*i + a
for the kernel rows a. Writing a = sh*a' + p (phase p < sh), row sh*(i + a') + p is row
i + a' of the phase-p rows of the input: each (p, q) phase is a stepped slice of the
input, convolved at unit stride with the kernel taps of that phase, and the output is the
sum over the phases:

    y = conv(x, w, b, strides = [2, 2], pads = P)       (3x3 kernel)
      ==>
    xp  = nn.pad x by P (when P is not zero)
    xpq = nn.slice xp {starts = [p, q], steps = [2, 2]}   for p, q in {0, 1}
    y   = conv(x00, w[:, :, 0::2, 0::2], b) + conv(x01, w[:, :, 0::2, 1::2])
        + conv(x10, w[:, :, 1::2, 0::2]) + conv(x11, w[:, :, 1::2, 1::2])

(kernels 2x2, 2x1, 1x2 and 1x1, all at unit stride, no pads). A 1x1 kernel without pads
has one phase: a stepped slice and the same convolution at unit stride.

Why: the vx machine has no gather, so a strided convolution computes its vectors at unit
stride and throws away the positions between outputs (half or three quarters of the lanes
for a stride of 2, plus scalar copies of the kept ones; convert-tile-to-vx's "subsample"
and "plane" layouts). Stepped slices are DMA row gathers (the DMA engine does the
striding), after which every convolution is dense. ResNet-50 (light): 158.5M -> see
BENCHMARKS.md "End to end".

Rewritten: 2-D `nn.conv` with unit dilations and a stride > 1 on some axis; several
phases need the weights as an `nn.constant` (the phase kernels are new constants in the
resource table, named after the original). Every new op takes the conv's location, so the
report charges the slices, phase convolutions and adds to the same ONNX node. One phase
(1x1 kernel, no pads) sums the same products in the same order as before; several phases
sum the taps in another order (rounding differs by a few ulp of the result).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import (
    DenseArrayBase,
    DenseResourceAttr,
    FloatAttr,
    ModuleOp,
    StringAttr,
    TensorType,
    f32,
    i64,
)
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)

from vexa.dialects import nn
from vexa.runtime.resources import ResourceTable, constant_array, module_resources


def _ints(vs: list[int]) -> DenseArrayBase:
    return DenseArrayBase.from_list(i64, [int(v) for v in vs])


class PhaseDecomposeStridedConv(RewritePattern):
    """nn.conv with strides -> per input phase: nn.slice + unit-stride nn.conv; nn.add."""

    def __init__(self, resources: ResourceTable) -> None:
        super().__init__()
        self.resources = resources

    def _weights(self, w: SSAValue) -> tuple[np.ndarray, str] | None:
        """The constant weights and a base name for their phase slices, or None."""
        arr = constant_array(w, self.resources)
        if arr is None:
            return None
        value = w.owner.value  # type: ignore[union-attr]
        return arr, value.resource_handle.data if isinstance(value, DenseResourceAttr) else "conv_w"

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: nn.ConvOp, rewriter: PatternRewriter) -> None:
        x_type, w_type, y_type = op.x.type, op.w.type, op.result.type
        if not all(isinstance(t, TensorType) for t in (x_type, w_type, y_type)):
            return
        assert isinstance(x_type, TensorType) and isinstance(y_type, TensorType)
        assert isinstance(w_type, TensorType)
        strides = [int(s) for s in op.strides.get_values()]
        if (len(strides) != 2 or all(s == 1 for s in strides)
                or any(d != 1 for d in op.dilations.get_values())
                or x_type.element_type != f32):
            return
        kh, kw = (int(k) for k in op.kernel_shape.get_values())
        pads = [int(p) for p in op.pads.get_values()]
        sh, sw = strides
        Ho, Wo = y_type.get_shape()[2:]
        phases = [(p, q) for p in range(min(sh, kh)) for q in range(min(sw, kw))]
        whole = len(phases) == 1  # kernel rows/columns all in phase 0: w unchanged
        weights = None if whole else self._weights(op.w)
        if not whole and weights is None:
            return
        new: list[Operation] = []
        stem = op.result.name_hint or "conv"

        def add(o: Operation, hint: str) -> SSAValue:
            o.location = op.location
            o.results[0].name_hint = f"{stem}_{hint}"
            new.append(o)
            return o.results[0]

        x: SSAValue = op.x
        H, W = x_type.get_shape()[2:]
        if any(pads):
            pt, pl, pb, pr = pads
            # round the padded extents up to multiples of the strides (rows never read):
            # each phase slice is then one strided DMA (see convert-nn-to-tile's
            # gather_rows)
            pb += -(H + pt + pb) % sh
            pr += -(W + pl + pr) % sw
            x = add(nn.PadOp.build_inferred([x], {
                "pads": _ints([0, 0, pt, pl, 0, 0, pb, pr]),
                "mode": StringAttr("constant"),
                "constant_value": FloatAttr(0.0, f32),
            }), "pad")
        props = dict(op.properties)
        props.update(strides=_ints([1, 1]), pads=_ints([0, 0, 0, 0]))
        total: SSAValue | None = None
        for p, q in phases:
            khp, kwq = -(-(kh - p) // sh), -(-(kw - q) // sw)
            rows, cols = Ho + khp - 1, Wo + kwq - 1
            xs = add(nn.SliceOp.build_inferred([x], {
                "starts": _ints([p, q]),
                "ends": _ints([p + sh * (rows - 1) + 1, q + sw * (cols - 1) + 1]),
                "axes": _ints([2, 3]),
                "steps": _ints([sh, sw]),
            }), f"x{p}{q}")
            if whole:
                wpq: SSAValue = op.w
            else:
                assert weights is not None
                array, base = weights
                part = np.ascontiguousarray(array[:, :, p::sh, q::sw])
                handle = self.resources.unique_name(f"{base}_phase{p}{q}")
                self.resources[handle] = part
                wpq = add(nn.ConstantOp.build_inferred([], {"value": DenseResourceAttr.from_params(
                    handle, TensorType(w_type.element_type, part.shape))}), f"w{p}{q}")
            bias = [op.b] if op.b is not None and total is None else []
            conv = add(nn.ConvOp.build_inferred(
                [xs, wpq, *bias], {**props, "kernel_shape": _ints([khp, kwq])}), f"c{p}{q}")
            total = conv if total is None else add(nn.AddOp.build_inferred([total, conv], {}),
                                                   f"sum{p}{q}")
        assert total is not None
        old_w = op.w.owner
        rewriter.replace(op, new, [total])
        if not whole and isinstance(old_w, nn.ConstantOp) and not old_w.result.uses:
            rewriter.erase(old_w)  # its phases replace it


@dataclass(frozen=True)
class NnDecomposeStridedConvPass(ModulePass):
    """Strided convolutions -> unit-stride convolutions over stepped slices (phases)."""

    name = "nn-decompose-strided-conv"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(
            GreedyRewritePatternApplier([PhaseDecomposeStridedConv(module_resources(op))]),
            apply_recursively=False,
        ).rewrite_module(op)
