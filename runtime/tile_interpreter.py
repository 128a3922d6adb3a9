"""Numpy interpreter for `tile` IR (level L2), to compare outputs level by level with the nn
interpreter.

    outs = interpret(module, [x], resources)          # list of numpy arrays, one per output

The function follows the destination-passing convention of `convert-nn-to-tile`: its
arguments are the graph inputs then one buffer per graph output (`tile.output` arg attr).

Memory is simulated faithfully when the module has been planned (`tile-plan-memory`): every
buffer is then a numpy view into one byte arena per memory space at its planned offset, so a
planner that overlaps two live buffers corrupts the outputs here — the interpreter doubles
as the planner's functional test. Unplanned buffers get private arrays. DMA runs
synchronously at `tile.dma_start` (a correct program waits before it reads, so the order of
completion is not observable); instead every access is checked against the DMAs not yet
waited for, and a race (reading a box a pending DMA writes, writing one it reads or
writes, a DMA left unwaited at the end of its kernel) is a `DmaHazardError` naming the op.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from xdsl.dialects import arith, func, scf
from xdsl.dialects.builtin import (
    DenseIntOrFPElementsAttr,
    DenseResourceAttr,
    FloatAttr,
    IntegerAttr,
    MemRefType,
    ModuleOp,
    StringAttr,
)
from xdsl.ir import Block, Operation, SSAValue

from vexa.dialects import tile
from vexa.runtime.resources import ResourceTable, module_resources

Env = dict[SSAValue, Any]



class TileInterpreterError(Exception):
    """An op the interpreter cannot run, or inputs that do not match the function."""


def numpy_dtype(element_type: Any) -> np.dtype:
    """The numpy dtype of a buffer's element type (the nn interpreter's mapping: i1 is
    bool, ui8 uint8, bf16 ml_dtypes' bfloat16)."""
    from vexa.runtime.nn_interpreter import numpy_dtype as nn_dtype

    try:
        return nn_dtype(element_type)
    except Exception as e:  # noqa: BLE001 - VexaError: one line, no traceback
        raise TileInterpreterError(f"unsupported element type {element_type}") from e


def _ints(attr: Any) -> tuple[int, ...]:
    return tuple(int(v) for v in attr.get_values())


def main_function(module: ModuleOp) -> func.FuncOp:
    for op in module.ops:
        if isinstance(op, func.FuncOp) and op.sym_name.data == "main":
            return op
    for op in module.ops:
        if isinstance(op, func.FuncOp):
            return op
    raise TileInterpreterError("expected a func.func in the module")


def output_arg_indices(fn: func.FuncOp) -> list[int]:
    """Positions of the output buffers among the function arguments."""
    attrs = fn.arg_attrs.data if fn.arg_attrs is not None else ()
    return [i for i, d in enumerate(attrs) if "tile.output" in d.data]


class _Memory:
    """One byte arena per memory space when the module is planned, else private arrays."""

    def __init__(self, sizes: Mapping[str, int]) -> None:
        self.arenas = {space: np.zeros(max(n, 1), np.uint8) for space, n in sizes.items()}

    def buffer(self, typ: MemRefType, offset: int | None) -> np.ndarray:
        dtype = numpy_dtype(typ.get_element_type())
        shape = tuple(typ.get_shape())
        space = tile.space_of(typ)
        if offset is None or space not in self.arenas:
            return np.zeros(shape, dtype)
        nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        arena = self.arenas[space]
        if offset < 0 or offset + nbytes > arena.size or offset % dtype.itemsize:
            raise TileInterpreterError(
                f"buffer {typ} at offset {offset} does not fit the {space} arena of {arena.size} bytes"
            )
        return arena[offset : offset + nbytes].view(dtype).reshape(shape)


def _offset(op: Operation) -> int | None:
    off = op.properties.get("offset") or op.attributes.get("offset")
    return int(off.value.data) if isinstance(off, IntegerAttr) else None


