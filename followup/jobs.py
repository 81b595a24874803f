"""Scheduled jobs of follow-up (SPEC §6), run by ``run_scheduled_jobs`` and beat.

Every job is idempotent (a second run the same day creates and sends nothing:
unique constraints on FollowUp and Reminder, not check-then-insert), works in
batches of ``batch_size`` until done or out of its time budget (rows already
reminded are never selected again: NOT EXISTS; reminders are written in bulk)
and is safe with two workers at once (rows are locked with ``skip_locked`` on
PostgreSQL; the constraints are the backstop). ``followups_from_plans`` runs in
the CREATE stage, so a follow-up it creates is reminded about in the same run.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, prefetch_related_objects
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core.locking import lock_skip
from core.scheduling import Stage, TimeBudget, in_batches, scheduled_job
from followup.choices import ACTION_OPEN_STATES, FOLLOWUP_OPEN_STATES, ReminderKind
from followup.models import Action, Delegation, FollowUp, FollowUpPlan, Reminder, Routine
from followup.services import ReminderItem, followups_from_plan, reminders_send
from responsibility import checks
from responsibility.choices import Role
from responsibility.models import Assignment, Contract, Municipality
from responsibility.resolver import build_index


def _reminded(kind: str, due_field: str) -> Exists:
    return Exists(Reminder.objects.filter(kind=kind, object_id=OuterRef("pk"), due_date=OuterRef(due_field)))


def _remind_in_batches(qs, *, due_field: str, on: date, batch_size: int, budget: TimeBudget, make) -> int:
    """Walk ``qs`` (not yet reminded) in batches by deadline, ``make(rows)`` the reminders; return how many were new.

    The walk continues after the last row of the previous batch, so a row that could not be reminded (no
    one with a login) never holds up the rows behind it.
    """
    sent = 0
    last: tuple | None = None

    def step() -> int:
        nonlocal sent, last
        with transaction.atomic():
            page = qs
            if last is not None:
                page = page.filter(Q(**{f"{due_field}__gt": last[0]}) | Q(**{due_field: last[0], "pk__gt": last[1]}))
            rows = list(lock_skip(page.order_by(due_field, "pk"))[:batch_size])
            if not rows:
                return 0
            last = (getattr(rows[-1], due_field), rows[-1].pk)
            sent += reminders_send(items=make(rows), on=on)
            return len(rows)

    in_batches(step, budget=budget)
    return sent


def _admins():
    User = get_user_model()
    return list(
        User.objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(user_permissions__codename="change_unit")
            | Q(groups__permissions__codename="change_unit")
        )
        .distinct()
    )


def _board_officials(board_ids: set[int], on: date) -> dict[int, list]:
    result: dict[int, list] = {}
    rows = (
        Assignment.objects.active_on(on)
        .filter(role=Role.BOARD_OFFICIAL, board_id__in=board_ids, person__user__isnull=False)
        .select_related("person__user")
    )
    for a in rows:
        result.setdefault(a.board_id, []).append(a.person.user)
    return result


@scheduled_job("followups_from_plans", stage=Stage.CREATE)
def followups_from_plans(*, on: date, batch_size: int) -> dict[str, int]:
    """Create the follow-ups that plans make due, each exactly once."""
    created = plans = 0
    plan_ids = list(
        FollowUpPlan.objects.filter(active=True, starts_on__lte=on + timedelta(days=366))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on - timedelta(days=366)))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in plan_ids:
        if created >= batch_size:
            break
        with transaction.atomic():
            # Wait for (never skip) a plan another worker holds: its run may be for another date, and a
            # skipped plan would lose this date's occurrences. Creation is idempotent (unique per unit and
            # period, conflicts ignored), so the second worker creates only what is still missing.
            plan = (
                FollowUpPlan.objects.select_for_update(of=("self",))
                .select_related("contract", "unit__board")
                .filter(pk=pk)
                .first()
            )
            if plan is None:
                continue
            created += followups_from_plan(plan=plan, on=on, limit=batch_size - created)
            plans += 1
    return {"plans": plans, "created": created}


@scheduled_job("followup_reminders", stage=Stage.REMIND, after=("followups_from_plans",))
def followup_reminders(*, on: date, batch_size: int, budget: TimeBudget | None = None) -> dict[str, int]:
    """Remind the auditor before a follow-up's date and once when it is overdue."""
    budget = budget or TimeBudget()
    sent = 0
    with translation.override("sv"):
        for municipality in Municipality.objects.all():
            days = municipality.followup_remind_days
            base = FollowUp.objects.filter(
                municipality=municipality, state__in=FOLLOWUP_OPEN_STATES, auditor__user__isnull=False
            ).select_related("auditor__user")
            passes = [
                (
                    ReminderKind.FOLLOWUP_OVERDUE,
                    base.filter(scheduled_date__lt=on),
                    _("A follow-up planned for %(date)s is overdue"),
                ),
                (
                    ReminderKind.FOLLOWUP_DUE,
                    base.filter(scheduled_date__gte=on, scheduled_date__lte=on + timedelta(days=days)),
                    _("A follow-up is due on %(date)s"),
                ),
            ]
            for kind, qs, subject in passes:
                sent += _remind_in_batches(
                    qs.filter(~_reminded(kind, "scheduled_date")),
                    due_field="scheduled_date",
                    on=on,
                    batch_size=batch_size,
                    budget=budget,
                    make=lambda rows, kind=kind, subject=subject: [
                        ReminderItem(
                            kind=kind,
                            object_id=fu.pk,
                            due_date=fu.scheduled_date,
                            recipients=[fu.auditor.user],
                            subject=subject % {"date": fu.scheduled_date.isoformat()},
                            link=reverse("followup:followup_detail", args=[fu.pk]),
                        )
                        for fu in rows
                    ],
                )
    return {"sent": sent}


