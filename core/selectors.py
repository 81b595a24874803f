"""Reads of the notification inbox."""

from __future__ import annotations

from django.db.models import QuerySet

from core.models import Notification, NotificationPreference


def notifications_for(*, user) -> QuerySet[Notification]:
    """The user's own notifications for the inbox (newest first); the daily digest e-mail is not one of them."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return (
        Notification.objects.filter(recipient=user)
        .exclude(kind=Notification.DIGEST_KIND)
        .only("pk", "kind", "subject", "body", "link", "created_at", "read_at")
        .order_by("-created_at", "-id")
    )


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
