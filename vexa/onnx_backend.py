"""`vexa.onnx_backend`: the ONNX backend API; the implementation is vexa.runtime.onnx_backend."""

from vexa.runtime.onnx_backend import *  # noqa: F401,F403
