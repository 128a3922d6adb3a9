"""The fast simulator: a numba `@njit(cache=True)` interpreter over the encoded program.

Same machine as `sim_reference` (read its docstring for the timing model), bit for bit:
registers, memory, cycles and statistics. Why it is shaped the way it is
(/work/shared/SIMULATOR_NOTES.md): one flat int32 instruction table in execution order,
no Python objects in the loop, a unified per-register ready array for the scoreboard,
lane loops over a runtime length (LLVM vectorises them), register files and memories as
numpy arrays with aliasing f32/i32 views, and an explicit bounds check on every memory
address (a fault returns a trap code instead of touching memory).

Indices are masked (`& 0xFFFF` for registers, `& 0x7FFFFFFF` for pc/rows, offsets to 30/32
bits): the values are non-negative anyway, but numba wraps negative indices with a
compare-and-select on every signed index, and the masks let LLVM drop those (~30% of the
loop). The scoreboard check reads a packet's sources as a fixed, padded run of 8 (a
never-written register pads it), without a data-dependent loop exit.

Packets whose register writes cannot be ordered after their reads (`isa.packet_schedule`
marks them staged) write to shadow registers past the architectural ones, committed when
the packet ends.

Almost all packets run in `_fast`, a second, smaller interpreter for *simple* packets
(not staged; no halt, DMA or dmawait; at most MAXMEM loads/stores, every address in VTCM
and aligned, checked before the packet runs; a loop instruction only with room on the loop
stack): in `_run`'s large body LLVM keeps most loop variables on the stack, and `_fast`
saves ~30% on the 256³ GEMM. Anything else (DMA, halt, staged packets, DRAM or bad
addresses, a loop-stack overflow, the instruction budget) goes back to `_run`, so results,
cycles and traps stay those of `_run` (and of the reference).

When a C compiler is present, `_run` calls runtime/sim_native.py's C loop first (same
contract as `_fast`, ~1.5x faster on ResNet-50); `_fast` then runs only the simple packets
the C loop leaves (none today but with `VEXA_SIM_NATIVE=0`) and stops at the next packet the
C loop takes.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np


def _ensure_cache_dir() -> None:
    # cache=True writes next to this file; an installed, read-only package needs another dir
    if "NUMBA_CACHE_DIR" in os.environ:
        return
    here = Path(__file__).resolve().parent
    pycache = here / "__pycache__"
    if os.access(pycache if pycache.exists() else here, os.W_OK):
        return
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "vexa" / "numba"
    cache.mkdir(parents=True, exist_ok=True)
    os.environ["NUMBA_CACHE_DIR"] = str(cache)


_ensure_cache_dir()

from llvmlite import ir as llvm_ir  # noqa: E402
from numba import njit, types  # noqa: E402
from numba.extending import intrinsic  # noqa: E402

from vexa.runtime.isa import (  # noqa: E402
    BY_OPCODE,
    CLASS_ID,
    CLASSES,
    F_A,
    F_B,
    F_C,
    F_D,
    F_EXEC,
    F_IMM,
    F_OP,
    F_PKT,
    F_STAGED,
    F_TAG,
    KIND_FILE,
    MEM_STORE,
    OPC,
    Program,
)
from vexa.runtime.sim_reference import RawResult  # noqa: E402
from vexa.runtime.stats import N_COUNTERS  # noqa: E402
from vexa.runtime.target import Target  # noqa: E402

# decoded instruction columns
K_OP, K_A, K_B, K_C, K_D, K_IMM, K_ORIG, K_CLS, K_DST, K_NSRC, K_S0 = range(11)
K_MEM, K_WFILE, K_WREAL, K_VACC = 14, 15, 16, 17  # K_MEM: bytes a load/store moves
# for `_fast`: latency (VTCM), alignment - 1, scoreboard entry written (a sink if none)
K_LAT, K_ALIGN, K_RDY = 18, 19, 20
K_AL, K_BL, K_CL = 21, 22, 23  # register fields A, B, C times the f32 lanes (flat offsets)
KW = 24

# packet columns (see `decode`); PK_FAST marks packets `_fast` may run, PK_VR/PK_VW are the
# VTCM bytes such a packet reads/writes, PK_NMEM/PK_MEM.. its load/store instructions, each
# as 4 columns: address register, offset, bytes, alignment - 1 (no instruction-row lookup)
PK_FAST, PK_VR, PK_VW, PK_NMEM, PK_MEM = 9, 10, 11, 12, 13
MAXMEM = 4  # a packet with more loads/stores than this is not simple
PKW = PK_MEM + 4 * MAXMEM

FAST_MIN_RUN, FAST_BACKOFF = 4, 15

# slots of the `st` array through which `_run` and `_fast` pass the loop state
(S_PC, S_NOW, S_ICOUNT, S_SDEP, S_VR, S_VW, S_HWM, S_TOPS, S_TOPE, S_TOPR, S_NLOOPS, S_TIMING,
 S_MAXI, S_VTBASE, S_VTEND, S_DRAM, S_SBR, S_LDEPTH, S_BRT) = range(19)
NST = 19

# params layout
(P_VLEN, P_G, P_NV, P_NQ, P_VTBASE, P_DRAM, P_VTCM, P_TIMING, P_MAXI, P_LDEPTH, P_LSALU,
 P_LVALU, P_LVXFER, P_LVMPY, P_LVLDV, P_LVLDD, P_LSLD, P_BRT, P_DBPC, P_VBPC, P_DSETUP,
 P_DENG, P_DMAXO) = range(23)
NPARAMS = 23

# counters (stats.COUNTERS order)
(C_CYC, C_PKT, C_INS, C_SDEP, C_SRES, C_SDRAM, C_SDMA, C_SBR, C_DR, C_DW, C_VR, C_VW, C_HWM,
 C_DMAN, C_DMAB) = range(15)

# opcodes as module constants (numba freezes globals at compile time)
globals().update({"O_" + m.replace(".", "_").upper(): v for m, v in OPC.items()})
O_HALT: int
O_LI: int
O_MOV: int
O_ADD: int
O_SUB: int
O_MUL: int
O_AND: int
O_OR: int
O_XOR: int
O_SHL: int
O_SHR: int
O_SRA: int
O_SLT: int
O_SLTU: int
O_MIN: int
O_MAX: int
O_ADDI: int
O_MULI: int
O_ANDI: int
O_ORI: int
O_XORI: int
O_SHLI: int
O_SHRI: int
O_SRAI: int
O_SLTI: int
O_LD: int
O_LDF: int
O_ST: int
O_STF: int
O_J: int
O_BEQ: int
O_BNE: int
O_BLT: int
O_BGE: int
O_LOOP: int
O_LOOPI: int
O_VLD: int
O_VLDU: int
O_VLDBC: int
O_VST: int
O_VSTU: int
O_VSTQ: int
O_VADD_F32: int
O_VSUB_F32: int
O_VMAX_F32: int
O_VMIN_F32: int
O_VADD_I32: int
O_VSUB_I32: int
O_VMAX_I32: int
O_VMIN_I32: int
O_VAND: int
O_VOR: int
O_VXOR: int
O_VSHLI_I32: int
O_VSHRI_I32: int
O_VSRAI_I32: int
O_VMOV: int
O_VSPLAT: int
O_VSPLATI: int
O_VCVT_F32_I32: int
O_VCVT_I32_F32: int
O_VABS_F32: int
O_VNEG_F32: int
O_VSEL: int
O_VROR: int
O_VEXTR: int
O_VMUL_F32: int
O_VFMA_F32: int
O_VMUL_I32: int
O_VDMPY_I8: int
O_VRECIP_F32: int
O_VRSQRT_F32: int
O_VPACK_I32_I8: int
O_VCMPGT_F32: int
O_VCMPGE_F32: int
O_VCMPEQ_F32: int
O_VCMPGT_I32: int
O_VCMPEQ_I32: int
O_VSETQ: int
O_QAND: int
O_QOR: int
O_QNOT: int
O_DMA: int
O_DMACFG: int
O_DMA2: int
O_DMAWAIT: int

T_MISALIGNED, T_OOB, T_DMA_OOB, T_BUDGET, T_LOOP = 1, 2, 3, 4, 5
# slots of the `cold` int64 array (DMA counters, 2-D descriptor, transfers this packet)
(COLD_DR, COLD_DW, COLD_VR, COLD_VW, COLD_HWM, COLD_DMAN, COLD_DMAB, COLD_NTR, COLD_RB, COLD_SS,
 COLD_DS) = range(11)
CANON = np.int32(0x7FC00000)
# the opcodes `_fast` does not run (a packet with one goes to `_run`)
SLOW_OPS = frozenset(("halt", "dma", "dmacfg", "dma2", "dmawait"))
F32_NAN = np.float32(np.nan)


# operand kinds (isa) a register read, resp. written, by its instruction
READ_KINDS = frozenset(("rs", "vs", "qs", "vacc"))
WRITE_KINDS = frozenset(("rd", "vd", "qd", "vacc"))


def mem_access(target: Target) -> dict[str, tuple[int, int]]:
    """The loads and stores that address register + immediate: mnemonic -> (bytes moved,
    alignment required)."""
    v = target.vlen_bytes
    return {"ld": (4, 4), "ldf": (4, 4), "st": (4, 4), "stf": (4, 4), "vldbc": (4, 4),
            "vld": (v, v), "vldu": (v, 1), "vst": (v, v), "vstu": (v, 1), "vstq": (v, v)}


def scratch_shape(target: Target) -> tuple[int, int]:
    """The scratch rows `_run` gets (loop stack, DMA queue, ...); sim_native reads rows 0-2."""
    return 7, max(64, target.loop_depth, target.slots)


@intrinsic
def _ccall(typingctx, fn, arg):
    """Call the C function at address `fn` (int64) with one int64 argument (a pointer to
    its argument block); its int64 result. sim_native's loop: an address known only at run
    time, so the cached machine code of `_run` stays valid in every process."""
    sig = types.int64(types.int64, types.int64)

    def codegen(context, builder, signature, args):
        i64 = llvm_ir.IntType(64)
        fnty = llvm_ir.FunctionType(i64, [i64])
        return builder.call(builder.inttoptr(args[0], fnty.as_pointer()), [args[1]])

    return sig, codegen


@njit(cache=True, inline="always")
def _locate(addr, n, align, dram_size, vtbase, vtsize):
    """(space 0 DRAM / 1 VTCM, offset); space -1 misaligned, -2 out of bounds."""
    if addr & (align - 1) != 0:  # alignments are powers of two (vlen is checked by the target)
        return -1, 0
    if addr + n <= dram_size:
        return 0, addr
    if addr >= vtbase and addr + n <= vtbase + vtsize:
        return 1, addr - vtbase
    return -2, 0


@njit(cache=True)
def _at_most(done, ndone, t, n):
    """Prune finished transfers (done <= t); earliest time >= t with <= n outstanding."""
    k = 0
    for i in range(ndone[0]):
        if done[i] > t:
            done[k] = done[i]
            k += 1
    ndone[0] = k
    if k <= n:
        return t
    s = np.sort(done[:k])  # ascending; the (n+1)-th largest is s[k - 1 - n]
    return s[k - 1 - n]


@njit(cache=True)
def _estimate(x, rsqrt):
    """vrecip/vrsqrt of one f32 before its low mantissa bits are cleared."""
    xd = np.float64(x)
    if rsqrt:
        if xd < 0.0:
            r = np.float32(np.nan)
        elif xd == 0.0:
            r = np.float32(1.0 / xd)  # +-0 -> +-inf (error_model numpy)
        else:
            r = np.float32(1.0 / np.sqrt(xd))
    else:
        r = np.float32(1.0 / xd)
    return r


@njit(cache=True, inline="always")
def _flush(cnt, now, icount, sdep, sdma, sdram, sbr, c_dr, c_dw, c_vr, c_vw, hwm, c_dman, c_dmab,
           cold):
    """Write the interpreter's register-held counters (plus the DMA ones) back."""
    cnt[C_CYC] = now
    cnt[C_INS] = icount
    cnt[C_SDEP] = sdep
    cnt[C_SDMA] = sdma
    cnt[C_SDRAM] = sdram
    cnt[C_SBR] = sbr
    cnt[C_DR] = c_dr + cold[COLD_DR]
    cnt[C_DW] = c_dw + cold[COLD_DW]
    cnt[C_VR] = c_vr + cold[COLD_VR]
    cnt[C_VW] = c_vw + cold[COLD_VW]
    cnt[C_HWM] = hwm if hwm > cold[COLD_HWM] else cold[COLD_HWM]
    cnt[C_DMAN] = c_dman + cold[COLD_DMAN]
    cnt[C_DMAB] = c_dmab + cold[COLD_DMAB]


