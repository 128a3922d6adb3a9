"""The numpy reference interpreter of `nn` IR (level L1).

`interpret(module, inputs)` walks `func.func @main` op by op, runs each `nn.*` op with its
kernel from `nn_reference.KERNELS` and returns the outputs in order. It is the oracle every
nn pass and the nn -> tile lowering are checked against:

    module = Parser(ctx, text).parse_module()
    outs = interpret(module, {"input": x})          # or [x], in argument order

Properties become plain Python values generically (IntegerAttr -> int, DenseArrayBase ->
list, TypeAttribute -> numpy dtype, ...), so a new op needs a kernel and nothing here.
Weights (`dense_resource<name>`) come from the module's resource table (docs/nn_ops.md);
an intermediate is dropped after its last use, so a ResNet-50 holds a few activations at
a time, not all of them. Every failure is a `VexaError` naming the op's location (the
ONNX node name).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from vexa.runtime.nn_reference import KERNELS
from vexa.runtime.resources import ResourceTable, module_resources
from vexa.tools.errors import VexaError
from xdsl.dialects.builtin import (
    ArrayAttr,
    BFloat16Type,
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    DenseResourceAttr,
    DictionaryAttr,
    FileLineColLoc,
    Float16Type,
    Float32Type,
    Float64Type,
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    ModuleOp,
    NameLoc,
    Signedness,
    StringAttr,
    TensorType,
    UnitAttr,
    UnregisteredOp,
)
from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import Attribute, Operation, SSAValue, TypeAttribute
from xdsl.irdl import IRDLOperation, OptionalDef, VariadicDef

try:  # bf16 arrays; ml_dtypes ships with onnx
    from ml_dtypes import bfloat16 as _bfloat16
except ImportError:  # pragma: no cover - bf16 simply unsupported then
    _bfloat16 = None


# --------------------------------------------------------------------------------------
# element types <-> numpy dtypes


def numpy_dtype(element_type: Attribute) -> np.dtype:
    """The numpy dtype of an MLIR element type: f32 -> float32, i1 -> bool, ui8 -> uint8."""
    if isinstance(element_type, Float32Type):
        return np.dtype(np.float32)
    if isinstance(element_type, Float16Type):
        return np.dtype(np.float16)
    if isinstance(element_type, Float64Type):
        return np.dtype(np.float64)
    if isinstance(element_type, BFloat16Type) and _bfloat16 is not None:
        return np.dtype(_bfloat16)
    if isinstance(element_type, IndexType):
        return np.dtype(np.int64)
    if isinstance(element_type, IntegerType):
        width = element_type.width.data
        if width == 1:
            return np.dtype(np.bool_)
        if width in (8, 16, 32, 64):
            unsigned = element_type.signedness.data == Signedness.UNSIGNED
            return np.dtype(f"{'u' if unsigned else ''}int{width}")
    raise VexaError(
        f"unsupported element type {element_type}: expected f16, bf16, f32, f64, i1 or [u]i8..64"
    )


def element_type(dtype: np.dtype | type | str) -> Attribute:
    """The MLIR element type of a numpy dtype (the inverse of `numpy_dtype`)."""
    dt = np.dtype(dtype)
    if dt == np.bool_:
        return IntegerType(1)
    if dt.kind == "f":
        by_size = {2: Float16Type, 4: Float32Type, 8: Float64Type}
        if dt.itemsize in by_size:
            return by_size[dt.itemsize]()
    if dt.name == "bfloat16":
        return BFloat16Type()
    if dt.kind == "i":
        return IntegerType(dt.itemsize * 8)
    if dt.kind == "u":
        return IntegerType(dt.itemsize * 8, Signedness.UNSIGNED)
    raise VexaError(f"unsupported numpy dtype {dt}: expected a float, integer or bool dtype")


def tensor_type(array: np.ndarray) -> TensorType:
    """The `tensor<...>` type of a numpy array."""
    return TensorType(element_type(array.dtype), array.shape)


def _type_str(shape: Sequence[int], dtype: np.dtype) -> str:
    try:
        elem = str(element_type(dtype))
    except VexaError:
        elem = str(dtype)
    return "tensor<" + "".join(f"{d}x" for d in shape) + elem + ">"


# --------------------------------------------------------------------------------------
# attributes -> Python values


def dense_to_numpy(attr: DenseIntOrFPElementsAttr) -> np.ndarray:
    """The value of a `dense<...>` attribute (splats included) as a numpy array."""
    elem = attr.get_element_type()
    shape = tuple(attr.get_shape())
    dtype = numpy_dtype(elem)
    raw = attr.data.data
    if dtype == np.bool_:
        flat = np.frombuffer(raw, dtype=np.int8) != 0  # xDSL stores i1 as one byte per element
    elif dtype.name == "bfloat16":
        flat = np.frombuffer(raw, dtype=np.uint16).view(dtype)
    else:
        flat = np.frombuffer(raw, dtype=dtype.newbyteorder("<")).astype(dtype)
    count = int(np.prod(shape, dtype=np.int64))
    if flat.size == 1 and count != 1:
        return np.full(shape, flat[0], dtype=dtype)
    return flat.reshape(shape).copy()


def attribute_value(attr: Attribute) -> Any:
    """A property as the plain Python value the kernels take (rule 2 of docs/nn_ops.md)."""
    if isinstance(attr, IntegerAttr):
        ty = attr.type
        if isinstance(ty, IntegerType) and ty.width.data == 1:
            return int(attr.value.data != 0)  # i1 `true` may be stored as -1
        return int(attr.value.data)
    if isinstance(attr, FloatAttr):
        return float(attr.value.data)
    if isinstance(attr, DenseArrayBase):
        return list(attr.get_values())
    if isinstance(attr, StringAttr):
        return attr.data
    if isinstance(attr, ArrayAttr):
        return [attribute_value(a) for a in attr.data]
    if isinstance(attr, DenseIntOrFPElementsAttr):
        return dense_to_numpy(attr)
    if isinstance(attr, UnitAttr):
        return True
    if isinstance(attr, TypeAttribute):
        return numpy_dtype(attr)
    if isinstance(attr, DictionaryAttr):
        return {k: attribute_value(v) for k, v in attr.data.items()}
    return attr


def op_name(op: Operation) -> str:
    """The op's name, also for an op parsed generically with no dialect registered."""
    if isinstance(op, UnregisteredOp):
        return op.op_name.data
    return op.name


