"""The vx dialect from Python: op table vs the ISA contract, builders, emission, docs."""

from __future__ import annotations

import importlib.util
import inspect
import re
from pathlib import Path

import numpy as np
import pytest
from xdsl.dialects.builtin import DenseResourceAttr, Float32Type, ModuleOp, StringAttr, TensorType
from xdsl.ir import Block

from vexa.dialects import vx
from vexa.dialects.vx import (
    INSTRUCTIONS,
    AddiOp,
    DataOp,
    EmitError,
    FuncOp,
    HaltOp,
    IoOp,
    LabelOp,
    LiOp,
    LoopOp,
    PacketOp,
    ScalarRegisterType,
    VectorRegisterType,
    VfmaF32Op,
    VldOp,
    VsplatiOp,
    VstOp,
    YieldOp,
    emit_assembly,
    load_module,
)
from vexa.runtime.target import INSTRUCTION_CLASSES, load_target

ROOT = Path(__file__).resolve().parent.parent

# Every mnemonic of docs/isa_spec.md, "Instructions": the contract this dialect implements.
SPEC_MNEMONICS = """
li mov add sub mul and or xor shl shr sra slt sltu addi muli andi ori xori shli shri srai slti
min max ld st ldf stf j beq bne blt bge halt loop loopi vld vldu vldbc vst vstu vstq
vadd.f32 vsub.f32 vmax.f32 vmin.f32 vadd.i32 vsub.i32 vmax.i32 vmin.i32 vand vor vxor
vshli.i32 vshri.i32 vsrai.i32 vmov vsplat vsplati vcvt.f32.i32 vcvt.i32.f32 vabs.f32 vneg.f32
vsel vror vextr vmul.f32 vfma.f32 vmul.i32 vdmpy.i8 vrecip.f32 vrsqrt.f32 vpack.i32.i8
vcmpgt.f32 vcmpge.f32 vcmpeq.f32 vcmpgt.i32 vcmpeq.i32 vsetq qand qor qnot
dma dmacfg dma2 dmawait
""".split()

R = ScalarRegisterType.register
V = VectorRegisterType.register


def test_one_op_per_spec_instruction() -> None:
    ours = [op.mnemonic() for op in INSTRUCTIONS] + list(LoopOp.MNEMONICS)
    assert sorted(ours) == sorted(SPEC_MNEMONICS)
    assert len(set(ours)) == len(ours)


def test_spec_page_mentions_every_mnemonic() -> None:
    spec = (ROOT / "docs" / "isa_spec.md").read_text()
    for mnemonic in SPEC_MNEMONICS:
        stem = mnemonic.split(".")[0]
        assert re.search(rf"\b{re.escape(stem)}\b", spec), mnemonic


@pytest.mark.parametrize("op", INSTRUCTIONS, ids=lambda op: op.name)
def test_instruction_metadata(op: type[vx.VxInstruction]) -> None:
    assert op.name == f"vx.{op.mnemonic()}"
    assert op.CLASS in INSTRUCTION_CLASSES
    doc = inspect.getdoc(op) or ""
    assert "```mlir" in doc and op.name in doc, "docstring needs an mlir example of the op"
    # The assembly operands named by the syntax are what asm_args() returns.
    assert op.syntax().startswith(op.mnemonic())


def test_isa_table_agrees_if_present() -> None:
    isa = pytest.importorskip("vexa.runtime.isa", reason="runtime/isa.py not written yet")
    table = getattr(isa, "INSTRUCTIONS", None) or getattr(isa, "ISA", None)
    if table is None:
        pytest.skip("vexa.runtime.isa has no INSTRUCTIONS table yet")
    for op in INSTRUCTIONS:
        entry = table[op.mnemonic()]
        klass = entry["class"] if isinstance(entry, dict) else getattr(entry, "klass", None) or getattr(entry, "cls", None)
        if klass is not None:
            assert klass == op.CLASS, op.mnemonic()


def test_vsplati_f32_is_the_bit_pattern() -> None:
    assert VsplatiOp.f32(1.0).imm.value.data == 0x3F800000
    assert VsplatiOp.f32(-2.0).imm.value.data == -(2**31) + 0x40000000


def test_accumulator_is_an_inout_constraint() -> None:
    acc, a, b = (VsplatiOp(0, vd=V(i)) for i in (1, 2, 3))
    fma = VfmaF32Op(acc, a, b)
    ins, outs, inouts = fma.get_register_constraints()
    assert list(ins) == [a.vd, b.vd] and not outs
    assert inouts == ((fma.acc, fma.vd),)
    assert fma.vd.type == V(1)  # the builder keeps the result in the accumulator's register