@scheduled_job("action_reminders", stage=Stage.REMIND, after=("followups_from_plans",))
def action_reminders(*, on: date, batch_size: int, budget: TimeBudget | None = None) -> dict[str, int]:
    """Remind owners before the deadline; when overdue tell the owner, then escalate to manager and board.

    Escalation: ``escalate_after_days`` after the deadline to the unit's
    verksamhetschef (from the resolver; the board official when the owner is
    the verksamhetschef or there is none), twice that to the board official.
    """
    budget = budget or TimeBudget()
    counts = {"due": 0, "overdue": 0, "escalated": 0, "escalated_board": 0}
    with translation.override("sv"):
        for municipality in Municipality.objects.all():
            remind = municipality.reminder_days_before
            escalate = municipality.escalate_after_days
            base = Action.objects.filter(
                finding__follow_up__municipality=municipality, state__in=ACTION_OPEN_STATES
            ).select_related(
                "owner__user", "finding__follow_up__unit__board__region", "finding__follow_up__unit__provider"
            )
            passes = [
                ("overdue", ReminderKind.ACTION_OVERDUE, base.filter(deadline__lt=on)),
                ("escalated", ReminderKind.ACTION_ESCALATED, base.filter(deadline__lte=on - timedelta(days=escalate))),
                (
                    "escalated_board",
                    ReminderKind.ACTION_ESCALATED_BOARD,
                    base.filter(deadline__lte=on - timedelta(days=2 * escalate)),
                ),
                (
                    "due",
                    ReminderKind.ACTION_DUE,
                    base.filter(deadline__gte=on, deadline__lte=on + timedelta(days=remind)),
                ),
            ]
            for key, kind, qs in passes:
                counts[key] += _remind_in_batches(
                    qs.filter(~_reminded(kind, "deadline")),
                    due_field="deadline",
                    on=on,
                    batch_size=batch_size,
                    budget=budget,
                    make=lambda rows, kind=kind: _action_items(kind, rows, on),
                )
    return counts