@njit(cache=True, error_model="numpy")
def _vec_cold(op, A, B, Cc, D, imm, L, vlen, R, V8, Vf, Vi, Q, tmp8):  # noqa: C901
    """The less frequent vector instructions, out of the hot loop (a smaller loop body
    compiles to faster code). Returns the latency kind: 0 valu, 1 vmpy, 2 vxfer."""
    kind = 0
    if op == O_VADD_I32:
        for l in range(L):
            Vi[A, l] = np.int32(np.int64(Vi[B, l]) + np.int64(Vi[Cc, l]))
        kind = 0
    elif op == O_VSUB_I32:
        for l in range(L):
            Vi[A, l] = np.int32(np.int64(Vi[B, l]) - np.int64(Vi[Cc, l]))
        kind = 0
    elif op == O_VMAX_I32:
        for l in range(L):
            Vi[A, l] = max(Vi[B, l], Vi[Cc, l])
        kind = 0
    elif op == O_VMIN_I32:
        for l in range(L):
            Vi[A, l] = min(Vi[B, l], Vi[Cc, l])
        kind = 0
    elif op == O_VAND:
        for l in range(L):
            Vi[A, l] = Vi[B, l] & Vi[Cc, l]
        kind = 0
    elif op == O_VOR:
        for l in range(L):
            Vi[A, l] = Vi[B, l] | Vi[Cc, l]
        kind = 0
    elif op == O_VXOR:
        for l in range(L):
            Vi[A, l] = Vi[B, l] ^ Vi[Cc, l]
        kind = 0
    elif op == O_VSHLI_I32:
        for l in range(L):
            Vi[A, l] = np.int32(np.int64(Vi[B, l]) << imm)
        kind = 0
    elif op == O_VSHRI_I32:
        for l in range(L):
            Vi[A, l] = np.int32((np.int64(Vi[B, l]) & 0xFFFFFFFF) >> imm)
        kind = 0
    elif op == O_VSRAI_I32:
        for l in range(L):
            Vi[A, l] = Vi[B, l] >> imm
        kind = 0
    elif op == O_VCVT_F32_I32:
        for l in range(L):
            Vf[A, l] = np.float32(Vi[B, l])
        kind = 0
    elif op == O_VCVT_I32_F32:
        for l in range(L):
            xd = np.float64(Vf[B, l])
            if xd != xd:
                Vi[A, l] = 0
            elif xd >= 2147483647.0:
                Vi[A, l] = 2147483647
            elif xd <= -2147483648.0:
                Vi[A, l] = -2147483648
            else:
                Vi[A, l] = np.int32(np.int64(xd))
        kind = 0
    elif op == O_VABS_F32:
        for l in range(L):
            Vi[A, l] = Vi[B, l] & 0x7FFFFFFF
        kind = 0
    elif op == O_VNEG_F32:
        for l in range(L):
            Vi[A, l] = np.int32(np.int64(Vi[B, l]) ^ -2147483648)
        kind = 0
    elif op == O_VSEL:
        for j in range(vlen):
            V8[A, j] = V8[Cc, j] if Q[B, j] else V8[D, j]
        kind = 0
    elif op == O_VROR:
        k = (np.int64(R[Cc]) & 0xFFFFFFFF) % vlen
        for j in range(vlen):
            tmp8[j] = V8[B, (j + k) % vlen]
        for j in range(vlen):
            V8[A, j] = tmp8[j]
        kind = 0
    elif op == O_VEXTR:
        R[A] = Vi[B, imm]
        kind = 2
    elif op == O_VMUL_I32:
        for l in range(L):
            Vi[A, l] = np.int32(np.int64(Vi[B, l]) * np.int64(Vi[Cc, l]))
        kind = 1
    elif op == O_VDMPY_I8:
        for l in range(L):
            s = np.int64(Vi[A, l])
            for j in range(4):
                pa = np.int64(V8[B, 4 * l + j])
                pb = np.int64(V8[Cc, 4 * l + j])
                if pa >= 128:
                    pa -= 256
                if pb >= 128:
                    pb -= 256
                s += pa * pb
            Vi[A, l] = np.int32(((s + 2147483648) & 0xFFFFFFFF) - 2147483648)
        kind = 1
    elif op == O_VRECIP_F32 or op == O_VRSQRT_F32:
        for l in range(L):
            r32 = _estimate(Vf[B, l], op == O_VRSQRT_F32)
            Vf[A, l] = r32
            if r32 != r32:
                Vi[A, l] = 0x7FC00000
            else:
                Vi[A, l] = Vi[A, l] & -4096
        kind = 1
    elif op == O_VPACK_I32_I8:
        for j in range(vlen):
            tmp8[j] = 0
        for l in range(L):
            x = Vi[B, l]
            y = Vi[Cc, l]
            x = 127 if x > 127 else (-128 if x < -128 else x)
            y = 127 if y > 127 else (-128 if y < -128 else y)
            tmp8[l] = np.uint8(x & 0xFF)
            tmp8[L + l] = np.uint8(y & 0xFF)
        for j in range(vlen):
            V8[A, j] = tmp8[j]
        kind = 0
    elif op >= O_VCMPGT_F32 and op <= O_VCMPEQ_I32:
        for l in range(L):
            if op == O_VCMPGT_F32:
                c = Vf[B, l] > Vf[Cc, l]
            elif op == O_VCMPGE_F32:
                c = Vf[B, l] >= Vf[Cc, l]
            elif op == O_VCMPEQ_F32:
                c = Vf[B, l] == Vf[Cc, l]
            elif op == O_VCMPGT_I32:
                c = Vi[B, l] > Vi[Cc, l]
            else:
                c = Vi[B, l] == Vi[Cc, l]
            cv = np.uint8(1) if c else np.uint8(0)
            for j in range(4):
                Q[A, 4 * l + j] = cv
        kind = 0
    elif op == O_VSETQ:
        nb = np.int64(R[B])
        for j in range(vlen):
            Q[A, j] = np.uint8(1) if j < nb else np.uint8(0)
        kind = 0
    elif op == O_QAND:
        for j in range(vlen):
            Q[A, j] = Q[B, j] & Q[Cc, j]
        kind = 0
    elif op == O_QOR:
        for j in range(vlen):
            Q[A, j] = Q[B, j] | Q[Cc, j]
        kind = 0
    elif op == O_QNOT:
        for j in range(vlen):
            Q[A, j] = np.uint8(1) - Q[B, j]
        kind = 0
    return kind


