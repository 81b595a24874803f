"""Reads that compose the base layer with the register: the navigation's facts, the outbox failures a
register admin sees."""

from __future__ import annotations

from django.db.models import QuerySet

from core.compiled import CompiledQuery
from core.models import Notification
from core.selectors import remember_unread_count, unread_count_column, unread_count_known, unread_notification_count
from responsibility.permissions import (
    is_register_admin,
    register_admin_flag,
    register_admin_known,
    remember_register_admin,
)
from responsibility.tenancy import municipality_id_of


def _facts_query(user_id):
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(pk=user_id)
        .annotate(admin=register_admin_flag(), unread=unread_count_column())
        .values_list("admin", "unread")
    )


_FACTS = CompiledQuery(_facts_query, user_id=-7_340_033)


def navigation_facts(request) -> tuple[bool, int]:
    """Whether the request's login is a register admin, and how many notifications it has not read.

    One statement for both (compiled once per process), remembered where each is asked
    (:func:`~responsibility.permissions.is_register_admin`, :func:`~core.selectors.unread_notification_count`),
    so a view that asked one of them first costs only the other.
    """
    user = request.user
    if register_admin_known(user) or unread_count_known(request) or not user.is_active:
        return is_register_admin(user), unread_notification_count(request=request)
    rows = _FACTS.rows(user_id=user.pk)
    admin, unread = rows[0] if rows else (False, 0)
    remember_register_admin(user, bool(admin))
    remember_unread_count(request, unread)
    return is_register_admin(user), unread_notification_count(request=request)


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
