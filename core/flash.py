"""Flash messages that say what happened and link to what was created or changed."""

from __future__ import annotations

from django.contrib import messages
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe


def success_with_link(request, text: str, url: str, label: str) -> None:
    """Flash ``text`` followed by a link labelled ``label`` to ``url``; all three are escaped (user data is safe)."""
    messages.success(request, format_html('{} <a href="{}">{}</a>', text, url, label))


def success_naming(request, template: str, url: str, obj: object) -> None:
    """Flash ``template`` (ours, translated) whose ``%(object)s`` becomes a link to ``url`` named ``obj`` (escaped)."""
    link = format_html('<a href="{}">{}</a>', url, obj)
    messages.success(request, mark_safe(conditional_escape(str(template)) % {"object": link}))  # noqa: S308 both escaped
