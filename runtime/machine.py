"""Run an assembled program: memory images, inputs and outputs, engine choice, traps.

    prog = assemble(text, "vx128")
    outputs, stats = run_program(prog, "vx128", {"A": a}, engine="fast")

Inputs fill `.input` symbols (dtype and shape checked), outputs are read from `.output`
symbols after `halt`. A trap raises `SimulatorTrap` (a VexaError) naming the pc, the
instruction, its source tag and the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from vexa.runtime.isa import DTYPES, F_PKT, F_TAG, Program, Symbol
from vexa.runtime.stats import TRAP_KINDS, TRAP_NONE, SimStats, SimulatorTrap, Trap, trap_reason
from vexa.runtime.target import Target, load_target
from vexa.tools.errors import VexaError

DEFAULT_MAX_INSTRUCTIONS = 10**10
DRAM_ROUND = 128  # DRAM is sized to a multiple of max(DRAM_ROUND, vector length)


@dataclass
class RunState:
    """Memory and registers after a run (for tests and debugging)."""

    dram: np.ndarray
    vtcm: np.ndarray
    regs: np.ndarray
    vregs: np.ndarray
    qregs: np.ndarray


def make_memory(prog: Program, target: Target) -> tuple[np.ndarray, np.ndarray]:
    """Fresh DRAM (the data image, rounded up) and VTCM (zeroed + its image) arrays."""
    size = len(prog.dram_image)
    size += (-size) % max(DRAM_ROUND, target.vlen_bytes)
    if size > target.dram_bytes:
        raise VexaError(f"{prog.filename}: data image of {size} bytes exceeds the DRAM of "
                        f"{target.name} ({target.dram_bytes} bytes)")
    if len(prog.vtcm_image) > target.vtcm_bytes:
        raise VexaError(f"{prog.filename}: .vtcm symbols need {len(prog.vtcm_image)} bytes, "
                        f"{target.name} has {target.vtcm_bytes}")
    dram = np.zeros(size, dtype=np.uint8)
    dram[:len(prog.dram_image)] = np.frombuffer(prog.dram_image, dtype=np.uint8)
    vtcm = np.zeros(target.vtcm_bytes, dtype=np.uint8)
    vtcm[:len(prog.vtcm_image)] = np.frombuffer(prog.vtcm_image, dtype=np.uint8)
    return dram, vtcm


def _sym_view(sym: Symbol, dram: np.ndarray, vtcm: np.ndarray, base: int) -> np.ndarray:
    mem, off = (dram, sym.address) if sym.space == "dram" else (vtcm, sym.address - base)
    return mem[off:off + sym.size]


def write_inputs(prog: Program, target: Target, inputs: dict[str, np.ndarray],
                 dram: np.ndarray, vtcm: np.ndarray) -> None:
    declared = {s.name: s for s in prog.inputs()}
    for name in inputs:
        if name not in declared:
            known = ", ".join(declared) or "none"
            raise VexaError(f"{prog.filename}: no .input named '{name}' (inputs: {known})")
    for name, sym in declared.items():
        if name not in inputs:
            continue
        want = np.dtype(DTYPES[sym.dtype])
        arr = np.asarray(inputs[name])
        if arr.shape != sym.shape:
            raise VexaError(f"input '{name}': expected shape {sym.shape}, got {arr.shape}")
        if arr.dtype != want:
            safe = np.can_cast(arr.dtype, want, casting="same_kind")
            if not safe:
                raise VexaError(f"input '{name}': expected dtype {sym.dtype}, got {arr.dtype}")
            arr = arr.astype(want)
        raw = np.ascontiguousarray(arr, dtype=want.newbyteorder("<")).view(np.uint8).reshape(-1)
        _sym_view(sym, dram, vtcm, target.vtcm_base)[:raw.size] = raw


def read_outputs(prog: Program, target: Target, dram: np.ndarray,
                 vtcm: np.ndarray) -> dict[str, np.ndarray]:
    outs: dict[str, np.ndarray] = {}
    for sym in prog.outputs():
        dt = np.dtype(DTYPES[sym.dtype]).newbyteorder("<")
        n = int(np.prod(sym.shape, dtype=np.int64))
        raw = _sym_view(sym, dram, vtcm, target.vtcm_base)[:n * dt.itemsize]
        outs[sym.name] = raw.copy().view(dt).astype(dt.newbyteorder("=")).reshape(sym.shape)
    return outs


def make_trap(prog: Program, target: Target, raw_trap: tuple[int, ...], dram_size: int,
              max_instructions: int) -> Trap:
    code, pc, addr, nbytes, extra = (int(x) for x in raw_trap)
    return Trap(
        kind=TRAP_KINDS.get(code, "unknown"), pc=pc, packet=int(prog.code[pc, F_PKT]),
        instruction=prog.instruction_text(pc), tag=prog.tags[int(prog.code[pc, F_TAG])],
        location=prog.location(pc),
        reason=trap_reason(code, addr, nbytes, extra, dram_size, target, max_instructions),
    )


def simulate(prog: Program, target: Target | str, inputs: dict[str, np.ndarray] | None = None,
             engine: str = "fast", timing: bool = True,
             max_instructions: int | None = None) -> tuple[dict[str, np.ndarray], SimStats,
                                                           RunState]:
    """Like `run_program`, also returning the final memory and registers."""
    t = load_target(target)
    if prog.target_name != t.name:
        raise VexaError(f"{prog.filename}: program assembled for target '{prog.target_name}', "
                        f"got target '{t.name}'")
    limit = DEFAULT_MAX_INSTRUCTIONS if max_instructions is None else int(max_instructions)
    if limit < 0:
        raise VexaError(f"max_instructions: expected a non-negative count, got {limit}")
    limit = min(limit, 2**62)  # both simulators count in int64
    dram, vtcm = make_memory(prog, t)
    write_inputs(prog, t, dict(inputs or {}), dram, vtcm)
    if engine == "reference":
        from vexa.runtime import sim_reference

        raw = sim_reference.simulate(prog, t, dram, vtcm, timing, limit)
    elif engine == "fast":
        from vexa.runtime import sim_fast

        raw = sim_fast.simulate(prog, t, dram, vtcm, timing, limit)
    else:
        raise VexaError(f"engine: expected 'fast' or 'reference', got '{engine}'")
    stats = SimStats.from_arrays(raw.counters, raw.by_class, raw.tag_cycles, prog.tags,
                                 timing=timing, target=t.name)
    if int(raw.trap[0]) != TRAP_NONE:
        raise SimulatorTrap(make_trap(prog, t, raw.trap, len(dram), limit), stats)
    state = RunState(dram, vtcm, raw.regs, raw.vregs, raw.qregs)
    return read_outputs(prog, t, dram, vtcm), stats, state


def run_program(program: Program, target: Target | str,
                inputs: dict[str, np.ndarray] | None = None, engine: str = "fast",
                timing: bool = True, max_instructions: int | None = None,
                ) -> tuple[dict[str, np.ndarray], SimStats]:
    """Simulate `program`; returns ({output name: array}, SimStats).

    Raises SimulatorTrap when the program traps, VexaError for bad inputs.
    """
    outs, stats, _ = simulate(program, target, inputs, engine, timing, max_instructions)
    return outs, stats


def run_asm(text: str, target: Target | str = "vx128", inputs: dict[str, Any] | None = None,
            **kw: Any) -> tuple[dict[str, np.ndarray], SimStats]:
    """Assemble and run in one step (tests, notebooks)."""
    from vexa.runtime.assembler import assemble

    return run_program(assemble(text, load_target(target)), target, inputs, **kw)
