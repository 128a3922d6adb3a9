"""The named pipelines of vexa: one function per pipeline, one line per stage.

    spec = full("vx64")                       # "convert-nn-to-tile{target=vx64},...,vx-schedule{...}"
    run_pipeline(module, spec, dump_after={"tile-plan-memory"})
    vexa-opt m.mlir -p "$(python -c 'from vexa.lowering.pipelines import full; print(full())')"

Every pipeline is a plain `-p a,b,c` pass-pipeline string, so any point of the compiler
is reproducible with `vexa-opt` in a lit test: take the prefix of stages up to the point
of interest. The stages, top to bottom (ONNX import happens before, in import_onnx):

    nn_graph          graph passes on nn (those that are registered: now
                      nn-fold-constants, nn-decompose-strided-conv)
    nn_to_tile        convert-nn-to-tile{target}, tile-plan-memory
    tile_to_vx        convert-tile-to-vx{target}, vx-expand-math,
                      vx-allocate-registers{target}, vx-schedule{target}
    full              nn_graph + nn_to_tile + tile_to_vx

`run_pipeline` runs a spec stage by stage with the vexa universe's passes: verification
after every pass (option), wall time per stage, IR text dumped after requested stages.
A stage whose pass is not registered is one clear `VexaError` ("pass 'vx-schedule' is
not available"), never a traceback.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from vexa.tools.errors import VexaError
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.utils.arg_spec import ArgSpec, parse_pipeline
from xdsl.utils.exceptions import ArgSpecParseError, DiagnosticException, VerifyException

__all__ = [
    "GRAPH_PASSES",
    "PipelineResult",
    "StageError",
    "available_passes",
    "full",
    "nn_graph",
    "nn_to_tile",
    "run_pipeline",
    "stage_names",
    "tile_to_vx",
]

GRAPH_PASSES: tuple[str, ...] = (
    "nn-fold-constants", "nn-decompose-strided-conv", "nn-fuse-elementwise")
"""nn-level graph passes the default pipeline runs, in order, when they are registered."""

# Stages the named pipelines use, beyond what is registered now: an unregistered one is
# "not available" (expected, still being built), any other name is "unknown".
_PLANNED = (
    *GRAPH_PASSES,
    "convert-nn-to-tile",
    "tile-plan-memory",
    "convert-tile-to-vx",
    "vx-expand-math",
    "vx-allocate-registers",
    "vx-schedule",
)

_PLAIN = re.compile(r"[A-Za-z0-9_]+")


def _target_option(target: str) -> str:
    """`target=vx64`, or `target="path/to/m.toml"` (a path needs quotes in a spec)."""
    return f"target={target}" if _PLAIN.fullmatch(target) else f'target="{target}"'


def _options(target: str, options: dict[str, Any]) -> str:
    words = [_target_option(target)]
    for key, value in options.items():
        text = str(value).lower() if isinstance(value, bool) else str(value)
        words.append(f"{key.replace('_', '-')}={text}")
    return " ".join(words)


def _join(*stages: str) -> str:
    return ",".join(s for s in stages if s)


# --------------------------------------------------------------------------- pipelines


def nn_graph(available: Collection[str] | None = None) -> str:
    """nn -> nn: the graph passes of GRAPH_PASSES that are registered (may be empty)."""
    names = available_passes() if available is None else available
    return _join(*(p for p in GRAPH_PASSES if p in names))


def nn_to_tile(target: str = "vx128", **options: Any) -> str:
    """nn -> tile with planned memory (level L1 -> L2); `options` go to convert-nn-to-tile
    (`tile_m=32`, `double_buffer=False`: field names, written `tile-m=32` in the spec)."""
    return _join(
        f"convert-nn-to-tile{{{_options(target, options)}}}",
        "tile-plan-memory",
    )


def tile_to_vx(target: str = "vx128") -> str:
    """tile -> vx: instructions, math expanded, registers allocated, packets (L2 -> L3)."""
    return _join(
        f"convert-tile-to-vx{{{_target_option(target)}}}",
        "vx-expand-math",
        f"vx-allocate-registers{{{_target_option(target)}}}",
        f"vx-schedule{{{_target_option(target)}}}",
    )


def full(target: str = "vx128", available: Collection[str] | None = None) -> str:
    """nn -> scheduled vx: everything between ONNX import and `emit_assembly`."""
    return _join(nn_graph(available), nn_to_tile(target), tile_to_vx(target))


# --------------------------------------------------------------------------- running


def available_passes() -> dict[str, Callable[[], type[ModulePass]]]:
    """Pass name -> factory: xDSL's own passes, then vexa's (vexa wins on a clash)."""
    from xdsl.transforms import get_all_passes as xdsl_passes

    from vexa.universe import get_all_passes

    return {**xdsl_passes(), **get_all_passes()}


def stage_names(spec: str) -> list[str]:
    """The pass names of a spec, in order (syntax errors are a VexaError)."""
    return [s.name for s in _parse(spec)]


def _parse(spec: str) -> list[ArgSpec]:
    try:
        return list(parse_pipeline(spec))
    except ArgSpecParseError as e:
        lines = str(e).rstrip().splitlines()
        reason = lines[-1].strip().lower() if lines else "malformed"
        raise VexaError(f"malformed pass pipeline: {reason}\n{spec}") from None


class StageError(VexaError):
    """A stage failed (diagnostic, verification); `.stage` names it, `.module` is the IR."""

    def __init__(self, stage: str, message: str, module: ModuleOp | None = None) -> None:
        super().__init__(message)
        self.stage = stage
        self.module = module


@dataclass
class PipelineResult:
    """What `run_pipeline` measured: seconds per stage and the requested IR dumps."""

    times: dict[str, float] = field(default_factory=dict)
    dumps: dict[str, str] = field(default_factory=dict)
    verify_seconds: float = 0.0  # verification after the stages, in total


def build_passes(spec: str) -> list[tuple[str, ModulePass]]:
    """(stage label, pass instance) for every stage of `spec`; errors are VexaErrors.

    The label is the pass name, suffixed `#2`, `#3` when a pass repeats in the spec.
    """
    table = available_passes()
    specs = _parse(spec)
    missing = [s.name for s in specs if s.name not in table]
    unknown = [n for n in missing if n not in _PLANNED]
    if unknown:
        raise VexaError(
            f"unknown pass '{unknown[0]}' (vexa-opt --help lists the registered passes)"
        )
    if missing:
        # a stage of the named pipelines whose pass has not landed in the universe yet
        raise VexaError(f"pass '{missing[0]}' is not available (not registered in vexa.universe)")
    passes: list[tuple[str, ModulePass]] = []
    seen: dict[str, int] = {}
    for s in specs:
        try:
            p = table[s.name]().from_pass_spec(s)
        except Exception as e:  # noqa: BLE001 - xDSL raises plain Exceptions for options
            from vexa.tools.vexa_opt import _option_message

            raise VexaError(f"pass '{s.name}': {_option_message(str(e))}") from None
        seen[s.name] = seen.get(s.name, 0) + 1
        label = s.name if seen[s.name] == 1 else f"{s.name}#{seen[s.name]}"
        passes.append((label, p))
    return passes


def _context() -> Context:
    from xdsl.dialects.builtin import Builtin
    from xdsl.dialects.func import Func

    from vexa.universe import get_all_dialects

    ctx = Context(allow_unregistered=False)
    ctx.load_dialect(Builtin)
    ctx.load_dialect(Func)
    for name, factory in get_all_dialects().items():
        ctx.register_dialect(name, factory)
    return ctx


def run_pipeline(
    module: ModuleOp,
    spec: str | Sequence[str],
    verify: bool = True,
    dump_after: Collection[str] = (),
    timer: Callable[[], float] = time.perf_counter,
    result: PipelineResult | None = None,
) -> PipelineResult:
    """Run the passes of `spec` on `module` in place, one stage at a time.

    `spec` is a `-p` string (or a list of them, joined). After each stage the module is
    verified (`verify`) and, when the stage's name is in `dump_after` (or "all" is), its
    text is kept in `result.dumps[stage]`. `result.times[stage]` is the stage's wall time
    in seconds (verification excluded). A failing stage raises `StageError` naming it.
    """
    text = spec if isinstance(spec, str) else _join(*spec)
    out = result if result is not None else PipelineResult()
    if not text:
        return out
    ctx = _context()
    wanted = set(dump_after)
    for label, p in build_passes(text):
        start = timer()
        try:
            p.apply(ctx, module)
        except (DiagnosticException, VerifyException, VexaError) as e:
            raise StageError(label, f"{label}: {_first_lines(e)}", module) from e
        out.times[label] = out.times.get(label, 0.0) + (timer() - start)
        if verify:
            start = timer()
            try:
                module.verify()
            except VerifyException as e:
                raise StageError(
                    label, f"{label}: the output IR does not verify: {_first_lines(e)}", module
                ) from e
            out.verify_seconds += timer() - start
        if "all" in wanted or label in wanted or p.name in wanted:
            out.dumps[label] = str(module)
    return out


def _first_lines(e: BaseException, count: int = 6) -> str:
    lines = str(e).strip().splitlines() or [type(e).__name__]
    return "\n".join(lines[:count])
