"""Per-instruction semantics, the timing model, traps and statistics, on both simulators.

Every case runs on the fast and the reference engine and must give the same result; the
expected values come from numpy (f32 arithmetic as numpy float32 computes it).
"""

from __future__ import annotations

import numpy as np
import pytest

from vexa.runtime.assembler import assemble
from vexa.runtime.machine import RunState, run_program, simulate
from vexa.runtime.stats import SimStats, SimulatorTrap

ENGINES = ("fast", "reference")
L = 32  # f32 lanes of vx128


def run(text: str, inputs: dict | None = None, target: str = "vx128", **kw):  # noqa: ANN201
    """Run on both engines; assert they agree; return (outputs, stats, state) of the fast one."""
    prog = assemble(text, target)
    results = [simulate(prog, target, inputs, engine=e, **kw) for e in ENGINES]
    (o1, s1, st1), (o2, s2, st2) = results
    assert s1.to_dict() == s2.to_dict()
    for k in o1:
        assert o1[k].tobytes() == o2[k].tobytes(), k
    assert np.array_equal(st1.regs, st2.regs) and np.array_equal(st1.vregs, st2.vregs)
    return o1, s1, st1


def binop(op: str, a: np.ndarray, b: np.ndarray, dtype: str = "f32",
          acc: np.ndarray | None = None) -> np.ndarray:
    """out = op(a, b) lane-wise through registers (acc preloads the destination)."""
    n = a.size
    text = f"""
.input A {dtype} {n}
.input B {dtype} {n}
.input Z {dtype} {n}
.output C {dtype} {n}
.data
A: .zero {n * 4}
B: .zero {n * 4}
Z: .zero {n * 4}
C: .zero {n * 4}
.text
    li r1, A
    li r2, B
    li r3, C
    li r4, Z
    vld v1, r1, 0
    vld v2, r2, 0
    vld v0, r4, 0
    {op} v0, v1, v2
    vst v0, r3, 0
    halt
"""
    z = np.zeros_like(a) if acc is None else acc
    outs, _, _ = run(text, {"A": a, "B": b, "Z": z})
    return outs["C"]


def bits(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.float32).view(np.uint32)


RNG = np.random.default_rng(7)


# ------------------------------------------------------------------ f32 arithmetic


@pytest.mark.parametrize("op,fn", [("vadd.f32", np.add), ("vsub.f32", np.subtract),
                                   ("vmul.f32", np.multiply)])
def test_f32_binops_match_numpy(op: str, fn) -> None:  # noqa: ANN001
    a = RNG.standard_normal(L).astype(np.float32) * 1e3
    b = RNG.standard_normal(L).astype(np.float32)
    assert np.array_equal(bits(binop(op, a, b)), bits(fn(a, b)))


def test_fma_rounds_twice_like_numpy() -> None:
    for _ in range(4):
        a = (RNG.standard_normal(L) * 3).astype(np.float32)
        b = (RNG.standard_normal(L) * 3).astype(np.float32)
        c = (RNG.standard_normal(L) * 3).astype(np.float32)
        got = binop("vfma.f32", a, b, acc=c)
        assert np.array_equal(bits(got), bits(c + a * b))  # numpy float32: two roundings
    # a case where a fused multiply-add differs: (1+e)(1-e) = 1 - e^2 is lost in f32
    e = np.float32(2.0**-13)
    a = np.full(L, 1 + e, np.float32)
    b = np.full(L, 1 - e, np.float32)
    c = np.full(L, -1.0, np.float32)
    got = binop("vfma.f32", a, b, acc=c)
    assert np.all(got == 0.0)  # fused would give -2^-26


def test_max_min_nan_and_canonical_nan() -> None:
    a = np.array([1, np.nan, 3, -0.0] * 8, np.float32)
    b = np.array([2, 1, np.nan, 0.0] * 8, np.float32)
    mx = binop("vmax.f32", a, b)
    assert mx[0] == 2 and np.isnan(mx[1]) and np.isnan(mx[2])
    assert set(bits(mx[np.isnan(mx)]).tolist()) == {0x7FC00000}
    inf = np.full(L, np.inf, np.float32)
    s = binop("vsub.f32", inf, inf)
    assert set(bits(s).tolist()) == {0x7FC00000}  # NaN results are canonical


