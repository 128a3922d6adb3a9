"""vx-allocate-registers preserves semantics: random programs on virtual registers are
interpreted in SSA form (numpy, before allocation), then allocated, emitted, assembled and run
on the simulator; the outputs must be bit-identical, including when the pass spills."""

from __future__ import annotations

import random
import time
from typing import Any

import numpy as np
import pytest
from xdsl.context import Context
from xdsl.dialects.builtin import Float32Type, IntegerType, ModuleOp, StringAttr, TensorType
from xdsl.ir import Block, Operation, SSAValue
from xdsl.utils.exceptions import DiagnosticException

from vexa.dialects import vx
from vexa.passes.vx_allocate_registers import VxAllocateRegistersPass
from vexa.runtime.assembler import assemble
from vexa.runtime.machine import run_program
from vexa.runtime.target import load_target

F32_OPS = {
    vx.VaddF32Op: np.add, vx.VsubF32Op: np.subtract, vx.VmulF32Op: np.multiply,
    vx.VmaxF32Op: np.maximum, vx.VminF32Op: np.minimum,
}
S_OPS = {vx.AddOp: lambda a, b: a + b, vx.XorOp: lambda a, b: a ^ b,
         vx.MulOp: lambda a, b: a * b}


# --- a tiny SSA interpreter of the virtual-register IR (the expectation) -------------------


