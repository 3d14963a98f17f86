"""Cyclic garbage collection paused around work that makes no garbage cycles, and on
around work that does (builds)."""

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


@contextlib.contextmanager
def collecting() -> Iterator[None]:
    """Cyclic garbage collection on while the block runs (a build of the site or PDFs:
    one Sphinx run's garbage would otherwise wait through the next one, and the baselines'
    builds of old revisions come before them); the previous state afterwards."""
    enabled = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if not enabled:
            gc.disable()
