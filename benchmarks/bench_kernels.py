#!/usr/bin/env python3
"""Roofline figures of the hand-scheduled kernels (vexa.runtime.kernels) in the timing model.

    /work/venv/bin/python benchmarks/bench_kernels.py [--engine fast|reference]

GEMM: achieved f32 MACs/cycle ÷ the target's peak (vfma per packet × lanes), operands in
VTCM (256³ on vx128; 128³ on vx64, whose 256 KiB VTCM cannot hold three 256² matrices).
vadd: DRAM bytes moved (read A and B, write C) ÷ (cycles × DRAM bytes/cycle).
Simulated figures are deterministic: they do not depend on the host machine.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from vexa.runtime.assembler import assemble
from vexa.runtime.kernels import default_gemm_sizes, gemm_asm, gemm_block, vadd_asm, vadd_plan
from vexa.runtime.machine import run_program
from vexa.runtime.target import load_target


def gemm_row(target_name: str, engine: str) -> str:
    t = load_target(target_name)
    M, N, K = default_gemm_sizes(t)
    rng = np.random.default_rng(0)
    inputs = {
        "A": rng.standard_normal((M, K), dtype=np.float32),
        "B": rng.standard_normal((K, N), dtype=np.float32),
    }
    out, stats = run_program(
        assemble(gemm_asm(t, M, N, K), t), t, inputs, engine=engine, timing=True
    )
    err = float(np.max(np.abs(out["C"] - inputs["A"] @ inputs["B"])))
    macs = M * N * K
    roof = macs / (stats.cycles * t.peak_f32_macs_per_cycle)
    blk = gemm_block(t, M, N, K)
    return (
        f"| gemm {M}x{N}x{K} | {t.name} | {blk.mr}x{blk.nr * t.lanes('f32')} "
        f"({blk.vregs_used}/{t.vregs} vregs) | {stats.cycles:,} | "
        f"{macs / stats.cycles:.1f} of {t.peak_f32_macs_per_cycle} MAC/cycle | "
        f"**{100 * roof:.1f}%** | max err vs A@B {err:.1e} |"
    )


def vadd_row(target_name: str, n: int, engine: str) -> str:
    t = load_target(target_name)
    rng = np.random.default_rng(0)
    inputs = {
        "A": rng.standard_normal(n, dtype=np.float32),
        "B": rng.standard_normal(n, dtype=np.float32),
    }
    out, stats = run_program(assemble(vadd_asm(t, n), t), t, inputs, engine=engine, timing=True)
    exact = bool(np.array_equal(out["C"], inputs["A"] + inputs["B"]))
    plan = vadd_plan(t, n)
    roof = plan.dram_bytes / (stats.cycles * t.dram_bytes_per_cycle)
    return (
        f"| vadd n={n:,} | {t.name} | {plan.chunks} DMA chunks of "
        f"{plan.chunk_bytes // 1024} KiB "
        f"| {stats.cycles:,} | {plan.dram_bytes / stats.cycles:.1f} of "
        f"{t.dram_bytes_per_cycle} DRAM B/cycle | **{100 * roof:.1f}%** | "
        f"{'bit-exact' if exact else 'MISMATCH'} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", default="fast", choices=("fast", "reference"))
    parser.add_argument("-n", type=int, default=1 << 20, help="vadd elements")
    args = parser.parse_args(argv)
    print("| kernel | target | block / plan | cycles | achieved | % of roof | check |")
    print("|---|---|---|---|---|---|---|")
    for name in ("vx128", "vx64"):
        print(gemm_row(name, args.engine), flush=True)
    for name in ("vx128", "vx64"):
        print(vadd_row(name, args.n, args.engine), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
