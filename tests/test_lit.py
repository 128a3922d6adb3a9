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
def lit_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, str]]:
    """Run lit once over the whole suite; map test path -> (result code, output).

    The tests share the xdist group "lit", so one worker runs them all. Should the
    scheduler split the group anyway (pytest-xdist 3.8's loadgroup does under pytest 9,
    which renamed Node._nodeid), a file lock in the run's shared temp folder still lets
    only one worker run lit: two lit runs at once write the same Output/ files and fail
    each other's tests.
    """
    import fcntl
    import json

    if "PYTEST_XDIST_WORKER" not in os.environ:
        return _run_lit()
    shared = tmp_path_factory.getbasetemp().parent  # this run's folder, shared by workers
    cached = shared / "lit_results.json"
    with open(shared / "lit_results.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not cached.exists():
            cached.write_text(json.dumps(_run_lit()))
        return {k: tuple(v) for k, v in json.loads(cached.read_text()).items()}


def _run_lit() -> dict[str, tuple[str, str]]:
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
