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


# ----------------------------------------------------------------------------------------
# The semantics written in the op docstrings (docs/isa.md) against the reference simulator:
# one tiny program per instruction, built as IR, emitted, assembled and run on vx128.

_LANES = 32  # i32/f32 lanes of vx128
_SEM = """
builtin.module attributes {{vx.target = "vx128"}} {{
  vx.data @A dram 128
  vx.data @B dram 128
  vx.data @C dram 128
  vx.io input @A : tensor<32xi32>
  vx.io input @B : tensor<32xi32>
  vx.io output @C : tensor<32xi32>
  vx.func @main {{
    %pa = vx.li @A + 0 : !R1
    %pb = vx.li @B + 0 : !R2
    %pc = vx.li @C + 0 : !R3
    %a = vx.vld %pa, 0 : (!R1) -> !V0
    %b = vx.vld %pb, 0 : (!R2) -> !V1
{body}
    vx.halt
  }}
}}
"""
_STORE_V2 = "    vx.vst %res, %pc, 0 : !V2, !R3"
_STORE_R6 = "    vx.st %res, %pc, 0 : !R6, !R3"
_TYPES = {f"!{f.upper()}{i}": f"!vx.{k}<{f}{i}>" for f, k in (("r", "reg"), ("v", "vreg"), ("q", "qreg")) for i in range(8)}


def _run_sem(body: str, a: np.ndarray, b: np.ndarray, tmp_path: Path) -> np.ndarray:
    from vexa.runtime.assembler import assemble
    from vexa.runtime.machine import run_program

    text = _SEM.format(body=body)
    for short, full in sorted(_TYPES.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(short, full)
    path = tmp_path / "sem.mlir"
    path.write_text(text)
    module, locate = load_module(str(path))
    t = load_target("vx128")
    program = assemble(emit_assembly(module, locate=locate), t)
    ins = {"A": np.ascontiguousarray(a).view(np.int32), "B": np.ascontiguousarray(b).view(np.int32)}
    out, _ = run_program(program, t, ins, engine="reference", timing=False)
    return np.asarray(out["C"]).reshape(-1).view(np.int32)


def _vec(op: str, *operands: str, res: str = "V2") -> str:
    types = {"%a": "!V0", "%b": "!V1", "%acc": "!V2", "%r": "!R4", "%q": "!Q0"}
    args = ", ".join(operands)
    names = [o.strip() for part in operands for o in part.split(",")]
    sig = ", ".join(types[o] for o in names if o in types)
    return f"    %res = vx.{op} {args} : ({sig}) -> !{res}\n{_STORE_V2}"


_RNG = np.random.default_rng(7)
_F = np.concatenate([
    np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-45, -1e-40, 3e38, 1.0, -2.5], np.float32),
    (_RNG.standard_normal(22) * 100).astype(np.float32),
])
_G = np.roll(_F, 3) * np.float32(-0.75)
_I = _RNG.integers(-(2**31), 2**31, _LANES, dtype=np.int64).astype(np.int32)
_J = np.concatenate([np.array([0, 1, -1, 31, 32, 33, -32, 2**31 - 1], np.int32),
                     _RNG.integers(-(2**31), 2**31, 24, dtype=np.int64).astype(np.int32)])


def _same(got: np.ndarray, want: np.ndarray) -> None:
    """Bit-exact, except that any NaN matches any NaN (payloads are not specified)."""
    want = np.ascontiguousarray(want).view(np.int32).reshape(-1)
    gf, wf = got.view(np.float32), want.view(np.float32)
    both_nan = np.isnan(gf) & np.isnan(wf)
    np.testing.assert_array_equal(np.where(both_nan, 0, got), np.where(both_nan, 0, want))


def _estimate(x: np.ndarray) -> np.ndarray:
    bits = x.astype(np.float32).view(np.uint32)
    finite = np.isfinite(x) & (x != 0)
    cleared = np.where(finite, bits & np.uint32(0xFFFFF000), bits)
    return cleared.view(np.float32)


