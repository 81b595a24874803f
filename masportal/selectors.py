"""Reads of the cross-cutting records."""

from __future__ import annotations

from django.db.models import QuerySet

from masportal.models import Notification, NotificationPreference
from responsibility.permissions import is_register_admin
from responsibility.tenancy import municipality_id_of


def failed_emails_for(*, user) -> QuerySet[Notification]:
    """E-mails that could not be delivered to people of the register admin's municipality (newest first)."""
    municipality_id = municipality_id_of(user)
    if not is_register_admin(user) or municipality_id is None:
        return Notification.objects.none()
    return (Notification.objects.filter(email_status=Notification.EmailStatus.FAILED,
                                        recipient__person__municipality_id=municipality_id)
            .select_related("recipient").order_by("-created_at", "-id"))


def notifications_for(*, user) -> QuerySet[Notification]:
    """The user's own notifications for the inbox (newest first); the daily digest e-mail is not one of them."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return (Notification.objects.filter(recipient=user).exclude(kind=Notification.DIGEST_KIND)
            .only("pk", "kind", "subject", "body", "link", "created_at", "read_at").order_by("-created_at", "-id"))


def unread_notification_count(*, request) -> int:
    """How many notifications the request's user has not read: one query, remembered for the request."""
    cached = getattr(request, "_masportal_unread", None)
    if cached is None:
        cached = notifications_for(user=request.user).filter(read_at__isnull=True).count()
        request._masportal_unread = cached
    return cached


def email_delivery_of(*, user) -> str:
    """The user's choice of e-mail delivery (at once when never chosen)."""
    found = NotificationPreference.objects.filter(user=user).values_list("email_delivery", flat=True).first()
    return found or NotificationPreference.Delivery.IMMEDIATE
