"""ONNX's backend conformance suite through the tile level (engine "tile", level L2).

The same generated cases as tests/test_onnx_backend_conformance.py (engine "interp"), run
with `prepare(..., engine="tile")`: import -> convert-nn-to-tile -> tile-plan-memory ->
runtime/tile_interpreter.py inside the planned arenas. An op, a data type or a form the
tile lowering does not handle is a declared limit (`Unsupported`, category "tile: ..."),
so it skips with its reason; a case that runs gives the reference's answer (the suite's
own tolerances, rtol 1e-3 / atol 1e-7 by default) and the nn interpreter's (level L1:
rtol 1e-4 / atol 1e-5, integers and bools exactly) or fails: there is no wrong-answer list.

Only the node cases run here (the model cases add minutes of big convolutions on the tile
interpreter; `scripts/conformance_count.py --engine tile` runs them all).

    pytest tests/test_tile_conformance.py -n 2
    python scripts/conformance_count.py --engine tile -j 2
"""

from __future__ import annotations

import unittest
import warnings
from typing import Any

import conformance_exclusions
import numpy as np
import onnx.backend.test
from test_onnx_backend_conformance import ConformanceBackend, _SkippingRep, skip_message
from vexa.runtime.onnx_backend import Unsupported, VexaBackend

ENGINE = "tile"


RTOL, ATOL = 1e-4, 1e-5  # tile level against level L1


def assert_same_as_l1(got: Any, want: Any) -> None:
    """Tile outputs against the nn interpreter's: floats within RTOL/ATOL (NaN where
    NaN), integers and bools exactly."""
    assert len(got) == len(want), f"expected {len(want)} outputs, got {len(got)}"
    for k, (g, w) in enumerate(zip(got, want, strict=True)):
        g, w = np.asarray(g), np.asarray(w)
        assert g.shape == w.shape and g.dtype == w.dtype, (
            f"output {k}: expected {w.dtype}{list(w.shape)}, got {g.dtype}{list(g.shape)}"
        )
        if g.dtype.kind in "iub":
            np.testing.assert_array_equal(g, w, err_msg=f"output {k}")
        else:
            np.testing.assert_allclose(
                g.astype(np.float64),
                w.astype(np.float64),
                rtol=RTOL,
                atol=ATOL,
                equal_nan=True,
                err_msg=f"output {k}",
            )


class _CheckedRep(_SkippingRep):
    """A tile rep whose every run is also checked against the L1 rep of the model."""

    def __init__(self, rep: Any, reference: Any) -> None:
        super().__init__(rep)
        self._reference = reference

    def run(self, inputs: Any, **kwargs: Any) -> tuple[Any, ...]:
        got = super().run(inputs, **kwargs)
        assert_same_as_l1(got, self._reference.run(inputs, **kwargs))
        return got


class TileConformanceBackend(ConformanceBackend):
    """ConformanceBackend on engine "tile" (declared limits skip with their reason)."""

    @classmethod
    def prepare(cls, model: Any, device: str = "CPU", **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs.setdefault("engine", ENGINE)
        try:
            rep = VexaBackend.prepare(model, device, **kwargs)
        except Unsupported as e:
            raise unittest.SkipTest(skip_message(e)) from e
        if kwargs["engine"] != "tile":  # "sim" (scripts/conformance_count.py): the suite's check
            return _SkippingRep(rep)
        reference = VexaBackend.prepare(model, device, **{**kwargs, "engine": "interp"})
        return _CheckedRep(rep, reference)

    @classmethod
    def run_node(cls, node: Any, inputs: Any, device: str = "CPU", **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs.setdefault("engine", ENGINE)
        try:
            return VexaBackend.run_node(node, inputs, device, **kwargs)
        except Unsupported as e:
            raise unittest.SkipTest(skip_message(e)) from e


def build_test_cases(all_suites: bool = False) -> dict[str, type[unittest.TestCase]]:
    """The generated unittest classes on engine "tile": node cases (all suites if asked)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        backend_test = onnx.backend.test.BackendTest(TileConformanceBackend, __name__)
    for pattern, _reason in conformance_exclusions.all_patterns():
        backend_test.exclude(pattern)
    cases = {}
    for class_name, case in backend_test.test_cases.items():
        if class_name == "OnnxBackendRealModelTest":
            continue  # the light networks: tests/test_light_models.py
        if not all_suites and class_name != "OnnxBackendNodeModelTest":
            continue
        for name in [n for n in vars(case) if n.startswith("test_") and n.endswith("_cuda")]:
            delattr(case, name)
        cases[class_name] = case
    return cases


_CASES = build_test_cases()
globals().update(_CASES)


def test_unlowered_op_is_declared_unsupported() -> None:
    """A form convert-nn-to-tile does not lower is `Unsupported` with a "tile: ..." category."""
    import numpy as np
    import pytest
    from onnx import helper

    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    # linear Resize of bytes rounds its result: a declared limit of the tile lowering
    node = helper.make_node("Resize", ["x", "", "scales"], ["y"], mode="linear")
    img = np.arange(4, dtype=np.uint8).reshape(1, 1, 2, 2)
    scales = np.array([1, 1, 2, 2], np.float32)
    with pytest.raises(Unsupported) as info:
        VexaBackend.run_node(node, [img, scales], engine=ENGINE)
    assert info.value.category == "tile: nn.resize on ui8"
    (y,) = VexaBackend.run_node(helper.make_node("Elu", ["x"], ["y"]), [x - 3], engine=ENGINE)
    np.testing.assert_allclose(y, np.where(x > 3, x - 3, np.exp(x - 3) - 1), rtol=1e-5)


def test_l1_agreement_check_rejects_wrong_answers() -> None:
    """The L1 comparison fails on a relative error above 1e-4, an off-by-one integer and a
    changed dtype, and passes within tolerance."""
    import pytest

    f = np.array([1.0, 2.0, np.nan], np.float32)
    assert_same_as_l1([f * (1 + 5e-5)], [f])
    with pytest.raises(AssertionError):
        assert_same_as_l1([f * (1 + 1e-3)], [f])
    with pytest.raises(AssertionError):
        assert_same_as_l1([np.array([3], np.int64)], [np.array([4], np.int64)])
    with pytest.raises(AssertionError):
        assert_same_as_l1([f.astype(np.float64)], [f])
