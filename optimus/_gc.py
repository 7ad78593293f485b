"""Pause Python's cyclic garbage collector while a stage allocates many small objects.

Checking, compiling and collecting the solution of a large model allocate hundreds of
thousands of tuples, dicts and records and free almost none of them; every automatic
collection then rescans them all (a 90,000-variable model spent a third of its time
there). Reference counting still frees everything; only cycle detection waits until the
block ends.
"""

from __future__ import annotations

import contextlib
import gc
from typing import Iterator


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Disable automatic collection inside the block (re-enabled if it was on)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