def interpret(
    module: ModuleOp,
    inputs: Sequence[np.ndarray] | Mapping[str, np.ndarray],
    resources: ResourceTable | None = None,
) -> list[np.ndarray]:
    """Run `@main` of a tile module on numpy inputs; return the outputs in order."""
    fn = main_function(module)
    table = resources if resources is not None else module_resources(module)
    sizes: dict[str, int] = {}
    for key, space in (("tile.dram_bytes", tile.DRAM), ("tile.vtcm_bytes", tile.VTCM)):
        attr = module.attributes.get(key)
        if isinstance(attr, IntegerAttr):
            sizes[space] = int(attr.value.data)
    mem = _Memory(sizes)

    args = fn.body.block.args
    outs = set(output_arg_indices(fn))
    arg_attrs = fn.arg_attrs.data if fn.arg_attrs is not None else [None] * len(args)
    in_positions = [i for i in range(len(args)) if i not in outs]
    if isinstance(inputs, Mapping):
        names = []
        for i in in_positions:
            name = arg_attrs[i].data.get("nn.name") if arg_attrs[i] is not None else None
            names.append(name.data if isinstance(name, StringAttr) else f"arg{i}")
        missing = [n for n in names if n not in inputs]
        if missing:
            raise TileInterpreterError(f"missing inputs {missing}")
        values = [inputs[n] for n in names]
    else:
        values = list(inputs)
    if len(values) != len(in_positions):
        raise TileInterpreterError(f"expected {len(in_positions)} inputs, got {len(values)}")

    env: Env = {}
    for i, arg in enumerate(args):
        typ = arg.type
        assert isinstance(typ, MemRefType)
        off = arg_attrs[i].data.get("tile.offset") if arg_attrs[i] is not None else None
        buf = mem.buffer(typ, int(off.value.data) if isinstance(off, IntegerAttr) else None)
        if i not in outs:
            val = np.asarray(values[in_positions.index(i)])
            if val.shape != buf.shape:
                raise TileInterpreterError(
                    f"input #{in_positions.index(i)}: expected shape {buf.shape}, got {val.shape}"
                )
            buf[...] = val
        env[arg] = buf
    _Runner(env, mem, table).block(fn.body.block)
    return [np.array(env[args[i]]) for i in sorted(outs)]


class DmaHazardError(TileInterpreterError):
    """A buffer touched while a DMA that reads or writes it has not been waited for."""


Region = tuple[np.ndarray, tuple[slice, ...]]


class _Dma:
    """An issued, not yet waited DMA: the regions it reads and writes."""

    def __init__(self, op: Operation, src: Region, dst: Region) -> None:
        self.op, self.src, self.dst = op, src, dst


def _whole(a: np.ndarray) -> Region:
    return a, tuple(slice(0, n) for n in a.shape)


def _overlap(a: Region, b: Region) -> bool:
    """Do two boxes touch the same bytes? Boxes of one buffer (same address and shape)
    compare per dimension; otherwise compare address ranges, which is exact for the
    contiguous buffers and slices this level uses."""
    (xa, sa), (xb, sb) = a, b
    same = (
        xa.shape == xb.shape
        and xa.__array_interface__["data"][0] == xb.__array_interface__["data"][0]
    )
    if same:
        return all(p.start < q.stop and q.start < p.stop for p, q in zip(sa, sb, strict=True))
    return bool(np.may_share_memory(xa[sa], xb[sb]))


