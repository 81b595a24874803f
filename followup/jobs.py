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

from collections import defaultdict
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
from followup.plans import followups_from_plan, plans_missing_followups
from followup.services import ReminderItem, reminders_send
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


def _in_own_window(field: str, window, municipalities: list[Municipality]) -> Q:
    """Rows of every municipality (``field`` names a row's municipality), each within the date window of its
    own municipality's settings: ``window(municipality)`` gives the lookups; one clause per distinct window."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for municipality in municipalities:
        groups[tuple(sorted(window(municipality).items()))].append(municipality.pk)
    q = Q(pk__in=[])
    for lookups, ids in groups.items():
        q |= Q(**{f"{field}__in": ids}, **dict(lookups))
    return q


def _remind_each_municipality(
    passes, *, due_field: str, make, on: date, batch_size: int, budget, municipality_field: str = "municipality"
) -> dict[str, int]:
    """For each pass ``(key, kind, rows, window)``: remind the ``rows`` (all municipalities at once) not yet
    reminded of ``kind`` for their ``due_field`` date, each within ``window(municipality)`` of its own
    municipality (``None``: no window; ``make(kind, batch)`` writes the reminders); return the new
    notifications per key. The statements do not grow with the municipalities or the rows."""
    counts = dict.fromkeys((key for key, _kind, _rows, _window in passes), 0)
    municipalities = list(Municipality.objects.all())
    with translation.override("sv"):
        for key, kind, rows, window in passes:
            if window is not None:
                rows = rows.filter(_in_own_window(municipality_field, window, municipalities))
            counts[key] += _remind_in_batches(
                rows.filter(~_reminded(kind, due_field)),
                due_field=due_field,
                on=on,
                batch_size=batch_size,
                budget=budget,
                make=lambda batch, kind=kind: make(kind, batch),
            )
    return counts


def _items(kind: str, rows, *, due_field: str, recipients, subject, link) -> list[ReminderItem]:
    """One reminder per row: its ``due_field`` date, ``recipients(row)``, ``subject(row)``, ``link(row)``."""
    return [
        ReminderItem(
            kind=kind,
            object_id=row.pk,
            due_date=getattr(row, due_field),
            recipients=recipients(row),
            subject=subject(row),
            link=link(row),
        )
        for row in rows
    ]


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


def _memo(read):
    """``read()`` once, when first needed (an empty answer is read again)."""
    value: list = []

    def get() -> list:
        if not value:
            value.extend(read())
        return value

    return get


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
    """Create the follow-ups that plans make due, each exactly once.

    Which plans have a follow-up to create is read for all plans at once; only those are locked.
    Counts: ``plans`` checked, ``due`` (plans locked to create), ``created``.
    """
    created = locked = 0
    checked, missing = plans_missing_followups(on=on)
    for pk in missing:
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
            locked += 1
    return {"plans": checked, "due": locked, "created": created}


@scheduled_job("followup_reminders", stage=Stage.REMIND, after=("followups_from_plans",))
def followup_reminders(*, on: date, batch_size: int, budget: TimeBudget | None = None) -> dict[str, int]:
    """Remind the auditor before a follow-up's date and once when it is overdue."""

    rows = FollowUp.objects.filter(state__in=FOLLOWUP_OPEN_STATES, auditor__user__isnull=False).select_related(
        "auditor__user"
    )

    def subject(kind: str, fu: FollowUp) -> str:
        if kind == ReminderKind.FOLLOWUP_OVERDUE:
            return _("A follow-up planned for %(date)s is overdue") % {"date": fu.scheduled_date.isoformat()}
        return _("A follow-up is due on %(date)s") % {"date": fu.scheduled_date.isoformat()}

    counts = _remind_each_municipality(
        [
            ("overdue", ReminderKind.FOLLOWUP_OVERDUE, rows.filter(scheduled_date__lt=on), None),
            (
                "due",
                ReminderKind.FOLLOWUP_DUE,
                rows.filter(scheduled_date__gte=on),
                lambda m: {"scheduled_date__lte": on + timedelta(days=m.followup_remind_days)},
            ),
        ],
        due_field="scheduled_date",
        make=lambda kind, batch: _items(
            kind,
            batch,
            due_field="scheduled_date",
            recipients=lambda fu: [fu.auditor.user],
            subject=lambda fu: subject(kind, fu),
            link=lambda fu: reverse("followup:followup_detail", args=[fu.pk]),
        ),
        on=on,
        batch_size=batch_size,
        budget=budget or TimeBudget(),
    )
    return {"sent": sum(counts.values())}


