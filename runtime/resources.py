"""The resource table: the bytes behind `dense_resource<name>` constants.

Weights never appear in IR text. Each module owns a `ResourceTable` (name -> numpy array),
found with `module_resources(module)`; on disk the table is a side file `<ir-file>.npz`
written beside the `.mlir` file (see docs/nn_ops.md, "The resource table").
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Iterator, MutableMapping

import numpy as np
from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, DenseResourceAttr, ModuleOp
from xdsl.ir import Operation, SSAValue


class ResourceTable(MutableMapping[str, np.ndarray]):
    """Name -> C-contiguous little-endian numpy array."""

    def __init__(self, arrays: dict[str, np.ndarray] | None = None) -> None:
        self._arrays: dict[str, np.ndarray] = {}
        for name, value in (arrays or {}).items():
            self[name] = value

    def __getitem__(self, name: str) -> np.ndarray:
        return self._arrays[name]

    def __setitem__(self, name: str, value: np.ndarray) -> None:
        arr = np.ascontiguousarray(value)
        if arr.dtype.byteorder == ">":
            arr = arr.astype(arr.dtype.newbyteorder("<"))
        self._arrays[name] = arr

    def __delitem__(self, name: str) -> None:
        del self._arrays[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._arrays)

    def __len__(self) -> int:
        return len(self._arrays)

    def unique_name(self, base: str) -> str:
        """A name not yet in the table, derived from `base` (MLIR-identifier safe)."""
        stem = "".join(c if c.isalnum() or c in "_." else "_" for c in base) or "r"
        if stem[0].isdigit() or stem[0] == ".":
            stem = "_" + stem
        name, i = stem, 0
        while name in self._arrays:
            i += 1
            name = f"{stem}_{i}"
        return name

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in self._arrays.values())

    def save(self, path: str | os.PathLike[str]) -> None:
        np.savez(path, **self._arrays)

    @staticmethod
    def load(path: str | os.PathLike[str]) -> ResourceTable:
        with np.load(path, allow_pickle=False) as data:
            return ResourceTable({k: data[k] for k in data.files})


_TABLES: weakref.WeakKeyDictionary[ModuleOp, ResourceTable] = weakref.WeakKeyDictionary()


def module_resources(module: ModuleOp) -> ResourceTable:
    """The resource table of `module`, created empty on first use."""
    table = _TABLES.get(module)
    if table is None:
        table = _TABLES[module] = ResourceTable()
    return table


def attach_resources(module: ModuleOp, table: ResourceTable) -> None:
    """Make `table` the resource table of `module` (e.g. after parsing IR text)."""
    _TABLES[module] = table


def constant_array(value: SSAValue, table: ResourceTable) -> np.ndarray | None:
    """The compile-time value of an `nn.constant` result, shaped like its type: the
    resource's bytes (by its handle in `table`) or the `dense` literal; None for any other
    value or a handle missing from the table."""
    owner = value.owner
    if not isinstance(owner, Operation) or owner.name != "nn.constant":
        return None
    attr = owner.properties.get("value")
    shape = value.type.get_shape()  # type: ignore[attr-defined]
    if isinstance(attr, DenseResourceAttr):
        handle = attr.resource_handle.data
        return table[handle].reshape(shape) if handle in table else None
    if isinstance(attr, DenseIntOrFPElementsAttr):
        from vexa.runtime.nn_interpreter import dense_to_numpy

        return dense_to_numpy(attr).reshape(shape)
    return None


def side_file(ir_path: str | os.PathLike[str]) -> str:
    """The conventional weights file for an IR file: `m.mlir` -> `m.npz`."""
    root, _ = os.path.splitext(os.fspath(ir_path))
    return root + ".npz"


def forget_parsed_resource_handles() -> None:
    """Let the next parse keep `dense_resource<name>` handles exactly as written.

    xDSL's builtin dialect is one process-wide object whose OpAsmDialectInterface
    remembers every resource handle ever parsed and renames a repeat (`w` -> `w_0`), so
    parsing the same IR twice in one process breaks the handle -> resource table link.
    vexa never stores blobs in xDSL (the bytes live in `ResourceTable`), so forgetting the
    names is safe; call this before each `Parser(...).parse_module()` of nn IR.
    """
    from xdsl.dialect_interfaces.op_asm import OpAsmDialectInterface
    from xdsl.dialects.builtin import Builtin

    interface = Builtin.get_interface(OpAsmDialectInterface)
    storage = getattr(interface, "_blob_storage", None)
    if isinstance(storage, dict):
        storage.clear()
