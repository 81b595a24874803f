"""Reads of follow-up: the only way views get querysets, always scoped to the user."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from followup.choices import ACTION_UNFINISHED_STATES, FOLLOWUP_OPEN_STATES, ActionState, FollowUpState, RoutineScope
from followup.models import Action, Delegation, Finding, FollowUp, FollowUpPlan, Routine
from responsibility.choices import Role
from responsibility.models import Contract, Unit
from responsibility.permissions import is_register_admin, units_visible_to, user_scope, visible_units_in
from responsibility.tenancy import person_of, scoped

OPEN_FOLLOWUP_STATES = FOLLOWUP_OPEN_STATES  # the name start pages and reports import


def _followup_scope_q(user, prefix: str = "") -> Q:
    """Follow-ups of the user's units, those they audit and contract follow-ups of their providers/boards.

    The units as a literal id list where the request has read it (the start page, :func:`visible_unit_ids`):
    inside this OR the nested scope and guardian subqueries kept PostgreSQL from using the unit index.
    """
    p = prefix
    scope = user_scope(user)
    q = Q(**{f"{p}unit__in": visible_units_in(user)})
    person = person_of(user)
    if person is not None:
        q |= Q(**{f"{p}auditor": person})
    if scope.provider_ids:
        q |= Q(**{f"{p}unit__isnull": True, f"{p}contract__provider_id__in": list(scope.provider_ids)})
    if scope.board_ids:
        q |= Q(**{f"{p}unit__isnull": True, f"{p}board_id__in": list(scope.board_ids)})
    if scope.region_ids:
        q |= Q(**{f"{p}unit__isnull": True, f"{p}board__region_id__in": list(scope.region_ids)})
    return q


def followups_visible_to(user) -> QuerySet[FollowUp]:
    """Follow-ups ``user`` may see: admins all; contractor staff only their provider's units."""
    if not user.is_authenticated:
        return FollowUp.objects.none()
    qs = scoped(FollowUp.objects.all(), user)
    if not is_register_admin(user):
        qs = qs.filter(_followup_scope_q(user))
    return qs


def followup_list(*, user, status: str = "", mine: bool = False, on: date | None = None) -> QuerySet[FollowUp]:
    """The follow-up list: ``status`` planned, overdue or completed; ``mine`` those the user audits."""
    on = on or timezone.localdate()
    qs = (
        followups_visible_to(user)
        .select_related("unit", "contract", "board", "auditor", "plan")
        .annotate(
            finding_count=Count("findings", distinct=True),
            open_action_count=Count(
                "findings__actions", filter=Q(findings__actions__state__in=ACTION_UNFINISHED_STATES), distinct=True
            ),
        )
    )
    if status == "planned":
        qs = qs.filter(state__in=OPEN_FOLLOWUP_STATES, scheduled_date__gte=on)
    elif status == "overdue":
        qs = qs.filter(state__in=OPEN_FOLLOWUP_STATES, scheduled_date__lt=on)
    elif status == "completed":
        qs = qs.filter(state=FollowUpState.COMPLETED)
    if mine:
        person = person_of(user)
        qs = qs.filter(auditor=person) if person else qs.none()
    order = "-scheduled_date" if status == "completed" else "scheduled_date"
    return qs.order_by(order, "pk")


def followup_detail(*, user, pk: int) -> FollowUp | None:
    return (
        followups_visible_to(user)
        .select_related(
            "unit__board__region", "unit__provider", "contract", "board", "auditor", "plan", "checklist_template"
        )
        .filter(pk=pk)
        .first()
    )


def actions_visible_to(user) -> QuerySet[Action]:
    """Actions of follow-ups the user may see, plus those the user owns."""
    if not user.is_authenticated:
        return Action.objects.none()
    qs = scoped(Action.objects.all(), user, "finding__follow_up__municipality")
    if is_register_admin(user):
        return qs
    q = _followup_scope_q(user, prefix="finding__follow_up__")
    person = person_of(user)
    if person is not None:
        q |= Q(owner=person)
    return qs.filter(q)


def action_list(*, user, state: str = "", mine: bool = False) -> QuerySet[Action]:
    qs = actions_visible_to(user).select_related(
        "owner", "finding__follow_up__unit", "finding__follow_up__contract", "finding__follow_up__auditor"
    )
    if state == "unfinished":
        qs = qs.filter(state__in=ACTION_UNFINISHED_STATES)
    elif state in ActionState.values:
        qs = qs.filter(state=state)
    if mine:
        person = person_of(user)
        qs = qs.filter(owner=person) if person else qs.none()
    return qs.order_by("deadline", "pk")