def op_attributes(op: Operation) -> dict[str, Any]:
    """The kernel attributes of an op: its properties (and undotted attributes) as values."""
    attrs = {
        k: attribute_value(v)
        for k, v in op.attributes.items()
        if "." not in k and k != "op_name__"  # UnregisteredOp keeps its name there
    }
    attrs.update({k: attribute_value(v) for k, v in op.properties.items()})
    return attrs


def location_name(op: Operation) -> str:
    """The op's location for messages: the ONNX node name, else file:line:col, else the op."""
    loc = op.location
    if isinstance(loc, NameLoc):
        return loc.desc.data
    if isinstance(loc, FileLineColLoc):
        return f"{loc.filename.data}:{loc.line.data}:{loc.column.data}"
    return op_name(op)


# --------------------------------------------------------------------------------------
# evaluation


def evaluate_op(
    name: str, inputs: Sequence[np.ndarray | None], attrs: Mapping[str, Any]
) -> list[np.ndarray]:
    """Run the reference kernel of nn op `name` (the importer folds constants with this)."""
    fn = KERNELS.get(name)
    if fn is None:
        raise VexaError(f"no reference kernel for '{name}'")
    return fn(list(inputs), dict(attrs))


def _positional_operands(op: Operation) -> list[SSAValue | None]:
    """Operands in declaration order, an absent optional operand as None at its place."""
    if not isinstance(op, IRDLOperation):
        return list(op.operands)
    try:
        defs = type(op).get_irdl_definition().operands
    except Exception:  # noqa: BLE001 - not a declarative op: fall back to the flat list
        return list(op.operands)
    values: list[SSAValue | None] = []
    for name, d in defs:
        v = getattr(op, name)
        if isinstance(d, OptionalDef):
            values.append(v)
        elif isinstance(d, VariadicDef):
            values.extend(v)
        else:
            values.append(v)
    return values


