"""Cyclic garbage collection paused around work that makes no garbage cycles."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused_collection() -> Iterator[None]:
    """No cyclic garbage collection while the block runs; the collector's previous state
    afterwards.

    For work that allocates many objects that either stay or are freed by reference
    counting: importing Sphinx, sphinx-needs, MyST and the extension (about a thousand
    modules, a tenth of a small check's CPU), the trace graph and the rules after a build
    (some hundred thousand objects). Their allocations set off full collections, and
    each walks everything loaded or built so far again (a re-check at N=5000: 0.5 s in
    one collection)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