def estimate(x: np.ndarray, rsqrt: bool) -> np.ndarray:
    with np.errstate(all="ignore"):
        x64 = x.astype(np.float64)
        r = (1 / np.sqrt(x64) if rsqrt else 1 / x64).astype(np.float32)
    out = bits(r) & np.uint32(0xFFFFF000)
    out[np.isnan(r)] = 0x7FC00000
    return out


@pytest.mark.parametrize("rsqrt", [False, True])
def test_recip_rsqrt_estimates(rsqrt: bool) -> None:
    x = np.abs(RNG.standard_normal(L).astype(np.float32)) * 10 + 1e-3
    x[:6] = [0.0, -0.0, np.inf, np.nan, 1e-42, 4.0]
    if rsqrt:
        x[6] = -1.0
    op = "vrsqrt.f32" if rsqrt else "vrecip.f32"
    text = f"""
.input X f32 {L}
.output Y f32 {L}
.data
X: .zero 128
Y: .zero 128
.text
    li r1, X
    vld v1, r1, 0
    {op} v2, v1
    li r2, Y
    vst v2, r2, 0
    halt
"""
    y = run(text, {"X": x})[0]["Y"]
    want = estimate(x, rsqrt)
    if rsqrt:  # 1/sqrt(-0) = -inf as IEEE
        want[1] = bits(np.float32(-np.inf))
    assert np.array_equal(bits(y), want)
    assert y[0] == np.inf and (y[2] == 0) and np.isnan(y[3])
    ref = 1 / np.sqrt(x[7:].astype(np.float64)) if rsqrt else 1 / x[7:].astype(np.float64)
    assert np.all(np.abs(y[7:] / ref - 1) < 2.0**-11)


# ------------------------------------------------------------------ integer vector ops


def test_vdmpy_i8() -> None:
    a = RNG.integers(-128, 128, 4 * L).astype(np.int8)
    b = RNG.integers(-128, 128, 4 * L).astype(np.int8)
    acc = RNG.integers(-(2**31), 2**31, L).astype(np.int32)
    acc[0] = 2**31 - 1  # wraps
    got = binop("vdmpy.i8", a.view(np.int32), b.view(np.int32), dtype="i32", acc=acc)
    want = (acc.astype(np.int64) + (a.astype(np.int64) * b).reshape(L, 4).sum(1))
    want = ((want + 2**31) % 2**32 - 2**31).astype(np.int32)
    assert np.array_equal(got, want)


def test_i32_wrapping_and_shifts() -> None:
    a = np.array([2**31 - 1, -(2**31), 5, -7] * 8, np.int32)
    b = np.array([1, -1, 3, 2] * 8, np.int32)
    with np.errstate(over="ignore"):
        assert np.array_equal(binop("vadd.i32", a, b, "i32"), a + b)
        assert np.array_equal(binop("vmul.i32", a, b, "i32"), a * b)
    assert np.array_equal(binop("vmax.i32", a, b, "i32"), np.maximum(a, b))


def test_vcvt_saturates() -> None:
    x = np.array([1.9, -1.9, 3e9, -3e9, np.nan, np.inf, -np.inf, 2**31] * 4, np.float32)
    text = f"""
.input X f32 {L}
.output Y i32 {L}
.data
X: .zero 128
Y: .zero 128
.text
    li r1, X
    vld v1, r1, 0
    vcvt.i32.f32 v2, v1
    li r2, Y
    vst v2, r2, 0
    halt
"""
    y = run(text, {"X": x})[0]["Y"]
    assert y[:8].tolist() == [1, -1, 2**31 - 1, -(2**31), 0, 2**31 - 1, -(2**31), 2**31 - 1]


