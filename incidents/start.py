"""Start-page items of the deviation workflow for each role."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from incidents.models import DeviationState
from incidents.selectors import assessment_queue_for, my_reports, overdue_q, queue_for
from masportal.start import StartItem
from responsibility.choices import Role


def sections_for(*, user, role: str) -> list[StartItem]:
    items: list[StartItem] = []
    if role == Role.REPORTER:
        items.append(StartItem(_("Report a deviation"), reverse("incidents:deviation_create")))
        mine = my_reports(user=user)
        items.append(StartItem(_("My reports"), reverse("incidents:my_reports"), count=mine.count()))
    if role in (Role.UNIT_MANAGER, Role.OPERATIONS_MANAGER):
        queue = queue_for(user=user).filter(state__in=(DeviationState.REGISTERED, DeviationState.INVESTIGATING))
        items.append(StartItem(_("Deviations to investigate"),
                               reverse("incidents:deviation_list") + "?state=investigating",
                               count=queue.count(), overdue=queue.filter(overdue_q()).count()))
    if role in (Role.MAS, Role.MAR):
        queue = assessment_queue_for(user=user)
        items.append(StartItem(_("Deviations to assess"), reverse("incidents:assessment_queue"),
                               count=queue.count(), overdue=queue.filter(overdue_q()).count()))
        items.append(StartItem(_("Access log review"), reverse("incidents:access_log")))
    return items
