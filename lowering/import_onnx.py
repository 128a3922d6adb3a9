"""ONNX -> `nn` (level L1): the importer.

    module = import_onnx("resnet18.onnx", input_shapes={"input": [1, 3, 224, 224]})
    weights = module_resources(module)          # name -> numpy array behind dense_resource

The result is one `func.func @main` of `nn` ops on static tensors (docs/nn_ops.md). The
importer is where every ONNX convention ends, so that nothing downstream knows about
opsets or defaults:

- each ONNX op has a small normaliser that reads the node at the op version its opset
  selects, fills the ONNX defaults of that version, resolves `auto_pad` into explicit
  `pads`, turns inputs that must be constant into properties (contract rule 3), rewrites
  opset < 13 Softmax-family semantics, resolves Reshape 0/-1, clamps Slice bounds, ...;
- values are either numpy arrays (known at import time: initializers, Constant nodes,
  folded subgraphs) or SSA values; an op whose operands are all known and whose result
  is small (<= 1024 elements) is evaluated with the reference kernels instead of emitted,
  so Shape -> Gather -> Concat -> Reshape chains disappear;
- known values become `nn.constant` only where an emitted op uses them: small ones as
  `dense<...>`, the rest as `dense_resource<name>` with the bytes in the module's
  resource table.

Everything the importer cannot compile is a `VexaError` naming the ONNX node: all
unsupported op types at once (with counts), dangling tensor names, unpinned dynamic
dimensions, shape inputs computed at run time, used optional outputs we do not produce.
"""

from __future__ import annotations

import heapq
import math
import os
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import onnx
from onnx import AttributeProto, ModelProto, NodeProto, TensorProto, helper, numpy_helper
from xdsl.dialects.builtin import (
    ArrayAttr,
    BytesAttr,
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    DenseResourceAttr,
    DictionaryAttr,
    FloatAttr,
    FunctionType,
    IntegerAttr,
    ModuleOp,
    NameLoc,
    NoneAttr,
    StringAttr,
    TensorType,
    f32,
    i64,
)
from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue

from vexa.runtime.nn_interpreter import attribute_value, element_type, evaluate_op, numpy_dtype
from vexa.runtime.resources import ResourceTable, module_resources
from vexa.tools.errors import VexaError

__all__ = ["MIN_OPSET", "MAX_OPSET", "FOLD_LIMIT", "import_onnx", "load_model", "supported_ops"]

MIN_OPSET = 7
MAX_OPSET = onnx.defs.onnx_opset_version()
FOLD_LIMIT = 1024
"""Largest result (elements) the importer folds; bigger all-constant ops stay as ops."""
DENSE_LIMIT = 16
"""Largest non-splat constant printed inline as dense<...>; bigger ones are resources."""
_EVAL_INPUT_LIMIT = 1 << 20
_STANDARD_DOMAINS = ("", "ai.onnx")

Value = np.ndarray | SSAValue
"""An ONNX tensor during import: known at import time (numpy) or computed at run time."""

_FLOAT_MAX = float(np.finfo(np.float32).max)


# --------------------------------------------------------------------------------------
# property encodings (contract rule 2)


def _int(v: Any) -> IntegerAttr:
    return IntegerAttr(int(v), i64)


def _ints(vs: Sequence[Any]) -> DenseArrayBase:
    return DenseArrayBase.from_list(i64, [int(v) for v in vs])


def _float(v: Any) -> FloatAttr:
    return FloatAttr(float(v), f32)


def _floats(vs: Sequence[Any]) -> DenseArrayBase:
    return DenseArrayBase.from_list(f32, [float(v) for v in vs])


def _str(v: str | bytes) -> StringAttr:
    return StringAttr(v.decode() if isinstance(v, bytes) else v)


def dense_attr(array: np.ndarray) -> DenseIntOrFPElementsAttr:
    """A `dense<...>` attribute holding `array` (splats hold one element, as MLIR prints)."""
    shape = np.shape(array)
    if _is_broadcast_splat(array):
        # One element, without materialising the fill (ConstantOfShape of 100M elements).
        array = np.asarray(array).flat[0:1].copy()
    arr = _array(array)
    ty = TensorType(element_type(arr.dtype), shape)
    flat = arr.reshape(-1)
    if flat.size > 1 and bool(np.all(flat == flat[0])) and not _has_nan(flat):
        flat = flat[:1]
    if arr.dtype == np.bool_:
        data = flat.astype(np.uint8).tobytes()
    else:
        data = flat.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
    return DenseIntOrFPElementsAttr(ty, BytesAttr(data))


def _array(x: Any) -> np.ndarray:
    """`x` as a C-contiguous array of the same rank (np.ascontiguousarray makes 0-d 1-d)."""
    arr = np.asarray(x)
    return arr if arr.flags.c_contiguous else arr.copy(order="C")


def _has_nan(flat: np.ndarray) -> bool:
    return flat.dtype.kind == "f" and bool(np.isnan(flat).any())


def _is_broadcast_splat(array: np.ndarray) -> bool:
    """A view of one element broadcast to a shape (as ConstantOfShape builds it)."""
    a = np.asarray(array)
    return a.size > 1 and all(st == 0 for st in a.strides) and not _has_nan(a.flat[0:1])


def _is_splat(array: np.ndarray) -> bool:
    if _is_broadcast_splat(array):
        return True
    flat = array.reshape(-1)
    return flat.size > 0 and not _has_nan(flat[:1]) and bool(np.all(flat == flat[0]))


# --------------------------------------------------------------------------------------
# loading


def load_model(model: ModelProto | bytes | str | os.PathLike[str]) -> ModelProto:
    """A ModelProto from a proto, serialized bytes or a path; `VexaError` if it is not ONNX."""
    if isinstance(model, ModelProto):
        proto = model
        where = "model"
    elif isinstance(model, (bytes, bytearray, memoryview)):
        proto = ModelProto()
        where = "model"
        try:
            proto.ParseFromString(bytes(model))
        except Exception as e:  # noqa: BLE001 - protobuf raises its own DecodeError
            raise VexaError(f"not a valid ONNX model: {_first_line(e)}") from e
    elif isinstance(model, (str, os.PathLike)):
        where = os.fspath(model)
        if not os.path.isfile(where):
            raise VexaError(f"{where}: no such file")
        try:
            proto = onnx.load(where)
        except Exception as e:  # noqa: BLE001 - protobuf/IO errors: the file is not a model
            raise VexaError(f"{where}: not a valid ONNX model: {_first_line(e)}") from e
    else:
        raise VexaError(f"expected a ModelProto, bytes or a path, got {type(model).__name__}")
    # protobuf happily parses many non-ONNX byte strings into an empty message
    if not proto.HasField("graph") or proto.ir_version == 0:
        raise VexaError(f"{where}: not a valid ONNX model: no graph or ir_version in the file")
    return proto


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


# --------------------------------------------------------------------------------------
# node view


_REQUIRED = object()


@dataclass
class _Node:
    """One ONNX node as the normalisers see it: attributes with the defaults of its version."""

    proto: NodeProto
    name: str
    version: int
    inputs: list[Value | None]
    attrs: dict[str, Any]
    loc: NameLoc
    used: set[str] = field(default_factory=set)
    """Tensor names some node or graph output reads."""

    @property
    def op_type(self) -> str:
        return self.proto.op_type

    def output_used(self, i: int) -> bool:
        """Whether output `i` exists and is read (optional outputs are computed only then)."""
        return i < len(self.proto.output) and self.proto.output[i] in self.used

    def error(self, message: str) -> VexaError:
        return VexaError(f"node '{self.name}' ({self.op_type}): {message}")

    def attr(self, name: str, default: Any = _REQUIRED) -> Any:
        if name in self.attrs:
            value = self.attrs[name]
            return value.decode() if isinstance(value, bytes) else value
        if default is _REQUIRED:
            raise self.error(f"missing required attribute '{name}'")
        return default

    def input(self, i: int) -> Value | None:
        return self.inputs[i] if i < len(self.inputs) else None

    def operand(self, i: int) -> Value:
        v = self.input(i)
        if v is None:
            raise self.error(f"expected input #{i}, got none")
        return v

    def const(self, i: int, what: str) -> np.ndarray | None:
        """Input `i`, which must be known at import time (None when absent)."""
        v = self.input(i)
        if v is None or isinstance(v, np.ndarray):
            return v
        # runtime/onnx_backend.py finds the tensor to specialise on in "('<tensor>') must be"
        raise self.error(
            f"input '{what}' ('{self.proto.input[i]}') must be a constant, got a value "
            "computed at run time; vexa needs static shapes"
        )

    def const_ints(self, i: int, what: str) -> list[int] | None:
        v = self.const(i, what)
        return None if v is None else [int(x) for x in v.reshape(-1)]


def shape_of(v: Value) -> tuple[int, ...]:
    if isinstance(v, np.ndarray):
        return tuple(v.shape)
    ty = v.type
    assert isinstance(ty, TensorType)
    return tuple(ty.get_shape())