@njit(cache=True, error_model="numpy")
def _dma_cold(op, A, B, Cc, orig, R, dram8, vtcm8, dram_size, vtbase, vtsize, cold, trap,
              tr_bytes, tr_dram):  # noqa: C901
    """dmacfg, dma and dma2 (out of the hot loop). Counters and the 2-D descriptor live in
    `cold` (COLD_* slots). Returns 1 after filling `trap`, else 0."""
    if op == O_DMACFG:
        cold[COLD_RB] = np.int64(R[A]) & 0xFFFFFFFF
        cold[COLD_SS] = np.int64(R[B])
        cold[COLD_DS] = np.int64(R[Cc])
        return 0
    dst = np.int64(R[A]) & 0xFFFFFFFF
    src = np.int64(R[B]) & 0xFFFFFFFF
    if op == O_DMA:
        rows = np.int64(1)
        rb = np.int64(R[Cc]) & 0xFFFFFFFF
        ss = np.int64(0)
        ds = np.int64(0)
    else:
        rows = np.int64(R[Cc]) & 0xFFFFFFFF
        rb = cold[COLD_RB]
        ss = cold[COLD_SS]
        ds = cold[COLD_DS]
    if rb > 0 and rows > 4294967296 // rb:
        trap[0] = T_DMA_OOB
        trap[1] = orig
        trap[2] = src
        trap[3] = rb
        trap[4] = rows
        return 1
    total = rows * rb
    if rb > 0:
        for r in range(rows):
            s_ = (src + r * ss) & 0xFFFFFFFF
            d_ = (dst + r * ds) & 0xFFFFFFFF
            sp, off = _locate(s_, rb, 1, dram_size, vtbase, vtsize)
            bad = s_
            if sp >= 0:
                sp, off = _locate(d_, rb, 1, dram_size, vtbase, vtsize)
                bad = d_
            if sp < 0:
                trap[0] = T_DMA_OOB
                trap[1] = orig
                trap[2] = bad
                trap[3] = rb
                trap[4] = 0
                return 1
    dside = np.int64(0)
    if rb > 0:
        for r in range(rows):
            s_ = (src + r * ss) & 0xFFFFFFFF
            d_ = (dst + r * ds) & 0xFFFFFFFF
            ssp, soff = _locate(s_, rb, 1, dram_size, vtbase, vtsize)
            dsp, doff = _locate(d_, rb, 1, dram_size, vtbase, vtsize)
            if ssp == 0:
                cold[COLD_DR] += rb
                dside += rb
            else:
                cold[COLD_VR] += rb
                if soff + rb > cold[COLD_HWM]:
                    cold[COLD_HWM] = soff + rb
            if dsp == 0:
                cold[COLD_DW] += rb
                dside += rb
            else:
                cold[COLD_VW] += rb
                if doff + rb > cold[COLD_HWM]:
                    cold[COLD_HWM] = doff + rb
            # memmove: copy backwards when the destination overlaps the source's tail
            if ssp == dsp and doff > soff and doff < soff + rb:
                for j in range(rb - 1, -1, -1):
                    if ssp == 0:
                        dram8[doff + j] = dram8[soff + j]
                    else:
                        vtcm8[doff + j] = vtcm8[soff + j]
            else:
                for j in range(rb):
                    if ssp == 0:
                        bv = dram8[soff + j]
                    else:
                        bv = vtcm8[soff + j]
                    if dsp == 0:
                        dram8[doff + j] = bv
                    else:
                        vtcm8[doff + j] = bv
    cold[COLD_DMAN] += 1
    cold[COLD_DMAB] += total
    k = cold[COLD_NTR]
    tr_bytes[k] = total
    tr_dram[k] = dside
    cold[COLD_NTR] = k + 1
    return 0


@njit(cache=True)
def _salu(op, x, y, imm):  # noqa: C901
    """The scalar ALU instructions but addi (out of `_fast`'s loop body): the int64 result."""
    if op == O_LI:
        v = np.int64(imm)
    elif op == O_MOV:
        v = x
    elif op == O_ADD:
        v = x + y
    elif op == O_SUB:
        v = x - y
    elif op == O_MUL:
        v = x * y
    elif op == O_AND:
        v = x & y
    elif op == O_OR:
        v = x | y
    elif op == O_XOR:
        v = x ^ y
    elif op == O_SHL:
        v = x << (y & 31)
    elif op == O_SHR:
        v = (x & 0xFFFFFFFF) >> (y & 31)
    elif op == O_SRA:
        v = x >> (y & 31)
    elif op == O_SLT:
        v = 1 if x < y else 0
    elif op == O_SLTU:
        v = 1 if (x & 0xFFFFFFFF) < (y & 0xFFFFFFFF) else 0
    elif op == O_MIN:
        v = x if x < y else y
    elif op == O_MAX:
        v = x if x > y else y
    elif op == O_MULI:
        v = x * imm
    elif op == O_ANDI:
        v = x & imm
    elif op == O_ORI:
        v = x | imm
    elif op == O_XORI:
        v = x ^ imm
    elif op == O_SHLI:
        v = x << imm
    elif op == O_SHRI:
        v = (x & 0xFFFFFFFF) >> imm
    elif op == O_SRAI:
        v = x >> imm
    else:  # O_SLTI
        v = 1 if x < imm else 0
    return v


