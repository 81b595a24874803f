"""Reads that compose the base layer with the register: the outbox failures a register admin sees."""

from __future__ import annotations

from django.db.models import QuerySet

from core.models import Notification
from responsibility.permissions import is_register_admin
from responsibility.tenancy import municipality_id_of


def failed_emails_for(*, user) -> QuerySet[Notification]:
    """E-mails that could not be delivered to people of the register admin's municipality (newest first)."""
    municipality_id = municipality_id_of(user)
    if not is_register_admin(user) or municipality_id is None:
        return Notification.objects.none()
    return (
        Notification.objects.filter(
            email_status=Notification.EmailStatus.FAILED, recipient__person__municipality_id=municipality_id
        )
        .select_related("recipient")
        .order_by("-created_at", "-id")
    )
