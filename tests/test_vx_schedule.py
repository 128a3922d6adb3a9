"""vx-schedule on random programs: same outputs as unscheduled, fewer cycles, valid packets.

Each program is built on physical registers with deliberate register reuse (WAR and WAW
hazards), loads and stores to overlapping memory, scalar/vector transfers, DMA with
waits, hardware loops with loop-carried registers (nested too) and branch loops. It is
emitted, assembled and run on the simulator once as written (one instruction per packet)
and once scheduled; outputs must agree bit for bit and the scheduled run must be faster.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from vexa.dialects import vx
from vexa.passes.vx_schedule import MachineModel, VxSchedulePass, schedule_block
from vexa.runtime.assembler import assemble
from vexa.runtime.machine import run_program
from vexa.runtime.stats import SimStats
from vexa.runtime.target import load_target
from xdsl.context import Context
from xdsl.dialects.builtin import Float32Type, ModuleOp, StringAttr, TensorType
from xdsl.ir import Block, Operation, SSAValue

R = vx.ScalarRegisterType.register
V = vx.VectorRegisterType.register

VREGS = [f"v{i}" for i in range(8)]  # fits vx64's 16 vector registers
SREGS = ["r3", "r4", "r5", "r6"]
X_SLOTS = 24  # vectors of input
Y_SLOTS = 8  # scratch vectors the program stores to and reloads from
T = 5  # trip count of loops


class _Gen:
    """Builds a random program on physical registers; `cur` maps a register to its value."""

    def __init__(self, seed: int, target: str):
        self.rng = np.random.default_rng(seed)
        self.vlen = load_target(target).vlen_bytes
        self.lanes = self.vlen // 4
        self.cur: dict[str, SSAValue] = {}
        self.ops: list[Operation] = []
        self.z_ready = False
        self.labels = 0

    def emit(self, op: Operation) -> Operation:
        self.ops.append(op)
        for result in op.results:
            reg = result.type
            assert isinstance(reg, vx.VxRegisterType)
            self.cur[reg.register_name.data] = result
        return op

    def pick(self, pool: list[str]) -> str:
        return pool[int(self.rng.integers(len(pool)))]

    def random_op(self, pointer: str) -> None:
        """One random instruction; `pointer` is the register addressing the input X."""
        rng, c, vlen = self.rng, self.cur, self.vlen
        kind = int(rng.integers(12))
        d, a, b = self.pick(VREGS), self.pick(VREGS), self.pick(VREGS)
        s, t = self.pick(SREGS), self.pick(SREGS)
        if kind <= 2:
            cls = [vx.VaddF32Op, vx.VsubF32Op, vx.VmaxF32Op, vx.VmulF32Op][int(rng.integers(4))]
            self.emit(cls(c[a], c[b], vd=V(int(d[1:]))))
        elif kind == 3:
            self.emit(vx.VfmaF32Op(c[d], c[a], c[b]))
        elif kind == 4:
            self.emit(vx.VldOp(c[pointer], int(rng.integers(4)) * vlen, vd=V(int(d[1:]))))
        elif kind == 5:
            self.emit(vx.VstOp(c[a], c["r2"], int(rng.integers(Y_SLOTS)) * vlen))
        elif kind == 6:
            self.emit(vx.VldOp(c["r2"], int(rng.integers(Y_SLOTS)) * vlen, vd=V(int(d[1:]))))
        elif kind == 7:
            self.emit(vx.VextrOp(c[a], int(rng.integers(self.lanes)), rd=R(int(s[1:]))))
        elif kind == 8:
            self.emit(vx.VsplatOp(c[s], vd=V(int(d[1:]))))
        elif kind == 9:
            cls2 = [vx.AddOp, vx.MulOp, vx.XorOp][int(rng.integers(3))]
            self.emit(cls2(c[s], c[t], rd=R(int(s[1:]))))
        elif kind == 10:
            self.emit(vx.StOp(c[s], c["r2"], int(rng.integers(Y_SLOTS * self.lanes)) * 4))
        elif self.z_ready:
            self.emit(vx.VldOp(c["r10"], int(rng.integers(4)) * vlen, vd=V(int(d[1:]))))
        else:
            self.emit(vx.LdOp(c["r2"], int(rng.integers(Y_SLOTS * self.lanes)) * 4,
                              rd=R(int(t[1:]))))

    def straight(self, n: int, pointer: str = "r1") -> None:
        for _ in range(n):
            self.random_op(pointer)

    def dma_block(self, n: int) -> None:
        """Copy 4 vectors of X to Z by DMA, compute meanwhile, wait, then Z is readable."""
        self.emit(vx.LiOp(symbol="Z", rd=R(10)))
        self.emit(vx.LiOp(symbol="X", imm=4 * self.vlen, rd=R(11)))
        self.emit(vx.LiOp(4 * self.vlen, rd=R(12)))
        self.emit(vx.DmaOp(self.cur["r10"], self.cur["r11"], self.cur["r12"]))
        self.straight(n)
        self.emit(vx.DmawaitOp(0))
        self.z_ready = True

    def hw_loop(self, n: int, depth: int) -> None:
        """A `vx.loop` carrying every pool register and the X pointer r7."""
        carried = [*VREGS, *SREGS, "r7"]
        inits = [self.cur[r] for r in carried]
        loop = vx.LoopOp(T if depth == 1 else 2, inits)
        outer_ops, self.ops = self.ops, []
        for reg, arg in zip(carried, loop.body.block.args, strict=True):
            self.cur[reg] = arg
        split = int(self.rng.integers(n + 1))
        self.straight(split, "r7")
        if depth < 2 and self.rng.random() < 0.5:
            self.hw_loop(max(4, n // 2), depth + 1)
        self.emit(vx.AddiOp(self.cur["r7"], self.vlen, rd=R(7)))
        self.straight(n - split, "r7")
        body = self.ops
        body.append(vx.YieldOp(*(self.cur[r] for r in carried)))
        loop.body.block.add_ops(body)
        self.ops = outer_ops
        self.ops.append(loop)
        for reg, res in zip(carried, loop.res, strict=True):
            self.cur[reg] = res

    def branch_loop(self, n: int) -> None:
        """A countdown loop closed by `bne` (a label, a body, a branch back)."""
        label = f"again{self.labels}"
        self.labels += 1
        self.emit(vx.LiOp(T, rd=R(8)))
        self.emit(vx.LiOp(0, rd=R(9)))
        self.ops.append(vx.LabelOp(label))
        self.straight(n)
        self.emit(vx.AddiOp(self.cur["r8"], -1, rd=R(8)))
        self.emit(vx.BneOp(self.cur["r8"], self.cur["r9"], label))

    def program(self, shape: str, n: int) -> ModuleOp:
        vlen = self.vlen
        self.emit(vx.LiOp(symbol="X", rd=R(1)))
        self.emit(vx.LiOp(symbol="Y", rd=R(2)))
        self.emit(vx.LiOp(symbol="X", imm=8 * vlen, rd=R(7)))
        for i, reg in enumerate(VREGS):
            self.emit(vx.VldOp(self.cur["r1"], i * vlen, vd=V(int(reg[1:]))))
        for reg in SREGS:
            self.emit(vx.LiOp(int(self.rng.integers(-1000, 1000)), rd=R(int(reg[1:]))))
        if shape == "straight":
            self.straight(n // 2)
            self.dma_block(n // 4)
            self.straight(n // 4)
        elif shape == "loop":
            self.straight(n // 4)
            self.hw_loop(n // 2, 1)
            self.straight(n // 4)
        else:
            self.straight(n // 4)
            self.branch_loop(n // 2)
            self.straight(n // 4)
        # make every register observable: store them all after the scratch slots
        out = Y_SLOTS * vlen
        for i, reg in enumerate(VREGS):
            self.emit(vx.VstOp(self.cur[reg], self.cur["r2"], out + i * vlen))
        for i, reg in enumerate(SREGS):
            self.emit(vx.StOp(self.cur[reg], self.cur["r2"], out + len(VREGS) * vlen + 4 * i))
        self.emit(vx.HaltOp())
        y_bytes = (Y_SLOTS + len(VREGS) + 1) * vlen
        f32 = Float32Type()
        return ModuleOp([
            vx.DataOp("X", "vtcm", X_SLOTS * vlen),
            vx.DataOp("Y", "vtcm", y_bytes),
            vx.DataOp("Z", "vtcm", 4 * vlen),
            vx.IoOp("input", "X", TensorType(f32, [X_SLOTS * vlen // 4])),
            vx.IoOp("output", "Y", TensorType(f32, [y_bytes // 4])),
            vx.FuncOp("main", self.ops),
        ])


def build(seed: int, target: str, shape: str, n: int = 48) -> ModuleOp:
    module = _Gen(seed, target).program(shape, n)
    module.attributes[vx.TARGET_ATTR] = StringAttr(target)
    module.verify()
    return module


def schedule(module: ModuleOp, target: str = "") -> ModuleOp:
    VxSchedulePass(target=target).apply(Context(), module)
    module.verify()  # every packet passes the packet verifier (slots, resources, writes)
    return module


def loose_instructions(module: ModuleOp) -> list[Operation]:
    return [op for op in module.walk() if isinstance(op, vx.VxInstruction)
            and not isinstance(op.parent_op(), vx.PacketOp)]


def run(module: ModuleOp, target: str, x: np.ndarray) -> tuple[np.ndarray, SimStats]:
    prog = assemble(vx.emit_assembly(module), target)
    outs, stats = run_program(prog, target, {"X": x})
    return outs["Y"].view(np.int32), stats


@pytest.mark.parametrize("target", ["vx128", "vx64"])
@pytest.mark.parametrize("shape", ["straight", "loop", "branch"])
@pytest.mark.parametrize("seed", range(4))
def test_random_programs_same_outputs_fewer_cycles(target: str, shape: str, seed: int) -> None:
    module = build(seed, target, shape)
    x = np.random.default_rng(100 + seed).uniform(-2, 2, X_SLOTS * load_target(target).vlen_bytes
                                                  // 4).astype(np.float32)
    want, plain = run(module, target, x)
    scheduled = schedule(module.clone())
    assert loose_instructions(scheduled) == []
    got, fast = run(scheduled, target, x)
    np.testing.assert_array_equal(got, want)
    assert fast.cycles < plain.cycles, (fast.cycles, plain.cycles)
    assert fast.packets < plain.packets


def test_target_option_sets_the_module_target() -> None:
    module = build(0, "vx64", "straight")
    del module.attributes[vx.TARGET_ATTR]
    schedule(module, "vx64")
    assert module.attributes[vx.TARGET_ATTR] == StringAttr("vx64")
    assert max(len(p.instructions) for p in module.walk() if isinstance(p, vx.PacketOp)) <= 2


def test_target_mismatch_is_an_error() -> None:
    from xdsl.utils.exceptions import DiagnosticException

    module = build(0, "vx128", "straight")
    with pytest.raises(DiagnosticException, match="expected @main to be for target 'vx64'"):
        schedule(module, "vx64")


def test_idempotent() -> None:
    module = schedule(build(1, "vx128", "loop"))
    text = str(module)
    assert str(schedule(module)) == text


def test_virtual_registers_are_scheduled_by_ssa() -> None:
    # before register allocation: independent values on virtual registers pack together
    p = vx.LiOp(0)
    loads = [vx.VldOp(p, 128 * i) for i in range(4)]
    add = vx.VaddF32Op(loads[0], loads[1])
    mul = vx.VmulF32Op(loads[2], loads[3])
    ops: list[vx.VxInstruction] = [p, *loads, add, mul]
    packets = schedule_block(ops, MachineModel.of(load_target("vx128")))
    # the vmul chain (vld 2 + vmpy 2) is longer than the vadd one: its loads go first
    assert packets == [[0], [3, 4], [1, 2], [6], [5]]


def test_speed_thousands_of_ops() -> None:
    # ResNet-50 sized blocks: near-linear, well under a second per few thousand ops
    target = load_target("vx128")
    model = MachineModel.of(target)
    rng = np.random.default_rng(0)
    block = Block()
    base = vx.LiOp(0, rd=R(1))
    block.add_op(base)
    cur: dict[int, SSAValue] = {}
    for i in range(32):
        op = vx.VldOp(base, 128 * i, vd=V(i))
        block.add_op(op)
        cur[i] = op.vd
    n = 6000
    for _ in range(n):
        d, a, b = (int(k) for k in rng.integers(32, size=3))
        op = vx.VfmaF32Op(cur[d], cur[a], cur[b]) if rng.random() < 0.5 else \
            vx.VaddF32Op(cur[a], cur[b], vd=V(d))
        block.add_op(op)
        cur[d] = op.results[0]
    ops = [op for op in block.ops if isinstance(op, vx.VxInstruction)]
    start = time.perf_counter()
    packets = schedule_block(ops, model)
    elapsed = time.perf_counter() - start
    assert sum(len(p) for p in packets) == len(ops)
    assert elapsed < 5.0, elapsed


def test_after_expand_math_and_register_allocation() -> None:
    # the pipeline order: virtual registers -> vx-expand-math -> vx-allocate-registers ->
    # vx-schedule; four independent exp/sigmoid expansions leave room to bundle
    from vexa.passes.vx_allocate_registers import VxAllocateRegistersPass
    from vexa.passes.vx_expand_math import VxExpandMathPass

    vlen, n = 128, 4
    p, q = vx.LiOp(symbol="X"), vx.LiOp(symbol="Y")
    ops: list[Operation] = [p, q]
    for k in range(n):
        v = vx.VldOp(p, k * vlen)
        f = (vx.ExpF32Op if k % 2 else vx.SigmoidF32Op)(v)
        ops += [v, f, vx.VstOp(f, q, k * vlen)]
    ops.append(vx.HaltOp())
    f32 = Float32Type()
    module = ModuleOp([
        vx.DataOp("X", "vtcm", n * vlen), vx.DataOp("Y", "vtcm", n * vlen),
        vx.IoOp("input", "X", TensorType(f32, [n * vlen // 4])),
        vx.IoOp("output", "Y", TensorType(f32, [n * vlen // 4])),
        vx.FuncOp("main", ops),
    ])
    VxExpandMathPass().apply(Context(), module)
    VxAllocateRegistersPass().apply(Context(), module)
    module.verify()
    x = np.random.default_rng(0).uniform(-10, 10, n * vlen // 4).astype(np.float32)
    want, plain = run(module, "vx128", x)
    got, fast = run(schedule(module.clone()), "vx128", x)
    np.testing.assert_array_equal(got, want)
    assert fast.cycles < plain.cycles


def test_new_packet_matches_create() -> None:
    """`new_packet` builds packets field by field for speed: it must give what
    `PacketOp.create` gives (same instance fields, links, parents), so that an xDSL
    upgrade adding a field fails here rather than somewhere downstream."""
    from vexa.passes.vx_schedule import new_packet
    from xdsl.ir import Region

    a, b = vx.LiOp(1, rd=R(1)), vx.LiOp(2, rd=R(2))
    made = new_packet([a, b], [a.rd], a.location)
    a2, b2 = vx.LiOp(1, rd=R(1)), vx.LiOp(2, rd=R(2))
    ref = vx.PacketOp.create(regions=[Region(Block([a2, b2, vx.YieldOp.create(
        operands=[a2.rd])]))], location=a2.location)
    made_yield, ref_yield = made.body.block.last_op, ref.body.block.last_op
    assert made_yield is not None and ref_yield is not None
    for x, y in ((made, ref), (made.body, ref.body), (made.body.block, ref.body.block),
                 (made_yield, ref_yield)):
        # the links may be instance fields or the class defaults (None): checked below
        links = {"_next_op", "_prev_op"}
        assert sorted(set(vars(x)) - links) == sorted(set(vars(y)) - links), type(x)
    assert list(made.body.block.ops)[:2] == [a, b]
    assert list(reversed(made.body.block.ops))[1:] == [b, a]
    assert a.parent_op() is made and made.body.block.parent_op() is made
    assert [u.operation for u in a.rd.uses] == [made_yield]
    assert made_yield.location == ref_yield.location
    # without yielded values (the pass gives the packet its results afterwards)
    c, d = vx.LiOp(1, rd=R(1)), vx.LiOp(2, rd=R(2))
    c2, d2 = vx.LiOp(1, rd=R(1)), vx.LiOp(2, rd=R(2))
    module = ModuleOp([vx.FuncOp("main", [new_packet([c, d], [], c.location)])])
    module.verify()
    ref = vx.PacketOp.create(regions=[Region(Block([c2, d2, vx.YieldOp.create()]))],
                             location=c2.location)
    assert str(module) == str(ModuleOp([vx.FuncOp("main", [ref])]))


def test_pointer_step_folds_into_stores_and_loads() -> None:
    """A loop body storing off a pointer it steps, on both sides of the step: the steps
    go to the first packet, the store written before the step moves after it with its
    offset fixed up, and the outputs agree bit for bit with the unscheduled program."""
    target, vlen = "vx128", 128
    ops: list[Operation] = [vx.LiOp(symbol="X", rd=R(1)), vx.LiOp(symbol="Y", rd=R(2))]
    loop = vx.LoopOp(4, [ops[0].results[0], ops[1].results[0]])
    x, y = loop.body.block.args
    a = vx.VldOp(x, 0, vd=V(0))
    b = vx.VldOp(x, vlen, vd=V(1))
    s = vx.VaddF32Op(a.results[0], b.results[0], vd=V(2))
    st0 = vx.VstOp(s.results[0], y, 0)
    ny = vx.AddiOp(y, 2 * vlen, rd=R(2))
    st1 = vx.VstOp(a.results[0], ny.results[0], -vlen)
    nx = vx.AddiOp(x, 2 * vlen, rd=R(1))
    loop.body.block.add_ops([a, b, s, st0, ny, st1, nx, vx.YieldOp(nx.results[0], ny.results[0])])
    ops += [loop, vx.HaltOp()]
    f32 = Float32Type()
    module = ModuleOp([
        vx.DataOp("X", "vtcm", 8 * vlen), vx.DataOp("Y", "vtcm", 8 * vlen),
        vx.IoOp("input", "X", TensorType(f32, [8 * vlen // 4])),
        vx.IoOp("output", "Y", TensorType(f32, [8 * vlen // 4])),
        vx.FuncOp("main", ops)])
    module.attributes[vx.TARGET_ATTR] = StringAttr(target)
    data = np.random.default_rng(0).uniform(-2, 2, 8 * vlen // 4).astype(np.float32)
    want, _ = run(module, target, data)
    scheduled = schedule(module.clone())
    asm = vx.emit_assembly(scheduled)
    got, _ = run(scheduled, target, data)
    np.testing.assert_array_equal(got, want)
    assert "{ vld v0, r1, 0 ; vld v1, r1, 128 ; addi r2, r2, 256 ; addi r1, r1, 256 }" in asm
    assert "vst v2, r2, -256" in asm, asm  # written as `vst v2, r2, 0` before the step