class _Runner:
    def __init__(
        self,
        env: Env,
        mem: _Memory,
        table: ResourceTable,
        pending: dict[object, _Dma] | None = None,
    ) -> None:
        self.env = env
        self.mem = mem
        self.table = table
        # DMAs run eagerly here, so a missing wait would go unnoticed: track the
        # outstanding ones and trap any access that races with them
        self.pending: dict[object, _Dma] = {} if pending is None else pending

    def touch(
        self, op: Operation, reads: list[np.ndarray | Region], writes: list[np.ndarray | Region]
    ) -> None:
        if not self.pending:
            return
        reads = [_whole(r) if isinstance(r, np.ndarray) else r for r in reads]
        writes = [_whole(w) if isinstance(w, np.ndarray) else w for w in writes]
        for dma in self.pending.values():
            for r in reads:
                if _overlap(r, dma.dst):
                    raise DmaHazardError(
                        f"{op.location}: {op.name} reads a buffer that an unwaited DMA writes"
                    )
            for w in writes:
                if _overlap(w, dma.dst) or _overlap(w, dma.src):
                    raise DmaHazardError(
                        f"{op.location}: {op.name} writes a buffer that an unwaited DMA uses"
                    )

    def block(self, block: Block) -> list[Any]:
        """Run a block; return the operands of its terminator (yield)."""
        for op in block.ops:
            if isinstance(op, tile.YieldOp | scf.YieldOp):
                return [self.env[v] for v in op.operands]
            if isinstance(op, func.ReturnOp):
                return []
            self.op(op)
        return []

    def op(self, op: Operation) -> None:
        env = self.env
        handler = getattr(self, "_" + op.name.replace(".", "_"), None)
        if handler is not None:
            handler(op)
            return
        if op.name.startswith("arith.") or op.name.startswith("math."):
            env[op.results[0]] = _scalar_op(op, [env[v] for v in op.operands])
            return
        raise TileInterpreterError(f"{op.name} is not supported by the tile interpreter")

    # structure ------------------------------------------------------------------------

    def _tile_kernel(self, op: tile.KernelOp) -> None:
        self.block(op.body.block)
        if self.pending:
            first = next(iter(self.pending.values())).op
            raise DmaHazardError(
                f"{first.location}: tile.dma_start not waited before the end of its kernel"
            )

    def _tile_for(self, op: tile.ForOp) -> None:
        carried = [self.env[v] for v in op.iter_args]
        iv, *cargs = op.body.block.args
        for i in range(op.lb.value.data, op.ub.value.data, op.step.value.data):
            self.env[iv] = i
            for a, v in zip(cargs, carried, strict=True):
                self.env[a] = v
            carried = self.block(op.body.block)
        for r, v in zip(op.res, carried, strict=True):
            self.env[r] = v

    def _scf_if(self, op: scf.IfOp) -> None:
        region = op.true_region if self.env[op.cond] else op.false_region
        vals = self.block(region.block) if region.blocks else []
        for r, v in zip(op.results, vals, strict=True):
            self.env[r] = v

    # buffers --------------------------------------------------------------------------

    def _tile_alloc(self, op: tile.AllocOp) -> None:
        typ = op.result.type
        assert isinstance(typ, MemRefType)
        self.env[op.result] = self.mem.buffer(typ, _offset(op))

    def _tile_constant(self, op: tile.ConstantOp) -> None:
        typ = op.result.type
        assert isinstance(typ, MemRefType)
        buf = self.mem.buffer(typ, _offset(op))
        value = op.value
        if isinstance(value, DenseResourceAttr):
            name = value.resource_handle.data
            if name not in self.table:
                raise TileInterpreterError(f"no bytes for dense_resource<{name}>")
            buf[...] = np.asarray(self.table[name]).reshape(buf.shape)
        else:
            assert isinstance(value, DenseIntOrFPElementsAttr)
            from vexa.runtime.nn_interpreter import dense_to_numpy

            buf[...] = dense_to_numpy(value).reshape(buf.shape)
        self.env[op.result] = buf

    def _tile_view(self, op: tile.ViewOp) -> None:
        src = self.env[op.source]
        typ = op.result.type
        assert isinstance(typ, MemRefType)
        shape = tuple(typ.get_shape())
        n = int(np.prod(shape, dtype=np.int64))
        flat = src.reshape(-1)
        if not np.shares_memory(flat, src) and src.size:
            raise TileInterpreterError("tile.view of a non-contiguous buffer")
        view = flat[op.start : op.start + n].reshape(shape)
        self.env[op.result] = view

    # DMA ------------------------------------------------------------------------------

    def _tile_dma_start(self, op: tile.DmaStartOp) -> None:
        src, dst = self.env[op.src], self.env[op.dst]
        si = [self.env[v] for v in op.src_indices]
        di = [self.env[v] for v in op.dst_indices]
        token = object()
        boxes = dma_copy(
            src, si, dst, di, op.static_sizes, check=lambda s_r, d_r: self.touch(op, [s_r], [d_r])
        )
        if boxes is not None:
            self.pending[token] = _Dma(op, boxes[0], boxes[1])
        self.env[op.token] = token

    def _tile_dma_wait(self, op: tile.DmaWaitOp) -> None:
        for v in op.tokens:
            self.pending.pop(self.env[v], None)

    def _tile_ready(self, op: tile.ReadyOp) -> None:
        self.env[op.token] = object()

    # compute --------------------------------------------------------------------------

    def _tile_fill(self, op: tile.FillOp) -> None:
        out = self.env[op.output]
        self.touch(op, [], [out])
        with np.errstate(over="ignore", invalid="ignore"):  # -3.4e38 in an f16 tile: -inf
            out[...] = np.asarray(op.value.value.data).astype(out.dtype)

    def _tile_matmul(self, op: tile.MatmulOp) -> None:
        a, b, c = self.env[op.a], self.env[op.b], self.env[op.c]
        self.touch(op, [a, b, c], [c])
        if op.transpose_a is not None:
            a = np.swapaxes(a, -1, -2)
        if op.transpose_b is not None:
            b = np.swapaxes(b, -1, -2)
        if c.dtype.itemsize == 2 and c.dtype.kind != "i" and c.dtype.kind != "u":
            # 16-bit floats multiply-accumulate in f32 and round once per op
            r = np.matmul(a.astype(np.float32), b.astype(np.float32))
        else:
            r = np.matmul(a, b)
        if op.accumulate is not None:
            c[...] = c + r
        else:
            c[...] = r

    def _tile_conv(self, op: tile.ConvOp) -> None:
        x, w, y = self.env[op.x], self.env[op.w], self.env[op.y]
        self.touch(op, [x, w, y], [y])
        r = conv_valid(x, w, _ints(op.strides), _ints(op.dilations), op.groups.value.data, y.shape)
        if op.accumulate is not None:
            y[...] = y + r
        else:
            y[...] = r

    def _tile_pool(self, op: tile.PoolOp) -> None:
        x, y = self.env[op.x], self.env[op.y]
        self.touch(op, [x], [y])
        y[...] = pool_valid(
            x, op.kind.data, _ints(op.window), _ints(op.strides), _ints(op.dilations), y.shape
        )

    def _tile_reduce(self, op: tile.ReduceOp) -> None:
        x, y = self.env[op.x], self.env[op.y]
        self.touch(op, [x], [y])
        dims = _ints(op.dims)
        kind = op.kind.data
        if kind in ("argmax", "argmin"):
            (axis,) = dims
            fn = np.argmax if kind == "argmax" else np.argmin
            if op.select_last_index is not None:  # the last extremum: search reversed
                r = x.shape[axis] - 1 - fn(np.flip(x, axis=axis), axis=axis, keepdims=True)
            else:
                r = fn(x, axis=axis, keepdims=True)
            y[...] = r
            return
        fn = {"max": np.max, "add": np.sum, "mul": np.prod}[kind]
        y[...] = fn(x, axis=dims, keepdims=True).astype(y.dtype)

    def _tile_gather(self, op: tile.GatherOp) -> None:
        x, idx, y = self.env[op.x], self.env[op.indices], self.env[op.y]
        self.touch(op, [x, idx], [y])
        axis = op.axis.value.data
        i = np.asarray(idx).astype(np.int64)
        i = np.where(i < 0, i + x.shape[axis], i)
        if i.size and (i.min() < 0 or i.max() >= x.shape[axis]):
            raise TileInterpreterError(
                f"{op.location}: tile.gather index out of range [0, {x.shape[axis]})"
            )
        shape = tuple(n if d == axis else y.shape[d] for d, n in enumerate(i.shape))
        y[...] = np.take_along_axis(x, np.broadcast_to(i, shape), axis=axis)

    def _tile_top_k(self, op: tile.TopKOp) -> None:
        x, v, i = self.env[op.x], self.env[op.values], self.env[op.indices]
        self.touch(op, [x], [v, i])
        axis, k = op.axis.value.data, op.k.value.data
        # a stable sort of -x (largest) or x: ties keep the lower position first
        keys = -x.astype(np.float64) if op.largest is not None else x
        order = np.take(np.argsort(keys, axis=axis, kind="stable"), np.arange(k), axis=axis)
        v[...] = np.take_along_axis(x, order, axis=axis)
        i[...] = order

    def _tile_transpose(self, op: tile.TransposeOp) -> None:
        self.touch(op, [self.env[op.x]], [self.env[op.y]])
        self.env[op.y][...] = np.transpose(self.env[op.x], _ints(op.perm))

    def _tile_map(self, op: tile.MapOp) -> None:
        out = self.env[op.output]
        self.touch(op, [self.env[v] for v in op.inputs], [out])
        local: Env = dict(self.env)
        for arg, v in zip(op.body.block.args, op.inputs, strict=True):
            local[arg] = self.env[v]
        sub = _Runner(local, self.mem, self.table, self.pending)
        (result,) = sub.block(op.body.block)
        # compute fully before writing: the output may alias an input
        out[...] = np.broadcast_to(np.asarray(result, dtype=out.dtype), out.shape)


