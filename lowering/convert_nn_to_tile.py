"""convert-nn-to-tile: nn tensors -> tile kernels over planned buffers (L1 -> L2).

    vexa-opt m.mlir -p 'convert-nn-to-tile{target=vx64 tile-co=16}'

Input invariant: one `func.func` per function of static-shape nn ops (docs/nn_ops.md):
f32 ones with `element-types=f32` (the default: what convert-tile-to-vx lowers), any of
f16/bf16/f32/f64, i1 and [u]i8..64 with `element-types=all` (the tile interpreter's level).
Output IR: no tensors. Function arguments are DRAM buffers: the graph inputs, then one
buffer per graph output (destination-passing style: `{tile.output = "name"}`); weights
are `tile.constant`; every intermediate value is a `tile.alloc` in DRAM; reshape-like ops
are `tile.view`s (no copy); every compute op became one `tile.kernel`:

    tile.kernel {                                 // VTCM buffers live only inside
      prefetch tile 0 of every input (DMA DRAM -> VTCM slot 0)
      tile.for %t = 0 to T step 1 iter_args(tokens) {   // flattened tile grid
        scf.if t+1 < T { prefetch tile t+1 into slot (t+1)%2 }   // double buffering
        wait tile t; compute on slot t%2 (tile.conv / tile.matmul / ...)
        epilogue tile.map (bias, batch norm, residual add, relu fused)
        DMA the result tile to DRAM; wait the previous tile's write-back
      }
    }

Lowered: conv (grouped, depthwise, dilated; 1-D as 2-D on N,C,1,L views; 3-D as 2-D convs
over the depth taps), conv_transpose (rewritten as zero-stuffing pads and a conv), mat_mul,
gemm, max/average/Lp/global pooling (1-D to 3-D), softmax and log_softmax on any axis,
layer and instance normalization, lrn, the reductions in REDUCTIONS (tile.reduce
add/max/mul around maps; over no elements: their identity), arg_max/arg_min and hardmax
(tile.reduce argmax; with element-types=f32, hardmax as max, compare and cum_sum:
`hardmax_without_argmax`), top_k (tile.top_k), gather/gather_elements (tile.gather),
cum_sum (a padded sum window), trilu and one_hot (maps against compile-time masks), resize (per-axis
row gathers by DMA and weighted taps), transpose, concat, split, tile, slice (stepped ones
and reflect/edge/wrap pads as row gathers), constant pad, and the elementwise ops in
ELEMENTWISE (relu, add, mul, sum, batch_normalization, the unary activations and
trigonometry, pow, p_relu, mean, expand, comparisons, where, cast, mod, bit and logic ops,
...). Reshape, flatten, squeeze and unsqueeze are views; an op with an empty result needs
no kernel. Buffers keep the tensors' element types; maps compute in the signless type,
16-bit floats elementwise in f32 with one rounding per op.

Tiling: each op kind names its tiled output dimensions and its reduction dimension (input
channels of a conv, K of a matmul); the flattened loop runs the reduction fastest, the
compute op accumulates, and the epilogue runs on the last reduction step. A cost model over
the Target (vector lanes, registers and multiply slots for compute efficiency, VTCM size as
the hard limit, DRAM bandwidth and DMA setup for transfer time, accumulator traffic) picks
the sizes and whether to double-buffer; options force them:

    target=vx128|vx64|file.toml  tile-m tile-n tile-k (matmul/gemm)  tile-co tile-ci tile-h
    (conv; tile-h also pooling and LRN rows)  tile-c (pooling channels)  double-buffer=true
    fuse=true  inplace-concat=true            (a tile size of 0 lets the cost model pick)

Inputs whose window never moves (weights of an untiled conv, per-channel vectors) load
once before the loop; the others are prefetched only at the steps where their window
changes (conv weights once per output-channel tile, not once per row tile). Padding: the VTCM tile is filled with the pad value and the DMA
copies only the part of the window inside the source.

Fusion: a conv, matmul, pooling, normalization or elementwise kernel absorbs the chain of
single-use elementwise ops that follows it (batch normalization after a conv becomes a
per-channel scale and shift in the conv's epilogue, computed once at compile time when its
parameters are constants; folded into the conv's weights and bias when those are
constants too). A bool (comparison, logic op) used once by an elementwise op of another
kernel is computed inside that kernel's map from its own inputs, read with broadcasting
(`inline_bool_groups`); bool constants that maps read are stored as f32 0/1 words, so f32
code keeps no i1 buffer. A concat whose slices are contiguous is done in place: the
kernels producing its inputs write straight into their slice (`tile.view` with an
`element_offset`). Ops this pass cannot lower are listed in one located error and the
module is left unchanged.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from xdsl.context import Context
from xdsl.dialects import arith, func, scf
from xdsl.dialects import math as mathd
from xdsl.dialects.builtin import (
    ArrayAttr,
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    DenseResourceAttr,
    BFloat16Type,
    DictionaryAttr,
    Float16Type,
    Float32Type,
    Float64Type,
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
    ModuleOp,
    Signedness,
    StringAttr,
    TensorType,
    f32,
    i1,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import DiagnosticException

from vexa.dialects import tile
from vexa.runtime.resources import ResourceTable, constant_array, module_resources

INDEX = IndexType()

# --------------------------------------------------------------------------- target


@dataclass(frozen=True)
class TargetParams:
    """What the cost model reads from the Target (runtime/target.py)."""

    name: str
    vlen_bytes: int
    vregs: int
    vtcm_bytes: int
    dram_bytes_per_cycle: int
    vtcm_bytes_per_cycle: int
    dma_setup_cycles: int
    mpy_per_cycle: int = 1  # vector multiply instructions per packet

    @property
    def lanes(self) -> int:
        return self.vlen_bytes // 4


_FALLBACK = {
    "vx128": TargetParams("vx128", 128, 32, 4 * 1024 * 1024, 32, 256, 50),
    "vx64": TargetParams("vx64", 64, 32, 256 * 1024, 16, 128, 50),
}


def _params_from_toml(path: str) -> TargetParams:
    import tomllib

    with open(path, "rb") as f:
        d = tomllib.load(f)
    vec, mem, dma = d.get("vector", {}), d.get("memory", {}), d.get("dma", {})
    return TargetParams(
        str(d.get("name", path)),
        int(vec.get("vlen_bytes", 128)),
        int(vec.get("vregs", 32)),
        int(mem.get("vtcm_bytes", 4 << 20)),
        int(mem.get("dram_bytes_per_cycle", 32)),
        int(mem.get("vtcm_bytes_per_cycle", 256)),
        int(dma.get("setup_cycles", 50)),
    )


def target_params(name: str) -> TargetParams:
    """Load a Target by name or TOML path; a bad name is a user error, not a traceback."""
    try:
        from vexa.runtime.target import load_target
    except ImportError:  # target.py not installed yet: the DESIGN.md defaults
        if name.endswith(".toml"):
            return _params_from_toml(name)
        if name not in _FALLBACK:
            raise DiagnosticException(f"convert-nn-to-tile: unknown target '{name}'") from None
        return _FALLBACK[name]

    try:
        t = load_target(name)
    except Exception as e:  # noqa: BLE001 - report any loader failure as one located line
        raise DiagnosticException(f"convert-nn-to-tile: cannot load target '{name}': {e}") from e
    return TargetParams(
        name=str(getattr(t, "name", name)),
        vlen_bytes=int(t.vlen_bytes),
        vregs=int(t.vregs),
        vtcm_bytes=int(t.vtcm_bytes),
        dram_bytes_per_cycle=int(t.dram_bytes_per_cycle),
        vtcm_bytes_per_cycle=int(getattr(t, "vtcm_bytes_per_cycle", 256)),
        dma_setup_cycles=int(getattr(t, "dma_setup_cycles", 50)),
        mpy_per_cycle=max(
            1,
            int(
                t.vmpy_per_packet()
                if callable(getattr(t, "vmpy_per_packet", None))
                else getattr(t, "vmpy_per_packet", 1)
            ),
        ),
    )


# --------------------------------------------------------------------------- helpers


def _prop(op: Operation, name: str) -> Attribute | None:
    # not `a or b`: IntegerAttr(0) is falsy, and axis = 0 must not read as "absent"
    a = op.properties.get(name)
    return a if a is not None else op.attributes.get(name)


def _ints(op: Operation, name: str, default: Sequence[int] = ()) -> list[int]:
    a = _prop(op, name)
    if isinstance(a, DenseArrayBase):
        return [int(v) for v in a.get_values()]
    if isinstance(a, ArrayAttr):
        return [int(v.value.data) for v in a.data]  # type: ignore[attr-defined]
    return list(default)


def _int(op: Operation, name: str, default: int = 0) -> int:
    a = _prop(op, name)
    return int(a.value.data) if isinstance(a, IntegerAttr) else default


def _float(op: Operation, name: str, default: float = 0.0) -> float:
    a = _prop(op, name)
    if isinstance(a, FloatAttr):
        return float(a.value.data)
    if isinstance(a, IntegerAttr):
        return float(a.value.data)
    return default


def _shape(v: SSAValue) -> tuple[int, ...]:
    t = v.type
    assert isinstance(t, TensorType | MemRefType)
    return tuple(t.get_shape())


def _et(v: SSAValue) -> Attribute:
    """Element type of a tensor or buffer value."""
    t = v.type
    assert isinstance(t, TensorType | MemRefType)
    return t.get_element_type()


def _is_float(et: Attribute) -> bool:
    return isinstance(et, Float16Type | BFloat16Type | Float32Type | Float64Type)


def _is_unsigned(et: Attribute) -> bool:
    return isinstance(et, IntegerType) and et.signedness.data == Signedness.UNSIGNED


def _is_bool(et: Attribute) -> bool:
    return isinstance(et, IntegerType) and et.width.data == 1


def _np_dtype(et: Attribute) -> np.dtype:
    from vexa.runtime.nn_interpreter import numpy_dtype

    return numpy_dtype(et)


def _lowest(et: Attribute) -> float:
    """The fill value below every element of a max window: f32's lowest finite value (as
    before), -inf for the other floats, the integer type's minimum (exact in an f32)."""
    if et == f32:
        return -3.4028234663852886e38
    if _is_float(et):
        return -math.inf
    return float(np.iinfo(_np_dtype(et)).min) if not _is_bool(et) else 0.0


def _loc_name(op: Operation) -> str:
    text = str(op.location)
    if text.startswith('loc("') and text.endswith('")'):
        return text[5:-2]
    return op.name.replace(".", "_")  # a name for buffers and resources: nn_resize


