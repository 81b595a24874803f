"""What the case workflows' scheduled jobs share: deadline reminders and re-routing "Ansvar oklart" cases.

Deviations, Lex Maria cases, complaints and collaboration deviations are reminded the same way: exactly
once and never starved. Each pass selects only cases without a reminder row for their current deadline
(NOT EXISTS), in bounded batches until none is left or the time budget is spent, overdue deadlines first;
the reminder rows (unique per case, state, deadline and kind) and the notifications (unique per recipient
and key) are written in bulk with ``ignore_conflicts``, so a second run — or a second worker — sends
nothing twice. Each workflow says only which cases, who is told and what the notice says
(:class:`DeadlineReminders`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation

from core.locking import lock_skip
from core.scheduling import TimeBudget, in_batches
from core.services import Notice, notify_all
from incidents.models import ReminderKind
from responsibility.models import Municipality

# Reminders are looked for this many days ahead at most (the municipality's setting is usually smaller).
MAX_REMINDER_DAYS = 30


def day_start(on: date) -> datetime:
    """Midnight at the start of ``on`` in the portal's time zone (deadlines are compared by local date)."""
    return timezone.make_aware(datetime.combine(on, time.min))


def reminder_windows(*, on: date, kind: str, days_before: dict[int, int], field: str = "municipality_id") -> Q:
    """Deadlines a ``kind`` reminder is due for on ``on``: passed before today, or within each municipality's days.

    ``field`` names the row's municipality (``deviation__municipality_id`` for a Lex Maria case).
    """
    today = day_start(on)
    if kind == ReminderKind.OVERDUE:
        return Q(due_at__lt=today)
    window = Q(pk__in=[])
    for municipality_id, days in days_before.items():
        end = day_start(on + timedelta(days=min(days, MAX_REMINDER_DAYS) + 1))
        window |= Q(**{field: municipality_id}, due_at__gte=today, due_at__lt=end)
    return window


def deadline_notice(
    case, *, kind: str, recipients: list, prefix: str, texts: tuple[str, str], values: dict, key: str | None = None
) -> Notice:
    """The reminder of ``case``'s current deadline: ``texts[0]`` before it, ``texts[1]`` after.

    The notification kind is ``<prefix>_reminder``; its key (one per case, state, deadline and kind unless
    ``key`` is given) makes a second notice of the same deadline a no-op.
    """
    due = timezone.localdate(case.due_at)
    values = {**values, "reference": case.reference, "date": due.isoformat()}
    return Notice(
        recipients=recipients,
        kind=f"{prefix}_reminder",
        subject=(texts[0] if kind == ReminderKind.BEFORE else texts[1]) % values,
        link=case.get_absolute_url(),
        dedupe_key=key or f"{prefix}:{case.pk}:{case.state}:{due.isoformat()}:{kind}",
    )


# What a workflow says about one batch: for each case (in order) who is told and the notice (None: no notice).
Remind = Callable[[list, str], Sequence[tuple[list, Notice | None]]]


@dataclass(frozen=True)
class DeadlineReminders:
    """One workflow's reminders before and after its cases' deadlines.

    - ``cases``: the open cases with a deadline;
    - ``reminder_model`` and ``fk``: the reminder row and its field naming the case;
    - ``remind(cases, kind)``: per case, the users told and the notice (run in the portal's language);
    - ``load(queryset)``: the related rows to read with a batch (after the lock, by primary key);
    - ``municipality_field``: the case's municipality; ``days_field``: the municipality's days before;
    - ``count_key``: the name of the cases count in the job's result.
    """

    cases: models.QuerySet
    reminder_model: type[models.Model]
    fk: str
    remind: Remind
    load: Callable[[models.QuerySet], models.QuerySet] = lambda qs: qs
    municipality_field: str = "municipality_id"
    days_field: str = "reminder_days_before"
    count_key: str = "cases"

    def reminded(self, kind: str) -> Exists:
        """Whether the case has been reminded of ``kind`` for its current state and deadline."""
        return Exists(
            self.reminder_model.objects.filter(
                **{self.fk: OuterRef("pk")}, state=OuterRef("state"), due_at=OuterRef("due_at"), kind=kind
            )
        )

    def batch(self, *, on: date, kind: str, days_before: dict[int, int], batch_size: int, counts: dict) -> int:
        """Remind one batch of cases not yet reminded for their deadline; return how many were taken."""
        window = reminder_windows(on=on, kind=kind, days_before=days_before, field=self.municipality_field)
        with transaction.atomic():
            # The batch is chosen (and locked) on the cases' own columns; what the notices need is read for
            # the batch only. Joined before the NOT EXISTS, every open case past its deadline — reminded long
            # ago or not — would be joined each run.
            pks = list(
                lock_skip(self.cases.filter(window).filter(~self.reminded(kind)).order_by("due_at", "pk")).values_list(
                    "pk", flat=True
                )[:batch_size]
            )
            if not pks:
                return 0
            cases = list(self.load(self.cases.filter(pk__in=pks).order_by("due_at", "pk")))
            with translation.override(settings.LANGUAGE_CODE):
                told = list(self.remind(cases, kind))
            records = [
                self.reminder_model(
                    **{self.fk: case}, state=case.state, due_at=case.due_at, kind=kind, recipients=len(users)
                )
                for case, (users, _notice) in zip(cases, told, strict=True)
            ]
            self.reminder_model.objects.bulk_create(records, ignore_conflicts=True)
            counts[kind] += notify_all(notices=[notice for _users, notice in told if notice is not None])
            counts[self.count_key] += len(cases)
        return len(cases)

    def run(self, *, on: date, batch_size: int, budget: TimeBudget | None = None) -> dict[str, int]:
        """Remind overdue deadlines, then those within the municipality's days before (when time runs out,
        the deadlines already passed have been told).

        Counts: the cases reminded, ``before``/``overdue`` notifications written, ``batches``, and
        ``complete`` 0 when the time budget ran out with cases left (the next run takes them).
        """
        budget = budget or TimeBudget()
        days_before = dict(Municipality.objects.values_list("pk", self.days_field))
        counts: dict[Any, int] = {
            self.count_key: 0,
            ReminderKind.BEFORE: 0,
            ReminderKind.OVERDUE: 0,
            "batches": 0,
            "complete": 1,
        }
        for kind in (ReminderKind.OVERDUE, ReminderKind.BEFORE):
            result = in_batches(
                lambda kind=kind: self.batch(
                    on=on, kind=kind, days_before=days_before, batch_size=batch_size, counts=counts
                ),
                budget=budget,
            )
            counts["batches"] += result["batches"]
            if not result["complete"]:
                counts["complete"] = 0
                break
        return {str(k): v for k, v in counts.items()}


def reroute_unclear(
    cases: models.QuerySet, *, reason_field: str, reroute: Callable[[int], int], batch_size: int
) -> int:
    """Re-route up to ``batch_size`` open cases still marked "Ansvar oklart" (``reason_field`` not empty), by
    primary key; return how many the register now resolves (``reroute`` returns 1 for those)."""
    pks = list(cases.exclude(**{reason_field: ""}).order_by("pk").values_list("pk", flat=True)[:batch_size])
    return sum(reroute(pk) for pk in pks)
