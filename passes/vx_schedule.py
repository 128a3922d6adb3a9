"""vx-schedule: bundle vx instructions into VLIW packets by list scheduling (L3 -> L3).

    vexa-opt m.mlir -p 'vx-schedule{target=vx64}'

Input invariant: `vx.func` bodies after `vx-allocate-registers` (physical registers; virtual
ones are accepted too, for tests: each SSA value is then its own register): instructions
outside packets, `vx.loop` regions, flat `vx.label`s and branches. Existing `vx.packet`s are
kept as they are (a scheduling boundary), so running the pass twice changes nothing. Math
pseudo-instructions or foreign ops in a body are a located error.

Output IR: every instruction is inside a `vx.packet` that the packet verifier accepts on
the target (at most `slots` instructions, classes within the resource table, no register
written twice, at most one branch or `halt`); the program computes the same values.
Values used after their packet leave it through its `vx.yield`. Packets copy the location
of their first instruction; inside a packet the instructions keep their program order.

Before / after (vx128, 4 slots, vld latency 2):

    %a = vx.vld %p, 0            %a, %b, %q = vx.packet { vld ; vld ; addi }
    %b = vx.vld %p, 128          %s = vx.packet { vadd.f32 %a, %b }
    %s = vx.vadd.f32 %a, %b      (the add waits for the loads either way: the
    %q = vx.addi %p, 256          simulator's scoreboard stalls the packet)

Algorithm: the body of each `vx.func` and `vx.loop` is cut into basic blocks at labels,
loops, existing packets and after each branch/halt; each block is list-scheduled on its
own (loop bodies recursively). Dependences, on registers (the physical name, or the SSA
value when virtual) and memory:

- RAW: writer -> reader, the writer's class latency (`Target.latency_of`; loads use the
  VTCM figure). WAR: reader -> writer, latency 0: they may share a packet (all reads of a
  packet happen before its writes) but the writer never moves above the reader. WAW:
  latency max(1, lat(first) - lat(second) + 1) so that the later value lands last.
- Memory: load -> later store 0 (inside a packet loads run before stores), store -> later
  load or store 1. DMA-class instructions (`dma`, `dma2`, `dmacfg`, `dmawait`) are
  barriers: every earlier instruction precedes them (latency 0: same packet allowed, DMA
  copies run after the packet's loads and stores), later memory instructions and DMA ops
  follow in a later packet, later non-memory ones in the same packet or later. So the
  compute the code generator put between a `dma` and its `dmawait` stays overlapped.
- A branch or `halt` ends its block: every instruction precedes it (latency 0).
- Pointer steps: a register that the block writes only by one `addi r, r, d` (a loop's
  pointer increment) does not order the memory instructions addressed off it (register +
  immediate) against the step: after scheduling, each one that ended up on the other side
  of the step reads the other value with its offset moved by d (`fold_steps`). So a loop
  body's loads need not wait for, nor hold back, its pointer increments.

Priority is the latency-weighted longest path to the end of the block (ties: program
order). Packets are filled cycle by cycle: among the instructions whose predecessors are
placed and whose latencies have elapsed, the highest priority one whose class still fits
the remaining slots and resources goes in; an instruction released by a latency-0 edge
may join the packet being filled. Cycles in which nothing can issue are skipped, not
filled with empty packets (the simulator stalls there anyway). Ready instructions wait in
one heap per instruction class, so filling a packet never rescans instructions that cannot
fit: the pass is O(E log N) for N instructions and E dependences (E is linear in the
number of operands).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import cast

from vexa.dialects import vx
from vexa.runtime.target import Target
from vexa.tools.gc_paused import gc_paused
from xdsl.context import Context
from xdsl.dialects.builtin import UNKNOWN_LOC as _UNKNOWN_LOC
from xdsl.dialects.builtin import IntegerAttr, LocationAttr, ModuleOp, StringAttr, i32
from xdsl.ir import Attribute, Block, Operation, OpResult, Region, SSAValue, SSAValues
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import DiagnosticException

# region Machine model

_LOAD_CLASSES = frozenset({"sld", "vld", "vldu"})
_STORE_CLASSES = frozenset({"sst", "vst"})
_BARRIER_CLASSES = frozenset({"dma"})
_CONTROL_CLASSES = frozenset({"branch"})

_OTHER, _LOAD, _STORE, _BARRIER, _CONTROL = range(5)


@dataclass(frozen=True)
class MachineModel:
    """What the scheduler needs of a target, as flat tables indexed by class name."""

    target: Target
    slots: int
    limits: tuple[int, ...]  # units per packet, by resource index
    demand: dict[str, tuple[tuple[int, int], ...]]  # class -> ((resource index, units), ...)
    latency: dict[str, int]

    @staticmethod
    def of(target: Target) -> MachineModel:
        names = sorted(target.resources)
        index = {r: i for i, r in enumerate(names)}
        demand = {
            klass: tuple((index[r], int(n)) for r, n in units.items() if n > 0)
            for klass, units in target.class_resources.items()
        }
        latency = {klass: max(1, target.latency_of(klass)) for klass in demand}
        return MachineModel(target, target.slots, tuple(int(target.resources[r]) for r in names),
                            demand, latency)


def _kind(klass: str) -> int:
    if klass in _LOAD_CLASSES:
        return _LOAD
    if klass in _STORE_CLASSES:
        return _STORE
    if klass in _BARRIER_CLASSES:
        return _BARRIER
    if klass in _CONTROL_CLASSES:
        return _CONTROL
    return _OTHER


_OFFSET_MEMORY = frozenset({vx.VldOp, vx.VlduOp, vx.VldbcOp, vx.VstOp, vx.VstuOp, vx.VstqOp,
                            vx.LdOp, vx.LdfOp, vx.StOp, vx.StfOp})


def _base_operand(op: Operation) -> SSAValue | None:
    """The address register of a register + immediate memory access, else None."""
    if type(op) not in _OFFSET_MEMORY:
        return None
    ra = cast(SSAValue, op.ra)  # pyright: ignore[reportAttributeAccessIssue]
    return ra if sum(v is ra for v in op.operands) == 1 else None


def _register_key(value: SSAValue) -> object:
    """What a value's register is called: the physical register's name, or the value's
    id if virtual (names and ids never compare equal)."""
    reg = value._type  # pyright: ignore[reportPrivateUsage]
    if type(reg) in _REGISTER_TYPES:
        name = cast(vx.VxRegisterType, reg).register_name.data
        if name:
            return name
    return id(value)


# Exact type tests and id-keyed tables: xDSL's ABC isinstance checks and Python-level
# __hash__ of ops, values and attributes dominated the pass on big programs.
_REGISTER_TYPES = frozenset({vx.ScalarRegisterType, vx.VectorRegisterType,
                             vx.PredicateRegisterType})


# endregion

# region List scheduling of one basic block


class _Dag:
    """The dependence DAG of one basic block, in program order."""

    def __init__(self, ops: Sequence[vx.VxInstruction], model: MachineModel):
        n = len(ops)
        self.ops = ops
        self.classes = [op.CLASS for op in ops]
        self.latency = [model.latency[k] for k in self.classes]
        self.succs: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        self.npreds = [0] * n
        # (memory instruction, pointer step) pairs left unordered (see `fold_steps`)
        self.folds: list[tuple[int, int]] = []
        self._build()

    def fold_steps(self, packets: Sequence[Sequence[int]]) -> None:
        """Make the memory instructions whose base is a stepped pointer (`_steps`) read it
        as scheduled: one now in a later packet than the step, that read the pointer
        before it, uses the stepped value and an offset smaller by the step; one in the
        same or an earlier packet, that read the stepped value, the value before and an
        offset larger by the step (a packet reads its registers before it writes)."""
        if not self.folds:
            return
        where = {i: k for k, packet in enumerate(packets) for i in packet}
        for i, step in self.folds:
            op, addi = self.ops[i], cast(vx.AddiOp, self.ops[step])
            after_in_order, after_now = i > step, where[i] > where[step]
            if after_in_order == after_now:
                continue
            d = addi.imm.value.data
            imm = cast(IntegerAttr, op.properties["imm"]).value.data
            index = next(k for k, v in enumerate(op.operands) if v is _base_operand(op))
            if after_now:
                op.operands[index], imm = addi.results[0], imm - d
            else:
                op.operands[index], imm = addi.operands[0], imm + d
            op.properties["imm"] = IntegerAttr(imm, i32)

    def edge(self, src: int, dst: int, latency: int) -> None:
        self.succs[src].append((dst, latency))
        self.npreds[dst] += 1

    def _steps(self, key_of: Callable[[SSAValue], object]) -> dict[object, int]:
        """Registers written in the block only by one `addi r, r, d` (a pointer step):
        register -> that instruction's index."""
        writers: dict[object, list[int]] = {}
        for i, op in enumerate(self.ops):
            for result in op.results:
                writers.setdefault(key_of(result), []).append(i)
        steps: dict[object, int] = {}
        for key, idx in writers.items():
            op = self.ops[idx[0]]
            if (len(idx) == 1 and type(op) is vx.AddiOp and type(key) is str
                    and key_of(op.operands[0]) == key):
                steps[key] = idx[0]
        return steps

    def _build(self) -> None:
        position = {id(op): i for i, op in enumerate(self.ops)}
        last_writer: dict[object, int] = {}
        readers: dict[object, list[int]] = {}
        keys: dict[int, object] = {}  # id(type) -> register name, for allocated types
        types: list[Attribute] = []  # keeps the types alive while `keys` holds their ids

        def key_of(value: SSAValue) -> object:
            t = value._type  # pyright: ignore[reportPrivateUsage]
            key = keys.get(id(t))
            if key is None:
                key = _register_key(value)
                if type(key) is str:
                    keys[id(t)] = key
                    types.append(t)
            return key

        steps = self._steps(key_of)
        loads_since_store: list[int] = []
        since_barrier: list[int] = []  # every instruction since the last barrier
        last_store = last_barrier = -1
        for i, op in enumerate(self.ops):
            lat = self.latency
            base = _base_operand(op) if steps else None
            for value in op._operands:  # pyright: ignore[reportPrivateUsage]
                key = key_of(value)
                step = steps.get(key) if value is base else None
                if step is not None:
                    # an address off a stepped pointer: either side of the step, with
                    # the offset fixed up after scheduling (`fold_steps`)
                    self.folds.append((i, step))
                    continue
                writer = last_writer.get(key)
                if writer is not None:
                    self.edge(writer, i, lat[writer])
                owner = position.get(id(value.owner))
                if owner is not None and owner != writer:
                    # SSA def-use without a register match (inconsistent allocation):
                    # still keep the definition first so the IR stays valid
                    self.edge(owner, i, lat[owner])
                readers.setdefault(key, []).append(i)
            for result in op.results:
                key = key_of(result)
                for reader in readers.pop(key, ()):
                    if reader != i:
                        self.edge(reader, i, 0)
                writer = last_writer.get(key)
                if writer is not None:
                    self.edge(writer, i, max(1, lat[writer] - lat[i] + 1))
                last_writer[key] = i
            kind = _kind(self.classes[i])
            if kind == _CONTROL:
                for j in range(i):
                    self.edge(j, i, 0)
                continue
            if kind == _BARRIER:
                for j in since_barrier:
                    self.edge(j, i, 0)
                if last_barrier >= 0:
                    self.edge(last_barrier, i, 1)
                since_barrier = []
                last_barrier = i
                continue
            if last_barrier >= 0:
                self.edge(last_barrier, i, 1 if kind in (_LOAD, _STORE) else 0)
            since_barrier.append(i)
            if kind == _LOAD:
                if last_store >= 0:
                    self.edge(last_store, i, 1)
                loads_since_store.append(i)
            elif kind == _STORE:
                for j in loads_since_store:
                    self.edge(j, i, 0)
                loads_since_store = []
                if last_store >= 0:
                    self.edge(last_store, i, 1)
                last_store = i

    def heights(self) -> list[int]:
        """Latency-weighted longest path from each instruction to the end of the block."""
        n = len(self.ops)
        height = list(self.latency)
        for i in range(n - 1, -1, -1):  # edges point forward in program order
            best = height[i]
            for j, lat in self.succs[i]:
                best = max(best, lat + height[j])
            height[i] = best
        return height