def dtype_of(v: Value) -> np.dtype:
    if isinstance(v, np.ndarray):
        return v.dtype
    ty = v.type
    assert isinstance(ty, TensorType)
    return numpy_dtype(ty.get_element_type())


def _axis(n: _Node, axis: int, rank: int) -> int:
    a = axis + rank if axis < 0 else axis
    if not 0 <= a < max(rank, 1):
        raise n.error(f"axis {axis} out of range for rank {rank}")
    return a


def _axes(n: _Node, axes: Sequence[int], rank: int) -> list[int]:
    return sorted(_axis(n, int(a), rank) for a in axes)


# --------------------------------------------------------------------------------------
# the importer


Normaliser = Callable[["_Importer", _Node], Sequence[Value | None]]
NORMALISERS: dict[str, Normaliser] = {}


def onnx_op(*op_types: str) -> Callable[[Normaliser], Normaliser]:
    """Register a normaliser for one or more ONNX op types."""

    def register(fn: Normaliser) -> Normaliser:
        for t in op_types:
            NORMALISERS[t] = fn
        return fn

    return register


def supported_ops() -> list[str]:
    """The ONNX op types the importer knows (sorted)."""
    return sorted(NORMALISERS)


_nn_ops: dict[str, type[Operation]] | None = None


def _nn_op_class(name: str) -> type[Operation] | None:
    global _nn_ops
    if _nn_ops is None:
        from vexa.dialects.nn import NN

        _nn_ops = {op.name: op for op in NN.operations}
    return _nn_ops.get(name)


@dataclass
class _Importer:
    opset: int
    resources: ResourceTable
    block: Block
    materialized: dict[int, tuple[np.ndarray, SSAValue]] = field(default_factory=dict)
    loc: NameLoc | None = None
    const_names: dict[int, tuple[np.ndarray, str, NameLoc]] = field(default_factory=dict)
    """id(array) -> (array, ONNX name) for initializers and Constant outputs: their
    nn.constant is located and its resource named after them."""

    # ---- values

    def ssa(self, v: Value, loc: NameLoc | None = None) -> SSAValue:
        """`v` as an SSA value: a known array becomes one nn.constant (memoised)."""
        if not isinstance(v, np.ndarray):
            return v
        hit = self.materialized.get(id(v))
        if hit is not None:
            return hit[1]
        named = self.const_names.get(id(v))
        if named is not None and loc is None:
            loc = named[2]
        op = self.constant_op(v, loc or self.loc, named[1] if named is not None else None)
        self.block.add_op(op)
        self.materialized[id(v)] = (v, op.results[0])
        return op.results[0]

    def constant_op(
        self, array: np.ndarray, loc: NameLoc | None, name: str | None = None
    ) -> Operation:
        ty = TensorType(element_type(array.dtype), array.shape)
        value: Attribute
        if array.size <= DENSE_LIMIT or _is_splat(array):
            value = dense_attr(array)
        else:
            base = name or (loc.desc.data if loc is not None else "cst")
            handle = self.resources.unique_name(base)
            self.resources[handle] = array
            value = DenseResourceAttr.from_params(handle, ty)
        op = self.build("nn.constant", [], {"value": value})
        if loc is not None:
            op.location = loc
        return op

    # ---- ops

    def build(
        self, name: str, operands: Sequence[SSAValue], props: Mapping[str, Attribute]
    ) -> Operation:
        cls = _nn_op_class(name)
        if cls is None:
            raise VexaError(f"the nn dialect has no op '{name}'")
        return cls.build_inferred(list(operands), dict(props))  # type: ignore[attr-defined]

    def emit(
        self,
        name: str,
        operands: Sequence[Value | None | Sequence[Value]],
        props: Mapping[str, Attribute] | None = None,
    ) -> list[Value]:
        """Emit nn op `name` (or fold it when every operand is known and the result small).

        `operands` are in declaration order: None for an absent optional operand, a list
        for a variadic one.
        """
        props = dict(props or {})
        flat = [o for x in operands for o in (x if isinstance(x, (list, tuple)) else [x])]
        known = [o for o in flat if o is not None]
        if (
            all(isinstance(o, np.ndarray) for o in known)
            and sum(o.size for o in known) <= _EVAL_INPUT_LIMIT
        ):  # type: ignore[union-attr]
            results = evaluate_op(name, flat, {k: attribute_value(v) for k, v in props.items()})
            if all(np.asarray(r).size <= FOLD_LIMIT for r in results):
                return [_array(r) for r in results]
        op = self.build(name, [self.ssa(o) for o in known], props)
        if self.loc is not None:
            op.location = self.loc
        self.block.add_op(op)
        return list(op.results)

    def emit1(
        self,
        name: str,
        operands: Sequence[Value | None | Sequence[Value]],
        props: Mapping[str, Attribute] | None = None,
    ) -> Value:
        return self.emit(name, operands, props)[0]


# --------------------------------------------------------------------------------------
# graph-level import


def import_onnx(
    model: ModelProto | bytes | str | os.PathLike[str],
    input_shapes: Mapping[str, Sequence[int]] | None = None,
) -> ModuleOp:
    """Import an ONNX model into one `func.func @main` of `nn` ops.

    `input_shapes` pins graph inputs (name -> shape), needed for dynamic dimensions. The
    weights go to the returned module's resource table (`module_resources(module)`).
    Raises `VexaError` (one message) for anything vexa cannot compile.
    """
    proto = load_model(model)
    if len(proto.functions):
        # model-local functions are plain subgraphs: inline them, then import as usual
        import onnx.inliner

        proto = onnx.inliner.inline_local_functions(proto)
    graph = proto.graph
    opset = _default_opset(proto)
    nodes = _sorted_nodes(graph)
    _check_supported(nodes, opset)

    initializers: dict[str, TensorProto] = {t.name: t for t in graph.initializer}
    inputs = [i for i in graph.input if i.name not in initializers]
    arg_types = _input_types(inputs, input_shapes)

    block = Block(arg_types=arg_types)
    module = ModuleOp([])
    resources = module_resources(module)
    imp = _Importer(opset, resources, block)
    env: dict[str, Value] = {}
    for vi, arg in zip(inputs, block.args, strict=True):
        env[vi.name] = arg
    for name, tensor in initializers.items():
        env[name] = array = _tensor_array(tensor, f"initializer '{name}'")
        imp.const_names[id(array)] = (array, name, NameLoc(StringAttr(name), NoneAttr()))

    used = _used_names(graph)
    for node, name in nodes:
        imp.loc = NameLoc(StringAttr(name), NoneAttr())
        _import_node(imp, node, name, env, used)

    results: list[SSAValue] = []
    for out in graph.output:
        if out.name not in env:
            raise VexaError(
                f"graph output '{out.name}' is not produced by any node, initializer or input"
            )
        v = env[out.name]
        imp.loc = NameLoc(StringAttr(out.name), NoneAttr())
        results.append(imp.ssa(v))
    block.add_op(ReturnOp(*results))

    func = FuncOp(
        "main",
        FunctionType.from_lists(arg_types, [r.type for r in results]),
        Region(block),
        arg_attrs=ArrayAttr([DictionaryAttr({"nn.name": StringAttr(vi.name)}) for vi in inputs]),
    )
    func.attributes["nn.output_names"] = ArrayAttr([StringAttr(o.name) for o in graph.output])
    module.body.block.add_op(func)
    return module


def _default_opset(proto: ModelProto) -> int:
    versions = [o.version for o in proto.opset_import if o.domain in _STANDARD_DOMAINS]
    if not versions:
        raise VexaError("the model imports no version of the default ONNX opset ('ai.onnx')")
    opset = max(versions)
    if not MIN_OPSET <= opset <= MAX_OPSET:
        raise VexaError(f"unsupported opset: expected {MIN_OPSET} to {MAX_OPSET}, got {opset}")
    return opset


def _node_name(node: NodeProto, index: int) -> str:
    return node.name or f"{node.op_type}_{index}"


def _sorted_nodes(graph: onnx.GraphProto) -> list[tuple[NodeProto, str]]:
    """The nodes in a topological order (ONNX requires one, exporters sometimes forget),
    with their names; dangling inputs are one error naming the node and the tensor."""
    named = [(node, _node_name(node, i)) for i, node in enumerate(graph.node)]
    available = {i.name for i in graph.input} | {t.name for t in graph.initializer}
    producer: dict[str, int] = {}
    for i, (node, _) in enumerate(named):
        for out in node.output:
            if out:
                producer[out] = i
    dangling = [
        (name, inp)
        for node, name in named
        for inp in node.input
        if inp and inp not in available and inp not in producer
    ]
    if dangling:
        shown = "; ".join(f"node '{n}' ({_op(named, n)}) reads '{t}'" for n, t in dangling[:5])
        more = f" (and {len(dangling) - 5} more)" if len(dangling) > 5 else ""
        raise VexaError(
            f"dangling tensor name: {shown}{more}, which no node, initializer or graph input produces"
        )
    # Kahn's algorithm, smallest original index first: a sorted graph keeps its order
    waiting = [len({x for x in node.input if x and x not in available}) for node, _ in named]
    consumers: dict[str, list[int]] = {}
    for i, (node, _) in enumerate(named):
        for x in {x for x in node.input if x and x not in available}:
            consumers.setdefault(x, []).append(i)
    ready = [i for i, w in enumerate(waiting) if w == 0]
    heapq.heapify(ready)
    order: list[tuple[NodeProto, str]] = []
    while ready:
        i = heapq.heappop(ready)
        order.append(named[i])
        for out in {o for o in named[i][0].output if o}:
            for c in consumers.pop(out, []):
                waiting[c] -= 1
                if waiting[c] == 0:
                    heapq.heappush(ready, c)
    if len(order) != len(named):
        stuck = [name for i, (_, name) in enumerate(named) if waiting[i] > 0]
        names = ", ".join(f"'{n}'" for n in stuck[:5])
        raise VexaError(f"the graph has a cycle through nodes {names}")
    return order


