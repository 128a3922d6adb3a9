#!/usr/bin/env python3
"""Run ONNX's backend conformance suite against vexa and count the outcomes.

    python scripts/conformance_count.py [-j 2] [-k PATTERN] [--engine interp|tile|sim]
                                        [--list-failed] [--list-skipped]

Runs the same cases as tests/test_onnx_backend_conformance.py (in-process,
with unittest; `-j N` forks N workers) and prints:

    passed: N
    skipped: N
       n  [category or exclusion reason]
    known wrong (excluded, counted): N
    failed: N   (wrong answers and errors: each one is a bug)

`--engine tile` runs every suite at the tile level (tests/test_tile_conformance.py's
backend: convert-nn-to-tile, tile-plan-memory, tile interpreter); `--engine sim` runs the
same harness through the whole compiler and the fast simulator. Exit status 1 if any case failed (or fewer than --min-passed passed). The figure in BENCHMARKS.md comes from here.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
import unittest
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

_EXCLUDE_RE = re.compile(r'^matched exclude pattern "(.*)"$')
_UNSUPPORTED_RE = re.compile(r"^vexa unsupported \[(.*?)\]: ")


def _cases(engine: str) -> dict[str, type[unittest.TestCase]]:
    """The generated test classes running on `engine`."""
    if engine in ("tile", "sim"):
        import test_tile_conformance

        test_tile_conformance.ENGINE = engine  # "sim": the whole pipeline on the simulator
        return test_tile_conformance.build_test_cases(all_suites=True)
    import test_onnx_backend_conformance as conformance

    return conformance._CASES


def _load_tests(pattern: str | None, engine: str = "interp") -> list[unittest.TestCase]:
    tests: list[unittest.TestCase] = []
    for case in _cases(engine).values():
        for test in unittest.defaultTestLoader.loadTestsFromTestCase(case):
            if pattern is None or re.search(pattern, test.id()):
                tests.append(test)
    return tests


def _run(tests: list[unittest.TestCase]) -> list[tuple[str, str, str]]:
    """(test name, outcome, detail) for each test; outcome pass/skip/fail."""
    import warnings

    out = []
    for test in tests:
        result = unittest.TestResult()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            test.run(result)
        name = ".".join(test.id().rsplit(".", 2)[-2:])  # Class.test_name
        if result.skipped:
            out.append((name, "skip", result.skipped[0][1]))
        elif result.failures or result.errors:
            tb = (result.failures or result.errors)[0][1].strip().splitlines()
            out.append((name, "fail", tb[-1] if tb else "?"))
        else:
            out.append((name, "pass", ""))
    return out


def _shard(args: tuple[int, int, str | None, str]) -> list[tuple[str, str, str]]:
    index, jobs, pattern, engine = args
    tests = _load_tests(pattern, engine)
    return _run(tests[index::jobs])


def skip_reason(detail: str) -> str:
    """Group key of a skip: the Unsupported category or the exclusion's reason."""
    import conformance_exclusions

    m = _UNSUPPORTED_RE.match(detail)
    if m:
        return m.group(1)
    m = _EXCLUDE_RE.match(detail)
    if m:
        for pattern, reason in conformance_exclusions.all_patterns():
            if pattern == m.group(1):
                return f"excluded: {reason}"
    return detail


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-j", "--jobs", type=int, default=1)
    parser.add_argument("-k", dest="pattern", default=None, help="regex on the test name")
    parser.add_argument("--engine", choices=("interp", "tile", "sim"), default="interp")
    parser.add_argument("--list-failed", action="store_true")
    parser.add_argument("--list-skipped", action="store_true")
    parser.add_argument(
        "--min-passed",
        type=int,
        default=0,
        help="exit 1 if fewer cases pass (the project's floor is 500)",
    )
    args = parser.parse_args(argv)

    start = time.time()
    if args.jobs > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(args.jobs) as pool:
            shards = pool.map(
                _shard, [(i, args.jobs, args.pattern, args.engine) for i in range(args.jobs)]
            )
            results = [r for shard in shards for r in shard]
    else:
        results = _run(_load_tests(args.pattern, args.engine))
    elapsed = time.time() - start

    passed = [r for r in results if r[1] == "pass"]
    skipped = [r for r in results if r[1] == "skip"]
    failed = [r for r in results if r[1] == "fail"]
    by_reason = Counter(skip_reason(d) for _, _, d in skipped)
    known_wrong = sum(n for reason, n in by_reason.items() if "KNOWN WRONG" in reason)

    print(
        f"ONNX backend conformance (vexa, engine {args.engine}, {len(results)} cases, "
        f"{elapsed:.0f} s, {os.cpu_count()} cpus)"
    )
    print(f"passed: {len(passed)}")
    suites = sorted({name.split(".")[0] for name, _, _ in results})
    for suite in suites:
        counts = Counter(o for name, o, _ in results if name.startswith(suite + "."))
        label = suite.removeprefix("OnnxBackend").removesuffix("Test")
        print(
            f"  {label:24s} passed {counts['pass']:5d}  skipped {counts['skip']:4d}  "
            f"failed {counts['fail']:3d}"
        )
    print(f"skipped: {len(skipped)}")
    for reason, n in sorted(by_reason.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {n:5d}  {reason}")
    groups: Counter[str] = Counter()
    for reason, n in by_reason.items():
        if reason.startswith(("op ", "domain ")):
            groups["op or domain not supported"] += n
        elif reason.startswith("dtype "):
            groups["data type not supported"] += n
        elif reason.startswith("non-tensor"):
            groups["sequence/optional/map values"] += n
        elif "training" in reason or "does not produce it" in reason:
            groups["training-only feature (training_mode, used mask/stats outputs)"] += n
        elif reason.startswith("excluded: "):
            groups["reviewed exclusion list"] += n
        else:
            groups["other declared limit"] += n
    print("skipped, grouped:")
    for reason, n in groups.most_common():
        print(f"  {n:5d}  {reason}")
    print(f"known wrong (excluded, counted): {known_wrong}")
    print(f"failed: {len(failed)}")
    if args.list_failed:
        for name, _, detail in sorted(failed):
            print(f"  FAIL {name}: {detail[:300]}")
    if args.list_skipped:
        for name, _, detail in sorted(skipped):
            print(f"  SKIP {name}: {skip_reason(detail)}")
    if len(passed) < args.min_passed:
        print(f"error: expected at least {args.min_passed} passed, got {len(passed)}")
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
