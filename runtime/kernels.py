"""Hand-scheduled vx micro-kernels that show the machine reaching its roofline.

Two generators, both driven only by the `Target` (nothing about a machine is typed here):

- `gemm_asm(target, M, N, K)`: register-blocked f32 GEMM `C = A·B` with A, B and C in VTCM.
  An `mr × nr` block of accumulators (`nr` vectors wide) is updated once per k step by
  `mr·nr` `vfma.f32`; each step broadcasts `mr` elements of A (`vldbc`) and loads `nr`
  vectors of one row of B (`vld`). The k loop is a hardware loop over `ku` steps (usually
  2) whose operand registers alternate between two buffers where needed, so the loads for
  the next step issue in the free slots of the current one and the vmpy units are busy in
  every packet. The column
  tiles are a second hardware loop, the row blocks a software loop: the code size does not
  grow with M, N or K.
- `vadd_asm(target, n)`: `C = A + B` streamed from DRAM through VTCM with double-buffered
  DMA; the DRAM port (the roof) stays busy while the core adds in VTCM.

`gemm_block(target, M, N, K)` exposes the block-shape choice and its estimated cycles,
`gemm_tile_lines` the one-tile micro-kernel the compiler can reuse, `vadd_plan` the DMA
chunking. Instruction classes come from `vexa.runtime.isa`, what they occupy from the
target's resource table; a
schedule never relies on a stall for correctness (every read is after its producer in
program order), only for timing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from vexa.runtime.isa import INSTRUCTIONS
from vexa.tools.errors import VexaError

__all__ = [
    "GemmBlock",
    "KernelError",
    "default_gemm_sizes",
    "gemm_asm",
    "gemm_block",
    "gemm_tile_lines",
    "vadd_asm",
    "vadd_plan",
]


class KernelError(VexaError):
    """A kernel cannot be generated for these sizes on this target (message says why)."""


# region Machine view


def _klass(text: str) -> str:
    """Instruction class of an assembly line (the key of the resource and latency tables)."""
    return INSTRUCTIONS[text.split()[0]].klass


@dataclass(frozen=True)
class _Machine:
    """The few target facts the generators use, read once from a `Target`."""

    name: str
    vlen: int
    vregs: int
    gprs: int
    slots: int
    loop_depth: int
    resources: Mapping[str, int]
    class_resources: Mapping[str, Mapping[str, int]]
    latencies: Mapping[str, int]
    dram_bpc: int
    vtcm_bpc: int
    vtcm_bytes: int
    dma_setup: int
    dma_max_outstanding: int

    @property
    def lanes(self) -> int:
        """f32 lanes per vector register."""
        return self.vlen // 4

    def latency(self, klass: str) -> int:
        """Cycles from issue until a result of `klass` is ready (VTCM loads for `vld`)."""
        return self.latencies.get(klass, 1)

    def demand(self, klass: str) -> Mapping[str, int]:
        demand = self.class_resources.get(klass)
        if demand is None:
            raise KernelError(f"target '{self.name}' has no instruction class '{klass}'")
        return demand

    @property
    def symbol_align(self) -> int:
        """Alignment every data symbol of a kernel keeps (`vld`/`vst` need `vlen`)."""
        return max(self.vlen, 128)

    def per_packet(self, klass: str) -> int:
        """How many instructions of `klass` alone fit in one packet."""
        limit = self.slots
        for resource, count in self.demand(klass).items():
            if count > 0:
                limit = min(limit, self.resources.get(resource, 0) // count)
        return limit


def _machine(target: Any) -> _Machine:
    if isinstance(target, str):
        from vexa.runtime.target import load_target

        target = load_target(target)
    if isinstance(target, _Machine):
        return target
    return _Machine(
        name=target.name,
        vlen=target.vlen_bytes,
        vregs=target.vregs,
        gprs=target.gprs,
        slots=target.slots,
        loop_depth=getattr(target, "loop_depth", 2),
        resources=dict(target.resources),
        class_resources={k: dict(v) for k, v in target.class_resources.items()},
        latencies={k: target.latency_of(k) for k in target.class_resources},
        dram_bpc=target.dram_bytes_per_cycle,
        vtcm_bpc=target.vtcm_bytes_per_cycle,
        vtcm_bytes=target.vtcm_bytes,
        dma_setup=target.dma.setup_cycles,
        dma_max_outstanding=target.dma.max_outstanding,
    )


def _padded(m: _Machine, nbytes: int) -> int:
    """`nbytes` rounded up so that the next symbol stays vector-aligned.

    The assembler starts symbols at 128-byte boundaries; on targets with longer vectors a
    symbol whose size is a multiple of `vlen` keeps its successor aligned (an `.input` may
    be larger than its shape).
    """
    return nbytes + (-nbytes) % m.symbol_align


# endregion

# region Packet buffer


class _Packets:
    """A growing list of packets that knows which instruction classes still fit in each."""

    def __init__(self, machine: _Machine) -> None:
        self.m = machine
        self.insts: list[list[str]] = []
        self.used: list[Counter[str]] = []

    def __len__(self) -> int:
        return len(self.insts)

    def _grow(self, n: int) -> None:
        while len(self.insts) < n:
            self.insts.append([])
            self.used.append(Counter())

    def fits(self, p: int, klass: str) -> bool:
        self._grow(p + 1)
        if len(self.insts[p]) >= self.m.slots:
            return False
        used = self.used[p]
        demand = self.m.demand(klass).items()
        return all(used[r] + c <= self.m.resources.get(r, 0) for r, c in demand)

    def put(self, p: int, text: str) -> int:
        klass = _klass(text)
        if not self.fits(p, klass):
            raise AssertionError(f"packet {p} has no room for '{text}'")
        self.insts[p].append(text)
        self.used[p].update(self.m.demand(klass))
        return p

    def first_fit(self, klass: str, earliest: int = 0, latest: int | None = None) -> int | None:
        """The earliest packet in [earliest, latest] with room for `klass` (grows if open)."""
        p = max(earliest, 0)
        while latest is None or p <= latest:
            if self.fits(p, klass):
                return p
            p += 1
        return None

    def last_fit(self, klass: str, earliest: int, latest: int) -> int | None:
        for p in range(latest, earliest - 1, -1):
            if self.fits(p, klass):
                return p
        return None

    def put_asap(self, text: str, earliest: int = 0) -> int:
        p = self.first_fit(_klass(text), earliest)
        assert p is not None
        return self.put(p, text)

    def lines(self, labels: Mapping[int, str] | None = None) -> list[str]:
        """Assembly lines; empty packets are dropped (the scoreboard stalls instead).

        A label of an empty packet moves to the next non-empty one.
        """
        out: list[str] = []
        pending: list[str] = []
        for p, insts in enumerate(self.insts):
            if labels is not None and p in labels:
                pending.append(labels[p])
            if not insts:
                continue
            out += [f"{label}:" for label in pending]
            pending = []
            text = insts[0] if len(insts) == 1 else "{ " + " ; ".join(insts) + " }"
            out.append(f"    {text}")
        out += [f"{label}:" for label in pending]
        return out


# endregion

# region GEMM


@dataclass(frozen=True)
class GemmBlock:
    """A GEMM register block and the schedule facts that chose it.

    `mr` rows of A × `nr` vectors of B per k step; `a_bufs`/`b_bufs` (1 or 2) are how many
    register sets hold the A broadcasts / B vectors (2: the next step's operands load into
    the other set while this step computes); `unroll` is the k steps per loop body (the
    pointer increments are paid once per body); `extra` packets per step beyond the vfma
    ones (0 unless the block is too small); `step_packets` is the packets per k step in
    steady state, `vregs_used` the vector registers the block needs.
    """

    mr: int
    nr: int
    a_bufs: int
    b_bufs: int
    unroll: int
    extra: int
    step_packets: int
    vregs_used: int
    estimated_cycles: int
    peak_cycles: int

    @property
    def estimated_efficiency(self) -> float:
        """Peak-compute cycles ÷ estimated cycles (1.0 = on the roof)."""
        return self.peak_cycles / self.estimated_cycles


# Scalar registers of the GEMM kernel (fixed names keep the assembly readable).
_RA, _RB, _RAROW, _RBCOL, _RC, _RAEND = "r1", "r2", "r3", "r4", "r5", "r6"


@dataclass
class _Body:
    """A scheduled k-loop body: packets, and for every load the body step (0..ku) it feeds."""

    packets: _Packets
    load_step: dict[tuple[int, int], int]  # (packet, index in packet) -> step fed
    unbumped: dict[tuple[int, int], str]  # the same loads with offsets from unbumped pointers
    step_packets: int  # P: packets per step (trailing ones may be empty, so not len / ku)


def _fma_order(mr: int, nr: int) -> list[tuple[int, int]]:
    # Row-major: one A broadcast serves nr consecutive vfma, B vectors are reused per row.
    return [(i, j) for i in range(mr) for j in range(nr)]


_RegTable = list[list[int]]


def _regs(mr: int, nr: int, a_bufs: int, b_bufs: int) -> tuple[_RegTable, _RegTable, _RegTable]:
    """Register numbers: acc[i][j], a[buf][i], b[buf][j]."""
    acc = [[i * nr + j for j in range(nr)] for i in range(mr)]
    base = mr * nr
    a = [[base + buf * mr + i for i in range(mr)] for buf in range(a_bufs)]
    base += a_bufs * mr
    b = [[base + buf * nr + j for j in range(nr)] for buf in range(b_bufs)]
    return acc, a, b


def _schedule_body(
    m: _Machine,
    mr: int,
    nr: int,
    a_bufs: int,
    b_bufs: int,
    ku: int,
    lda: int,
    ldb: int,
    extra: int = 0,
) -> _Body | None:
    """Schedule the `ku`-step k-loop body, or None if the loads cannot keep up stall-free.

    Step t of the body computes with operand set t % bufs (`ku` is even). The loads that
    fill the operands of steps 1..ku (ku = step 0 of the next iteration) go into free slots
    between the last read of the register they overwrite and `latency` packets before its
    first read (earliest deadline first). The two pointer increments go as late as possible.
    A step is the vfma packets plus `extra` packets (for blocks too small to hide the loads
    or the vmpy latency).
    """
    U = m.per_packet("vmpy")
    if U == 0:
        raise KernelError(f"target '{m.name}' cannot issue vfma.f32")
    order = _fma_order(mr, nr)
    # An accumulator is read again P packets after its vfma: P >= latency avoids stalls.
    P = max(-(-len(order) // U), m.latency("vmpy")) + extra
    acc, a, b = _regs(mr, nr, a_bufs, b_bufs)
    pk = _Packets(m)
    first_a: dict[int, int] = {}
    last_a: dict[int, int] = {}
    first_b: dict[int, int] = {}
    last_b: dict[int, int] = {}
    for idx, (i, j) in enumerate(order):
        q = idx // U
        first_a.setdefault(i, q)
        last_a[i] = q
        first_b.setdefault(j, q)
        last_b[j] = q
    for t in range(ku):
        for idx, (i, j) in enumerate(order):
            pk.put(
                t * P + idx // U, f"vfma.f32 v{acc[i][j]}, v{a[t % a_bufs][i]}, v{b[t % b_bufs][j]}"
            )
    n = ku * P
    pk._grow(n)  # trailing packets may stay empty (their cycles become stalls)
    lat = m.latency("vld")
    # Pointer increments: A advances ku elements, B ku rows, as late as possible so every
    # load of this body sees the pointers of the body start.
    delta_a, delta_b = 4 * ku, ku * ldb
    # Loads of steps 1..ku (ku = step 0 of the next iteration), earliest deadline first.
    # Times are unrolled: a load placed at packet p >= n sits at p - n of the next body and
    # feeds step s - ku there (its step 0), so a window may wrap around the loop back-edge.
    loads: list[tuple[int, int, str, int, int]] = []  # (release, deadline, kind, index, step)
    for s in range(1, ku + 1):
        for i in range(mr):
            prev = (s - a_bufs) * P + last_a[i]
            loads.append((max(prev, 0), s * P + first_a[i] - lat, "a", i, s))
        for j in range(nr):
            prev = (s - b_bufs) * P + last_b[j]
            loads.append((max(prev, 0), s * P + first_b[j] - lat, "b", j, s))
    loads.sort(key=lambda x: (x[1], x[0]))
    placed: list[tuple[int, int, str, int, int]] = []  # (packet, slot, kind, index, step)
    for release, deadline, kind, idx, s in loads:
        p = next(
            (p for p in range(release, min(deadline, 2 * n - 1) + 1) if pk.fits(p % n, "vld")), None
        )
        if p is None:
            return None
        q, t = (p, s) if p < n else (p - n, s - ku)
        placed.append((q, len(pk.insts[q]), kind, idx, t))
        pk.put(q, "vld <placeholder>")
    # The two pointer increments: as late as possible (loads after them see the new value).
    addi_at: dict[str, int] = {}
    for reg, delta in ((_RA, delta_a), (_RB, delta_b)):
        p = pk.last_fit("salu", 0, max(n - m.latency("salu"), 0))
        if p is None:
            return None
        pk.put(p, f"addi {reg}, {reg}, {delta}")
        addi_at[reg] = p
    load_step: dict[tuple[int, int], int] = {}
    unbumped: dict[tuple[int, int], str] = {}
    for q, x, kind, idx, t in placed:
        if kind == "a":
            off = idx * lda + t * 4
            bump = delta_a if q > addi_at[_RA] else 0
            reg, vd = _RA, a[t % a_bufs][idx]
        else:
            off = t * ldb + idx * m.vlen
            bump = delta_b if q > addi_at[_RB] else 0
            reg, vd = _RB, b[t % b_bufs][idx]
        op = "vldbc" if kind == "a" else "vld"
        pk.insts[q][x] = f"{op} v{vd}, {reg}, {off - bump}"
        unbumped[(q, x)] = f"{op} v{vd}, {reg}, {off}"
        load_step[(q, x)] = t
    return _Body(pk, load_step, unbumped, P)


def _tile_overhead(m: _Machine, mr: int, nr: int) -> int:
    """Estimated cycles per tile outside the steady-state k loop (prologue, drain, stores)."""
    loads = -(-(mr + nr) // max(m.per_packet("vld"), 1))
    stores = -(-(mr * nr) // max(m.per_packet("vst"), 1))
    return 2 + loads + m.latency("vld") + m.latency("vmpy") + stores


def _candidates(m: _Machine, M: int, N: int, K: int) -> Iterable[GemmBlock]:
    U = m.per_packet("vmpy")
    nvec = N // m.lanes
    for mr in range(1, min(M, m.vregs) + 1):
        if M % mr:
            continue
        for nr in range(1, min(nvec, m.vregs) + 1):
            if nvec % nr:
                continue
            for a_bufs, b_bufs in ((2, 2), (1, 2), (2, 1), (1, 1)):
                used = mr * nr + a_bufs * mr + b_bufs * nr
                if used > m.vregs:
                    continue
                body = None
                # Enough extra packets for every load and both pointer bumps on 1 slot.
                for extra in range(mr + nr + 2):
                    for ku in (2, 4, 8):
                        body = _schedule_body(m, mr, nr, a_bufs, b_bufs, ku, 4 * K, 4 * N, extra)
                        if body is not None:
                            break
                    if body is not None:
                        break
                if body is None:
                    continue
                P = body.step_packets
                tiles = (M // mr) * (nvec // nr)
                cycles = tiles * (K * P + _tile_overhead(m, mr, nr)) + 4 * (M // mr)
                peak = -(-M * nvec * K // U)
                yield GemmBlock(mr, nr, a_bufs, b_bufs, ku, extra, P, used, cycles, peak)


def gemm_block(target: Any, M: int, N: int, K: int) -> GemmBlock:
    """The register block `gemm_asm` uses for these sizes on `target` (best estimate)."""
    m = _machine(target)
    _check_gemm_sizes(m, M, N, K)

    def key(c: GemmBlock) -> tuple[int, ...]:
        # Ties (the estimate ignores the store drain's exact packing): bigger blocks, taller
        # ones (the A broadcasts are the cheap operand), then more buffering (more slack).
        return (c.estimated_cycles, -c.mr * c.nr, -c.mr, -(c.a_bufs + c.b_bufs))

    best = min(_candidates(m, M, N, K), key=key, default=None)
    if best is None:
        raise KernelError(
            f"no register block fits {M}x{N}x{K} on '{m.name}' "
            f"({m.vregs} vector registers, vmpy latency {m.latency('vmpy')})"
        )
    return best


def _check_gemm_sizes(m: _Machine, M: int, N: int, K: int) -> None:
    if min(M, N, K) <= 0:
        raise KernelError(f"expected positive GEMM sizes, got {M}x{N}x{K}")
    if N % m.lanes:
        raise KernelError(f"expected N a multiple of {m.lanes} f32 lanes on '{m.name}', got {N}")
    if m.loop_depth < 2:
        raise KernelError(
            f"expected a target with loop_depth >= 2, got {m.loop_depth} on '{m.name}'"
        )
    need = _padded(m, 4 * M * K) + 4 * K * N + 4 * M * N
    if need > m.vtcm_bytes:
        raise KernelError(
            f"A, B and C of a {M}x{N}x{K} GEMM need {need} bytes of VTCM, "
            f"'{m.name}' has {m.vtcm_bytes}"
        )


def default_gemm_sizes(target: Any) -> tuple[int, int, int]:
    """256³, or the largest power-of-two cube whose A, B and C fit the target's VTCM."""
    m = _machine(target)
    size = 256
    while size > m.lanes and 12 * size * size > m.vtcm_bytes:
        size //= 2
    return size, size, size


