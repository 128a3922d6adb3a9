"""Text assembly <-> encoded `Program` (docs/isa_spec.md, "Assembly syntax").

    prog = assemble(open("p.s").read(), load_target("vx128"), filename="p.s")
    text = disassemble(prog)      # assemble(text) encodes identically

Everything the simulators rely on is validated here, so they never see a bad program:
opcodes, operand kinds, register numbers against the target, immediate ranges, labels,
packet resources, hardware-loop bodies, and that execution cannot run off the end of the
text (the last packet halts or jumps). Every error is `VexaError("file:line:col: ...")`.
"""

from __future__ import annotations

import re
import struct
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vexa.runtime.isa import (
    DTYPES,
    F_D,
    F_EXEC,
    F_IMM,
    F_LABEL,
    F_OP,
    F_PKT,
    F_PSTART,
    F_STAGED,
    F_TAG,
    FILE_PREFIX,
    INSTRUCTIONS,
    KIND_FILE,
    REG_FIELDS,
    BY_OPCODE,
    W,
    InstrDef,
    Program,
    Symbol,
    format_instruction,
    packet_schedule,
    reads_writes,
)
from vexa.runtime.target import Target, load_target
from vexa.tools.errors import VexaError
from vexa.tools.gc_paused import gc_paused

DATA_ALIGN = 128  # data symbols start at multiples of max(DATA_ALIGN, vector length)


def data_align(target: Target) -> int:
    """Alignment of data symbols: a whole vector (`vld` needs it), at least 128 bytes."""
    return max(DATA_ALIGN, target.vlen_bytes)

_IDENT = re.compile(r"[A-Za-z_.$][A-Za-z0-9_.$]*")
_LABEL = re.compile(r"\s*([A-Za-z_.$][A-Za-z0-9_.$]*)\s*:")
_INT = re.compile(r"[+-]?(0[xX][0-9a-fA-F]+|0[bB][01]+|[0-9]+)$")
_REG = re.compile(r"([rvq])([0-9]+)$")
# a run of whitespace, a packet brace or separator, or an instruction (up to the next one)
_TOKEN = re.compile(r"\s+|[{};]|[^{};]+")
# one whole packet on a line: (indent) { (the instructions) }
_PACKET_LINE = re.compile(r"(\s*)\{([^{}]*)\}\s*$")
_FILE_NAMES = ("scalar", "vector", "predicate")
_FILE_COUNTS = ("gprs", "vregs", "qregs")


@dataclass
class _Pending:
    """One parsed instruction before labels and symbols are resolved."""

    d: InstrDef
    operands: list[tuple[str, int]]  # (text, column)
    line: int
    col: int
    tag: str
    packet: int


@dataclass
class _Section:
    space: str
    base: int
    data: bytearray = field(default_factory=bytearray)


