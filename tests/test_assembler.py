"""Assembler and disassembler: syntax, encoding, validation, exact round trip."""

from __future__ import annotations

import numpy as np
import pytest

from vexa.runtime.assembler import assemble, disassemble
from vexa.runtime.isa import (
    BY_OPCODE,
    F_EXEC,
    F_IMM,
    F_LABEL,
    F_OP,
    F_PSTART,
    F_STAGED,
    F_TAG,
    INSTRUCTIONS,
    OPC,
    Program,
)
from vexa.runtime.target import load_target
from vexa.tools.errors import VexaError

SPEC_EXAMPLE = """\
.target vx128                 # optional; the runner checks it against --target
.input  A f32 256x256          # I/O declarations: symbol, dtype, shape (vexa-run uses them)
.output C f32 256x256
.data                          // DRAM symbols, 128-byte aligned by default
A:  .zero 262144
C:  .zero 262144
K:  .f32 1.0, 2.0, -3.5        # also .i32 .i8 .byte
B:  .i8 -1, 2
    .byte 255
.vtcm                          # VTCM symbols (addresses from vtcm_base)
buf: .zero 65536
.text
main:
    .loc "conv1"               # source tag for following instructions (graph node name)
    li r1, A                   # a symbol is its address (also A+128)
    li r2, A+128
    loopi 64, done             # hardware loop: body = next instruction .. label `done`
    { vld v0, r1, 0 ; vfma.f32 v4, v0, v1 ; addi r1, r1, 128 }
    {
      vst v4, r2, -128
      addi r2, r2, 4
    }
done:
    .loc "tail \\"q\\" # not a comment"
    halt
"""


def same(p: Program, q: Program) -> bool:
    return (np.array_equal(p.code, q.code) and p.dram_image == q.dram_image
            and p.vtcm_image == q.vtcm_image and p.symbols == q.symbols and p.tags == q.tags
            and p.labels == q.labels)


def test_spec_example() -> None:
    p = assemble(SPEC_EXAMPLE, "vx128", "ex.s")
    syms = p.symbols
    assert syms["A"].address == 0 and syms["C"].address == 262144
    assert syms["K"].size == 12 and syms["B"].size == 3
    assert syms["buf"].address == 0x4000_0000 and syms["buf"].space == "vtcm"
    assert syms["A"].io == "input" and syms["A"].shape == (256, 256) and syms["A"].dtype == "f32"
    assert np.frombuffer(p.dram_image[syms["K"].address:][:12], "<f4").tolist() == [1, 2, -3.5]
    assert p.dram_image[syms["B"].address:][:3] == b"\xff\x02\xff"
    assert p.n_packets == 6 and p.n_instr == 9
    assert p.code[1, F_IMM] == 128
    assert p.code[2, F_OP] == OPC["loopi"] and p.code[2, F_IMM] == 64
    assert p.code[2, F_LABEL] == p.labels["done"] == 5
    assert p.tags == ["", "conv1", 'tail "q" # not a comment']
    assert p.code[0, F_TAG] == 1 and p.code[-1, F_TAG] == 2
    assert p.code[3:8, F_PSTART].tolist() == [1, 0, 0, 1, 0]
    assert p.lines == [15, 16, 17, 18, 18, 18, 20, 21, 25]


def test_round_trip_is_exact() -> None:
    p = assemble(SPEC_EXAMPLE, "vx128")
    text = disassemble(p)
    q = assemble(text, "vx128")
    assert same(p, q)
    assert disassemble(q) == text


def test_round_trip_every_instruction() -> None:
    t = load_target("vx128")
    lines = [".data", "D: .zero 256", ".vtcm", "V: .zero 128", ".org 4096", "W: .i32 7", ".text",
             "top:"]
    for m, d in INSTRUCTIONS.items():
        if m == "halt":
            continue
        args = []
        for k, kind in enumerate(d.operands):
            args.append({"rd": f"r{k + 3}", "rs": f"r{k + 5}", "vd": "v31", "vs": f"v{k}",
                         "vacc": "v7", "qd": "q3", "qs": "q1", "imm": "3",
                         "label": "end" if d.klass == "loop" else "top"}[kind])
        lines.append(f"    {m} {', '.join(args)}")
    lines += ["    addi r1, r1, -5", "    li r2, 0xffffffff", "    li r2, D+12", "end:", "    halt"]
    p = assemble("\n".join(lines) + "\n", t)
    assert {BY_OPCODE[int(op)].mnemonic for op in p.code[:, F_OP]} == set(INSTRUCTIONS)
    assert p.symbols["W"].address == 0x4000_0000 + 4096
    assert same(p, assemble(disassemble(p), t))


