"""vexa: an MLIR-style multi-level ML compiler for a parametric VLIW vector ISA.

Public API (imports are lazy so that `import vexa` stays cheap):

    exe = vexa.compile("model.onnx", target="vx128")
    outputs = exe.run({"x": x})
    print(exe.report)

`vexa.onnx_backend` implements `onnx.backend.base.Backend`.
"""

from typing import Any

__version__ = "0.1.0"

__all__ = ["compile", "Executable", "Target", "load_target", "__version__"]


def __getattr__(name: str) -> Any:
    if name in ("compile", "Executable"):
        from vexa.runtime import executable

        return getattr(executable, name)
    if name in ("Target", "load_target"):
        from vexa.runtime import target

        return getattr(target, name)
    if name == "onnx_backend":
        from vexa.runtime import onnx_backend

        return onnx_backend
    raise AttributeError(f"module 'vexa' has no attribute {name!r}")
