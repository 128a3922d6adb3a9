"""The vx instruction table and the fixed-width program encoding (docs/isa_spec.md).

One row per mnemonic: opcode, operand kinds, instruction class, semantics. The assembler,
both simulators and the vx dialect helpers read this table; nothing else lists opcodes.

Operand kinds (in assembly order):

    rd  scalar register written      rs  scalar register read
    vd  vector register written      vs  vector register read
    vacc vector register read and written (accumulator: vfma, vdmpy)
    qd  predicate register written   qs  predicate register read
    imm a 32-bit immediate (the bit pattern; -1 == 0xffffffff)
    label a packet label (encoded as the packet index)

Encoding: `Program.code` is an int32 array of shape (n_instr, W). Register operands go to
fields A, B, C, D in assembly order; an immediate to IMM; a label to D (F_LABEL). TAG indexes
`Program.tags`; PSTART is 1 on the first instruction of a packet; PKT is the packet index;
EXEC is the instruction's rank in its packet's execution order and STAGED marks packets
whose register writes must be buffered (see `packet_schedule`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

# ----------------------------------------------------------------------------- fields

F_OP, F_A, F_B, F_C, F_D, F_IMM, F_TAG, F_PSTART, F_PKT, F_EXEC, F_STAGED = range(11)
W = 11
REG_FIELDS = (F_A, F_B, F_C, F_D)
F_LABEL = F_D  # branch/loop target packet (no instruction has both a label and 4 registers)

# Memory-effect keys of the execution order inside a packet: loads read memory before
# stores write it; DMA copies happen after the packet's stores.
MEM_NONE, MEM_LOAD, MEM_STORE, MEM_DMA = 1, 0, 2, 3


@dataclass(frozen=True)
class InstrDef:
    """One instruction of the ISA."""

    mnemonic: str
    opcode: int
    operands: tuple[str, ...]
    klass: str
    semantics: str
    mem: int = MEM_NONE

    @property
    def syntax(self) -> str:
        return f"{self.mnemonic} {', '.join(self.operands)}".strip()


_ROWS: list[tuple[str, str, str, str]] = [
    # mnemonic, operands, class, semantics
    ("halt", "", "branch", "stop; outstanding DMA transfers complete first"),
    ("li", "rd imm", "salu", "rd <- imm32 (or a symbol's address + offset)"),
    ("mov", "rd rs", "salu", "rd <- rs"),
    ("add", "rd rs rs", "salu", "rd <- ra + rb (mod 2^32)"),
    ("sub", "rd rs rs", "salu", "rd <- ra - rb (mod 2^32)"),
    ("mul", "rd rs rs", "salu", "rd <- low 32 bits of ra * rb"),
    ("and", "rd rs rs", "salu", "rd <- ra & rb"),
    ("or", "rd rs rs", "salu", "rd <- ra | rb"),
    ("xor", "rd rs rs", "salu", "rd <- ra ^ rb"),
    ("shl", "rd rs rs", "salu", "rd <- ra << (rb & 31)"),
    ("shr", "rd rs rs", "salu", "rd <- uint32(ra) >> (rb & 31)"),
    ("sra", "rd rs rs", "salu", "rd <- int32(ra) >> (rb & 31)"),
    ("slt", "rd rs rs", "salu", "rd <- int32(ra) < int32(rb)"),
    ("sltu", "rd rs rs", "salu", "rd <- uint32(ra) < uint32(rb)"),
    ("min", "rd rs rs", "salu", "rd <- min(int32(ra), int32(rb))"),
    ("max", "rd rs rs", "salu", "rd <- max(int32(ra), int32(rb))"),
    ("addi", "rd rs imm", "salu", "rd <- ra + imm (mod 2^32)"),
    ("muli", "rd rs imm", "salu", "rd <- low 32 bits of ra * imm"),
    ("andi", "rd rs imm", "salu", "rd <- ra & imm"),
    ("ori", "rd rs imm", "salu", "rd <- ra | imm"),
    ("xori", "rd rs imm", "salu", "rd <- ra ^ imm"),
    ("shli", "rd rs imm", "salu", "rd <- ra << imm, imm in [0, 31]"),
    ("shri", "rd rs imm", "salu", "rd <- uint32(ra) >> imm"),
    ("srai", "rd rs imm", "salu", "rd <- int32(ra) >> imm"),
    ("slti", "rd rs imm", "salu", "rd <- int32(ra) < imm"),
    ("ld", "rd rs imm", "sld", "rd <- mem32[ra + imm], 4-byte aligned"),
    ("ldf", "rd rs imm", "sld", "ld (f32 bits)"),
    ("st", "rs rs imm", "sst", "mem32[ra + imm] <- rs, 4-byte aligned"),
    ("stf", "rs rs imm", "sst", "st (f32 bits)"),
    ("j", "label", "branch", "pc <- label"),
    ("beq", "rs rs label", "branch", "if rs == rt: pc <- label"),
    ("bne", "rs rs label", "branch", "if rs != rt: pc <- label"),
    ("blt", "rs rs label", "branch", "if int32(rs) < int32(rt): pc <- label"),
    ("bge", "rs rs label", "branch", "if int32(rs) >= int32(rt): pc <- label"),
    ("loop", "rs label", "loop", "run the next packets up to label rs times"),
    ("loopi", "imm label", "loop", "run the next packets up to label imm times"),
    ("vld", "vd rs imm", "vld", "vd <- mem[ra + imm : +vlen], vlen-aligned"),
    ("vldu", "vd rs imm", "vldu", "vd <- mem[ra + imm : +vlen], any alignment"),
    ("vldbc", "vd rs imm", "vld", "vd <- splat(mem32[ra + imm]), 4-byte aligned"),
    ("vst", "vs rs imm", "vst", "mem[ra + imm : +vlen] <- vs, vlen-aligned"),
    ("vstu", "vs rs imm", "vst", "mem[ra + imm : +vlen] <- vs, any alignment"),
    ("vstq", "vs rs imm qs", "vst", "bytes of vs whose predicate bit is set, vlen-aligned"),
    ("vadd.f32", "vd vs vs", "valu", "f32 a + b"),
    ("vsub.f32", "vd vs vs", "valu", "f32 a - b"),
    ("vmax.f32", "vd vs vs", "valu", "f32 max (NaN if either is NaN)"),
    ("vmin.f32", "vd vs vs", "valu", "f32 min (NaN if either is NaN)"),
    ("vadd.i32", "vd vs vs", "valu", "i32 a + b (wrapping)"),
    ("vsub.i32", "vd vs vs", "valu", "i32 a - b (wrapping)"),
    ("vmax.i32", "vd vs vs", "valu", "i32 signed max"),
    ("vmin.i32", "vd vs vs", "valu", "i32 signed min"),
    ("vand", "vd vs vs", "valu", "a & b"),
    ("vor", "vd vs vs", "valu", "a | b"),
    ("vxor", "vd vs vs", "valu", "a ^ b"),
    ("vshli.i32", "vd vs imm", "valu", "i32 a << imm"),
    ("vshri.i32", "vd vs imm", "valu", "i32 uint32(a) >> imm"),
    ("vsrai.i32", "vd vs imm", "valu", "i32 int32(a) >> imm"),
    ("vmov", "vd vs", "valu", "vd <- va"),
    ("vsplat", "vd rs", "valu", "every 32-bit lane <- rs"),
    ("vsplati", "vd imm", "valu", "every 32-bit lane <- imm32"),
    ("vcvt.f32.i32", "vd vs", "valu", "i32 -> f32, round to nearest even"),
    ("vcvt.i32.f32", "vd vs", "valu", "f32 -> i32, toward zero, saturating, NaN -> 0"),
    ("vabs.f32", "vd vs", "valu", "clear the sign bits"),
    ("vneg.f32", "vd vs", "valu", "flip the sign bits"),
    ("vsel", "vd qs vs vs", "valu", "byte-wise q ? a : b"),
    ("vror", "vd vs rs", "valu", "byte i <- byte (i + rs) mod vlen of va"),
    ("vextr", "rd vs imm", "vxfer", "rd <- 32-bit lane imm of va"),
    ("vmul.f32", "vd vs vs", "vmpy", "f32 a * b"),
    ("vfma.f32", "vacc vs vs", "vmpy", "f32 vd + f32(a * b) (two roundings)"),
    ("vmul.i32", "vd vs vs", "vmpy", "i32 low 32 bits of a * b"),
    ("vdmpy.i8", "vacc vs vs", "vmpy", "i32 lane l += sum_j<4 i8(a[4l+j]) * i8(b[4l+j])"),
    ("vrecip.f32", "vd vs", "vmpy", "1/x estimate (low 12 mantissa bits cleared)"),
    ("vrsqrt.f32", "vd vs", "vmpy", "1/sqrt(x) estimate (low 12 mantissa bits cleared)"),
    ("vpack.i32.i8", "vd vs vs", "valu", "saturate a's then b's i32 lanes to i8; rest zero"),
    ("vcmpgt.f32", "qd vs vs", "valu", "q <- a > b per f32 lane (4 bits each)"),
    ("vcmpge.f32", "qd vs vs", "valu", "q <- a >= b per f32 lane"),
    ("vcmpeq.f32", "qd vs vs", "valu", "q <- a == b per f32 lane"),
    ("vcmpgt.i32", "qd vs vs", "valu", "q <- a > b per i32 lane"),
    ("vcmpeq.i32", "qd vs vs", "valu", "q <- a == b per i32 lane"),
    ("vsetq", "qd rs", "valu", "bit i <- i < int32(rs)"),
    ("qand", "qd qs qs", "valu", "qa & qb"),
    ("qor", "qd qs qs", "valu", "qa | qb"),
    ("qnot", "qd qs", "valu", "~qa"),
    ("dma", "rs rs rs", "dma", "background copy of rbytes bytes from rsrc to rdst"),
    ("dmacfg", "rs rs rs", "dma", "2-D descriptor <- (rowbytes, srcstride, dststride)"),
    ("dma2", "rs rs rs", "dma", "background 2-D copy of rrows rows"),
    ("dmawait", "imm", "dma", "stall until at most imm transfers are outstanding"),
]

_MEM = {"ld": MEM_LOAD, "ldf": MEM_LOAD, "vld": MEM_LOAD, "vldu": MEM_LOAD, "vldbc": MEM_LOAD,
        "st": MEM_STORE, "stf": MEM_STORE, "vst": MEM_STORE, "vstu": MEM_STORE,
        "vstq": MEM_STORE, "dma": MEM_DMA, "dma2": MEM_DMA}

INSTRUCTIONS: dict[str, InstrDef] = {
    m: InstrDef(m, i, tuple(ops.split()), k, s, _MEM.get(m, MEM_NONE))
    for i, (m, ops, k, s) in enumerate(_ROWS)
}
BY_OPCODE: tuple[InstrDef, ...] = tuple(INSTRUCTIONS.values())
N_OPCODES = len(BY_OPCODE)
OPC: dict[str, int] = {m: d.opcode for m, d in INSTRUCTIONS.items()}
CLASSES: tuple[str, ...] = (
    "salu", "sld", "sst", "branch", "loop", "vld", "vldu", "vst", "valu", "vxfer", "vmpy", "dma",
)
CLASS_ID: dict[str, int] = {k: i for i, k in enumerate(CLASSES)}
OPCODE_CLASS = np.array([CLASS_ID[d.klass] for d in BY_OPCODE], dtype=np.int32)

# register file of a register operand kind (0 scalar, 1 vector, 2 predicate)
KIND_FILE = {"rd": 0, "rs": 0, "vd": 1, "vs": 1, "vacc": 1, "qd": 2, "qs": 2}
FILE_PREFIX = ("r", "v", "q")


def reg_operands(d: InstrDef) -> list[tuple[int, str]]:
    """(field, kind) of each register operand, in assembly order."""
    regs = [k for k in d.operands if k in KIND_FILE]
    return list(zip(REG_FIELDS, regs, strict=False))


def reads_writes(d: InstrDef, row: np.ndarray | list[int]) -> tuple[list[tuple[int, int]],
                                                                     list[tuple[int, int]]]:
    """Registers one encoded instruction reads and writes, as (file, index) pairs."""
    reads: list[tuple[int, int]] = []
    writes: list[tuple[int, int]] = []
    for f, kind in reg_operands(d):
        reg = (KIND_FILE[kind], int(row[f]))
        if kind in ("rs", "vs", "qs", "vacc"):
            reads.append(reg)
        if kind in ("rd", "vd", "qd", "vacc"):
            writes.append(reg)
    return reads, writes


# Pseudo register (file 3) for the DMA 2-D descriptor: dma2 reads it, dmacfg writes it.
DESC = (3, 0)


def packet_schedule(defs: list[InstrDef], rows: list[Any]) -> tuple[list[int], bool]:
    """Execution order of one packet's instructions, and whether writes must be staged.

    The machine reads every register before any write of the packet, and loads read memory
    before stores write it (DMA copies last). Executing the instructions one by one in an
    order where every reader of a register precedes its writer gives exactly that; when
    no such order exists (a swap `{ mov r1, r2 ; mov r2, r1 }`) the packet is *staged*:
    register writes are buffered until the packet ends and the order only respects memory.
    Both simulators follow this order, so both report the same first fault of a packet.
    """
    n = len(defs)
    mem = [d.mem for d in defs]
    edges: set[tuple[int, int]] = set()
    for i in range(n):
        for j in range(n):
            if i != j and mem[i] != MEM_NONE and mem[j] != MEM_NONE and mem[i] < mem[j]:
                edges.add((i, j))
    memory_edges = set(edges)
    rw = [reads_writes(d, r) for d, r in zip(defs, rows, strict=True)]
    for i in range(n):
        reads = set(rw[i][0]) | ({DESC} if defs[i].mnemonic == "dma2" else set())
        for j in range(n):
            writes = set(rw[j][1]) | ({DESC} if defs[j].mnemonic == "dmacfg" else set())
            if i != j and reads & writes:
                edges.add((i, j))
    order = _toposort(n, edges)
    if order is not None:
        return order, False
    order = _toposort(n, memory_edges)
    assert order is not None
    return order, True


def _toposort(n: int, edges: set[tuple[int, int]]) -> list[int] | None:
    """Stable topological order (lowest slot first among ready ones), None on a cycle."""
    indeg = [0] * n
    for _, j in edges:
        indeg[j] += 1
    done: list[int] = []
    left = set(range(n))
    while left:
        ready = [i for i in sorted(left) if indeg[i] == 0]
        if not ready:
            return None
        i = ready[0]
        done.append(i)
        left.remove(i)
        for a, b in edges:
            if a == i:
                indeg[b] -= 1
    return done


# ----------------------------------------------------------------------------- program


@dataclass(frozen=True)
class Symbol:
    """A data symbol: address, size, memory space; dtype/shape if declared .input/.output."""

    name: str
    address: int
    size: int
    space: str  # "dram" | "vtcm"
    io: str = ""  # "", "input", "output"
    dtype: str = ""
    shape: tuple[int, ...] = ()


@dataclass
class Program:
    """An assembled program: encoded text, data images, symbols, labels, source tags."""

    code: np.ndarray  # int32 (n_instr, W)
    target_name: str
    dram_image: bytes
    vtcm_image: bytes
    symbols: dict[str, Symbol]
    labels: dict[str, int]  # label -> packet index
    tags: list[str]  # TAG index -> source tag ("" = none)
    filename: str = "<asm>"
    lines: list[int] = field(default_factory=list)  # source line per instruction
    declared_target: str = ""
    vtcm_base: int = 0x4000_0000

    @property
    def n_instr(self) -> int:
        return int(self.code.shape[0])

    @property
    def n_packets(self) -> int:
        return int(self.code[:, F_PSTART].sum()) if self.code.size else 0

    def packet_starts(self) -> np.ndarray:
        """Index of each packet's first instruction, plus a final sentinel (n_instr)."""
        starts = np.flatnonzero(self.code[:, F_PSTART]).astype(np.int32)
        return np.append(starts, np.int32(self.n_instr)).astype(np.int32)

    def inputs(self) -> list[Symbol]:
        return [s for s in self.symbols.values() if s.io == "input"]

    def outputs(self) -> list[Symbol]:
        return [s for s in self.symbols.values() if s.io == "output"]

    def instruction_text(self, i: int) -> str:
        """The assembly text of encoded instruction i (labels by packet name)."""
        return format_instruction(self.code[i], self._packet_labels())

    def _packet_labels(self) -> dict[int, str]:
        names: dict[int, str] = {}
        for name, p in sorted(self.labels.items(), key=lambda kv: kv[1]):
            names.setdefault(p, name)
        return names

    def location(self, i: int) -> str:
        line = self.lines[i] if i < len(self.lines) else 0
        return f"{self.filename}:{line}" if line else self.filename


def format_instruction(row: Any, packet_labels: dict[int, str] | None = None) -> str:
    """Assembly text of one encoded instruction."""
    d = BY_OPCODE[int(row[F_OP])]
    args: list[str] = []
    reg = iter(REG_FIELDS)
    for kind in d.operands:
        if kind in KIND_FILE:
            args.append(f"{FILE_PREFIX[KIND_FILE[kind]]}{int(row[next(reg)])}")
        elif kind == "label":
            p = int(row[F_LABEL])
            name = (packet_labels or {}).get(p)
            args.append(name if name is not None else f".P{p}")
        else:
            args.append(str(int(row[F_IMM])))
    return f"{d.mnemonic} {', '.join(args)}".strip()


DTYPES = {"f32": np.float32, "i32": np.int32, "i8": np.int8, "ui8": np.uint8, "u8": np.uint8,
          "i16": np.int16, "u32": np.uint32}
