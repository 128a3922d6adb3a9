"""The fast simulator agrees with the reference bit for bit on random programs.

A seeded generator writes small valid programs (straight-line packets, hardware and branch
loops, nested loops sharing an end label, predicated tails, 1-D/2-D DMA with waits,
unaligned accesses, DRAM and VTCM, several source tags, a few trapping ones) for a tiny
test machine and the built-in vx64/vx128. Each is assembled once and run by both
simulators; registers, memories, trap, cycles and every statistic must be identical.
`N_PROGRAMS` programs in total (>= 10,000), split over a few test cases.

Reproduce one failure: `python tests/test_sim_differential.py SEED` prints the program.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from vexa.runtime import sim_fast, sim_reference
from vexa.runtime.assembler import assemble
from vexa.runtime.machine import make_memory
from vexa.runtime.target import Target, load_target

N_PROGRAMS = 10_000
N_CASES = 10

TINY_TOML = """
name = "tiny"
vector = { vlen_bytes = 32, vregs = 8, qregs = 2 }
scalar = { gprs = 16, loop_depth = 2 }
latency = { salu = 1, valu = 1, vxfer = 2, vmpy = 3, vld_vtcm = 2, vld_dram = 9, sld = 2, branch_taken = 2 }
memory = { vtcm_bytes = 4096, vtcm_bytes_per_cycle = 16, dram_bytes_per_cycle = 8 }
dma = { engines = 2, max_outstanding = 2, setup_cycles = 3 }

[vliw]
slots = 4
resources = { load = 2, store = 2, mpy = 2, alu = 2, xfer = 1, scalar = 2, branch = 1, dma = 1 }

