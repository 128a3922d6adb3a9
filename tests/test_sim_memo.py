"""The C loop's steady-state fast-forward (sim_native MEMO) changes nothing but speed.

Once an innermost hardware loop's scoreboard state repeats from one iteration to the next,
the C loop runs the rest of the loop without its timing model and adds the repeating
iteration's cycles when the loop ends or stops. These random programs (test_sim_differential's
generator with hardware loops of up to 60 iterations: pointer walks that leave VTCM for
DRAM and the end of memory, misaligned accesses, nested loops sharing an end label, an
instruction budget that runs out inside a loop) run four ways: numba alone, the C loop
with the fast-forward (generic body only; shape handlers and their fast-forward variants
for the programs' common packet shapes), and without it. Registers, memories, trap, cycles and every
statistic must agree bit for bit, and the fast-forward must have run.
"""

from __future__ import annotations

import numpy as np
import pytest

from vexa.runtime import sim_fast, sim_native
from vexa.runtime.assembler import assemble

from test_sim_differential import ProgramGenerator, compare, targets
from test_sim_native import _run, common_shapes

pytestmark = pytest.mark.skipif(sim_native.compiler() is None, reason="no C compiler")

N = 600


class LongLoops(ProgramGenerator):
    """Hardware loops of 3 to 60 iterations (the base generator's run 0 to 3), some of
    them walking a pointer through DRAM (refused by the C loop: `_run` runs those packets),
    others through VTCM, up or down (out of it: refused packets, traps, inside the loop)."""

    def block(self, depth: int = 0) -> None:
        if depth < 2 and self.hw_depth < self.t.loop_depth and self.chance(0.6):
            self.hw_loop(depth)
        else:
            super().block(depth)

    LOOP_BODY = 3
    LOOP_RESTORE = ("    li r1, D0", "    li r4, VT")

    def trip_count(self) -> int:
        return 3 + self.r(58)

    def inner_trip_count(self) -> int:
        return 3 + self.r(20)

    def loop_walk(self) -> None:
        walk = self.r(4)
        if walk:
            base = "r1" if walk == 1 else "r4"
            step = self.vlen * (1 if walk == 1 else 1 + self.r(4) if walk == 2 else -1)
            if walk == 3:  # down from the end of VT2: below VTCM after 16 iterations
                self.lines.insert(len(self.lines) - 1, f"    addi r4, r4, {15 * self.vlen}")
            self.fixed([(f"vld v{self.r(self.t.vregs)}, {base}, 0", "vld"),
                        (f"addi {base}, {base}, {step}", "salu")])


def _case(seed: int, tmp) -> tuple[str, object, int]:  # noqa: ANN001
    rng = np.random.default_rng(seed)
    ts = targets(tmp)
    target = ts[seed % 3]
    # most programs stop on the instruction budget, many inside a loop
    budget = 20_000 if seed % 4 == 0 else 200 + int(rng.integers(3_000))
    return LongLoops(target, rng).program(trap=seed % 25 == 3), target, budget


@pytest.mark.parametrize("part", range(2))
def test_memo_matches_numba(part: int, tmp_path_factory: pytest.TempPathFactory,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    tmp = tmp_path_factory.getbasetemp()
    cases = [_case(seed, tmp) for seed in range(70_000 + part * N, 70_000 + (part + 1) * N)]
    # a handler (and a fast-forward handler) for the 64 most common shapes of these
    # programs, as large programs get them (one compile); small ones run the generic body
    shapes = common_shapes(cases)
    before = sim_native.MEMO_STATS.copy()
    stops = 0
    for seed, (text, target, budget) in enumerate(cases, 70_000 + part * N):
        base = _run(assemble(text, target), target, True, False, budget)
        compare(seed, text, [base, _run(assemble(text, target), target, True, True, budget)])
        with monkeypatch.context() as mp:
            mp.setattr(sim_native, "SHAPES", shapes)
            compare(seed, text, [base, _run(assemble(text, target), target, True, True, budget)])
        with monkeypatch.context() as mp:
            mp.setattr(sim_native, "MEMO", False)
            compare(seed, text, [base, _run(assemble(text, target), target, True, True, budget)])
        stops += base[0].trap[0] != 0 or base[0].counters[sim_fast.C_INS] >= budget - 8
    ff, iters, inside, _ = sim_native.MEMO_STATS - before
    assert ff > N and iters > 10 * N  # the fast-forward ran (two ways), often and far
    assert inside > N // 20  # and packets were refused in the middle of one
    assert stops > N // 10  # and programs stopped inside loops


def test_loop_table() -> None:
    """`loops` lists straight-line innermost bodies only, with their reads and writes."""
    from vexa.runtime.target import load_target

    target = load_target("vx128")
    text = """
.vtcm
A: .zero 4096
.text
main:
    li r1, A
    loopi 50, L1
    { vld v1, r1, 0 ; addi r1, r1, 128 }
    vfma.f32 v2, v1, v1
L1:
    loopi 5, L3
    li r2, 3
    loopi 7, L2
    vadd.f32 v3, v3, v2
L2:
    bne r2, r0, L3
L3:
    halt
"""
    prog = assemble(text, target)
    _, nat = sim_native.plan(prog, target)
    lpi, lpl = sim_native.loops(prog, target, nat)
    starts = [int(p) for p in np.flatnonzero(lpi >= 0)]
    ins, pk, _, _ = sim_fast.decode(prog, target)
    assert len(starts) == 2  # the first loop and the inner `L2` loop; not the outer one
    g = target.gprs
    body = lpl[lpi[starts[0]]:]
    end, nr = body[0], body[1]
    reads = set(body[2:2 + nr].tolist())
    assert end == starts[0] + 2
    assert reads == {1, g + 1, g + 2}  # r1, v1, v2
    nw = body[2 + nr]
    writes = set(body[3 + nr:3 + nr + nw].tolist())
    assert {1, g + 1, g + 2} <= writes
