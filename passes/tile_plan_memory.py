"""tile-plan-memory: give every tile buffer an address (L2 -> L2).

    vexa-opt m.mlir -p 'convert-nn-to-tile{target=vx64},tile-plan-memory'

Input invariant: the output of `convert-nn-to-tile` — DRAM buffers are function arguments,
`tile.constant`s and function-level `tile.alloc`s (views alias them); VTCM buffers are
`tile.alloc`s inside `tile.kernel`s.

Output IR: the same ops with `offset` properties (byte addresses within their memory space)
and module attributes describing the plan:

- DRAM = [weights | activations]. Weights (`tile.constant`) are placed once, back to back.
  Activations — every other DRAM buffer, including the function's input and output
  buffers (arg attr `tile.offset`) — are placed by liveness with reuse: a buffer lives from
  the top-level op that defines (or first writes) it to the last top-level op that uses it
  or any view of it; buffers are placed one at a time, each into the best-fitting gap
  among the already-placed buffers whose lifetimes overlap (greedy best fit), in a few
  orders (largest first, largest size x lifetime first, earliest first, longest first);
  the smallest plan wins.
- VTCM is allocated per kernel: all of a kernel's VTCM buffers are live for the whole
  kernel (double-buffer slots are, by construction) and are packed from address 0; the
  kernel records its footprint in `vtcm_bytes` and the pass fails with a located error if
  it exceeds the target's VTCM (the kernel verifier re-checks it against the module's
  `tile.vtcm_capacity`).

Module attributes: `tile.dram_bytes`, `tile.weights_bytes`, `tile.activation_bytes` (planned
peak), `tile.activation_lower_bound` (max over time of the live bytes: no plan can do
better), `tile.vtcm_bytes` (largest kernel), `tile.vtcm_capacity`. `plan_report(module)`
returns them as a dict for benchmarks.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    ArrayAttr,
    DictionaryAttr,
    IntegerAttr,
    MemRefType,
    ModuleOp,
    StringAttr,
    i64,
)
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import DiagnosticException

from vexa.dialects import tile


def buffer_bytes(typ: MemRefType) -> int:
    """Bytes of a buffer: elements x `tile.element_bytes` (an i1 element takes a byte)."""
    n = tile.element_bytes(typ.get_element_type())
    for d in typ.get_shape():
        n *= d
    return n


def _align(n: int, a: int) -> int:
    return -(-n // a) * a


@dataclass
class _Buf:
    value: SSAValue
    size: int
    start: int
    end: int
    offset: int = -1


def _place(bufs: list[_Buf], align: int) -> int:
    """Place buffers in the given order, each into the best-fitting gap (smallest that
    fits) among the already-placed buffers whose lifetimes overlap; return the arena size."""
    placed: list[_Buf] = []
    for b in bufs:
        live = sorted(
            (p for p in placed if p.start <= b.end and b.start <= p.end), key=lambda p: p.offset
        )
        best, best_gap, cursor = None, None, 0
        for p in live:
            gap = p.offset - cursor
            if gap >= b.size and (best_gap is None or gap < best_gap):
                best, best_gap = cursor, gap
            cursor = max(cursor, _align(p.offset + p.size, align))
        b.offset = best if best is not None else cursor
        placed.append(b)
    return max((_align(b.offset + b.size, align) for b in placed), default=0)


# Greedy orders tried (the cheapest plan wins): by size is the classic heuristic; by
# size x lifetime and by start time win on graphs where a long-lived small buffer or a
# chain of short ones would otherwise fragment the arena.
_ORDERS = (
    lambda b: (-b.size, b.start),
    lambda b: (-b.size * (b.end - b.start + 1), b.start),
    lambda b: (b.start, -b.size),
    lambda b: (-(b.end - b.start), -b.size),
)


def best_fit(bufs: list[_Buf], align: int) -> int:
    """Plan with each greedy order, keep the smallest arena; return its size."""
    best: tuple[int, list[int]] | None = None
    for order in _ORDERS:
        size = _place(sorted(bufs, key=order), align)
        if best is None or size < best[0]:
            best = (size, [b.offset for b in bufs])
    assert best is not None
    for b, off in zip(bufs, best[1], strict=True):
        b.offset = off
    return best[0]


def lower_bound(bufs: list[_Buf]) -> int:
    """Max over time of the total bytes of live buffers."""
    events: dict[int, int] = {}
    for b in bufs:
        events[b.start] = events.get(b.start, 0) + b.size
        events[b.end + 1] = events.get(b.end + 1, 0) - b.size
    peak = cur = 0
    for t in sorted(events):
        cur += events[t]
        peak = max(peak, cur)
    return peak


def _root(v: SSAValue) -> SSAValue:
    while isinstance(v.owner, tile.ViewOp):
        v = v.owner.source
    return v


def _top(op: Operation, block_parent: Operation) -> Operation:
    while op.parent_op() is not block_parent:
        parent = op.parent_op()
        assert parent is not None
        op = parent
    return op


def plan_function(fn: func.FuncOp, align: int, vtcm_capacity: int) -> dict[str, int]:
    """Plan one function in place; return its figures."""
    block = fn.body.block
    pos = {op: i for i, op in enumerate(block.ops)}
    end = len(pos)
    outputs = set()
    if fn.arg_attrs is not None:
        outputs = {i for i, d in enumerate(fn.arg_attrs.data) if "tile.output" in d.data}
    # lifetimes of DRAM activation buffers
    first: dict[SSAValue, int] = {}
    last: dict[SSAValue, int] = {}
    for i, a in enumerate(block.args):
        first[a] = 0 if i not in outputs else end
        last[a] = 0 if i not in outputs else end
    for op in block.ops:
        if isinstance(op, tile.AllocOp):
            first[op.result] = last[op.result] = pos[op]
    for op in block.walk():
        if op is fn:
            continue
        top = _top(op, fn)
        for v in op.operands:
            r = _root(v)
            if r in first:
                first[r] = min(first[r], pos[top])
                last[r] = max(last[r], pos[top])
    acts = [_Buf(v, buffer_bytes(v.type), first[v], last[v]) for v in first]  # type: ignore[arg-type]
    weights = [op for op in block.ops if isinstance(op, tile.ConstantOp)]
    w_off = 0
    for op in weights:
        op.offset = IntegerAttr(w_off, i64)
        w_off = _align(w_off + buffer_bytes(op.result.type), align)  # type: ignore[arg-type]
    arena = best_fit(acts, align)
    arg_offsets: dict[int, int] = {}
    for b in acts:
        off = w_off + b.offset
        if isinstance(b.value.owner, tile.AllocOp):
            b.value.owner.offset = IntegerAttr(off, i64)
        else:
            arg_offsets[b.value.index] = off  # type: ignore[attr-defined]
    attrs = (
        list(fn.arg_attrs.data)
        if fn.arg_attrs is not None
        else [DictionaryAttr({}) for _ in block.args]
    )
    for i, off in arg_offsets.items():
        attrs[i] = DictionaryAttr({**attrs[i].data, "tile.offset": IntegerAttr(off, i64)})
    fn.arg_attrs = ArrayAttr(attrs)
    vtcm_peak = 0
    for k in block.walk():
        if not isinstance(k, tile.KernelOp):
            continue
        off = 0
        for a in k.walk():
            if isinstance(a, tile.AllocOp) and tile.space_of(a.result) == tile.VTCM:
                a.offset = IntegerAttr(off, i64)
                off = _align(off + buffer_bytes(a.result.type), align)  # type: ignore[arg-type]
        k.vtcm_bytes = IntegerAttr(off, i64)
        if off > vtcm_capacity:
            raise DiagnosticException(
                f"{k.location}: error: kernel needs {off} bytes of VTCM, expected at most {vtcm_capacity}"
            )
        vtcm_peak = max(vtcm_peak, off)
    return {
        "dram_bytes": w_off + arena,
        "weights_bytes": w_off,
        "activation_bytes": arena,
        "activation_lower_bound": lower_bound(acts),
        "vtcm_bytes": vtcm_peak,
    }


def _target_of(module: ModuleOp, name: str) -> tuple[int, int]:
    """(alignment, VTCM capacity) of the target named by the option or the module."""
    from vexa.lowering.convert_nn_to_tile import target_params

    if not name:
        attr = module.attributes.get("tile.target")
        name = attr.data if isinstance(attr, StringAttr) else "vx128"
    p = target_params(name)
    return p.vlen_bytes, p.vtcm_bytes


@dataclass(frozen=True)
class TilePlanMemoryPass(ModulePass):
    """Assign DRAM offsets by liveness (weights once) and VTCM offsets per kernel."""

    name = "tile-plan-memory"

    target: str = ""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        align, capacity = _target_of(op, self.target)
        totals: dict[str, int] = {}
        for fn in op.ops:
            if isinstance(fn, func.FuncOp) and fn.body.blocks:
                figures = plan_function(fn, align, capacity)
                for k, v in figures.items():
                    totals[k] = max(totals.get(k, 0), v)
        for k, v in totals.items():
            op.attributes[f"tile.{k}"] = IntegerAttr(v, i64)
        op.attributes["tile.vtcm_capacity"] = IntegerAttr(capacity, i64)


def plan_report(module: ModuleOp) -> dict[str, int]:
    """The planned figures of a module after tile-plan-memory (empty before)."""
    out = {}
    for key, attr in module.attributes.items():
        if key.startswith("tile.") and isinstance(attr, IntegerAttr):
            out[key[5:]] = int(attr.value.data)
    return out