def _action_items(kind: str, actions: list[Action], on: date) -> list[ReminderItem]:
    """The reminders of one batch of actions (the verksamhetschef resolved for the batch in one index)."""
    units = [a.finding.follow_up.unit for a in actions if a.finding.follow_up.unit_id]
    managers = {}
    if kind == ReminderKind.ACTION_ESCALATED and units:
        index = build_index(units=units, on=on)
        managers = {u.pk: index.resolve(u, Role.OPERATIONS_MANAGER).holder for u in units}
        # the verksamhetschefer's logins in one query, not one per action
        prefetch_related_objects([p for p in managers.values() if p is not None and p.user_id], "user")
    officials = _board_officials({a.finding.follow_up.board_id for a in actions}, on)
    return [
        ReminderItem(
            kind=kind,
            object_id=action.pk,
            due_date=action.deadline,
            recipients=_action_recipients(kind, action, managers, officials),
            subject=_action_subject(kind, action),
            link=reverse("followup:action_detail", args=[action.pk]),
        )
        for action in actions
    ]


def _action_recipients(kind: str, action: Action, managers: dict, officials: dict[int, list]) -> list:
    owner_user = action.owner.user
    board_users = officials.get(action.finding.follow_up.board_id, [])
    if kind in (ReminderKind.ACTION_DUE, ReminderKind.ACTION_OVERDUE):
        return [owner_user]
    if kind == ReminderKind.ACTION_ESCALATED:
        manager = managers.get(action.finding.follow_up.unit_id)
        if manager is not None and manager.pk != action.owner_id and manager.user_id:
            return [manager.user]
        return board_users
    return board_users


def _action_subject(kind: str, action: Action) -> str:
    params = {"date": action.deadline.isoformat()}
    return {
        ReminderKind.ACTION_DUE: _("An action from a follow-up is due on %(date)s"),
        ReminderKind.ACTION_OVERDUE: _("An action from a follow-up was due on %(date)s and is not done"),
        ReminderKind.ACTION_ESCALATED: _("Escalated: an action due on %(date)s is overdue"),
        ReminderKind.ACTION_ESCALATED_BOARD: _("Escalated to the board: an action due on %(date)s is overdue"),
    }[kind] % params


@scheduled_job("delegations_expiring", stage=Stage.REMIND)
def delegations_expiring(*, on: date, batch_size: int, budget: TimeBudget | None = None) -> dict[str, int]:
    """Tell the delegating and the delegated person when a delegation expires within the warning days."""
    budget = budget or TimeBudget()
    sent = 0
    kind = ReminderKind.DELEGATION_EXPIRING
    with translation.override("sv"):
        for municipality in Municipality.objects.all():
            qs = (
                Delegation.objects.active_on(on)
                .filter(
                    municipality=municipality,
                    revoked_at__isnull=True,
                    valid_to__lte=on + timedelta(days=municipality.delegation_warning_days),
                )
                .filter(~_reminded(kind, "valid_to"))
                .select_related("from_person__user", "to_person__user", "unit")
            )
            sent += _remind_in_batches(
                qs,
                due_field="valid_to",
                on=on,
                batch_size=batch_size,
                budget=budget,
                make=lambda rows: [
                    ReminderItem(
                        kind=kind,
                        object_id=d.pk,
                        due_date=d.valid_to,
                        recipients=[d.from_person.user, d.to_person.user],
                        subject=_("A delegation at %(unit)s expires on %(date)s")
                        % {"unit": d.unit.name, "date": d.valid_to.isoformat()},
                        link=reverse("followup:delegation_list"),
                    )
                    for d in rows
                ],
            )
    return {"sent": sent}