@njit(cache=True, error_model="numpy")
def _fast(ins, pk, L, R, Vf, Vi, V8f, vtcm8, vtcm32, ready, pkcount, pkcyc, srcs, scratch, st,
          V8, Vf2, Vi2, Q, tmp8, nat):  # noqa: C901
    """Run consecutive *simple* packets (decode's packet column PK_FAST) from st[S_PC].

    A simple packet is not staged and has no halt, DMA or dmawait instruction (at most
    MAXMEM loads/stores). Before it runs, every memory address of the packet is checked to
    lie in VTCM, aligned (the packet's reads all see the registers of its start, so the
    addresses are known up front), and a packet with a loop instruction that could overflow
    the loop stack is refused; a packet that fails a check, any non-simple packet and the
    instruction budget return to `_run`, which runs the packet (and traps) itself. The
    timing model needs no DMA or DRAM port here: issue is the scoreboard's, latencies come
    from the decoded column K_LAT, a taken branch adds its penalty.

    A separate function with a small body: in `_run`'s large loop LLVM spills most loop
    variables to the stack. `ins`, `pk` and the vector registers `Vf`/`Vi`/`V8f` come
    flattened (a constant row stride instead of a multiply by a stride kept on the stack;
    vector operands by the offset of their first lane, K_AL/K_BL/K_CL); the rare vector
    instructions go to `_vec_cold` with the 2-D views. The address check works on the end
    offset `addr - vtbase + n`: alignment (n is the alignment; the wrapper leaves memory
    packets to `_run` unless VTCM's base is vector-aligned and above DRAM), below VTCM, past
    its end. Returns the number of packets run; the loop state goes in and out through `st`.
    """
    loop_start = scratch[0]
    loop_end = scratch[1]
    loop_rem = scratch[2]
    pc = st[S_PC]
    now = st[S_NOW]
    icount = st[S_ICOUNT]
    sdep = st[S_SDEP]
    sbr = st[S_SBR]
    c_vr = st[S_VR]
    c_vw = st[S_VW]
    hwm = st[S_HWM]
    top_start = st[S_TOPS]
    top_end = st[S_TOPE]
    top_rem = st[S_TOPR]
    nloops = st[S_NLOOPS]
    timing = st[S_TIMING] != 0
    maxi = st[S_MAXI]
    vtbase = st[S_VTBASE]
    vtend = st[S_VTEND]
    ldepth = st[S_LDEPTH]
    brt = st[S_BRT]
    vlen = 4 * L
    run = 0
    while True:
        pc = pc & 0x7FFFFFFF
        flags = pk[pc * PKW + PK_FAST]
        if flags == 0 or (run > 0 and nat[pc] != 0):  # not simple, or native code's
            break
        a = pk[pc * PKW + 0] & 0x7FFFFFFF
        b = pk[pc * PKW + 1] & 0x7FFFFFFF
        if icount + (b - a) > maxi:
            break
        if flags == 2 and nloops >= ldepth:  # a loop instruction might overflow the stack
            break
        # memory addresses: all in VTCM and aligned, or the general path runs the packet
        ok = True
        top = hwm
        for m in range(pk[pc * PKW + PK_NMEM] & 7):
            e = pc * PKW + PK_MEM + 4 * m
            addr = (np.int64(R[pk[e] & 0xFFFF]) + pk[e + 1]) & 0xFFFFFFFF
            nb = pk[e + 2]
            end = addr - vtbase + nb  # the access's end offset in VTCM
            if (end & pk[e + 3]) != 0 or end < nb or end > vtend:
                ok = False
                break
            top = max(top, end)
        if not ok:
            break
        hwm = top
        c_vr += pk[pc * PKW + PK_VR]
        c_vw += pk[pc * PKW + PK_VW]
        t1 = now
        if timing:
            s0 = pk[pc * PKW + 4] & 0x7FFFFFFF
            if pk[pc * PKW + 5] - s0 <= 8:
                r0 = max(ready[srcs[s0] & 0xFFFF], ready[srcs[s0 + 1] & 0xFFFF])
                r1 = max(ready[srcs[s0 + 2] & 0xFFFF], ready[srcs[s0 + 3] & 0xFFFF])
                r2 = max(ready[srcs[s0 + 4] & 0xFFFF], ready[srcs[s0 + 5] & 0xFFFF])
                r3 = max(ready[srcs[s0 + 6] & 0xFFFF], ready[srcs[s0 + 7] & 0xFFFF])
                t1 = max(t1, max(max(r0, r1), max(r2, r3)))
            else:
                for s in range(s0, pk[pc * PKW + 5]):
                    r = ready[srcs[s] & 0xFFFF]
                    if r > t1:
                        t1 = r
        next_pc = pc + 1
        taken = False
        for i in range(a, b):
            op = ins[i * KW + K_OP]
            A = ins[i * KW + K_A] & 0xFFFF
            B = ins[i * KW + K_B] & 0xFFFF
            va = ins[i * KW + K_AL] & 0xFFFFFF  # vector operands: offsets of their first lane
            if op == O_VFMA_F32:
                vb = ins[i * KW + K_BL] & 0xFFFFFF
                vc = ins[i * KW + K_CL] & 0xFFFFFF
                if L == 32:
                    for l in range(32):
                        x = Vf[va + l] + Vf[vb + l] * Vf[vc + l]
                        Vf[va + l] = x if x == x else F32_NAN
                else:
                    for l in range(L):
                        x = Vf[va + l] + Vf[vb + l] * Vf[vc + l]
                        Vf[va + l] = x if x == x else F32_NAN
            elif op == O_VLDBC:
                off = ((np.int64(R[B]) + ins[i * KW + K_IMM]) & 0xFFFFFFFF) - vtbase
                wv = vtcm32[(off >> 2) & 0x3FFFFFFF]
                for l in range(L):
                    Vi[va + l] = wv
            elif op == O_VLD:
                off = ((np.int64(R[B]) + ins[i * KW + K_IMM]) & 0xFFFFFFFF) - vtbase
                w = (off >> 2) & 0x3FFFFFFF
                for l in range(L):
                    Vi[va + l] = vtcm32[w + l]
            elif op == O_VLDU:
                off = (((np.int64(R[B]) + ins[i * KW + K_IMM]) & 0xFFFFFFFF) - vtbase) & 0xFFFFFFFF
                v8 = 4 * va
                for j in range(vlen):
                    V8f[v8 + j] = vtcm8[off + j]
            elif op == O_ADDI:
                R[A] = np.int32(((np.int64(R[B]) + ins[i * KW + K_IMM] + 2147483648) & 0xFFFFFFFF)
                                - 2147483648)
            elif op == O_LD or op == O_LDF:
                off = ((np.int64(R[B]) + ins[i * KW + K_IMM]) & 0xFFFFFFFF) - vtbase
                R[A] = vtcm32[(off >> 2) & 0x3FFFFFFF]
            elif op == O_ST or op == O_STF:
                off = ((np.int64(R[B]) + ins[i * KW + K_IMM]) & 0xFFFFFFFF) - vtbase
                vtcm32[(off >> 2) & 0x3FFFFFFF] = R[A]
            elif op == O_VST:
                off = ((np.int64(R[B]) + ins[i * KW + K_IMM]) & 0xFFFFFFFF) - vtbase
                w = (off >> 2) & 0x3FFFFFFF
                for l in range(L):
                    vtcm32[w + l] = Vi[va + l]
            elif op == O_VSTU:
                off = (((np.int64(R[B]) + ins[i * KW + K_IMM]) & 0xFFFFFFFF) - vtbase) & 0xFFFFFFFF
                v8 = 4 * va
                for j in range(vlen):
                    vtcm8[off + j] = V8f[v8 + j]
            elif op == O_VSTQ:
                off = (((np.int64(R[B]) + ins[i * KW + K_IMM]) & 0xFFFFFFFF) - vtbase) & 0xFFFFFFFF
                v8 = 4 * va
                qc = ins[i * KW + K_C] & 0xFFFF
                for j in range(vlen):
                    if Q[qc, j]:
                        vtcm8[off + j] = V8f[v8 + j]
            elif op >= O_LI and op <= O_SLTI:
                v = _salu(op, np.int64(R[B]), np.int64(R[ins[i * KW + K_C] & 0xFFFF]),
                          np.int64(ins[i * KW + K_IMM]))
                R[A] = np.int32(((v + 2147483648) & 0xFFFFFFFF) - 2147483648)
            elif op >= O_J and op <= O_LOOPI:
                if op == O_LOOP or op == O_LOOPI:
                    count = np.int64(ins[i * KW + K_IMM]) if op == O_LOOPI else np.int64(R[A])
                    if count <= 0:
                        next_pc = ins[i * KW + K_D]
                    else:  # the stack has room: checked before the packet
                        if nloops > 0:
                            loop_start[nloops - 1] = top_start
                            loop_end[nloops - 1] = top_end
                            loop_rem[nloops - 1] = top_rem
                        top_start = pc + 1
                        top_end = ins[i * KW + K_D]
                        top_rem = count
                        nloops += 1
                else:
                    if op == O_J:
                        c = True
                    else:
                        x = R[A]
                        y = R[B]
                        if op == O_BEQ:
                            c = x == y
                        elif op == O_BNE:
                            c = x != y
                        elif op == O_BLT:
                            c = x < y
                        else:
                            c = x >= y
                    if c:
                        next_pc = ins[i * KW + K_D]
                        taken = True
            elif op == O_VSPLATI or op == O_VSPLAT:
                wv = R[B] if op == O_VSPLAT else ins[i * KW + K_IMM]
                for l in range(L):
                    Vi[va + l] = wv
            elif op == O_VMOV:
                vb = ins[i * KW + K_BL] & 0xFFFFFF
                for l in range(L):
                    Vi[va + l] = Vi[vb + l]
            elif op == O_VADD_F32:
                vb = ins[i * KW + K_BL] & 0xFFFFFF
                vc = ins[i * KW + K_CL] & 0xFFFFFF
                for l in range(L):
                    x = Vf[vb + l] + Vf[vc + l]
                    Vf[va + l] = x if x == x else F32_NAN
            elif op == O_VSUB_F32:
                vb = ins[i * KW + K_BL] & 0xFFFFFF
                vc = ins[i * KW + K_CL] & 0xFFFFFF
                for l in range(L):
                    x = Vf[vb + l] - Vf[vc + l]
                    Vf[va + l] = x if x == x else F32_NAN
            elif op == O_VMUL_F32:
                vb = ins[i * KW + K_BL] & 0xFFFFFF
                vc = ins[i * KW + K_CL] & 0xFFFFFF
                for l in range(L):
                    x = Vf[vb + l] * Vf[vc + l]
                    Vf[va + l] = x if x == x else F32_NAN
            elif op == O_VMAX_F32 or op == O_VMIN_F32:
                vb = ins[i * KW + K_BL] & 0xFFFFFF
                vc = ins[i * KW + K_CL] & 0xFFFFFF
                for l in range(L):
                    x = Vf[vb + l]
                    y = Vf[vc + l]
                    if x != x or y != y:
                        Vf[va + l] = F32_NAN
                    elif (x > y) if op == O_VMAX_F32 else (x < y):
                        Vf[va + l] = x
                    else:
                        Vf[va + l] = y
            else:  # the other vector instructions (latency from the decoded column)
                _vec_cold(op, A, B, ins[i * KW + K_C] & 0xFFFF, ins[i * KW + K_D] & 0xFFFF,
                          ins[i * KW + K_IMM], L, vlen, R, V8, Vf2, Vi2, Q, tmp8)
            if timing:
                ready[ins[i * KW + K_RDY] & 0xFFFF] = t1 + ins[i * KW + K_LAT]
        icount += b - a
        pkcount[pc] += 1
        if timing:
            sdep += t1 - now
            nxt = t1 + 1
            if taken:
                nxt += brt
                sbr += brt
        else:
            nxt = now + 1
        if nxt - now != 1:  # cycles past the packet's own (`simulate` adds pkcount)
            pkcyc[pc] += nxt - now - 1
        now = nxt
        run += 1
        while next_pc == top_end:
            top_rem -= 1
            if top_rem > 0:
                next_pc = top_start
                break
            nloops -= 1
            if nloops > 0:
                top_start = loop_start[nloops - 1]
                top_end = loop_end[nloops - 1]
                top_rem = loop_rem[nloops - 1]
            else:
                top_end = -1
        pc = next_pc
    st[S_PC] = pc
    st[S_NOW] = now
    st[S_ICOUNT] = icount
    st[S_SDEP] = sdep
    st[S_SBR] = sbr
    st[S_VR] = c_vr
    st[S_VW] = c_vw
    st[S_HWM] = hwm
    st[S_TOPS] = top_start
    st[S_TOPE] = top_end
    st[S_TOPR] = top_rem
    st[S_NLOOPS] = nloops
    return run


