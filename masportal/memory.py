"""The garbage collector of a long-running process (gunicorn worker, Celery worker, the bench).

A full (oldest-generation) collection walks every object the process holds, most of them from start-up
(modules, classes, functions, the URLconf, the translations): on the 1M bench about 65 ms, every dozen or so
requests, which was the MAS start page's whole p95 (p50 94 ms, p95 177 ms). ``gc.freeze()`` after start-up
moves those objects out of the collector's sight (Python's documentation recommends it for pre-fork servers);
the same collection then takes under 1 ms. Garbage is still collected: only what exists at start-up is frozen.
"""

from __future__ import annotations

import gc


def freeze_startup_objects() -> int:
    """Import what a first request would (the URLconf and with it every view), collect, freeze; the number frozen."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the views now, not on the first request
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