def test_staged_packet_order() -> None:
    p = assemble(".text\n    { mov r1, r2 ; mov r2, r1 }\n"
                 "    { vst v0, r1, 0 ; vld v0, r2, 0 ; addi r1, r1, 4 }\n    halt\n", "vx128")
    assert p.code[0, F_STAGED] == 1 and p.code[1, F_STAGED] == 1
    # second packet: vst reads v0 that vld writes -> vst first; vld is a load -> before vst
    assert p.code[2:5, F_STAGED].tolist() == [1, 1, 1]
    assert sorted(p.code[2:5, F_EXEC].tolist()) == [0, 1, 2]
    p = assemble(".text\n    { addi r1, r1, 4 ; vld v0, r1, 0 }\n    halt\n", "vx128")
    assert p.code[0, F_STAGED] == 0 and p.code[:2, F_EXEC].tolist() == [1, 0]


@pytest.mark.parametrize("text,message", [
    ("    frob r1, r2\n", "1:5: unknown instruction 'frob'"),
    ("    add r1, r2\n", "1:5: add: expected 3 operands (rd, rs, rs), got 2"),
    ("    add r1, v2, r3\n", "1:13: add: expected a scalar register, got 'v2'"),
    ("    vadd.f32 v40, v1, v2\n", "register v40 out of range: vx128 has 32 vector registers"),
    ("    vsetq q4, r1\n", "vx128 has 4 predicate registers"),
    ("    shli r1, r1, 32\n", "shli: expected an immediate in [0, 31], got 32"),
    ("    vextr r1, v1, 32\n", "vextr: expected an immediate in [0, 31], got 32"),
    ("    li r1, 0x100000000\n", "li: expected an immediate in"),
    ("    li r1, Nope\n", "1:12: li: expected an immediate or a data symbol, got 'Nope'"),
    ("    j nowhere\n", "j: undefined label 'nowhere'"),
    ("    loopi 4, e\ne:\n    halt\n", "expected the end label 'e' after a non-empty body"),
    ("    { vld v0, r1, 0 ; vld v1, r1, 0 ; vldu v2, r1, 0 }\n",
     "expected at most 2 'load' resources on vx128, got 4"),
    ("    { add r1, r1, r1 ; add r2, r2, r2 ; add r3, r3, r3 }\n",
     "expected at most 2 'scalar' resources"),
    ("    { addi r1, r1, 1 ; ld r1, r2, 0 }\n", "register r1 written twice (addi and ld)"),
    ("    { vadd.f32 v0, v0, v0 ; vmov v1, v1 ; halt ; j x ; vmov v2, v2 }\n",
     "expected at most 4 instructions"),
    ("    { halt\n", "unterminated packet"),
    ("    }\n", "unexpected '}' outside a packet"),
    ("    addi r1, r1, 1\n", "expected the last packet to halt or jump"),
    ("", "expected at least one instruction"),
    ("    .bogus 3\n", "1:5: unknown directive '.bogus'"),
    (".target vx64\n", "1:9: program is for target 'vx64', got target 'vx128'"),
    (".data\n    .zero 4\n", "2:5: .zero: expected a label before data"),
    (".data\nA: .f32 1.0, x\n", ".f32: expected a number, got 'x'"),
    (".input A f32 4x4\n.data\nA: .zero 8\n.text\n    halt\n",
     ".input A: expected a symbol of at least 64 bytes"),
    (".input Q f32 4\n", ".input: undefined data symbol 'Q'"),
    (".input A f64 4\n", "expected a dtype"),
    ("x:\nx:\n", "2:1: label 'x' defined twice"),
    ("    .loc conv1\n", "expected a quoted string"),
    (".text\n    .zero 4\n", "data directive .zero in .text"),
])
def test_errors(text: str, message: str) -> None:
    if "halt" not in text and "expected the last" not in message and "at least" not in message:
        text += "    halt\n"
    with pytest.raises(VexaError) as info:
        assemble(text, "vx128", filename="bad.s")
    assert str(info.value).startswith("bad.s:"), str(info.value)
    assert message in str(info.value)


