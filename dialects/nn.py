"""The `nn` dialect: level L1 of vexa, one value-semantics op per ONNX operation.

Ops work on ranked, static `tensor<...>` values with ONNX semantics (multidirectional
broadcasting, pads/strides/dilations/groups, ceil_mode, axis conventions). Every ONNX
attribute is an explicit property (the importer fills in defaults, see docs/nn_ops.md),
and every op recomputes its result types from operands and properties:
`infer_result_types` is the single shape-inference routine used by the verifier, by
`build_inferred` and by the importer.

```mlir
%w = nn.constant dense_resource<conv1_w> : tensor<64x3x7x7xf32>
%c = nn.conv %x, %w {kernel_shape = array<i64: 7, 7>, strides = array<i64: 2, 2>, ...} : (tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>) -> tensor<1x64x112x112xf32>
%r = nn.relu %c : tensor<1x64x112x112xf32>
```

Naming (docs/nn_ops.md rule 1): ONNX type `OpType` is class `<OpType>Op` and op
`nn.<snake_case>`; `ONNX_OPS` maps every ONNX type to its class.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import ClassVar, Self

from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    AnyFloat,
    BytesAttr,
    I64,
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    DenseResourceAttr,
    Float32Type,
    FloatAttr,
    IntegerAttr,
    IntegerType,
    StringAttr,
    TensorType,
    f32,
    i1,
    i64,
)
from xdsl.ir import Attribute, Dialect, SSAValue, TypeAttribute
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.irdl import (
    AnyAttr,
    IRDLOperation,
    ParamAttrConstraint,
    ParsePropInAttrDict,
    VarConstraint,
    VerificationContext,
    base,
    irdl_op_definition,
    operand_def,
    opt_operand_def,
    prop_def,
    result_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

Props = Mapping[str, Attribute]

# Every non-unary op prints as `nn.op %a, %b {props} : (types) -> types`.
_GENERIC_FORMAT = "operands attr-dict `:` functional-type(operands, results)"
_UNARY_FORMAT = "$input attr-dict `:` type($result)"

_I64_ARRAY = DenseArrayBase.constr(i64)
_F32_ARRAY = DenseArrayBase.constr(f32)


# --------------------------------------------------------------------------- helpers


def _shape(t: Attribute) -> tuple[int, ...]:
    """The static shape of a tensor type (raises on anything else)."""
    if not isinstance(t, TensorType):
        raise VerifyException(f"expected a ranked tensor, got {t}")
    shape = t.get_shape()
    if DYNAMIC_INDEX in shape:
        raise VerifyException(f"expected a static shape, got {t}")
    return shape


def _tensor(shape: Sequence[int], element_type: Attribute) -> TensorType:
    return TensorType(element_type, shape)


def _int(props: Props, name: str) -> int:
    return props[name].value.data  # type: ignore[union-attr]


def _float(props: Props, name: str) -> float:
    return props[name].value.data  # type: ignore[union-attr]


def _ints(props: Props, name: str) -> tuple[int, ...]:
    return props[name].get_values()  # type: ignore[union-attr]


def _floats(props: Props, name: str) -> tuple[float, ...]:
    return props[name].get_values()  # type: ignore[union-attr]


def _str(props: Props, name: str) -> str:
    return props[name].data  # type: ignore[union-attr]


def _axis(axis: int, rank: int, name: str = "axis") -> int:
    """Normalise an ONNX axis in [-rank, rank) to [0, rank)."""
    if not -rank <= axis < rank:
        raise VerifyException(f"expected {name} in [{-rank}, {rank - 1}], got {axis}")
    return axis + rank if axis < 0 else axis


def _axes(axes: Sequence[int], rank: int) -> tuple[int, ...]:
    """Check normalised (non-negative), sorted, unique axes for a tensor of `rank`."""
    for a in axes:
        if not 0 <= a < rank:
            raise VerifyException(f"expected axes in [0, {rank - 1}], got {list(axes)}")
    if list(axes) != sorted(set(axes)):
        raise VerifyException(f"expected sorted unique axes, got {list(axes)}")
    return tuple(axes)


def _same_element_type(types: Sequence[TensorType], what: str = "operand") -> Attribute:
    first = types[0].element_type
    for t in types[1:]:
        if t.element_type != first:
            raise VerifyException(
                f"expected {what} element types to agree, got {first} and {t.element_type}"
            )
    return first


def _prod(xs: Sequence[int]) -> int:
    return math.prod(xs)


def broadcast_shapes(*shapes: Sequence[int]) -> tuple[int, ...]:
    """ONNX multidirectional (numpy) broadcasting of static shapes."""
    rank = max(len(s) for s in shapes)
    out = [1] * rank
    for s in shapes:
        off = rank - len(s)
        for i, d in enumerate(s):
            o = out[off + i]
            if o == 1:
                out[off + i] = d
            elif d != 1 and d != o:
                shown = " and ".join(str(list(x)) for x in shapes)
                raise VerifyException(f"expected broadcastable shapes, got {shown}")
    return tuple(out)


def _broadcasts_to(shape: Sequence[int], target: Sequence[int]) -> bool:
    """Whether `shape` broadcasts unidirectionally to `target`."""
    if len(shape) > len(target):
        return False
    off = len(target) - len(shape)
    return all(d == 1 or d == target[off + i] for i, d in enumerate(shape))


def _window_sizes(
    spatial: Sequence[int],
    kernel: Sequence[int],
    strides: Sequence[int],
    pads: Sequence[int],
    dilations: Sequence[int],
    ceil_mode: bool,
) -> list[int]:
    """Output spatial sizes of a conv/pool window (ONNX / onnxruntime rule)."""
    n = len(spatial)
    out: list[int] = []
    for i in range(n):
        span = spatial[i] + pads[i] + pads[i + n] - dilations[i] * (kernel[i] - 1) - 1
        if ceil_mode:
            o = -(-span // strides[i]) + 1
            # A window that would start inside the end padding is dropped.
            if (o - 1) * strides[i] >= spatial[i] + pads[i]:
                o -= 1
        else:
            o = span // strides[i] + 1
        if o < 1:
            raise VerifyException(
                f"expected a positive output size, got {o} for spatial dim {i} "
                f"(input {spatial[i]}, kernel {kernel[i]})"
            )
        out.append(o)
    return out


def _check_window_props(props: Props, n: int, *, kernel: bool = True) -> None:
    """Lengths and values of kernel_shape/strides/pads/dilations for `n` spatial dims."""
    names = ("kernel_shape", "strides", "dilations") if kernel else ("strides", "dilations")
    for name in names:
        vals = _ints(props, name)
        if len(vals) != n:
            raise VerifyException(f"expected {n} values in {name}, got {len(vals)}")
        if any(v < 1 for v in vals):
            raise VerifyException(f"expected positive {name}, got {list(vals)}")
    pads = _ints(props, "pads")
    if len(pads) != 2 * n:
        raise VerifyException(f"expected {2 * n} values in pads, got {len(pads)}")


# --------------------------------------------------------------------------- base


class NnOp(IRDLOperation):
    """Base of every nn op: shape inference, the inferred builder and its verifier."""

    irdl_options = (ParsePropInAttrDict(),)

    @classmethod
    def infer_result_types(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> list[TensorType]:
        """Result types from operand types and properties (ONNX semantics).

        Raises VerifyException with a readable message when the operands or the
        properties are inconsistent.
        """
        raise NotImplementedError(f"{cls.__name__} lacks shape inference")

    @classmethod
    def build_inferred(
        cls, operands: Sequence[SSAValue], properties: Mapping[str, Attribute]
    ) -> Self:
        """Create the op with result types computed by `infer_result_types`.

        Raises VerifyException when a property is missing, unknown or of the wrong
        encoding, or when inference rejects the operands (same messages as the verifier).
        """
        values = [SSAValue.get(o) for o in operands]
        cls._check_property_encodings(properties)
        result_types = cls.infer_result_types(
            [v.type for v in values],  # type: ignore[misc]
            properties,
        )
        return cls.create(
            operands=values, result_types=result_types, properties=dict(properties)
        )

    @classmethod
    def _check_property_encodings(cls, properties: Mapping[str, Attribute]) -> None:
        """The declared property constraints, checked before inference reads them (the
        verifier gets this from IRDL; a builder must do it itself)."""
        defs = cls.get_irdl_definition().properties
        for name in properties:
            if name not in defs:
                raise VerifyException(f"{cls.name}: unknown property {name}")
        for name, prop in defs.items():
            attr = properties.get(name)
            if attr is None:
                raise VerifyException(f"{cls.name}: expected property {name}, got none")
            try:
                prop.constr.verify(attr, VerificationContext())
            except VerifyException as e:
                raise VerifyException(f"{cls.name}: property {name}: {e}") from None

    def verify_(self) -> None:
        expected = self.infer_result_types(
            [o.type for o in self.operands],  # type: ignore[misc]
            self.properties,
        )
        got = [r.type for r in self.results]
        if len(expected) != len(got):
            raise VerifyException(f"expected {len(expected)} results, got {len(got)}")
        for e, g in zip(expected, got):
            if e != g:
                raise VerifyException(f"expected {e}, got {g}")


# --------------------------------------------------------------------------- constant


@irdl_op_definition
class ConstantOp(NnOp):
    """A constant tensor: weights as `dense_resource` (bytes in the resource table) or a
    small/splat `dense` literal.

    ```mlir
    %w = nn.constant dense_resource<conv1_w> : tensor<64x3x7x7xf32>
    %s = nn.constant dense<1.000000e+00> : tensor<4xf32>
    ```
    """

    name = "nn.constant"
    T: ClassVar = VarConstraint("T", base(TensorType))
    value = prop_def(
        ParamAttrConstraint(DenseIntOrFPElementsAttr, (T, AnyAttr()))
        | ParamAttrConstraint(DenseResourceAttr, (AnyAttr(), T))
    )
    result = result_def(T)
    traits = traits_def(Pure())

    # A splat of more than this many elements prints as `splat<v> : tensor<...>`: xDSL
    # prints and parses `dense<v> : tensor<4096x25088xf32>` element by element (minutes
    # for the 100M-element fills of the ONNX model zoo); this form costs one memset.
    SPLAT_FORM_MIN_ELEMENTS: ClassVar[int] = 16

    @classmethod
    def infer_result_types(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> list[TensorType]:
        t = properties["value"].get_type()  # type: ignore[union-attr]
        _shape(t)
        return [t]  # type: ignore[list-item]

    @staticmethod
    def splat(type: TensorType, value: int | float) -> DenseIntOrFPElementsAttr:
        """A `dense` splat of `type` holding its one element (as the importer builds them)."""
        one = type.element_type.pack([value])  # type: ignore[union-attr]
        return DenseIntOrFPElementsAttr(type, BytesAttr(one))

    @staticmethod
    def _splat_value(attr: DenseIntOrFPElementsAttr) -> int | float | None:
        """The repeated element of a large splat, or None (checked on the raw bytes)."""
        n = math.prod(attr.get_shape())
        if n <= ConstantOp.SPLAT_FORM_MIN_ELEMENTS:
            return None
        data = attr.data.data
        size = attr.get_element_type().compile_time_size  # type: ignore[union-attr]
        if len(data) != size and (len(data) != size * n or data != data[:size] * n):
            return None
        return attr.get_element_type().unpack(data[:size], 1)[0]  # type: ignore[union-attr]

    def print(self, printer: Printer) -> None:
        printer.print_op_attributes(self.attributes)
        value = self.value
        splat = (
            self._splat_value(value) if isinstance(value, DenseIntOrFPElementsAttr) else None
        )
        if splat is None:
            printer.print_string(" ")
            printer.print_attribute(value)
            return
        elem = value.get_element_type()
        printer.print_string(" splat<")
        if isinstance(splat, float) and (math.isnan(splat) or math.isinf(splat)):
            raw = elem.pack([splat])  # type: ignore[union-attr]
            printer.print_string(f"0x{raw[::-1].hex().upper()}")
        elif isinstance(splat, float):
            printer.print_float(splat, elem)  # type: ignore[arg-type]
        else:
            printer.print_int(splat, elem)  # type: ignore[arg-type]
        printer.print_string("> : ")
        printer.print_attribute(value.get_type())

    @classmethod
    def parse(cls, parser: Parser) -> Self:
        attrs = parser.parse_optional_attr_dict()
        if parser.parse_optional_keyword("splat") is None:
            value = parser.parse_attribute()
        else:
            parser.parse_punctuation("<")
            is_hex = parser._current_token.text.lower().startswith("0x")  # pyright: ignore[reportPrivateUsage]
            literal = parser.parse_number(allow_boolean=True)
            parser.parse_punctuation(">")
            parser.parse_punctuation(":")
            type = parser.parse_type()
            if not isinstance(type, TensorType) or not isinstance(
                type.element_type, IntegerType | AnyFloat
            ):
                parser.raise_error(f"expected a tensor of integers or floats, got {type}")
            elem = type.element_type
            if isinstance(elem, AnyFloat) and is_hex:
                one = int(literal).to_bytes(elem.compile_time_size, "little")
                value = DenseIntOrFPElementsAttr(type, BytesAttr(one))
            else:
                value = cls.splat(type, float(literal) if isinstance(elem, AnyFloat) else int(literal))
        op = cls.build(properties={"value": value}, result_types=[value.get_type()])  # type: ignore[union-attr]
        op.attributes.update(attrs)
        return op


# --------------------------------------------------------------------------- unary


class UnaryOp(NnOp):
    """Elementwise op whose result type is its operand type."""

    T: ClassVar = VarConstraint("T", base(TensorType))
    input = operand_def(T)
    result = result_def(T)
    traits = traits_def(Pure())
    assembly_format = _UNARY_FORMAT

    @classmethod
    def infer_result_types(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> list[TensorType]:
        _shape(operand_types[0])
        cls.check_properties(operand_types[0], properties)
        return [operand_types[0]]

    @classmethod
    def check_properties(cls, input_type: TensorType, properties: Props) -> None:
        """Property sanity beyond the declaration (none by default)."""


def _unary(onnx_type: str, op_name: str, doc: str, elem: str = "f32") -> type[UnaryOp]:
    """A property-less same-type unary op; declared through one line each below."""
    cls = type(
        f"{onnx_type}Op",
        (UnaryOp,),
        {
            "name": f"nn.{op_name}",
            "__doc__": f"{doc}\n\n```mlir\n%r = nn.{op_name} %x : tensor<2x3x{elem}>\n```\n",
            "__module__": __name__,
            "__qualname__": f"{onnx_type}Op",
        },
    )
    return irdl_op_definition(cls)


AbsOp = _unary("Abs", "abs", "Elementwise |x|.")
NegOp = _unary("Neg", "neg", "Elementwise -x.")
ExpOp = _unary("Exp", "exp", "Elementwise e**x.")
LogOp = _unary("Log", "log", "Elementwise natural logarithm.")
SqrtOp = _unary("Sqrt", "sqrt", "Elementwise square root.")
ReciprocalOp = _unary("Reciprocal", "reciprocal", "Elementwise 1/x.")
ReluOp = _unary("Relu", "relu", "Elementwise max(x, 0).")
SigmoidOp = _unary("Sigmoid", "sigmoid", "Elementwise 1/(1+exp(-x)).")
TanhOp = _unary("Tanh", "tanh", "Elementwise hyperbolic tangent.")
ErfOp = _unary("Erf", "erf", "Elementwise error function.")
FloorOp = _unary("Floor", "floor", "Elementwise floor.")
CeilOp = _unary("Ceil", "ceil", "Elementwise ceiling.")
RoundOp = _unary("Round", "round", "Elementwise round half to even.")
SignOp = _unary("Sign", "sign", "Elementwise sign (-1, 0, 1).")
SinOp = _unary("Sin", "sin", "Elementwise sine.")
CosOp = _unary("Cos", "cos", "Elementwise cosine.")
TanOp = _unary("Tan", "tan", "Elementwise tangent.")
AsinOp = _unary("Asin", "asin", "Elementwise arcsine.")
AcosOp = _unary("Acos", "acos", "Elementwise arccosine.")
AtanOp = _unary("Atan", "atan", "Elementwise arctangent.")
SinhOp = _unary("Sinh", "sinh", "Elementwise hyperbolic sine.")
CoshOp = _unary("Cosh", "cosh", "Elementwise hyperbolic cosine.")
AsinhOp = _unary("Asinh", "asinh", "Elementwise inverse hyperbolic sine.")
AcoshOp = _unary("Acosh", "acosh", "Elementwise inverse hyperbolic cosine.")
AtanhOp = _unary("Atanh", "atanh", "Elementwise inverse hyperbolic tangent.")
SoftplusOp = _unary("Softplus", "softplus", "Elementwise log(1+exp(x)).")
SoftsignOp = _unary("Softsign", "softsign", "Elementwise x/(1+|x|).")
IdentityOp = _unary("Identity", "identity", "The operand, unchanged.")
HardSwishOp = _unary("HardSwish", "hard_swish", "Elementwise x*max(0, min(1, x/6+1/2)).")
MishOp = _unary("Mish", "mish", "Elementwise x*tanh(softplus(x)).")
BitwiseNotOp = _unary("BitwiseNot", "bitwise_not", "Elementwise bitwise not (integers).", "i32")
DropoutOp = _unary("Dropout", "dropout", "Dropout in inference form: the identity.")


@irdl_op_definition
class NotOp(UnaryOp):
    """Elementwise logical not.

    ```mlir
    %r = nn.not %x : tensor<2x3xi1>
    ```
    """

    name = "nn.not"

    @classmethod
    def check_properties(cls, input_type: TensorType, properties: Props) -> None:
        if input_type.element_type != i1:
            raise VerifyException(f"expected an i1 operand, got {input_type.element_type}")


@irdl_op_definition
class LeakyReluOp(UnaryOp):
    """Elementwise x if x >= 0 else alpha*x.

    ```mlir
    %r = nn.leaky_relu %x {alpha = 1.000000e-01 : f32} : tensor<2x3xf32>
    ```
    """

    name = "nn.leaky_relu"
    alpha = prop_def(FloatAttr[Float32Type])


@irdl_op_definition
class EluOp(UnaryOp):
    """Elementwise x if x >= 0 else alpha*(exp(x)-1).

    ```mlir
    %r = nn.elu %x {alpha = 1.000000e+00 : f32} : tensor<2x3xf32>
    ```
    """

    name = "nn.elu"
    alpha = prop_def(FloatAttr[Float32Type])


@irdl_op_definition
class CeluOp(UnaryOp):
    """Elementwise max(0, x) + min(0, alpha*(exp(x/alpha)-1)).

    ```mlir
    %r = nn.celu %x {alpha = 1.000000e+00 : f32} : tensor<2x3xf32>
    ```
    """

    name = "nn.celu"
    alpha = prop_def(FloatAttr[Float32Type])


@irdl_op_definition
class SeluOp(UnaryOp):
    """Elementwise gamma*(x if x > 0 else alpha*(exp(x)-1)).

    ```mlir
    %r = nn.selu %x {alpha = 1.673260e+00 : f32, gamma = 1.050700e+00 : f32} : tensor<2x3xf32>
    ```
    """

    name = "nn.selu"
    alpha = prop_def(FloatAttr[Float32Type])
    gamma = prop_def(FloatAttr[Float32Type])


@irdl_op_definition
class ThresholdedReluOp(UnaryOp):
    """Elementwise x if x > alpha else 0.

    ```mlir
    %r = nn.thresholded_relu %x {alpha = 1.000000e+00 : f32} : tensor<2x3xf32>
    ```
    """

    name = "nn.thresholded_relu"
    alpha = prop_def(FloatAttr[Float32Type])


@irdl_op_definition
class HardSigmoidOp(UnaryOp):
    """Elementwise max(0, min(1, alpha*x+beta)).

    ```mlir
    %r = nn.hard_sigmoid %x {alpha = 2.000000e-01 : f32, beta = 5.000000e-01 : f32} : tensor<2x3xf32>
    ```
    """

    name = "nn.hard_sigmoid"
    alpha = prop_def(FloatAttr[Float32Type])
    beta = prop_def(FloatAttr[Float32Type])


@irdl_op_definition
class GeluOp(UnaryOp):
    """Elementwise GELU, exact (`approximate = "none"`) or `"tanh"`.

    ```mlir
    %r = nn.gelu %x {approximate = "none"} : tensor<2x3xf32>
    ```
    """

    name = "nn.gelu"
    approximate = prop_def(StringAttr)

    @classmethod
    def check_properties(cls, input_type: TensorType, properties: Props) -> None:
        mode = _str(properties, "approximate")
        if mode not in ("none", "tanh"):
            raise VerifyException(f'expected approximate "none" or "tanh", got "{mode}"')


@irdl_op_definition
class ClipOp(UnaryOp):
    """Elementwise min(max(x, min), max); absent bounds are -inf/+inf.

    ```mlir
    %r = nn.clip %x {min = 0.000000e+00 : f32, max = 6.000000e+00 : f32} : tensor<2x3xf32>
    ```
    """

    name = "nn.clip"
    min = prop_def(FloatAttr[Float32Type])
    max = prop_def(FloatAttr[Float32Type])


@irdl_op_definition
class SoftmaxOp(UnaryOp):
    """exp(x) / sum(exp(x)) along `axis` (opset-13 semantics).

    ```mlir
    %r = nn.softmax %x {axis = -1 : i64} : tensor<2x10xf32>
    ```
    """

    name = "nn.softmax"
    axis = prop_def(IntegerAttr[I64])

    @classmethod
    def check_properties(cls, input_type: TensorType, properties: Props) -> None:
        _axis(_int(properties, "axis"), input_type.get_num_dims())


@irdl_op_definition
class LogSoftmaxOp(UnaryOp):
    """log(softmax(x)) along `axis` (opset-13 semantics).

    ```mlir
    %r = nn.log_softmax %x {axis = 1 : i64} : tensor<2x10xf32>
    ```
    """

    name = "nn.log_softmax"
    axis = prop_def(IntegerAttr[I64])

    @classmethod
    def check_properties(cls, input_type: TensorType, properties: Props) -> None:
        _axis(_int(properties, "axis"), input_type.get_num_dims())


@irdl_op_definition
class HardmaxOp(UnaryOp):
    """One-hot of the first maximum along `axis` (opset-13 semantics).

    ```mlir
    %r = nn.hardmax %x {axis = 1 : i64} : tensor<2x10xf32>
    ```
    """

    name = "nn.hardmax"
    axis = prop_def(IntegerAttr[I64])

    @classmethod
    def check_properties(cls, input_type: TensorType, properties: Props) -> None:
        _axis(_int(properties, "axis"), input_type.get_num_dims())


@irdl_op_definition
class LRNOp(UnaryOp):
    """Local response normalization across `size` channels.

    ```mlir
    %r = nn.lrn %x {alpha = 9.99999974E-5 : f32, beta = 7.500000e-01 : f32, bias = 1.000000e+00 : f32, size = 5 : i64} : tensor<1x64x56x56xf32>
    ```
    """

    name = "nn.lrn"
    alpha = prop_def(FloatAttr[Float32Type])
    beta = prop_def(FloatAttr[Float32Type])
    bias = prop_def(FloatAttr[Float32Type])
    size = prop_def(IntegerAttr[I64])

    @classmethod
    def check_properties(cls, input_type: TensorType, properties: Props) -> None:
        if _int(properties, "size") < 1:
            raise VerifyException(f"expected positive size, got {_int(properties, 'size')}")
        if input_type.get_num_dims() < 2:
            raise VerifyException(f"expected rank >= 2, got {input_type}")


@irdl_op_definition
class TriluOp(UnaryOp):
    """Upper (`upper = 1`) or lower triangle of the last two dims, diagonal offset `k`.

    ```mlir
    %r = nn.trilu %x {upper = 1 : i64, k = 0 : i64} : tensor<4x4xf32>
    ```
    """

    name = "nn.trilu"
    upper = prop_def(IntegerAttr[I64])
    k = prop_def(IntegerAttr[I64])

    @classmethod
    def check_properties(cls, input_type: TensorType, properties: Props) -> None:
        if input_type.get_num_dims() < 2:
            raise VerifyException(f"expected rank >= 2, got {input_type}")


@irdl_op_definition
class CumSumOp(UnaryOp):
    """Cumulative sum along `axis` (`exclusive`, `reverse` are 0/1).

    ```mlir
    %r = nn.cum_sum %x {axis = 0 : i64, exclusive = 0 : i64, reverse = 0 : i64} : tensor<5xf32>
    ```
    """

    name = "nn.cum_sum"
    axis = prop_def(IntegerAttr[I64])
    exclusive = prop_def(IntegerAttr[I64])
    reverse = prop_def(IntegerAttr[I64])

    @classmethod
    def check_properties(cls, input_type: TensorType, properties: Props) -> None:
        _axis(_int(properties, "axis"), input_type.get_num_dims())


# ------------------------------------------------------------ unary, other result type


class ConvertingUnaryOp(NnOp):
    """Elementwise op whose result element type differs from the operand's."""

    input = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = _GENERIC_FORMAT

    @classmethod
    def result_element_type(cls, properties: Props) -> Attribute:
        return i1

    @classmethod
    def infer_result_types(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> list[TensorType]:
        return [_tensor(_shape(operand_types[0]), cls.result_element_type(properties))]


@irdl_op_definition
class IsNaNOp(ConvertingUnaryOp):
    """Elementwise isnan, as i1.

    ```mlir
    %r = nn.is_nan %x : (tensor<2x3xf32>) -> tensor<2x3xi1>
    ```
    """

    name = "nn.is_nan"


@irdl_op_definition
class IsInfOp(ConvertingUnaryOp):
    """Elementwise isinf, as i1, with `detect_negative`/`detect_positive` (0/1).

    ```mlir
    %r = nn.is_inf %x {detect_negative = 1 : i64, detect_positive = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x3xi1>
    ```
    """

    name = "nn.is_inf"
    detect_negative = prop_def(IntegerAttr[I64])
    detect_positive = prop_def(IntegerAttr[I64])


@irdl_op_definition
class CastOp(ConvertingUnaryOp):
    """Elementwise conversion to the element type `to`.

    ```mlir
    %r = nn.cast %x {to = f16} : (tensor<2x3xf32>) -> tensor<2x3xf16>
    ```
    """

    name = "nn.cast"
    to = prop_def(TypeAttribute)

    @classmethod
    def result_element_type(cls, properties: Props) -> Attribute:
        return properties["to"]


# --------------------------------------------------------------------------- binary


class BinaryOp(NnOp):
    """Elementwise op on `a` and `b` with multidirectional broadcasting."""

    a = operand_def(TensorType)
    b = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = _GENERIC_FORMAT

    RESULT_IS_I1: ClassVar[bool] = False
    """Comparisons produce i1."""
    SAME_ELEMENT_TYPES: ClassVar[bool] = True
    """Whether ONNX requires `a` and `b` to share an element type."""
    LOGICAL: ClassVar[bool] = False
    """And/Or/Xor take i1 operands."""

    @classmethod
    def infer_result_types(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> list[TensorType]:
        a, b = operand_types
        shape = broadcast_shapes(_shape(a), _shape(b))
        if cls.SAME_ELEMENT_TYPES:
            _same_element_type(operand_types)
        if cls.LOGICAL and a.element_type != i1:
            raise VerifyException(f"expected i1 operands, got {a.element_type}")
        cls.check_properties(operand_types, properties)
        return [_tensor(shape, i1 if cls.RESULT_IS_I1 else a.element_type)]

    @classmethod
    def check_properties(cls, operand_types: Sequence[TensorType], properties: Props) -> None:
        """Property sanity beyond the declaration (none by default)."""


def _binary(
    onnx_type: str, op_name: str, doc: str, *, i1_result: bool = False, elem: str = "f32"
) -> type[BinaryOp]:
    """A property-less broadcasting binary op; declared through one line each below."""
    rt = "i1" if i1_result else elem
    cls = type(
        f"{onnx_type}Op",
        (BinaryOp,),
        {
            "name": f"nn.{op_name}",
            "__doc__": (
                f"{doc}\n\n```mlir\n%r = nn.{op_name} %a, %b : "
                f"(tensor<2x3x{elem}>, tensor<3x{elem}>) -> tensor<2x3x{rt}>\n```\n"
            ),
            "__module__": __name__,
            "__qualname__": f"{onnx_type}Op",
            "RESULT_IS_I1": i1_result,
            "LOGICAL": elem == "i1",
            "__annotations__": {"RESULT_IS_I1": "ClassVar[bool]", "LOGICAL": "ClassVar[bool]"},
        },
    )
    return irdl_op_definition(cls)


AddOp = _binary("Add", "add", "Elementwise a + b.")
SubOp = _binary("Sub", "sub", "Elementwise a - b.")
MulOp = _binary("Mul", "mul", "Elementwise a * b.")
DivOp = _binary("Div", "div", "Elementwise a / b (truncating for integers).")
AndOp = _binary("And", "and", "Elementwise logical and (i1).", elem="i1")
OrOp = _binary("Or", "or", "Elementwise logical or (i1).", elem="i1")
XorOp = _binary("Xor", "xor", "Elementwise logical xor (i1).", elem="i1")
BitwiseAndOp = _binary("BitwiseAnd", "bitwise_and", "Elementwise bitwise and.", elem="i32")
BitwiseOrOp = _binary("BitwiseOr", "bitwise_or", "Elementwise bitwise or.", elem="i32")
BitwiseXorOp = _binary("BitwiseXor", "bitwise_xor", "Elementwise bitwise xor.", elem="i32")
EqualOp = _binary("Equal", "equal", "Elementwise a == b, as i1.", i1_result=True)
LessOp = _binary("Less", "less", "Elementwise a < b, as i1.", i1_result=True)
LessOrEqualOp = _binary("LessOrEqual", "less_or_equal", "Elementwise a <= b, as i1.", i1_result=True)
GreaterOp = _binary("Greater", "greater", "Elementwise a > b, as i1.", i1_result=True)
GreaterOrEqualOp = _binary(
    "GreaterOrEqual", "greater_or_equal", "Elementwise a >= b, as i1.", i1_result=True
)


@irdl_op_definition
class PowOp(BinaryOp):
    """Elementwise a ** b; the exponent may have another element type (ONNX T1).

    ```mlir
    %r = nn.pow %a, %b : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
    ```
    """

    name = "nn.pow"
    SAME_ELEMENT_TYPES: ClassVar[bool] = False


@irdl_op_definition
class ModOp(BinaryOp):
    """Elementwise remainder: sign of the divisor (`fmod = 0`) or of the dividend (`fmod = 1`).

    ```mlir
    %r = nn.mod %a, %b {fmod = 1 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    ```
    """

    name = "nn.mod"
    fmod = prop_def(IntegerAttr[I64])


@irdl_op_definition
class PReluOp(BinaryOp):
    """Elementwise x if x >= 0 else slope*x; `b` (slope) broadcasts to `a` (x).

    ```mlir
    %r = nn.p_relu %x, %slope : (tensor<1x8x4x4xf32>, tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32>
    ```
    """

    name = "nn.p_relu"

    @classmethod
    def check_properties(cls, operand_types: Sequence[TensorType], properties: Props) -> None:
        x, slope = operand_types
        if not _broadcasts_to(slope.get_shape(), x.get_shape()):
            raise VerifyException(f"expected slope broadcastable to {x}, got {slope}")


@irdl_op_definition
class BitShiftOp(BinaryOp):
    """Elementwise shift of unsigned integers, `direction = "LEFT"` or `"RIGHT"`.

    ```mlir
    %r = nn.bit_shift %a, %b {direction = "LEFT"} : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
    ```
    """

    name = "nn.bit_shift"
    direction = prop_def(StringAttr)

    @classmethod
    def check_properties(cls, operand_types: Sequence[TensorType], properties: Props) -> None:
        d = _str(properties, "direction")
        if d not in ("LEFT", "RIGHT"):
            raise VerifyException(f'expected direction "LEFT" or "RIGHT", got "{d}"')


# ------------------------------------------------------------------ variadic, ternary


class VariadicOp(NnOp):
    """Elementwise op on one or more broadcast operands `inputs`."""

    inputs = var_operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = _GENERIC_FORMAT

    @classmethod
    def infer_result_types(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> list[TensorType]:
        if not operand_types:
            raise VerifyException("expected at least 1 operand, got 0")
        shape = broadcast_shapes(*(_shape(t) for t in operand_types))
        return [_tensor(shape, _same_element_type(operand_types))]


@irdl_op_definition
class SumOp(VariadicOp):
    """Elementwise sum of all operands, broadcast.

    ```mlir
    %r = nn.sum %a, %b, %c : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
    ```
    """

    name = "nn.sum"


@irdl_op_definition
class MeanOp(VariadicOp):
    """Elementwise mean of all operands, broadcast.

    ```mlir
    %r = nn.mean %a, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    ```
    """

    name = "nn.mean"


@irdl_op_definition
class MaxOp(VariadicOp):
    """Elementwise maximum of all operands, broadcast.

    ```mlir
    %r = nn.max %a, %b : (tensor<2x3xf32>, tensor<1xf32>) -> tensor<2x3xf32>
    ```
    """

    name = "nn.max"


@irdl_op_definition
class MinOp(VariadicOp):
    """Elementwise minimum of all operands, broadcast.

    ```mlir
    %r = nn.min %a, %b : (tensor<2x3xf32>, tensor<1xf32>) -> tensor<2x3xf32>
    ```
    """

    name = "nn.min"


@irdl_op_definition
class WhereOp(NnOp):
    """Elementwise `condition ? x : y`, the three operands broadcast together.

    ```mlir
    %r = nn.where %c, %x, %y : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
    ```
    """

    name = "nn.where"
    condition = operand_def(TensorType)
    x = operand_def(TensorType)
    y = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = _GENERIC_FORMAT

    @classmethod
    def infer_result_types(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> list[TensorType]:
        c, x, y = operand_types
        if c.element_type != i1:
            raise VerifyException(f"expected condition element type i1, got {c.element_type}")
        shape = broadcast_shapes(_shape(c), _shape(x), _shape(y))
        return [_tensor(shape, _same_element_type([x, y]))]


# ------------------------------------------------------------------- linear algebra


@irdl_op_definition
class MatMulOp(NnOp):
    """numpy matmul: 1-D operands are promoted (and the unit dim removed), batch dims
    broadcast.

    ```mlir
    %r = nn.mat_mul %a, %b : (tensor<2x1x4x8xf32>, tensor<3x8x5xf32>) -> tensor<2x3x4x5xf32>
    ```
    """

    name = "nn.mat_mul"
    a = operand_def(TensorType)
    b = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = _GENERIC_FORMAT

    @classmethod
    def infer_result_types(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> list[TensorType]:
        at, bt = operand_types
        a, b = _shape(at), _shape(bt)
        elem = _same_element_type(operand_types)
        if not a or not b:
            raise VerifyException(f"expected operands of rank >= 1, got {at} and {bt}")
        a2 = (1, *a) if len(a) == 1 else a
        b2 = (*b, 1) if len(b) == 1 else b
        if a2[-1] != b2[-2]:
            raise VerifyException(
                f"expected contraction dims to agree, got {a2[-1]} ({at}) and {b2[-2]} ({bt})"
            )
        batch = broadcast_shapes(a2[:-2], b2[:-2])
        out = list(batch)
        if len(a) > 1:
            out.append(a2[-2])
        if len(b) > 1:
            out.append(b2[-1])
        return [_tensor(out, elem)]


@irdl_op_definition
class GemmOp(NnOp):
    """alpha * op(a) @ op(b) + beta * c, op = transpose when `trans_a`/`trans_b` is 1;
    `c` is optional and broadcasts to the [M, N] result.

    ```mlir
    %r = nn.gemm %a, %b, %c {alpha = 1.000000e+00 : f32, beta = 1.000000e+00 : f32, trans_a = 0 : i64, trans_b = 1 : i64} : (tensor<1x2048xf32>, tensor<1000x2048xf32>, tensor<1000xf32>) -> tensor<1x1000xf32>
    ```
    """

    name = "nn.gemm"
    a = operand_def(TensorType)
    b = operand_def(TensorType)
    c = opt_operand_def(TensorType)
    alpha = prop_def(FloatAttr[Float32Type])
    beta = prop_def(FloatAttr[Float32Type])
    trans_a = prop_def(IntegerAttr[I64])
    trans_b = prop_def(IntegerAttr[I64])
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = _GENERIC_FORMAT

    @classmethod
    def infer_result_types(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> list[TensorType]:
        a, b = _shape(operand_types[0]), _shape(operand_types[1])
        elem = _same_element_type(operand_types)
        if len(a) != 2 or len(b) != 2:
            raise VerifyException(
                f"expected 2-D a and b, got {operand_types[0]} and {operand_types[1]}"
            )
        m, ka = (a[1], a[0]) if _int(properties, "trans_a") else a
        kb, n = (b[1], b[0]) if _int(properties, "trans_b") else b
        if ka != kb:
            raise VerifyException(f"expected contraction dims to agree, got {ka} and {kb}")
        if len(operand_types) == 3:
            c = _shape(operand_types[2])
            if not _broadcasts_to(c, (m, n)):
                raise VerifyException(
                    f"expected c broadcastable to [{m}, {n}], got {operand_types[2]}"
                )
        return [_tensor((m, n), elem)]


class _ConvBase(NnOp):
    """Shared declaration of Conv and ConvTranspose: x [N, C, D...], w, optional b."""

    x = operand_def(TensorType)
    w = operand_def(TensorType)
    b = opt_operand_def(TensorType)
    kernel_shape = prop_def(_I64_ARRAY)
    strides = prop_def(_I64_ARRAY)
    pads = prop_def(_I64_ARRAY)
    dilations = prop_def(_I64_ARRAY)
    group = prop_def(IntegerAttr[I64])
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = _GENERIC_FORMAT

    @classmethod
    def _common(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> tuple[tuple[int, ...], tuple[int, ...], int, Attribute]:
        x, w = _shape(operand_types[0]), _shape(operand_types[1])
        elem = _same_element_type(operand_types)
        if len(x) < 3 or len(w) != len(x):
            raise VerifyException(
                f"expected x and w of equal rank >= 3, got {operand_types[0]} and "
                f"{operand_types[1]}"
            )
        _check_window_props(properties, len(x) - 2)
        if tuple(_ints(properties, "kernel_shape")) != w[2:]:
            raise VerifyException(
                f"expected kernel_shape {list(w[2:])}, got {list(_ints(properties, 'kernel_shape'))}"
            )
        group = _int(properties, "group")
        if group < 1:
            raise VerifyException(f"expected positive group, got {group}")
        return x, w, group, elem

    @classmethod
    def _check_bias(cls, operand_types: Sequence[TensorType], channels: int) -> None:
        if len(operand_types) == 3 and _shape(operand_types[2]) != (channels,):
            raise VerifyException(f"expected bias of shape [{channels}], got {operand_types[2]}")


@irdl_op_definition
class ConvOp(_ConvBase):
    """N-d convolution (cross-correlation): x [N, C, D...], w [M, C/group, K...], b [M].

    ```mlir
    %r = nn.conv %x, %w, %b {kernel_shape = array<i64: 7, 7>, strides = array<i64: 2, 2>, pads = array<i64: 3, 3, 3, 3>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>, tensor<64xf32>) -> tensor<1x64x112x112xf32>
    ```
    """

    name = "nn.conv"

    @classmethod
    def infer_result_types(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> list[TensorType]:
        x, w, group, elem = cls._common(operand_types, properties)
        if x[1] != w[1] * group:
            raise VerifyException(
                f"expected {w[1] * group} input channels (w dim 1 times group {group}), "
                f"got {x[1]}"
            )
        if w[0] % group:
            raise VerifyException(f"expected group {group} to divide {w[0]} output channels")
        cls._check_bias(operand_types, w[0])
        spatial = _window_sizes(
            x[2:],
            w[2:],
            _ints(properties, "strides"),
            _ints(properties, "pads"),
            _ints(properties, "dilations"),
            False,
        )
        return [_tensor((x[0], w[0], *spatial), elem)]


@irdl_op_definition
class ConvTransposeOp(_ConvBase):
    """N-d transposed convolution: x [N, C, D...], w [C, M/group, K...], b [M];
    out = stride*(in-1) + output_padding + dilation*(k-1) + 1 - pad_begin - pad_end.

    ```mlir
    %r = nn.conv_transpose %x, %w {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64, output_padding = array<i64: 1, 1>} : (tensor<1x8x4x4xf32>, tensor<8x4x3x3xf32>) -> tensor<1x4x8x8xf32>
    ```
    """

    name = "nn.conv_transpose"
    output_padding = prop_def(_I64_ARRAY)

    @classmethod
    def infer_result_types(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> list[TensorType]:
        x, w, group, elem = cls._common(operand_types, properties)
        if x[1] != w[0]:
            raise VerifyException(f"expected {w[0]} input channels (w dim 0), got {x[1]}")
        if w[0] % group:
            raise VerifyException(f"expected group {group} to divide {w[0]} input channels")
        n = len(x) - 2
        out_pad = _ints(properties, "output_padding")
        if len(out_pad) != n:
            raise VerifyException(f"expected {n} values in output_padding, got {len(out_pad)}")
        strides = _ints(properties, "strides")
        pads = _ints(properties, "pads")
        dil = _ints(properties, "dilations")
        spatial = [
            strides[i] * (x[2 + i] - 1) + out_pad[i] + dil[i] * (w[2 + i] - 1) + 1
            - pads[i] - pads[i + n]
            for i in range(n)
        ]
        if any(s < 1 for s in spatial):
            raise VerifyException(f"expected positive output sizes, got {spatial}")
        channels = w[1] * group
        cls._check_bias(operand_types, channels)
        return [_tensor((x[0], channels, *spatial), elem)]


# -------------------------------------------------------------------- normalization


@irdl_op_definition
class BatchNormalizationOp(NnOp):
    """Inference batch norm over channel dim 1: scale*(x-mean)/sqrt(var+epsilon)+b.

    ```mlir
    %r = nn.batch_normalization %x, %scale, %b, %mean, %var {epsilon = 9.99999974E-6 : f32} : (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
    ```
    """

    name = "nn.batch_normalization"
    x = operand_def(TensorType)
    scale = operand_def(TensorType)
    b = operand_def(TensorType)
    mean = operand_def(TensorType)
    var = operand_def(TensorType)
    epsilon = prop_def(FloatAttr[Float32Type])
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = _GENERIC_FORMAT

    @classmethod
    def infer_result_types(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> list[TensorType]:
        x = _shape(operand_types[0])
        if len(x) < 2:
            raise VerifyException(f"expected x of rank >= 2, got {operand_types[0]}")
        for name, t in zip(("scale", "b", "mean", "var"), operand_types[1:]):
            if _shape(t) != (x[1],):
                raise VerifyException(f"expected {name} of shape [{x[1]}], got {t}")
        return [operand_types[0]]


@irdl_op_definition
class InstanceNormalizationOp(NnOp):
    """Per-instance, per-channel normalization over the spatial dims.

    ```mlir
    %r = nn.instance_normalization %x, %scale, %b {epsilon = 9.99999974E-6 : f32} : (tensor<1x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
    ```
    """

    name = "nn.instance_normalization"
    x = operand_def(TensorType)
    scale = operand_def(TensorType)
    b = operand_def(TensorType)
    epsilon = prop_def(FloatAttr[Float32Type])
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = _GENERIC_FORMAT

    @classmethod
    def infer_result_types(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> list[TensorType]:
        x = _shape(operand_types[0])
        if len(x) < 3:
            raise VerifyException(f"expected x of rank >= 3, got {operand_types[0]}")
        for name, t in zip(("scale", "b"), operand_types[1:]):
            if _shape(t) != (x[1],):
                raise VerifyException(f"expected {name} of shape [{x[1]}], got {t}")
        return [operand_types[0]]


@irdl_op_definition
class LayerNormalizationOp(NnOp):
    """Normalization over dims [axis, rank); scale and optional b have those dims.

    ```mlir
    %r = nn.layer_normalization %x, %scale, %b {axis = -1 : i64, epsilon = 9.99999974E-6 : f32} : (tensor<2x5x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x5x8xf32>
    ```
    """

    name = "nn.layer_normalization"
    x = operand_def(TensorType)
    scale = operand_def(TensorType)
    b = opt_operand_def(TensorType)
    axis = prop_def(IntegerAttr[I64])
    epsilon = prop_def(FloatAttr[Float32Type])
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = _GENERIC_FORMAT

    @classmethod
    def infer_result_types(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> list[TensorType]:
        x = _shape(operand_types[0])
        axis = _axis(_int(properties, "axis"), len(x))
        for name, t in zip(("scale", "b"), operand_types[1:]):
            if not _broadcasts_to(_shape(t), x[axis:]):
                raise VerifyException(
                    f"expected {name} broadcastable to {list(x[axis:])}, got {t}"
                )
        return [operand_types[0]]


# -------------------------------------------------------------------------- pooling


class _PoolBase(NnOp):
    """Windowed pooling over the spatial dims of x [N, C, D...]."""

    x = operand_def(TensorType)
    kernel_shape = prop_def(_I64_ARRAY)
    strides = prop_def(_I64_ARRAY)
    pads = prop_def(_I64_ARRAY)
    dilations = prop_def(_I64_ARRAY)
    ceil_mode = prop_def(IntegerAttr[I64])
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = _GENERIC_FORMAT

    @classmethod
    def infer_result_types(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> list[TensorType]:
        x = _shape(operand_types[0])
        if len(x) < 3:
            raise VerifyException(f"expected x of rank >= 3, got {operand_types[0]}")
        _check_window_props(properties, len(x) - 2)
        kernel = _ints(properties, "kernel_shape")
        pads = _ints(properties, "pads")
        n = len(kernel)
        for i in range(n):
            if pads[i] >= kernel[i] or pads[i + n] >= kernel[i]:
                raise VerifyException(
                    f"expected pads smaller than kernel_shape {list(kernel)}, got {list(pads)}"
                )
        spatial = _window_sizes(
            x[2:],
            kernel,
            _ints(properties, "strides"),
            pads,
            _ints(properties, "dilations"),
            bool(_int(properties, "ceil_mode")),
        )
        return [_tensor((x[0], x[1], *spatial), operand_types[0].element_type)]


@irdl_op_definition
class MaxPoolOp(_PoolBase):
    """Max over each window (padding never wins).

    ```mlir
    %r = nn.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = 0 : i64} : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>
    ```
    """

    name = "nn.max_pool"


@irdl_op_definition
class AveragePoolOp(_PoolBase):
    """Mean over each window; padding counts when `count_include_pad = 1`.

    ```mlir
    %r = nn.average_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = 0 : i64, count_include_pad = 0 : i64} : (tensor<1x8x4x4xf32>) -> tensor<1x8x2x2xf32>
    ```
    """

    name = "nn.average_pool"
    count_include_pad = prop_def(IntegerAttr[I64])


@irdl_op_definition
class LpPoolOp(_PoolBase):
    """(sum |x|^p)^(1/p) over each window.

    ```mlir
    %r = nn.lp_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = 0 : i64, p = 2 : i64} : (tensor<1x8x4x4xf32>) -> tensor<1x8x2x2xf32>
    ```
    """

    name = "nn.lp_pool"
    p = prop_def(IntegerAttr[I64])


class _GlobalPoolBase(NnOp):
    """Pooling over all spatial dims of x [N, C, D...] into [N, C, 1...]."""

    x = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = _GENERIC_FORMAT

    @classmethod
    def infer_result_types(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> list[TensorType]:
        x = _shape(operand_types[0])
        if len(x) < 3:
            raise VerifyException(f"expected x of rank >= 3, got {operand_types[0]}")
        return [_tensor((x[0], x[1], *([1] * (len(x) - 2))), operand_types[0].element_type)]


@irdl_op_definition
class GlobalAveragePoolOp(_GlobalPoolBase):
    """Mean over all spatial dims.

    ```mlir
    %r = nn.global_average_pool %x : (tensor<1x2048x7x7xf32>) -> tensor<1x2048x1x1xf32>
    ```
    """

    name = "nn.global_average_pool"


@irdl_op_definition
class GlobalMaxPoolOp(_GlobalPoolBase):
    """Max over all spatial dims.

    ```mlir
    %r = nn.global_max_pool %x : (tensor<1x2048x7x7xf32>) -> tensor<1x2048x1x1xf32>
    ```
    """

    name = "nn.global_max_pool"


# ----------------------------------------------------------------------- reductions


class ReduceOp(NnOp):
    """Reduction over `axes` (normalised, sorted; empty = all), keeping them as 1 when
    `keepdims = 1`."""

    data = operand_def(TensorType)
    axes = prop_def(_I64_ARRAY)
    keepdims = prop_def(IntegerAttr[I64])
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = _GENERIC_FORMAT

    @classmethod
    def infer_result_types(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> list[TensorType]:
        x = _shape(operand_types[0])
        axes = _axes(_ints(properties, "axes"), len(x)) or tuple(range(len(x)))
        keep = _int(properties, "keepdims")
        out = [1 if i in axes else d for i, d in enumerate(x) if keep or i not in axes]
        return [_tensor(out, operand_types[0].element_type)]


def _reduce(onnx_type: str, op_name: str, doc: str) -> type[ReduceOp]:
    """A reduction op; declared through one line each below."""
    cls = type(
        f"{onnx_type}Op",
        (ReduceOp,),
        {
            "name": f"nn.{op_name}",
            "__doc__": (
                f"{doc}\n\n```mlir\n%r = nn.{op_name} %x {{axes = array<i64: 1>, "
                f"keepdims = 1 : i64}} : (tensor<2x3xf32>) -> tensor<2x1xf32>\n```\n"
            ),
            "__module__": __name__,
            "__qualname__": f"{onnx_type}Op",
        },
    )
    return irdl_op_definition(cls)


ReduceSumOp = _reduce("ReduceSum", "reduce_sum", "Sum over axes.")
ReduceMeanOp = _reduce("ReduceMean", "reduce_mean", "Mean over axes.")
ReduceMaxOp = _reduce("ReduceMax", "reduce_max", "Maximum over axes.")
ReduceMinOp = _reduce("ReduceMin", "reduce_min", "Minimum over axes.")
ReduceProdOp = _reduce("ReduceProd", "reduce_prod", "Product over axes.")
ReduceL1Op = _reduce("ReduceL1", "reduce_l1", "Sum of |x| over axes.")
ReduceL2Op = _reduce("ReduceL2", "reduce_l2", "sqrt(sum x^2) over axes.")
ReduceLogSumOp = _reduce("ReduceLogSum", "reduce_log_sum", "log(sum x) over axes.")
ReduceLogSumExpOp = _reduce(
    "ReduceLogSumExp", "reduce_log_sum_exp", "log(sum exp(x)) over axes."
)
ReduceSumSquareOp = _reduce("ReduceSumSquare", "reduce_sum_square", "sum x^2 over axes.")


class _ArgReduceOp(NnOp):
    """Index (i64) of the extreme value along `axis`."""

    data = operand_def(TensorType)
    axis = prop_def(IntegerAttr[I64])
    keepdims = prop_def(IntegerAttr[I64])
    select_last_index = prop_def(IntegerAttr[I64])
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = _GENERIC_FORMAT

    @classmethod
    def infer_result_types(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> list[TensorType]:
        x = _shape(operand_types[0])
        axis = _axis(_int(properties, "axis"), len(x))
        keep = _int(properties, "keepdims")
        out = [1 if i == axis else d for i, d in enumerate(x) if keep or i != axis]
        return [_tensor(out, i64)]


@irdl_op_definition
class ArgMaxOp(_ArgReduceOp):
    """Index of the maximum along `axis`, as i64.

    ```mlir
    %r = nn.arg_max %x {axis = 1 : i64, keepdims = 0 : i64, select_last_index = 0 : i64} : (tensor<2x10xf32>) -> tensor<2xi64>
    ```
    """

    name = "nn.arg_max"


@irdl_op_definition
class ArgMinOp(_ArgReduceOp):
    """Index of the minimum along `axis`, as i64.

    ```mlir
    %r = nn.arg_min %x {axis = 1 : i64, keepdims = 1 : i64, select_last_index = 0 : i64} : (tensor<2x10xf32>) -> tensor<2x1xi64>
    ```
    """

    name = "nn.arg_min"


# ------------------------------------------------------------ shape and data movement


class _DataOp(NnOp):
    """One-operand data movement op; shape rules in `infer_result_types`."""

    data = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = _GENERIC_FORMAT


@irdl_op_definition
class ReshapeOp(_DataOp):
    """Reinterpret the elements with the fully resolved `shape` (no 0 or -1).

    ```mlir
    %r = nn.reshape %x {shape = array<i64: 1, 2048>} : (tensor<1x2048x1x1xf32>) -> tensor<1x2048xf32>
    ```
    """

    name = "nn.reshape"
    shape = prop_def(_I64_ARRAY)

    @classmethod
    def infer_result_types(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> list[TensorType]:
        x = _shape(operand_types[0])
        shape = _ints(properties, "shape")
        if any(d < 0 for d in shape):
            raise VerifyException(f"expected non-negative dims in shape, got {list(shape)}")
        if _prod(shape) != _prod(x):
            raise VerifyException(
                f"expected a shape with {_prod(x)} elements, got {list(shape)}"
            )
        return [_tensor(shape, operand_types[0].element_type)]


@irdl_op_definition
class FlattenOp(_DataOp):
    """Reshape to 2-D [prod(dims[:axis]), prod(dims[axis:])].

    ```mlir
    %r = nn.flatten %x {axis = 1 : i64} : (tensor<1x2048x1x1xf32>) -> tensor<1x2048xf32>
    ```
    """

    name = "nn.flatten"
    axis = prop_def(IntegerAttr[I64])

    @classmethod
    def infer_result_types(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> list[TensorType]:
        x = _shape(operand_types[0])
        axis = _int(properties, "axis")
        r = len(x)
        if not -r <= axis <= r:
            raise VerifyException(f"expected axis in [{-r}, {r}], got {axis}")
        axis = axis + r if axis < 0 else axis
        return [_tensor((_prod(x[:axis]), _prod(x[axis:])), operand_types[0].element_type)]


@irdl_op_definition
class SqueezeOp(_DataOp):
    """Remove the unit dims `axes` (normalised, sorted).

    ```mlir
    %r = nn.squeeze %x {axes = array<i64: 2, 3>} : (tensor<1x8x1x1xf32>) -> tensor<1x8xf32>
    ```
    """

    name = "nn.squeeze"
    axes = prop_def(_I64_ARRAY)

    @classmethod
    def infer_result_types(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> list[TensorType]:
        x = _shape(operand_types[0])
        axes = _axes(_ints(properties, "axes"), len(x))
        for a in axes:
            if x[a] != 1:
                raise VerifyException(f"expected dim {a} to be 1, got {x[a]}")
        out = [d for i, d in enumerate(x) if i not in axes]
        return [_tensor(out, operand_types[0].element_type)]


@irdl_op_definition
class UnsqueezeOp(_DataOp):
    """Insert unit dims at `axes` (positions in the result; normalised, sorted).

    ```mlir
    %r = nn.unsqueeze %x {axes = array<i64: 0>} : (tensor<3xf32>) -> tensor<1x3xf32>
    ```
    """

    name = "nn.unsqueeze"
    axes = prop_def(_I64_ARRAY)

    @classmethod
    def infer_result_types(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> list[TensorType]:
        x = _shape(operand_types[0])
        axes = _ints(properties, "axes")
        r = len(x) + len(axes)
        axes = _axes(axes, r)
        rest = iter(x)
        out = [1 if i in axes else next(rest) for i in range(r)]
        return [_tensor(out, operand_types[0].element_type)]


@irdl_op_definition
class TransposeOp(_DataOp):
    """Permute dims: result dim i is operand dim perm[i].

    ```mlir
    %r = nn.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x8x4x5xf32>) -> tensor<1x4x5x8xf32>
    ```
    """

    name = "nn.transpose"
    perm = prop_def(_I64_ARRAY)

    @classmethod
    def infer_result_types(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> list[TensorType]:
        x = _shape(operand_types[0])
        perm = _ints(properties, "perm")
        if sorted(perm) != list(range(len(x))):
            raise VerifyException(
                f"expected perm to be a permutation of [0, {len(x)}), got {list(perm)}"
            )
        return [_tensor([x[p] for p in perm], operand_types[0].element_type)]


@irdl_op_definition
class ConcatOp(NnOp):
    """Join `inputs` along `axis`; other dims and element types agree.

    ```mlir
    %r = nn.concat %a, %b {axis = 1 : i64} : (tensor<1x2x4xf32>, tensor<1x3x4xf32>) -> tensor<1x5x4xf32>
    ```
    """

    name = "nn.concat"
    inputs = var_operand_def(TensorType)
    axis = prop_def(IntegerAttr[I64])
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = _GENERIC_FORMAT

    @classmethod
    def infer_result_types(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> list[TensorType]:
        if not operand_types:
            raise VerifyException("expected at least 1 operand, got 0")
        elem = _same_element_type(operand_types)
        first = _shape(operand_types[0])
        axis = _axis(_int(properties, "axis"), len(first))
        total = 0
        for t in operand_types:
            s = _shape(t)
            if len(s) != len(first) or s[:axis] + s[axis + 1 :] != first[:axis] + first[axis + 1 :]:
                raise VerifyException(
                    f"expected operands to agree except on axis {axis}, got "
                    f"{operand_types[0]} and {t}"
                )
            total += s[axis]
        return [_tensor((*first[:axis], total, *first[axis + 1 :]), elem)]


@irdl_op_definition
class SplitOp(NnOp):
    """Cut `input` along `axis` into pieces of sizes `split` (one result each).

    ```mlir
    %r:2 = nn.split %x {axis = 1 : i64, split = array<i64: 2, 4>} : (tensor<1x6xf32>) -> (tensor<1x2xf32>, tensor<1x4xf32>)
    ```
    """

    name = "nn.split"
    input = operand_def(TensorType)
    axis = prop_def(IntegerAttr[I64])
    split = prop_def(_I64_ARRAY)
    outputs = var_result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = _GENERIC_FORMAT

    @classmethod
    def infer_result_types(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> list[TensorType]:
        x = _shape(operand_types[0])
        axis = _axis(_int(properties, "axis"), len(x))
        split = _ints(properties, "split")
        if sum(split) != x[axis] or any(s < 0 for s in split) or not split:
            raise VerifyException(
                f"expected split sizes summing to {x[axis]}, got {list(split)}"
            )
        elem = operand_types[0].element_type
        return [_tensor((*x[:axis], s, *x[axis + 1 :]), elem) for s in split]


@irdl_op_definition
class SliceOp(_DataOp):
    """Strided slice: on each of `axes`, indices starts, starts+steps, ... before ends.
    Values are clamped by the importer (for a negative step, end = -1 means "through
    index 0"), so the size is max(0, ceil((end - start) / step)).

    ```mlir
    %r = nn.slice %x {starts = array<i64: 1>, ends = array<i64: 3>, axes = array<i64: 1>, steps = array<i64: 1>} : (tensor<2x4xf32>) -> tensor<2x2xf32>
    ```
    """

    name = "nn.slice"
    starts = prop_def(_I64_ARRAY)
    ends = prop_def(_I64_ARRAY)
    axes = prop_def(_I64_ARRAY)
    steps = prop_def(_I64_ARRAY)

    @classmethod
    def infer_result_types(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> list[TensorType]:
        x = _shape(operand_types[0])
        starts, ends = _ints(properties, "starts"), _ints(properties, "ends")
        axes, steps = _ints(properties, "axes"), _ints(properties, "steps")
        if not len(starts) == len(ends) == len(axes) == len(steps):
            raise VerifyException(
                f"expected starts, ends, axes and steps of equal length, got "
                f"{len(starts)}, {len(ends)}, {len(axes)} and {len(steps)}"
            )
        out = list(x)
        for s, e, a, st in zip(starts, ends, axes, steps):
            if not 0 <= a < len(x):
                raise VerifyException(f"expected axes in [0, {len(x) - 1}], got {list(axes)}")
            if st == 0:
                raise VerifyException("expected non-zero steps, got 0")
            lo, hi = (0, x[a]) if st > 0 else (-1, x[a] - 1)
            if not (0 <= s <= x[a] if st > 0 else 0 <= s <= x[a] - 1) or not lo <= e <= hi:
                raise VerifyException(
                    f"expected starts/ends clamped into dim {a} of size {x[a]}, got {s} and {e}"
                )
            out[a] = max(0, -(-(e - s) // st))
        return [_tensor(out, operand_types[0].element_type)]


@irdl_op_definition
class PadOp(_DataOp):
    """Pad (or crop, for negative values) with `pads` = [begins..., ends...]; `mode` is
    "constant" (with `constant_value`), "reflect", "edge" or "wrap".

    ```mlir
    %r = nn.pad %x {pads = array<i64: 0, 1, 0, 1>, mode = "constant", constant_value = 0.000000e+00 : f32} : (tensor<2x3xf32>) -> tensor<2x5xf32>
    ```
    """

    name = "nn.pad"
    pads = prop_def(_I64_ARRAY)
    mode = prop_def(StringAttr)
    constant_value = prop_def(FloatAttr[Float32Type])

    @classmethod
    def infer_result_types(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> list[TensorType]:
        x = _shape(operand_types[0])
        pads = _ints(properties, "pads")
        r = len(x)
        if len(pads) != 2 * r:
            raise VerifyException(f"expected {2 * r} values in pads, got {len(pads)}")
        mode = _str(properties, "mode")
        if mode not in ("constant", "reflect", "edge", "wrap"):
            raise VerifyException(
                f'expected mode "constant", "reflect", "edge" or "wrap", got "{mode}"'
            )
        out = [x[i] + pads[i] + pads[i + r] for i in range(r)]
        if any(d < 0 for d in out):
            raise VerifyException(f"expected non-negative padded sizes, got {out}")
        return [_tensor(out, operand_types[0].element_type)]


@irdl_op_definition
class ExpandOp(_DataOp):
    """Broadcast `data` against `shape` (multidirectional, so the result may be larger
    than `shape`).

    ```mlir
    %r = nn.expand %x {shape = array<i64: 2, 1, 4>} : (tensor<3x1xf32>) -> tensor<2x3x4xf32>
    ```
    """

    name = "nn.expand"
    shape = prop_def(_I64_ARRAY)

    @classmethod
    def infer_result_types(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> list[TensorType]:
        x = _shape(operand_types[0])
        out = broadcast_shapes(x, _ints(properties, "shape"))
        return [_tensor(out, operand_types[0].element_type)]


@irdl_op_definition
class TileOp(_DataOp):
    """Repeat `data` `repeats[i]` times along each dim.

    ```mlir
    %r = nn.tile %x {repeats = array<i64: 2, 1>} : (tensor<2x3xf32>) -> tensor<4x3xf32>
    ```
    """

    name = "nn.tile"
    repeats = prop_def(_I64_ARRAY)

    @classmethod
    def infer_result_types(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> list[TensorType]:
        x = _shape(operand_types[0])
        reps = _ints(properties, "repeats")
        if len(reps) != len(x) or any(r < 0 for r in reps):
            raise VerifyException(
                f"expected {len(x)} non-negative values in repeats, got {list(reps)}"
            )
        return [_tensor([d * r for d, r in zip(x, reps)], operand_types[0].element_type)]


@irdl_op_definition
class DepthToSpaceOp(_DataOp):
    """[N, C, H, W] -> [N, C/b^2, H*b, W*b], `mode` "DCR" or "CRD".

    ```mlir
    %r = nn.depth_to_space %x {blocksize = 2 : i64, mode = "DCR"} : (tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32>
    ```
    """

    name = "nn.depth_to_space"
    blocksize = prop_def(IntegerAttr[I64])
    mode = prop_def(StringAttr)

    @classmethod
    def infer_result_types(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> list[TensorType]:
        x = _shape(operand_types[0])
        b = _int(properties, "blocksize")
        if len(x) != 4:
            raise VerifyException(f"expected a 4-D operand, got {operand_types[0]}")
        if b < 1 or x[1] % (b * b):
            raise VerifyException(f"expected blocksize^2 to divide {x[1]} channels, got {b}")
        mode = _str(properties, "mode")
        if mode not in ("DCR", "CRD"):
            raise VerifyException(f'expected mode "DCR" or "CRD", got "{mode}"')
        out = (x[0], x[1] // (b * b), x[2] * b, x[3] * b)
        return [_tensor(out, operand_types[0].element_type)]


@irdl_op_definition
class SpaceToDepthOp(_DataOp):
    """[N, C, H, W] -> [N, C*b^2, H/b, W/b].

    ```mlir
    %r = nn.space_to_depth %x {blocksize = 2 : i64} : (tensor<1x2x4x6xf32>) -> tensor<1x8x2x3xf32>
    ```
    """

    name = "nn.space_to_depth"
    blocksize = prop_def(IntegerAttr[I64])

    @classmethod
    def infer_result_types(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> list[TensorType]:
        x = _shape(operand_types[0])
        b = _int(properties, "blocksize")
        if len(x) != 4:
            raise VerifyException(f"expected a 4-D operand, got {operand_types[0]}")
        if b < 1 or x[2] % b or x[3] % b:
            raise VerifyException(
                f"expected blocksize to divide spatial dims {x[2]}x{x[3]}, got {b}"
            )
        out = (x[0], x[1] * b * b, x[2] // b, x[3] // b)
        return [_tensor(out, operand_types[0].element_type)]


@irdl_op_definition
class ResizeOp(_DataOp):
    """Resample to `sizes`, or (when `sizes` is empty) to floor(dim * `scales`).
    Nearest and linear modes first.

    ```mlir
    %r = nn.resize %x {mode = "nearest", coordinate_transformation_mode = "asymmetric", nearest_mode = "floor", cubic_coeff_a = -7.500000e-01 : f32, exclude_outside = 0 : i64, extrapolation_value = 0.000000e+00 : f32, scales = array<f32: 1.000000e+00, 1.000000e+00, 2.000000e+00, 2.000000e+00>, sizes = array<i64>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32>
    ```
    """

    name = "nn.resize"
    mode = prop_def(StringAttr)
    coordinate_transformation_mode = prop_def(StringAttr)
    nearest_mode = prop_def(StringAttr)
    cubic_coeff_a = prop_def(FloatAttr[Float32Type])
    exclude_outside = prop_def(IntegerAttr[I64])
    extrapolation_value = prop_def(FloatAttr[Float32Type])
    scales = prop_def(_F32_ARRAY)
    sizes = prop_def(_I64_ARRAY)

    @classmethod
    def infer_result_types(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> list[TensorType]:
        x = _shape(operand_types[0])
        mode = _str(properties, "mode")
        if mode not in ("nearest", "linear", "cubic"):
            raise VerifyException(f'expected mode "nearest", "linear" or "cubic", got "{mode}"')
        sizes = _ints(properties, "sizes")
        scales = _floats(properties, "scales")
        if sizes:
            if len(sizes) != len(x):
                raise VerifyException(f"expected {len(x)} values in sizes, got {len(sizes)}")
            out = list(sizes)
        else:
            if len(scales) != len(x):
                raise VerifyException(f"expected {len(x)} values in scales, got {len(scales)}")
            out = [int(math.floor(d * float(s))) for d, s in zip(x, scales)]
        if any(d < 1 for d in out):
            raise VerifyException(f"expected positive output sizes, got {out}")
        return [_tensor(out, operand_types[0].element_type)]


@irdl_op_definition
class GatherOp(NnOp):
    """Take `indices` (i32/i64; negative counts from the end) along `axis` of `data`:
    result shape = data[:axis] + indices + data[axis+1:].

    ```mlir
    %r = nn.gather %data, %idx {axis = 0 : i64} : (tensor<5x4xf32>, tensor<2x3xi64>) -> tensor<2x3x4xf32>
    ```
    """

    name = "nn.gather"
    data = operand_def(TensorType)
    indices = operand_def(TensorType)
    axis = prop_def(IntegerAttr[I64])
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = _GENERIC_FORMAT

    @classmethod
    def infer_result_types(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> list[TensorType]:
        x, idx = _shape(operand_types[0]), _shape(operand_types[1])
        _check_index_type(operand_types[1])
        axis = _axis(_int(properties, "axis"), len(x))
        return [_tensor((*x[:axis], *idx, *x[axis + 1 :]), operand_types[0].element_type)]


def _check_index_type(t: TensorType) -> None:
    e = t.element_type
    if not (isinstance(e, IntegerType) and e.width.data in (32, 64)):
        raise VerifyException(f"expected i32 or i64 indices, got {e}")


@irdl_op_definition
class GatherElementsOp(NnOp):
    """result[i][j] = data[indices[i][j]][j] (for axis 0): result shape = indices shape.

    ```mlir
    %r = nn.gather_elements %data, %idx {axis = 1 : i64} : (tensor<3x3xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
    ```
    """

    name = "nn.gather_elements"
    data = operand_def(TensorType)
    indices = operand_def(TensorType)
    axis = prop_def(IntegerAttr[I64])
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = _GENERIC_FORMAT

    @classmethod
    def infer_result_types(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> list[TensorType]:
        x, idx = _shape(operand_types[0]), _shape(operand_types[1])
        _check_index_type(operand_types[1])
        if len(x) != len(idx):
            raise VerifyException(
                f"expected indices of rank {len(x)}, got {operand_types[1]}"
            )
        _axis(_int(properties, "axis"), len(x))
        return [_tensor(idx, operand_types[0].element_type)]


@irdl_op_definition
class OneHotOp(NnOp):
    """One-hot encode `indices` with `depth` classes inserted at `axis`; `values` =
    [off, on] whose element type is the result's.

    ```mlir
    %r = nn.one_hot %idx {axis = -1 : i64, depth = 4 : i64, values = array<f32: 0.000000e+00, 1.000000e+00>} : (tensor<3xi64>) -> tensor<3x4xf32>
    ```
    """

    name = "nn.one_hot"
    indices = operand_def(TensorType)
    axis = prop_def(IntegerAttr[I64])
    depth = prop_def(IntegerAttr[I64])
    values = prop_def(DenseArrayBase)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = _GENERIC_FORMAT

    @classmethod
    def infer_result_types(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> list[TensorType]:
        idx = _shape(operand_types[0])
        r = len(idx) + 1
        axis = _axis(_int(properties, "axis"), r)
        depth = _int(properties, "depth")
        if depth < 1:
            raise VerifyException(f"expected positive depth, got {depth}")
        values = properties["values"]
        assert isinstance(values, DenseArrayBase)
        if len(values) != 2:
            raise VerifyException(f"expected 2 values (off, on), got {len(values)}")
        out = (*idx[:axis], depth, *idx[axis:])
        return [_tensor(out, values.elt_type)]


@irdl_op_definition
class TopKOp(NnOp):
    """The `k` largest (`largest = 1`) or smallest values along `axis` and their i64
    indices.

    ```mlir
    %v, %i = nn.top_k %x {axis = -1 : i64, k = 3 : i64, largest = 1 : i64, sorted = 1 : i64} : (tensor<2x10xf32>) -> (tensor<2x3xf32>, tensor<2x3xi64>)
    ```
    """

    name = "nn.top_k"
    x = operand_def(TensorType)
    axis = prop_def(IntegerAttr[I64])
    k = prop_def(IntegerAttr[I64])
    largest = prop_def(IntegerAttr[I64])
    sorted = prop_def(IntegerAttr[I64])
    values = result_def(TensorType)
    indices = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = _GENERIC_FORMAT

    @classmethod
    def infer_result_types(
        cls, operand_types: Sequence[TensorType], properties: Props
    ) -> list[TensorType]:
        x = _shape(operand_types[0])
        axis = _axis(_int(properties, "axis"), len(x))
        k = _int(properties, "k")
        if not 0 <= k <= x[axis]:
            raise VerifyException(f"expected k in [0, {x[axis]}], got {k}")
        out = (*x[:axis], k, *x[axis + 1 :])
        return [_tensor(out, operand_types[0].element_type), _tensor(out, i64)]


# --------------------------------------------------------------------------- dialect

_OPS: list[type[NnOp]] = [
    v
    for v in list(globals().values())
    if isinstance(v, type) and issubclass(v, NnOp) and getattr(v, "name", "").startswith("nn.")
]

ONNX_OPS: dict[str, type[NnOp]] = {op.__name__.removesuffix("Op"): op for op in _OPS}
"""ONNX op type -> nn op class (`ONNX_OPS["Conv"] is ConvOp`)."""

NN = Dialect("nn", _OPS, [])
