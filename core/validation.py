"""Checks every write service makes of what a user typed: a required text, a date entered for a step.

Each caller gives its own messages (they name what is missing); the rule is written once here.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


def required_text(value: str | None, field: str, message: str) -> str:
    """``value`` stripped; a ValidationError on ``field`` saying ``message`` when nothing is left."""
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def entered_date(
    value: date | None, field: str, *, required_message: str, not_before: date | None = None, before_message: str = ""
) -> date:
    """``value`` when given, not in the future and not before ``not_before``; else a ValidationError on ``field``."""
    if value is None:
        raise ValidationError({field: required_message})
    if value > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})
    if not_before is not None and value < not_before:
        raise ValidationError({field: before_message})
    return value
