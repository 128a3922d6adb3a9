#!/usr/bin/env python3
"""Measure the accuracy of the vx-expand-math expansions on the fast simulator.

    python scripts/measure_math_ulp.py              # every 2^12-th f32 pattern (~1M points)
    python scripts/measure_math_ulp.py --step 16    # coarser (64k points), quick
    python scripts/measure_math_ulp.py --only exp,log

For each pseudo-op, a program `y[i] = f(x[i])` (one pseudo-op in a hardware loop, expanded
by vx-expand-math, registers assigned by a small linear scan below, emitted with
`emit_assembly`, assembled and run by `run_program`) is fed every `2^step`-th f32 bit
pattern — both signs, subnormals, infinities, NaNs — plus the special values, and compared
with numpy in float64. Error = |got - exact| / ulp(exact), ulp of the f32 binade of the
exact value (2^-149 for subnormals); NaN must match NaN and an infinite result must be
exact. `vx.div.f32` gets (x, a shuffled x) pairs.

The allocator here is a test harness, not vx-allocate-registers: straight-line code and
hardware loops whose carried values are scalars, no spilling (it fails if registers run out).
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable

import numpy as np
from vexa.dialects import vx
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, TensorType, f32
from xdsl.ir import Block, Operation, SSAValue

LANES = 32  # vx128: 32 f32 lanes per vector

_erf = np.frompyfunc(math.erf, 1, 1)

# pseudo-op class, float64 reference
FUNCTIONS: dict[str, tuple[type[Operation], Callable[..., np.ndarray]]] = {
    "exp": (vx.ExpF32Op, np.exp),
    "log": (vx.LogF32Op, np.log),
    "tanh": (vx.TanhF32Op, np.tanh),
    "sigmoid": (vx.SigmoidF32Op, lambda x: 1.0 / (1.0 + np.exp(-x))),
    "erf": (vx.ErfF32Op, lambda x: _erf(x).astype(np.float64)),
    "recip": (vx.RecipF32Op, lambda x: 1.0 / x),
    "sqrt": (vx.SqrtF32Op, np.sqrt),
    "rsqrt": (vx.RsqrtF32Op, lambda x: 1.0 / np.sqrt(x)),
    "sin": (vx.SinF32Op, np.sin),
    "cos": (vx.CosF32Op, np.cos),
    "tan": (vx.TanF32Op, np.tan),
    "asin": (vx.AsinF32Op, np.arcsin),
    "acos": (vx.AcosF32Op, np.arccos),
    "atan": (vx.AtanF32Op, np.arctan),
    "sinh": (vx.SinhF32Op, np.sinh),
    "cosh": (vx.CoshF32Op, np.cosh),
    "asinh": (vx.AsinhF32Op, np.arcsinh),
    "acosh": (vx.AcoshF32Op, np.arccosh),
    "atanh": (vx.AtanhF32Op, np.arctanh),
    "div": (vx.DivF32Op, lambda a, b: a / b),
    "pow": (vx.PowF32Op, np.power),
}

# the ulp figure covers |x| <= bound only (the trigonometric range reduction is exact
# up to its last rounding there); beyond, `measure` reports the max absolute error
BOUNDS: dict[str, float] = {"sin": 8192.0, "cos": 8192.0, "tan": 8192.0}

SPECIALS = np.array(
    [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 0.5, 2.0, 1e-45, -1e-45, 1.1754944e-38,
     -1.1754944e-38, 3.4028235e38, -3.4028235e38, 88.72283, 88.72284, -87.33654, -103.97208,
     -104.0, 89.0, 0.625, -0.625, 1.0000001, 0.99999994, 4.0, 3.92, 10.0, 9.01, 0.35, 1e-8],
    dtype=np.float32,
)


def sample(step: int) -> np.ndarray:
    """Every 2^step-th f32 bit pattern plus SPECIALS, padded to whole vectors."""
    bits = np.arange(0, 2**32, 2**step, dtype=np.uint64).astype(np.uint32)
    x = np.concatenate([bits.view(np.float32), SPECIALS])
    pad = (-len(x)) % LANES
    return np.concatenate([x, np.ones(pad, dtype=np.float32)])


# region Program construction and a harness register allocator


def build_module(op_class: type[Operation], n: int, hoist_limit: int = 12) -> ModuleOp:
    """`Y[i] = f(X[i])` (and `B` for div) for n f32 values, expanded by vx-expand-math."""
    from vexa.passes.vx_expand_math import VxExpandMathPass

    binary = op_class in (vx.DivF32Op, vx.PowF32Op)
    names = ["X", "B", "Y"] if binary else ["X", "Y"]
    reg = vx.ScalarRegisterType.unallocated()
    tensor = TensorType(f32, [n])
    data = [vx.DataOp(name, "dram", n * 4) for name in names]
    ios = [vx.IoOp("output" if name == "Y" else "input", name, tensor) for name in names]
    pointers = [vx.LiOp(symbol=name) for name in names]
    body = Block(arg_types=[reg] * len(names))
    args = body.args
    loads = [vx.VldOp(p, 0) for p in args[:-1]]
    math_op = op_class(*(ld.vd for ld in loads))
    store = vx.VstOp(math_op.results[0], args[-1], 0)
    bumps = [vx.AddiOp(p, LANES * 4) for p in args]
    body.add_ops([*loads, math_op, store, *bumps, vx.YieldOp(*(b.rd for b in bumps))])
    loop = vx.LoopOp(n // LANES, [p.rd for p in pointers], body)
    func = vx.FuncOp("main", [*pointers, loop, vx.HaltOp()])
    module = ModuleOp([*data, *ios, func])
    module.verify()
    VxExpandMathPass(hoist_limit=hoist_limit).apply(Context(), module)
    module.verify()
    return module


def _set_type(value: SSAValue, new_type: vx.VxRegisterType) -> None:
    value._type = new_type  # pyright: ignore[reportAttributeAccessIssue]  # harness only


def allocate(module: ModuleOp, vregs: int = 32, qregs: int = 4) -> None:
    """Linear-scan registers for the harness programs (see the module docstring)."""
    func = next(op for op in module.walk() if isinstance(op, vx.FuncOp))
    order: dict[Operation, int] = {}
    loop_end: dict[vx.LoopOp, int] = {}

    def number(block: Block) -> None:
        for op in block.ops:
            order[op] = len(order)
            if isinstance(op, vx.LoopOp):
                number(op.body.block)
                loop_end[op] = len(order)
                order[object()] = len(order)  # pyright: ignore[reportArgumentType]

    number(func.body.block)

    def last_use(value: SSAValue, defined_at: int) -> int:
        end = defined_at
        for use in value.uses:
            at = order[use.operation]
            # a use inside a loop the value is defined outside of: live for the whole loop
            owner = use.operation.parent_op()
            while owner is not None and owner is not func:
                if isinstance(owner, vx.LoopOp) and not owner.is_ancestor(
                        value.owner if isinstance(value.owner, Operation) else func):
                    at = max(at, loop_end[owner])
                owner = owner.parent_op()
            end = max(end, at)
        return end

    scalars = 1
    for op in func.walk():  # scalars (pointers only): one register per carried group
        if isinstance(op, vx.LoopOp):
            for init, arg, res, yielded in zip(op.iter_args, op.body.block.args, op.res,
                                               op.body.block.last_op.operands):
                register = vx.ScalarRegisterType.register(scalars)
                scalars += 1
                for value in (init, arg, res, yielded):
                    _set_type(value, register)
    intervals: list[tuple[int, int, SSAValue]] = []
    for op, at in order.items():
        if not isinstance(op, Operation):
            continue
        for value in op.results:
            if isinstance(value.type, vx.VectorRegisterType | vx.PredicateRegisterType):
                intervals.append((at, last_use(value, at), value))
    free = {vx.VectorRegisterType: list(range(vregs - 1, -1, -1)),
            vx.PredicateRegisterType: list(range(qregs - 1, -1, -1))}
    active: list[tuple[int, int, type[vx.VxRegisterType]]] = []
    for start, end, value in sorted(intervals, key=lambda t: t[0]):
        for item in [a for a in active if a[0] < start]:
            active.remove(item)
            free[item[2]].append(item[1])
        kind = type(value.type)
        if not free[kind]:
            raise RuntimeError(f"harness allocator: out of {kind.name} registers")
        index = free[kind].pop()
        _set_type(value, kind.register(index))  # pyright: ignore[reportArgumentType]
        active.append((end, index, kind))


def run_function(name: str, x: np.ndarray, b: np.ndarray | None = None, *,
                 engine: str = "fast", hoist_limit: int = 12) -> np.ndarray:
    """f(x) (or x / b) as computed by the expanded program on the simulator."""
    from vexa.runtime.assembler import assemble
    from vexa.runtime.machine import run_program

    op_class = FUNCTIONS[name][0]
    module = build_module(op_class, len(x), hoist_limit)
    allocate(module)
    module.verify()
    asm = vx.emit_assembly(module, "vx128")
    inputs = {"X": x} if b is None else {"X": x, "B": b}
    outs, _ = run_program(assemble(asm, "vx128"), "vx128", inputs, engine=engine,
                          timing=False)
    return outs["Y"]


# endregion

# region Error measurement


def ulp_errors(got: np.ndarray, exact: np.ndarray) -> np.ndarray:
    """|got - exact| in ulps of exact's f32 binade; NaN/inf mismatches are inf."""
    got64 = got.astype(np.float64)
    with np.errstate(all="ignore"):
        exact32 = exact.astype(np.float32)
        _, e = np.frexp(exact)
        ulp = np.ldexp(1.0, np.maximum(e - 1, -126) - 23)
        err = np.abs(got64 - exact) / ulp
    nan_ref, nan_got = np.isnan(exact), np.isnan(got64)
    err = np.where(nan_ref | nan_got, np.where(nan_ref & nan_got, 0.0, np.inf), err)
    inf_ref = np.isinf(exact32)
    same_inf = inf_ref & (got64 == exact32.astype(np.float64))
    err = np.where(same_inf, 0.0, err)
    err = np.where(np.isinf(got64) & ~inf_ref, np.inf, err)
    return err