def schedule_block(ops: Sequence[vx.VxInstruction], model: MachineModel) -> list[list[int]]:
    """Packets for one basic block: lists of indices into `ops`, each in program order."""
    n = len(ops)
    if n == 0:
        return []
    dag = _Dag(ops, model)
    height = dag.heights()
    npreds = dag.npreds
    earliest = [0] * n
    classes = dag.classes
    ready: dict[str, list[tuple[int, int]]] = {}  # class -> heap of (-height, index)
    pending: list[tuple[int, int, int]] = []  # heap of (earliest cycle, -height, index)
    for i in range(n):
        if npreds[i] == 0:
            heapq.heappush(ready.setdefault(classes[i], []), (-height[i], i))
    packets: list[list[int]] = []
    demand, limits = model.demand, model.limits
    cycle = 0
    left = n
    while left:
        while pending and pending[0][0] <= cycle:
            _, h, i = heapq.heappop(pending)
            heapq.heappush(ready.setdefault(classes[i], []), (h, i))
        if not any(ready.values()):
            cycle = pending[0][0]  # nothing can issue before then: skip the stall cycles
            continue
        used = [0] * len(model.limits)
        packet: list[int] = []
        while len(packet) < model.slots:
            best: tuple[int, int] | None = None
            best_class = ""
            for klass, heap in ready.items():
                if not heap or (best is not None and heap[0] >= best):
                    continue
                for r, u in demand[klass]:
                    if used[r] + u > limits[r]:
                        break
                else:
                    best, best_class = heap[0], klass
            if best is None:
                break
            heapq.heappop(ready[best_class])
            i = best[1]
            for r, u in demand[best_class]:
                used[r] += u
            packet.append(i)
            left -= 1
            for j, lat in dag.succs[i]:
                earliest[j] = max(earliest[j], cycle + lat)
                npreds[j] -= 1
                if npreds[j] == 0:
                    if earliest[j] <= cycle:  # a latency-0 edge: may join this packet
                        heapq.heappush(ready.setdefault(classes[j], []), (-height[j], j))
                    else:
                        heapq.heappush(pending, (earliest[j], -height[j], j))
        packet.sort()
        packets.append(packet)
        cycle += 1
    dag.fold_steps(packets)
    return packets


