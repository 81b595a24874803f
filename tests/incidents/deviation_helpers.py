"""Helpers for deviation tests: report through the service as a demo user."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from incidents import reporting
from incidents.models import Deviation
from tests.factories import category, unit, user

VALID_PNR = "19121212-1212"
SAMORDNING_PNR = "19701063-2391"


def report(
    *,
    by: str = "rapportor",
    unit_code: str = "hage-01",
    consequence: int = 1,
    probability: int = 2,
    days_ago: float = 1,
    pnr: str = "",
    category_code: str = "fall",
    submit: bool = True,
) -> Deviation:
    occurred = timezone.now() - timedelta(days=days_ago)
    return reporting.deviation_save(
        user=user(by),
        report=reporting.Report(
            unit=unit(unit_code),
            occurred_at=occurred,
            discovered_at=occurred + timedelta(minutes=10),
            category=category(category_code),
            event_kind="occurred",
            description="Boende föll i korridoren.",
            immediate_actions="Sjuksköterska bedömde.",
            patient_identifier=pnr,
            consequence=consequence,
            probability=probability,
        ),
        submit=submit,
    )
