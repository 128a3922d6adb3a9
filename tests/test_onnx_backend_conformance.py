"""ONNX's own backend conformance suite against vexa (engine "interp").

`onnx.backend.test.BackendTest` generates one unittest per case: every node
case, and the simple, pytorch-converted and pytorch-operator model cases. The
"real" cases (the nine light model-zoo networks) are left out here: they are
big and have their own test, tests/test_light_models.py. CUDA variants are
left out too (vexa's backend is CPU-only; they would only add skips).

Every case either passes or is skipped with a reason, never fails:
- the backend's `prepare` (or a shape-specialising `run`) raised
  `Unsupported`: the skip message is "vexa unsupported [category]: reason";
- or the case matches the reviewed exclusion list in conformance_exclusions.py
  (applied with BackendTest.exclude; reasons there).
A case that computes a wrong answer is a bug to fix, not to exclude; the
last-resort KNOWN_WRONG list there is counted by scripts/conformance_count.py.

    pytest tests/test_onnx_backend_conformance.py -n 2
    python scripts/conformance_count.py          # passed / skipped by reason / failed
"""

from __future__ import annotations

import unittest
import warnings
from typing import Any

import conformance_exclusions
import onnx.backend.test
from vexa.runtime.onnx_backend import Unsupported, VexaBackend, VexaBackendRep

SKIP_PREFIX = "vexa unsupported"


def skip_message(error: Unsupported) -> str:
    """The skip reason for a declared limit; scripts/conformance_count.py parses it."""
    first = (str(error).strip().splitlines() or [""])[0]
    return f"{SKIP_PREFIX} [{error.category}]: {first}"


class _SkippingRep:
    """Wraps a rep so that a run-time `Unsupported` (shape specialisation) skips too."""

    def __init__(self, rep: VexaBackendRep) -> None:
        self._rep = rep

    def run(self, inputs: Any, **kwargs: Any) -> tuple[Any, ...]:
        try:
            return self._rep.run(inputs, **kwargs)
        except Unsupported as e:
            raise unittest.SkipTest(skip_message(e)) from e


class ConformanceBackend(VexaBackend):
    """VexaBackend whose declared limits become unittest skips, with their reason."""

    @classmethod
    def is_compatible(cls, model: Any, device: str = "CPU", **kwargs: Any) -> bool:
        # The runner turns False into a reason-less skip: raise the reasoned one.
        try:
            cls.check_model(model, device)
        except Unsupported as e:
            raise unittest.SkipTest(skip_message(e)) from e
        return True

    @classmethod
    def prepare(cls, model: Any, device: str = "CPU", **kwargs: Any) -> Any:  # type: ignore[override]
        try:
            rep = super().prepare(model, device, **kwargs)
        except Unsupported as e:
            raise unittest.SkipTest(skip_message(e)) from e
        return _SkippingRep(rep)


def build_test_cases() -> dict[str, type[unittest.TestCase]]:
    """The generated unittest classes, exclusions applied, CPU only, no "real" models."""
    with warnings.catch_warnings():
        # Generating the node cases' expected outputs overflows on purpose (Cast, Reduce*).
        warnings.simplefilter("ignore")
        backend_test = onnx.backend.test.BackendTest(ConformanceBackend, __name__)
    for pattern, _reason in conformance_exclusions.all_patterns():
        backend_test.exclude(pattern)
    cases = {}
    for class_name, case in backend_test.test_cases.items():
        if class_name == "OnnxBackendRealModelTest":
            continue  # the light networks: tests/test_light_models.py
        for name in [n for n in vars(case) if n.startswith("test_") and n.endswith("_cuda")]:
            delattr(case, name)
        cases[class_name] = case
    return cases


_CASES = build_test_cases()
globals().update(_CASES)


def test_every_exclusion_pattern_matches_a_case() -> None:
    """A stale entry in the reviewed list hides nothing but misleads its reader."""
    import re

    names = [n for case in _CASES.values() for n in vars(case) if n.startswith("test_")]
    stale = [
        p
        for p, _ in conformance_exclusions.all_patterns()
        if not any(re.search(p, n) for n in names)
    ]
    assert not stale, f"exclusion patterns matching no case: {stale}"
