"""Reminders before and after the deadline of each Lex Maria step (imported by incidents/jobs.py).

Exactly once and never starved, as the deviation reminders: only cases without a
:class:`~incidents.lexmaria.models.LexMariaReminder` for the deadline of their current
step (NOT EXISTS), bounded batches until done or out of time, reminder rows and
notifications written in bulk with ``ignore_conflicts``. Recipients come from
the chain stored on the case (reporter, board's MAS) and the verksamhetschef
stored with the deviation's routing; board officials are looked up once per
board in a run.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.locking import lock_skip
from core.scheduling import Stage, TimeBudget, in_batches, scheduled_job
from core.services import Notice, notify_all
from core.users import active_users
from incidents.lexmaria.actors import board_official_users, users_of
from incidents.lexmaria.models import LexMariaCase, LexMariaReminder
from incidents.lexmaria.services import OPEN_STATES
from incidents.lexmaria.steps import Step, actors_for, next_step
from incidents.models import ReminderKind
from responsibility.models import Municipality

# Reminders are looked for this many days ahead at most (the municipality's setting is usually smaller).
MAX_REMINDER_DAYS = 30


def _notice(case: LexMariaCase, *, step: str, kind: str, recipients: list) -> Notice:
    values = {
        "reference": case.reference,
        "step": str(Step(step).label),
        "date": timezone.localdate(case.due_at).isoformat(),
    }
    if kind == ReminderKind.BEFORE:
        subject = _("Lex Maria %(reference)s: “%(step)s” is due %(date)s") % values
    else:
        subject = _("Lex Maria %(reference)s: “%(step)s” is overdue since %(date)s") % values
    return Notice(
        recipients=recipients,
        kind="lex_maria_reminder",
        subject=subject,
        link=case.get_absolute_url(),
        dedupe_key=f"lexmaria:{case.pk}:{step}:{kind}",
    )


def _reminded(kind: str) -> Exists:
    return Exists(
        LexMariaReminder.objects.filter(
            case=OuterRef("pk"),
            state=OuterRef("state"),
            due_at=OuterRef("due_at"),
            kind=kind,
        )
    )


def _officials_memo(on: date):
    """Board officials per (board, purchasing board), looked up once per pair in a run."""
    memo: dict[tuple, list] = {}

    def officials(case: LexMariaCase) -> list:
        key = (case.board_id, case.purchasing_board_id)
        if key not in memo:
            memo[key] = board_official_users(case=case, on=on)
        return memo[key]

    return officials


def remind_batch(*, on: date, kind: str, days_before: dict[int, int], batch_size: int, counts: dict, officials) -> int:
    """Remind one batch of cases not yet reminded for their step's deadline; return how many were taken."""
    from incidents.jobs import reminder_windows

    with transaction.atomic():
        cases = list(
            lock_skip(
                LexMariaCase.objects.filter(state__in=OPEN_STATES, due_at__isnull=False)
                .filter(reminder_windows(on=on, kind=kind, days_before=days_before, field="deviation__municipality_id"))
                .filter(~_reminded(kind))
                .order_by("due_at", "pk")
            ).select_related("deviation__operations_manager__user", "reporter_person__user", "board_mas__user")[
                :batch_size
            ]
        )
        if not cases:
            return 0
        notices, records = [], []
        with translation.override(settings.LANGUAGE_CODE):
            for case in cases:
                step = next_step(case)
                recipients = []
                if step is not None:
                    recipients = users_of(
                        case, actors_for(case=case, step=step), stored_routing=True, officials=officials
                    )
                    recipients = active_users(recipients)
                    notices.append(_notice(case, step=step, kind=kind, recipients=recipients))
                records.append(
                    LexMariaReminder(
                        case=case, state=case.state, due_at=case.due_at, kind=kind, recipients=len(recipients)
                    )
                )
        LexMariaReminder.objects.bulk_create(records, ignore_conflicts=True)
        counts[kind] += notify_all(notices=notices)
        counts["cases"] += len(cases)
    return len(cases)


@scheduled_job("lex_maria_reminders", stage=Stage.REMIND)
def lex_maria_reminders(*, on: date, batch_size: int, budget: TimeBudget | None = None) -> dict[str, int]:
    """Remind whoever takes the next step a few days before its deadline, and once when it is overdue."""
    budget = budget or TimeBudget()
    days_before = dict(Municipality.objects.values_list("pk", "reminder_days_before"))
    officials = _officials_memo(on)
    counts = {"cases": 0, ReminderKind.BEFORE: 0, ReminderKind.OVERDUE: 0, "batches": 0, "complete": 1}
    for kind in (ReminderKind.OVERDUE, ReminderKind.BEFORE):
        result = in_batches(
            lambda kind=kind: remind_batch(
                on=on, kind=kind, days_before=days_before, batch_size=batch_size, counts=counts, officials=officials
            ),
            budget=budget,
        )
        counts["batches"] += result["batches"]
        if not result["complete"]:
            counts["complete"] = 0
            break
    return {str(k): v for k, v in counts.items()}
