"""vx-expand-math: accuracy of every expansion on the simulator against numpy in float64,
the special values, and the contract of the pseudo-instructions.

The full measurement (16.7M inputs per function) is scripts/measure_math_ulp.py --step 8;
here a coarser sample (every 2^15-th f32 bit pattern, both signs, subnormals, inf, NaN,
plus the special values) must stay within the bound each expansion's docstring states.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest
from vexa.dialects import vx
from vexa.passes import vx_expand_math as vem
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.utils.exceptions import VerifyException

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("measure_math_ulp",
                                               ROOT / "scripts" / "measure_math_ulp.py")
assert _spec is not None and _spec.loader is not None
measure = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(measure)

EXPANSIONS = {
    "exp": vem._exp, "log": vem._log, "tanh": vem._tanh, "sigmoid": vem._sigmoid,
    "erf": vem._erf, "recip": vem._recip, "sqrt": vem._sqrt, "rsqrt": vem._rsqrt,
    "div": vem._div, "sin": vem._sin, "cos": vem._cos, "tan": vem._tan, "asin": vem._asin,
    "acos": vem._acos, "atan": vem._atan, "sinh": vem._sinh, "cosh": vem._cosh,
    "asinh": vem._asinh, "acosh": vem._acosh, "atanh": vem._atanh, "pow": vem._pow,
}
BINARY = ("div", "pow")


def documented_bound(name: str) -> float:
    """The 'max error X ulp' an expansion's docstring states."""
    doc = EXPANSIONS[name].__doc__ or ""
    found = re.search(r"max error ([0-9.]+) ulp", doc)
    assert found, f"{name}: docstring must state 'max error X ulp'"
    return float(found.group(1))


@pytest.mark.parametrize("name", list(measure.FUNCTIONS))
def test_accuracy_within_documented_bound(name: str) -> None:
    if name == "pow":  # the figure for |y·ln|a|| <= 1 (see test_pow_error_growth)
        (_, where), worst = measure.measure_pow(step=15)
        assert worst <= documented_bound(name), f"pow: {worst:.3f} ulp"
        return
    worst, where = measure.measure(name, step=15)
    assert worst <= documented_bound(name), f"{name}: {worst:.3f} ulp at {where}"


SPECIAL_CASES = [
    ("exp", [-np.inf, np.inf, np.nan, -0.0, 89.0, -104.0, 88.8, -103.0],
     [0.0, np.inf, np.nan, 1.0, np.inf, 0.0, np.inf, 1e-45]),
    ("log", [0.0, -0.0, -1.0, np.inf, -np.inf, np.nan, 1.0, -1e-45],
     [-np.inf, -np.inf, np.nan, np.inf, np.nan, np.nan, 0.0, np.nan]),
    ("tanh", [-0.0, 0.0, np.inf, -np.inf, np.nan, 20.0, 1e-30],
     [-0.0, 0.0, 1.0, -1.0, np.nan, 1.0, 1e-30]),
    ("sigmoid", [np.inf, -np.inf, np.nan, 0.0, 100.0, -200.0],
     [1.0, 0.0, np.nan, 0.5, 1.0, 0.0]),
    ("erf", [-0.0, 0.0, np.inf, -np.inf, np.nan, 5.0, -5.0],
     [-0.0, 0.0, 1.0, -1.0, np.nan, 1.0, -1.0]),
    ("recip", [0.0, -0.0, np.inf, -np.inf, np.nan, 2.0, 1e-40, 1e38],
     [np.inf, -np.inf, 0.0, -0.0, np.nan, 0.5, np.inf, 1e-38]),
    ("sqrt", [0.0, -0.0, np.inf, -1.0, np.nan, 4.0, -np.inf],
     [0.0, -0.0, np.inf, np.nan, np.nan, 2.0, np.nan]),
    ("rsqrt", [0.0, -0.0, np.inf, -1.0, np.nan, 4.0],
     [np.inf, -np.inf, 0.0, np.nan, np.nan, 0.5]),
    ("sin", [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-30, -1e-30],
     [0.0, -0.0, np.nan, np.nan, np.nan, 1e-30, -1e-30]),
    ("cos", [0.0, -0.0, np.inf, -np.inf, np.nan], [1.0, 1.0, np.nan, np.nan, np.nan]),
    ("tan", [0.0, -0.0, np.inf, np.nan, 1e-30], [0.0, -0.0, np.nan, np.nan, 1e-30]),
    ("asin", [0.0, -0.0, 1.0, -1.0, 1.0000001, -2.0, np.inf, np.nan],
     [0.0, -0.0, np.pi / 2, -np.pi / 2, np.nan, np.nan, np.nan, np.nan]),
    ("acos", [1.0, -1.0, 0.0, 1.0000001, -np.inf, np.nan],
     [0.0, np.pi, np.pi / 2, np.nan, np.nan, np.nan]),
    ("atan", [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-30, 1.0],
     [0.0, -0.0, np.pi / 2, -np.pi / 2, np.nan, 1e-30, np.pi / 4]),
    ("sinh", [0.0, -0.0, np.inf, -np.inf, np.nan, 89.0, 90.0, -90.0],
     [0.0, -0.0, np.inf, -np.inf, np.nan, np.sinh(89.0), np.inf, -np.inf]),
    ("cosh", [0.0, -0.0, np.inf, -np.inf, np.nan, 89.0, 90.0],
     [1.0, 1.0, np.inf, np.inf, np.nan, np.cosh(89.0), np.inf]),
    ("asinh", [0.0, -0.0, np.inf, -np.inf, np.nan, 3e38, -3e38],
     [0.0, -0.0, np.inf, -np.inf, np.nan, np.arcsinh(3e38), np.arcsinh(-3e38)]),
    ("acosh", [1.0, 0.99999994, 0.0, -1.0, np.inf, -np.inf, np.nan, 3e38],
     [0.0, np.nan, np.nan, np.nan, np.inf, np.nan, np.nan, np.arccosh(3e38)]),
    ("atanh", [0.0, -0.0, 1.0, -1.0, 1.0000001, -2.0, np.inf, np.nan],
     [0.0, -0.0, np.inf, -np.inf, np.nan, np.nan, np.nan, np.nan]),
]


