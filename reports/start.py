"""Start-page items of the board reports."""

from django.urls import reverse
from django.utils.translation import gettext as _

from reports.choices import ReportState
from reports.scopes import REPORT_ROLES
from reports.selectors import generated_reports_for


def sections_for(*, user, role: str) -> list:
    from masportal.start import StartItem

    if role not in (*REPORT_ROLES, "ADMIN"):
        return []
    if role == "ADMIN":
        return [StartItem(_("Reports for the board"), reverse("reports:report_list"))]
    ready = generated_reports_for(user=user).filter(requested_by=user, state=ReportState.DONE).count()
    return [StartItem(_("Reports for the board"), reverse("reports:report_list"), count=ready or None)]