def test_registers_checked_against_the_target() -> None:
    text = ".text\n    vmov v20, v1\n    halt\n"
    assemble(text, "vx128")
    with pytest.raises(VexaError, match="vx64 has 16 vector registers"):
        assemble(text.replace(".text", ".text"), "vx64")
    with pytest.raises(VexaError, match="expected at most 1 'mpy' resources on vx64"):
        assemble(".text\n    { vmul.f32 v1, v2, v3 ; vmul.f32 v4, v5, v6 }\n    halt\n", "vx64")


def test_instruction_text_and_location() -> None:
    p = assemble(".text\nmain:\n    { li r1, 5 ; j main }\n    halt\n", "vx128", "f.s")
    assert p.instruction_text(1) == "j main" and p.location(1) == "f.s:3"


def test_res_data_takes_its_bytes_from_the_resource_table() -> None:
    """`.res DTYPE "handle" NBYTES`: weights by reference, bytes from the side table."""
    w = np.arange(6, dtype=np.float32) - 2.5
    text = '.target vx128\n.data\nW: .res f32 "conv.w" 24\n.text\nmain:\n    halt\n'
    prog = assemble(text, "vx128", resources={"conv.w": w})
    sym = prog.symbols["W"]
    assert bytes(prog.dram_image[sym.address:sym.address + 24]) == w.tobytes()
    with pytest.raises(VexaError, match=r"<asm>:3:4: .res: no bytes for resource 'conv.w'"):
        assemble(text, "vx128")
    with pytest.raises(VexaError, match=r".res: expected 24 bytes in resource 'conv.w', got 8"):
        assemble(text, "vx128", resources={"conv.w": w[:2]})



def test_data_symbols_align_to_the_vector_length(tmp_path) -> None:  # noqa: ANN001
    # a machine with 256-byte vectors: symbols start on whole vectors, so `vld` works
    from vexa.runtime.machine import run_program
    from vexa.runtime.target import TARGETS_DIR

    toml = (TARGETS_DIR / "vx128.toml").read_text()
    toml = toml.replace('name = "vx128"', 'name = "vx256"').replace("vlen_bytes = 128",
                                                                    "vlen_bytes = 256")
    path = tmp_path / "vx256.toml"
    path.write_text(toml)
    t = load_target(str(path))
    assert t.vlen_bytes == 256
    text = """.input X f32 64
.output Y f32 64
.data
pad: .zero 4
X: .zero 256
.vtcm
vpad: .zero 8
Y: .zero 256
.text
    { li r1, X ; li r2, Y }
    vld v0, r1, 0
    vst v0, r2, 0
    halt
"""
    prog = assemble(text, t)
    assert prog.symbols["X"].address % 256 == 0 and prog.symbols["Y"].address % 256 == 0
    assert prog.symbols["X"].address == 256  # after a 4-byte symbol
    x = np.arange(64, dtype=np.float32)
    for engine in ("fast", "reference"):
        out, _ = run_program(prog, t, {"X": x}, engine=engine)
        assert np.array_equal(out["Y"], x)
    assert same(prog, assemble(disassemble(prog), t))
    # 128-byte vectors keep 128-byte alignment
    small = assemble(text.replace(".input X f32 64", ".input X f32 32")
                     .replace(".output Y f32 64", ".output Y f32 32"), "vx128")
    assert small.symbols["X"].address == 128


@pytest.mark.parametrize("line,column", [
    # one packet per line takes a shortcut past the token loop: same columns either way
    ("  {add r1, r2, v3;  halt }", 16),
    ("{ halt ; add r1, r2, v3 }", 22),
    ("    { halt;add r1, r2, v3}  ", 24),
    # lines the shortcut leaves to the token loop: an empty slot, two packets, a split one
    ("    { halt ; ; add r1, r2, v3 }", 28),
    ("    { halt } { add r1, r2, v3 }", 28),
    ("    add r1, r2, v3", 17),
])
def test_packet_line_columns(line: str, column: int) -> None:
    with pytest.raises(VexaError, match=rf"<asm>:2:{column}: add: expected a scalar register"):
        assemble(f".text\n{line}\n    halt\n", "vx128")


def test_packet_line_shortcut_encodes_like_the_token_loop() -> None:
    one = assemble(".text\n    { addi r1, r1, 4 ; vld v0, r1, 0 }\n    halt\n", "vx128")
    # an empty slot sends the line through the token loop, which skips it
    two = assemble(".text\n    { addi r1, r1, 4 ; ; vld v0, r1, 0 }\n    halt\n", "vx128")
    assert one.code.tolist() == two.code.tolist()