def dma_copy(
    src: np.ndarray,
    si: Sequence[int],
    dst: np.ndarray,
    di: Sequence[int],
    sizes: Sequence[int],
    check: Callable[[Region, Region], None] | None = None,
) -> tuple[Region, Region] | None:
    """Copy the part of the box `sizes` at src[si] / dst[di] that lies inside both buffers;
    return the (source, destination) regions moved, None when the part is empty."""
    s_sl, d_sl = [], []
    for d, n in enumerate(sizes):
        lo = max(0, -si[d], -di[d])
        hi = min(n, src.shape[d] - si[d], dst.shape[d] - di[d])
        if hi <= lo:
            return None
        s_sl.append(slice(si[d] + lo, si[d] + hi))
        d_sl.append(slice(di[d] + lo, di[d] + hi))
    s_box, d_box = (src, tuple(s_sl)), (dst, tuple(d_sl))
    if check is not None:
        check(s_box, d_box)
    dst[d_box[1]] = src[s_box[1]]
    return s_box, d_box


def conv_valid(
    x: np.ndarray,
    w: np.ndarray,
    strides: Sequence[int],
    dil: Sequence[int],
    groups: int,
    out_shape: Sequence[int],
) -> np.ndarray:
    """Unpadded grouped 2-D convolution of NCHW x by OIHW w, cropped to out_shape."""
    n, c = x.shape[:2]
    co, cg, kh, kw = w.shape
    ho, wo = out_shape[2], out_shape[3]
    ext = ((kh - 1) * dil[0] + 1, (kw - 1) * dil[1] + 1)
    win = sliding_window_view(x, ext, axis=(2, 3))
    win = win[
        :,
        :,
        : (ho - 1) * strides[0] + 1 : strides[0],
        : (wo - 1) * strides[1] + 1 : strides[1],
        :: dil[0],
        :: dil[1],
    ]
    out = np.empty((n, co, ho, wo), dtype=np.result_type(x, w))
    og = co // groups
    for g in range(groups):
        xs = win[:, g * cg : (g + 1) * cg]
        ws = w[g * og : (g + 1) * og]
        r = np.tensordot(xs, ws, axes=([1, 4, 5], [1, 2, 3]))  # n, ho, wo, og
        out[:, g * og : (g + 1) * og] = np.moveaxis(r, 3, 1)
    return out


