"""vexa-run for models: `vexa-run model.onnx|file.mlir` (dispatched here by tools/vexa_run.py).

    vexa-run model.onnx --random-inputs --seed 1
    vexa-run model.onnx --input x=x.npy --output-dir out/       # writes out/<output>.npy
    vexa-run model.mlir --input x=x.npy                         # weights from model.npz
    vexa-run model.mlir --weights w.npz --random-inputs

Imports the ONNX model (or parses nn IR and loads its weights side file), runs it on a
backend and prints every output: name, type, a few values and summary statistics.
Backends: `interp`, the numpy reference interpreter of nn IR (runtime/nn_interpreter.py);
the compiled + simulated path joins as another `--backend` choice.
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
"""--backend name -> runner(module, inputs by name, resources) -> outputs in order."""


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
        "--backend", choices=sorted(BACKENDS), default="interp", help="how to run (default interp)"
    )
    p.add_argument("--output-dir", metavar="DIR", help="write each output to DIR/<name>.npy")
    return p


def load_ir(path: str, weights: str | None = None) -> tuple[Any, Any]:
    """Parse an nn IR file and attach its weights (`weights`, else `<path>.npz` if present)."""
    from xdsl.context import Context
    from xdsl.dialects.builtin import Builtin, ModuleOp
    from xdsl.dialects.func import Func
    from xdsl.parser import Parser
    from xdsl.utils.exceptions import ParseError

    from vexa.runtime.resources import (
        ResourceTable,
        attach_resources,
        forget_parsed_resource_handles,
        side_file,
    )
    from vexa.tools.vexa_opt import parse_error_message
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
    from xdsl.dialects.builtin import ArrayAttr, StringAttr

    from vexa.runtime.nn_interpreter import _find_main, input_names

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


def main(argv: Sequence[str] | None = None) -> int:
    def body() -> int:
        args = build_parser().parse_args(argv)
        module, resources = load_model(args)
        names, types, out_names = _signature(module)
        inputs = gather_inputs(args, names, types)
        outputs = BACKENDS[args.backend](module, inputs, resources)
        if args.output_dir is not None:
            os.makedirs(args.output_dir, exist_ok=True)
        for name, value in zip(out_names, outputs):
            value = np.asarray(value)
            print(summary(name, value))
            if args.output_dir is not None:
                safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
                np.save(os.path.join(args.output_dir, f"{safe}.npy"), value)
        return 0

    return run_cli("vexa-run", body)


if __name__ == "__main__":
    sys.exit(main())