def gemm_tile_lines(
    target: Any, blk: GemmBlock, K: int, lda: int, ldb: int, ldc: int, label: str = "k_end"
) -> list[str]:
    """Assembly lines computing one `mr × nr·lanes` tile of C (the reusable micro-kernel).

    Contract: on entry r3 = &A[row 0, k 0], r4 = &B[k 0, column 0], r5 = &C[row 0, column
    0] (byte strides `lda`, `ldb`, `ldc`, all in VTCM) and the accumulators v0..v{mr·nr-1}
    are zero. On exit the tile is stored, the accumulators are zero again and r4, r5 have
    advanced by `nr` vectors (the next tile to the right). Scratch: r1, r2 and vector
    registers below `blk.vregs_used`; one hardware loop level; `label` must be unique.
    """
    m = _machine(target)
    mr, nr = blk.mr, blk.nr
    body = _schedule_body(m, mr, nr, blk.a_bufs, blk.b_bufs, blk.unroll, lda, ldb, blk.extra)
    assert body is not None
    acc, a, b = _regs(mr, nr, blk.a_bufs, blk.b_bufs)
    P = blk.step_packets
    vlen = m.vlen
    ku = blk.unroll
    iters = (K - 1) // ku

    # Tile prologue: working pointers and the operands of step 0, straight from the bases.
    pro = _Packets(m)
    pro.put_asap(f"mov {_RA}, {_RAROW}")
    pro.put_asap(f"mov {_RB}, {_RBCOL}")
    for j in range(nr):
        pro.put_asap(f"vld v{b[0][j]}, {_RBCOL}, {j * vlen}")
    for i in range(mr):
        pro.put_asap(f"vldbc v{a[0][i]}, {_RAROW}, {i * lda}")

    # Epilogue: the steps after the loop (1..ku of them) with no loads past step K-1, then
    # the C stores (each as soon as its last vfma is ready) and the re-zeroing of the
    # accumulators for the next tile (in the store's packet: reads happen before writes).
    epi = _Packets(m)
    keep_steps = K - ku * iters
    last_fma: dict[int, int] = {}
    for p in range(keep_steps * P):
        for x, text in enumerate(body.packets.insts[p]):
            s = body.load_step.get((p, x))
            if s is not None and s >= keep_steps:
                continue
            if text.startswith("addi"):
                continue  # no pointer bumps: the kept loads use offsets from the old pointers
            epi.put(p, body.unbumped.get((p, x), text))
            if text.startswith("vfma"):
                last_fma[int(text.split()[1].strip("v,"))] = p
    last_store = 0
    lat_mpy = m.latency("vmpy")
    for i in range(mr):
        for j in range(nr):
            r = acc[i][j]
            ps = epi.put_asap(f"vst v{r}, {_RC}, {i * ldc + j * vlen}", last_fma[r] + lat_mpy)
            epi.put_asap(f"vsplati v{r}, 0", ps)
            last_store = max(last_store, ps)
    epi.put_asap(f"addi {_RC}, {_RC}, {nr * vlen}", last_store)
    # The base of the B column is read only by the tile prologue, so it can move any time.
    epi.put_asap(f"addi {_RBCOL}, {_RBCOL}, {nr * vlen}")
    return [
        *pro.lines(),
        f"    loopi {iters}, {label}",
        *body.packets.lines(),
        *epi.lines({0: label}),
    ]


