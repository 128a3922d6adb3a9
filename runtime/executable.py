"""`vexa.compile`: an ONNX model in, an `Executable` for the simulated vx machine out.

    exe = vexa.compile("resnet50.onnx", target="vx128")
    (probs,) = exe.run({"data": x})       # list, name -> array mapping, or one array
    print(exe.report)                      # where the cycles went, per ONNX node
    exe.asm, exe.program, exe.ir("tile"), exe.compile_times

The stages (lowering/pipelines.py has the pass pipelines, one line per stage):

    import_onnx -> nn --nn_graph--> nn --nn_to_tile--> tile (planned)
      --tile_to_vx--> vx (scheduled) --emit_assembly--> asm --assemble--> Program

`stop_after` ends compilation at a level: "nn" and "tile" executables run on the numpy
interpreters of those levels (runtime/nn_interpreter.py, runtime/tile_interpreter.py), so
a numeric difference can be pinned to the level that introduced it; "vx" and "asm"
executables only hold IR text. A full executable runs the program on the simulator
(`engine` "fast" or "reference", runtime/machine.py).

The report (`Report`, `exe.report` after a run) splits the simulated cycles by source tag
(the ONNX node each instruction came from) and puts each node against its roofline bound:
max(MACs / peak f32 MACs per cycle, DRAM bytes / DRAM bytes per cycle), where MACs and
bytes come from the node's nn ops (conv/gemm/matmul multiply-accumulates, one per element
for elementwise ops; bytes = operands + results, views free). Rows add up to the
simulated cycle count exactly.
"""

from __future__ import annotations

import json
import math
import os
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from vexa.runtime.target import Target, builtin_targets, load_target
from vexa.tools.errors import VexaError

__all__ = [
    "LEVELS",
    "Executable",
    "NodeCost",
    "NodeRow",
    "Report",
    "build_report",
    "compile",
    "node_costs",
]

LEVELS: tuple[str, ...] = ("nn", "tile", "vx", "asm")
"""Values of `stop_after` (and of `Executable.ir`, without "asm"), top to bottom."""

UNTAGGED = "<untagged>"

# --------------------------------------------------------------------------- node costs


@dataclass
class NodeCost:
    """The work of one ONNX node (all nn ops carrying its name)."""

    ops: list[str] = field(default_factory=list)
    macs: int = 0
    bytes: int = 0


_VIEWS = {"nn.reshape", "nn.flatten", "nn.squeeze", "nn.unsqueeze"}
_POOLS = {"nn.max_pool", "nn.average_pool", "nn.lp_pool"}


def _shape(value: Any) -> tuple[int, ...]:
    t = value.type
    return tuple(t.get_shape()) if hasattr(t, "get_shape") else ()


def _elements(value: Any) -> int:
    return math.prod(_shape(value))