def _interpret(block: Block, env: dict[SSAValue, Any], mem: dict[str, np.ndarray]) -> None:
    for op in block.ops:
        if isinstance(op, vx.LiOp):
            env[op.rd] = ((op.symbol.root_reference.data, op.imm.value.data)
                          if op.symbol is not None else op.imm.value.data & 0xFFFFFFFF)
        elif isinstance(op, vx.AddiOp):
            base = env[op.ra]
            env[op.rd] = (base[0], base[1] + op.imm.value.data) if isinstance(base, tuple) \
                else (base + op.imm.value.data) & 0xFFFFFFFF
        elif type(op) in S_OPS:
            env[op.results[0]] = S_OPS[type(op)](env[op.operands[0]], env[op.operands[1]]) \
                & 0xFFFFFFFF
        elif isinstance(op, vx.MovOp | vx.VmovOp):
            env[op.results[0]] = env[op.operands[0]]
        elif isinstance(op, vx.VldOp):
            sym, off = env[op.ra]
            off += op.imm.value.data
            env[op.vd] = mem[sym][off // 4: off // 4 + mem["__lanes"].size].view(np.float32).copy()
        elif isinstance(op, vx.VstOp):
            sym, off = env[op.ra]
            off += op.imm.value.data
            mem[sym][off // 4: off // 4 + mem["__lanes"].size] = env[op.vs].view(np.uint32)
        elif isinstance(op, vx.StOp):
            sym, off = env[op.ra]
            off += op.imm.value.data
            mem[sym][off // 4] = env[op.rs]
        elif isinstance(op, vx.VsplatiOp):
            bits = op.imm.value.data & 0xFFFFFFFF
            env[op.vd] = np.full(mem["__lanes"].size, bits, np.uint32).view(np.float32)
        elif isinstance(op, vx.VsplatOp):
            env[op.vd] = np.full(mem["__lanes"].size, env[op.rs], np.uint32).view(np.float32)
        elif type(op) in F32_OPS:
            env[op.results[0]] = F32_OPS[type(op)](env[op.operands[0]], env[op.operands[1]])
        elif isinstance(op, vx.VfmaF32Op):
            env[op.vd] = env[op.acc] + env[op.va] * env[op.vb]
        elif isinstance(op, vx.LoopOp):
            carried = [env[v] for v in op.iter_args]
            trips = op.count.value.data if op.count is not None else env[op.count_reg]
            for _ in range(trips):
                for arg, value in zip(op.body.block.args, carried):
                    env[arg] = value
                _interpret(op.body.block, env, mem)
                yielded = op.body.block.last_op
                assert yielded is not None
                carried = [env[v] for v in yielded.operands]
            for res, value in zip(op.res, carried):
                env[res] = value
        elif isinstance(op, vx.PacketOp):
            # SSA form: no value is read in the packet that writes it, so in order is exact
            _interpret(op.body.block, env, mem)
            yielded = op.body.block.last_op
            assert yielded is not None
            for res, value in zip(op.res, yielded.operands):
                env[res] = env[value]
        elif isinstance(op, vx.YieldOp | vx.HaltOp):
            pass
        else:
            raise AssertionError(f"interpreter: unexpected {op.name}")


# --- random program generators -------------------------------------------------------------


class _Builder:
    def __init__(self, target: str, seed: int, n_in: int, n_out: int):
        self.t = load_target(target)
        self.target = target
        self.rng = random.Random(seed)
        self.lanes = self.t.vlen_bytes // 4
        self.n_in, self.n_out = n_in, n_out
        self.ops: list[Operation] = []
        self.pa = self.emit(vx.LiOp(0, symbol="A"))
        self.pc = self.emit(vx.LiOp(0, symbol="C"))
        self.stores = 0

    def emit(self, op: Operation) -> SSAValue:
        self.ops.append(op)
        return op.results[0] if op.results else None  # type: ignore[return-value]

    def store(self, v: SSAValue) -> None:
        assert self.stores < self.n_out
        self.emit(vx.VstOp(v, self.pc, self.stores * self.t.vlen_bytes))
        self.stores += 1

    def binop(self, a: SSAValue, b: SSAValue, ops: list[Operation] | None = None) -> SSAValue:
        kind = self.rng.choice([vx.VaddF32Op, vx.VsubF32Op, vx.VmaxF32Op, vx.VminF32Op,
                                vx.VmulF32Op])
        op = kind(a, b)
        (self.ops if ops is None else ops).append(op)
        return op.results[0]

    def module(self, out_type: Any = None) -> ModuleOp:
        self.ops.append(vx.HaltOp())
        vlen = self.t.vlen_bytes
        out_t = out_type or TensorType(Float32Type(), [self.n_out * self.lanes])
        return ModuleOp([
            vx.DataOp("A", "dram", self.n_in * vlen),
            vx.DataOp("C", "dram", self.n_out * vlen),
            vx.IoOp("input", "A", TensorType(Float32Type(), [self.n_in * self.lanes])),
            vx.IoOp("output", "C", out_t),
            vx.FuncOp("main", self.ops),
        ])


def straight_line(target: str, seed: int, live: int, packets: bool = False) -> ModuleOp:
    """`live` loaded vectors combined by random ops; all stay live to the final stores.
    With `packets`, every other load issues in a packet with a splat that also joins."""
    b = _Builder(target, seed, n_in=live, n_out=live + 1)
    pool: list[SSAValue] = []
    for i in range(live):
        if packets and i % 2 == 0 and i + 1 < live:
            load, splat = vx.VldOp(b.pa, i * b.t.vlen_bytes), vx.VsplatiOp.f32(0.25 * i)
            packet = vx.PacketOp([load, splat], [load.vd, splat.vd])
            b.ops.append(packet)
            pool += packet.res
        elif not packets or i % 2 == 0:
            pool.append(b.emit(vx.VldOp(b.pa, i * b.t.vlen_bytes)))
    acc = b.emit(vx.VsplatiOp.f32(0.5))
    for _ in range(3 * live):
        x, y = b.rng.choice(pool), b.rng.choice(pool)
        if b.rng.random() < 0.3:
            acc = b.emit(vx.VfmaF32Op(acc, x, y))
        else:
            acc = b.binop(acc, b.binop(x, y))
    for v in pool:  # keeps everything live: pressure = live
        b.store(v)
    b.store(acc)
    return b.module()


def loop_program(target: str, seed: int, invariants: int, trips: int = 5) -> ModuleOp:
    """A hardware loop carrying a pointer and accumulators (one pair swapped every trip,
    one passed through), using `invariants` vectors defined before it (half of them also
    used after it)."""
    b = _Builder(target, seed, n_in=invariants + 2 * trips, n_out=invariants + 4)
    vlen = b.t.vlen_bytes
    ws = [b.emit(vx.VldOp(b.pa, i * vlen)) for i in range(invariants)]
    p0 = b.emit(vx.AddiOp(b.pa, invariants * vlen))
    inits = [p0, b.emit(vx.VsplatiOp.f32(1.0)), b.emit(vx.VsplatiOp.f32(-0.25)), ws[0]]
    body = Block(arg_types=[v.type for v in inits])
    p, a0, a1, keep = body.args
    ops: list[Operation] = []
    x = vx.VldOp(p, 0)
    y = vx.VldOp(p, vlen)
    ops += [x, y]
    t = vx.VfmaF32Op(a0, x.vd, b.rng.choice(ws))
    ops.append(t)
    u = b.binop(a1, y.vd, ops)
    for w in ws[1:]:
        u = b.binop(u, w, ops)
    nxt = vx.AddiOp(p, 2 * vlen)
    ops.append(nxt)
    ops.append(vx.YieldOp(nxt.rd, u, t.vd, keep))  # accumulators swap slots every trip
    body.add_ops(ops)
    loop = vx.LoopOp(trips, inits, body)
    b.ops.append(loop)
    for w in ws[: invariants // 2]:  # the others die in the loop: live over the back edge
        b.store(w)
    for r in loop.res[1:]:
        b.store(r)
    b.store(b.binop(inits[1], loop.res[1]))  # an init still live after the loop: copy
    return b.module()


def nested_loops(target: str, seed: int, outer: int = 3, inner: int = 4) -> ModuleOp:
    """A pointer carried through two nested loops (the inner count from a register) and an
    accumulator passed from the outer loop into the inner one, as tile loops lower."""
    b = _Builder(target, seed, n_in=outer * inner + 1, n_out=2)
    vlen = b.t.vlen_bytes
    w = b.emit(vx.VldOp(b.pa, outer * inner * vlen))
    n = b.emit(vx.LiOp(inner))
    acc0 = b.emit(vx.VsplatiOp.f32(0.0))
    outer_body = Block(arg_types=[b.pa.type, acc0.type])
    pa, acc = outer_body.args
    inner_body = Block(arg_types=[pa.type, acc.type])
    q, acc2 = inner_body.args
    x = vx.VldOp(q, 0)
    f = vx.VfmaF32Op(acc2, x.vd, w)
    q2 = vx.AddiOp(q, vlen)
    inner_body.add_ops([x, f, q2, vx.YieldOp(q2.rd, f.vd)])
    inner_loop = vx.LoopOp(n, [pa, acc], inner_body)
    pa2 = vx.AddiOp(pa, inner * vlen)  # pa is still live after the inner loop: a copy
    m = b.binop(inner_loop.res[1], w, [])
    outer_body.add_ops([inner_loop, pa2, m.owner, vx.YieldOp(pa2.rd, m)])  # type: ignore[list-item]
    loop = vx.LoopOp(outer, [b.pa, acc0], outer_body)
    b.ops.append(loop)
    b.store(loop.res[1])
    b.store(w)
    return b.module()


def scalar_program(target: str, seed: int, live: int) -> ModuleOp:
    """`live` scalars live at once (more than the 32 r registers: scalar spills)."""
    b = _Builder(target, seed, n_in=1, n_out=1)
    vals = [b.emit(vx.LiOp(b.rng.randrange(-1000, 1000))) for _ in range(live)]
    acc = vals[0]
    for v in vals[1:]:
        acc = b.emit(b.rng.choice([vx.AddOp, vx.XorOp, vx.MulOp])(acc, v))
    for i, v in enumerate(vals[: b.lanes - 1]):
        b.emit(vx.StOp(v, b.pc, 4 * i))
    b.emit(vx.StOp(acc, b.pc, 4 * (b.lanes - 1)))
    b.stores = 1
    return b.module(TensorType(IntegerType(32), [b.lanes]))


# --- the check -----------------------------------------------------------------------------


def _expected(module: ModuleOp, a: np.ndarray, lanes: int) -> np.ndarray:
    func = next(op for op in module.walk() if isinstance(op, vx.FuncOp))
    sizes = {op.sym_name.data: op.size.value.data for op in module.walk()
             if isinstance(op, vx.DataOp)}
    mem = {"A": a.view(np.uint32).copy(), "C": np.zeros(sizes["C"] // 4, np.uint32),
           "__lanes": np.zeros(lanes)}
    _interpret(func.body.block, {}, mem)
    return mem["C"]


def _check(module: ModuleOp, target: str, seed: int) -> ModuleOp:
    t = load_target(target)
    lanes = t.vlen_bytes // 4
    n_in = next(op for op in module.walk() if isinstance(op, vx.DataOp)).size.value.data // 4
    a = np.random.default_rng(seed).uniform(-2, 2, n_in).astype(np.float32)
    expected = _expected(module, a, lanes)
    VxAllocateRegistersPass(target=target).apply(Context(), module)
    module.verify()
    for op in module.walk():
        for v in (*op.results, *(x for r in op.regions for blk in r.blocks for x in blk.args)):
            if isinstance(v.type, vx.VxRegisterType):
                assert v.type.is_allocated, f"{op.name} left unallocated"
    program = assemble(vx.emit_assembly(module, target), t)
    out, _ = run_program(program, t, {"A": a}, engine="fast", timing=False)
    got = out["C"].reshape(-1).view(np.uint32)
    np.testing.assert_array_equal(got, expected)
    return module


def _spills(module: ModuleOp) -> int:
    func = next(op for op in module.walk() if isinstance(op, vx.FuncOp))
    return func.attributes["vx.spills"].value.data  # type: ignore[attr-defined]


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("target,live", [("vx128", 12), ("vx64", 12), ("vx64", 24)])
def test_straight_line(target: str, live: int, seed: int) -> None:
    module = _check(straight_line(target, seed, live), target, seed)
    regs = load_target(target).vregs
    if live + 1 > regs:
        assert _spills(module) > 0
    else:
        assert _spills(module) == 0


@pytest.mark.parametrize("seed", range(2))
@pytest.mark.parametrize("target,live", [("vx128", 12), ("vx64", 24)])
def test_packets(target: str, live: int, seed: int) -> None:
    """Packets are allocated too (reads before writes); spills go around them."""
    module = _check(straight_line(target, seed, live, packets=True), target, seed)
    assert any(isinstance(op, vx.PacketOp) for op in module.walk())
    assert (_spills(module) > 0) == (live > 12)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("target,invariants", [("vx128", 6), ("vx64", 6), ("vx64", 20)])
def test_loop(target: str, invariants: int, seed: int) -> None:
    module = _check(loop_program(target, seed, invariants), target, seed)
    loop = next(op for op in module.walk() if isinstance(op, vx.LoopOp))
    yielded = loop.body.block.last_op.operands  # type: ignore[union-attr]
    for arg, init, y, res in zip(loop.body.block.args, loop.iter_args, yielded, loop.res):
        assert arg.type == init.type == y.type == res.type
    assert (_spills(module) > 0) == (invariants > 14)
    if invariants == 20:
        # 20 invariants + 3 carried vectors + temporaries on 16 registers: about 8 must
        # live in memory during the loop; no more are reloaded per trip
        reloads = [op for op in loop.walk() if isinstance(op, vx.VldOp)
                   and op.ra.type == vx.ScalarRegisterType.from_index(31)]
        assert len(reloads) <= 9


@pytest.mark.parametrize("seed", range(2))
@pytest.mark.parametrize("target", ["vx128", "vx64"])
def test_nested_loops(target: str, seed: int) -> None:
    module = _check(nested_loops(target, seed), target, seed)
    assert _spills(module) == 0


@pytest.mark.parametrize("n", [2, 3, 5])
def test_rotated_carried_values(n: int) -> None:
    """Carried values rotating slots every trip: a parallel copy through one temporary."""
    b = _Builder("vx64", n, n_in=n, n_out=n)
    inits = [b.emit(vx.VldOp(b.pa, i * b.t.vlen_bytes)) for i in range(n)]
    body = Block(arg_types=[v.type for v in inits])
    args = list(body.args)
    bump = vx.VaddF32Op(args[0], args[0])  # slot 0 doubles, then everything rotates
    body.add_ops([bump, vx.YieldOp(*args[1:], bump.vd)])
    loop = vx.LoopOp(n + 1, inits, body)
    b.ops.append(loop)
    for r in loop.res:
        b.store(r)
    module = _check(b.module(), "vx64", n)
    moves = [op for op in module.walk() if isinstance(op, vx.VmovOp)]
    assert len(moves) <= n + 1


def test_allocated_program_is_left_alone() -> None:
    """A fully allocated (hand-written) function is not touched."""
    from io import StringIO

    from xdsl.printer import Printer

    module = nested_loops("vx128", 0)
    VxAllocateRegistersPass().apply(Context(), module)
    first = StringIO()
    Printer(first).print_op(module)
    VxAllocateRegistersPass().apply(Context(), module)
    again = StringIO()
    Printer(again).print_op(module)
    assert first.getvalue() == again.getvalue()


def test_scalar_spills() -> None:
    module = _check(scalar_program("vx128", 1, 40), "vx128", 1)
    assert _spills(module) > 0
    func = next(op for op in module.walk() if isinstance(op, vx.FuncOp))
    assert func.attributes["vx.spill_base"] == StringAttr("r31")
    assert any(isinstance(op, vx.StOp) for op in module.walk())


def test_predicate_overflow_is_a_located_error() -> None:
    ops: list[Operation] = [z := vx.VsplatiOp(0)]
    qs = [vx.VcmpgtF32Op(z.vd, z.vd) for _ in range(5)]
    ops += qs
    acc = qs[0].qd
    for q in qs[1:]:
        ops.append(o := vx.QandOp(acc, q.qd))
        acc = o.qd
    ops.append(vx.HaltOp())
    module = ModuleOp([vx.FuncOp("main", ops)])
    with pytest.raises(DiagnosticException, match="expected at most 4 live predicate"):
        VxAllocateRegistersPass().apply(Context(), module)


def test_near_linear_on_a_long_program() -> None:
    """Thousands of ops allocate in well under a second per thousand ops."""
    b = _Builder("vx64", 0, n_in=8, n_out=8)
    pool = [b.emit(vx.VldOp(b.pa, i * b.t.vlen_bytes)) for i in range(8)]
    acc = pool[0]
    for i in range(4000):
        acc = b.binop(acc, pool[i % 8])
    b.store(acc)
    module = b.module()
    start = time.perf_counter()
    VxAllocateRegistersPass().apply(Context(), module)
    assert time.perf_counter() - start < 8.0  # ~0.3 s on one idle core
