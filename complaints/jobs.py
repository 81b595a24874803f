"""Scheduled jobs: reminders before and after the deadlines of complaints and collaboration deviations.

The case workflows' one reminder engine (:class:`incidents.case_jobs.DeadlineReminders`: exactly once,
never starved, overdue first). Recipients come from the routing stored on each case.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from complaints.choices import CollaborationState, Direction
from complaints.models import (
    CollaborationDeviation,
    CollaborationReminder,
    Complaint,
    ComplaintReminder,
)
from complaints.workflow import COLLABORATION_OPEN_STATES, COMPLAINT_OPEN_STATES
from core.scheduling import Stage, TimeBudget, scheduled_job
from core.services import Notice
from core.users import active_users
from incidents.case_jobs import DeadlineReminders, deadline_notice, reroute_unclear


def _person_user(person):
    return person.user if person is not None and person.user_id is not None else None


def _complaint_recipients(c: Complaint) -> list:
    return active_users([_person_user(c.operations_manager), _person_user(c.mas_person), c.investigator])


def _collaboration_recipients(c: CollaborationDeviation) -> list:
    if c.direction == Direction.INCOMING and c.state == CollaborationState.FORWARDED:
        return active_users([_person_user(c.operations_manager), _person_user(c.mas_person)])
    return active_users([_person_user(c.mas_person), c.registered_by])


def _complaint_notice(c: Complaint, *, kind: str, recipients: list) -> Notice:
    texts = (
        _("Complaint %(reference)s about %(unit)s is due %(date)s"),
        _("Complaint %(reference)s about %(unit)s is overdue since %(date)s"),
    )
    return deadline_notice(
        c, kind=kind, recipients=recipients, prefix="complaint", texts=texts, values={"unit": c.unit.name}
    )


def _collaboration_notice(c: CollaborationDeviation, *, kind: str, recipients: list) -> Notice:
    texts = (
        _("Collaboration deviation %(reference)s (%(counterpart)s): reply due %(date)s"),
        _("Collaboration deviation %(reference)s (%(counterpart)s): reply overdue since %(date)s"),
    )
    return deadline_notice(
        c,
        kind=kind,
        recipients=recipients,
        prefix="collaboration",
        texts=texts,
        values={"counterpart": c.counterpart.name},
    )


def _told(recipients, notice):
    """A ``remind`` hook: each case's recipients and its notice."""

    def remind(cases: list, kind: str) -> list:
        told = []
        for case in cases:
            users = recipients(case)
            told.append((users, notice(case, kind=kind, recipients=users)))
        return told

    return remind


@scheduled_job("complaint_reminders", stage=Stage.REMIND)
def complaint_reminders(*, on: date, batch_size: int, budget: TimeBudget | None = None) -> dict[str, int]:
    """Remind before a complaint's deadline (confirm receipt, answer) and once when it has passed."""
    return DeadlineReminders(
        cases=Complaint.objects.filter(state__in=COMPLAINT_OPEN_STATES, due_at__isnull=False),
        reminder_model=ComplaintReminder,
        fk="complaint",
        remind=_told(_complaint_recipients, _complaint_notice),
        load=lambda qs: qs.select_related("unit", "operations_manager__user", "mas_person__user", "investigator"),
        days_field="complaint_reminder_days_before",
    ).run(on=on, batch_size=batch_size, budget=budget)


@scheduled_job("collaboration_reminders", stage=Stage.REMIND)
def collaboration_reminders(*, on: date, batch_size: int, budget: TimeBudget | None = None) -> dict[str, int]:
    """Remind before a reply is due (the counterpart's, or ours to it) and once when it has passed."""
    return DeadlineReminders(
        cases=CollaborationDeviation.objects.filter(state__in=COLLABORATION_OPEN_STATES, due_at__isnull=False),
        reminder_model=CollaborationReminder,
        fk="deviation",
        remind=_told(_collaboration_recipients, _collaboration_notice),
        load=lambda qs: qs.select_related(
            "counterpart", "operations_manager__user", "mas_person__user", "registered_by"
        ),
        days_field="complaint_reminder_days_before",
    ).run(on=on, batch_size=batch_size, budget=budget)


@scheduled_job("reroute_unclear_complaints", stage=Stage.UPDATE)
def reroute_unclear_complaints(*, on: date, batch_size: int) -> dict[str, int]:
    """Give open "Ansvar oklart" complaints and collaboration deviations to the MAS/MAR the register now resolves.

    Runs before the reminders, so that a re-routed case is reminded to its new owner.
    """
    from complaints.rerouting import collaboration_reroute, complaint_reroute

    return {
        "complaints": reroute_unclear(
            Complaint.objects.filter(state__in=COMPLAINT_OPEN_STATES),
            reason_field="mas_unclear_reason",
            reroute=lambda pk: complaint_reroute(complaint=Complaint(pk=pk)),
            batch_size=batch_size,
        ),
        "collaboration_deviations": reroute_unclear(
            CollaborationDeviation.objects.filter(state__in=COLLABORATION_OPEN_STATES),
            reason_field="mas_unclear_reason",
            reroute=lambda pk: collaboration_reroute(case=CollaborationDeviation(pk=pk)),
            batch_size=batch_size,
        ),
    }