def action_detail(*, user, pk: int) -> Action | None:
    return (
        actions_visible_to(user)
        .select_related(
            "owner",
            "finding__follow_up__unit__board",
            "finding__follow_up__auditor",
            "finding__follow_up__contract",
            "verified_by",
            "reported_done_by",
        )
        .filter(pk=pk)
        .first()
    )


def plans_visible_to(user) -> QuerySet[FollowUpPlan]:
    if is_register_admin(user):
        qs = scoped(FollowUpPlan.objects.all(), user)
    else:
        units = units_visible_to(user)
        scope = user_scope(user)
        qs = (
            scoped(FollowUpPlan.objects.all(), user)
            .filter(
                Q(unit__in=units)
                | Q(contract__units__in=units)
                | Q(board_id__in=list(scope.board_ids))
                | Q(board__region_id__in=list(scope.region_ids))
            )
            .distinct()
        )
    return qs.select_related("contract", "unit", "board", "auditor", "checklist_template").order_by("title", "pk")


def delegation_units(user) -> QuerySet[Unit]:
    """Units whose delegations ``user`` registers: a register admin's visible units, a MAS those of her MAS scope."""
    return units_visible_to(user, roles=None if is_register_admin(user) else (Role.MAS,))


def delegations_visible_to(user) -> QuerySet[Delegation]:
    if not user.is_authenticated:
        return Delegation.objects.none()
    qs = scoped(Delegation.objects.all(), user)
    if not is_register_admin(user):
        person = person_of(user)
        q = Q(unit__in=visible_units_in(user))
        if person is not None:
            q |= Q(to_person=person) | Q(from_person=person)
        qs = qs.filter(q)
    return qs.select_related("from_person", "to_person", "unit").order_by("valid_to", "pk")


def routines_visible_to(user) -> QuerySet[Routine]:
    """The routine library: municipality-wide routines and those of the user's scope."""
    if not user.is_authenticated:
        return Routine.objects.none()
    qs = scoped(Routine.objects.filter(active=True), user)
    if not is_register_admin(user):
        scope = user_scope(user)
        visible = visible_units_in(user)
        units = Unit.objects.filter(pk__in=visible)
        qs = qs.filter(
            Q(scope=RoutineScope.MUNICIPALITY)
            | Q(unit__in=visible)
            | Q(provider_id__in=list(scope.provider_ids))
            | Q(board_id__in=list(scope.board_ids))
            | Q(region_id__in=list(scope.region_ids))
            | Q(board_id__in=units.values("board_id"))  # the board or region of a unit the user sees
            | Q(region_id__in=units.values("board__region_id"))
        )
    return qs.select_related("owner", "board", "unit", "provider", "region").order_by("next_revision", "pk")


def contract_list(*, user) -> QuerySet[Contract]:
    """Every contract of the user's municipality, for register admins (the view checks the permission)."""
    return (
        scoped(Contract.objects.all(), user)
        .select_related("provider", "managing_board", "purchasing_board", "successor")
        .annotate(unit_count=Count("units", distinct=True))
        .order_by("valid_to", "case_number")
    )


def followup_status(*, board, on: date) -> dict:
    """Counts for one board: planned, overdue, open findings, actions by state (for the command and reports)."""
    followups = FollowUp.objects.filter(board=board)
    actions = Action.objects.filter(finding__follow_up__board=board)
    by_state = {s: 0 for s in ActionState.values}
    for row in actions.values("state").annotate(n=Count("pk")):
        by_state[row["state"]] = row["n"]
    return {
        "board": board.code,
        "date": on.isoformat(),
        "planned": followups.filter(state__in=OPEN_FOLLOWUP_STATES, scheduled_date__gte=on).count(),
        "overdue": followups.filter(state__in=OPEN_FOLLOWUP_STATES, scheduled_date__lt=on).count(),
        "completed": followups.filter(state=FollowUpState.COMPLETED).count(),
        "open_findings": Finding.objects.filter(follow_up__board=board)
        .filter(Q(actions__isnull=True) | Q(actions__state__in=ACTION_UNFINISHED_STATES))
        .distinct()
        .count(),
        "actions_by_state": by_state,
        "actions_overdue": actions.filter(state__in=ACTION_UNFINISHED_STATES, deadline__lt=on).count(),
    }
