"""vexa-opt: xDSL's opt driver with every vexa dialect and pass registered.

    vexa-opt input.mlir -p 'nn-fold-constants,convert-nn-to-tile{target=vx64}'

Unknown passes, bad pass options and malformed input end in one located error
line and exit 1 (xDSL's own driver prints a traceback for these):

    vexa-opt: error: m.mlir:4:10: values used but not defined: [%x]
      %0 = nn.relu %x : tensor<2xf32>
               ^^
    vexa-opt: error: unknown pass 'canonicalise'
    vexa-opt: error: pass 'canonicalize': unknown option 'foo', expected none

IR needs no weights to be parsed or printed: `dense_resource` bytes stay in the `.npz`
side file, so imported IR round-trips through vexa-opt unchanged. The side file
(`<input>.npz`, or `--weights FILE`) is attached to the parsed module for passes that
read or create weights; with `-o OUT.mlir` the table is written to `OUT.npz`.
"""

import argparse
import os
import re
import sys
from collections.abc import Sequence
from typing import IO

from xdsl.utils.exceptions import ArgSpecParseError, ParseError
from xdsl.dialects.builtin import ModuleOp
from xdsl.xdsl_opt_main import xDSLOptMain

from vexa.runtime.resources import (
    ResourceTable,
    attach_resources,
    forget_parsed_resource_handles,
    module_resources,
    side_file,
)

from vexa.tools.errors import VexaError, run_cli
from vexa.universe import get_all_dialects, get_all_passes


class VexaOptMain(xDSLOptMain):
    """xDSLOptMain with vexa's dialects and passes, and user errors as VexaError."""

    _table: ResourceTable | None = None

    def register_all_dialects(self) -> None:
        super().register_all_dialects()
        registered = set(self.ctx.registered_dialect_names)
        for name, factory in get_all_dialects().items():
            if name not in registered:
                self.ctx.register_dialect(name, factory)

    def register_all_passes(self) -> None:
        super().register_all_passes()
        for name, factory in get_all_passes().items():
            if name not in self.available_passes:
                self.register_pass(name, factory)

    def register_all_arguments(self, arg_parser: argparse.ArgumentParser) -> None:
        super().register_all_arguments(arg_parser)
        arg_parser.add_argument(
            "--weights",
            metavar="FILE.npz",
            help="dense_resource bytes for passes that read weights (default: <input>.npz if present); "
            "with -o OUT.mlir they are written to OUT.npz",
        )

    def parse_chunk(
        self, chunk: IO[bytes], file_extension: str, start_offset: int = 0
    ) -> ModuleOp | None:
        forget_parsed_resource_handles()  # chunks of one file may repeat a handle name
        module = super().parse_chunk(chunk, file_extension, start_offset)
        if module is not None:
            attach_resources(module, self._weights())
        return module

    def _weights(self) -> ResourceTable:
        """The side file's table, loaded once and shared by every chunk of the input."""
        if self._table is None:
            path = self.args.weights
            input_file = self.args.input_file
            if path is None and input_file not in (None, "-"):
                path = side_file(input_file) if os.path.isfile(side_file(input_file)) else None
            if path is not None and not os.path.isfile(path):
                raise VexaError(f"--weights {path}: no such file")
            self._table = ResourceTable.load(path) if path is not None else ResourceTable()
        return self._table

    def output_resulting_program(self, prog: ModuleOp) -> str:
        # A pass may create the first dense_resource of a module whose text had none:
        # the printer then needs the builtin dialect loaded (its resource interface),
        # which only parsing a dense_resource would have done.
        if "builtin" not in {d.name for d in self.ctx.loaded_dialects}:
            self.ctx.get_dialect("builtin")
        text = super().output_resulting_program(prog)
        table = module_resources(prog)
        out = self.args.output_file
        if out is not None and len(table):
            table.save(side_file(out))  # the output IR stays runnable: its weights go beside it
        return text

    def setup_pipeline(self) -> None:
        check_pipeline(self.args.passes, self.available_passes)
        super().setup_pipeline()

    def run(self) -> None:
        input_file = self.args.input_file
        if input_file not in (None, "-") and not os.path.isfile(input_file):
            raise VexaError(f"{input_file}: no such file")
        try:
            super().run()
        except ParseError as e:
            raise VexaError(parse_error_message(e)) from e


def check_pipeline(spec: str, available: dict) -> None:  # type: ignore[type-arg]
    """Validate a `-p` pipeline: syntax, pass names and options, one clear error each."""
    from xdsl.utils.arg_spec import parse_pipeline

    if not spec:
        return
    try:
        specs = list(parse_pipeline(spec))
    except ArgSpecParseError as e:
        text = str(e).removeprefix("Error parsing pass pipeline specification:\n")
        lines = text.rstrip().splitlines()
        reason = lines[-1].strip() if lines else "malformed"
        where = lines[0] if lines else "pass-pipeline"
        raise VexaError(f"malformed pass pipeline: {where}: {reason.lower()}\n{spec}") from None
    unknown = [s.name for s in specs if s.name not in available]
    if unknown:
        names = ", ".join(f"'{n}'" for n in unknown)
        raise VexaError(f"unknown pass {names} (vexa-opt --help lists the registered passes)")
    for s in specs:
        pass_cls = available[s.name]()
        try:
            pass_cls.from_pass_spec(s)
        except Exception as e:  # noqa: BLE001 - xDSL raises plain Exceptions for options
            raise VexaError(f"pass '{s.name}': {_option_message(str(e))}") from None


def _option_message(msg: str) -> str:
    m = re.match(r"Provided arguments \[(.*)\] not found in expected arguments \[(.*)\]", msg)
    if m is not None:
        got = ", ".join(a.strip().strip("'\"") for a in m.group(1).split(","))
        expected = ", ".join(a.strip().strip("'\"") for a in m.group(2).split(",") if a.strip())
        return f"unknown option '{got}', expected {expected or 'none'}"
    first = msg.strip().splitlines()[0] if msg.strip() else "bad option"
    return first[:1].lower() + first[1:]


def parse_error_message(e: ParseError) -> str:
    """`file:line:col: what` first, then the source line and the caret line."""
    loc = e.span.get_location()
    context = e.span.print_with_context().splitlines()[1:]  # drop the bare location line
    context = [line for line in context if line.strip()]
    return "\n".join([f"{loc}: {e.msg}", *context])


def main(argv: Sequence[str] | None = None) -> int:
    def body() -> int:
        try:
            opt = VexaOptMain(description="vexa modular optimizer driver", args=argv)
            opt.run()
        except ArgSpecParseError as e:  # a BaseException in xDSL: never let it escape
            raise VexaError(
                f"malformed pass pipeline: {str(e).strip().splitlines()[-1].strip()}"
            ) from None
        return 0

    return run_cli("vexa-opt", body)


if __name__ == "__main__":
    sys.exit(main())
