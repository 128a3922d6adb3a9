"""The `vx` dialect: level L3 — instructions of the vx VLIW vector machine.

One op per instruction of docs/isa_spec.md, on register-typed SSA values. Before register
allocation the registers are virtual (`!vx.vreg`); `vx-allocate-registers` assigns physical
ones (`!vx.vreg<v3>`); `vx-schedule` bundles instructions into `vx.packet`s; the emitter
(`emit_assembly`, `vexa-translate --emit-asm`) prints the text assembly of the spec.

```mlir
vx.data @A dram 8192
vx.func @main {
  %p = vx.li @A + 0 : !vx.reg<r1>
  %z = vx.vsplati 0 : !vx.vreg<v4>
  %r:2 = vx.loop 64 iter_args(%q = %p, %acc = %z) -> (!vx.reg<r1>, !vx.vreg<v4>) {
    %v, %n = vx.packet {
      %x = vx.vld %q, 0 : (!vx.reg<r1>) -> !vx.vreg<v0>
      %i = vx.addi %q, 128 : (!vx.reg<r1>) -> !vx.reg<r1>
      vx.yield %x, %i : !vx.vreg<v0>, !vx.reg<r1>
    } : !vx.vreg<v0>, !vx.reg<r1>
    %a = vx.vfma.f32 %acc, %v, %v : (!vx.vreg<v4>, !vx.vreg<v0>, !vx.vreg<v0>) -> !vx.vreg<v4>
    vx.yield %n, %a : !vx.reg<r1>, !vx.vreg<v4>
  }
  vx.halt
}
```

Design choices (why):

- Registers are types, exactly like xDSL's RISC-V backend (`RegisterType` with an index and a
  name), so the xDSL register-allocation machinery (`HasRegisterConstraints`, inout ties)
  applies unchanged. Type verification knows only the spelling (`v0`..`v255`); the counts of
  the concrete machine are checked by `vx.func` against the target.
- Op names are `vx.` + the assembly mnemonic (`vx.vfma.f32` is `vfma.f32`), so grepping a
  mnemonic finds its op. Every instruction op carries its mnemonic, its instruction class
  (the key of the target's resource table) and its assembly operand order as class data.
- Accumulating instructions (`vfma.f32`, `vdmpy.i8`) take the old accumulator as an operand
  and produce the new one; it is an `inout` register constraint, and the verifier rejects
  allocations that do not tie the two.
- Packets and hardware loops are regions. Values defined in a region are not visible outside
  it in MLIR, so `vx.packet` and `vx.loop` yield what later code uses (`vx.yield`); the
  types of loop-carried values are equal everywhere, which is what ties their registers.
  Hardware loops have no induction variable: address increments are explicit `addi`s
  carried through `iter_args`.
- Branches are flat: `vx.label` marks a position in a `vx.func` body, branches name labels.
  The emitter turns `vx.loop` into `loop`/`loopi` + a fresh end label.
- Program data is IR too: `vx.data` defines a DRAM or VTCM symbol (zeroed or initialised),
  `vx.io` declares a symbol as a program input or output, so a whole program (data sections,
  `.input`/`.output` lines, text) is emitted from one module.
- The target is named by a `vx.target = "vx128"` attribute on an enclosing op (the module or
  the function), default `vx128`; the packet and function verifiers read it.
"""

from __future__ import annotations

import functools

import re
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, ClassVar, Self