class _Asm:
    def __init__(self, text: str, target: Target, filename: str,
                 resources: Any = None) -> None:
        self.text = text
        self.resources = resources  # handle -> array, for `.res` data
        self.target = target
        self.filename = filename
        self.sections = {"dram": _Section("dram", 0), "vtcm": _Section("vtcm", target.vtcm_base)}
        self.mode = "text"
        self.symbols: dict[str, tuple[str, int, int]] = {}  # name -> (space, offset, line)
        self.sym_sizes: dict[str, int] = {}
        self.current_sym: str | None = None
        self.io: list[tuple[str, str, str, tuple[int, ...], int, int]] = []
        self.labels: dict[str, int] = {}
        self.label_lines: dict[str, tuple[int, int]] = {}
        self.pending: list[_Pending] = []
        self.n_packets = 0
        self.tag = ""
        self.declared_target = ""
        self.packet_open: tuple[int, int] | None = None  # (line, col) of an open `{`
        self.packet_members: list[_Pending] = []
        self.line = 0
        self.fitting: set[tuple[str, ...]] = set()  # class combinations that fit a packet
        # instruction text -> (definition, operands with columns relative to the text's)
        self.parsed: dict[str, tuple[InstrDef, list[tuple[str, int]]]] = {}

    # ------------------------------------------------------------------ errors
    def err(self, line: int, col: int, msg: str) -> VexaError:
        return VexaError(f"{self.filename}:{line}:{col}: {msg}")

    # ------------------------------------------------------------------ driver
    def run(self) -> Program:
        for lineno, raw in enumerate(self.text.splitlines(), start=1):
            self.line = lineno
            self.parse_line(raw, lineno)
        if self.packet_open is not None:
            line, col = self.packet_open
            raise self.err(line, col, "unterminated packet: expected '}'")
        self.close_symbol()
        return self.finish()

    def parse_line(self, raw: str, lineno: int) -> None:
        body = _strip_comment(raw)
        pos = 0
        while True:
            m = _LABEL.match(body, pos)
            if m is None or body[m.end():m.end() + 1] == ":":
                break
            self.define_label(m.group(1), lineno, m.start(1) + 1)
            pos = m.end()
        rest = body[pos:]
        stripped = rest.strip()
        if not stripped:
            return
        col = pos + (len(rest) - len(rest.lstrip())) + 1
        if stripped.startswith(".") and not (self.mode == "text" and _is_mnemonic(stripped)):
            self.directive(stripped, lineno, col)
            return
        if self.mode != "text":
            raise self.err(lineno, col, f"expected a data directive in .{self.mode_name()}, "
                                        f"got '{stripped.split()[0]}'")
        self.text_line(body, pos, lineno)

    def mode_name(self) -> str:
        return {"dram": "data", "vtcm": "vtcm", "text": "text"}[self.mode]

    # ------------------------------------------------------------------ labels
    def define_label(self, name: str, line: int, col: int) -> None:
        if name in self.labels or name in self.symbols:
            raise self.err(line, col, f"label '{name}' defined twice")
        if _REG.match(name):
            raise self.err(line, col, f"expected a label name, got register '{name}'")
        if self.mode == "text":
            if self.packet_open is not None:
                raise self.err(line, col, "expected an instruction inside a packet, got a label")
            self.labels[name] = self.n_packets
            self.label_lines[name] = (line, col)
            return
        self.close_symbol()
        sec = self.sections[self.mode]
        pad = (-len(sec.data)) % data_align(self.target)
        sec.data.extend(b"\0" * pad)
        self.symbols[name] = (self.mode, len(sec.data), line)
        self.current_sym = name

    def close_symbol(self) -> None:
        if self.current_sym is not None:
            space, off, _ = self.symbols[self.current_sym]
            self.sym_sizes[self.current_sym] = len(self.sections[space].data) - off
        self.current_sym = None

    # ------------------------------------------------------------------ directives
    def directive(self, s: str, line: int, col: int) -> None:
        name, _, args = s.partition(" ")
        name = name.strip()
        args = args.strip()
        acol = col + len(s) - len(s[len(name):].lstrip()) if args else col
        if name in (".data", ".vtcm", ".text"):
            if args:
                raise self.err(line, acol, f"expected nothing after {name}, got '{args}'")
            self.close_symbol()
            self.mode = {".data": "dram", ".vtcm": "vtcm", ".text": "text"}[name]
            return
        if name == ".target":
            if not _IDENT.fullmatch(args):
                raise self.err(line, acol, f"expected a target name, got '{args}'")
            if args != self.target.name:
                raise self.err(line, acol, f"program is for target '{args}', "
                                           f"got target '{self.target.name}'")
            self.declared_target = args
            return
        if name in (".input", ".output"):
            self.io_decl(name[1:], args, line, acol)
            return
        if name == ".loc":
            self.tag = _parse_string(args, lambda m: self.err(line, acol, m))
            return
        if name in (".zero", ".f32", ".i32", ".i8", ".byte", ".org", ".res"):
            if self.mode == "text":
                raise self.err(line, col, f"data directive {name} in .text: expected .data "
                                          f"or .vtcm first")
            self.data_directive(name, args, line, col)
            return
        raise self.err(line, col, f"unknown directive '{name}'")

    def io_decl(self, kind: str, args: str, line: int, col: int) -> None:
        parts = args.split()
        if len(parts) not in (2, 3):
            raise self.err(line, col, f"expected '.{kind} NAME DTYPE SHAPE', got '.{kind} {args}'")
        sym, dtype = parts[0], parts[1]
        if dtype not in DTYPES:
            raise self.err(line, col, f"expected a dtype ({', '.join(DTYPES)}), got '{dtype}'")
        shape: tuple[int, ...] = ()
        if len(parts) == 3 and parts[2] != "scalar":
            try:
                shape = tuple(int(x) for x in parts[2].split("x"))
            except ValueError:
                raise self.err(line, col,
                               f"expected a shape like 16x32, got '{parts[2]}'") from None
            if any(x < 0 for x in shape):
                raise self.err(line, col, f"expected dimensions >= 0, got '{parts[2]}'")
        if any(x[1] == sym for x in self.io):
            raise self.err(line, col, f"symbol '{sym}' declared twice as input/output")
        self.io.append((kind, sym, dtype, shape, line, col))

    def data_directive(self, name: str, args: str, line: int, col: int) -> None:
        sec = self.sections[self.mode]
        if name == ".org":
            off = self.parse_int(args, line, col, 0, 2**32 - 1)
            self.close_symbol()
            if off < len(sec.data):
                raise self.err(line, col, f".org: expected an offset >= {len(sec.data)}, "
                                          f"got {off}")
            sec.data.extend(b"\0" * (off - len(sec.data)))
            return
        if self.current_sym is None:
            raise self.err(line, col, f"{name}: expected a label before data")
        if name == ".zero":
            n = self.parse_int(args, line, col, 0, 2**31 - 1)
            sec.data.extend(b"\0" * n)
            return
        if name == ".res":
            sec.data.extend(self.resource_bytes(args, line, col))
            return
        items = [a.strip() for a in args.split(",")] if args.strip() else []
        if not items:
            raise self.err(line, col, f"{name}: expected at least one value")
        if name == ".f32":
            try:
                floats = [float(item) for item in items]
            except ValueError:
                bad = next(i for i in items if not _is_float(i))
                raise self.err(line, col, f".f32: expected a number, got '{bad}'") from None
            with np.errstate(over="ignore"):
                out = np.array(floats, dtype="<f4").tobytes()
        else:
            lo, hi = (-2**31, 2**32 - 1) if name == ".i32" else (-128, 255)
            try:
                ints = [int(item, 0) for item in items]
            except ValueError:
                ints = [self.parse_int(item, line, col, lo, hi) for item in items]
            if min(ints) < lo or max(ints) > hi:
                bad = next(v for v in ints if not lo <= v <= hi)
                raise self.err(line, col, f"{name}: expected an integer in [{lo}, {hi}], "
                                          f"got {bad}")
            mask = 0xFFFFFFFF if name == ".i32" else 0xFF
            out = np.array([v & mask for v in ints], dtype="<u4" if name == ".i32"
                           else np.uint8).tobytes()
        sec.data.extend(out)

    def resource_bytes(self, args: str, line: int, col: int) -> bytes:
        """`.res DTYPE "handle" NBYTES`: the bytes of a weight kept out of the text, from
        the resource table given to `assemble` (the weights side file)."""
        parts = args.split(None, 1)
        rest = parts[1].rsplit(None, 1) if len(parts) == 2 else []
        if len(rest) != 2 or parts[0] not in ("f32", "i32", "i8", "ui8"):
            raise self.err(line, col, f'expected \'.res DTYPE "NAME" NBYTES\', got \'.res {args}\'')
        handle = _parse_string(rest[0], lambda m: self.err(line, col, m))
        nbytes = self.parse_int(rest[1], line, col, 0, 2**31 - 1)
        if self.resources is None or handle not in self.resources:
            raise self.err(line, col, f".res: no bytes for resource '{handle}': give the weights "
                                      "side file (vexa-run PROG.s --weights FILE.npz)")
        dtype = {"f32": "<f4", "i32": "<i4", "i8": "i1", "ui8": "u1"}[parts[0]]
        data = np.ascontiguousarray(np.asarray(self.resources[handle]).astype(dtype, copy=False))
        if data.nbytes != nbytes:
            raise self.err(line, col, f".res: expected {nbytes} bytes in resource '{handle}', "
                                      f"got {data.nbytes}")
        return data.tobytes()

    def parse_int(self, s: str, line: int, col: int, lo: int, hi: int) -> int:
        s = s.strip()
        if not _INT.match(s):
            raise self.err(line, col, f"expected an integer, got '{s}'")
        v = int(s, 0)
        if not lo <= v <= hi:
            raise self.err(line, col, f"expected an integer in [{lo}, {hi}], got {v}")
        return v

    # ------------------------------------------------------------------ text
    def text_line(self, body: str, pos: int, line: int) -> None:
        if self.packet_open is None and self.whole_line(body, pos, line):
            return
        for m in _TOKEN.finditer(body, pos):
            ch = m.group()
            i = m.start()
            if ch[0].isspace():
                continue
            if ch == "{":
                if self.packet_open is not None:
                    raise self.err(line, i + 1, "expected '}' before a new packet, got '{'")
                self.packet_open = (line, i + 1)
                self.packet_members = []
                continue
            if ch == "}":
                if self.packet_open is None:
                    raise self.err(line, i + 1, "unexpected '}' outside a packet")
                if not self.packet_members:
                    raise self.err(line, i + 1, "empty packet")
                self.close_packet(line, i + 1)
                continue
            if ch == ";":
                if self.packet_open is None:
                    raise self.err(line, i + 1, "unexpected ';' outside a packet")
                continue
            self.instruction(ch, line, i + 1)

    def whole_line(self, body: str, pos: int, line: int) -> bool:
        """The shapes `emit_assembly` writes, one instruction or one whole packet
        `{ a ; b }` on a line, without the token loop; False (nothing done) for the rest."""
        rest = body[pos:]
        if "{" not in rest and "}" not in rest and ";" not in rest:
            lead = len(rest) - len(rest.lstrip())
            self.instruction(rest[lead:], line, pos + lead + 1)
            return True
        m = _PACKET_LINE.match(body, pos)
        if m is None:
            return False
        parts = m.group(2).split(";")
        if any(not part.strip() for part in parts):
            return False  # an empty packet or slot: the token loop reports or skips it
        self.packet_open = (line, m.start(2))
        self.packet_members = []
        at = m.start(2)
        for part in parts:
            lead = len(part) - len(part.lstrip())
            self.instruction(part[lead:], line, at + lead + 1)
            at += len(part) + 1
        self.close_packet(line, m.end(2) + 1)
        return True

    def instruction(self, s: str, line: int, col: int) -> None:
        known = self.parsed.get(s)
        if known is not None:  # the same text parsed before (columns relative to `col`)
            d, rel = known
            p = _Pending(d, [(text, col + off) for text, off in rel], line, col, self.tag,
                         self.n_packets)
        else:
            p = self.parse_instruction(s, line, col)
            self.parsed[s] = (p.d, [(text, ocol - col) for text, ocol in p.operands])
        if self.packet_open is not None:
            self.packet_members.append(p)
        else:
            self.packet_members = [p]
            self.close_packet(line, col)

    def parse_instruction(self, s: str, line: int, col: int) -> _Pending:
        s = s.rstrip()
        mnem, _, rest = s.partition(" ")
        mnem = mnem.strip()
        d = INSTRUCTIONS.get(mnem)
        if d is None:
            raise self.err(line, col, f"unknown instruction '{mnem}'")
        ops: list[tuple[str, int]] = []
        if rest.strip():
            base = col + len(mnem) + 1
            k = 0
            for part in rest.split(","):
                lead = len(part) - len(part.lstrip())
                ops.append((part.strip(), base + k + lead))
                k += len(part) + 1
        if len(ops) != len(d.operands):
            raise self.err(line, col, f"{mnem}: expected {len(d.operands)} operands "
                                      f"({', '.join(d.operands) or 'none'}), got {len(ops)}")
        for text, ocol in ops:
            if not text:
                raise self.err(line, ocol, f"{mnem}: empty operand")
        return _Pending(d, ops, line, col, self.tag, self.n_packets)

    def close_packet(self, line: int, col: int) -> None:
        members = self.packet_members
        self.check_packet(members, line, col)
        self.pending.extend(members)
        self.packet_members = []
        self.packet_open = None
        self.n_packets += 1

    def check_packet(self, members: list[_Pending], line: int, col: int) -> None:
        if len(members) == 1:
            return  # one instruction always fits: the target loader checked every class
        classes = tuple(p.d.klass for p in members)
        if classes in self.fitting:
            return  # this combination of classes was checked before
        self.check_packet_classes(members)
        self.fitting.add(classes)

    def check_packet_classes(self, members: list[_Pending]) -> None:
        t = self.target
        first = members[0]
        if len(members) > t.slots:
            raise self.err(first.line, first.col, f"packet: expected at most {t.slots} "
                                                  f"instructions on {t.name}, got {len(members)}")
        used: Counter[str] = Counter()
        for p in members:
            used.update(dict(t.class_resources[p.d.klass]))
        for res, count in sorted(used.items()):
            if count > t.units(res):
                names = ", ".join(p.d.mnemonic for p in members)
                raise self.err(first.line, first.col,
                               f"packet: expected at most {t.units(res)} '{res}' resources on "
                               f"{t.name}, got {count} ({names})")
        control = [p for p in members if p.d.klass in ("branch", "loop")]
        if len(control) > 1:
            raise self.err(control[1].line, control[1].col,
                           "packet: expected at most one branch, loop or halt")

    # ------------------------------------------------------------------ resolve
    def symbol_value(self, text: str, line: int, col: int) -> int | None:
        m = re.fullmatch(r"([A-Za-z_.$][A-Za-z0-9_.$]*)\s*(?:([+-])\s*(\S+))?", text)
        if m is None or m.group(1) not in self.symbols:
            return None
        space, off, _ = self.symbols[m.group(1)]
        addr = self.sections[space].base + off
        if m.group(2):
            delta = self.parse_int(m.group(3), line, col, -2**31, 2**32 - 1)
            addr += delta if m.group(2) == "+" else -delta
        return addr

    def operand_imm(self, p: _Pending, text: str, col: int) -> int:
        m = p.d.mnemonic
        if _INT.match(text):
            v = int(text, 0)
        else:
            v_sym = self.symbol_value(text, p.line, col)
            if v_sym is None:
                what = "an immediate or a data symbol" if m == "li" else "an immediate"
                raise self.err(p.line, col, f"{m}: expected {what}, got '{text}'")
            v = v_sym
        lo, hi = -2**31, 2**32 - 1
        if m in ("shli", "shri", "srai", "vshli.i32", "vshri.i32", "vsrai.i32"):
            lo, hi = 0, 31
        elif m == "vextr":
            lo, hi = 0, self.target.lanes("i32") - 1
        elif m in ("loopi", "dmawait"):
            lo, hi = 0, 2**31 - 1
        if not lo <= v <= hi:
            raise self.err(p.line, col, f"{m}: expected an immediate in [{lo}, {hi}], got {v}")
        return ((v + 2**31) % 2**32) - 2**31

    def finish(self) -> Program:
        # rows are Python lists until the end: item assignment into a numpy array and
        # re-parsing repeated operands dominated assembly time on big programs
        t = self.target
        n = len(self.pending)
        rows: list[list[int]] = []
        tags: list[str] = [""]
        tag_index = {"": 0}
        lines: list[int] = []
        plans: dict[int, list[tuple[str, int, str]]] = {}  # opcode -> (action, field, kind)
        registers: dict[tuple[str, str], int] = {}  # (kind, text) -> a checked number
        immediates: dict[tuple[str, str], int] = {}  # (mnemonic, text) -> checked value
        previous_packet = -1
        for p in self.pending:
            d = p.d
            row = [0] * W
            row[F_OP] = d.opcode
            row[F_PKT] = p.packet
            row[F_PSTART] = 1 if p.packet != previous_packet else 0
            previous_packet = p.packet
            tag = tag_index.get(p.tag)
            if tag is None:
                tag = tag_index[p.tag] = len(tags)
                tags.append(p.tag)
            row[F_TAG] = tag
            plan = plans.get(d.opcode)
            if plan is None:
                plan = plans[d.opcode] = _operand_plan(d)
            for (action, field, kind), (text, col) in zip(plan, p.operands, strict=True):
                if action == "reg":
                    value = registers.get((kind, text))
                    if value is None:
                        value = registers[kind, text] = self.register(p, kind, text, col)
                    row[field] = value
                elif action == "label":
                    row[field] = self.label_target(p, text, col)
                else:
                    value = immediates.get((d.mnemonic, text))
                    if value is None:
                        value = immediates[d.mnemonic, text] = self.operand_imm(p, text, col)
                    row[field] = value
            rows.append(row)
            lines.append(p.line)
        self.check_packets_semantics(rows)
        code = np.array(rows, dtype=np.int32).reshape(n, W)
        self.check_control(code)
        return Program(
            code=code, target_name=t.name,
            dram_image=bytes(self.sections["dram"].data),
            vtcm_image=bytes(self.sections["vtcm"].data),
            symbols=self.make_symbols(), labels=dict(self.labels), tags=tags,
            filename=self.filename, lines=lines, declared_target=self.declared_target,
            vtcm_base=t.vtcm_base,
        )

    def register(self, p: _Pending, kind: str, text: str, col: int) -> int:
        file = KIND_FILE[kind]
        m = _REG.match(text)
        want = _FILE_NAMES[file]
        if m is None or m.group(1) != FILE_PREFIX[file]:
            raise self.err(p.line, col, f"{p.d.mnemonic}: expected a {want} register, "
                                        f"got '{text}'")
        idx = int(m.group(2))
        limit = getattr(self.target, _FILE_COUNTS[file])
        if idx >= limit:
            raise self.err(p.line, col, f"{p.d.mnemonic}: register {text} out of range: "
                                        f"{self.target.name} has {limit} {want} registers")
        return idx

    def label_target(self, p: _Pending, text: str, col: int) -> int:
        if text not in self.labels:
            if text in self.symbols:
                raise self.err(p.line, col, f"{p.d.mnemonic}: expected a text label, got "
                                            f"data symbol '{text}'")
            raise self.err(p.line, col, f"{p.d.mnemonic}: undefined label '{text}'")
        target = self.labels[text]
        if p.d.klass == "loop":
            if target <= p.packet + 1:
                raise self.err(p.line, col, f"{p.d.mnemonic}: expected the end label '{text}' "
                                            f"after a non-empty body")
            if target > self.n_packets - 1:
                raise self.err(p.line, col, f"{p.d.mnemonic}: end label '{text}' is at the end "
                                            f"of the text: expected a packet after the loop")
        elif target >= self.n_packets:
            raise self.err(p.line, col, f"{p.d.mnemonic}: label '{text}' names no packet "
                                        f"(end of the text)")
        return target

    def check_packets_semantics(self, code: list[list[int]]) -> None:
        """Per packet: no register written twice; record the execution order (in the rows)."""
        starts = [i for i, row in enumerate(code) if row[F_PSTART]] + [len(code)]
        # packet_schedule depends only on the opcodes and register fields: the same packet
        # recurs often (unrolled and repeated kernels)
        orders: dict[tuple[int, ...], tuple[list[int], bool]] = {}
        for a, b in zip(starts[:-1], starts[1:], strict=True):
            if b - a == 1:
                continue  # EXEC 0, not staged
            rows = code[a:b]
            key = tuple(v for row in rows for v in row[F_OP:F_D + 1])
            known = orders.get(key)
            if known is not None:
                order, staged = known
                for rank, k in enumerate(order):
                    rows[k][F_EXEC] = rank
                    rows[k][F_STAGED] = int(staged)
                continue
            defs = [BY_OPCODE[row[F_OP]] for row in rows]
            seen: dict[tuple[int, int], int] = {}
            for k, (d, row) in enumerate(zip(defs, rows, strict=True)):
                for reg in reads_writes(d, row)[1]:
                    if reg in seen:
                        p = self.pending[a + k]
                        name = f"{FILE_PREFIX[reg[0]]}{reg[1]}"
                        raise self.err(p.line, p.col, f"packet: register {name} written twice "
                                                      f"({defs[seen[reg]].mnemonic} and "
                                                      f"{d.mnemonic})")
                    seen[reg] = k
            order, staged = orders[key] = packet_schedule(defs, rows)
            for rank, k in enumerate(order):
                rows[k][F_EXEC] = rank
                rows[k][F_STAGED] = int(staged)

    def check_control(self, code: np.ndarray) -> None:
        if len(code) == 0:
            raise self.err(max(self.line, 1), 1, "expected at least one instruction "
                                                 "(a program ends with halt)")
        last = int(code[-1, F_PKT])
        tail = [BY_OPCODE[int(code[i, F_OP])].mnemonic
                for i in np.flatnonzero(code[:, F_PKT] == last)]
        if "halt" not in tail and "j" not in tail:
            p = self.pending[-1]
            raise self.err(p.line, p.col, "expected the last packet to halt or jump "
                                          f"(execution would run off the end), got '{tail[-1]}'")
        if not np.any(code[:, F_OP] == INSTRUCTIONS["halt"].opcode):
            p = self.pending[-1]
            raise self.err(p.line, p.col, "expected a halt instruction in the program")

    def make_symbols(self) -> dict[str, Symbol]:
        syms: dict[str, Symbol] = {}
        for name, (space, off, _) in self.symbols.items():
            syms[name] = Symbol(name, self.sections[space].base + off, self.sym_sizes.get(name, 0),
                                space)
        for kind, name, dtype, shape, line, col in self.io:
            if name not in syms:
                raise self.err(line, col, f".{kind}: undefined data symbol '{name}'")
            s = syms[name]
            need = int(np.prod(shape, dtype=np.int64)) * np.dtype(DTYPES[dtype]).itemsize
            if need > s.size:
                raise self.err(line, col, f".{kind} {name}: expected a symbol of at least "
                                          f"{need} bytes for {dtype} {_shape_str(shape)}, "
                                          f"got {s.size}")
            syms[name] = Symbol(name, s.address, s.size, s.space, kind, dtype, shape)
        return syms


