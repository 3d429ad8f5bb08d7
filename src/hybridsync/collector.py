"""Pausing CPython's cyclic garbage collector while a bulk step builds many small objects.

A bulk step (reading a forest, import matching, a sync, recording an export batch) creates
hundreds of thousands of dicts, tuples and records that live until the step ends. The cycle
collector would walk them again and again — half the time of a 100,000-entry LDIF read, a
fifth of a 100,000-object sync — looking for reference cycles that these values do not have;
reference counting still frees everything. The collector is switched back on when the step
ends, and its next pass sees whatever the step left.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused_cyclic_gc() -> Iterator[None]:
    """Switch the cycle collector off for the block (as it was before, afterwards)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
