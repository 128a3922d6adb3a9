"""The machine description: one frozen `Target` loaded from a TOML file.

    t = load_target("vx128")            # a built-in file in runtime/targets/
    t = load_target("my_machine.toml")  # or any path
    t.lanes("f32"), t.peak_f32_macs_per_cycle, t.ridge_dram

Every part of vexa that depends on the machine (cost models, the vx verifiers, the
assembler, both simulators) reads this object; nothing about the machine is typed twice.

TOML schema (docs/isa_spec.md). Required, as in DESIGN.md section 6:

    name = "vx128"
    vector  = { vlen_bytes = 128, vregs = 32, qregs = 4 }
    scalar  = { gprs = 32 }
    vliw    = { slots = 4 }
    latency = { valu = 1, vmpy = 2, vld_vtcm = 2, vld_dram = 200, sld = 2, branch_taken = 1 }
    memory  = { vtcm_bytes = 4194304, vtcm_bytes_per_cycle = 256, dram_bytes_per_cycle = 32 }
    dma     = { engines = 1, max_outstanding = 4, setup_cycles = 50 }

Optional, with defaults (those of vx128): `scalar.loop_depth` (2), `latency.salu` (1),
`latency.vxfer` (1), `memory.vtcm_base` (0x4000_0000), `memory.dram_bytes` (= vtcm_base),
`vliw.resources` ({resource: units per packet}) and `[classes]` ({instruction class:
{resource: units}}; must name every instruction class of the ISA). Unknown keys are errors.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vexa.tools.errors import VexaError

TARGETS_DIR = Path(__file__).resolve().parent / "targets"

# The instruction classes of docs/isa_spec.md: the keys of a target's class table.
INSTRUCTION_CLASSES: tuple[str, ...] = (
    "salu", "sld", "sst", "branch", "loop", "vld", "vldu", "vst", "valu", "vxfer", "vmpy", "dma",
)

DEFAULT_RESOURCES: dict[str, int] = {
    "load": 2, "store": 1, "mpy": 2, "alu": 2, "xfer": 1, "scalar": 2, "branch": 1, "dma": 1,
}
DEFAULT_CLASSES: dict[str, dict[str, int]] = {
    "salu": {"scalar": 1}, "sld": {"load": 1}, "sst": {"store": 1}, "branch": {"branch": 1},
    "loop": {"branch": 1}, "vld": {"load": 1}, "vldu": {"load": 2}, "vst": {"store": 1},
    "valu": {"alu": 1}, "vxfer": {"xfer": 1}, "vmpy": {"mpy": 1}, "dma": {"dma": 1},
}

_LANE_BYTES = {"f32": 4, "i32": 4, "u32": 4, "i16": 2, "u16": 2, "f16": 2, "i8": 1, "u8": 1}


class FrozenMap(Mapping[str, Any]):
    """An immutable, hashable str-keyed mapping (dataclass fields of a frozen Target)."""

    __slots__ = ("_items", "_dict")

    def __init__(self, items: Mapping[str, Any] | None = None) -> None:
        self._dict = dict(items or {})
        self._items = tuple(sorted(self._dict.items()))

    def __getitem__(self, key: str) -> Any:
        return self._dict[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._dict)

    def __len__(self) -> int:
        return len(self._dict)

    def __hash__(self) -> int:
        return hash(self._items)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self._dict) == dict(other)

    def __repr__(self) -> str:
        return f"FrozenMap({self._dict!r})"


@dataclass(frozen=True)
class VectorConfig:
    vlen_bytes: int
    vregs: int
    qregs: int


@dataclass(frozen=True)
class ScalarConfig:
    gprs: int
    loop_depth: int = 2


@dataclass(frozen=True)
class VliwConfig:
    """Slots per packet, resource units per packet, and what each class occupies."""

    slots: int
    resources: FrozenMap  # resource -> units per packet
    classes: FrozenMap  # class -> FrozenMap(resource -> units)


@dataclass(frozen=True)
class LatencyConfig:
    valu: int
    vmpy: int
    vld_vtcm: int
    vld_dram: int
    sld: int
    branch_taken: int
    salu: int = 1
    vxfer: int = 1


@dataclass(frozen=True)
class MemoryConfig:
    vtcm_bytes: int
    vtcm_bytes_per_cycle: int
    dram_bytes_per_cycle: int
    vtcm_base: int = 0x4000_0000
    dram_bytes: int = 0x4000_0000


@dataclass(frozen=True)
class DmaConfig:
    engines: int
    max_outstanding: int
    setup_cycles: int


@dataclass(frozen=True)
class Target:
    """A vx machine: vector unit, scalar unit, VLIW packet rules, latencies, memory, DMA."""

    name: str
    vector: VectorConfig
    scalar: ScalarConfig
    vliw: VliwConfig
    latency: LatencyConfig
    memory: MemoryConfig
    dma: DmaConfig
    path: str = field(default="", compare=False)

    # ---- flat accessors (what verifiers and cost models read)
    @property
    def vlen_bytes(self) -> int:
        return self.vector.vlen_bytes

    @property
    def vregs(self) -> int:
        return self.vector.vregs

    @property
    def qregs(self) -> int:
        return self.vector.qregs

    @property
    def gprs(self) -> int:
        return self.scalar.gprs

    @property
    def loop_depth(self) -> int:
        return self.scalar.loop_depth

    @property
    def slots(self) -> int:
        return self.vliw.slots

    @property
    def resources(self) -> Mapping[str, int]:
        return self.vliw.resources

    @property
    def class_resources(self) -> Mapping[str, Mapping[str, int]]:
        return self.vliw.classes

    @property
    def vtcm_base(self) -> int:
        return self.memory.vtcm_base

    @property
    def vtcm_bytes(self) -> int:
        return self.memory.vtcm_bytes

    @property
    def dram_bytes(self) -> int:
        return self.memory.dram_bytes

    @property
    def dram_bytes_per_cycle(self) -> int:
        return self.memory.dram_bytes_per_cycle

    @property
    def vtcm_bytes_per_cycle(self) -> int:
        return self.memory.vtcm_bytes_per_cycle

    @property
    def dma_setup_cycles(self) -> int:
        return self.dma.setup_cycles

    # ---- derived figures (the roofline)
    def lanes(self, dtype: Any = "f32") -> int:
        """Lanes of one vector register for an element type ('f32', 'i8', numpy dtype)."""
        key = str(dtype)
        alias = {"float32": "f32", "int32": "i32", "int16": "i16", "int8": "i8",
                 "uint8": "u8", "uint16": "u16", "uint32": "u32", "float16": "f16"}
        key = alias.get(key, key)
        if key not in _LANE_BYTES:
            raise VexaError(f"target {self.name}: no lane width for dtype '{dtype}'")
        return self.vlen_bytes // _LANE_BYTES[key]

    def latency_of(self, klass: str) -> int:
        """Result latency of a class (loads: the VTCM figure; DRAM loads use vld_dram)."""
        lat = self.latency
        table = {"salu": lat.salu, "sld": lat.sld, "sst": 1, "branch": 1, "loop": 1,
                 "vld": lat.vld_vtcm, "vldu": lat.vld_vtcm, "vst": 1, "valu": lat.valu,
                 "vxfer": lat.vxfer, "vmpy": lat.vmpy, "dma": 1}
        return table[klass]

    def units(self, resource: str) -> int:
        return int(self.vliw.resources.get(resource, 0))

    def _units_of_class(self, klass: str) -> int:
        """How many instructions of one class fit in one packet."""
        demand = self.vliw.classes[klass]
        fit = min((self.units(r) // n for r, n in demand.items() if n > 0), default=self.slots)
        return min(fit, self.slots)

    @property
    def vmpy_per_packet(self) -> int:
        return self._units_of_class("vmpy")

    @property
    def peak_f32_macs_per_cycle(self) -> int:
        """vfma.f32 per packet × f32 lanes."""
        return self.vmpy_per_packet * self.lanes("f32")

    @property
    def peak_i8_macs_per_cycle(self) -> int:
        """vdmpy.i8 per packet × i32 lanes × 4 products per lane."""
        return self.vmpy_per_packet * self.lanes("i32") * 4

    @property
    def ridge_dram_f32(self) -> float:
        """f32 MACs per DRAM byte at which compute and DRAM bandwidth balance."""
        return self.peak_f32_macs_per_cycle / self.dram_bytes_per_cycle

    @property
    def ridge_vtcm_f32(self) -> float:
        return self.peak_f32_macs_per_cycle / self.vtcm_bytes_per_cycle

    @property
    def ridge_dram_i8(self) -> float:
        return self.peak_i8_macs_per_cycle / self.dram_bytes_per_cycle

    @property
    def ridge_vtcm_i8(self) -> float:
        return self.peak_i8_macs_per_cycle / self.vtcm_bytes_per_cycle

    def dram_cycles(self, nbytes: int) -> int:
        """Cycles the DRAM port is busy for an access of `nbytes`."""
        return math.ceil(nbytes / self.dram_bytes_per_cycle)

    def summary(self) -> str:
        """One line per figure: what `vexa-run --report` prints about the machine."""
        return (
            f"target {self.name}: {self.vlen_bytes}-byte vectors ({self.lanes('f32')} f32 lanes), "
            f"{self.vregs} vregs, {self.slots} slots; peak {self.peak_f32_macs_per_cycle} f32 "
            f"MAC/cycle, {self.peak_i8_macs_per_cycle} i8 MAC/cycle; DRAM "
            f"{self.dram_bytes_per_cycle} B/cycle (ridge {self.ridge_dram_f32:g} MAC/B), VTCM "
            f"{self.vtcm_bytes} B at {self.vtcm_bytes_per_cycle} B/cycle"
        )


# --------------------------------------------------------------------------- loading

_REQUIRED: dict[str, tuple[str, ...]] = {
    "vector": ("vlen_bytes", "vregs", "qregs"),
    "scalar": ("gprs",),
    "vliw": ("slots",),
    "latency": ("valu", "vmpy", "vld_vtcm", "vld_dram", "sld", "branch_taken"),
    "memory": ("vtcm_bytes", "vtcm_bytes_per_cycle", "dram_bytes_per_cycle"),
    "dma": ("engines", "max_outstanding", "setup_cycles"),
}
_OPTIONAL: dict[str, tuple[str, ...]] = {
    "vector": (),
    "scalar": ("loop_depth",),
    "vliw": ("resources",),
    "latency": ("salu", "vxfer"),
    "memory": ("vtcm_base", "dram_bytes"),
    "dma": (),
}
_TOP = ("name", "classes", *_REQUIRED)


class _Checker:
    """Reads one TOML table with errors naming the file and the dotted key."""

    def __init__(self, fname: str) -> None:
        self.fname = fname

    def fail(self, msg: str) -> VexaError:
        return VexaError(f"{self.fname}: {msg}")

    def table(self, d: dict[str, Any], key: str) -> dict[str, Any]:
        if key not in d:
            raise self.fail(f"missing key '{key}'")
        v = d[key]
        if not isinstance(v, dict):
            raise self.fail(f"key '{key}': expected a table, got {type(v).__name__}")
        return v

    def int_(self, v: Any, key: str, lo: int = 1, hi: int = 2**32) -> int:
        if isinstance(v, bool) or not isinstance(v, int):
            raise self.fail(f"key '{key}': expected an integer, got {v!r}")
        if not lo <= v <= hi:
            raise self.fail(f"key '{key}': expected a value in [{lo}, {hi}], got {v}")
        return v

    def section(self, d: dict[str, Any], sec: str) -> dict[str, int]:
        t = self.table(d, sec)
        allowed = set(_REQUIRED[sec]) | set(_OPTIONAL[sec])
        for k in t:
            if k not in allowed:
                raise self.fail(f"unknown key '{sec}.{k}'")
        out: dict[str, int] = {}
        for k in _REQUIRED[sec]:
            if k not in t:
                raise self.fail(f"missing key '{sec}.{k}'")
        for k, v in t.items():
            if k == "resources":
                continue
            lo = 0 if (sec == "latency" and k == "branch_taken") or k == "vtcm_base" else 1
            out[k] = self.int_(v, f"{sec}.{k}", lo=lo)
        return out


def _build(d: dict[str, Any], fname: str, path: str) -> Target:
    c = _Checker(fname)
    for k in d:
        if k not in _TOP:
            raise c.fail(f"unknown key '{k}'")
    if "name" not in d:
        raise c.fail("missing key 'name'")
    name = d["name"]
    if not isinstance(name, str) or not name:
        raise c.fail(f"key 'name': expected a non-empty string, got {name!r}")

    vec = c.section(d, "vector")
    sca = c.section(d, "scalar")
    vliw_raw = c.table(d, "vliw")
    vliw = c.section(d, "vliw")
    lat = c.section(d, "latency")
    mem = c.section(d, "memory")
    dma = c.section(d, "dma")

    vlen = vec["vlen_bytes"]
    if vlen < 16 or vlen & (vlen - 1) or vlen > 4096:
        raise c.fail(f"key 'vector.vlen_bytes': expected a power of two in [16, 4096], got {vlen}")
    for k, hi in (("vregs", 256), ("qregs", 256)):
        c.int_(vec[k], f"vector.{k}", 1, hi)
    c.int_(sca["gprs"], "scalar.gprs", 1, 256)
    c.int_(sca.get("loop_depth", 2), "scalar.loop_depth", 1, 64)
    c.int_(vliw["slots"], "vliw.slots", 1, 16)

    resources_raw = vliw_raw.get("resources", DEFAULT_RESOURCES)
    if not isinstance(resources_raw, dict):
        raise c.fail("key 'vliw.resources': expected a table")
    resources = {r: c.int_(n, f"vliw.resources.{r}", 0, 64) for r, n in resources_raw.items()}

    classes_raw = d.get("classes", DEFAULT_CLASSES)
    if not isinstance(classes_raw, dict):
        raise c.fail("key 'classes': expected a table")
    classes: dict[str, FrozenMap] = {}
    for klass, demand in classes_raw.items():
        if klass not in INSTRUCTION_CLASSES:
            raise c.fail(f"unknown key 'classes.{klass}' (instruction classes: "
                         f"{', '.join(INSTRUCTION_CLASSES)})")
        if not isinstance(demand, dict):
            raise c.fail(f"key 'classes.{klass}': expected a table of resource units")
        units: dict[str, int] = {}
        for r, n in demand.items():
            key = f"classes.{klass}.{r}"
            if r not in resources:
                raise c.fail(f"key '{key}': unknown resource '{r}' (not in vliw.resources)")
            units[r] = c.int_(n, key, 0, 64)
            if units[r] > resources[r]:
                raise c.fail(f"key '{key}': expected at most {resources[r]} units "
                             f"(vliw.resources.{r}), got {units[r]}")
        classes[klass] = FrozenMap(units)
    for klass in INSTRUCTION_CLASSES:
        if klass not in classes:
            raise c.fail(f"missing key 'classes.{klass}'")

    vtcm_base = mem.get("vtcm_base", 0x4000_0000)
    dram_bytes = mem.get("dram_bytes", vtcm_base)
    if vtcm_base % 4096:
        raise c.fail(f"key 'memory.vtcm_base': expected a multiple of 4096, got {vtcm_base:#x}")
    if dram_bytes > vtcm_base:
        raise c.fail(f"key 'memory.dram_bytes': expected at most vtcm_base ({vtcm_base:#x}), "
                     f"got {dram_bytes:#x}")
    if vtcm_base + mem["vtcm_bytes"] > 2**32:
        raise c.fail("key 'memory.vtcm_bytes': VTCM must end inside the 32-bit address space")
    if mem["vtcm_bytes"] % vlen:
        raise c.fail(f"key 'memory.vtcm_bytes': expected a multiple of vlen_bytes ({vlen}), "
                     f"got {mem['vtcm_bytes']}")
    c.int_(dma["max_outstanding"], "dma.max_outstanding", 1, 64)
    c.int_(dma["engines"], "dma.engines", 1, 16)

    return Target(
        name=name,
        vector=VectorConfig(**vec),
        scalar=ScalarConfig(**sca),
        vliw=VliwConfig(slots=vliw["slots"], resources=FrozenMap(resources),
                        classes=FrozenMap(classes)),
        latency=LatencyConfig(**lat),
        memory=MemoryConfig(
            vtcm_base=vtcm_base, dram_bytes=dram_bytes,
            **{k: v for k, v in mem.items() if k not in ("vtcm_base", "dram_bytes")}),
        dma=DmaConfig(**dma),
        path=path,
    )


_CACHE: dict[str, Target] = {}


def builtin_targets() -> list[str]:
    """Names of the targets shipped in runtime/targets/."""
    return sorted(p.stem for p in TARGETS_DIR.glob("*.toml"))


def load_target(name_or_path: str | Path | Target) -> Target:
    """Load a built-in target by name (`vx128`) or a TOML file by path; cached by path."""
    if isinstance(name_or_path, Target):
        return name_or_path
    s = str(name_or_path)
    if s.endswith(".toml") or "/" in s or "\\" in s:
        path = Path(s)
    else:
        path = TARGETS_DIR / f"{s}.toml"
        if not path.is_file():
            raise VexaError(f"unknown target '{s}' (built-in: {', '.join(builtin_targets())}; "
                            f"or pass a .toml path)")
    key = str(path.resolve()) if path.exists() else str(path)
    try:
        mtime = path.stat().st_mtime_ns
    except OSError as e:
        raise VexaError(f"cannot read target file '{s}': {e.strerror or e}") from None
    cache_key = f"{key}@{mtime}"
    if cache_key in _CACHE:
        return _CACHE[cache_key]
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as e:
        raise VexaError(f"{path.name}: invalid TOML: {e}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise VexaError(f"cannot read target file '{s}': {e}") from None
    target = _build(data, path.name, str(path))
    _CACHE[cache_key] = target
    return target