@scheduled_job("routines_due_for_revision", stage=Stage.REMIND)
def routines_due_for_revision(*, on: date, batch_size: int, budget: TimeBudget | None = None) -> dict[str, int]:
    """Remind a routine's owner when its revision date is near or passed."""
    budget = budget or TimeBudget()
    sent = 0
    kind = ReminderKind.ROUTINE_REVISION
    with translation.override("sv"):
        for municipality in Municipality.objects.all():
            days = municipality.routine_warning_days
            qs = (
                Routine.objects.filter(
                    municipality=municipality, active=True, next_revision__lte=on + timedelta(days=days)
                )
                .filter(~_reminded(kind, "next_revision"))
                .select_related("owner__user")
            )
            sent += _remind_in_batches(
                qs,
                due_field="next_revision",
                on=on,
                batch_size=batch_size,
                budget=budget,
                make=lambda rows: [
                    ReminderItem(
                        kind=kind,
                        object_id=r.pk,
                        due_date=r.next_revision,
                        recipients=[r.owner.user],
                        subject=_("The routine “%(title)s” is due for revision on %(date)s")
                        % {"title": r.title, "date": r.next_revision.isoformat()},
                        link=reverse("followup:routine_list"),
                    )
                    for r in rows
                ],
            )
    return {"sent": sent}


@scheduled_job("assignments_without_successor", stage=Stage.REMIND)
def assignments_without_successor(*, on: date, batch_size: int, budget: TimeBudget | None = None) -> dict[str, int]:
    """Warn the holder and the register admins when a statutory assignment ends soon with no successor (R10)."""
    budget = budget or TimeBudget()
    sent = 0
    kind = ReminderKind.ASSIGNMENT_NO_SUCCESSOR
    admins: list = []

    def items(rows):
        if not admins:
            admins.extend(_admins())
        return [
            ReminderItem(
                kind=kind,
                object_id=a.pk,
                due_date=a.valid_to,
                recipients=[a.person.user, *admins],
                subject=_("An assignment as %(role)s ends on %(date)s without a successor")
                % {"role": a.get_role_display(), "date": a.valid_to.isoformat()},
                link=reverse("responsibility:matrix"),
            )
            for a in rows
        ]

    with translation.override("sv"):
        for municipality in Municipality.objects.all():
            # The one R10 rule (responsibility.checks), as the check and the dashboard apply it.
            ending = [a.pk for a in checks.assignments_without_successor(municipality=municipality, on=on)]
            qs = (
                Assignment.objects.filter(pk__in=ending)
                .filter(~_reminded(kind, "valid_to"))
                .select_related("person__user")
            )
            sent += _remind_in_batches(
                qs, due_field="valid_to", on=on, batch_size=batch_size, budget=budget, make=items
            )
    return {"sent": sent}


@scheduled_job("contracts_without_successor", stage=Stage.REMIND)
def contracts_without_successor(*, on: date, batch_size: int, budget: TimeBudget | None = None) -> dict[str, int]:
    """Warn admins and the boards' officials when a contract ends soon without a successor contract."""
    budget = budget or TimeBudget()
    sent = 0
    kind = ReminderKind.CONTRACT_NO_SUCCESSOR
    admins: list = []

    def items(contracts):
        if not admins:
            admins.extend(_admins())
        officials = _board_officials(
            {c.managing_board_id for c in contracts} | {c.purchasing_board_id for c in contracts}, on
        )
        return [
            ReminderItem(
                kind=kind,
                object_id=c.pk,
                due_date=c.valid_to,
                recipients=[
                    *admins,
                    *officials.get(c.managing_board_id, []),
                    *officials.get(c.purchasing_board_id, []),
                ],
                subject=_("The contract %(case)s ends on %(date)s without a successor")
                % {"case": c.case_number, "date": c.valid_to.isoformat()},
                link=reverse("followup:contract_detail", args=[c.pk]),
            )
            for c in contracts
        ]

    with translation.override("sv"):
        for municipality in Municipality.objects.all():
            days = municipality.contract_warning_days
            qs = Contract.objects.filter(
                municipality=municipality,
                successor__isnull=True,
                valid_to__gte=on,
                valid_to__lte=on + timedelta(days=days),
            ).filter(~_reminded(kind, "valid_to"))
            sent += _remind_in_batches(
                qs, due_field="valid_to", on=on, batch_size=batch_size, budget=budget, make=items
            )
    return {"sent": sent}


__all__ = [
    "action_reminders",
    "assignments_without_successor",
    "contracts_without_successor",
    "delegations_expiring",
    "followup_reminders",
    "followups_from_plans",
    "routines_due_for_revision",
]