def measure(name: str, step: int, engine: str = "fast") -> tuple[float, str]:
    """(max ulp error, description of the worst input) of one function."""
    x = sample(step)
    reference = FUNCTIONS[name][1]
    if name == "div":
        rng = np.random.default_rng(0)
        b = x[rng.permutation(len(x))]
        got = run_function(name, x, b, engine=engine)
        with np.errstate(all="ignore"):
            exact = reference(x.astype(np.float64), b.astype(np.float64))
        err = ulp_errors(got, exact)
        i = int(np.argmax(err))
        return float(err[i]), f"{x[i]!r} / {b[i]!r}: got {got[i]!r}, exact {exact[i]!r}"
    if name == "pow":
        return measure_pow(step, engine)[0]
    got = run_function(name, x, engine=engine)
    with np.errstate(all="ignore"):
        exact = np.asarray(reference(x.astype(np.float64)), dtype=np.float64)
    err = ulp_errors(got, exact)
    bound = BOUNDS.get(name)
    if bound is not None:  # ulps inside the bound (inf and NaN included), see BOUNDS
        err = np.where(np.isfinite(x) & (np.abs(x) > bound), 0.0, err)
    i = int(np.argmax(err))
    return float(err[i]), f"x = {x[i]!r}: got {got[i]!r}, exact {exact[i]!r}"


