"""Patient identity (SPEC §8): personnummer validation, encryption at rest and the keyed look-up hash.

A personnummer or samordningsnummer is validated (format, date and check
digit), normalised to twelve digits ``YYYYMMDDNNNC``, stored only encrypted
(MultiFernet with ``settings.PATIENT_DATA_KEYS``, newest key first, so keys
can be rotated) and looked up through an HMAC-SHA256 keyed hash
(``settings.PATIENT_HASH_KEY``). Nothing here logs the number.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import date

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from responsibility.validators import luhn_ok

# YYMMDD-NNNN, YYMMDD+NNNN (100 years or older), YYYYMMDDNNNN, YYYYMMDD-NNNN, YYMMDDNNNN.
_PNR_RE = re.compile(r"^(?P<century>\d{2})?(?P<yymmdd>\d{6})(?P<sep>[-+])?(?P<tail>\d{4})$")
SAMORDNING_OFFSET = 60
# Anything shaped like a personnummer inside free text (documents printed from the portal are scrubbed of it).
PERSONNUMMER_IN_TEXT = re.compile(r"(?<!\d)(?:\d{2})?\d{6}[-+ ]?\d{4}(?!\d)")
REDACTED = "[…]"


def redact(text: str | None) -> str:
    """Remove anything that looks like a personnummer from free text."""
    return PERSONNUMMER_IN_TEXT.sub(REDACTED, text or "")


def normalize_personnummer(value: str, *, today: date | None = None) -> str:
    """Return the twelve digits of a valid personnummer or samordningsnummer, or raise ValidationError."""
    raw = re.sub(r"\s", "", value or "")
    match = _PNR_RE.match(raw)
    if not match:
        raise ValidationError(_("Enter the personnummer as YYYYMMDD-NNNN or YYMMDD-NNNN."), code="personnummer_format")
    today = today or timezone.localdate()
    yymmdd, tail = match.group("yymmdd"), match.group("tail")
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6])
    if match.group("century"):
        year = int(match.group("century")) * 100 + yy
    else:
        # Without the century: the latest year not in the future; "+" means 100 years or older.
        year = (today.year // 100) * 100 + yy
        if year > today.year:
            year -= 100
        if match.group("sep") == "+":
            year -= 100
    day = dd - SAMORDNING_OFFSET if dd > SAMORDNING_OFFSET else dd
    try:
        born = date(year, mm, day)
    except ValueError:
        raise ValidationError(_("The personnummer does not contain a valid date."), code="personnummer_date") from None
    if born > today:
        raise ValidationError(_("The personnummer's date is in the future."), code="personnummer_future")
    if not luhn_ok(yymmdd + tail):
        raise ValidationError(_("The personnummer's check digit is wrong."), code="personnummer_checksum")
    return f"{year:04d}{mm:02d}{dd:02d}{tail}"


def is_samordningsnummer(normalized: str) -> bool:
    """Whether a normalised number is a samordningsnummer (day of birth plus 60)."""
    return int(normalized[6:8]) > SAMORDNING_OFFSET


def format_personnummer(normalized: str) -> str:
    """Show a normalised number as YYYYMMDD-NNNN."""
    return f"{normalized[:8]}-{normalized[8:]}"


def _fernet() -> MultiFernet:
    keys = list(settings.PATIENT_DATA_KEYS)
    if not keys:
        raise RuntimeError("settings.PATIENT_DATA_KEYS is empty: patient data cannot be stored.")
    return MultiFernet([_as_fernet(k) for k in keys])


def _as_fernet(key: str | bytes) -> Fernet:
    """A Fernet for a configured key; key material that is not a Fernet key is stretched with SHA-256."""
    raw = key.encode() if isinstance(key, str) else key
    try:
        return Fernet(raw)
    except ValueError:
        return Fernet(base64.urlsafe_b64encode(hashlib.sha256(raw).digest()))


def encrypt_identifier(value: str) -> str:
    """Encrypt a (valid) personnummer for storage; the stored form is the normalised twelve digits."""
    normalized = normalize_personnummer(value)
    return _fernet().encrypt(normalized.encode()).decode()


def decrypt_identifier(token: str) -> str:
    """Return the normalised personnummer of a stored token."""
    return _fernet().decrypt(token.encode()).decode()


def patient_hash(value: str) -> str:
    """The keyed look-up hash of a personnummer (hex HMAC-SHA256 of the normalised number)."""
    normalized = normalize_personnummer(value)
    key = settings.PATIENT_HASH_KEY
    if not key:
        raise RuntimeError("settings.PATIENT_HASH_KEY is empty: patient data cannot be stored.")
    return hmac.new(key.encode(), normalized.encode(), hashlib.sha256).hexdigest()
