"""Scheduled jobs of the deviation workflow: deadline reminders and delivery of the notification outbox.

Idempotent: each reminder has a de-duplication key per deviation, state,
deadline and kind, so a second run (or one the next day) sends nothing twice;
delivery sends each pending notification once.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from incidents import lexmaria_jobs  # noqa: F401 - registers the Lex Maria reminders
from incidents.models import Deviation, DeviationState
from incidents.routing import route
from incidents.services import OPEN_STATES, owner_users
from masportal.jobs import scheduled_job
from masportal.services import deliver_pending_notifications, notify
from responsibility.models import Municipality

MAX_REMINDER_DAYS = 30


def _recipients(deviation: Deviation) -> list:
    """Whoever's move it is: the MAS/MAR (or the fallback owner) while awaiting assessment, else the
    investigator and the managers."""
    if deviation.state == DeviationState.AWAITING_MAS:
        people = []
        users = owner_users(deviation)
    else:
        people = list(route(deviation=deviation).managers)
        users = [deviation.investigator] if deviation.investigator_id else []
    users += [p.user for p in people if p is not None and p.user_id]
    return [u for u in {u.pk: u for u in users}.values() if u.is_active]


def _remind(deviation: Deviation, *, kind: str) -> int:
    due = timezone.localdate(deviation.due_at)
    values = {"reference": deviation.reference, "unit": deviation.unit.name, "date": due.isoformat()}
    with translation.override(settings.LANGUAGE_CODE):
        if kind == "before":
            subject = _("Deviation %(reference)s at %(unit)s is due %(date)s") % values
        else:
            subject = _("Deviation %(reference)s at %(unit)s is overdue since %(date)s") % values
    return notify(
        recipients=_recipients(deviation), kind="deviation_reminder", subject=subject,
        link=deviation.get_absolute_url(),
        dedupe_key=f"deviation:{deviation.pk}:{deviation.state}:{due.isoformat()}:{kind}",
    )


@scheduled_job("deviation_reminders")
def deviation_reminders(*, on: date, batch_size: int) -> dict[str, int]:
    """Remind a few days before each deadline (the municipality's setting) and once when it has passed."""
    before = {m.pk: m.reminder_days_before for m in Municipality.objects.only("reminder_days_before")}
    horizon = on + timedelta(days=min(max(before.values(), default=0), MAX_REMINDER_DAYS) + 1)
    deviations = (
        Deviation.objects.filter(state__in=OPEN_STATES, due_at__isnull=False, due_at__date__lt=horizon)
        .select_related("unit", "category", "municipality", "investigator", "mas_person__user")
        .order_by("due_at", "pk")[:batch_size]
    )
    counts = {"deviations": 0, "before": 0, "overdue": 0}
    for deviation in deviations:
        counts["deviations"] += 1
        due = timezone.localdate(deviation.due_at)
        if due < on:
            counts["overdue"] += _remind(deviation, kind="overdue")
        elif (due - on).days <= before.get(deviation.municipality_id, 0):
            counts["before"] += _remind(deviation, kind="before")
    return counts


@scheduled_job("deliver_notifications")
def deliver_notifications(*, on: date, batch_size: int) -> dict[str, int]:
    """Send the e-mail of notifications still pending (e.g. written while the broker was down)."""
    return deliver_pending_notifications(batch_size=batch_size)


@scheduled_job("reroute_unclear_cases")
def reroute_unclear_cases(*, on: date, batch_size: int) -> dict[str, int]:
    """Re-route open "Ansvar oklart" deviations and Lex Maria cases once the register resolves (SPEC §3)."""
    from incidents.lexmaria import OPEN_STATES as LEX_MARIA_OPEN
    from incidents.lexmaria import lex_maria_reroute
    from incidents.models import LexMariaCase
    from incidents.services import deviation_reroute

    deviations = (Deviation.objects.filter(state__in=OPEN_STATES).exclude(mas_unclear_reason="")
                  .order_by("pk").values_list("pk", flat=True)[:batch_size])
    cases = (LexMariaCase.objects.filter(state__in=LEX_MARIA_OPEN).exclude(owner_unclear_reason="")
             .order_by("pk").values_list("pk", flat=True)[:batch_size])
    counts = {"deviations": 0, "lex_maria_cases": 0}
    for pk in deviations:
        counts["deviations"] += deviation_reroute(deviation=Deviation(pk=pk))
    for pk in cases:
        counts["lex_maria_cases"] += lex_maria_reroute(case=LexMariaCase(pk=pk))
    return counts