import numpy as np
from xdsl.backend.register_allocatable import HasRegisterConstraints, RegisterConstraints
from xdsl.backend.register_type import RegisterAllocatedMemoryEffect, RegisterType
from xdsl.dialects.builtin import (
    I32,
    ArrayAttr,
    DenseArrayBase,
    CallSiteLoc,
    DenseIntOrFPElementsAttr,
    DenseResourceAttr,
    Float32Type,
    FlatSymbolRefAttr,
    FusedLoc,
    IntegerAttr,
    IntegerType,
    ModuleOp,
    NameLoc,
    StringAttr,
    SymbolNameConstraint,
    TensorType,
    UnitAttr,
    i32,
    i64,
)
from xdsl.ir import Attribute, Block, Dialect, Operation, Region, SSAValue
from xdsl.irdl import (
    AttrSizedOperandSegments,
    IRDLOperation,
    irdl_attr_definition,
    irdl_op_definition,
    lazy_traits_def,
    operand_def,
    opt_operand_def,
    opt_prop_def,
    prop_def,
    region_def,
    result_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.parser import Parser, UnresolvedOperand
from xdsl.printer import Printer
from xdsl.traits import (
    HasParent,
    IsolatedFromAbove,
    IsTerminator,
    MemoryReadEffect,
    MemoryWriteEffect,
    NoMemoryEffect,
    NoTerminator,
    RecursiveMemoryEffect,
    SymbolOpInterface,
)
from xdsl.context import Context
from xdsl.utils.exceptions import VerifyException
from xdsl.utils.target import Target as XdslTarget

if TYPE_CHECKING:
    from vexa.runtime.target import Target

# region Registers


class VxRegisterType(RegisterType, ABC):
    """A vx register: unallocated (`!vx.vreg`) or allocated (`!vx.vreg<v3>`).

    The spelling admits indices up to `MAX_REGISTERS - 1` (the widest register field of any
    target); the register counts of one machine are checked by `vx.func` (see `verify_`).
    """

    PREFIX: ClassVar[str]
    MAX_REGISTERS: ClassVar[int] = 256
    _UNALLOCATED: ClassVar[VxRegisterType]
    _NAMES: ClassVar[dict[str, int]]

    @classmethod
    def index_by_name(cls) -> dict[str, int]:
        if not hasattr(cls, "PREFIX"):
            raise NotImplementedError  # the abstract base (see RegisterType.__init_subclass__)
        if "_NAMES" not in cls.__dict__:
            cls._NAMES = {f"{cls.PREFIX}{i}": i for i in range(cls.MAX_REGISTERS)}
        return cls._NAMES

    @classmethod
    def infinite_register_prefix(cls) -> str:
        # Spill/"infinite" registers of xDSL's allocators print as e.g. `vj_3`.
        if not hasattr(cls, "PREFIX"):
            raise NotImplementedError
        return cls.PREFIX + "j_"

    @classmethod
    def register(cls, index: int) -> Self:
        """The allocated register `index` (`VectorRegisterType.register(3)` is `v3`)."""
        return cls.from_index(index)

    @classmethod
    def unallocated(cls) -> Self:
        """The unallocated register of this type: one shared instance per type (attributes
        are immutable; building one verifies its two parameters, and the lowering asks for
        it once per instruction it creates)."""
        cached = cls.__dict__.get("_UNALLOCATED")
        if cached is None:
            cached = super().unallocated()
            cls._UNALLOCATED = cached
        return cached

    @property
    def number(self) -> int | None:
        """The physical register number, or None when unallocated or infinite."""
        index = self.index
        if not self.is_allocated or not hasattr(index, "data"):
            return None
        value = index.data  # pyright: ignore[reportAttributeAccessIssue]
        return value if value >= 0 else None


@irdl_attr_definition
class ScalarRegisterType(VxRegisterType):
    """A 32-bit scalar register `r0..r{gprs-1}`: `!vx.reg` or `!vx.reg<r3>`."""

    name = "vx.reg"
    PREFIX = "r"


@irdl_attr_definition
class VectorRegisterType(VxRegisterType):
    """A vector register `v0..v{vregs-1}` of `vlen_bytes` bytes: `!vx.vreg<v3>`."""

    name = "vx.vreg"
    PREFIX = "v"


@irdl_attr_definition
class PredicateRegisterType(VxRegisterType):
    """A predicate register `q0..q{qregs-1}`, one bit per vector byte: `!vx.qreg<q1>`."""

    name = "vx.qreg"
    PREFIX = "q"


# endregion

# region Target lookup

DEFAULT_TARGET = "vx128"
TARGET_ATTR = "vx.target"


def target_name_of(op: Operation) -> str:
    """The target named by the nearest `vx.target` attribute around `op`, else vx128."""
    current: Operation | None = op
    while current is not None:
        attr = current.attributes.get(TARGET_ATTR)
        if isinstance(attr, StringAttr):
            return attr.data
        current = current.parent_op()
    return DEFAULT_TARGET


_BUILTIN_TARGETS: dict[str, Target] = {}


def _load_target(name: str) -> Target:
    from vexa.runtime.target import load_target

    if name.endswith(".toml") or "/" in name or "\\" in name:
        return load_target(name)  # a file the user may edit: load_target checks its mtime
    # Built-in targets do not change while a process runs; the verifiers ask once per packet,
    # and load_target's path resolution and stat dominated verification time.
    target = _BUILTIN_TARGETS.get(name)
    if target is None:
        target = _BUILTIN_TARGETS[name] = load_target(name)
    return target


def target_of(op: Operation) -> Target:
    """The `Target` of `op` (see `target_name_of`); unknown names are verifier errors."""
    name = target_name_of(op)
    try:
        return _load_target(name)
    except Exception as e:  # noqa: BLE001 - any loader failure is the user's target name
        raise VerifyException(f"cannot load target '{name}': {e}") from e


def _register_limits(target: Target) -> dict[type[VxRegisterType], int]:
    return {
        ScalarRegisterType: target.gprs,
        VectorRegisterType: target.vregs,
        PredicateRegisterType: target.qregs,
    }


def _class_demand(target: Target, klass: str) -> dict[str, int]:
    """Resources one instruction of `klass` occupies in a packet (resource -> count)."""
    demand = target.class_resources.get(klass)
    if demand is None:
        raise VerifyException(f"target '{target.name}' has no instruction class '{klass}'")
    return dict(demand)


# endregion

# region Instruction base classes


AsmArg = SSAValue | IntegerAttr | StringAttr | str


class VxInstruction(HasRegisterConstraints, IRDLOperation, ABC):
    """Base of every op that is one machine instruction.

    Subclasses set `CLASS` (the instruction class: the key of the target's resource table
    and latency table) and `SYNTAX_ARGS` (assembly operand names, e.g. `"vd, va, vb"`);
    `asm_args()` gives the values in that order.
    """

    CLASS: ClassVar[str]
    SYNTAX_ARGS: ClassVar[str] = ""

    traits = traits_def(RegisterAllocatedMemoryEffect())

    def __init__(self, *, operands: Sequence[SSAValue | Operation] = (),
                 result_types: Sequence[Attribute] = (),
                 properties: dict[str, Attribute] | None = None) -> None:
        # Operation's own constructor: an instruction has fixed operands and results, so
        # IRDL's argument-list building (over half the cost of creating one, and
        # convert-tile-to-vx creates ~100k on ResNet-50) is not needed; `verify` checks
        # the op as it would any other.
        Operation.__init__(self, operands=[SSAValue.get(o) for o in operands],
                           result_types=result_types, properties=properties or {})

    @classmethod
    def mnemonic(cls) -> str:
        """The assembly mnemonic: the op name without `vx.`."""
        return cls.name[3:]

    @classmethod
    def syntax(cls) -> str:
        """The assembly syntax, e.g. `vfma.f32 vd, va, vb`."""
        return f"{cls.mnemonic()} {cls.SYNTAX_ARGS}".strip()

    @abstractmethod
    def asm_args(self) -> Sequence[AsmArg]:
        """Assembly operands in printed order: registers, immediates, labels, symbols."""

    def get_register_constraints(self) -> RegisterConstraints:
        return RegisterConstraints(self.operands, self.results, ())


def _imm(value: int | IntegerAttr) -> IntegerAttr:
    return value if isinstance(value, IntegerAttr) else _int_attr(value)


@functools.lru_cache(maxsize=65536)
def _int_attr(value: int) -> IntegerAttr:
    """Attributes are immutable: one per immediate value is enough."""
    return IntegerAttr(value, i32)


def _check_range(op: Operation, what: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise VerifyException(f"{op.name}: expected {what} in [{low}, {high}], got {value}")


class _RdRaRb(VxInstruction, ABC):
    rd = result_def(ScalarRegisterType)
    ra = operand_def(ScalarRegisterType)
    rb = operand_def(ScalarRegisterType)
    CLASS: ClassVar[str] = "salu"
    SYNTAX_ARGS: ClassVar[str] = "rd, ra, rb"
    assembly_format = "$ra `,` $rb attr-dict `:` functional-type(operands, results)"

    def __init__(self, ra: SSAValue | Operation, rb: SSAValue | Operation, *,
                 rd: ScalarRegisterType | None = None):
        super().__init__(operands=[ra, rb],
                         result_types=[rd or ScalarRegisterType.unallocated()])

    def asm_args(self) -> Sequence[AsmArg]:
        return (self.rd, self.ra, self.rb)


class _RdRaImm(VxInstruction, ABC):
    rd = result_def(ScalarRegisterType)
    ra = operand_def(ScalarRegisterType)
    imm = prop_def(IntegerAttr[I32])
    CLASS: ClassVar[str] = "salu"
    SYNTAX_ARGS: ClassVar[str] = "rd, ra, imm"
    assembly_format = "$ra `,` $imm attr-dict `:` functional-type(operands, results)"

    def __init__(self, ra: SSAValue | Operation, imm: int | IntegerAttr, *,
                 rd: ScalarRegisterType | None = None):
        super().__init__(operands=[ra], properties={"imm": _imm(imm)},
                         result_types=[rd or ScalarRegisterType.unallocated()])

    def asm_args(self) -> Sequence[AsmArg]:
        return (self.rd, self.ra, self.imm)


class _ShiftImm(_RdRaImm, ABC):
    def verify_(self) -> None:
        _check_range(self, "shift amount", self.imm.value.data, 0, 31)


class _ScalarStore(VxInstruction, ABC):
    rs = operand_def(ScalarRegisterType)
    ra = operand_def(ScalarRegisterType)
    imm = prop_def(IntegerAttr[I32])
    CLASS: ClassVar[str] = "sst"
    SYNTAX_ARGS: ClassVar[str] = "rs, ra, imm"
    traits = traits_def(MemoryWriteEffect())
    assembly_format = "$rs `,` $ra `,` $imm attr-dict `:` type(operands)"

    def __init__(self, rs: SSAValue | Operation, ra: SSAValue | Operation,
                 imm: int | IntegerAttr):
        super().__init__(operands=[rs, ra], properties={"imm": _imm(imm)})

    def asm_args(self) -> Sequence[AsmArg]:
        return (self.rs, self.ra, self.imm)


class _VdVaVb(VxInstruction, ABC):
    vd = result_def(VectorRegisterType)
    va = operand_def(VectorRegisterType)
    vb = operand_def(VectorRegisterType)
    CLASS: ClassVar[str] = "valu"
    SYNTAX_ARGS: ClassVar[str] = "vd, va, vb"
    assembly_format = "$va `,` $vb attr-dict `:` functional-type(operands, results)"

    def __init__(self, va: SSAValue | Operation, vb: SSAValue | Operation, *,
                 vd: VectorRegisterType | None = None):
        super().__init__(operands=[va, vb],
                         result_types=[vd or VectorRegisterType.unallocated()])

    def asm_args(self) -> Sequence[AsmArg]:
        return (self.vd, self.va, self.vb)


class _VdVa(VxInstruction, ABC):
    vd = result_def(VectorRegisterType)
    va = operand_def(VectorRegisterType)
    CLASS: ClassVar[str] = "valu"
    SYNTAX_ARGS: ClassVar[str] = "vd, va"
    assembly_format = "$va attr-dict `:` functional-type(operands, results)"

    def __init__(self, va: SSAValue | Operation, *, vd: VectorRegisterType | None = None):
        super().__init__(operands=[va], result_types=[vd or VectorRegisterType.unallocated()])

    def asm_args(self) -> Sequence[AsmArg]:
        return (self.vd, self.va)


class _VdVaImm(VxInstruction, ABC):
    vd = result_def(VectorRegisterType)
    va = operand_def(VectorRegisterType)
    imm = prop_def(IntegerAttr[I32])
    CLASS: ClassVar[str] = "valu"
    SYNTAX_ARGS: ClassVar[str] = "vd, va, imm"
    assembly_format = "$va `,` $imm attr-dict `:` functional-type(operands, results)"

    def __init__(self, va: SSAValue | Operation, imm: int | IntegerAttr, *,
                 vd: VectorRegisterType | None = None):
        super().__init__(operands=[va], properties={"imm": _imm(imm)},
                         result_types=[vd or VectorRegisterType.unallocated()])

    def asm_args(self) -> Sequence[AsmArg]:
        return (self.vd, self.va, self.imm)

    def verify_(self) -> None:
        _check_range(self, "shift amount", self.imm.value.data, 0, 31)


class _VAccumulate(VxInstruction, ABC):
    """`vd <- f(vd, va, vb)`: the accumulator is an operand tied to the result."""

    vd = result_def(VectorRegisterType)
    acc = operand_def(VectorRegisterType)
    va = operand_def(VectorRegisterType)
    vb = operand_def(VectorRegisterType)
    CLASS: ClassVar[str] = "vmpy"
    SYNTAX_ARGS: ClassVar[str] = "vd, va, vb"
    assembly_format = "$acc `,` $va `,` $vb attr-dict `:` functional-type(operands, results)"

    def __init__(self, acc: SSAValue | Operation, va: SSAValue | Operation,
                 vb: SSAValue | Operation, *, vd: VectorRegisterType | None = None):
        acc = SSAValue.get(acc)
        super().__init__(operands=[acc, va, vb], result_types=[vd or acc.type])

    def asm_args(self) -> Sequence[AsmArg]:
        return (self.vd, self.va, self.vb)

    def get_register_constraints(self) -> RegisterConstraints:
        return RegisterConstraints((self.va, self.vb), (), ((self.acc, self.vd),))

    def verify_(self) -> None:
        acc, res = self.acc.type, self.vd.type
        assert isinstance(acc, VectorRegisterType) and isinstance(res, VectorRegisterType)
        if acc.is_allocated and res.is_allocated and acc != res:
            raise VerifyException(
                f"{self.name}: expected the result in the accumulator's register "
                f"{acc.register_name.data}, got {res.register_name.data}"
            )


class _QdVaVb(VxInstruction, ABC):
    qd = result_def(PredicateRegisterType)
    va = operand_def(VectorRegisterType)
    vb = operand_def(VectorRegisterType)
    CLASS: ClassVar[str] = "valu"
    SYNTAX_ARGS: ClassVar[str] = "qd, va, vb"
    assembly_format = "$va `,` $vb attr-dict `:` functional-type(operands, results)"

    def __init__(self, va: SSAValue | Operation, vb: SSAValue | Operation, *,
                 qd: PredicateRegisterType | None = None):
        super().__init__(operands=[va, vb],
                         result_types=[qd or PredicateRegisterType.unallocated()])

    def asm_args(self) -> Sequence[AsmArg]:
        return (self.qd, self.va, self.vb)


class _QdQaQb(VxInstruction, ABC):
    qd = result_def(PredicateRegisterType)
    qa = operand_def(PredicateRegisterType)
    qb = operand_def(PredicateRegisterType)
    CLASS: ClassVar[str] = "valu"
    SYNTAX_ARGS: ClassVar[str] = "qd, qa, qb"
    assembly_format = "$qa `,` $qb attr-dict `:` functional-type(operands, results)"

    def __init__(self, qa: SSAValue | Operation, qb: SSAValue | Operation, *,
                 qd: PredicateRegisterType | None = None):
        super().__init__(operands=[qa, qb],
                         result_types=[qd or PredicateRegisterType.unallocated()])

    def asm_args(self) -> Sequence[AsmArg]:
        return (self.qd, self.qa, self.qb)


class _VectorLoad(VxInstruction, ABC):
    vd = result_def(VectorRegisterType)
    ra = operand_def(ScalarRegisterType)
    imm = prop_def(IntegerAttr[I32])
    CLASS: ClassVar[str] = "vld"
    SYNTAX_ARGS: ClassVar[str] = "vd, ra, imm"
    traits = traits_def(MemoryReadEffect())
    assembly_format = "$ra `,` $imm attr-dict `:` functional-type(operands, results)"

    def __init__(self, ra: SSAValue | Operation, imm: int | IntegerAttr, *,
                 vd: VectorRegisterType | None = None):
        super().__init__(operands=[ra], properties={"imm": _imm(imm)},
                         result_types=[vd or VectorRegisterType.unallocated()])

    def asm_args(self) -> Sequence[AsmArg]:
        return (self.vd, self.ra, self.imm)


class _VectorStore(VxInstruction, ABC):
    vs = operand_def(VectorRegisterType)
    ra = operand_def(ScalarRegisterType)
    imm = prop_def(IntegerAttr[I32])
    CLASS: ClassVar[str] = "vst"
    SYNTAX_ARGS: ClassVar[str] = "vs, ra, imm"
    traits = traits_def(MemoryWriteEffect())
    assembly_format = "$vs `,` $ra `,` $imm attr-dict `:` type(operands)"

    def __init__(self, vs: SSAValue | Operation, ra: SSAValue | Operation,
                 imm: int | IntegerAttr):
        super().__init__(operands=[vs, ra], properties={"imm": _imm(imm)})

    def asm_args(self) -> Sequence[AsmArg]:
        return (self.vs, self.ra, self.imm)


class _ThreeScalarSources(VxInstruction, ABC):
    """DMA instructions: three scalar register sources, no register result."""

    r0 = operand_def(ScalarRegisterType)
    r1 = operand_def(ScalarRegisterType)
    r2 = operand_def(ScalarRegisterType)
    CLASS: ClassVar[str] = "dma"
    traits = traits_def(MemoryReadEffect(), MemoryWriteEffect())
    assembly_format = "$r0 `,` $r1 `,` $r2 attr-dict `:` type(operands)"

    def __init__(self, r0: SSAValue | Operation, r1: SSAValue | Operation,
                 r2: SSAValue | Operation):
        super().__init__(operands=[r0, r1, r2])

    def asm_args(self) -> Sequence[AsmArg]:
        return (self.r0, self.r1, self.r2)


class _CondBranch(VxInstruction, ABC):
    rs = operand_def(ScalarRegisterType)
    rt = operand_def(ScalarRegisterType)
    label = prop_def(StringAttr)
    CLASS: ClassVar[str] = "branch"
    SYNTAX_ARGS: ClassVar[str] = "rs, rt, label"
    traits = traits_def(MemoryReadEffect(), MemoryWriteEffect())
    assembly_format = "$rs `,` $rt `,` $label attr-dict `:` type(operands)"

    def __init__(self, rs: SSAValue | Operation, rt: SSAValue | Operation,
                 label: str | StringAttr):
        label = StringAttr(label) if isinstance(label, str) else label
        super().__init__(operands=[rs, rt], properties={"label": label})

    def asm_args(self) -> Sequence[AsmArg]:
        return (self.rs, self.rt, self.label)


# endregion

# region Scalar ALU


@irdl_op_definition
class LiOp(VxInstruction):
    """Load a 32-bit immediate or a symbol's address (plus a byte offset).

    `rd <- imm` (the 32-bit pattern; `-1` and `0xffffffff` are the same), or
    `rd <- address(symbol) + imm` for a `vx.data` symbol (`li rd, A+128`).

    ```mlir
    %n = vx.li 42 : !vx.reg
    %p = vx.li @A + 128 : !vx.reg<r1>
    ```
    """

    name = "vx.li"
    rd = result_def(ScalarRegisterType)
    symbol = opt_prop_def(FlatSymbolRefAttr)
    imm = prop_def(IntegerAttr[I32])
    CLASS: ClassVar[str] = "salu"
    SYNTAX_ARGS: ClassVar[str] = "rd, imm32|symbol[+offset]"

    def __init__(self, imm: int | IntegerAttr = 0, *, symbol: str | None = None,
                 rd: ScalarRegisterType | None = None):
        props: dict[str, Attribute] = {"imm": _imm(imm)}
        if symbol is not None:
            props["symbol"] = FlatSymbolRefAttr(symbol)
        super().__init__(properties=props,
                         result_types=[rd or ScalarRegisterType.unallocated()])

    def asm_args(self) -> Sequence[AsmArg]:
        if self.symbol is None:
            return (self.rd, self.imm)
        name, offset = self.symbol.root_reference.data, self.imm.value.data
        return (self.rd, name if offset == 0 else f"{name}{offset:+d}")

    @classmethod
    def parse(cls, parser: Parser) -> Self:
        props: dict[str, Attribute] = {}
        symbol = parser.parse_optional_symbol_name()
        if symbol is not None:
            props["symbol"] = FlatSymbolRefAttr(symbol)
            imm = 0
            if parser.parse_optional_punctuation("+") is not None:
                imm = parser.parse_integer()
        else:
            imm = parser.parse_integer()
        props["imm"] = IntegerAttr(imm, i32)
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        rd = parser.parse_type()
        op = cls.create(properties=props, attributes=attrs, result_types=[rd])
        return op

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        if self.symbol is not None:
            printer.print_string(f"@{self.symbol.root_reference.data} + ")
        printer.print_int(self.imm.value.data)
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        printer.print_attribute(self.rd.type)

    def verify_(self) -> None:
        if self.symbol is None:
            return
        from xdsl.traits import SymbolTable

        if SymbolTable.lookup_symbol(self, self.symbol) is None:
            raise VerifyException(
                "vx.li: expected a vx.data symbol, got undefined "
                f"@{self.symbol.root_reference.data}"
            )


@irdl_op_definition
class MovOp(VxInstruction):
    """Copy a scalar register: `rd <- rs`.

    ```mlir
    %b = vx.mov %a : (!vx.reg) -> !vx.reg
    ```
    """

    name = "vx.mov"
    rd = result_def(ScalarRegisterType)
    rs = operand_def(ScalarRegisterType)
    CLASS: ClassVar[str] = "salu"
    SYNTAX_ARGS: ClassVar[str] = "rd, rs"
    assembly_format = "$rs attr-dict `:` functional-type(operands, results)"

    def __init__(self, rs: SSAValue | Operation, *, rd: ScalarRegisterType | None = None):
        super().__init__(operands=[rs], result_types=[rd or ScalarRegisterType.unallocated()])

    def asm_args(self) -> Sequence[AsmArg]:
        return (self.rd, self.rs)


@irdl_op_definition
class AddOp(_RdRaRb):
    """Integer add, wrapping modulo 2^32: `rd <- (ra + rb) mod 2^32`.

    ```mlir
    %c = vx.add %a, %b : (!vx.reg, !vx.reg) -> !vx.reg
    ```
    """

    name = "vx.add"


@irdl_op_definition
class SubOp(_RdRaRb):
    """Integer subtract, wrapping: `rd <- (ra - rb) mod 2^32`.

    ```mlir
    %c = vx.sub %a, %b : (!vx.reg, !vx.reg) -> !vx.reg
    ```
    """

    name = "vx.sub"


@irdl_op_definition
class MulOp(_RdRaRb):
    """Integer multiply, low 32 bits of the product (same for signed and unsigned).

    ```mlir
    %c = vx.mul %a, %b : (!vx.reg, !vx.reg) -> !vx.reg
    ```
    """

    name = "vx.mul"


@irdl_op_definition
class AndOp(_RdRaRb):
    """Bitwise and: `rd <- ra & rb`.

    ```mlir
    %c = vx.and %a, %b : (!vx.reg, !vx.reg) -> !vx.reg
    ```
    """

    name = "vx.and"


@irdl_op_definition
class OrOp(_RdRaRb):
    """Bitwise or: `rd <- ra | rb`.

    ```mlir
    %c = vx.or %a, %b : (!vx.reg, !vx.reg) -> !vx.reg
    ```
    """

    name = "vx.or"


@irdl_op_definition
class XorOp(_RdRaRb):
    """Bitwise exclusive or: `rd <- ra ^ rb`.

    ```mlir
    %c = vx.xor %a, %b : (!vx.reg, !vx.reg) -> !vx.reg
    ```
    """

    name = "vx.xor"


@irdl_op_definition
class ShlOp(_RdRaRb):
    """Shift left logical by the low 5 bits of rb: `rd <- ra << (rb & 31)`.

    ```mlir
    %c = vx.shl %a, %b : (!vx.reg, !vx.reg) -> !vx.reg
    ```
    """

    name = "vx.shl"


@irdl_op_definition
class ShrOp(_RdRaRb):
    """Shift right logical (zeros in) by the low 5 bits of rb.

    ```mlir
    %c = vx.shr %a, %b : (!vx.reg, !vx.reg) -> !vx.reg
    ```
    """

    name = "vx.shr"


@irdl_op_definition
class SraOp(_RdRaRb):
    """Shift right arithmetic (sign bit in) by the low 5 bits of rb.

    ```mlir
    %c = vx.sra %a, %b : (!vx.reg, !vx.reg) -> !vx.reg
    ```
    """

    name = "vx.sra"


@irdl_op_definition
class SltOp(_RdRaRb):
    """Set if less than, signed: `rd <- 1 if int32(ra) < int32(rb) else 0`.

    ```mlir
    %c = vx.slt %a, %b : (!vx.reg, !vx.reg) -> !vx.reg
    ```
    """

    name = "vx.slt"


@irdl_op_definition
class SltuOp(_RdRaRb):
    """Set if less than, unsigned: `rd <- 1 if uint32(ra) < uint32(rb) else 0`.

    ```mlir
    %c = vx.sltu %a, %b : (!vx.reg, !vx.reg) -> !vx.reg
    ```
    """

    name = "vx.sltu"


@irdl_op_definition
class MinOp(_RdRaRb):
    """Signed minimum: `rd <- min(int32(ra), int32(rb))`.

    ```mlir
    %c = vx.min %a, %b : (!vx.reg, !vx.reg) -> !vx.reg
    ```
    """

    name = "vx.min"


@irdl_op_definition
class MaxOp(_RdRaRb):
    """Signed maximum: `rd <- max(int32(ra), int32(rb))`.

    ```mlir
    %c = vx.max %a, %b : (!vx.reg, !vx.reg) -> !vx.reg
    ```
    """

    name = "vx.max"


@irdl_op_definition
class AddiOp(_RdRaImm):
    """Add an immediate, wrapping: `rd <- (ra + imm) mod 2^32`.

    ```mlir
    %q = vx.addi %p, 128 : (!vx.reg) -> !vx.reg
    ```
    """

    name = "vx.addi"


@irdl_op_definition
class MuliOp(_RdRaImm):
    """Multiply by an immediate, low 32 bits: `rd <- (ra * imm) mod 2^32`.

    ```mlir
    %q = vx.muli %p, 3 : (!vx.reg) -> !vx.reg
    ```
    """

    name = "vx.muli"


@irdl_op_definition
class AndiOp(_RdRaImm):
    """Bitwise and with the 32-bit pattern of imm.

    ```mlir
    %q = vx.andi %p, 255 : (!vx.reg) -> !vx.reg
    ```
    """

    name = "vx.andi"


@irdl_op_definition
class OriOp(_RdRaImm):
    """Bitwise or with the 32-bit pattern of imm.

    ```mlir
    %q = vx.ori %p, 1 : (!vx.reg) -> !vx.reg
    ```
    """

    name = "vx.ori"


@irdl_op_definition
class XoriOp(_RdRaImm):
    """Bitwise exclusive or with the 32-bit pattern of imm.

    ```mlir
    %q = vx.xori %p, -1 : (!vx.reg) -> !vx.reg
    ```
    """

    name = "vx.xori"


@irdl_op_definition
class ShliOp(_ShiftImm):
    """Shift left logical by imm in [0, 31] (checked by the verifier).

    ```mlir
    %q = vx.shli %p, 2 : (!vx.reg) -> !vx.reg
    ```
    """

    name = "vx.shli"


@irdl_op_definition
class ShriOp(_ShiftImm):
    """Shift right logical by imm in [0, 31].

    ```mlir
    %q = vx.shri %p, 2 : (!vx.reg) -> !vx.reg
    ```
    """

    name = "vx.shri"


@irdl_op_definition
class SraiOp(_ShiftImm):
    """Shift right arithmetic by imm in [0, 31].

    ```mlir
    %q = vx.srai %p, 2 : (!vx.reg) -> !vx.reg
    ```
    """

    name = "vx.srai"


@irdl_op_definition
class SltiOp(_RdRaImm):
    """Set if less than an immediate, signed: `rd <- 1 if int32(ra) < imm else 0`.

    ```mlir
    %q = vx.slti %p, 10 : (!vx.reg) -> !vx.reg
    ```
    """

    name = "vx.slti"


# endregion

# region Scalar memory


@irdl_op_definition
class LdOp(_RdRaImm):
    """Load a 32-bit word: `rd <- mem32[ra + imm]`, little endian.

    The address (32-bit wrap-around sum) must be 4-byte aligned and inside DRAM or VTCM,
    else the machine traps. The result is ready `latency.sld` cycles after issue from VTCM;
    a DRAM load takes `latency.vld_dram` and the DRAM port (timing model of isa_spec.md).

    ```mlir
    %x = vx.ld %p, 8 : (!vx.reg) -> !vx.reg
    ```
    """

    name = "vx.ld"
    CLASS: ClassVar[str] = "sld"
    traits = traits_def(MemoryReadEffect())


@irdl_op_definition
class LdfOp(_RdRaImm):
    """`ld` for f32 data: the same instruction bits; f32 values are bit patterns in r.

    ```mlir
    %x = vx.ldf %p, 0 : (!vx.reg) -> !vx.reg
    ```
    """

    name = "vx.ldf"
    CLASS: ClassVar[str] = "sld"
    traits = traits_def(MemoryReadEffect())


@irdl_op_definition
class StOp(_ScalarStore):
    """Store a 32-bit word: `mem32[ra + imm] <- rs`; 4-byte aligned, DRAM or VTCM, else trap.

    ```mlir
    vx.st %x, %p, 4 : !vx.reg, !vx.reg
    ```
    """

    name = "vx.st"


@irdl_op_definition
class StfOp(_ScalarStore):
    """`st` for f32 data: the same instruction bits.

    ```mlir
    vx.stf %x, %p, 0 : !vx.reg, !vx.reg
    ```
    """

    name = "vx.stf"


# endregion

# region Branches


@irdl_op_definition
class JOp(VxInstruction):
    """Jump to a label of the enclosing `vx.func`; costs `latency.branch_taken` extra cycles.

    ```mlir
    vx.j "loop_head"
    ```
    """

    name = "vx.j"
    label = prop_def(StringAttr)
    CLASS: ClassVar[str] = "branch"
    SYNTAX_ARGS: ClassVar[str] = "label"
    traits = traits_def(MemoryReadEffect(), MemoryWriteEffect())
    assembly_format = "$label attr-dict"

    def __init__(self, label: str | StringAttr):
        label = StringAttr(label) if isinstance(label, str) else label
        super().__init__(properties={"label": label})

    def asm_args(self) -> Sequence[AsmArg]:
        return (self.label,)


@irdl_op_definition
class BeqOp(_CondBranch):
    """Branch to label if `rs == rt`; a taken branch costs `latency.branch_taken` extra.

    ```mlir
    vx.beq %a, %b, "done" : !vx.reg, !vx.reg
    ```
    """

    name = "vx.beq"


@irdl_op_definition
class BneOp(_CondBranch):
    """Branch to label if `rs != rt`.

    ```mlir
    vx.bne %a, %b, "again" : !vx.reg, !vx.reg
    ```
    """

    name = "vx.bne"


@irdl_op_definition
class BltOp(_CondBranch):
    """Branch to label if `int32(rs) < int32(rt)` (signed).

    ```mlir
    vx.blt %i, %n, "again" : !vx.reg, !vx.reg
    ```
    """

    name = "vx.blt"


@irdl_op_definition
class BgeOp(_CondBranch):
    """Branch to label if `int32(rs) >= int32(rt)` (signed).

    ```mlir
    vx.bge %i, %n, "done" : !vx.reg, !vx.reg
    ```
    """

    name = "vx.bge"


@irdl_op_definition
class HaltOp(VxInstruction):
    """Stop the machine; outstanding DMA transfers complete first.

    ```mlir
    vx.halt
    ```
    """

    name = "vx.halt"
    CLASS: ClassVar[str] = "branch"
    traits = traits_def(MemoryReadEffect(), MemoryWriteEffect())
    assembly_format = "attr-dict"

    def __init__(self):
        super().__init__()

    def asm_args(self) -> Sequence[AsmArg]:
        return ()


# endregion

# region Vector memory


@irdl_op_definition
class VldOp(_VectorLoad):
    """Aligned vector load: `vd <- mem[ra + imm : ra + imm + vlen_bytes]`.

    The address must be a multiple of `vlen_bytes` and the whole vector inside DRAM or VTCM,
    else trap. Ready after `latency.vld_vtcm` (VTCM) or `latency.vld_dram` (DRAM; the access
    also occupies the DRAM port for ceil(vlen_bytes / dram_bytes_per_cycle) cycles).

    ```mlir
    %v = vx.vld %p, 0 : (!vx.reg) -> !vx.vreg
    ```
    """

    name = "vx.vld"


@irdl_op_definition
class VlduOp(_VectorLoad):
    """Unaligned vector load: like `vld` at any byte address; uses two load resources.

    ```mlir
    %v = vx.vldu %p, 4 : (!vx.reg) -> !vx.vreg
    ```
    """

    name = "vx.vldu"
    CLASS: ClassVar[str] = "vldu"


@irdl_op_definition
class VldbcOp(_VectorLoad):
    """Load one 32-bit word and splat it to every 32-bit lane; address 4-byte aligned.

    ```mlir
    %w = vx.vldbc %p, 12 : (!vx.reg) -> !vx.vreg
    ```
    """

    name = "vx.vldbc"


@irdl_op_definition
class VstOp(_VectorStore):
    """Aligned vector store: `mem[ra + imm : +vlen_bytes] <- vs`; alignment as `vld`.

    ```mlir
    vx.vst %v, %p, 0 : !vx.vreg, !vx.reg
    ```
    """

    name = "vx.vst"


@irdl_op_definition
class VstuOp(_VectorStore):
    """Unaligned vector store: like `vst` at any byte address.

    ```mlir
    vx.vstu %v, %p, 4 : !vx.vreg, !vx.reg
    ```
    """

    name = "vx.vstu"


@irdl_op_definition
class VstqOp(VxInstruction):
    """Masked aligned store: byte i of `vs` is stored iff bit i of `qm` is set.

    Alignment and bounds are checked for the whole vector, whatever the mask (so a tail
    store needs an in-bounds, aligned vector slot).

    ```mlir
    vx.vstq %v, %p, 0, %q : !vx.vreg, !vx.reg, !vx.qreg
    ```
    """

    name = "vx.vstq"
    vs = operand_def(VectorRegisterType)
    ra = operand_def(ScalarRegisterType)
    qm = operand_def(PredicateRegisterType)
    imm = prop_def(IntegerAttr[I32])
    CLASS: ClassVar[str] = "vst"
    SYNTAX_ARGS: ClassVar[str] = "vs, ra, imm, qm"
    traits = traits_def(MemoryWriteEffect())
    assembly_format = (
        "$vs `,` $ra `,` $imm `,` $qm attr-dict `:` type(operands)"
    )

    def __init__(self, vs: SSAValue | Operation, ra: SSAValue | Operation,
                 imm: int | IntegerAttr, qm: SSAValue | Operation):
        super().__init__(operands=[vs, ra, qm], properties={"imm": _imm(imm)})

    def asm_args(self) -> Sequence[AsmArg]:
        return (self.vs, self.ra, self.imm, self.qm)


# endregion

# region Vector ALU


@irdl_op_definition
class VaddF32Op(_VdVaVb):
    """f32 lane-wise add, IEEE binary32, round to nearest even (as numpy float32).

    ```mlir
    %c = vx.vadd.f32 %a, %b : (!vx.vreg, !vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.vadd.f32"


@irdl_op_definition
class VsubF32Op(_VdVaVb):
    """f32 lane-wise subtract `a - b`, round to nearest even.

    ```mlir
    %c = vx.vsub.f32 %a, %b : (!vx.vreg, !vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.vsub.f32"


@irdl_op_definition
class VmaxF32Op(_VdVaVb):
    """f32 lane-wise maximum as `numpy.maximum`: a NaN in either lane gives NaN.

    ```mlir
    %c = vx.vmax.f32 %a, %b : (!vx.vreg, !vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.vmax.f32"


@irdl_op_definition
class VminF32Op(_VdVaVb):
    """f32 lane-wise minimum as `numpy.minimum`: a NaN in either lane gives NaN.

    ```mlir
    %c = vx.vmin.f32 %a, %b : (!vx.vreg, !vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.vmin.f32"


@irdl_op_definition
class VaddI32Op(_VdVaVb):
    """i32 lane-wise add, wrapping modulo 2^32.

    ```mlir
    %c = vx.vadd.i32 %a, %b : (!vx.vreg, !vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.vadd.i32"


@irdl_op_definition
class VsubI32Op(_VdVaVb):
    """i32 lane-wise subtract, wrapping.

    ```mlir
    %c = vx.vsub.i32 %a, %b : (!vx.vreg, !vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.vsub.i32"


@irdl_op_definition
class VmaxI32Op(_VdVaVb):
    """i32 lane-wise signed maximum.

    ```mlir
    %c = vx.vmax.i32 %a, %b : (!vx.vreg, !vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.vmax.i32"


@irdl_op_definition
class VminI32Op(_VdVaVb):
    """i32 lane-wise signed minimum.

    ```mlir
    %c = vx.vmin.i32 %a, %b : (!vx.vreg, !vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.vmin.i32"


@irdl_op_definition
class VandOp(_VdVaVb):
    """Bitwise and of whole vectors.

    ```mlir
    %c = vx.vand %a, %b : (!vx.vreg, !vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.vand"


@irdl_op_definition
class VorOp(_VdVaVb):
    """Bitwise or of whole vectors.

    ```mlir
    %c = vx.vor %a, %b : (!vx.vreg, !vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.vor"


@irdl_op_definition
class VxorOp(_VdVaVb):
    """Bitwise exclusive or of whole vectors.

    ```mlir
    %c = vx.vxor %a, %b : (!vx.vreg, !vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.vxor"


@irdl_op_definition
class VshliI32Op(_VdVaImm):
    """i32 lane-wise shift left logical by imm in [0, 31].

    ```mlir
    %c = vx.vshli.i32 %a, 23 : (!vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.vshli.i32"


@irdl_op_definition
class VshriI32Op(_VdVaImm):
    """i32 lane-wise shift right logical by imm in [0, 31].

    ```mlir
    %c = vx.vshri.i32 %a, 23 : (!vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.vshri.i32"


@irdl_op_definition
class VsraiI32Op(_VdVaImm):
    """i32 lane-wise shift right arithmetic by imm in [0, 31].

    ```mlir
    %c = vx.vsrai.i32 %a, 1 : (!vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.vsrai.i32"


@irdl_op_definition
class VmovOp(_VdVa):
    """Copy a vector register.

    ```mlir
    %c = vx.vmov %a : (!vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.vmov"


@irdl_op_definition
class VsplatOp(VxInstruction):
    """Splat the 32-bit scalar rs to every 32-bit lane.

    ```mlir
    %v = vx.vsplat %r : (!vx.reg) -> !vx.vreg
    ```
    """

    name = "vx.vsplat"
    vd = result_def(VectorRegisterType)
    rs = operand_def(ScalarRegisterType)
    CLASS: ClassVar[str] = "valu"
    SYNTAX_ARGS: ClassVar[str] = "vd, rs"
    assembly_format = "$rs attr-dict `:` functional-type(operands, results)"

    def __init__(self, rs: SSAValue | Operation, *, vd: VectorRegisterType | None = None):
        super().__init__(operands=[rs], result_types=[vd or VectorRegisterType.unallocated()])

    def asm_args(self) -> Sequence[AsmArg]:
        return (self.vd, self.rs)


@irdl_op_definition
class VsplatiOp(VxInstruction):
    """Splat a 32-bit immediate pattern to every 32-bit lane.

    For an f32 constant the immediate is its bit pattern (`VsplatiOp.f32(1.0)` builds
    `vsplati vd, 1065353216`).

    ```mlir
    %one = vx.vsplati 1065353216 : !vx.vreg
    ```
    """

    name = "vx.vsplati"
    vd = result_def(VectorRegisterType)
    imm = prop_def(IntegerAttr[I32])
    CLASS: ClassVar[str] = "valu"
    SYNTAX_ARGS: ClassVar[str] = "vd, imm32"
    assembly_format = "$imm attr-dict `:` type($vd)"

    def __init__(self, imm: int | IntegerAttr, *, vd: VectorRegisterType | None = None):
        super().__init__(properties={"imm": _imm(imm)},
                         result_types=[vd or VectorRegisterType.unallocated()])

    @classmethod
    def f32(cls, value: float, *, vd: VectorRegisterType | None = None) -> VsplatiOp:
        """A splat of the f32 nearest to `value` (as its bit pattern)."""
        bits = int(np.array([value], dtype=np.float32).view(np.int32)[0])
        return cls(bits, vd=vd)

    def asm_args(self) -> Sequence[AsmArg]:
        return (self.vd, self.imm)


@irdl_op_definition
class VcvtF32I32Op(_VdVa):
    """Convert i32 lanes to f32, round to nearest even (as numpy `astype(float32)`).

    ```mlir
    %f = vx.vcvt.f32.i32 %i : (!vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.vcvt.f32.i32"


@irdl_op_definition
class VcvtI32F32Op(_VdVa):
    """Convert f32 lanes to i32, round toward zero, saturating to [-2^31, 2^31-1]; NaN -> 0.

    ```mlir
    %i = vx.vcvt.i32.f32 %f : (!vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.vcvt.i32.f32"


@irdl_op_definition
class VabsF32Op(_VdVa):
    """f32 absolute value: clear the sign bit of each lane (NaN payloads kept).

    ```mlir
    %c = vx.vabs.f32 %a : (!vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.vabs.f32"


@irdl_op_definition
class VnegF32Op(_VdVa):
    """f32 negation: flip the sign bit of each lane (so `-0.0` from `0.0`, NaN stays NaN).

    ```mlir
    %c = vx.vneg.f32 %a : (!vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.vneg.f32"


@irdl_op_definition
class VselOp(VxInstruction):
    """Byte-wise select: byte i of vd is byte i of va if bit i of qs is set, else of vb.

    ```mlir
    %c = vx.vsel %q, %a, %b : (!vx.qreg, !vx.vreg, !vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.vsel"
    vd = result_def(VectorRegisterType)
    qs = operand_def(PredicateRegisterType)
    va = operand_def(VectorRegisterType)
    vb = operand_def(VectorRegisterType)
    CLASS: ClassVar[str] = "valu"
    SYNTAX_ARGS: ClassVar[str] = "vd, qs, va, vb"
    assembly_format = "$qs `,` $va `,` $vb attr-dict `:` functional-type(operands, results)"

    def __init__(self, qs: SSAValue | Operation, va: SSAValue | Operation,
                 vb: SSAValue | Operation, *, vd: VectorRegisterType | None = None):
        super().__init__(operands=[qs, va, vb],
                         result_types=[vd or VectorRegisterType.unallocated()])

    def asm_args(self) -> Sequence[AsmArg]:
        return (self.vd, self.qs, self.va, self.vb)


@irdl_op_definition
class VrorOp(VxInstruction):
    """Rotate the vector right by rs bytes: byte i of vd is byte (i + rs) mod vlen of va.

    rs is read as unsigned and taken modulo `vlen_bytes`. With rs = 4k, lane i of the
    result is lane i + k of va: the step of a tree reduction.

    ```mlir
    %c = vx.vror %a, %r : (!vx.vreg, !vx.reg) -> !vx.vreg
    ```
    """

    name = "vx.vror"
    vd = result_def(VectorRegisterType)
    va = operand_def(VectorRegisterType)
    rs = operand_def(ScalarRegisterType)
    CLASS: ClassVar[str] = "valu"
    SYNTAX_ARGS: ClassVar[str] = "vd, va, rs"
    assembly_format = "$va `,` $rs attr-dict `:` functional-type(operands, results)"

    def __init__(self, va: SSAValue | Operation, rs: SSAValue | Operation, *,
                 vd: VectorRegisterType | None = None):
        super().__init__(operands=[va, rs],
                         result_types=[vd or VectorRegisterType.unallocated()])

    def asm_args(self) -> Sequence[AsmArg]:
        return (self.vd, self.va, self.rs)


@irdl_op_definition
class VextrOp(VxInstruction):
    """Extract 32-bit lane imm of va into a scalar register; imm in [0, vlen_bytes/4).

    The lane bound is checked by `vx.func` against the target.

    ```mlir
    %s = vx.vextr %a, 0 : (!vx.vreg) -> !vx.reg
    ```
    """

    name = "vx.vextr"
    rd = result_def(ScalarRegisterType)
    va = operand_def(VectorRegisterType)
    imm = prop_def(IntegerAttr[I32])
    CLASS: ClassVar[str] = "vxfer"
    SYNTAX_ARGS: ClassVar[str] = "rd, va, imm"
    assembly_format = "$va `,` $imm attr-dict `:` functional-type(operands, results)"

    def __init__(self, va: SSAValue | Operation, imm: int | IntegerAttr, *,
                 rd: ScalarRegisterType | None = None):
        super().__init__(operands=[va], properties={"imm": _imm(imm)},
                         result_types=[rd or ScalarRegisterType.unallocated()])

    def asm_args(self) -> Sequence[AsmArg]:
        return (self.rd, self.va, self.imm)

    def verify_(self) -> None:
        _check_range(self, "lane", self.imm.value.data, 0, 2**31 - 1)


# endregion

# region Vector multiply


@irdl_op_definition
class VmulF32Op(_VdVaVb):
    """f32 lane-wise multiply, round to nearest even.

    ```mlir
    %c = vx.vmul.f32 %a, %b : (!vx.vreg, !vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.vmul.f32"
    CLASS: ClassVar[str] = "vmpy"


@irdl_op_definition
class VfmaF32Op(_VAccumulate):
    """f32 multiply-accumulate with two roundings: `vd <- f32(vd + f32(va * vb))`.

    Not fused: exactly numpy's `acc + a * b` on float32 arrays. The accumulator is the
    first operand; the result must be allocated to the same register.

    ```mlir
    %acc1 = vx.vfma.f32 %acc0, %a, %b : (!vx.vreg, !vx.vreg, !vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.vfma.f32"


@irdl_op_definition
class VmulI32Op(_VdVaVb):
    """i32 lane-wise multiply, low 32 bits of the product.

    ```mlir
    %c = vx.vmul.i32 %a, %b : (!vx.vreg, !vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.vmul.i32"
    CLASS: ClassVar[str] = "vmpy"


@irdl_op_definition
class VdmpyI8Op(_VAccumulate):
    """i8 dot product accumulated into i32 lanes, wrapping modulo 2^32:

    `vd[l] <- vd[l] + sum_{j<4} int8(va[4l+j]) * int8(vb[4l+j])` for each 32-bit lane l
    (bytes of a lane little endian). The accumulator is the first operand.

    ```mlir
    %acc1 = vx.vdmpy.i8 %acc0, %a, %b : (!vx.vreg, !vx.vreg, !vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.vdmpy.i8"


@irdl_op_definition
class VrecipF32Op(_VdVa):
    """Reciprocal estimate: the correctly rounded f32 of 1/x with its low 12 mantissa bits
    cleared (about 11 correct bits; one Newton step gives ~22). `1/±0 = ±inf`,
    `1/±inf = ±0`, NaN -> NaN, as IEEE.

    ```mlir
    %r = vx.vrecip.f32 %a : (!vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.vrecip.f32"
    CLASS: ClassVar[str] = "vmpy"


@irdl_op_definition
class VrsqrtF32Op(_VdVa):
    """Reciprocal square root estimate: the correctly rounded f32 of 1/sqrt(x) with its low
    12 mantissa bits cleared. `x = ±0 -> ±inf`, `+inf -> +0`, `x < 0 -> NaN`, NaN -> NaN.

    ```mlir
    %r = vx.vrsqrt.f32 %a : (!vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.vrsqrt.f32"
    CLASS: ClassVar[str] = "vmpy"


@irdl_op_definition
class VpackI32I8Op(_VdVaVb):
    """Pack i32 lanes to i8 with signed saturation to [-128, 127]: byte l of vd is
    sat(va[l]) and byte L + l is sat(vb[l]) for L = vlen_bytes/4 lanes; bytes 2L.. of vd
    are zero.

    ```mlir
    %c = vx.vpack.i32.i8 %a, %b : (!vx.vreg, !vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.vpack.i32.i8"


# endregion

# region Compares and predicates


@irdl_op_definition
class VcmpgtF32Op(_QdVaVb):
    """f32 compare `a > b` per lane; sets (or clears) the 4 predicate bits of each lane.
    Ordered: false when either is NaN.

    ```mlir
    %q = vx.vcmpgt.f32 %a, %b : (!vx.vreg, !vx.vreg) -> !vx.qreg
    ```
    """

    name = "vx.vcmpgt.f32"


@irdl_op_definition
class VcmpgeF32Op(_QdVaVb):
    """f32 compare `a >= b` per lane (4 predicate bits each); false when either is NaN.

    ```mlir
    %q = vx.vcmpge.f32 %a, %b : (!vx.vreg, !vx.vreg) -> !vx.qreg
    ```
    """

    name = "vx.vcmpge.f32"


@irdl_op_definition
class VcmpeqF32Op(_QdVaVb):
    """f32 compare `a == b` per lane; `+0 == -0`, NaN never equal.

    ```mlir
    %q = vx.vcmpeq.f32 %a, %b : (!vx.vreg, !vx.vreg) -> !vx.qreg
    ```
    """

    name = "vx.vcmpeq.f32"


@irdl_op_definition
class VcmpgtI32Op(_QdVaVb):
    """i32 signed compare `a > b` per lane (4 predicate bits each).

    ```mlir
    %q = vx.vcmpgt.i32 %a, %b : (!vx.vreg, !vx.vreg) -> !vx.qreg
    ```
    """

    name = "vx.vcmpgt.i32"


@irdl_op_definition
class VcmpeqI32Op(_QdVaVb):
    """i32 compare `a == b` per lane (4 predicate bits each).

    ```mlir
    %q = vx.vcmpeq.i32 %a, %b : (!vx.vreg, !vx.vreg) -> !vx.qreg
    ```
    """

    name = "vx.vcmpeq.i32"


@irdl_op_definition
class VsetqOp(VxInstruction):
    """Predicate of the first min(rs, vlen_bytes) bytes: bit i is set iff i < rs, with rs
    read as signed (rs <= 0 gives an all-false predicate). Serves masked tail stores.

    ```mlir
    %q = vx.vsetq %n : (!vx.reg) -> !vx.qreg
    ```
    """

    name = "vx.vsetq"
    qd = result_def(PredicateRegisterType)
    rs = operand_def(ScalarRegisterType)
    CLASS: ClassVar[str] = "valu"
    SYNTAX_ARGS: ClassVar[str] = "qd, rs"
    assembly_format = "$rs attr-dict `:` functional-type(operands, results)"

    def __init__(self, rs: SSAValue | Operation, *, qd: PredicateRegisterType | None = None):
        super().__init__(operands=[rs],
                         result_types=[qd or PredicateRegisterType.unallocated()])

    def asm_args(self) -> Sequence[AsmArg]:
        return (self.qd, self.rs)


@irdl_op_definition
class QandOp(_QdQaQb):
    """Predicate and: `qd <- qa & qb` (bit-wise).

    ```mlir
    %q = vx.qand %a, %b : (!vx.qreg, !vx.qreg) -> !vx.qreg
    ```
    """

    name = "vx.qand"


@irdl_op_definition
class QorOp(_QdQaQb):
    """Predicate or: `qd <- qa | qb` (bit-wise).

    ```mlir
    %q = vx.qor %a, %b : (!vx.qreg, !vx.qreg) -> !vx.qreg
    ```
    """

    name = "vx.qor"


@irdl_op_definition
class QnotOp(VxInstruction):
    """Predicate not: `qd <- ~qa` (bit-wise).

    ```mlir
    %q = vx.qnot %a : (!vx.qreg) -> !vx.qreg
    ```
    """

    name = "vx.qnot"
    qd = result_def(PredicateRegisterType)
    qa = operand_def(PredicateRegisterType)
    CLASS: ClassVar[str] = "valu"
    SYNTAX_ARGS: ClassVar[str] = "qd, qa"
    assembly_format = "$qa attr-dict `:` functional-type(operands, results)"

    def __init__(self, qa: SSAValue | Operation, *, qd: PredicateRegisterType | None = None):
        super().__init__(operands=[qa],
                         result_types=[qd or PredicateRegisterType.unallocated()])

    def asm_args(self) -> Sequence[AsmArg]:
        return (self.qd, self.qa)


# endregion

# region DMA


@irdl_op_definition
class DmaOp(_ThreeScalarSources):
    """Start a 1-D copy of rbytes bytes from address rsrc to rdst, in the background.

    Queued FIFO on the DMA engine; takes `setup_cycles + ceil(bytes / min(dram_bpc,
    vtcm_bpc))` cycles once the engine is free, and occupies the DRAM port for its bytes.
    Issuing with `dma.max_outstanding` transfers in flight stalls. Both ranges must lie in
    DRAM or VTCM (else trap); reads and writes of the range before a `dmawait` that covers
    the transfer see unspecified data.

    ```mlir
    vx.dma %dst, %src, %n : !vx.reg, !vx.reg, !vx.reg
    ```
    """

    name = "vx.dma"
    SYNTAX_ARGS: ClassVar[str] = "rdst, rsrc, rbytes"


@irdl_op_definition
class DmacfgOp(_ThreeScalarSources):
    """Set the 2-D descriptor used by later `dma2`s: row bytes, source and destination
    strides in bytes (persistent engine state, not a transfer).

    ```mlir
    vx.dmacfg %row, %sstride, %dstride : !vx.reg, !vx.reg, !vx.reg
    ```
    """

    name = "vx.dmacfg"
    SYNTAX_ARGS: ClassVar[str] = "rrowbytes, rsrcstride, rdststride"


@irdl_op_definition
class Dma2Op(_ThreeScalarSources):
    """Start a 2-D copy of rrows rows: row k copies `rowbytes` bytes from
    `rsrc + k*srcstride` to `rdst + k*dststride` (descriptor from the last `dmacfg`);
    timing as one transfer of rows*rowbytes bytes.

    ```mlir
    vx.dma2 %dst, %src, %rows : !vx.reg, !vx.reg, !vx.reg
    ```
    """

    name = "vx.dma2"
    SYNTAX_ARGS: ClassVar[str] = "rdst, rsrc, rrows"


@irdl_op_definition
class DmawaitOp(VxInstruction):
    """Stall until at most imm DMA transfers are outstanding (`dmawait 0`: all done).

    ```mlir
    vx.dmawait 0
    ```
    """

    name = "vx.dmawait"
    imm = prop_def(IntegerAttr[I32])
    CLASS: ClassVar[str] = "dma"
    SYNTAX_ARGS: ClassVar[str] = "imm"
    traits = traits_def(MemoryReadEffect(), MemoryWriteEffect())
    assembly_format = "$imm attr-dict"

    def __init__(self, imm: int | IntegerAttr = 0):
        super().__init__(properties={"imm": _imm(imm)})

    def asm_args(self) -> Sequence[AsmArg]:
        return (self.imm,)

    def verify_(self) -> None:
        _check_range(self, "outstanding count", self.imm.value.data, 0, 2**31 - 1)


# endregion

# region Structure: yield, packet, loop, label, func, data, io


def _parse_type_list(parser: Parser) -> list[Attribute]:
    if parser.parse_optional_punctuation(":") is None:
        return []
    return parser.parse_comma_separated_list(parser.Delimiter.NONE, parser.parse_type)


@irdl_op_definition
class YieldOp(IRDLOperation):
    """The values a `vx.packet` or `vx.loop` body passes out (loop: to the next iteration).

    ```mlir
    vx.yield %x, %p : !vx.vreg<v0>, !vx.reg<r1>
    ```
    """

    name = "vx.yield"
    values = var_operand_def()
    traits = lazy_traits_def(
        lambda: (IsTerminator(), HasParent(PacketOp, LoopOp), NoMemoryEffect())
    )
    assembly_format = "attr-dict ($values^ `:` type($values))?"

    def __init__(self, *values: SSAValue | Operation):
        super().__init__(operands=[values])


@irdl_op_definition
class PacketOp(IRDLOperation):
    """A VLIW packet: the instructions in its body issue in the same cycle.

    All reads of a packet happen before its writes, so an instruction never sees a value
    written by the same packet. The verifier checks, against the target (`vx.target`
    attribute around it, default vx128): at most `slots` instructions, the classes fit the
    resource table, no register is written twice, at most one branch or `halt`. Values
    used after the packet leave it through the terminating `vx.yield` (omitted when there are none).

    ```mlir
    %v, %n = vx.packet {
      %x = vx.vld %p, 0 : (!vx.reg<r1>) -> !vx.vreg<v0>
      %q = vx.addi %p, 128 : (!vx.reg<r1>) -> !vx.reg<r1>
      vx.yield %x, %q : !vx.vreg<v0>, !vx.reg<r1>
    } : !vx.vreg<v0>, !vx.reg<r1>
    ```
    """

    name = "vx.packet"
    res = var_result_def()
    body = region_def("single_block")
    traits = traits_def(RecursiveMemoryEffect())

    def __init__(self, ops: Sequence[Operation], yielded: Sequence[SSAValue] = ()):
        block = Block([*ops, YieldOp(*yielded)])
        super().__init__(result_types=[[v.type for v in yielded]], regions=[Region(block)])

    @property
    def instructions(self) -> list[VxInstruction]:
        return [op for op in self.body.block.ops if isinstance(op, VxInstruction)]

    @classmethod
    def parse(cls, parser: Parser) -> Self:
        attrs = parser.parse_optional_attr_dict_with_keyword()
        body = parser.parse_region()
        types = _parse_type_list(parser)
        if not body.blocks:
            body.add_block(Block())
        block = body.block
        if not isinstance(block.last_op, YieldOp):
            block.add_op(YieldOp())
        op = cls.create(result_types=types, regions=[body])
        if attrs is not None:
            op.attributes |= attrs.data
        return op

    def print(self, printer: Printer) -> None:
        printer.print_op_attributes(self.attributes, print_keyword=True)
        printer.print_string(" ")
        printer.print_region(self.body, print_entry_block_args=False,
                             print_block_terminators=bool(self.res))
        if self.res:
            printer.print_string(" : ")
            printer.print_list(self.res.types, printer.print_attribute)

    def verify_(self) -> None:
        block = self.body.block
        terminator = block.last_op
        if not isinstance(terminator, YieldOp):
            raise VerifyException("vx.packet: expected a vx.yield terminator")
        if [v.type for v in terminator.values] != list(self.res.types):
            raise VerifyException("vx.packet: expected the yielded types to match the results")
        for value in terminator.values:
            if value.owner.parent_block() is not block:
                raise VerifyException(
                    "vx.packet: expected yielded values to be defined in the packet"
                )
        instructions: list[VxInstruction] = []
        for op in block.ops:
            if op is terminator:
                continue
            if not isinstance(op, VxInstruction):
                raise VerifyException(f"vx.packet: expected only instructions, got {op.name}")
            instructions.append(op)
        if not instructions:
            raise VerifyException("vx.packet: expected at least one instruction")
        control = [op.mnemonic() for op in instructions if op.CLASS in ("branch", "loop")]
        if len(control) > 1:
            # one program-counter change per packet: the machine has one next-packet address
            raise VerifyException(
                f"vx.packet: expected at most one branch or halt, got {len(control)} "
                f"({', '.join(control)})"
            )
        _verify_no_double_write(instructions)
        _verify_packet_fits(self, instructions, target_of(self))


def _verify_no_double_write(instructions: Sequence[VxInstruction]) -> None:
    written: dict[str, VxInstruction] = {}
    for op in instructions:
        for result in op.results:
            reg = result.type
            if not isinstance(reg, VxRegisterType) or not reg.is_allocated:
                continue
            name = reg.register_name.data
            if name in written:
                raise VerifyException(
                    f"vx.packet: register {name} written twice in one packet "
                    f"({written[name].name} and {op.name})"
                )
            written[name] = op


def _verify_packet_fits(packet: Operation, instructions: Sequence[VxInstruction],
                        target: Target) -> None:
    if len(instructions) > target.slots:
        raise VerifyException(
            f"vx.packet: expected at most {target.slots} instructions on {target.name}, "
            f"got {len(instructions)}"
        )
    used: Counter[str] = Counter()
    for op in instructions:
        used.update(_class_demand(target, op.CLASS))
    for resource, count in sorted(used.items()):
        limit = target.resources.get(resource, 0)
        if count > limit:
            classes = ", ".join(op.mnemonic() for op in instructions)
            raise VerifyException(
                f"vx.packet: expected at most {limit} '{resource}' resources on "
                f"{target.name}, got {count} ({classes})"
            )


@irdl_op_definition
class LoopOp(IRDLOperation):
    """A zero-overhead hardware loop: run the body `count` times (0 skips it).

    The count is an immediate (`loopi`) or a scalar register read once at loop entry
    (`loop`). The body's block arguments are the loop-carried values: they start as the
    `iter_args` operands, the body's `vx.yield` gives the next iteration's, and the results
    are the last ones (or the operands if the body never ran). A carried value has one
    type everywhere, so after register allocation it stays in one register. Nesting depth
    is limited by the target's `loop_depth`; the body must not be empty. The emitter prints
    `loopi count, L` / `loop rc, L`, the body, and the fresh label `L`.

    `vx.loop branch N` is the same structured loop closed by a branch instead of the
    hardware loop stack, for loops nested deeper than `loop_depth`: it takes no loop
    level, costs one `bne` (and the target's taken-branch penalty) per iteration, and
    needs two scalar registers, its first two loop-carried values: a counter and a
    register holding 0. The lowering starts them at `N` and `0` and yields `counter - 1`
    and the zero unchanged; the emitter prints a fresh head label `H`, the body and
    `bne counter', zero, H` (the branch reads the yielded counter). `N` (>= 1) is the
    trip count the lowering set the counter to, kept for cost models and readers.

    ```mlir
    %p1 = vx.loop 16 iter_args(%p = %p0) -> (!vx.reg) {
      %q = vx.addi %p, 128 : (!vx.reg) -> !vx.reg
      vx.yield %q : !vx.reg
    }
    vx.loop %n : !vx.reg {
      vx.dmawait 0
    }
    %c1, %z1 = vx.loop branch 4 iter_args(%c = %c0, %z = %z0) -> (!vx.reg, !vx.reg) {
      vx.dmawait 0
      %d = vx.addi %c, -1 : (!vx.reg) -> !vx.reg
      vx.yield %d, %z : !vx.reg, !vx.reg
    }
    ```
    """

    name = "vx.loop"
    count_reg = opt_operand_def(ScalarRegisterType)
    iter_args = var_operand_def(VxRegisterType)
    count = opt_prop_def(IntegerAttr[I32])
    branch = opt_prop_def(UnitAttr)
    res = var_result_def(VxRegisterType)
    body = region_def("single_block")
    traits = traits_def(RecursiveMemoryEffect())

    irdl_options = (AttrSizedOperandSegments(as_property=True),)

    CLASS: ClassVar[str] = "loop"
    MNEMONICS: ClassVar[tuple[str, ...]] = ("loop", "loopi")

    def __init__(self, count: int | SSAValue | Operation,
                 iter_args: Sequence[SSAValue] = (),
                 body: Block | None = None, *, branch: bool = False):
        if body is None:
            body = Block(arg_types=[a.type for a in iter_args])
        count_reg: list[SSAValue | Operation] = []
        props: dict[str, Attribute] = {"branch": UnitAttr()} if branch else {}
        if isinstance(count, int):
            props["count"] = IntegerAttr(count, i32)
        else:
            count_reg = [count]
        super().__init__(operands=[count_reg, iter_args], properties=props,
                         result_types=[[a.type for a in iter_args]], regions=[Region(body)])

    @classmethod
    def parse(cls, parser: Parser) -> Self:
        count_reg: list[SSAValue] = []
        props: dict[str, Attribute] = {}
        if parser.parse_optional_keyword("branch") is not None:
            props["branch"] = UnitAttr()
        count = parser.parse_optional_integer()
        if count is not None:
            props["count"] = IntegerAttr(count, i32)
        else:
            unresolved = parser.parse_unresolved_operand()
            parser.parse_punctuation(":")
            count_reg = [parser.resolve_operand(unresolved, parser.parse_type())]
        args: list[Parser.Argument] = []  # resolved block arguments
        inits: list[SSAValue] = []
        if parser.parse_optional_characters("iter_args") is not None:
            pos = parser.pos
            def assignment() -> tuple[Parser.UnresolvedArgument, UnresolvedOperand]:
                arg = parser.parse_argument(expect_type=False)
                parser.parse_punctuation("=")
                return arg, parser.parse_unresolved_operand()

            pairs = parser.parse_comma_separated_list(parser.Delimiter.PAREN, assignment)
            parser.parse_punctuation("->")
            types = parser.parse_comma_separated_list(parser.Delimiter.PAREN,
                                                      parser.parse_type)
            if len(types) != len(pairs):
                parser.raise_error(
                    f"expected {len(pairs)} iter_args types, got {len(types)}", pos, parser.pos
                )
            inits = parser.resolve_operands([p[1] for p in pairs], types, pos)
            args = [p[0].resolve(t) for p, t in zip(pairs, types)]
        body = parser.parse_region(args)
        attrs = parser.parse_optional_attr_dict_with_keyword()
        if not body.blocks:
            body.add_block(Block())
        if not isinstance(body.block.last_op, YieldOp):
            body.block.add_op(YieldOp())
        op = cls.create(
            operands=[*count_reg, *inits],
            properties=props | {
                "operandSegmentSizes": _segments(len(count_reg), len(inits)),
            },
            result_types=[v.type for v in inits],
            regions=[body],
        )
        if attrs is not None:
            op.attributes |= attrs.data
        return op

    @property
    def is_branch(self) -> bool:
        """Closed by a branch (`vx.loop branch N`), not a hardware loop."""
        return self.branch is not None

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        if self.branch is not None:
            printer.print_string("branch ")
        if self.count is not None:
            printer.print_int(self.count.value.data)
        elif self.count_reg is not None:
            printer.print_operand(self.count_reg)
            printer.print_string(" : ")
            printer.print_attribute(self.count_reg.type)
        if self.iter_args:
            printer.print_string(" iter_args(")
            printer.print_list(
                zip(self.body.block.args, self.iter_args),
                lambda p: (printer.print_operand(p[0]), printer.print_string(" = "),
                           printer.print_operand(p[1])),
            )
            printer.print_string(") -> (")
            printer.print_list(self.iter_args.types, printer.print_attribute)
            printer.print_string(")")
        printer.print_string(" ")
        printer.print_region(self.body, print_entry_block_args=False,
                             print_block_terminators=bool(self.iter_args))
        printer.print_op_attributes(self.attributes, print_keyword=True)

    def verify_(self) -> None:
        if (self.count is None) == (self.count_reg is None):
            raise VerifyException("vx.loop: expected exactly one of a count immediate or register")
        if self.count is not None:
            _check_range(self, "trip count", self.count.value.data, 0, 2**31 - 1)
        block = self.body.block
        args = list(block.args)
        if [a.type for a in args] != list(self.iter_args.types):
            raise VerifyException(
                "vx.loop: expected one block argument per iter_arg, of the same type"
            )
        terminator = block.last_op
        if not isinstance(terminator, YieldOp):
            raise VerifyException("vx.loop: expected a vx.yield terminator")
        for i, (value, expected) in enumerate(zip(terminator.values, self.iter_args.types)):
            if value.type != expected:
                raise VerifyException(
                    f"vx.loop: expected loop-carried value {i} to stay in {expected}, "
                    f"got {value.type}"
                )
        if len(terminator.values) != len(self.iter_args):
            raise VerifyException(
                f"vx.loop: expected {len(self.iter_args)} yielded values, "
                f"got {len(terminator.values)}"
            )
        if self.branch is not None:
            if self.count is None or self.count.value.data < 1:
                raise VerifyException("vx.loop branch: expected a trip count immediate >= 1")
            if len(self.iter_args) < 2 or not all(
                isinstance(t, ScalarRegisterType) for t in self.iter_args.types[:2]
            ):
                raise VerifyException(
                    "vx.loop branch: expected a counter and a zero register as its first "
                    "two loop-carried values"
                )
            if terminator.values[1] is not args[1]:
                raise VerifyException(
                    "vx.loop branch: expected the zero register (carried value 1) to be "
                    "yielded unchanged"
                )
        if list(self.res.types) != list(self.iter_args.types):
            raise VerifyException("vx.loop: expected the result types to match iter_args")
        if all(op is terminator for op in block.ops):
            raise VerifyException("vx.loop: expected a non-empty body")


def _segments(*sizes: int) -> Attribute:
    return DenseArrayBase.from_list(i32, sizes)


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_REGISTER_LIKE = re.compile(r"[rvq][0-9]+")


def _check_identifier(op: Operation, what: str, name: str) -> None:
    if not _IDENT.fullmatch(name) or _REGISTER_LIKE.fullmatch(name):
        raise VerifyException(
            f"{op.name}: expected a {what} [A-Za-z_][A-Za-z0-9_]* that is not a register name, "
            f"got '{name}'"
        )


@irdl_op_definition
class LabelOp(IRDLOperation):
    """A branch target: names the next packet of the enclosing `vx.func` body.

    ```mlir
    vx.label "again"
    ```
    """

    name = "vx.label"
    label = prop_def(StringAttr)
    traits = traits_def(MemoryReadEffect(), MemoryWriteEffect())
    assembly_format = "$label attr-dict"

    def __init__(self, label: str | StringAttr):
        label = StringAttr(label) if isinstance(label, str) else label
        super().__init__(properties={"label": label})

    def verify_(self) -> None:
        _check_identifier(self, "label", self.label.data)


class NestedVerifyException(VerifyException):
    """A `vx.func` verifier error about one op inside it (`op`), for located messages."""

    def __init__(self, op: Operation, message: str):
        super().__init__(message)
        self.op = op


@irdl_op_definition
class FuncOp(IRDLOperation):
    """A machine-code function: a label in `.text` followed by its body.

    The body is one block of instructions, packets, labels and hardware loops. The verifier
    checks against the target that every register exists (`gprs`, `vregs`, `qregs`), lane
    immediates fit the vector, loops nest at most `loop_depth` deep, and branches name
    labels of this function.

    ```mlir
    vx.func @main {
      %a = vx.li 1 : !vx.reg<r1>
      vx.halt
    }
    ```
    """

    name = "vx.func"
    sym_name = prop_def(SymbolNameConstraint())
    body = region_def("single_block")
    traits = traits_def(NoTerminator(), IsolatedFromAbove(), SymbolOpInterface(),
                        RecursiveMemoryEffect())
    assembly_format = "$sym_name attr-dict-with-keyword $body"

    def __init__(self, sym_name: str, body: Block | Sequence[Operation] = ()):
        if not isinstance(body, Block):
            body = Block(list(body))
        super().__init__(properties={"sym_name": StringAttr(sym_name)},
                         regions=[Region(body)])

    def verify_(self) -> None:
        _check_identifier(self, "function name", self.sym_name.data)
        target = target_of(self)
        limits = _register_limits(target)
        lanes = target.vlen_bytes // 4
        labels: set[str] = set()
        for op in self.body.walk():
            if isinstance(op, LabelOp):
                if op.label.data in labels:
                    raise NestedVerifyException(
                        op, f"vx.label: expected unique labels, got '{op.label.data}' twice"
                    )
                labels.add(op.label.data)
        for op in self.body.walk():
            for value in (*op.results, *(a for r in op.regions for b in r.blocks for a in b.args)):
                try:
                    _check_register_count(op, value.type, limits, target)
                except VerifyException as e:
                    raise NestedVerifyException(op, str(e)) from None
            if isinstance(op, VextrOp) and op.imm.value.data >= lanes:
                raise NestedVerifyException(
                    op,
                    f"vx.vextr: expected a lane in [0, {lanes}) on {target.name}, "
                    f"got {op.imm.value.data}"
                )
            if isinstance(op, (JOp, _CondBranch)) and op.label.data not in labels:
                raise NestedVerifyException(
                    op,
                    f"{op.name}: expected a label of @{self.sym_name.data}, "
                    f"got '{op.label.data}'"
                )
            if isinstance(op, LoopOp) and not op.is_branch:
                depth = _loop_depth(op)
                if depth > target.loop_depth:
                    raise NestedVerifyException(
                    op,
                        f"vx.loop: expected hardware loops nested at most "
                        f"{target.loop_depth} deep on {target.name}, got {depth}"
                    )


def _loop_depth(op: Operation) -> int:
    depth = 0
    current: Operation | None = op
    while current is not None and not isinstance(current, FuncOp):
        depth += isinstance(current, LoopOp) and not current.is_branch
        current = current.parent_op()
    return depth


def _check_register_count(op: Operation, reg: Attribute,
                          limits: dict[type[VxRegisterType], int], target: Target) -> None:
    if not isinstance(reg, VxRegisterType):
        return
    number = reg.number
    limit = limits[type(reg)]
    if number is not None and number >= limit:
        raise VerifyException(
            f"{op.name}: expected {reg.PREFIX}0..{reg.PREFIX}{limit - 1} on {target.name}, "
            f"got {reg.register_name.data}"
        )


_DATA_DTYPES = {"f32": ".f32", "i32": ".i32", "i8": ".i8", "ui8": ".byte"}


def _dtype_name(t: Attribute) -> str | None:
    if isinstance(t, Float32Type):
        return "f32"
    if isinstance(t, IntegerType) and t.width.data in (8, 32):
        prefix = "ui" if t.signedness.data.name == "UNSIGNED" else "i"
        name = f"{prefix}{t.width.data}"
        return name if name in _DATA_DTYPES or name == "i32" else None
    return None


@irdl_op_definition
class DataOp(IRDLOperation):
    """A program data symbol in DRAM (`.data`) or VTCM (`.vtcm`), 128-byte aligned.

    Either `size` zero bytes (`A: .zero 262144`) or initialised from a tensor constant whose
    element type gives the directive (f32 `.f32`, i32 `.i32`, i8 `.i8`, ui8 `.byte`);
    `dense_resource<name>` constants take their bytes from the module's resource table.
    VTCM symbols cannot be initialised (the loader only zeroes VTCM); fill them by DMA.

    ```mlir
    vx.data @A dram 262144
    vx.data @K dram = dense<[1.0, 2.0, -3.5]> : tensor<3xf32>
    vx.data @buf vtcm 65536
    ```
    """

    name = "vx.data"
    sym_name = prop_def(StringAttr)
    space = prop_def(StringAttr)
    size = prop_def(IntegerAttr[I32])
    init = opt_prop_def(DenseIntOrFPElementsAttr | DenseResourceAttr)
    traits = traits_def(SymbolOpInterface())

    def __init__(self, sym_name: str, space: str, size: int | None = None,
                 init: DenseIntOrFPElementsAttr | DenseResourceAttr | None = None):
        if size is None:
            if init is None:
                raise ValueError("vx.data needs a size or an initialiser")
            size = _init_nbytes(init)
        props: dict[str, Attribute] = {
            "sym_name": StringAttr(sym_name), "space": StringAttr(space),
            "size": IntegerAttr(size, i32),
        }
        if init is not None:
            props["init"] = init
        super().__init__(properties=props)

    @classmethod
    def parse(cls, parser: Parser) -> Self:
        name = parser.parse_symbol_name().data
        space = parser.parse_identifier()
        init = None
        size = None
        if parser.parse_optional_punctuation("=") is not None:
            pos = parser.pos
            attr = parser.parse_attribute()
            if not isinstance(attr, DenseIntOrFPElementsAttr | DenseResourceAttr):
                parser.raise_error("expected a dense or dense_resource tensor constant", pos,
                                   parser.pos)
            init = attr
        else:
            size = parser.parse_integer()
        attrs = parser.parse_optional_attr_dict()
        op = cls(name, space, size, init)
        op.attributes |= attrs
        return op

    def print(self, printer: Printer) -> None:
        printer.print_string(f" @{self.sym_name.data} {self.space.data} ")
        if self.init is not None:
            printer.print_string("= ")
            printer.print_attribute(self.init)
        else:
            printer.print_int(self.size.value.data)
        printer.print_op_attributes(self.attributes)

    def verify_(self) -> None:
        _check_identifier(self, "symbol name", self.sym_name.data)
        if self.space.data not in ("dram", "vtcm"):
            raise VerifyException(f"vx.data: expected space dram or vtcm, got {self.space.data}")
        if self.size.value.data <= 0:
            raise VerifyException(f"vx.data: expected a positive size, got {self.size.value.data}")
        if self.init is None:
            return
        if self.space.data == "vtcm":
            raise VerifyException("vx.data: expected no initialiser for a vtcm symbol")
        element = _init_type(self.init).element_type
        if _dtype_name(element) not in _DATA_DTYPES:
            raise VerifyException(
                f"vx.data: expected f32, i32, i8 or ui8 data, got {element}"
            )
        if _init_nbytes(self.init) != self.size.value.data:
            raise VerifyException(
                f"vx.data: expected size {_init_nbytes(self.init)} for the initialiser, "
                f"got {self.size.value.data}"
            )


def _init_type(init: DenseIntOrFPElementsAttr | DenseResourceAttr) -> TensorType[Any]:
    t = init.type
    assert isinstance(t, TensorType)
    return t  # pyright: ignore[reportUnknownVariableType]


def _element_bytes(element: Attribute) -> int:
    if isinstance(element, IntegerType):
        return max(1, element.width.data // 8)
    return 4


def _init_nbytes(init: DenseIntOrFPElementsAttr | DenseResourceAttr) -> int:
    t = _init_type(init)
    return int(np.prod(t.get_shape(), dtype=np.int64)) * _element_bytes(t.element_type)


@irdl_op_definition
class IoOp(IRDLOperation):
    """Declare a data symbol as a program input or output (`.input A f32 256x256`).

    The tensor type gives dtype and shape; `vexa-run` fills inputs and reads outputs by it.

    ```mlir
    vx.io input @A : tensor<256x256xf32>
    vx.io output @C : tensor<256x256xf32>
    ```
    """

    name = "vx.io"
    kind = prop_def(StringAttr)
    symbol = prop_def(FlatSymbolRefAttr)
    type = prop_def(TensorType)

    def __init__(self, kind: str, symbol: str, type: TensorType[Any]):
        super().__init__(properties={"kind": StringAttr(kind),
                                     "symbol": FlatSymbolRefAttr(symbol), "type": type})

    @classmethod
    def parse(cls, parser: Parser) -> Self:
        kind = parser.parse_identifier()
        symbol = parser.parse_symbol_name().data
        parser.parse_punctuation(":")
        pos = parser.pos
        t = parser.parse_type()
        if not isinstance(t, TensorType):
            parser.raise_error(f"expected a tensor type, got {t}", pos, parser.pos)
        attrs = parser.parse_optional_attr_dict()
        op = cls(kind, symbol, t)  # pyright: ignore[reportUnknownArgumentType]
        op.attributes |= attrs
        return op

    def print(self, printer: Printer) -> None:
        printer.print_string(f" {self.kind.data} @{self.symbol.root_reference.data} : ")
        printer.print_attribute(self.type)
        printer.print_op_attributes(self.attributes)

    def verify_(self) -> None:
        from xdsl.traits import SymbolTable

        if self.kind.data not in ("input", "output"):
            raise VerifyException(f"vx.io: expected input or output, got {self.kind.data}")
        element = self.type.element_type
        if _dtype_name(element) not in _DATA_DTYPES:
            raise VerifyException(f"vx.io: expected f32, i32, i8 or ui8 data, got {element}")
        if not self.type.get_shape() or any(d <= 0 for d in self.type.get_shape()):
            raise VerifyException("vx.io: expected a static shape of rank >= 1")
        data = SymbolTable.lookup_symbol(self, self.symbol)
        if not isinstance(data, DataOp):
            raise VerifyException(
                f"vx.io: expected a vx.data symbol, got @{self.symbol.root_reference.data}"
            )
        need = _element_bytes(element) * int(np.prod(self.type.get_shape()))
        if need > data.size.value.data:
            raise VerifyException(
                f"vx.io: expected @{data.sym_name.data} to hold {need} bytes, "
                f"got {data.size.value.data}"
            )


# endregion

# region Assembly emission


class EmitError(VerifyException):
    """An IR construct that has no assembly (unallocated register, stray op)."""


def location_tag(op: Operation) -> str | None:
    """The source tag of an op (the graph node name of `loc("conv1")`), if it has one."""
    loc: Attribute = op.location
    while True:
        if isinstance(loc, NameLoc):
            return loc.desc.data
        if isinstance(loc, CallSiteLoc):
            loc = loc.callee
            continue
        if isinstance(loc, FusedLoc) and isinstance(loc.locations, ArrayAttr):
            tags = [t for t in (_tag_of(x) for x in loc.locations.data) if t]
            return tags[0] if tags else None
        return None


def _tag_of(loc: Attribute) -> str | None:
    if isinstance(loc, NameLoc):
        return loc.desc.data
    return None


Locator = Callable[[Operation], str]


def _default_locator(op: Operation) -> str:
    tag = location_tag(op)
    return f'loc("{tag}")' if tag else "<unknown location>"


def _preorder(block: Block, out: list[Operation]) -> list[Operation]:
    """The ops under `block` in `walk()` order, appended to `out` (a plain loop over the
    linked list: xDSL's nested walk generators dominated emission time)."""
    op = block._first_op  # pyright: ignore[reportPrivateUsage]
    while op is not None:
        out.append(op)
        for region in op.regions:
            for inner in region.blocks:
                _preorder(inner, out)
        op = op._next_op  # pyright: ignore[reportPrivateUsage]
    return out


class _Emitter:
    # Exact type tests and id-keyed caches throughout: isinstance against xDSL's ABCs and
    # the Python-level __hash__ of attributes dominated emission time on big programs.

    def __init__(self, module: ModuleOp, target: Target, locate: Locator):
        self.module = module
        self.target = target
        self.locate = locate
        self.lines: list[str] = []
        self.tag: str | None = None
        self.ops = _preorder(module.body.block, [])
        self.instruction_types = frozenset(INSTRUCTIONS)
        self.taken = self._names_in_use()
        self.loop_counter = 0
        # id(allocated register type) -> (the type, kept alive, and its name)
        self.names: dict[int, tuple[Attribute, str]] = {}
        self.tags: dict[int, tuple[Attribute, str | None]] = {}  # id(location) -> tag
        self.inline_limit: int | None = None  # see emit_assembly

    def error(self, op: Operation, message: str) -> EmitError:
        return EmitError(f"{self.locate(op)}: {op.name}: {message}")

    def _names_in_use(self) -> set[str]:
        names: set[str] = set()
        for op in self.ops:
            kind = type(op)
            if kind is LabelOp:
                names.add(op.label.data)  # pyright: ignore[reportAttributeAccessIssue]
            elif kind is DataOp or kind is FuncOp:
                names.add(op.sym_name.data)  # pyright: ignore[reportAttributeAccessIssue]
        return names

    def location_tag(self, op: Operation) -> str | None:
        """`location_tag(op)`, cached by location."""
        loc = op.location
        hit = self.tags.get(id(loc))
        if hit is None:
            hit = self.tags[id(loc)] = (loc, location_tag(op))
        return hit[1]

    def fresh_label(self, suffix: str = "end") -> str:
        while True:
            name = f"loop{self.loop_counter}_{suffix}"
            self.loop_counter += 1
            if name not in self.taken:
                self.taken.add(name)
                return name

    def emit(self) -> str:
        # Checked first: an unexpanded pseudo-op is the cause, the unallocated registers
        # around it only a consequence.
        pseudo = frozenset(PSEUDO_INSTRUCTIONS)  # exact type test: fast on big modules
        for op in self.ops:
            if type(op) in pseudo:
                raise EmitError(f"{self.locate(op)}: {op.name} is a pseudo-instruction: "
                                "run vx-expand-math first")
        top = list(self.module.body.block.ops)
        data = [op for op in top if isinstance(op, DataOp)]
        self.lines.append(f".target {self.target.name}")
        for op in top:
            if isinstance(op, IoOp):
                shape = "x".join(str(d) for d in op.type.get_shape())
                dtype = _dtype_name(op.type.element_type)
                kind = ".input " if op.kind.data == "input" else ".output"
                self.lines.append(f"{kind} {op.symbol.root_reference.data} {dtype} {shape}")
            elif not isinstance(op, DataOp | FuncOp):
                raise self.error(op, f"expected vx.func, vx.data or vx.io at top level, "
                                     f"got {op.name}")
        for space, directive in (("dram", ".data"), ("vtcm", ".vtcm")):
            symbols = [op for op in data if op.space.data == space]
            if symbols:
                self.lines.append(directive)
                self.lines.extend(self.data_line(op) for op in symbols)
        self.lines.append(".text")
        funcs = [op for op in top if isinstance(op, FuncOp)]
        # execution starts at the first packet of .text: `main` goes first
        for op in sorted(funcs, key=lambda f: f.sym_name.data != "main"):
            if isinstance(op, FuncOp):
                self.lines.append(f"{op.sym_name.data}:")
                self.block(op.body.block)
        return "\n".join(self.lines) + "\n"

    def data_line(self, op: DataOp) -> str:
        name = op.sym_name.data
        if op.init is None:
            return f"{name}: .zero {op.size.value.data}"
        if (isinstance(op.init, DenseResourceAttr) and self.inline_limit is not None
                and op.size.value.data > self.inline_limit):
            dtype = _dtype_name(_init_type(op.init).element_type)
            handle = op.init.resource_handle.data.replace("\\", "\\\\").replace('"', '\\"')
            return f'{name}: .res {dtype} "{handle}" {op.size.value.data}'
        values = self.init_values(op)
        dtype = _dtype_name(_init_type(op.init).element_type)
        assert dtype is not None
        if dtype == "f32":
            if not np.all(np.isfinite(values)):
                # inf/NaN have no portable literal: emit the exact bit patterns instead
                bits = values.astype(np.float32).view(np.int32)
                return f"{name}: .i32 " + ", ".join(str(int(b)) for b in bits)
            return f"{name}: .f32 " + ", ".join(repr(float(v)) for v in values)
        return f"{name}: {_DATA_DTYPES[dtype]} " + ", ".join(str(int(v)) for v in values)

    def init_values(self, op: DataOp) -> np.ndarray:
        init = op.init
        t = _init_type(init)  # pyright: ignore[reportArgumentType]
        element = t.element_type
        dtype = {"f32": np.float32, "i32": np.int32, "i8": np.int8, "ui8": np.uint8}[
            _dtype_name(element) or "f32"
        ]
        if isinstance(init, DenseResourceAttr):
            from vexa.runtime.resources import module_resources

            key = init.resource_handle.data
            table = module_resources(self.module)
            if key not in table:
                raise self.error(op, f"expected the bytes of dense_resource<{key}> in the "
                                     "resource table (the .npz side file), got none")
            values = np.asarray(table[key]).astype(dtype, copy=False).reshape(-1)
            if values.size != int(np.prod(t.get_shape())):
                raise self.error(op, f"expected {int(np.prod(t.get_shape()))} elements in "
                                     f"dense_resource<{key}>, got {values.size}")
            return values
        assert isinstance(init, DenseIntOrFPElementsAttr)
        values = np.asarray(init.get_values(), dtype=np.float64 if dtype == np.float32 else
                            np.int64).astype(dtype).reshape(-1)
        count = int(np.prod(t.get_shape(), dtype=np.int64))
        if values.size == 1 and count > 1:  # a splat (dense<1.0> : tensor<4x3xf32>)
            values = np.full(count, values[0], dtype=dtype)
        return values

    def set_tag(self, op: Operation) -> None:
        tag = self.location_tag(op)
        if tag is not None and tag != self.tag:
            self.tag = tag
            escaped = tag.replace("\\", "\\\\").replace('"', '\\"')
            self.lines.append(f'    .loc "{escaped}"')

    def block(self, block: Block) -> None:
        instruction_types = self.instruction_types
        for op in block.ops:
            kind = type(op)
            if kind is YieldOp:
                continue
            if kind is LabelOp:
                label = op.label  # pyright: ignore[reportAttributeAccessIssue]
                self.lines.append(f"{label.data}:")
            elif kind is PacketOp:
                instructions = [i for i in op.regions[0].block.ops
                                if type(i) in instruction_types]
                tagged = [i for i in (op, *instructions) if self.location_tag(i) is not None]
                self.set_tag(tagged[0] if tagged else op)
                text = " ; ".join(self.instruction(i) for i in instructions)
                self.lines.append(f"    {{ {text} }}")
            elif kind is LoopOp:
                self.loop(op)  # pyright: ignore[reportArgumentType]
            elif kind in instruction_types:
                self.set_tag(op)
                self.lines.append(f"    {self.instruction(op)}")
            else:
                raise self.error(op, f"expected a vx instruction, packet, label or loop, "
                                     f"got {op.name}")

    def loop(self, op: LoopOp) -> None:
        if op.is_branch:
            head = self.fresh_label("head")
            self.set_tag(op)
            for value in (*op.body.block.args, *op.res, *op.iter_args):
                self.register(op, value)
            self.lines.append(f"{head}:")
            self.block(op.body.block)
            yielded = op.body.block.last_op
            assert isinstance(yielded, YieldOp)
            self.set_tag(op)
            counter = self.register(op, yielded.values[0])
            zero = self.register(op, yielded.values[1])
            self.lines.append(f"    bne {counter}, {zero}, {head}")
            return
        end = self.fresh_label()
        self.set_tag(op)
        if op.count is not None:
            self.lines.append(f"    loopi {op.count.value.data}, {end}")
        else:
            assert op.count_reg is not None
            self.lines.append(f"    loop {self.register(op, op.count_reg)}, {end}")
        for value in (*op.body.block.args, *op.res, *op.iter_args):
            self.register(op, value)
        self.block(op.body.block)
        self.lines.append(f"{end}:")

    def register(self, op: Operation, value: SSAValue) -> str:
        reg = value._type  # pyright: ignore[reportPrivateUsage]
        hit = self.names.get(id(reg))
        if hit is None:
            if not isinstance(reg, VxRegisterType) or reg.number is None:
                raise self.error(
                    op, f"expected allocated registers (run vx-allocate-registers), got {reg}"
                )
            hit = self.names[id(reg)] = (reg, reg.register_name.data)
        return hit[1]

    def instruction(self, op: VxInstruction) -> str:
        # exact type tests: isinstance against xDSL's ABCs dominated emission time
        args: list[str] = []
        for arg in op.asm_args():
            kind = type(arg)
            if kind is IntegerAttr:
                args.append(str(arg.value.data))  # pyright: ignore[reportAttributeAccessIssue]
            elif kind is StringAttr:
                args.append(arg.data)  # pyright: ignore[reportAttributeAccessIssue]
            elif kind is str:
                args.append(arg)  # pyright: ignore[reportArgumentType]
            else:
                args.append(self.register(op, arg))  # pyright: ignore[reportArgumentType]
        # operands not printed (the tied accumulator) too
        for value in op._operands:  # pyright: ignore[reportPrivateUsage]
            self.register(op, value)
        mnemonic = op.mnemonic()
        return f"{mnemonic} {', '.join(args)}" if args else mnemonic


def emit_assembly(module: ModuleOp, target: str | Target | None = None, *,
                  locate: Locator | None = None, inline_limit: int | None = None) -> str:
    """The text assembly (docs/isa_spec.md syntax) of a register-allocated vx module.

    `target` is a name or a `Target`; by default the module's `vx.target` attribute or
    vx128. Sections come in the order `.target`, `.input`/`.output`, `.data`, `.vtcm`,
    `.text`; in `.text` the function `@main` comes first (execution starts at the first
    packet), the others follow in IR order. `locate(op)` names an op in error messages
    (e.g. `file:line:col`). Raises `EmitError` on the first op without assembly
    (unallocated register, non-vx op).

    `dense_resource` data larger than `inline_limit` bytes is not printed: it becomes
    `NAME: .res DTYPE "handle" NBYTES`, whose bytes `assemble(..., resources=...)` takes
    from the resource table (a ResNet-50's 100 MB of weights as `.f32` text would be ~300
    MB to print and parse). By default (None) every initialiser is printed, so the text
    stands alone.
    """
    if target is None:
        target = target_name_of(module)
    if isinstance(target, str):
        target = _load_target(target)
    from vexa.tools.gc_paused import gc_paused

    with gc_paused():
        emitter = _Emitter(module, target, locate or _default_locator)
        emitter.inline_limit = inline_limit
        return emitter.emit()


@dataclass(frozen=True)
class VxAsmTarget(XdslTarget):
    """`-t vx-asm` for xDSL's opt driver (as `riscv-asm`): print the module's assembly."""

    name = "vx-asm"

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        output.write(emit_assembly(module))


class _LocatingParser(Parser):
    """A parser that remembers where each op starts, for `file:line:col` diagnostics."""

    positions: dict[Operation, str]

    def parse_operation(self) -> Operation:
        where = str(self._current_token.span.get_location())
        op = super().parse_operation()
        self.positions[op] = where
        return op


def load_module(path: str) -> tuple[ModuleOp, Locator]:
    """Parse and verify a vx IR file; every error names `file:line:col`.

    Returns the module (with the resource table of its `.npz` side file attached, if any)
    and a locator giving the source position of each parsed op. Raises `ParseError` or
    `EmitError` (a `VerifyException`) for bad input, `OSError` for a missing file.
    """
    import os

    from xdsl.context import Context
    from xdsl.dialects.builtin import Builtin
    from xdsl.dialects.func import Func

    from vexa.runtime.resources import ResourceTable, attach_resources, side_file
    from vexa.universe import get_all_dialects

    ctx = Context()
    ctx.load_dialect(Builtin)
    ctx.load_dialect(Func)
    for name, factory in get_all_dialects().items():
        ctx.register_dialect(name, factory)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: no such file")
    with open(path) as f:
        text = f.read()
    parser = _LocatingParser(ctx, text, name=path)
    parser.positions = {}
    module = parser.parse_module()
    positions = parser.positions

    def locate(op: Operation) -> str:
        where = positions.get(op)
        return where if where else _default_locator(op)

    verify_located(module, locate)
    if os.path.isfile(side_file(path)):
        attach_resources(module, ResourceTable.load(side_file(path)))
    return module, locate


def verify_located(module: ModuleOp, locate: Locator) -> None:
    """Verify op by op, so that a failure names the failing op (one line, located)."""
    for op in module.walk():
        try:
            op.verify(verify_nested_ops=False)
        except VerifyException as e:
            message = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            culprit = e.op if isinstance(e, NestedVerifyException) else op
            raise EmitError(f"{locate(culprit)}: {message}") from e


# endregion

# region Pseudo-instructions: expanded by vx-expand-math, never emitted
#
# Math functions the machine has no instruction for. convert-tile-to-vx emits them on
# virtual registers; vx-expand-math (passes/vx_expand_math.py) replaces each one by real
# instructions (range reduction, polynomial, Newton steps) before register allocation.
# They are not machine instructions: not in INSTRUCTIONS, BY_MNEMONIC, runtime/isa.py or
# docs/isa.md; packets reject them and emit_assembly fails with a located error.


class VxPseudoInstruction(HasRegisterConstraints, IRDLOperation, ABC):
    """Base of the math pseudo-instructions: `vd = f(va)` (or `f(va, vb)`) lane-wise on
    f32, on virtual vector registers only."""

    traits = traits_def(RegisterAllocatedMemoryEffect())

    def get_register_constraints(self) -> RegisterConstraints:
        return RegisterConstraints(self.operands, self.results, ())

    def verify_(self) -> None:
        for value in (*self.operands, *self.results):
            reg = value.type
            if isinstance(reg, VxRegisterType) and reg.is_allocated:
                raise VerifyException(
                    f"{self.name}: expected virtual registers (a pseudo-instruction is "
                    f"expanded by vx-expand-math before allocation), got {reg}"
                )


class _PseudoUnary(VxPseudoInstruction, ABC):
    vd = result_def(VectorRegisterType)
    va = operand_def(VectorRegisterType)
    assembly_format = "$va attr-dict `:` functional-type(operands, results)"

    def __init__(self, va: SSAValue | Operation):
        super().__init__(operands=[va], result_types=[VectorRegisterType.unallocated()])


@irdl_op_definition
class ExpF32Op(_PseudoUnary):
    """Pseudo: `vd <- exp(va)` lane-wise on f32 (overflow -> +inf, underflow -> 0).

    ```mlir
    %y = vx.exp.f32 %x : (!vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.exp.f32"


@irdl_op_definition
class LogF32Op(_PseudoUnary):
    """Pseudo: `vd <- log(va)` (natural log; 0 -> -inf, x < 0 -> NaN, +inf -> +inf).

    ```mlir
    %y = vx.log.f32 %x : (!vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.log.f32"


@irdl_op_definition
class TanhF32Op(_PseudoUnary):
    """Pseudo: `vd <- tanh(va)`.

    ```mlir
    %y = vx.tanh.f32 %x : (!vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.tanh.f32"


@irdl_op_definition
class SigmoidF32Op(_PseudoUnary):
    """Pseudo: `vd <- 1 / (1 + exp(-va))`.

    ```mlir
    %y = vx.sigmoid.f32 %x : (!vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.sigmoid.f32"


@irdl_op_definition
class ErfF32Op(_PseudoUnary):
    """Pseudo: `vd <- erf(va)`.

    ```mlir
    %y = vx.erf.f32 %x : (!vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.erf.f32"


@irdl_op_definition
class RecipF32Op(_PseudoUnary):
    """Pseudo: `vd <- 1 / va`, accurate (vrecip.f32 is only the 11-bit estimate).

    ```mlir
    %y = vx.recip.f32 %x : (!vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.recip.f32"


@irdl_op_definition
class SqrtF32Op(_PseudoUnary):
    """Pseudo: `vd <- sqrt(va)` (`sqrt(-0) = -0`, x < 0 -> NaN).

    ```mlir
    %y = vx.sqrt.f32 %x : (!vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.sqrt.f32"


@irdl_op_definition
class RsqrtF32Op(_PseudoUnary):
    """Pseudo: `vd <- 1 / sqrt(va)`, accurate (vrsqrt.f32 is only the estimate).

    ```mlir
    %y = vx.rsqrt.f32 %x : (!vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.rsqrt.f32"


@irdl_op_definition
class SinF32Op(_PseudoUnary):
    """Pseudo: `vd <- sin(va)` (radians; accurate for |x| below the bound vx-expand-math states).

    ```mlir
    %y = vx.sin.f32 %x : (!vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.sin.f32"

@irdl_op_definition
class CosF32Op(_PseudoUnary):
    """Pseudo: `vd <- cos(va)` (radians; accurate for |x| below the bound vx-expand-math states).

    ```mlir
    %y = vx.cos.f32 %x : (!vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.cos.f32"

@irdl_op_definition
class TanF32Op(_PseudoUnary):
    """Pseudo: `vd <- tan(va)` (radians; accurate for |x| below the bound vx-expand-math states).

    ```mlir
    %y = vx.tan.f32 %x : (!vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.tan.f32"

@irdl_op_definition
class AsinF32Op(_PseudoUnary):
    """Pseudo: `vd <- asin(va)` (|x| > 1 -> NaN).

    ```mlir
    %y = vx.asin.f32 %x : (!vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.asin.f32"

@irdl_op_definition
class AcosF32Op(_PseudoUnary):
    """Pseudo: `vd <- acos(va)` (|x| > 1 -> NaN).

    ```mlir
    %y = vx.acos.f32 %x : (!vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.acos.f32"

@irdl_op_definition
class AtanF32Op(_PseudoUnary):
    """Pseudo: `vd <- atan(va)`.

    ```mlir
    %y = vx.atan.f32 %x : (!vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.atan.f32"

@irdl_op_definition
class SinhF32Op(_PseudoUnary):
    """Pseudo: `vd <- sinh(va)` (overflow -> +-inf).

    ```mlir
    %y = vx.sinh.f32 %x : (!vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.sinh.f32"

@irdl_op_definition
class CoshF32Op(_PseudoUnary):
    """Pseudo: `vd <- cosh(va)` (overflow -> +inf).

    ```mlir
    %y = vx.cosh.f32 %x : (!vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.cosh.f32"

@irdl_op_definition
class AsinhF32Op(_PseudoUnary):
    """Pseudo: `vd <- asinh(va)`.

    ```mlir
    %y = vx.asinh.f32 %x : (!vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.asinh.f32"

@irdl_op_definition
class AcoshF32Op(_PseudoUnary):
    """Pseudo: `vd <- acosh(va)` (x < 1 -> NaN).

    ```mlir
    %y = vx.acosh.f32 %x : (!vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.acosh.f32"

@irdl_op_definition
class AtanhF32Op(_PseudoUnary):
    """Pseudo: `vd <- atanh(va)` (+-1 -> +-inf, |x| > 1 -> NaN).

    ```mlir
    %y = vx.atanh.f32 %x : (!vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.atanh.f32"


@irdl_op_definition
class DivF32Op(VxPseudoInstruction):
    """Pseudo: `vd <- va / vb` lane-wise on f32.

    ```mlir
    %q = vx.div.f32 %a, %b : (!vx.vreg, !vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.div.f32"
    vd = result_def(VectorRegisterType)
    va = operand_def(VectorRegisterType)
    vb = operand_def(VectorRegisterType)
    assembly_format = "$va `,` $vb attr-dict `:` functional-type(operands, results)"

    def __init__(self, va: SSAValue | Operation, vb: SSAValue | Operation):
        super().__init__(operands=[va, vb], result_types=[VectorRegisterType.unallocated()])


@irdl_op_definition
class PowF32Op(VxPseudoInstruction):
    """Pseudo: `vd <- va ** vb` lane-wise on f32 (IEEE pow: a negative base only with an
    integer exponent, else NaN; `x ** 0 = 1`, `1 ** y = 1`).

    ```mlir
    %p = vx.pow.f32 %a, %b : (!vx.vreg, !vx.vreg) -> !vx.vreg
    ```
    """

    name = "vx.pow.f32"
    vd = result_def(VectorRegisterType)
    va = operand_def(VectorRegisterType)
    vb = operand_def(VectorRegisterType)
    assembly_format = "$va `,` $vb attr-dict `:` functional-type(operands, results)"

    def __init__(self, va: SSAValue | Operation, vb: SSAValue | Operation):
        super().__init__(operands=[va, vb], result_types=[VectorRegisterType.unallocated()])

def funcs_in(op: Operation) -> list[FuncOp]:
    """The `vx.func`s under `op` in walk order, without walking their bodies (a
    whole-module walk cost the allocator and the scheduler a tenth of their time)."""
    out: list[FuncOp] = []

    def visit(o: Operation) -> None:
        for region in o.regions:
            for block in region.blocks:
                for inner in block.ops:
                    if type(inner) is FuncOp:
                        out.append(inner)  # pyright: ignore[reportArgumentType]
                    else:
                        visit(inner)

    visit(op)
    return out


PSEUDO_INSTRUCTIONS: tuple[type[VxPseudoInstruction], ...] = (
    ExpF32Op, LogF32Op, TanhF32Op, SigmoidF32Op, ErfF32Op, RecipF32Op, SqrtF32Op,
    RsqrtF32Op, SinF32Op, CosF32Op, TanF32Op, AsinF32Op, AcosF32Op, AtanF32Op, SinhF32Op,
    CoshF32Op, AsinhF32Op, AcoshF32Op, AtanhF32Op, DivF32Op, PowF32Op,
)
"""The math pseudo-instructions; vx-expand-math removes every one of them."""

# endregion


INSTRUCTIONS: tuple[type[VxInstruction], ...] = (
    LiOp, MovOp, AddOp, SubOp, MulOp, AndOp, OrOp, XorOp, ShlOp, ShrOp, SraOp, SltOp,
    SltuOp, MinOp, MaxOp, AddiOp, MuliOp, AndiOp, OriOp, XoriOp, ShliOp, ShriOp, SraiOp,
    SltiOp,
    LdOp, LdfOp, StOp, StfOp,
    JOp, BeqOp, BneOp, BltOp, BgeOp, HaltOp,
    VldOp, VlduOp, VldbcOp, VstOp, VstuOp, VstqOp,
    VaddF32Op, VsubF32Op, VmaxF32Op, VminF32Op, VaddI32Op, VsubI32Op, VmaxI32Op, VminI32Op,
    VandOp, VorOp, VxorOp, VshliI32Op, VshriI32Op, VsraiI32Op, VmovOp, VsplatOp, VsplatiOp,
    VcvtF32I32Op, VcvtI32F32Op, VabsF32Op, VnegF32Op, VselOp, VrorOp, VextrOp,
    VmulF32Op, VfmaF32Op, VmulI32Op, VdmpyI8Op, VrecipF32Op, VrsqrtF32Op, VpackI32I8Op,
    VcmpgtF32Op, VcmpgeF32Op, VcmpeqF32Op, VcmpgtI32Op, VcmpeqI32Op, VsetqOp, QandOp,
    QorOp, QnotOp,
    DmaOp, DmacfgOp, Dma2Op, DmawaitOp,
)
"""Every instruction op, in the order of docs/isa_spec.md (`loop`/`loopi` are `vx.loop`)."""

BY_MNEMONIC: dict[str, type[VxInstruction]] = {op.mnemonic(): op for op in INSTRUCTIONS}
"""Assembly mnemonic -> op class (`BY_MNEMONIC["vfma.f32"] is VfmaF32Op`)."""

VX = Dialect(
    "vx",
    [*INSTRUCTIONS, YieldOp, PacketOp, LoopOp, LabelOp, FuncOp, DataOp, IoOp,
     *PSEUDO_INSTRUCTIONS],
    [ScalarRegisterType, VectorRegisterType, PredicateRegisterType],
)
