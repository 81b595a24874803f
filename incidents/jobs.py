"""Scheduled jobs of the deviation workflow: deadline reminders, delivery of the notification outbox, re-routing.

The reminders are :class:`incidents.case_jobs.DeadlineReminders` (exactly once, never starved, overdue
first). Recipients come from the routing stored on each deviation, never from the register again; rows
from before routing was stored are routed once, per batch.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Case, IntegerField, Prefetch, Value, When, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from core.scheduling import Stage, TimeBudget, scheduled_job
from core.services import Notice, deliver_pending_notifications
from core.users import active_users
from incidents import routing
from incidents.case_jobs import DeadlineReminders, deadline_notice, reroute_unclear
from incidents.lexmaria import jobs as lexmaria_jobs  # noqa: F401 - registers the Lex Maria reminders
from incidents.models import Deviation, DeviationReminder, DeviationState
from incidents.reporting import owner_users
from incidents.workflow import OPEN_STATES
from responsibility.models import Person, Unit
from responsibility.resolver import units_with_board


def route_unrouted(deviations: list[Deviation]) -> dict[int, tuple[Person, ...]]:
    """Store the routing of rows from before routing was stored, once, for a batch in a fixed number of queries.

    One :class:`~incidents.routing.RoutingIndexes` over the batch's units and event dates (the register read
    once for all of them), one UPDATE for the rows, one INSERT for their enhetschefer, one read of the
    managers' logins. Returns the managers of each row.
    """
    if not deviations:
        return {}
    prefetch_related_objects(deviations, "category", "municipality")
    indexes = routing.RoutingIndexes(
        units_with_board(Unit.objects.filter(pk__in={d.unit_id for d in deviations})),
        dates={routing.event_date(d) for d in deviations},
    )
    now = timezone.now()
    managers, through = {}, []
    for deviation in deviations:
        route = routing.route(deviation, index=indexes.for_deviation(deviation))
        deviation.operations_manager = route.operations_manager
        deviation.routed_at = now
        managers[deviation.pk] = route.managers
        through += [(deviation.pk, p.pk) for p in route.unit_managers]
    # One UPDATE, one WHEN per verksamhetschef (not per row: a batch has many deviations per manager).
    by_manager: dict[int | None, list[int]] = defaultdict(list)
    for deviation in deviations:
        by_manager[deviation.operations_manager_id].append(deviation.pk)
    Deviation.objects.filter(pk__in=[d.pk for d in deviations]).update(
        routed_at=now,
        operations_manager=Case(
            *(When(pk__in=pks, then=Value(pk)) for pk, pks in by_manager.items() if pk is not None),
            default=Value(None),
            output_field=IntegerField(),
        ),
    )
    link = Deviation.unit_managers.through
    link.objects.bulk_create([link(deviation_id=d, person_id=p) for d, p in through], ignore_conflicts=True)
    people = [p for ps in managers.values() for p in ps if p.user_id and not Person.user.is_cached(p)]
    prefetch_related_objects(people, "user")
    return managers


def _recipients(deviation: Deviation, *, routed: dict[int, tuple[Person, ...]], admins: dict[int, list]) -> list:
    """Whoever's move it is: the MAS/MAR (or the fallback owner) while awaiting assessment, else the
    investigator and the managers (as stored, or as ``routed`` now)."""
    if deviation.state == DeviationState.AWAITING_MAS:
        people = []
        if deviation.mas_person_id is None and deviation.mas_unclear_reason:
            # owner_users' register admins, read once per municipality and batch
            if deviation.municipality_id not in admins:
                admins[deviation.municipality_id] = owner_users(deviation)
            users = list(admins[deviation.municipality_id])
        else:
            users = owner_users(deviation)
    else:
        people = list(routed[deviation.pk] if deviation.pk in routed else routing.stored_managers(deviation))
        users = [deviation.investigator] if deviation.investigator_id else []
    return active_users([*users, *(p.user for p in people if p is not None and p.user_id)])


def _remind(deviations: list[Deviation], kind: str) -> list[tuple[list, Notice]]:
    """Who is told of each deviation's deadline, and the notice; rows from before routing was stored are
    routed now, all at once."""
    routed = route_unrouted([d for d in deviations if d.routed_at is None and d.state != DeviationState.AWAITING_MAS])
    admins: dict[int, list] = {}
    told = []
    for deviation in deviations:
        recipients = _recipients(deviation, routed=routed, admins=admins)
        notice = deadline_notice(
            deviation,
            kind=kind,
            recipients=recipients,
            prefix="deviation",
            texts=(
                _("Deviation %(reference)s at %(unit)s is due %(date)s"),
                _("Deviation %(reference)s at %(unit)s is overdue since %(date)s"),
            ),
            values={"unit": deviation.unit.name},
        )
        told.append((recipients, notice))
    return told


@scheduled_job("deviation_reminders", stage=Stage.REMIND)
def deviation_reminders(*, on: date, batch_size: int, budget: TimeBudget | None = None) -> dict[str, int]:
    """Remind a few days before each deadline (the municipality's setting) and once when it has passed.

    Counts: ``deviations`` reminded, ``before``/``overdue`` notifications written, ``batches``, and
    ``complete`` 0 when the time budget ran out with deviations left (the next run takes them).
    """
    people = Person.objects.select_related("user")
    return DeadlineReminders(
        cases=Deviation.objects.filter(state__in=OPEN_STATES, due_at__isnull=False),
        reminder_model=DeviationReminder,
        fk="deviation",
        remind=_remind,
        load=lambda qs: qs.select_related(
            "unit", "investigator", "mas_person__user", "operations_manager__user"
        ).prefetch_related(Prefetch("unit_managers", queryset=people)),
        count_key="deviations",
    ).run(on=on, batch_size=batch_size, budget=budget)


@scheduled_job("deliver_notifications", stage=Stage.DELIVER, after=("notification_digest",))
def deliver_notifications(*, on: date, batch_size: int) -> dict[str, int]:
    """Send the e-mail of notifications still pending (e.g. written while the broker was down)."""
    return deliver_pending_notifications(batch_size=batch_size)


@scheduled_job("reroute_unclear_cases")
def reroute_unclear_cases(*, on: date, batch_size: int) -> dict[str, int]:
    """Re-route open "Ansvar oklart" deviations and Lex Maria cases once the register resolves (SPEC §3)."""
    from incidents.lexmaria.models import LexMariaCase
    from incidents.lexmaria.services import OPEN_STATES as LEX_MARIA_OPEN
    from incidents.lexmaria.services import lex_maria_reroute
    from incidents.services import deviation_reroute

    return {
        "deviations": reroute_unclear(
            Deviation.objects.filter(state__in=OPEN_STATES),
            reason_field="mas_unclear_reason",
            reroute=lambda pk: deviation_reroute(deviation=Deviation(pk=pk)),
            batch_size=batch_size,
        ),
        "lex_maria_cases": reroute_unclear(
            LexMariaCase.objects.filter(state__in=LEX_MARIA_OPEN),
            reason_field="owner_unclear_reason",
            reroute=lambda pk: lex_maria_reroute(case=LexMariaCase(pk=pk)),
            batch_size=batch_size,
        ),
    }
