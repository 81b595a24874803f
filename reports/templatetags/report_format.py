"""Swedish number and date formats for report tables (HTML and PDF)."""

from datetime import date, datetime

from django import template
from django.utils import timezone

register = template.Library()

NBSP = "\u00a0"


def sv_number(value) -> str:
    """1234567 → '1 234 567' (non-breaking spaces), 12.5 → '12,5', -3.0 → '−3,0'."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        text = f"{abs(value):,}".replace(",", NBSP)
        return ("−" if value < 0 else "") + text
    if isinstance(value, float):
        whole, _dot, decimals = f"{abs(value):,.1f}".partition(".")
        return ("−" if value < 0 else "") + whole.replace(",", NBSP) + "," + decimals
    return str(value)


@register.filter
def cell(value) -> str:
    """Format one report value the Swedish way."""
    if value is None or value == "":
        return "–"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return sv_number(value)
    return str(value)


@register.filter
def stamp(value) -> str:
    """A moment as 'YYYY-MM-DD HH:MM' in local time."""
    if not value:
        return "–"
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