def _op(named: list[tuple[NodeProto, str]], name: str) -> str:
    return next(node.op_type for node, n in named if n == name)


def _check_supported(nodes: list[tuple[NodeProto, str]], opset: int) -> None:
    """One error listing every unsupported op type, its count and its first nodes."""
    bad: dict[str, list[str]] = {}
    for node, name in nodes:
        key = node.op_type if node.domain in _STANDARD_DOMAINS else f"{node.domain}.{node.op_type}"
        if node.domain in _STANDARD_DOMAINS and node.op_type in NORMALISERS:
            if _schema(node.op_type, opset) is not None:
                continue
        bad.setdefault(key, []).append(name)
    if not bad:
        return
    counts = Counter({k: len(v) for k, v in bad.items()})
    total = sum(counts.values())
    head = ", ".join(f"{k} ({c})" for k, c in counts.most_common())
    lines = [f"unsupported ops: {head}"]
    for k, _ in counts.most_common():
        names = bad[k]
        shown = ", ".join(f"'{n}'" for n in names[:3]) + (", ..." if len(names) > 3 else "")
        lines.append(f"{k}: {shown}")
    lines.append(f"{total} node(s) in all; vexa supports {len(NORMALISERS)} ONNX op types")
    raise VexaError("\n".join(lines))


_SCHEMAS: dict[tuple[str, int], Any] = {}


def _schema(op_type: str, opset: int) -> Any:
    key = (op_type, opset)
    if key not in _SCHEMAS:
        try:
            _SCHEMAS[key] = onnx.defs.get_schema(op_type, opset, "")
        except Exception:  # noqa: BLE001 - no such op at this opset
            _SCHEMAS[key] = None
    return _SCHEMAS[key]


_DEFAULTS: dict[tuple[str, int], dict[str, Any]] = {}


def _schema_defaults(op_type: str, opset: int) -> dict[str, Any]:
    key = (op_type, opset)
    if key not in _DEFAULTS:
        schema = _schema(op_type, opset)
        defaults: dict[str, Any] = {}
        if schema is not None:
            for name, a in schema.attributes.items():
                if a.default_value.type != AttributeProto.UNDEFINED:
                    defaults[name] = helper.get_attribute_value(a.default_value)
        _DEFAULTS[key] = defaults
    return _DEFAULTS[key]


def _dims_text(dims: Sequence[int]) -> str:
    return "x".join(str(d) for d in dims)


def _input_types(
    inputs: Sequence[onnx.ValueInfoProto],
    input_shapes: Mapping[str, Sequence[int]] | None,
) -> list[TensorType]:
    pins = {k: [int(d) for d in v] for k, v in (input_shapes or {}).items()}
    names = [vi.name for vi in inputs]
    unknown = [k for k in pins if k not in names]
    if unknown:
        raise VexaError(
            f"input shape given for unknown input(s) {unknown}: expected one of {names}"
        )
    types: list[TensorType] = []
    dynamic: list[str] = []
    for vi in inputs:
        t = vi.type
        if t.WhichOneof("value") != "tensor_type":
            raise VexaError(
                f"input '{vi.name}': expected a tensor, got {t.WhichOneof('value') or 'no type'}"
            )
        try:
            dtype = helper.tensor_dtype_to_np_dtype(t.tensor_type.elem_type)
            elem = element_type(dtype)
        except Exception as e:  # noqa: BLE001
            raise VexaError(
                f"input '{vi.name}': unsupported element type "
                f"{TensorProto.DataType.Name(t.tensor_type.elem_type) if t.tensor_type.elem_type in TensorProto.DataType.values() else t.tensor_type.elem_type}"
            ) from e
        declared = [d for d in t.tensor_type.shape.dim] if t.tensor_type.HasField("shape") else None
        pin = pins.get(vi.name)
        if pin is not None:
            if declared is not None and len(declared) != len(pin):
                raise VexaError(
                    f"input '{vi.name}': pinned shape {_dims_text(pin)} has rank {len(pin)}, "
                    f"expected rank {len(declared)}"
                )
            for i, (d, p) in enumerate(zip(declared or [], pin)):
                if d.HasField("dim_value") and d.dim_value != p:
                    raise VexaError(
                        f"input '{vi.name}': pinned dim {i} is {p}, expected {d.dim_value} as declared"
                    )
            types.append(TensorType(elem, pin))
            continue
        if declared is None:
            dynamic.append(f"input '{vi.name}' has no declared shape")
            types.append(TensorType(elem, []))
            continue
        shape: list[int] = []
        for i, d in enumerate(declared):
            if d.HasField("dim_value") and d.dim_value >= 0:
                shape.append(d.dim_value)
                continue
            what = f"'{d.dim_param}'" if d.HasField("dim_param") and d.dim_param else "unknown"
            dynamic.append(f"input '{vi.name}' dim {i} is dynamic ({what})")
            shape.append(1)
        types.append(TensorType(elem, shape))
    if dynamic:
        pinned = [
            f"--input-shape {vi.name}={_dims_text([d if d > 0 else 1 for d in ty.get_shape()]) or '1'}"
            for vi, ty in zip(inputs, types)
            if any(f"'{vi.name}'" in d for d in dynamic)
        ]
        raise VexaError(
            f"dynamic dimensions: {'; '.join(dynamic)}\n"
            f"pin them, e.g. {' '.join(pinned)} (Python: input_shapes={{name: [dims]}})"
        )
    return types


def _used_names(graph: onnx.GraphProto) -> set[str]:
    used = {o.name for o in graph.output}
    for node in graph.node:
        used.update(x for x in node.input if x)
    return used


def _tensor_array(tensor: TensorProto, what: str) -> np.ndarray:
    try:
        array = numpy_helper.to_array(tensor)
    except Exception as e:  # noqa: BLE001
        raise VexaError(f"{what}: cannot read tensor data: {_first_line(e)}") from e
    if array.dtype.kind in "OSU":
        raise VexaError(
            f"{what}: unsupported element type {TensorProto.DataType.Name(tensor.data_type)}"
        )
    try:
        element_type(array.dtype)
    except VexaError as e:
        raise VexaError(f"{what}: {e}") from e
    return _array(array)


def _import_node(
    imp: _Importer, node: NodeProto, name: str, env: dict[str, Value], used: set[str]
) -> None:
    version = _schema(node.op_type, imp.opset).since_version
    attrs = dict(_schema_defaults(node.op_type, imp.opset))
    for a in node.attribute:
        if a.ref_attr_name:
            raise VexaError(
                f"node '{name}' ({node.op_type}): attribute '{a.name}' refers to a function attribute"
            )
        attrs[a.name] = helper.get_attribute_value(a)
    inputs = [env[x] if x else None for x in node.input]
    n = _Node(node, name, version, inputs, attrs, imp.loc, used)  # type: ignore[arg-type]
    try:
        outputs = list(NORMALISERS[node.op_type](imp, n))
    except VexaError as e:
        if str(e).startswith("node '"):
            raise
        raise n.error(str(e)) from e
    except Exception as e:  # noqa: BLE001 - shape inference / kernel failures are located
        raise n.error(_first_line(e)) from e
    for i, out in enumerate(node.output):
        if not out:
            continue
        value = outputs[i] if i < len(outputs) else None
        if isinstance(value, np.ndarray) and id(value) not in imp.const_names:
            imp.const_names[id(value)] = (value, out, n.loc)
        if value is None:
            if out in used:
                raise n.error(
                    f"output #{i} ('{out}') is used, but vexa does not produce it "
                    "(it produces only the outputs inference needs)"
                )
            continue
        env[out] = value


# --------------------------------------------------------------------------------------
# normalisers: elementwise


_UNARY = {
    "Abs": "nn.abs",
    "Neg": "nn.neg",
    "Exp": "nn.exp",
    "Log": "nn.log",
    "Sqrt": "nn.sqrt",
    "Reciprocal": "nn.reciprocal",
    "Relu": "nn.relu",
    "Sigmoid": "nn.sigmoid",
    "Tanh": "nn.tanh",
    "Erf": "nn.erf",
    "Floor": "nn.floor",
    "Ceil": "nn.ceil",
    "Round": "nn.round",
    "Sign": "nn.sign",
    "Sin": "nn.sin",
    "Cos": "nn.cos",
    "Tan": "nn.tan",
    "Asin": "nn.asin",
    "Acos": "nn.acos",
    "Atan": "nn.atan",
    "Sinh": "nn.sinh",
    "Cosh": "nn.cosh",
    "Asinh": "nn.asinh",
    "Acosh": "nn.acosh",
    "Atanh": "nn.atanh",
    "Softplus": "nn.softplus",
    "Softsign": "nn.softsign",
    "Not": "nn.not",
    "HardSwish": "nn.hard_swish",
    "Mish": "nn.mish",
    "IsNaN": "nn.is_nan",
    "BitwiseNot": "nn.bitwise_not",
}