# endregion

# region IR rewriting


def _error(op: Operation, message: str) -> DiagnosticException:
    tag = vx.location_tag(op)
    where = f'loc("{tag}")' if tag else op.name
    return DiagnosticException(f"vx-schedule: {where}: {message}")


def _bare(cls: type[Operation], location: LocationAttr) -> Operation:
    """An op of `cls` without operands, results, successors or regions, built field by
    field: `Operation.__init__` and IRDL's `__post_init__` were a third of the pass on big
    programs (tests/test_vx_schedule.py checks the fields against `create`)."""
    op = cls.__new__(cls)
    op._operands = SSAValues()  # pyright: ignore[reportPrivateUsage]
    op._operand_uses = ()  # pyright: ignore[reportPrivateUsage]
    op.results = SSAValues()
    op.properties = {}
    op.attributes = {}
    op.location = location
    op._successors = ()  # pyright: ignore[reportPrivateUsage]
    op._successor_uses = ()  # pyright: ignore[reportPrivateUsage]
    op.regions = ()
    return op


def new_packet(ops: Sequence[Operation], yielded: Sequence[SSAValue],
               location: LocationAttr) -> vx.PacketOp:
    """A result-less `vx.packet` of the detached instructions `ops` and a `vx.yield` of
    `yielded` (see `_bare`)."""
    terminator = _bare(vx.YieldOp, _UNKNOWN_LOC)
    terminator.operands = yielded
    ops = [*ops, terminator]
    block = Block()
    prev: Operation | None = None
    for op in ops:
        op.parent = block
        op._prev_op = prev  # pyright: ignore[reportPrivateUsage]
        if prev is not None:
            prev._next_op = op  # pyright: ignore[reportPrivateUsage]
        prev = op
    block._first_op, block._last_op = ops[0], ops[-1]  # pyright: ignore[reportPrivateUsage]
    region = Region()
    region._first_block = region._last_block = block  # pyright: ignore[reportPrivateUsage]
    block.parent = region
    packet = _bare(vx.PacketOp, location)
    packet.regions = (region,)
    region.parent = packet
    return packet  # pyright: ignore[reportReturnType]


