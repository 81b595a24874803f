"""Flash messages that say what happened and link to what was created or changed."""

from __future__ import annotations

from django.contrib import messages
from django.utils.html import format_html


def success_with_link(request, text: str, url: str, label: str) -> None:
    """Flash ``text`` followed by a link labelled ``label`` to ``url``; all three are escaped (user data is safe)."""
    messages.success(request, format_html('{} <a href="{}">{}</a>', text, url, label))