_BINARY = {
    "Add": "nn.add",
    "Sub": "nn.sub",
    "Mul": "nn.mul",
    "Div": "nn.div",
    "Pow": "nn.pow",
    "PRelu": "nn.p_relu",
    "And": "nn.and",
    "Or": "nn.or",
    "Xor": "nn.xor",
    "BitwiseAnd": "nn.bitwise_and",
    "BitwiseOr": "nn.bitwise_or",
    "BitwiseXor": "nn.bitwise_xor",
    "Equal": "nn.equal",
    "Less": "nn.less",
    "LessOrEqual": "nn.less_or_equal",
    "Greater": "nn.greater",
    "GreaterOrEqual": "nn.greater_or_equal",
    "MatMul": "nn.mat_mul",
}

_VARIADIC = {"Sum": "nn.sum", "Mean": "nn.mean", "Max": "nn.max", "Min": "nn.min"}

# op -> nn name, [(property, kind)]; values from the node, else the schema default
_WITH_ATTRS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "LeakyRelu": ("nn.leaky_relu", [("alpha", "float")]),
    "Elu": ("nn.elu", [("alpha", "float")]),
    "Celu": ("nn.celu", [("alpha", "float")]),
    "Selu": ("nn.selu", [("alpha", "float"), ("gamma", "float")]),
    "ThresholdedRelu": ("nn.thresholded_relu", [("alpha", "float")]),
    "HardSigmoid": ("nn.hard_sigmoid", [("alpha", "float"), ("beta", "float")]),
    "Gelu": ("nn.gelu", [("approximate", "string")]),
    "IsInf": ("nn.is_inf", [("detect_negative", "int"), ("detect_positive", "int")]),
    "Mod": ("nn.mod", [("fmod", "int")]),
    "BitShift": ("nn.bit_shift", [("direction", "string")]),
    "InstanceNormalization": ("nn.instance_normalization", [("epsilon", "float")]),
    "LRN": ("nn.lrn", [("alpha", "float"), ("beta", "float"), ("bias", "float"), ("size", "int")]),
    "DepthToSpace": ("nn.depth_to_space", [("blocksize", "int"), ("mode", "string")]),
    "GlobalAveragePool": ("nn.global_average_pool", []),
    "GlobalMaxPool": ("nn.global_max_pool", []),
    "Where": ("nn.where", []),
}
_FALLBACK_DEFAULTS = {("DepthToSpace", "mode"): "DCR", ("Gelu", "approximate"): "none"}
_ENCODE = {"int": _int, "float": _float, "string": _str, "ints": _ints, "floats": _floats}


@onnx_op(*_UNARY)
def _unary(imp: _Importer, n: _Node) -> list[Value]:
    return imp.emit(_UNARY[n.op_type], [n.operand(0)])


@onnx_op(*_BINARY)
def _binary(imp: _Importer, n: _Node) -> list[Value]:
    a, b = n.operand(0), n.operand(1)
    if n.op_type == "PRelu":
        b = _channel_slope(imp, a, b)
    return imp.emit(_BINARY[n.op_type], [a, b])


def _channel_slope(imp: _Importer, x: Value, slope: Value) -> Value:
    """A 1-D PRelu slope of C values that does not broadcast against x [N, C, ...] is the
    per-channel slope of PRelu-6 models (onnxruntime accepts it): reshape it to [C, 1, ...]."""
    xs, ss = shape_of(x), shape_of(slope)
    if len(ss) != 1 or len(xs) < 3 or ss[0] in (1, xs[-1]) or ss[0] != xs[1]:
        return slope
    return imp.emit1("nn.reshape", [slope], {"shape": _ints([ss[0]] + [1] * (len(xs) - 2))})


@onnx_op(*_VARIADIC)
def _variadic(imp: _Importer, n: _Node) -> list[Value]:
    operands = [v for v in n.inputs if v is not None]
    return imp.emit(_VARIADIC[n.op_type], [operands])


@onnx_op(*_WITH_ATTRS)
def _with_attrs(imp: _Importer, n: _Node) -> list[Value]:
    nn_name, spec = _WITH_ATTRS[n.op_type]
    props = {
        p: _ENCODE[kind](n.attr(p, _FALLBACK_DEFAULTS.get((n.op_type, p), _REQUIRED)))
        for p, kind in spec
    }
    return imp.emit(nn_name, list(n.inputs), props)


@onnx_op("Identity")
def _identity(imp: _Importer, n: _Node) -> list[Value]:
    # an alias: nothing to compute, and the value keeps being known if it was
    return [n.operand(0)]


@onnx_op("Dropout")
def _dropout(imp: _Importer, n: _Node) -> list[Value | None]:
    training = n.const(2, "training_mode") if n.version >= 12 else None
    if training is not None and bool(training.reshape(-1)[0]):
        raise n.error("training_mode = true is not supported: vexa compiles inference graphs")
    if n.version < 7 and not n.attr("is_test", 0):  # pragma: no cover - opset >= 7 only
        raise n.error("training mode is not supported")
    return [n.operand(0), None]


@onnx_op("Cast")
def _cast(imp: _Importer, n: _Node) -> list[Value]:
    to = n.attr("to")
    return imp.emit("nn.cast", [n.operand(0)], {"to": _elem_type(n, int(to))})


@onnx_op("CastLike")
def _cast_like(imp: _Importer, n: _Node) -> list[Value]:
    return imp.emit("nn.cast", [n.operand(0)], {"to": element_type(dtype_of(n.operand(1)))})


def _elem_type(n: _Node, onnx_type: int) -> Attribute:
    try:
        return element_type(helper.tensor_dtype_to_np_dtype(onnx_type))
    except Exception as e:  # noqa: BLE001
        name = (
            TensorProto.DataType.Name(onnx_type)
            if onnx_type in TensorProto.DataType.values()
            else str(onnx_type)
        )
        raise n.error(f"unsupported element type {name}") from e


@onnx_op("Clip")
def _clip(imp: _Importer, n: _Node) -> list[Value]:
    if n.version < 11:
        lo, hi = float(n.attr("min", -_FLOAT_MAX)), float(n.attr("max", _FLOAT_MAX))
    else:
        lo_v, hi_v = n.const(1, "min"), n.const(2, "max")
        lo = float(lo_v.reshape(-1)[0]) if lo_v is not None and lo_v.size else -math.inf
        hi = float(hi_v.reshape(-1)[0]) if hi_v is not None and hi_v.size else math.inf
    return imp.emit("nn.clip", [n.operand(0)], {"min": _float(lo), "max": _float(hi)})


# --------------------------------------------------------------------------------------
# normalisers: linear algebra, convolution, pooling, normalization


@onnx_op("Gemm")
def _gemm(imp: _Importer, n: _Node) -> list[Value]:
    props = {
        "alpha": _float(n.attr("alpha", 1.0)),
        "beta": _float(n.attr("beta", 1.0)),
        "trans_a": _int(n.attr("transA", 0)),
        "trans_b": _int(n.attr("transB", 0)),
    }
    return imp.emit("nn.gemm", [n.operand(0), n.operand(1), n.input(2)], props)


