"""Scheduled jobs: reminders before and after the deadlines of complaints and collaboration deviations.

The deviation workflow's pattern (:mod:`incidents.jobs`): each pass selects
only cases without a reminder row for their current deadline (NOT EXISTS), in
bounded batches under a time budget; reminder rows (unique per case, state,
deadline and kind) and notifications (unique per recipient and key) are
written in bulk with ``ignore_conflicts``, so nothing is reminded twice.
Recipients come from the routing stored on each case.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from complaints.choices import CollaborationState, Direction
from complaints.models import (
    CollaborationDeviation,
    CollaborationReminder,
    Complaint,
    ComplaintReminder,
)
from complaints.workflow import COLLABORATION_OPEN_STATES, COMPLAINT_OPEN_STATES
from core.locking import lock_skip
from core.scheduling import Stage, TimeBudget, in_batches, scheduled_job
from core.services import Notice, notify_all
from core.users import active_users
from incidents.jobs import reminder_windows
from incidents.models import ReminderKind
from responsibility.models import Municipality


def _days_before() -> dict[int, int]:
    return dict(Municipality.objects.values_list("pk", "complaint_reminder_days_before"))


def _person_user(person):
    return person.user if person is not None and person.user_id is not None else None


def _complaint_recipients(c: Complaint) -> list:
    return active_users([_person_user(c.operations_manager), _person_user(c.mas_person), c.investigator])


def _collaboration_recipients(c: CollaborationDeviation) -> list:
    if c.direction == Direction.INCOMING and c.state == CollaborationState.FORWARDED:
        return active_users([_person_user(c.operations_manager), _person_user(c.mas_person)])
    return active_users([_person_user(c.mas_person), c.registered_by])


def _remind_batch(
    *,
    model,
    reminder_model,
    fk: str,
    open_states,
    related,
    recipients,
    notice,
    on: date,
    kind: str,
    days_before: dict[int, int],
    batch_size: int,
    counts: dict,
) -> int:
    reminded = Exists(
        reminder_model.objects.filter(
            **{fk: OuterRef("pk")}, state=OuterRef("state"), due_at=OuterRef("due_at"), kind=kind
        )
    )
    with transaction.atomic():
        cases = list(
            lock_skip(
                model.objects.filter(state__in=open_states, due_at__isnull=False)
                .filter(reminder_windows(on=on, kind=kind, days_before=days_before))
                .filter(~reminded)
                .order_by("due_at", "pk")
            ).select_related(*related)[:batch_size]
        )
        if not cases:
            return 0
        notices, records = [], []
        with translation.override(settings.LANGUAGE_CODE):
            for case in cases:
                users = recipients(case)
                notices.append(notice(case, kind=kind, recipients=users))
                records.append(
                    reminder_model(**{fk: case}, state=case.state, due_at=case.due_at, kind=kind, recipients=len(users))
                )
        reminder_model.objects.bulk_create(records, ignore_conflicts=True)
        counts[kind] += notify_all(notices=notices)
        counts["cases"] += len(cases)
    return len(cases)


def _run(*, batch_size: int, budget: TimeBudget | None, on: date, **spec) -> dict[str, int]:
    budget = budget or TimeBudget()
    days_before = _days_before()
    counts = {"cases": 0, ReminderKind.BEFORE: 0, ReminderKind.OVERDUE: 0, "batches": 0, "complete": 1}
    for kind in (ReminderKind.OVERDUE, ReminderKind.BEFORE):
        result = in_batches(
            lambda kind=kind: _remind_batch(
                on=on, kind=kind, days_before=days_before, batch_size=batch_size, counts=counts, **spec
            ),
            budget=budget,
        )
        counts["batches"] += result["batches"]
        if not result["complete"]:
            counts["complete"] = 0
            break
    return {str(k): v for k, v in counts.items()}


def _notice(case, *, kind: str, recipients: list, prefix: str, texts: tuple[str, str], values: dict) -> Notice:
    """The reminder of ``case``'s current deadline: "due" before it, "overdue" after; one key per deadline and kind."""
    due = timezone.localdate(case.due_at)
    values = {**values, "reference": case.reference, "date": due.isoformat()}
    subject = (texts[0] if kind == ReminderKind.BEFORE else texts[1]) % values
    return Notice(
        recipients=recipients,
        kind=f"{prefix}_reminder",
        subject=subject,
        link=case.get_absolute_url(),
        dedupe_key=f"{prefix}:{case.pk}:{case.state}:{due.isoformat()}:{kind}",
    )


