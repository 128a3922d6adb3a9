"""The hand-scheduled roofline kernels (vexa.runtime.kernels) against numpy, on both targets.

The GEMM sums each element in the order k = 0..K-1 from +0.0 with `f32(c + f32(a*b))`, so
`_gemm_in_kernel_order` reproduces it bit for bit; vadd is one rounding per element, so it
equals numpy's `A + B` exactly. Roofline checks run mid-sized problems on the fast engine
(the full 256³ figure is in benchmarks/bench_kernels.py and BENCHMARKS.md).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from vexa.runtime.assembler import assemble
from vexa.runtime.kernels import (
    KernelError,
    default_gemm_sizes,
    gemm_asm,
    gemm_block,
    vadd_asm,
    vadd_plan,
)
from vexa.runtime.machine import run_program
from vexa.runtime.target import load_target

ROOT = Path(__file__).resolve().parent.parent


def _run(text: str, target: str, inputs: dict[str, np.ndarray], engine: str = "fast"):
    t = load_target(target)
    return run_program(assemble(text, t), t, inputs, engine=engine, timing=True)


def _gemm_inputs(M: int, N: int, K: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "A": rng.standard_normal((M, K), dtype=np.float32),
        "B": rng.standard_normal((K, N), dtype=np.float32),
    }


def _gemm_in_kernel_order(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    C = np.zeros((A.shape[0], B.shape[1]), np.float32)
    for k in range(A.shape[1]):
        C = C + A[:, k : k + 1] * B[k : k + 1, :]  # f32 product, then f32 sum: two roundings
    return C


@pytest.mark.parametrize(
    ("target", "M", "N", "K"),
    [("vx128", 32, 64, 16), ("vx128", 48, 96, 41), ("vx64", 32, 64, 16), ("vx64", 24, 48, 9)],
)
def test_gemm_matches_numpy(target: str, M: int, N: int, K: int) -> None:
    x = _gemm_inputs(M, N, K)
    out, _ = _run(gemm_asm(target, M, N, K), target, x)
    np.testing.assert_array_equal(out["C"], _gemm_in_kernel_order(x["A"], x["B"]))
    np.testing.assert_allclose(out["C"], x["A"] @ x["B"], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("target", ["vx128", "vx64"])
def test_gemm_engines_agree(target: str) -> None:
    # Tiny on purpose: the reference simulator is pure Python.
    lanes = load_target(target).lanes("f32")
    M, N, K = 4, 2 * lanes, 3
    x = _gemm_inputs(M, N, K, seed=1)
    text = gemm_asm(target, M, N, K)
    fast, fast_stats = _run(text, target, x, "fast")
    ref, ref_stats = _run(text, target, x, "reference")
    np.testing.assert_array_equal(fast["C"], ref["C"])
    np.testing.assert_array_equal(ref["C"], _gemm_in_kernel_order(x["A"], x["B"]))
    assert fast_stats.cycles == ref_stats.cycles


@pytest.mark.parametrize(
    ("target", "size", "floor"), [("vx128", (128, 128, 128), 0.95), ("vx64", (64, 64, 128), 0.95)]
)
def test_gemm_reaches_compute_roof(target: str, size: tuple[int, int, int], floor: float) -> None:
    t = load_target(target)
    M, N, K = size
    x = _gemm_inputs(M, N, K)
    _, stats = _run(gemm_asm(t, M, N, K), target, x)
    roof = M * N * K / (stats.cycles * t.peak_f32_macs_per_cycle)
    assert roof >= floor, f"{100 * roof:.1f}% of the f32 roof"


def test_gemm_code_does_not_grow_with_sizes() -> None:
    small = gemm_asm("vx128", 64, 128, 64)
    large = gemm_asm("vx128", 256, 256, 256)
    small_blk, large_blk = gemm_block("vx128", 64, 128, 64), gemm_block("vx128", 256, 256, 256)
    assert (small_blk.mr, small_blk.nr) == (large_blk.mr, large_blk.nr)
    assert len(small.splitlines()) == len(large.splitlines())


def test_gemm_block_fits_the_register_file() -> None:
    for name in ("vx128", "vx64"):
        t = load_target(name)
        blk = gemm_block(t, *default_gemm_sizes(t))
        assert blk.vregs_used <= t.vregs
        assert blk.estimated_efficiency >= 0.95


@pytest.mark.parametrize(("target", "n"), [("vx128", 4096), ("vx64", 2048), ("vx128", 64)])
def test_vadd_matches_numpy(target: str, n: int) -> None:
    rng = np.random.default_rng(2)
    x = {
        "A": rng.standard_normal(n, dtype=np.float32),
        "B": rng.standard_normal(n, dtype=np.float32),
    }
    out, _ = _run(vadd_asm(target, n), target, x)
    np.testing.assert_array_equal(out["C"], x["A"] + x["B"])


@pytest.mark.parametrize("target", ["vx128", "vx64"])
def test_vadd_engines_agree(target: str) -> None:
    n = 4 * load_target(target).lanes("f32")
    rng = np.random.default_rng(3)
    x = {
        "A": rng.standard_normal(n, dtype=np.float32),
        "B": rng.standard_normal(n, dtype=np.float32),
    }
    text = vadd_asm(target, n)
    fast, fast_stats = _run(text, target, x, "fast")
    ref, ref_stats = _run(text, target, x, "reference")
    np.testing.assert_array_equal(ref["C"], x["A"] + x["B"])
    np.testing.assert_array_equal(fast["C"], ref["C"])
    assert fast_stats.cycles == ref_stats.cycles


@pytest.mark.parametrize("target", ["vx128", "vx64"])
def test_vadd_reaches_dram_roof(target: str) -> None:
    t = load_target(target)
    n = 1 << 16
    rng = np.random.default_rng(4)
    x = {
        "A": rng.standard_normal(n, dtype=np.float32),
        "B": rng.standard_normal(n, dtype=np.float32),
    }
    _, stats = _run(vadd_asm(t, n), target, x)
    roof = vadd_plan(t, n).dram_bytes / (stats.cycles * t.dram_bytes_per_cycle)
    assert roof >= 0.9, f"{100 * roof:.1f}% of the DRAM roof"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: gemm_asm("vx128", 32, 48, 16), "expected N a multiple of 32 f32 lanes"),
        (lambda: gemm_asm("vx64", 256, 256, 256), "need 786432 bytes of VTCM"),
        (lambda: gemm_asm("vx128", 0, 32, 1), "expected positive GEMM sizes"),
        (lambda: vadd_asm("vx128", 100), "expected n a positive multiple of 64"),
    ],
)
def test_kernel_errors(call, message: str) -> None:
    with pytest.raises(KernelError, match=message):
        call()


@pytest.mark.parametrize(
    ("path", "target", "kernel"),
    [
        ("examples/gemm_vx128.s", "vx128", "gemm"),
        ("examples/gemm_vx64.s", "vx64", "gemm"),
        ("examples/vadd_vx128.s", "vx128", "vadd"),
    ],
)
def test_examples_are_fresh(path: str, target: str, kernel: str) -> None:
    t = load_target(target)
    text = gemm_asm(t, *default_gemm_sizes(t)) if kernel == "gemm" else vadd_asm(t)
    assert (ROOT / path).read_text() == text, "rerun scripts/gen_kernels.py (see docs/kernels.md)"


def test_gen_kernels_cli_error() -> None:
    res = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts/gen_kernels.py"),
            "--target",
            "vx128",
            "gemm",
            "--size",
            "3x4",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 1
    assert res.stderr.strip() == (
        "gen_kernels: error: --size: expected MxNxK (e.g. 256x256x256), got '3x4'"
    )


def _synthetic_target(tmp_path: Path, name: str, **changes: str) -> str:
    """vx128's TOML with some `key = value` lines or inline entries replaced."""
    text = (ROOT / "runtime/targets/vx128.toml").read_text().replace('"vx128"', f'"{name}"')
    for old, new in changes.items():
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(
    ("name", "changes"),
    [
        # 256-byte vectors (symbols must stay 256-aligned), 6 slots, 3 multipliers of latency 3
        (
            "wide",
            {
                "vlen_bytes = 128": "vlen_bytes = 256",
                "slots = 4": "slots = 6",
                "mpy = 2, alu": "mpy = 3, alu",
                "vmpy = 2,": "vmpy = 3,",
            },
        ),
        # 16-byte vectors, 8 registers, one slot: every load needs its own packet
        (
            "tiny",
            {
                "vlen_bytes = 128": "vlen_bytes = 16",
                "vregs = 32": "vregs = 8",
                "slots = 4": "slots = 1",
            },
        ),
        # slow scalar and multiply units, 3 slots: a k loop of 8 steps whose loads follow the
        # pointer bumps and whose last packet is empty (the epilogue once dropped a step)
        (
            "slow",
            {
                "salu = 1,": "salu = 2,",
                "vmpy = 2,": "vmpy = 5,",
                "slots = 4": "slots = 3",
                "load = 2": "load = 3",
            },
        ),
    ],
)
def test_kernels_follow_the_target(tmp_path: Path, name: str, changes: dict[str, str]) -> None:
    path = _synthetic_target(tmp_path, name, **changes)
    t = load_target(path)
    lanes = t.lanes("f32")
    for M, N, K in ((12, 4 * lanes, 7), (24, 2 * lanes, 5), (24, 2 * lanes, 21)):
        x = _gemm_inputs(M, N, K, seed=5)
        out, _ = _run(gemm_asm(t, M, N, K), path, x)
        np.testing.assert_array_equal(out["C"], _gemm_in_kernel_order(x["A"], x["B"]))
    n = 6 * lanes
    rng = np.random.default_rng(6)
    v = {
        "A": rng.standard_normal(n, dtype=np.float32),
        "B": rng.standard_normal(n, dtype=np.float32),
    }
    out, _ = _run(vadd_asm(t, n), path, v)
    np.testing.assert_array_equal(out["C"], v["A"] + v["B"])
