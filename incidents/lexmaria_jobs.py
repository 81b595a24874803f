"""Reminders before and after the deadline of each Lex Maria step (imported by incidents/jobs.py).

Idempotent: each reminder has a de-duplication key per case, step and kind,
so a second run (or a run on the next day) sends nothing twice.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from incidents.lexmaria import OPEN_STATES, Step, actors_for, next_step, users_of
from incidents.models import LexMariaCase
from masportal.jobs import scheduled_job
from masportal.services import notify
from responsibility.models import Municipality

# Reminders are looked for this many days ahead at most (the municipality's setting is usually smaller).
MAX_REMINDER_DAYS = 30


def _remind(case: LexMariaCase, *, kind: str) -> int:
    step = next_step(case)
    if step is None:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        label = str(Step(step).label)
        if kind == "before":
            subject = _("Lex Maria %(reference)s: “%(step)s” is due %(date)s") % {
                "reference": case.reference, "step": label, "date": timezone.localdate(case.due_at).isoformat()}
        else:
            subject = _("Lex Maria %(reference)s: “%(step)s” is overdue since %(date)s") % {
                "reference": case.reference, "step": label, "date": timezone.localdate(case.due_at).isoformat()}
    return notify(
        recipients=users_of(case, actors_for(case=case, step=step)),
        kind="lex_maria_reminder",
        subject=subject,
        link=case.get_absolute_url(),
        dedupe_key=f"lexmaria:{case.pk}:{step}:{kind}",
    )


@scheduled_job("lex_maria_reminders")
def lex_maria_reminders(*, on: date, batch_size: int) -> dict[str, int]:
    """Remind whoever takes the next step a few days before its deadline, and once when it is overdue."""
    before = {m.pk: m.reminder_days_before for m in Municipality.objects.only("reminder_days_before")}
    horizon = on + timedelta(days=min(max(before.values(), default=0), MAX_REMINDER_DAYS) + 1)
    cases = (
        LexMariaCase.objects.filter(state__in=OPEN_STATES, due_at__isnull=False, due_at__date__lt=horizon)
        .select_related("deviation", "reporter_person__user", "board_mas__user")
        .order_by("due_at", "pk")[:batch_size]
    )
    counts = {"cases": 0, "before": 0, "overdue": 0}
    for case in cases:
        counts["cases"] += 1
        due = timezone.localdate(case.due_at)
        if due < on:
            counts["overdue"] += _remind(case, kind="overdue")
        elif (due - on).days <= before.get(case.deviation.municipality_id, 0):
            counts["before"] += _remind(case, kind="before")
    return counts
