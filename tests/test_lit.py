"""Runs the whole lit/FileCheck suite (tests/filecheck) as one pytest test per lit test."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

LIT_ROOT = Path(__file__).parent / "filecheck"


def _discover() -> list[str]:
    return sorted(
        str(p.relative_to(LIT_ROOT))
        for p in LIT_ROOT.rglob("*")
        if p.suffix in (".mlir", ".s", ".test") and not {"inputs", "Output"} & set(p.relative_to(LIT_ROOT).parts)
    )


@pytest.fixture(scope="session")
def lit_results() -> dict[str, tuple[str, str]]:
    """Run lit once over the whole suite; map test path -> (result code, output)."""
    import json
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "lit.json"
        env = dict(os.environ)
        env["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), env.get("PATH", "")])
        # `lit` has no __main__: run the console script installed beside this Python.
        lit = shutil.which("lit", path=env["PATH"])
        assert lit is not None, "lit is not installed (pip install '.[test]')"
        proc = subprocess.run(
            [lit, "-q", "-j", "2", "--output", str(out), str(LIT_ROOT)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert out.exists(), f"lit produced no results:\n{proc.stdout}\n{proc.stderr}"
        data = json.loads(out.read_text())
    results = {}
    for t in data["tests"]:
        name = t["name"].split(" :: ", 1)[-1]
        results[name] = (t["code"], t.get("output", ""))
    return results


@pytest.mark.xdist_group("lit")
@pytest.mark.parametrize("test", _discover())
def test_lit(test: str, lit_results: dict[str, tuple[str, str]]) -> None:
    assert test in lit_results, f"lit did not run {test} (see `lit -v tests/filecheck`)"
    code, output = lit_results[test]
    if code == "UNSUPPORTED":
        pytest.skip("unsupported in lit")
    assert code in ("PASS", "XFAIL"), f"{test}: {code}\n{output}"
