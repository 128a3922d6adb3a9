#!/usr/bin/env python3
"""Speed of the fast (numba) simulator on the 256³ f32 GEMM kernel, timing model on.

    /work/venv/bin/python benchmarks/bench_simulator.py [--reps 15]

Prints: simulated instructions per second (CPU time, min of --reps runs after a warm-up)
through `run_program` (what a user calls: memory images, inputs, outputs, statistics; the
main figure) and through `sim_fast.simulate` alone (the interpreter on ready memory), the
simulated cycles and % of the f32 roof, the slowdown against numpy's own `A @ B` on
the same f32 operands (min CPU time, measured in this run), and the start-up time of a
fresh Python process that imports the simulator and runs a tiny program, twice (CPU
time of the child, and wall): the second must load numba's on-disk cache
(`@njit(cache=True)`) instead of compiling; the first does too when the cache is warm
(the warm-up run of this process writes it if the simulator's source changed).

CPU time (time.process_time) is used because these machines are shared: wall time
includes the neighbours. numpy's BLAS is pinned to one thread (the simulator is
single-threaded, and on a busy 2-core machine a second BLAS thread spin-waits: 256³ took
12 ms of CPU with 2 threads against 0.36 ms with one).
"""

from __future__ import annotations

import os

# Before numpy is imported: the BLAS reads these once, at load.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import resource
import subprocess
import sys
import time

import numpy as np
from vexa.runtime.assembler import assemble
from vexa.runtime import sim_fast
from vexa.runtime.kernels import gemm_asm
from vexa.runtime.machine import make_memory, run_program, write_inputs
from vexa.runtime.target import load_target

# A fresh process: import the simulator, assemble and run a tiny program on the fast engine.
_STARTUP = """
import time
t0 = time.perf_counter()
import numpy as np
from vexa.runtime.assembler import assemble
from vexa.runtime.machine import run_program
from vexa.runtime.target import load_target
from vexa.runtime.kernels import gemm_asm
t = load_target("vx128")
p = assemble(gemm_asm(t, 8, 32, 4), t)
x = {"A": np.ones((8, 4), np.float32), "B": np.ones((4, 32), np.float32)}
out, stats = run_program(p, t, x, engine="fast", timing=True)
assert float(out["C"][0, 0]) == 4.0
from vexa.runtime import sim_fast
st = sim_fast._run.stats  # numba's on-disk cache: a miss means this process compiled
print(sum(st.cache_hits.values()), sum(st.cache_misses.values()))
print(f"{time.perf_counter() - t0:.3f}")
"""


def min_cpu_interleaved(fns, reps: int) -> list[float]:
    """Min CPU time of each function, the functions taking turns (a busy spell of the
    neighbours then slows all of them alike instead of one figure)."""
    best = [float("inf")] * len(fns)
    for _ in range(reps):
        for k, fn in enumerate(fns):
            t0 = time.process_time()
            fn()
            best[k] = min(best[k], time.process_time() - t0)
    return best


def min_cpu(fn, reps: int) -> float:
    best = float("inf")
    for _ in range(reps):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best


def startup_seconds() -> tuple[float, float, float, str]:
    """A fresh process: wall s, CPU s of the child, wall s after interpreter start, and
    numba's cache hits/misses for the interpreter loop."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    res = subprocess.run(
        [sys.executable, "-c", _STARTUP], capture_output=True, text=True, check=True
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    *_, cache, inner = res.stdout.strip().splitlines()
    hits, misses = cache.split()
    return wall, cpu, float(inner), f"numba cache {hits} hit / {misses} miss"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--size", type=int, default=256)
    args = parser.parse_args(argv)
    n = args.size

    t = load_target("vx128")
    prog = assemble(gemm_asm(t, n, n, n), t)
    rng = np.random.default_rng(0)
    A = rng.standard_normal((n, n), dtype=np.float32)
    B = rng.standard_normal((n, n), dtype=np.float32)
    inputs = {"A": A, "B": B}

    t0 = time.perf_counter()
    out, stats = run_program(prog, t, inputs, engine="fast", timing=True)
    first = time.perf_counter() - t0
    assert np.allclose(out["C"], A @ B, rtol=1e-4, atol=1e-3)

    dram, vtcm = make_memory(prog, t)
    write_inputs(prog, t, inputs, dram, vtcm)
    sim, core, sim_off = min_cpu_interleaved([
        lambda: run_program(prog, t, inputs, engine="fast", timing=True),
        lambda: sim_fast.simulate(prog, t, dram, vtcm, True),
        lambda: run_program(prog, t, inputs, engine="fast", timing=False),
    ], args.reps)
    ref = min_cpu(lambda: A @ B, max(args.reps, 20))
    instrs = stats.instructions
    roof = n**3 / (stats.cycles * t.peak_f32_macs_per_cycle)

    print(f"gemm {n}x{n}x{n} f32 on vx128, fast engine, timing on")
    print(f"  first call in this process (JIT compile or cache load + run): {first:.3f} s")
    print(
        f"  simulated: {stats.cycles:,} cycles, {instrs:,} instructions, "
        f"{100 * roof:.1f}% of the f32 roof"
    )
    print(
        f"  simulator CPU time through run_program (min of {args.reps}): {1e3 * sim:.2f} ms "
        f"= {instrs / sim / 1e6:.0f} M simulated instructions/s"
    )
    print(
        f"  sim_fast.simulate alone (min of {args.reps}): {1e3 * core:.2f} ms "
        f"= {instrs / core / 1e6:.0f} M simulated instructions/s"
    )
    print(
        f"  same, timing model off (min of {args.reps}): {1e3 * sim_off:.2f} ms "
        f"= {instrs / sim_off / 1e6:.0f} M simulated instructions/s"
    )
    print(
        f"  numpy A @ B, 1 BLAS thread, CPU time (min of {max(args.reps, 20)}): "
        f"{1e3 * ref:.3f} ms "
        f"-> simulator is {sim / ref:.0f}x slower"
    )
    for i in (1, 2):
        wall, cpu, inner, cache = startup_seconds()
        print(
            f"  fresh process #{i} (python -c: import + assemble + run a tiny GEMM): "
            f"{cpu:.3f} s CPU, {wall:.3f} s wall ({inner:.3f} s after interpreter start; "
            f"{cache})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
