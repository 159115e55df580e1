"""Python's cyclic garbage collector held off during a burst of short-lived objects.

WeasyPrint laying out a document, or the engine refreshing a chunk of patients, allocates
hundreds of thousands of objects freed as they go out of use; each burst makes the collector
rescan the whole process heap (a sixth of a summary's time, a quarter of the nightly run). The
cycles the burst leaves are collected after it. The collector is the process's: it is turned
back on only if it was on.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