def _complaint_notice(c: Complaint, *, kind: str, recipients: list) -> Notice:
    texts = (
        _("Complaint %(reference)s about %(unit)s is due %(date)s"),
        _("Complaint %(reference)s about %(unit)s is overdue since %(date)s"),
    )
    return _notice(c, kind=kind, recipients=recipients, prefix="complaint", texts=texts, values={"unit": c.unit.name})


def _collaboration_notice(c: CollaborationDeviation, *, kind: str, recipients: list) -> Notice:
    texts = (
        _("Collaboration deviation %(reference)s (%(counterpart)s): reply due %(date)s"),
        _("Collaboration deviation %(reference)s (%(counterpart)s): reply overdue since %(date)s"),
    )
    return _notice(
        c,
        kind=kind,
        recipients=recipients,
        prefix="collaboration",
        texts=texts,
        values={"counterpart": c.counterpart.name},
    )


@scheduled_job("complaint_reminders", stage=Stage.REMIND)
def complaint_reminders(*, on: date, batch_size: int, budget: TimeBudget | None = None) -> dict[str, int]:
    """Remind before a complaint's deadline (confirm receipt, answer) and once when it has passed."""
    return _run(
        on=on,
        batch_size=batch_size,
        budget=budget,
        model=Complaint,
        reminder_model=ComplaintReminder,
        fk="complaint",
        open_states=COMPLAINT_OPEN_STATES,
        recipients=_complaint_recipients,
        related=("unit", "operations_manager__user", "mas_person__user", "investigator"),
        notice=_complaint_notice,
    )


@scheduled_job("collaboration_reminders", stage=Stage.REMIND)
def collaboration_reminders(*, on: date, batch_size: int, budget: TimeBudget | None = None) -> dict[str, int]:
    """Remind before a reply is due (the counterpart's, or ours to it) and once when it has passed."""
    return _run(
        on=on,
        batch_size=batch_size,
        budget=budget,
        model=CollaborationDeviation,
        reminder_model=CollaborationReminder,
        fk="deviation",
        open_states=COLLABORATION_OPEN_STATES,
        recipients=_collaboration_recipients,
        notice=_collaboration_notice,
        related=("counterpart", "operations_manager__user", "mas_person__user", "registered_by"),
    )


@scheduled_job("reroute_unclear_complaints", stage=Stage.UPDATE)
def reroute_unclear_complaints(*, on: date, batch_size: int) -> dict[str, int]:
    """Give open "Ansvar oklart" complaints and collaboration deviations to the MAS/MAR the register now resolves.

    Runs before the reminders, so that a re-routed case is reminded to its new owner.
    """
    from complaints.rerouting import collaboration_reroute, complaint_reroute

    complaints = (
        Complaint.objects.filter(state__in=COMPLAINT_OPEN_STATES)
        .exclude(mas_unclear_reason="")
        .order_by("pk")
        .values_list("pk", flat=True)[:batch_size]
    )
    cases = (
        CollaborationDeviation.objects.filter(state__in=COLLABORATION_OPEN_STATES)
        .exclude(mas_unclear_reason="")
        .order_by("pk")
        .values_list("pk", flat=True)[:batch_size]
    )
    counts = {"complaints": 0, "collaboration_deviations": 0}
    for pk in list(complaints):
        counts["complaints"] += complaint_reroute(complaint=Complaint(pk=pk))
    for pk in list(cases):
        counts["collaboration_deviations"] += collaboration_reroute(case=CollaborationDeviation(pk=pk))
    return counts
