"""Start-page items of follow-up: upcoming and overdue work for each role."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.start import StartItem
from followup import selectors
from followup.choices import ACTION_OPEN_STATES, ActionState
from responsibility.choices import Role
from responsibility.tenancy import person_of

UPCOMING_DAYS = 30


def sections_for(*, user, role: str) -> list[StartItem]:
    today = timezone.localdate()
    items: list[StartItem] = []
    person = person_of(user)
    if role == Role.QUALITY_AUDITOR:
        mine = selectors.followup_list(user=user, mine=True)
        planned = mine.filter(
            state__in=selectors.OPEN_FOLLOWUP_STATES, scheduled_date__lte=today + timedelta(days=UPCOMING_DAYS)
        )
        items.append(
            StartItem(
                _("Follow-ups to perform"),
                reverse("followup:followup_list") + "?mine=1",
                count=planned.count(),
                overdue=planned.filter(scheduled_date__lt=today).count(),
            )
        )
        to_verify = selectors.action_list(user=user, state=ActionState.REPORTED_DONE).filter(
            finding__follow_up__auditor=person
        )
        items.append(
            StartItem(
                _("Actions to verify"),
                reverse("followup:action_list") + "?state=reported_done",
                count=to_verify.count(),
            )
        )
    if role in (Role.UNIT_MANAGER, Role.OPERATIONS_MANAGER, Role.MAS) and person is not None:
        mine = selectors.action_list(user=user, mine=True).filter(state__in=ACTION_OPEN_STATES)
        items.append(
            StartItem(
                _("My actions from follow-ups"),
                reverse("followup:action_list") + "?mine=1",
                count=mine.count(),
                overdue=mine.filter(deadline__lt=today).count(),
            )
        )
    if role in (Role.MAS, Role.MAR, Role.OPERATIONS_MANAGER, Role.BOARD_OFFICIAL):
        visible = selectors.followup_list(user=user)
        upcoming = visible.filter(state__in=selectors.OPEN_FOLLOWUP_STATES)
        items.append(
            StartItem(
                _("Planned follow-ups"),
                reverse("followup:followup_list") + "?status=planned",
                count=upcoming.filter(scheduled_date__gte=today).count(),
                overdue=upcoming.filter(scheduled_date__lt=today).count(),
            )
        )
    if role in (Role.MAS, Role.MAR):
        items.append(
            StartItem(
                _("Follow-up actions to verify"),
                reverse("followup:action_list") + "?state=reported_done",
                count=selectors.action_list(user=user, state=ActionState.REPORTED_DONE).count(),
            )
        )
    if role == Role.MAS:
        delegations = selectors.delegations_visible_to(user).filter(
            revoked_at__isnull=True, valid_to__gte=today, valid_to__lte=today + timedelta(days=UPCOMING_DAYS)
        )
        items.append(
            StartItem(
                _("Delegations expiring within 30 days"), reverse("followup:delegation_list"), count=delegations.count()
            )
        )
    if role in (Role.MAS, Role.MAR) and person is not None:
        routines = selectors.routines_visible_to(user).filter(
            owner=person, next_revision__lte=today + timedelta(days=UPCOMING_DAYS)
        )
        items.append(
            StartItem(
                _("My routines due for revision"),
                reverse("followup:routine_list"),
                count=routines.count(),
                overdue=routines.filter(next_revision__lt=today).count(),
            )
        )
    if role == "ADMIN":
        items.append(StartItem(_("Contracts"), reverse("followup:contract_list")))
        items.append(StartItem(_("Scheduled jobs"), reverse("followup:job_runs")))
    return items