@njit(cache=True, error_model="numpy")
def _run(ins, pk, prm, R, V8, Vf, Vi, Q, dram8, dram32, vtcm8, vtcm32, ready, cnt,
         pkcount, pkcyc, srcs, trap, engine_free, dma_done, tmp8, scratch, cold,
         st, skip, nat, naddr):  # noqa: C901
    vlen = prm[P_VLEN]
    L = vlen // 4
    g = prm[P_G]
    nv = prm[P_NV]
    nq = prm[P_NQ]
    vtbase = prm[P_VTBASE]
    dram_size = prm[P_DRAM]
    vtsize = prm[P_VTCM]
    timing = prm[P_TIMING] != 0
    maxi = prm[P_MAXI]
    ldepth = prm[P_LDEPTH]
    lat_salu = prm[P_LSALU]
    insf = ins.reshape(-1)  # flat views for `_fast`: a constant row stride
    Vf1 = Vf.reshape(-1)
    Vi1 = Vi.reshape(-1)
    V81 = V8.reshape(-1)
    pkf = pk.reshape(-1)
    lat_valu = prm[P_LVALU]
    lat_vxfer = prm[P_LVXFER]
    lat_vmpy = prm[P_LVMPY]
    lat_vldv = prm[P_LVLDV]
    lat_vldd = prm[P_LVLDD]
    lat_sld = prm[P_LSLD]
    brt = prm[P_BRT]
    dbpc = prm[P_DBPC]
    vbpc = prm[P_VBPC]
    dsetup = prm[P_DSETUP]
    maxo = prm[P_DMAXO]
    minbpc = min(dbpc, vbpc)

    # scratch rows (allocated by the wrapper: no allocation or refcounting in here)
    loop_start = scratch[0]
    loop_end = scratch[1]
    loop_rem = scratch[2]
    lat = scratch[3]
    tr_bytes = scratch[4]
    tr_dram = scratch[5]
    ndone = scratch[6]
    nloops = 0
    # the innermost loop lives in registers; outer ones are spilled to the scratch rows
    top_start = np.int64(-1)
    top_end = np.int64(-1)
    top_rem = np.int64(0)
    dram_free = np.int64(0)

    pc = 0
    now = np.int64(0)
    icount = np.int64(0)
    sdep = np.int64(0)
    sdma = np.int64(0)
    sdram = np.int64(0)
    sbr = np.int64(0)
    c_dr = np.int64(0)
    c_dw = np.int64(0)
    c_vr = np.int64(0)
    c_vw = np.int64(0)
    hwm = np.int64(0)
    c_dman = np.int64(0)
    c_dmab = np.int64(0)
    t1 = np.int64(0)
    t2 = np.int64(0)
    t3 = np.int64(0)
    while True:
        pc = pc & 0x7FFFFFFF
        if pk[pc, PK_FAST] != 0 and skip[pc] > 0:
            skip[pc] -= 1
        elif pk[pc, PK_FAST] != 0:
            # simple packets run in `_fast`; the packet it stops at (not simple, or simple
            # with an address outside VTCM or over the budget) runs here. A call that runs
            # fewer than FAST_MIN_RUN packets costs more than it saves (DRAM addresses in a
            # loop): the next FAST_BACKOFF visits of its first packet skip it.
            st[S_PC] = pc
            st[S_NOW] = now
            st[S_ICOUNT] = icount
            st[S_SDEP] = sdep
            st[S_SBR] = sbr
            st[S_VR] = c_vr
            st[S_VW] = c_vw
            st[S_HWM] = hwm
            st[S_TOPS] = top_start
            st[S_TOPE] = top_end
            st[S_TOPR] = top_rem
            st[S_NLOOPS] = nloops
            nrun = 0
            if nat[pc] != 0:  # the C loop (sim_native): same contract as `_fast`
                nrun = _ccall(naddr[0], naddr[1])
            if pk[st[S_PC] & 0x7FFFFFFF, PK_FAST] != 0:
                nrun += _fast(insf, pkf, L, R, Vf1, Vi1, V81, vtcm8, vtcm32, ready, pkcount,
                              pkcyc, srcs, scratch, st, V8, Vf, Vi, Q, tmp8, nat)
            if nrun < FAST_MIN_RUN:
                skip[pc] = FAST_BACKOFF
            if nrun > 0:
                pc = st[S_PC]
                now = st[S_NOW]
                icount = st[S_ICOUNT]
                sdep = st[S_SDEP]
                sbr = st[S_SBR]
                c_vr = st[S_VR]
                c_vw = st[S_VW]
                hwm = st[S_HWM]
                top_start = st[S_TOPS]
                top_end = st[S_TOPE]
                top_rem = st[S_TOPR]
                nloops = st[S_NLOOPS]
                pc = pc & 0x7FFFFFFF
        a = pk[pc, 0] & 0x7FFFFFFF
        b = pk[pc, 1] & 0x7FFFFFFF
        n = b - a
        if icount + n > maxi:
            trap[0] = T_BUDGET
            trap[1] = a
            _flush(cnt, now, icount, sdep, sdma, sdram, sbr, c_dr, c_dw, c_vr, c_vw, hwm, c_dman,
                   c_dmab, cold)
            return
        staged = pk[pc, 3]
        if staged:
            for i in range(a, b):
                if ins[i, K_VACC]:
                    sh = ins[i, K_A] & 0xFFFF
                    rl = ins[i, K_WREAL] & 0xFFFF
                    for j in range(vlen):
                        V8[sh, j] = V8[rl, j]
        if timing:
            # the issue cycle is known before the packet runs: sources, DMA queue, DRAM port
            t1 = now
            s0 = pk[pc, 4] & 0x7FFFFFFF
            if pk[pc, 5] - s0 <= 8:
                r0 = max(ready[srcs[s0] & 0xFFFF], ready[srcs[s0 + 1] & 0xFFFF])
                r1 = max(ready[srcs[s0 + 2] & 0xFFFF], ready[srcs[s0 + 3] & 0xFFFF])
                r2 = max(ready[srcs[s0 + 4] & 0xFFFF], ready[srcs[s0 + 5] & 0xFFFF])
                r3 = max(ready[srcs[s0 + 6] & 0xFFFF], ready[srcs[s0 + 7] & 0xFFFF])
                t1 = max(t1, max(max(r0, r1), max(r2, r3)))
            else:
                for s in range(s0, pk[pc, 5]):
                    r = ready[srcs[s] & 0xFFFF]
                    if r > t1:
                        t1 = r
            t2 = t1
            if pk[pc, 6] >= 0:
                t2 = _at_most(dma_done, ndone, t2, pk[pc, 6])
            if pk[pc, 7] > 0:
                t2 = _at_most(dma_done, ndone, t2, maxo - pk[pc, 7])
            t3 = t2
            if pk[pc, 8] != 0 and dram_free > t3:
                for i in range(a, b):
                    nb = ins[i, K_MEM]
                    ea = (np.int64(R[ins[i, K_B] & 0xFFFF]) + ins[i, K_IMM]) & 0xFFFFFFFF
                    if nb > 0 and ea + nb <= dram_size:
                        t3 = dram_free
                        break
        dram_bytes = np.int64(0)
        cold[COLD_NTR] = 0
        next_pc = pc + 1
        halt = False
        taken = False
        for i in range(a, b):
            op = ins[i, K_OP]
            A = ins[i, K_A] & 0xFFFF
            B = ins[i, K_B] & 0xFFFF
            Cc = ins[i, K_C] & 0xFFFF
            imm = ins[i, K_IMM]
            latv = 0
            # ---------------------------------------------------------- vector multiply
            if op == O_VFMA_F32:
                if L == 32:  # vx128: a constant trip count unrolls fully (~25% faster)
                    for l in range(32):
                        x = Vf[A, l] + Vf[B, l] * Vf[Cc, l]
                        Vf[A, l] = x if x == x else F32_NAN
                else:
                    for l in range(L):
                        x = Vf[A, l] + Vf[B, l] * Vf[Cc, l]
                        Vf[A, l] = x if x == x else F32_NAN
                latv = lat_vmpy
            elif op == O_VLD or op == O_VLDU:
                addr = (np.int64(R[B]) + imm) & 0xFFFFFFFF
                sp, off = _locate(addr, vlen, vlen if op == O_VLD else 1, dram_size, vtbase,
                                  vtsize)
                if sp < 0:
                    trap[0] = T_MISALIGNED if sp == -1 else T_OOB
                    trap[1] = ins[i, K_ORIG]
                    trap[2] = addr
                    trap[3] = vlen
                    trap[4] = vlen if sp == -1 else 0
                    _flush(cnt, now, icount, sdep, sdma, sdram, sbr, c_dr, c_dw, c_vr, c_vw,
                           hwm, c_dman, c_dmab, cold)
                    return
                if sp == 0:
                    c_dr += vlen
                    dram_bytes += vlen
                    if op == O_VLD:
                        w = (off >> 2) & 0x3FFFFFFF
                        for l in range(L):
                            Vi[A, l] = dram32[w + l]
                    else:
                        for j in range(vlen):
                            V8[A, j] = dram8[(off & 0xFFFFFFFF) + j]
                    latv = lat_vldd
                else:
                    c_vr += vlen
                    if off + vlen > hwm:
                        hwm = off + vlen
                    if op == O_VLD:
                        w = (off >> 2) & 0x3FFFFFFF
                        for l in range(L):
                            Vi[A, l] = vtcm32[w + l]
                    else:
                        for j in range(vlen):
                            V8[A, j] = vtcm8[(off & 0xFFFFFFFF) + j]
                    latv = lat_vldv
            elif op == O_ADDI:
                R[A] = np.int32(((np.int64(R[B]) + imm + 2147483648) & 0xFFFFFFFF) - 2147483648)
                latv = lat_salu
            elif op == O_VST or op == O_VSTU or op == O_VSTQ:
                addr = (np.int64(R[B]) + imm) & 0xFFFFFFFF
                sp, off = _locate(addr, vlen, 1 if op == O_VSTU else vlen, dram_size, vtbase,
                                  vtsize)
                if sp < 0:
                    trap[0] = T_MISALIGNED if sp == -1 else T_OOB
                    trap[1] = ins[i, K_ORIG]
                    trap[2] = addr
                    trap[3] = vlen
                    trap[4] = vlen if sp == -1 else 0
                    _flush(cnt, now, icount, sdep, sdma, sdram, sbr, c_dr, c_dw, c_vr, c_vw,
                           hwm, c_dman, c_dmab, cold)
                    return
                if sp == 0:
                    c_dw += vlen
                    dram_bytes += vlen
                    if op == O_VSTQ:
                        for j in range(vlen):
                            if Q[Cc, j]:
                                dram8[(off & 0xFFFFFFFF) + j] = V8[A, j]
                    elif op == O_VST:
                        w = (off >> 2) & 0x3FFFFFFF
                        for l in range(L):
                            dram32[w + l] = Vi[A, l]
                    else:
                        for j in range(vlen):
                            dram8[(off & 0xFFFFFFFF) + j] = V8[A, j]
                else:
                    c_vw += vlen
                    if off + vlen > hwm:
                        hwm = off + vlen
                    if op == O_VSTQ:
                        for j in range(vlen):
                            if Q[Cc, j]:
                                vtcm8[(off & 0xFFFFFFFF) + j] = V8[A, j]
                    elif op == O_VST:
                        w = (off >> 2) & 0x3FFFFFFF
                        for l in range(L):
                            vtcm32[w + l] = Vi[A, l]
                    else:
                        for j in range(vlen):
                            vtcm8[(off & 0xFFFFFFFF) + j] = V8[A, j]
                latv = 0
            elif op == O_VLDBC:
                addr = (np.int64(R[B]) + imm) & 0xFFFFFFFF
                sp, off = _locate(addr, 4, 4, dram_size, vtbase, vtsize)
                if sp < 0:
                    trap[0] = T_MISALIGNED if sp == -1 else T_OOB
                    trap[1] = ins[i, K_ORIG]
                    trap[2] = addr
                    trap[3] = 4
                    trap[4] = 4 if sp == -1 else 0
                    _flush(cnt, now, icount, sdep, sdma, sdram, sbr, c_dr, c_dw, c_vr, c_vw,
                           hwm, c_dman, c_dmab, cold)
                    return
                if sp == 0:
                    c_dr += 4
                    dram_bytes += 4
                    wv = dram32[(off >> 2) & 0x3FFFFFFF]
                    latv = lat_vldd
                else:
                    c_vr += 4
                    if off + 4 > hwm:
                        hwm = off + 4
                    wv = vtcm32[(off >> 2) & 0x3FFFFFFF]
                    latv = lat_vldv
                for l in range(L):
                    Vi[A, l] = wv
            # ---------------------------------------------------------- scalar
            elif op >= O_LI and op <= O_SLTI:
                x = np.int64(R[B])
                y = np.int64(R[Cc])
                if op == O_LI:
                    v = np.int64(imm)
                elif op == O_MOV:
                    v = x
                elif op == O_ADD:
                    v = x + y
                elif op == O_SUB:
                    v = x - y
                elif op == O_MUL:
                    v = x * y
                elif op == O_AND:
                    v = x & y
                elif op == O_OR:
                    v = x | y
                elif op == O_XOR:
                    v = x ^ y
                elif op == O_SHL:
                    v = x << (y & 31)
                elif op == O_SHR:
                    v = (x & 0xFFFFFFFF) >> (y & 31)
                elif op == O_SRA:
                    v = x >> (y & 31)
                elif op == O_SLT:
                    v = 1 if x < y else 0
                elif op == O_SLTU:
                    v = 1 if (x & 0xFFFFFFFF) < (y & 0xFFFFFFFF) else 0
                elif op == O_MIN:
                    v = x if x < y else y
                elif op == O_MAX:
                    v = x if x > y else y
                elif op == O_MULI:
                    v = x * imm
                elif op == O_ANDI:
                    v = x & imm
                elif op == O_ORI:
                    v = x | imm
                elif op == O_XORI:
                    v = x ^ imm
                elif op == O_SHLI:
                    v = x << imm
                elif op == O_SHRI:
                    v = (x & 0xFFFFFFFF) >> imm
                elif op == O_SRAI:
                    v = x >> imm
                else:  # O_SLTI
                    v = 1 if x < imm else 0
                R[A] = np.int32(((v + 2147483648) & 0xFFFFFFFF) - 2147483648)
                latv = lat_salu
            elif op == O_LD or op == O_LDF or op == O_ST or op == O_STF:
                addr = (np.int64(R[B]) + imm) & 0xFFFFFFFF
                sp, off = _locate(addr, 4, 4, dram_size, vtbase, vtsize)
                if sp < 0:
                    trap[0] = T_MISALIGNED if sp == -1 else T_OOB
                    trap[1] = ins[i, K_ORIG]
                    trap[2] = addr
                    trap[3] = 4
                    trap[4] = 4 if sp == -1 else 0
                    _flush(cnt, now, icount, sdep, sdma, sdram, sbr, c_dr, c_dw, c_vr, c_vw,
                           hwm, c_dman, c_dmab, cold)
                    return
                load = op == O_LD or op == O_LDF
                if sp == 0:
                    dram_bytes += 4
                    if load:
                        c_dr += 4
                        R[A] = dram32[(off >> 2) & 0x3FFFFFFF]
                        latv = lat_vldd
                    else:
                        c_dw += 4
                        dram32[(off >> 2) & 0x3FFFFFFF] = R[A]
                        latv = 0
                else:
                    if off + 4 > hwm:
                        hwm = off + 4
                    if load:
                        c_vr += 4
                        R[A] = vtcm32[(off >> 2) & 0x3FFFFFFF]
                        latv = lat_sld
                    else:
                        c_vw += 4
                        vtcm32[(off >> 2) & 0x3FFFFFFF] = R[A]
                        latv = 0
            # ---------------------------------------------------------- control
            elif op == O_HALT or (op >= O_J and op <= O_LOOPI):
                latv = 0
                if op == O_HALT:
                    halt = True
                elif op == O_J:
                    next_pc = ins[i, K_D]
                    taken = True
                elif op == O_BEQ or op == O_BNE or op == O_BLT or op == O_BGE:
                    x = R[A]
                    y = R[B]
                    if op == O_BEQ:
                        c = x == y
                    elif op == O_BNE:
                        c = x != y
                    elif op == O_BLT:
                        c = x < y
                    else:
                        c = x >= y
                    if c:
                        next_pc = ins[i, K_D]
                        taken = True
                else:
                    count = np.int64(imm) if op == O_LOOPI else np.int64(R[A])
                    if count <= 0:
                        next_pc = ins[i, K_D]
                    else:
                        if nloops >= ldepth:
                            trap[0] = T_LOOP
                            trap[1] = ins[i, K_ORIG]
                            _flush(cnt, now, icount, sdep, sdma, sdram, sbr, c_dr, c_dw, c_vr, c_vw,
                                   hwm, c_dman, c_dmab, cold)
                            return
                        if nloops > 0:
                            loop_start[nloops - 1] = top_start
                            loop_end[nloops - 1] = top_end
                            loop_rem[nloops - 1] = top_rem
                        top_start = pc + 1
                        top_end = ins[i, K_D]
                        top_rem = count
                        nloops += 1
            # ---------------------------------------------------------- vector ALU
            elif op == O_VADD_F32:
                for l in range(L):
                    x = Vf[B, l] + Vf[Cc, l]
                    Vf[A, l] = x if x == x else F32_NAN
                latv = lat_valu
            elif op == O_VSUB_F32:
                for l in range(L):
                    x = Vf[B, l] - Vf[Cc, l]
                    Vf[A, l] = x if x == x else F32_NAN
                latv = lat_valu
            elif op == O_VMUL_F32:
                for l in range(L):
                    x = Vf[B, l] * Vf[Cc, l]
                    Vf[A, l] = x if x == x else F32_NAN
                latv = lat_vmpy
            elif op == O_VMAX_F32 or op == O_VMIN_F32:
                for l in range(L):
                    x = Vf[B, l]
                    y = Vf[Cc, l]
                    if x != x or y != y:
                        Vf[A, l] = F32_NAN
                    elif (x > y) if op == O_VMAX_F32 else (x < y):
                        Vf[A, l] = x
                    else:
                        Vf[A, l] = y
                latv = lat_valu
            elif op == O_VMOV:
                for l in range(L):
                    Vi[A, l] = Vi[B, l]
                latv = lat_valu
            elif op == O_VSPLAT or op == O_VSPLATI:
                wv = R[B] if op == O_VSPLAT else np.int32(imm)
                for l in range(L):
                    Vi[A, l] = wv
                latv = lat_valu
            elif op == O_DMAWAIT:
                pass  # its stall is computed before the packet issues (packet column 6)
            elif op == O_DMACFG or op == O_DMA or op == O_DMA2:
                if _dma_cold(op, A, B, Cc, ins[i, K_ORIG], R, dram8, vtcm8, dram_size, vtbase,
                             vtsize, cold, trap, tr_bytes, tr_dram):
                    _flush(cnt, now, icount, sdep, sdma, sdram, sbr, c_dr, c_dw, c_vr, c_vw,
                           hwm, c_dman, c_dmab, cold)
                    return
            else:
                kind = _vec_cold(op, A, B, Cc, ins[i, K_D], imm, L, vlen, R, V8, Vf, Vi, Q, tmp8)
                latv = lat_valu if kind == 0 else (lat_vmpy if kind == 1 else lat_vxfer)
            if timing:
                rd = ins[i, K_DST]
                if rd >= 0:
                    ready[rd & 0xFFFF] = t3 + latv
        # ------------------------------------------------------------------ end of packet
        if staged:
            for i in range(a, b):
                wf = ins[i, K_WFILE]
                if wf == 0:
                    R[ins[i, K_WREAL] & 0xFFFF] = R[ins[i, K_A] & 0xFFFF]
                elif wf == 1:
                    sh = ins[i, K_A] & 0xFFFF
                    rl = ins[i, K_WREAL] & 0xFFFF
                    for j in range(vlen):
                        V8[rl, j] = V8[sh, j]
                elif wf == 2:
                    sh = ins[i, K_A] & 0xFFFF
                    rl = ins[i, K_WREAL] & 0xFFFF
                    for j in range(vlen):
                        Q[rl, j] = Q[sh, j]
        icount += n
        pkcount[pc] += 1
        if timing:
            if dram_bytes > 0:
                dram_free = t3 + (dram_bytes + dbpc - 1) // dbpc
            sdep += t1 - now
            sdma += t2 - t1
            sdram += t3 - t2
            for k in range(cold[COLD_NTR]):
                e = 0
                for q in range(1, engine_free.shape[0]):
                    if engine_free[q] < engine_free[e]:
                        e = q
                start = t3 if t3 > engine_free[e] else engine_free[e]
                done = start + dsetup + (tr_bytes[k] + minbpc - 1) // minbpc
                if tr_dram[k] > 0:
                    s0 = start + dsetup
                    if dram_free > s0:
                        s0 = dram_free
                    dram_free = s0 + (tr_dram[k] + dbpc - 1) // dbpc
                    if dram_free > done:
                        done = dram_free
                engine_free[e] = done
                dma_done[ndone[0]] = done
                ndone[0] += 1
            nxt = t3 + 1
            if taken:
                nxt += brt
                sbr += brt
            if halt:
                drain = nxt
                for q in range(ndone[0]):
                    if dma_done[q] > drain:
                        drain = dma_done[q]
                sdma += drain - nxt
                nxt = drain
        else:
            nxt = now + 1
        pkcyc[pc] += nxt - now - 1
        now = nxt
        if halt:
            _flush(cnt, now, icount, sdep, sdma, sdram, sbr, c_dr, c_dw, c_vr, c_vw, hwm, c_dman,
                   c_dmab, cold)
            return
        while next_pc == top_end:
            top_rem -= 1
            if top_rem > 0:
                next_pc = top_start
                break
            nloops -= 1
            if nloops > 0:
                top_start = loop_start[nloops - 1]
                top_end = loop_end[nloops - 1]
                top_rem = loop_rem[nloops - 1]
            else:
                top_end = -1
        pc = next_pc