@pytest.mark.parametrize("name,x,expected", SPECIAL_CASES, ids=[c[0] for c in SPECIAL_CASES])
def test_special_values_exact(name: str, x: list[float], expected: list[float]) -> None:
    xs = np.zeros(measure.LANES, dtype=np.float32)
    xs[:len(x)] = x
    got = measure.run_function(name, xs)[:len(x)]
    want = np.array(expected, dtype=np.float32)
    # bit-exact, so that signed zeros and infinities are checked too (NaN: any NaN)
    nan = np.isnan(want)
    assert np.array_equal(np.isnan(got), nan), (got, want)
    assert np.array_equal(got[~nan].view(np.int32), want[~nan].view(np.int32)), (got, want)


def test_div_special_values() -> None:
    a = np.zeros(measure.LANES, dtype=np.float32)
    b = np.ones(measure.LANES, dtype=np.float32)
    pairs = [(1.0, 0.0, np.inf), (-1.0, 0.0, -np.inf), (0.0, 0.0, np.nan),
             (np.inf, np.inf, np.nan), (1.0, np.inf, 0.0), (1e-40, 1e-40, 1.0),
             (3e38, 0.5, np.inf), (6.0, 3.0, 2.0), (1e-30, 3e38, 0.0)]
    for i, (x, y, _) in enumerate(pairs):
        a[i], b[i] = x, y
    got = measure.run_function("div", a, b)
    for i, (x, y, want) in enumerate(pairs):
        if np.isnan(want):
            assert np.isnan(got[i]), (x, y, got[i])
        else:
            assert got[i] == np.float32(want), (x, y, got[i])


@pytest.mark.parametrize("name", ["sin", "cos", "tan"])
def test_trig_near_multiples_of_half_pi(name: str) -> None:
    """The hardest arguments (tiny reduced argument, all 16k of them up to the bound) stay
    within the documented bound: the reduction loses no bit there."""
    worst, where = measure.measure_near_multiples(name, measure.BOUNDS[name])
    assert worst <= documented_bound(name), f"{name}: {worst:.3f} ulp at {where}"


def test_pow_special_values() -> None:
    nan, inf = np.nan, np.inf
    cases = [(-2.0, 3.0, -8.0), (-2.0, 2.0, 4.0), (-2.0, 0.5, nan), (-2.0, -1.0, -0.5),
             (-0.0, 3.0, -0.0), (-0.0, -3.0, -inf), (-0.0, 0.5, 0.0), (0.0, -2.0, inf),
             (nan, 0.0, 1.0), (1.0, nan, 1.0), (-1.0, inf, 1.0), (-1.0, -inf, 1.0),
             (-inf, 3.0, -inf), (-inf, -1.5, 0.0), (-inf, 2.0, inf), (0.5, inf, 0.0),
             (2.0, -inf, 0.0), (-3.0, 2.0**30, inf), (2.0, 0.5, np.sqrt(2.0)),
             (nan, 1.0, nan), (2.0, nan, nan), (10.0, 38.0, 1e38), (10.0, 39.0, inf)]
    a = np.ones(measure.LANES, dtype=np.float32)
    y = np.ones(measure.LANES, dtype=np.float32)
    for i, (p, q, _) in enumerate(cases):
        a[i], y[i] = p, q
    got = measure.run_function("pow", a, y)
    for i, (p, q, want) in enumerate(cases):
        w = np.float32(want)
        if np.isnan(w):
            assert np.isnan(got[i]), (p, q, got[i])
        elif w == 0 or np.isinf(w):
            assert got[i].view(np.int32) == w.view(np.int32), (p, q, got[i])
        else:
            ulps = 2.0 + 1.9 * np.nan_to_num(abs(q * np.log(abs(p))))  # documented growth
            assert abs(got[i] - w) <= ulps * abs(np.spacing(w)), (p, q, got[i], w)


