"""Helpers shared by the management commands."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError


def output_path(value: str) -> Path:
    """The file a command is to write; refuse a directory that does not exist (never create one silently)."""
    path = Path(value).expanduser()
    if path.is_dir():
        raise CommandError(f"{value} is a directory: give the file to write, e.g. {path / 'rapport.pdf'}")
    parent = path.parent
    if not parent.is_dir():
        raise CommandError(f"The directory {parent} does not exist: create it first or choose another path.")
    return path


def one_by_code(queryset, code: str, *, municipality: str | None, what: str):
    """The one row of ``queryset`` with ``code`` (within the municipality ``municipality`` when given).

    Refuses an unknown code, and a code that exists in several municipalities without ``--municipality``.
    """
    rows = queryset.filter(code=code)
    if municipality:
        rows = rows.filter(municipality__code=municipality)
    found = list(rows[:2])
    if not found:
        raise CommandError(f"Unknown {what}: {code}")
    if len(found) > 1:
        raise CommandError(f"{what.capitalize()} code {code} exists in several municipalities: give --municipality.")
    return found[0]