def pow_inputs(step: int) -> tuple[np.ndarray, np.ndarray]:
    """Bases: every 2^step-th f32 pattern; exponents: random in [-16, 16], every fourth
    an integer (so negative bases get real results)."""
    x = sample(step)
    rng = np.random.default_rng(0)
    y = rng.uniform(-16.0, 16.0, len(x)).astype(np.float32)
    y[::4] = np.round(y[::4])
    return x, y


def measure_pow(step: int, engine: str = "fast") -> tuple[tuple[float, str], float]:
    """((max ulp error, worst input), max ulp error where |y·ln|a|| <= 1) of pow."""
    x, y = pow_inputs(step)
    got = run_function("pow", x, y, engine=engine)
    with np.errstate(all="ignore"):
        exact = np.power(x.astype(np.float64), y.astype(np.float64))
        mag = np.abs(y * np.log(np.abs(x.astype(np.float64))))
    err = ulp_errors(got, exact)
    i = int(np.argmax(err))
    small = float(np.max(np.where(mag <= 1.0, err, 0.0)))
    return (float(err[i]), f"{x[i]!r} ** {y[i]!r}: got {got[i]!r}, exact {exact[i]!r}, "
                           f"|y ln a| = {mag[i]:.3g}"), small


def near_multiples_of_half_pi(bound: float, neighbours: int = 3) -> np.ndarray:
    """The hardest arguments of sin/cos/tan up to `bound`: the f32 values nearest to each
    k·π/2 and their `neighbours` on both sides (the reduced argument is tiny there, so any
    bit the reduction loses shows; a 2^step sample of all patterns hits few of them)."""
    k = np.arange(1, int(bound / (np.pi / 2)) + 1)
    out = []
    for direction in (np.float32(np.inf), np.float32(0.0)):
        x = (k * (np.pi / 2)).astype(np.float32)
        out.append(x)
        for _ in range(neighbours):
            x = np.nextafter(x, direction)
            out.append(x)
    x = np.unique(np.concatenate(out))
    x = x[(x > 0) & (x <= bound)]
    return np.concatenate([x, np.ones((-len(x)) % LANES, dtype=np.float32)])


