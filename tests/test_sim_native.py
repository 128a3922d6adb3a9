"""The fast simulator's C loop (runtime/sim_native.py) changes nothing but speed.

The seeded random programs of test_sim_differential (all ISA features, three machines,
trapping ones, timing on and off) run three ways: numba alone (`native=False`), the C
loop's generic body, and the C loop with a handler for every packet shape (as large
programs get them). Registers, memories, trap, cycles and every statistic must agree bit
for bit. A compiled model runs both ways too, and the switches that turn the C loop off.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from vexa.runtime import sim_fast, sim_native
from vexa.runtime.assembler import assemble
from vexa.runtime.machine import make_memory

from test_sim_differential import case, compare

pytestmark = pytest.mark.skipif(sim_native.compiler() is None, reason="no C compiler")

N = 600


def _run(prog, target, timing, native, max_instructions=20_000):  # noqa: ANN001, ANN202
    dram, vtcm = make_memory(prog, target)
    raw = sim_fast.simulate(prog, target, dram, vtcm, timing, max_instructions, native=native)
    return raw, dram, vtcm


def common_shapes(cases, n: int = 64) -> tuple[tuple[str, ...], ...]:  # noqa: ANN001
    """The n most common packet shapes of the programs of (text, target, ...) cases."""
    union: Counter[tuple[str, ...]] = Counter()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sim_native, "AUTO_MIN_PACKETS", 0)
        mp.setattr(sim_native, "MAX_SHAPES", 10**6)
        for text, target, *_ in cases:
            union.update(sim_native.plan(assemble(text, target), target)[0])
    return tuple(sh for sh, _ in union.most_common(n))


@pytest.mark.parametrize("part", range(3))
def test_native_matches_numba(part: int, tmp_path_factory: pytest.TempPathFactory,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    tmp = tmp_path_factory.getbasetemp()
    cases = [case(seed, tmp) for seed in range(50_000 + part * N, 50_000 + (part + 1) * N)]
    # one library with a handler for each of the 64 most common shapes of these programs
    # (one compile; a packet of another shape runs the generic body)
    shapes = common_shapes(cases)
    shaped = 0
    for seed, (text, target, timing) in enumerate(cases, 50_000 + part * N):
        base = _run(assemble(text, target), target, timing, native=False)
        # the generic body alone (small programs get no shape handlers)
        compare(seed, text, [base, _run(assemble(text, target), target, timing, True)])
        # a handler for every shape
        with monkeypatch.context() as mp:
            mp.setattr(sim_native, "SHAPES", shapes)
            prog = assemble(text, target)
            shaped += int((sim_native.load(prog, target)[1] >= 2).sum())
            compare(seed, text, [base, _run(prog, target, timing, True)])
    assert shaped > N  # the handlers did run packets


def test_shape_plan(tmp_path_factory: pytest.TempPathFactory,
                    monkeypatch: pytest.MonkeyPatch) -> None:
    """nat: 0 for packets left to numba (DMA, halt), 1 generic, 2+k the k-th shape."""
    text, target, _ = case(3, tmp_path_factory.getbasetemp())
    prog = assemble(text, target)
    shapes, nat = sim_native.plan(prog, target)
    assert shapes == () and set(np.unique(nat)) <= {0, 1}
    monkeypatch.setattr(sim_native, "AUTO_MIN_PACKETS", 0)
    monkeypatch.setattr(sim_native, "MAX_SHAPES", 2)
    shapes, nat = sim_native.plan(prog, target)
    assert len(shapes) == 2 and set(np.unique(nat)) <= {0, 1, 2, 3}
    ins, pk, _, _ = sim_fast.decode(prog, target)
    names = {v: k for k, v in sim_native.OPC.items()}
    for p in np.flatnonzero(nat >= 2):
        ops = tuple(names[o] for o in ins[pk[p, 0]:pk[p, 1], sim_fast.K_OP])
        assert ops == shapes[nat[p] - 2]
    slow = {"halt", "dma", "dmacfg", "dma2", "dmawait"}
    for p in np.flatnonzero(nat == 0):
        ops = {names[o] for o in ins[pk[p, 0]:pk[p, 1], sim_fast.K_OP]}
        assert ops & slow or pk[p, sim_fast.PK_FAST] == 0


def test_model_native_matches_numba() -> None:
    """A compiled CNN (DMA, pipelined loops, convs, pooling): same outputs, same report."""
    import vexa

    exe = vexa.compile(str(Path(__file__).parent.parent / "examples" / "tiny_cnn.onnx"))
    outs = {}
    for native in ("0", "1"):
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("VEXA_SIM_NATIVE", native)
            mp.setattr(sim_native, "AUTO_MIN_PACKETS", 0)
            outs[native] = (exe.run(_inputs(exe)), exe.stats.to_dict())
    (o0, s0), (o1, s1) = outs["0"], outs["1"]
    for a, b in zip(o0, o1, strict=True):
        assert np.array_equal(a, b)
    assert s0 == s1 and s0["cycles"] > 0


def _inputs(exe):  # noqa: ANN001, ANN202
    from vexa.tools.run_asm import _random

    rng = np.random.default_rng(0)
    return [_random(rng, s.shape, np.dtype(np.float32)) for s in exe.program.inputs()]


def test_switches(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    text, target, timing = case(5, tmp_path_factory.getbasetemp())
    prog = assemble(text, target)
    assert sim_native.wanted(prog)
    monkeypatch.setenv("VEXA_SIM_NATIVE", "0")
    assert not sim_native.wanted(prog)
    monkeypatch.delenv("VEXA_SIM_NATIVE")
    monkeypatch.setenv("CC", "/nonexistent/cc")
    assert sim_native.compiler() is None and not sim_native.wanted(prog)
    # without a compiler the simulator still runs (numba alone)
    raw, _, _ = _run(prog, target, timing, None)
    base, _, _ = _run(prog, target, timing, False)
    assert np.array_equal(raw.counters, base.counters)