def test_pow_error_growth() -> None:
    """The docstring's general bound 2 + 1.9·|y·ln|a|| ulp, on every input of the sample."""
    x, y = measure.pow_inputs(15)
    got = measure.run_function("pow", x, y)
    with np.errstate(all="ignore"):
        exact = np.power(x.astype(np.float64), y.astype(np.float64))
        mag = np.abs(y * np.log(np.abs(x.astype(np.float64))))
    err = measure.ulp_errors(got, exact)
    mag = np.where(np.isfinite(mag), mag, 0.0)
    assert np.all(err <= 2.0 + 1.9 * mag), float(np.max(err - 1.9 * mag))


@pytest.mark.parametrize("name", list(measure.FUNCTIONS))
def test_fast_and_reference_simulators_agree(name: str) -> None:
    x = measure.sample(26)  # 64 patterns + specials
    b = None if name not in BINARY else x[::-1].copy()
    fast = measure.run_function(name, x, b, engine="fast")
    ref = measure.run_function(name, x, b, engine="reference")
    assert np.array_equal(fast.view(np.int32), ref.view(np.int32))


def _module_with(op: vx.VxPseudoInstruction | None = None) -> tuple[ModuleOp, vx.VsplatiOp]:
    x = vx.VsplatiOp.f32(1.0)
    ops = [x] if op is None else [x, op]
    return ModuleOp([vx.FuncOp("main", [*ops, vx.HaltOp()])]), x


@pytest.mark.parametrize("op_class", vx.PSEUDO_INSTRUCTIONS, ids=lambda c: c.name)
def test_expansion_leaves_no_pseudo_op_and_copies_location(op_class: type) -> None:
    from xdsl.dialects.builtin import NameLoc, NoneAttr, StringAttr

    x = vx.VsplatiOp.f32(1.0)
    op = op_class(x, x) if op_class in (vx.DivF32Op, vx.PowF32Op) else op_class(x)
    op.location = NameLoc(StringAttr("node7"), NoneAttr())
    user = vx.VabsF32Op(op.results[0])
    module = ModuleOp([vx.FuncOp("main", [x, op, user, vx.HaltOp()])])
    module.verify()
    vem.VxExpandMathPass().apply(Context(), module)
    module.verify()
    body = list(module.walk())
    assert not any(isinstance(o, vx.VxPseudoInstruction) for o in body)
    new = [o for o in body if isinstance(o, vx.VxInstruction) and o not in (x, user)
           and not isinstance(o, vx.HaltOp)]
    assert len(new) > 5
    assert all(vx.location_tag(o) == "node7" for o in new)
    assert user.va.owner in new  # the result feeds the old user


def test_emit_assembly_rejects_pseudo_ops() -> None:
    module, x = _module_with()
    op = vx.ExpF32Op(x)
    module.body.block.first_op.body.block.insert_op_after(op, x)  # pyright: ignore
    with pytest.raises(vx.EmitError, match="vx.exp.f32 is a pseudo-instruction: run "
                                           "vx-expand-math first"):
        vx.emit_assembly(module)


def test_pseudo_op_rejects_allocated_registers() -> None:
    x = vx.VsplatiOp.f32(1.0, vd=vx.VectorRegisterType.register(1))
    op = vx.LogF32Op(x)
    with pytest.raises(VerifyException, match="expected virtual registers"):
        op.verify()


def test_hoisted_constants_respect_the_limit() -> None:
    module = measure.build_module(vx.ExpF32Op, 64, hoist_limit=5)
    func = next(o for o in module.walk() if isinstance(o, vx.FuncOp))
    loop = next(o for o in func.body.block.ops if isinstance(o, vx.LoopOp))
    before = [o for o in func.body.block.ops if isinstance(o, vx.VsplatiOp)]
    inside = [o for o in loop.body.block.ops if isinstance(o, vx.VsplatiOp)]
    assert len(before) == 5
    assert len(inside) == 14 - 5


@pytest.mark.parametrize("name", list(measure.FUNCTIONS))
def test_through_the_real_allocator_and_scheduler(name: str) -> None:
    """The expansion inside a hardware loop, allocated by vx-allocate-registers and
    bundled by vx-schedule, computes the same bits as with the harness allocator."""
    from vexa.passes.vx_allocate_registers import VxAllocateRegistersPass
    from vexa.passes.vx_schedule import VxSchedulePass
    from vexa.runtime.assembler import assemble
    from vexa.runtime.machine import run_program

    x = measure.sample(22)
    b = x[::-1].copy() if name in BINARY else None
    module = measure.build_module(measure.FUNCTIONS[name][0], len(x))
    VxAllocateRegistersPass().apply(Context(), module)
    VxSchedulePass().apply(Context(), module)
    module.verify()
    inputs = {"X": x} if b is None else {"X": x, "B": b}
    outs, _ = run_program(assemble(vx.emit_assembly(module), "vx128"), "vx128", inputs)
    want = measure.run_function(name, x, b)
    assert np.array_equal(outs["Y"].view(np.int32), want.view(np.int32))


def test_every_pseudo_instruction_has_an_expansion() -> None:
    assert {*vem._UNARY, vx.DivF32Op, vx.PowF32Op} == set(vx.PSEUDO_INSTRUCTIONS)
