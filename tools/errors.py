"""One clear line and exit 1: how every vexa CLI reports a user error."""

import sys
from collections.abc import Callable
from typing import NoReturn


class VexaError(Exception):
    """A user-facing error: what went wrong, where, and what to do.

    CLIs print `str(error)` on one line prefixed with the tool name and exit 1.
    """


def die(tool: str, message: str) -> NoReturn:
    first, *rest = str(message).strip().splitlines() or ["unknown error"]
    print(f"{tool}: error: {first}", file=sys.stderr)
    for line in rest:
        print(f"  {line}", file=sys.stderr)
    raise SystemExit(1)


def run_cli(tool: str, body: Callable[[], int | None]) -> int:
    """Run a CLI body; turn any exception into a one-line located error, exit 1.

    Set VEXA_TRACEBACK=1 to see the Python traceback of an internal error.
    """
    import os

    try:
        return body() or 0
    except SystemExit:
        raise
    except KeyboardInterrupt:
        die(tool, "interrupted")
    except VexaError as e:
        die(tool, str(e))
    except Exception as e:  # noqa: BLE001 - the CLI boundary: never a traceback
        if os.environ.get("VEXA_TRACEBACK"):
            raise
        msg = str(e).strip() or type(e).__name__
        die(tool, msg if _is_user_error(e) else f"internal error ({type(e).__name__}): {msg}")


def _is_user_error(e: Exception) -> bool:
    from xdsl.utils.exceptions import DiagnosticException, ParseError, VerifyException

    return isinstance(e, (ParseError, VerifyException, DiagnosticException, OSError, ValueError))
