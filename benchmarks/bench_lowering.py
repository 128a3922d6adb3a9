"""L2 figures: time to lower each light ONNX network to tile IR, and the planned DRAM
activation peak against its lower bound (max over time of the live bytes).

    python benchmarks/bench_lowering.py [--target vx128] [--check] [names...]

--check also runs the tile interpreter in the planned arenas against the nn interpreter,
on the seeded random-weight variant of each network (scripts/make_light_variants.py: the
shipped constant weights make every channel equal, which hides bugs); slow for the big ones.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
import onnx
from xdsl.context import Context
from xdsl.dialects import get_all_dialects as xdsl_dialects
from xdsl.passes import PassPipeline

from vexa.dialects import tile
from vexa.lowering.import_onnx import import_onnx
from vexa.passes.tile_plan_memory import plan_report
from vexa.universe import get_all_dialects, get_all_passes

LIGHT = os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data", "light")
NAMES = [
    "bvlc_alexnet",
    "densenet121",
    "inception_v1",
    "inception_v2",
    "resnet50",
    "shufflenet",
    "squeezenet",
    "vgg19",
    "zfnet512",
]


def _variants():  # noqa: ANN202 - a script module
    import importlib.util

    here = os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "scripts", "make_light_variants.py"
    )
    spec = importlib.util.spec_from_file_location("make_light_variants", here)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def nn_lower_bound(module: object) -> int:
    """Max over time of the bytes of the live nn tensors (graph inputs and op results, no
    constants; every result its own tensor): the bound of the graph before lowering."""
    from vexa.runtime.nn_interpreter import _find_main  # noqa: PLC0415

    fn = _find_main(module)  # type: ignore[arg-type]
    ops = list(fn.body.block.ops)
    pos = {op: i for i, op in enumerate(ops)}
    end = len(ops)

    def nbytes(v: object) -> int:
        t = v.type  # type: ignore[attr-defined]
        return 4 * int(np.prod(t.get_shape(), dtype=np.int64))

    live: list[tuple[int, int, int]] = []
    values = list(fn.body.block.args) + [
        r for op in ops if op.name != "nn.constant" for r in op.results
    ]
    for v in values:
        start = 0 if v.owner is fn.body.block else pos[v.owner]
        last = max((pos[u.operation] for u in v.uses), default=start)
        if any(u.operation.name == "func.return" for u in v.uses):
            last = end
        live.append((start, last, nbytes(v)))
    return max(sum(b for s0, e0, b in live if s0 <= t <= e0) for t in range(end + 1))


def context() -> Context:
    ctx = Context()
    for name, factory in (*xdsl_dialects().items(), *get_all_dialects().items()):
        if name not in ctx.registered_dialect_names:
            ctx.register_dialect(name, factory)
    return ctx


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", default=NAMES)
    ap.add_argument("--target", default="vx128")
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args(argv)
    print(f"target {args.target}")
    print(
        f"{'network':14} {'import s':>8} {'lower s':>8} {'cpu s':>6} {'kernels':>7} {'peak MiB':>9} {'bound MiB':>9} {'ratio':>6} {'nn bound':>9} {'ratio':>6} {'vtcm KiB':>8}"
    )
    for name in args.names:
        path = os.path.join(LIGHT, f"light_{name}.onnx")
        if args.check:
            path = str(_variants().variant_path(name, seed=0))
        t0 = time.perf_counter()
        module = import_onnx(path)
        t1 = time.perf_counter()
        x = None
        want = None
        nn_bound = nn_lower_bound(module)
        if args.check:
            from vexa.runtime import nn_interpreter

            fn = nn_interpreter._find_main(module)  # noqa: SLF001
            x = (
                np.random.default_rng(0)
                .standard_normal(fn.body.block.args[0].type.get_shape())
                .astype(np.float32)
            )
            want = nn_interpreter.interpret(module, [x])
        t2 = time.perf_counter()
        c2 = time.process_time()
        spec = f'convert-nn-to-tile{{target="{args.target}"}},tile-plan-memory'
        PassPipeline.parse_spec(get_all_passes(), spec).apply(context(), module)
        t3 = time.perf_counter()
        c3 = time.process_time()
        r = plan_report(module)
        kernels = sum(1 for op in module.walk() if isinstance(op, tile.KernelOp))
        mib = 1 << 20
        print(
            f"{name:14} {t1 - t0:8.2f} {t3 - t2:8.2f} {c3 - c2:6.2f} {kernels:7d} {r['activation_bytes'] / mib:9.2f} "
            f"{r['activation_lower_bound'] / mib:9.2f} {r['activation_bytes'] / r['activation_lower_bound']:6.3f} "
            f"{nn_bound / mib:9.2f} {r['activation_bytes'] / nn_bound:6.3f} "
            f"{r['vtcm_bytes'] / 1024:8.0f}",
            flush=True,
        )
        if args.check:
            from vexa.runtime import tile_interpreter

            got = tile_interpreter.interpret(module, [x])
            err = max(
                float(np.abs(g - w).max() / max(1.0, np.abs(w).max()))
                for g, w in zip(got, want, strict=True)
            )
            print(
                f"{'':14} max error vs nn interpreter, relative to the largest output: {err:.2e}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
