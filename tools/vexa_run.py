"""vexa-run: compile as needed, simulate (or interpret), print outputs and the report.

    vexa-run model.onnx --random-inputs          # ONNX model (vexa.tools.run_model)
    vexa-run model.mlir --input x=x.npy          # nn IR (vexa.tools.run_model)
    vexa-run prog.s --input A=a.npy --report json  # vx assembly (vexa.tools.run_asm)

Dispatches on the input file's suffix; each front end owns its own options.
"""

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    inputs = [a for a in args if not a.startswith("-")]
    if inputs and inputs[0].endswith((".s", ".asm")):
        from vexa.tools import run_asm

        return run_asm.main(args)
    from vexa.tools import run_model

    return run_model.main(args)


if __name__ == "__main__":
    sys.exit(main())