def _constant(op: Operation, resources: ResourceTable | None, where: str) -> np.ndarray:
    # not `or`: an empty `dense<>` (a 0-element tensor) is a falsy attribute
    value = op.properties.get("value")
    if value is None:
        value = op.attributes.get("value")
    if isinstance(value, DenseIntOrFPElementsAttr):
        return dense_to_numpy(value)
    if not isinstance(value, DenseResourceAttr):
        raise VexaError(
            f"{where}: nn.constant: expected a dense or dense_resource value, got {value}"
        )
    name = value.resource_handle.data
    result_type = value.type
    if resources is None or name not in resources:
        raise VexaError(
            f"{where}: no bytes for dense_resource<{name}>: load the weights side file "
            "(<file>.npz beside the .mlir, or --weights FILE)"
        )
    array = resources[name]
    assert isinstance(result_type, TensorType)
    shape = tuple(result_type.get_shape())
    dtype = numpy_dtype(result_type.get_element_type())
    if array.dtype != dtype or array.size != int(np.prod(shape, dtype=np.int64)):
        raise VexaError(
            f"{where}: dense_resource<{name}>: expected {_type_str(shape, dtype)}, "
            f"got {_type_str(array.shape, array.dtype)}"
        )
    return array.reshape(shape)


def _find_main(module_or_func: ModuleOp | FuncOp) -> FuncOp:
    if isinstance(module_or_func, FuncOp):
        return module_or_func
    funcs = [op for op in module_or_func.ops if isinstance(op, FuncOp)]
    for f in funcs:
        if f.sym_name.data == "main":
            return f
    if len(funcs) == 1:
        return funcs[0]
    raise VexaError("expected a func.func @main in the module, got none")


def _owning_module(func: FuncOp) -> ModuleOp | None:
    parent = func.parent_op()
    while parent is not None and not isinstance(parent, ModuleOp):
        parent = parent.parent_op()
    return parent


def input_names(func: FuncOp) -> list[str]:
    """The graph input names of @main (arg_attrs `nn.name`; `arg<i>` when absent)."""
    names = []
    arg_attrs = func.arg_attrs.data if func.arg_attrs is not None else ()
    for i in range(len(func.function_type.inputs.data)):
        name = f"arg{i}"
        if i < len(arg_attrs):
            attr = arg_attrs[i].data.get("nn.name")
            if isinstance(attr, StringAttr):
                name = attr.data
        names.append(name)
    return names


def _bind_inputs(
    func: FuncOp, inputs: Sequence[np.ndarray] | Mapping[str, np.ndarray]
) -> list[np.ndarray]:
    names = input_names(func)
    if isinstance(inputs, Mapping):
        missing = [n for n in names if n not in inputs]
        extra = [n for n in inputs if n not in names]
        if missing or extra:
            raise VexaError(
                f"inputs: expected {names}, got {list(inputs)}"
                + (f" (missing {missing})" if missing else "")
                + (f" (unknown {extra})" if extra else "")
            )
        values = [inputs[n] for n in names]
    else:
        values = list(inputs)
        if len(values) != len(names):
            raise VexaError(f"inputs: expected {len(names)} arrays {names}, got {len(values)}")
    bound = []
    for name, value, ty in zip(names, values, func.function_type.inputs.data):
        array = np.asarray(value)
        assert isinstance(ty, TensorType)
        shape = tuple(ty.get_shape())
        dtype = numpy_dtype(ty.get_element_type())
        if array.shape != shape or array.dtype != dtype:
            raise VexaError(
                f"input '{name}': expected {_type_str(shape, dtype)}, "
                f"got {_type_str(array.shape, array.dtype)}"
            )
        bound.append(array)
    return bound