def _bundle(block: Block, ops: list[vx.VxInstruction], before: Operation | None,
            model: MachineModel) -> None:
    """Replace the instructions `ops` of `block` by packets, inserted before `before`."""
    if not ops:
        return
    packets = [[ops[i] for i in packet] for packet in schedule_block(ops, model)]
    for members in packets:
        for op in members:
            block.detach_op(op)
        # The packet takes over each used result, with its uses (all after the packet);
        # the instruction gets a fresh result that only the vx.yield reads. The same IR as
        # creating packet results and redirecting the uses, without rewriting every user's
        # operand list (the bulk of the pass on big programs).
        yielded: list[OpResult] = []
        inner: list[OpResult] = []
        for op in members:
            results = op.results
            if all(r.first_use is None for r in results):
                continue
            fresh = list(results)
            for r in results:
                if r.first_use is not None:
                    new = OpResult(r._type, op, r.index)  # pyright: ignore[reportPrivateUsage]
                    new._name = r._name  # pyright: ignore[reportPrivateUsage]
                    fresh[r.index] = new
                    yielded.append(r)
                    inner.append(new)
            op.results = SSAValues(fresh)
        packet = new_packet(members, inner, members[0].location)
        for index, r in enumerate(yielded):
            r.op = packet
            r.index = index
            # as replace_uses_with_if's name carry-over
            r.name_hint = r._name  # pyright: ignore[reportPrivateUsage]
        packet.results = SSAValues(yielded)
        if before is None:
            block.add_op(packet)
        else:
            block.insert_op_before(packet, before)