def _explicit_pads(
    n: _Node,
    in_spatial: Sequence[int],
    kernel: Sequence[int],
    strides: Sequence[int],
    dilations: Sequence[int],
) -> list[int]:
    """`pads` with `auto_pad` resolved (ONNX Conv/Pool semantics)."""
    rank = len(in_spatial)
    auto_pad = n.attr("auto_pad", "NOTSET") or "NOTSET"
    if auto_pad == "NOTSET":
        pads = [int(p) for p in n.attr("pads", [0] * (2 * rank))]
        if len(pads) != 2 * rank:
            raise n.error(f"expected {2 * rank} pads, got {len(pads)}")
        return pads
    if auto_pad == "VALID":
        return [0] * (2 * rank)
    if auto_pad not in ("SAME_UPPER", "SAME_LOWER"):
        raise n.error(f"unknown auto_pad '{auto_pad}'")
    begin, end = [], []
    for size, k, s, d in zip(in_spatial, kernel, strides, dilations):
        out = -(-size // s)
        total = max(0, (out - 1) * s + (k - 1) * d + 1 - size)
        small, big = total // 2, total - total // 2
        begin.append(small if auto_pad == "SAME_UPPER" else big)
        end.append(big if auto_pad == "SAME_UPPER" else small)
    return begin + end


def _window_props(n: _Node, x: Value, kernel: Sequence[int] | None = None) -> dict[str, Attribute]:
    shape = shape_of(x)
    if len(shape) < 3:
        raise n.error(f"expected an input of rank >= 3 (N, C, spatial...), got rank {len(shape)}")
    spatial = shape[2:]
    rank = len(spatial)
    k = [int(v) for v in (kernel if kernel is not None else n.attr("kernel_shape"))]
    if len(k) != rank:
        raise n.error(f"kernel_shape has {len(k)} dims, expected {rank}")
    strides = [int(v) for v in n.attr("strides", None) or [1] * rank]
    dilations = [int(v) for v in n.attr("dilations", None) or [1] * rank]
    pads = _explicit_pads(n, spatial, k, strides, dilations)
    return {
        "kernel_shape": _ints(k),
        "strides": _ints(strides),
        "pads": _ints(pads),
        "dilations": _ints(dilations),
    }


@onnx_op("Conv")
def _conv(imp: _Importer, n: _Node) -> list[Value]:
    x, w = n.operand(0), n.operand(1)
    kernel = n.attr("kernel_shape", None) or list(shape_of(w)[2:])
    props = _window_props(n, x, kernel)
    props["group"] = _int(n.attr("group", 1))
    return imp.emit("nn.conv", [x, w, n.input(2)], props)


@onnx_op("ConvTranspose")
def _conv_transpose(imp: _Importer, n: _Node) -> list[Value]:
    x, w = n.operand(0), n.operand(1)
    spatial = shape_of(x)[2:]
    rank = len(spatial)
    kernel = [int(v) for v in n.attr("kernel_shape", None) or list(shape_of(w)[2:])]
    strides = [int(v) for v in n.attr("strides", None) or [1] * rank]
    dilations = [int(v) for v in n.attr("dilations", None) or [1] * rank]
    out_pad = [int(v) for v in n.attr("output_padding", None) or [0] * rank]
    auto_pad = n.attr("auto_pad", "NOTSET") or "NOTSET"
    output_shape = n.attr("output_shape", None)
    if output_shape is not None and len(output_shape) > rank:
        output_shape = list(output_shape)[-rank:]  # some exporters give N, C too
    if auto_pad == "VALID":
        pads = [0] * (2 * rank)
    elif output_shape is not None or auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        target = (
            [int(v) for v in output_shape]
            if output_shape is not None
            else [s * st for s, st in zip(spatial, strides)]
        )
        begin, end = [], []
        for size, k, s, d, op, o in zip(spatial, kernel, strides, dilations, out_pad, target):
            # a negative total (output_shape beyond the natural size) grows the end, as
            # in ONNX's reference; Python's floor division keeps the begin pad >= 0 for -1
            total = s * (size - 1) + op + (k - 1) * d + 1 - o
            small, big = total // 2, total - total // 2
            begin.append(small if auto_pad == "SAME_UPPER" else big)
            end.append(big if auto_pad == "SAME_UPPER" else small)
        if any(b < 0 for b in begin):
            raise n.error(f"output_shape {list(target)} is larger than the kernel can produce")
        pads = begin + end
    else:
        pads = [int(p) for p in n.attr("pads", [0] * (2 * rank))]
    props = {
        "kernel_shape": _ints(kernel),
        "strides": _ints(strides),
        "pads": _ints(pads),
        "dilations": _ints(dilations),
        "group": _int(n.attr("group", 1)),
        "output_padding": _ints(out_pad),
    }
    return imp.emit("nn.conv_transpose", [x, w, n.input(2)], props)


@onnx_op("MaxPool", "AveragePool", "LpPool")
def _pool(imp: _Importer, n: _Node) -> list[Value | None]:
    x = n.operand(0)
    props = _window_props(n, x)
    props["ceil_mode"] = _int(n.attr("ceil_mode", 0))
    if n.op_type == "AveragePool":
        props["count_include_pad"] = _int(n.attr("count_include_pad", 0))
    if n.op_type == "LpPool":
        props["p"] = _int(n.attr("p", 2))
    name = {"MaxPool": "nn.max_pool", "AveragePool": "nn.average_pool", "LpPool": "nn.lp_pool"}[
        n.op_type
    ]
    return [imp.emit1(name, [x], props), None]  # MaxPool Indices: rejected if used


@onnx_op("BatchNormalization")
def _batch_norm(imp: _Importer, n: _Node) -> list[Value | None]:
    if n.attr("training_mode", 0):
        raise n.error("training_mode = 1 is not supported: vexa compiles inference graphs")
    if n.version < 9 and not n.attr("spatial", 1):
        raise n.error("spatial = 0 is not supported")
    y = imp.emit1(
        "nn.batch_normalization",
        [n.operand(i) for i in range(5)],
        {"epsilon": _float(n.attr("epsilon", 1e-5))},
    )
    return [y, None, None, None, None]


@onnx_op("LayerNormalization")
def _layer_norm(imp: _Importer, n: _Node) -> list[Value | None]:
    x = n.operand(0)
    props = {
        "axis": _int(_axis(n, int(n.attr("axis", -1)), len(shape_of(x)))),
        "epsilon": _float(n.attr("epsilon", 1e-5)),
    }
    y = imp.emit1("nn.layer_normalization", [x, n.operand(1), n.input(2)], props)
    if not (n.output_used(1) or n.output_used(2)):
        return [y, None, None]
    # Mean and InvStdDev (training outputs some graphs read): computed on the side, in the
    # stash type (f32), exactly as the ONNX function body does
    rank = len(shape_of(x))
    xs = x
    if int(n.attr("stash_type", 1)) == 1 and dtype_of(x) != np.float32:
        xs = imp.emit1("nn.cast", [x], {"to": element_type(np.float32)})
    axes = {"axes": _ints(list(range(props["axis"].value.data, rank))), "keepdims": _int(1)}
    mean = imp.emit1("nn.reduce_mean", [xs], axes)
    centred = imp.emit1("nn.sub", [xs, mean])
    var = imp.emit1("nn.reduce_mean", [imp.emit1("nn.mul", [centred, centred])], axes)
    eps = _scalar(xs, float(n.attr("epsilon", 1e-5)))
    inv_std = imp.emit1("nn.reciprocal", [imp.emit1("nn.sqrt", [imp.emit1("nn.add", [var, eps])])])
    return [y, mean, inv_std]


@onnx_op("Softmax", "LogSoftmax", "Hardmax")
def _softmax(imp: _Importer, n: _Node) -> list[Value]:
    name = {"Softmax": "nn.softmax", "LogSoftmax": "nn.log_softmax", "Hardmax": "nn.hardmax"}[
        n.op_type
    ]
    x = n.operand(0)
    shape = shape_of(x)
    rank = len(shape)
    if n.version >= 13:
        return imp.emit(name, [x], {"axis": _int(_axis(n, int(n.attr("axis", -1)), rank))})
    # opset < 13: the input is coerced to 2-D [prod(:axis), prod(axis:)] and normalised per row
    axis = int(n.attr("axis", 1))
    axis = axis + rank if axis < 0 else axis
    if not 0 <= axis <= rank:
        raise n.error(f"axis {n.attr('axis', 1)} out of range for rank {rank}")
    if axis >= rank - 1 and rank > 0:
        return imp.emit(name, [x], {"axis": _int(rank - 1)})
    flat = imp.emit1("nn.flatten", [x], {"axis": _int(axis)})
    y = imp.emit1(name, [flat], {"axis": _int(1)})
    return imp.emit("nn.reshape", [y], {"shape": _ints(shape)})


# --------------------------------------------------------------------------------------
# normalisers: reductions


_REDUCE = {
    "ReduceSum": "nn.reduce_sum",
    "ReduceMean": "nn.reduce_mean",
    "ReduceMax": "nn.reduce_max",
    "ReduceMin": "nn.reduce_min",
    "ReduceProd": "nn.reduce_prod",
    "ReduceL1": "nn.reduce_l1",
    "ReduceL2": "nn.reduce_l2",
    "ReduceLogSum": "nn.reduce_log_sum",
    "ReduceLogSumExp": "nn.reduce_log_sum_exp",
    "ReduceSumSquare": "nn.reduce_sum_square",
}


@onnx_op(*_REDUCE)
def _reduce(imp: _Importer, n: _Node) -> list[Value]:
    x = n.operand(0)
    rank = len(shape_of(x))
    axes_in_input = n.version >= (13 if n.op_type == "ReduceSum" else 18)
    axes = n.const_ints(1, "axes") if axes_in_input else n.attr("axes", None)
    axes = list(axes or [])
    if not axes:
        if n.attr("noop_with_empty_axes", 0):
            return [x]
        axes = list(range(rank))
    props = {"axes": _ints(_axes(n, axes, rank)), "keepdims": _int(n.attr("keepdims", 1))}
    return imp.emit(_REDUCE[n.op_type], [x], props)


@onnx_op("ArgMax", "ArgMin")
def _arg(imp: _Importer, n: _Node) -> list[Value]:
    x = n.operand(0)
    props = {
        "axis": _int(_axis(n, int(n.attr("axis", 0)), len(shape_of(x)))),
        "keepdims": _int(n.attr("keepdims", 1)),
        "select_last_index": _int(n.attr("select_last_index", 0)),
    }
    return imp.emit("nn.arg_max" if n.op_type == "ArgMax" else "nn.arg_min", [x], props)


# --------------------------------------------------------------------------------------
# normalisers: shape and data movement


@onnx_op("Reshape")
def _reshape(imp: _Importer, n: _Node) -> list[Value]:
    x = n.operand(0)
    in_shape = shape_of(x)
    if n.version < 5:  # pragma: no cover - opset >= 7 only
        target = list(n.attr("shape"))
    else:
        target = n.const_ints(1, "shape")
        if target is None:
            raise n.error("expected a 'shape' input, got none")
    allowzero = bool(n.attr("allowzero", 0))
    out: list[int] = []
    infer = -1
    for i, d in enumerate(target):
        if d == 0 and not allowzero:
            if i >= len(in_shape):
                raise n.error(
                    f"shape {target}: 0 at dim {i} copies an input dim the input (rank {len(in_shape)}) lacks"
                )
            d = in_shape[i]
        elif d == -1:
            if infer >= 0:
                raise n.error(f"shape {target} has more than one -1")
            infer = i
        elif d < 0:
            raise n.error(f"shape {target}: expected dims >= -1, got {d}")
        out.append(int(d))
    total = math.prod(in_shape)
    if infer >= 0:
        known = math.prod(d for i, d in enumerate(out) if i != infer)
        if known == 0 or total % known:
            raise n.error(f"cannot reshape {_dims_text(in_shape) or 'scalar'} into {target}")
        out[infer] = total // known
    if math.prod(out) != total:
        raise n.error(
            f"cannot reshape {_dims_text(in_shape) or 'scalar'} ({total} elements) into {out}"
        )
    return imp.emit("nn.reshape", [x], {"shape": _ints(out)})


@onnx_op("Flatten")
def _flatten(imp: _Importer, n: _Node) -> list[Value]:
    x = n.operand(0)
    rank = len(shape_of(x))
    axis = int(n.attr("axis", 1))
    axis = axis + rank if axis < 0 else axis
    if not 0 <= axis <= rank:
        raise n.error(f"axis {n.attr('axis', 1)} out of range for rank {rank}")
    return imp.emit("nn.flatten", [x], {"axis": _int(axis)})


@onnx_op("Squeeze")
def _squeeze(imp: _Importer, n: _Node) -> list[Value]:
    x = n.operand(0)
    shape = shape_of(x)
    axes = n.const_ints(1, "axes") if n.version >= 13 else n.attr("axes", None)
    if not axes:
        axes = [i for i, d in enumerate(shape) if d == 1]
    axes = _axes(n, axes, len(shape))
    for a in axes:
        if shape[a] != 1:
            raise n.error(f"cannot squeeze dim {a} of size {shape[a]}: expected size 1")
    return imp.emit("nn.squeeze", [x], {"axes": _ints(axes)})


@onnx_op("Unsqueeze")
def _unsqueeze(imp: _Importer, n: _Node) -> list[Value]:
    x = n.operand(0)
    axes = n.const_ints(1, "axes") if n.version >= 13 else n.attr("axes")
    if axes is None:
        raise n.error("expected 'axes', got none")
    out_rank = len(shape_of(x)) + len(axes)
    return imp.emit("nn.unsqueeze", [x], {"axes": _ints(_axes(n, axes, out_rank))})


@onnx_op("Transpose")
def _transpose(imp: _Importer, n: _Node) -> list[Value]:
    x = n.operand(0)
    rank = len(shape_of(x))
    perm = n.attr("perm", None)
    perm = [int(p) for p in perm] if perm else list(reversed(range(rank)))
    if sorted(perm) != list(range(rank)):
        raise n.error(f"perm {perm} is not a permutation of {rank} dims")
    return imp.emit("nn.transpose", [x], {"perm": _ints(perm)})


@onnx_op("Concat")
def _concat(imp: _Importer, n: _Node) -> list[Value]:
    xs = [v for v in n.inputs if v is not None]
    rank = len(shape_of(xs[0]))
    return imp.emit("nn.concat", [xs], {"axis": _int(_axis(n, int(n.attr("axis")), rank))})


@onnx_op("Split")
def _split(imp: _Importer, n: _Node) -> list[Value]:
    x = n.operand(0)
    shape = shape_of(x)
    axis = _axis(n, int(n.attr("axis", 0)), len(shape))
    count = len(n.proto.output)
    split = n.const_ints(1, "split") if n.version >= 13 else n.attr("split", None)
    if not split:
        size = shape[axis]
        parts = int(n.attr("num_outputs", count)) if n.version >= 18 else count
        chunk = -(-size // parts) if n.version >= 18 else size // parts
        if n.version < 18 and size % parts:
            raise n.error(f"cannot split dim {axis} of size {size} into {parts} equal parts")
        split = [min(chunk, size - i * chunk) for i in range(parts)]
    split = [int(s) for s in split]
    if sum(split) != shape[axis]:
        raise n.error(f"split {split} does not add up to dim {axis} of size {shape[axis]}")
    return imp.emit("nn.split", [x], {"axis": _int(axis), "split": _ints(split)})


_INT64_MAX = np.iinfo(np.int64).max


@onnx_op("Slice")
def _slice(imp: _Importer, n: _Node) -> list[Value]:
    x = n.operand(0)
    shape = shape_of(x)
    if n.version < 10:
        starts, ends = list(n.attr("starts")), list(n.attr("ends"))
        axes, steps = n.attr("axes", None), None
    else:
        starts, ends = n.const_ints(1, "starts"), n.const_ints(2, "ends")
        axes, steps = n.const_ints(3, "axes"), n.const_ints(4, "steps")
    assert starts is not None and ends is not None
    axes = list(axes) if axes else list(range(len(starts)))
    steps = list(steps) if steps else [1] * len(starts)
    if not len(starts) == len(ends) == len(axes) == len(steps):
        raise n.error("starts, ends, axes and steps must have the same length")
    out_starts, out_ends, out_axes = [], [], []
    for start, end, axis, step in zip(starts, ends, axes, steps):
        a = _axis(n, int(axis), len(shape))
        dim = shape[a]
        if step == 0:
            raise n.error("slice step must not be 0")
        start = start + dim if start < 0 else start
        end = end + dim if end < 0 else end
        if step > 0:
            start, end = min(max(start, 0), dim), min(max(end, 0), dim)
        else:
            start, end = min(max(start, 0), dim - 1), min(max(end, -1), dim - 1)
        out_starts.append(start)
        out_ends.append(end)
        out_axes.append(a)
    props = {
        "starts": _ints(out_starts),
        "ends": _ints(out_ends),
        "axes": _ints(out_axes),
        "steps": _ints(steps),
    }
    return imp.emit("nn.slice", [x], props)


@onnx_op("Pad")
def _pad(imp: _Importer, n: _Node) -> list[Value]:
    x = n.operand(0)
    rank = len(shape_of(x))
    if n.version < 11:
        pads = [int(p) for p in n.attr("pads")]
        value = float(n.attr("value", 0.0))
    else:
        pads = n.const_ints(1, "pads") or []
        cv = n.const(2, "constant_value")
        value = float(cv.reshape(-1)[0]) if cv is not None and cv.size else 0.0
        axes = n.const_ints(3, "axes") if n.version >= 18 else None
        if axes:
            full = [0] * (2 * rank)
            norm = [_axis(n, a, rank) for a in axes]
            for j, a in enumerate(norm):
                full[a], full[rank + a] = pads[j], pads[len(norm) + j]
            pads = full
    if len(pads) != 2 * rank:
        raise n.error(f"expected {2 * rank} pads, got {len(pads)}")
    mode = n.attr("mode", "constant")
    props = {"pads": _ints(pads), "mode": _str(mode), "constant_value": _float(value)}
    return imp.emit("nn.pad", [x], props)


@onnx_op("Gather", "GatherElements")
def _gather(imp: _Importer, n: _Node) -> list[Value]:
    data = n.operand(0)
    axis = _axis(n, int(n.attr("axis", 0)), len(shape_of(data)))
    name = "nn.gather" if n.op_type == "Gather" else "nn.gather_elements"
    return imp.emit(name, [data, n.operand(1)], {"axis": _int(axis)})


@onnx_op("Expand")
def _expand(imp: _Importer, n: _Node) -> list[Value]:
    shape = n.const_ints(1, "shape")
    return imp.emit("nn.expand", [n.operand(0)], {"shape": _ints(shape or [])})


@onnx_op("Tile")
def _tile(imp: _Importer, n: _Node) -> list[Value]:
    repeats = n.const_ints(1, "repeats")
    return imp.emit("nn.tile", [n.operand(0)], {"repeats": _ints(repeats or [])})


@onnx_op("Trilu")
def _trilu(imp: _Importer, n: _Node) -> list[Value]:
    k = n.const_ints(1, "k")
    return imp.emit(
        "nn.trilu", [n.operand(0)], {"upper": _int(n.attr("upper", 1)), "k": _int(k[0] if k else 0)}
    )


@onnx_op("CumSum")
def _cum_sum(imp: _Importer, n: _Node) -> list[Value]:
    x = n.operand(0)
    axis = n.const_ints(1, "axis")
    if not axis:
        raise n.error("expected an 'axis' input, got none")
    props = {
        "axis": _int(_axis(n, axis[0], len(shape_of(x)))),
        "exclusive": _int(n.attr("exclusive", 0)),
        "reverse": _int(n.attr("reverse", 0)),
    }
    return imp.emit("nn.cum_sum", [x], props)


@onnx_op("OneHot")
def _one_hot(imp: _Importer, n: _Node) -> list[Value]:
    indices = n.operand(0)
    depth, values = n.const(1, "depth"), n.const(2, "values")
    if depth is None or values is None or values.size != 2:
        raise n.error("expected a scalar 'depth' and two 'values' [off, on]")
    axis = _axis(n, int(n.attr("axis", -1)), len(shape_of(indices)) + 1)
    props = {
        "axis": _int(axis),
        "depth": _int(int(depth.reshape(-1)[0])),
        "values": DenseArrayBase.from_list(element_type(values.dtype), values.reshape(2).tolist()),
    }
    return imp.emit("nn.one_hot", [indices], props)


@onnx_op("TopK")
def _top_k(imp: _Importer, n: _Node) -> list[Value]:
    x = n.operand(0)
    k_in = n.const_ints(1, "k") if n.version >= 10 else [n.attr("k")]
    if not k_in:
        raise n.error("expected a 'k' input, got none")
    props = {
        "axis": _int(_axis(n, int(n.attr("axis", -1)), len(shape_of(x)))),
        "k": _int(k_in[0]),
        "largest": _int(n.attr("largest", 1)),
        "sorted": _int(n.attr("sorted", 1)),
    }
    return imp.emit("nn.top_k", [x], props)


@onnx_op("Resize", "Upsample")
def _resize(imp: _Importer, n: _Node) -> list[Value]:
    x = n.operand(0)
    shape = shape_of(x)
    rank = len(shape)
    mode = n.attr("mode", "nearest")
    if n.op_type == "Upsample" or n.version < 11:
        # Upsample-7/9 and Resize-10: asymmetric coordinates; nearest truncates upward scales
        scales = (
            list(n.attr("scales"))
            if n.op_type == "Upsample" and n.version < 9
            else n.const(1, "scales")
        )
        scales = [float(s) for s in np.asarray(scales).reshape(-1)]
        if mode == "bilinear":
            mode = "linear"
        ctm, nearest = "asymmetric", "floor" if all(s >= 1 for s in scales) else "ceil"
        sizes: list[int] = []
    else:
        if n.attr("antialias", 0):
            raise n.error("antialias = 1 is not supported")
        ctm = n.attr("coordinate_transformation_mode", "half_pixel")
        if ctm == "tf_crop_and_resize":
            raise n.error("coordinate_transformation_mode 'tf_crop_and_resize' is not supported")
        nearest = n.attr("nearest_mode", "round_prefer_floor")
        sc, sz = n.const(2, "scales"), n.const(3, "sizes")
        scales = [float(s) for s in sc.reshape(-1)] if sc is not None and sc.size else []
        sizes = [int(s) for s in sz.reshape(-1)] if sz is not None and sz.size else []
        axes = [_axis(n, int(a), rank) for a in n.attr("axes", None) or []] or list(range(rank))
        if sizes and len(axes) != rank:
            full = list(shape)
            for a, s in zip(axes, sizes):
                full[a] = s
            sizes = full
        if scales and len(axes) != rank:
            full_s = [1.0] * rank
            for a, s in zip(axes, scales):
                full_s[a] = s
            scales = full_s
        policy = n.attr("keep_aspect_ratio_policy", "stretch")
        if sizes and policy != "stretch":
            ratios = [sizes[a] / shape[a] for a in axes]
            r = min(ratios) if policy == "not_larger" else max(ratios)
            sizes = list(shape)
            for a in axes:
                sizes[a] = int(math.floor(shape[a] * r + 0.5))
        if not scales and not sizes:
            raise n.error("expected 'scales' or 'sizes', got neither")
        if sizes:
            scales = []
    if mode not in ("nearest", "linear", "cubic"):
        raise n.error(f"unsupported mode '{mode}'")
    if scales and len(scales) != rank:
        raise n.error(f"expected {rank} scales, got {len(scales)}")
    props = {
        "mode": _str(mode),
        "coordinate_transformation_mode": _str(ctm),
        "nearest_mode": _str(nearest),
        "cubic_coeff_a": _float(n.attr("cubic_coeff_a", -0.75)),
        "exclude_outside": _int(n.attr("exclude_outside", 0)),
        "extrapolation_value": _float(n.attr("extrapolation_value", 0.0)),
        "scales": _floats(scales),
        "sizes": _ints(sizes),
    }
    return imp.emit("nn.resize", [x], props)


# --------------------------------------------------------------------------------------
# normalisers: folded at import time, never in nn IR


@onnx_op("Constant")
def _constant(imp: _Importer, n: _Node) -> list[Value]:
    for key in ("value", "value_float", "value_floats", "value_int", "value_ints"):
        if key not in n.attrs:
            continue
        v = n.attrs[key]
        if key == "value":
            return [_tensor_array(v, f"node '{n.name}' (Constant)")]
        dtype = np.float32 if "float" in key else np.int64
        return [np.asarray(v, dtype=dtype)]
    present = ", ".join(sorted(n.attrs)) or "none"
    raise n.error(f"expected a tensor, float(s) or int(s) value, got {present}")


@onnx_op("ConstantOfShape")
def _constant_of_shape(imp: _Importer, n: _Node) -> list[Value]:
    shape = n.const_ints(0, "input") or []
    value = n.attrs.get("value")
    fill = (
        _tensor_array(value, f"node '{n.name}'").reshape(-1)
        if value is not None
        else np.zeros(1, np.float32)
    )
    # A read-only broadcast view: a 100M-element fill costs nothing until someone
    # computes with it (small results are folded; large ones become splat constants).
    return [np.broadcast_to(fill[:1].reshape(()), tuple(shape))]


@onnx_op("Shape")
def _shape(imp: _Importer, n: _Node) -> list[Value]:
    shape = list(shape_of(n.operand(0)))
    start, end = int(n.attr("start", 0)), n.attr("end", None)
    return [np.asarray(shape[start : None if end is None else int(end)], dtype=np.int64)]


@onnx_op("Size")
def _size(imp: _Importer, n: _Node) -> list[Value]:
    return [np.asarray(math.prod(shape_of(n.operand(0))), dtype=np.int64)]


@onnx_op("Range")
def _range(imp: _Importer, n: _Node) -> list[Value]:
    start, limit, delta = (n.const(i, w) for i, w in enumerate(("start", "limit", "delta")))
    assert start is not None and limit is not None and delta is not None
    s, lim, d = start.reshape(-1)[0], limit.reshape(-1)[0], delta.reshape(-1)[0]
    count = max(int(math.ceil((float(lim) - float(s)) / float(d))), 0)
    return [(s + np.arange(count, dtype=start.dtype) * d).astype(start.dtype)]


@onnx_op("EyeLike")
def _eye_like(imp: _Importer, n: _Node) -> list[Value]:
    # depends only on the input's static shape: a constant
    shape = shape_of(n.operand(0))
    if len(shape) != 2:
        raise n.error(f"expected a 2-D input, got rank {len(shape)}")
    dtype_code = n.attr("dtype", None)
    dtype = (
        helper.tensor_dtype_to_np_dtype(int(dtype_code))
        if dtype_code is not None
        else dtype_of(n.operand(0))
    )
    return [np.eye(shape[0], shape[1], k=int(n.attr("k", 0)), dtype=dtype)]


# --------------------------------------------------------------------------------------
# normalisers: ONNX functions decomposed into nn ops (no nn op of their own)


def _scalar(like: Value, value: float) -> np.ndarray:
    return np.asarray(value, dtype=dtype_of(like))


@onnx_op("Swish")
def _swish(imp: _Importer, n: _Node) -> list[Value]:
    x = n.operand(0)
    scaled = imp.emit1("nn.mul", [x, _scalar(x, float(n.attr("alpha", 1.0)))])
    return imp.emit("nn.mul", [x, imp.emit1("nn.sigmoid", [scaled])])


@onnx_op("Shrink")
def _shrink(imp: _Importer, n: _Node) -> list[Value]:
    x = n.operand(0)
    lambd, bias = float(n.attr("lambd", 0.5)), float(n.attr("bias", 0.0))
    low = imp.emit1("nn.less", [x, _scalar(x, -lambd)])
    high = imp.emit1("nn.greater", [x, _scalar(x, lambd)])
    up = imp.emit1("nn.add", [x, _scalar(x, bias)])
    down = imp.emit1("nn.sub", [x, _scalar(x, bias)])
    inner = imp.emit1("nn.where", [high, down, _scalar(x, 0.0)])
    return imp.emit("nn.where", [low, up, inner])


@onnx_op("LpNormalization")
def _lp_normalization(imp: _Importer, n: _Node) -> list[Value]:
    x = n.operand(0)
    axis = _axis(n, int(n.attr("axis", -1)), len(shape_of(x)))
    p = int(n.attr("p", 2))
    if p not in (1, 2):
        raise n.error(f"expected p = 1 or 2, got {p}")
    props = {"axes": _ints([axis]), "keepdims": _int(1)}
    norm = imp.emit1("nn.reduce_l1" if p == 1 else "nn.reduce_l2", [x], props)
    zero = imp.emit1("nn.equal", [norm, _scalar(x, 0.0)])
    # a zero norm gives 0, not 0/0 (ONNX's definition)
    return imp.emit("nn.where", [zero, _scalar(x, 0.0), imp.emit1("nn.div", [x, norm])])


@onnx_op("MeanVarianceNormalization")
def _mvn(imp: _Importer, n: _Node) -> list[Value]:
    # the ONNX function body: (x - E[x]) / (sqrt(E[x^2] - E[x]^2) + 1e-9)
    x = n.operand(0)
    props = {
        "axes": _ints(_axes(n, list(n.attr("axes", [0, 2, 3])), len(shape_of(x)))),
        "keepdims": _int(1),
    }
    mean = imp.emit1("nn.reduce_mean", [x], props)
    mean_sq = imp.emit1("nn.reduce_mean", [imp.emit1("nn.mul", [x, x])], props)
    var = imp.emit1("nn.sub", [mean_sq, imp.emit1("nn.mul", [mean, mean])])
    std = imp.emit1("nn.add", [imp.emit1("nn.sqrt", [var]), _scalar(x, 1e-9)])
    return imp.emit("nn.div", [imp.emit1("nn.sub", [x, mean]), std])


@onnx_op("RMSNormalization")
def _rms_normalization(imp: _Importer, n: _Node) -> list[Value]:
    # x / sqrt(mean(x^2 over axis..rank-1) + epsilon) * scale, in f32 (stash_type 1)
    x, scale = n.operand(0), n.operand(1)
    rank = len(shape_of(x))
    axis = _axis(n, int(n.attr("axis", -1)), rank)
    dtype = dtype_of(x)
    stash = int(n.attr("stash_type", 1)) == 1 and dtype != np.float32
    xs = imp.emit1("nn.cast", [x], {"to": element_type(np.float32)}) if stash else x
    props = {"axes": _ints(list(range(axis, rank))), "keepdims": _int(1)}
    mean_sq = imp.emit1("nn.reduce_mean", [imp.emit1("nn.mul", [xs, xs])], props)
    rms = imp.emit1(
        "nn.sqrt", [imp.emit1("nn.add", [mean_sq, _scalar(xs, float(n.attr("epsilon", 1e-5)))])]
    )
    y = imp.emit1("nn.div", [xs, rms])
    if stash:
        y = imp.emit1("nn.cast", [y], {"to": element_type(dtype)})
    return imp.emit("nn.mul", [y, scale])


@onnx_op("SpaceToDepth")
def _space_to_depth(imp: _Importer, n: _Node) -> list[Value]:
    x = n.operand(0)
    b = int(n.attr("blocksize"))
    mode = n.attr("mode", "DCR")
    if mode == "DCR":
        return imp.emit("nn.space_to_depth", [x], {"blocksize": _int(b)})
    if mode != "CRD":
        raise n.error(f'expected mode "DCR" or "CRD", got "{mode}"')
    # CRD (opset 25+) has no nn op: the reshape -> transpose -> reshape it is defined by
    shape = shape_of(x)
    if len(shape) != 4 or shape[2] % b or shape[3] % b:
        raise n.error(
            f"expected an N x C x H x W input with H, W divisible by {b}, got {list(shape)}"
        )
    nb, c, h, w = shape
    t = imp.emit1("nn.reshape", [x], {"shape": _ints([nb, c, h // b, b, w // b, b])})
    t = imp.emit1("nn.transpose", [t], {"perm": _ints([0, 1, 3, 5, 2, 4])})
    return imp.emit("nn.reshape", [t], {"shape": _ints([nb, c * b * b, h // b, w // b])})


@onnx_op("GroupNormalization")
def _group_normalization(imp: _Importer, n: _Node) -> list[Value]:
    # normalise each of G channel groups over its channels and spatial dims, then apply
    # the per-channel (opset 21) or per-group (opset 18) scale and bias
    x, scale, bias = n.operand(0), n.operand(1), n.operand(2)
    shape = shape_of(x)
    groups = int(n.attr("num_groups"))
    if len(shape) < 2 or groups < 1 or shape[1] % groups:
        raise n.error(f"expected num_groups to divide the {shape[1:2]} channels, got {groups}")
    batch, channels = shape[0], shape[1]
    per_group = math.prod(shape[1:]) // groups
    axes = {"axes": _ints([2]), "keepdims": _int(1)}
    xg = imp.emit1("nn.reshape", [x], {"shape": _ints([batch, groups, per_group])})
    centred = imp.emit1("nn.sub", [xg, imp.emit1("nn.reduce_mean", [xg], axes)])
    var = imp.emit1("nn.reduce_mean", [imp.emit1("nn.mul", [centred, centred])], axes)
    eps = _scalar(x, float(n.attr("epsilon", 1e-5)))
    std = imp.emit1("nn.sqrt", [imp.emit1("nn.add", [var, eps])])
    y = imp.emit1("nn.reshape", [imp.emit1("nn.div", [centred, std])], {"shape": _ints(shape)})
    per_channel = [channels] + [1] * (len(shape) - 2)

    def channelwise(v: Value) -> Value:
        if n.version < 21:  # one value per group: repeat it over the group's channels
            v = imp.emit1("nn.reshape", [v], {"shape": _ints([groups, 1])})
            v = imp.emit1("nn.expand", [v], {"shape": _ints([groups, channels // groups])})
        return imp.emit1("nn.reshape", [v], {"shape": _ints(per_channel)})

    return imp.emit("nn.add", [imp.emit1("nn.mul", [y, channelwise(scale)]), channelwise(bias)])


# --------------------------------------------------------------------------------------
# normalisers: data-dependent shapes, importable when the data is known


@onnx_op("NonZero")
def _non_zero(imp: _Importer, n: _Node) -> list[Value]:
    # the result's shape depends on the values: only a known input has a static result
    x = n.const(0, "X")
    assert x is not None
    return [np.asarray(np.nonzero(np.atleast_1d(x)), dtype=np.int64)]


@onnx_op("Unique")
def _unique(imp: _Importer, n: _Node) -> list[Value]:
    x = n.const(0, "X")
    assert x is not None
    axis = n.attr("axis", None)
    data = x.reshape(-1) if axis is None else x
    ax = 0 if axis is None else _axis(n, int(axis), x.ndim)
    y, first, inverse, counts = np.unique(data, True, True, True, axis=ax)
    if not n.attr("sorted", 1):  # order of first occurrence
        order = np.argsort(first, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(order.size)
        first, counts, inverse = first[order], counts[order], rank[inverse.reshape(-1)]
        y = np.take(data, first, axis=ax)
    as_i64 = [np.asarray(v, dtype=np.int64).reshape(-1) for v in (first, inverse, counts)]
    return [_array(y), *as_i64]


@onnx_op("Compress")
def _compress(imp: _Importer, n: _Node) -> list[Value]:
    # a known condition is a Gather with constant indices
    x = n.operand(0)
    cond = n.const(1, "condition")
    assert cond is not None
    axis = n.attr("axis", None)
    if axis is None:
        x = imp.emit1("nn.reshape", [x], {"shape": _ints([math.prod(shape_of(x))])})
        axis = 0
    axis = _axis(n, int(axis), len(shape_of(x)))
    dim = shape_of(x)[axis]
    index = np.nonzero(cond.reshape(-1)[:dim])[0].astype(np.int64)
    return imp.emit("nn.gather", [x, index], {"axis": _int(axis)})


@onnx_op("CenterCropPad")
def _center_crop_pad(imp: _Importer, n: _Node) -> list[Value]:
    # crop (Slice) the axes that shrink, zero-pad (Pad) the ones that grow, both centred
    x = n.operand(0)
    shape = shape_of(x)
    target = n.const_ints(1, "shape")
    assert target is not None
    axes = [_axis(n, int(a), len(shape)) for a in n.attr("axes", None) or range(len(shape))]
    starts, ends, crop_axes = [], [], []
    pads = [0] * (2 * len(shape))
    for a, size in zip(axes, target, strict=True):
        dim = shape[a]
        if size < dim:
            begin = (dim - size) // 2
            starts, ends, crop_axes = [*starts, begin], [*ends, begin + size], [*crop_axes, a]
        elif size > dim:
            pads[a] = (size - dim) // 2
            pads[len(shape) + a] = size - dim - pads[a]
    if crop_axes:
        props = {"starts": _ints(starts), "ends": _ints(ends), "axes": _ints(crop_axes)}
        x = imp.emit1("nn.slice", [x], {**props, "steps": _ints([1] * len(crop_axes))})
    if any(pads):
        props = {"pads": _ints(pads), "mode": _str("constant"), "constant_value": _float(0.0)}
        x = imp.emit1("nn.pad", [x], props)
    return [x]
