"""runtime/target.py: built-in targets, derived figures, and located TOML errors."""

from pathlib import Path

import pytest

from vexa.runtime.target import INSTRUCTION_CLASSES, Target, load_target
from vexa.tools.errors import VexaError

VX128 = (Path(__file__).resolve().parents[1] / "runtime" / "targets" / "vx128.toml").read_text()


def test_vx128_figures() -> None:
    t = load_target("vx128")
    assert isinstance(t, Target)
    assert (t.vlen_bytes, t.vregs, t.qregs, t.gprs, t.slots) == (128, 32, 4, 32, 4)
    assert t.lanes("f32") == 32 and t.lanes("i8") == 128 and t.lanes("int16") == 64
    assert t.vtcm_base == 0x4000_0000 and t.loop_depth == 2
    assert t.peak_f32_macs_per_cycle == 2 * 32
    assert t.peak_i8_macs_per_cycle == 2 * 32 * 4
    assert t.ridge_dram_f32 == 64 / 32 and t.ridge_vtcm_f32 == 64 / 256
    assert set(t.class_resources) == set(INSTRUCTION_CLASSES)
    assert t.class_resources["vldu"]["load"] == 2
    assert t.latency_of("vmpy") == 2 and t.dram_cycles(129) == 5


def test_vx64_is_smaller() -> None:
    t = load_target("vx64")
    assert (t.vlen_bytes, t.vregs, t.slots) == (64, 16, 2)
    assert t.peak_f32_macs_per_cycle == 16 and t.peak_i8_macs_per_cycle == 64
    assert t.vtcm_bytes < load_target("vx128").vtcm_bytes


def test_frozen_and_hashable() -> None:
    t = load_target("vx128")
    with pytest.raises(AttributeError):
        t.name = "x"  # type: ignore[misc]
    assert hash(t) == hash(load_target("vx128"))
    assert load_target(t) is t


def test_minimal_design_schema_gets_defaults(tmp_path: Path) -> None:
    # The DESIGN.md section-6 keys alone are a complete target (vx128 resource table).
    p = tmp_path / "mini.toml"
    p.write_text('name = "mini"\n'
                 'vector = { vlen_bytes = 32, vregs = 8, qregs = 2 }\n'
                 'scalar = { gprs = 16 }\nvliw = { slots = 2 }\n'
                 'latency = { valu = 1, vmpy = 3, vld_vtcm = 2, vld_dram = 100, sld = 2, '
                 'branch_taken = 1 }\n'
                 'memory = { vtcm_bytes = 65536, vtcm_bytes_per_cycle = 64, '
                 'dram_bytes_per_cycle = 8 }\n'
                 'dma = { engines = 1, max_outstanding = 2, setup_cycles = 10 }\n')
    t = load_target(str(p))
    assert t.name == "mini" and t.lanes("f32") == 8 and t.loop_depth == 2
    assert t.resources["load"] == 2


@pytest.mark.parametrize("old,new,message", [
    ("vlen_bytes = 128, ", "", "vx128.toml: missing key 'vector.vlen_bytes'"),
    ("vregs = 32", "vregs = 32, lanes = 4", "vx128.toml: unknown key 'vector.lanes'"),
    ('name = "vx128"', 'name = "vx128"\ncolour = "red"', "vx128.toml: unknown key 'colour'"),
    ("vlen_bytes = 128", "vlen_bytes = 100", "expected a power of two"),
    ("gprs = 32", "gprs = \"many\"", "key 'scalar.gprs': expected an integer, got 'many'"),
    ("vldu = { load = 2 }\n", "", "vx128.toml: missing key 'classes.vldu'"),
    ("vldu = { load = 2 }", "vldu = { load = 3 }", "key 'classes.vldu.load': expected at most 2"),
    ("vmpy = { mpy = 1 }", "vmpy = { fpu = 1 }", "unknown resource 'fpu'"),
    ("dma = { dma = 1 }", "dma = { dma = 1 }\nfoo = { alu = 1 }", "unknown key 'classes.foo'"),
    ("[vliw]", "[vliw", "vx128.toml: invalid TOML"),
])
def test_bad_toml(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in VX128
    p = tmp_path / "vx128.toml"
    p.write_text(VX128.replace(old, new, 1))
    with pytest.raises(VexaError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_target(p)


def test_unknown_name() -> None:
    with pytest.raises(VexaError, match="unknown target 'vx999'"):
        load_target("vx999")
    with pytest.raises(VexaError, match="cannot read target file"):
        load_target("/nonexistent/x.toml")
