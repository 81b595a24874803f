"""Fixtures of the report tests: a known period of events on top of the demo."""

import io
import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from tests.reports.seed import PATIENT_IDS, seed_period

# Anything shaped like a personnummer (10 or 12 digits, with or without a separator).
PERSONNUMMER = re.compile(r"(?<!\d)(?:19|20)?\d{6}[-+]?\d{4}(?!\d)")


@pytest.fixture
def period():
    """A three-month period last year: independent of the machine's date beyond relative math."""
    start = date(timezone.localdate().year - 1, 1, 1)
    return start, start + timedelta(days=89)


@pytest.fixture
def seeded(db, period):
    return seed_period(start=period[0])


def pdf_text(pdf: bytes) -> str:
    """The PDF's text with all whitespace (line breaks in table cells too) as single spaces."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def assert_no_patient_identity(text: str) -> None:
    """No demo patient's personnummer (with or without separator) and nothing shaped like one."""
    compact = re.sub(r"\s+", " ", text)
    for pnr in PATIENT_IDS:
        assert pnr not in compact
        assert pnr.replace("-", "") not in compact
        assert pnr[2:] not in compact
    # Organisation numbers (556…) are not personal identities; everything else shaped like one is.
    found = [m for m in PERSONNUMMER.findall(compact) if not m.startswith("556")]
    assert not found, found
