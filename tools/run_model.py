"""vexa-run for models: `vexa-run model.onnx|file.mlir` (dispatched here by tools/vexa_run.py).

    vexa-run model.onnx --random-inputs --seed 1
    vexa-run model.onnx --input x=x.npy --output-dir out/       # writes out/<output>.npy
    vexa-run model.mlir --input x=x.npy                         # weights from model.npz
    vexa-run model.mlir --weights w.npz --random-inputs

    vexa-run model.onnx --random-inputs --backend sim --target vx64 --report json
    vexa-run model.onnx --random-inputs --stop-after tile      # the tile-level interpreter
    vexa-run model.onnx --random-inputs --dump-ir-after tile,asm

Imports the ONNX model (or parses nn IR and loads its weights side file), runs it on a
backend and prints every output: name, type, a few values and summary statistics.
Backends:
- `sim`: `vexa.compile` (lowering/pipelines.py) to a vx program, run on the simulator
  (runtime/machine.py); prints the per-node cycle report after the outputs (`--report`);
- `interp`: the numpy reference interpreter of nn IR (runtime/nn_interpreter.py).
Without `--backend`, vexa-run uses `sim` when the compiler can compile the model and
falls back to `interp` otherwise; a note on stderr says which ran and why.
`--stop-after nn|tile` compiles only down to that level and runs its numpy interpreter
(runtime/tile_interpreter.py for tile), to pin a wrong answer to the level that made it.
`--dump-ir-after` prints the IR after levels (nn, tile, vx, asm) or pass stages to stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from vexa.tools.errors import VexaError, run_cli
from vexa.tools.vexa_translate import _Parser, parse_input_shapes

Backend = Callable[[Any, Mapping[str, np.ndarray], Any], list[np.ndarray]]


def _interp_backend(
    module: Any, inputs: Mapping[str, np.ndarray], resources: Any
) -> list[np.ndarray]:
    from vexa.runtime.nn_interpreter import interpret

    return interpret(module, inputs, resources)


BACKENDS: dict[str, Backend] = {"interp": _interp_backend}
"""--backend name -> runner(module, inputs by name, resources) -> outputs in order, for the
backends that run nn IR directly; `sim` goes through `vexa.compile` (see `_run_compiled`)."""

CHOICES = ("interp", "sim")
DUMP_LEVELS = ("nn", "tile", "vx", "asm")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="vexa-run", description="Run an ONNX model or nn IR file and print its outputs."
    )
    p.add_argument("model", metavar="MODEL", help="model.onnx or an nn IR file (.mlir)")
    p.add_argument(
        "--input", action="append", metavar="NAME=FILE.npy", help="an input array (repeatable)"
    )
    p.add_argument(
        "--random-inputs",
        action="store_true",
        help="fill the inputs not given with seeded random data",
    )
    p.add_argument("--seed", type=int, default=0, help="seed for --random-inputs (default 0)")
    p.add_argument(
        "--input-shape",
        action="append",
        metavar="NAME=1x3x224x224",
        help="pin a graph input shape (ONNX)",
    )
    p.add_argument(
        "--weights",
        metavar="FILE.npz",
        help="weights side file for an IR file (default: <file>.npz)",
    )
    p.add_argument(
        "--backend",
        choices=CHOICES,
        default=None,
        help="sim: compile and simulate; interp: nn interpreter "
        "(default: sim when the model compiles, else interp)",
    )
    p.add_argument(
        "--target", default="vx128", metavar="NAME|FILE.toml", help="machine (default vx128)"
    )
    p.add_argument(
        "--stop-after",
        choices=("nn", "tile"),
        help="compile down to this level only and run its interpreter",
    )
    p.add_argument(
        "--dump-ir-after",
        action="append",
        metavar="STAGE",
        help="print the IR after a level (nn, tile, vx, asm) or a pass stage to stderr "
        "(comma-separated, repeatable; 'all' for every pass stage)",
    )
    p.add_argument(
        "--report",
        choices=("text", "json", "none"),
        default="text",
        help="cycle report of a sim run (default text)",
    )
    p.add_argument(
        "--engine", choices=("fast", "reference"), default="fast", help="simulator (default fast)"
    )
    p.add_argument("--output-dir", metavar="DIR", help="write each output to DIR/<name>.npy")
    return p


def load_ir(path: str, weights: str | None = None) -> tuple[Any, Any]:
    """Parse an nn IR file and attach its weights (`weights`, else `<path>.npz` if present)."""
    from vexa.runtime.resources import (
        ResourceTable,
        attach_resources,
        forget_parsed_resource_handles,
        side_file,
    )
    from vexa.tools.vexa_opt import parse_error_message
    from xdsl.context import Context
    from xdsl.dialects.builtin import Builtin, ModuleOp
    from xdsl.dialects.func import Func
    from xdsl.parser import Parser
    from xdsl.utils.exceptions import ParseError

    from vexa.universe import get_all_dialects

    if not os.path.isfile(path):
        raise VexaError(f"{path}: no such file")
    ctx = Context()
    ctx.load_dialect(Builtin)
    ctx.load_dialect(Func)
    for name, factory in get_all_dialects().items():
        ctx.register_dialect(name, factory)
    with open(path) as f:
        text = f.read()
    forget_parsed_resource_handles()  # else a second parse in this process renames them
    try:
        module = Parser(ctx, text, name=path).parse_module()
    except ParseError as e:
        raise VexaError(parse_error_message(e)) from e
    assert isinstance(module, ModuleOp)
    module.verify()
    npz = weights if weights is not None else side_file(path)
    if weights is not None and not os.path.isfile(weights):
        raise VexaError(f"--weights {weights}: no such file")
    table = ResourceTable.load(npz) if os.path.isfile(npz) else ResourceTable()
    attach_resources(module, table)
    return module, table


def load_model(args: argparse.Namespace) -> tuple[Any, Any]:
    """The nn module and its resource table, from an ONNX model or an IR file."""
    from vexa.runtime.resources import module_resources

    path = args.model
    if path.endswith(".onnx"):
        if args.weights is not None:
            raise VexaError("--weights applies to IR files; an ONNX model carries its weights")
        from vexa.lowering.import_onnx import import_onnx

        module = import_onnx(path, input_shapes=parse_input_shapes(args.input_shape))
        return module, module_resources(module)
    if args.input_shape:
        raise VexaError("--input-shape applies to ONNX models; an IR file has static shapes")
    return load_ir(path, args.weights)


def _signature(module: Any) -> tuple[list[str], list[Any], list[str]]:
    from vexa.runtime.nn_interpreter import _find_main, input_names
    from xdsl.dialects.builtin import ArrayAttr, StringAttr

    func = _find_main(module)
    names = input_names(func)
    types = list(func.function_type.inputs.data)
    attr = func.attributes.get("nn.output_names")
    n_out = len(func.function_type.outputs.data)
    outs = [f"output{i}" for i in range(n_out)]
    if isinstance(attr, ArrayAttr):
        outs = [
            a.data if isinstance(a, StringAttr) else f"output{i}" for i, a in enumerate(attr.data)
        ]
    return names, types, outs


def random_array(rng: np.random.Generator, shape: Sequence[int], dtype: np.dtype) -> np.ndarray:
    """Seeded test data: standard normal floats, small non-negative ints, random bools."""
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if dtype.kind == "f" or dtype.name == "bfloat16":
        return rng.standard_normal(shape).astype(dtype)
    return rng.integers(0, 10, size=shape).astype(dtype)


def gather_inputs(
    args: argparse.Namespace, names: list[str], types: list[Any]
) -> dict[str, np.ndarray]:
    from vexa.runtime.nn_interpreter import numpy_dtype

    given: dict[str, np.ndarray] = {}
    for spec in args.input or []:
        name, sep, file = spec.partition("=")
        if not sep or not name or not file:
            raise VexaError(f"--input: expected NAME=FILE.npy, got '{spec}'")
        if name not in names:
            raise VexaError(f"--input {name}: unknown input, expected one of {names}")
        if not os.path.isfile(file):
            raise VexaError(f"--input {name}: {file}: no such file")
        try:
            given[name] = np.load(file, allow_pickle=False)
        except Exception as e:  # noqa: BLE001 - a corrupt .npy is a user error
            raise VexaError(f"--input {name}: {file}: not a .npy array: {e}") from e
    rng = np.random.default_rng(args.seed)
    inputs: dict[str, np.ndarray] = {}
    for name, ty in zip(names, types):
        shape = tuple(ty.get_shape())
        dtype = numpy_dtype(ty.get_element_type())
        if name in given:
            arr = given[name]
            if arr.shape != shape:
                raise VexaError(
                    f"--input {name}: expected shape {list(shape)}, got {list(arr.shape)}"
                )
            if arr.dtype != dtype:
                if not np.can_cast(arr.dtype, dtype, casting="same_kind"):
                    raise VexaError(f"--input {name}: expected dtype {dtype}, got {arr.dtype}")
                arr = arr.astype(dtype)
            inputs[name] = arr
        elif args.random_inputs:
            inputs[name] = random_array(rng, shape, dtype)
        else:
            raise VexaError(
                f"missing input '{name}': give --input {name}=FILE.npy or --random-inputs"
            )
    return inputs


def summary(name: str, array: np.ndarray, count: int = 8) -> str:
    """`name: tensor<1x10xf32> [v0, v1, ...] min .. max .. mean ..`"""
    from vexa.runtime.nn_interpreter import _type_str

    flat = array.reshape(-1)
    shown = [_scalar_text(v) for v in flat[:count].tolist()]
    head = "[" + ", ".join(shown) + (", ..." if flat.size > count else "") + "]"
    line = f"{name}: {_type_str(array.shape, array.dtype)} {head}"
    if flat.size and (array.dtype.kind in "fiu"):
        f = flat.astype(np.float64)
        line += f"  min {f.min():.6g} max {f.max():.6g} mean {f.mean():.6g}"
    return line


def _scalar_text(v: Any) -> str:
    return f"{v:.6g}" if isinstance(v, float) else str(v)


def _dump_stages(args: argparse.Namespace) -> list[str]:
    stages = [s.strip() for spec in args.dump_ir_after or [] for s in spec.split(",")]
    for s in stages:
        if not s:
            raise VexaError("--dump-ir-after: expected a stage name, got ''")
    return stages


def _deepest(stages: Sequence[str], stop_after: str | None) -> str | None:
    """The lowest level the dumps need (None: the whole pipeline)."""
    from vexa.lowering.pipelines import stage_names, tile_to_vx

    levels = [s for s in stages if s in DUMP_LEVELS]
    if any(s not in DUMP_LEVELS for s in stages):
        vx_passes = stage_names(tile_to_vx())
        levels.append("vx" if any(s in vx_passes or s == "all" for s in stages) else "tile")
    if stop_after is not None:
        levels.append(stop_after)
    return max(levels, key=DUMP_LEVELS.index) if levels else None


_NOT_PASSES = ("import", "verify", "print-ir", "emit-asm", "assemble")


def _print_dumps(exe: Any, stages: Sequence[str]) -> None:
    for s in stages:
        if s in DUMP_LEVELS:
            text = exe.ir(s)
            items = [(s, text)]
        else:
            items = [(k, v) for k, v in exe.dumps.items() if s in ("all", k, k.split("#")[0])]
            if not items:
                ran = [k for k in exe.compile_times if k not in _NOT_PASSES]
                raise VexaError(
                    f"--dump-ir-after {s}: no such stage, expected one of "
                    f"{', '.join(DUMP_LEVELS)} or a pass stage ({', '.join(ran)})"
                )
        for name, text in items:
            print(f"// -----// IR Dump After {name} //----- //", file=sys.stderr)
            print(text.rstrip("\n"), file=sys.stderr)


def _compile(
    args: argparse.Namespace, stop_after: str | None, stages: Sequence[str]
) -> Any:
    from vexa.runtime.executable import compile

    module, _ = load_model(args)
    passes = [s for s in stages if s not in DUMP_LEVELS]
    return compile(
        module, args.target, stop_after=stop_after, engine=args.engine, dump_after=passes
    )


def main(argv: Sequence[str] | None = None) -> int:
    def body() -> int:
        args = build_parser().parse_args(argv)
        stages = _dump_stages(args)
        if args.stop_after is not None and args.backend == "interp":
            raise VexaError("--stop-after runs the interpreter of its level: drop --backend interp")
        module, resources = load_model(args)
        names, types, out_names = _signature(module)
        inputs = gather_inputs(args, names, types)
        deepest = _deepest(stages, args.stop_after)
        exe = None
        backend = args.backend
        if args.stop_after is not None:
            backend = args.stop_after
            exe = _compile(args, args.stop_after, stages)
            if DUMP_LEVELS.index(deepest or "asm") > DUMP_LEVELS.index(args.stop_after):
                raise VexaError(
                    f"--dump-ir-after asks for IR below --stop-after {args.stop_after}"
                )
        elif backend in (None, "sim"):
            try:
                exe = _compile(args, None, stages)
                backend = "sim"
            except Exception as e:  # noqa: BLE001 - auto mode: fall back, and say why
                if args.backend == "sim":
                    raise
                reason = (str(e).strip().splitlines() or [type(e).__name__])[0]
                print(
                    f"vexa-run: note: running the nn interpreter (the compiler cannot compile "
                    f"this model for {args.target}: {reason})",
                    file=sys.stderr,
                )
                backend = "interp"
        if backend == "interp":
            if stages:  # the dumps come from the compiler, the outputs from the interpreter
                if exe is None or DUMP_LEVELS.index(deepest or "asm") > DUMP_LEVELS.index("nn"):
                    exe = _compile(args, deepest or "asm", stages)
                _print_dumps(exe, stages)
                module, resources = load_model(args)
            print("vexa-run: backend interp (nn interpreter)", file=sys.stderr)
            outputs = BACKENDS["interp"](module, inputs, resources)
        else:
            assert exe is not None
            _print_dumps(exe, stages)
            outputs = exe.run(inputs)
            where = f" on {exe.target.name}" if backend == "sim" else " interpreter"
            print(f"vexa-run: backend {backend}{where}", file=sys.stderr)
        if args.output_dir is not None:
            os.makedirs(args.output_dir, exist_ok=True)
        for name, value in zip(out_names, outputs):
            value = np.asarray(value)
            print(summary(name, value))
            if args.output_dir is not None:
                safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
                np.save(os.path.join(args.output_dir, f"{safe}.npy"), value)
        if backend == "sim" and exe is not None and exe.report is not None:
            if args.report == "text":
                print(exe.report.text(top=20))
            elif args.report == "json":
                print(exe.report.to_json())
        return 0

    return run_cli("vexa-run", body)


if __name__ == "__main__":
    sys.exit(main())
