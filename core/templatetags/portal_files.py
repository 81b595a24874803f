"""Template filters for uploaded files."""

from django import template

from core.uploads import clean_filename

register = template.Library()


@register.filter(name="filename")
def filename(value: str) -> str:
    """A stored file name as it may be shown (NFC, no bidi or control characters, no path)."""
    return clean_filename(value)
