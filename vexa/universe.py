"""The `xdsl.universe` plugin: every vexa dialect and pass, by name.

Stock `xdsl-opt` discovers this through the `xdsl.universe` entry point in
pyproject.toml; `vexa-opt` registers the same tables itself (guarded, so that
loading both never registers a name twice).

To add a dialect or a pass: add one line to the matching table below. Factories
import lazily so that `xdsl-opt --help` stays fast.
"""

from collections.abc import Callable

from xdsl.ir import Dialect
from xdsl.passes import ModulePass
from xdsl.universe import Universe


def _nn() -> Dialect:
    from vexa.dialects.nn import NN

    return NN


def _tile() -> Dialect:
    from vexa.dialects.tile import TILE

    return TILE


def _vx() -> Dialect:
    from vexa.dialects.vx import VX

    return VX


def get_all_dialects() -> dict[str, Callable[[], Dialect]]:
    """Dialect name -> factory."""
    return {
        "nn": _nn,
        "tile": _tile,
        "vx": _vx,
    }


def _convert_nn_to_tile() -> type[ModulePass]:
    from vexa.lowering.convert_nn_to_tile import ConvertNnToTilePass

    return ConvertNnToTilePass


def _nn_fold_constants() -> type[ModulePass]:
    from vexa.passes.nn_fold_constants import NnFoldConstantsPass

    return NnFoldConstantsPass


def _nn_decompose_strided_conv() -> type[ModulePass]:
    from vexa.passes.nn_decompose_strided_conv import NnDecomposeStridedConvPass

    return NnDecomposeStridedConvPass


def _tile_plan_memory() -> type[ModulePass]:
    from vexa.passes.tile_plan_memory import TilePlanMemoryPass

    return TilePlanMemoryPass


def _vx_expand_math() -> type[ModulePass]:
    from vexa.passes.vx_expand_math import VxExpandMathPass

    return VxExpandMathPass


def _vx_allocate_registers() -> type[ModulePass]:
    from vexa.passes.vx_allocate_registers import VxAllocateRegistersPass

    return VxAllocateRegistersPass


def _vx_schedule() -> type[ModulePass]:
    from vexa.passes.vx_schedule import VxSchedulePass

    return VxSchedulePass


def get_all_passes() -> dict[str, Callable[[], type[ModulePass]]]:
    """Pass name -> factory returning the pass class."""
    return {
        "nn-fold-constants": _nn_fold_constants,
        "nn-decompose-strided-conv": _nn_decompose_strided_conv,
        "convert-nn-to-tile": _convert_nn_to_tile,
        "tile-plan-memory": _tile_plan_memory,
        "convert-tile-to-vx": lambda: __import__("vexa.lowering.convert_tile_to_vx", fromlist=["_"]).ConvertTileToVxPass,  # noqa: E501
        "vx-allocate-registers": _vx_allocate_registers,
        "vx-expand-math": _vx_expand_math,
        "vx-schedule": _vx_schedule,
    }


def _vx_asm() -> type:
    from vexa.dialects.vx import VxAsmTarget

    return VxAsmTarget


VEXA_UNIVERSE = Universe(
    all_dialects=get_all_dialects(),
    all_passes=get_all_passes(),
    all_targets={"vx-asm": _vx_asm},  # `vexa-opt -t vx-asm`: print vx assembly
)