# --------------------------------------------------------------------------- wrapper


def decode(prog: Program, target: Target) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                   np.ndarray]:
    """(instructions in execution order, packets, flat source-register list, class counts).

    Packet columns: first and end instruction, tag, staged, source range in `srcs` (at
    least 8 readable entries follow its start: padding names a never-written register), the
    smallest `dmawait` immediate (-1: none), transfers started, has a load/store; then
    PK_FAST (1: `_fast` may run it: not staged, no SLOW_OPS; 2: the same with a loop
    instruction), PK_VR and PK_VW (VTCM bytes it reads and writes when all its accesses go
    to VTCM), PK_NMEM and PK_MEM.. (its loads/stores, at most MAXMEM, each as address
    register, offset, bytes, alignment mask). Vectorised over per-opcode tables (a Python loop
    per instruction took 0.6 s for ResNet-50's 72k instructions; this takes 0.06 s).
    """
    key = ("sim_fast", 5, target.name, target.gprs, target.vregs, target.qregs, target.vlen_bytes,
           target.latency)
    cache = prog.__dict__.setdefault("_decoded", {})
    if key in cache:
        return cache[key]
    code = prog.code
    n = len(code)
    g, nv = target.gprs, target.vregs
    file_base = (0, g, g + nv)
    file_size = (target.gprs, target.vregs, target.qregs)
    ins = np.zeros((n, KW), dtype=np.int32)
    starts = prog.packet_starts()
    npk = len(starts) - 1
    pk = np.zeros((npk, PKW), dtype=np.int32)
    hist = np.zeros((npk, len(CLASSES)), dtype=np.int64)
    dummy = target.gprs + target.vregs + target.qregs  # never written: ready 0
    sink = dummy + 1  # written by `_fast` for instructions without a destination, never read
    lat = target.latency
    # latency of a result when every access is to VTCM (`_fast`), by instruction class
    fast_lat = {"salu": lat.salu, "sld": lat.sld, "sst": 0, "branch": 0, "loop": 0,
                "vld": lat.vld_vtcm, "vldu": lat.vld_vtcm, "vst": 0, "valu": lat.valu,
                "vxfer": lat.vxfer, "vmpy": lat.vmpy, "dma": 0}
    access = mem_access(target)
    lanes = target.vlen_bytes // 4
    # per-opcode tables; register operands go to fields A, B, C, D in assembly order
    nop = len(BY_OPCODE)
    t_cls = np.array([CLASS_ID[d.klass] for d in BY_OPCODE], dtype=np.int64)
    t_nb = np.array([access.get(d.mnemonic, (0, 1))[0] for d in BY_OPCODE], dtype=np.int64)
    t_lat = np.array([fast_lat[d.klass] for d in BY_OPCODE], dtype=np.int64)
    t_al = np.array([access.get(d.mnemonic, (0, 1))[1] - 1 for d in BY_OPCODE], dtype=np.int64)
    t_store = np.array([d.mem == MEM_STORE for d in BY_OPCODE])
    t_slow = np.array([d.mnemonic in SLOW_OPS for d in BY_OPCODE])
    t_loop = np.array([d.klass == "loop" for d in BY_OPCODE])
    t_wait = np.array([d.mnemonic == "dmawait" for d in BY_OPCODE])
    t_dma = np.array([d.mnemonic in ("dma", "dma2") for d in BY_OPCODE])
    t_read = np.zeros((nop, 4), dtype=bool)  # field k is a register read
    t_file = np.zeros((nop, 4), dtype=np.int64)  # its register file
    t_wslot = np.full(nop, -1, dtype=np.int64)  # the field written (-1: none)
    t_vacc = np.zeros(nop, dtype=np.int64)
    for o, d in enumerate(BY_OPCODE):
        kinds = [k for k in d.operands if k in KIND_FILE]
        for k, kind in enumerate(kinds):
            t_file[o, k] = KIND_FILE[kind]
            t_read[o, k] = kind in READ_KINDS
            if kind in WRITE_KINDS:
                assert t_wslot[o] < 0, d.mnemonic  # one written operand at most
                t_wslot[o] = k
                t_vacc[o] = int(kind == "vacc")
    fb = np.array(file_base, dtype=np.int64)
    fsz = np.array(file_size, dtype=np.int64)
    st_ = starts.astype(np.int64)
    # instructions in execution order: by packet, then EXEC rank (stable)
    perm = np.lexsort((code[:, F_EXEC], code[:, F_PKT])) if n else np.zeros(0, np.int64)
    rows = code[perm].astype(np.int64)
    op = rows[:, F_OP]
    pkt = np.repeat(np.arange(npk), np.diff(st_))  # packet of each (reordered) row
    slot = np.arange(n) - st_[:-1][pkt]
    staged_p = code[st_[:-1], F_STAGED].astype(np.int64) if npk else np.zeros(0, np.int64)
    regs = rows[:, [F_A, F_B, F_C, F_D]]
    w = t_wslot[op]
    has_w = w >= 0
    wk = np.where(has_w, w, 0)
    wreg = regs[np.arange(n), wk]
    wfile = t_file[op, wk]
    dst = np.where(has_w, fb[wfile] + wreg, -1)
    kA = regs[:, 0].copy()
    shadow = has_w & (staged_p[pkt] != 0)
    kA[shadow] = fsz[wfile[shadow]] + slot[shadow]
    nsrc = t_read[op].sum(axis=1)
    cols = np.zeros((n, KW), dtype=np.int64)
    cols[:, K_OP] = op
    cols[:, K_A], cols[:, K_B], cols[:, K_C], cols[:, K_D] = kA, regs[:, 1], regs[:, 2], regs[:, 3]
    cols[:, K_IMM] = rows[:, F_IMM]
    cols[:, K_ORIG] = perm
    cols[:, K_CLS] = t_cls[op]
    cols[:, K_DST] = dst
    cols[:, K_NSRC] = nsrc
    cols[:, K_MEM] = t_nb[op]
    cols[:, K_WFILE] = np.where(has_w, wfile, -1)
    cols[:, K_WREAL] = np.where(has_w, wreg, 0)
    cols[:, K_VACC] = np.where(has_w, t_vacc[op], 0)
    cols[:, K_LAT] = t_lat[op]
    cols[:, K_ALIGN] = t_al[op]
    cols[:, K_RDY] = np.where(has_w, dst, sink)
    cols[:, K_AL], cols[:, K_BL], cols[:, K_CL] = kA * lanes, regs[:, 1] * lanes, regs[:, 2] * lanes
    ins[:] = cols
    # sources: each packet's reads in order, padded with `dummy` to at least 8 entries
    rd = t_read[op]
    svals = (fb[t_file[op]] + regs)[rd]  # row-major: by instruction, then field
    spkt = np.broadcast_to(pkt[:, None], rd.shape)[rd]
    ns_p = np.bincount(spkt, minlength=npk).astype(np.int64)
    region = np.maximum(ns_p, 8)
    src0 = np.cumsum(region) - region
    srcs_a = np.full(int(region.sum()) + 1, dummy, dtype=np.int64)
    srcs_a[-1] = 0
    first = np.cumsum(ns_p) - ns_p
    srcs_a[src0[spkt] + np.arange(len(svals)) - first[spkt]] = svals
    # packet columns
    def per_packet(x: np.ndarray, ufunc: np.ufunc = np.add) -> np.ndarray:
        return ufunc.reduceat(x, st_[:-1]) if npk else np.zeros(0, np.int64)

    nb = t_nb[op]
    is_mem = nb > 0
    imm = rows[:, F_IMM]
    big = np.int64(2**40)
    wait_n = per_packet(np.where(t_wait[op], imm, big), np.minimum)
    wait_n = np.where(wait_n == big, -1, wait_n)
    nmem_all = per_packet(is_mem.astype(np.int64))
    fast = ((staged_p == 0) & (per_packet(t_slow[op].astype(np.int64)) == 0)
            & (nmem_all <= MAXMEM)).astype(np.int64)
    fast = np.where((fast == 1) & (per_packet(t_loop[op].astype(np.int64)) > 0), 2, fast)
    pk[:, 0], pk[:, 1] = st_[:-1], st_[1:]
    pk[:, 2] = code[st_[:-1], F_TAG] if npk else 0
    pk[:, 3] = staged_p
    pk[:, 4], pk[:, 5] = src0, src0 + ns_p
    pk[:, 6] = wait_n
    pk[:, 7] = per_packet(t_dma[op].astype(np.int64))
    pk[:, 8] = (nmem_all > 0).astype(np.int64)
    pk[:, PK_FAST] = fast
    pk[:, PK_VR] = per_packet(np.where(t_store[op], 0, nb))
    pk[:, PK_VW] = per_packet(np.where(t_store[op], nb, 0))
    pk[:, PK_NMEM] = np.minimum(nmem_all, MAXMEM)
    mrow = np.flatnonzero(is_mem)
    mfirst = np.cumsum(nmem_all) - nmem_all
    mrank = np.arange(len(mrow)) - mfirst[pkt[mrow]]
    keep = mrank < MAXMEM
    mrow, mrank = mrow[keep], mrank[keep]
    for j, k in enumerate((K_B, K_IMM, K_MEM, K_ALIGN)):
        pk[pkt[mrow], PK_MEM + 4 * mrank + j] = cols[mrow, k]
    np.add.at(hist, (pkt, t_cls[op]), 1)
    srcs = srcs_a
    result = (ins, pk, srcs.astype(np.int32), hist)
    cache[key] = result
    return result