def pool_valid(
    x: np.ndarray,
    kind: str,
    window: Sequence[int],
    strides: Sequence[int],
    dil: Sequence[int],
    out_shape: Sequence[int],
) -> np.ndarray:
    """Sliding-window max/sum over every dimension (no padding), cropped to out_shape."""
    rank = x.ndim
    ext = tuple((k - 1) * d + 1 for k, d in zip(window, dil, strict=True))
    win = sliding_window_view(x, ext)
    sl = tuple(slice(0, (o - 1) * s + 1, s) for o, s in zip(out_shape, strides, strict=True))
    sl += tuple(slice(None, None, d) for d in dil)
    win = win[sl]
    axes = tuple(range(rank, 2 * rank))
    return np.max(win, axis=axes) if kind == "max" else np.sum(win, axis=axes)


def _erf(a: Any) -> Any:
    """erf elementwise (no scipy here): math.erf per element, in the input's dtype."""
    arr = np.asarray(a)
    return np.vectorize(math.erf, otypes=[np.float64])(arr).astype(arr.dtype)


def _is_array(a: Any) -> bool:
    return isinstance(a, np.ndarray | np.generic)


def _coerce(args: list[Any]) -> list[Any]:
    """Python scalars (map-body constants) take the dtype of the array they meet, wrapping
    like the machine would (-1 in a uint8 map is 255): numpy would otherwise raise on an
    out-of-range int or widen bf16 to f32."""
    arrays = [a for a in args if _is_array(a)]
    if not arrays or len(arrays) == len(args):
        return args
    dt = np.asarray(arrays[0]).dtype
    out = []
    for a in args:
        if _is_array(a):
            out.append(a)
        elif dt == np.bool_:
            out.append(np.bool_(a))
        else:
            with np.errstate(over="ignore", invalid="ignore"):
                out.append(np.asarray(a, np.int64 if isinstance(a, int) else np.float64).astype(dt))
    return out