def gemm_asm(target: Any, M: int = 256, N: int = 256, K: int = 256) -> str:
    """Assembly of a register-blocked f32 GEMM `C[M,N] = A[M,K] · B[K,N]`, operands in VTCM.

    Row-major A, B, C are `.input`/`.output` symbols in `.vtcm`. Summation order per
    element is k = 0, 1, ..., K-1 from +0.0, each step `f32(c + f32(a*b))`. Column tiles
    are a hardware loop around `gemm_tile_lines`, row blocks a software loop.
    """
    m = _machine(target)
    blk = gemm_block(m, M, N, K)
    mr, nr = blk.mr, blk.nr
    acc, _, _ = _regs(mr, nr, blk.a_bufs, blk.b_bufs)
    P = blk.step_packets
    ncol = N // m.lanes // nr

    lines = [
        f"# f32 GEMM C[{M}x{N}] = A[{M}x{K}] . B[{K}x{N}] on {m.name}, operands in VTCM",
        (
            f"# block {mr} rows x {nr} vectors ({nr * m.lanes} columns): {mr * nr} accumulators, "
            f"A broadcasts x{blk.a_bufs}, B vectors x{blk.b_bufs} "
            f"({blk.vregs_used} of {m.vregs} vregs)"
        ),
        (
            f"# {P} packets per k step, {m.per_packet('vmpy')} vfma.f32 per packet; "
            f"estimated {blk.estimated_cycles} cycles = "
            f"{100 * blk.estimated_efficiency:.1f}% of the f32 roof"
        ),
        f".target {m.name}",
        f".input A f32 {M}x{K}",
        f".input B f32 {K}x{N}",
        f".output C f32 {M}x{N}",
        ".vtcm",
        f"A: .zero {_padded(m, M * K * 4)}",
        f"B: .zero {K * N * 4}",
        f"C: .zero {M * N * 4}",
        ".text",
        "main:",
    ]
    init = _Packets(m)
    init.put_asap(f"li {_RAROW}, A")
    init.put_asap(f"li {_RC}, C")
    init.put_asap(f"li {_RAEND}, A+{M * K * 4}")
    for row in acc:
        for r in row:
            init.put_asap(f"vsplati v{r}, 0")
    lines += init.lines()
    lines.append("row:")
    lines.append(f"    li {_RBCOL}, B")
    lines.append(f"    loopi {ncol}, col_end")
    lines += gemm_tile_lines(m, blk, K, 4 * K, 4 * N, 4 * N)
    fin = _Packets(m)
    fin.put_asap(f"addi {_RAROW}, {_RAROW}, {mr * K * 4}")
    fin.put_asap(f"addi {_RC}, {_RC}, {(mr - 1) * N * 4}")
    lines += fin.lines({0: "col_end"})
    lines.append(f"    blt {_RAROW}, {_RAEND}, row")
    lines.append("    halt")
    return "\n".join(lines) + "\n"


