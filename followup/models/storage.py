"""Private files of follow-up: stored outside the web root, served only by a view that checks permission."""

from __future__ import annotations

import os
import secrets

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """Files under ``settings.PRIVATE_FILES_ROOT`` (read when used, not at import); never served directly."""

    @property
    def base_location(self):
        return str(settings.PRIVATE_FILES_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)


def private_storage() -> FileSystemStorage:
    """Files outside the web root; served only by a view that checks permission."""
    return PrivateStorage(base_url=None)


def new_token() -> str:
    return secrets.token_urlsafe(24)