def params(prog: Program, target: Target, dram_size: int, timing: bool,
           max_instructions: int) -> np.ndarray:
    t = target
    lat = t.latency
    p = np.zeros(NPARAMS, dtype=np.int64)
    p[P_VLEN], p[P_G], p[P_NV], p[P_NQ] = t.vlen_bytes, t.gprs, t.vregs, t.qregs
    p[P_VTBASE], p[P_DRAM], p[P_VTCM] = t.vtcm_base, dram_size, t.vtcm_bytes
    p[P_TIMING], p[P_MAXI], p[P_LDEPTH] = int(timing), max_instructions, t.loop_depth
    p[P_LSALU], p[P_LVALU], p[P_LVXFER], p[P_LVMPY] = lat.salu, lat.valu, lat.vxfer, lat.vmpy
    p[P_LVLDV], p[P_LVLDD], p[P_LSLD], p[P_BRT] = lat.vld_vtcm, lat.vld_dram, lat.sld, \
        lat.branch_taken
    p[P_DBPC], p[P_VBPC] = t.dram_bytes_per_cycle, t.vtcm_bytes_per_cycle
    p[P_DSETUP], p[P_DENG], p[P_DMAXO] = t.dma.setup_cycles, t.dma.engines, t.dma.max_outstanding
    return p


