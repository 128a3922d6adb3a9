"""`gc_paused()`: run a block with Python's cyclic garbage collector off.

The late compiler stages (vx-allocate-registers, vx-schedule, emission, assembly) create
hundreds of thousands of small objects next to an IR of a few million. Each allocation burst
triggers collections, and the full ones traverse the whole IR: about a quarter of those
stages' time on ResNet-50. The objects they create are not cyclic garbage worth collecting
early, so the collector is paused and resumed (if it was on) when the block ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cyclic garbage collector inside the block (reference counting stays)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