# endregion

# region vadd


@dataclass(frozen=True)
class VaddPlan:
    """How `vadd_asm` streams `n` floats: chunk size (bytes), chunk count, unroll."""

    n: int
    chunk_bytes: int
    chunks: int
    unroll: int

    @property
    def dram_bytes(self) -> int:
        """Bytes the kernel moves over the DRAM port (read A, B; write C)."""
        return 12 * self.n


def vadd_plan(target: Any, n: int) -> VaddPlan:
    """Chunking of the DMA-streamed vector add (see `vadd_asm`)."""
    m = _machine(target)
    if n <= 0 or n % (2 * m.lanes):
        raise KernelError(f"expected n a positive multiple of {2 * m.lanes} on '{m.name}', got {n}")
    total = 4 * n
    # Cost model: the single DMA engine moves 3·total bytes and pays `setup` per transfer
    # (3 per chunk); the add of the last chunk cannot overlap any transfer. Fewer, larger
    # chunks save setups, smaller ones shorten that tail. Six buffers (A, B, C, double-
    # buffered) must fit VTCM.
    cap = m.vtcm_bytes // 6
    dma_bpc = min(m.dram_bpc, m.vtcm_bpc)
    best: tuple[int, int, int] | None = None  # (estimated cycles, chunks, unroll)
    body_packets: dict[int, int] = {}
    for chunks in range(2, total // m.vlen + 1, 2):
        chunk = total // chunks
        if total % chunks or chunk % m.vlen or chunk > cap:
            continue
        nvec = chunk // m.vlen
        unroll = max(u for u in range(1, min(8, m.vregs // 2, nvec) + 1) if nvec % u == 0)
        if unroll not in body_packets:
            body_packets[unroll] = len(_vadd_body(m, unroll))
        add = nvec // unroll * body_packets[unroll]
        dma = chunks * 3 * (m.dma_setup + -(-chunk // dma_bpc))
        cycles = max(dma, chunks * add) + add
        if best is None or cycles < best[0]:
            best = (cycles, chunks, unroll)
        if chunk < 4 * m.vlen * 8:
            break  # smaller chunks only add setups
    if best is None:
        raise KernelError(f"cannot split {n} floats into VTCM chunks on '{m.name}'")
    _, chunks, unroll = best
    chunk = total // chunks
    return VaddPlan(n, chunk, chunks, unroll)


def _vadd_body(m: _Machine, u: int) -> _Packets:
    """One iteration of the add loop: `u` vectors of A + B from VTCM buffers r10, r11 to r12."""
    pk = _Packets(m)
    lat_ld, lat_alu = m.latency("vld"), m.latency("valu")
    last = {"r10": 0, "r11": 0, "r12": 0}
    for k in range(u):
        pa = pk.put_asap(f"vld v{2 * k}, r10, {k * m.vlen}")
        pb = pk.put_asap(f"vld v{2 * k + 1}, r11, {k * m.vlen}")
        pv = pk.put_asap(f"vadd.f32 v{2 * k}, v{2 * k}, v{2 * k + 1}", max(pa, pb) + lat_ld)
        ps = pk.put_asap(f"vst v{2 * k}, r12, {k * m.vlen}", pv + lat_alu)
        last = {
            "r10": max(last["r10"], pa),
            "r11": max(last["r11"], pb),
            "r12": max(last["r12"], ps),
        }
    # Pointer bumps after the last read of each pointer (same packet: reads come first).
    for reg, p in last.items():
        pk.put_asap(f"addi {reg}, {reg}, {u * m.vlen}", p)
    return pk


def _vadd_chunk(m: _Machine, plan: VaddPlan, buf: int) -> list[str]:
    """Add one VTCM chunk: a hardware loop of `unroll` vectors per iteration."""
    u = plan.unroll
    setup = _Packets(m)
    for reg, sym in (("r10", "a"), ("r11", "b"), ("r12", "c")):
        setup.put_asap(f"li {reg}, {sym}{buf}")
    return [
        *setup.lines(),
        f"    loopi {plan.chunk_bytes // m.vlen // u}, add_end{{id}}",
        *_vadd_body(m, u).lines(),
    ]


def vadd_asm(target: Any, n: int = 1 << 20) -> str:
    """Assembly of `C = A + B` over `n` f32 streamed from DRAM with double-buffered DMA.

    Chunk i of A and B is copied into VTCM buffer set i % 2 while the core adds chunk i-1
    and the DMA engine writes chunk i-2 of C back, so the DRAM port never idles.
    """
    m = _machine(target)
    plan = vadd_plan(m, n)
    ch = plan.chunk_bytes
    labels = iter(range(1000))

    def chunk_code(buf: int) -> list[str]:
        code = _vadd_chunk(m, plan, buf)
        k = next(labels)
        code = [c.replace("{id}", str(k)) for c in code]
        return code + [f"add_end{k}:"]

    def dma(dst: str, src: str) -> str:
        return f"    dma {dst}, {src}, r9"

    lines = [
        f"# f32 vector add C[{n}] = A + B on {m.name}: DRAM -> VTCM by double-buffered DMA",
        (
            f"# {plan.chunks} chunks of {ch} bytes, {plan.unroll} vectors per loop iteration; "
            f"moves {plan.dram_bytes} DRAM bytes"
        ),
        f".target {m.name}",
        f".input A f32 {n}",
        f".input B f32 {n}",
        f".output C f32 {n}",
        ".data",
        f"A: .zero {4 * n}",
        f"B: .zero {4 * n}",
        f"C: .zero {4 * n}",
        ".vtcm",
    ]
    for buf in (0, 1):
        lines += [f"a{buf}: .zero {ch}", f"b{buf}: .zero {ch}", f"c{buf}: .zero {ch}"]
    # r1/r2: next A/B chunk to fetch, r3: next C chunk to write, r4-r8: VTCM buffers.
    lines += [
        ".text",
        "main:",
        "    li r9, " + str(ch),
        "    li r1, A",
        "    li r2, B",
        "    li r3, C",
        "    li r4, a0",
        "    li r5, b0",
        "    li r6, a1",
        "    li r7, b1",
        "    li r8, c0",
        "    li r13, c1",
        dma("r4", "r1"),
        dma("r5", "r2"),
        # Chunk 0 must be in before the first add; later waits leave the 3 newest in flight.
        "    dmawait 0",
        f"    addi r1, r1, {ch}",
        f"    addi r2, r2, {ch}",
        dma("r6", "r1"),
        dma("r7", "r2"),
        f"    addi r1, r1, {ch}",
        f"    addi r2, r2, {ch}",
        f"    loopi {plan.chunks // 2 - 1}, pair_end",
    ]
    for buf in (0, 1):
        a_reg, b_reg, c_reg = ("r4", "r5", "r8") if buf == 0 else ("r6", "r7", "r13")
        lines.append("    dmawait 3")
        lines += chunk_code(buf)
        lines += [
            dma("r3", c_reg),
            f"    addi r3, r3, {ch}",
            dma(a_reg, "r1"),
            dma(b_reg, "r2"),
            f"    addi r1, r1, {ch}",
            f"    addi r2, r2, {ch}",
        ]
    lines.append("pair_end:")
    # The last pair: nothing left to prefetch.
    lines.append("    dmawait 3")
    lines += chunk_code(0)
    lines += [dma("r3", "r8"), f"    addi r3, r3, {ch}", "    dmawait 1"]
    lines += chunk_code(1)
    lines += [dma("r3", "r13"), "    dmawait 0", "    halt"]
    return "\n".join(lines) + "\n"


# endregion
