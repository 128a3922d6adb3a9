"""The ONNX backend API (`onnx.backend.base.Backend`) on top of vexa.

    import vexa.onnx_backend as backend
    rep = backend.prepare("model.onnx")           # ModelProto, bytes or a path
    (probs,) = rep.run([x])                         # list, dict or a single array
    backend.run_node(node, [a, b])                  # one node, for quick checks

This is what lets ONNX's own conformance suite (`onnx.backend.test.BackendTest`)
run against vexa unchanged (tests/test_onnx_backend_conformance.py).

`prepare` imports the model into the `nn` dialect (lowering/import_onnx.py) and
checks everything vexa cannot run up front: an op, a data type, a non-tensor
value or a device that vexa does not support raises `Unsupported`, a `VexaError`
that carries a short `category` ("op Foo", "dtype STRING", ...) next to the
full reason, so a harness can tell "declared unsupported" from "wrong answer".

Engines: "interp" (the default) runs the numpy reference interpreter on the `nn` IR
(runtime/nn_interpreter.py); "sim" compiles each specialisation with `vexa.compile`
(runtime/executable.py, target vx128) on its first run and runs the program on the
simulator; what the compiler cannot lower is `Unsupported` (category "sim: <stage>").
"tile" lowers with convert-nn-to-tile and tile-plan-memory and runs the tile interpreter
(runtime/tile_interpreter.py) in the planned arenas; an op or a type that pass does not
lower is `Unsupported` (category "tile: op nn.X not lowered", "tile: nn.X on i8", ...);
it lowers every element type the tile interpreter stores (`element-types=all`).
`engine` is a checked option so that a typo never silently falls back to the interpreter.

vexa compiles static graphs, so the rep specialises at `run` time what the
model leaves open (one import per distinct key, cached on the rep): graph inputs
with symbolic dimensions (unless `input_shapes` pins them) on the shapes `run`
gets, and small graph inputs feeding what the importer needs constant
(Reshape's shape, Reduce*'s axes, Pad's pads, ...) on their values. Models
older than the importer's first opset go through onnx's version converter.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import onnx
from onnx import ModelProto, NodeProto, TensorProto, helper, numpy_helper
from onnx.backend.base import Backend, BackendRep, Device, DeviceType, namedtupledict
from vexa.tools.errors import VexaError

__all__ = [
    "ENGINES",
    "SUPPORTED_DTYPES",
    "Unsupported",
    "VexaBackend",
    "VexaBackendRep",
    "prepare",
    "run_model",
    "run_node",
    "supports_device",
]

ENGINES: tuple[str, ...] = ("interp", "sim", "tile")
"""Execution engines `prepare(engine=...)` accepts: nn interpreter, compiled + simulated,
tile-level interpreter (L2)."""

SUPPORTED_DTYPES: frozenset[int] = frozenset(
    {
        TensorProto.FLOAT,
        TensorProto.FLOAT16,
        TensorProto.DOUBLE,
        TensorProto.BFLOAT16,
        TensorProto.BOOL,
        TensorProto.INT8,
        TensorProto.INT16,
        TensorProto.INT32,
        TensorProto.INT64,
        TensorProto.UINT8,
        TensorProto.UINT16,
        TensorProto.UINT32,
        TensorProto.UINT64,
    }
)
"""ONNX element types the nn dialect has (docs/nn_ops.md, rule 6)."""

_STANDARD_DOMAINS = ("", "ai.onnx")

# Attributes that name an element type the op produces: a model producing an
# unsupported type is rejected before import with a clear category.
_DTYPE_ATTRIBUTES = {
    "Cast": "to",
    "EyeLike": "dtype",
    "RandomNormal": "dtype",
    "RandomUniform": "dtype",
    "RandomNormalLike": "dtype",
    "RandomUniformLike": "dtype",
    "Multinomial": "dtype",
    "Bernoulli": "dtype",
}


class Unsupported(VexaError):
    """vexa declares a model feature unsupported (an op, a dtype, a device, ...).

    `category` is a short stable key for grouping ("op Foo", "dtype STRING",
    "non-tensor value", "training-mode Dropout"); `reason` is the full message.
    """

    def __init__(self, reason: str, category: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.category = category if category is not None else reason


@dataclass
class _Compiled:
    """One imported module, specialised to one set of input shapes (and baked values)."""

    module: Any  # xdsl ModuleOp; typed loosely so that importing this file stays cheap
    arg_names: list[str]  # graph inputs that are arguments of @main, in order
    executable: Any = None  # engine "sim": the vexa.compile result, built on first run
    tile_module: Any = None  # engine "tile": the lowered, planned module, built on first run


def _dtype_name(elem_type: int) -> str:
    try:
        return TensorProto.DataType.Name(elem_type)
    except ValueError:
        return str(elem_type)


def _check_type(type_proto: onnx.TypeProto, what: str) -> None:
    kind = type_proto.WhichOneof("value")
    if kind is None:  # an output whose type import infers
        return
    if kind != "tensor_type":
        raise Unsupported(
            f"{what}: {kind.removesuffix('_type')} values are not supported, only tensors",
            "non-tensor value (sequence/optional/map)",
        )
    elem = type_proto.tensor_type.elem_type
    if elem not in SUPPORTED_DTYPES and elem != TensorProto.UNDEFINED:
        raise Unsupported(
            f"{what}: element type {_dtype_name(elem)} is not supported",
            f"dtype {_dtype_name(elem)}",
        )


def _check_graph(graph: onnx.GraphProto) -> None:
    """Reject what no later stage can handle: foreign domains, types, sparse data."""
    for vi in (*graph.input, *graph.output, *graph.value_info):
        _check_type(vi.type, f"value '{vi.name}'")
    for init in graph.initializer:
        if init.data_type not in SUPPORTED_DTYPES:
            raise Unsupported(
                f"initializer '{init.name}': element type "
                f"{_dtype_name(init.data_type)} is not supported",
                f"dtype {_dtype_name(init.data_type)}",
            )
    if len(graph.sparse_initializer):
        raise Unsupported("sparse initializers are not supported", "sparse tensors")
    for node in graph.node:
        where = f"node '{node.name or node.op_type}' ({node.op_type})"
        if node.domain not in _STANDARD_DOMAINS:
            raise Unsupported(
                f"{where}: operator domain '{node.domain}' is not supported",
                f"domain {node.domain}",
            )
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.TENSOR and attr.t.data_type not in SUPPORTED_DTYPES:
                name = _dtype_name(attr.t.data_type)
                raise Unsupported(f"{where}: element type {name} is not supported", f"dtype {name}")
            if attr.type == onnx.AttributeProto.SPARSE_TENSOR:
                raise Unsupported(
                    f"{where}: sparse tensor attributes are not supported", "sparse tensors"
                )
            produces_dtype = attr.name == _DTYPE_ATTRIBUTES.get(node.op_type)
            if produces_dtype and attr.i not in SUPPORTED_DTYPES:
                name = _dtype_name(attr.i)
                raise Unsupported(f"{where}: element type {name} is not supported", f"dtype {name}")


def _load_model(model: ModelProto | bytes | str | os.PathLike[str]) -> ModelProto:
    if isinstance(model, ModelProto):
        return model
    if isinstance(model, (bytes, bytearray, memoryview)):
        proto = ModelProto()
        try:
            proto.ParseFromString(bytes(model))
        except Exception as e:
            raise VexaError(f"cannot parse the serialized model: {e}") from e
        return proto
    if isinstance(model, (str, os.PathLike)):
        path = os.fspath(model)
        if not os.path.exists(path):
            raise VexaError(f"{path}: no such model file")
        try:
            return onnx.load(path)
        except Exception as e:
            raise VexaError(f"{path}: cannot load the ONNX model: {e}") from e
    raise VexaError(
        f"expected a ModelProto, serialized bytes or a file path, got {type(model).__name__}"
    )


def _static_shape(vi: onnx.ValueInfoProto) -> tuple[int, ...] | None:
    """The declared shape if every dimension is a fixed value, else None."""
    t = vi.type.tensor_type
    if not t.HasField("shape"):
        return None
    dims = []
    for d in t.shape.dim:
        if not d.HasField("dim_value") or d.dim_value < 0:
            return None
        dims.append(d.dim_value)
    return tuple(dims)


def _check_device(device: str) -> None:
    try:
        kind = Device(device).type
    except (AttributeError, ValueError):
        raise Unsupported(f"unknown device '{device}', expected CPU", f"device {device}") from None
    if kind != DeviceType.CPU:
        raise Unsupported(f"device '{device}' is not supported, expected CPU", f"device {device}")


_BAKE_LIMIT = 4096
"""Largest graph input (elements) that `run` specialises on its value."""

_NOT_CONSTANT = re.compile(r"\('([^']*)'\) must be a constant")


class VexaBackendRep(BackendRep):
    """A prepared model: `run(inputs)` returns the outputs in graph order.

    `inputs` is a list or tuple (graph inputs that are not initializers, in
    order), a dict name -> array, or one array for a one-input model. The
    result is a namedtuple-like tuple indexable by position or output name.

    Specialisation: vexa compiles static graphs. A graph input with symbolic
    dimensions is specialised on the shape `run` receives; a small graph input
    that feeds what the importer needs constant (Reshape's shape, Reduce*'s
    axes, Pad's pads, ...) is specialised on its value: it becomes an
    initializer of the imported model. One import per distinct key, cached.
    """

    def __init__(
        self, model: ModelProto, input_shapes: Mapping[str, Sequence[int]] | None, engine: str
    ) -> None:
        graph = model.graph
        inits = {i.name for i in graph.initializer}
        self.model = model
        self.engine = engine
        self.input_names: list[str] = [i.name for i in graph.input if i.name not in inits]
        self.output_names: list[str] = [o.name for o in graph.output]
        declared = {i.name: i for i in graph.input if i.name not in inits}
        unknown = sorted(set(input_shapes or {}) - set(declared))
        if unknown:
            raise VexaError(
                f"input_shapes names unknown inputs {unknown}, expected some of {self.input_names}"
            )
        pinned = {k: tuple(int(d) for d in v) for k, v in (input_shapes or {}).items()}
        self._declared = {
            name: pinned.get(name, _static_shape(vi)) for name, vi in declared.items()
        }
        self._dtypes = {
            name: helper.tensor_dtype_to_np_dtype(vi.type.tensor_type.elem_type)
            for name, vi in declared.items()
            if vi.type.tensor_type.elem_type != TensorProto.UNDEFINED
        }
        self._producer = {o: n for n in graph.node for o in n.output if o}
        self._baked: set[str] = set()  # inputs specialised on their value
        self._cache: dict[tuple[Any, ...], _Compiled] = {}
        if all(s is not None for s in self._declared.values()):
            shapes = {n: s for n, s in self._declared.items() if s is not None}
            self._compile(shapes, None)  # raises Unsupported now, not at run

    @property
    def module(self) -> Any:
        """The imported `nn` module of the first specialisation (None before any)."""
        return next(iter(self._cache.values())).module if self._cache else None

    def _key(
        self, shapes: Mapping[str, tuple[int, ...]], values: Mapping[str, np.ndarray] | None
    ) -> tuple[Any, ...]:
        baked = (
            tuple((n, values[n].dtype.str, values[n].tobytes()) for n in sorted(self._baked))
            if values is not None
            else ()
        )
        return (tuple(shapes[n] for n in self.input_names), baked)

    def _compile(
        self, shapes: dict[str, tuple[int, ...]], values: Mapping[str, np.ndarray] | None
    ) -> _Compiled | None:
        """The module for these shapes (and values of the inputs to bake).

        Returns None at prepare time (`values` None) when the model needs input
        values to compile; raises `Unsupported` for what vexa cannot compile.
        """
        from vexa.lowering.import_onnx import import_onnx

        for _ in range(len(self.input_names) + 1):
            if self._baked and values is None:
                return None
            key = self._key(shapes, values)
            hit = self._cache.get(key)
            if hit is not None:
                return hit
            model, args = self.model, list(self.input_names)
            if self._baked:
                assert values is not None
                model = _with_initializers(self.model, {n: values[n] for n in self._baked})
                args = [n for n in args if n not in self._baked]
            try:
                module = import_onnx(model, input_shapes={n: shapes[n] for n in args})
            except Unsupported:
                raise
            except VexaError as e:
                more = self._inputs_to_bake(str(e), shapes)
                if more:
                    self._baked |= more
                    continue
                # The importer's located rejection: an unsupported op, or a value it
                # cannot make static. It is a declared limit, not a wrong answer.
                raise Unsupported(str(e), _import_category(str(e))) from e
            compiled = self._cache[key] = _Compiled(module, args)
            return compiled
        raise Unsupported(
            "cannot make the model static by specialising its inputs", "dynamic values"
        )

    def _inputs_to_bake(self, message: str, shapes: Mapping[str, tuple[int, ...]]) -> set[str]:
        """Graph inputs that the value the importer needed constant depends on.

        Empty when the message is another error, or when one of those inputs is
        too big to specialise on (then it is a real dynamic-value limit).
        """
        m = _NOT_CONSTANT.search(message)
        if m is None:
            return set()
        found, todo, seen = set(), [m.group(1)], set()
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            if name in self._declared:
                found.add(name)
            elif name in self._producer:
                todo.extend(i for i in self._producer[name].input if i)
        new = found - self._baked
        if not new or any(int(np.prod(shapes[n])) > _BAKE_LIMIT for n in new):
            return set()
        return new

    def _normalize_inputs(self, inputs: Any) -> list[np.ndarray]:
        if isinstance(inputs, Mapping):
            missing = [n for n in self.input_names if n not in inputs]
            if missing:
                raise VexaError(f"missing inputs {missing}, expected {self.input_names}")
            extra = sorted(set(inputs) - set(self.input_names))
            if extra:
                raise VexaError(f"unknown inputs {extra}, expected {self.input_names}")
            values = [inputs[n] for n in self.input_names]
        elif isinstance(inputs, np.ndarray):
            values = [inputs]
        else:
            values = list(inputs)
        if len(values) != len(self.input_names):
            raise VexaError(
                f"expected {len(self.input_names)} inputs {self.input_names}, got {len(values)}"
            )
        out = []
        for name, value in zip(self.input_names, values, strict=True):
            arr = np.asarray(value)
            want = self._dtypes.get(name)
            if want is not None and arr.dtype != want:
                raise VexaError(
                    f"input '{name}': expected element type {np.dtype(want)}, got {arr.dtype}"
                )
            declared = self._declared.get(name)
            if declared is not None and tuple(arr.shape) != declared:
                raise VexaError(
                    f"input '{name}': expected shape {list(declared)}, got {list(arr.shape)}"
                )
            out.append(arr)
        return out

    def run(self, inputs: Any, **kwargs: Any) -> tuple[Any, ...]:
        """Run the model on `inputs`; returns the graph outputs in order."""
        if kwargs:
            raise VexaError(f"unexpected run options {sorted(kwargs)}")
        arrays = dict(zip(self.input_names, self._normalize_inputs(inputs), strict=True))
        compiled = self._compile({n: tuple(a.shape) for n, a in arrays.items()}, arrays)
        assert compiled is not None
        results = self._execute(compiled, [arrays[n] for n in compiled.arg_names])
        return namedtupledict("Outputs", self.output_names)(*results)

    def _execute(self, compiled: _Compiled, arrays: list[np.ndarray]) -> list[np.ndarray]:
        # engine was checked in prepare
        from vexa.runtime.nn_interpreter import interpret
        from vexa.runtime.resources import module_resources

        if self.engine == "sim":
            return [np.array(o) for o in _simulated(compiled).run(arrays)]
        if self.engine == "tile":
            from vexa.runtime import tile_interpreter

            tiled = _tiled(compiled)
            return [np.array(o) for o in tile_interpreter.interpret(tiled, arrays)]

        outs = interpret(compiled.module, arrays, module_resources(compiled.module))
        # a copy: an output may alias an input or a weight of the module
        return [np.array(o) for o in outs]


def _simulated(compiled: _Compiled) -> Any:
    """The compiled executable of one specialisation (compiled once, on its first run)."""
    if compiled.executable is None:
        from vexa.lowering.pipelines import StageError
        from vexa.runtime.executable import compile
        from vexa.runtime.resources import attach_resources, module_resources

        # compile lowers in place: work on a copy, the rep keeps its nn module
        module = compiled.module.clone()
        attach_resources(module, module_resources(compiled.module))
        try:
            compiled.executable = compile(module)
        except StageError as e:
            raise Unsupported(str(e), f"sim: {e.stage}") from e
        except Unsupported:
            raise
        except VexaError as e:
            first = (str(e).strip().splitlines() or [""])[0]
            raise Unsupported(str(e), f"sim: {_import_category(first)}") from e
    return compiled.executable


def _tile_category(op: Any, reason: str) -> str:
    """Group key of a convert-nn-to-tile rejection (engine "tile")."""
    if reason.startswith("no tile lowering"):
        return f"tile: op {op.name} not lowered"
    if reason.startswith("expected f32"):
        return "tile: non-f32 dtype"
    if reason.startswith(("expected floating-point", "expected integer tensors")):
        return f"tile: {op.name} on {reason.rsplit(' ', 1)[-1]}"
    return f"tile: {op.name} {re.sub(r'[0-9]+', 'N', reason)}"


def _tiled(compiled: _Compiled) -> Any:
    """The tile-level module of one specialisation (lowered and planned once)."""
    if compiled.tile_module is None:
        from xdsl.context import Context
        from xdsl.dialects import func
        from xdsl.dialects.builtin import TensorType
        from xdsl.utils.exceptions import DiagnosticException

        from vexa.lowering.convert_nn_to_tile import (
            ConvertNnToTilePass,
            FunctionLowering,
            _has_dtype,
            rewrite_for_tile,
        )
        from vexa.passes.tile_plan_memory import TilePlanMemoryPass
        from vexa.runtime.resources import attach_resources, module_resources

        # the pass lowers in place: work on a copy, the rep keeps its nn module
        module = compiled.module.clone()
        attach_resources(module, module_resources(compiled.module))
        for fn in module.ops:
            if not isinstance(fn, func.FuncOp):
                continue
            rewrite_for_tile(fn)  # what the pass does first (1-D windows as 2-D, ...)
            # an op-less graph (Identity of an input) has only its signature to check
            for t in (*fn.function_type.inputs.data, *fn.function_type.outputs.data):
                if not isinstance(t, TensorType) or not _has_dtype(t.get_element_type()):
                    raise Unsupported(
                        f"convert-nn-to-tile: expected a numeric element type, got {t}",
                        "tile: element type",
                    )
            for op in fn.body.block.ops:
                if isinstance(op, func.ReturnOp):
                    continue
                reason = FunctionLowering.unsupported_reason(op, "all")
                if reason is not None:
                    raise Unsupported(
                        f"convert-nn-to-tile: cannot lower {op.name}: {reason}",
                        _tile_category(op, reason),
                    )
        try:
            ConvertNnToTilePass(element_types="all").apply(Context(), module)
            TilePlanMemoryPass().apply(Context(), module)
        except DiagnosticException as e:
            first = (str(e).strip().splitlines() or [""])[0]
            raise Unsupported(str(e), f"tile: {_import_category(first)}") from e
        compiled.tile_module = module
    return compiled.tile_module


def _upgrade_opset(model: ModelProto) -> ModelProto:
    """A model older than the importer's first opset, converted up to it by onnx.

    PyTorch's old exports are opset 6; onnx's version converter rewrites what
    changed (Add's `broadcast` attribute, ...) and the result is checked like
    any other model: by its answers.
    """
    import onnx.version_converter
    from vexa.lowering.import_onnx import MIN_OPSET

    versions = [o.version for o in model.opset_import if o.domain in _STANDARD_DOMAINS]
    if not versions or max(versions) >= MIN_OPSET:
        return model
    try:
        return onnx.version_converter.convert_version(model, MIN_OPSET)
    except Exception as e:
        first = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise Unsupported(
            f"opset {max(versions)} is older than vexa's first ({MIN_OPSET}) and "
            f"onnx's version converter failed: {first}",
            f"opset {max(versions)}: version conversion failed",
        ) from e


def _with_initializers(model: ModelProto, values: Mapping[str, np.ndarray]) -> ModelProto:
    """`model` with some graph inputs turned into initializers holding `values`."""
    out = ModelProto()
    out.CopyFrom(model)
    out.graph.initializer.extend(numpy_helper.from_array(v, n) for n, v in values.items())
    return out


def _import_category(message: str) -> str:
    """A short grouping key for an importer rejection: "op Foo", "Reshape: ..."."""
    first = (message.strip().splitlines() or [""])[0]
    m = re.search(r"unsupported ops?: (.*)", first)
    if m:
        # "unsupported ops: Foo (2), Bar (1)" -> "op Bar, Foo"
        names = sorted(
            {part.strip().split(" ")[0] for part in m.group(1).split(",") if part.strip()}
        )
        return "op " + ", ".join(names)
    # "node 'n3' (Reshape): ... 'x' ..." -> "Reshape: ... '…' ...": names vary per model
    m = re.match(r"node '.*?' \((\w+)\): (.*)", first)
    if m:
        first = f"{m.group(1)}: {m.group(2)}"
    return re.sub(r"'[^']*'", "'…'", first)


class VexaBackend(Backend):
    """vexa as an ONNX backend: `prepare` imports; `VexaBackendRep.run` executes."""

    @classmethod
    def check_model(
        cls, model: ModelProto | bytes | str | os.PathLike[str], device: str = "CPU"
    ) -> None:
        """Cheap pre-check (no import): raises `Unsupported` for a device, a
        domain, a data type or a non-tensor value vexa does not handle."""
        _check_device(device)
        _check_graph(_load_model(model).graph)

    @classmethod
    def is_compatible(cls, model: ModelProto, device: str = "CPU", **kwargs: Any) -> bool:
        """`check_model` as a yes/no answer (the ONNX backend API's form)."""
        try:
            cls.check_model(model, device)
        except Unsupported:
            return False
        return True

    @classmethod
    def prepare(
        cls,
        model: ModelProto | bytes | str | os.PathLike[str],  # type: ignore[override]
        device: str = "CPU",
        *,
        input_shapes: Mapping[str, Sequence[int]] | None = None,
        engine: str = "interp",
        **kwargs: Any,
    ) -> VexaBackendRep:
        """Import `model` for `engine`; raises `Unsupported` for what vexa cannot run.

        `input_shapes` pins symbolic input dimensions (name -> shape); without it,
        a model with symbolic input dimensions is specialised on each `run`.
        """
        if kwargs:
            raise VexaError(
                f"unexpected prepare options {sorted(kwargs)}, expected input_shapes or engine"
            )
        return cls._prepare(_load_model(model), device, input_shapes, engine, check=True)

    @classmethod
    def _prepare(
        cls,
        proto: ModelProto,
        device: str,
        input_shapes: Mapping[str, Sequence[int]] | None,
        engine: str,
        check: bool,
    ) -> VexaBackendRep:
        if engine not in ENGINES:
            raise VexaError(f"unknown engine '{engine}', expected one of {', '.join(ENGINES)}")
        _check_device(device)
        if check:
            try:
                onnx.checker.check_model(proto)
            except onnx.checker.ValidationError as e:
                raise VexaError(f"invalid ONNX model: {str(e).strip().splitlines()[0]}") from e
        for domain in {o.domain for o in proto.opset_import}:
            if domain not in _STANDARD_DOMAINS and any(
                n.domain == domain for n in proto.graph.node
            ):
                raise Unsupported(
                    f"operator domain '{domain}' is not supported", f"domain {domain}"
                )
        _check_graph(proto.graph)
        return VexaBackendRep(_upgrade_opset(proto), input_shapes, engine)

    @classmethod
    def run_model(
        cls,
        model: ModelProto | bytes | str | os.PathLike[str],  # type: ignore[override]
        inputs: Any,
        device: str = "CPU",
        **kwargs: Any,
    ) -> tuple[Any, ...]:
        """prepare(model, device, **kwargs).run(inputs)."""
        return cls.prepare(model, device, **kwargs).run(inputs)

    @classmethod
    def run_node(
        cls,
        node: NodeProto,
        inputs: Any,
        device: str = "CPU",  # type: ignore[override]
        outputs_info: Sequence[tuple[np.dtype, tuple[int, ...]]] | None = None,
        **kwargs: Any,
    ) -> tuple[Any, ...]:
        """Run one node on `inputs` (a list matching `node.input`, or a dict by name).

        Builds a one-node model (opset `opset_version`, default the newest ONNX
        knows) and runs it; returns the node's outputs in order.
        """
        opset_version = kwargs.pop("opset_version", None)
        names = [n for n in node.input if n]
        if isinstance(inputs, Mapping):
            feeds = {n: np.asarray(inputs[n]) for n in names}
        else:
            values = list(inputs)
            if len(values) == len(node.input):  # positional, '' placeholders included
                values = [v for n, v in zip(node.input, values, strict=True) if n]
            if len(values) != len(names):
                raise VexaError(
                    f"node {node.op_type}: expected {len(names)} inputs, got {len(values)}"
                )
            feeds = {n: np.asarray(v) for n, v in zip(names, values, strict=True)}
        graph_inputs = [
            helper.make_tensor_value_info(n, helper.np_dtype_to_tensor_dtype(a.dtype), a.shape)
            for n, a in feeds.items()
        ]
        graph_outputs = []
        for i, name in enumerate(o for o in node.output if o):
            if outputs_info is not None and i < len(outputs_info):
                dtype, shape = outputs_info[i]
                graph_outputs.append(
                    helper.make_tensor_value_info(
                        name, helper.np_dtype_to_tensor_dtype(np.dtype(dtype)), shape
                    )
                )
            else:
                graph_outputs.append(onnx.ValueInfoProto(name=name))
        graph = helper.make_graph([node], f"run_node_{node.op_type}", graph_inputs, graph_outputs)
        version = opset_version if opset_version is not None else onnx.defs.onnx_opset_version()
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid(node.domain, version)])
        model = onnx.shape_inference.infer_shapes(model)
        inferred = {vi.name: vi for vi in model.graph.value_info}
        for out in model.graph.output:
            if not out.type.HasField("tensor_type") and out.name in inferred:
                out.type.CopyFrom(inferred[out.name].type)
        # The node is checked (above, by the base class); the model around it may
        # lack output types inference cannot know before the inputs' values.
        super().run_node(
            node,
            list(feeds.values()),
            device,
            outputs_info,
            **({"opset_version": version} if opset_version is not None else {}),
        )
        input_shapes = kwargs.pop("input_shapes", None)
        engine = kwargs.pop("engine", "interp")
        if kwargs:
            raise VexaError(f"unexpected run_node options {sorted(kwargs)}")
        rep = cls._prepare(model, device, input_shapes, engine, check=False)
        return rep.run(feeds)

    @classmethod
    def supports_device(cls, device: str) -> bool:
        """Only "CPU": the interpreter (and later the simulator) run on the host."""
        try:
            _check_device(device)
        except Unsupported:
            return False
        return True


prepare = VexaBackend.prepare
run_model = VexaBackend.run_model
run_node = VexaBackend.run_node
supports_device = VexaBackend.supports_device
