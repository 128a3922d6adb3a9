"""The CLIs' user-error contract: one clear message, exit code exactly 1, no traceback.

Most cases call `main(argv)` in-process (fast, and `run_cli` is what turns exceptions into
exit codes); one subprocess per tool checks the installed console scripts end to end.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

from vexa.tools import run_model, vexa_opt, vexa_translate

INPUTS = os.path.join(os.path.dirname(__file__), "filecheck", "inputs")


def _in(name: str) -> str:
    return os.path.join(INPUTS, name)


def run_main(
    main: Callable[[Sequence[str]], int], argv: Sequence[str], capsys: Any
) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as e:
        code = int(e.code) if e.code is not None else 0
    out = capsys.readouterr()
    return code, out.out, out.err


BAD_TRANSLATE = [
    (["--import-onnx", _in("bad_truncated.onnx")], "not a valid ONNX model"),
    (["--import-onnx", _in("bad_not_onnx.onnx")], "not a valid ONNX model"),
    (["--import-onnx", _in("no_such.onnx")], "no_such.onnx: no such file"),
    (
        ["--import-onnx", _in("bad_unsupported.onnx")],
        "unsupported ops: GatherND (2), Einsum (1), Det (1)",
    ),
    (
        ["--import-onnx", _in("bad_dangling.onnx")],
        "dangling tensor name: node 'add_ghost' (Add) reads 'ghost'",
    ),
    (["--import-onnx", _in("bad_dynamic.onnx")], "input 'x' dim 0 is dynamic ('batch')"),
    (["--import-onnx", _in("bad_optional_output.onnx")], "output #1 ('mask') is used"),
    (
        ["--import-onnx", _in("bad_dynamic_shape_input.onnx")],
        "input 'shape' ('shape') must be a constant",
    ),
    (
        ["--import-onnx", _in("bad_dynamic.onnx"), "--input-shape", "x:2"],
        "expected NAME=DIMxDIM...",
    ),
    ([], "one of the arguments --import-onnx --emit-asm is required"),
]


@pytest.mark.parametrize("argv, message", BAD_TRANSLATE)
def test_vexa_translate_bad_input(argv: list[str], message: str, capsys: Any) -> None:
    code, out, err = run_main(vexa_translate.main, argv, capsys)
    assert code == 1
    assert out == ""
    first = err.splitlines()[0]
    assert first.startswith("vexa-translate: error: ")
    assert message in first
    assert "Traceback" not in err


BAD_OPT = [
    ([_in("bad_malformed.mlir")], "bad_malformed.mlir:5:1: values used but not defined: [%y]"),
    ([_in("bad_syntax.mlir")], "bad_syntax.mlir:2:16: operand expected"),
    ([_in("bad_syntax.mlir"), "-p", "no-such-pass"], "unknown pass 'no-such-pass'"),
    (
        [_in("bad_syntax.mlir"), "-p", "canonicalize{bogus=1}"],
        "pass 'canonicalize': unknown option 'bogus'",
    ),
    ([_in("bad_syntax.mlir"), "-p", "canonicalize{"], "malformed pass pipeline"),
    ([_in("no_such.mlir")], "no_such.mlir: no such file"),
]


@pytest.mark.parametrize("argv, message", BAD_OPT)
def test_vexa_opt_bad_input(argv: list[str], message: str, capsys: Any) -> None:
    code, out, err = run_main(vexa_opt.main, argv, capsys)
    assert code == 1
    first = err.splitlines()[0]
    assert first.startswith("vexa-opt: error: ")
    assert message in first
    assert "Traceback" not in err


def test_vexa_opt_weights(tmp_path: Any, capsys: Any) -> None:
    ir = tmp_path / "m.mlir"
    assert (
        run_main(vexa_translate.main, ["--import-onnx", _in("gemm.onnx"), "-o", str(ir)], capsys)[0]
        == 0
    )
    code, _, err = run_main(vexa_opt.main, [str(ir), "--weights", "none.npz"], capsys)
    assert code == 1 and err.startswith("vexa-opt: error: --weights none.npz: no such file")
    code, _, _ = run_main(vexa_opt.main, [str(ir), "-o", str(tmp_path / "o.mlir")], capsys)
    assert code == 0
    assert sorted(np.load(tmp_path / "o.npz").files) == ["fc1_b", "fc1_w", "fc2_w"]


def test_vexa_opt_parse_error_shows_the_line(capsys: Any) -> None:
    code, _, err = run_main(vexa_opt.main, [_in("bad_syntax.mlir")], capsys)
    lines = err.splitlines()
    assert code == 1 and len(lines) == 3
    assert lines[1].strip() == "%0 = nn.relu 3 : tensor<2xf32>"
    assert lines[2].strip() == "^"
    assert lines[2].index("^") == lines[1].index("3")


def test_translate_then_opt_round_trip(tmp_path: Any, capsys: Any) -> None:
    out_mlir = tmp_path / "m.mlir"
    code, _, _ = run_main(
        vexa_translate.main,
        ["--import-onnx", _in("conv_bn_relu.onnx"), "-o", str(out_mlir)],
        capsys,
    )
    assert code == 0
    assert (tmp_path / "m.npz").is_file()
    code, printed, _ = run_main(vexa_opt.main, [str(out_mlir)], capsys)
    assert code == 0
    assert printed == out_mlir.read_text()


def test_vexa_run_model_and_ir(tmp_path: Any, capsys: Any) -> None:
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 4)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    out_dir = tmp_path / "out"
    code, printed, err = run_main(
        run_model.main,
        [_in("gemm.onnx"), "--input", f"x={tmp_path / 'x.npy'}", "--output-dir", str(out_dir)],
        capsys,
    )
    assert code == 0, err
    assert printed.startswith("y: tensor<2x10xf32> [")
    y = np.load(out_dir / "y.npy")
    ort = pytest.importorskip("onnxruntime")
    (ref,) = ort.InferenceSession(_in("gemm.onnx")).run(None, {"x": x})
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-5)

    mlir = tmp_path / "g.mlir"
    assert (
        run_main(vexa_translate.main, ["--import-onnx", _in("gemm.onnx"), "-o", str(mlir)], capsys)[
            0
        ]
        == 0
    )
    out2 = tmp_path / "out2"
    code, _, err = run_main(
        run_model.main,
        [str(mlir), "--input", f"x={tmp_path / 'x.npy'}", "--output-dir", str(out2)],
        capsys,
    )
    assert code == 0, err
    np.testing.assert_array_equal(np.load(out2 / "y.npy"), y)


def test_vexa_run_random_inputs_are_seeded(capsys: Any) -> None:
    runs = [
        run_main(
            run_model.main, [_in("conv_bn_relu.onnx"), "--random-inputs", "--seed", s], capsys
        )[1]
        for s in ("1", "1", "2")
    ]
    assert runs[0] == runs[1] != runs[2]


@pytest.mark.parametrize(
    "argv, message",
    [
        ([_in("gemm.onnx")], "missing input 'x': give --input x=FILE.npy or --random-inputs"),
        (
            [_in("gemm.onnx"), "--input", "y=a.npy"],
            "--input y: unknown input, expected one of ['x']",
        ),
        ([_in("bad_dynamic.onnx"), "--random-inputs"], "input 'x' dim 0 is dynamic"),
        ([_in("bad_malformed.mlir"), "--random-inputs"], "values used but not defined"),
        ([_in("gemm.onnx"), "--backend", "nope"], "argument --backend: invalid choice: 'nope'"),
    ],
)
def test_vexa_run_bad_input(argv: list[str], message: str, capsys: Any) -> None:
    code, _, err = run_main(run_model.main, argv, capsys)
    assert code == 1
    assert message in err.splitlines()[0]
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "tool, args",
    [
        ("vexa-translate", ["--import-onnx", _in("bad_unsupported.onnx")]),
        ("vexa-opt", [_in("bad_syntax.mlir"), "-p", "canonicalize{"]),
        ("vexa-run", [_in("bad_truncated.onnx"), "--random-inputs"]),
    ],
)
def test_console_scripts_exit_1(tool: str, args: list[str]) -> None:
    exe = shutil.which(tool, path=os.path.dirname(sys.executable)) or shutil.which(tool)
    if exe is None:
        pytest.skip(f"{tool} is not installed")
    proc = subprocess.run([exe, *args], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"{tool}: error: ")
    assert "Traceback" not in proc.stderr


def test_reparsing_keeps_resource_handles(tmp_path: Any, capsys: Any) -> None:
    # xDSL's builtin dialect remembers parsed handles process-wide and renames repeats
    # (w -> w_0); vexa forgets them before each parse so the resource table still matches
    ir = tmp_path / "g.mlir"
    assert (
        run_main(vexa_translate.main, ["--import-onnx", _in("gemm.onnx"), "-o", str(ir)], capsys)[0]
        == 0
    )
    for _ in range(2):
        module, table = run_model.load_ir(str(ir))
        handles = {
            op.properties["value"].resource_handle.data
            for op in module.walk()
            if op.name == "nn.constant"
        }
        assert handles == {"fc1_w", "fc1_b", "fc2_w"} == set(table)
