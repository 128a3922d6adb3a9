"""vx-allocate-registers: give every virtual vx register a physical one (L3 -> L3).

    vexa-opt m.mlir -p 'vx-allocate-registers{target=vx64}'

Input invariant: `vx.func` bodies on virtual registers (`!vx.reg`, `!vx.vreg`, `!vx.qreg`),
possibly mixed with already-allocated ones (hand-written kernels: respected as fixed):
straight-line instructions, `vx.loop` regions with `iter_args`, `vx.packet` regions (normally
scheduling runs later; packets are accepted), flat labels and branches. No math
pseudo-instructions need to be gone: any op with register results is allocated.

Output IR: every register is physical and within the target's counts (`gprs`, `vregs`,
`qregs`); the accumulator of `vfma.f32` / `vdmpy.i8` is in its result's register; a loop-
carried value has one register at entry, in the body, at the yield and after the loop. Copies
(`vx.mov`, `vx.vmov`, `vx.qor q, q` for predicates) are inserted where a tie cannot be met
in place (an init still used after the loop, an accumulator still used later, a yielded value
that overlaps the incoming one). Each func gets `vx.spills = N` (values spilled to VTCM).

Algorithm: linear scan over live intervals on the structured IR. Every op gets a position;
a value lives from its write slot (2*pos+1) to its last read slot (2*pos), so a value read by
an op may share a register with the op's result. A value defined outside a `vx.loop` and used
inside lives to the end of the loop (the back edge). In a packet all reads happen at the
packet's first slot and every write lives at least to the packet's end (reads before writes,
no double write). Labels and branches: a value live into the region spanned by a label and
all branches to it stays live to the region's end. Tied values (accumulator and result,
loop init / block argument / yielded value / result, packet yield / result) are merged into
one interval (the hull) when they do not overlap, else a copy is inserted and the analysis
restarts. Pre-colored values are fixed intervals that other values avoid.

Spilling (only when the scan runs out): among the active intervals, the one with the lowest
cost (store + reloads, x8 per enclosing loop) per slot of remaining life is spilled,
if it is a single value defined by an instruction or a packet (not tied otherwise, not
pre-colored, not a predicate); else the current one, if it can be. It gets
a slot in the VTCM data symbol `@__spill_<func>` (placed by this pass, `vlen_bytes` per
vector slot, 4 bytes per scalar slot, size rounded up to 128; the memory plan must leave
room for it: the symbol follows the module's other data symbols, and the assembler lays
out `.vtcm` symbols in order). The value is stored (`vst`/`st`) right after its definition
and reloaded (`vld`/`ld`) into a fresh short-lived value before each use (around a packet:
before / after it).
The spill base address is loaded by `li @__spill_<func>` at function entry into the
highest-numbered scalar register that no pre-colored value uses (`vx.spill_base` attribute
on the func). Predicate registers are never spilled: running out is a located error.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import cast

from xdsl.context import Context
from xdsl.dialects.builtin import IntAttr, IntegerAttr, ModuleOp, StringAttr, i32
from xdsl.ir import Block, BlockArgument, Operation, OpResult, SSAValue
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import DiagnosticException

from vexa.dialects import vx
from vexa.runtime.target import Target
from vexa.tools.gc_paused import gc_paused

_CLASSES: tuple[type[vx.VxRegisterType], ...] = (
    vx.ScalarRegisterType, vx.VectorRegisterType, vx.PredicateRegisterType,
)
_CLASS_WORD = {vx.ScalarRegisterType: "scalar", vx.VectorRegisterType: "vector",
               vx.PredicateRegisterType: "predicate"}
MAX_ROUNDS = 16
_Copy = tuple[str, Operation, int]  # (kind: acc | yield | init, op, operand index)


def _error(op: Operation, message: str) -> DiagnosticException:
    return DiagnosticException(f"{op.location}: error: {message}")


def _copy(value: SSAValue) -> Operation:
    """A register copy of `value` (unallocated result)."""
    t = value.type
    if isinstance(t, vx.VectorRegisterType):
        return vx.VmovOp(value)
    if isinstance(t, vx.PredicateRegisterType):
        return vx.QorOp(value, value)
    return vx.MovOp(value)


def _walk_values(op: Operation) -> Iterator[SSAValue]:
    yield from op.results
    for region in op.regions:
        for block in region.blocks:
            yield from block.args


# Exact type tests and id-keyed tables below: on ResNet-50 (~100k ops, three analyses)
# xDSL's ABC isinstance checks and Python-level __hash__ of ops and values dominated
# the pass.
_REGISTER_TYPES = frozenset(_CLASSES)
_BRANCH_TYPES = frozenset({vx.JOp, vx.BeqOp, vx.BneOp, vx.BltOp, vx.BgeOp})
_PSEUDO_TYPES = frozenset(vx.PSEUDO_INSTRUCTIONS)


def _block_ops(block: Block) -> list[Operation]:
    """The ops of `block` in order (a list: cheaper than xDSL's iterator objects)."""
    out: list[Operation] = []
    op = block._first_op  # pyright: ignore[reportPrivateUsage]
    while op is not None:
        out.append(op)
        op = op._next_op  # pyright: ignore[reportPrivateUsage]
    return out


def _preorder(block: Block, out: list[Operation]) -> list[Operation]:
    """The ops under `block` in `walk()` order, appended to `out`."""
    for op in _block_ops(block):
        out.append(op)
        for region in op.regions:
            for inner in region.blocks:
                _preorder(inner, out)
    return out


def _number(t: vx.VxRegisterType) -> int | None:
    """`t.number` without the property's checks (t is a vx register type)."""
    index = t.index
    if not t.register_name.data or type(index) is not IntAttr:
        return None
    value = index.data
    return value if value >= 0 else None


@dataclass(eq=False, slots=True)
class _Group:
    """Values that must share one register: an interval [start, end] (the hull)."""

    start: int
    end: int
    cls: type[vx.VxRegisterType]
    members: list[SSAValue]
    color: int | None = None
    spill_known: bool = False  # the three fields below are set (see `_spill_info`)
    spillable: bool = False
    spill_value: OpResult | None = None
    spill_cost: float = 0.0  # stores + reloads, weighted by 8 per enclosing loop
    reg: int | None = None


@dataclass
class _Analysis:
    """Positions, raw intervals and the enclosing structure of one vx.func body.

    Tables are keyed by `id()` of the op or value (see `_REGISTER_TYPES`)."""

    func: vx.FuncOp
    preorder: list[Operation] = field(default_factory=list[Operation])  # = func.body.walk()
    pos: dict[int, int] = field(default_factory=dict[int, int])
    loop_end: dict[int, int] = field(default_factory=dict[int, int])
    packet_of: dict[int, vx.PacketOp] = field(default_factory=dict[int, vx.PacketOp])
    packet_span: dict[int, tuple[int, int]] = field(default_factory=dict[int, tuple[int, int]])
    loops_of: dict[int, tuple[vx.LoopOp, ...]] = field(
        default_factory=dict[int, tuple[vx.LoopOp, ...]])
    start: dict[int, int] = field(default_factory=dict[int, int])
    end: dict[int, int] = field(default_factory=dict[int, int])
    order: list[SSAValue] = field(default_factory=list[SSAValue])
    loops: list[vx.LoopOp] = field(default_factory=list[vx.LoopOp])  # post-order
    labels: dict[str, int] = field(default_factory=dict[str, int])
    branches: list[tuple[str, int]] = field(default_factory=list[tuple[str, int]])
    counter: int = 0

    def run(self) -> None:
        self._linearize(self.func.body.block, ())
        self._defs()
        self._uses()
        self._branch_regions()

    def _linearize(self, block: Block, loops: tuple[vx.LoopOp, ...]) -> None:
        pos, loops_of, preorder = self.pos, self.loops_of, self.preorder
        for op in _block_ops(block):
            preorder.append(op)
            loops_of[id(op)] = loops
            kind = type(op)
            if kind is vx.LoopOp:
                loop = cast(vx.LoopOp, op)
                pos[id(op)] = self.counter
                self.counter += 1
                self._linearize(loop.body.block, (*loops, loop))
                self.loop_end[id(op)] = self.counter
                self.counter += 1
                self.loops.append(loop)
            elif kind is vx.PacketOp:
                packet = cast(vx.PacketOp, op)
                first = self.counter
                for inner in _block_ops(packet.body.block):
                    preorder.append(inner)
                    loops_of[id(inner)] = loops
                    self.packet_of[id(inner)] = packet
                    pos[id(inner)] = self.counter
                    self.counter += 1
                self.packet_span[id(op)] = (first, self.counter - 1)
                pos[id(op)] = self.counter - 1
            else:
                pos[id(op)] = self.counter
                self.counter += 1
                if kind is vx.LabelOp:
                    self.labels[cast(vx.LabelOp, op).label.data] = self.counter - 1
                elif kind in _BRANCH_TYPES:
                    label = cast(vx.JOp | vx.BeqOp, op).label.data
                    self.branches.append((label, self.counter - 1))

    def _define(self, values: Sequence[SSAValue], slot: int, end: int) -> None:
        for value in values:
            if type(value._type) in _REGISTER_TYPES:  # pyright: ignore[reportPrivateUsage]
                self.start[id(value)] = slot
                self.end[id(value)] = end
                self.order.append(value)

    def _defs(self) -> None:
        pos, span = self.pos, self.packet_span
        for op in self.preorder:
            kind = type(op)
            if kind is vx.LoopOp:
                slot = 2 * pos[id(op)] + 1
                self._define(op.regions[0].block.args, slot, slot)
                slot = 2 * self.loop_end[id(op)] + 1
                self._define(op.results, slot, slot)
            elif kind is vx.PacketOp:
                slot = 2 * span[id(op)][1] + 1
                self._define(op.results, slot, slot)
            elif op.results:
                slot = 2 * pos[id(op)] + 1
                packet = self.packet_of.get(id(op))
                # every write of a packet lives to its end: no two writes share a register
                end = slot if packet is None else 2 * span[id(packet)][1] + 1
                self._define(op.results, slot, end)

    def _uses(self) -> None:
        start, end_of, pos, span, packet_of = (self.start, self.end, self.pos,
                                               self.packet_span, self.packet_of)
        bounds: dict[int, list[tuple[int, int]]] = {}  # id(loops tuple) -> back edges
        for op in self.preorder:
            kind = type(op)
            if kind is vx.PacketOp:
                continue
            packet = packet_of.get(id(op))
            if packet is not None:
                if kind is vx.YieldOp:
                    continue  # tied to the packet results instead
                slot = 2 * span[id(packet)][0]
            else:
                slot = 2 * pos[id(op)]
            loops = self.loops_of[id(op)]
            back = bounds.get(id(loops))
            if back is None:
                back = bounds[id(loops)] = [(2 * pos[id(loop)], 2 * self.loop_end[id(loop)])
                                            for loop in loops]
            for value in op._operands:  # pyright: ignore[reportPrivateUsage]
                key = id(value)
                d = start.get(key)
                if d is None:
                    continue
                end = slot
                for entry, back_edge in back:
                    if d <= entry and back_edge > end:  # defined outside: live over the back edge
                        end = back_edge
                if end > end_of[key]:
                    end_of[key] = end

    def _branch_regions(self) -> None:
        regions: dict[str, list[int]] = {}
        for label, slot in self.branches:
            if label in self.labels:
                regions.setdefault(label, [self.labels[label]]).append(slot)
        spans = sorted((2 * min(s), 2 * max(s) + 1) for s in regions.values())
        if not spans:
            return
        changed = True
        while changed:
            changed = False
            for lo, hi in spans:
                for value in self.order:
                    key = id(value)
                    if self.start[key] < lo <= self.end[key] < hi:
                        self.end[key] = hi
                        changed = True


class _UnionFind:
    """Union-find over `id()`s of values."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, v: int) -> int:
        root = v
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while v != root:
            nxt = self.parent.get(v, v)
            self.parent[v] = root
            v = nxt
        return root


@dataclass
class _FuncAllocator:
    """Allocation of one vx.func, with rounds of copy insertion and spilling."""

    func: vx.FuncOp
    module: ModuleOp
    target: Target
    spill_slots: dict[SSAValue, int] = field(default_factory=dict[SSAValue, int])
    spill_bytes: int = 0
    reload_ops: set[Operation] = field(default_factory=set[Operation])
    base: SSAValue | None = None
    copies: set[Operation] = field(default_factory=set[Operation])  # yield copies made
    moved: set[Operation] = field(default_factory=set[Operation])
    spill_ops: int = 0

    def limits(self) -> dict[type[vx.VxRegisterType], int]:
        t = self.target
        return {vx.ScalarRegisterType: t.gprs, vx.VectorRegisterType: t.vregs,
                vx.PredicateRegisterType: t.qregs}

    def run(self) -> None:
        ops = _preorder(self.func.body.block, [])
        for op in ops:
            if type(op) in _PSEUDO_TYPES:
                raise _error(op, f"vx-allocate-registers: expected machine instructions "
                                 f"(run vx-expand-math first), got {op.name}")
        if all(v.type.is_allocated for op in ops for v in _walk_values(op)
               if type(v.type) in _REGISTER_TYPES):
            # hand-written or already allocated: nothing to do, and no copies to add
            self.func.attributes["vx.spills"] = IntegerAttr(0, i32)
            return
        for _ in range(MAX_ROUNDS * 4):
            a = _Analysis(self.func)
            a.run()
            groups, uf, copies = self._group(a)
            if copies:
                for kind, op, index in copies:
                    self._insert_copy(kind, op, index)
                continue
            spilled = self._scan(a, groups)
            if not spilled:
                self._commit(groups)
                return
            self._spill(a, spilled)
        raise _error(self.func, "vx-allocate-registers: no allocation after "
                                f"{MAX_ROUNDS * 4} rounds of copies and spills")

    # --- ties -----------------------------------------------------------------------

    def _group(self, a: _Analysis) -> tuple[list[_Group], _UnionFind, list[_Copy]]:
        uf = _UnionFind()
        info: dict[int, _Group] = {}
        for v in a.order:
            t = v._type  # pyright: ignore[reportPrivateUsage]
            info[id(v)] = _Group(a.start[id(v)], a.end[id(v)], type(t), [v], _number(t))
        copies: list[_Copy] = []

        def union(x: SSAValue, y: SSAValue, check: bool = True) -> bool:
            rx, ry = uf.find(id(x)), uf.find(id(y))
            if rx == ry:
                return True
            gx, gy = info[rx], info[ry]
            if gx.cls is not gy.cls:
                return False
            if gx.color is not None and gy.color is not None and gx.color != gy.color:
                return False
            if check and not (gx.end < gy.start or gy.end < gx.start):
                return False
            uf.parent[ry] = rx
            gx.start, gx.end = min(gx.start, gy.start), max(gx.end, gy.end)
            gx.members += gy.members
            gx.color = gx.color if gx.color is not None else gy.color
            del info[ry]
            return True

        def force(x: SSAValue, y: SSAValue, op: Operation, check: bool = True) -> None:
            if not union(x, y, check):
                raise _error(op, f"{op.name}: cannot tie {x.type} and {y.type} to one register")

        for op in a.preorder:  # the IR has not changed since the analysis
            kind = type(op)
            if kind is vx.PacketOp:
                terminator = op.body.block.last_op  # pyright: ignore[reportAttributeAccessIssue]
                assert terminator is not None
                for inner, res in zip(terminator.operands, op.results):
                    if id(res) in a.start:
                        # the packet result is the yielded value as seen after the packet
                        force(inner, res, op, check=False)
            elif kind is vx.VfmaF32Op or kind is vx.VdmpyI8Op:
                if not union(op.acc, op.vd):  # pyright: ignore[reportAttributeAccessIssue]
                    copies.append(("acc", op, 0))
        for loop in a.loops:  # inner loops first
            block = loop.body.block
            yield_op = block.last_op
            assert isinstance(yield_op, vx.YieldOp)
            seen: set[int] = set()
            for i, (arg, init, res) in enumerate(zip(block.args, loop.iter_args, loop.res)):
                y = yield_op.values[i]
                inside = a.start[id(y)] > 2 * a.pos[id(loop)]  # defined in the body (or an arg)
                if y is not arg and (id(y) in seen or not inside or isinstance(y, BlockArgument)
                                     and y.owner is block):
                    copies.append(("yield", yield_op, i))
                elif not union(arg, y):
                    copies.append(("yield", yield_op, i))
                seen.add(id(y))
                force(arg, res, loop)
                if not union(arg, init):
                    copies.append(("init", loop, i))
        return list(info.values()), uf, copies

    def _spill_info(self, a: _Analysis, g: _Group) -> _Group:
        """`g` with its spill fields set (on demand: the scan asks only when it runs out)."""
        if g.spill_known:
            return g
        g.spill_known = True
        g.spill_value = v = self._spill_value(g)
        g.spillable = v is not None
        if v is not None:
            # a store after the definition and a reload before each use, each costing
            # once per trip of the loops around it
            g.spill_cost = 8.0 ** len(a.loops_of[id(v.op)]) + sum(
                8.0 ** len(a.loops_of[id(u.operation)]) for u in v.uses)
        return g

    def _spill_value(self, g: _Group) -> OpResult | None:
        """The value to store and reload if `g` is spilled: a plain instruction result, or
        a packet result (with the packet's value it is tied to); None if not spillable."""
        if g.color is not None or g.cls is vx.PredicateRegisterType:
            return None
        outer = [v for v in g.members if isinstance(v, OpResult) and isinstance(v.op, vx.PacketOp)]
        if len(g.members) == 1:
            v = g.members[0]
        elif len(g.members) == 2 and len(outer) == 1:
            v = outer[0]
        else:
            return None
        if not isinstance(v, OpResult) or not isinstance(v.op, vx.VxInstruction | vx.PacketOp):
            return None
        if v.op in self.reload_ops or v in self.spill_slots:
            return None
        return v

    def _insert_copy(self, kind: str, op: Operation, index: int) -> None:
        if kind == "acc":
            assert isinstance(op, vx.VfmaF32Op | vx.VdmpyI8Op)
            anchor = op.parent_op() if isinstance(op.parent_op(), vx.PacketOp) else op
            c = _copy(op.acc)
            c.location = op.location  # pyright: ignore[reportAttributeAccessIssue]
            anchor.parent_block().insert_op_before(c, anchor)  # type: ignore[union-attr]
            op.operands[0] = c.results[0]
        elif kind == "yield":
            y = op.operands[index]
            prev = y.op if isinstance(y, OpResult) else None
            if (prev in self.copies and prev not in self.moved and y.has_one_use()
                    and prev.next_op is not op):  # type: ignore[union-attr]
                # a copy we made earlier conflicts with a later copy reading the incoming
                # value of its slot: move it after that copy (once, so a swap cycle ends in
                # a third copy instead of moving back and forth)
                assert prev is not None
                prev.detach()
                op.parent_block().insert_op_before(prev, op)  # type: ignore[union-attr]
                self.moved.add(prev)
                return
            c = _copy(y)
            loop = op.parent_op()
            assert loop is not None
            c.location = loop.location  # pyright: ignore[reportAttributeAccessIssue]
            self.copies.add(c)
            op.parent_block().insert_op_before(c, op)  # type: ignore[union-attr]
            op.operands[index] = c.results[0]
        else:
            assert isinstance(op, vx.LoopOp)
            c = _copy(op.iter_args[index])
            c.location = op.location  # pyright: ignore[reportAttributeAccessIssue]
            op.parent_block().insert_op_before(c, op)  # type: ignore[union-attr]
            offset = 1 if op.count_reg is not None else 0
            op.operands[offset + index] = c.results[0]

    # --- linear scan -------------------------------------------------------------------

    def _scan(self, a: _Analysis, groups: list[_Group]) -> list[_Group]:
        limits = self.limits()
        spilled: list[_Group] = []
        for cls in _CLASSES:
            mine = [g for g in groups if g.cls is cls]
            if not mine:
                continue
            n = limits[cls]
            fixed: dict[int, list[tuple[int, int]]] = {}
            for g in mine:
                if g.color is not None:
                    g.reg = g.color
                    fixed.setdefault(g.color, []).append((g.start, g.end))
            merged = {r: _merge(iv) for r, iv in fixed.items()}
            starts = {r: [s for s, _ in iv] for r, iv in merged.items()}

            def conflicts(r: int, s: int, e: int) -> bool:
                iv = merged.get(r)
                if not iv:
                    return False
                i = bisect.bisect_right(starts[r], e) - 1
                return i >= 0 and iv[i][1] >= s

            free = set(range(n))
            active: list[tuple[int, int, _Group]] = []  # (end, id, group) heap
            for g in sorted((g for g in mine if g.color is None), key=lambda g: g.start):
                while active and active[0][0] < g.start:
                    _, _, old = heapq.heappop(active)
                    if old.reg is not None:
                        free.add(old.reg)
                if merged:
                    choice = [r for r in free if not conflicts(r, g.start, g.end)]
                else:
                    choice = free
                if choice:
                    g.reg = min(choice)
                    free.discard(g.reg)
                    heapq.heappush(active, (g.end, id(g), g))
                    continue
                victims = [(e, k, old) for e, k, old in active
                           if self._spill_info(a, old).spillable and old.reg is not None
                           and not conflicts(old.reg, g.start, g.end)]
                # the cheapest spill per slot of remaining life (Belady's furthest end on
                # straight-line code, where the costs are similar)
                victim = min(victims, key=lambda t: t[2].spill_cost / (t[0] - g.start + 1),
                             default=None)
                # evict an active value even when the current one ends later: a spilled
                # value still needs a register at its definition, so spilling the current
                # one would only move the eviction to the next round
                if victim is not None:
                    old = victim[2]
                    active.remove(victim)
                    heapq.heapify(active)
                    g.reg, old.reg = old.reg, None
                    spilled.append(old)
                    heapq.heappush(active, (g.end, id(g), g))
                elif self._spill_info(a, g).spillable:
                    spilled.append(g)
                else:
                    v = g.members[0]
                    where = v.op if isinstance(v, OpResult) else self.func
                    word = _CLASS_WORD[cls]
                    live = len(active) + 1 + sum(conflicts(r, g.start, g.start) for r in merged)
                    raise _error(where or self.func,
                                 f"vx-allocate-registers: expected at most {n} live {word} "
                                 f"registers on {self.target.name}, got {live}"
                                 + ("" if cls is vx.PredicateRegisterType
                                    else " (none of them can be spilled)"))
        return spilled

    def _commit(self, groups: list[_Group]) -> None:
        registers: dict[tuple[type[vx.VxRegisterType], int], vx.VxRegisterType] = {}
        for g in groups:
            assert g.reg is not None
            reg = registers.get((g.cls, g.reg))
            if reg is None:
                reg = registers[g.cls, g.reg] = g.cls.from_index(g.reg)
            for v in g.members:
                if v._type is not reg:  # pyright: ignore[reportPrivateUsage]
                    v._type = reg  # pyright: ignore[reportPrivateUsage, reportAttributeAccessIssue]
        self.func.attributes["vx.spills"] = IntegerAttr(len(self.spill_slots), i32)

    # --- spilling ------------------------------------------------------------------------

    def _spill_symbol(self) -> str:
        return f"__spill_{self.func.sym_name.data}"

    def _ensure_base(self) -> SSAValue:
        if self.base is not None:
            return self.base
        used = {v.type.number for op in self.func.body.walk() for v in _walk_values(op)
                if isinstance(v.type, vx.ScalarRegisterType) and v.type.number is not None}
        candidates = [r for r in range(self.limits()[vx.ScalarRegisterType] - 1, -1, -1)
                      if r not in used]
        if not candidates:
            raise _error(self.func, "vx-allocate-registers: expected a free scalar register "
                                    "for the spill base, got none")
        li = vx.LiOp(0, symbol=self._spill_symbol(),
                     rd=vx.ScalarRegisterType.from_index(candidates[0]))
        li.location = self.func.location  # pyright: ignore[reportAttributeAccessIssue]
        block = self.func.body.block
        if block.first_op is None:
            block.add_op(li)
        else:
            block.insert_op_before(li, block.first_op)
        self.func.attributes["vx.spill_base"] = StringAttr(f"r{candidates[0]}")
        self.base = li.rd
        return li.rd

    def _slot(self, v: SSAValue) -> int:
        if v in self.spill_slots:
            return self.spill_slots[v]
        vector = isinstance(v.type, vx.VectorRegisterType)
        size = self.target.vlen_bytes if vector else 4
        off = -(-self.spill_bytes // size) * size
        self.spill_slots[v] = off
        self.spill_bytes = off + size
        return off

    def _spill(self, a: _Analysis, spilled: list[_Group]) -> None:
        base = self._ensure_base()
        for g in spilled:
            v = g.spill_value
            assert v is not None
            off = self._slot(v)
            vector = isinstance(v.type, vx.VectorRegisterType)
            for use in list(v.uses):
                user = use.operation
                anchor = a.packet_of.get(id(user), user)
                ld = vx.VldOp(base, off) if vector else vx.LdOp(base, off)
                ld.location = user.location  # pyright: ignore[reportAttributeAccessIssue]
                anchor.parent_block().insert_op_before(ld, anchor)  # type: ignore[union-attr]
                self.reload_ops.add(ld)
                user.operands[use.index] = ld.results[0]
                self.spill_ops += 1
            anchor = a.packet_of.get(id(v.op), v.op)
            st = vx.VstOp(v, base, off) if vector else vx.StOp(v, base, off)
            st.location = v.op.location  # pyright: ignore[reportAttributeAccessIssue]
            anchor.parent_block().insert_op_after(st, anchor)  # type: ignore[union-attr]
            self.spill_ops += 1

    def place_spill_area(self) -> None:
        if not self.spill_slots:
            return
        size = max(128, -(-self.spill_bytes // 128) * 128)
        data = vx.DataOp(self._spill_symbol(), "vtcm", size)
        # after every other data symbol: the assembler lays out .vtcm symbols in IR order,
        # so the planned VTCM buffers keep their addresses and the spill area follows them
        last = None
        for op in self.module.body.block.ops:
            if isinstance(op, vx.DataOp):
                last = op
        if last is not None:
            self.module.body.block.insert_op_after(data, last)
        else:
            self.module.body.block.insert_op_before(data, self.func)


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(intervals):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


@dataclass(frozen=True)
class VxAllocateRegistersPass(ModulePass):
    """Assign physical registers to every virtual vx register, spilling to VTCM if needed.

    `target`: a target name or .toml path; empty means the module's `vx.target` attribute
    (default vx128). See the module docstring for the invariants and the algorithm.
    """

    name = "vx-allocate-registers"

    target: str = ""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for func in vx.funcs_in(op):
            name = self.target or vx.target_name_of(func)
            try:
                target = vx._load_target(name)  # pyright: ignore[reportPrivateUsage]
            except Exception as e:  # noqa: BLE001 - a bad target name is the user's error
                raise DiagnosticException(
                    f"vx-allocate-registers: cannot load target '{name}': {e}") from e
            alloc = _FuncAllocator(func, op, target)
            with gc_paused():
                alloc.run()
            alloc.place_spill_area()