def test_vror_and_vextr() -> None:
    x = np.arange(L, dtype=np.int32)
    text = f"""
.input X i32 {L}
.output Y i32 {L}
.data
X: .zero 128
Y: .zero 128
.text
    li r1, X
    vld v1, r1, 0
    li r3, 8
    vror v2, v1, r3
    vextr r4, v2, 0
    li r2, Y
    vst v2, r2, 0
    halt
"""
    y, _, state = run(text, {"X": x})
    assert np.array_equal(y["Y"], np.roll(x, -2))
    assert state.regs[4] == 2


def test_predicated_tail_store_and_vsel() -> None:
    text = """
.output Y i8 128
.data
Y: .zero 128
.text
    li r1, Y
    vsplati v1, -1
    li r2, 37
    vsetq q0, r2
    vstq v1, r1, 0, q0
    halt
"""
    y = run(text)[0]["Y"]
    assert np.all(y[:37] == -1) and np.all(y[37:] == 0)


def test_vpack() -> None:
    a = np.array([300, -300, 5, -5] * 8, np.int32)
    b = np.array([1, 2, 127, -129] * 8, np.int32)
    got = binop("vpack.i32.i8", a, b, "i32").view(np.int8)
    assert got[:4].tolist() == [127, -128, 5, -5]
    assert got[32:36].tolist() == [1, 2, 127, -128] and np.all(got[64:] == 0)


# ------------------------------------------------------------------ scalar and packets


def test_scalar_ops() -> None:
    text = """
.text
    li r1, -8
    li r2, 0x7fffffff
    { shri r3, r1, 28 ; srai r4, r1, 1 }
    { sltu r5, r2, r1 ; slt r6, r2, r1 }
    { addi r7, r2, 1 ; mul r8, r2, r2 }
    { min r9, r1, r2 ; xori r10, r1, -1 }
    halt
"""
    regs = run(text)[2].regs
    assert regs[3] == 15 and regs[4] == -4 and regs[5] == 1 and regs[6] == 0
    assert regs[7] == -(2**31) and regs[8] == 1 and regs[9] == -8 and regs[10] == 7


def test_packet_reads_before_writes() -> None:
    text = """
.output Y i32 32
.data
Y: .i32 """ + ", ".join(["9"] * 32) + """
.text
    { li r1, 1 ; li r2, 2 }
    { mov r1, r2 ; mov r2, r1 }
    li r3, Y
    { vld v0, r3, 0 ; vsplati v0, 5 }
    halt
"""
    with pytest.raises(Exception, match="written twice"):
        assemble(text, "vx128")
    text = text.replace("{ vld v0, r3, 0 ; vsplati v0, 5 }",
                        "vsplati v0, 5\n    { vld v0, r3, 0 ; vst v0, r3, 0 }")
    outs, _, state = run(text)
    assert state.regs[1] == 2 and state.regs[2] == 1  # swapped
    assert np.all(outs["Y"] == 5) and np.all(state.vregs[0].view(np.int32) == 9)


# ------------------------------------------------------------------ timing model


def test_dependency_and_latency() -> None:
    _, s, _ = run(".text\n    vsplati v1, 1\n    vmul.f32 v2, v1, v1\n    vadd.f32 v3, v2, v2\n"
                  "    halt\n")
    # vsplati at 0, vmul at 1 (valu latency 1), vadd at 3 (vmpy latency 2), halt at 4
    assert s.cycles == 5 and s.stalls["dependency"] == 1
    assert s.cycles == s.packets + sum(s.stalls.values())


def test_dram_latency_and_bandwidth() -> None:
    text = """
.data
A: .zero 256
.text
    li r1, A
    { vld v0, r1, 0 ; vld v1, r1, 128 }
    vadd.f32 v2, v0, v1
    halt
"""
    _, s, _ = run(text)
    # loads issue at 1 (DRAM port busy 8 cycles), v0/v1 ready at 201
    assert s.cycles == 203 and s.bytes["dram_read"] == 256
    _, s2, _ = run(text.replace("vadd.f32 v2, v0, v1", "vld v3, r1, 0"))
    assert s2.stalls["dram_bandwidth"] == 7  # the second packet waits for the port