@scheduled_job("action_reminders", stage=Stage.REMIND, after=("followups_from_plans",))
def action_reminders(*, on: date, batch_size: int, budget: TimeBudget | None = None) -> dict[str, int]:
    """Remind owners before the deadline; when overdue tell the owner, then escalate to manager and board.

    Escalation: ``escalate_after_days`` after the deadline to the unit's
    verksamhetschef (from the resolver; the board official when the owner is
    the verksamhetschef or there is none), twice that to the board official.
    """

    rows = Action.objects.filter(state__in=ACTION_OPEN_STATES).select_related(
        "owner__user", "finding__follow_up__unit__board__region", "finding__follow_up__unit__provider"
    )

    return _remind_each_municipality(
        [
            ("overdue", ReminderKind.ACTION_OVERDUE, rows.filter(deadline__lt=on), None),
            (
                "escalated",
                ReminderKind.ACTION_ESCALATED,
                rows,
                lambda m: {"deadline__lte": on - timedelta(days=m.escalate_after_days)},
            ),
            (
                "escalated_board",
                ReminderKind.ACTION_ESCALATED_BOARD,
                rows,
                lambda m: {"deadline__lte": on - timedelta(days=2 * m.escalate_after_days)},
            ),
            (
                "due",
                ReminderKind.ACTION_DUE,
                rows.filter(deadline__gte=on),
                lambda m: {"deadline__lte": on + timedelta(days=m.reminder_days_before)},
            ),
        ],
        due_field="deadline",
        municipality_field="finding__follow_up__municipality",
        make=lambda kind, batch: _action_items(kind, batch, on),
        on=on,
        batch_size=batch_size,
        budget=budget or TimeBudget(),
    )


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
    counts = _remind_each_municipality(
        [
            (
                "sent",
                ReminderKind.DELEGATION_EXPIRING,
                Delegation.objects.active_on(on)
                .filter(revoked_at__isnull=True)
                .select_related("from_person__user", "to_person__user", "unit"),
                lambda m: {"valid_to__lte": on + timedelta(days=m.delegation_warning_days)},
            )
        ],
        due_field="valid_to",
        make=lambda kind, batch: _items(
            kind,
            batch,
            due_field="valid_to",
            recipients=lambda d: [d.from_person.user, d.to_person.user],
            subject=lambda d: (
                _("A delegation at %(unit)s expires on %(date)s")
                % {"unit": d.unit.name, "date": d.valid_to.isoformat()}
            ),
            link=lambda d: reverse("followup:delegation_list"),
        ),
        on=on,
        batch_size=batch_size,
        budget=budget or TimeBudget(),
    )
    return counts


@scheduled_job("routines_due_for_revision", stage=Stage.REMIND)
def routines_due_for_revision(*, on: date, batch_size: int, budget: TimeBudget | None = None) -> dict[str, int]:
    """Remind a routine's owner when its revision date is near or passed."""
    return _remind_each_municipality(
        [
            (
                "sent",
                ReminderKind.ROUTINE_REVISION,
                Routine.objects.filter(active=True).select_related("owner__user"),
                lambda m: {"next_revision__lte": on + timedelta(days=m.routine_warning_days)},
            )
        ],
        due_field="next_revision",
        make=lambda kind, batch: _items(
            kind,
            batch,
            due_field="next_revision",
            recipients=lambda r: [r.owner.user],
            subject=lambda r: (
                _("The routine “%(title)s” is due for revision on %(date)s")
                % {"title": r.title, "date": r.next_revision.isoformat()}
            ),
            link=lambda r: reverse("followup:routine_list"),
        ),
        on=on,
        batch_size=batch_size,
        budget=budget or TimeBudget(),
    )


@scheduled_job("assignments_without_successor", stage=Stage.REMIND)
def assignments_without_successor(*, on: date, batch_size: int, budget: TimeBudget | None = None) -> dict[str, int]:
    """Warn the holder and the register admins when a statutory assignment ends soon with no successor (R10)."""
    admins = _memo(_admins)

    # The one R10 rule (responsibility.checks), as the check and the dashboard apply it, in every municipality.
    pks = [a.pk for a in checks.assignments_without_successor_in(municipalities=Municipality.objects.all(), on=on)]
    ending = Assignment.objects.filter(pk__in=pks).select_related("person__user")

    return _remind_each_municipality(
        [("sent", ReminderKind.ASSIGNMENT_NO_SUCCESSOR, ending, None)],
        due_field="valid_to",
        make=lambda kind, batch: _items(
            kind,
            batch,
            due_field="valid_to",
            recipients=lambda a: [a.person.user, *admins()],
            subject=lambda a: (
                _("An assignment as %(role)s ends on %(date)s without a successor")
                % {"role": a.get_role_display(), "date": a.valid_to.isoformat()}
            ),
            link=lambda a: reverse("responsibility:matrix"),
        ),
        on=on,
        batch_size=batch_size,
        budget=budget or TimeBudget(),
    )


@scheduled_job("contracts_without_successor", stage=Stage.REMIND)
def contracts_without_successor(*, on: date, batch_size: int, budget: TimeBudget | None = None) -> dict[str, int]:
    """Warn admins and the boards' officials when a contract ends soon without a successor contract."""
    admins = _memo(_admins)

    def make(kind: str, contracts: list) -> list[ReminderItem]:
        officials = _board_officials(
            {c.managing_board_id for c in contracts} | {c.purchasing_board_id for c in contracts}, on
        )
        return _items(
            kind,
            contracts,
            due_field="valid_to",
            recipients=lambda c: [
                *admins(),
                *officials.get(c.managing_board_id, []),
                *officials.get(c.purchasing_board_id, []),
            ],
            subject=lambda c: (
                _("The contract %(case)s ends on %(date)s without a successor")
                % {"case": c.case_number, "date": c.valid_to.isoformat()}
            ),
            link=lambda c: reverse("followup:contract_detail", args=[c.pk]),
        )

    return _remind_each_municipality(
        [
            (
                "sent",
                ReminderKind.CONTRACT_NO_SUCCESSOR,
                Contract.objects.filter(successor__isnull=True, valid_to__gte=on),
                lambda m: {"valid_to__lte": on + timedelta(days=m.contract_warning_days)},
            )
        ],
        due_field="valid_to",
        make=make,
        on=on,
        batch_size=batch_size,
        budget=budget or TimeBudget(),
    )


__all__ = [
    "action_reminders",
    "assignments_without_successor",
    "contracts_without_successor",
    "delegations_expiring",
    "followup_reminders",
    "followups_from_plans",
    "routines_due_for_revision",
]
