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
