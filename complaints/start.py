"""Start-page items of complaints and collaboration deviations for each role."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from complaints.permissions import may_see_statistics
from complaints.selectors import collaboration_list, collaboration_overdue_q, complaint_overdue_q, complaint_queue
from complaints.workflow import COLLABORATION_OPEN_STATES, COMPLAINT_OPEN_STATES
from core.start import StartItem
from incidents.permissions import may_review_access_log
from responsibility.choices import Role


def _counts(qs, overdue_q) -> dict[str, int]:
    """How many, and how many of them overdue, in one query."""
    return qs.order_by().aggregate(count=Count("pk"), overdue=Count("pk", filter=overdue_q))


def sections_for(*, user, role: str) -> list[StartItem]:
    items: list[StartItem] = []
    if role == Role.REPORTER:
        items.append(StartItem(_("Register a complaint"), reverse("complaints:complaint_create")))
    if role in (Role.UNIT_MANAGER, Role.OPERATIONS_MANAGER, Role.MAS, Role.MAR):
        complaints = _counts(complaint_queue(user=user).filter(state__in=COMPLAINT_OPEN_STATES), complaint_overdue_q())
        items.append(StartItem(_("Complaints to handle"), reverse("complaints:complaint_list"), **complaints))
        collab = _counts(
            collaboration_list(user=user).filter(state__in=COLLABORATION_OPEN_STATES), collaboration_overdue_q()
        )
        items.append(StartItem(_("Open collaboration deviations"), reverse("complaints:collaboration_list"), **collab))
    if role in (Role.MAS, Role.MAR, Role.BOARD_OFFICIAL, Role.OPERATIONS_MANAGER) and may_see_statistics(user):
        items.append(StartItem(_("Complaints and collaboration: figures"), reverse("complaints:statistics")))
    if role in (Role.MAS, Role.MAR) and may_review_access_log(user):
        items.append(StartItem(_("The patient's log extract"), reverse("complaints:log_extract")))
    return items
