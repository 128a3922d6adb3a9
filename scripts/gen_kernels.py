#!/usr/bin/env python3
"""Write the hand-scheduled roofline kernels of vexa.runtime.kernels as vx assembly.

    python scripts/gen_kernels.py --target vx128 gemm -o examples/gemm_vx128.s
    python scripts/gen_kernels.py --target vx64 gemm -o examples/gemm_vx64.s
    python scripts/gen_kernels.py --target vx128 vadd -o examples/vadd_vx128.s
    python scripts/gen_kernels.py --target my.toml gemm --size 64x128x32   # M x N x K

`gemm` defaults to 256x256x256, or the largest power-of-two cube whose operands fit the
target's VTCM (128 on vx64); `vadd` defaults to n = 1048576. The committed examples/*.s are
byte-for-byte what this script writes. Run them with `vexa-run FILE --random-inputs`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from vexa.runtime.kernels import default_gemm_sizes, gemm_asm, vadd_asm
from vexa.runtime.target import load_target
from vexa.tools.errors import VexaError, run_cli


def _parse_size(text: str) -> tuple[int, int, int]:
    parts = text.lower().split("x")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise VexaError(f"--size: expected MxNxK (e.g. 256x256x256), got '{text}'")
    m, n, k = (int(p) for p in parts)
    return m, n, k


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gen_kernels", description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", default="vx128", help="target name or .toml path")
    parser.add_argument("kernel", choices=("gemm", "vadd"))
    parser.add_argument("--size", help="gemm: MxNxK")
    parser.add_argument("-n", type=int, default=1 << 20, help="vadd: element count")
    parser.add_argument("-o", "--output", help="output file (default: stdout)")
    args = parser.parse_args(argv)

    def body() -> int:
        target = load_target(args.target)
        if args.kernel == "gemm":
            M, N, K = _parse_size(args.size) if args.size else default_gemm_sizes(target)
            text = gemm_asm(target, M, N, K)
        else:
            text = vadd_asm(target, args.n)
        if args.output:
            Path(args.output).write_text(text)
        else:
            sys.stdout.write(text)
        return 0

    return run_cli("gen_kernels", body)


if __name__ == "__main__":
    sys.exit(main())