def test_hardware_loop_is_free_and_branch_costs() -> None:
    _, s, _ = run(".text\n    loopi 10, e\n    addi r1, r1, 1\ne:\n    halt\n")
    assert s.cycles == 12 and s.instructions == 12
    text = ".text\n    li r2, 10\nl:\n    addi r2, r2, -1\n    bne r2, r0, l\n    halt\n"
    _, s, st = run(text)
    assert st.regs[2] == 0 and s.stalls["branch"] == 9 and s.cycles == 1 + 20 + 9 + 1


def test_loop_count_zero_and_register_count() -> None:
    _, s, st = run(".text\n    li r1, 0\n    loop r1, e\n    addi r2, r2, 1\ne:\n"
                   "    loopi 3, f\n    loopi 2, f\n    addi r3, r3, 1\nf:\n    halt\n")
    assert st.regs[2] == 0 and st.regs[3] == 6


def test_dma_timing_and_wait() -> None:
    text = """
.data
A: .i32 """ + ", ".join(str(i) for i in range(64)) + """
.vtcm
B: .zero 256
.text
    { li r1, B ; li r2, A }
    li r3, 256
    dma r1, r2, r3
    dmawait 0
    li r4, B
    ld r5, r4, 252
    halt
"""
    _, s, st = run(text)
    assert st.regs[5] == 63
    # dma issues at 2, runs 50 + 256/32 = 58 cycles -> done at 60; dmawait waits 57
    assert s.stalls["dma_wait"] == 57 and s.dma_bytes == 256 and s.dma_transfers == 1
    assert s.vtcm_high_water == 256 and s.bytes["vtcm_write"] == 256


def test_dma2d() -> None:
    text = """
.input A i32 8x8
.output C i32 4x4
.data
A: .zero 256
C: .zero 64
.text
    { li r1, 16 ; li r2, 32 }
    li r3, 16
    dmacfg r1, r2, r3
    { li r4, C ; li r5, A+8 }
    li r6, 4
    dma2 r4, r5, r6
    halt
"""
    a = np.arange(64, dtype=np.int32).reshape(8, 8)
    outs, s, _ = run(text, {"A": a})
    assert np.array_equal(outs["C"], a[:4, 2:6])
    assert s.stalls["dma_wait"] > 0  # halt drains the transfer


def test_tags_sum_to_cycles_and_timing_off() -> None:
    text = '.text\n    .loc "a"\n    vsplati v1, 1\n    .loc "b"\n    vmul.f32 v2, v1, v1\n' \
           '    vadd.f32 v3, v2, v2\n    halt\n'
    _, s, _ = run(text)
    assert s.cycles_by_tag == {"a": 1, "b": 4} and sum(s.cycles_by_tag.values()) == s.cycles
    _, s, _ = run(text, timing=False)
    assert s.cycles == s.packets == 4 and not any(s.stalls.values())
    assert "cycles" in s.report() and s.to_dict()["cycles_by_tag"]["b"] == 3


# ------------------------------------------------------------------ traps


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("body,kind,reason", [
    ("li r1, A\n    vld v0, r1, 4", "misaligned", "expected 128-byte alignment"),
    ("li r1, 0x30000000\n    ld r2, r1, 0", "out_of_bounds", "out-of-bounds access of 4"),
    ("li r1, A\n    st r1, r1, 2", "misaligned", "expected 4-byte alignment"),
    ("{ li r1, A ; li r2, 0x40000000 }\n    li r3, 0x7fffffff\n    dma r2, r1, r3",
     "dma_out_of_bounds", "DMA range"),
    ("loopi 2, e1\n    loopi 2, e1\n    loopi 2, e1\n    nop_placeholder\ne1:\n    halt",
     "loop_overflow", "hardware-loop stack overflow"),
    ("l:\n    j l", "instruction_budget", "instruction budget exceeded"),
])
def test_traps(engine: str, body: str, kind: str, reason: str) -> None:
    body = body.replace("nop_placeholder", "addi r9, r9, 1")
    text = f'.data\nA: .zero 256\n.text\n    .loc "node7"\n    {body}\n    halt\n'
    prog = assemble(text, "vx128", filename="p.s")
    with pytest.raises(SimulatorTrap) as info:
        run_program(prog, "vx128", engine=engine, max_instructions=1000)
    trap = info.value.trap
    assert trap.kind == kind and reason in trap.reason
    assert trap.tag == "node7" and trap.location.startswith("p.s:")
    msg = str(info.value)
    assert f"pc {trap.pc}" in msg and trap.instruction in msg and "[node7]" in msg
    assert isinstance(info.value.stats, SimStats)


