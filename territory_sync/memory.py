"""The process's memory allocator, set once by the product's entry point (`territory_sync.cli`).

glibc's malloc gives a thread that allocates while another holds the main arena an arena of its
own, up to eight per core, and keeps what is freed in each for later use by it. A run allocates
on several threads at once (the CRMs pulled side by side, the columnar load's two readers, the
write-back's batches), so every arena grows to that thread's own high-water mark: a full sync with
write-back at 100,000 accounts per CRM peaked at 280 MiB, against 256 MiB with two arenas (the
same book; 259 MiB with the CRMs pulled one after the other). Two arenas are what
`MALLOC_ARENA_MAX=2` gives; an administrator's own `MALLOC_ARENA_MAX` is left as it is, and on a
C library without `mallopt` (macOS, musl) nothing is done.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

ARENAS = 2
"""Arenas the product's process uses."""
_M_ARENA_MAX = -8
"""`mallopt`'s parameter number for the most arenas (glibc's malloc.h)."""


def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Limit glibc's malloc to `arenas` arenas for the rest of the process (best made before any
    thread starts); False where it is not done (an administrator's `MALLOC_ARENA_MAX`, or no
    glibc)."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_ARENA_MAX, arenas))
