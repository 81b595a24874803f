"""Validators for Swedish identity numbers (Luhn check digit)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_ORG_RE = re.compile(r"^(\d{6})-?(\d{4})$")


def luhn_ok(digits: str) -> bool:
    """Return whether the last digit of ``digits`` is the Luhn check digit of the rest."""
    total = 0
    for i, ch in enumerate(digits[:-1]):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return (10 - total % 10) % 10 == int(digits[-1])


def normalize_org_number(value: str) -> str:
    """Return ``NNNNNN-NNNN`` for a valid organisationsnummer, or raise ValidationError."""
    match = _ORG_RE.match((value or "").strip())
    if not match:
        raise ValidationError(_("Enter the organisation number as NNNNNN-NNNN (ten digits)."), code="org_number_format")
    digits = match.group(1) + match.group(2)
    if int(digits[2]) < 2:
        raise ValidationError(_("An organisation number has 2 or more as its third digit."), code="org_number_month")
    if not luhn_ok(digits):
        raise ValidationError(_("The organisation number's check digit is wrong."), code="org_number_checksum")
    return f"{digits[:6]}-{digits[6:]}"


def validate_org_number(value: str) -> None:
    normalize_org_number(value)
