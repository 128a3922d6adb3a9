"""The reviewed list of ONNX backend-test cases vexa does not run, with reasons.

tests/test_onnx_backend_conformance.py applies every pattern here with
`BackendTest.exclude` (a `re.search` on the test name, e.g.
"test_dropout_default_mask_cpu"). Most limits need no entry: the backend
raises `Unsupported` for an op, a data type or a non-tensor value it cannot
handle, and the harness turns that into a skip carrying the reason. Entries
here are for cases that import fine but that vexa cannot check, grouped by
reason. Rules for adding one:

- never to hide a wrong answer: a case vexa computes wrongly is a bug;
- if it really cannot be fixed now, it goes in KNOWN_WRONG (pattern -> the
  bug), which scripts/conformance_count.py reports as its own number.
"""

from __future__ import annotations

import re

EXCLUDED: dict[str, tuple[str, ...]] = {
    # None needed so far: every non-passing case is declared unsupported by the
    # backend itself (random ops, training modes, string/float8/int4 types,
    # sequences, ... are all rejected at prepare time with their reason).
}

KNOWN_WRONG: dict[str, str] = {}
"""pattern -> the bug (case name, what is wrong, where). Each is a debt to pay."""


def all_patterns() -> list[tuple[str, str]]:
    """(pattern, reason) for every exclusion, KNOWN_WRONG included."""
    out = [(p, reason) for reason, patterns in EXCLUDED.items() for p in patterns]
    out += [(p, f"KNOWN WRONG: {reason}") for p, reason in KNOWN_WRONG.items()]
    return out


def reason_for(test_name: str) -> str | None:
    """The exclusion reason matching `test_name`, or None."""
    for pattern, reason in all_patterns():
        if re.search(pattern, test_name):
            return reason
    return None