def _program() -> ModuleOp:
    """A tiny program built with the Python builders: C[0:32] = 2 * A[0:32] + 1."""
    p = LiOp(symbol="A", rd=R(1))
    c = LiOp(symbol="C", rd=R(2))
    one = VsplatiOp.f32(1.0, vd=V(4))
    two = VsplatiOp.f32(2.0, vd=V(5))
    x = VldOp(p, 0, vd=V(0))
    acc = VfmaF32Op(one, x, two)
    body = Block(arg_types=[R(1)])
    step = AddiOp(body.args[0], 0, rd=R(1))
    body.add_ops([step, YieldOp(step)])
    loop = LoopOp(1, [p.rd], body)
    packet = PacketOp([VstOp(acc, c, 0)])
    func = FuncOp("main", [p, c, one, two, x, acc, loop, LabelOp("out"), packet, HaltOp()])
    f32 = Float32Type()
    module = ModuleOp([
        DataOp("A", "dram", 128), DataOp("C", "dram", 128),
        IoOp("input", "A", TensorType(f32, [32])), IoOp("output", "C", TensorType(f32, [32])),
        func,
    ])
    module.attributes["vx.target"] = StringAttr("vx128")
    return module


def test_builders_emit_the_spec_syntax() -> None:
    module = _program()
    module.verify()
    asm = emit_assembly(module)
    assert asm.splitlines() == [
        ".target vx128",
        ".input  A f32 32",
        ".output C f32 32",
        ".data",
        "A: .zero 128",
        "C: .zero 128",
        ".text",
        "main:",
        "    li r1, A",
        "    li r2, C",
        "    vsplati v4, 1065353216",
        "    vsplati v5, 1073741824",
        "    vld v0, r1, 0",
        "    vfma.f32 v4, v0, v5",
        "    loopi 1, loop0_end",
        "    addi r1, r1, 0",
        "loop0_end:",
        "out:",
        "    { vst v4, r2, 0 }",
        "    halt",
    ]


def test_emit_for_another_target_and_resource_data() -> None:
    from vexa.runtime.resources import module_resources

    module = _program()
    f32 = Float32Type()
    module.body.block.insert_op_before(
        DataOp("K", "dram", init=DenseResourceAttr.from_params("k", TensorType(f32, [3]))),
        module.body.block.first_op,  # pyright: ignore[reportArgumentType]
    )
    module_resources(module)["k"] = np.array([0.5, -1.0, np.inf], dtype=np.float32)
    asm = emit_assembly(module, "vx64")
    assert asm.startswith(".target vx64\n")
    # inf has no portable float literal: the whole symbol is emitted as exact bit patterns
    assert "K: .i32 1056964608, -1082130432, 2139095040" in asm


def test_emit_rejects_unallocated_registers() -> None:
    module = _program()
    func = next(op for op in module.walk() if isinstance(op, FuncOp))
    func.body.block.add_op(LiOp(7))
    with pytest.raises(EmitError, match="vx.li: expected allocated registers"):
        emit_assembly(module)


def test_load_module_errors_are_located(tmp_path: Path) -> None:
    path = tmp_path / "bad.mlir"
    path.write_text("vx.func @main {\n  %a = vx.li 1 : !vx.reg<r1>\n  %b = vx.vsplati 0 : !vx.vreg<v99>\n}\n")
    with pytest.raises(EmitError, match=r"bad\.mlir:3:3: vx\.vsplati: expected v0\.\.v31 on vx128, got v99"):
        load_module(str(path))


def test_isa_doc_is_up_to_date() -> None:
    spec = importlib.util.spec_from_file_location("gen_isa_doc", ROOT / "scripts" / "gen_isa_doc.py")
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    assert (ROOT / "docs" / "isa.md").read_text() == gen.render(), (
        "docs/isa.md is stale: run python scripts/gen_isa_doc.py"
    )


def test_packet_verifier_reads_the_target() -> None:
    module = _program()
    func = next(op for op in module.walk() if isinstance(op, FuncOp))
    p = LiOp(symbol="A", rd=R(3))
    packet = PacketOp([VldOp(p, 0, vd=V(8)), AddiOp(p, 4, rd=R(4)), AddiOp(p, 8, rd=R(5))])
    func.body.block.add_ops([p, packet])
    module.verify()  # 3 instructions, 2 scalar units on vx128: fits
    module.attributes["vx.target"] = StringAttr("vx64")
    with pytest.raises(Exception, match="expected at most 2 instructions on vx64, got 3"):
        module.verify()
    assert load_target("vx64").slots == 2


