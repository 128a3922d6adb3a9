"""convert-tile-to-vx: planned tile IR (L2) -> vx instructions on virtual registers (L3).

    vexa-opt m.mlir -p 'convert-nn-to-tile,tile-plan-memory,convert-tile-to-vx{target=vx64}'

Input invariant: the output of `tile-plan-memory`: one `func.func @main` whose arguments
are DRAM buffers (inputs carry `nn.name`, outputs `tile.output`), `tile.constant` weights
(dense_resource bytes in the module's resource table), planned `tile.alloc` offsets, and
`tile.kernel`s of `tile.for` loops, DMA and tile compute ops.

Output IR: the same module holding `vx.data` symbols (one per program input/output named
after the ONNX tensor, one initialised symbol per weight, `@dram_arena` for planned DRAM
activations, `@vtcm_arena` for the kernels' VTCM buffers), `vx.io` declarations, and one
`vx.func @main` on virtual registers, ending in `vx.halt`. Math functions stay pseudo-ops
(`vx.exp.f32`, `vx.div.f32`, ...) for `vx-expand-math`; registers are allocated by
`vx-allocate-registers`, packets formed by `vx-schedule`. Every created op carries the
location of the tile op it comes from (the ONNX node), so cycles attribute per node.

How the pieces lower:

- Loops stay loops: the code never grows with the trip count. Index arithmetic, `scf.if`
  and `arith.select` of buffers are evaluated at compile time (bounds are static at this
  level) by a *dry run* of every iteration of a `tile.for`, which records what the code
  depends on (branches taken, DMA box plans, wait counts, each operand's alignment) and
  the address every DMA and compute op uses, without emitting anything. The longest run
  of iterations that repeats with a period (1 when possible) whose addresses are affine
  in the iteration, or alternate between two buffers (double buffering: carried as the
  current address and the signed distance to the other, `cur += d; d = -d`), is emitted
  once as a loop over the periods; one register is carried per symbol and step, other
  addresses are it plus a constant. The iterations before and after the run are emitted
  one by one. Two things keep a software-pipelined tile loop a single run: a prefetch
  guard (`scf.if` of DMAs only, see `_dma_guard`) that is false issues its transfers
  with zero bytes (in the loop body: sizes times a run-time flag), so the last tile is
  the same code and the `dmawait` counts still hold; and the signature records only that
  a wait is there, the body waiting with the smallest count of its iterations (safe: a
  smaller count only waits longer), so the first tile, with no earlier write-back to
  wait for, joins the loop. No prologue or epilogue copies of the kernel.
- Every loop (tile loops and the kernels' own) is a hardware `vx.loop` while the nest
  depth leaves room for the levels the loops inside it want (innermost loops first),
  else a branch loop (`vx.loop branch`: a counter and a `bne`, any depth); a loop of two
  iterations is unrolled.
- `tile.dma_start` -> `dma` (contiguous box) or `dmacfg` + `dma2` (2-D), outer box
  dimensions as loops (`DmaStartOp.plan()`), clipped to both buffers; `tile.dma_wait` ->
  `dmawait n` with n the transfers issued after the awaited ones (one engine: FIFO).
- `tile.matmul` -> an mr x nr register-blocked micro-kernel: per k step `mr` `vldbc`
  broadcasts of A, `nr` vector loads of a row of B, `mr*nr` `vfma.f32`; the k loop is a
  hardware loop; a partial last vector is stored under a `vsetq` predicate. With
  transpose_b (a Gemm's weights with transB = 1): a dot product per output, vector FMAs
  along k and a `vror` tree; with both transposes, broadcast FMAs per output.
- `tile.conv` -> the same register blocking, lanes along the output rows, subsampled
  rows or the flattened input plane (the cheapest by an instruction estimate; see
  `lower_conv`), weights broadcast, input-channel hardware loop, taps unrolled (a big
  window loops over its kernel rows), software-pipelined (the loads the first FMAs of a
  channel need come from the channel before: `_carried`). Strided and narrow outputs go
  through a VTCM scratch past the kernel's planned buffers (a located error if the plan
  leaves no room) and scalar copies, once per output element.
- `tile.map` -> a vector loop over the collapsed inner dimension with a predicated tail;
  `tile.fill` likewise; `tile.reduce` -> vector accumulation plus a `vror` tree for the
  horizontal step (over non-adjacent dims: a loop per reduced segment); `tile.pool` ->
  unrolled windows on vectors along the last dim;
  `tile.transpose` -> scalar word copies (the machine has no gather).
- Anything else (a map op without a vx counterpart, a reduce or pool kind other than
  add/max/mul/sum, a buffer element type other than f32)
  fails the pass with a located diagnostic naming the op.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from xdsl.context import Context
from xdsl.dialects import arith, func, scf
from xdsl.dialects import math as mathd
from xdsl.dialects.builtin import (
    FloatAttr,
    IntegerAttr,
    MemRefType,
    ModuleOp,
    StringAttr,
    TensorType,
    f32,
    i1,
    i32,
)
from xdsl.ir import Attribute, Block, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import DiagnosticException

from vexa.dialects import tile, vx
from vexa.runtime.target import Target, load_target

# --------------------------------------------------------------------------- helpers


class _Unsupported(Exception):
    """Raised inside the lowering; turned into a located diagnostic by the pass."""

    def __init__(self, op: Operation, message: str) -> None:
        super().__init__(message)
        self.op = op


def _error(op: Operation, message: str) -> DiagnosticException:
    return DiagnosticException(f"{op.location}: error: {message}")


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_.$]*")
_REGISTER = re.compile(r"[rvq][0-9]+")


def _symbol(name: str, taken: set[str]) -> str:
    """An assembler-safe, unique symbol for an ONNX tensor or resource name."""
    base = name if _IDENT.fullmatch(name) else re.sub(r"[^A-Za-z0-9_]", "_", name)
    if not base or not (base[0].isalpha() or base[0] == "_") or _REGISTER.fullmatch(base):
        base = "t_" + base  # "r2" would read as a register in the assembly
    sym, k = base, 1
    while sym in taken:
        k += 1
        sym = f"{base}_{k}"
    taken.add(sym)
    return sym


@dataclass(frozen=True)
class Buf:
    """A planned buffer: `symbol + offset` bytes, row-major `shape` of 4-byte elements.

    Inside a loop over tile iterations (`_loop_periodic`) a buffer's address changes from
    one iteration to the next: `reg` then holds it at run time, while `off` is the offset
    of the first traced iteration (all iterations of the loop agree on `off % vlen`, so
    alignment decisions made from `off` hold for every one)."""

    sym: str
    off: int
    shape: tuple[int, ...]
    reg: SSAValue | None = field(default=None, compare=False)

    def strides(self) -> tuple[int, ...]:
        """Byte strides per dimension."""
        out, n = [], 4
        for d in reversed(self.shape):
            out.append(n)
            n *= d
        return tuple(reversed(out))

    @property
    def numel(self) -> int:
        return math.prod(self.shape)


def _collapse(out: Sequence[int], ins: Sequence[Sequence[int]]) -> tuple[list[int], list[list[int]]]:
    """Merge adjacent dims where every operand is either full in both or 1 in both."""
    dims = [i for i, d in enumerate(out) if d != 1] or [len(out) - 1]
    o: list[int] = []
    ii: list[list[int]] = [[] for _ in ins]
    prev_kind: tuple[bool, ...] | None = None
    for d in dims:
        kind = tuple(s[d] == out[d] for s in ins)
        if prev_kind == kind and o:
            o[-1] *= out[d]
            for k, s in enumerate(ins):
                ii[k][-1] *= s[d]
        else:
            o.append(out[d])
            for k, s in enumerate(ins):
                ii[k].append(s[d])
        prev_kind = kind
    return o, ii


def _flat_strides(shape: Sequence[int], full: Sequence[int]) -> list[int]:
    """Byte strides of a (collapsed) broadcast operand: 0 along its size-1 dims."""
    st, n = [], 4
    for d, f in zip(reversed(shape), reversed(full), strict=True):
        st.append(n if d == f and d != 1 else 0)
        n *= d
    return list(reversed(st))


# --------------------------------------------------------------------------- the lowering


@dataclass
class _Trace:
    """What a dry run of one loop iteration decided: the addresses its DMA and compute ops
    use, in the order the real emission asks for them, and a signature of everything else
    the emitted code depends on (branches taken, DMA box plans, wait counts, alignment)."""

    addrs: list[tuple[str, int]] = field(default_factory=list)
    sig: list[Any] = field(default_factory=list)
    # `dmawait` counts in order (inf: the tokens were ready, no wait needed); the signature
    # holds only that a wait is there, so iterations differing in counts can share a loop
    # body that waits with the smallest count (always safe: it only waits longer)
    waits: list[float] = field(default_factory=list)
    # the `scf.if` DMA guards run although their condition is false (see `_dma_guard`)
    forced: list[int] = field(default_factory=list)


_COMPUTE = (tile.FillOp, tile.MatmulOp, tile.MapOp, tile.ConvOp, tile.PoolOp,
            tile.TransposeOp, tile.ReduceOp)


def _compute_operands(op: Operation) -> list[SSAValue]:
    """The buffer operands of a tile compute op, in operand order."""
    return [v for v in op.operands if isinstance(v.type, MemRefType)]


class _Lowerer:
    """Walks the tile function once, emitting vx ops into `self.block`."""

    def __init__(self, target: Target, syms: dict[SSAValue, Buf]) -> None:
        self.t = target
        self.lanes = target.vlen_bytes // 4
        self.vlen = target.vlen_bytes
        self.env: dict[SSAValue, Any] = dict(syms)
        self.block = Block()
        self.loc: Attribute | None = None
        self.depth = 0
        self.loop_level = 0  # tile.for nesting (DMA guards are predicated inside loops)
        self.dma_seq = 0  # transfers issued so far (for dmawait counts)
        self.scratch = 0  # end of @vtcm_arena including phase-split scratch, in bytes
        self.kernel_vtcm = 0  # the current tile.kernel's planned VTCM bytes
        self.vtcm_plan = 0  # the end of every planned VTCM buffer (scratch excluded)
        self.op: Operation | None = None  # the tile op being lowered (for diagnostics)
        self.trace: _Trace | None = None  # dry run of a loop iteration: record, emit nothing
        self.provide: list[Any] | None = None  # loop mode: address registers
        self.waits: list[float] | None = None  # loop mode: the dmawait counts to emit
        # DMAs in a guard (`_dma_guard`): None (plain), "zero" (a false guard: zero-byte
        # transfers, kept so the wait counts hold) or the register of a run-time 0/1 flag
        # the sizes are multiplied by
        self.dma_pred: Any = None
        self.pred_ids: frozenset[int] = frozenset()  # guards predicated in a loop body
        self.pred_flag: SSAValue | None = None

    # ------------------------------------------------------------------ emission basics

    def emit(self, op: Operation) -> Operation:
        if self.loc is not None:
            op.location = self.loc  # type: ignore[assignment]
        self.block.add_op(op)
        return op

    def r(self, op: Operation) -> SSAValue:
        return self.emit(op).results[0]

    def li(self, imm: int) -> SSAValue:
        return self.r(vx.LiOp(imm))

    def addr(self, buf: Buf, extra: int = 0) -> SSAValue:
        """A register holding the address of `buf` + `extra` bytes."""
        if self.provide is not None:
            item = self.provide.pop(0)  # holds buf.off + extra already (see the trace)
            if isinstance(item, tuple):  # loop-invariant address: rematerialised
                return self.r(vx.LiOp(item[1], symbol=item[0]))
            return item() if callable(item) else item
        if buf.reg is not None:
            return buf.reg if extra == 0 else self.r(vx.AddiOp(buf.reg, extra))
        return self.r(vx.LiOp(buf.off + extra, symbol=buf.sym))

    def repeat(
        self,
        count: int,
        inits: list[SSAValue],
        body: Callable[[list[SSAValue]], list[SSAValue]],
        reserve: int = 0,
    ) -> list[SSAValue]:
        """Run `body` `count` times on carried registers: a hardware loop while the nest
        depth allows (keeping `reserve` levels for loops inside the body, which run more
        often), else the iterations one after another."""
        if count <= 0:
            return inits
        if count == 1:
            return body(inits)
        if self.depth + 1 + reserve > self.t.loop_depth:
            if count > 2:
                return self.branch_loop(count, inits, body)
            vals = inits
            for _ in range(count):
                vals = body(vals)
            return vals
        blk = Block(arg_types=[v.type for v in inits])
        loop = vx.LoopOp(count, inits, blk)
        self.emit(loop)
        outer, self.block = self.block, blk
        self.depth += 1
        try:
            nxt = body(list(blk.args))
            self.emit(vx.YieldOp(*nxt))
        finally:
            self.depth -= 1
            self.block = outer
        return list(loop.results)

    def branch_loop(
        self, count: int, inits: list[SSAValue], body: Callable[[list[SSAValue]], list[SSAValue]]
    ) -> list[SSAValue]:
        """`body` `count` times in a `vx.loop branch` (no hardware loop level used)."""
        c0, z0 = self.li(count), self.li(0)
        blk = Block(arg_types=[c0.type, z0.type, *[v.type for v in inits]])
        loop = vx.LoopOp(count, [c0, z0, *inits], blk, branch=True)
        self.emit(loop)
        outer, self.block = self.block, blk
        try:
            c, z, *args = blk.args
            nxt = body(list(args))
            self.emit(vx.YieldOp(self.r(vx.AddiOp(c, -1)), z, *nxt))
        finally:
            self.block = outer
        return list(loop.results)[2:]

    def copy_words(self, count: int, regs: list[SSAValue], src_step: int, dst_step: int,
                   reserve: int = 0) -> list[SSAValue]:
        """`count` scalar word copies (the machine has no gather): [src, dst] registers,
        stepped by `src_step` / `dst_step` bytes; the registers after the last one.

        Software-pipelined, four words a loop body: each store writes a word loaded two
        packets before, and each load comes before the store it shares a packet with in
        program order (a load after a store that may alias waits a packet), so the loop
        copies one word a packet, the store throughput. No load reads past the words."""
        def one(cr: list[SSAValue]) -> list[SSAValue]:
            self.emit(vx.StOp(self.r(vx.LdOp(cr[0], 0)), cr[1], 0))
            return self.bump(cr, [src_step, dst_step])

        if count < 6:
            return self.repeat(count, regs, one, reserve=reserve)

        def quad(cr: list[SSAValue]) -> list[SSAValue]:
            src, dst, a, b = cr
            c = self.r(vx.LdOp(src, 2 * src_step))
            self.emit(vx.StOp(a, dst, 0))
            d = self.r(vx.LdOp(src, 3 * src_step))
            self.emit(vx.StOp(b, dst, dst_step))
            a = self.r(vx.LdOp(src, 4 * src_step))
            self.emit(vx.StOp(c, dst, 2 * dst_step))
            b = self.r(vx.LdOp(src, 5 * src_step))
            self.emit(vx.StOp(d, dst, 3 * dst_step))
            return [*self.bump([src, dst], [4 * src_step, 4 * dst_step]), a, b]

        src, dst = regs
        first = [self.r(vx.LdOp(src, 0)), self.r(vx.LdOp(src, src_step))]
        quads, rest = divmod(count - 2, 4)
        src, dst, a, b = self.repeat(quads, [src, dst, *first], quad, reserve=reserve)
        self.emit(vx.StOp(a, dst, 0))
        self.emit(vx.StOp(b, dst, dst_step))
        regs = self.bump([src, dst], [2 * src_step, 2 * dst_step])
        for _ in range(rest):
            regs = one(regs)
        return regs

    def _split_row(self, regs: list[SSAValue], W: int, s: int) -> list[SSAValue]:
        """One row of W words at regs[0] into its s phases at regs[1] (phase p holds
        columns p, p+s, ...); the registers moved to the next row."""
        src, dst = regs
        Wp = -(-W // s)
        for p in range(s):
            self.copy_words(-(-(W - p) // s), [self.r(vx.AddiOp(src, 4 * p)),
                                               self.r(vx.AddiOp(dst, 4 * p * Wp))], 4 * s, 4)
        return self.bump(regs, [4 * W, 4 * s * Wp])

    def bump(self, regs: Sequence[SSAValue], deltas: Sequence[int]) -> list[SSAValue]:
        return [self.r(vx.AddiOp(r, d)) if d else r for r, d in zip(regs, deltas, strict=True)]

    # vector memory with alignment choice from the static byte offset
    def vload(self, base: SSAValue, imm: int, aligned: bool) -> SSAValue:
        return self.r(vx.VldOp(base, imm) if aligned else vx.VlduOp(base, imm))

    def vstore(
        self, v: SSAValue, base: SSAValue, imm: int, aligned: bool, count: int | None = None
    ) -> None:
        """Store `count` leading lanes (all when None) of `v`."""
        if count is None or count >= self.lanes:
            self.emit(vx.VstOp(v, base, imm) if aligned else vx.VstuOp(v, base, imm))
            return
        q = self.r(vx.VsetqOp(self.li(count * 4)))
        if aligned:
            self.emit(vx.VstqOp(v, base, imm, q))
            return
        old = self.r(vx.VlduOp(base, imm))
        self.emit(vx.VstuOp(self.r(vx.VselOp(q, v, old)), base, imm))

    def aligned(self, buf: Buf, extra: int = 0, *steps: int) -> bool:
        return all(x % self.vlen == 0 for x in (buf.off + extra, *steps))

    # ------------------------------------------------------------------ structure

    def run_block(self, block: Block) -> None:
        for op in block.ops:
            self.run_op(op)

    def run_op(self, op: Operation) -> None:
        saved, saved_op = self.loc, self.op
        self.loc, self.op = op.location, op
        try:
            if isinstance(op, _COMPUTE) and (self.trace is not None or self.provide is not None):
                self._compute_in_loop(op)
            else:
                self._dispatch(op)
        finally:
            self.loc, self.op = saved, saved_op

    def _compute_in_loop(self, op: Operation) -> None:
        """A compute op inside a traced tile loop. Dry run: record its operands' addresses
        and alignment. Loop body: take their registers from `provide` (one per operand, in
        the order the dry run recorded them), then lower the op on those."""
        bufs: list[Buf] = [self.env[v] for v in _compute_operands(op)]
        if self.trace is not None:
            self.trace.sig.append((id(op), tuple((b.sym, b.off % self.vlen) for b in bufs)))
            self.trace.addrs.extend((b.sym, b.off) for b in bufs)
            return
        assert self.provide is not None
        bound: dict[SSAValue, Any] = {}
        for v, b in zip(_compute_operands(op), bufs, strict=True):
            item = self.provide.pop(0)
            if not isinstance(item, tuple):  # a moving address: from a carried register
                bound[v] = Buf(b.sym, b.off, b.shape, reg=item() if callable(item) else item)
        saved = {v: self.env[v] for v in bound}
        provide, self.provide = self.provide, None
        self.env.update(bound)
        try:
            self._dispatch(op)
        finally:
            self.env.update(saved)
            self.provide = provide

    def _dispatch(self, op: Operation) -> None:
        env = self.env
        if isinstance(op, arith.ConstantOp):
            v = op.value
            env[op.result] = v.value.data if isinstance(v, IntegerAttr | FloatAttr) else v
        elif isinstance(op, (arith.AddiOp, arith.MuliOp, arith.SubiOp, arith.DivUIOp,
                             arith.RemUIOp, arith.AndIOp, arith.OrIOp, arith.CmpiOp)):
            a, b = env[op.operands[0]], env[op.operands[1]]
            env[op.results[0]] = _int_op(op, a, b)
        elif isinstance(op, arith.SelectOp):
            env[op.result] = env[op.lhs] if env[op.cond] else env[op.rhs]
        elif isinstance(op, scf.IfOp):
            cond = bool(env[op.cond])
            pred = self.dma_pred
            if not cond and self.loop_level and _dma_guard(op):
                # a DMA guard (the prefetch of the next tile) that is false: its transfers
                # are issued with zero bytes, so this iteration is the same code as the
                # others (one loop body, no epilogue copy) and the dmawait counts hold
                cond, pred = True, "zero"
                if self.trace is not None:
                    self.trace.forced.append(id(op))
            elif cond and self.provide is not None and id(op) in self.pred_ids:
                pred = self.pred_flag  # false in the last periods of the loop: sizes * flag
            if self.trace is not None:
                self.trace.sig.append(("if", id(op), cond))
            region = op.true_region if cond else op.false_region
            saved_pred, self.dma_pred = self.dma_pred, pred
            try:
                for inner in (op_ for blk in region.blocks for op_ in blk.ops):
                    if isinstance(inner, scf.YieldOp):
                        for res, val in zip(op.results, inner.operands, strict=True):
                            env[res] = env[val]
                    else:
                        self.run_op(inner)
            finally:
                self.dma_pred = saved_pred
        elif isinstance(op, tile.ConstantOp | tile.AllocOp):
            pass  # placed before the walk
        elif isinstance(op, tile.ViewOp):
            src: Buf = env[op.source]
            shape = tuple(op.result.type.get_shape())  # type: ignore[union-attr]
            env[op.result] = Buf(src.sym, src.off + 4 * op.start, shape)
        elif isinstance(op, tile.KernelOp):
            self.kernel_vtcm = max(
                (b.off + 4 * b.numel for inner in op.walk() if isinstance(inner, tile.AllocOp)
                 and (b := self.env[inner.result]).sym == "vtcm_arena"), default=0)
            self.run_block(op.body.block)
        elif isinstance(op, tile.ReadyOp):
            env[op.token] = -1
        elif isinstance(op, tile.ForOp):
            self.lower_for(op)
        elif isinstance(op, tile.DmaStartOp):
            self.lower_dma(op)
        elif isinstance(op, tile.DmaWaitOp):
            seqs = [env[t] for t in op.tokens]
            last = max(seqs, default=-1)
            count: float = math.inf  # all ready: no wait
            if last >= 0:
                count = max(self.dma_seq - 1 - last, 0) if self.t.dma.engines == 1 else 0
            if self.trace is not None:
                self.trace.sig.append(("wait",))
                self.trace.waits.append(count)
                return
            if self.waits is not None:  # a loop body: the smallest count of its iterations
                count = self.waits.pop(0)
            if count != math.inf:
                self.emit(vx.DmawaitOp(int(count)))
        elif isinstance(op, tile.FillOp):
            self.lower_fill(op)
        elif isinstance(op, tile.MatmulOp):
            self.lower_matmul(op)
        elif isinstance(op, tile.MapOp):
            self.lower_map(op)
        elif isinstance(op, tile.ConvOp):
            self.lower_conv(op)
        elif isinstance(op, tile.PoolOp):
            self.lower_pool(op)
        elif isinstance(op, tile.TransposeOp):
            self.lower_transpose(op)
        elif isinstance(op, tile.ReduceOp):
            self.lower_reduce(op)
        elif isinstance(op, func.ReturnOp | tile.YieldOp):
            pass
        else:
            raise _Unsupported(op, f"convert-tile-to-vx: cannot lower '{op.name}'")

    # ------------------------------------------------------------------ loops

    def _run_iteration(self, op: tile.ForOp, t: int, carried: list[Any]) -> list[Any]:
        body = op.body.block
        self.env[body.args[0]] = t
        for arg, val in zip(body.args[1:], carried, strict=True):
            self.env[arg] = val
        for inner in body.ops:
            if isinstance(inner, tile.YieldOp):
                return [self.env[v] for v in inner.values]
            self.run_op(inner)
        return []

    def lower_for(self, op: tile.ForOp) -> None:
        lb, step, n = op.lb.value.data, op.step.value.data, op.trip_count
        carried = [self.env[v] for v in op.iter_args]
        self.loop_level += 1
        try:
            if n > 1 and self.trace is None and self.provide is None:
                carried = self._loop_periodic(op, carried)
            else:  # a dry run, or a loop nested in a traced loop body: iterations in order
                for i in range(n):
                    carried = self._run_iteration(op, lb + i * step, carried)
        finally:
            self.loop_level -= 1
        for res, val in zip(op.res, carried, strict=True):
            self.env[res] = val

    def _loop_periodic(self, op: tile.ForOp, carried: list[Any]) -> list[Any]:
        """Dry-run every iteration (index arithmetic, branches, DMA plans and the addresses
        each DMA and compute op uses: no instructions), then find the longest run of
        iterations that repeats with a period of P iterations (same decisions, every
        address moving by a constant stride per period) and emit it as one loop over the
        periods, carrying the moving addresses in registers; the iterations before and
        after the run are emitted one by one (false prefetch guards and first-iteration
        waits do not break a run: see the module docstring).
        The loop is a hardware loop when the nest depth leaves room for the levels its
        kernels want, else a branch loop: the code size never grows with the trip count.

            tile.for %t = 0 to 6 { body(t) }   (period 2, run [0, 6))
              ==>  vx.loop 3 iter_args(%p.. = addresses of t=0,1) { body(0'); body(1'); bump }
        """
        lb, step, n = op.lb.value.data, op.step.value.data, op.trip_count
        saved = (self.trace, self.dma_seq)
        sig_ids: dict[tuple[Any, ...], int] = {}
        sigs: list[int] = []
        addrs: list[list[tuple[str, int]]] = []
        waits: list[list[float]] = []
        forced: list[tuple[int, ...]] = []
        before: list[tuple[int, list[Any]]] = []
        vals = carried
        try:
            for i in range(n):
                before.append((self.dma_seq, vals))
                self.trace = _Trace()
                vals = self._run_iteration(op, lb + i * step, vals)
                sigs.append(sig_ids.setdefault(tuple(self.trace.sig), len(sig_ids)))
                addrs.append(self.trace.addrs)
                waits.append(self.trace.waits)
                forced.append(tuple(self.trace.forced))
            before.append((self.dma_seq, vals))
        finally:
            self.trace, self.dma_seq = saved
        best = _best_period(sigs, addrs, n)

        def straight(i0: int, i1: int, vals_: list[Any]) -> list[Any]:
            for i in range(i0, i1):
                vals_ = self._run_iteration(op, lb + i * step, vals_)
            return vals_

        if best is None:
            return straight(0, n, carried)
        start, period, count = best
        # false DMA guards (the last tile has no next one to prefetch) must be false from
        # some period p0 of the run on: the body then multiplies their sizes by a run-time
        # flag (period < p0); a run that breaks the pattern ends where it does
        keys = [tuple(forced[start + p * period + j] for j in range(period))
                for p in range(count)]
        p0 = next((p for p, k in enumerate(keys) if any(k)), count)
        count = next((p for p in range(p0, count) if keys[p] != keys[p0]), count)
        stop = start + period * count
        pred_ids = [frozenset(keys[p0][j]) if 0 < p0 < count else frozenset()
                    for j in range(period)]
        mins = [[min(c) for c in zip(*(waits[start + p * period + j] for p in range(count)),
                                     strict=True)]
                for j in range(period)]
        vals = straight(0, start, carried)
        first = [a for i in range(start, start + period) for a in addrs[i]]
        kinds = _slot_kinds(addrs, start, period, count)
        # carry one register per symbol and step (addresses of one symbol that move
        # alike are that register plus a constant); a ping-pong pair (A, B, A, ..)
        # carries the current address and the signed distance to the other one, which
        # flips each period (cur += d; d *= -1: no swap, whose parallel copy the register
        # allocator would have to break); invariant addresses are li's
        index: dict[tuple[str, str, int], tuple[int, int]] = {}  # -> (register, base)
        inits: list[SSAValue] = []
        steps: list[int | None] = []  # constant step, or None: a (cur, d) pair
        # per address: ("r", register, c): reg + c; ("o", register, c): the pair's other
        # half + c; or (symbol, offset) when invariant
        slot: list[tuple[Any, ...]] = []
        for (sym, off), (kind, _, x) in zip(first, kinds, strict=True):
            if kind == "inv":
                slot.append((sym, off))
            elif kind == "aff":
                if ("aff", sym, x) not in index:
                    index[("aff", sym, x)] = (len(inits), off)
                    inits.append(self.addr(Buf(sym, off, ())))
                    steps.append(x)
                k, b0 = index[("aff", sym, x)]
                slot.append(("r", k, off - b0))
            else:
                d = x - off
                if ("alt", sym, d) in index:
                    k, b0 = index[("alt", sym, d)]
                    slot.append(("r", k, off - b0))
                elif ("alt", sym, -d) in index:  # in the opposite phase: the other half
                    k, b0 = index[("alt", sym, -d)]
                    slot.append(("o", k, off - (b0 - d)))
                else:
                    index[("alt", sym, d)] = (len(inits), off)
                    inits += [self.addr(Buf(sym, off, ())), self.li(d)]
                    steps += [None, None]
                    slot.append(("r", len(inits) - 2, 0))
        flag_k = -1
        if any(pred_ids):  # the guard flag: g = p - p0 counts up, flag = g < 0
            flag_k = len(inits)
            inits.append(self.li(-p0))
            steps.append(1)
        if not inits:
            inits, steps = [self.li(0)], [0]
        seq0 = self.dma_seq

        def body(regs: list[SSAValue]) -> list[SSAValue]:
            outer = self.provide
            others: dict[int, SSAValue] = {}

            def other(k: int) -> SSAValue:
                if k not in others:
                    others[k] = self.r(vx.AddOp(regs[k], regs[k + 1]))
                return others[k]

            def resolve(item: tuple[Any, ...]) -> Any:
                """A provided address: (symbol, offset) when invariant, else a callable
                making its register where it is used (derived values spill; carried
                ones cannot)."""
                if len(item) == 2:
                    return item
                kind, k, c = item

                def make() -> SSAValue:
                    reg = regs[k] if kind == "r" else other(k)
                    return self.r(vx.AddiOp(reg, c)) if c else reg

                return make

            self.provide = [resolve(x) for x in slot]
            self.dma_seq = seq0
            saved_ = (self.waits, self.pred_ids, self.pred_flag)
            if flag_k >= 0:
                self.pred_flag = self.r(vx.SltiOp(regs[flag_k], 0))
            try:
                for j, i in enumerate(range(start, start + period)):
                    self.waits, self.pred_ids = list(mins[j]), pred_ids[j]
                    self._run_iteration(op, lb + i * step, before[i][1])
                    assert not self.waits, "dry run and emission disagree on the waits"
                assert not self.provide, "dry run and emission disagree on the addresses"
            finally:
                self.provide = outer
                self.waits, self.pred_ids, self.pred_flag = saved_
            out: list[SSAValue] = []
            k = 0
            while k < len(regs):
                if steps[k] is None:  # a ping-pong pair: cur += d, d = -d
                    out += [other(k), self.r(vx.MuliOp(regs[k + 1], -1))]
                    k += 2
                else:
                    out.append(self.r(vx.AddiOp(regs[k], steps[k])) if steps[k] else regs[k])
                    k += 1
            return out

        self.repeat(count, inits, body, reserve=_kernel_levels(op))
        self.dma_seq, vals = before[stop]
        return straight(stop, n, vals)

    # ------------------------------------------------------------------ DMA

    def lower_dma(self, op: tile.DmaStartOp) -> None:
        src: Buf = self.env[op.src]
        dst: Buf = self.env[op.dst]
        si = [self.env[v] for v in op.src_indices]
        di = [self.env[v] for v in op.dst_indices]
        sizes = list(op.static_sizes)
        zero = isinstance(self.dma_pred, str)  # in a false guard: a zero-byte transfer
        if zero:  # unclipped: the addresses continue those of the live iterations
            lo, hi = [0] * len(sizes), sizes
        else:
            lo = [max(0, -s, -d) for s, d in zip(si, di, strict=True)]
            hi = [min(n, S - s, D - d)
                  for n, S, D, s, d in zip(sizes, src.shape, dst.shape, si, di, strict=True)]
        if any(h <= l for l, h in zip(lo, hi, strict=True)):
            if self.trace is not None:
                self.trace.sig.append(("dma", id(op), None))
            self.env[op.results[0]] = -1
            return
        cnt = [h - l for l, h in zip(lo, hi, strict=True)]
        s0 = sum((s + l) * st for s, l, st in zip(si, lo, src.strides(), strict=True))
        d0 = sum((d + l) * st for d, l, st in zip(di, lo, dst.strides(), strict=True))
        plan = tile.dma_plan(src.shape, dst.shape, cnt, 4)
        if self.trace is not None:
            self.trace.sig.append(("dma", id(op), plan))
            self.trace.addrs += [(src.sym, src.off + s0), (dst.sym, dst.off + d0)]
            self.dma_seq += plan.descriptors
            self.env[op.results[0]] = self.dma_seq - 1
            return
        if zero:  # no bytes move: any address will do (the traced ones may lie past the
            if self.provide is not None:  # buffers)
                del self.provide[:2]
            ps = pd = self.li(0)
        else:
            ps, pd = self.addr(src, s0), self.addr(dst, d0)
        if plan.rows > 1:
            self.emit(vx.DmacfgOp(self.li(plan.row_bytes), self.li(plan.src_stride),
                                  self.li(plan.dst_stride)))
        size = self.li(0 if zero else plan.row_bytes if plan.rows == 1 else plan.rows)
        if self.dma_pred is not None and not zero:  # a guard false in the loop's last periods
            size = self.r(vx.MulOp(size, self.dma_pred))

        def one(regs: list[SSAValue], level: int) -> list[SSAValue]:
            if level == len(plan.outer):
                self.emit(vx.Dma2Op(regs[1], regs[0], size) if plan.rows > 1
                          else vx.DmaOp(regs[1], regs[0], size))
                return regs
            count, sst, dst_ = plan.outer[level]
            self.repeat(count, regs, lambda rr: (one(rr, level + 1), self.bump(rr, [sst, dst_]))[1],
                        reserve=len(plan.outer) - level - 1)
            return regs

        one([ps, pd], 0)
        self.dma_seq += plan.descriptors
        self.env[op.results[0]] = self.dma_seq - 1

    # ------------------------------------------------------------------ fill

    def lower_fill(self, op: tile.FillOp) -> None:
        buf: Buf = self.env[op.output]
        v = self.r(vx.VsplatiOp.f32(op.value.value.data))
        self._store_range(buf, lambda: v)

    def _store_range(self, buf: Buf, value: Callable[[], SSAValue]) -> None:
        n, L = buf.numel, self.lanes
        al = self.aligned(buf)
        p = self.addr(buf)
        full, tail = divmod(n, L)

        def body(regs: list[SSAValue]) -> list[SSAValue]:
            self.vstore(value(), regs[0], 0, al)
            return self.bump(regs, [self.vlen])

        (p,) = self.repeat(full, [p], body)
        if tail:
            self.vstore(value(), p, 0, al, tail)

    # ------------------------------------------------------------------ matmul

    def lower_matmul(self, op: tile.MatmulOp) -> None:
        if op.transpose_b is not None:
            if op.transpose_a is not None:
                self._matmul_both_transposed(op)
                return
            self._matmul_dot(op)
            return
        A: Buf = self.env[op.a]
        B: Buf = self.env[op.b]
        C: Buf = self.env[op.c]
        ta = op.transpose_a is not None
        *batch, M, N = C.shape
        K = A.shape[-2] if ta else A.shape[-1]
        L, V = self.lanes, self.vlen
        nvec = -(-N // L)
        nr = min(nvec, 4)
        mr = max(1, min(M, 8, (self.t.vregs - nr - 2) // (nr + 1)))
        a_row, a_k = (4, 4 * M) if ta else (4 * K, 4)  # A[i, k] byte strides
        b_row, c_row = 4 * N, 4 * N
        for bi in range(math.prod(batch)):
            a0, b0, c0 = bi * M * K * 4, bi * K * N * 4, bi * M * N * 4
            for j0 in range(0, nvec, nr):
                nb = min(nr, nvec - j0)
                last_lanes = N - (j0 + nb - 1) * L
                b_al = self.aligned(B, b0 + j0 * V, b_row)
                c_al = self.aligned(C, c0 + j0 * V, c_row)
                rows_full, rows_tail = divmod(M, mr)

                def block(regs: list[SSAValue], rows: int) -> list[SSAValue]:
                    pa, pc = regs
                    pb = self.addr(B, b0 + j0 * V)
                    if op.accumulate is not None:
                        accs = [self.vload(pc, r * c_row + j * V, c_al)
                                for r in range(rows) for j in range(nb)]
                    else:
                        accs = [self.r(vx.VsplatiOp(0)) for _ in range(rows * nb)]

                    def kstep(kr: list[SSAValue]) -> list[SSAValue]:
                        qa, qb, *acc = kr
                        bv = [self.vload(qb, j * V, b_al) for j in range(nb)]
                        av = [self.r(vx.VldbcOp(qa, r * a_row)) for r in range(rows)]
                        acc = [self.r(vx.VfmaF32Op(acc[r * nb + j], av[r], bv[j]))
                               for r in range(rows) for j in range(nb)]
                        return [*self.bump([qa, qb], [a_k, b_row]), *acc]

                    out = self.repeat(K, [pa, pb, *accs], kstep)
                    for r in range(rows):
                        for j in range(nb):
                            lanes = last_lanes if j == nb - 1 else None
                            self.vstore(out[2 + r * nb + j], pc, r * c_row + j * V, c_al, lanes)
                    return self.bump([pa, pc], [rows * a_row, rows * c_row])

                regs = [self.addr(A, a0), self.addr(C, c0 + j0 * V)]
                regs = self.repeat(rows_full, regs, lambda rr: block(rr, mr), reserve=1)
                if rows_tail:
                    block(regs, rows_tail)

    def _matmul_dot(self, op: tile.MatmulOp) -> None:
        """C[i, n] (+)= sum_k A[i, k] * B[n, k] (transpose_b: rows of B are contiguous in
        k, as a Gemm's weights with transB = 1): per output, vector FMAs along k (a
        predicated last chunk), a `vror` tree, one lane stored."""
        A: Buf = self.env[op.a]
        B: Buf = self.env[op.b]
        C: Buf = self.env[op.c]
        *_, M, N = C.shape
        K = A.shape[-1]
        V = self.vlen
        a_al = self.aligned(A, 0, 4 * K, M * K * 4)
        b_al = self.aligned(B, 0, 4 * K, N * K * 4)
        zero = self.r(vx.VsplatiOp(0))
        full, q_tail, q_one, shifts = self._lane_reduce_setup(K)

        def dot(pa: SSAValue, pb: SSAValue) -> SSAValue:
            def step(rr: list[SSAValue]) -> list[SSAValue]:
                qa, qb, acc = rr
                acc = self.r(vx.VfmaF32Op(acc, self.vload(qa, 0, a_al), self.vload(qb, 0, b_al)))
                return [*self.bump([qa, qb], [V, V]), acc]

            qa, qb, acc = self.repeat(full, [pa, pb, self.r(vx.VmovOp(zero))], step)
            if q_tail is not None:
                va = self.r(vx.VselOp(q_tail, self.vload(qa, 0, a_al), zero))
                vb = self.r(vx.VselOp(q_tail, self.vload(qb, 0, b_al), zero))
                acc = self.r(vx.VfmaF32Op(acc, va, vb))
            for s_ in shifts:
                acc = self.r(vx.VaddF32Op(acc, self.r(vx.VrorOp(acc, s_))))
            return acc

        self._each_output(op, 4 * K, q_one, dot)

    def _matmul_both_transposed(self, op: tile.MatmulOp) -> None:
        """C[i, n] (+)= sum_k A[k, i] * B[n, k] (a Gemm with transA = transB = 1): neither
        operand is contiguous along a vector of outputs or of k (no gather), so per output
        a k loop of two `vldbc` broadcasts and a `vfma`, one lane stored. A rare form:
        about 3 instructions per multiply-add."""
        M = self.env[op.c].shape[-2]
        K = self.env[op.a].shape[-2]
        q_one = self.r(vx.VsetqOp(self.li(4)))
        zero = self.r(vx.VsplatiOp(0))

        def dot(pa: SSAValue, pb: SSAValue) -> SSAValue:
            def step(rr: list[SSAValue]) -> list[SSAValue]:
                qa, qb, acc = rr
                acc = self.r(vx.VfmaF32Op(acc, self.r(vx.VldbcOp(qa, 0)),
                                          self.r(vx.VldbcOp(qb, 0))))
                return [*self.bump([qa, qb], [4 * M, 4]), acc]

            return self.repeat(K, [pa, pb, self.r(vx.VmovOp(zero))], step)[2]

        self._each_output(op, 4, q_one, dot)

    def _each_output(self, op: tile.MatmulOp, a_row: int, q_one: SSAValue,
                     dot: Callable[[SSAValue, SSAValue], SSAValue]) -> None:
        """The output loops of the one-lane-per-output matmuls: batches, rows (A's pointer
        moves `a_row` bytes per row), columns (B's rows, [N, K]); `dot(pa, pb)` makes the
        vector whose lane 0 is C[i, n], stored to that lane (added to C's value with
        `accumulate`)."""
        A: Buf = self.env[op.a]
        B: Buf = self.env[op.b]
        C: Buf = self.env[op.c]
        *batch, M, N = C.shape
        K = B.shape[-1]

        def col(regs: list[SSAValue], pa: SSAValue) -> list[SSAValue]:
            pb, pc = regs
            acc = dot(pa, pb)
            old = self.r(vx.VlduOp(pc, 0))
            if op.accumulate is not None:
                acc = self.r(vx.VaddF32Op(acc, old))
            self.emit(vx.VstuOp(self.r(vx.VselOp(q_one, acc, old)), pc, 0))
            return self.bump(regs, [4 * K, 4])

        def row(regs: list[SSAValue], b0: int) -> list[SSAValue]:
            pa, pc = regs
            self.repeat(N, [self.addr(B, b0), pc], lambda rr: col(rr, pa), reserve=1)
            return self.bump(regs, [a_row, 4 * N])

        for bi in range(math.prod(batch)):
            b0 = bi * N * K * 4
            self.repeat(M, [self.addr(A, bi * M * K * 4), self.addr(C, bi * M * N * 4)],
                        lambda rr, b0=b0: row(rr, b0), reserve=2)

    # ------------------------------------------------------------------ conv

    def lower_conv(self, op: tile.ConvOp) -> None:
        """Direct convolution, register-blocked like the matmul: `mr` output channels x
        `nr` vectors of accumulators along the output positions, weights broadcast; the
        input-channel loop is a hardware loop, the Kh x Kw taps are unrolled in its body.
        Loops, outermost first: batch, output rows, groups, blocks of `mr` output channels
        (then blocks of mr - 1, or a smaller last block), vectors, input channels. The
        input-channel loop is software-pipelined when it is a loop: the loads of the
        first tap that the FMAs need before loads at the body's start could land come
        from the channel before (one round too many on the last channel, past the data:
        only while that stays in the VTCM).

        The vectors run along one of three layouts, the cheapest by an instruction
        estimate (the machine has no gather, so strided or narrow outputs go through a
        VTCM scratch and scalar copies, once per output element):
        - rows: lanes along each output row, stored straight to the output (stride 1);
        - subsampled rows (width stride s, no `accumulate`): each row at stride 1 along
          the width ((Wo-1)*s+1 columns: no more vectors than Wo needs while one vector
          holds them), every s-th column copied out;
        - plane: lanes along the flattened input plane, one vector sweep for all rows
          ((Ho-1)*sh*Wi + (Wo-1)*sw + 1 positions: a 7x7 output in 2 vectors instead of
          7), the output positions copied out (no `accumulate`) -- unless the input rows
          are as wide as the output's at unit stride (1x1 kernels, the phase kernels of
          nn-decompose-strided-conv without padding), when the plane is the output's
          and is stored straight (`accumulate` allowed).
        An accumulating conv with a width stride splits, before each output row, the
        (Kh-1)*dh+1 input rows it reads into their s phases in the scratch, so tap kw
        reads phase (kw*dw) % s at column (kw*dw) // s with unit stride."""
        X: Buf = self.env[op.x]
        W: Buf = self.env[op.w]
        Y: Buf = self.env[op.y]
        sh, sw = (int(v) for v in op.strides.get_values())
        dh, dw = (int(v) for v in op.dilations.get_values())
        g = op.groups.value.data
        N, C, Hi, Wi = X.shape
        Co, Cg, Kh, Kw = W.shape
        _, _, Ho, Wo = Y.shape
        L, V = self.lanes, self.vlen
        acc_in = op.accumulate is not None
        cog = Co // g
        mr_max = max(1, min(cog, 8))
        work = 2 * Cg * Kh * Kw * cog  # instructions per vector position, all channels
        copy = 2 * cog * Ho * Wo  # scalar copies of the whole output
        room = self.t.vtcm_bytes - V - -(-self.kernel_vtcm // V) * V
        plane_cols = (Ho - 1) * sh * Wi + (Wo - 1) * sw + 1
        modes: dict[str, int] = {}
        if sw == 1 or acc_in:
            modes["rows"] = Ho * -(-Wo // L) * work + (
                Ho * C * ((Kh - 1) * dh + 1) * Wi * 2 if sw > 1 else 0)
        sub_cols = (Wo - 1) * sw + 1
        if sw > 1 and not acc_in and mr_max * -(-sub_cols // L) * V <= room:
            modes["subsample"] = Ho * -(-sub_cols // L) * work + copy
        # the plane of a unit-stride conv whose rows are as wide as its input's (1-wide
        # kernels without padding: the phase convolutions of nn-decompose-strided-conv,
        # 1x1 convolutions) is the output plane itself: no scratch, no copies
        direct = sh == sw == 1 and (Wi == Wo or Ho == 1)
        if direct:
            modes["plane"] = -(-plane_cols // L) * work
        elif not acc_in and mr_max * -(-plane_cols // L) * V <= room:
            modes["plane"] = -(-plane_cols // L) * work + copy
        if not modes:
            raise _Unsupported(op, "convert-tile-to-vx: no VTCM room for a strided conv's "
                                   "scratch past the kernel's plan")
        mode = min(modes, key=lambda m: modes[m])
        split = mode == "rows" and sw > 1
        Wp = -(-Wi // sw) if split else Wi
        ss = sw if split else 1  # the column stride the vector code sees
        krows = (Kh - 1) * dh + 1
        if split:  # the phase-split rows of one output row: [C, krows, sw, Wp]
            row_h, xc = sw * Wp * 4, krows * sw * Wp * 4
        else:
            row_h, xc = Wi * 4, Hi * Wi * 4
        Wc = {"rows": Wo, "subsample": sub_cols, "plane": plane_cols}[mode]
        R = 1 if mode == "plane" else Ho  # row iterations
        # the scalar copy-out: (rows, columns, source row and column strides in bytes)
        copy_out = {"rows": None, "subsample": (1, Wo, 0, 4 * sw),
                    "plane": None if direct else (Ho, Wo, 4 * sh * Wi, 4 * sw)}[mode]
        nvec = -(-Wc // L)
        nr = min(nvec, 4)
        mr = max(1, min(cog, 8, (self.t.vregs - nr - 2) // (nr + 1)))
        ws_o, ws_c = Cg * Kh * Kw * 4, Kh * Kw * 4
        ys_o, ys_h = Ho * Wo * 4, Wo * 4
        taps = []
        for kh in range(Kh):
            for kw in range(Kw):
                ph, col = divmod(kw * dw, ss)[::-1]
                taps.append((kh * Kw + kw, kh * dh * row_h + ph * Wp * 4 + col * 4))

        def cblock(regs: list[SSAValue], px: SSAValue, rows: int) -> list[SSAValue]:
            """`rows` output channels of one group and row: [weights, output] registers."""
            pw, py = regs
            sub = self._scratch(rows * nvec * L) if copy_out is not None else None
            ps = self.addr(sub) if sub is not None else None
            if ps is not None:  # rows of nvec whole vectors in the scratch
                y_al, tail_lanes, ys_row, qy0 = True, L, nvec * V, ps
            else:
                y_al, ys_row, qy0 = self.aligned(Y, 0, V, ys_o, ys_h), ys_o, py
                tail_lanes = Wc - (nvec - 1) * L

            def vgroup(vr: list[SSAValue], nb: int, last: int) -> list[SSAValue]:
                """`nb` vectors of `rows` channels: accumulate over Cg and the taps."""
                qx0, qy = vr
                if acc_in:
                    accs = [self.vload(qy, r * ys_row + j * V, y_al)
                            for r in range(rows) for j in range(nb)]
                else:
                    accs = [self.r(vx.VsplatiOp(0)) for _ in range(rows * nb)]

                def tap_loads(qx: SSAValue, qw: SSAValue, tap: tuple[int, int],
                              nxt: int = 0, which: Sequence[int] | None = None
                              ) -> list[SSAValue]:
                    """Of one tap (of the input channel `nxt` channels on), the `nb` input
                    vectors then the `rows` weight broadcasts (those in `which`)."""
                    k, off = tap
                    out: list[SSAValue] = []
                    for i in range(nb + rows) if which is None else which:
                        out.append(self.r(vx.VlduOp(qx, nxt * xc + off + i * V)) if i < nb
                                   else self.r(vx.VldbcOp(qw, nxt * ws_c + (i - nb) * ws_o
                                                          + k * 4)))
                    return out

                # the FMAs of a tap sweep the weights once per input vector: the vector
                # registers free early (their next loads take both load units), the
                # weights' in the last sweep (a broadcast takes one)
                order = [(r, j) for j in range(nb) for r in range(rows)]

                def tap_fmas(acc: list[SSAValue], vals: list[SSAValue]) -> list[SSAValue]:
                    acc = list(acc)
                    for r, j in order:
                        acc[r * nb + j] = self.r(vx.VfmaF32Op(acc[r * nb + j], vals[nb + r],
                                                              vals[j]))
                    return acc

                def tap_block(qx: SSAValue, qw: SSAValue, acc: list[SSAValue],
                              block: list[tuple[int, int]]) -> list[SSAValue]:
                    for tap in block:
                        acc = tap_fmas(acc, tap_loads(qx, qw, tap))
                    return acc

                # a big window (the 7x7 stem: 49 taps) loops over its rows, else the
                # code of one input channel would be thousands of instructions
                loop_kh = Kh > 1 and len(taps) * (nb + rows + rows * nb) > 600

                def kh_row(kr: list[SSAValue]) -> list[SSAValue]:
                    qx, qw, *acc = kr
                    acc = tap_block(qx, qw, acc, taps[:Kw])
                    return [*self.bump([qx, qw], [dh * row_h, Kw * 4]), *acc]

                def chan(cr: list[SSAValue]) -> list[SSAValue]:
                    qx, qw, *acc = cr
                    if loop_kh:
                        acc = self.repeat(Kh, [qx, qw, *acc], kh_row)[2:]
                    else:
                        acc = tap_block(qx, qw, acc, taps)
                    return [*self.bump([qx, qw], [xc, ws_c]), *acc]

                # software pipelining: the first loads of each channel (those the
                # FMAs need before loads at the body's start could land) are done by
                # the channel before, after its last FMAs; the rest at the start
                first_use = [min(i for i, (_, j) in enumerate(order) if j == jj)
                             for jj in range(nb)]
                first_use += [min(i for i, (r, _) in enumerate(order) if r == rr)
                              for rr in range(rows)]
                carry = [i for i, c in enumerate(
                    _carried(first_use, ["vldu"] * nb + ["vld"] * rows, self.t)) if c]
                if len(taps) > 1:
                    # a carried value holds its register through the whole body
                    # (vx-allocate-registers merges a loop-carried value's intervals),
                    # next to the other taps' loads: carry the first needed that fit
                    spare = self.t.vregs - rows * nb - (nb + rows)
                    carry = sorted(sorted(carry, key=lambda i: first_use[i])[:max(spare, 0)])
                rest = [i for i in range(nb + rows) if i not in carry]

                def chan_pipelined(cr: list[SSAValue]) -> list[SSAValue]:
                    """`chan` with part of its first tap's loads (`carry`) done by the
                    channel before, so that they overlap the FMAs across the loop's back
                    edge too: each tap's FMAs, then the next tap's loads."""
                    qx, qw = cr[:2]
                    acc, carried = cr[2:2 + rows * nb], cr[2 + rows * nb:]
                    cur: list[SSAValue] = [*carried, *tap_loads(qx, qw, taps[0], which=rest)]
                    cur = [cur[(carry + rest).index(i)] for i in range(nb + rows)]
                    for t in range(len(taps)):
                        acc = tap_fmas(acc, cur)
                        if t + 1 < len(taps):
                            cur = tap_loads(qx, qw, taps[t + 1])
                    nxt = tap_loads(qx, qw, taps[0], nxt=1, which=carry)
                    return [*self.bump([qx, qw], [xc, ws_c]), *acc, *nxt]

                # pipelined when the channels loop and the carried loads (one channel
                # past the last, never used) stay in the VTCM
                if (Cg > 2 and not loop_kh and carry
                        and self._overread_ok((X, xc + nb * V), (W, ws_c + 4))):
                    pre = tap_loads(qx0, pw, taps[0], which=carry)
                    out = self.repeat(Cg, [qx0, pw, *accs, *pre], chan_pipelined)
                else:
                    out = self.repeat(Cg, [qx0, pw, *accs], chan, reserve=int(loop_kh))
                for r in range(rows):
                    for j in range(nb):
                        lanes = last if j == nb - 1 and last < L else None
                        self.vstore(out[2 + r * nb + j], qy, r * ys_row + j * V, y_al, lanes)
                return self.bump(vr, [nb * V, nb * V])

            # groups of nr vectors: the uniform ones in a loop, the rest (a smaller group,
            # or a last group ending in a partial vector) after it
            sizes = [nr] * (nvec // nr) + ([nvec % nr] if nvec % nr else [])
            looped = len(sizes) - (1 if sizes[-1] != nr or tail_lanes < L else 0)
            vr = self.repeat(looped, [px, qy0], lambda rr: vgroup(rr, nr, L), reserve=1)
            for k, nb in enumerate(sizes[looped:]):
                last = tail_lanes if looped + k == len(sizes) - 1 else L
                vr = vgroup(vr, nb, last)
            if ps is not None and copy_out is not None:  # output positions to the output
                nh, nw, src_h, src_w = copy_out

                def orow(cr: list[SSAValue]) -> list[SSAValue]:
                    src, dst = self.copy_words(nw, cr, src_w, 4)
                    return [self.r(vx.AddiOp(src, src_h - nw * src_w)), dst]

                def chan_out(rr: list[SSAValue]) -> list[SSAValue]:
                    self.repeat(nh, rr, orow, reserve=1)
                    return self.bump(rr, [nvec * V, ys_o])

                self.repeat(rows, [ps, py], chan_out, reserve=1 + (nh > 1))
            return self.bump(regs, [rows * ws_o, rows * ys_o])

        def group(regs: list[SSAValue]) -> list[SSAValue]:
            """One group of one output row: blocks of `mr` output channels, then the rest
            (as blocks of mr - 1 when a last block would be smaller: fewer FMAs per
            load)."""
            px, pw, py = regs
            full, rest = divmod(cog, mr)
            small = 0  # blocks of mr - 1 channels instead of a small last block
            if 0 < rest < mr - 1 and cog >= (mr - rest) * (mr - 1):
                small, rest = mr - rest, 0
                full = (cog - small * (mr - 1)) // mr
            wy = self.repeat(full, [pw, py], lambda rr: cblock(rr, px, mr), reserve=1)
            wy = self.repeat(small, wy, lambda rr: cblock(rr, px, mr - 1), reserve=1)
            if rest:
                cblock(wy, px, rest)
            return self.bump(regs, [Cg * xc, cog * ws_o, cog * ys_o])

        def out_row(regs: list[SSAValue], pw: SSAValue) -> list[SSAValue]:
            px, py = regs
            if split:
                px = self._split_rows(px, C, krows, Hi * Wi * 4, Wi, sw)
            self.repeat(g, [px, pw, py], group, reserve=1 + (cog > mr))
            return self.bump(regs, [sh * Wi * 4, ys_h])

        for n in range(N):
            pw = self.addr(W)
            self.repeat(R, [self.addr(X, n * C * Hi * Wi * 4), self.addr(Y, n * Co * ys_o)],
                        lambda rr: out_row(rr, pw), reserve=1 + (g > 1) + (cog > mr))

    def _overread_ok(self, *reads: tuple[Buf, int]) -> bool:
        """Whether loads up to `extra` bytes past anything the op reads in `buf` (the next
        iteration's loads of a software-pipelined loop, done once too often) stay inside
        the VTCM: the buffers are in `@vtcm_arena`, which starts the VTCM and holds every
        VTCM buffer and scratch below `max(vtcm_plan, scratch)`."""
        end = max(self.vtcm_plan, self.scratch)
        return all(b.sym == "vtcm_arena" and end + extra <= self.t.vtcm_bytes
                   for b, extra in reads)

    def _split_rows(self, px: SSAValue, C: int, rows: int, cstride: int, W: int, s: int
                    ) -> SSAValue:
        """Copy `rows` rows of W words from each of C channels (`cstride` bytes apart,
        starting at `px`) into the scratch as [C, rows, s, ceil(W/s)]: phase p of a row
        holds its columns p, p+s, ... (scalar loads and stores). Returns the scratch."""
        Wp = -(-W // s)
        P = self._scratch(C * rows * s * Wp)
        pp = self.addr(P)

        def chan(regs: list[SSAValue]) -> list[SSAValue]:
            self.repeat(rows, regs, lambda rr: self._split_row(rr, W, s), reserve=1)
            return self.bump(regs, [cstride, 4 * rows * s * Wp])

        self.repeat(C, [px, pp], chan, reserve=2)
        return pp

    def _scratch(self, words: int) -> Buf:
        """A VTCM scratch of `words` f32 past the current kernel's planned buffers."""
        base = -(-self.kernel_vtcm // self.vlen) * self.vlen
        end = base + 4 * words + self.vlen  # a tail load may read one vector past it
        if end > self.t.vtcm_bytes:
            assert self.op is not None
            raise _Unsupported(self.op, f"convert-tile-to-vx: needs a {4 * words}-byte VTCM "
                                        f"scratch past the kernel's {self.kernel_vtcm} planned "
                                        f"bytes; {self.t.name} has {self.t.vtcm_bytes}")
        self.scratch = max(self.scratch, end)
        return Buf("vtcm_arena", base, (words,))

    def _phase_split(self, X: Buf, s: int) -> Buf:
        """Copy X [N, C, H, W] into the scratch as [N, C, H, s, ceil(W/s)]: phase p of a
        row holds its columns p, p+s, p+2s, ... (scalar loads and stores)."""
        N, C, H, W = X.shape
        Wp = -(-W // s)
        scratch = self._scratch(N * C * H * s * Wp)
        P = Buf(scratch.sym, scratch.off, (N, C, H, s, Wp))
        self.repeat(N * C * H, [self.addr(X), self.addr(P)],
                    lambda rr: self._split_row(rr, W, s), reserve=1)
        return P

    # ------------------------------------------------------------------ pool

    def lower_pool(self, op: tile.PoolOp) -> None:
        """Window max/sum: lanes along the last dim, every window position unrolled, outer
        output dims as loops. Strided along the last dim: each output row computed at
        unit stride into a VTCM scratch row and every s-th column copied out (Wo scalar
        copies a row); without room for the scratch, the input split into its phases."""
        X: Buf = self.env[op.x]
        Y: Buf = self.env[op.y]
        win = [int(v) for v in op.window.get_values()]
        st = [int(v) for v in op.strides.get_values()]
        dil = [int(v) for v in op.dilations.get_values()]
        if op.kind.data not in ("max", "sum"):
            raise _Unsupported(op, f"convert-tile-to-vx: cannot lower 'tile.pool' of kind "
                                   f"'{op.kind.data}'")
        comb = vx.VmaxF32Op if op.kind.data == "max" else vx.VaddF32Op
        r = len(X.shape)
        Wi, Wo, s = X.shape[-1], Y.shape[-1], st[-1]
        L, V = self.lanes, self.vlen
        # strided along the last dim: each output row at unit stride into a scratch row,
        # every s-th column copied out (Wo scalar copies a row) -- or, without room for
        # the scratch, the input split into its s phases (Wi copies an input row)
        nsub = -(-((Wo - 1) * s + 1) // L)
        room = self.t.vtcm_bytes - V - -(-self.kernel_vtcm // V) * V
        sub = self._scratch(nsub * L) if s > 1 and nsub * V <= room else None
        s_in = 1 if sub is not None else s  # the column stride the vector code sees
        Wp = -(-Wi // s_in)
        rows = math.prod(X.shape[:-1])
        if s_in > 1:
            X = self._phase_split(replace(X, shape=(1, 1, rows, Wi)), s)  # keeps X.reg
        xrow = s_in * Wp * 4  # bytes per input row (all phases)
        xstr = [0] * r
        n = xrow
        for d in range(r - 2, -1, -1):
            xstr[d] = n
            n *= self.env[op.x].shape[d]
        ystr = list(Y.strides())
        full, tail = divmod(Wo, L)
        y_al = self.aligned(Y, 0, *ystr[:-1])
        taps = []
        for k in np.ndindex(*win):
            off = sum(k[d] * dil[d] * xstr[d] for d in range(r - 1))
            ph, col = divmod(k[-1] * dil[-1], s_in)[::-1]
            taps.append(off + ph * Wp * 4 + col * 4)

        def chunk(cr: list[SSAValue], lanes: int | None, al: bool) -> list[SSAValue]:
            px, py = cr
            acc = self.r(vx.VlduOp(px, taps[0]))
            for t in taps[1:]:
                acc = self.r(comb(acc, self.r(vx.VlduOp(px, t))))
            self.vstore(acc, py, 0, al, lanes)
            return self.bump(cr, [V, V])

        def row(regs: list[SSAValue]) -> list[SSAValue]:
            if sub is not None:  # unit stride into the scratch, every s-th column out
                self.repeat(nsub, [regs[0], self.addr(sub)], lambda c: chunk(c, None, True))
                self.copy_words(Wo, [self.addr(sub), regs[1]], 4 * s, 4)
                return regs
            cr = self.repeat(full, regs, lambda c: chunk(c, None, y_al))
            if tail:
                chunk(cr, tail, y_al)
            return regs

        def nest(regs: list[SSAValue], d: int) -> list[SSAValue]:
            if d == r - 1:
                return row(regs)
            steps = [st[d] * xstr[d], ystr[d]]
            self.repeat(Y.shape[d], regs, lambda rr: (nest(rr, d + 1), self.bump(rr, steps))[1],
                        reserve=1 if full > 1 or sub is not None else 0)
            return regs

        nest([self.addr(X), self.addr(Y)], 0)

    # ------------------------------------------------------------------ transpose

    def lower_transpose(self, op: tile.TransposeOp) -> None:
        """y = transpose(x, perm) as scalar word copies in y order (ld/st: the machine has
        no gather); the last output dim is the inner loop."""
        X: Buf = self.env[op.x]
        Y: Buf = self.env[op.y]
        perm = [int(v) for v in op.perm.get_values()]
        xs, ys = X.strides(), Y.strides()
        r = len(perm)

        def nest(regs: list[SSAValue], d: int) -> list[SSAValue]:
            steps = [xs[perm[d]], ys[d]]
            if d == r - 1:
                self.copy_words(Y.shape[d], regs, *steps)
                return regs
            self.repeat(Y.shape[d], regs, lambda rr: (nest(rr, d + 1), self.bump(rr, steps))[1],
                        reserve=1)
            return regs

        nest([self.addr(X), self.addr(Y)], 0)

    # ------------------------------------------------------------------ map

    def lower_map(self, op: tile.MapOp) -> None:
        out: Buf = self.env[op.output]
        ins: list[Buf] = [self.env[v] for v in op.inputs]
        shape, in_shapes = _collapse(out.shape, [b.shape for b in ins])
        in_strides = [_flat_strides(s, shape) for s in in_shapes]
        out_strides = _flat_strides(shape, shape)
        inner = shape[-1]
        L, V = self.lanes, self.vlen
        consts = self._map_constants(op)
        bcast = [s[-1] == 0 for s in in_strides]  # inner dim broadcast: one vldbc per row
        full, tail = divmod(inner, L)
        al_out = self.aligned(out, 0, *out_strides[:-1])
        al_in = [self.aligned(b, 0, *st[:-1]) for b, st in zip(ins, in_strides, strict=True)]

        def row(regs: list[SSAValue]) -> list[SSAValue]:
            pout, *pins = regs
            splat = [self.r(vx.VldbcOp(p, 0)) if bc else None for p, bc in zip(pins, bcast, strict=True)]

            def chunk(cr: list[SSAValue], lanes: int | None) -> list[SSAValue]:
                qo, *qi = cr
                vals = [s if s is not None else self.vload(q, 0, a)
                        for s, q, a in zip(splat, qi, al_in, strict=True)]
                res = self._map_region(op, vals, consts)
                self.vstore(res, qo, 0, al_out, lanes)
                return self.bump(cr, [V] + [0 if bc else V for bc in bcast])

            cr = self.repeat(full, [pout, *pins], lambda c: chunk(c, None))
            if tail:
                cr = chunk(cr, tail)
            return cr

        # each level hands its pointers on, advanced by what it covered: the outer level
        # bumps them by its stride less that advance, so only one set of pointers is live
        # at a time (a wide fused chain inside a tile loop would otherwise carry one set
        # per loop level and run out of scalar registers)
        chunks = full + (1 if tail else 0)
        row_adv = [chunks * V] + [0 if bc else chunks * V for bc in bcast]

        def nest(regs: list[SSAValue], d: int) -> tuple[list[SSAValue], list[int]]:
            """The pointers after level d's block, and how far it moved them."""
            if d == len(shape) - 1:
                return row(regs), row_adv
            strides = [out_strides[d]] + [s[d] for s in in_strides]
            def body(rr: list[SSAValue]) -> list[SSAValue]:
                moved, inner = nest(rr, d + 1)
                return self.bump(moved, [s - a for s, a in zip(strides, inner, strict=True)])

            out_regs = self.repeat(shape[d], regs, body, reserve=1 if full > 1 else 0)
            return out_regs, [shape[d] * s for s in strides]

        nest([self.addr(out)] + [self.addr(b) for b in ins], 0)

    def _map_constants(self, op: tile.MapOp) -> dict[SSAValue, SSAValue]:
        consts: dict[SSAValue, SSAValue] = {}
        for inner in op.body.block.ops:
            if isinstance(inner, arith.ConstantOp) and isinstance(inner.value, FloatAttr):
                consts[inner.result] = self.r(vx.VsplatiOp.f32(inner.value.value.data))
            elif (isinstance(inner, arith.ConstantOp) and isinstance(inner.value, IntegerAttr)
                  and inner.result.type == i1):  # a predicate: all lanes or none
                on = inner.value.value.data != 0
                consts[inner.result] = self.r(vx.VsetqOp(self.li(self.vlen if on else 0)))
        return consts

    def _map_region(self, op: tile.MapOp, args: list[SSAValue],
                    consts: dict[SSAValue, SSAValue]) -> SSAValue:
        vals: dict[SSAValue, SSAValue] = dict(consts)
        vals.update(zip(op.body.block.args, args, strict=True))
        for inner in op.body.block.ops:
            if isinstance(inner, tile.YieldOp):
                return vals[inner.values[0]]
            if inner.results and inner.results[0] in vals:
                continue
            vals[inner.results[0]] = self._scalar_op(op, inner, [vals[o] for o in inner.operands])
        raise _Unsupported(op, "convert-tile-to-vx: tile.map without tile.yield")

    def _scalar_op(self, map_op: Operation, op: Operation, xs: list[SSAValue]) -> SSAValue:
        binary = {arith.AddfOp: vx.VaddF32Op, arith.SubfOp: vx.VsubF32Op,
                  arith.MulfOp: vx.VmulF32Op, arith.MaximumfOp: vx.VmaxF32Op,
                  arith.MinimumfOp: vx.VminF32Op, arith.MaxnumfOp: vx.VmaxF32Op,
                  arith.MinnumfOp: vx.VminF32Op, arith.DivfOp: vx.DivF32Op}
        unary = {arith.NegfOp: vx.VnegF32Op, mathd.AbsFOp: vx.VabsF32Op,
                 mathd.ExpOp: vx.ExpF32Op, mathd.LogOp: vx.LogF32Op,
                 mathd.TanhOp: vx.TanhF32Op, mathd.ErfOp: vx.ErfF32Op,
                 mathd.SqrtOp: vx.SqrtF32Op, mathd.RsqrtOp: vx.RsqrtF32Op,
                 mathd.SinOp: vx.SinF32Op, mathd.CosOp: vx.CosF32Op, mathd.TanOp: vx.TanF32Op,
                 mathd.AsinOp: vx.AsinF32Op, mathd.AcosOp: vx.AcosF32Op,
                 mathd.AtanOp: vx.AtanF32Op, mathd.SinhOp: vx.SinhF32Op,
                 mathd.CoshOp: vx.CoshF32Op, mathd.AsinhOp: vx.AsinhF32Op,
                 mathd.AcoshOp: vx.AcoshF32Op, mathd.AtanhOp: vx.AtanhF32Op}
        for k, cls in binary.items():
            if isinstance(op, k):
                return self.r(cls(xs[0], xs[1]))
        for k, cls in unary.items():
            if isinstance(op, k):
                return self.r(cls(xs[0]))
        if isinstance(op, mathd.PowFOp):
            return self._powf(map_op, op, xs[0], xs[1])
        if isinstance(op, mathd.TruncOp | mathd.FloorOp | mathd.CeilOp | mathd.RoundEvenOp):
            return self._round(op, xs[0])
        if isinstance(op, mathd.Log1pOp):
            return self._log1p(xs[0])
        if isinstance(op, arith.CmpfOp):
            pred = op.predicate.value.data  # 2 ogt 3 oge 4 olt 5 ole 1 oeq
            a, b = xs
            table = {2: (vx.VcmpgtF32Op, a, b), 3: (vx.VcmpgeF32Op, a, b),
                     4: (vx.VcmpgtF32Op, b, a), 5: (vx.VcmpgeF32Op, b, a),
                     1: (vx.VcmpeqF32Op, a, b), 10: (vx.VcmpgtF32Op, a, b),
                     11: (vx.VcmpgeF32Op, a, b), 12: (vx.VcmpgtF32Op, b, a),
                     13: (vx.VcmpgeF32Op, b, a), 8: (vx.VcmpeqF32Op, a, b)}
            if pred in table:
                cls, x, y = table[pred]
                return self.r(cls(x, y))
            if pred == 6:  # one: a > b or b > a (false for NaN)
                return self.r(vx.QorOp(self.r(vx.VcmpgtF32Op(a, b)),
                                       self.r(vx.VcmpgtF32Op(b, a))))
        if isinstance(op, arith.AndIOp | arith.OrIOp | arith.XOrIOp) and op.result.type == i1:
            a, b = xs  # i1 values are predicates
            if isinstance(op, arith.AndIOp):
                return self.r(vx.QandOp(a, b))
            if isinstance(op, arith.OrIOp):
                return self.r(vx.QorOp(a, b))
            either = self.r(vx.QorOp(a, b))  # (a | b) & !(a & b): 3 predicates live
            return self.r(vx.QandOp(either, self.r(vx.QnotOp(self.r(vx.QandOp(a, b))))))
        if isinstance(op, arith.SelectOp):
            return self.r(vx.VselOp(xs[0], xs[1], xs[2]))
        raise _Unsupported(map_op, f"convert-tile-to-vx: cannot lower '{op.name}' in tile.map")

    def _round(self, op: Operation, x: SSAValue) -> SSAValue:
        """trunc, floor, ceil and round-half-even of f32 lanes, exact: below 2^23 in
        magnitude through an i32 conversion (toward zero) or the 2^23 addition trick,
        with the sign bit of x restored (so -0.5 -> -0.0); from 2^23 on (and for inf,
        NaN) every f32 is already an integer and x is the result."""
        big = self.r(vx.VsplatiOp.f32(8388608.0))
        ax = self.r(vx.VabsF32Op(x))
        small = self.r(vx.VcmpgtF32Op(big, ax))  # |x| < 2^23 (false for NaN)
        sign = self.r(vx.VandOp(x, self.r(vx.VsplatiOp(-(2**31)))))
        if isinstance(op, mathd.RoundEvenOp):  # |x| + 2^23 - 2^23 rounds half to even
            mag = self.r(vx.VsubF32Op(self.r(vx.VaddF32Op(ax, big)), big))
            r = self.r(vx.VorOp(mag, sign))
        else:
            t = self.r(vx.VorOp(self.r(vx.VcvtF32I32Op(self.r(vx.VcvtI32F32Op(x)))), sign))
            one = self.r(vx.VsplatiOp.f32(1.0))
            if isinstance(op, mathd.FloorOp):  # a negative non-integer truncates upward
                r = self.r(vx.VselOp(self.r(vx.VcmpgtF32Op(t, x)),
                                     self.r(vx.VsubF32Op(t, one)), t))
            elif isinstance(op, mathd.CeilOp):
                r = self.r(vx.VselOp(self.r(vx.VcmpgtF32Op(x, t)),
                                     self.r(vx.VaddF32Op(t, one)), t))
            else:
                r = t
        return self.r(vx.VselOp(small, r, x))

    def _log1p(self, x: SSAValue) -> SSAValue:
        """log(1 + x) without losing tiny x: with u = 1 + x, log(u) * x / (u - 1), which
        cancels the rounding of u (Goldberg); x itself where u == 1, u where u is inf."""
        one = self.r(vx.VsplatiOp.f32(1.0))
        u = self.r(vx.VaddF32Op(one, x))
        d = self.r(vx.VsubF32Op(u, one))
        r = self.r(vx.DivF32Op(self.r(vx.VmulF32Op(self.r(vx.LogF32Op(u)), x)), d))
        r = self.r(vx.VselOp(self.r(vx.VcmpeqF32Op(u, one)), x, r))
        inf = self.r(vx.VsplatiOp.f32(float("inf")))
        return self.r(vx.VselOp(self.r(vx.VcmpeqF32Op(u, inf)), u, r))

    def _powf(self, map_op: Operation, op: Operation, a: SSAValue, b: SSAValue) -> SSAValue:
        """a ** b for a constant exponent b: an integer |b| <= 64 by repeated squaring
        (exact for every sign of a, 1/x for negative b), b = +-0.5 as (r)sqrt, any other
        b as exp(b * log(a)) — NaN for a < 0, as IEEE pow of a negative base by a
        non-integer. A computed exponent: `vx.pow.f32` (IEEE signs and special cases)."""
        owner = op.operands[1].owner
        if not (isinstance(owner, arith.ConstantOp) and isinstance(owner.value, FloatAttr)):
            return self.r(vx.PowF32Op(a, b))
        e = float(owner.value.value.data)
        if e == 0.5:
            return self.r(vx.SqrtF32Op(a))
        if e == -0.5:
            return self.r(vx.RsqrtF32Op(a))
        if e.is_integer() and abs(e) <= 64:
            n, acc, base = int(abs(e)), None, a
            while n:
                if n & 1:
                    acc = base if acc is None else self.r(vx.VmulF32Op(acc, base))
                n >>= 1
                if n:
                    base = self.r(vx.VmulF32Op(base, base))
            if acc is None:  # a ** 0 = 1
                return self.r(vx.VsplatiOp.f32(1.0))
            return self.r(vx.RecipF32Op(acc)) if e < 0 else acc
        return self.r(vx.ExpF32Op(self.r(vx.VmulF32Op(b, self.r(vx.LogF32Op(a))))))

    # ------------------------------------------------------------------ reduce

    def lower_reduce(self, op: tile.ReduceOp) -> None:
        x: Buf = self.env[op.x]
        y: Buf = self.env[op.y]
        dims = sorted(int(d) for d in op.dims.get_values())
        kind = op.kind.data
        if kind not in ("add", "max", "mul"):
            raise _Unsupported(op, f"convert-tile-to-vx: cannot lower 'tile.reduce' of kind "
                                   f"'{kind}'")
        # max: -inf, so a row of -inf (a fully masked attention row) reduces to -inf
        ident = {"add": 0.0, "max": -math.inf, "mul": 1.0}[kind]
        comb = {"add": vx.VaddF32Op, "max": vx.VmaxF32Op, "mul": vx.VmulF32Op}[kind]
        if dims != list(range(dims[0], dims[-1] + 1)):
            self._reduce_strided(x, y, dims, comb, ident)
            return
        A = math.prod(x.shape[: dims[0]])
        R = math.prod(x.shape[d] for d in dims)
        Bn = math.prod(x.shape[dims[-1] + 1:])
        L, V = self.lanes, self.vlen
        if Bn == 1:
            self._reduce_rows(x, y, A, R, comb, ident)
            return
        # vertical: y[a, b] = op over r of x[a, r, b], vectors along b
        full, tail = divmod(Bn, L)
        al_x = self.aligned(x, 0, Bn * 4)
        al_y = self.aligned(y, 0, Bn * 4)

        def chunk(regs: list[SSAValue], lanes: int | None) -> list[SSAValue]:
            px, py = regs
            acc = self.vload(px, 0, al_x)

            def step(rr: list[SSAValue]) -> list[SSAValue]:
                q, a = rr
                v = self.vload(q, 0, al_x)
                return [*self.bump([q], [Bn * 4]), self.r(comb(a, v))]

            q1 = self.r(vx.AddiOp(px, Bn * 4))
            _, acc = self.repeat(R - 1, [q1, acc], step)
            self.vstore(acc, py, 0, al_y, lanes)
            return self.bump(regs, [V, V])

        def per_a(regs: list[SSAValue]) -> list[SSAValue]:
            cr = self.repeat(full, regs, lambda c: chunk(c, None))
            if tail:
                chunk(cr, tail)
            return self.bump(regs, [R * Bn * 4, Bn * 4])

        self.repeat(A, [self.addr(x), self.addr(y)], per_a, reserve=1)

    def _reduce_strided(self, x: Buf, y: Buf, dims: list[int], comb: type,
                        ident: float) -> None:
        """A reduce over non-adjacent dims (MVN's [0, 2, 3] of NCHW): x as alternating
        segments of kept and reduced dims (adjacent dims merged). The kept segments are
        loops over the outputs; per output (or vector of outputs, when the last segment is
        kept: vectors along it), loops over the reduced segments accumulate, the last one a
        vector loop with a predicated tail followed by a vror tree when it is innermost."""
        L, V = self.lanes, self.vlen
        segs: list[list[int]] = []  # [size, reduced]
        for d, n in enumerate(x.shape):
            red = int(d in dims)
            if segs and segs[-1][1] == red:
                segs[-1][0] *= n
            else:
                segs.append([n, red])
        strides, acc_b = [], 4
        for n, _ in reversed(segs):
            strides.append(acc_b)
            acc_b *= n
        strides.reverse()
        kept = [(n, st) for (n, r), st in zip(segs, strides, strict=True) if not r]
        red = [(n, st) for (n, r), st in zip(segs, strides, strict=True) if r]
        y_strides, acc_b = [], 4
        for n, _ in reversed(kept):
            y_strides.append(acc_b)
            acc_b *= n
        y_strides.reverse()
        idv = self.r(vx.VsplatiOp.f32(ident))
        lanes_last = not segs[-1][1]  # vectors along the last (kept, contiguous) segment
        # x/y steps of the loops (the lanes' own unit stride is not a step)
        al_x = self.aligned(x, 0, V, *(st for _, st in red + kept[:-1]))
        al_y = self.aligned(y, 0, V, *y_strides[:-1])

        def over(levels: list[tuple[int, int]], regs: list[SSAValue],
                 inner: Callable[[list[SSAValue]], list[SSAValue]],
                 extra: int = 0) -> list[SSAValue]:
            """inner on [q, acc] for every index of `levels` (q stepped, restored after);
            `extra`: loop levels inside `inner`."""
            if not levels:
                return inner(regs)
            n, st = levels[0]

            def body(rr: list[SSAValue]) -> list[SSAValue]:
                q, acc = rr
                _, acc = over(levels[1:], [q, acc], inner, extra)
                return [*self.bump([q], [st]), acc]

            _, acc = self.repeat(n, regs, body, reserve=len(levels) - 1 + extra)
            return [regs[0], acc]

        def load_comb(rr: list[SSAValue]) -> list[SSAValue]:
            q, acc = rr
            return [q, self.r(comb(acc, self.vload(q, 0, al_x)))]

        if lanes_last:
            B = kept[-1][0]
            full, tail = divmod(B, L)

            def chunk(regs: list[SSAValue], lanes: int | None) -> list[SSAValue]:
                px, py = regs
                _, acc = over(red, [px, self.r(vx.VmovOp(idv))], load_comb)
                self.vstore(acc, py, 0, al_y, lanes)
                return self.bump(regs, [V, V])

            def per_out(regs: list[SSAValue]) -> list[SSAValue]:
                cr = self.repeat(full, regs, lambda c: chunk(c, None), reserve=len(red))
                if tail:
                    chunk(cr, tail)
                return regs

            outer = kept[:-1]
            levels = len(red) + (full > 1)  # loop levels inside per_out
        else:
            R = red[-1][0]
            full, q_tail, q_one, shifts = self._lane_reduce_setup(R)

            def row(rr: list[SSAValue]) -> list[SSAValue]:
                q, acc = rr

                def step(sr: list[SSAValue]) -> list[SSAValue]:
                    p, a = sr
                    return [*self.bump([p], [V]), self.r(comb(a, self.r(vx.VlduOp(p, 0))))]

                p, acc = self.repeat(full, [q, acc], step)
                if q_tail is not None:
                    acc = self.r(comb(acc, self.r(vx.VselOp(q_tail, self.r(vx.VlduOp(p, 0)),
                                                           idv))))
                return [q, acc]

            def per_out(regs: list[SSAValue]) -> list[SSAValue]:
                px, py = regs
                _, acc = over(red[:-1], [px, self.r(vx.VmovOp(idv))], row, int(full > 1))
                for s_ in shifts:
                    acc = self.r(comb(acc, self.r(vx.VrorOp(acc, s_))))
                old = self.r(vx.VlduOp(py, 0))
                self.emit(vx.VstuOp(self.r(vx.VselOp(q_one, acc, old)), py, 0))
                return regs

            outer = kept
            levels = len(red) - 1 + (full > 1)

        def nest(regs: list[SSAValue], k: int) -> list[SSAValue]:
            if k == len(outer):
                return per_out(regs)
            n, st = outer[k]
            self.repeat(n, regs, lambda rr: self.bump(nest(rr, k + 1), [st, y_strides[k]]),
                        reserve=len(outer) - k - 1 + levels)
            return regs

        nest([self.addr(x), self.addr(y)], 0)

    def _lane_reduce_setup(self, R: int) -> tuple[int, SSAValue | None, SSAValue, list[SSAValue]]:
        """For reducing R contiguous words: full vectors, the predicate of the partial
        last one (None without), the one-lane store predicate and the vror shift amounts
        of the horizontal tree (V/2 .. 4 bytes)."""
        full, tail = divmod(R, self.lanes)
        q_tail = self.r(vx.VsetqOp(self.li(tail * 4))) if tail else None
        q_one = self.r(vx.VsetqOp(self.li(4)))
        shifts = []
        sh = self.vlen // 2
        while sh >= 4:
            shifts.append(self.li(sh))
            sh //= 2
        return full, q_tail, q_one, shifts

    def _reduce_rows(self, x: Buf, y: Buf, rows: int, R: int, comb: type, ident: float) -> None:
        """y[a] = reduce over r < R of x[a, r]: vector accumulation, then a vror tree."""
        V = self.vlen
        al_x = self.aligned(x, 0, R * 4)
        idv = self.r(vx.VsplatiOp.f32(ident))
        full, q_tail, q_one, shifts = self._lane_reduce_setup(R)

        def row(regs: list[SSAValue]) -> list[SSAValue]:
            px, py = regs

            def step(rr: list[SSAValue]) -> list[SSAValue]:
                q, a = rr
                return [*self.bump([q], [V]), self.r(comb(a, self.vload(q, 0, al_x)))]

            q, acc = self.repeat(full, [px, self.r(vx.VmovOp(idv))], step)
            if q_tail is not None:
                v = self.r(vx.VselOp(q_tail, self.vload(q, 0, al_x), idv))
                acc = self.r(comb(acc, v))
            for sh in shifts:
                acc = self.r(comb(acc, self.r(vx.VrorOp(acc, sh))))
            old = self.r(vx.VlduOp(py, 0))
            self.emit(vx.VstuOp(self.r(vx.VselOp(q_one, acc, old)), py, 0))
            return self.bump(regs, [R * 4, 4])

        self.repeat(rows, [self.addr(x), self.addr(y)], row, reserve=1 if full > 1 else 0)


def _int_op(op: Operation, a: int, b: int) -> int:
    if isinstance(op, arith.AddiOp):
        return a + b
    if isinstance(op, arith.SubiOp):
        return a - b
    if isinstance(op, arith.MuliOp):
        return a * b
    if isinstance(op, arith.DivUIOp):
        return a // b
    if isinstance(op, arith.RemUIOp):
        return a % b
    if isinstance(op, arith.AndIOp):
        return int(a) & int(b)
    if isinstance(op, arith.OrIOp):
        return int(a) | int(b)
    assert isinstance(op, arith.CmpiOp)
    pred = op.predicate.value.data
    return int({0: a == b, 1: a != b, 2: a < b, 3: a <= b, 4: a > b, 5: a >= b,
                6: a < b, 7: a <= b, 8: a > b, 9: a >= b}[pred])


def _carried(first_use: Sequence[int], classes: Sequence[str], t: Target) -> list[bool]:
    """Which loads of a software-pipelined loop body to issue in the iteration before:
    those that, issued at the body's start in order of first use at the target's load
    throughput, would land after the body's FMAs reach their first use (`first_use`: the
    index of the first reader in the body's multiply-adds, issued `mpy` units a packet).
    The others load in the body itself and hold no register across the back edge."""
    def per_packet(klass: str) -> int:
        return min(t.units(r) // n for r, n in t.class_resources[klass].items() if n > 0)

    fmas = per_packet("vmpy")
    used = 0.0  # packets of load throughput taken by the loads kept in the body
    out: list[tuple[int, bool]] = []
    for i in sorted(range(len(first_use)), key=lambda i: first_use[i]):
        late = int(used) + t.latency_of(classes[i]) > first_use[i] // fmas
        out.append((i, late))
        if not late:
            used += 1 / per_packet(classes[i])
    return [late for _, late in sorted(out)]


def _dma_guard(op: scf.IfOp) -> bool:
    """An `scf.if` whose then-region only starts DMAs (index arithmetic, selects of buffers
    and `tile.dma_start`) and whose else-region only yields: a prefetch guard. When it is
    false in a loop iteration, the lowering issues its transfers with zero bytes instead
    (the same code as the iterations where it is true, and the same transfer count for
    the `dmawait`s that follow)."""
    then_ok = all(
        isinstance(o, scf.YieldOp | tile.DmaStartOp | arith.SelectOp | arith.ConstantOp)
        or (o.dialect_name() == "arith" and not o.regions)
        for blk in op.true_region.blocks for o in blk.ops)
    else_ok = all(isinstance(o, scf.YieldOp) for blk in op.false_region.blocks for o in blk.ops)
    return then_ok and else_ok and any(
        isinstance(o, tile.DmaStartOp) for blk in op.true_region.blocks for o in blk.ops)


def _kernel_levels(op: tile.ForOp) -> int:
    """Hardware-loop levels the compute ops in a loop body want for themselves: two for the
    register-blocked kernels (rows/columns and the reduction), one for 1-D streams. The
    outer `tile.for` only becomes a hardware loop when that many levels remain: a kernel
    whose inner loops unroll costs far more code than straight-line tile iterations."""
    need = 0
    for inner in op.walk():
        if isinstance(inner, tile.ConvOp | tile.MatmulOp | tile.PoolOp | tile.ReduceOp
                      | tile.TransposeOp):
            need = max(need, 2)
        elif isinstance(inner, tile.MapOp | tile.FillOp):
            out = inner.output.type
            assert isinstance(out, MemRefType)
            need = max(need, 2 if sum(d > 1 for d in out.get_shape()) > 1 else 1)
        elif isinstance(inner, tile.DmaStartOp):
            need = max(need, 1)
    return need


def _best_period(
    sigs: Sequence[int], addrs: Sequence[Sequence[tuple[str, int]]], total: int,
    max_period: int = 4,
) -> tuple[int, int, int] | None:
    """(start, period, count) of the longest run of iterations that repeats every
    `period` iterations, each address either affine in the period index or alternating
    between two values (double buffers: see `_slot_kinds`); None when no run repeats
    twice. Shorter periods win ties."""
    n = len(sigs)
    best: tuple[int, int, int] | None = None
    for period in range(1, min(max_period, n // 2) + 1):
        for start in range(min(3, n - 2 * period + 1)):
            base = [addrs[start + p] for p in range(period)]
            nxt = [addrs[start + period + p] for p in range(period)]
            ok = all(
                sigs[start + period + p] == sigs[start + p]
                and [s for s, _ in nxt[p]] == [s for s, _ in base[p]]
                for p in range(period)
            )
            if not ok:
                continue
            count = 2
            alt: list[list[bool]] = []  # per phase and address: alternating (ping-pong)
            while start + (count + 1) * period <= n:
                k = count
                good = True
                for p in range(period):
                    i = start + k * period + p
                    if sigs[i] != sigs[start + p] or len(addrs[i]) != len(base[p]):
                        good = False
                        break
                    if k == 2:  # the third period decides: affine or ping-pong
                        alt.append([o == o0 != o1 for (_, o), (_, o0), (_, o1)
                                    in zip(addrs[i], base[p], nxt[p], strict=True)])
                    if any(
                        s != s0 or o != ((o0 if k % 2 == 0 else o1) if a else o0 + k * (o1 - o0))
                        for (s, o), (s0, o0), (_, o1), a
                        in zip(addrs[i], base[p], nxt[p], alt[p], strict=True)
                    ):
                        good = False
                        break
                if not good:
                    break
                count += 1
            cover = count * period
            if 2 * cover < total and start + cover + period <= n:
                continue  # mostly irregular: a loop would not pay for its prologue
            if best is None or cover > best[1] * best[2]:
                best = (start, period, count)
    return best


def _slot_kinds(
    addrs: Sequence[Sequence[tuple[str, int]]], start: int, period: int, count: int
) -> list[tuple[str, int, int]]:
    """Per address of one period of the run: ("inv", off, 0), ("aff", off, delta) or
    ("alt", off, other) when it alternates between two offsets from period to period
    (a ping-pong buffer: carried in two registers that swap at the back-edge)."""
    first = [a for i in range(start, start + period) for a in addrs[i]]
    second = [a for i in range(start + period, start + 2 * period) for a in addrs[i]]
    third = ([a for i in range(start + 2 * period, start + 3 * period) for a in addrs[i]]
             if count >= 3 else second)
    out = []
    for (_, o0), (_, o1), (_, o2) in zip(first, second, third, strict=True):
        if o1 == o0:
            out.append(("inv", o0, 0))
        elif count >= 3 and o2 == o0:
            out.append(("alt", o0, o1))
        else:
            out.append(("aff", o0, o1 - o0))
    return out


# --------------------------------------------------------------------------- the pass


def _squeeze(ranges: Sequence[tuple[int, int]], align: int = 1024) -> Callable[[int], int]:
    """offset -> how far to move it down so that the gaps between the merged `ranges`
    disappear (each gap shrinks to a multiple of `align` less than it, keeping every
    offset's alignment)."""
    merged: list[list[int]] = []
    for lo, hi in sorted(ranges):
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    starts, shifts, cut, end = [], [], 0, 0
    for lo, hi in merged:
        cut += (lo - end) // align * align
        starts.append(lo)
        shifts.append(cut)
        end = hi

    def shift(off: int) -> int:
        import bisect

        k = bisect.bisect_right(starts, off) - 1
        return shifts[k] if k >= 0 else 0

    return shift


def _io_type(typ: MemRefType) -> TensorType[Any]:
    return TensorType(typ.get_element_type(), list(typ.get_shape()))


@dataclass(frozen=True)
class ConvertTileToVxPass(ModulePass):
    """Lower planned tile IR to vx instructions on virtual registers (see module docs).

    Input invariant: output of `tile-plan-memory` (one `func.func @main`).
    Output IR: `vx.data`/`vx.io` symbols and one `vx.func @main` (virtual registers, math
    pseudo-ops); unlowerable ops fail the pass with a located diagnostic naming them.
    """

    name = "convert-tile-to-vx"

    target: str = "vx128"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        funcs = [f for f in op.ops if isinstance(f, func.FuncOp)]
        if len(funcs) != 1:
            raise _error(op, f"convert-tile-to-vx: expected one func.func, got {len(funcs)}")
        fn = funcs[0]
        tgt = load_target(self.target)
        data: list[Operation] = []
        io: list[Operation] = []
        syms: dict[SSAValue, Buf] = {}
        taken: set[str] = {"main", "dram_arena", "vtcm_arena", "vtcm_scratch"}
        outs: list[tuple[str, SSAValue]] = []
        for k, arg in enumerate(fn.body.block.args):
            typ = arg.type
            assert isinstance(typ, MemRefType)
            attrs = fn.arg_attrs.data[k].data if fn.arg_attrs is not None else {}
            oname = attrs.get("tile.output")
            iname = attrs.get("nn.name")
            name = (oname or iname or StringAttr(f"arg{k}"))
            assert isinstance(name, StringAttr)
            sym = _symbol(name.data, taken)
            nbytes = 4 * max(1, math.prod(typ.get_shape()))
            data.append(vx.DataOp(sym, "dram", nbytes))
            kind = "output" if oname is not None else "input"
            io.append(vx.IoOp(kind, sym, _io_type(typ)))
            syms[arg] = Buf(sym, 0, tuple(typ.get_shape()))
        dram = 0
        vtcm = 0
        for inner in fn.walk():  # the lowering assumes 4-byte f32 elements throughout
            for res in (*inner.results, *[a for r in inner.regions for b in r.blocks
                                          for a in b.args]):
                typ = res.type
                if isinstance(typ, MemRefType) and typ.get_element_type() != f32:
                    raise _error(inner, f"convert-tile-to-vx: expected f32 buffers, got "
                                        f"{typ.get_element_type()} ({inner.name})")
        for k, arg in enumerate(fn.body.block.args):
            typ = arg.type
            if isinstance(typ, MemRefType) and typ.get_element_type() != f32:
                raise _error(fn, f"convert-tile-to-vx: expected f32 buffers, got "
                                 f"{typ.get_element_type()} (argument {k})")
        # tile-plan-memory's DRAM plan also places the weights and the program inputs and
        # outputs; here those are symbols of their own, so @dram_arena keeps only the
        # activations: the plan's address ranges no DRAM alloc uses are squeezed out
        # (overlaps, hence the reuse by liveness, are kept; VGG-19's image was 1.2 GB)
        dram_shift = _squeeze([(a.offset.value.data,
                                a.offset.value.data + 4 * math.prod(a.result.type.get_shape()))
                               for a in fn.walk() if isinstance(a, tile.AllocOp)
                               and a.offset is not None
                               and tile.space_of(a.result.type) != tile.VTCM])
        for inner in fn.walk():
            if isinstance(inner, tile.ConstantOp):
                typ = inner.result.type
                assert isinstance(typ, MemRefType)
                if typ.get_element_type() != inner.value.get_type().get_element_type():
                    raise _error(inner, "convert-tile-to-vx: constant element type mismatch")
                handle = getattr(inner.value, "resource_handle", None)
                sym = _symbol(handle.data if handle is not None else "const", taken)
                data.append(vx.DataOp(sym, "dram", init=inner.value))
                syms[inner.result] = Buf(sym, 0, tuple(typ.get_shape()))
            elif isinstance(inner, tile.AllocOp):
                typ = inner.result.type
                assert isinstance(typ, MemRefType)
                off = inner.offset.value.data if inner.offset is not None else None
                if off is None:
                    raise _error(inner, "convert-tile-to-vx: expected a planned offset (run tile-plan-memory)")
                space = tile.space_of(typ)
                end = off + 4 * math.prod(typ.get_shape())
                if space == tile.VTCM:
                    vtcm = max(vtcm, end)
                    syms[inner.result] = Buf("vtcm_arena", off, tuple(typ.get_shape()))
                else:
                    shift = dram_shift(off)
                    dram = max(dram, end - shift)
                    syms[inner.result] = Buf("dram_arena", off - shift, tuple(typ.get_shape()))
        if dram:
            data.append(vx.DataOp("dram_arena", "dram", dram))
        # one spare vector past the end: tail loads may read (never use) it
        arena = vx.DataOp("vtcm_arena", "vtcm", vtcm + tgt.vlen_bytes)
        data.append(arena)
        low = _Lowerer(tgt, syms)
        low.vtcm_plan = vtcm
        try:
            low.run_block(fn.body.block)
        except _Unsupported as e:
            raise _error(e.op, str(e)) from None
        arena.size = IntegerAttr(max(arena.size.value.data, low.scratch), i32)
        low.loc = fn.location
        low.emit(vx.HaltOp())
        vfunc = vx.FuncOp("main", low.block)
        fn.detach()
        fn.erase(safe_erase=False)
        for d in (*data, *io, vfunc):
            op.body.block.add_op(d)
        op.attributes["vx.target"] = StringAttr(tgt.name)