def measure_near_multiples(name: str, bound: float) -> tuple[float, str]:
    """(max ulp error, worst input) of sin/cos/tan on `near_multiples_of_half_pi`."""
    x = near_multiples_of_half_pi(bound)
    got = run_function(name, x)
    exact = FUNCTIONS[name][1](x.astype(np.float64))
    err = ulp_errors(got, exact)
    i = int(np.argmax(err))
    return float(err[i]), f"x = {x[i]!r}: got {got[i]!r}, exact {exact[i]!r}"


def beyond_bound(name: str, step: int, limit: float) -> float:
    """Max absolute error of `name` for bound < |x| < limit (see BOUNDS)."""
    x = sample(step)
    got = run_function(name, x).astype(np.float64)
    with np.errstate(all="ignore"):
        exact = np.asarray(FUNCTIONS[name][1](x.astype(np.float64)), dtype=np.float64)
        keep = (np.abs(x) > BOUNDS[name]) & (np.abs(x) < limit)
        return float(np.max(np.abs(got - exact)[keep]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--step", type=int, default=12, help="sample every 2^step-th pattern")
    parser.add_argument("--only", default="", help="comma-separated function names")
    parser.add_argument("--engine", default="fast", choices=("fast", "reference"))
    args = parser.parse_args(argv)
    names = args.only.split(",") if args.only else list(FUNCTIONS)
    print(f"{len(sample(args.step))} inputs per function (every 2^{args.step}-th f32 "
          "pattern + specials), fast simulator vs numpy float64")
    for name in names:
        worst, where = measure(name, args.step, args.engine)
        print(f"{name:8s} max {worst:7.3f} ulp   worst at {where}")
        if name in BOUNDS:
            hard, where = measure_near_multiples(name, BOUNDS[name])
            print(f"{'':8s} near multiples of pi/2 up to {BOUNDS[name]:g}: max {hard:.3f} ulp "
                  f"at {where}")
            limit = 2.0**22 * math.pi / 2
            print(f"{'':8s} (|x| <= {BOUNDS[name]:g}; for |x| < {limit:.4g}: max absolute "
                  f"error {beyond_bound(name, args.step, limit):.3g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