def _nbytes(value: Any) -> int:
    t = value.type
    if not hasattr(t, "get_element_type"):
        return 0
    width = getattr(t.get_element_type(), "bitwidth", 32)
    return _elements(value) * max(1, width // 8)


def op_macs(op: Any) -> int:
    """Multiply-accumulates (or element operations) of one nn op."""
    name = op.name
    out = _elements(op.results[0]) if op.results else 0
    if name == "nn.conv":
        w = _shape(op.operands[1])
        return out * math.prod(w[1:])  # (Ci/groups) x Kh x Kw per output element
    if name == "nn.conv_transpose":
        w = _shape(op.operands[1])
        return _elements(op.operands[0]) * math.prod(w[1:])
    if name == "nn.mat_mul":
        a = _shape(op.operands[0])
        return out * (a[-1] if a else 1)
    if name == "nn.gemm":
        a = _shape(op.operands[0])
        trans_a = int(op.properties["trans_a"].value.data) if "trans_a" in op.properties else 0
        return out * a[0 if trans_a else 1]
    if name in _POOLS:
        kernel = op.properties.get("kernel_shape")
        k = math.prod(int(v) for v in kernel.get_values()) if kernel is not None else 1
        return out * k
    if name in _VIEWS or name == "nn.constant":
        return 0
    # elementwise, normalizations, reductions, softmax: one operation per element touched
    return max([out, *(_elements(v) for v in op.operands)])


def op_bytes(op: Any) -> int:
    """Bytes an nn op must move: its operands and results (views move nothing)."""
    if op.name in _VIEWS or op.name == "nn.constant":
        return 0
    return sum(_nbytes(v) for v in op.operands) + sum(_nbytes(r) for r in op.results)


def _tag(op: Any) -> str | None:
    from vexa.dialects.vx import location_tag

    return location_tag(op)


def node_costs(module: Any) -> dict[str, NodeCost]:
    """ONNX node name -> its MACs and bytes, from the nn ops of `@main` of `module`."""
    from vexa.runtime.nn_interpreter import _find_main

    costs: dict[str, NodeCost] = {}
    for op in _find_main(module).body.block.ops:
        if op.name in ("nn.constant", "func.return"):
            continue
        tag = _tag(op)
        if tag is None:
            continue
        cost = costs.setdefault(tag, NodeCost())
        cost.ops.append(op.name.removeprefix("nn."))
        cost.macs += op_macs(op)
        cost.bytes += op_bytes(op)
    return costs


# --------------------------------------------------------------------------- the report


@dataclass
class NodeRow:
    """One report line: a source tag's cycles against its roofline bound."""

    name: str
    ops: list[str]
    cycles: int
    share: float  # % of all cycles
    macs: int
    bytes: int
    bound: float | None  # roofline cycles; None for code without an nn node
    roofline: float | None  # bound / cycles, %
    spills: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "ops": self.ops, "cycles": self.cycles,
            "share_percent": round(self.share, 3), "macs": self.macs, "bytes": self.bytes,
            "roofline_cycles": None if self.bound is None else round(self.bound, 3),
            "roofline_percent": None if self.roofline is None else round(self.roofline, 3),
            "spills": self.spills,
        }


