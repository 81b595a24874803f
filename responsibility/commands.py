"""Helpers of the management commands that pick a municipality of the register."""

from __future__ import annotations

from django.core.management.base import CommandError

from responsibility.models import Municipality


def one_municipality(code: str | None, *, instead: str):
    """The municipality ``code``, or the only one there is; with several and no code, ask for ``instead``."""
    rows = Municipality.objects.filter(code=code) if code else Municipality.objects.all()
    found = list(rows[:2])
    if not found:
        raise CommandError(f"Unknown municipality: {code}")
    if len(found) > 1:
        raise CommandError(f"Several municipalities: give {instead} or --municipality.")
    return found[0]
