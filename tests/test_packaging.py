"""The wheel (non-editable) carries every vexa subpackage and the target files.

An editable install imports a subpackage missing from pyproject's explicit package
list; a real wheel silently drops it. Build one and compare with the source tree.
"""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

# One worker builds the wheel once: two concurrent `pip wheel` runs share the source
# tree's build/ folder and break each other.
pytestmark = pytest.mark.xdist_group("wheel")

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = {"vexa": "vexa", "dialects": "vexa/dialects", "passes": "vexa/passes",
           "lowering": "vexa/lowering", "runtime": "vexa/runtime", "tools": "vexa/tools"}


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    (whl,) = out.glob("vexa-*.whl")
    with zipfile.ZipFile(whl) as z:
        names = set(z.namelist())
        (ep,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        names.add("entry_points:" + z.read(ep).decode())
        return names


def test_every_module_is_in_the_wheel(wheel_names: set[str]) -> None:
    missing = []
    for folder, pkg in FOLDERS.items():
        for src in (ROOT / folder).rglob("*.py"):
            rel = src.relative_to(ROOT / folder)
            if "__pycache__" in rel.parts:
                continue
            if f"{pkg}/{rel.as_posix()}" not in wheel_names:
                missing.append(f"{folder}/{rel.as_posix()}")
    assert not missing, f"missing from the wheel (add the subpackage to pyproject.toml): {missing}"


def test_target_files_are_in_the_wheel(wheel_names: set[str]) -> None:
    tomls = sorted(p.name for p in (ROOT / "runtime" / "targets").glob("*.toml"))
    assert tomls, "no target files"
    for name in tomls:
        assert f"vexa/runtime/targets/{name}" in wheel_names


def test_universe_entry_point_is_declared(wheel_names: set[str]) -> None:
    (ep,) = [n for n in wheel_names if n.startswith("entry_points:")]
    assert "[xdsl.universe]" in ep and "vexa.universe:VEXA_UNIVERSE" in ep
    for script in ("vexa-opt", "vexa-translate", "vexa-run"):
        assert script in ep
