"""The reference simulator: docs/isa_spec.md written out plainly in Python (the oracle).

Slow (a few hundred thousand instructions per second) and obvious; `sim_fast` must agree
with it bit for bit: register and memory contents, cycle counts and every statistic.

The timing model, exactly (both simulators):

  A packet arriving at cycle t issues at t3, where
    t1 = max(t, ready[r] for every source register r of the packet)      stall: dependency
    t2 = first time >= t1 with at most n outstanding DMA transfers, where n is the
         `dmawait` immediate, and at most max_outstanding - k for k transfers started
         by the packet                                                  stall: dma_wait
    t3 = max(t2, dram_free) if the packet accesses DRAM                  stall: dram_bandwidth
  then dram_free = t3 + ceil(packet DRAM bytes / dram_bytes_per_cycle); each destination
  register is ready at t3 + latency (loads: vld_dram from DRAM, vld_vtcm / sld from VTCM);
  the next packet arrives at t3 + 1 (+ branch_taken if a branch is taken: stall "branch").
  A DMA transfer of B bytes started by the packet goes to the engine free first: start =
  max(t3, engine_free), done = start + setup + ceil(B / min(dram_bpc, vtcm_bpc)); if it
  touches DRAM (D bytes: B per DRAM side) it reserves the port from max(dram_free,
  start + setup) for ceil(D / dram_bpc) cycles and is done no earlier than that.
  `halt` waits for all transfers (stall: dma_wait). Every cycle is charged to the source
  tag of the packet that issues or stalls in it.

Inside a packet, instructions run in the encoded execution order (`isa.packet_schedule`):
register writes are buffered until the packet ends, loads read memory before stores
write it, DMA copies come last, and the first faulting instruction in that order traps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from vexa.runtime.isa import (
    BY_OPCODE,
    CLASS_ID,
    CLASSES,
    F_A,
    F_B,
    F_C,
    F_D,
    F_EXEC,
    F_IMM,
    F_LABEL,
    F_OP,
    F_TAG,
    Program,
)
from vexa.runtime.stats import (
    C,
    N_COUNTERS,
    TRAP_BUDGET,
    TRAP_DMA_OOB,
    TRAP_LOOP_OVERFLOW,
    TRAP_MISALIGNED,
    TRAP_NONE,
    TRAP_OOB,
)
from vexa.runtime.target import Target

CANON_NAN = np.uint32(0x7FC00000)
I32_MIN, I32_MAX = -(2**31), 2**31 - 1


def wrap(x: int) -> int:
    """Python int -> signed 32-bit two's complement value."""
    return ((x + 2**31) & 0xFFFFFFFF) - 2**31


@dataclass
class RawResult:
    """What a simulator run returns (before the wrapper builds SimStats / Trap)."""

    trap: tuple[int, int, int, int, int]  # code, instruction index, address, bytes, extra
    counters: np.ndarray
    by_class: np.ndarray
    tag_cycles: np.ndarray
    regs: np.ndarray  # int32 scalar registers
    vregs: np.ndarray  # uint8 (vregs, vlen)
    qregs: np.ndarray  # uint8 (qregs, vlen), 0/1 per byte
    extra: dict = field(default_factory=dict)


class _Fault(Exception):
    def __init__(self, code: int, addr: int = 0, nbytes: int = 0, extra: int = 0) -> None:
        self.code, self.addr, self.nbytes, self.extra = code, addr, nbytes, extra


def _canon(r: np.ndarray) -> np.ndarray:
    """f32 result with every NaN replaced by the canonical quiet NaN 0x7fc00000."""
    r = np.asarray(r, dtype=np.float32)
    bits = r.view(np.uint32).copy()
    bits[np.isnan(r)] = CANON_NAN
    return bits.view(np.uint8)