def simulate(prog: Program, target: Target, dram: np.ndarray, vtcm: np.ndarray,
             timing: bool = True, max_instructions: int = 10**10,
             native: bool | None = None) -> RawResult:
    """Run `prog`; `dram`/`vtcm` (uint8, sizes multiples of 4) are updated in place.

    `native`: run the simple packets in the C loop (runtime/sim_native.py; same results);
    None decides by `sim_native.wanted` (a C compiler present, VEXA_SIM_NATIVE not 0)."""
    from vexa.runtime import sim_native

    ins, pk, srcs, hist = decode(prog, target)
    if native is None:
        native = sim_native.wanted(prog)
    nat_fn, nat, (lpi, lpl), crows = (sim_native.load(prog, target) if native
                                      else (0, None, (None, None), None))
    dram = _as_u8(dram)
    vtcm = _as_u8(vtcm)
    if len(dram) % 4 or len(vtcm) % 4:
        raise ValueError("memory sizes must be multiples of 4 bytes")
    S = target.slots
    vlen = target.vlen_bytes
    R = np.zeros(target.gprs + S, dtype=np.int32)
    V8 = _aligned_zeros((target.vregs + S, vlen), 64)  # sim_native: aligned registers
    Q = np.zeros((target.qregs + S, vlen), dtype=np.uint8)
    ready = np.zeros(target.gprs + target.vregs + target.qregs + 2, dtype=np.int64)
    cnt = np.zeros(N_COUNTERS, dtype=np.int64)
    npk = len(pk)
    pkcount = np.zeros(npk, dtype=np.int64)
    pkcyc = np.zeros(npk, dtype=np.int64)
    trap = np.zeros(5, dtype=np.int64)
    engine_free = np.zeros(target.dma.engines, dtype=np.int64)
    dma_done = np.zeros(target.dma.max_outstanding + 64, dtype=np.int64)
    tmp8 = np.zeros(vlen, dtype=np.uint8)
    scratch = np.zeros(scratch_shape(target), dtype=np.int64)
    prm = params(prog, target, len(dram), timing, max_instructions)
    st = np.zeros(NST, dtype=np.int64)
    st[S_TIMING], st[S_MAXI], st[S_DRAM] = int(timing), max_instructions, len(dram)
    st[S_VTBASE], st[S_VTEND] = target.vtcm_base, target.vtcm_bytes
    st[S_LDEPTH], st[S_BRT] = target.loop_depth, target.latency.branch_taken
    if target.vtcm_base % max(vlen, 4) or target.vtcm_base < len(dram):
        st[S_VTEND] = -1  # `_fast` assumes VTCM aligned and above DRAM: no memory access there
    # the C loop's argument block (sim_native.vexa_fast): pointers, then lanes, scratch
    # row width and packet count; naddr = (its address, the block's address)
    naddr = np.zeros(2, dtype=np.int64)
    if nat_fn:
        block = np.array([a.ctypes.data for a in (ins, pk, srcs, nat, R, V8, Q, vtcm, ready,
                                                  pkcount, pkcyc, scratch, st)]
                         + [vlen // 4, scratch.shape[1], npk]
                         + ([lpi.ctypes.data, lpl.ctypes.data] if sim_native.MEMO else [0, 0])
                         + [sim_native.MEMO_STATS.ctypes.data, crows.ctypes.data],
                         dtype=np.int64)
        naddr[:] = nat_fn, block.ctypes.data
    else:
        nat = np.zeros(max(npk, 1), dtype=np.int8)
    _run(ins, pk, prm, R, V8, V8.view(np.float32), V8.view(np.int32), Q,
         dram, dram.view(np.int32), vtcm, vtcm.view(np.int32), ready, cnt, pkcount, pkcyc,
         srcs, trap, engine_free, dma_done, tmp8, scratch, np.zeros(16, dtype=np.int64), st,
         np.zeros(npk, dtype=np.int32), nat, naddr)
    # per-packet execution counts and cycles -> packets, classes, cycles per tag
    cnt[C_PKT] = pkcount.sum()
    bycls = pkcount @ hist
    tagcyc = np.bincount(pk[:, 2], weights=pkcyc + pkcount, minlength=max(len(prog.tags), 1))
    return RawResult((int(trap[0]), int(trap[1]), int(trap[2]), int(trap[3]), int(trap[4])),
                     cnt, bycls.astype(np.int64), np.rint(tagcyc).astype(np.int64),
                     R[:target.gprs].copy(), V8[:target.vregs].copy(), Q[:target.qregs].copy())


def _aligned_zeros(shape: tuple[int, int], align: int) -> np.ndarray:
    """A zeroed uint8 array whose data starts at a multiple of `align` bytes."""
    n = shape[0] * shape[1]
    buf = np.zeros(n + align, dtype=np.uint8)
    k = (-buf.ctypes.data) % align
    return buf[k:k + n].reshape(shape)


def _as_u8(a: np.ndarray) -> np.ndarray:
    if a.dtype != np.uint8 or not a.flags.c_contiguous or a.ndim != 1:
        raise TypeError("memory arrays must be 1-D contiguous uint8")
    return a