def _cdiv(a: int, b: int) -> int:
    return -(-a // b)


@dataclass(frozen=True)
class Ax:
    """An index expression: const + sum(coeff * (var // div)); var = ('o'|'r', dim)."""

    terms: tuple[tuple[str, int, int, int], ...] = ()
    const: int = 0


def _o(d: int, coeff: int = 1, const: int = 0, div: int = 1) -> Ax:
    return Ax((("o", d, coeff, div),), const)


ZERO = Ax()


@dataclass(eq=False)  # identity: two equal windows (add(x, x)) are still two inputs
class In:
    """One kernel input: a DRAM buffer whose window `sizes` at `offs` is copied to VTCM."""

    src: SSAValue
    sizes: tuple[int, ...]
    offs: list[Ax]
    pad: float | None = None  # fill value when the window may leave the buffer (padding)
    phase: str = "main"  # "main": read by the compute op; "epi": by the epilogue

    @cached_property
    def nbytes(self) -> int:
        """Bytes of the VTCM window (the cost model asks for it many times)."""
        return tile.element_bytes(_et(self.src)) * math.prod(self.sizes)


@dataclass
class Spec:
    """A kernel before emission: tile grid, inputs, VTCM temporaries, compute and epilogue."""

    out: SSAValue  # DRAM result buffer (possibly a view)
    out_tile: tuple[int, ...]
    red_extent: tuple[int, ...] = ()
    red_tile: tuple[int, ...] = ()
    ins: list[In] = field(default_factory=list)
    temps: list[tuple[int, ...]] = field(default_factory=list)
    compute: (
        Callable[[KernelBuilder, list[SSAValue], list[SSAValue], SSAValue, SSAValue | None], None]
        | None
    ) = None
    epilogue: Callable[[KernelBuilder, list[SSAValue], SSAValue], None] | None = None
    work: float = 0.0  # vector-lane operations of the whole kernel (cost model)
    temp_types: list[Attribute] | None = None  # element types of temps (default: out's)
    double_buffer: bool = True  # decided by choose()

    @cached_property
    def out_shape(self) -> tuple[int, ...]:
        return _shape(self.out)

    @cached_property
    def out_bytes(self) -> int:
        """Bytes of one output tile."""
        return tile.element_bytes(_et(self.out)) * math.prod(self.out_tile)

    @cached_property
    def out_grid(self) -> tuple[int, ...]:
        return tuple(_cdiv(s, t) for s, t in zip(self.out_shape, self.out_tile, strict=True))

    @cached_property
    def red_grid(self) -> tuple[int, ...]:
        return tuple(_cdiv(s, t) for s, t in zip(self.red_extent, self.red_tile, strict=True))

    @cached_property
    def steps(self) -> int:
        return math.prod(self.out_grid) * math.prod(self.red_grid)

    def period(self, inp: In) -> int:
        """Steps between changes of an input's window: the product of the grids of the
        fastest-varying loop dims it does not depend on (reduction dims vary fastest, then
        the output dims from the last). A window that stays put is not loaded again."""
        deps = {(k, d) for a in inp.offs for k, d, _, _ in a.terms}
        order = [("r", d) for d in reversed(range(len(self.red_grid))) if self.red_grid[d] > 1]
        order += [("o", d) for d in reversed(range(len(self.out_grid))) if self.out_grid[d] > 1]
        grids = {"r": self.red_grid, "o": self.out_grid}
        p = 1
        for k, d in order:
            if (k, d) in deps:
                break
            p *= grids[k][d]
        return p

    @cached_property
    def partition(self) -> tuple[list[In], list[In], list[In]]:
        """(per-step, once-per-output-tile, stationary) inputs, as emit_kernel loads them.

        An input is stationary when its window does not move: every index term refers to
        a dimension with a single tile."""
        n_red = math.prod(self.red_grid)
        grids = {"o": self.out_grid, "r": self.red_grid}

        def moves(i: In) -> bool:
            return any(grids[k][d] > 1 for a in i.offs for k, d, _, _ in a.terms)

        moving = [moves(i) for i in self.ins]
        fixed = [i for i, m in zip(self.ins, moving, strict=True) if not m]
        per_step = [
            i
            for i, m in zip(self.ins, moving, strict=True)
            if m and (i.phase == "main" or n_red == 1)
        ]
        late = [
            i
            for i, m in zip(self.ins, moving, strict=True)
            if m and i.phase != "main" and n_red > 1
        ]
        return per_step, late, fixed


# --------------------------------------------------------------------------- kernel IR


class KernelBuilder:
    """Emits the ops of one tile.kernel; every op gets the source location."""

    def __init__(self, loc: Attribute, params: TargetParams) -> None:
        self.loc = loc
        self.params = params
        self.block = Block()
        self.cur = self.block
        self._consts: dict[int, SSAValue] = {}
        self._head: list[Operation] = []  # allocs and index constants, kept at the top

    def add(self, op: Operation) -> Operation:
        op.location = self.loc  # type: ignore[assignment]
        self.cur.add_op(op)
        return op

    def c(self, value: int) -> SSAValue:
        if value not in self._consts:
            op = arith.ConstantOp(IntegerAttr(value, INDEX))
            op.location = self.loc  # type: ignore[assignment]
            op.results[0].name_hint = f"c{value}" if value >= 0 else f"cm{-value}"
            self._head.append(op)
            self._consts[value] = op.results[0]
        return self._consts[value]

    def vtcm(self, shape: Sequence[int], hint: str, et: Attribute = f32) -> SSAValue:
        op = tile.AllocOp(tile.buffer_type(shape, et, tile.VTCM))
        op.location = self.loc  # type: ignore[assignment]
        op.result.name_hint = hint
        self._head.append(op)
        return op.result

    def finish(self) -> tile.KernelOp:
        for op in reversed(self._head):
            first = self.block.first_op
            if first is None:
                self.block.add_op(op)
            else:
                self.block.insert_op_before(op, first)
        k = tile.KernelOp(Region(self.block))
        k.location = self.loc  # type: ignore[assignment]
        return k

    _FOLD: dict[type[Operation], Callable[[int, int], int]] = {
        arith.AddiOp: lambda x, y: x + y,
        arith.MuliOp: lambda x, y: x * y,
        arith.DivUIOp: lambda x, y: x // y,
        arith.RemUIOp: lambda x, y: x % y,
    }

    def binop(self, cls: type[Operation], a: SSAValue, b: SSAValue) -> SSAValue:
        """Index arithmetic, folded when both sides are constants (the prologue's tile 0)."""
        consts = {v: k for k, v in self._consts.items()}
        if a in consts and b in consts and cls in self._FOLD:
            return self.c(self._FOLD[cls](consts[a], consts[b]))
        if cls in (arith.AddiOp,) and consts.get(b) == 0:
            return a
        if cls in (arith.MuliOp, arith.DivUIOp) and consts.get(b) == 1:
            return a
        return self.add(cls(a, b)).results[0]  # type: ignore[call-arg]

    def cmp_lt(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.add(arith.CmpiOp(a, b, "ult")).results[0]

    def expr(self, e: Ax, vars: dict[tuple[str, int], SSAValue]) -> SSAValue:
        acc: SSAValue | None = None
        for kind, d, coeff, div in e.terms:
            v = vars[(kind, d)]
            if div != 1:
                v = self.binop(arith.DivUIOp, v, self.c(div))
            if coeff != 1:
                v = self.binop(arith.MuliOp, v, self.c(coeff))
            acc = v if acc is None else self.binop(arith.AddiOp, acc, v)
        if acc is None:
            return self.c(e.const)
        if e.const:
            acc = self.binop(arith.AddiOp, acc, self.c(e.const))
        return acc

    def nested(self, block: Block) -> _Nest:
        return _Nest(self, block)


class _Nest:
    def __init__(self, kb: KernelBuilder, block: Block) -> None:
        self.kb, self.block, self.saved = kb, block, kb.cur

    def __enter__(self) -> Block:
        self.kb.cur = self.block
        return self.block

    def __exit__(self, *exc: object) -> None:
        self.kb.cur = self.saved


def emit_kernel(spec: Spec, kb: KernelBuilder, double_buffer: bool) -> tile.KernelOp:
    """Emit the software-pipelined loop nest of a Spec (see the module docstring)."""
    out_shape, out_tile = spec.out_shape, spec.out_tile
    og, rg = spec.out_grid, spec.red_grid
    n_out, n_red = math.prod(og), math.prod(rg)
    steps = n_out * n_red
    pipelined = double_buffer and steps > 1
    slots = 2 if pipelined else 1
    # inputs loaded per step: "main" ones always; "epi" ones with main unless the
    # reduction is tiled (then they load once per output tile, in the last step)
    per_step, late, fixed = _partition(spec)
    bufs: dict[int, list[SSAValue]] = {}
    for k, inp in enumerate(spec.ins):
        n = slots if inp in per_step else 1
        bufs[k] = [kb.vtcm(inp.sizes, f"in{k}_{s}", _et(inp.src)) for s in range(n)]
    acc_slots = 2 if pipelined and n_out > 1 else 1
    et = _et(spec.out)
    accs = [kb.vtcm(out_tile, f"acc{s}", et) for s in range(acc_slots)]
    temp_types = spec.temp_types or [et] * len(spec.temps)
    temps = [
        kb.vtcm(shape, f"tmp{k}", t)
        for k, (shape, t) in enumerate(zip(spec.temps, temp_types, strict=True))
    ]

    def decompose(t: SSAValue) -> tuple[dict[tuple[str, int], SSAValue], SSAValue, SSAValue]:
        """Tile starts of step t (reduction fastest, then the last output dim)."""
        vars: dict[tuple[str, int], SSAValue] = {}
        rem = t
        red_lin = kb.c(0)
        if n_red > 1:
            red_lin = kb.binop(arith.RemUIOp, t, kb.c(n_red))
            rem = kb.binop(arith.DivUIOp, t, kb.c(n_red))
        out_lin = rem
        for kind, grid, tiles, lin in (
            ("r", rg, spec.red_tile, red_lin),
            ("o", og, out_tile, out_lin),
        ):
            left = lin
            moving = [d for d in range(len(grid)) if grid[d] > 1]
            for d in range(len(grid)):
                vars[(kind, d)] = kb.c(0)
            for d in reversed(moving):
                if d == moving[0]:  # outermost moving dim: what is left is its index
                    idx = left
                else:
                    idx = kb.binop(arith.RemUIOp, left, kb.c(grid[d]))
                    left = kb.binop(arith.DivUIOp, left, kb.c(grid[d]))
                vars[(kind, d)] = (
                    kb.binop(arith.MuliOp, idx, kb.c(tiles[d])) if tiles[d] != 1 else idx
                )
        return vars, red_lin, out_lin

    def load(inp: In, buf: SSAValue, vars: dict[tuple[str, int], SSAValue]) -> SSAValue:
        if inp.pad is not None:
            kb.add(tile.FillOp(buf, inp.pad))
        offs = [kb.expr(a, vars) for a in inp.offs]
        zeros = [kb.c(0)] * len(inp.sizes)
        return kb.add(tile.DmaStartOp(inp.src, offs, buf, zeros, inp.sizes)).results[0]

    def pick(pair: list[SSAValue], parity: SSAValue | None) -> SSAValue:
        if len(pair) == 1 or parity is None:
            return pair[0]
        return kb.add(arith.SelectOp(parity, pair[0], pair[1])).results[0]

    def is_even(v: SSAValue) -> SSAValue:
        r = kb.binop(arith.RemUIOp, v, kb.c(2))
        return kb.add(arith.CmpiOp(r, kb.c(0), "eq")).results[0]

    # stationary inputs: once, before the loop
    zero_vars = {(k, d): kb.c(0) for k, n in (("o", len(og)), ("r", len(rg))) for d in range(n)}
    fixed_toks = [load(i, bufs[spec.ins.index(i)][0], zero_vars) for i in fixed]
    if fixed_toks:
        kb.add(tile.DmaWaitOp(*fixed_toks))
    init_toks: list[SSAValue] = []
    if pipelined:
        vars0, _, _ = decompose(kb.c(0))
        init_toks = [load(i, bufs[spec.ins.index(i)][0], vars0) for i in per_step]
    ready = kb.add(tile.ReadyOp()).results[0]
    carried_init = init_toks + [ready]

    body = Block(arg_types=[INDEX] + [tile.TokenType()] * len(carried_init))
    loop = tile.ForOp(0, steps, 1, carried_init, body)
    kb.add(loop)
    t, *carried = body.args
    t.name_hint = "t"
    periods = sorted({spec.period(i) for i in per_step})

    def window_index(v: SSAValue, period: int) -> SSAValue:
        return v if period == 1 else kb.binop(arith.DivUIOp, v, kb.c(period))

    def starts_window(v: SSAValue, period: int) -> SSAValue:
        r = kb.binop(arith.RemUIOp, v, kb.c(period))
        return kb.add(arith.CmpiOp(r, kb.c(0), "eq")).results[0]

    with kb.nested(body):
        vars, red_lin, out_lin = decompose(t)
        parity = is_even(t) if pipelined else None
        slot_parity: dict[int, SSAValue | None] = {1: parity}
        next_toks = [ready] * len(per_step)
        if pipelined:
            # prefetch the windows that change at step t+1, one guarded group per period
            nxt = kb.binop(arith.AddiOp, t, kb.c(1))
            in_range = kb.cmp_lt(nxt, kb.c(steps))
            nvars: dict[tuple[str, int], SSAValue] | None = None
            for period in periods:
                group = [k for k, i in enumerate(per_step) if spec.period(i) == period]
                cond = in_range
                if period > 1:
                    cond = kb.add(arith.AndIOp(in_range, starts_window(nxt, period))).results[0]
                then_b = Block()
                with kb.nested(then_b):
                    nvars, _, _ = decompose(nxt)
                    npar = is_even(window_index(nxt, period))
                    toks = [
                        load(per_step[k], pick(bufs[spec.ins.index(per_step[k])], npar), nvars)
                        for k in group
                    ]
                    kb.add(scf.YieldOp(*toks))
                else_b = Block()
                with kb.nested(else_b):  # no new window: keep the token of the current one
                    kb.add(scf.YieldOp(*[carried[k] for k in group]))
                pre = kb.add(scf.IfOp(cond, [tile.TokenType()] * len(group), [then_b], [else_b]))
                for k, r in zip(group, pre.results, strict=True):
                    next_toks[k] = r
                if period > 1:
                    slot_parity[period] = is_even(window_index(t, period))
            if carried[:-1]:  # waiting again on a completed token is free
                kb.add(tile.DmaWaitOp(*carried[:-1]))
        else:
            next_toks = []
            for period in periods:
                group = [i for i in per_step if spec.period(i) == period]
                guard = Block() if period > 1 else None
                with kb.nested(guard if guard is not None else kb.cur):
                    toks = [load(i, bufs[spec.ins.index(i)][0], vars) for i in group]
                    kb.add(tile.DmaWaitOp(*toks))
                    if guard is not None:
                        kb.add(scf.YieldOp())
                if guard is not None:
                    kb.add(scf.IfOp(starts_window(t, period), [], [guard]))
        cur = {}
        for k, inp in enumerate(spec.ins):
            par = slot_parity.get(spec.period(inp), parity) if inp in per_step else None
            cur[k] = pick(bufs[k], par)
        out_parity = None
        if acc_slots == 2:
            out_parity = parity if n_red == 1 else is_even(out_lin)
        acc = pick(accs, out_parity)
        main_bufs = [cur[k] for k, i in enumerate(spec.ins) if i.phase == "main"]
        epi_idx = [k for k, i in enumerate(spec.ins) if i.phase == "epi"]
        first = None
        if n_red > 1:
            first = kb.add(arith.CmpiOp(red_lin, kb.c(0), "eq")).results[0]
        if spec.compute is not None:
            spec.compute(kb, main_bufs, temps, acc, first)

        def finish_tile() -> SSAValue:
            if late:
                ltoks = [load(i, cur[spec.ins.index(i)], vars) for i in late]
                kb.add(tile.DmaWaitOp(*ltoks))
            if spec.epilogue is not None:
                spec.epilogue(kb, [cur[k] for k in epi_idx], acc)
            ostarts = [vars[("o", d)] for d in range(len(out_shape))]
            zeros = [kb.c(0)] * len(out_shape)
            tok = kb.add(tile.DmaStartOp(acc, zeros, spec.out, ostarts, out_tile)).results[0]
            if acc_slots == 2:
                kb.add(tile.DmaWaitOp(carried[-1]))
            else:
                kb.add(tile.DmaWaitOp(tok))
            return tok

        if n_red > 1:
            last = kb.add(arith.CmpiOp(red_lin, kb.c(n_red - 1), "eq")).results[0]
            fin_b = Block()
            with kb.nested(fin_b):
                kb.add(scf.YieldOp(finish_tile()))
            keep_b = Block()
            with kb.nested(keep_b):
                kb.add(scf.YieldOp(carried[-1]))
            out_tok = kb.add(scf.IfOp(last, [tile.TokenType()], [fin_b], [keep_b])).results[0]
        else:
            out_tok = finish_tile()
        kb.add(tile.YieldOp(*next_toks, out_tok))
    kb.add(tile.DmaWaitOp(loop.res[-1]))
    k = kb.finish()
    # the chosen tiling, for readers and tests (the loop nest says the same, less plainly)
    k.attributes["tile_sizes"] = tile.i64_array(out_tile)
    if spec.red_tile:
        k.attributes["reduction_tile_sizes"] = tile.i64_array(spec.red_tile)
    return k


# --------------------------------------------------------------------------- map bodies


class MapBody:
    """Builds the region of a tile.map: block arguments are deduplicated input buffers."""

    def __init__(self, ft: Attribute = f32) -> None:
        self.inputs: list[SSAValue] = []
        self.block = Block()
        self.ops: list[Operation] = []
        # the type `const` makes by default: the one the op being expanded computes in
        self.ft = tile.scalar_type(ft)

    def arg(self, buf: SSAValue) -> SSAValue:
        for k, v in enumerate(self.inputs):
            if v is buf:
                return self.block.args[k]
        self.inputs.append(buf)
        return self.block.insert_arg(tile.scalar_type(_et(buf)), len(self.block.args))

    def const(self, v: float, typ: Attribute | None = None) -> SSAValue:
        typ = self.ft if typ is None else typ
        if _is_float(typ):
            return self.emit(arith.ConstantOp(FloatAttr(v, typ)))  # type: ignore[arg-type]
        return self.emit(arith.ConstantOp(IntegerAttr(int(v), typ)))  # type: ignore[arg-type]

    def emit(self, op: Operation) -> SSAValue:
        self.ops.append(op)
        return op.results[0]

    def build(self, kb: KernelBuilder, result: SSAValue, out: SSAValue) -> None:
        for op in self.ops:
            op.location = kb.loc  # type: ignore[assignment]
            self.block.add_op(op)
        y = tile.YieldOp(result)
        y.location = kb.loc  # type: ignore[assignment]
        self.block.add_op(y)
        kb.add(tile.MapOp(self.inputs, out, self.block))


# An elementwise step of a fused chain: given the map body, the chain value and the
# VTCM buffers of the step's other operands (in operand order, chain slot = None),
# emit the scalar code.
def _ew_scalar(op: Operation, mb: MapBody, xs: list[SSAValue]) -> SSAValue:
    name = op.name
    data = _et(op.operands[1] if name == "nn.where" else op.operands[0])
    mb.ft = tile.scalar_type(data)
    if name in TYPED_EW or not _is_float(data):
        return _ew_typed(op, mb, xs, data)
    if isinstance(data, Float16Type | BFloat16Type):
        # 16-bit floats: the op computes in f32 and rounds once, as the reference does
        wide = [
            mb.emit(arith.ExtFOp(x, f32)) if isinstance(x.type, Float16Type | BFloat16Type) else x
            for x in xs
        ]
        mb.ft = f32
        r = _ew_float(op, mb, wide)
        mb.ft = data
        return mb.emit(arith.TruncFOp(r, data)) if r.type == f32 else r  # type: ignore[arg-type]
    return _ew_float(op, mb, xs)


def _ew_float(op: Operation, mb: MapBody, xs: list[SSAValue]) -> SSAValue:
    name = op.name
    if name in ("nn.relu",):
        return mb.emit(arith.MaximumfOp(xs[0], mb.const(0.0)))
    if name in ("nn.dropout", "nn.identity"):
        return xs[0]
    if name == "nn.neg":
        return mb.emit(arith.NegfOp(xs[0]))
    if name == "nn.abs":
        return mb.emit(mathd.AbsFOp(xs[0]))
    if name == "nn.exp":
        return mb.emit(mathd.ExpOp(xs[0]))
    if name == "nn.sqrt":
        return mb.emit(mathd.SqrtOp(xs[0]))
    if name == "nn.tanh":
        return mb.emit(mathd.TanhOp(xs[0]))
    if name == "nn.sigmoid":
        e = mb.emit(mathd.ExpOp(mb.emit(arith.NegfOp(xs[0]))))
        return mb.emit(arith.DivfOp(mb.const(1.0), mb.emit(arith.AddfOp(mb.const(1.0), e))))
    if name == "nn.leaky_relu":
        a = _float(op, "alpha", 0.01)
        neg = mb.emit(arith.MulfOp(xs[0], mb.const(a)))
        pos = mb.emit(arith.CmpfOp(xs[0], mb.const(0.0), "ogt"))
        return mb.emit(arith.SelectOp(pos, xs[0], neg))
    if name == "nn.clip":
        lo, hi = _float(op, "min", -math.inf), _float(op, "max", math.inf)
        v = xs[0]
        if lo != -math.inf:
            v = mb.emit(arith.MaximumfOp(v, mb.const(lo)))
        if hi != math.inf:
            v = mb.emit(arith.MinimumfOp(v, mb.const(hi)))
        return v
    binary = {
        "nn.add": arith.AddfOp,
        "nn.sub": arith.SubfOp,
        "nn.mul": arith.MulfOp,
        "nn.div": arith.DivfOp,
        "nn.sum": arith.AddfOp,
        "nn.max": arith.MaximumfOp,
        "nn.min": arith.MinimumfOp,
    }
    if name in binary:
        v = xs[0]
        for x in xs[1:]:
            v = mb.emit(binary[name](v, x))
        return v
    if name == "nn.batch_normalization":
        # generic form, used when the parameters are not compile-time constants
        x, scale, b, mean, var = xs
        eps = _float(op, "epsilon", 1e-5)
        inv = mb.emit(mathd.RsqrtOp(mb.emit(arith.AddfOp(var, mb.const(eps)))))
        s = mb.emit(arith.MulfOp(scale, inv))
        return mb.emit(arith.AddfOp(mb.emit(arith.MulfOp(mb.emit(arith.SubfOp(x, mean)), s)), b))
    return _ew_scalar_more(op, mb, xs)


# math-dialect ops that are one nn unary op each
_MATH_UNARY: dict[str, type[Operation]] = {
    "nn.log": mathd.LogOp,
    "nn.floor": mathd.FloorOp,
    "nn.ceil": mathd.CeilOp,
    "nn.round": mathd.RoundEvenOp,  # ONNX Round: halves to even
    "nn.erf": mathd.ErfOp,
    "nn.sin": mathd.SinOp,
    "nn.cos": mathd.CosOp,
    "nn.tan": mathd.TanOp,
    "nn.asin": mathd.AsinOp,
    "nn.acos": mathd.AcosOp,
    "nn.atan": mathd.AtanOp,
    "nn.sinh": mathd.SinhOp,
    "nn.cosh": mathd.CoshOp,
    "nn.asinh": mathd.AsinhOp,
    "nn.acosh": mathd.AcoshOp,
    "nn.atanh": mathd.AtanhOp,
}


def _softplus(mb: MapBody, x: SSAValue) -> SSAValue:
    # max(x, 0) + log1p(exp(-|x|)): no overflow for large |x|
    e = mb.emit(mathd.ExpOp(mb.emit(arith.NegfOp(mb.emit(mathd.AbsFOp(x))))))
    return mb.emit(
        arith.AddfOp(mb.emit(arith.MaximumfOp(x, mb.const(0.0))), mb.emit(mathd.Log1pOp(e)))
    )


def _ew_scalar_more(op: Operation, mb: MapBody, xs: list[SSAValue]) -> SSAValue:
    """The unary activations and binary ops added after the light networks' set."""
    name = op.name
    if name in _MATH_UNARY:
        return mb.emit(_MATH_UNARY[name](xs[0]))
    x = xs[0]
    one, zero = mb.const(1.0), mb.const(0.0)

    def sel(cond: SSAValue, a: SSAValue, b: SSAValue) -> SSAValue:
        return mb.emit(arith.SelectOp(cond, a, b))

    def gt(a: SSAValue, b: SSAValue) -> SSAValue:
        return mb.emit(arith.CmpfOp(a, b, "ogt"))

    def mul(a: SSAValue, b: SSAValue) -> SSAValue:
        return mb.emit(arith.MulfOp(a, b))

    def add(a: SSAValue, b: SSAValue) -> SSAValue:
        return mb.emit(arith.AddfOp(a, b))

    def clamp01(v: SSAValue) -> SSAValue:
        return mb.emit(arith.MinimumfOp(mb.emit(arith.MaximumfOp(v, zero)), one))

    def expm1(v: SSAValue) -> SSAValue:
        return mb.emit(arith.SubfOp(mb.emit(mathd.ExpOp(v)), one))

    if name == "nn.expand":
        return x
    if name == "nn.reciprocal":
        return mb.emit(arith.DivfOp(one, x))
    if name == "nn.sign":
        return sel(gt(x, zero), one, sel(gt(zero, x), mb.const(-1.0), zero))
    if name == "nn.softplus":
        return _softplus(mb, x)
    if name == "nn.softsign":
        return mb.emit(arith.DivfOp(x, add(one, mb.emit(mathd.AbsFOp(x)))))
    if name == "nn.mish":
        return mul(x, mb.emit(mathd.TanhOp(_softplus(mb, x))))
    if name == "nn.hard_swish":
        return mul(x, clamp01(add(mul(x, mb.const(1.0 / 6.0)), mb.const(0.5))))
    if name == "nn.hard_sigmoid":
        a, b = _float(op, "alpha", 0.2), _float(op, "beta", 0.5)
        return clamp01(add(mul(x, mb.const(a)), mb.const(b)))
    if name == "nn.elu":
        return sel(gt(x, zero), x, mul(mb.const(_float(op, "alpha", 1.0)), expm1(x)))
    if name == "nn.selu":
        a = _float(op, "alpha", 1.67326319217681884765625)
        g = _float(op, "gamma", 1.05070102214813232421875)
        return mul(mb.const(g), sel(gt(x, zero), x, mul(mb.const(a), expm1(x))))
    if name == "nn.celu":
        a = _float(op, "alpha", 1.0)
        neg = mul(mb.const(a), expm1(mb.emit(arith.DivfOp(x, mb.const(a)))))
        return add(
            mb.emit(arith.MaximumfOp(x, zero)), mb.emit(arith.MinimumfOp(neg, zero))
        )
    if name == "nn.thresholded_relu":
        return sel(gt(x, mb.const(_float(op, "alpha", 1.0))), x, zero)
    if name == "nn.gelu":
        approx = getattr(_prop(op, "approximate"), "data", "none")
        if approx == "tanh":
            inner = mul(
                mb.const(math.sqrt(2.0 / math.pi)),
                add(x, mul(mb.const(0.044715), mul(x, mul(x, x)))),
            )
            return mul(mul(mb.const(0.5), x), add(one, mb.emit(mathd.TanhOp(inner))))
        e = mb.emit(mathd.ErfOp(mul(x, mb.const(1.0 / math.sqrt(2.0)))))
        return mul(mul(mb.const(0.5), x), add(one, e))
    if name == "nn.pow":  # an integer exponent is converted to the base's type first
        src = xs[1].type if _is_float(xs[1].type) else _et(op.operands[1])
        e = _convert(mb, xs[1], src, xs[0].type)
        return mb.emit(mathd.PowFOp(xs[0], e))
    if name == "nn.p_relu":
        return sel(gt(zero, x), mul(xs[1], x), x)
    if name == "nn.mean":
        v = xs[0]
        for y in xs[1:]:
            v = add(v, y)
        return mul(v, mb.const(1.0 / len(xs)))
    raise AssertionError(f"not elementwise: {name}")


def _convert(mb: MapBody, v: SSAValue, src: Attribute, dst: Attribute) -> SSAValue:
    """Scalar conversion between element types with ONNX Cast's meaning: float to integer
    truncates toward zero, to bool is `!= 0`, integer narrowing wraps; the source's
    signedness picks sitofp/uitofp and extsi/extui, the destination's fptosi/fptoui."""
    s, d = tile.scalar_type(src), tile.scalar_type(dst)
    if s == d:
        return v
    if _is_float(s) and _is_float(d):
        sw, dw = s.bitwidth, d.bitwidth  # type: ignore[attr-defined]
        if sw == dw:  # bf16 <-> f16: through f32
            return mb.emit(arith.TruncFOp(mb.emit(arith.ExtFOp(v, f32)), d))
        return mb.emit(arith.ExtFOp(v, d) if dw > sw else arith.TruncFOp(v, d))
    if _is_float(d):
        unsigned = _is_unsigned(src) or _is_bool(src)
        conv = arith.UIToFPOp(v, d) if unsigned else arith.SIToFPOp(v, d)  # type: ignore[arg-type]
        return mb.emit(conv)
    assert isinstance(d, IntegerType)
    if _is_bool(d):
        zero = mb.const(0, s)
        if _is_float(s):
            return mb.emit(arith.CmpfOp(v, zero, "une"))  # NaN casts to true, as in numpy
        return mb.emit(arith.CmpiOp(v, zero, "ne"))
    if _is_float(s):
        return mb.emit(arith.FPToUIOp(v, d) if _is_unsigned(dst) else arith.FPToSIOp(v, d))
    assert isinstance(s, IntegerType)
    if s.width.data < d.width.data:
        unsigned = _is_unsigned(src) or _is_bool(src)
        return mb.emit(arith.ExtUIOp(v, d) if unsigned else arith.ExtSIOp(v, d))
    return mb.emit(arith.TruncIOp(v, d))


_COMPARE = {  # nn op -> (cmpf, signed cmpi, unsigned cmpi) predicate
    "nn.equal": ("oeq", "eq", "eq"),
    "nn.less": ("olt", "slt", "ult"),
    "nn.less_or_equal": ("ole", "sle", "ule"),
    "nn.greater": ("ogt", "sgt", "ugt"),
    "nn.greater_or_equal": ("oge", "sge", "uge"),
}
_INT_BINARY: dict[str, tuple[type[Operation], type[Operation]]] = {  # signed, unsigned
    "nn.add": (arith.AddiOp, arith.AddiOp),
    "nn.sum": (arith.AddiOp, arith.AddiOp),
    "nn.sub": (arith.SubiOp, arith.SubiOp),
    "nn.mul": (arith.MuliOp, arith.MuliOp),
    "nn.div": (arith.DivSIOp, arith.DivUIOp),  # ONNX integer Div truncates toward zero
    "nn.max": (arith.MaxSIOp, arith.MaxUIOp),
    "nn.min": (arith.MinSIOp, arith.MinUIOp),
    "nn.and": (arith.AndIOp, arith.AndIOp),
    "nn.or": (arith.OrIOp, arith.OrIOp),
    "nn.xor": (arith.XOrIOp, arith.XOrIOp),
    "nn.bitwise_and": (arith.AndIOp, arith.AndIOp),
    "nn.bitwise_or": (arith.OrIOp, arith.OrIOp),
    "nn.bitwise_xor": (arith.XOrIOp, arith.XOrIOp),
}
# elementwise ops whose scalar code depends on the element types (any type, _ew_typed)
TYPED_EW = {
    *_COMPARE,
    "nn.where",
    "nn.cast",
    "nn.and",
    "nn.or",
    "nn.xor",
    "nn.not",
    "nn.mod",
    "nn.bit_shift",
    "nn.bitwise_and",
    "nn.bitwise_or",
    "nn.bitwise_xor",
    "nn.bitwise_not",
    "nn.is_nan",
    "nn.is_inf",
}
# integer (and bool) tensors: the elementwise ops _ew_typed lowers for them
INT_EW = TYPED_EW | {
    *_INT_BINARY,
    "nn.relu",
    "nn.neg",
    "nn.abs",
    "nn.sign",
    "nn.clip",
    "nn.pow",
    "nn.expand",
    "nn.identity",
    "nn.dropout",
}


def _ew_typed(op: Operation, mb: MapBody, xs: list[SSAValue], data: Attribute) -> SSAValue:
    """Scalar code of an elementwise op on integer or bool tensors, and of the ops whose
    code depends on the element types (comparisons, where, cast, mod, bit and logic ops).
    `data` is the element type of the data operand; unsigned types pick the u-ops."""
    name = op.name
    x = xs[0]
    fl = _is_float(data)
    uns = _is_unsigned(data)
    if name in ("nn.expand", "nn.identity", "nn.dropout"):
        return x
    if name == "nn.cast":
        return _convert(mb, x, data, _et(op.results[0]))
    if name == "nn.where":
        return mb.emit(arith.SelectOp(xs[0], xs[1], xs[2]))
    if name in _COMPARE:
        f, si, ui = _COMPARE[name]
        if fl:
            return mb.emit(arith.CmpfOp(xs[0], xs[1], f))
        return mb.emit(arith.CmpiOp(xs[0], xs[1], ui if uns else si))
    if name == "nn.is_nan":
        return mb.emit(arith.CmpfOp(x, x, "uno"))
    if name == "nn.is_inf":
        found: SSAValue | None = None
        for attr, v in (("detect_positive", math.inf), ("detect_negative", -math.inf)):
            if _int(op, attr, 1):
                hit = mb.emit(arith.CmpfOp(x, mb.const(v), "oeq"))
                found = hit if found is None else mb.emit(arith.OrIOp(found, hit))
        return found if found is not None else mb.emit(arith.CmpfOp(x, x, "false"))
    if name == "nn.not":
        return mb.emit(arith.XOrIOp(x, mb.const(1)))
    if name == "nn.bitwise_not":
        return mb.emit(arith.XOrIOp(x, mb.const(-1)))
    if name == "nn.bit_shift":
        if getattr(_prop(op, "direction"), "data", "LEFT") == "LEFT":
            return mb.emit(arith.ShLIOp(xs[0], xs[1]))
        return mb.emit(arith.ShRUIOp(xs[0], xs[1]) if uns else arith.ShRSIOp(xs[0], xs[1]))
    if name == "nn.mod":
        a, b = xs
        fmod = bool(_int(op, "fmod", 0))
        if fl:  # a - trunc(a / b) * b: C fmod (arith has no remf here); a itself when
            # the quotient is 0, so that fmod(a, ±inf) = a rather than a - 0 * inf = NaN
            q = mb.emit(mathd.TruncOp(mb.emit(arith.DivfOp(a, b))))
            r = mb.emit(arith.SubfOp(a, mb.emit(arith.MulfOp(q, b))))
            q0 = mb.emit(arith.CmpfOp(q, mb.const(0), "oeq"))
            r = mb.emit(arith.SelectOp(q0, a, r))
        else:
            r = mb.emit(arith.RemUIOp(a, b) if uns else arith.RemSIOp(a, b))
        if fmod or uns:
            return r
        # Python's %: the remainder takes the divisor's sign
        zero = mb.const(0)
        if fl:
            nz = mb.emit(arith.CmpfOp(r, zero, "one"))
            sr = mb.emit(arith.CmpfOp(r, zero, "olt"))
            sb = mb.emit(arith.CmpfOp(b, zero, "olt"))
            fixed = mb.emit(arith.AddfOp(r, b))
        else:
            nz = mb.emit(arith.CmpiOp(r, zero, "ne"))
            sr = mb.emit(arith.CmpiOp(r, zero, "slt"))
            sb = mb.emit(arith.CmpiOp(b, zero, "slt"))
            fixed = mb.emit(arith.AddiOp(r, b))
        need = mb.emit(arith.AndIOp(nz, mb.emit(arith.XOrIOp(sr, sb))))
        return mb.emit(arith.SelectOp(need, fixed, r))
    assert not fl, f"float {name} is not a typed op"
    if name in _INT_BINARY:
        cls = _INT_BINARY[name][1 if uns else 0]
        v = xs[0]
        for y in xs[1:]:
            v = mb.emit(cls(v, y))  # type: ignore[call-arg]
        return v
    zero = mb.const(0)
    if name == "nn.relu":
        return mb.emit(arith.MaxUIOp(x, zero) if uns else arith.MaxSIOp(x, zero))
    if name == "nn.neg":
        return mb.emit(arith.SubiOp(zero, x))
    if name == "nn.abs":
        return x if uns else mb.emit(mathd.AbsIOp(x))
    if name == "nn.sign":
        pos = mb.emit(arith.CmpiOp(x, zero, "ugt" if uns else "sgt"))
        one = mb.const(1)
        if uns:
            return mb.emit(arith.SelectOp(pos, one, zero))
        neg = mb.emit(arith.CmpiOp(x, zero, "slt"))
        inner = mb.emit(arith.SelectOp(neg, mb.const(-1), zero))
        return mb.emit(arith.SelectOp(pos, one, inner))
    if name == "nn.clip":
        info = np.iinfo(_np_dtype(data))
        lo, hi = _float(op, "min", -math.inf), _float(op, "max", math.inf)
        v = x
        if lo > info.min:
            c = mb.const(math.ceil(lo))
            v = mb.emit(arith.MaxUIOp(v, c) if uns else arith.MaxSIOp(v, c))
        if hi < info.max:
            c = mb.const(math.floor(hi))
            v = mb.emit(arith.MinUIOp(v, c) if uns else arith.MinSIOp(v, c))
        return v
    if name == "nn.pow":
        et = _et(op.operands[1])
        if _is_float(et):  # a float exponent: in f64, truncated back (the reference's way)
            f64 = Float64Type()
            b = _convert(mb, x, data, f64)
            p = mb.emit(mathd.PowFOp(b, _convert(mb, xs[1], et, f64)))
            return _convert(mb, p, f64, data)
        # integer base and exponent: the exponent in the base's type
        return mb.emit(mathd.IPowIOp(x, _convert(mb, xs[1], et, data)))
    raise AssertionError(f"no integer lowering: {name}")


ELEMENTWISE_MORE = {
    *_MATH_UNARY,
    "nn.reciprocal",
    "nn.sign",
    "nn.softplus",
    "nn.softsign",
    "nn.mish",
    "nn.hard_swish",
    "nn.hard_sigmoid",
    "nn.elu",
    "nn.selu",
    "nn.celu",
    "nn.thresholded_relu",
    "nn.gelu",
    "nn.pow",
    "nn.p_relu",
    "nn.mean",
    "nn.expand",  # a copy with broadcasting: the map reads its input through a broadcast
    *TYPED_EW,
}

ELEMENTWISE = ELEMENTWISE_MORE | {
    "nn.relu",
    "nn.dropout",
    "nn.identity",
    "nn.neg",
    "nn.abs",
    "nn.exp",
    "nn.sqrt",
    "nn.tanh",
    "nn.sigmoid",
    "nn.leaky_relu",
    "nn.clip",
    "nn.add",
    "nn.sub",
    "nn.mul",
    "nn.div",
    "nn.sum",
    "nn.max",
    "nn.min",
    "nn.batch_normalization",
}
VIEWS = {"nn.reshape", "nn.flatten", "nn.squeeze", "nn.unsqueeze"}
PRODUCERS = {
    "nn.conv",
    "nn.mat_mul",
    "nn.gemm",
    "nn.max_pool",
    "nn.average_pool",
    "nn.lp_pool",
    "nn.global_average_pool",
    "nn.global_max_pool",
    "nn.softmax",
    "nn.log_softmax",
    "nn.layer_normalization",
    "nn.lrn",
    "nn.transpose",
    "nn.concat",
    "nn.slice",
    "nn.pad",
    "nn.trilu",
    "nn.cum_sum",
    "nn.instance_normalization",
    "nn.gather",
    "nn.gather_elements",
    "nn.one_hot",
}
# Reductions (`axes`, `keepdims`): whole reduced extent per tile, tile.reduce add/max on
# a mapped copy (min = -max(-x), l2 = sqrt(sum x²), log_sum_exp = max + log sum exp(x - max)).
REDUCTIONS = {
    "nn.reduce_sum",
    "nn.reduce_mean",
    "nn.reduce_max",
    "nn.reduce_min",
    "nn.reduce_l1",
    "nn.reduce_l2",
    "nn.reduce_sum_square",
    "nn.reduce_log_sum",
    "nn.reduce_log_sum_exp",
    "nn.reduce_prod",
}
PRODUCERS |= REDUCTIONS | {"nn.arg_max", "nn.arg_min", "nn.hardmax"}
# ops that need tile forms convert-tile-to-vx does not lower (reduce argmax, top_k)
_INTERP_ONLY = {"nn.arg_max", "nn.arg_min", "nn.hardmax", "nn.top_k"}
SUPPORTED = ELEMENTWISE | VIEWS | PRODUCERS | {
    "nn.constant",
    "nn.split",
    "nn.tile",
    "nn.resize",
    "nn.top_k",
}
_GATHER_COPIES = 4096  # most DMAs one nn.resize may become (taps x output rows, all axes)
_TILE_COPIES = 1024  # most DMAs one nn.tile may become (one per repeat of the input)

# --------------------------------------------------------------------------- cost model


def _align(n: int, a: int) -> int:
    return _cdiv(n, a) * a


def _partition(spec: Spec) -> tuple[list[In], list[In], list[In]]:
    return spec.partition


def spec_vtcm_bytes(spec: Spec, params: TargetParams, double_buffer: bool) -> int:
    """VTCM footprint of a kernel, buffers aligned like tile-plan-memory aligns them."""
    a = params.vlen_bytes
    pip = double_buffer and spec.steps > 1
    per_step, _, _ = _partition(spec)
    total = sum((2 if pip and i in per_step else 1) * _align(i.nbytes, a) for i in spec.ins)
    total += (2 if pip and math.prod(spec.out_grid) > 1 else 1) * _align(spec.out_bytes, a)
    temp_types = spec.temp_types or [_et(spec.out)] * len(spec.temps)
    tb = [tile.element_bytes(t) for t in temp_types]
    total += sum(_align(b * math.prod(t), a) for t, b in zip(spec.temps, tb, strict=True))
    return total


def spec_cost(
    spec: Spec, params: TargetParams, double_buffer: bool, block_dim: int | None
) -> float:
    """Estimated cycles: DMA time (bandwidth + per-transfer setup) against vector compute
    time (lane utilisation of the innermost tile dim, register-block utilisation of
    `block_dim`, per-step overhead); overlapped when double-buffered."""
    steps, n_out = spec.steps, math.prod(spec.out_grid)
    per_step, late, fixed = _partition(spec)
    bw = min(params.dram_bytes_per_cycle, params.vtcm_bytes_per_cycle)
    loads = [steps // spec.period(i) for i in per_step]
    moved = sum(n * i.nbytes for n, i in zip(loads, per_step, strict=True))
    moved += n_out * (sum(i.nbytes for i in late) + spec.out_bytes)
    moved += sum(i.nbytes for i in fixed)
    transfers = sum(loads) + n_out * (len(late) + 1) + len(fixed)
    dma = moved / bw + transfers * params.dma_setup_cycles
    lanes = params.lanes
    inner = spec.out_tile[-1] if spec.out_tile else 1  # rank 0: one element
    eff = inner / (_cdiv(inner, lanes) * lanes)
    if block_dim is not None:
        mr = max(1, params.vregs // 4)
        m = spec.out_tile[block_dim]
        eff *= m / (_cdiv(m, mr) * mr) if m >= mr else m / mr
    shape = spec.out_shape
    waste = math.prod(g * t for g, t in zip(spec.out_grid, spec.out_tile, strict=True)) / max(
        1, math.prod(shape)
    )
    compute = spec.work * waste / (lanes * eff * params.mpy_per_cycle) + steps * 40
    if n_out < steps:  # a tiled reduction re-reads and re-writes the accumulator each step
        compute += steps * 2 * spec.out_bytes / params.vtcm_bytes_per_cycle
    if double_buffer and steps > 1:
        return max(dma, compute) + min(dma, compute) / steps
    return dma + compute


def candidates(extent: int, forced: int = 0, limit: int = 12) -> list[int]:
    """Tile sizes to try for one dimension: divisors and powers of two (and the extent)."""
    if forced > 0:
        return [min(forced, extent)]
    c = {extent} | {d for d in range(1, extent + 1) if extent % d == 0 and d <= 4096}
    c |= {1 << k for k in range(0, 20) if (1 << k) < extent}
    vals = sorted(c)
    if len(vals) > limit:  # keep the large end and a log-spaced sample of the rest
        idx = sorted({round(i * (len(vals) - 1) / (limit - 1)) for i in range(limit)})
        vals = [vals[i] for i in idx]
    return vals


def divisor_candidates(extent: int, forced: int = 0, limit: int = 8) -> list[int]:
    """Reduction tiles must divide the extent (a partial reduction tile would sum garbage)."""
    if forced > 0:
        if extent % forced:
            return [d for d in range(min(forced, extent), 0, -1) if extent % d == 0][:1]
        return [forced]
    vals = [d for d in range(1, extent + 1) if extent % d == 0]
    return vals[-limit:]


MAX_CHAIN_INPUTS = 6
"""Most activations (operands not `nn.constant`) a fused elementwise chain may bring into
its producer's kernel besides the value flowing through: the rest of the chain starts a
kernel of its own. A 16-phase
strided conv (nn-decompose-strided-conv) sums 16 convolutions: in one epilogue that is 16
double-buffered tiles and 18 address registers per loop level, more than a machine with
32 scalar registers can carry."""


class TileChoiceError(Exception):
    """No tile sizes fit the target's VTCM."""


def _spec_key(spec: Spec) -> tuple[Any, ...]:
    """Everything `spec_vtcm_bytes` and `spec_cost` read from a Spec (not its buffers)."""
    ins = tuple((_et(i.src), i.sizes, i.phase,
                 tuple(frozenset((k, d) for k, d, _, _ in a.terms) for a in i.offs))
                for i in spec.ins)
    return (spec.out_shape, _et(spec.out), spec.out_tile, spec.red_extent, spec.red_tile,
            ins, tuple(spec.temps), tuple(spec.temp_types or ()), spec.work)


_SPEC_MEMO: dict[tuple[Any, ...], tuple[int, float]] = {}


def choose(
    build: Callable[[tuple[int, ...]], Spec | None],
    dims: Sequence[Sequence[int]],
    params: TargetParams,
    double_buffer: bool,
    block_dim: int | None = None,
) -> Spec:
    """The cheapest Spec that fits VTCM, over the cartesian product of candidate tile
    sizes and, when allowed, with and without double buffering: a double-buffered plan
    wins where it hides transfer time; single buffering wins where the halved tiles would
    cost more than the overlap saves (or where only a single-buffered plan fits)."""
    best: tuple[float, Spec] | None = None
    smallest = None
    for combo in itertools.product(*dims):
        spec = build(combo)
        if spec is None:
            continue
        key = (_spec_key(spec), params, block_dim)
        for db in (True, False) if double_buffer else (False,):
            # networks repeat their layers: the same tiling question comes back with
            # other buffers (ResNet-50 asks ~30,000 of them, mostly repeats)
            known = _SPEC_MEMO.get((key, db))
            if known is None:
                need = spec_vtcm_bytes(spec, params, db)
                cost_ = spec_cost(spec, params, db, block_dim) if need <= params.vtcm_bytes else 0.0
                known = _SPEC_MEMO[(key, db)] = (need, cost_)
                if len(_SPEC_MEMO) > 200_000:
                    _SPEC_MEMO.clear()
            need, cost = known
            if need > params.vtcm_bytes:
                smallest = need if smallest is None else min(smallest, need)
                continue
            if best is None or cost < best[0]:
                spec.double_buffer = db
                best = (cost, spec)
            if db:
                break  # fits double-buffered: single buffering cannot be cheaper
    if best is None:
        raise TileChoiceError(
            f"expected a tiling within {params.vtcm_bytes} bytes of VTCM, got at least "
            f"{smallest} bytes for the smallest tiles"
        )
    return best[1]


def fill_tile(shape: Sequence[int], budget: int, full: Sequence[int] = ()) -> tuple[int, ...]:
    """Innermost-first tile of at most `budget` elements (dims in `full` stay whole)."""
    t = [1] * len(shape)
    for d in full:
        t[d] = shape[d]
    n = math.prod(t)
    for d in reversed(range(len(shape))):
        if d in full:
            continue
        if n * shape[d] <= budget:
            t[d] = shape[d]
            n *= shape[d]
        else:
            cap = max(1, budget // n)
            # prefer a divisor (no partial edge tile) unless it wastes over half the budget
            div = max(k for k in range(1, cap + 1) if shape[d] % k == 0)
            t[d] = div if 2 * div >= cap else cap
            break
    return tuple(t)


def budget_candidates(shape: Sequence[int], full: Sequence[int] = ()) -> list[tuple[int, ...]]:
    total = math.prod(shape)
    tiles = {fill_tile(shape, 1 << k, full) for k in range(6, 25) if (1 << (k - 1)) < total}
    tiles.add(tuple(shape))
    return sorted(tiles)


# --------------------------------------------------------------------------- the function


Step = tuple[Callable[[MapBody, SSAValue | None, list[SSAValue]], SSAValue], int]


def make_epilogue(
    steps: list[Step], from_acc: bool
) -> Callable[[KernelBuilder, list[SSAValue], SSAValue], None] | None:
    """One tile.map computing the chain of scalar steps in place on the output tile."""
    if not steps:
        return None

    def epilogue(kb: KernelBuilder, bufs: list[SSAValue], acc: SSAValue) -> None:
        mb = MapBody(_et(acc))
        x = mb.arg(acc) if from_acc else None
        it = iter(bufs)
        for fn, n in steps:
            x = fn(mb, x, [mb.arg(next(it)) for _ in range(n)])
        assert x is not None
        mb.build(kb, x, acc)

    return epilogue


def _chain_step(op: Operation, pos: int | None) -> Step:
    """Scalar step of elementwise op `op`; `pos` is the operand the chain flows through."""
    n = len(op.operands) - (0 if pos is None else 1)

    def fn(mb: MapBody, x: SSAValue | None, others: list[SSAValue]) -> SSAValue:
        xs = list(others)
        if pos is not None:
            assert x is not None
            xs.insert(pos, x)
        return _ew_scalar(op, mb, xs)

    return fn, n


# The scalar of one operand of a map step, from `n` of the map's input arguments: a plain
# input (one argument) or an inlined bool group (`inline_bool_groups`: its own inputs).
Feed = tuple[Callable[[MapBody, list[SSAValue]], SSAValue], int]


def _leaf(mb: MapBody, args: list[SSAValue]) -> SSAValue:
    return args[0]


LEAF: Feed = (_leaf, 1)


def _bool_word(mb: MapBody, args: list[SSAValue]) -> SSAValue:
    return mb.emit(arith.CmpfOp(args[0], mb.const(0.0, f32), "one"))


BOOL_WORD: Feed = (_bool_word, 1)  # a bool constant held as f32 0/1 (`bool_words`)


def _is_bool_constant(v: SSAValue) -> bool:
    """A bool tensor constant: elementwise ops read it as f32 0/1 words (`bool_words`)."""
    owner = v.owner
    return (
        isinstance(owner, Operation)
        and owner.name == "nn.constant"
        and isinstance(v.type, TensorType)
        and _et(v) == i1
    )

# ops of an inlined group: (op, operand the group's value flows through, feeds of the rest)
FedOps = list[tuple[Operation, int | None, list[Feed]]]


def _eval_fed(ops: FedOps, mb: MapBody, x: SSAValue | None, args: list[SSAValue]) -> SSAValue:
    """Scalar code of `ops` in order, each op's other operands from its feeds over `args`."""
    k = 0
    for op, pos, feeds in ops:
        xs = []
        for fn, n in feeds:
            xs.append(fn(mb, args[k : k + n]))
            k += n
        if pos is not None:
            assert x is not None
            xs.insert(pos, x)
        x = _ew_scalar(op, mb, xs)
    assert x is not None
    return x


def _fed_step(op: Operation, pos: int | None, feeds: list[Feed]) -> Step:
    """`_chain_step` whose other operands may be computed inline (`Feed`s); `_chain_step`
    itself when every feed is a plain input."""
    if all(f is LEAF for f in feeds):
        return _chain_step(op, pos)
    ops: FedOps = [(op, pos, feeds)]
    return (lambda mb, x, others: _eval_fed(ops, mb, x, others)), sum(n for _, n in feeds)


def _group_operands(group: Sequence[Operation]) -> list[tuple[Operation, int | None, list[int]]]:
    """Per op of an elementwise group: (op, the operand the chain flows through (None for
    the head), the indices of its other operands, read from outside the group)."""
    out: list[tuple[Operation, int | None, list[int]]] = []
    prev: SSAValue | None = None
    for op in group:
        pos = None if prev is None else next(i for i, v in enumerate(op.operands) if v is prev)
        out.append((op, pos, [i for i in range(len(op.operands)) if i != pos]))
        prev = op.results[0]
    return out


def _group_leaves(
    group: Sequence[Operation], inlined: dict[SSAValue, list[Operation]]
) -> list[SSAValue]:
    """The activations (non-constant values) an inlined group reads, through nested ones."""
    leaves: list[SSAValue] = []
    for op, _, others in _group_operands(group):
        for i in others:
            v = op.operands[i]
            if v in inlined:
                leaves += _group_leaves(inlined[v], inlined)
            elif getattr(v.owner, "name", "") != "nn.constant":
                leaves.append(v)
    return leaves


def _has_dtype(et: Attribute) -> bool:
    """An element type the tile level stores: the floats (bf16 where ml_dtypes is
    installed), i1, and signless or unsigned 8..64-bit integers."""
    try:
        _np_dtype(et)
    except Exception:  # noqa: BLE001 - VexaError: no numpy dtype for it
        return False
    return _is_float(et) or isinstance(et, IntegerType)


# ops that move or select data, whatever the element type (bool included)
_ANY_DTYPE = VIEWS | {
    "nn.constant",
    "nn.split",
    "nn.tile",
    "nn.transpose",
    "nn.concat",
    "nn.slice",
    "nn.pad",
    "nn.expand",
    "nn.identity",
    "nn.dropout",
    "nn.cast",
    "nn.where",
    "nn.equal",
    "nn.reduce_max",
    "nn.reduce_min",
    "nn.trilu",
    "nn.gather",
    "nn.gather_elements",
    "nn.one_hot",
}
_BOOL_ONLY = {"nn.and", "nn.or", "nn.xor", "nn.not"}
_INT_ONLY = {"nn.bit_shift", "nn.bitwise_and", "nn.bitwise_or", "nn.bitwise_xor", "nn.bitwise_not"}
# integer (not bool) tensors: elementwise ops of INT_EW and these producers
_INT_OK = INT_EW | {
    "nn.mat_mul",
    "nn.max_pool",
    "nn.global_max_pool",
    "nn.reduce_sum",
    "nn.reduce_l1",
    "nn.reduce_sum_square",
    "nn.reduce_prod",
    "nn.arg_max",
    "nn.arg_min",
    "nn.cum_sum",
    "nn.top_k",
} | _ANY_DTYPE


def _dtype_reason(op: Operation) -> str | None:
    """Why the element type of op's data is not lowered, None when it is. The data type
    is the first operand's (Where: the second's; a constant: its result's)."""
    name = op.name
    if not op.operands:
        return None
    data = _et(op.operands[1] if name == "nn.where" else op.operands[0])
    if _is_float(data):
        if name in _BOOL_ONLY | _INT_ONLY:
            return f"expected integer tensors, got {data}"
        return None
    if _is_bool(data):
        ok = name in _ANY_DTYPE | _BOOL_ONLY
    else:
        ok = name in _INT_OK - _BOOL_ONLY
    if not ok:
        return f"expected floating-point tensors, got {data}"
    return None


class FunctionLowering:
    """Lowers one func.func: plans fusion groups, then emits buffers, views and kernels."""

    def __init__(
        self, fn: func.FuncOp, params: TargetParams, table: ResourceTable, opts: ConvertNnToTilePass
    ) -> None:
        self.fn = fn
        self.params = params
        self.table = table
        self.opts = opts
        self.block = Block()
        self.buf: dict[SSAValue, SSAValue] = {}
        self._views: dict[tuple[SSAValue, tuple[int, ...], int], SSAValue] = {}
        # value -> (concat result, element offset): written in place into the concat
        self.redirect: dict[SSAValue, tuple[SSAValue, int]] = {}
        self._allocs: set[SSAValue] = set()
        # bool results computed inside their user's map (plan_groups: inline_bool_groups)
        self.inlined: dict[SSAValue, list[Operation]] = {}
        self._bool_words: dict[SSAValue, SSAValue] = {}  # bool constant -> f32 0/1

    # -- support ----------------------------------------------------------------------

    @staticmethod
    def unsupported_reason(op: Operation, element_types: str = "f32",
                           fused_bools: frozenset[SSAValue] = frozenset()) -> str | None:
        """Why `op` cannot be lowered (None: it can). `fused_bools`: i1 tensors allowed
        with element-types=f32 because they never reach memory (see `fused_bool_values`)."""
        if op.name not in SUPPORTED:
            return "no tile lowering for this op"
        for v in list(op.operands) + list(op.results):
            t = v.type
            if not isinstance(t, TensorType) or t.get_element_type() != f32:
                if element_types == "f32" and v not in fused_bools:
                    return f"expected f32 tensors, got {t}"
                if not isinstance(t, TensorType) or not _has_dtype(t.get_element_type()):
                    return f"expected tensors of a numeric element type, got {t}"
        reason = _dtype_reason(op)
        if reason is not None:
            return reason
        if op.name in _INTERP_ONLY and element_types == "f32":
            return (
                "needs tile.reduce argmax or tile.top_k, not lowered by convert-tile-to-vx "
                "(element-types=all lowers it)"
            )
        rank = len(_shape(op.operands[0])) if op.operands else 0
        if op.name == "nn.lrn" and rank != 4:
            return f"expected a rank-4 NCHW input, got rank {rank}"
        if op.name == "nn.conv" and rank not in (4, 5):
            return f"expected a rank-4 or rank-5 (NCHW, NCDHW) input, got rank {rank}"
        if op.name in ("nn.max_pool", "nn.average_pool", "nn.lp_pool") and rank not in (4, 5):
            return f"expected a rank-4 or rank-5 (NCHW, NCDHW) input, got rank {rank}"
        if op.name in ("nn.global_average_pool", "nn.global_max_pool") and rank < 3:
            return f"expected an input of rank >= 3, got rank {rank}"
        if op.name in ("nn.gather", "nn.gather_elements") and not isinstance(
            _et(op.operands[1]), IntegerType
        ):
            return f"expected integer indices, got {_et(op.operands[1])}"
        if op.name == "nn.instance_normalization" and rank < 3:
            return f"expected an input of rank >= 3, got rank {rank}"
        if op.name == "nn.batch_normalization" and rank < 2:
            return "expected an input of rank >= 2"
        if (
            op.name in ("nn.mat_mul", "nn.gemm")
            and min(len(_shape(v)) for v in op.operands[:2]) < 1
        ):
            return "expected operands of rank >= 1"
        if op.name in ("nn.slice", "nn.pad") and _row_maps(op) is not None:
            mode = getattr(_prop(op, "mode"), "data", "constant")
            if op.name == "nn.pad" and mode not in ("reflect", "edge", "wrap"):
                return f"expected constant, reflect, edge or wrap padding, got {mode}"
            copies = sum(len(v) for v in (_row_maps(op) or {}).values())
            if copies > _GATHER_COPIES:
                return f"expected at most {_GATHER_COPIES} row copies, got {copies}"
        empty_in = any(0 in _shape(v) for v in op.operands)
        empty_out = any(0 in _shape(v) for v in op.results)
        if empty_in and not empty_out:  # an empty result needs no kernel at all
            if op.name in REDUCTIONS:
                if _empty_identity(op) is None:
                    return "expected a non-empty input (or an identity an f32 fill holds exactly)"
            elif op.name != "nn.concat":
                return "expected non-empty inputs for a non-empty result"
        if op.name == "nn.resize":
            mode = getattr(_prop(op, "mode"), "data", "nearest")
            if mode != "nearest" and not _is_float(_et(op.operands[0])):
                return f"expected floating-point tensors for {mode} mode, got {_et(op.operands[0])}"
            copies = sum(
                t * {"nearest": 1, "linear": 2}.get(mode, 4)
                for _, _, t, _ in _resize_axes(op)
            )
            if copies > _GATHER_COPIES:
                return f"expected at most {_GATHER_COPIES} row copies, got {copies}"
        if op.name == "nn.tile" and math.prod(_ints(op, "repeats")) > _TILE_COPIES:
            return f"expected at most {_TILE_COPIES} repeats in all, got {_ints(op, 'repeats')}"
        if op.name in ("nn.softmax", "nn.log_softmax") and len(_shape(op.operands[0])) == 0:
            return "expected an input of rank >= 1"
        return None

    # -- emission helpers -------------------------------------------------------------

    def emit(self, op: Operation, loc: Attribute) -> Operation:
        op.location = loc  # type: ignore[assignment]
        self.block.add_op(op)
        return op

    def value(self, v: SSAValue) -> SSAValue:
        """The buffer of an nn value (constants become tile.constant on first use)."""
        if v in self.buf:
            return self.buf[v]
        owner = v.owner
        assert isinstance(owner, Operation) and owner.name == "nn.constant", owner
        attr = _prop(owner, "value")
        assert isinstance(attr, DenseResourceAttr | DenseIntOrFPElementsAttr)
        typ = tile.buffer_type(_shape(v), _et(v), tile.DRAM)
        c = self.emit(tile.ConstantOp(attr, typ), owner.location)
        if v.name_hint:
            c.results[0].name_hint = v.name_hint
        self.buf[v] = c.results[0]
        return c.results[0]

    def view(
        self, buf: SSAValue, shape: Sequence[int], loc: Attribute, offset: int = 0
    ) -> SSAValue:
        shape = tuple(shape)
        if _shape(buf) == shape and not offset:
            return buf
        key = (buf, shape, offset)
        if key not in self._views:
            typ = tile.buffer_type(shape, _et(buf), tile.space_of(buf) or tile.DRAM)
            part = math.prod(shape) != math.prod(_shape(buf))
            view = tile.ViewOp(buf, typ, offset if part or offset else None)
            self._views[key] = self.emit(view, loc).results[0]
        return self._views[key]

    def result_buffer(self, v: SSAValue, loc: Attribute) -> SSAValue:
        """The DRAM buffer a kernel writes `v` into: a new alloc, or its slice of the
        concatenation that consumes it (allocated, recursively, on first need)."""
        if v in self.buf:
            return self.buf[v]
        if v in self.redirect:
            cat, offset = self.redirect[v]
            buf = self.view(self.result_buffer(cat, loc), _shape(v), loc, offset)
            self.buf[v] = buf
            return buf
        return self.alloc(v, loc)

    def plan_concats(self, ops: list[Operation], groups: dict[Operation, list[Operation]]) -> None:
        """Concatenate in place: when the slices of a concat are contiguous (all dims
        before the axis are 1), each input that a kernel produces is written straight into
        its slice, so the concat moves no data and its inputs need no buffers of their own."""
        for op in ops:
            if op.name != "nn.concat" or self.unsupported_reason(op) is not None:
                continue
            shape = _shape(op.results[0])
            axis = _int(op, "axis", 0) % len(shape)
            if math.prod(shape[:axis]) != 1:
                continue
            inner = math.prod(shape[axis + 1 :])
            start = 0
            for v in op.operands:
                owner = v.owner
                if isinstance(owner, Operation) and owner in groups and v not in self.redirect:
                    self.redirect[v] = (op.results[0], start * inner)
                start += _shape(v)[axis]

    def alloc(self, v: SSAValue, loc: Attribute) -> SSAValue:
        a = self.emit(tile.AllocOp(tile.buffer_type(_shape(v), _et(v), tile.DRAM)), loc)
        if v.name_hint:
            a.results[0].name_hint = v.name_hint
        self._allocs.add(a.results[0])
        self.buf[v] = a.results[0]
        return a.results[0]

    def const_array(self, v: SSAValue) -> np.ndarray | None:
        """Compile-time value of an nn.constant operand (as f32), None when unknown."""
        arr = constant_array(v, self.table)
        return None if arr is None else np.asarray(arr, np.float32)

    def new_constant(
        self, base: str, arr: np.ndarray, loc: Attribute, et: Attribute = f32
    ) -> SSAValue:
        name = self.table.unique_name(base)
        self.table[name] = np.ascontiguousarray(arr, _np_dtype(et))
        attr = DenseResourceAttr.from_params(name, TensorType(et, list(arr.shape)))
        c = self.emit(tile.ConstantOp(attr, tile.buffer_type(arr.shape, et, tile.DRAM)), loc)
        return c.results[0]

    # -- fusion plan --------------------------------------------------------------------

    @staticmethod
    def fused_bool_values(fn: func.FuncOp, opts: Any) -> frozenset[SSAValue]:
        """The i1 tensors (comparisons, logic ops) that stay inside one fused elementwise
        chain: produced by a group's op and used once, by the next op of the same group,
        so they are predicates in its tile.map and never a buffer. With element-types=f32
        these may be i1 (Clip, Shrink, the *_expanded activations: a compare feeding a
        where)."""
        plan = type("_Plan", (), {"opts": opts})()  # plan_groups reads only opts
        groups = FunctionLowering.plan_groups(plan, list(fn.body.block.ops))
        found: set[SSAValue] = set()
        for group in groups.values():
            for a, b in itertools.pairwise(group):
                v = a.results[0]
                if (isinstance(v.type, TensorType) and v.type.get_element_type() == i1
                        and len(list(v.uses)) == 1):
                    found.add(v)
        for group in plan.inlined.values():  # computed inside their user's map
            found.update(o.results[0] for o in group if _et(o.results[0]) == i1)
        for op in fn.body.block.ops:  # bool constants that maps read as f32 words
            if (op.name == "nn.constant" and _is_bool_constant(op.results[0])
                    and all(u.operation.name in ELEMENTWISE for u in op.results[0].uses)):
                found.add(op.results[0])
        return frozenset(found)

    def plan_groups(self, ops: list[Operation]) -> dict[Operation, list[Operation]]:
        """Map the last op of each kernel group to the group (producer + elementwise chain)."""
        groups: dict[Operation, list[Operation]] = {}
        taken: set[Operation] = set()
        order = ops
        if getattr(self.opts, "element_types", "all") == "f32":
            # bools first: a comparison's chain takes its single user (a where) before
            # the where's other operand's chain does, so the bool stays a predicate in
            # one map (see fused_bool_values); the lowering order is the ops' own
            bools = [o for o in ops if o.name in ELEMENTWISE and len(o.results) == 1
                     and isinstance(o.results[0].type, TensorType) and _et(o.results[0]) == i1]
            first = set(bools)
            order = bools + [o for o in ops if o not in first]
        for op in order:
            if op in taken or op.name not in PRODUCERS | ELEMENTWISE:
                continue
            group = [op]
            taken.add(op)
            drops_rank = op.name in REDUCTIONS | {"nn.arg_max", "nn.arg_min"} and not _int(
                op, "keepdims", 1
            )
            gathered = op.name == "nn.pad" and _row_maps(op) is not None
            no_fuse = ("nn.concat", "nn.slice", "nn.gather")  # gather: a flattened view
            if self.opts.fuse and op.name not in no_fuse and not drops_rank and not gathered:
                cur = op.results[0]
                extra = 0  # activations the chain brings in besides the value flowing through
                while len(list(cur.uses)) == 1:
                    user = next(iter(cur.uses)).operation
                    if (
                        user.name not in ELEMENTWISE
                        or user in taken
                        or user.parent is not op.parent
                    ):
                        break
                    extra += sum(v is not cur and getattr(v.owner, "name", "") != "nn.constant"
                                 for v in user.operands)
                    if extra > MAX_CHAIN_INPUTS:
                        break  # each is a VTCM tile and an address register per loop level
                    if _shape(user.results[0]) != _shape(cur):
                        break
                    if op.name not in ELEMENTWISE and _et(user.results[0]) != _et(cur):
                        break  # a producer's accumulator holds its own element type
                    if op.name == "nn.mat_mul" and min(len(_shape(v)) for v in op.operands) < 2:
                        break  # 1-D promotion: the result is a view of the matrix product
                    group.append(user)
                    taken.add(user)
                    cur = user.results[0]
            groups[group[-1]] = group
        self.inlined = FunctionLowering.inline_bool_groups(groups)
        return groups

    @staticmethod
    def inline_bool_groups(
        groups: dict[Operation, list[Operation]],
    ) -> dict[SSAValue, list[Operation]]:
        """Take out of `groups` the elementwise groups whose result is a bool used once,
        by an elementwise op of another group: that op's map computes the group inline
        from the group's inputs, read through the broadcast to its own shape, so the bool
        is a predicate and never a buffer. This is how a comparison of a smaller shape
        reaches a broadcasting where (`where(reduce_max(m) == -inf, 0, p)` in the expanded
        Attention graphs): the chain fusion above only follows equal shapes.

            %c = nn.equal %r, %ninf : (4x1xf32, 1xf32) -> 4x1xi1
            %w = nn.where %c, %z, %p : (4x1xi1, 1xf32, 2x3x4x6xf32) -> 2x3x4x6xf32
            ->  one map over 2x3x4x6: w = select(r[i2, 0] == ninf, z, p[i0, i1, i2, i3])

        Pointwise ops commute with broadcasting, so the inline value at each element is
        the value the group's buffer would hold there. Returns result -> inlined group."""
        inlined: dict[SSAValue, list[Operation]] = {}
        changed = True
        while changed:  # a bool group may feed another that is inlined in turn
            changed = False
            for last, group in list(groups.items()):
                v = last.results[0]
                uses = list(v.uses)
                if (
                    len(last.results) != 1
                    or not isinstance(v.type, TensorType)
                    or _et(v) != i1
                    or len(uses) != 1
                    or any(o.name not in ELEMENTWISE for o in group)
                ):
                    continue
                user = uses[0].operation
                if user.name not in ELEMENTWISE or user.parent is not last.parent:
                    continue
                if any(o.name == "nn.batch_normalization" for o in group):
                    continue  # its parameters are viewed along dim 1 of the map's shape
                if len(_group_leaves(group, inlined)) > MAX_CHAIN_INPUTS:
                    continue
                del groups[last]
                inlined[v] = group
                changed = True
        return inlined

    def chain_steps(
        self, chain: list[Operation], prev: SSAValue, out_shape: tuple[int, ...], loc: Attribute
    ) -> tuple[list[Step], list[In]]:
        """Epilogue steps and inputs of the elementwise chain that follows a producer."""
        steps: list[Step] = []
        ins: list[In] = []
        for op in chain:
            pos = next(i for i, v in enumerate(op.operands) if v is prev)
            folded = (
                self.folded_bn(op, pos, out_shape, loc)
                if op.name == "nn.batch_normalization"
                else None
            )
            if folded is not None:
                s, t = folded
                ins += [self.ew_in(s, out_shape), self.ew_in(t, out_shape)]
                steps.append(
                    (
                        lambda mb, x, b: mb.emit(
                            arith.AddfOp(mb.emit(arith.MulfOp(x, b[0])), b[1])
                        ),
                        2,
                    )
                )
            else:
                feeds, more = self.feeds(op, [i for i in range(len(op.operands)) if i != pos],
                                         out_shape, loc)
                ins += more
                steps.append(_fed_step(op, pos, feeds))
            prev = op.results[0]
        return steps, ins

    def feed(
        self, op: Operation, i: int, out_shape: tuple[int, ...], loc: Attribute
    ) -> tuple[Feed, list[In]]:
        """Operand i of an elementwise op in a map of shape `out_shape`: its buffer as one
        input, or, for a bool group inlined into this map (`inline_bool_groups`), the
        group's scalar code over its own inputs, each read through the broadcast."""
        v = op.operands[i]
        if _is_bool_constant(v):
            return BOOL_WORD, [self.ew_in(self.bool_words(op, i, out_shape, loc), out_shape)]
        group = self.inlined.get(v)
        if group is None:
            return LEAF, [self.ew_in(self.operand_buf(op, i, out_shape, loc), out_shape)]
        ins: list[In] = []
        ops: FedOps = []
        for o, pos, others in _group_operands(group):
            feeds, more = self.feeds(o, others, out_shape, loc)
            ins += more
            ops.append((o, pos, feeds))

        def fn(mb: MapBody, args: list[SSAValue]) -> SSAValue:
            return _eval_fed(ops, mb, None, args)

        return (fn, len(ins)), ins

    def feeds(
        self, op: Operation, indices: Iterable[int], out_shape: tuple[int, ...], loc: Attribute
    ) -> tuple[list[Feed], list[In]]:
        """`feed` of each operand in `indices`: their feeds and, in order, their inputs."""
        feeds: list[Feed] = []
        ins: list[In] = []
        for i in indices:
            feed, more = self.feed(op, i, out_shape, loc)
            feeds.append(feed)
            ins += more
        return feeds, ins

    def bool_words(
        self, op: Operation, i: int, out_shape: tuple[int, ...], loc: Attribute
    ) -> SSAValue:
        """A bool constant operand as f32 0/1 words (viewed at the map's rank), so f32
        code keeps no i1 buffer; `BOOL_WORD` turns the word back into a predicate."""
        v = op.operands[i]
        if v not in self._bool_words:
            arr = self.const_array(v)
            assert arr is not None
            owner = v.owner
            assert isinstance(owner, Operation)
            name = _loc_name(owner) + "_bool"
            self._bool_words[v] = self.new_constant(name, (arr != 0).astype(np.float32), loc)
        shape = _shape(v)
        return self.view(self._bool_words[v], (1,) * (len(out_shape) - len(shape)) + shape, loc)

    def operand_buf(
        self, op: Operation, i: int, out_shape: tuple[int, ...], loc: Attribute
    ) -> SSAValue:
        """Buffer of operand i viewed at the output rank (batch-norm params along dim 1)."""
        v = op.operands[i]
        buf = self.value(v)
        shape = _shape(v)
        rank = len(out_shape)
        if op.name == "nn.batch_normalization" and i > 0:
            full = [1] * rank
            full[1] = shape[0]
            return self.view(buf, full, loc)
        return self.view(buf, (1,) * (rank - len(shape)) + shape, loc)

    def folded_bn(
        self, op: Operation, pos: int, out_shape: tuple[int, ...], loc: Attribute
    ) -> tuple[SSAValue, SSAValue] | None:
        if pos != 0 or _et(op.results[0]) != f32:
            return None
        vals = [self.const_array(v) for v in op.operands[1:5]]
        if any(v is None for v in vals):
            return None
        scale, b, mean, var = (np.asarray(v, np.float64) for v in vals)  # type: ignore[arg-type]
        eps = _float(op, "epsilon", 1e-5)
        s = scale / np.sqrt(var + np.float32(eps))
        t = b - mean * s
        base = _loc_name(op)
        full = [1] * len(out_shape)
        full[1] = s.shape[0]
        sb = self.view(self.new_constant(base + "_bn_scale", s.astype(np.float32), loc), full, loc)
        tb = self.view(self.new_constant(base + "_bn_shift", t.astype(np.float32), loc), full, loc)
        return sb, tb

    @staticmethod
    def ew_in(buf: SSAValue, out_tile_of: tuple[int, ...], phase: str = "epi") -> In:
        """Placeholder In over the full output; `retile` fixes sizes for the chosen tile."""
        shape = _shape(buf)
        offs = [
            ZERO if s == 1 and o != 1 else _o(d)
            for d, (s, o) in enumerate(zip(shape, out_tile_of, strict=True))
        ]
        return In(buf, shape, offs, None, phase)

    @staticmethod
    def retile(ins: list[In], out_tile: tuple[int, ...]) -> list[In]:
        out = []
        for i in ins:
            sizes = tuple(1 if not a.terms else t for a, t in zip(i.offs, out_tile, strict=True))
            out.append(In(i.src, sizes, i.offs, i.pad, i.phase))
        return out

    # -- driver -------------------------------------------------------------------------

    def run(self) -> None:
        fn = self.fn
        old = fn.body.block
        n_out = len(fn.function_type.outputs.data)
        for a in old.args:
            new = self.block.insert_arg(
                tile.buffer_type(_shape(a), _et(a), tile.DRAM), len(self.block.args)
            )
            new.name_hint = a.name_hint
            self.buf[a] = new
        outs = []
        for t in fn.function_type.outputs.data:
            assert isinstance(t, TensorType)
            outs.append(
                self.block.insert_arg(
                    tile.buffer_type(t.get_shape(), t.get_element_type(), tile.DRAM),
                    len(self.block.args),
                )
            )
        ops = list(old.ops)
        groups = self.plan_groups(ops)
        if self.opts.inplace_concat:
            self.plan_concats(ops, groups)
        ret: func.ReturnOp | None = None
        for op in ops:
            if isinstance(op, func.ReturnOp):
                ret = op
            elif op.name == "nn.constant":
                continue
            elif op.name in VIEWS:
                self.buf[op.results[0]] = self.view(
                    self.value(op.operands[0]), _shape(op.results[0]), op.location
                )
            elif op.results and all(0 in _shape(r) for r in op.results):
                for r in op.results:  # no elements: a buffer of 0 bytes, no kernel
                    self.result_buffer(r, op.location)
            elif op.name == "nn.split":
                self.lower_split(op)
            elif op.name == "nn.tile":
                self.lower_tile(op)
            elif op.name == "nn.resize":
                self.lower_resize(op)
            elif op.name == "nn.top_k":
                self.lower_top_k(op)
            elif op in groups:
                self.lower_group(groups[op])
        assert ret is not None
        for i, v in enumerate(ret.operands):
            self.bind_output(self.value(v), outs[i], v)
        self.emit(func.ReturnOp(), ret.location)
        # swap the body in
        names = fn.attributes.get("nn.output_names")
        out_names = (
            [s.data for s in names.data]
            if isinstance(names, ArrayAttr)
            else [f"output{i}" for i in range(n_out)]
        )  # type: ignore[union-attr]
        in_attrs = (
            list(fn.arg_attrs.data)
            if fn.arg_attrs is not None
            else [DictionaryAttr({}) for _ in old.args]
        )
        out_attrs = [DictionaryAttr({"tile.output": StringAttr(n)}) for n in out_names]
        fn.body.detach_block(old)
        fn.body.add_block(self.block)
        fn.function_type = func.FunctionType.from_lists([a.type for a in self.block.args], [])
        fn.arg_attrs = ArrayAttr(in_attrs + out_attrs)
        fn.res_attrs = None

    def bind_output(self, buf: SSAValue, out: SSAValue, v: SSAValue) -> None:
        if buf in self._allocs and isinstance(buf.owner, tile.AllocOp):
            self._allocs.discard(buf)
            alloc = buf.owner
            buf.replace_all_uses_with(out)
            alloc.detach()
            alloc.erase()
            for k, b in list(self.buf.items()):
                if b is buf:
                    self.buf[k] = out
            return
        owner = v.owner
        if 0 in _shape(out):
            return  # nothing to copy
        # a graph output that is a graph input (Identity, Dropout in inference) is a copy
        loc = owner.location if isinstance(owner, Operation) else self.fn.location
        kb = KernelBuilder(loc, self.params)
        shape = _shape(out)
        z = [kb.c(0)] * len(shape)
        tok = kb.add(tile.DmaStartOp(buf, z, out, z, shape)).results[0]
        kb.add(tile.DmaWaitOp(tok))
        self.emit(kb.finish(), loc)

    def lower_group(self, group: list[Operation]) -> None:
        head, chain = group[0], group[1:]
        loc = head.location
        last = group[-1].results[0]
        try:
            if head.name == "nn.concat":
                self.lower_concat(head)
                return
            maps = _row_maps(head) if head.name in ("nn.slice", "nn.pad") else None
            if maps is not None:
                self.lower_row_maps(head, maps)
                return
            if head.name == "nn.slice":
                self.lower_slice(head)
                return
            out = self.result_buffer(last, loc)
            lower = getattr(self, "lower_" + head.name[3:])
            spec = lower(head, chain, out, loc)
        except TileChoiceError as e:
            raise DiagnosticException(f"{loc}: error: cannot tile {head.name}: {e}") from e
        kb = KernelBuilder(loc, self.params)
        self.emit(emit_kernel(spec, kb, spec.double_buffer), loc)

    def choose(
        self,
        build: Callable[[tuple[int, ...]], Spec | None],
        dims: Sequence[Sequence[int]],
        block_dim: int | None = None,
    ) -> Spec:
        return choose(build, dims, self.params, self.opts.double_buffer, block_dim)

    # -- per-op lowerings: each returns the chosen Spec -----------------------------------

    def lower_elementwise(
        self, head: Operation, chain: list[Operation], out: SSAValue, loc: Attribute
    ) -> Spec:
        shape = _shape(out)
        feeds, ins = self.feeds(head, range(len(head.operands)), shape, loc)
        steps, more = self.chain_steps(chain, head.results[0], shape, loc)
        steps = [_fed_step(head, None, feeds)] + steps
        ins += more
        epi = make_epilogue(steps, from_acc=False)
        n_ops = len(group_ops := [head, *chain]) + sum(len(o.operands) for o in group_ops)

        def build(tiles: tuple[int, ...]) -> Spec:
            (t,) = tiles
            return Spec(
                out, t, ins=self.retile(ins, t), epilogue=epi, work=math.prod(shape) * n_ops
            )

        return self.choose(build, [budget_candidates(shape)])

    def lower_trilu(
        self, op: Operation, chain: list[Operation], out: SSAValue, loc: Attribute
    ) -> Spec:
        """Upper/lower triangle: an elementwise select against a compile-time mask of the
        last two dims (broadcast over the batch dims), held as f32 0/1 so that f32 code
        carries no i1 buffer."""
        shape = _shape(out)
        rows, cols = (1, *shape)[-2:]
        diff = np.arange(cols)[None, :] - np.arange(rows)[:, None]
        k = _int(op, "k", 0)
        keep = diff >= k if _int(op, "upper", 1) else diff <= k
        mask_shape = (1,) * (len(shape) - 2) + tuple(shape[-2:])
        mask = self.new_constant(_loc_name(op) + "_mask", keep.reshape(mask_shape), loc)
        x = self.view(self.value(op.operands[0]), shape, loc)
        ins = [self.ew_in(x, shape), self.ew_in(mask, shape)]

        def step(mb: MapBody, _v: SSAValue | None, b: list[SSAValue]) -> SSAValue:
            hit = mb.emit(arith.CmpfOp(b[1], mb.const(0.0, f32), "one"))
            return mb.emit(arith.SelectOp(hit, b[0], mb.const(0, tile.scalar_type(_et(out)))))

        more_steps, more_ins = self.chain_steps(chain, op.results[0], shape, loc)
        epi = make_epilogue([(step, 2), *more_steps], from_acc=False)
        ins += more_ins

        def build(tiles: tuple[int, ...]) -> Spec:
            (t,) = tiles
            return Spec(out, t, ins=self.retile(ins, t), epilogue=epi, work=math.prod(shape) * 2)

        return self.choose(build, [budget_candidates(shape)])

    def fold_batchnorm(
        self, op: Operation, chain: list[Operation], loc: Attribute
    ) -> tuple[SSAValue, SSAValue] | None:
        """Fold a batch norm that directly follows a conv into the conv's weights and bias
        (w' = w * s, b' = b * s + t with s = scale / sqrt(var + eps), t = b_bn - mean * s)
        when every value is a compile-time constant; None otherwise."""
        if not chain or chain[0].name != "nn.batch_normalization":
            return None
        bn = chain[0]
        if bn.operands[0] is not op.results[0] or _et(bn.results[0]) != f32:
            return None
        params = [self.const_array(v) for v in bn.operands[1:5]]
        weight = self.const_array(op.operands[1])
        if weight is None or any(p is None for p in params):
            return None
        co = weight.shape[0]
        bias = (
            self.const_array(op.operands[2]) if len(op.operands) > 2 else np.zeros(co, np.float32)
        )
        if bias is None:
            return None
        scale, b, mean, var = (np.asarray(p, np.float64) for p in params)  # type: ignore[arg-type]
        s = scale / np.sqrt(var + np.float32(_float(bn, "epsilon", 1e-5)))
        t = b - mean * s
        w2 = (np.asarray(weight, np.float64) * s[:, None, None, None]).astype(np.float32)
        b2 = (np.asarray(bias, np.float64) * s + t).astype(np.float32)
        base = _loc_name(op)
        return self.new_constant(base + "_w_bn", w2, loc), self.new_constant(
            base + "_b_bn", b2, loc
        )

    def lower_conv(
        self, op: Operation, chain: list[Operation], out: SSAValue, loc: Attribute
    ) -> Spec:
        if len(_shape(op.operands[0])) == 5:
            return self.lower_conv3d(op, chain, out, loc)
        folded = self.fold_batchnorm(op, chain, loc)
        head = op.results[0]  # the value the epilogue chain starts from
        if folded is not None:
            w, bias = folded
            head = chain[0].results[0]
            chain = chain[1:]
        else:
            w = self.value(op.operands[1])
            bias = self.value(op.operands[2]) if len(op.operands) > 2 else None
        x = self.value(op.operands[0])
        n, c, h, wd = _shape(op.operands[0])
        co, cg, kh, kw = _shape(op.operands[1])
        _, _, ho, wo = _shape(out)
        sh, sw = (_ints(op, "strides", [1, 1]) + [1, 1])[:2]
        dh, dw = (_ints(op, "dilations", [1, 1]) + [1, 1])[:2]
        pt, pl, _, _ = (_ints(op, "pads", [0, 0, 0, 0]) + [0] * 4)[:4]
        groups = max(1, _int(op, "group", 1))
        og = co // groups
        padded = any(_ints(op, "pads", [0]))
        steps: list[Step] = []
        epi_ins: list[In] = []
        if bias is not None:
            epi_ins.append(self.ew_in(self.view(bias, (1, co, 1, 1), loc), _shape(out)))
            steps.append((lambda mb, v, b: mb.emit(arith.AddfOp(v, b[0])), 1))
        more_steps, more_ins = self.chain_steps(chain, head, _shape(out), loc)
        epi = make_epilogue(steps + more_steps, from_acc=True)
        epi_ins += more_ins
        win_w = (wo - 1) * sw + (kw - 1) * dw + 1
        o = self.opts

        def build(tiles: tuple[int, ...]) -> Spec | None:
            co_t, ho_t, ci_t = tiles
            if groups == 1:
                tg, xc, cin = 1, ci_t, Ax((("r", 0, 1, 1),))
                red = ((cg,), (ci_t,))
            elif og % co_t == 0:  # the tile lies inside one group: reduce over its channels
                tg, xc = 1, ci_t
                cin = Ax((("o", 1, cg, og), ("r", 0, 1, 1)))
                red = ((cg,), (ci_t,))
            elif co_t % og == 0 and ci_t == cg:  # whole groups per tile (depthwise)
                tg, xc = co_t // og, (co_t // og) * cg
                cin = Ax((("o", 1, cg, og),))
                red = ((), ())
            else:
                return None
            hin = (ho_t - 1) * sh + (kh - 1) * dh + 1
            xin = In(
                x,
                (1, xc, hin, win_w),
                [_o(0), cin, _o(2, sh, -pt), Ax(const=-pl)],
                0.0 if padded else None,
            )
            wk = Ax((("r", 0, 1, 1),)) if red[0] else ZERO
            win = In(w, (co_t, cg if not red[0] else ci_t, kh, kw), [_o(1), wk, ZERO, ZERO])
            t = (1, co_t, ho_t, wo)
            strides, dil = (sh, sw), (dh, dw)

            def compute(
                kb: KernelBuilder,
                bufs: list[SSAValue],
                temps: list[SSAValue],
                acc: SSAValue,
                first: SSAValue | None,
            ) -> None:
                if first is not None:
                    zero = Block()
                    with kb.nested(zero):
                        kb.add(tile.FillOp(acc, 0.0))
                        kb.add(scf.YieldOp())
                    kb.add(scf.IfOp(first, [], [zero]))
                kb.add(
                    tile.ConvOp(
                        bufs[0], bufs[1], acc, strides, dil, tg, accumulate=first is not None
                    )
                )

            return Spec(
                out,
                t,
                red[0],
                red[1],
                [xin, win] + self.retile(epi_ins, t),
                [],
                compute,
                epi,
                work=n * co * ho * wo * cg * kh * kw,
            )

        co_c = candidates(co, o.tile_co)
        if groups > 1 and not o.tile_co:
            co_c = sorted(
                {d for d in candidates(og, 0) if og % d == 0}
                | {og * k for k in candidates(groups) if groups % k == 0 or og * k <= co}
            )
        ci_c = divisor_candidates(cg, o.tile_ci)
        return self.choose(build, [co_c, candidates(ho, o.tile_h), ci_c], block_dim=1)

    def lower_conv3d(
        self, op: Operation, chain: list[Operation], out: SSAValue, loc: Attribute
    ) -> Spec:
        """A 3-D convolution as a sum of 2-D ones over the depth taps: the tile grid
        covers (co, output depth 1 at a time, rows), the reduction runs over input-channel
        tiles and the Kd taps; each step DMAs one input depth plane and one weight slice
        and runs tile.conv on rank-4 views of those VTCM tiles, accumulating."""
        x = self.value(op.operands[0])
        w = self.value(op.operands[1])
        bias = self.value(op.operands[2]) if len(op.operands) > 2 else None
        n, c, _, _, _ = _shape(op.operands[0])
        co, cg, kd, kh, kw = _shape(op.operands[1])
        _, _, do_, ho, wo = _shape(out)
        sd, sh, sw = (_ints(op, "strides", [1, 1, 1]) + [1, 1, 1])[:3]
        dd, dh, dw = (_ints(op, "dilations", [1, 1, 1]) + [1, 1, 1])[:3]
        pads = (_ints(op, "pads", [0] * 6) + [0] * 6)[:6]
        pd, pt, pl = pads[:3]
        padded = any(pads)
        groups = max(1, _int(op, "group", 1))
        og = co // groups
        et = _et(out)
        steps: list[Step] = []
        epi_ins: list[In] = []
        if bias is not None:
            epi_ins.append(self.ew_in(self.view(bias, (1, co, 1, 1, 1), loc), _shape(out)))
            steps.append((lambda mb, v, b: mb.emit(arith.AddfOp(v, b[0])), 1))
        more_steps, more_ins = self.chain_steps(chain, op.results[0], _shape(out), loc)
        epi = make_epilogue(steps + more_steps, from_acc=True)
        epi_ins += more_ins
        win_w = (wo - 1) * sw + (kw - 1) * dw + 1
        o = self.opts

        def build(tiles: tuple[int, ...]) -> Spec | None:
            co_t, ho_t, ci_t = tiles
            if groups == 1 or og % co_t == 0:  # the tile lies inside one group
                tg, xc, ci_w = 1, ci_t, ci_t
                cin = Ax((("r", 0, 1, 1),))
                if groups > 1:
                    cin = Ax((("o", 1, cg, og), ("r", 0, 1, 1)))
                red_ext, red_t, kd_dim = (cg, kd), (ci_t, 1), 1
                wk = Ax((("r", 0, 1, 1),))
            elif co_t % og == 0 and ci_t == cg:  # whole groups per tile
                tg, xc, ci_w = co_t // og, (co_t // og) * cg, cg
                cin = Ax((("o", 1, cg, og),))
                red_ext, red_t, kd_dim = (kd,), (1,), 0
                wk = ZERO
            else:
                return None
            hin = (ho_t - 1) * sh + (kh - 1) * dh + 1
            depth = Ax((("o", 2, sd, 1), ("r", kd_dim, dd, 1)), -pd)
            xin = In(
                x,
                (1, xc, 1, hin, win_w),
                [_o(0), cin, depth, _o(3, sh, -pt), Ax(const=-pl)],
                0.0 if padded else None,
            )
            win = In(
                w,
                (co_t, ci_w, 1, kh, kw),
                [_o(1), wk, Ax((("r", kd_dim, 1, 1),)), ZERO, ZERO],
            )
            t = (1, co_t, 1, ho_t, wo)

            def compute(
                kb: KernelBuilder,
                bufs: list[SSAValue],
                temps: list[SSAValue],
                acc: SSAValue,
                first: SSAValue | None,
            ) -> None:
                def flat(buf: SSAValue, shape: tuple[int, ...]) -> SSAValue:
                    typ = tile.buffer_type(shape, _et(buf), tile.VTCM)
                    return kb.add(tile.ViewOp(buf, typ)).results[0]

                if first is not None:
                    zero = Block()
                    with kb.nested(zero):
                        kb.add(tile.FillOp(acc, 0.0))
                        kb.add(scf.YieldOp())
                    kb.add(scf.IfOp(first, [], [zero]))
                kb.add(
                    tile.ConvOp(
                        flat(bufs[0], (1, xc, hin, win_w)),
                        flat(bufs[1], (co_t, ci_w, kh, kw)),
                        flat(acc, (1, co_t, ho_t, wo)),
                        (sh, sw),
                        (dh, dw),
                        tg,
                        accumulate=first is not None,
                    )
                )

            return Spec(
                out,
                t,
                red_ext,
                red_t,
                [xin, win] + self.retile(epi_ins, t),
                [],
                compute,
                epi,
                work=n * co * do_ * ho * wo * cg * kd * kh * kw,
            )

        co_c = candidates(co, o.tile_co)
        if groups > 1 and not o.tile_co:
            co_c = sorted(
                {d for d in candidates(og, 0) if og % d == 0}
                | {og * k for k in candidates(groups) if groups % k == 0 or og * k <= co}
            )
        ci_c = divisor_candidates(cg, o.tile_ci)
        return self.choose(build, [co_c, candidates(ho, o.tile_h), ci_c], block_dim=1)

    def lower_matmul_like(
        self, op: Operation, chain: list[Operation], out: SSAValue, loc: Attribute, gemm: bool
    ) -> Spec:
        a_v, b_v = op.operands[0], op.operands[1]
        a_s, b_s = _shape(a_v), _shape(b_v)
        ta = bool(_int(op, "trans_a", 0)) if gemm else False
        tb = bool(_int(op, "trans_b", 0)) if gemm else False
        # 1-D promotion (numpy matmul): view operands and result as matrices
        if len(a_s) == 1:
            a_s = (1, a_s[0])
        if len(b_s) == 1:
            b_s = (b_s[0], 1)
        m = a_s[-1] if ta else a_s[-2]
        k = a_s[-2] if ta else a_s[-1]
        nn_ = b_s[-2] if tb else b_s[-1]
        batch = tuple(np.broadcast_shapes(a_s[:-2], b_s[:-2]))
        full = batch + (m, nn_)
        rank = len(full)
        a = self.view(self.value(a_v), (1,) * (rank - len(a_s)) + a_s, loc)
        b = self.view(self.value(b_v), (1,) * (rank - len(b_s)) + b_s, loc)
        res = self.view(out, full, loc)
        steps: list[Step] = []
        epi_ins: list[In] = []
        alpha, beta = (_float(op, "alpha", 1.0), _float(op, "beta", 1.0)) if gemm else (1.0, 1.0)
        if alpha != 1.0:
            steps.append((lambda mb, v, _b: mb.emit(arith.MulfOp(v, mb.const(alpha))), 0))
        if gemm and len(op.operands) > 2:
            c_s = _shape(op.operands[2])
            cb = self.view(self.value(op.operands[2]), (1,) * (rank - len(c_s)) + c_s, loc)
            epi_ins.append(self.ew_in(cb, full))
            if beta != 1.0:
                steps.append(
                    (
                        lambda mb, v, bb: mb.emit(
                            arith.AddfOp(v, mb.emit(arith.MulfOp(bb[0], mb.const(beta))))
                        ),
                        1,
                    )
                )
            else:
                steps.append((lambda mb, v, bb: mb.emit(arith.AddfOp(v, bb[0])), 1))
        # plan_groups fuses nothing after a matmul with a 1-D operand, so chain shapes are `full`
        more_steps, more_ins = self.chain_steps(chain, op.results[0], full, loc)
        epi = make_epilogue(steps + more_steps, from_acc=True)
        epi_ins += more_ins
        o = self.opts
        nb = len(batch)

        def batch_offs(shape: tuple[int, ...]) -> list[Ax]:
            return [ZERO if shape[d] == 1 and full[d] != 1 else _o(d) for d in range(nb)]

        def build(tiles: tuple[int, ...]) -> Spec:
            m_t, n_t, k_t = tiles
            kx = Ax((("r", 0, 1, 1),))
            a_in = In(
                a,
                (1,) * nb + ((k_t, m_t) if ta else (m_t, k_t)),
                batch_offs(_shape(a)) + ([kx, _o(nb)] if ta else [_o(nb), kx]),
            )
            b_in = In(
                b,
                (1,) * nb + ((n_t, k_t) if tb else (k_t, n_t)),
                batch_offs(_shape(b)) + ([_o(nb + 1), kx] if tb else [kx, _o(nb + 1)]),
            )
            t = (1,) * nb + (m_t, n_t)

            def compute(
                kb: KernelBuilder,
                bufs: list[SSAValue],
                temps: list[SSAValue],
                acc: SSAValue,
                first: SSAValue | None,
            ) -> None:
                if first is not None:
                    zero = Block()
                    with kb.nested(zero):
                        kb.add(tile.FillOp(acc, 0.0))
                        kb.add(scf.YieldOp())
                    kb.add(scf.IfOp(first, [], [zero]))
                kb.add(
                    tile.MatmulOp(
                        bufs[0],
                        bufs[1],
                        acc,
                        transpose_a=ta,
                        transpose_b=tb,
                        accumulate=first is not None,
                    )
                )

            return Spec(
                res,
                t,
                (k,),
                (k_t,),
                [a_in, b_in] + self.retile(epi_ins, t),
                [],
                compute,
                epi,
                work=math.prod(full) * k,
            )

        return self.choose(
            build,
            [candidates(m, o.tile_m), candidates(nn_, o.tile_n), divisor_candidates(k, o.tile_k)],
            block_dim=nb,
        )

    def lower_mat_mul(
        self, op: Operation, chain: list[Operation], out: SSAValue, loc: Attribute
    ) -> Spec:
        return self.lower_matmul_like(op, chain, out, loc, gemm=False)

    def lower_gemm(
        self, op: Operation, chain: list[Operation], out: SSAValue, loc: Attribute
    ) -> Spec:
        return self.lower_matmul_like(op, chain, out, loc, gemm=True)

    def lower_pool(
        self, op: Operation, chain: list[Operation], out: SSAValue, loc: Attribute, kind: str
    ) -> Spec:
        """Max, average and Lp pooling over 2 or 3 spatial dims (1-D ones were lifted to
        2-D): tiles of channels x rows of the first spatial dim, the other spatial dims
        whole. Lp: |x|^p maps the input tile in place, a `sum` window, then ^(1/p)."""
        x = self.value(op.operands[0])
        in_shape = _shape(op.operands[0])
        out_shape = _shape(out)
        n, c = in_shape[:2]
        sp = len(in_shape) - 2
        spatial, o_sp = in_shape[2:], out_shape[2:]
        k = _ints(op, "kernel_shape")[:sp]
        st = (_ints(op, "strides", [1] * sp) + [1] * sp)[:sp]
        dl = (_ints(op, "dilations", [1] * sp) + [1] * sp)[:sp]
        pads = (_ints(op, "pads", [0] * 2 * sp) + [0] * 2 * sp)[: 2 * sp]
        lo, hi = pads[:sp], pads[sp:]
        ext = [
            (o - 1) * s_ + (kk - 1) * d + 1 for o, s_, kk, d in zip(o_sp, st, k, dl, strict=True)
        ]
        overhang = any(e > i + a + b for e, i, a, b in zip(ext, spatial, lo, hi, strict=True))
        needs_fill = any(pads) or overhang
        et = _et(out)
        steps: list[Step] = []
        epi_ins: list[In] = []
        pw = float(_int(op, "p", 2)) if kind == "lp" else 0.0
        if kind == "sum":  # average pooling: divide by the per-position count
            include = bool(_int(op, "count_include_pad", 0))
            counts = _pool_counts(spatial, o_sp, k, st, dl, pads, include)
            if np.all(counts == counts.flat[0]):
                inv = float(np.float32(1.0) / np.float32(counts.flat[0]))
                steps.append((lambda mb, v, _b: mb.emit(arith.MulfOp(v, mb.const(inv))), 0))
            else:
                cb = self.new_constant(
                    _loc_name(op) + "_inv_count",
                    (1.0 / counts).reshape(1, 1, *o_sp),
                    loc,
                    et,
                )
                epi_ins.append(self.ew_in(cb, out_shape))
                steps.append((lambda mb, v, b: mb.emit(arith.MulfOp(v, b[0])), 1))
        elif kind == "lp":
            steps.append((lambda mb, v, _b: mb.emit(mathd.PowFOp(v, mb.const(1.0 / pw))), 0))
        more_steps, more_ins = self.chain_steps(chain, op.results[0], out_shape, loc)
        epi = make_epilogue(steps + more_steps, from_acc=True)
        epi_ins += more_ins
        fill = _lowest(et) if kind == "max" else 0.0
        win_rest = tuple(ext[1:])

        def build(tiles: tuple[int, ...]) -> Spec:
            c_t, h_t = tiles
            hin = (h_t - 1) * st[0] + (k[0] - 1) * dl[0] + 1
            xin = In(
                x,
                (1, c_t, hin, *win_rest),
                [_o(0), _o(1), _o(2, st[0], -lo[0])] + [Ax(const=-p_) for p_ in lo[1:]],
                fill if needs_fill else None,
            )
            t = (1, c_t, h_t, *o_sp[1:])
            pool_kind = "max" if kind == "max" else "sum"

            def compute(
                kb: KernelBuilder,
                bufs: list[SSAValue],
                temps: list[SSAValue],
                acc: SSAValue,
                first: SSAValue | None,
            ) -> None:
                if kind == "lp":  # the input tile is this step's own: map it in place
                    mb = MapBody(_et(acc))
                    v = mb.emit(mathd.AbsFOp(mb.arg(bufs[0])))
                    mb.build(kb, mb.emit(mathd.PowFOp(v, mb.const(pw))), bufs[0])
                kb.add(
                    tile.PoolOp(
                        bufs[0], acc, pool_kind, (1, 1, *k), (1, 1, *st), (1, 1, *dl)
                    )
                )

            return Spec(
                out,
                t,
                ins=[xin] + self.retile(epi_ins, t),
                compute=compute,
                epilogue=epi,
                work=math.prod(out_shape) * math.prod(k) * (3 if kind == "lp" else 1),
            )

        return self.choose(
            build, [candidates(c, self.opts.tile_c), candidates(o_sp[0], self.opts.tile_h)]
        )

    def lower_lp_pool(
        self, op: Operation, chain: list[Operation], out: SSAValue, loc: Attribute
    ) -> Spec:
        return self.lower_pool(op, chain, out, loc, "lp")

    def lower_max_pool(
        self, op: Operation, chain: list[Operation], out: SSAValue, loc: Attribute
    ) -> Spec:
        return self.lower_pool(op, chain, out, loc, "max")

    def lower_average_pool(
        self, op: Operation, chain: list[Operation], out: SSAValue, loc: Attribute
    ) -> Spec:
        return self.lower_pool(op, chain, out, loc, "sum")

    def lower_global(
        self, op: Operation, chain: list[Operation], out: SSAValue, loc: Attribute, kind: str
    ) -> Spec:
        x = self.value(op.operands[0])
        in_shape = _shape(op.operands[0])
        n, c, sp = in_shape[0], in_shape[1], in_shape[2:]
        steps: list[Step] = []
        if kind == "add":
            inv = float(np.float32(1.0) / np.float32(math.prod(sp)))
            steps.append((lambda mb, v, _b: mb.emit(arith.MulfOp(v, mb.const(inv))), 0))
        more_steps, epi_ins = self.chain_steps(chain, op.results[0], _shape(out), loc)
        epi = make_epilogue(steps + more_steps, from_acc=True)

        def build(tiles: tuple[int, ...]) -> Spec:
            (c_t,) = tiles
            t = (1, c_t, *(1 for _ in sp))

            def compute(
                kb: KernelBuilder,
                bufs: list[SSAValue],
                temps: list[SSAValue],
                acc: SSAValue,
                first: SSAValue | None,
            ) -> None:
                kb.add(tile.ReduceOp(bufs[0], acc, kind, tuple(range(2, 2 + len(sp)))))

            xin = In(x, (1, c_t, *sp), [_o(0), _o(1), *(ZERO for _ in sp)])
            return Spec(
                out,
                t,
                ins=[xin] + self.retile(epi_ins, t),
                compute=compute,
                epilogue=epi,
                work=n * c * math.prod(sp),
            )

        return self.choose(build, [candidates(c, self.opts.tile_c)])

    def lower_reduce(
        self, op: Operation, chain: list[Operation], out: SSAValue, loc: Attribute
    ) -> Spec:
        """One tile.reduce over the whole reduced extent of each output tile; the kinds
        tile.reduce lacks are maps around an add or max (into a VTCM temporary)."""
        x = self.value(op.operands[0])
        in_shape = _shape(op.operands[0])
        rank = len(in_shape)
        axes = sorted({a % rank for a in _ints(op, "axes")} or set(range(rank)))
        kept = tuple(1 if d in axes else s for d, s in enumerate(in_shape))
        # a rank-dropping result is written through its keepdims view (never fused)
        out = self.view(out, kept, loc)
        kind = op.name.removeprefix("nn.reduce_")
        count = math.prod(in_shape[d] for d in axes)
        et = _et(op.operands[0])
        fl = _is_float(et)
        if count == 0:
            return self.empty_reduction(op, chain, out, loc, kind, kept)

        def flip(mb: MapBody, v: SSAValue) -> SSAValue:
            """An order-reversing map (min = flip(max(flip(x)))): -x for floats, ~x for
            integers, signed or unsigned (and bools)."""
            if fl:
                return mb.emit(arith.NegfOp(v))
            return mb.emit(arith.XOrIOp(v, mb.const(1 if _is_bool(et) else -1)))

        def abs_int(mb: MapBody, v: SSAValue) -> Operation:
            if _is_unsigned(et):  # |x| = x: an identity op keeps the lambda's shape
                return arith.MaxUIOp(v, mb.const(0))
            return mathd.AbsIOp(v)
        steps: list[Step] = []
        if kind == "mean":
            inv = float(np.float32(1.0) / np.float32(count))
            steps.append((lambda mb, v, _b: mb.emit(arith.MulfOp(v, mb.const(inv))), 0))
        elif kind == "l2":
            steps.append((lambda mb, v, _b: mb.emit(mathd.SqrtOp(v)), 0))
        elif kind == "log_sum":
            steps.append((lambda mb, v, _b: mb.emit(mathd.LogOp(v)), 0))
        elif kind == "min":
            steps.append((lambda mb, v, _b: flip(mb, v), 0))
        more_steps, epi_ins = self.chain_steps(chain, op.results[0], kept, loc)
        epi = make_epilogue(steps + more_steps, from_acc=True)
        pre: dict[str, Callable[[MapBody, SSAValue], SSAValue]] = {
            "min": flip,
            "l1": lambda mb, v: mb.emit(mathd.AbsFOp(v) if fl else abs_int(mb, v)),
            "l2": lambda mb, v: mb.emit(arith.MulfOp(v, v)),
            "sum_square": lambda mb, v: mb.emit(arith.MulfOp(v, v) if fl else arith.MuliOp(v, v)),
        }
        red = "max" if kind in ("max", "min") else "mul" if kind == "prod" else "add"

        def build(tiles: tuple[int, ...]) -> Spec:
            (t,) = tiles
            in_t = tuple(in_shape[d] if d in axes else s for d, s in enumerate(t))

            def compute(
                kb: KernelBuilder,
                bufs: list[SSAValue],
                temps: list[SSAValue],
                acc: SSAValue,
                first: SSAValue | None,
            ) -> None:
                xb = bufs[0]
                if kind == "log_sum_exp":
                    tmp, mx = temps
                    kb.add(tile.ReduceOp(xb, mx, "max", tuple(axes)))
                    mb = MapBody(_et(acc))
                    d = mb.emit(arith.SubfOp(mb.arg(xb), mb.arg(mx)))
                    mb.build(kb, mb.emit(mathd.ExpOp(d)), tmp)
                    kb.add(tile.ReduceOp(tmp, acc, "add", tuple(axes)))
                    mb = MapBody(_et(acc))
                    lg = mb.emit(mathd.LogOp(mb.arg(acc)))
                    mb.build(kb, mb.emit(arith.AddfOp(lg, mb.arg(mx))), acc)
                    return
                if kind in pre:
                    (tmp,) = temps
                    mb = MapBody(_et(acc))
                    mb.build(kb, pre[kind](mb, mb.arg(xb)), tmp)
                    xb = tmp
                kb.add(tile.ReduceOp(xb, acc, red, tuple(axes)))

            temps: list[tuple[int, ...]] = []
            if kind == "log_sum_exp":
                temps = [in_t, t]
            elif kind in pre:
                temps = [in_t]
            xin = In(x, in_t, [ZERO if d in axes else _o(d) for d in range(rank)])
            return Spec(
                out,
                t,
                ins=[xin] + self.retile(epi_ins, t),
                temps=temps,
                compute=compute,
                epilogue=epi,
                work=math.prod(in_shape) * (3 if kind in pre or kind == "log_sum_exp" else 1),
            )

        # budgets count input elements: each output element reads `count` of them
        tiles = {fill_tile(kept, max(1, (1 << k) // count)) for k in range(6, 25)}
        tiles.add(kept)
        return self.choose(build, [sorted(tiles)])

    def lower_arg_max(
        self, op: Operation, chain: list[Operation], out: SSAValue, loc: Attribute
    ) -> Spec:
        """ArgMax/ArgMin: tile.reduce argmax/argmin over the whole axis of each tile."""
        x = self.value(op.operands[0])
        in_shape = _shape(op.operands[0])
        rank = len(in_shape)
        axis = _int(op, "axis", 0) % rank
        kept = tuple(1 if d == axis else s for d, s in enumerate(in_shape))
        out = self.view(out, kept, loc)
        kind = "argmax" if op.name == "nn.arg_max" else "argmin"
        last = bool(_int(op, "select_last_index", 0))
        more_steps, epi_ins = self.chain_steps(chain, op.results[0], kept, loc)
        epi = make_epilogue(more_steps, from_acc=True)

        def build(tiles: tuple[int, ...]) -> Spec:
            (t,) = tiles
            in_t = tuple(in_shape[d] if d == axis else s for d, s in enumerate(t))

            def compute(
                kb: KernelBuilder,
                bufs: list[SSAValue],
                temps: list[SSAValue],
                acc: SSAValue,
                first: SSAValue | None,
            ) -> None:
                kb.add(tile.ReduceOp(bufs[0], acc, kind, (axis,), last))

            xin = In(x, in_t, [ZERO if d == axis else _o(d) for d in range(rank)])
            return Spec(
                out,
                t,
                ins=[xin] + self.retile(epi_ins, t),
                compute=compute,
                epilogue=epi,
                work=math.prod(in_shape),
            )

        tiles = {fill_tile(kept, max(1, (1 << k) // in_shape[axis])) for k in range(6, 25)}
        tiles.add(kept)
        return self.choose(build, [sorted(tiles)])

    lower_arg_min = lower_arg_max

    def lower_gather(
        self, op: Operation, chain: list[Operation], out: SSAValue, loc: Attribute
    ) -> Spec:
        """Gather with runtime indices: data viewed as [P, A, Q] around the axis, the
        indices as [1, I, 1], the result as [P, I, Q]; each output tile reads the whole
        axis of its data rows and its part of the indices (tile.gather, axis 1).
        GatherElements keeps the ranks: data tiles span the axis, indices tile as y."""
        data = op.operands[0]
        dshape = _shape(data)
        rank = len(dshape)
        axis = _int(op, "axis", 0) % rank
        if op.name == "nn.gather":
            p_, a_, q_ = math.prod(dshape[:axis]), dshape[axis], math.prod(dshape[axis + 1 :])
            n_i = math.prod(_shape(op.operands[1]))
            x = self.view(self.value(data), (p_, a_, q_), loc)
            idx = self.view(self.value(op.operands[1]), (1, n_i, 1), loc)
            out = self.view(out, (p_, n_i, q_), loc)
            kaxis, krank = 1, 3
        else:
            x, idx = self.value(data), self.value(op.operands[1])
            kaxis, krank = axis, rank
        a_len = _shape(x)[kaxis]
        shape = _shape(out)
        ishape = _shape(idx)
        more_steps, epi_ins = self.chain_steps(chain, op.results[0], shape, loc)
        epi = make_epilogue(more_steps, from_acc=True)

        def build(tiles: tuple[int, ...]) -> Spec:
            (t,) = tiles
            xsz = tuple(a_len if d == kaxis else s for d, s in enumerate(t))
            xin = In(x, xsz, [ZERO if d == kaxis else _o(d) for d in range(krank)])
            isz = tuple(1 if ishape[d] == 1 else s for d, s in enumerate(t))
            iin = In(idx, isz, [ZERO if ishape[d] == 1 else _o(d) for d in range(krank)])

            def compute(
                kb: KernelBuilder,
                bufs: list[SSAValue],
                temps: list[SSAValue],
                acc: SSAValue,
                first: SSAValue | None,
            ) -> None:
                kb.add(tile.GatherOp(bufs[0], bufs[1], acc, kaxis))

            return Spec(
                out,
                t,
                ins=[xin, iin] + self.retile(epi_ins, t),
                compute=compute,
                epilogue=epi,
                work=math.prod(shape),
            )

        return self.choose(build, [budget_candidates(shape)])

    lower_gather_elements = lower_gather

    def lower_one_hot(
        self, op: Operation, chain: list[Operation], out: SSAValue, loc: Attribute
    ) -> Spec:
        """OneHot: the indices (viewed with a unit dim at `axis`, negative ones counted
        from `depth`, floats truncated) against a compile-time index vector along the
        axis; `values` [off, on] are map constants."""
        shape = _shape(out)
        rank = len(shape)
        axis = _int(op, "axis", -1) % rank
        depth = shape[axis]
        ishape = tuple(1 if d == axis else n for d, n in enumerate(shape))
        idx = self.view(self.value(op.operands[0]), ishape, loc)
        iota_shape = tuple(depth if d == axis else 1 for d in range(rank))
        src_et = _et(op.operands[0])
        # f32 indices and result: the whole map in f32 (truncate, wrap, compare), which
        # convert-tile-to-vx lowers; the i64 iota is for integer indices. Exact: the iota
        # (depth below 2^24) holds integers, a truncated index compares exactly with them,
        # and a wrapped one that rounds was far out of range anyway.
        in_f32 = src_et == f32 and _et(out) == f32 and depth < 2**24
        iota = self.new_constant(
            _loc_name(op) + "_iota",
            np.arange(depth).reshape(iota_shape),
            loc,
            f32 if in_f32 else i64,
        )
        vals = _prop(op, "values")
        off, on = (0.0, 1.0)
        if isinstance(vals, DenseArrayBase):
            off, on = (float(v) for v in vals.get_values())
        out_t = tile.scalar_type(_et(out))

        def step(mb: MapBody, _v: SSAValue | None, b: list[SSAValue]) -> SSAValue:
            if in_f32:
                i = mb.emit(mathd.TruncOp(b[0]))
                neg = mb.emit(arith.CmpfOp(i, mb.const(0.0, f32), "olt"))
                wrapped = mb.emit(arith.AddfOp(i, mb.const(float(depth), f32)))
                j = mb.emit(arith.SelectOp(neg, wrapped, i))
                hot = mb.emit(arith.CmpfOp(j, b[1], "oeq"))
            else:
                i = _convert(mb, b[0], src_et, i64)
                neg = mb.emit(arith.CmpiOp(i, mb.const(0, i64), "slt"))
                wrapped = mb.emit(arith.AddiOp(i, mb.const(depth, i64)))
                j = mb.emit(arith.SelectOp(neg, wrapped, i))
                hot = mb.emit(arith.CmpiOp(j, b[1], "eq"))
            return mb.emit(arith.SelectOp(hot, mb.const(on, out_t), mb.const(off, out_t)))

        ins = [self.ew_in(idx, shape), self.ew_in(iota, shape)]
        more_steps, more_ins = self.chain_steps(chain, op.results[0], shape, loc)
        epi = make_epilogue([(step, 2), *more_steps], from_acc=False)
        ins += more_ins

        def build(tiles: tuple[int, ...]) -> Spec:
            (t,) = tiles
            return Spec(out, t, ins=self.retile(ins, t), epilogue=epi, work=math.prod(shape) * 4)

        return self.choose(build, [budget_candidates(shape)])

    def lower_instance_normalization(
        self, op: Operation, chain: list[Operation], out: SSAValue, loc: Attribute
    ) -> Spec:
        return self.lower_layer_normalization(op, chain, out, loc)

    def lower_cum_sum(
        self, op: Operation, chain: list[Operation], out: SSAValue, loc: Attribute
    ) -> Spec:
        """CumSum as a `sum` window of the axis length L over the input zero-padded by
        L-1 (L when exclusive) on the side the sum comes from: y[i] sums x[i-L+1 .. i]
        forward, x[i .. i+L-1] in reverse, the padding standing for the missing terms."""
        x = self.value(op.operands[0])
        shape = _shape(out)
        rank = len(shape)
        axis = _int(op, "axis", 0) % rank
        n = shape[axis]
        excl, rev = bool(_int(op, "exclusive", 0)), bool(_int(op, "reverse", 0))
        start = (1 if excl else 0) if rev else (-n if excl else -(n - 1))
        more_steps, epi_ins = self.chain_steps(chain, op.results[0], shape, loc)
        epi = make_epilogue(more_steps, from_acc=True)
        window = tuple(n if d == axis else 1 for d in range(rank))
        ones = (1,) * rank

        def build(tiles: tuple[int, ...]) -> Spec:
            (t,) = tiles
            sizes = tuple(2 * n - 1 if d == axis else s for d, s in enumerate(t))
            offs = [Ax(const=start) if d == axis else _o(d) for d in range(rank)]

            def compute(
                kb: KernelBuilder,
                bufs: list[SSAValue],
                temps: list[SSAValue],
                acc: SSAValue,
                first: SSAValue | None,
            ) -> None:
                kb.add(tile.PoolOp(bufs[0], acc, "sum", window, ones, ones))

            return Spec(
                out,
                t,
                ins=[In(x, sizes, offs, 0.0)] + self.retile(epi_ins, t),
                compute=compute,
                epilogue=epi,
                work=math.prod(shape) * n,
            )

        return self.choose(build, [budget_candidates(shape, (axis,))])

    def lower_hardmax(
        self, op: Operation, chain: list[Operation], out: SSAValue, loc: Attribute
    ) -> Spec:
        """Hardmax: argmax along the axis into an i64 temporary, then a map writes 1 where
        a compile-time index vector along the axis equals it, 0 elsewhere."""
        x = self.value(op.operands[0])
        shape = _shape(out)
        rank = len(shape)
        axis = _int(op, "axis", -1) % rank
        ishape = tuple(shape[axis] if d == axis else 1 for d in range(rank))
        iota = self.new_constant(
            _loc_name(op) + "_iota", np.arange(shape[axis]).reshape(ishape), loc, i64
        )
        more_steps, epi_ins = self.chain_steps(chain, op.results[0], shape, loc)
        epi = make_epilogue(more_steps, from_acc=True)

        def build(tiles: tuple[int, ...]) -> Spec:
            (t,) = tiles
            red_t = tuple(1 if d == axis else s for d, s in enumerate(t))

            def compute(
                kb: KernelBuilder,
                bufs: list[SSAValue],
                temps: list[SSAValue],
                acc: SSAValue,
                first: SSAValue | None,
            ) -> None:
                xb, ib = bufs
                (am,) = temps
                kb.add(tile.ReduceOp(xb, am, "argmax", (axis,)))
                mb = MapBody(_et(acc))
                hit = mb.emit(arith.CmpiOp(mb.arg(ib), mb.arg(am), "eq"))
                mb.build(kb, mb.emit(arith.SelectOp(hit, mb.const(1.0), mb.const(0.0))), acc)

            xin = In(x, t, [ZERO if d == axis else _o(d) for d in range(rank)])
            iin = In(iota, ishape, [ZERO] * rank)
            return Spec(
                out,
                t,
                ins=[xin, iin] + self.retile(epi_ins, t),
                temps=[red_t],
                compute=compute,
                epilogue=epi,
                work=math.prod(shape) * 3,
                temp_types=[i64],
            )

        return self.choose(build, [budget_candidates(shape, (axis,))])

    def empty_reduction(
        self,
        op: Operation,
        chain: list[Operation],
        out: SSAValue,
        loc: Attribute,
        kind: str,
        kept: tuple[int, ...],
    ) -> Spec:
        """A reduction over no elements is its identity (ONNX >= 18): a kernel that fills
        the output tiles (sum 0, max -inf, min +inf, log_sum -inf, mean NaN, prod 1)."""
        value = _empty_identity(op)
        assert value is not None
        more_steps, epi_ins = self.chain_steps(chain, op.results[0], kept, loc)
        epi = make_epilogue(more_steps, from_acc=True)

        def build(tiles: tuple[int, ...]) -> Spec:
            (t,) = tiles

            def compute(
                kb: KernelBuilder,
                bufs: list[SSAValue],
                temps: list[SSAValue],
                acc: SSAValue,
                first: SSAValue | None,
            ) -> None:
                kb.add(tile.FillOp(acc, value))

            return Spec(
                out,
                t,
                ins=self.retile(epi_ins, t),
                compute=compute,
                epilogue=epi,
                work=math.prod(kept),
            )

        return self.choose(build, [budget_candidates(kept)])

    def lower_global_average_pool(
        self, op: Operation, chain: list[Operation], out: SSAValue, loc: Attribute
    ) -> Spec:
        return self.lower_global(op, chain, out, loc, "add")

    def lower_global_max_pool(
        self, op: Operation, chain: list[Operation], out: SSAValue, loc: Attribute
    ) -> Spec:
        return self.lower_global(op, chain, out, loc, "max")

    def lower_softmax(
        self, op: Operation, chain: list[Operation], out: SSAValue, loc: Attribute
    ) -> Spec:
        """Softmax / LogSoftmax per tile with the axis whole: max, exp(x - max), sum,
        quotient. In the tile's type, except bf16, which (like the reference) computes in
        a wider type: f32 temporaries and one rounding at the end."""
        x = self.value(op.operands[0])
        shape = _shape(out)
        axis = _int(op, "axis", -1) % len(shape)
        et = _et(out)
        bf16 = isinstance(et, BFloat16Type)
        more_steps, epi_ins = self.chain_steps(chain, op.results[0], shape, loc)
        epi = make_epilogue(more_steps, from_acc=True)

        def d_of(mb: MapBody, xb: SSAValue, mx: SSAValue) -> SSAValue:
            a = mb.emit(arith.ExtFOp(mb.arg(xb), f32))
            return mb.emit(arith.SubfOp(a, mb.emit(arith.ExtFOp(mb.arg(mx), f32))))

        def build(tiles: tuple[int, ...]) -> Spec:
            (t,) = tiles
            red_t = tuple(1 if d == axis else s for d, s in enumerate(t))

            def compute(
                kb: KernelBuilder,
                bufs: list[SSAValue],
                temps: list[SSAValue],
                acc: SSAValue,
                first: SSAValue | None,
            ) -> None:
                xb, (mx, sm, *wide) = bufs[0], temps
                kb.add(tile.ReduceOp(xb, mx, "max", (axis,)))
                if wide:  # bf16: exp, sum and quotient in f32, one rounding at the end
                    (ex,) = wide
                    mb = MapBody(f32)
                    d = mb.emit(
                        arith.SubfOp(
                            mb.emit(arith.ExtFOp(mb.arg(xb), f32)),
                            mb.emit(arith.ExtFOp(mb.arg(mx), f32)),
                        )
                    )
                    mb.build(kb, mb.emit(mathd.ExpOp(d)), ex)
                    kb.add(tile.ReduceOp(ex, sm, "add", (axis,)))
                    mb = MapBody(f32)
                    if op.name == "nn.log_softmax":
                        lg = mb.emit(mathd.LogOp(mb.arg(sm)))
                        r = mb.emit(arith.SubfOp(d_of(mb, xb, mx), lg))
                    else:
                        r = mb.emit(arith.DivfOp(mb.arg(ex), mb.arg(sm)))
                    r = mb.emit(arith.TruncFOp(r, _et(acc)))  # type: ignore[arg-type]
                    mb.build(kb, r, acc)
                    return
                mb = MapBody(_et(acc))
                d = mb.emit(arith.SubfOp(mb.arg(xb), mb.arg(mx)))
                mb.build(kb, mb.emit(mathd.ExpOp(d)), acc)
                kb.add(tile.ReduceOp(acc, sm, "add", (axis,)))
                mb = MapBody(_et(acc))
                if op.name == "nn.log_softmax":  # (x - max) - log(sum)
                    d = mb.emit(arith.SubfOp(mb.arg(xb), mb.arg(mx)))
                    lg = mb.emit(mathd.LogOp(mb.arg(sm)))
                    mb.build(kb, mb.emit(arith.SubfOp(d, lg)), acc)
                    return
                mb.build(kb, mb.emit(arith.DivfOp(mb.arg(acc), mb.arg(sm))), acc)

            xin = In(x, t, [ZERO if d == axis else _o(d) for d in range(len(shape))])
            return Spec(
                out,
                t,
                ins=[xin] + self.retile(epi_ins, t),
                temps=[red_t, red_t, t] if bf16 else [red_t, red_t],
                compute=compute,
                epilogue=epi,
                work=math.prod(shape) * 6,
                temp_types=[et, f32, f32] if bf16 else None,
            )

        return self.choose(build, [budget_candidates(shape, (axis,))])

    def lower_layer_normalization(
        self, op: Operation, chain: list[Operation], out: SSAValue, loc: Attribute
    ) -> Spec:
        """Layer normalization over dims axis.. (parameters of those dims, stationary);
        instance normalization is the same over the spatial dims with per-channel
        parameters (windows that follow the channel tile)."""
        x = self.value(op.operands[0])
        shape = _shape(out)
        rank = len(shape)
        instance = op.name == "nn.instance_normalization"
        axis = 2 if instance else _int(op, "axis", -1) % rank
        eps = _float(op, "epsilon", 1e-5)
        norm = tuple(range(axis, rank))
        cnt = math.prod(shape[axis:])
        if instance:
            pshape = (1, shape[1]) + (1,) * (rank - 2)
        else:
            pshape = (1,) * axis + shape[axis:]
        params = [self.view(self.value(v), pshape, loc) for v in op.operands[1:3]]
        more_steps, epi_ins = self.chain_steps(chain, op.results[0], shape, loc)
        epi = make_epilogue(more_steps, from_acc=True)
        inv_n = float(np.float32(1.0) / np.float32(cnt))

        def build(tiles: tuple[int, ...]) -> Spec:
            (t,) = tiles
            red_t = tuple(1 if d in norm else s for d, s in enumerate(t))
            if instance:
                psz = (1, t[1]) + (1,) * (rank - 2)
                pins = [In(p, psz, [ZERO, _o(1)] + [ZERO] * (rank - 2)) for p in params]
            else:
                pins = [In(p, pshape, [ZERO] * rank) for p in params]

            def compute(
                kb: KernelBuilder,
                bufs: list[SSAValue],
                temps: list[SSAValue],
                acc: SSAValue,
                first: SSAValue | None,
            ) -> None:
                xb, *pb = bufs
                s1, s2 = temps
                kb.add(tile.ReduceOp(xb, s1, "add", norm))
                mb = MapBody(_et(acc))
                mean = mb.emit(arith.MulfOp(mb.arg(s1), mb.const(inv_n)))
                mb.build(kb, mb.emit(arith.SubfOp(mb.arg(xb), mean)), acc)
                mb = MapBody(_et(acc))
                dv = mb.arg(acc)
                mb.build(kb, mb.emit(arith.MulfOp(dv, dv)), xb)  # x is dead: reuse its tile
                kb.add(tile.ReduceOp(xb, s2, "add", norm))
                mb = MapBody(_et(acc))
                var = mb.emit(arith.MulfOp(mb.arg(s2), mb.const(inv_n)))
                r = mb.emit(mathd.RsqrtOp(mb.emit(arith.AddfOp(var, mb.const(eps)))))
                y = mb.emit(arith.MulfOp(mb.emit(arith.MulfOp(mb.arg(acc), r)), mb.arg(pb[0])))
                if len(pb) > 1:
                    y = mb.emit(arith.AddfOp(y, mb.arg(pb[1])))
                mb.build(kb, y, acc)

            xin = In(x, t, [ZERO if d in norm else _o(d) for d in range(rank)])
            return Spec(
                out,
                t,
                ins=[xin] + pins + self.retile(epi_ins, t),
                temps=[red_t, red_t],
                compute=compute,
                epilogue=epi,
                work=math.prod(shape) * 8,
            )

        return self.choose(build, [budget_candidates(shape, norm)])

    def lower_lrn(
        self, op: Operation, chain: list[Operation], out: SSAValue, loc: Attribute
    ) -> Spec:
        x = self.value(op.operands[0])
        n, c, h, wd = _shape(out)
        size = _int(op, "size", 1)
        alpha, beta, bias = (
            _float(op, "alpha", 1e-4),
            _float(op, "beta", 0.75),
            _float(op, "bias", 1.0),
        )
        lo = (size - 1) // 2
        more_steps, epi_ins = self.chain_steps(chain, op.results[0], _shape(out), loc)
        epi = make_epilogue(more_steps, from_acc=True)

        def build(tiles: tuple[int, ...]) -> Spec:
            (h_t,) = tiles
            xp = In(x, (1, c + size - 1, h_t, wd), [_o(0), Ax(const=-lo), _o(2), ZERO], 0.0)
            xc = In(x, (1, c, h_t, wd), [_o(0), ZERO, _o(2), ZERO])
            t = (1, c, h_t, wd)

            def compute(
                kb: KernelBuilder,
                bufs: list[SSAValue],
                temps: list[SSAValue],
                acc: SSAValue,
                first: SSAValue | None,
            ) -> None:
                pbuf, cbuf = bufs
                mb = MapBody(_et(acc))
                v = mb.arg(pbuf)
                mb.build(kb, mb.emit(arith.MulfOp(v, v)), pbuf)
                kb.add(tile.PoolOp(pbuf, acc, "sum", (1, size, 1, 1), (1, 1, 1, 1), (1, 1, 1, 1)))
                mb = MapBody(_et(acc))
                base = mb.emit(
                    arith.AddfOp(
                        mb.const(bias), mb.emit(arith.MulfOp(mb.arg(acc), mb.const(alpha / size)))
                    )
                )
                p = mb.emit(mathd.PowFOp(base, mb.const(-beta)))
                mb.build(kb, mb.emit(arith.MulfOp(mb.arg(cbuf), p)), acc)

            return Spec(
                out,
                t,
                ins=[xp, xc] + self.retile(epi_ins, t),
                compute=compute,
                epilogue=epi,
                work=n * c * h * wd * (size + 4),
            )

        return self.choose(build, [candidates(h, self.opts.tile_h)])

    def lower_transpose(
        self, op: Operation, chain: list[Operation], out: SSAValue, loc: Attribute
    ) -> Spec:
        x = self.value(op.operands[0])
        shape = _shape(out)
        rank = len(shape)
        perm = _ints(op, "perm", list(reversed(range(rank))))
        more_steps, epi_ins = self.chain_steps(chain, op.results[0], shape, loc)
        epi = make_epilogue(more_steps, from_acc=True)

        def build(tiles: tuple[int, ...]) -> Spec:
            (t,) = tiles
            sizes = [0] * rank
            offs = [ZERO] * rank
            for j, p in enumerate(perm):
                sizes[p] = t[j]
                offs[p] = _o(j)

            def compute(
                kb: KernelBuilder,
                bufs: list[SSAValue],
                temps: list[SSAValue],
                acc: SSAValue,
                first: SSAValue | None,
            ) -> None:
                kb.add(tile.TransposeOp(bufs[0], acc, perm))

            return Spec(
                out,
                t,
                ins=[In(x, tuple(sizes), offs)] + self.retile(epi_ins, t),
                compute=compute,
                epilogue=epi,
                work=math.prod(shape),
            )

        return self.choose(build, [budget_candidates(shape)])

    def lower_slice(self, op: Operation) -> None:
        """A unit-step slice is one DRAM-to-DRAM DMA of the selected box (no VTCM)."""
        loc = op.location
        out = self.result_buffer(op.results[0], loc)
        shape = _shape(out)
        begin = [0] * len(shape)
        for a, st in zip(_ints(op, "axes"), _ints(op, "starts"), strict=True):
            begin[a % len(shape)] = st
        kb = KernelBuilder(loc, self.params)
        src = self.value(op.operands[0])
        z = [kb.c(0)] * len(shape)
        tok = kb.add(tile.DmaStartOp(src, [kb.c(b) for b in begin], out, z, shape)).results[0]
        kb.add(tile.DmaWaitOp(tok))
        self.emit(kb.finish(), loc)

    def scratch(self, shape: Sequence[int], et: Attribute, loc: Attribute, hint: str) -> SSAValue:
        """A DRAM intermediate that no nn value names (a resize's per-axis result)."""
        a = self.emit(tile.AllocOp(tile.buffer_type(shape, et, tile.DRAM)), loc)
        a.results[0].name_hint = hint
        self._allocs.add(a.results[0])
        return a.results[0]

    def gather_rows(
        self, src: SSAValue, dst: SSAValue, axis: int, idx: Sequence[int], loc: Attribute
    ) -> None:
        """dst[.., i, ..] = src[.., idx[i], ..] along `axis`: one DRAM-to-DRAM DMA per run
        of consecutive source rows (no VTCM), all started, then waited. Rows at a constant
        step s > 1 along an axis whose extent s divides are one DMA: on views that split
        the axis into [extent / s, s] (source) and [rows, 1] (destination), the box
        [.., rows, 1, ..] at [.., idx[0] // s, idx[0] % s, ..] (a stepped slice: the DMA
        engine's row strides do the striding, the code does not grow with the rows)."""
        shape = _shape(dst)
        kb = KernelBuilder(loc, self.params)
        toks = []
        src_shape = list(_shape(src))
        step = idx[1] - idx[0] if len(idx) > 1 else 0
        if (step > 1 and src_shape[axis] % step == 0
                and all(b - a == step for a, b in zip(idx, idx[1:]))):
            et = _et(src)
            vsrc = src_shape[:axis] + [src_shape[axis] // step, step] + src_shape[axis + 1:]
            box = list(shape[:axis]) + [len(idx), 1] + list(shape[axis + 1:])
            sv = self.emit(tile.ViewOp(src, tile.buffer_type(vsrc, et, tile.DRAM)), loc).results[0]
            dv = self.emit(tile.ViewOp(dst, tile.buffer_type(box, et, tile.DRAM)), loc).results[0]
            si = [kb.c(idx[0] // step if d == axis else idx[0] % step if d == axis + 1 else 0)
                  for d in range(len(box))]
            toks.append(kb.add(tile.DmaStartOp(sv, si, dv, [kb.c(0)] * len(box), box)).results[0])
        else:
            i = 0
            while i < len(idx):
                j = i + 1
                while j < len(idx) and idx[j] == idx[j - 1] + 1:
                    j += 1
                sizes = [j - i if d == axis else n for d, n in enumerate(shape)]
                si = [kb.c(int(idx[i]) if d == axis else 0) for d in range(len(shape))]
                di = [kb.c(i if d == axis else 0) for d in range(len(shape))]
                toks.append(kb.add(tile.DmaStartOp(src, si, dst, di, sizes)).results[0])
                i = j
        kb.add(tile.DmaWaitOp(*toks))
        self.emit(kb.finish(), loc)

    def lower_row_maps(self, op: Operation, maps: dict[int, list[int]]) -> None:
        """A stepped slice or a reflect/edge/wrap pad: one row gather per changed axis
        (DMA per run of consecutive source rows), through DRAM scratch buffers."""
        loc = op.location
        out = self.result_buffer(op.results[0], loc)
        cur = self.value(op.operands[0])
        if 0 in _shape(out):
            return
        if not maps:
            self.gather_rows(cur, out, 0, list(range(_shape(out)[0])), loc)
            return
        axes = sorted(maps)
        for n, axis in enumerate(axes):
            shape = list(_shape(cur))
            shape[axis] = len(maps[axis])
            dst = (
                out
                if n == len(axes) - 1
                else self.scratch(shape, _et(out), loc, f"{_loc_name(op)}_ax{axis}")
            )
            self.gather_rows(cur, dst, axis, maps[axis], loc)
            cur = dst

    def lower_top_k(self, op: Operation) -> None:
        """TopK: two kernels over tiles of the other dims with the axis whole, one writing
        the values (indices in a VTCM temporary), one the indices (values in one)."""
        loc = op.location
        x = self.value(op.operands[0])
        shape = _shape(op.operands[0])
        rank = len(shape)
        axis = _int(op, "axis", -1) % rank
        k = _int(op, "k", 1)
        largest = bool(_int(op, "largest", 1))
        vals, idxs = (self.result_buffer(r, loc) for r in op.results)
        out_shape = _shape(vals)
        for out, other in ((vals, idxs), (idxs, vals)):

            def build(tiles: tuple[int, ...], out: SSAValue = out, other: SSAValue = other) -> Spec:
                (t,) = tiles
                in_t = tuple(shape[axis] if d == axis else s for d, s in enumerate(t))

                def compute(
                    kb: KernelBuilder,
                    bufs: list[SSAValue],
                    temps: list[SSAValue],
                    acc: SSAValue,
                    first: SSAValue | None,
                ) -> None:
                    v, i = (acc, temps[0]) if out is vals else (temps[0], acc)
                    kb.add(tile.TopKOp(bufs[0], v, i, axis, k, largest))

                xin = In(x, in_t, [ZERO if d == axis else _o(d) for d in range(rank)])
                return Spec(
                    out,
                    t,
                    ins=[xin],
                    temps=[t],
                    compute=compute,
                    work=math.prod(shape) * max(1, math.ceil(math.log2(max(2, shape[axis])))),
                    temp_types=[_et(other)],
                )

            spec = self.choose(build, [budget_candidates(out_shape, (axis,))])
            self.emit(emit_kernel(spec, KernelBuilder(loc, self.params), spec.double_buffer), loc)

    def lower_resize(self, op: Operation) -> None:
        """Resize one axis at a time (the reference's separable definition). Along an axis
        every tap is a row gather (DMA per run of source rows); nearest is that gather
        alone, linear and cubic then weight their 2 or 4 taps in a tiled map kernel
        (y = sum of tap * weight, the weights a compile-time vector along the axis)."""
        loc = op.location
        et = _et(op.results[0])
        out = self.result_buffer(op.results[0], loc)
        cur = self.value(op.operands[0])
        axes = _resize_axes(op)
        if not axes:  # resize to the same shape: a copy
            self.gather_rows(cur, out, 0, list(range(_shape(out)[0])), loc)
            return
        base = _loc_name(op)
        for n, (axis, in_len, out_len, scale) in enumerate(axes):
            shape = list(_shape(cur))
            shape[axis] = out_len
            dst = out if n == len(axes) - 1 else self.scratch(shape, et, loc, f"{base}_ax{axis}")
            taps = _resize_taps(op, in_len, out_len, scale)
            if taps[0][1] is None:
                self.gather_rows(cur, dst, axis, [int(i) for i in taps[0][0]], loc)
                cur = dst
                continue
            ins: list[In] = []
            wshape = [1] * len(shape)
            wshape[axis] = out_len
            for k, (idx, w) in enumerate(taps):
                tb = self.scratch(shape, et, loc, f"{base}_ax{axis}_tap{k}")
                self.gather_rows(cur, tb, axis, [int(i) for i in idx], loc)
                assert w is not None
                wb = self.new_constant(f"{base}_ax{axis}_w{k}", w.reshape(wshape), loc, et)
                ins += [self.ew_in(tb, tuple(shape)), self.ew_in(wb, tuple(shape))]

            def step(mb: MapBody, _v: SSAValue | None, b: list[SSAValue]) -> SSAValue:
                acc = None
                for k in range(0, len(b), 2):
                    term = mb.emit(arith.MulfOp(b[k], b[k + 1]))
                    acc = term if acc is None else mb.emit(arith.AddfOp(acc, term))
                assert acc is not None
                return acc

            epi = make_epilogue([(step, len(ins))], from_acc=False)
            full = tuple(shape)
            target = dst

            def build(
                tiles: tuple[int, ...],
                ins: list[In] = ins,
                epi: Callable[[KernelBuilder, list[SSAValue], SSAValue], None] | None = epi,
                full: tuple[int, ...] = full,
                target: SSAValue = target,
            ) -> Spec:
                (t,) = tiles
                work = math.prod(full) * len(ins)
                return Spec(target, t, ins=self.retile(ins, t), epilogue=epi, work=work)

            spec = self.choose(build, [budget_candidates(full)])
            self.emit(emit_kernel(spec, KernelBuilder(loc, self.params), spec.double_buffer), loc)
            cur = dst

    def lower_split(self, op: Operation) -> None:
        """One DRAM-to-DRAM DMA per result, of its box along `axis` (no VTCM)."""
        loc = op.location
        shape = _shape(op.operands[0])
        axis = _int(op, "axis", 0) % len(shape)
        src = self.value(op.operands[0])
        kb = KernelBuilder(loc, self.params)
        toks, start = [], 0
        for r in op.results:
            s = _shape(r)
            out = self.result_buffer(r, loc)
            if 0 not in s:
                begin = [kb.c(start if d == axis else 0) for d in range(len(shape))]
                dma = tile.DmaStartOp(src, begin, out, [kb.c(0)] * len(s), s)
                toks.append(kb.add(dma).results[0])
            start += s[axis]
        if toks:
            kb.add(tile.DmaWaitOp(*toks))
            self.emit(kb.finish(), loc)

    def lower_tile(self, op: Operation) -> None:
        """nn.tile: one DRAM-to-DRAM DMA of the whole input per repeat (no VTCM)."""
        loc = op.location
        shape = _shape(op.operands[0])
        src = self.value(op.operands[0])
        out = self.result_buffer(op.results[0], loc)
        kb = KernelBuilder(loc, self.params)
        z = [kb.c(0)] * len(shape)
        toks = []
        for idx in itertools.product(*(range(r) for r in _ints(op, "repeats"))):
            dst = [kb.c(i * s) for i, s in zip(idx, shape, strict=True)]
            toks.append(kb.add(tile.DmaStartOp(src, z, out, dst, shape)).results[0])
        kb.add(tile.DmaWaitOp(*toks))
        self.emit(kb.finish(), loc)

    def lower_pad(
        self, op: Operation, chain: list[Operation], out: SSAValue, loc: Attribute
    ) -> Spec:
        """Constant padding: fill the VTCM tile with the value, DMA the part of the input
        window that exists (negative pads crop), copy it to the result tile."""
        x = self.value(op.operands[0])
        shape = _shape(out)
        rank = len(shape)
        pads = _ints(op, "pads")
        lo = pads[:rank]
        value = _float(op, "constant_value", 0.0)
        fill = value if any(p > 0 for p in pads) else None
        more_steps, epi_ins = self.chain_steps(chain, op.results[0], shape, loc)
        epi = make_epilogue(more_steps, from_acc=True)

        def build(tiles: tuple[int, ...]) -> Spec:
            (t,) = tiles

            def compute(
                kb: KernelBuilder,
                bufs: list[SSAValue],
                temps: list[SSAValue],
                acc: SSAValue,
                first: SSAValue | None,
            ) -> None:
                mb = MapBody(_et(acc))
                mb.build(kb, mb.arg(bufs[0]), acc)

            xin = In(x, t, [_o(d, const=-lo[d]) for d in range(rank)], fill)
            return Spec(
                out,
                t,
                ins=[xin] + self.retile(epi_ins, t),
                compute=compute,
                epilogue=epi,
                work=math.prod(shape),
            )

        return self.choose(build, [budget_candidates(shape)])

    def lower_concat(self, op: Operation) -> None:
        """DRAM-to-DRAM DMA of each input into its slice of the result (no VTCM), except
        the inputs already written in place (plan_concats); no kernel if that is all."""
        loc = op.location
        out = self.result_buffer(op.results[0], loc)
        shape = _shape(out)
        axis = _int(op, "axis", 0) % len(shape)
        kb = KernelBuilder(loc, self.params)
        toks = []
        start = 0
        for v in op.operands:
            s = _shape(v)
            if self.redirect.get(v, (None, 0))[0] is op.results[0] or 0 in s:
                start += s[axis]
                continue
            src = self.value(v)
            dst_idx = [kb.c(start if d == axis else 0) for d in range(len(shape))]
            toks.append(
                kb.add(tile.DmaStartOp(src, [kb.c(0)] * len(s), out, dst_idx, s)).results[0]
            )
            start += s[axis]
        if toks:
            kb.add(tile.DmaWaitOp(*toks))
            self.emit(kb.finish(), loc)


for _name in ELEMENTWISE:
    setattr(FunctionLowering, "lower_" + _name[3:], FunctionLowering.lower_elementwise)
FunctionLowering.lower_log_softmax = FunctionLowering.lower_softmax  # type: ignore[attr-defined]
for _name in REDUCTIONS:
    setattr(FunctionLowering, "lower_" + _name[3:], FunctionLowering.lower_reduce)


def _empty_identity(op: Operation) -> float | None:
    """What a reduction over no elements yields (ONNX >= 18: sum 0, prod 1, max the
    lowest value, min the highest, log_sum -inf, mean NaN), None when a `tile.fill`
    (an f32 value) cannot hold it exactly for the element type."""
    kind = op.name.removeprefix("nn.reduce_")
    et = _et(op.operands[0])
    if _is_float(et):
        return {
            "max": -math.inf,
            "min": math.inf,
            "log_sum": -math.inf,
            "log_sum_exp": -math.inf,
            "mean": math.nan,
            "prod": 1.0,
        }.get(kind, 0.0)
    dt = _np_dtype(et)
    if kind in ("sum", "l1", "sum_square"):
        return 0.0
    if kind == "prod":
        return 1.0
    if kind not in ("max", "min"):
        return None
    if dt == np.bool_:
        return 0.0 if kind == "max" else 1.0
    v = int(np.iinfo(dt).min if kind == "max" else np.iinfo(dt).max)
    return float(v) if int(np.float32(v)) == v else None


def _row_maps(op: Operation) -> dict[int, list[int]] | None:
    """Source row of every result row, per axis, of a stepped slice or a reflect / edge /
    wrap pad (computed on index vectors with numpy's own slicing and np.pad); None for
    the unit-step slice and the constant pad, which have their own lowerings."""
    shape = _shape(op.operands[0])
    rank = len(shape)
    maps: dict[int, list[int]] = {}
    if op.name == "nn.slice":
        steps = _ints(op, "steps")
        if all(st == 1 for st in steps):
            return None
        for start, end, axis, step in zip(
            _ints(op, "starts"), _ints(op, "ends"), _ints(op, "axes"), steps, strict=True
        ):
            axis %= rank
            stop: int | None = end if not (step < 0 and end < 0) else None
            maps[axis] = [int(i) for i in np.arange(shape[axis])[slice(start, stop, step)]]
        return maps
    mode = getattr(_prop(op, "mode"), "data", "constant")
    if op.name != "nn.pad" or mode == "constant":
        return None
    pads = _ints(op, "pads")
    for d in range(rank):
        lo, hi = pads[d], pads[rank + d]
        if lo == 0 and hi == 0:
            continue
        idx = np.arange(shape[d])[max(0, -lo) : shape[d] - max(0, -hi)]
        if mode in ("reflect", "edge", "wrap") and idx.size:
            idx = np.pad(idx, (max(0, lo), max(0, hi)), mode=mode)  # type: ignore[call-overload]
        maps[d] = [int(i) for i in idx]
    return maps


def _resize_axes(op: Operation) -> list[tuple[int, int, int, float]]:
    """(axis, input length, output length, scale) of each axis an nn.resize changes,
    with the reference's reading of `scales` / `sizes`."""
    shape = _shape(op.operands[0])
    sizes = _ints(op, "sizes")
    attr = _prop(op, "scales")
    scales = [float(v) for v in attr.get_values()] if isinstance(attr, DenseArrayBase) else []
    if sizes:
        scales = [o / i for o, i in zip(sizes, shape, strict=True)]
    else:
        sizes = [math.floor(i * sc) for i, sc in zip(shape, scales, strict=True)]
    return [
        (d, i, o, sc)
        for d, (i, o, sc) in enumerate(zip(shape, sizes, scales, strict=True))
        if not (i == o and sc == 1.0)
    ]


def _resize_taps(
    op: Operation, in_len: int, out_len: int, scale: float
) -> list[tuple[np.ndarray, np.ndarray | None]]:
    """(source index per output row, weight per output row or None) of each tap of a 1-D
    resize: one unweighted tap for nearest, two for linear, four for cubic. The index
    tables come from the reference's own coordinate helpers, so both agree exactly."""
    from vexa.runtime import nn_reference as ref  # noqa: PLC0415 -- compile-time tables

    mode = getattr(_prop(op, "mode"), "data", "nearest")
    ctm = getattr(_prop(op, "coordinate_transformation_mode"), "data", "half_pixel")
    coords = ref._resize_coords(ctm, out_len, in_len, scale)
    if mode == "nearest":
        nearest = getattr(_prop(op, "nearest_mode"), "data", "round_prefer_floor")
        return [(ref._nearest(coords, nearest, in_len), None)]
    if mode == "linear":
        c = np.clip(coords, 0, in_len - 1)
        lo = np.floor(c).astype(np.int64)
        hi = np.minimum(lo + 1, in_len - 1)
        frac = c - lo
        return [(lo, 1 - frac), (hi, frac)]
    idx, w = ref._cubic_weights(
        coords, _float(op, "cubic_coeff_a", -0.75), in_len, bool(_int(op, "exclude_outside"))
    )
    return [(idx[:, j], w[:, j]) for j in range(4)]


def _pool_counts(
    spatial: Sequence[int],
    out: Sequence[int],
    k: Sequence[int],
    s: Sequence[int],
    d: Sequence[int],
    pads: Sequence[int],
    include_pad: bool,
) -> np.ndarray:
    """Number of summed elements per output position of an average pool (ONNX rules):
    the outer product of the per-dimension counts."""
    sp = len(spatial)
    total = np.ones((), np.float64)
    for i in range(sp):
        lo = 0 if not include_pad else -pads[i]
        hi = spatial[i] if not include_pad else spatial[i] + pads[sp + i]
        per = np.array(
            [
                sum(1 for a in range(k[i]) if lo <= j * s[i] - pads[i] + a * d[i] < hi)
                for j in range(out[i])
            ],
            np.float64,
        )
        total = np.multiply.outer(total, per)
    return np.maximum(total, 1)


_WINDOW_1D = ("nn.conv", "nn.max_pool", "nn.average_pool", "nn.lp_pool")


def lift_1d_windows(fn: func.FuncOp) -> None:
    """Rewrite each 1-D conv / max pool / average pool (rank-3 NCL input) as the 2-D op on
    an N,C,1,L view (kernel 1×k, pads [0, b, 0, e]), between two nn.reshape views, so the
    NCHW lowering covers it. Rewrites in place; other ops are left alone."""
    from vexa.dialects import nn  # noqa: PLC0415 -- nn is only needed for this rewrite

    for op in list(fn.body.block.ops):
        if op.name not in _WINDOW_1D or len(op.results) != 1:
            continue
        if len(_shape(op.operands[0])) != 3 or any(
            not isinstance(v.type, TensorType) or not _has_dtype(v.type.get_element_type())
            for v in (*op.operands, *op.results)
        ):
            continue

        def up(v: SSAValue) -> SSAValue:
            s = _shape(v)
            new = (*s[:2], 1, *s[2:])
            r = nn.ReshapeOp.create(
                operands=[v],
                result_types=[TensorType(_et(v), new)],
                properties={"shape": DenseArrayBase.from_list(i64, new)},
            )
            r.location = op.location  # type: ignore[assignment]
            fn.body.block.insert_op_before(r, op)
            return r.results[0]

        props = dict(op.properties)
        for name in ("kernel_shape", "strides", "dilations"):
            if name in props:
                props[name] = DenseArrayBase.from_list(i64, [1, *_ints(op, name)])
        if "pads" in props:
            b, e = _ints(op, "pads")
            props["pads"] = DenseArrayBase.from_list(i64, [0, b, 0, e])
        ins = [up(op.operands[0])]
        if op.name == "nn.conv":
            ins += [up(op.operands[1]), *op.operands[2:]]
        out = _shape(op.results[0])
        lifted = type(op).create(
            operands=ins,
            result_types=[TensorType(_et(op.results[0]), (*out[:2], 1, *out[2:]))],
            properties=props,
            attributes=dict(op.attributes),
        )
        lifted.location = op.location  # type: ignore[assignment]
        fn.body.block.insert_op_before(lifted, op)
        back = nn.ReshapeOp.create(
            operands=[lifted.results[0]],
            result_types=[op.results[0].type],
            properties={"shape": DenseArrayBase.from_list(i64, out)},
        )
        back.location = op.location  # type: ignore[assignment]
        fn.body.block.insert_op_before(back, op)
        op.results[0].replace_all_uses_with(back.results[0])
        op.detach()
        op.erase()


def _blocks_as_transpose(op: Operation) -> list[tuple[tuple[int, ...], tuple[int, ...]]] | None:
    """(reshape-to shape, perm) steps of a depth_to_space / space_to_depth (ONNX's own
    definition: reshape, transpose, reshape), or None for another op."""
    n, c, h, w = _shape(op.operands[0])
    b = _int(op, "blocksize", 1)
    if op.name == "nn.space_to_depth":
        return [((n, c, h // b, b, w // b, b), (0, 3, 5, 1, 2, 4))]
    if op.name == "nn.depth_to_space":
        if getattr(_prop(op, "mode"), "data", "DCR") == "CRD":
            return [((n, c // (b * b), b, b, h, w), (0, 1, 4, 2, 5, 3))]
        return [((n, b, b, c // (b * b), h, w), (0, 3, 4, 1, 5, 2))]
    return None


def _conv_transpose_as_conv(fn: func.FuncOp, op: Operation) -> None:
    """Rewrite nn.conv_transpose as ops the pass lowers (a rewrite in place):

        x_up = reshape(pad(reshape(x, [N, C, H, 1, W, 1]), end 0 / s-1), [N, C, H*s, W*s])
        x_p  = pad(x_up, begin d(k-1) - p_begin, end d(k-1) - p_end + out_pad - (s-1))
        w_c  = reverse_spatial(reshape(transpose(reshape(w, [g, Cg, Mg, K]), [0, 2, 1, ..]),
                                       [g*Mg, Cg, K]))
        y    = conv(x_p, w_c, b)        (stride 1, the same dilations and groups, no pads)

    zero-stuffing by a pad of the interleaved unit dims, negative pads cropping, the
    kernel reversed by a slice of step -1: the transposed convolution's definition."""
    from vexa.dialects import nn  # noqa: PLC0415 -- only for this rewrite

    block = fn.body.block

    def emit(cls: type, operands: list[SSAValue], props: dict[str, Attribute]) -> SSAValue:
        new = cls.build_inferred(operands, props)
        new.location = op.location
        block.insert_op_before(new, op)
        return new.results[0]

    def arr(vals: Sequence[int]) -> DenseArrayBase:
        return DenseArrayBase.from_list(i64, list(vals))

    def reshape(v: SSAValue, shape: Sequence[int]) -> SSAValue:
        return emit(nn.ReshapeOp, [v], {"shape": arr(shape)})

    def pad(v: SSAValue, pads: Sequence[int]) -> SSAValue:
        props = {
            "pads": arr(pads),
            "mode": StringAttr("constant"),
            "constant_value": FloatAttr(0.0, f32),
        }
        return emit(nn.PadOp, [v], props)

    x, w = op.operands[0], op.operands[1]
    xs, ws = _shape(x), _shape(w)
    nd = len(xs) - 2
    st = _ints(op, "strides") or [1] * nd
    dl = _ints(op, "dilations") or [1] * nd
    pads = _ints(op, "pads") or [0] * (2 * nd)
    opad = _ints(op, "output_padding") or [0] * nd
    g = max(1, _int(op, "group", 1))
    k = ws[2:]
    v = x
    if any(s_ > 1 for s_ in st):
        inter = [*xs[:2]]
        for d in range(nd):
            inter += [xs[2 + d], 1]
        v = reshape(v, inter)
        end = [0, 0]
        for d in range(nd):
            end += [0, st[d] - 1]
        v = pad(v, [0] * len(inter) + end)
        v = reshape(v, [*xs[:2], *(xs[2 + d] * st[d] for d in range(nd))])
    begin = [dl[d] * (k[d] - 1) - pads[d] for d in range(nd)]
    stop = [dl[d] * (k[d] - 1) - pads[nd + d] + opad[d] - (st[d] - 1) for d in range(nd)]
    if any(begin) or any(stop):
        v = pad(v, [0, 0, *begin, 0, 0, *stop])
    cg, mg = ws[0] // g, ws[1]
    wv = reshape(w, [g, cg, mg, *k])
    wv = emit(nn.TransposeOp, [wv], {"perm": arr([0, 2, 1, *range(3, 3 + nd)])})
    wv = reshape(wv, [g * mg, cg, *k])
    spatial = list(range(2, 2 + nd))
    wv = emit(
        nn.SliceOp,
        [wv],
        {
            "starts": arr([k[d] - 1 for d in range(nd)]),
            "ends": arr([-1] * nd),
            "axes": arr(spatial),
            "steps": arr([-1] * nd),
        },
    )
    props: dict[str, Attribute] = {
        "kernel_shape": arr(k),
        "strides": arr([1] * nd),
        "pads": arr([0] * (2 * nd)),
        "dilations": arr(dl),
        "group": IntegerAttr(g, i64),
    }
    y = emit(nn.ConvOp, [v, wv, *op.operands[2:]], props)
    op.results[0].replace_all_uses_with(y)
    op.detach()
    op.erase()


def rewrite_for_tile(fn: func.FuncOp) -> None:
    """Rewrites before lowering: conv_transpose as pads, a weight transpose and reversal
    and a conv (`_conv_transpose_as_conv`, float types), 1-D windows as 2-D ones
    (`lift_1d_windows`), depth_to_space / space_to_depth as reshape, transpose,
    reshape (views and a transpose kernel, f32) and LpNormalization's zero-norm guard on
    the divisor (`_norm_guard_as_divisor`). In place; other ops are left alone."""
    from vexa.dialects import nn  # noqa: PLC0415 -- nn is only needed for this rewrite

    for op in list(fn.body.block.ops):
        if op.name == "nn.conv_transpose" and all(
            isinstance(v.type, TensorType) and _is_float(v.type.get_element_type())
            for v in (*op.operands, *op.results)
        ):
            _conv_transpose_as_conv(fn, op)
    lift_1d_windows(fn)
    for op in list(fn.body.block.ops):
        if op.name not in ("nn.space_to_depth", "nn.depth_to_space"):
            continue
        if any(
            not isinstance(v.type, TensorType) or v.type.get_element_type() != f32
            for v in (*op.operands, *op.results)
        ) or len(_shape(op.operands[0])) != 4:
            continue
        steps = _blocks_as_transpose(op)
        assert steps is not None
        v = op.operands[0]
        for shape, perm in steps:
            r = nn.ReshapeOp.create(
                operands=[v],
                result_types=[TensorType(f32, shape)],
                properties={"shape": DenseArrayBase.from_list(i64, shape)},
            )
            t_shape = tuple(shape[p] for p in perm)
            t = nn.TransposeOp.create(
                operands=[r.results[0]],
                result_types=[TensorType(f32, t_shape)],
                properties={"perm": DenseArrayBase.from_list(i64, perm)},
            )
            for new in (r, t):
                new.location = op.location  # type: ignore[assignment]
                fn.body.block.insert_op_before(new, op)
            v = t.results[0]
        out = _shape(op.results[0])
        back = nn.ReshapeOp.create(
            operands=[v],
            result_types=[op.results[0].type],
            properties={"shape": DenseArrayBase.from_list(i64, out)},
        )
        back.location = op.location  # type: ignore[assignment]
        fn.body.block.insert_op_before(back, op)
        op.results[0].replace_all_uses_with(back.results[0])
        op.detach()
        op.erase()
    _norm_guard_as_divisor(fn)


def _is_zero_constant(v: SSAValue) -> bool:
    owner = v.owner
    if not isinstance(owner, Operation) or owner.name != "nn.constant":
        return False
    value = owner.properties.get("value")
    return isinstance(value, DenseIntOrFPElementsAttr) and all(
        float(x) == 0.0 for x in value.get_values())


def _norm_guard_as_divisor(fn: func.FuncOp) -> None:
    """LpNormalization's `where(n == 0, 0, x / n)` with n = reduce_l1/l2(x) (keepdims) as
    `x / where(n == 0, 1, n)`: the same values (a zero norm means x is all zeros there),
    but the bool has n's shape, so it stays inside the small where's map instead of being
    stored and broadcast (element-types=f32 has no bool buffers). f32 only."""
    from vexa.dialects import nn  # noqa: PLC0415 -- as rewrite_for_tile

    for op in list(fn.body.block.ops):
        if op.name != "nn.where":
            continue
        cond, zero, quot = op.operands
        eq, div = cond.owner, quot.owner
        if not (isinstance(eq, Operation) and eq.name == "nn.equal"
                and isinstance(div, Operation) and div.name == "nn.div"
                and len(list(cond.uses)) == 1 and len(list(quot.uses)) == 1):
            continue
        x, n = div.operands
        red = n.owner
        if not (isinstance(red, Operation) and red.name in ("nn.reduce_l1", "nn.reduce_l2")
                and red.operands[0] is x and _int(red, "keepdims", 1)
                and eq.operands[0] is n and _is_zero_constant(eq.operands[1])
                and _is_zero_constant(zero)
                and all(isinstance(v.type, TensorType) and v.type.get_element_type() == f32
                        for v in (x, n, op.results[0]))):
            continue
        scalar = TensorType(f32, [])
        one = nn.ConstantOp.create(
            properties={"value": DenseIntOrFPElementsAttr.from_list(scalar, [1.0])},
            result_types=[scalar])
        safe = nn.WhereOp.create(operands=[cond, one.results[0], n], result_types=[n.type])
        new_div = nn.DivOp.create(operands=[x, safe.results[0]],
                                  result_types=[op.results[0].type])
        for new in (one, safe, new_div):
            new.location = op.location  # type: ignore[assignment]
            fn.body.block.insert_op_before(new, op)
        op.results[0].replace_all_uses_with(new_div.results[0])
        op.detach()
        op.erase()
        div.detach()
        div.erase()


def hardmax_without_argmax(fn: func.FuncOp) -> None:
    """f32 Hardmax without tile.reduce argmax (which convert-tile-to-vx does not lower):
    e = where(x == reduce_max(x, axis), 1, 0), c = cum_sum(e, axis),
    y = where(c == 1, e, 0) -- 1 at the first maximum only, exactly (sums of 0/1). Each
    bool is used once, by the where of its own shape: predicates in one map."""
    from vexa.dialects import nn  # noqa: PLC0415 -- as rewrite_for_tile

    for op in list(fn.body.block.ops):
        if op.name != "nn.hardmax":
            continue
        x = op.operands[0]
        t = x.type
        if not (isinstance(t, TensorType) and t.get_element_type() == f32):
            continue
        shape = list(t.get_shape())
        axis = _int(op, "axis", -1) % len(shape)
        scalar = TensorType(f32, [])
        bools = TensorType(i1, shape)
        kept = TensorType(f32, [1 if d == axis else n for d, n in enumerate(shape)])

        def const(v: float) -> Operation:
            return nn.ConstantOp.create(
                properties={"value": DenseIntOrFPElementsAttr.from_list(scalar, [v])},
                result_types=[scalar])

        one, zero = const(1.0), const(0.0)
        m = nn.ReduceMaxOp.create(operands=[x], result_types=[kept], properties={
            "axes": DenseArrayBase.from_list(i64, [axis]), "keepdims": IntegerAttr(1, i64)})
        eq = nn.EqualOp.create(operands=[x, m.results[0]], result_types=[bools])
        e = nn.WhereOp.create(operands=[eq.results[0], one.results[0], zero.results[0]],
                              result_types=[t])
        c = nn.CumSumOp.create(operands=[e.results[0]], result_types=[t], properties={
            "axis": IntegerAttr(axis, i64), "exclusive": IntegerAttr(0, i64),
            "reverse": IntegerAttr(0, i64)})
        first = nn.EqualOp.create(operands=[c.results[0], one.results[0]],
                                  result_types=[bools])
        y = nn.WhereOp.create(operands=[first.results[0], e.results[0], zero.results[0]],
                              result_types=[t])
        for new in (one, zero, m, eq, e, c, first, y):
            new.location = op.location  # type: ignore[assignment]
            fn.body.block.insert_op_before(new, op)
        op.results[0].replace_all_uses_with(y.results[0])
        op.detach()
        op.erase()


@dataclass(frozen=True)
class ConvertNnToTilePass(ModulePass):
    """Lower nn to tile: bufferize, tile with a target cost model, insert (double-buffered)
    DMA, fuse elementwise epilogues. Tile-size options of 0 mean "let the cost model pick".
    """

    name = "convert-nn-to-tile"

    target: str = "vx128"
    tile_m: int = 0
    tile_n: int = 0
    tile_k: int = 0
    tile_co: int = 0
    tile_ci: int = 0
    tile_h: int = 0
    tile_c: int = 0
    double_buffer: bool = True
    fuse: bool = True
    inplace_concat: bool = True
    # "f32": reject other element types (what convert-tile-to-vx expects); "all": lower
    # f16/bf16/f64, bool and integer tensors too (the tile interpreter runs them)
    element_types: str = "f32"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        params = target_params(self.target)
        if self.element_types not in ("f32", "all"):
            raise DiagnosticException(
                f"convert-nn-to-tile: expected element-types f32 or all, got '{self.element_types}'"
            )
        table = module_resources(op)
        fns = [f for f in op.ops if isinstance(f, func.FuncOp)]
        errors: list[str] = []
        for fn in fns:
            rewrite_for_tile(fn)
            if self.element_types == "f32":
                hardmax_without_argmax(fn)
            fused_bools = (FunctionLowering.fused_bool_values(fn, self)
                           if self.element_types == "f32" else frozenset())
            for inner in fn.walk():
                if inner is fn or inner.parent_op() is not fn:
                    continue
                if isinstance(inner, func.ReturnOp):
                    continue
                reason = FunctionLowering.unsupported_reason(inner, self.element_types,
                                                             fused_bools)
                if reason is not None:
                    errors.append(
                        f"{inner.location}: error: cannot lower {inner.name} to tile: {reason}"
                    )
        if errors:
            raise DiagnosticException("\n".join(errors))
        for fn in fns:
            FunctionLowering(fn, params, table, self).run()
        op.attributes["tile.target"] = StringAttr(self.target)  # reloadable by later passes