with np.errstate(all="ignore"):
    _F32_CASES = {
        "vadd.f32": (_vec("vadd.f32", "%a", "%b"), _F + _G),
        "vsub.f32": (_vec("vsub.f32", "%a", "%b"), _F - _G),
        "vmul.f32": (_vec("vmul.f32", "%a", "%b"), _F * _G),
        "vmax.f32": (_vec("vmax.f32", "%a", "%b"), np.maximum(_F, _G)),
        "vmin.f32": (_vec("vmin.f32", "%a", "%b"), np.minimum(_F, _G)),
        "vabs.f32": (_vec("vabs.f32", "%a"), np.abs(_F)),
        "vneg.f32": (_vec("vneg.f32", "%a"), -_F),
        "vfma.f32": (
            "    %acc = vx.vmov %b : (!V1) -> !V2\n"
            + _vec("vfma.f32", "%acc", "%a", "%b"),
            _G + _F * _G,
        ),
        "vcvt.i32.f32": (
            _vec("vcvt.i32.f32", "%a"),
            np.where(np.isnan(_F), 0, np.clip(np.trunc(_F.astype(np.float64)), -(2**31), 2**31 - 1)).astype(np.int32),
        ),
        "vrecip.f32": (_vec("vrecip.f32", "%b"), _estimate((1.0 / _G.astype(np.float64)).astype(np.float32))),
        "vrsqrt.f32": (
            _vec("vrsqrt.f32", "%b"),
            _estimate((1.0 / np.sqrt(_G.astype(np.float64))).astype(np.float32)),
        ),
        "vcmpgt.f32+vsel": (
            "    %q = vx.vcmpgt.f32 %a, %b : (!V0, !V1) -> !Q0\n" + _vec("vsel", "%q", "%a", "%b"),
            np.where(_F > _G, _F, _G),
        ),
        "vcmpge.f32+vsel": (
            "    %q = vx.vcmpge.f32 %a, %a : (!V0, !V0) -> !Q0\n" + _vec("vsel", "%q", "%a", "%b"),
            np.where(_F >= _F, _F, _G),
        ),
        "vcmpeq.f32+vsel": (
            "    %q = vx.vcmpeq.f32 %a, %b : (!V0, !V1) -> !Q0\n" + _vec("vsel", "%q", "%a", "%b"),
            np.where(_F == _G, _F, _G),
        ),
    }


@pytest.mark.parametrize("case", sorted(_F32_CASES))
def test_f32_semantics_match_the_simulator(case: str, tmp_path: Path) -> None:
    body, want = _F32_CASES[case]
    _same(_run_sem(body, _F, _G, tmp_path), want)


