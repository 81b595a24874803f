"""Reminders before and after the deadline of each Lex Maria step (imported by incidents/jobs.py).

Exactly once and never starved, as every case workflow (:class:`incidents.case_jobs.DeadlineReminders`).
Recipients come from the chain stored on the case (reporter, board's MAS) and the verksamhetschef stored
with the deviation's routing; board officials are looked up once per board in a run.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.utils.translation import gettext as _

from core.scheduling import Stage, TimeBudget, scheduled_job
from core.services import Notice
from core.users import active_users
from incidents.case_jobs import DeadlineReminders, deadline_notice
from incidents.lexmaria.actors import board_official_users, users_of
from incidents.lexmaria.models import LexMariaCase, LexMariaReminder
from incidents.lexmaria.services import OPEN_STATES
from incidents.lexmaria.steps import Step, actors_for, next_step


def _officials_memo(on: date):
    """Board officials per (board, purchasing board), looked up once per pair in a run."""
    memo: dict[tuple, list] = {}

    def officials(case: LexMariaCase) -> list:
        key = (case.board_id, case.purchasing_board_id)
        if key not in memo:
            memo[key] = board_official_users(case=case, on=on)
        return memo[key]

    return officials


def _reminder(officials) -> Callable[[list[LexMariaCase], str], list[tuple[list, Notice | None]]]:
    def remind(cases: list[LexMariaCase], kind: str) -> list[tuple[list, Notice | None]]:
        """Whoever takes each case's next step, and the notice (none when no step is left)."""
        told: list[tuple[list, Notice | None]] = []
        for case in cases:
            step = next_step(case)
            if step is None:
                told.append(([], None))
                continue
            recipients = active_users(
                users_of(case, actors_for(case=case, step=step), stored_routing=True, officials=officials)
            )
            notice = deadline_notice(
                case,
                kind=kind,
                recipients=recipients,
                prefix="lex_maria",
                texts=(
                    _("Lex Maria %(reference)s: “%(step)s” is due %(date)s"),
                    _("Lex Maria %(reference)s: “%(step)s” is overdue since %(date)s"),
                ),
                values={"step": str(Step(step).label)},
                key=f"lexmaria:{case.pk}:{step}:{kind}",
            )
            told.append((recipients, notice))
        return told

    return remind


@scheduled_job("lex_maria_reminders", stage=Stage.REMIND)
def lex_maria_reminders(*, on: date, batch_size: int, budget: TimeBudget | None = None) -> dict[str, int]:
    """Remind whoever takes the next step a few days before its deadline, and once when it is overdue."""
    return DeadlineReminders(
        cases=LexMariaCase.objects.filter(state__in=OPEN_STATES, due_at__isnull=False),
        reminder_model=LexMariaReminder,
        fk="case",
        remind=_reminder(_officials_memo(on)),
        # the municipality's step days and the steps marked not applicable: with the batch, not per case
        load=lambda qs: qs.select_related(
            "deviation__municipality", "deviation__operations_manager__user", "reporter_person__user", "board_mas__user"
        ).prefetch_related("not_applicable"),
        municipality_field="deviation__municipality_id",
    ).run(on=on, batch_size=batch_size, budget=budget)