def _estimate(x: np.ndarray, rsqrt: bool) -> np.ndarray:
    with np.errstate(all="ignore"):
        x64 = x.astype(np.float64)
        if rsqrt:
            r64 = np.where(x64 < 0, np.nan, 1.0 / np.sqrt(np.abs(x64)) * np.where(
                np.signbit(x64) & (x64 == 0), -1.0, 1.0))
        else:
            r64 = 1.0 / x64
        r = r64.astype(np.float32)
    bits = r.view(np.uint32).copy()
    bits[np.isnan(r)] = CANON_NAN
    bits &= np.uint32(0xFFFFF000)
    return bits.view(np.uint8)


class ReferenceMachine:
    """One run of one program: state, the interpreter loop and the timing model."""

    def __init__(self, prog: Program, target: Target, dram: np.ndarray, vtcm: np.ndarray,
                 timing: bool = True, max_instructions: int = 10**10) -> None:
        self.p, self.t = prog, target
        self.code = prog.code
        self.dram, self.vtcm = dram, vtcm
        self.timing = timing
        self.max_instr = max_instructions
        self.vlen = target.vlen_bytes
        self.R = [0] * target.gprs
        self.V = np.zeros((target.vregs, self.vlen), dtype=np.uint8)
        self.Q = np.zeros((target.qregs, self.vlen), dtype=np.uint8)
        nreg = target.gprs + target.vregs + target.qregs
        self.ready = [0] * nreg
        self.cnt = np.zeros(N_COUNTERS, dtype=np.int64)
        self.by_class = np.zeros(len(CLASSES), dtype=np.int64)
        self.tag_cycles = np.zeros(max(len(prog.tags), 1), dtype=np.int64)
        self.dram_free = 0
        self.engine_free = [0] * target.dma.engines
        self.dma_done: list[int] = []
        self.desc = (0, 0, 0)
        self.loops: list[list[int]] = []  # [start packet, end packet, remaining]
        self.starts = prog.packet_starts()

    # ------------------------------------------------------------------ memory
    def region(self, addr: int, n: int, align: int, code: int = TRAP_OOB) -> tuple[np.ndarray, int]:
        """(memory array, offset) of [addr, addr+n), or a fault."""
        if align > 1 and addr % align:
            raise _Fault(TRAP_MISALIGNED, addr, n, align)
        if addr + n <= len(self.dram):
            return self.dram, addr
        base = self.t.vtcm_base
        if addr >= base and addr + n <= base + len(self.vtcm):
            return self.vtcm, addr - base
        raise _Fault(code, addr, n, 0)

    def touch(self, mem: np.ndarray, off: int, n: int, write: bool) -> bool:
        """Count bytes; returns True for DRAM."""
        if mem is self.dram:
            self.cnt[C["dram_write" if write else "dram_read"]] += n
            return True
        self.cnt[C["vtcm_write" if write else "vtcm_read"]] += n
        if n:
            self.cnt[C["vtcm_high_water"]] = max(self.cnt[C["vtcm_high_water"]], off + n)
        return False

    # ------------------------------------------------------------------ run
    def run(self) -> RawResult:
        trap = (TRAP_NONE, 0, 0, 0, 0)
        try:
            self.loop()
        except _Fault as f:
            trap = (f.code, self.cur, f.addr, f.nbytes, f.extra)
        return RawResult(trap, self.cnt, self.by_class, self.tag_cycles,
                         np.array(self.R, dtype=np.int64).astype(np.int32), self.V, self.Q)

    def loop(self) -> None:
        t = self.t
        pc = 0
        now = 0
        while True:
            a, b = int(self.starts[pc]), int(self.starts[pc + 1])
            self.cur = a
            n = b - a
            if self.cnt[C["instructions"]] + n > self.max_instr:
                raise _Fault(TRAP_BUDGET)
            order = sorted(range(a, b), key=lambda i: int(self.code[i, F_EXEC]))
            tag = int(self.code[a, F_TAG])
            # --- functional part, execution order, register writes buffered
            self.pending: list[tuple[int, int, object]] = []  # (file, reg, value)
            self.lat: list[tuple[int, int]] = []  # (unified reg, latency)
            self.srcs: list[int] = []
            self.dram_bytes = 0
            self.transfers: list[tuple[int, int]] = []  # (bytes, dram-side bytes)
            self.wait_n = -1
            self.next_pc = pc + 1
            self.halt = False
            self.taken = False
            for i in order:
                self.cur = i
                self.execute(i, pc)
            for file, reg, val in self.pending:
                if file == 0:
                    self.R[reg] = val  # type: ignore[assignment]
                elif file == 1:
                    self.V[reg] = val  # type: ignore[index]
                else:
                    self.Q[reg] = val  # type: ignore[index]
            for i in range(a, b):
                self.by_class[CLASS_ID[BY_OPCODE[int(self.code[i, F_OP])].klass]] += 1
            self.cnt[C["instructions"]] += n
            self.cnt[C["packets"]] += 1
            # --- timing
            if self.timing:
                t1 = max([now] + [self.ready[r] for r in self.srcs])
                t2 = t1
                if self.wait_n >= 0:
                    t2 = self.at_most(t2, self.wait_n)
                if self.transfers:
                    t2 = self.at_most(t2, t.dma.max_outstanding - len(self.transfers))
                t3 = max(t2, self.dram_free) if self.dram_bytes else t2
                if self.dram_bytes:
                    self.dram_free = t3 + math.ceil(self.dram_bytes / t.dram_bytes_per_cycle)
                self.cnt[C["stall_dependency"]] += t1 - now
                self.cnt[C["stall_dma_wait"]] += t2 - t1
                self.cnt[C["stall_dram_bandwidth"]] += t3 - t2
                for reg, lat in self.lat:
                    self.ready[reg] = t3 + lat
                for nbytes, dram_side in self.transfers:
                    self.start_transfer(t3, nbytes, dram_side)
                nxt = t3 + 1
                if self.taken:
                    nxt += t.latency.branch_taken
                    self.cnt[C["stall_branch"]] += t.latency.branch_taken
                if self.halt:
                    drain = max([nxt] + self.dma_done)
                    self.cnt[C["stall_dma_wait"]] += drain - nxt
                    nxt = drain
            else:
                nxt = now + 1
            self.tag_cycles[tag] += nxt - now
            now = nxt
            if self.halt:
                self.cnt[C["cycles"]] = now
                return
            # --- control: hardware loops close when execution reaches their end label
            nxt_pc = self.next_pc
            while self.loops and nxt_pc == self.loops[-1][1]:
                top = self.loops[-1]
                top[2] -= 1
                if top[2] > 0:
                    nxt_pc = top[0]
                    break
                self.loops.pop()
            pc = nxt_pc
            self.cnt[C["cycles"]] = now

    def at_most(self, t: int, n: int) -> int:
        """Earliest time >= t with at most n DMA transfers outstanding."""
        out = sorted((d for d in self.dma_done if d > t), reverse=True)
        self.dma_done = out
        if len(out) <= n:
            return t
        return out[n]

    def start_transfer(self, issue: int, nbytes: int, dram_side: int) -> None:
        t = self.t
        e = min(range(len(self.engine_free)), key=lambda k: (self.engine_free[k], k))
        start = max(issue, self.engine_free[e])
        done = start + t.dma.setup_cycles + math.ceil(
            nbytes / min(t.dram_bytes_per_cycle, t.vtcm_bytes_per_cycle))
        if dram_side:
            s = max(self.dram_free, start + t.dma.setup_cycles)
            self.dram_free = s + math.ceil(dram_side / t.dram_bytes_per_cycle)
            done = max(done, self.dram_free)
        self.engine_free[e] = done
        self.dma_done.append(done)

    # ------------------------------------------------------------------ instructions
    def src(self, file: int, reg: int) -> None:
        t = self.t
        self.srcs.append(reg + (0, t.gprs, t.gprs + t.vregs)[file])

    def write(self, file: int, reg: int, val: object, lat: int) -> None:
        t = self.t
        self.pending.append((file, reg, val))
        self.lat.append((reg + (0, t.gprs, t.gprs + t.vregs)[file], lat))

    def execute(self, i: int, pc: int) -> None:  # noqa: C901 - one case per opcode
        row = self.code[i]
        d = BY_OPCODE[int(row[F_OP])]
        m = d.mnemonic
        A, B, Cc, D, imm = (int(row[F_A]), int(row[F_B]), int(row[F_C]), int(row[F_D]),
                            int(row[F_IMM]))
        t = self.t
        R, V, Q = self.R, self.V, self.Q
        # source registers for the scoreboard, from the operand kinds
        regs = iter((A, B, Cc, D))
        for kind in d.operands:
            if kind in ("rs",):
                self.src(0, next(regs))
            elif kind in ("vs", "vacc"):
                self.src(1, next(regs))
            elif kind == "qs":
                self.src(2, next(regs))
            elif kind in ("rd", "vd", "qd"):
                next(regs)
        lat_s, lat_v = t.latency.salu, t.latency.valu
        k = d.klass
        if k == "salu":
            x, y = R[B], R[Cc]
            if m == "li":
                r = imm
            elif m == "mov":
                r = R[B]
            elif m in ("add", "sub", "mul", "and", "or", "xor", "min", "max", "slt", "sltu",
                       "shl", "shr", "sra"):
                r = {"add": lambda: x + y, "sub": lambda: x - y, "mul": lambda: x * y,
                     "and": lambda: x & y, "or": lambda: x | y, "xor": lambda: x ^ y,
                     "min": lambda: min(x, y), "max": lambda: max(x, y),
                     "slt": lambda: int(x < y),
                     "sltu": lambda: int((x & 0xFFFFFFFF) < (y & 0xFFFFFFFF)),
                     "shl": lambda: x << (y & 31), "shr": lambda: (x & 0xFFFFFFFF) >> (y & 31),
                     "sra": lambda: x >> (y & 31)}[m]()
            else:
                y = imm
                r = {"addi": lambda: x + y, "muli": lambda: x * y, "andi": lambda: x & y,
                     "ori": lambda: x | y, "xori": lambda: x ^ y, "shli": lambda: x << y,
                     "shri": lambda: (x & 0xFFFFFFFF) >> y, "srai": lambda: x >> y,
                     "slti": lambda: int(x < y)}[m]()
            self.write(0, A, wrap(r), lat_s)
            return
        if k in ("sld", "sst"):
            addr = (R[B] + imm) & 0xFFFFFFFF
            mem, off = self.region(addr, 4, 4)
            is_dram = self.touch(mem, off, 4, k == "sst")
            if is_dram:
                self.dram_bytes += 4
            if k == "sld":
                val = int(mem[off:off + 4].view("<i4")[0])
                self.write(0, A, val, t.latency.vld_dram if is_dram else t.latency.sld)
            else:
                mem[off:off + 4] = np.array([R[A]], dtype="<i4").view(np.uint8)
            return
        if k in ("branch", "loop"):
            if m == "halt":
                self.halt = True
            elif m == "j":
                self.next_pc, self.taken = D, True
            elif m in ("beq", "bne", "blt", "bge"):
                x, y = R[A], R[B]
                cond = {"beq": x == y, "bne": x != y, "blt": x < y, "bge": x >= y}[m]
                if cond:
                    self.next_pc, self.taken = D, True
            else:
                count = imm if m == "loopi" else R[A]
                if count <= 0:
                    self.next_pc = D
                else:
                    if len(self.loops) >= t.loop_depth:
                        raise _Fault(TRAP_LOOP_OVERFLOW)
                    self.loops.append([pc + 1, D, count])
            return
        if k in ("vld", "vldu", "vst"):
            addr = (R[B] + imm) & 0xFFFFFFFF
            if m == "vldbc":
                mem, off = self.region(addr, 4, 4)
                n = 4
            else:
                n = self.vlen
                mem, off = self.region(addr, n, 1 if m in ("vldu", "vstu") else n)
            store = k == "vst"
            if self.touch(mem, off, n, store):
                self.dram_bytes += n
            lat = t.latency.vld_dram if mem is self.dram else t.latency.vld_vtcm
            if m == "vldbc":
                self.write(1, A, np.tile(mem[off:off + 4], self.vlen // 4), lat)
            elif not store:
                self.write(1, A, mem[off:off + n].copy(), lat)
            elif m == "vstq":
                sel = Q[Cc].astype(bool)
                mem[off:off + n][sel] = V[A][sel]
            else:
                mem[off:off + n] = V[A]
            return
        if k == "vxfer":
            self.write(0, A, int(V[B].view("<i4")[imm]), t.latency.vxfer)
            return
        if k == "dma":
            self.dma(m, A, B, Cc, imm)
            return
        lat = lat_v if k == "valu" else t.latency.vmpy
        if m.startswith(("vcmp", "vsetq", "qand", "qor", "qnot")):
            self.write(2, A, self.predicate(m, B, Cc), lat)
            return
        self.write(1, A, self.vector(m, A, B, Cc, imm), lat)

    def predicate(self, m: str, B: int, Cc: int) -> np.ndarray:
        V, Q = self.V, self.Q
        if m == "vsetq":
            n = self.R[B]
            return (np.arange(self.vlen) < n).astype(np.uint8)
        if m == "qand":
            return Q[B] & Q[Cc]
        if m == "qor":
            return Q[B] | Q[Cc]
        if m == "qnot":
            return (1 - Q[B]).astype(np.uint8)
        if m.endswith(".f32"):
            a, b = V[B].view("<f4"), V[Cc].view("<f4")
        else:
            a, b = V[B].view("<i4"), V[Cc].view("<i4")
        with np.errstate(invalid="ignore"):
            cond = {"vcmpgt": a > b, "vcmpge": a >= b, "vcmpeq": a == b}[m.split(".")[0]]
        return np.repeat(cond, 4).astype(np.uint8)

    def vector(self, m: str, A: int, B: int, Cc: int, imm: int) -> np.ndarray:  # noqa: C901
        V = self.V
        # operands B/C are vector registers for most ops (scalar for vsplat/vror's rs):
        # views of a register that the op does not read are never used
        va, vb = V[B % len(V)], V[Cc % len(V)]
        fa, fb = va.view("<f4"), vb.view("<f4")
        ia, ib = va.view("<i4"), vb.view("<i4")
        with np.errstate(all="ignore"):
            if m == "vadd.f32":
                return _canon(fa + fb)
            if m == "vsub.f32":
                return _canon(fa - fb)
            if m == "vmul.f32":
                return _canon(fa * fb)
            if m == "vfma.f32":
                acc = V[A].view("<f4")
                return _canon(acc + (fa * fb).astype(np.float32))
            if m in ("vmax.f32", "vmin.f32"):
                pick = fa > fb if m == "vmax.f32" else fa < fb
                return _canon(np.where(np.isnan(fa) | np.isnan(fb), np.float32(np.nan),
                                       np.where(pick, fa, fb)).astype(np.float32))
            if m == "vrecip.f32":
                return _estimate(fa, rsqrt=False)
            if m == "vrsqrt.f32":
                return _estimate(fa, rsqrt=True)
            if m in ("vadd.i32", "vsub.i32", "vmul.i32"):
                a64, b64 = ia.astype(np.int64), ib.astype(np.int64)
                r = {"vadd.i32": a64 + b64, "vsub.i32": a64 - b64, "vmul.i32": a64 * b64}[m]
                return (r & 0xFFFFFFFF).astype(np.uint32).view(np.uint8)
            if m == "vmax.i32":
                return np.maximum(ia, ib).view(np.uint8)
            if m == "vmin.i32":
                return np.minimum(ia, ib).view(np.uint8)
            if m == "vand":
                return va & vb
            if m == "vor":
                return va | vb
            if m == "vxor":
                return va ^ vb
            if m == "vshli.i32":
                return ((ia.view(np.uint32).astype(np.uint64) << imm) & 0xFFFFFFFF).astype(
                    np.uint32).view(np.uint8)
            if m == "vshri.i32":
                return (ia.view(np.uint32) >> np.uint32(imm)).view(np.uint8)
            if m == "vsrai.i32":
                return (ia >> np.int32(imm)).view(np.uint8)
            if m == "vmov":
                return va.copy()
            if m in ("vsplat", "vsplati"):
                val = self.R[B] if m == "vsplat" else imm
                return np.full(self.vlen // 4, val, dtype="<i4").view(np.uint8)
            if m == "vcvt.f32.i32":
                return ia.astype(np.float32).view(np.uint8)
            if m == "vcvt.i32.f32":
                x = fa.astype(np.float64)
                r = np.where(np.isnan(x), 0, np.clip(np.trunc(np.nan_to_num(x)), I32_MIN, I32_MAX))
                return r.astype(np.int64).astype("<i4").view(np.uint8)
            if m == "vabs.f32":
                return (ia.view(np.uint32) & np.uint32(0x7FFFFFFF)).view(np.uint8)
            if m == "vneg.f32":
                return (ia.view(np.uint32) ^ np.uint32(0x80000000)).view(np.uint8)
            if m == "vsel":
                q = self.Q[B].astype(bool)
                return np.where(q, V[Cc], V[self.code[self.cur, F_D]]).astype(np.uint8)
            if m == "vror":
                k = (self.R[Cc] & 0xFFFFFFFF) % self.vlen
                return np.roll(va, -k)
            if m == "vdmpy.i8":
                acc = V[A].view("<i4").astype(np.int64)
                pa = va.view(np.int8).astype(np.int64).reshape(-1, 4)
                pb = vb.view(np.int8).astype(np.int64).reshape(-1, 4)
                r = acc + (pa * pb).sum(axis=1)
                return (r & 0xFFFFFFFF).astype(np.uint32).view(np.uint8)
            if m == "vpack.i32.i8":
                lanes = self.vlen // 4
                out = np.zeros(self.vlen, dtype=np.int8)
                out[:lanes] = np.clip(ia, -128, 127)
                out[lanes:2 * lanes] = np.clip(ib, -128, 127)
                return out.view(np.uint8)
        raise AssertionError(f"unhandled vector op {m}")

    def dma(self, m: str, A: int, B: int, Cc: int, imm: int) -> None:
        R = self.R
        if m == "dmawait":
            self.wait_n = imm if self.wait_n < 0 else min(self.wait_n, imm)
            return
        if m == "dmacfg":
            self.desc = (R[A] & 0xFFFFFFFF, R[B], R[Cc])
            return
        dst, src = R[A] & 0xFFFFFFFF, R[B] & 0xFFFFFFFF
        if m == "dma":
            rows, rowbytes, sstride, dstride = 1, R[Cc] & 0xFFFFFFFF, 0, 0
        else:
            rows = R[Cc] & 0xFFFFFFFF
            rowbytes, sstride, dstride = self.desc
        total = rows * rowbytes
        if total > 2**32:
            raise _Fault(TRAP_DMA_OOB, src, rowbytes, rows)
        plan = []
        if rowbytes:
            for r in range(rows):
                s = (src + r * sstride) & 0xFFFFFFFF
                d = (dst + r * dstride) & 0xFFFFFFFF
                smem, soff = self.region(s, rowbytes, 1, TRAP_DMA_OOB)
                dmem, doff = self.region(d, rowbytes, 1, TRAP_DMA_OOB)
                plan.append((smem, soff, dmem, doff))
        dram_side = 0
        for smem, soff, dmem, doff in plan:
            dram_side += rowbytes * (int(self.touch(smem, soff, rowbytes, False))
                                     + int(self.touch(dmem, doff, rowbytes, True)))
            dmem[doff:doff + rowbytes] = smem[soff:soff + rowbytes].copy()
        self.cnt[C["dma_transfers"]] += 1
        self.cnt[C["dma_bytes"]] += total
        self.transfers.append((total, dram_side))


def simulate(prog: Program, target: Target, dram: np.ndarray, vtcm: np.ndarray,
             timing: bool = True, max_instructions: int = 10**10) -> RawResult:
    """Run `prog` on the reference machine; `dram`/`vtcm` (uint8) are updated in place."""
    return ReferenceMachine(prog, target, dram, vtcm, timing, max_instructions).run()