def _unsigned(a: np.ndarray) -> np.ndarray:
    """An integer array read as unsigned (the same bits)."""
    a = np.asarray(a)
    if a.dtype.kind == "i":
        return a.astype(np.dtype(f"uint{a.dtype.itemsize * 8}"))
    return a


def _signed(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a)
    if a.dtype.kind == "u":
        return a.astype(np.dtype(f"int{a.dtype.itemsize * 8}"))
    return a


def _result_dtype(op: Operation, unsigned: bool = False) -> np.dtype:
    dt = numpy_dtype(op.results[0].type)
    if unsigned and dt.kind == "i":
        return np.dtype(f"uint{dt.itemsize * 8}")
    return dt


def _cast(op: Operation, a: Any) -> Any:
    """arith conversions on map-body arrays: the op says how to read the source bits and
    the result type how wide the result is; numpy's astype does the rest (float to
    integer truncates toward zero, integer narrowing wraps)."""
    name = op.name
    a = np.asarray(a)
    with np.errstate(over="ignore", invalid="ignore"):
        if name in ("arith.uitofp", "arith.extui"):
            src = _unsigned(a) if a.dtype != np.bool_ else a
            return src.astype(_result_dtype(op, unsigned=name == "arith.extui"))
        if name in ("arith.sitofp", "arith.extsi"):
            return _signed(a).astype(_result_dtype(op))
        if name == "arith.fptoui":
            return a.astype(_result_dtype(op, unsigned=True))
        return a.astype(_result_dtype(op))  # extf, truncf, fptosi, trunci


_CASTS = {
    "arith.extf",
    "arith.truncf",
    "arith.sitofp",
    "arith.uitofp",
    "arith.fptosi",
    "arith.fptoui",
    "arith.extsi",
    "arith.extui",
    "arith.trunci",
}


_AS_UNSIGNED = {"arith.divui", "arith.remui", "arith.minui", "arith.maxui", "arith.shrui"}


def _divsi(a: Any, b: Any) -> Any:
    """Integer division truncating toward zero (C, arith.divsi)."""
    if not _is_array(a) and not _is_array(b):
        return int(a / b)
    q = np.floor_divide(a, b)
    fix = (np.remainder(a, b) != 0) & ((np.asarray(a) < 0) != (np.asarray(b) < 0))
    return q + fix.astype(np.asarray(q).dtype)


Binary = Callable[[Any, Any], Any]


def _pick(np_fn: Binary, py_fn: Binary) -> Binary:
    """numpy's op on arrays (map bodies), Python's on ints (index arithmetic)."""
    return lambda a, b: np_fn(a, b) if _is_array(a) or _is_array(b) else py_fn(a, b)


