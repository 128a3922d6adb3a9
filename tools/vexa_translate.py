"""vexa-translate: conversions into and out of vexa IR.

    vexa-translate --import-onnx model.onnx                      # nn IR on stdout
    vexa-translate --import-onnx model.onnx --input-shape x=1x3x224x224 -o model.mlir
                                                                 # writes model.mlir + model.npz
    vexa-translate --import-onnx model.onnx --debuginfo          # with loc("node") locations

With `-o`, the weights behind `dense_resource<...>` go to the side file beside the IR
(`model.npz`, see docs/nn_ops.md); without it only the IR text is printed.
`--emit-asm prog.mlir [-o prog.s]` prints the assembly of register-allocated vx IR.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from io import StringIO
from typing import NoReturn

from vexa.tools.errors import VexaError, run_cli


class _Parser(argparse.ArgumentParser):
    """argparse whose usage errors are VexaErrors (exit 1, one line) instead of exit 2."""

    def error(self, message: str) -> NoReturn:
        raise VexaError(f"{message} (see {self.prog} --help)")


def parse_input_shapes(specs: Sequence[str] | None) -> dict[str, list[int]]:
    """`["x=1x3x224x224", "mask=1x128"]` -> {"x": [1, 3, 224, 224], ...}; `x=` is a scalar."""
    shapes: dict[str, list[int]] = {}
    for spec in specs or []:
        name, sep, dims = spec.rpartition("=")
        if not sep or not name:
            raise VexaError(f"--input-shape: expected NAME=DIMxDIM..., got '{spec}'")
        try:
            shape = [int(d) for d in dims.lower().split("x")] if dims.strip() else []
        except ValueError:
            raise VexaError(
                f"--input-shape {name}: expected dims like 1x3x224x224, got '{dims}'"
            ) from None
        if any(d < 0 for d in shape):
            raise VexaError(f"--input-shape {name}: expected non-negative dims, got '{dims}'")
        shapes[name] = shape
    return shapes


def print_module(module: object, debuginfo: bool = False) -> str:
    """The module as IR text (with `loc(...)` when `debuginfo`), byte for byte what
    vexa-opt / xdsl-opt print for it (they end the module with a blank line)."""
    from xdsl.printer import Printer

    out = StringIO()
    Printer(stream=out, print_debuginfo=debuginfo).print_op(module)  # type: ignore[arg-type]
    return out.getvalue().rstrip("\n") + "\n\n"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="vexa-translate", description="Translate into and out of vexa IR.")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--import-onnx", metavar="MODEL.onnx", help="import an ONNX model as nn IR")
    mode.add_argument(
        "--emit-asm", metavar="FILE.mlir", help="register-allocated vx IR -> text assembly"
    )
    parser.add_argument(
        "--input-shape",
        action="append",
        metavar="NAME=1x3x224x224",
        help="pin the shape of a graph input (repeatable); needed for dynamic dimensions",
    )
    parser.add_argument(
        "-o", "--output", metavar="OUT.mlir", help="write the IR here, and the weights to OUT.npz"
    )
    parser.add_argument(
        "--debuginfo", action="store_true", help='print locations (loc("onnx_node_name"))'
    )
    return parser


def import_onnx_mode(args: argparse.Namespace) -> int:
    from vexa.lowering.import_onnx import import_onnx
    from vexa.runtime.resources import module_resources, side_file

    module = import_onnx(args.import_onnx, input_shapes=parse_input_shapes(args.input_shape))
    text = print_module(module, args.debuginfo)
    if args.output is None or args.output == "-":
        sys.stdout.write(text)
        return 0
    with open(args.output, "w") as f:
        f.write(text)
    resources = module_resources(module)
    if len(resources):
        resources.save(side_file(args.output))
    elif os.path.exists(side_file(args.output)):
        os.remove(side_file(args.output))  # a stale side file would shadow no weights
    return 0


def emit_asm_mode(args: argparse.Namespace) -> int:
    """vx IR file -> the text assembly of docs/isa_spec.md; errors name file:line:col."""
    from xdsl.utils.exceptions import ParseError

    from vexa.dialects.vx import emit_assembly, load_module
    from vexa.tools.vexa_opt import parse_error_message

    try:
        module, locate = load_module(args.emit_asm)
    except ParseError as e:
        raise VexaError(parse_error_message(e)) from e
    text = emit_assembly(module, locate=locate)
    if args.output is None or args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w") as f:
            f.write(text)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    def body() -> int:
        args = build_parser().parse_args(argv)
        if args.import_onnx is not None:
            return import_onnx_mode(args)
        return emit_asm_mode(args)

    return run_cli("vexa-translate", body)


if __name__ == "__main__":
    sys.exit(main())