def _pack(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    out = np.zeros(128, np.int8)
    out[:32] = np.clip(a, -128, 127)
    out[32:64] = np.clip(b, -128, 127)
    return out


def _dmpy(acc: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    prods = (a.view(np.int8).astype(np.int64) * b.view(np.int8).astype(np.int64)).reshape(-1, 4)
    return (acc.astype(np.int64) + prods.sum(1)).astype(np.int32)


_SMALL = (_J % 300).astype(np.int32) - 150
_I32_CASES = {
    "vadd.i32": (_vec("vadd.i32", "%a", "%b"), _I + _J, _I, _J),
    "vsub.i32": (_vec("vsub.i32", "%a", "%b"), _I - _J, _I, _J),
    "vmul.i32": (_vec("vmul.i32", "%a", "%b"), _I * _J, _I, _J),
    "vmax.i32": (_vec("vmax.i32", "%a", "%b"), np.maximum(_I, _J), _I, _J),
    "vmin.i32": (_vec("vmin.i32", "%a", "%b"), np.minimum(_I, _J), _I, _J),
    "vand": (_vec("vand", "%a", "%b"), _I & _J, _I, _J),
    "vor": (_vec("vor", "%a", "%b"), _I | _J, _I, _J),
    "vxor": (_vec("vxor", "%a", "%b"), _I ^ _J, _I, _J),
    "vshli.i32": (_vec("vshli.i32", "%a, 5"), _I << 5, _I, _J),
    "vshri.i32": (_vec("vshri.i32", "%a, 5"), (_I.view(np.uint32) >> 5).view(np.int32), _I, _J),
    "vsrai.i32": (_vec("vsrai.i32", "%a, 5"), _I >> 5, _I, _J),
    "vcvt.f32.i32": (_vec("vcvt.f32.i32", "%a"), _I.astype(np.float32), _I, _J),
    "vmov": (_vec("vmov", "%a"), _I, _I, _J),
    "vpack.i32.i8": (_vec("vpack.i32.i8", "%a", "%b"), _pack(_SMALL, -_SMALL), _SMALL, -_SMALL),
    "vdmpy.i8": (
        "    %acc = vx.vmov %a : (!V0) -> !V2\n" + _vec("vdmpy.i8", "%acc", "%a", "%b"),
        _dmpy(_I, _I, _J), _I, _J,
    ),
    "vcmpgt.i32+vsel": (
        "    %q = vx.vcmpgt.i32 %a, %b : (!V0, !V1) -> !Q0\n" + _vec("vsel", "%q", "%a", "%b"),
        np.where(_I > _J, _I, _J), _I, _J,
    ),
    "vcmpeq.i32+qnot+vsel": (
        "    %q = vx.vcmpeq.i32 %a, %a : (!V0, !V0) -> !Q0\n"
        "    %n = vx.qnot %q : (!Q0) -> !Q1\n"
        "    %res = vx.vsel %n, %a, %b : (!Q1, !V0, !V1) -> !V2\n" + _STORE_V2,
        _J, _I, _J,
    ),
    "vror": (
        "    %r = vx.li 12 : !R4\n" + _vec("vror", "%a", "%r"),
        np.roll(_I.view(np.uint8), -12).view(np.int32), _I, _J,
    ),
    "vsplat": (
        "    %r = vx.vextr %a, 5 : (!V0) -> !R4\n" + _vec("vsplat", "%r"),
        np.full(32, _I[5], np.int32), _I, _J,
    ),
    "vsplati": ("    %res = vx.vsplati -7 : !V2\n" + _STORE_V2, np.full(32, -7, np.int32), _I, _J),
    "vldbc": (
        "    %res = vx.vldbc %pb, 8 : (!R2) -> !V2\n" + _STORE_V2, np.full(32, _J[2], np.int32), _I, _J,
    ),
    "vsetq+qand+qor+vstq": (
        "    %n = vx.li 37 : !R4\n    %m = vx.li 9 : !R5\n"
        "    %q = vx.vsetq %n : (!R4) -> !Q0\n    %p = vx.vsetq %m : (!R5) -> !Q1\n"
        "    %x = vx.qand %q, %p : (!Q0, !Q1) -> !Q2\n    %y = vx.qor %x, %q : (!Q2, !Q0) -> !Q3\n"
        "    vx.vstq %a, %pc, 0, %y : !V0, !R3, !Q3",
        np.concatenate([_I.view(np.uint8)[:37], np.zeros(91, np.uint8)]), _I, _J,
    ),
    "vsetq negative": (
        "    %n = vx.li -5 : !R4\n    %q = vx.vsetq %n : (!R4) -> !Q0\n"
        "    vx.vstq %a, %pc, 0, %q : !V0, !R3, !Q0",
        np.zeros(32, np.int32), _I, _J,
    ),
}


@pytest.mark.parametrize("case", sorted(_I32_CASES))
def test_integer_vector_semantics_match_the_simulator(case: str, tmp_path: Path) -> None:
    body, want, a, b = _I32_CASES[case]
    _same(_run_sem(body, a, b, tmp_path), want)


def _u(x: int) -> int:
    return x & 0xFFFFFFFF


def _s(x: int) -> int:
    x &= 0xFFFFFFFF
    return x - 2**32 if x >= 2**31 else x


_SCALAR_REFS = {
    "add": lambda x, y: _s(x + y), "sub": lambda x, y: _s(x - y), "mul": lambda x, y: _s(x * y),
    "and": lambda x, y: _s(x & y), "or": lambda x, y: _s(x | y), "xor": lambda x, y: _s(x ^ y),
    "shl": lambda x, y: _s(x << (y & 31)), "shr": lambda x, y: _s(_u(x) >> (y & 31)),
    "sra": lambda x, y: _s(x >> (y & 31)), "slt": lambda x, y: int(x < y),
    "sltu": lambda x, y: int(_u(x) < _u(y)), "min": min, "max": max,
}
_IMM_REFS = {
    "addi": "add", "muli": "mul", "andi": "and", "ori": "or", "xori": "xor", "shli": "shl",
    "shri": "shr", "srai": "sra", "slti": "slt",
}


@pytest.mark.parametrize("pair", [(-5, 33), (2**31 - 1, 1), (-(2**31), -1), (7, -3)])
def test_scalar_semantics_match_the_simulator(pair: tuple[int, int], tmp_path: Path) -> None:
    x, y = pair
    # one program per pair: every scalar op, each result stored to its own word of C
    body = ["    %x = vx.vextr %a, 0 : (!V0) -> !R4", "    %y = vx.vextr %b, 0 : (!V1) -> !R5"]
    want: list[int] = []
    ops = [(op, None) for op in _SCALAR_REFS] + [(op, 3) for op in _IMM_REFS]
    for k, (op, imm) in enumerate(ops):
        if imm is None:
            body.append(f"    %r{k} = vx.{op} %x, %y : (!R4, !R5) -> !R6")
            want.append(_SCALAR_REFS[op](x, y))
        else:
            body.append(f"    %r{k} = vx.{op} %x, {imm} : (!R4) -> !R6")
            want.append(_SCALAR_REFS[_IMM_REFS[op]](x, imm))
        body.append(f"    vx.st %r{k}, %pc, {4 * k} : !R6, !R3")
    a = np.full(32, x, np.int32)
    b = np.full(32, y, np.int32)
    got = _run_sem("\n".join(body), a, b, tmp_path)
    assert got[: len(want)].tolist() == want


def test_module_docstring_example_is_valid_ir(tmp_path: Path) -> None:
    example = (vx.__doc__ or "").split("```mlir\n")[1].split("```")[0]
    path = tmp_path / "example.mlir"
    path.write_text(example)
    module, locate = load_module(str(path))
    assert "vfma.f32 v4, v0, v0" in emit_assembly(module, locate=locate)


def _example_as_function(example: str) -> str:
    """Wrap a docstring example in a func.func whose arguments are its undefined operands."""
    defined: set[str] = set()
    args: dict[str, str] = {}
    for line in example.strip().splitlines():
        lhs, _, rhs = line.rpartition("=") if " = vx." in line else ("", "", line)
        body, _, types = rhs.partition(" : ")
        names = re.findall(r"%\w+", body)
        types = types.split(" -> ")[0].strip()
        types = types[1:-1] if types.startswith("(") else types
        tys = [t.strip() for t in re.split(r",\s*(?![^<]*>)", types) if t.strip()]
        for name, ty in zip(names, tys):
            if name not in defined and name not in args:
                args[name] = ty
        defined.update(re.findall(r"%\w+", lhs))
    sig = ", ".join(f"{n}: {t}" for n, t in args.items())
    return f"func.func @f({sig}) {{\n{example}\n  func.return\n}}\n"


@pytest.mark.parametrize("op", INSTRUCTIONS, ids=lambda op: op.name)
def test_docstring_examples_parse(op: type[vx.VxInstruction], tmp_path: Path) -> None:
    example = (inspect.getdoc(op) or "").split("```mlir\n")[1].split("```")[0]
    path = tmp_path / "example.mlir"
    text = _example_as_function(example)
    if "@A" in text:
        text = "vx.data @A dram 1024\n" + text
    path.write_text(text)
    module, _ = load_module(str(path))
    assert any(o.name == op.name for o in module.walk())


# Memory and DMA instructions: a larger data image, VTCM staging, traps.
_MEM = """
builtin.module attributes {{vx.target = "vx128"}} {{
  vx.data @A dram 1024
  vx.data @C dram 1024
  vx.data @buf vtcm 4096
  vx.io input @A : tensor<256xi32>
  vx.io output @C : tensor<256xi32>
  vx.func @main {{
    %pa = vx.li @A + 0 : !R1
    %pc = vx.li @C + 0 : !R3
    %pv = vx.li @buf + 0 : !R2
{body}
    vx.halt
  }}
}}
"""
_A = np.arange(256, dtype=np.int32) * 7 - 300


def _run_mem(body: str, tmp_path: Path) -> np.ndarray:
    from vexa.runtime.assembler import assemble
    from vexa.runtime.machine import run_program

    text = _MEM.format(body=body)
    for short, full in sorted(_TYPES.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(short, full)
    path = tmp_path / "mem.mlir"
    path.write_text(text)
    module, locate = load_module(str(path))
    t = load_target("vx128")
    program = assemble(emit_assembly(module, locate=locate), t)
    out, _ = run_program(program, t, {"A": _A}, engine="reference", timing=True)
    return np.asarray(out["C"]).reshape(-1).view(np.int32)


def _expect(*pairs: tuple[int, np.ndarray]) -> np.ndarray:
    """C as expected: zero but for `value` written from word `start` on."""
    want = np.zeros(256, np.int32)
    for start, value in pairs:
        want[start : start + len(value)] = value
    return want


_MEM_CASES = {
    "vldu+vstu": (
        "    %x = vx.vldu %pa, 4 : (!R1) -> !V0\n    vx.vstu %x, %pc, 8 : !V0, !R3",
        _expect((2, _A[1:33])),
    ),
    "ld+st+ldf+stf": (
        "    %x = vx.ld %pa, 40 : (!R1) -> !R4\n    vx.st %x, %pc, 0 : !R4, !R3\n"
        "    %y = vx.ldf %pa, 44 : (!R1) -> !R5\n    vx.stf %y, %pc, 4 : !R5, !R3",
        _expect((0, _A[10:12])),
    ),
    "vextr": (
        "    %x = vx.vld %pa, 128 : (!R1) -> !V0\n    %s = vx.vextr %x, 31 : (!V0) -> !R4\n"
        "    vx.st %s, %pc, 0 : !R4, !R3",
        _expect((0, _A[63:64])),
    ),
    "dma+dmawait": (
        "    %n = vx.li 512 : !R4\n    vx.dma %pv, %pa, %n : !R2, !R1, !R4\n    vx.dmawait 0\n"
        "    %x = vx.vld %pv, 256 : (!R2) -> !V0\n    vx.vst %x, %pc, 0 : !V0, !R3\n"
        "    vx.dma %pc, %pv, %n : !R3, !R2, !R4\n    vx.dmawait 0",
        _expect((0, _A[:128])),
    ),
    "dmacfg+dma2": (
        # 3 rows of 16 bytes: A words 0..3, 16..19, 32..35 -> C words 0..3, 8..11, 16..19
        "    %row = vx.li 16 : !R4\n    %ss = vx.li 64 : !R5\n    %ds = vx.li 32 : !R6\n"
        "    %rows = vx.li 3 : !R7\n    vx.dmacfg %row, %ss, %ds : !R4, !R5, !R6\n"
        "    vx.dma2 %pc, %pa, %rows : !R3, !R1, !R7\n    vx.dmawait 0",
        _expect((0, _A[0:4]), (8, _A[16:20]), (16, _A[32:36])),
    ),
}


@pytest.mark.parametrize("case", sorted(_MEM_CASES))
def test_memory_semantics_match_the_simulator(case: str, tmp_path: Path) -> None:
    body, want = _MEM_CASES[case]
    np.testing.assert_array_equal(_run_mem(body, tmp_path), want)


@pytest.mark.parametrize("body", [
    "    %x = vx.vld %pa, 4 : (!R1) -> !V0",  # vld needs vlen alignment
    "    %x = vx.ld %pa, 2 : (!R1) -> !R4",  # ld needs 4-byte alignment
    "    %z = vx.li 0 : !R4\n    %x = vx.vldu %z, -4 : (!R4) -> !V0",  # outside DRAM/VTCM
])
def test_memory_traps_as_documented(body: str, tmp_path: Path) -> None:
    from vexa.runtime.stats import SimulatorTrap

    with pytest.raises(SimulatorTrap):
        _run_mem(body, tmp_path)


def test_branches_and_hardware_loops_match_the_simulator(tmp_path: Path) -> None:
    """A software loop (blt), taken/untaken beq/bne/bge, j, and nested hardware loops that
    end at the same packet, in allocated IR (the registers are reused by hand)."""
    body = """
    %i0 = vx.li 0 : !R4
    %s0 = vx.li 0 : !R5
    %n = vx.li 10 : !R6
    vx.label "top"
    %i = vx.addi %i0, 1 : (!R4) -> !R4
    %s = vx.add %s0, %i : (!R5, !R4) -> !R5
    vx.blt %i, %n, "top" : !R4, !R6
    vx.st %s, %pc, 0 : !R5, !R3
    vx.beq %i, %n, "eq" : !R4, !R6
    vx.st %n, %pc, 4 : !R6, !R3
    vx.label "eq"
    vx.bne %i, %n, "skip" : !R4, !R6
    vx.bge %n, %i, "ge" : !R6, !R4
    vx.st %n, %pc, 8 : !R6, !R3
    vx.label "ge"
    vx.j "skip"
    vx.st %n, %pc, 12 : !R6, !R3
    vx.label "skip"
    %z = vx.li 0 : !R7
    %c = vx.loop 3 iter_args(%x = %z) -> (!R7) {
      %y = vx.loop %n : !R6 iter_args(%w = %x) -> (!R7) {
        %v = vx.addi %w, 1 : (!R7) -> !R7
        vx.yield %v : !R7
      }
      vx.yield %y : !R7
    }
    vx.st %c, %pc, 16 : !R7, !R3
    %zero = vx.li 0 : !R4
    vx.loop %zero : !R4 {
      vx.st %n, %pc, 20 : !R6, !R3
    }"""
    got = _run_mem(body, tmp_path)
    assert got[:6].tolist() == [55, 0, 0, 0, 30, 0]