def _scalar_op(op: Operation, args: list[Any]) -> Any:
    """arith/math ops on Python ints (index arithmetic) or numpy arrays (map bodies)."""
    name = op.name
    if isinstance(op, arith.ConstantOp):
        v = op.value
        if isinstance(v, IntegerAttr):
            if str(v.type) == "i1":
                return np.bool_(v.value.data != 0)
            return int(v.value.data)
        if isinstance(v, FloatAttr):
            return np.float32(v.value.data) if str(v.type) == "f32" else v.value.data
        raise TileInterpreterError(f"arith.constant of {v} is not supported")
    if name == "arith.select":
        args = [args[0], *_coerce(args[1:])]
    else:
        args = _coerce(args)
    if name in _CASTS:
        return _cast(op, args[0])
    if isinstance(op, arith.CmpiOp | arith.CmpfOp):
        pred = op.predicate.value.data
        a, b = args
        if isinstance(op, arith.CmpiOp):
            table = ["eq", "ne", "slt", "sle", "sgt", "sge", "ult", "ule", "ugt", "uge"]
            kind = table[pred][-2:]
            if table[pred][0] == "u" and _is_array(a):
                a, b = _unsigned(a), _unsigned(b)
        else:
            table = [
                "false",
                "oeq",
                "ogt",
                "oge",
                "olt",
                "ole",
                "one",
                "ord",
                "ueq",
                "ugt",
                "uge",
                "ult",
                "ule",
                "une",
                "uno",
                "true",
            ]
            full = table[pred]
            if full in ("ord", "uno"):
                nan = np.isnan(a) | np.isnan(b)
                return ~nan if full == "ord" else nan
            if full in ("false", "true"):
                return np.full(np.broadcast_shapes(np.shape(a), np.shape(b)), full == "true")
            kind = full[1:]
            if full[0] == "u" and kind != "ne":  # unordered: true where either is NaN
                r = {
                    "eq": np.equal,
                    "lt": np.less,
                    "le": np.less_equal,
                    "gt": np.greater,
                    "ge": np.greater_equal,
                }[kind](a, b)
                return r | np.isnan(a) | np.isnan(b)
            if full == "one":
                return np.not_equal(a, b) & ~(np.isnan(a) | np.isnan(b))
        return {
            "eq": np.equal,
            "ne": np.not_equal,
            "lt": np.less,
            "le": np.less_equal,
            "gt": np.greater,
            "ge": np.greater_equal,
        }[kind](a, b)
    binary = {
        "arith.addi": lambda a, b: a + b,
        "arith.subi": lambda a, b: a - b,
        "arith.muli": lambda a, b: a * b,
        "arith.divui": lambda a, b: _unsigned(a) // _unsigned(b) if _is_array(a) else a // b,
        "arith.divsi": _divsi,
        "arith.floordivsi": lambda a, b: a // b,
        "arith.remui": lambda a, b: _unsigned(a) % _unsigned(b) if _is_array(a) else a % b,
        "arith.andi": lambda a, b: a & b,
        "arith.ori": lambda a, b: a | b,
        "arith.xori": lambda a, b: a ^ b,
        "arith.shli": lambda a, b: np.left_shift(a, b),
        "arith.shrui": lambda a, b: np.right_shift(_unsigned(a), _unsigned(b)),
        "arith.shrsi": lambda a, b: np.right_shift(a, b),
        "arith.remsi": lambda a, b: np.fmod(a, b) if _is_array(a) else int(np.fmod(a, b)),
        "arith.remf": np.fmod,
        "arith.minsi": _pick(np.minimum, min),
        "arith.maxsi": _pick(np.maximum, max),
        "arith.minui": _pick(lambda a, b: np.minimum(_unsigned(a), _unsigned(b)), min),
        "arith.maxui": _pick(lambda a, b: np.maximum(_unsigned(a), _unsigned(b)), max),
        "arith.addf": np.add,
        "arith.subf": np.subtract,
        "arith.mulf": np.multiply,
        "arith.divf": np.divide,
        "arith.maximumf": np.maximum,
        "arith.minimumf": np.minimum,
        "arith.maxnumf": np.fmax,
        "arith.minnumf": np.fmin,
        "math.powf": np.power,
        "math.ipowi": np.power,
    }
    unary = {
        "arith.negf": np.negative,
        "math.exp": np.exp,
        "math.log": np.log,
        "math.sqrt": np.sqrt,
        "math.rsqrt": lambda a: np.asarray(1, np.asarray(a).dtype) / np.sqrt(a),
        "math.tanh": np.tanh,
        "math.absf": np.abs,
        "math.absi": np.abs,
        "math.log1p": np.log1p,
        "math.floor": np.floor,
        "math.ceil": np.ceil,
        "math.trunc": np.trunc,
        "math.roundeven": np.round,  # numpy rounds halves to even
        "math.erf": _erf,
        "math.sin": np.sin,
        "math.cos": np.cos,
        "math.tan": np.tan,
        "math.asin": np.arcsin,
        "math.acos": np.arccos,
        "math.atan": np.arctan,
        "math.sinh": np.sinh,
        "math.cosh": np.cosh,
        "math.asinh": np.arcsinh,
        "math.acosh": np.arccosh,
        "math.atanh": np.arctanh,
    }
    with np.errstate(all="ignore"):  # inf/nan results are values here, as on the machine
        if name in binary:
            r = binary[name](*args)
            if name in _AS_UNSIGNED and _is_array(args[0]):  # back to the operands' dtype
                r = np.asarray(r).astype(np.asarray(args[0]).dtype)
            return r
        if name in unary:
            return unary[name](*args)
    if name == "arith.select":
        c, a, b = args
        if isinstance(c, bool | np.bool_):  # a scalar condition picks either (a buffer slot)
            return a if c else b
        return np.where(c, a, b)  # elementwise, inside a tile.map body
    raise TileInterpreterError(f"{name} is not supported by the tile interpreter")