def test_state_type() -> None:
    _, _, st = run(".text\n    halt\n")
    assert isinstance(st, RunState) and st.vregs.shape == (32, 128)


# ------------------------------------------------------------------ fast path edges

VT_END = 0x40000000 + 4 * 1024 * 1024  # vx128: VTCM base + size


def run_both_may_trap(text: str, **kw) -> tuple[str | None, dict]:  # noqa: ANN003
    """Both engines, trap or not: the same trap (kind, pc, reason), the same statistics."""
    prog = assemble(text, "vx128")
    got = []
    for e in ENGINES:
        try:
            out, stats, state = simulate(prog, "vx128", engine=e, **kw)
            got.append((None, stats.to_dict(), state.regs.tobytes() + state.vregs.tobytes(),
                        state.vtcm.tobytes()))
        except SimulatorTrap as t:
            tr = t.trap
            got.append(((tr.kind, tr.pc, tr.reason), t.stats.to_dict(), b"", b""))
    assert got[0] == got[1]
    return got[0][0], got[0][1]


@pytest.mark.parametrize("start,step,kind", [
    (VT_END - 256, 128, "out_of_bounds"),  # walks off VTCM's end in the 3rd iteration
    (0x40000000 + 128, -64, "misaligned"),  # aligned, then 64 bytes off
    (0x40000000 + 256, -128, "out_of_bounds"),  # walks below VTCM (past a small DRAM)
    (0x40000000, 128, None),  # stays inside
])
def test_simple_packet_loop_traps_like_reference(start: int, step: int, kind: str | None) -> None:
    # simple packets (vfma, vld, vldbc, vst, addi) in a hardware loop: the fast engine runs
    # them in its quick path, which must hand a bad address to the general one
    text = f""".data
D: .zero 128
.text
    {{ li r1, {start} ; li r2, {0x40000000 + 4096} ; vsplati v2, 1 ; vsplati v3, 2 }}
    {{ li r3, {0x40000000 + 8192} }}
    loopi 4, e
    {{ vld v0, r1, 0 ; vfma.f32 v1, v2, v3 ; vldbc v4, r2, 0 ; addi r1, r1, {step} }}
    {{ vst v1, r3, 0 ; vfma.f32 v1, v0, v4 ; addi r2, r2, 4 }}
e:
    halt
"""
    trap, stats = run_both_may_trap(text)
    assert (trap[0] if trap else None) == kind
    assert stats["instructions"] > 4


def test_simple_packet_reading_dram_is_timed_like_reference() -> None:
    # the same simple packet reads VTCM, then DRAM (200-cycle loads, the DRAM port)
    text = """.data
D: .zero 1024
.vtcm
V: .zero 1024
.text
    { li r1, V ; li r2, D ; vsplati v2, 1 }
    loopi 3, e
    { vld v0, r1, 0 ; vfma.f32 v1, v0, v2 ; mov r1, r2 ; addi r2, r2, 128 }
e:
    { vst v1, r2, 0 }
    halt
"""
    trap, stats = run_both_may_trap(text)
    assert trap is None and stats["cycles"] > 200  # waits for one 200-cycle DRAM load


def test_instruction_budget_inside_simple_loop() -> None:
    text = ".text\n    loopi 1000, e\n    { addi r1, r1, 1 ; vsplati v0, 1 }\ne:\n    halt\n"
    trap, stats = run_both_may_trap(text, max_instructions=1001)
    assert trap is not None and trap[0] == "instruction_budget"
    assert stats["instructions"] == 1001  # loopi + 500 packets of 2; the next would exceed
