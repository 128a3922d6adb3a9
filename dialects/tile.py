"""The `tile` dialect: level L2 — loop nests over planned buffers, explicit DMA.

After `convert-nn-to-tile` no tensor remains. Every value lives in a buffer in a memory
space (`dram` or `vtcm`) with an offset planned by `tile-plan-memory`; every nn op became
one `tile.kernel`: a static loop nest whose body moves tiles DRAM <-> VTCM with
asynchronous DMA and runs one tile-sized compute op on VTCM operands.

```mlir
tile.kernel {
  %a = tile.alloc : memref<64x64xf32, #tile.space<vtcm>>
  tile.for %t = 0 to 16 step 1 {
    %tok = tile.dma_start %x[%i, %c0], %a[%c0, %c0] sizes [64, 64] : memref<1024x64xf32, #tile.space<dram>>, memref<64x64xf32, #tile.space<vtcm>>
    tile.dma_wait %tok
    tile.matmul %a, %b, %c {accumulate} : memref<64x64xf32, #tile.space<vtcm>>, ...
  }
}
```

Design choices (why):

- Buffers are builtin `memref`s whose *memory space* is `#tile.space<dram|vtcm>`, the
  mechanism MLIR itself uses for GPU address spaces. Keeping the builtin type (rather than a
  new `!tile.buffer`) lets `arith.select` pick a double-buffer slot, keeps shapes and element
  types in one familiar place, and lets the later vx lowering read strides with xDSL's
  memref helpers. The planned *address* is not part of the type (a type change would ripple
  through every use) but an `offset` property of the op that creates the buffer
  (`tile.alloc`, `tile.constant`); views (`tile.view`) share their source's bytes.
- Loops are `tile.for` with static integer bounds and step rather than `scf.for` over index
  constants: static trip counts are an invariant of this level (the vx machine runs them as
  zero-overhead hardware loops with an immediate count), so they are properties that a
  verifier checks, not SSA values a pass must chase. Loop-carried values (DMA tokens in
  software pipelines) use `iter_args` exactly like `scf.for`. Index arithmetic inside loops
  is plain `arith` on `index`; conditionals are `scf.if`.
- DMA moves an N-D box: `sizes` elements per dimension from `src[offsets]` to
  `dst[offsets]`. Only the part of the box inside both buffers is transferred (boundary tiles
  of padded convolutions and partial edge tiles); the destination part outside is left as
  it was, so a kernel `tile.fill`s a padded tile first. The vx lowering turns a box into the
  machine's 1-D and 2-D strided descriptors with `DmaStartOp.plan()`: the innermost
  contiguous run is the row, the next dimension the row count with both strides, outer
  dimensions a loop of descriptors (a single 1-D copy when the box is contiguous on both
  sides). One box op rather than separate 1-D/2-D ops keeps the tile level independent of
  how many descriptor dimensions a target has.
- Convolution is one op, `tile.conv`, over a pre-padded input tile: a direct (implicit
  GEMM) convolution, M = output channels, N = output pixels, K = Ci/g x Kh x Kw. The vx
  lowering register-blocks it exactly like a matmul micro-kernel (vector lanes along the
  output width, a block of output channels in registers, broadcast weights) without
  materialising an im2col copy, which would multiply VTCM traffic by Kh x Kw.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xdsl.dialects.builtin import (
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    DenseResourceAttr,
    Float32Type,
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
    Signedness,
    StringAttr,
    TensorType,
    UnitAttr,
    i64,
)
from xdsl.ir import (
    Attribute,
    Block,
    Dialect,
    Operation,
    ParametrizedAttribute,
    Region,
    SSAValue,
    TypeAttribute,
)
from xdsl.irdl import (
    AttrSizedOperandSegments,
    IRDLOperation,
    ParsePropInAttrDict,
    irdl_attr_definition,
    irdl_op_definition,
    operand_def,
    opt_prop_def,
    prop_def,
    region_def,
    result_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.parser import AttrParser, Parser
from xdsl.printer import Printer
from xdsl.traits import (
    IsTerminator,
    NoTerminator,
    Pure,
    RecursiveMemoryEffect,
    SingleBlockImplicitTerminator,
)
from xdsl.utils.exceptions import VerifyException

DRAM = "dram"
VTCM = "vtcm"
MEMORY_SPACES = (DRAM, VTCM)

# --------------------------------------------------------------------------- attributes


@irdl_attr_definition
class MemorySpaceAttr(ParametrizedAttribute):
    """A memory space: `#tile.space<dram>` (large, slow) or `#tile.space<vtcm>` (scratchpad)."""

    name = "tile.space"

    space: StringAttr

    def __init__(self, space: str | StringAttr) -> None:
        super().__init__(StringAttr(space) if isinstance(space, str) else space)

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> list[Attribute]:
        with parser.in_angle_brackets():
            word = parser.parse_identifier(" (memory space: dram or vtcm)")
        if word not in MEMORY_SPACES:
            parser.raise_error(f"expected memory space dram or vtcm, got {word}")
        return [StringAttr(word)]

    def print_parameters(self, printer: Printer) -> None:
        printer.print_string(f"<{self.space.data}>")


@irdl_attr_definition
class TokenType(ParametrizedAttribute, TypeAttribute):
    """`!tile.token`: completion of one asynchronous DMA, consumed by `tile.dma_wait`."""

    name = "tile.token"


def buffer_type(shape: Sequence[int], element_type: Attribute, space: str) -> MemRefType:
    """`memref<shape x element_type, #tile.space<space>>`."""
    return MemRefType(element_type, list(shape), memory_space=MemorySpaceAttr(space))


def space_of(value: SSAValue | Attribute) -> str | None:
    """The memory space of a buffer value or type, None when it has none."""
    typ = value.type if isinstance(value, SSAValue) else value
    if not isinstance(typ, MemRefType):
        return None
    ms = typ.memory_space
    return ms.space.data if isinstance(ms, MemorySpaceAttr) else None


def _buffer(value: SSAValue, what: str, op: Operation) -> MemRefType:
    typ = value.type
    if not isinstance(typ, MemRefType):
        raise VerifyException(f"{op.name}: expected {what} to be a memref, got {typ}")
    if space_of(typ) is None:
        raise VerifyException(
            f"{op.name}: expected {what} in a #tile.space memory space, got {typ}"
        )
    if any(d < 0 for d in typ.get_shape()):
        raise VerifyException(f"{op.name}: expected {what} to have a static shape, got {typ}")
    return typ


def _vtcm(value: SSAValue, what: str, op: Operation) -> MemRefType:
    typ = _buffer(value, what, op)
    if space_of(typ) != VTCM:
        raise VerifyException(f"{op.name}: expected {what} in vtcm, got {space_of(typ)}")
    return typ


def _ints(attr: DenseArrayBase | None) -> tuple[int, ...]:
    return () if attr is None else tuple(int(v) for v in attr.get_values())


def i64_array(values: Sequence[int]) -> DenseArrayBase:
    return DenseArrayBase.from_list(i64, list(values))


# --------------------------------------------------------------------------- buffers


@irdl_op_definition
class AllocOp(IRDLOperation):
    """A buffer with a static shape in a memory space; `offset` is its planned byte address
    within that space (set by `tile-plan-memory`).

    ```mlir
    %buf = tile.alloc {offset = 4096 : i64} : memref<1x64x56x56xf32, #tile.space<dram>>
    ```
    """

    name = "tile.alloc"

    offset = opt_prop_def(IntegerAttr)
    result = result_def(MemRefType)

    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "attr-dict `:` type($result)"

    def __init__(self, typ: MemRefType) -> None:
        super().__init__(result_types=[typ])

    def verify_(self) -> None:
        _buffer(self.result, "result", self)


@irdl_op_definition
class ConstantOp(IRDLOperation):
    """A read-only DRAM buffer holding constant data (weights): the bytes of a
    `dense_resource` (resource table) or a small dense literal; placed once by the planner.

    ```mlir
    %w = tile.constant dense_resource<conv1_w> : tensor<64x3x7x7xf32> : memref<64x3x7x7xf32, #tile.space<dram>>
    ```
    """

    name = "tile.constant"

    value = prop_def(DenseResourceAttr | DenseIntOrFPElementsAttr)
    offset = opt_prop_def(IntegerAttr)
    result = result_def(MemRefType)

    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$value attr-dict `:` type($result)"

    def __init__(
        self, value: DenseResourceAttr | DenseIntOrFPElementsAttr, typ: MemRefType
    ) -> None:
        super().__init__(properties={"value": value}, result_types=[typ])

    def verify_(self) -> None:
        typ = _buffer(self.result, "result", self)
        if space_of(typ) != DRAM:
            raise VerifyException(f"tile.constant: expected result in dram, got {space_of(typ)}")
        vtype = self.value.get_type()
        if not isinstance(vtype, TensorType | MemRefType):
            raise VerifyException(f"tile.constant: expected a shaped value, got {vtype}")
        if (
            tuple(vtype.get_shape()) != tuple(typ.get_shape())
            or vtype.get_element_type() != typ.get_element_type()
        ):
            raise VerifyException(
                f"tile.constant: expected value of shape {list(typ.get_shape())} "
                f"x {typ.get_element_type()}, got {vtype}"
            )


@irdl_op_definition
class ViewOp(IRDLOperation):
    """The same bytes under another static shape (reshape, flatten, squeeze, unsqueeze): no
    copy. Both sides are contiguous row-major buffers of one memory space. With
    `element_offset` the view is a contiguous part of the source starting that many
    elements in: the slice of a concatenation that a producer writes in place.

    ```mlir
    %v = tile.view %buf : memref<1x2048x1x1xf32, #tile.space<dram>> to memref<1x2048xf32, #tile.space<dram>>
    %s = tile.view %cat {element_offset = 200704 : i64} : memref<1x256x28x28xf32, #tile.space<dram>> to memref<1x64x28x28xf32, #tile.space<dram>>
    ```
    """

    name = "tile.view"

    source = operand_def(MemRefType)
    element_offset = opt_prop_def(IntegerAttr)
    result = result_def(MemRefType)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$source attr-dict `:` type($source) `to` type($result)"

    def __init__(
        self, source: SSAValue, typ: MemRefType, element_offset: int | None = None
    ) -> None:
        props: dict[str, Attribute] = {}
        if element_offset is not None:
            props["element_offset"] = IntegerAttr(element_offset, i64)
        super().__init__(operands=[source], result_types=[typ], properties=props)

    @property
    def start(self) -> int:
        return 0 if self.element_offset is None else self.element_offset.value.data

    def verify_(self) -> None:
        src = _buffer(self.source, "source", self)
        dst = _buffer(self.result, "result", self)
        if space_of(src) != space_of(dst):
            raise VerifyException(
                f"tile.view: expected result in {space_of(src)}, got {space_of(dst)}"
            )
        if src.get_element_type() != dst.get_element_type():
            raise VerifyException(
                f"tile.view: expected element type {src.get_element_type()}, "
                f"got {dst.get_element_type()}"
            )
        if self.element_offset is None and _numel(src) != _numel(dst):
            raise VerifyException(f"tile.view: expected {_numel(src)} elements, got {_numel(dst)}")
        if self.start < 0 or self.start + _numel(dst) > _numel(src):
            raise VerifyException(
                f"tile.view: expected at most {_numel(src) - self.start} elements after "
                f"element_offset {self.start}, got {_numel(dst)}"
            )


def element_bytes(et: Attribute) -> int:
    """Bytes of one element in a buffer: i1 (bool) takes a byte, f16 two, f64/i64 eight."""
    return max(1, getattr(et, "bitwidth", 32) // 8)


def _elem_bytes(typ: MemRefType) -> int:
    return element_bytes(typ.get_element_type())


def scalar_type(et: Attribute) -> Attribute:
    """The type a `tile.map` body computes an element of a buffer in: the element type,
    with unsigned integers (ui8 ...) as the signless integer of their width (arith's
    convention: the ops, not the type, say signed or unsigned: divui, cmpi ult, uitofp)."""
    if isinstance(et, IntegerType) and et.signedness.data != Signedness.SIGNLESS:
        return IntegerType(et.width.data)
    return et


def _numel(typ: MemRefType) -> int:
    n = 1
    for d in typ.get_shape():
        n *= d
    return n


# --------------------------------------------------------------------------- structure


@irdl_op_definition
class YieldOp(IRDLOperation):
    """Terminator of `tile.for` (loop-carried values) and `tile.map` (the element result)."""

    name = "tile.yield"

    values = var_operand_def()
    traits = traits_def(IsTerminator())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "attr-dict ($values^ `:` type($values))?"

    def __init__(self, *values: SSAValue) -> None:
        super().__init__(operands=[list(values)])


@irdl_op_definition
class KernelOp(IRDLOperation):
    """One lowered nn op (or fused chain): a loop nest with its own VTCM buffers. VTCM is
    allocated per kernel — every `vtcm` buffer dies at the end of its kernel — and the
    planner records the kernel's footprint in `vtcm_bytes`.

    ```mlir
    tile.kernel {vtcm_bytes = 65536 : i64} {
      tile.for %t = 0 to 4 step 1 { ... }
    }
    ```
    """

    name = "tile.kernel"

    vtcm_bytes = opt_prop_def(IntegerAttr)
    body = region_def("single_block")

    traits = traits_def(NoTerminator(), RecursiveMemoryEffect())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "attr-dict-with-keyword $body"

    def __init__(self, body: Region | Block) -> None:
        super().__init__(regions=[body if isinstance(body, Region) else Region(body)])

    def verify_(self) -> None:
        if self.vtcm_bytes is None:
            return
        budget = self.vtcm_bytes.value.data
        for op in self.walk():
            if isinstance(op, AllocOp) and op.offset is not None and space_of(op.result) == VTCM:
                end = op.offset.value.data + _numel(op.result.type) * _elem_bytes(op.result.type)  # type: ignore[arg-type]
                if end > budget:
                    raise VerifyException(
                        f"tile.kernel: expected vtcm buffers within {budget} bytes, got one ending at {end}"
                    )
        module = self.parent_op()
        while module is not None and module.parent_op() is not None:
            module = module.parent_op()
        cap = module.attributes.get("tile.vtcm_capacity") if module is not None else None
        if isinstance(cap, IntegerAttr) and budget > cap.value.data:
            raise VerifyException(
                f"tile.kernel: expected at most {cap.value.data} bytes of vtcm, got {budget}"
            )


@irdl_op_definition
class ForOp(IRDLOperation):
    """A loop with static bounds and step over an `index` induction variable, with optional
    loop-carried values (DMA tokens of a software pipeline).

    ```mlir
    %r = tile.for %t = 0 to 8 step 1 iter_args(%tok = %t0) -> (!tile.token) {
      ...
      tile.yield %next : !tile.token
    }
    ```
    """

    name = "tile.for"

    lb = prop_def(IntegerAttr)
    ub = prop_def(IntegerAttr)
    step = prop_def(IntegerAttr)
    iter_args = var_operand_def()
    res = var_result_def()
    body = region_def("single_block")

    traits = traits_def(SingleBlockImplicitTerminator(YieldOp), RecursiveMemoryEffect())

    def __init__(
        self, lb: int, ub: int, step: int, iter_args: Sequence[SSAValue], body: Region | Block
    ) -> None:
        super().__init__(
            operands=[list(iter_args)],
            properties={
                "lb": IntegerAttr(lb, i64),
                "ub": IntegerAttr(ub, i64),
                "step": IntegerAttr(step, i64),
            },
            result_types=[[a.type for a in iter_args]],
            regions=[body if isinstance(body, Region) else Region(body)],
        )

    @property
    def trip_count(self) -> int:
        lb, ub, step = self.lb.value.data, self.ub.value.data, self.step.value.data
        return max(0, -(-(ub - lb) // step))

    def verify_(self) -> None:
        if self.step.value.data <= 0:
            raise VerifyException(f"tile.for: expected a positive step, got {self.step.value.data}")
        args = self.body.block.args
        if not args or not isinstance(args[0].type, IndexType):
            raise VerifyException("tile.for: expected an index induction variable")
        carried = [a.type for a in args[1:]]
        if carried != [v.type for v in self.iter_args]:
            raise VerifyException(
                f"tile.for: expected block arguments {[str(v.type) for v in self.iter_args]}, "
                f"got {[str(t) for t in carried]}"
            )
        last = self.body.block.last_op
        if isinstance(last, YieldOp) and [v.type for v in last.values] != [
            r.type for r in self.res
        ]:
            raise VerifyException(
                f"tile.for: expected yield of {[str(r.type) for r in self.res]}, "
                f"got {[str(v.type) for v in last.values]}"
            )

    def print(self, printer: Printer) -> None:
        indvar, *carried = self.body.block.args
        printer.print_string(" ")
        printer.print_ssa_value(indvar)
        printer.print_string(
            f" = {self.lb.value.data} to {self.ub.value.data} step {self.step.value.data}"
        )
        if carried:
            printer.print_string(" iter_args(")
            for i, (arg, init) in enumerate(zip(carried, self.iter_args, strict=True)):
                if i:
                    printer.print_string(", ")
                printer.print_ssa_value(arg)
                printer.print_string(" = ")
                printer.print_ssa_value(init)
            printer.print_string(") -> (")
            printer.print_list([a.type for a in carried], printer.print_attribute)
            printer.print_string(")")
        printer.print_string(" ")
        printer.print_region(
            self.body,
            print_entry_block_args=False,
            print_empty_block=False,
            print_block_terminators=bool(carried),
        )
        printer.print_op_attributes(self.attributes)

    @classmethod
    def parse(cls, parser: Parser) -> ForOp:
        indvar = parser.parse_argument(expect_type=False)
        parser.parse_punctuation("=")
        lb = parser.parse_integer()
        parser.parse_keyword("to")
        ub = parser.parse_integer()
        parser.parse_keyword("step")
        step = parser.parse_integer()
        names: list[Parser.UnresolvedArgument] = []
        inits: list[SSAValue] = []
        types: list[Attribute] = []
        if parser.parse_optional_keyword("iter_args"):

            def one() -> tuple[Parser.UnresolvedArgument, object]:
                arg = parser.parse_argument(expect_type=False)
                parser.parse_punctuation("=")
                return arg, parser.parse_unresolved_operand()

            pairs = parser.parse_comma_separated_list(Parser.Delimiter.PAREN, one)
            parser.parse_punctuation("->")
            types = parser.parse_comma_separated_list(Parser.Delimiter.PAREN, parser.parse_type)
            names = [p[0] for p in pairs]
            inits = [parser.resolve_operand(p[1], t) for p, t in zip(pairs, types, strict=True)]  # type: ignore[arg-type]
        block_args = [indvar.resolve(IndexType())] + [
            n.resolve(t) for n, t in zip(names, types, strict=True)
        ]
        body = parser.parse_region(block_args)
        attrs = parser.parse_optional_attr_dict()
        op = cls(lb, ub, step, inits, body)
        op.attributes |= attrs
        if not names and not isinstance(op.body.block.last_op, YieldOp):
            op.body.block.add_op(YieldOp())
        return op


# --------------------------------------------------------------------------- DMA


@irdl_op_definition
class DmaStartOp(IRDLOperation):
    """Start an asynchronous copy of an N-D box of `sizes` elements from `src[src_indices]`
    to `dst[dst_indices]` (any pair of memory spaces). Only the part of the box inside both
    buffers moves; indices may be negative (a padded window). Returns a token.

    ```mlir
    %tok = tile.dma_start %x[%c0, %i], %a[%c0, %c0] sizes [8, 64] : memref<64x1024xf32, #tile.space<dram>>, memref<8x64xf32, #tile.space<vtcm>>
    ```
    """

    name = "tile.dma_start"

    src = operand_def(MemRefType)
    src_indices = var_operand_def(IndexType)
    dst = operand_def(MemRefType)
    dst_indices = var_operand_def(IndexType)
    sizes = prop_def(DenseArrayBase)
    token = result_def(TokenType)

    irdl_options = (AttrSizedOperandSegments(as_property=True),)

    def __init__(
        self,
        src: SSAValue,
        src_indices: Sequence[SSAValue],
        dst: SSAValue,
        dst_indices: Sequence[SSAValue],
        sizes: Sequence[int],
    ) -> None:
        super().__init__(
            operands=[src, list(src_indices), dst, list(dst_indices)],
            properties={"sizes": i64_array(sizes)},
            result_types=[TokenType()],
        )

    @property
    def static_sizes(self) -> tuple[int, ...]:
        return _ints(self.sizes)

    def plan(self) -> DmaPlan:
        """The descriptor decomposition of this box (see `dma_plan`)."""
        src, dst = self.src.type, self.dst.type
        assert isinstance(src, MemRefType) and isinstance(dst, MemRefType)
        return dma_plan(src.get_shape(), dst.get_shape(), self.static_sizes, _elem_bytes(src))

    def verify_(self) -> None:
        src = _buffer(self.src, "source", self)
        dst = _buffer(self.dst, "destination", self)
        sizes = self.static_sizes
        for what, typ, idx in (
            ("source", src, self.src_indices),
            ("destination", dst, self.dst_indices),
        ):
            if len(idx) != typ.get_num_dims():
                raise VerifyException(
                    f"tile.dma_start: expected {typ.get_num_dims()} {what} indices, got {len(idx)}"
                )
        if src.get_num_dims() != dst.get_num_dims():
            raise VerifyException(
                f"tile.dma_start: expected a destination of rank {src.get_num_dims()}, "
                f"got {dst.get_num_dims()}"
            )
        if len(sizes) != src.get_num_dims():
            raise VerifyException(
                f"tile.dma_start: expected {src.get_num_dims()} sizes, got {len(sizes)}"
            )
        if any(s <= 0 for s in sizes):
            raise VerifyException(f"tile.dma_start: expected positive sizes, got {list(sizes)}")
        if src.get_element_type() != dst.get_element_type():
            raise VerifyException(
                f"tile.dma_start: expected destination element type {src.get_element_type()}, "
                f"got {dst.get_element_type()}"
            )

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        for k, (buf, idx) in enumerate(
            ((self.src, self.src_indices), (self.dst, self.dst_indices))
        ):
            if k:
                printer.print_string(", ")
            printer.print_ssa_value(buf)
            printer.print_string("[")
            printer.print_list(idx, printer.print_ssa_value)
            printer.print_string("]")
        printer.print_string(f" sizes [{', '.join(str(s) for s in self.static_sizes)}]")
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        printer.print_attribute(self.src.type)
        printer.print_string(", ")
        printer.print_attribute(self.dst.type)

    @classmethod
    def parse(cls, parser: Parser) -> DmaStartOp:
        def ref() -> tuple[object, list[object]]:
            buf = parser.parse_unresolved_operand()
            idx = parser.parse_comma_separated_list(
                Parser.Delimiter.SQUARE, parser.parse_unresolved_operand
            )
            return buf, idx

        src, src_idx = ref()
        parser.parse_punctuation(",")
        dst, dst_idx = ref()
        parser.parse_keyword("sizes")
        sizes = parser.parse_comma_separated_list(Parser.Delimiter.SQUARE, parser.parse_integer)
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        src_t = parser.parse_type()
        parser.parse_punctuation(",")
        dst_t = parser.parse_type()
        index = IndexType()
        op = cls(
            parser.resolve_operand(src, src_t),  # type: ignore[arg-type]
            [parser.resolve_operand(i, index) for i in src_idx],  # type: ignore[arg-type]
            parser.resolve_operand(dst, dst_t),  # type: ignore[arg-type]
            [parser.resolve_operand(i, index) for i in dst_idx],  # type: ignore[arg-type]
            sizes,
        )
        op.attributes |= attrs
        return op


@dataclass(frozen=True)
class DmaPlan:
    """How one `tile.dma_start` box maps onto the machine's DMA descriptors (unclipped).

    The innermost dimensions that are whole on both sides merge into one contiguous run of
    `row_bytes`; the next dimension gives `rows` with `src_stride`/`dst_stride` bytes
    between row starts (a 2-D descriptor; `rows == 1` is a 1-D copy); the remaining outer
    dimensions are loops of descriptors, `(count, src_stride, dst_stride)` outermost first.
    Dimensions of one element are dropped, and a dimension whose strides are its inner
    neighbour's times that neighbour's count merges into it (the columns of a stepped
    slice over whole rows are one descriptor).
    """

    row_bytes: int
    rows: int
    src_stride: int
    dst_stride: int
    outer: tuple[tuple[int, int, int], ...]

    @property
    def descriptors(self) -> int:
        n = 1
        for count, _, _ in self.outer:
            n *= count
        return n


def dma_plan(
    src_shape: Sequence[int], dst_shape: Sequence[int], sizes: Sequence[int], elem_bytes: int
) -> DmaPlan:
    """Decompose a box copy between row-major buffers into 1-D/2-D descriptors."""
    rank = len(sizes)

    def stride(shape: Sequence[int], d: int) -> int:
        n = elem_bytes
        for x in shape[d + 1 :]:
            n *= x
        return n

    k = rank - 1  # dims k.. form one contiguous run
    while k > 0 and sizes[k] == src_shape[k] == dst_shape[k]:
        k -= 1
    run = elem_bytes
    for x in sizes[k:]:
        run *= x
    if k == 0:
        return DmaPlan(run, 1, run, run, ())
    rows_dim = k - 1
    # dims of one element are no loops; a dim whose stride is its inner neighbour's times
    # that one's count continues the neighbour's rows (e.g. the columns of a stepped slice
    # over whole rows: one descriptor, not one per row)
    dims = [(sizes[d], stride(src_shape, d), stride(dst_shape, d))
            for d in range(rows_dim + 1) if sizes[d] != 1 or d == rows_dim]
    merged = [dims[-1]]
    for count, ss, ds in reversed(dims[:-1]):
        n, s0, d0 = merged[0]
        if ss == n * s0 and ds == n * d0:
            merged[0] = (count * n, s0, d0)
        else:
            merged.insert(0, (count, ss, ds))
    rows, src_stride, dst_stride = merged[-1]
    return DmaPlan(run, rows, src_stride, dst_stride, tuple(merged[:-1]))


@irdl_op_definition
class DmaWaitOp(IRDLOperation):
    """Block until the DMAs of the given tokens have completed (waiting twice is a no-op).

    ```mlir
    tile.dma_wait %tok0, %tok1
    ```
    """

    name = "tile.dma_wait"

    tokens = var_operand_def(TokenType)
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$tokens attr-dict"

    def __init__(self, *tokens: SSAValue) -> None:
        super().__init__(operands=[list(tokens)])


@irdl_op_definition
class ReadyOp(IRDLOperation):
    """A token that is already complete: the initial value of a loop-carried token and the
    `else` of a guarded prefetch.

    ```mlir
    %none = tile.ready
    ```
    """

    name = "tile.ready"

    token = result_def(TokenType)
    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "attr-dict"

    def __init__(self) -> None:
        super().__init__(result_types=[TokenType()])


# --------------------------------------------------------------------------- compute


@irdl_op_definition
class FillOp(IRDLOperation):
    """Set every element of a VTCM buffer (padding values, accumulator zero). The value is
    converted to the buffer's element type (the lowering fills integer buffers only with
    values an f32 holds exactly: small constants, 0, and the type's minimum -2^(w-1)).

    ```mlir
    tile.fill %buf, -3.40282347E+38 : memref<1x8x10x58xf32, #tile.space<vtcm>>
    ```
    """

    name = "tile.fill"

    output = operand_def(MemRefType)
    value = prop_def(FloatAttr[Float32Type])
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$output `,` $value attr-dict `:` type($output)"

    def __init__(self, output: SSAValue, value: float) -> None:
        super().__init__(operands=[output], properties={"value": FloatAttr(value, Float32Type())})

    def verify_(self) -> None:
        _vtcm(self.output, "output", self)


@irdl_op_definition
class MatmulOp(IRDLOperation):
    """`c (+)= op(a) @ op(b)` on VTCM tiles, optionally batched over equal leading dims;
    `transpose_a`/`transpose_b` read a/b as [K, M]/[N, K]. 16-bit floats accumulate in
    f32 and round once into c.

    ```mlir
    tile.matmul %a, %b, %c {accumulate} : memref<32x64xf32, #tile.space<vtcm>>, memref<64x128xf32, #tile.space<vtcm>>, memref<32x128xf32, #tile.space<vtcm>>
    ```
    """

    name = "tile.matmul"

    a = operand_def(MemRefType)
    b = operand_def(MemRefType)
    c = operand_def(MemRefType)
    transpose_a = opt_prop_def(UnitAttr)
    transpose_b = opt_prop_def(UnitAttr)
    accumulate = opt_prop_def(UnitAttr)

    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$a `,` $b `,` $c attr-dict `:` type($a) `,` type($b) `,` type($c)"

    def __init__(
        self,
        a: SSAValue,
        b: SSAValue,
        c: SSAValue,
        *,
        transpose_a: bool = False,
        transpose_b: bool = False,
        accumulate: bool = False,
    ) -> None:
        props: dict[str, Attribute] = {}
        for key, flag in (
            ("transpose_a", transpose_a),
            ("transpose_b", transpose_b),
            ("accumulate", accumulate),
        ):
            if flag:
                props[key] = UnitAttr()
        super().__init__(operands=[a, b, c], properties=props)

    def verify_(self) -> None:
        ta = _vtcm(self.a, "a", self).get_shape()
        tb = _vtcm(self.b, "b", self).get_shape()
        tc = _vtcm(self.c, "c", self).get_shape()
        if not (len(ta) == len(tb) == len(tc) >= 2):
            raise VerifyException(
                f"tile.matmul: expected operands of equal rank >= 2, got {len(ta)}, {len(tb)}, {len(tc)}"
            )
        if not (ta[:-2] == tb[:-2] == tc[:-2]):
            raise VerifyException("tile.matmul: expected equal batch dimensions")
        m, k = (ta[-1], ta[-2]) if self.transpose_a else (ta[-2], ta[-1])
        kb, n = (tb[-1], tb[-2]) if self.transpose_b else (tb[-2], tb[-1])
        if k != kb:
            raise VerifyException(f"tile.matmul: expected b with K = {k}, got {kb}")
        if (tc[-2], tc[-1]) != (m, n):
            raise VerifyException(
                f"tile.matmul: expected c of shape {m}x{n}, got {tc[-2]}x{tc[-1]}"
            )


@irdl_op_definition
class ConvOp(IRDLOperation):
    """`y (+)= conv(x, w)` on VTCM tiles, NCHW / OIHW, no padding (the input tile is
    already padded): x [N, C, Hi, Wi], w [Co, C/groups, Kh, Kw], y [N, Co, Ho, Wo] with
    Hi >= (Ho-1)*sh + (Kh-1)*dh + 1 (and the same for W).

    ```mlir
    tile.conv %x, %w, %y {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : memref<1x64x10x58xf32, #tile.space<vtcm>>, memref<16x64x3x3xf32, #tile.space<vtcm>>, memref<1x16x8x56xf32, #tile.space<vtcm>>
    ```
    """

    name = "tile.conv"

    x = operand_def(MemRefType)
    w = operand_def(MemRefType)
    y = operand_def(MemRefType)
    strides = prop_def(DenseArrayBase)
    dilations = prop_def(DenseArrayBase)
    groups = prop_def(IntegerAttr)
    accumulate = opt_prop_def(UnitAttr)

    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$x `,` $w `,` $y attr-dict `:` type($x) `,` type($w) `,` type($y)"

    def __init__(
        self,
        x: SSAValue,
        w: SSAValue,
        y: SSAValue,
        strides: Sequence[int],
        dilations: Sequence[int],
        groups: int,
        accumulate: bool = False,
    ) -> None:
        props: dict[str, Attribute] = {
            "strides": i64_array(strides),
            "dilations": i64_array(dilations),
            "groups": IntegerAttr(groups, i64),
        }
        if accumulate:
            props["accumulate"] = UnitAttr()
        super().__init__(operands=[x, w, y], properties=props)

    def verify_(self) -> None:
        xs = _vtcm(self.x, "x", self).get_shape()
        ws = _vtcm(self.w, "w", self).get_shape()
        ys = _vtcm(self.y, "y", self).get_shape()
        if not (len(xs) == len(ws) == len(ys) == 4):
            raise VerifyException("tile.conv: expected rank-4 x, w and y")
        g = self.groups.value.data
        strides, dil = _ints(self.strides), _ints(self.dilations)
        if len(strides) != 2 or len(dil) != 2:
            raise VerifyException("tile.conv: expected 2 strides and 2 dilations")
        if g <= 0 or xs[1] % g or ys[1] % g or ws[1] * g != xs[1] or ws[0] != ys[1]:
            raise VerifyException(
                f"tile.conv: expected w of shape {ys[1]}x{xs[1] // max(g, 1)}xKhxKw, got "
                f"{'x'.join(map(str, ws))}"
            )
        for d in range(2):
            need = (ys[2 + d] - 1) * strides[d] + (ws[2 + d] - 1) * dil[d] + 1
            if xs[2 + d] < need:
                raise VerifyException(
                    f"tile.conv: expected input tile extent >= {need} in spatial dim {d}, "
                    f"got {xs[2 + d]}"
                )


@irdl_op_definition
class PoolOp(IRDLOperation):
    """Sliding-window `max` or `sum` over every dimension of a (pre-padded) VTCM tile:
    y[i] = reduce over k of x[i*strides + k*dilations], k < window. Average pooling is a
    `sum` followed by a `tile.map` scaling; LRN is a `sum` window along channels.

    ```mlir
    tile.pool %x, %y {kind = "max", window = array<i64: 1, 1, 3, 3>, strides = array<i64: 1, 1, 2, 2>, dilations = array<i64: 1, 1, 1, 1>} : memref<1x16x17x113xf32, #tile.space<vtcm>>, memref<1x16x8x56xf32, #tile.space<vtcm>>
    ```
    """

    name = "tile.pool"

    x = operand_def(MemRefType)
    y = operand_def(MemRefType)
    kind = prop_def(StringAttr)
    window = prop_def(DenseArrayBase)
    strides = prop_def(DenseArrayBase)
    dilations = prop_def(DenseArrayBase)

    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$x `,` $y attr-dict `:` type($x) `,` type($y)"

    def __init__(
        self,
        x: SSAValue,
        y: SSAValue,
        kind: str,
        window: Sequence[int],
        strides: Sequence[int],
        dilations: Sequence[int],
    ) -> None:
        super().__init__(
            operands=[x, y],
            properties={
                "kind": StringAttr(kind),
                "window": i64_array(window),
                "strides": i64_array(strides),
                "dilations": i64_array(dilations),
            },
        )

    def verify_(self) -> None:
        xs = _vtcm(self.x, "x", self).get_shape()
        ys = _vtcm(self.y, "y", self).get_shape()
        if self.kind.data not in ("max", "sum"):
            raise VerifyException(f"tile.pool: expected kind max or sum, got {self.kind.data}")
        win, st, dil = _ints(self.window), _ints(self.strides), _ints(self.dilations)
        if not (len(xs) == len(ys) == len(win) == len(st) == len(dil)):
            raise VerifyException(
                f"tile.pool: expected window, strides and dilations of rank {len(xs)}"
            )
        for d in range(len(xs)):
            need = (ys[d] - 1) * st[d] + (win[d] - 1) * dil[d] + 1
            if xs[d] < need:
                raise VerifyException(
                    f"tile.pool: expected input tile extent >= {need} in dim {d}, got {xs[d]}"
                )


REDUCE_KINDS = ("add", "max", "mul", "argmax", "argmin")


@irdl_op_definition
class ReduceOp(IRDLOperation):
    """Reduce a VTCM tile over `dims`, keeping them as size-1 dims: `add`, `max`, `mul`
    (product), or `argmax`/`argmin` over one dim into an i64 tile of indices (the first
    extremum; the last with `select_last_index`; NaN counts as the extremum, as numpy's).

    ```mlir
    tile.reduce %x, %y {kind = "max", dims = array<i64: 1>} : memref<4x1000xf32, #tile.space<vtcm>>, memref<4x1xf32, #tile.space<vtcm>>
    tile.reduce %x, %i {kind = "argmax", dims = array<i64: 1>} : memref<4x1000xf32, #tile.space<vtcm>>, memref<4x1xi64, #tile.space<vtcm>>
    ```
    """

    name = "tile.reduce"

    x = operand_def(MemRefType)
    y = operand_def(MemRefType)
    kind = prop_def(StringAttr)
    dims = prop_def(DenseArrayBase)
    select_last_index = opt_prop_def(UnitAttr)

    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$x `,` $y attr-dict `:` type($x) `,` type($y)"

    def __init__(
        self, x: SSAValue, y: SSAValue, kind: str, dims: Sequence[int], select_last: bool = False
    ) -> None:
        props: dict[str, Attribute] = {"kind": StringAttr(kind), "dims": i64_array(sorted(dims))}
        if select_last:
            props["select_last_index"] = UnitAttr()
        super().__init__(operands=[x, y], properties=props)

    def verify_(self) -> None:
        xt, yt = _vtcm(self.x, "x", self), _vtcm(self.y, "y", self)
        xs, ys = xt.get_shape(), yt.get_shape()
        kind = self.kind.data
        if kind not in REDUCE_KINDS:
            raise VerifyException(
                f"tile.reduce: expected kind {', '.join(REDUCE_KINDS)}, got {kind}"
            )
        arg = kind in ("argmax", "argmin")
        want_et = i64 if arg else xt.get_element_type()
        if yt.get_element_type() != want_et:
            raise VerifyException(
                f"tile.reduce: expected y of element type {want_et}, got {yt.get_element_type()}"
            )
        if arg and len(_ints(self.dims)) != 1:
            raise VerifyException(f"tile.reduce: expected one dim for {kind}")
        dims = _ints(self.dims)
        if any(not 0 <= d < len(xs) for d in dims):
            raise VerifyException(f"tile.reduce: expected dims in [0, {len(xs)}), got {list(dims)}")
        want = tuple(1 if d in dims else s for d, s in enumerate(xs))
        if tuple(ys) != want:
            raise VerifyException(
                f"tile.reduce: expected result shape {'x'.join(map(str, want))}, "
                f"got {'x'.join(map(str, ys))}"
            )


@irdl_op_definition
class MapOp(IRDLOperation):
    """Elementwise map over VTCM tiles: the region computes one output element from one
    element of each input (inputs broadcast along their size-1 dims, same rank as the
    output). A fused chain (bias, batch norm, residual add, relu) stays one op. The output
    may be one of the inputs (in place). Buffers may hold any element type (f16, f64, i1,
    i8..i64, ui8..ui64); the region computes in `scalar_type` of each: unsigned integers
    as signless ones, the signedness being in the ops (divui, cmpi ult, uitofp, ...).

    ```mlir
    tile.map ins(%y, %s : memref<1x16x8x56xf32, #tile.space<vtcm>>, memref<1x16x1x1xf32, #tile.space<vtcm>>) outs(%y : memref<1x16x8x56xf32, #tile.space<vtcm>>) {
    ^bb0(%a: f32, %b: f32):
      %r = arith.mulf %a, %b : f32
      tile.yield %r : f32
    }
    ```
    """

    name = "tile.map"

    inputs = var_operand_def(MemRefType)
    output = operand_def(MemRefType)
    body = region_def("single_block")

    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = (
        "`ins` `(` $inputs `:` type($inputs) `)` `outs` `(` $output `:` type($output) `)` "
        "attr-dict-with-keyword $body"
    )

    def __init__(self, inputs: Sequence[SSAValue], output: SSAValue, body: Region | Block) -> None:
        super().__init__(
            operands=[list(inputs), output],
            regions=[body if isinstance(body, Region) else Region(body)],
        )

    def verify_(self) -> None:
        out = _vtcm(self.output, "output", self)
        shape = out.get_shape()
        for i, v in enumerate(self.inputs):
            s = _vtcm(v, f"input #{i}", self).get_shape()
            if len(s) != len(shape) or any(a not in (1, b) for a, b in zip(s, shape, strict=True)):
                raise VerifyException(
                    f"tile.map: expected input #{i} broadcastable to {'x'.join(map(str, shape))}, "
                    f"got {'x'.join(map(str, s))}"
                )
        block = self.body.block
        want = [scalar_type(typ.get_element_type()) for typ in (v.type for v in self.inputs)]  # type: ignore[union-attr]
        if [a.type for a in block.args] != want:
            raise VerifyException(
                f"tile.map: expected block arguments {[str(t) for t in want]}, "
                f"got {[str(a.type) for a in block.args]}"
            )
        last = block.last_op
        if not isinstance(last, YieldOp) or len(last.values) != 1:
            raise VerifyException("tile.map: expected the region to end in tile.yield of one value")
        if last.values[0].type != scalar_type(out.get_element_type()):
            raise VerifyException(
                f"tile.map: expected yield of {scalar_type(out.get_element_type())}, "
                f"got {last.values[0].type}"
            )


@irdl_op_definition
class TransposeOp(IRDLOperation):
    """Permute the dimensions of a VTCM tile: y = transpose(x, perm).

    ```mlir
    tile.transpose %x, %y {perm = array<i64: 0, 2, 1>} : memref<1x4x8xf32, #tile.space<vtcm>>, memref<1x8x4xf32, #tile.space<vtcm>>
    ```
    """

    name = "tile.transpose"

    x = operand_def(MemRefType)
    y = operand_def(MemRefType)
    perm = prop_def(DenseArrayBase)

    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$x `,` $y attr-dict `:` type($x) `,` type($y)"

    def __init__(self, x: SSAValue, y: SSAValue, perm: Sequence[int]) -> None:
        super().__init__(operands=[x, y], properties={"perm": i64_array(perm)})

    def verify_(self) -> None:
        xs = _vtcm(self.x, "x", self).get_shape()
        ys = _vtcm(self.y, "y", self).get_shape()
        perm = _ints(self.perm)
        if sorted(perm) != list(range(len(xs))):
            raise VerifyException(
                f"tile.transpose: expected a permutation of rank {len(xs)}, got {list(perm)}"
            )
        want = tuple(xs[p] for p in perm)
        if tuple(ys) != want:
            raise VerifyException(
                f"tile.transpose: expected result shape {'x'.join(map(str, want))}, "
                f"got {'x'.join(map(str, ys))}"
            )


@irdl_op_definition
class GatherOp(IRDLOperation):
    """Pick elements of a VTCM tile along `axis` by a tile of runtime indices:
    y[.., i, ..] = x[.., idx[.., i, ..], ..] (numpy's take_along_axis; a negative index
    counts from the end of x's axis). x, idx and y have one rank; x and y agree on every
    dim but `axis`; idx dims are y's or 1 (broadcast, as in ONNX Gather's flattened form).

    ```mlir
    tile.gather %x, %idx, %y {axis = 1 : i64} : memref<4x10x8xf32, #tile.space<vtcm>>, memref<1x3x1xi64, #tile.space<vtcm>>, memref<4x3x8xf32, #tile.space<vtcm>>
    ```
    """

    name = "tile.gather"

    x = operand_def(MemRefType)
    indices = operand_def(MemRefType)
    y = operand_def(MemRefType)
    axis = prop_def(IntegerAttr)

    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = (
        "$x `,` $indices `,` $y attr-dict `:` type($x) `,` type($indices) `,` type($y)"
    )

    def __init__(self, x: SSAValue, indices: SSAValue, y: SSAValue, axis: int) -> None:
        super().__init__(operands=[x, indices, y], properties={"axis": IntegerAttr(axis, i64)})

    def verify_(self) -> None:
        xt = _vtcm(self.x, "x", self)
        it = _vtcm(self.indices, "indices", self)
        yt = _vtcm(self.y, "y", self)
        xs, is_, ys = xt.get_shape(), it.get_shape(), yt.get_shape()
        axis = self.axis.value.data
        if not (len(xs) == len(is_) == len(ys)) or not 0 <= axis < len(xs):
            raise VerifyException(
                f"tile.gather: expected x, indices and y of one rank with axis inside, got "
                f"ranks {len(xs)}, {len(is_)}, {len(ys)} and axis {axis}"
            )
        if not isinstance(it.get_element_type(), IntegerType):
            raise VerifyException(
                f"tile.gather: expected integer indices, got {it.get_element_type()}"
            )
        if xt.get_element_type() != yt.get_element_type():
            raise VerifyException(
                f"tile.gather: expected y of element type {xt.get_element_type()}, "
                f"got {yt.get_element_type()}"
            )
        for d in range(len(xs)):
            if d != axis and xs[d] != ys[d]:
                raise VerifyException(
                    f"tile.gather: expected x and y to agree on dim {d}, got {xs[d]} and {ys[d]}"
                )
            if is_[d] not in (1, ys[d]):
                raise VerifyException(
                    f"tile.gather: expected indices dim {d} of 1 or {ys[d]}, got {is_[d]}"
                )


@irdl_op_definition
class TopKOp(IRDLOperation):
    """The k largest (or smallest) elements of a VTCM tile along `axis`, in order, with
    their i64 positions; ties keep the lower position first (a stable sort).

    ```mlir
    tile.top_k %x, %v, %i {axis = 1 : i64, k = 3 : i64, largest} : memref<4x10xf32, #tile.space<vtcm>>, memref<4x3xf32, #tile.space<vtcm>>, memref<4x3xi64, #tile.space<vtcm>>
    ```
    """

    name = "tile.top_k"

    x = operand_def(MemRefType)
    values = operand_def(MemRefType)
    indices = operand_def(MemRefType)
    axis = prop_def(IntegerAttr)
    k = prop_def(IntegerAttr)
    largest = opt_prop_def(UnitAttr)

    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = (
        "$x `,` $values `,` $indices attr-dict `:` type($x) `,` type($values) `,` type($indices)"
    )

    def __init__(
        self, x: SSAValue, values: SSAValue, indices: SSAValue, axis: int, k: int, largest: bool
    ) -> None:
        props: dict[str, Attribute] = {"axis": IntegerAttr(axis, i64), "k": IntegerAttr(k, i64)}
        if largest:
            props["largest"] = UnitAttr()
        super().__init__(operands=[x, values, indices], properties=props)

    def verify_(self) -> None:
        xt = _vtcm(self.x, "x", self)
        vt = _vtcm(self.values, "values", self)
        it = _vtcm(self.indices, "indices", self)
        axis, k = self.axis.value.data, self.k.value.data
        xs = xt.get_shape()
        if not 0 <= axis < len(xs) or not 0 <= k <= xs[axis]:
            raise VerifyException(
                f"tile.top_k: expected axis in [0, {len(xs)}) and k <= its extent, got "
                f"axis {axis}, k {k}"
            )
        want = tuple(k if d == axis else n for d, n in enumerate(xs))
        for what, t in (("values", vt), ("indices", it)):
            if tuple(t.get_shape()) != want:
                raise VerifyException(
                    f"tile.top_k: expected {what} of shape {'x'.join(map(str, want))}, "
                    f"got {'x'.join(map(str, t.get_shape()))}"
                )
        if vt.get_element_type() != xt.get_element_type() or it.get_element_type() != i64:
            raise VerifyException(
                f"tile.top_k: expected values of {xt.get_element_type()} and i64 indices, got "
                f"{vt.get_element_type()} and {it.get_element_type()}"
            )


COMPUTE_OPS = (FillOp, MatmulOp, ConvOp, PoolOp, ReduceOp, MapOp, TransposeOp, GatherOp, TopKOp)

TILE = Dialect(
    "tile",
    [
        AllocOp,
        ConstantOp,
        ViewOp,
        YieldOp,
        KernelOp,
        ForOp,
        DmaStartOp,
        DmaWaitOp,
        ReadyOp,
        FillOp,
        MatmulOp,
        ConvOp,
        PoolOp,
        ReduceOp,
        MapOp,
        TransposeOp,
        GatherOp,
        TopKOp,
    ],
    [MemorySpaceAttr, TokenType],
)
