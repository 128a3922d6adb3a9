"""What a simulation reports: `SimStats` (cycles, stalls, bytes, per-tag cycles) and traps.

Both simulators fill the same flat counters (`COUNTERS` layout, per-class and per-tag
arrays), so comparing two runs is comparing integer arrays.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vexa.runtime.isa import CLASSES
from vexa.tools.errors import VexaError

# Layout of the int64 counter vector both simulators fill.
COUNTERS = (
    "cycles", "packets", "instructions",
    "stall_dependency", "stall_resource", "stall_dram_bandwidth", "stall_dma_wait",
    "stall_branch",
    "dram_read", "dram_write", "vtcm_read", "vtcm_write", "vtcm_high_water",
    "dma_transfers", "dma_bytes",
)
C = {name: i for i, name in enumerate(COUNTERS)}
N_COUNTERS = len(COUNTERS)
STALL_CAUSES = ("dependency", "resource", "dram_bandwidth", "dma_wait", "branch")

# Trap codes (0 = halted normally).
TRAP_NONE, TRAP_MISALIGNED, TRAP_OOB, TRAP_DMA_OOB, TRAP_BUDGET, TRAP_LOOP_OVERFLOW = range(6)
TRAP_KINDS = {TRAP_MISALIGNED: "misaligned", TRAP_OOB: "out_of_bounds",
              TRAP_DMA_OOB: "dma_out_of_bounds", TRAP_BUDGET: "instruction_budget",
              TRAP_LOOP_OVERFLOW: "loop_overflow"}


@dataclass
class SimStats:
    """Statistics of one run. `cycles == packets + sum(stalls.values())`."""

    cycles: int = 0
    packets: int = 0
    instructions: int = 0
    by_class: dict[str, int] = field(default_factory=dict)
    stalls: dict[str, int] = field(default_factory=dict)
    bytes: dict[str, int] = field(default_factory=dict)
    vtcm_high_water: int = 0
    dma_transfers: int = 0
    dma_bytes: int = 0
    cycles_by_tag: dict[str, int] = field(default_factory=dict)
    timing: bool = True
    target: str = ""

    @classmethod
    def from_arrays(cls, counters: np.ndarray, by_class: np.ndarray, tag_cycles: np.ndarray,
                    tags: list[str], timing: bool = True, target: str = "") -> SimStats:
        c = [int(x) for x in counters]
        by_tag: dict[str, int] = {}
        for name, n in zip(tags, tag_cycles, strict=False):
            if n:
                key = name or "<untagged>"
                by_tag[key] = by_tag.get(key, 0) + int(n)
        return cls(
            cycles=c[C["cycles"]], packets=c[C["packets"]], instructions=c[C["instructions"]],
            by_class={k: int(n) for k, n in zip(CLASSES, by_class, strict=True) if n},
            stalls={k: c[C[f"stall_{k}"]] for k in STALL_CAUSES},
            bytes={k: c[C[k]] for k in ("dram_read", "dram_write", "vtcm_read", "vtcm_write")},
            vtcm_high_water=c[C["vtcm_high_water"]], dma_transfers=c[C["dma_transfers"]],
            dma_bytes=c[C["dma_bytes"]], cycles_by_tag=by_tag, timing=timing, target=target,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target, "timing": self.timing, "cycles": self.cycles,
            "packets": self.packets, "instructions": self.instructions,
            "instructions_by_class": dict(self.by_class), "stall_cycles": dict(self.stalls),
            "bytes": dict(self.bytes), "vtcm_high_water": self.vtcm_high_water,
            "dma_transfers": self.dma_transfers, "dma_bytes": self.dma_bytes,
            "cycles_by_tag": dict(self.cycles_by_tag),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def roofline(self, target: Any) -> dict[str, dict[str, float]]:
        """Achieved rates against the target's roofs (runtime/target.py): vector-multiply
        instructions per cycle against the vmpy slots of a packet (as f32 MACs: × f32
        lanes, exact when they are all `vfma.f32`), DRAM and VTCM bytes per cycle (loads,
        stores and DMA) against `dram_bytes_per_cycle` / `vtcm_bytes_per_cycle`."""
        cyc = max(self.cycles, 1)
        lanes = target.lanes("f32")
        vmpy = self.by_class.get("vmpy", 0) / cyc
        dram = (self.bytes.get("dram_read", 0) + self.bytes.get("dram_write", 0)) / cyc
        vtcm = (self.bytes.get("vtcm_read", 0) + self.bytes.get("vtcm_write", 0)) / cyc
        rates = {"vmpy_per_cycle": (vmpy, target.vmpy_per_packet),
                 "f32_macs_per_cycle": (vmpy * lanes, target.peak_f32_macs_per_cycle),
                 "dram_bytes_per_cycle": (dram, target.dram_bytes_per_cycle),
                 "vtcm_bytes_per_cycle": (vtcm, target.vtcm_bytes_per_cycle)}
        return {k: {"achieved": a, "roof": r, "percent": 100 * a / r if r else 0.0}
                for k, (a, r) in rates.items()}

    def roofline_report(self, target: Any) -> str:
        """The `roofline` figures as two report lines (nothing with the timing model off)."""
        if not self.timing:
            return ""
        r = self.roofline(target)
        v, m = r["vmpy_per_cycle"], r["f32_macs_per_cycle"]
        d, t = r["dram_bytes_per_cycle"], r["vtcm_bytes_per_cycle"]
        return (f"roof          compute {v['percent']:.1f}% (vmpy {v['achieved']:.2f} of "
                f"{v['roof']:g} per cycle; as vfma.f32 {m['achieved']:.1f} of {m['roof']:g} "
                f"MAC/cycle)\n"
                f"              DRAM {d['percent']:.1f}% ({d['achieved']:.2f} of {d['roof']:g} "
                f"B/cycle), VTCM {t['percent']:.1f}% ({t['achieved']:.2f} of {t['roof']:g} "
                f"B/cycle)")

    def report(self, target: Any = None) -> str:
        """A human-readable cycle report; with a `Target`, also the achieved share of its
        roofs (`roofline_report`)."""
        cyc = max(self.cycles, 1)
        lines = [f"cycles        {self.cycles}" + ("" if self.timing else "  (timing off)"),
                 f"packets       {self.packets}",
                 f"instructions  {self.instructions}"
                 f"  ({self.instructions / max(self.packets, 1):.2f} per packet)"]
        if self.by_class:
            lines.append("by class      " + ", ".join(f"{k} {v}" for k, v in
                                                     sorted(self.by_class.items())))
        stalls = {k: v for k, v in self.stalls.items() if v}
        if stalls:
            lines.append("stall cycles  " + ", ".join(f"{k} {v} ({100 * v / cyc:.1f}%)"
                                                      for k, v in stalls.items()))
        lines.append("bytes         " + ", ".join(f"{k} {v}" for k, v in self.bytes.items()))
        lines.append(f"vtcm high-water {self.vtcm_high_water} bytes; dma {self.dma_transfers} "
                     f"transfers, {self.dma_bytes} bytes")
        if target is not None and self.timing:
            lines.append(self.roofline_report(target))
        if self.cycles_by_tag:
            lines.append("cycles by tag:")
            for k, v in sorted(self.cycles_by_tag.items(), key=lambda kv: -kv[1]):
                lines.append(f"  {k:<24} {v:>12}  {100 * v / cyc:5.1f}%")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.report()


@dataclass(frozen=True)
class Trap:
    """Why and where a program stopped abnormally."""

    kind: str
    pc: int  # instruction index
    packet: int
    instruction: str
    tag: str
    location: str  # file:line
    reason: str

    def message(self) -> str:
        tag = f" [{self.tag}]" if self.tag else ""
        return (f"{self.location}: trap at pc {self.pc} (packet {self.packet}){tag}: "
                f"'{self.instruction}': {self.reason}")


class SimulatorTrap(VexaError):
    """A program trapped; `.trap` holds the details, `.stats` the counters up to the trap."""

    def __init__(self, trap: Trap, stats: SimStats | None = None) -> None:
        super().__init__(trap.message())
        self.trap = trap
        self.stats = stats


def trap_reason(code: int, addr: int, nbytes: int, extra: int, dram_size: int, target: Any,
                max_instructions: int) -> str:
    """The text of a trap, from the (code, address, size, extra) both simulators return."""
    vt0, vt1 = target.vtcm_base, target.vtcm_base + target.vtcm_bytes
    regions = f"DRAM [0x0, {dram_size:#x}), VTCM [{vt0:#x}, {vt1:#x})"
    if code == TRAP_MISALIGNED:
        return f"misaligned access at {addr:#010x}: expected {extra}-byte alignment"
    if code == TRAP_OOB:
        return f"out-of-bounds access of {nbytes} bytes at {addr:#010x} ({regions})"
    if code == TRAP_DMA_OOB:
        return f"DMA range of {nbytes} bytes at {addr:#010x} outside memory ({regions})"
    if code == TRAP_BUDGET:
        return f"instruction budget exceeded: max_instructions={max_instructions}"
    if code == TRAP_LOOP_OVERFLOW:
        return f"hardware-loop stack overflow: loops nest deeper than {target.loop_depth}"
    return f"unknown trap code {code}"