def _check_result(op: Operation, index: int, value: np.ndarray, where: str) -> np.ndarray:
    ty = op.results[index].type
    if not isinstance(ty, TensorType):
        return value
    shape = tuple(ty.get_shape())
    dtype = numpy_dtype(ty.get_element_type())
    value = np.asarray(value)
    if value.shape != shape:
        raise VexaError(
            f"{where}: {op_name(op)} result #{index}: expected {_type_str(shape, dtype)}, "
            f"got {_type_str(value.shape, value.dtype)}"
        )
    # a kernel whose dtype the properties cannot carry (OneHot `values`) takes the declared one
    return value if value.dtype == dtype else value.astype(dtype)


def interpret(
    module_or_func: ModuleOp | FuncOp,
    inputs: Sequence[np.ndarray] | Mapping[str, np.ndarray],
    resources: ResourceTable | None = None,
    observe: Callable[[Operation, list[np.ndarray]], None] | None = None,
) -> list[np.ndarray]:
    """Run `func.func @main` of an nn module with numpy; return its results in order.

    `inputs` are in argument order or keyed by the `nn.name` of each argument; `resources`
    defaults to the module's resource table. `observe(op, results)` is called after every
    op (e.g. to keep each node's output by `location_name(op)` and compare two levels node
    by node); the arrays must not be modified.
    """
    func = _find_main(module_or_func)
    if resources is None:
        module = module_or_func if isinstance(module_or_func, ModuleOp) else _owning_module(func)
        resources = module_resources(module) if module is not None else None
    block = func.body.block
    ops = list(block.ops)

    # last use of every value, so intermediates are dropped as soon as they are dead
    last_use: dict[SSAValue, int] = {}
    for i, op in enumerate(ops):
        for v in op.operands:
            last_use[v] = len(ops) if isinstance(op, ReturnOp) else i

    bound = _bind_inputs(func, inputs)
    env: dict[SSAValue, np.ndarray] = dict(zip(block.args, bound))
    caller_arrays = {id(a) for a in bound}
    for arg in block.args:
        if arg not in last_use:
            del env[arg]
    for i, op in enumerate(ops):
        where = location_name(op)
        if isinstance(op, ReturnOp):
            # an output that is a view (of a weight, an input, ...) or the caller's own
            # input array is copied: writing to it must not change the module's resources
            return [
                np.array(env[v])
                if env[v].base is not None or id(env[v]) in caller_arrays
                else env[v]
                for v in op.operands
            ]
        name = op_name(op)
        if name == "nn.constant":
            results = [_constant(op, resources, where)]
        else:
            fn = KERNELS.get(name)
            if fn is None:
                raise VexaError(f"{where}: no reference kernel for '{name}'")
            args = [None if v is None else env[v] for v in _positional_operands(op)]
            try:
                results = fn(args, op_attributes(op))
            except VexaError:
                raise
            except Exception as e:
                raise VexaError(f"{where}: {name}: {type(e).__name__}: {e}") from e
        # a kernel computes every optional trailing result (Attention's present_key, ...);
        # the op declares the ones the model uses
        results = results[: len(op.results)]
        if len(results) != len(op.results):
            raise VexaError(
                f"{where}: {name}: expected {len(op.results)} results, got {len(results)}"
            )
        results = [_check_result(op, j, value, where) for j, value in enumerate(results)]
        if observe is not None:
            observe(op, results)
        for res, value in zip(op.results, results):
            if res in last_use:
                env[res] = value
        for v in set(op.operands):
            if last_use.get(v) == i:
                env.pop(v, None)
    raise VexaError(f"{func.sym_name.data}: expected a func.return at the end, got none")
