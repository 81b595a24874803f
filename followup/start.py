"""Start-page items of follow-up: upcoming and overdue work for each role."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.start import StartItem
from followup import selectors
from followup.choices import ACTION_OPEN_STATES, ActionState
from responsibility.choices import Role
from responsibility.permissions import is_register_admin, visible_unit_ids
from responsibility.tenancy import person_of

UPCOMING_DAYS = 30
# The roles with follow-up figures (filtered by the units the user sees).
FIGURE_ROLES = (
    Role.QUALITY_AUDITOR,
    Role.UNIT_MANAGER,
    Role.OPERATIONS_MANAGER,
    Role.MAS,
    Role.MAR,
    Role.BOARD_OFFICIAL,
)


def _counts(qs, overdue_q: Q) -> dict[str, int]:
    """How many, and how many of them overdue, in one query."""
    return qs.order_by().aggregate(count=Count("pk"), overdue=Count("pk", filter=overdue_q))


def sections_for(*, user, role: str) -> list[StartItem]:
    today = timezone.localdate()
    items: list[StartItem] = []
    person = person_of(user)
    if role in FIGURE_ROLES and not is_register_admin(user):
        visible_unit_ids(user)  # read once per request: every figure below filters by the literal ids
    if role == Role.QUALITY_AUDITOR:
        audits = Q(auditor=person) if person is not None else Q(pk__in=[])
        planned = selectors.followups_visible_to(user).filter(
            audits,
            state__in=selectors.OPEN_FOLLOWUP_STATES,
            scheduled_date__lte=today + timedelta(days=UPCOMING_DAYS),
        )
        items.append(
            StartItem(
                _("Follow-ups to perform"),
                reverse("followup:followup_list") + "?mine=1",
                **_counts(planned, Q(scheduled_date__lt=today)),
            )
        )
        to_verify = selectors.actions_visible_to(user).filter(
            state=ActionState.REPORTED_DONE, finding__follow_up__auditor=person
        )
        items.append(
            StartItem(
                _("Actions to verify"),
                reverse("followup:action_list") + "?state=reported_done",
                count=to_verify.count(),
            )
        )
    if role in (Role.UNIT_MANAGER, Role.OPERATIONS_MANAGER, Role.MAS) and person is not None:
        mine = selectors.actions_visible_to(user).filter(owner=person, state__in=ACTION_OPEN_STATES)
        items.append(
            StartItem(
                _("My actions from follow-ups"),
                reverse("followup:action_list") + "?mine=1",
                **_counts(mine, Q(deadline__lt=today)),
            )
        )
    if role in (Role.MAS, Role.MAR, Role.OPERATIONS_MANAGER, Role.BOARD_OFFICIAL):
        upcoming = selectors.followups_visible_to(user).filter(state__in=selectors.OPEN_FOLLOWUP_STATES)
        figures = upcoming.order_by().aggregate(
            count=Count("pk", filter=Q(scheduled_date__gte=today)),
            overdue=Count("pk", filter=Q(scheduled_date__lt=today)),
        )
        items.append(
            StartItem(_("Planned follow-ups"), reverse("followup:followup_list") + "?status=planned", **figures)
        )
    if role in (Role.MAS, Role.MAR):
        items.append(
            StartItem(
                _("Follow-up actions to verify"),
                reverse("followup:action_list") + "?state=reported_done",
                count=selectors.actions_visible_to(user).filter(state=ActionState.REPORTED_DONE).count(),
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
                **_counts(routines, Q(next_revision__lt=today)),
            )
        )
    if role == "ADMIN":
        items.append(StartItem(_("Contracts"), reverse("followup:contract_list")))
        items.append(StartItem(_("Scheduled jobs"), reverse("followup:job_runs")))
    return items
