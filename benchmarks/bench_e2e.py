#!/usr/bin/env python3
"""End to end: compile time and simulated inference of ResNet-50 (light, random weights).

    python benchmarks/bench_e2e.py [--model resnet50 | --onnx FILE] [--target vx128] [--top 15]
                                   [--no-run] [--no-iree]

Measures, in one process on one model (the seeded random-weight variant of ONNX's light
ResNet-50, scripts/make_light_variants.py):
- `vexa.compile` wall time, per stage (import, each pass, emit-asm, assemble), against
  IREE's `iree-compile --iree-hal-target-backends=llvm-cpu` on the same model in the same
  run (imported with `iree-import-onnx`); skipped with a message when the
  `iree-base-compiler` package is absent (it is not a vexa dependency; its tools are
  looked up next to this Python, then on PATH);
- simulated inference: host wall time of the simulator with the timing model on (best of
  --sim-reps runs after a first one, whose time is printed too: it loads numba's cache and
  builds the C loop for the program) and the simulated cycle count, against onnxruntime
  CPU inference of the same model and input (mean of 5 runs after a warm-up), and the ratio;
  outputs checked against onnxruntime (rtol 1e-3, atol 1e-4);
- the per-node report (top nodes by cycles, % of roofline).

When the compiler cannot yet compile the model to a program, the script says which
stage is missing and measures what exists (compile to tile IR).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def _variant(name: str) -> Path:
    spec = importlib.util.spec_from_file_location(
        "make_light_variants", ROOT / "scripts" / "make_light_variants.py"
    )
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return Path(mod.variant_path(name))


def _iree_compile(model: Path) -> str:
    """IREE's compile time on the same model, or why it was skipped."""
    # next to this Python first, then on PATH (e.g. a separate venv's bin directory)
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    importer = shutil.which("iree-import-onnx", path=path)
    compiler = shutil.which("iree-compile", path=path)
    if importer is None or compiler is None:
        return ("skipped: iree-import-onnx / iree-compile not found (the iree-base-compiler "
                "package is absent; it is not a vexa dependency)")
    with tempfile.TemporaryDirectory() as d:
        mlir, vmfb = Path(d) / "m.mlir", Path(d) / "m.vmfb"
        t0 = time.perf_counter()
        # the light models are opset 8: IREE lowers ONNX ops from opset 17 on
        r = subprocess.run([importer, str(model), "--opset-version", "17", "-o", str(mlir)],
                           capture_output=True, text=True, check=False)
        t1 = time.perf_counter()
        if r.returncode:
            return f"failed: iree-import-onnx: {(r.stderr.strip().splitlines() or ['?'])[-1]}"
        r = subprocess.run(
            [compiler, "--iree-hal-target-backends=llvm-cpu", str(mlir), "-o", str(vmfb)],
            capture_output=True, text=True, check=False,
        )
        t2 = time.perf_counter()
        if r.returncode:
            return f"failed: iree-compile: {(r.stderr.strip().splitlines() or ['?'])[-1]}"
        return (f"{t2 - t0:.2f} s (iree-import-onnx {t1 - t0:.2f} s + iree-compile llvm-cpu "
                f"{t2 - t1:.2f} s)")


def _ort(model: Path, feeds: dict[str, np.ndarray], repeat: int) -> tuple[list[np.ndarray], float]:
    import onnxruntime as ort

    sess = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    outs = sess.run(None, feeds)  # warm-up
    t0 = time.perf_counter()
    for _ in range(repeat):
        sess.run(None, feeds)
    return outs, (time.perf_counter() - t0) / repeat


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="resnet50", help="light network name (default resnet50)")
    p.add_argument("--onnx", type=Path, help="any ONNX file instead of a light network")
    p.add_argument("--target", default="vx128")
    p.add_argument("--top", type=int, default=15, help="report rows (default 15)")
    p.add_argument("--no-run", action="store_true", help="compile only")
    p.add_argument("--no-iree", action="store_true", help="skip the IREE comparison")
    p.add_argument("--sim-reps", type=int, default=2,
                   help="timed simulator runs after the first (default 2; best is reported)")
    args = p.parse_args(argv)

    from vexa.tools.errors import VexaError

    import vexa

    model = args.onnx if args.onnx is not None else _variant(args.model)
    print(f"model: {model.name} ({model.stat().st_size / 1e6:.1f} MB); target {args.target}; "
          f"{os.cpu_count()} host cores")

    stop = None
    t0 = time.perf_counter()
    try:
        exe = vexa.compile(model, args.target)
    except VexaError as e:
        first = (str(e).strip().splitlines() or ["?"])[0]
        print(f"vexa.compile to a program: not possible yet: {first}")
        stop = "tile"
        t0 = time.perf_counter()
        exe = vexa.compile(model, args.target, stop_after=stop)
    total = time.perf_counter() - t0
    stages = ", ".join(f"{k} {v:.2f}" for k, v in exe.compile_times.items())
    what = "to a program" if stop is None else f"to {stop} IR"
    print(f"vexa.compile {what}: {total:.2f} s  ({stages})")
    if exe.asm is not None:
        print(f"  assembly: {exe.asm.count(chr(10))} lines; program: {len(exe.program.code)} "
              "instructions")
    if not args.no_iree:
        print(f"IREE compile: {_iree_compile(model)}")

    if args.no_run:
        return 0
    rng = np.random.default_rng(0)
    feeds = {n: rng.standard_normal(shape).astype(np.float32)
             for n, (shape, _) in zip(exe.input_names, exe.input_types, strict=True)}
    want, ort_s = _ort(model, feeds, repeat=5)
    print(f"onnxruntime CPU inference: {ort_s * 1e3:.3f} ms")
    if stop is not None:
        print("simulated inference: skipped (no program)")
        return 0
    # first run: loads numba's cache and builds (or finds) the C loop for this program's
    # packet shapes (runtime/sim_native.py); onnxruntime's session set-up and warm-up run
    # are not timed either, so the ratio is taken on the runs after it
    t0 = time.perf_counter()
    exe.run(feeds)
    first_s = time.perf_counter() - t0
    sim_s = float("inf")
    for _ in range(args.sim_reps):
        t0 = time.perf_counter()
        got = exe.run(feeds)
        sim_s = min(sim_s, time.perf_counter() - t0)
    report = exe.report
    assert report is not None
    print(f"simulated inference (fast engine, timing on): {sim_s:.2f} s host time "
          f"(best of {args.sim_reps}; the first run, with set-up: {first_s:.2f} s), "
          f"{report.cycles} simulated cycles ({report.stats.instructions} instructions, "
          f"{report.stats.instructions / max(sim_s, 1e-9) / 1e6:.1f} M instr/s)")
    print(f"simulated / onnxruntime: {sim_s / ort_s:.1f}x")
    for g, w in zip(got, want, strict=True):
        err = float(np.max(np.abs(g - w)))
        ok = np.allclose(g, w, rtol=1e-3, atol=1e-4)
        print(f"  output vs onnxruntime: max abs error {err:.3g} ({'ok' if ok else 'MISMATCH'})")
    print(report.text(top=args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