# Assembly operand names of the op syntax -> the register file / kind of runtime/isa.py.
_KIND = {"r": "r", "v": "v", "q": "q"}


def _syntax_kinds(op: type[vx.VxInstruction]) -> list[str]:
    kinds = []
    for name in op.SYNTAX_ARGS.replace(" ", "").split(","):
        if not name:
            continue
        if name.startswith(("imm", "label")):
            kinds.append(name[:5] if name.startswith("label") else "imm")
        else:
            kinds.append(_KIND[name[0]])
    return kinds


def test_operand_kinds_agree_with_the_isa_table() -> None:
    from vexa.runtime.isa import INSTRUCTIONS as ISA

    files = {"rd": "r", "rs": "r", "vd": "v", "vs": "v", "vacc": "v", "qd": "q", "qs": "q",
             "imm": "imm", "label": "label"}
    for op in INSTRUCTIONS:
        row = ISA[op.mnemonic()]
        assert row.klass == op.CLASS, op.mnemonic()
        assert [files[k] for k in row.operands] == _syntax_kinds(op), op.mnemonic()
    assert {ISA["loop"].klass, ISA["loopi"].klass} == {LoopOp.CLASS}


_SCALE = """
builtin.module attributes {{vx.target = "{target}"}} {{
  vx.data @A dram 512
  vx.data @C dram 512
  vx.io input @A : tensor<128xf32>
  vx.io output @C : tensor<128xf32>
  vx.func @main {{
    %a = vx.li @A + 0 : !vx.reg<r1>
    %c = vx.li @C + 0 : !vx.reg<r2>
    %two = vx.vsplati 1073741824 : !vx.vreg<v1>
    %r:2 = vx.loop {trips} iter_args(%pa = %a, %pc = %c) -> (!vx.reg<r1>, !vx.reg<r2>) {{
      %one = vx.vsplati 1065353216 : !vx.vreg<v2>
      %x = vx.vld %pa, 0 : (!vx.reg<r1>) -> !vx.vreg<v0>
      %y = vx.vfma.f32 %one, %x, %two : (!vx.vreg<v2>, !vx.vreg<v0>, !vx.vreg<v1>) -> !vx.vreg<v2>
      %na = vx.addi %pa, {vlen} : (!vx.reg<r1>) -> !vx.reg<r1>
      %nc = vx.packet {{
        vx.vst %y, %pc, 0 : !vx.vreg<v2>, !vx.reg<r2>
        %n = vx.addi %pc, {vlen} : (!vx.reg<r2>) -> !vx.reg<r2>
        vx.yield %n : !vx.reg<r2>
      }} : !vx.reg<r2>
      vx.yield %na, %nc : !vx.reg<r1>, !vx.reg<r2>
    }}
    vx.halt
  }}
}}
"""


@pytest.mark.parametrize("engine", ["reference", "fast"])
@pytest.mark.parametrize("target", ["vx128", "vx64"])
def test_emitted_program_assembles_and_runs(tmp_path: Path, target: str, engine: str) -> None:
    """IR -> assembly -> encoded program -> simulator: C = 1 + A * 2 over 128 floats."""
    from vexa.runtime.assembler import assemble

    t = load_target(target)
    path = tmp_path / "scale.mlir"
    path.write_text(_SCALE.format(target=target, trips=512 // t.vlen_bytes, vlen=t.vlen_bytes))
    module, locate = load_module(str(path))
    asm = emit_assembly(module, locate=locate)
    program = assemble(asm, t, filename="scale.s")
    if engine == "fast":
        pytest.importorskip("vexa.runtime.sim_fast", reason="the fast simulator is not written yet")
    from vexa.runtime.machine import run_program

    a = np.linspace(-3, 5, 128, dtype=np.float32)
    out, stats = run_program(program, t, {"A": a}, engine=engine, timing=True)
    np.testing.assert_array_equal(out["C"].reshape(-1), np.float32(1) + a * np.float32(2))
    assert stats.cycles > 0


def test_xdsl_target_prints_the_same_assembly() -> None:
    from io import StringIO

    from xdsl.context import Context

    module = _program()
    out = StringIO()
    vx.VxAsmTarget().emit(Context(), module, out)
    assert out.getvalue() == emit_assembly(module)
