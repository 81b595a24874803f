"""Scheduled jobs of the deviation workflow: deadline reminders and delivery of the notification outbox.

Exactly once and never starved: each pass selects only deviations that have no
:class:`~incidents.models.DeviationReminder` for their current deadline (NOT
EXISTS), in bounded batches until none is left or the time budget is spent;
the reminder rows (unique per deviation, state, deadline and kind) and the
notifications (unique per recipient and key) are written in bulk with
``ignore_conflicts``, so a second run — or a second worker — sends nothing
twice. Recipients come from the routing stored on each deviation, never from
the register again.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, prefetch_related_objects
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.locking import lock_skip
from core.scheduling import Stage, TimeBudget, in_batches, scheduled_job
from core.services import Notice, deliver_pending_notifications, notify_all
from incidents import routing
from incidents.lexmaria import jobs as lexmaria_jobs  # noqa: F401 - registers the Lex Maria reminders
from incidents.models import Deviation, DeviationReminder, DeviationState, ReminderKind
from incidents.services import OPEN_STATES, owner_users
from responsibility.models import Municipality, Person, Unit
from responsibility.resolver import units_with_board

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
    Deviation.objects.bulk_update(deviations, ["operations_manager", "routed_at"])
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
    users += [p.user for p in people if p is not None and p.user_id]
    return [u for u in {u.pk: u for u in users}.values() if u.is_active]


def _notice(deviation: Deviation, *, kind: str, recipients: list) -> Notice:
    due = timezone.localdate(deviation.due_at)
    values = {"reference": deviation.reference, "unit": deviation.unit.name, "date": due.isoformat()}
    if kind == ReminderKind.BEFORE:
        subject = _("Deviation %(reference)s at %(unit)s is due %(date)s") % values
    else:
        subject = _("Deviation %(reference)s at %(unit)s is overdue since %(date)s") % values
    return Notice(
        recipients=recipients,
        kind="deviation_reminder",
        subject=subject,
        link=deviation.get_absolute_url(),
        dedupe_key=f"deviation:{deviation.pk}:{deviation.state}:{due.isoformat()}:{kind}",
    )


def _reminded(kind: str) -> Exists:
    return Exists(
        DeviationReminder.objects.filter(
            deviation=OuterRef("pk"),
            state=OuterRef("state"),
            due_at=OuterRef("due_at"),
            kind=kind,
        )
    )


def remind_batch(*, on: date, kind: str, days_before: dict[int, int], batch_size: int, counts: dict) -> int:
    """Remind one batch of deviations not yet reminded for their deadline; return how many were taken."""
    people = Person.objects.select_related("user")
    with transaction.atomic():
        deviations = list(
            lock_skip(
                Deviation.objects.filter(state__in=OPEN_STATES, due_at__isnull=False)
                .filter(reminder_windows(on=on, kind=kind, days_before=days_before))
                .filter(~_reminded(kind))
                .order_by("due_at", "pk")
            )
            .select_related("unit", "investigator", "mas_person__user", "operations_manager__user")
            .prefetch_related(Prefetch("unit_managers", queryset=people))[:batch_size]
        )
        if not deviations:
            return 0
        notices, records, admins = [], [], {}
        # Rows from before routing was stored: routed now, all at once.
        routed = route_unrouted(
            [d for d in deviations if d.routed_at is None and d.state != DeviationState.AWAITING_MAS]
        )
        with translation.override(settings.LANGUAGE_CODE):
            for deviation in deviations:
                recipients = _recipients(deviation, routed=routed, admins=admins)
                notices.append(_notice(deviation, kind=kind, recipients=recipients))
                records.append(
                    DeviationReminder(
                        deviation=deviation,
                        state=deviation.state,
                        due_at=deviation.due_at,
                        kind=kind,
                        recipients=len(recipients),
                    )
                )
        DeviationReminder.objects.bulk_create(records, ignore_conflicts=True)
        counts[kind] += notify_all(notices=notices)
        counts["deviations"] += len(deviations)
    return len(deviations)


@scheduled_job("deviation_reminders", stage=Stage.REMIND)
def deviation_reminders(*, on: date, batch_size: int, budget: TimeBudget | None = None) -> dict[str, int]:
    """Remind a few days before each deadline (the municipality's setting) and once when it has passed.

    Counts: ``deviations`` reminded, ``before``/``overdue`` notifications written, ``batches``, and
    ``complete`` 0 when the time budget ran out with deviations left (the next run takes them).
    """
    budget = budget or TimeBudget()
    days_before = dict(Municipality.objects.values_list("pk", "reminder_days_before"))
    counts = {"deviations": 0, ReminderKind.BEFORE: 0, ReminderKind.OVERDUE: 0, "batches": 0, "complete": 1}
    # Overdue first: when time runs out, the deadlines already passed have been told.
    for kind in (ReminderKind.OVERDUE, ReminderKind.BEFORE):
        result = in_batches(
            lambda kind=kind: remind_batch(
                on=on, kind=kind, days_before=days_before, batch_size=batch_size, counts=counts
            ),
            budget=budget,
        )
        counts["batches"] += result["batches"]
        if not result["complete"]:
            counts["complete"] = 0
            break
    return {str(k): v for k, v in counts.items()}


@scheduled_job("deliver_notifications", stage=Stage.DELIVER, after=("notification_digest",))
def deliver_notifications(*, on: date, batch_size: int) -> dict[str, int]:
    """Send the e-mail of notifications still pending (e.g. written while the broker was down)."""
    return deliver_pending_notifications(batch_size=batch_size)


@scheduled_job("reroute_unclear_cases")
def reroute_unclear_cases(*, on: date, batch_size: int) -> dict[str, int]:
    """Re-route open "Ansvar oklart" deviations and Lex Maria cases once the register resolves (SPEC §3)."""
    from incidents.lexmaria.services import OPEN_STATES as LEX_MARIA_OPEN
    from incidents.lexmaria.services import lex_maria_reroute
    from incidents.models import LexMariaCase
    from incidents.services import deviation_reroute

    deviations = (
        Deviation.objects.filter(state__in=OPEN_STATES)
        .exclude(mas_unclear_reason="")
        .order_by("pk")
        .values_list("pk", flat=True)[:batch_size]
    )
    cases = (
        LexMariaCase.objects.filter(state__in=LEX_MARIA_OPEN)
        .exclude(owner_unclear_reason="")
        .order_by("pk")
        .values_list("pk", flat=True)[:batch_size]
    )
    counts = {"deviations": 0, "lex_maria_cases": 0}
    for pk in deviations:
        counts["deviations"] += deviation_reroute(deviation=Deviation(pk=pk))
    for pk in cases:
        counts["lex_maria_cases"] += lex_maria_reroute(case=LexMariaCase(pk=pk))
    return counts
