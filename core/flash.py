"""Flash messages that say what happened and link to what was created or changed."""

from __future__ import annotations

from django.contrib import messages
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


def link(url: str, label: object) -> SafeString:
    """``<a href="url">label</a>``, both escaped: a part of ``message_html``."""
    return format_html('<a href="{}">{}</a>', url, label)


def message_html(template: str, **parts: object) -> SafeString:
    """``template`` (ours, translated) with each ``%(name)s`` filled from ``parts``: a ``link`` stays a link,
    anything else (user data) is escaped."""
    values = {name: conditional_escape(value) for name, value in parts.items()}
    return mark_safe(conditional_escape(str(template)) % values)  # noqa: S308 template and values escaped


def success_with_link(request, text: str, url: str, label: str) -> None:
    """Flash ``text`` followed by a link labelled ``label`` to ``url``; all three are escaped (user data is safe)."""
    messages.success(request, format_html("{} {}", text, link(url, label)))


def success_naming(request, template: str, url: str, obj: object) -> None:
    """Flash ``template`` (ours, translated) whose ``%(object)s`` becomes a link to ``url`` named ``obj`` (escaped)."""
    messages.success(request, message_html(template, object=link(url, obj)))


def success_sentences(request, *sentences: object) -> None:
    """Flash ``sentences`` as one message: plain text is escaped, ``message_html`` keeps its links."""
    messages.success(request, format_html_join(" ", "{}", ((sentence,) for sentence in sentences)))