[classes]
salu = { scalar = 1 }
sld = { load = 1 }
sst = { store = 1 }
branch = { branch = 1 }
loop = { branch = 1 }
vld = { load = 1 }
vldu = { load = 2 }
vst = { store = 1 }
valu = { alu = 1 }
vxfer = { xfer = 1 }
vmpy = { mpy = 1 }
dma = { dma = 1 }
"""

SALU_RR = ("add", "sub", "mul", "and", "or", "xor", "shl", "shr", "sra", "slt", "sltu", "min",
           "max")
SALU_RI = ("addi", "muli", "andi", "ori", "xori", "slti")
SHIFT_I = ("shli", "shri", "srai")
V3 = ("vadd.f32", "vsub.f32", "vmax.f32", "vmin.f32", "vadd.i32", "vsub.i32", "vmax.i32",
      "vmin.i32", "vand", "vor", "vxor", "vmul.f32", "vfma.f32", "vmul.i32", "vdmpy.i8",
      "vpack.i32.i8")
V2 = ("vmov", "vcvt.f32.i32", "vcvt.i32.f32", "vabs.f32", "vneg.f32", "vrecip.f32",
      "vrsqrt.f32")
VSH = ("vshli.i32", "vshri.i32", "vsrai.i32")
VCMP = ("vcmpgt.f32", "vcmpge.f32", "vcmpeq.f32", "vcmpgt.i32", "vcmpeq.i32")
GENERAL = tuple(range(10, 16))  # r10..r15: random scalar traffic
BASES = {1: "D0", 2: "D1", 3: "D2", 4: "VT"}  # r1..r4: base pointers (restored after use)


class ProgramGenerator:
    """Random valid programs for one target (register roles fixed, see module docstring)."""

    def __init__(self, target: Target, rng: np.random.Generator) -> None:
        self.t = target
        self.rng = rng
        self.vlen = target.vlen_bytes
        self.size = 8 * self.vlen  # bytes per data symbol
        self.lines: list[str] = []
        self.nlabels = 0
        self.hw_depth = 0
        self.in_branch_loop = False

    # ------------------------------------------------------------------ helpers
    def r(self, n: int) -> int:
        return int(self.rng.integers(n))

    def chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    def label(self) -> str:
        self.nlabels += 1
        return f"L{self.nlabels}"

    def vreg(self) -> str:
        return f"v{self.r(self.t.vregs)}"

    def qreg(self) -> str:
        return f"q{self.r(self.t.qregs)}"

    def anyr(self) -> str:
        return f"r{self.rng.choice((0, *GENERAL))}"

    def gen(self) -> str:
        return f"r{self.rng.choice(GENERAL)}"

    def imm32(self) -> int:
        k = self.r(4)
        if k == 0:
            return int(self.rng.integers(-8, 9))
        if k == 1:
            return int(self.rng.integers(-(2**31), 2**31))
        if k == 2:
            return int(self.rng.choice((0x7FFFFFFF, -(2**31), 0x7F800000, 0x7FC00001, -1,
                                        0x3F800000, 0x00000001, 0xFF800000 - 2**32)))
        return int(np.float32(self.rng.standard_normal() * 4).view(np.int32))

    def mem_off(self, align: int, nbytes: int) -> int:
        slots = (self.size - nbytes) // align
        return align * self.r(slots + 1)

    # ------------------------------------------------------------------ instructions
    def instruction(self) -> tuple[str, str, set[str]]:
        """(text, class, registers written) of one random straight-line instruction."""
        k = self.r(20)
        vl = self.vlen
        if k == 0:
            d = self.gen()
            return f"li {d}, {self.imm32()}", "salu", {d}
        if k == 1:
            d = self.gen()
            return (f"{self.rng.choice(SALU_RR)} {d}, {self.anyr()}, {self.anyr()}", "salu",
                    {d})
        if k == 2:
            d = self.gen()
            if self.chance(0.3):
                return (f"{self.rng.choice(SHIFT_I)} {d}, {self.anyr()}, {self.r(32)}", "salu",
                        {d})
            return (f"{self.rng.choice(SALU_RI)} {d}, {self.anyr()}, {self.imm32()}", "salu",
                    {d})
        if k == 3:
            d = self.gen()
            base = self.r(4) + 1
            op = "ld" if self.chance(0.5) else "ldf"
            return f"{op} {d}, r{base}, {self.mem_off(4, 4)}", "sld", {d}
        if k == 4:
            base = self.rng.choice((3, 4))
            return f"st {self.anyr()}, r{base}, {self.mem_off(4, 4)}", "sst", set()
        if k in (5, 6):
            d = self.vreg()
            base = self.r(4) + 1
            which = self.r(3)
            if which == 0:
                return f"vld {d}, r{base}, {self.mem_off(vl, vl)}", "vld", {d}
            if which == 1:
                return f"vldu {d}, r{base}, {self.mem_off(1, vl)}", "vldu", {d}
            return f"vldbc {d}, r{base}, {self.mem_off(4, 4)}", "vld", {d}
        if k == 7:
            base = self.rng.choice((3, 4))
            which = self.r(3)
            if which == 0:
                return f"vst {self.vreg()}, r{base}, {self.mem_off(vl, vl)}", "vst", set()
            if which == 1:
                return f"vstu {self.vreg()}, r{base}, {self.mem_off(1, vl)}", "vst", set()
            return (f"vstq {self.vreg()}, r{base}, {self.mem_off(vl, vl)}, {self.qreg()}", "vst",
                    set())
        if k in (8, 9, 10, 11):
            op = str(self.rng.choice(V3))
            d = self.vreg()
            klass = "vmpy" if op in ("vmul.f32", "vfma.f32", "vmul.i32", "vdmpy.i8") else "valu"
            return f"{op} {d}, {self.vreg()}, {self.vreg()}", klass, {d}
        if k == 12:
            op = str(self.rng.choice(V2))
            d = self.vreg()
            klass = "vmpy" if op in ("vrecip.f32", "vrsqrt.f32") else "valu"
            return f"{op} {d}, {self.vreg()}", klass, {d}
        if k == 13:
            d = self.vreg()
            if self.chance(0.5):
                return f"{self.rng.choice(VSH)} {d}, {self.vreg()}, {self.r(32)}", "valu", {d}
            if self.chance(0.5):
                return f"vsplat {d}, {self.anyr()}", "valu", {d}
            return f"vsplati {d}, {self.imm32()}", "valu", {d}
        if k == 14:
            q = self.qreg()
            return f"{self.rng.choice(VCMP)} {q}, {self.vreg()}, {self.vreg()}", "valu", {q}
        if k == 15:
            q = self.qreg()
            which = self.r(4)
            if which == 0:
                return f"vsetq {q}, {self.anyr()}", "valu", {q}
            if which == 1:
                return f"qnot {q}, {self.qreg()}", "valu", {q}
            op = "qand" if which == 2 else "qor"
            return f"{op} {q}, {self.qreg()}, {self.qreg()}", "valu", {q}
        if k == 16:
            d = self.vreg()
            return f"vsel {d}, {self.qreg()}, {self.vreg()}, {self.vreg()}", "valu", {d}
        if k == 17:
            d = self.vreg()
            return f"vror {d}, {self.vreg()}, {self.anyr()}", "valu", {d}
        if k == 18:
            d = self.gen()
            return f"vextr {d}, {self.vreg()}, {self.r(vl // 4)}", "vxfer", {d}
        d = self.gen()
        return f"mov {d}, {self.anyr()}", "salu", {d}

    def packets(self, n: int) -> None:
        """n packets of random instructions that fit the target."""
        for _ in range(n):
            want = 1 + self.r(self.t.slots)
            used: dict[str, int] = {}
            written: set[str] = set()
            chosen: list[str] = []
            for _ in range(want * 2):
                if len(chosen) == want:
                    break
                text, klass, dests = self.instruction()
                demand = self.t.class_resources[klass]
                if any(used.get(r, 0) + u > self.t.units(r) for r, u in demand.items()):
                    continue
                if dests & written:
                    continue
                for r, u in demand.items():
                    used[r] = used.get(r, 0) + u
                written |= dests
                chosen.append(text)
            if not chosen:
                chosen = ["addi r10, r10, 1"]
            self.emit(chosen)

    def fixed(self, instrs: list[tuple[str, str]]) -> None:
        """Emit (text, class) instructions in order, as few packets as the target allows."""
        cur: list[str] = []
        used: dict[str, int] = {}
        for text, klass in instrs:
            demand = self.t.class_resources[klass]
            if len(cur) == self.t.slots or any(used.get(r, 0) + u > self.t.units(r)
                                               for r, u in demand.items()):
                self.emit(cur)
                cur, used = [], {}
            cur.append(text)
            for r, u in demand.items():
                used[r] = used.get(r, 0) + u
        if cur:
            self.emit(cur)

    def emit(self, instrs: list[str]) -> None:
        if len(instrs) == 1 and self.chance(0.5):
            self.lines.append(f"    {instrs[0]}")
        else:
            self.lines.append("    { " + " ; ".join(instrs) + " }")

    # ------------------------------------------------------------------ blocks
    def block(self, depth: int = 0) -> None:
        k = self.r(10)
        if k <= 2 or depth >= 2:
            self.packets(1 + self.r(4))
        elif k == 3 and self.hw_depth < self.t.loop_depth:
            self.hw_loop(depth)
        elif k == 4 and not self.in_branch_loop:
            self.branch_loop(depth)
        elif k == 5:
            self.tail_store()
        elif k == 6:
            self.dma1d()
        elif k == 7:
            self.dma2d()
        elif k == 8:
            self.forward_branch(depth)
        else:
            self.lines.append(f'    .loc "t{self.r(4)}"')
            self.packets(1 + self.r(2))

    def hw_loop(self, depth: int) -> None:
        end = self.label()
        count = self.trip_count()
        if self.chance(0.3):
            self.lines.append(f"    li r8, {count - self.r(2)}")
            self.lines.append(f"    loop r8, {end}")
        else:
            self.lines.append(f"    loopi {count}, {end}")
        self.hw_depth += 1
        self.loop_walk()
        self.packets(1 + self.r(self.LOOP_BODY))
        if depth < 1 and self.hw_depth < self.t.loop_depth and self.chance(0.3):
            # an inner loop ending at the same label as this one
            self.lines.append(f"    loopi {self.inner_trip_count()}, {end}")
            self.packets(1 + self.r(2))
        elif depth < 1 and self.chance(0.3):
            self.block(depth + 1)
            self.packets(1)
        self.hw_depth -= 1
        self.lines.append(f"{end}:")
        self.lines.extend(self.LOOP_RESTORE)

    # a hardware loop's trip counts, pointer walk, body and what it restores (test_sim_memo
    # makes them longer)
    LOOP_BODY = 2
    LOOP_RESTORE = ("    li r1, D0",)

    def trip_count(self) -> int:
        return self.r(4)

    def inner_trip_count(self) -> int:
        return 1 + self.r(3)

    def loop_walk(self) -> None:
        if self.chance(0.5):
            self.fixed([(f"vld v{self.r(self.t.vregs)}, r1, 0", "vld"),
                        (f"addi r1, r1, {self.vlen}", "salu")])

    def branch_loop(self, depth: int) -> None:
        top = self.label()
        self.in_branch_loop = True
        self.lines.append(f"    li r9, {1 + self.r(3)}")
        self.lines.append(f"{top}:")
        self.packets(1 + self.r(2))
        if self.chance(0.4):
            self.block(depth + 1)
        self.lines.append("    addi r9, r9, -1")
        self.lines.append(f"    bne r9, r0, {top}")
        self.in_branch_loop = False

    def forward_branch(self, depth: int) -> None:
        skip = self.label()
        br = self.rng.choice(("beq", "bne", "blt", "bge"))
        if self.chance(0.2):
            self.lines.append(f"    j {skip}")
        else:
            self.lines.append(f"    {br} {self.anyr()}, {self.anyr()}, {skip}")
        self.packets(1 + self.r(2))
        self.lines.append(f"{skip}:")
        self.packets(1)

    def tail_store(self) -> None:
        n = int(self.rng.integers(-4, self.vlen + 5))
        self.lines.append(f"    li r5, {n}")
        q = self.qreg()
        self.lines.append(f"    vsetq {q}, r5")
        base = self.rng.choice((3, 4))
        self.lines.append(f"    vstq {self.vreg()}, r{base}, {self.mem_off(self.vlen, self.vlen)}, "
                          f"{q}")

    def addr(self) -> str:
        return str(self.rng.choice(("D0", "D1", "D2", "VT", "VT2")))

    def dma1d(self) -> None:
        n = self.r(self.size + 1)
        src, dst = self.addr(), self.rng.choice(("D2", "VT", "VT2"))
        so, do = self.r(self.size - n + 1), self.r(self.size - n + 1)
        self.fixed([(f"li r5, {dst}+{do}", "salu"), (f"li r6, {src}+{so}", "salu")])
        self.lines.append(f"    li r7, {n}")
        self.lines.append("    dma r5, r6, r7")
        self.wait()

    def dma2d(self) -> None:
        rowbytes = 4 * (1 + self.r(self.vlen // 2))
        rows = self.r(5)
        sstride = rowbytes + 4 * self.r(4)
        dstride = rowbytes + 4 * self.r(4)
        if rows * max(sstride, dstride) > self.size:
            rows = self.size // max(sstride, dstride)
        self.fixed([(f"li r5, {rowbytes}", "salu"), (f"li r6, {sstride}", "salu")])
        self.lines.append(f"    li r7, {dstride}")
        self.lines.append("    dmacfg r5, r6, r7")
        src, dst = self.addr(), self.rng.choice(("D2", "VT", "VT2"))
        self.fixed([(f"li r5, {dst}", "salu"), (f"li r6, {src}", "salu")])
        self.lines.append(f"    li r7, {rows}")
        self.lines.append("    dma2 r5, r6, r7")
        self.wait()

    def wait(self) -> None:
        if self.chance(0.6):
            self.lines.append(f"    dmawait {self.r(3)}")

    def trap_tail(self) -> None:
        k = self.r(4)
        if k == 0:
            self.lines.append(f"    vld v0, r1, {self.vlen // 2}")  # misaligned
        elif k == 1:
            self.lines.append("    li r5, 0x7ffffff0")
            self.lines.append("    ld r10, r5, 0")  # out of bounds
        elif k == 2:
            self.fixed([("li r5, VT", "salu"), ("li r6, D0", "salu"),
                        (f"li r7, {self.size * 64}", "salu")])
            self.lines.append("    dma r5, r6, r7")  # DMA past the end
        else:
            self.lines.append("    st r10, r4, 2")

    # ------------------------------------------------------------------ program
    def program(self, trap: bool = False) -> str:
        s = self.size
        data = [f".data", f"D0: .f32 " + ", ".join(
                    f"{v:.6g}" for v in self.rng.standard_normal(s // 4) * 3),
                f"D1: .i32 " + ", ".join(str(int(v)) for v in
                                         self.rng.integers(-300, 300, s // 4)),
                f"D2: .zero {s}", ".vtcm", f"VT: .zero {s}",
                "VT2: .i32 " + ", ".join(str(int(v)) for v in
                                         self.rng.integers(-(2**31), 2**31, s // 4))]
        self.lines = [*data, ".text", "main:",
                      ]
        self.fixed([("li r0, 0", "salu"), ("li r1, D0", "salu"), ("li r2, D1", "salu"),
                    ("li r3, D2", "salu"), ("li r4, VT", "salu")])
        for v in range(self.t.vregs):
            self.lines.append(f"    vld v{v}, r{1 + (v % 2)}, {self.vlen * (v % 8)}")
        for _ in range(1 + self.r(6)):
            self.block()
        if trap:
            self.trap_tail()
        if self.chance(0.5):
            self.lines.append("    dmawait 0")
        self.lines.append("    halt")
        return "\n".join(self.lines) + "\n"


def run_both(text: str, target: Target, timing: bool = True, max_instructions: int = 20_000):
    prog = assemble(text, target)
    results = []
    for sim in (sim_reference, sim_fast):
        dram, vtcm = make_memory(prog, target)
        raw = sim.simulate(prog, target, dram, vtcm, timing, max_instructions)
        results.append((raw, dram, vtcm))
    return prog, results


def compare(seed: int, text: str, results) -> None:  # noqa: ANN001
    (a, da, va), (b, db, vb) = results
    where = f"seed {seed} (python tests/test_sim_differential.py {seed})"
    assert a.trap == b.trap, f"{where}: trap {a.trap} != {b.trap}"
    assert np.array_equal(a.counters, b.counters), f"{where}: counters\n{a.counters}\n{b.counters}"
    assert np.array_equal(a.by_class, b.by_class), f"{where}: by class"
    assert np.array_equal(a.tag_cycles, b.tag_cycles), f"{where}: tag cycles"
    assert np.array_equal(a.regs, b.regs), f"{where}: scalar registers\n{a.regs}\n{b.regs}"
    assert np.array_equal(a.vregs, b.vregs), f"{where}: vector registers"
    assert np.array_equal(a.qregs, b.qregs), f"{where}: predicates"
    assert np.array_equal(da, db), f"{where}: DRAM"
    assert np.array_equal(va, vb), f"{where}: VTCM"
    if a.trap[0] == 0 and a.counters[0] and a.tag_cycles.sum() != a.counters[0]:
        raise AssertionError(f"{where}: tag cycles do not sum to the cycles")


_TARGETS: dict[str, Target] = {}


def targets(tmp: Path) -> list[Target]:
    if not _TARGETS:
        p = tmp / "tiny.toml"
        p.write_text(TINY_TOML)
        _TARGETS["tiny"] = load_target(p)
        _TARGETS["vx64"] = load_target("vx64")
        _TARGETS["vx128"] = load_target("vx128")
    return list(_TARGETS.values())


def case(seed: int, tmp: Path) -> tuple[str, Target, bool]:
    rng = np.random.default_rng(seed)
    ts = targets(tmp)
    target = ts[0] if seed % 10 < 7 else ts[1] if seed % 10 < 9 else ts[2]
    trap = seed % 50 == 17
    return ProgramGenerator(target, rng).program(trap=trap), target, seed % 13 != 5


@pytest.mark.parametrize("chunk", range(N_CASES))
def test_fast_matches_reference(chunk: int, tmp_path_factory: pytest.TempPathFactory) -> None:
    tmp = tmp_path_factory.getbasetemp()
    per = N_PROGRAMS // N_CASES
    traps = 0
    for seed in range(chunk * per, (chunk + 1) * per):
        text, target, timing = case(seed, tmp)
        _, results = run_both(text, target, timing)
        compare(seed, text, results)
        traps += results[0][0].trap[0] != 0
    assert traps < per // 10  # most programs run to halt


if __name__ == "__main__":
    import tempfile

    seed = int(sys.argv[1])
    text, target, timing = case(seed, Path(tempfile.mkdtemp()))
    print(f"# target {target.name}, timing {timing}\n{text}")
    _, results = run_both(text, target, timing)
    compare(seed, text, results)
    print("# agree:", results[0][0].trap, results[0][0].counters.tolist())
