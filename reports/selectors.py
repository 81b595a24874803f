"""Reads of the reports app: what a user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from reports.models import GeneratedReport
from responsibility.permissions import is_register_admin
from responsibility.tenancy import scoped


def generated_reports_for(*, user) -> QuerySet[GeneratedReport]:
    """The reports ``user`` ordered; admins see those of everyone in their municipality."""
    if not user.is_authenticated:
        return GeneratedReport.objects.none()
    qs = GeneratedReport.objects.select_related("requested_by")
    if is_register_admin(user):
        return scoped(qs, user, "requested_by__person__municipality")
    return qs.filter(requested_by=user)


def generated_report_for(*, user, pk: int) -> GeneratedReport | None:
    """One generated report, if ``user`` ordered it (or is an admin)."""
    return generated_reports_for(user=user).filter(pk=pk).first()
