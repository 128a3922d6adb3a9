"""vexa-run for vx assembly: `vexa-run prog.s` (dispatched here by tools/vexa_run.py).

    vexa-run prog.s --random-inputs                      # outputs + the cycle report
    vexa-run prog.s --input A=a.npy --input B=b.npy --output-dir out/
    vexa-run prog.s --target vx64 --report json --engine reference

Assembles the program for the target (default: its `.target` line, else vx128), fills
its `.input` symbols, simulates, prints every `.output` and the statistics, with the
achieved share of the target's roofs (vector multiplies / f32 MACs, DRAM and VTCM bytes
per cycle) when the timing model is on.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import zipfile
from collections.abc import Sequence

import numpy as np

from vexa.tools.errors import VexaError, run_cli
from vexa.tools.vexa_translate import _Parser


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="vexa-run", description="Assemble and simulate a vx assembly program.")
    p.add_argument("program", metavar="PROG.s", help="vx assembly (docs/isa_spec.md)")
    p.add_argument("--target", metavar="NAME|FILE.toml",
                   help="machine (default: the program's .target, else vx128)")
    p.add_argument("--input", action="append", metavar="NAME=FILE.npy",
                   help="fill the .input symbol NAME (repeatable)")
    p.add_argument("--random-inputs", action="store_true",
                   help="fill the inputs not given with seeded random data")
    p.add_argument("--seed", type=int, default=0, help="seed for --random-inputs (default 0)")
    p.add_argument("--weights", metavar="FILE.npz",
                   help="bytes of `.res` data (default: PROG.npz beside the program, if present)")
    p.add_argument("--output-dir", metavar="DIR", help="write each output to DIR/<name>.npy")
    p.add_argument("--report", choices=("text", "json"), default="text",
                   help="statistics format (default text)")
    p.add_argument("--engine", choices=("fast", "reference"), default="fast",
                   help="simulator (default fast)")
    p.add_argument("--no-timing", action="store_true", help="functional simulation only")
    p.add_argument("--max-instructions", type=int, metavar="N",
                   help="trap after N instructions (runaway loops)")
    return p


def _random(rng: np.random.Generator, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    if dtype.kind == "f":
        return rng.standard_normal(shape).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(max(info.min, -100), min(info.max, 100), size=shape,
                        endpoint=True).astype(dtype)


def gather_inputs(args: argparse.Namespace, prog: object) -> dict[str, np.ndarray]:
    from vexa.runtime.isa import DTYPES

    declared = {s.name: s for s in prog.inputs()}  # type: ignore[attr-defined]
    given: dict[str, np.ndarray] = {}
    for spec in args.input or []:
        name, sep, file = spec.partition("=")
        if not sep or not name or not file:
            raise VexaError(f"--input: expected NAME=FILE.npy, got '{spec}'")
        if name not in declared:
            raise VexaError(f"--input {name}: unknown input, expected one of "
                            f"{sorted(declared)}")
        try:
            given[name] = np.load(file, allow_pickle=False)
        except FileNotFoundError:
            raise VexaError(f"--input {name}: {file}: no such file") from None
        except Exception as e:  # noqa: BLE001 - a corrupt .npy is a user error
            raise VexaError(f"--input {name}: {file}: not a .npy array: {e}") from e
    rng = np.random.default_rng(args.seed)
    inputs: dict[str, np.ndarray] = {}
    for name, sym in declared.items():
        dtype = np.dtype(DTYPES[sym.dtype])
        if name in given:
            arr = given[name]
            if arr.shape != sym.shape:
                raise VexaError(f"--input {name}: expected shape {list(sym.shape)}, "
                                f"got {list(arr.shape)}")
            if arr.dtype != dtype:
                if not np.can_cast(arr.dtype, dtype, casting="same_kind"):
                    raise VexaError(f"--input {name}: expected dtype {dtype}, got {arr.dtype}")
                arr = arr.astype(dtype)
            inputs[name] = arr
        elif args.random_inputs:
            inputs[name] = _random(rng, sym.shape, dtype)
        else:
            raise VexaError(f"missing input '{name}': give --input {name}=FILE.npy or "
                            f"--random-inputs")
    return inputs


def summary(name: str, a: np.ndarray, count: int = 8) -> str:
    flat = a.reshape(-1)
    vals = [f"{v:.6g}" if isinstance(v, float) else str(v) for v in flat[:count].tolist()]
    shape = "x".join(str(d) for d in a.shape) or "scalar"
    line = f"{name}: {a.dtype} {shape} [" + ", ".join(vals) + (", ...]" if flat.size > count
                                                               else "]")
    if flat.size:
        f = flat.astype(np.float64)
        line += f"  min {f.min():.6g} max {f.max():.6g} mean {f.mean():.6g}"
    return line


def main(argv: Sequence[str] | None = None) -> int:
    def body() -> int:
        from vexa.runtime.assembler import assemble
        from vexa.runtime.machine import run_program
        from vexa.runtime.target import load_target

        args = build_parser().parse_args(argv)
        try:
            with open(args.program) as f:
                text = f.read()
        except OSError as e:
            raise VexaError(f"cannot read '{args.program}': {e.strerror or e}") from None
        target_name = args.target
        if target_name is None:
            m = re.search(r"^\s*\.target\s+([A-Za-z0-9_.$]+)", text, re.MULTILINE)
            target_name = m.group(1) if m else "vx128"
        target = load_target(target_name)
        from vexa.runtime.resources import ResourceTable, side_file

        weights = args.weights
        if weights is None and os.path.isfile(side_file(args.program)):
            weights = side_file(args.program)
        if weights is not None and not os.path.isfile(weights):
            raise VexaError(f"--weights {weights}: no such file")
        table = None
        if weights is not None:
            try:
                table = ResourceTable.load(weights)
            except (OSError, ValueError, zipfile.BadZipFile) as e:
                raise VexaError(f"--weights {weights}: not a weights file ({e})") from None
        prog = assemble(text, target, filename=args.program, resources=table)
        inputs = gather_inputs(args, prog)
        if args.max_instructions is not None and args.max_instructions < 0:
            raise VexaError(f"--max-instructions: expected a non-negative count, got "
                            f"{args.max_instructions}")
        outputs, stats = run_program(prog, target, inputs, engine=args.engine,
                                     timing=not args.no_timing,
                                     max_instructions=args.max_instructions)
        if args.output_dir is not None:
            os.makedirs(args.output_dir, exist_ok=True)
            for name, value in outputs.items():
                np.save(os.path.join(args.output_dir, f"{name}.npy"), value)
        if args.report == "json":
            doc = {"program": args.program,
                   "outputs": {k: {"dtype": str(v.dtype), "shape": list(v.shape),
                                   "summary": summary(k, v)} for k, v in outputs.items()},
                   "stats": stats.to_dict()}
            if stats.timing:
                doc["roofline"] = stats.roofline(target)
            print(json.dumps(doc, indent=2))
        else:
            for name, value in outputs.items():
                print(summary(name, value))
            print(stats.report(target))
        return 0

    return run_cli("vexa-run", body)


if __name__ == "__main__":
    sys.exit(main())