def _operand_plan(d: InstrDef) -> list[tuple[str, int, str]]:
    """(action, row field, operand kind) per operand of `d`: how `finish` encodes it."""
    plan: list[tuple[str, int, str]] = []
    regs = iter(REG_FIELDS)
    for kind in d.operands:
        if kind in KIND_FILE:
            plan.append(("reg", next(regs), kind))
        elif kind == "label":
            plan.append(("label", F_LABEL, kind))
        else:
            plan.append(("imm", F_IMM, kind))
    return plan


def _shape_str(shape: tuple[int, ...]) -> str:
    return "x".join(str(x) for x in shape) if shape else "scalar"


def _is_float(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def _is_mnemonic(s: str) -> bool:
    return s.split()[0] in INSTRUCTIONS


def _strip_comment(line: str) -> str:
    """Drop a `#` or `//` comment, ignoring those inside a quoted string."""
    if '"' not in line:
        cuts = [k for k in (line.find("#"), line.find("//")) if k >= 0]
        return line[:min(cuts)] if cuts else line
    in_str = False
    i = 0
    while i < len(line):
        c = line[i]
        if in_str:
            if c == "\\":
                i += 2
                continue
            if c == '"':
                in_str = False
        elif c == '"':
            in_str = True
        elif c == "#" or line.startswith("//", i):
            return line[:i]
        i += 1
    return line


def _parse_string(s: str, fail) -> str:  # noqa: ANN001 - a closure raising VexaError
    s = s.strip()
    if len(s) < 2 or s[0] != '"' or s[-1] != '"':
        raise fail(f"expected a quoted string, got '{s}'")
    out = []
    i = 1
    while i < len(s) - 1:
        c = s[i]
        if c == "\\" and i + 1 < len(s) - 1:
            out.append(s[i + 1])
            i += 2
            continue
        if c == '"':
            raise fail(f"unexpected '\"' in string {s}")
        out.append(c)
        i += 1
    return "".join(out)


def assemble(text: str, target: Target | str = "vx128", filename: str = "<asm>",
             resources: Any = None) -> Program:
    """Assemble vx text assembly into an encoded, validated `Program`; `resources`
    (handle -> array, e.g. a `ResourceTable`) gives the bytes of `.res` data."""
    with gc_paused():  # see vexa.tools.gc_paused: a big program allocates ~1M objects here
        return _Asm(text, load_target(target), filename, resources).run()


def assemble_file(path: str, target: Target | str = "vx128") -> Program:
    try:
        with open(path) as f:
            text = f.read()
    except OSError as e:
        raise VexaError(f"cannot read '{path}': {e.strerror or e}") from None
    return assemble(text, target, filename=path)


# --------------------------------------------------------------------------- disassembly


def disassemble(prog: Program) -> str:
    """Text assembly that `assemble` turns back into the identical encoding."""
    out: list[str] = [f".target {prog.target_name}"]
    for s in prog.symbols.values():
        if s.io:
            kind = ".input " if s.io == "input" else ".output"
            out.append(f"{kind} {s.name} {s.dtype} {_shape_str(s.shape)}")
    for space, directive, image, base in (
        ("dram", ".data", prog.dram_image, 0),
        ("vtcm", ".vtcm", prog.vtcm_image, None),
    ):
        syms = sorted((s for s in prog.symbols.values() if s.space == space),
                      key=lambda s: s.address)
        if not syms and not image:
            continue
        out.append(directive)
        sec_base = prog.vtcm_base if base is None else base
        cursor = 0
        for s in syms:
            off = s.address - sec_base
            aligned = cursor + (-cursor) % DATA_ALIGN
            if off != aligned:
                out.append(f".org {off}")
            out.append(f"{s.name}:" + _data_text(image[off:off + s.size]))
            cursor = off + s.size
        if cursor < len(image):
            # trailing bytes belong to no symbol; cannot occur from assembled text
            pass
    out.append(".text")
    labels = prog._packet_labels()
    all_labels: dict[int, list[str]] = {}
    for name, p in prog.labels.items():
        all_labels.setdefault(p, []).append(name)
    tag = ""
    starts = prog.packet_starts()
    for p in range(len(starts) - 1):
        for name in all_labels.get(p, []):
            out.append(f"{name}:")
        a, b = int(starts[p]), int(starts[p + 1])
        ptag = prog.tags[int(prog.code[a, F_TAG])]
        if ptag != tag:
            escaped = ptag.replace("\\", "\\\\").replace('"', '\\"')
            out.append(f'    .loc "{escaped}"')
            tag = ptag
        texts = [format_instruction(prog.code[i], labels) for i in range(a, b)]
        out.append(f"    {texts[0]}" if len(texts) == 1 else "    { " + " ; ".join(texts) + " }")
    for name in all_labels.get(len(starts) - 1, []):
        out.append(f"{name}:")
    return "\n".join(out) + "\n"


def _data_text(data: bytes) -> str:
    if not data:
        return ""
    if not any(data):
        return f" .zero {len(data)}"
    if len(data) % 4 == 0:
        words = np.frombuffer(data, dtype="<i4")
        rows = [f"    .i32 {', '.join(str(int(w)) for w in words[i:i + 16])}"
                for i in range(0, len(words), 16)]
    else:
        rows = [f"    .byte {', '.join(str(b) for b in data[i:i + 32])}"
                for i in range(0, len(data), 32)]
    return "\n" + "\n".join(rows)
