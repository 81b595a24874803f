"""Helpers for complaint tests: register through the services as a demo user."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from complaints import collaboration_services, services
from complaints.models import CollaborationDeviation, Complaint, Counterpart
from tests.factories import category, complaint_category, unit, user

VALID_PNR = "19121212-1212"
OTHER_PNR = "19400412-1226"


def complaint(
    *,
    by: str = "mas",
    unit_code: str = "hage-01",
    days_ago: int = 1,
    received_on: date | None = None,
    channel: str = "phone",
    categories=("vard-behandling",),
    pnr: str = "",
    external_deadline: date | None = None,
) -> Complaint:
    return services.complaint_register(
        user=user(by),
        data=services.ComplaintInput(
            unit=unit(unit_code),
            received_on=received_on or timezone.localdate() - timedelta(days=days_ago),
            channel=channel,
            complainant_kind="relative",
            categories=[complaint_category(c) for c in categories],
            description="Anhörig ringde om att kvällsmedicinen inte gavs.",
            patient_identifier=pnr,
            external_deadline=external_deadline,
        ),
    )


def collaboration(
    *,
    direction: str = "outgoing",
    by: str = "mas",
    unit_code: str = "hage-01",
    days_ago: int = 5,
    counterpart_code: str = "region-stockholm",
    reply_due: date | None = None,
) -> CollaborationDeviation:
    today = timezone.localdate()
    return collaboration_services.collaboration_register(
        user=user(by),
        data=collaboration_services.CollaborationInput(
            direction=direction,
            counterpart=Counterpart.objects.get(code=counterpart_code),
            unit=unit(unit_code),
            category=category("information"),
            occurred_on=today - timedelta(days=days_ago),
            description="Utskrivning utan läkemedelslista.",
            received_on=today - timedelta(days=days_ago) if direction == "incoming" else None,
            reply_due=reply_due,
        ),
    )
