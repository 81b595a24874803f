"""Row locking shared by the jobs and services: lock a batch, skipping rows another worker holds."""

from __future__ import annotations

from django.db import connection


def lock_skip(qs):
    """Lock the selected rows, skipping those another worker holds (PostgreSQL; elsewhere unchanged)."""
    if connection.features.has_select_for_update_skip_locked:
        return qs.select_for_update(skip_locked=True, of=("self",))
    return qs
