"""Reads of the notification inbox."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

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


def _unread(user_ref) -> QuerySet[Notification]:
    """The unread notifications of the login ``user_ref`` (an id or ``OuterRef``); the digest is none of them."""
    return Notification.objects.filter(recipient=user_ref, read_at__isnull=True).exclude(kind=Notification.DIGEST_KIND)


def unread_count_column() -> Coalesce:
    """How many notifications the row's login has not read, as a column of a query on users (the navigation
    reads it with the register-admin flag: ``masportal.selectors.navigation_facts``)."""
    counted = _unread(OuterRef("pk")).order_by().values("recipient").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def unread_notification_count(*, request) -> int:
    """How many notifications the request's user has not read: one query, remembered for the request."""
    cached = getattr(request, "_masportal_unread", None)
    if cached is None:
        cached = _unread(request.user.pk).count() if request.user.is_authenticated else 0
        request._masportal_unread = cached
    return cached


def unread_count_known(request) -> bool:
    """Whether this request has already counted its user's unread notifications."""
    return getattr(request, "_masportal_unread", None) is not None


def remember_unread_count(request, count: int) -> None:
    """Keep ``count`` (:func:`unread_count_column` read along with other facts) as this request's unread count."""
    request._masportal_unread = int(count)


def email_delivery_of(*, user) -> str:
    """The user's choice of e-mail delivery (at once when never chosen)."""
    found = NotificationPreference.objects.filter(user=user).values_list("email_delivery", flat=True).first()
    return found or NotificationPreference.Delivery.IMMEDIATE