@dataclass
class Report:
    """Where the cycles of one run went (`exe.report`): totals and one row per node."""

    target: str
    cycles: int
    rows: list[NodeRow]
    stats: Any  # runtime.stats.SimStats
    peak_macs_per_cycle: int
    dram_bytes_per_cycle: int
    spills: int = 0
    idle_nodes: list[str] = field(default_factory=list)  # nn nodes without cycles (fused)

    @property
    def roofline_cycles(self) -> float:
        return sum(r.bound or 0.0 for r in self.rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "cycles": self.cycles,
            "roofline_cycles": round(self.roofline_cycles, 3),
            "roofline_percent": round(100 * self.roofline_cycles / max(self.cycles, 1), 3),
            "peak_f32_macs_per_cycle": self.peak_macs_per_cycle,
            "dram_bytes_per_cycle": self.dram_bytes_per_cycle,
            "spills": self.spills,
            "nodes": [r.to_dict() for r in self.rows],
            "nodes_without_cycles": list(self.idle_nodes),
            "simulator": self.stats.to_dict(),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def text(self, top: int | None = None) -> str:
        """A table, heaviest nodes first (`top` rows, the rest summed in one line)."""
        cyc = max(self.cycles, 1)
        head = (
            f"target {self.target}: {self.cycles} cycles; roofline {self.roofline_cycles:.0f} "
            f"cycles ({100 * self.roofline_cycles / cyc:.1f}% of roofline overall); "
            f"peak {self.peak_macs_per_cycle} f32 MAC/cycle, "
            f"DRAM {self.dram_bytes_per_cycle} B/cycle"
        )
        if self.spills:
            head += f"; {self.spills} spills"
        columns = (f"{'node':<28} {'ops':<22} {'cycles':>12} {'share':>7} "
                   f"{'MACs':>13} {'bytes':>12} {'roofline':>9}")
        lines = [head, columns]
        rows = self.rows if top is None else self.rows[:top]
        for r in rows:
            roof = "-" if r.roofline is None else f"{r.roofline:.1f}%"
            ops = ",".join(dict.fromkeys(r.ops)) or "-"
            lines.append(f"{_cut(r.name, 28):<28} {_cut(ops, 22):<22} {r.cycles:>12} "
                         f"{r.share:6.1f}% {r.macs:>13} {r.bytes:>12} {roof:>9}")
        rest = self.rows[len(rows):]
        if rest:
            c = sum(r.cycles for r in rest)
            lines.append(f"{f'({len(rest)} more nodes)':<51} {c:>12} {100 * c / cyc:6.1f}%")
        lines.append(f"{'total':<51} {sum(r.cycles for r in self.rows):>12} "
                     f"{100.0 if self.rows else 0.0:6.1f}%")
        if self.idle_nodes:
            lines.append(f"{len(self.idle_nodes)} nodes without cycles of their own (fused "
                         f"into a neighbour): {', '.join(self.idle_nodes[:8])}"
                         + (", ..." if len(self.idle_nodes) > 8 else ""))
        lines.append("simulator:")
        lines.extend("  " + line for line in self.stats.report().splitlines()
                     if not line.startswith(" ") and not line.startswith("cycles by tag"))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()


def _cut(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def build_report(stats: Any, costs: Mapping[str, NodeCost], target: Target | str,
                 spills: Mapping[str, int] | int = 0) -> Report:
    """The per-node report of a run: `stats.cycles_by_tag` against `costs` (node_costs).

    Every cycle of the run is in exactly one row (untagged code included), so the rows add
    up to `stats.cycles`.
    """
    t = load_target(target)
    peak, bw = t.peak_f32_macs_per_cycle, t.dram_bytes_per_cycle
    by_tag = dict(stats.cycles_by_tag)
    missing = stats.cycles - sum(by_tag.values())
    if missing:  # the simulator attributes every cycle; keep the invariant visible anyway
        by_tag[UNTAGGED] = by_tag.get(UNTAGGED, 0) + missing
    per_tag_spills = dict(spills) if isinstance(spills, Mapping) else {}
    total_spills = spills if isinstance(spills, int) else sum(per_tag_spills.values())
    rows: list[NodeRow] = []
    cyc = max(stats.cycles, 1)
    for name, cycles in sorted(by_tag.items(), key=lambda kv: (-kv[1], kv[0])):
        cost = costs.get(name)
        bound = roof = None
        macs = nbytes = 0
        ops: list[str] = []
        if cost is not None:
            macs, nbytes, ops = cost.macs, cost.bytes, cost.ops
            bound = max(macs / peak, nbytes / bw)
            roof = 100 * bound / cycles if cycles else None
        rows.append(NodeRow(name, ops, cycles, 100 * cycles / cyc, macs, nbytes, bound, roof,
                            per_tag_spills.get(name, 0)))
    idle = [n for n in costs if n not in by_tag]
    return Report(t.name, stats.cycles, rows, stats, peak, bw, total_spills, idle)


# --------------------------------------------------------------------------- compile


def _target_spec(t: Target) -> str:
    """How a pipeline spec names the target: the built-in name, else its TOML path."""
    from vexa.runtime.target import TARGETS_DIR

    builtin = os.path.join(str(TARGETS_DIR), f"{t.name}.toml")
    if t.name in builtin_targets() and (not t.path or os.path.samefile(t.path, builtin)):
        return t.name
    return t.path


def _print(module: Any, debuginfo: bool = False) -> str:
    from io import StringIO

    from xdsl.printer import Printer

    out = StringIO()
    Printer(stream=out, print_debuginfo=debuginfo).print_op(module)
    return out.getvalue()


def _load_nn(model: Any, input_shapes: Mapping[str, Sequence[int]] | None) -> Any:
    from xdsl.dialects.builtin import ModuleOp

    if isinstance(model, ModuleOp):
        return model
    if isinstance(model, (str, os.PathLike)) and os.fspath(model).endswith(".mlir"):
        if input_shapes:
            raise VexaError("input_shapes applies to ONNX models; an IR file has static shapes")
        from vexa.tools.run_model import load_ir

        return load_ir(os.fspath(model))[0]
    from vexa.lowering.import_onnx import import_onnx

    return import_onnx(model, input_shapes=input_shapes)


def _spills(module: Any) -> dict[str, int] | int:
    """The `vx.spills` counts vx-allocate-registers leaves (int, or per tag in a dict)."""
    from xdsl.dialects.builtin import DictionaryAttr, IntegerAttr

    total, per_tag = 0, {}
    for op in module.walk():
        attr = op.attributes.get("vx.spills")
        if isinstance(attr, IntegerAttr):
            total += int(attr.value.data)
        elif isinstance(attr, DictionaryAttr):
            for k, v in attr.data.items():
                if isinstance(v, IntegerAttr):
                    per_tag[k] = per_tag.get(k, 0) + int(v.value.data)
    return per_tag if per_tag else total


ASM_INLINE_LIMIT = 4096  # bytes: larger weights are `.res` references in `exe.asm`


def compile(  # noqa: A001 - the public name of the API (vexa.compile)
    model_or_path: Any,
    target: str | Target = "vx128",
    *,
    input_shapes: Mapping[str, Sequence[int]] | None = None,
    stop_after: str | None = None,
    engine: str = "fast",
    verify: bool | str = True,
    dump_after: Sequence[str] = (),
    **options: Any,
) -> Executable:
    """Compile an ONNX model (ModelProto, bytes, .onnx path), an nn IR file or an nn module.

    `stop_after` ("nn", "tile", "vx", "asm") ends at that level; `engine` picks the
    simulator ("fast", "reference") for `run`; `options` go to convert-nn-to-tile
    (`tile_m=32`, `double_buffer=False`, ...); `dump_after` keeps the IR text after the
    named pass stages (`exe.dumps`). Raises `VexaError` (or a `StageError` naming the
    failing stage) for what vexa cannot compile.

    `verify`: True (default) runs the IR verifiers at the end of the nn and tile levels;
    the vx level is checked by the assembler, which validates every packet (slots,
    resources, registers, immediates) of the program it encodes; "all" also runs the
    xDSL verifiers on the vx IR (about 10 s on ResNet-50: ~85 us per op); False skips
    the IR verifiers.
    """
    from xdsl.utils.exceptions import VerifyException

    from vexa.lowering import pipelines
    from vexa.runtime.nn_interpreter import _find_main, input_names
    from vexa.runtime.resources import module_resources

    if stop_after is not None and stop_after not in LEVELS:
        raise VexaError(f"stop_after: expected one of {', '.join(LEVELS)}, got '{stop_after}'")
    if engine not in ("fast", "reference"):
        raise VexaError(f"engine: expected 'fast' or 'reference', got '{engine}'")
    t = load_target(target)
    tname = _target_spec(t)
    # every stage up to stop_after must exist: fail before the (slow) import otherwise
    specs = [pipelines.nn_graph(), pipelines.nn_to_tile(tname, **options),
             pipelines.tile_to_vx(tname)]
    depth = {None: 3, "asm": 3, "vx": 3, "tile": 2, "nn": 1}[stop_after]
    pipelines.build_passes(",".join(s for s in specs[:depth] if s))
    result = pipelines.PipelineResult()
    clock = time.perf_counter
    start = clock()
    module = _load_nn(model_or_path, input_shapes)
    result.times["import"] = clock() - start
    func = _find_main(module)
    exe = Executable(t, engine)
    exe.input_names = input_names(func)
    exe.input_types = [(tuple(ty.get_shape()), ty.get_element_type())
                       for ty in func.function_type.inputs.data]
    exe.output_names = _output_names(func)
    exe.output_shapes = [tuple(ty.get_shape()) for ty in func.function_type.outputs.data]
    exe.resources = module_resources(module)

    last_level = {None: "vx", "asm": "vx"}.get(stop_after, stop_after)

    def stage(level: str, spec: str) -> bool:
        """Run one level's pipeline; True when compilation stops after it. The module is
        verified once at the end of the level (`vexa-opt` verifies after every pass);
        the IR text of the last level is printed only when `exe.ir` asks for it."""
        pipelines.run_pipeline(module, spec, verify=False, dump_after=dump_after,
                               timer=clock, result=result)
        start = clock()
        if verify == "all" or (verify and level != "vx"):
            try:
                module.verify()
            except VerifyException as e:
                raise pipelines.StageError(
                    level, f"{level}: the output IR does not verify: {str(e).strip()[:800]}",
                    module) from e
        result.verify_seconds += clock() - start
        if level != last_level:
            start = clock()
            exe.texts[level] = _print(module)
            print_seconds[0] += clock() - start
        return stop_after == level

    print_seconds = [0.0]

    stopped = stage("nn", pipelines.nn_graph())
    exe.costs = node_costs(module)
    if not stopped:
        stopped = stage("tile", pipelines.nn_to_tile(tname, **options))
    elif options:
        raise VexaError(f"options {sorted(options)} apply to convert-nn-to-tile, "
                        "which stop_after='nn' does not run")
    if not stopped:
        stopped = stage("vx", pipelines.tile_to_vx(tname))
    exe.module = module
    exe.level = stop_after or "program"
    exe.dumps = result.dumps
    exe.compile_times = result.times
    result.times["verify"] = result.verify_seconds  # not stages, but part of compile time
    result.times["print-ir"] = print_seconds[0]
    if stopped:
        return exe
    from vexa.dialects.vx import emit_assembly
    from vexa.runtime.assembler import assemble

    exe.spills = _spills(module)
    start = clock()
    # weights stay out of the text (`.res`): their bytes come from the resource table
    exe.asm = emit_assembly(module, t, inline_limit=ASM_INLINE_LIMIT)
    result.times["emit-asm"] = clock() - start
    if stop_after == "asm":
        return exe
    start = clock()
    exe.program = assemble(exe.asm, t, filename="<vexa.compile>",
                           resources=module_resources(module))
    result.times["assemble"] = clock() - start
    return exe


def _output_names(func: Any) -> list[str]:
    from xdsl.dialects.builtin import ArrayAttr, StringAttr

    n = len(func.function_type.outputs.data)
    attr = func.attributes.get("nn.output_names")
    if isinstance(attr, ArrayAttr) and len(attr.data) == n:
        return [a.data if isinstance(a, StringAttr) else f"output{i}"
                for i, a in enumerate(attr.data)]
    return [f"output{i}" for i in range(n)]


_NOT_IDENT = re.compile(r"[^A-Za-z0-9_]")  # as convert-tile-to-vx sanitizes


def _symbol(name: str, symbols: Sequence[str], index: int, what: str) -> str:
    """The program symbol holding graph value `name`: same name, sanitized, or by position."""
    if name in symbols:
        return name
    safe = _NOT_IDENT.sub("_", name)
    for candidate in (safe, "t_" + safe):  # "t_r2": a name that reads as a register
        if candidate in symbols:
            return candidate
    if index < len(symbols):
        return symbols[index]
    raise VexaError(f"the program has no {what} for '{name}' (symbols: {', '.join(symbols)})")


class Executable:
    """A compiled model: run it, read its report, its assembly, its IR at every level."""

    def __init__(self, target: Target, engine: str = "fast") -> None:
        self.target = target
        self.engine = engine
        self.level = "program"
        self.input_names: list[str] = []
        self.input_types: list[tuple[tuple[int, ...], Any]] = []
        self.output_names: list[str] = []
        self.output_shapes: list[tuple[int, ...]] = []
        self.texts: dict[str, str] = {}
        self.dumps: dict[str, str] = {}
        self.compile_times: dict[str, float] = {}
        self.costs: dict[str, NodeCost] = {}
        self.spills: dict[str, int] | int = 0
        self.asm: str | None = None
        self.program: Any = None
        self.module: Any = None
        self.resources: Any = None
        self.report: Report | None = None
        self.stats: Any = None

    def save_asm(self, path: str | os.PathLike[str]) -> None:
        """Write the assembly to `path` and the bytes of its `.res` weights to the side
        file beside it (`prog.s` -> `prog.npz`), so `vexa-run prog.s` runs it."""
        from vexa.runtime.resources import module_resources, side_file

        if self.asm is None:
            raise VexaError(f"no assembly: compiled with stop_after='{self.level}'")
        with open(path, "w") as f:
            f.write(self.asm)
        if self.module is not None and len(module_resources(self.module)):
            module_resources(self.module).save(side_file(path))

    def ir(self, level: str = "vx") -> str:
        """The IR text after level "nn", "tile" or "vx" (or the assembly for "asm")."""
        if level == "asm":
            if self.asm is None:
                raise VexaError(f"no assembly: compiled with stop_after='{self.level}'")
            return self.asm
        if level not in LEVELS:
            raise VexaError(f"ir: expected one of {', '.join(LEVELS)}, got '{level}'")
        if level not in self.texts:
            if self.module is None or level != {"program": "vx", "asm": "vx"}.get(self.level, self.level):
                raise VexaError(f"no {level} IR: compiled with stop_after='{self.level}'")
            self.texts[level] = _print(self.module)  # the last level: printed on demand
        return self.texts[level]

    def _inputs(self, inputs: Any) -> list[np.ndarray]:
        names = self.input_names
        if isinstance(inputs, Mapping):
            missing = [n for n in names if n not in inputs]
            extra = sorted(set(inputs) - set(names))
            if missing or extra:
                raise VexaError(f"expected inputs {names}, got {sorted(inputs)}")
            values = [inputs[n] for n in names]
        elif isinstance(inputs, np.ndarray):
            values = [inputs]
        else:
            values = list(inputs)
        if len(values) != len(names):
            raise VexaError(f"expected {len(names)} inputs {names}, got {len(values)}")
        out = []
        for name, value, (shape, _) in zip(names, values, self.input_types, strict=True):
            arr = np.asarray(value)
            if tuple(arr.shape) != shape:
                raise VexaError(f"input '{name}': expected shape {list(shape)}, "
                                f"got {list(arr.shape)}")
            out.append(arr)
        return out

    def run(self, inputs: Any, *, timing: bool = True,
            max_instructions: int | None = None) -> list[np.ndarray]:
        """Run on `inputs` (list in input order, name -> array, or one array).

        A full executable simulates its program (and sets `report`); "nn" and "tile"
        executables run the numpy interpreter of their level.
        """
        arrays = self._inputs(inputs)
        if self.level == "nn":
            from vexa.runtime.nn_interpreter import interpret

            return [np.array(o) for o in interpret(self.module, arrays, self.resources)]
        if self.level == "tile":
            from vexa.runtime.tile_interpreter import interpret as tile_interpret

            return [np.array(o) for o in tile_interpret(self.module, arrays, self.resources)]
        if self.program is None:
            raise VexaError(f"nothing to run: compiled with stop_after='{self.level}'")
        from vexa.runtime.machine import run_program

        ins = [s.name for s in self.program.inputs()]
        outs = [s.name for s in self.program.outputs()]
        feed = {_symbol(n, ins, i, "input"): a
                for i, (n, a) in enumerate(zip(self.input_names, arrays, strict=True))}
        results, stats = run_program(self.program, self.target, feed, engine=self.engine,
                                     timing=timing, max_instructions=max_instructions)
        self.stats = stats
        self.report = build_report(stats, self.costs, self.target, self.spills)
        arrays = [results[_symbol(n, outs, i, "output")] for i, n in enumerate(self.output_names)]
        # a rank-0 graph output is a one-element symbol in the program
        return [a.reshape(shape) if a.size == math.prod(shape) else a
                for a, shape in zip(arrays, self.output_shapes, strict=True)]

    def __repr__(self) -> str:
        return (f"<vexa.Executable {self.level} for {self.target.name}: "
                f"{len(self.input_names)} inputs, {len(self.output_names)} outputs>")
