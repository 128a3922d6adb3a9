"""vexa-opt: xDSL's opt driver with every vexa dialect and pass registered.

    vexa-opt input.mlir -p 'nn-fold-constants,convert-nn-to-tile{target=vx64}'

Unknown passes, bad pass options and malformed input end in one located error
line and exit 1 (xDSL's own driver prints a traceback for these).
"""

import sys
from collections.abc import Sequence

from xdsl.xdsl_opt_main import xDSLOptMain

from vexa.tools.errors import run_cli
from vexa.universe import get_all_dialects, get_all_passes


class VexaOptMain(xDSLOptMain):
    def register_all_dialects(self):
        super().register_all_dialects()
        registered = set(self.ctx.registered_dialect_names)
        for name, factory in get_all_dialects().items():
            if name not in registered:
                self.ctx.register_dialect(name, factory)

    def register_all_passes(self):
        super().register_all_passes()
        for name, factory in get_all_passes().items():
            if name not in self.available_passes:
                self.register_pass(name, factory)


def main(argv: Sequence[str] | None = None) -> int:
    def body() -> int:
        try:
            opt = VexaOptMain(description="vexa modular optimizer driver", args=argv)
        except Exception as e:  # pass pipeline errors surface at construction
            raise ValueError(_pipeline_message(e)) from e
        opt.run()
        return 0

    return run_cli("vexa-opt", body)


def _pipeline_message(e: Exception) -> str:
    msg = str(e).strip()
    if "Unrecognized pass" in msg or "unknown pass" in msg.lower():
        return msg.splitlines()[0]
    return msg


if __name__ == "__main__":
    sys.exit(main())
