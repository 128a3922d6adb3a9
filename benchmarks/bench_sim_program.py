#!/usr/bin/env python3
"""Speed of the fast simulator on a saved program (e.g. ResNet-50), timing model on.

    /work/venv/bin/python benchmarks/bench_sim_program.py /work/resnet_prog/resnet50.s \
        [--reps 3] [--no-timing] [--profile] [--save-outputs DIR]

Loads the program once (assembly text + its `.npz` weights side file), then reports
separately: the load (read, assemble), `sim_fast.decode` (per-program tables, cached on the
program), the memory set-up (`make_memory` + seeded random inputs: the DRAM image with the
weights), and the run of `sim_fast.simulate` alone on fresh memory (CPU time, min of
--reps; each rep gets a fresh copy of the memory, copied outside the timed region).
Prints simulated instructions/s and cycles. --profile adds where the packets run: the
share of executed packets (and instructions) that `_fast` may run, and the top opcodes of
the packets it may not. --save-outputs writes the outputs (`.npy`) for a bitwise check.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter

import numpy as np

from vexa.runtime import sim_fast
from vexa.runtime.assembler import assemble
from vexa.runtime.isa import BY_OPCODE
from vexa.runtime.machine import make_memory, read_outputs, write_inputs
from vexa.runtime.resources import ResourceTable, side_file
from vexa.runtime.target import load_target
from vexa.tools.run_asm import _random


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("program")
    ap.add_argument("--target", default="vx128")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--no-timing", action="store_true")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--save-outputs", metavar="DIR")
    args = ap.parse_args(argv)

    t = load_target(args.target)
    t0 = time.process_time()
    with open(args.program) as f:
        text = f.read()
    table = None
    if os.path.isfile(side_file(args.program)):
        table = ResourceTable.load(side_file(args.program))
    t_read = time.process_time() - t0
    t0 = time.process_time()
    prog = assemble(text, t, filename=args.program, resources=table)
    t_asm = time.process_time() - t0
    t0 = time.process_time()
    ins, pk, _, _ = sim_fast.decode(prog, t)
    t_dec = time.process_time() - t0
    rng = np.random.default_rng(0)
    inputs = {s.name: _random(rng, s.shape, np.dtype(_dt(s.dtype))) for s in prog.inputs()}
    t0 = time.process_time()
    dram, vtcm = make_memory(prog, t)
    write_inputs(prog, t, inputs, dram, vtcm)
    t_mem = time.process_time() - t0
    print(f"{args.program}: {prog.n_instr:,} instructions in {prog.n_packets:,} packets, "
          f"DRAM image {len(dram) / 1e6:.1f} MB")
    print(f"  read text + weights {t_read:.3f} s, assemble {t_asm:.3f} s, "
          f"decode {t_dec:.3f} s, memory + inputs {t_mem:.3f} s (CPU)")

    timing = not args.no_timing
    best = float("inf")
    raw = None
    for r in range(args.reps):
        d, v = dram.copy(), vtcm.copy()
        t0 = time.process_time()
        w0 = time.perf_counter()
        raw = sim_fast.simulate(prog, t, d, v, timing)
        dt = time.process_time() - t0
        wall = time.perf_counter() - w0
        best = min(best, dt)
        instrs = int(raw.counters[2])
        print(f"  run {r + 1}: {dt:.3f} s CPU ({wall:.3f} s wall) = "
              f"{instrs / dt / 1e6:.1f} M instr/s")
    assert raw is not None
    if raw.trap[0]:
        print(f"  TRAP {tuple(int(x) for x in raw.trap)}")
    instrs = int(raw.counters[2])
    print(f"  {'timing on' if timing else 'timing off'}: {int(raw.counters[0]):,} cycles, "
          f"{instrs:,} instructions, {int(raw.counters[1]):,} packets; "
          f"min {best:.3f} s CPU = {instrs / best / 1e6:.1f} M instr/s")
    if args.save_outputs:
        os.makedirs(args.save_outputs, exist_ok=True)
        for name, val in read_outputs(prog, t, d, v).items():
            np.save(os.path.join(args.save_outputs, f"{name}.npy"), val)
    if args.profile:
        profile(prog, t, dram, vtcm, ins, pk, timing)
    return 0


def _dt(name: str) -> str:
    from vexa.runtime.isa import DTYPES

    return DTYPES[name]


def profile(prog, t, dram, vtcm, ins, pk, timing) -> None:  # noqa: ANN001
    """Executed packets by `_fast` eligibility; opcodes in the packets `_fast` may not run."""
    # a second run that keeps the per-packet counts
    import vexa.runtime.sim_fast as sf

    counts: dict[str, np.ndarray] = {}
    orig = np.zeros

    def grab(shape, dtype=float):  # noqa: ANN001, ANN202
        a = orig(shape, dtype)
        if isinstance(shape, int) and shape == len(pk) and dtype == np.int64:
            counts.setdefault("pkcount", a)
        return a

    sf.np.zeros = grab
    try:
        sf.simulate(prog, t, dram.copy(), vtcm.copy(), timing)
    finally:
        sf.np.zeros = orig
    pc = counts["pkcount"]
    n_ins = (pk[:, 1] - pk[:, 0]).astype(np.int64)
    fast = pk[:, sf.PK_FAST] != 0
    tot_p, tot_i = pc.sum(), (pc * n_ins).sum()
    print(f"  packets _fast may run: {pc[fast].sum() / tot_p:.1%} of packets, "
          f"{(pc * n_ins)[fast].sum() / tot_i:.1%} of instructions")
    ops: Counter[str] = Counter()
    pkt_kinds: Counter[tuple[str, ...]] = Counter()
    for p in np.nonzero(~fast & (pc > 0))[0]:
        names = tuple(sorted(BY_OPCODE[int(ins[i, sf.K_OP])].mnemonic
                             for i in range(pk[p, 0], pk[p, 1])))
        pkt_kinds[names] += int(pc[p])
        for nm in names:
            ops[nm] += int(pc[p])
    print("  opcodes in the other packets (executions):")
    for nm, c in ops.most_common(20):
        print(f"    {nm:12s} {c:,}")
    print("  most executed other packets:")
    for names, c in pkt_kinds.most_common(15):
        print(f"    {c:>12,}  {' '.join(names)}")
    allk: Counter[tuple[str, ...]] = Counter()
    for p in np.nonzero(pc > 0)[0]:
        allk[tuple(sorted(BY_OPCODE[int(ins[i, sf.K_OP])].mnemonic
                          for i in range(pk[p, 0], pk[p, 1])))] += int(pc[p])
    print("  most executed packets (all):")
    for names, c in allk.most_common(15):
        print(f"    {c:>12,}  {' '.join(names)}")
    stg = pk[:, 3] != 0
    print(f"  staged packets: {pc[stg].sum() / tot_p:.1%} of packets")


if __name__ == "__main__":
    sys.exit(main())