def check_body(block: Block) -> None:
    """Fail, before anything changes, on an op the scheduler has no machine model for."""
    for op in block.ops:
        if isinstance(op, vx.VxInstruction | vx.LabelOp | vx.PacketOp | vx.YieldOp):
            continue
        if isinstance(op, vx.LoopOp):
            check_body(op.body.block)
        elif isinstance(op, vx.VxPseudoInstruction):
            raise _error(op, f"expected machine instructions, got the pseudo-instruction "
                             f"{op.name} (run vx-expand-math first)")
        else:
            raise _error(op, f"expected vx instructions, packets, labels or loops, "
                             f"got {op.name}")


def schedule_region_block(block: Block, model: MachineModel) -> None:
    """Schedule a `vx.func` or `vx.loop` body (see `check_body`): each basic block, loop
    bodies recursively."""
    segment: list[vx.VxInstruction] = []
    for op in list(block.ops):
        if isinstance(op, vx.VxInstruction):
            segment.append(op)
            if op.CLASS in _CONTROL_CLASSES:  # a branch or halt ends its basic block
                _bundle(block, segment, op.next_op, model)
                segment = []
            continue
        _bundle(block, segment, op, model)  # labels, loops, packets: block boundaries
        segment = []
        if isinstance(op, vx.LoopOp):
            schedule_region_block(op.body.block, model)
    _bundle(block, segment, None, model)


def _has_target_attr(op: Operation) -> str | None:
    current: Operation | None = op
    while current is not None:
        attr = current.attributes.get(vx.TARGET_ATTR)
        if isinstance(attr, StringAttr):
            return attr.data
        current = current.parent_op()
    return None


def _load(name: str) -> Target:
    try:
        return vx._load_target(name)  # pyright: ignore[reportPrivateUsage]
    except Exception as e:
        raise DiagnosticException(f"vx-schedule: cannot load target '{name}': {e}") from e


# endregion


@dataclass(frozen=True)
class VxSchedulePass(ModulePass):
    """Bundle every instruction of every `vx.func` into VLIW packets (list scheduling).

    `target`: a target name or .toml path; empty means the `vx.target` attribute around
    each function (default vx128). A module without the attribute gets it set to `target`,
    so that the packet verifier checks the packets against the machine they were made for;
    a function under a different `vx.target` is an error. See the module docstring.
    """

    name = "vx-schedule"

    target: str = ""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        funcs = vx.funcs_in(op)
        unnamed = _has_target_attr(op) is None and all(
            vx.TARGET_ATTR not in f.attributes for f in funcs)
        models: dict[Target, MachineModel] = {}
        work: list[tuple[vx.FuncOp, MachineModel]] = []
        for func in funcs:  # check everything first: an error leaves the module unchanged
            declared = self.target if self.target and unnamed else vx.target_name_of(func)
            target = _load(declared)
            if self.target and _load(self.target) != target:
                raise _error(func, f"expected @{func.sym_name.data} to be for target "
                                   f"'{_load(self.target).name}' (the target option), got "
                                   f"vx.target '{declared}'")
            check_body(func.body.block)
            model = models.get(target)
            if model is None:
                model = models[target] = MachineModel.of(target)
            work.append((func, model))
        if self.target and unnamed:
            op.attributes[vx.TARGET_ATTR] = StringAttr(self.target)
        with gc_paused():
            for func, model in work:
                schedule_region_block(func.body.block, model)
