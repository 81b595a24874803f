"""Reminder jobs: only rows not yet reminded, bounded batches until done, stored routing, exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import Notification
from core.scheduling import TimeBudget, run_scheduled_jobs
from incidents import routing
from incidents.jobs import deviation_reminders
from incidents.models import Deviation, DeviationReminder, DeviationState
from tests.incidents.deviation_helpers import report

pytestmark = pytest.mark.django_db


def clone_overdue(template: Deviation, n: int, *, days_overdue: int = 3) -> list[int]:
    """``n`` registered deviations like ``template`` (same stored routing), all past their deadline."""
    base_due = timezone.now() - timedelta(days=days_overdue)
    fields = {
        f.attname: getattr(template, f.attname)
        for f in Deviation._meta.concrete_fields
        if f.attname not in ("id", "reference")
    }
    rows = []
    for i in range(n):
        row = Deviation(**fields)
        row.reference = f"AV-T-{i:06d}"
        row.due_at = base_due - timedelta(minutes=i)
        rows.append(row)
    Deviation.objects.bulk_create(rows, batch_size=500)
    ids = list(Deviation.objects.filter(reference__startswith="AV-T-").values_list("pk", flat=True))
    managers = list(template.unit_managers.values_list("pk", flat=True))
    through = Deviation.unit_managers.through
    through.objects.bulk_create(
        [through(deviation_id=pk, person_id=m) for pk in ids for m in managers], batch_size=1000
    )
    return ids


def _only(ids: list[int]) -> None:
    """Leave only these deviations with a deadline (the demo's own are not part of the count)."""
    Deviation.objects.exclude(pk__in=ids).update(due_at=None)


def test_registration_stores_the_managers_with_the_routing():
    """Submitting stores the verksamhetschef and enhetschef(s) of the event date on the deviation."""
    d = report()
    d.refresh_from_db()
    route = routing.route(deviation=d)
    assert d.routed_at is not None
    assert d.operations_manager_id == (route.operations_manager.pk if route.operations_manager else None)
    assert set(d.unit_managers.values_list("pk", flat=True)) == {p.pk for p in route.unit_managers}
    assert d.unit_managers.exists()


def test_more_overdue_than_one_batch_are_all_reminded_once_and_none_starves():
    """1,200 overdue with batches of 500: one run reminds every one; a second run and the next day send nothing."""
    template = report()
    template.refresh_from_db()
    ids = clone_overdue(template, 1200)
    _only(ids)
    on = timezone.localdate()
    counts = deviation_reminders(on=on, batch_size=500)
    assert counts["deviations"] == 1200
    assert counts["batches"] == 3
    assert counts["complete"] == 1
    assert DeviationReminder.objects.filter(deviation_id__in=ids, kind="overdue").count() == 1200
    recipients = template.unit_managers.count() + (1 if template.operations_manager_id else 0)
    assert counts["overdue"] == 1200 * recipients
    assert deviation_reminders(on=on, batch_size=500)["deviations"] == 0
    assert deviation_reminders(on=on + timedelta(days=1), batch_size=500)["deviations"] == 0
    keys = Notification.objects.filter(kind="deviation_reminder").values_list("recipient_id", "dedupe_key")
    assert len(keys) == len(set(keys)) == 1200 * recipients


def test_a_new_deadline_is_reminded_again_and_an_old_one_never():
    """Moving to a new state with a new deadline is a new reminder; the old deadline is not repeated."""
    d = report()
    _only([d.pk])
    on = timezone.localdate()
    Deviation.objects.filter(pk=d.pk).update(due_at=timezone.now() - timedelta(days=2))
    assert deviation_reminders(on=on, batch_size=10)["deviations"] == 1
    Deviation.objects.filter(pk=d.pk).update(
        state=DeviationState.INVESTIGATING, due_at=timezone.now() - timedelta(days=1)
    )
    assert deviation_reminders(on=on, batch_size=10)["deviations"] == 1
    assert deviation_reminders(on=on, batch_size=10)["deviations"] == 0
    assert DeviationReminder.objects.filter(deviation=d).count() == 2


def test_out_of_time_stops_after_a_batch_and_the_next_run_continues():
    """A spent time budget stops the job after one batch; the next run takes the rest, nothing twice."""
    template = report()
    template.refresh_from_db()
    ids = clone_overdue(template, 30)
    _only(ids)
    on = timezone.localdate()
    first = deviation_reminders(on=on, batch_size=10, budget=TimeBudget(0))
    assert (first["deviations"], first["complete"]) == (10, 0)
    second = deviation_reminders(on=on, batch_size=10)
    assert (second["deviations"], second["complete"]) == (20, 1)
    assert DeviationReminder.objects.filter(deviation_id__in=ids).count() == 30


def test_rows_from_before_stored_routing_get_it_stored_once():
    """A deviation without stored routing (old data) is routed once, then read from the row."""
    d = report()
    Deviation.objects.filter(pk=d.pk).update(
        routed_at=None, operations_manager=None, due_at=timezone.now() - timedelta(days=1)
    )
    d.unit_managers.clear()
    _only([d.pk])
    counts = deviation_reminders(on=timezone.localdate(), batch_size=10)
    assert counts["overdue"] >= 1
    d.refresh_from_db()
    assert d.routed_at is not None
    assert d.unit_managers.exists()


def test_two_thousand_overdue_deviations_are_each_reminded_exactly_once_in_bounded_queries():
    """Fault drill: 2,000 overdue deviations, one run of the jobs reminds every one once, in a bounded query count.

    The queries per batch do not grow with the batch (stored routing, bulk writes): 4 batches of 500 take
    at most 44 statements on PostgreSQL. Timing is measured in bench/reminders_bench.py, not here.
    """
    template = report()
    template.refresh_from_db()
    ids = clone_overdue(template, 2000)
    _only(ids)
    on = timezone.localdate()
    with CaptureQueriesContext(connection) as queries:
        [run] = run_scheduled_jobs(on=on, only="deviation_reminders", batch_size=500)
    assert run.status == "ok", run.errors
    assert run.counts["deviations"] == 2000
    assert run.counts["complete"] == 1
    # Per batch of 500: the select of its keys (locked), the batch with what the notices need, the enhetschef
    # prefetch, the existing-notification look-up and the two bulk INSERTs (plus savepoint/release). SQLite
    # splits a bulk INSERT by its parameter limit; PostgreSQL does not.
    statements = [q["sql"] for q in queries.captured_queries]
    not_inserts = [sql for sql in statements if not sql.startswith("INSERT")]
    assert len(not_inserts) <= 34, len(not_inserts)
    if connection.vendor == "postgresql":
        assert len(statements) <= 44, len(statements)
    reminded = DeviationReminder.objects.filter(deviation_id__in=ids, kind="overdue")
    assert reminded.count() == 2000
    assert reminded.values("deviation_id").distinct().count() == 2000
    [again] = run_scheduled_jobs(on=on, only="deviation_reminders", batch_size=500)
    assert again.counts["deviations"] == 0
    per_deviation = Notification.objects.filter(kind="deviation_reminder", dedupe_key__endswith=":overdue")
    recipients = template.unit_managers.count() + (1 if template.operations_manager_id else 0)
    assert per_deviation.count() == 2000 * recipients


def _mixed_batch(template: Deviation, n: int, *, tag: str, first_day: int) -> dict[str, list[int]]:
    """``n`` overdue deviations of each kind the job meets: routing stored; no routing stored (old data), each
    on an event day of its own; awaiting a MAS nobody holds ("Ansvar oklart", told to the register admins)."""
    fields = {
        f.attname: getattr(template, f.attname)
        for f in Deviation._meta.concrete_fields
        if f.attname not in ("id", "reference")
    }
    now = timezone.now()
    rows = {"routed": [], "unrouted": [], "unclear": []}
    for kind in rows:
        for i in range(n):
            row = Deviation(**fields)
            row.reference = f"AV-{tag}-{kind[:3]}-{i:04d}"
            row.due_at = now - timedelta(days=2, minutes=i)
            if kind == "unrouted":
                row.routed_at, row.operations_manager_id = None, None
                row.occurred_at = template.discovered_at - timedelta(days=first_day + i)
            if kind == "unclear":
                row.state, row.mas_person_id = DeviationState.AWAITING_MAS, None
                row.mas_unclear_reason = "Ansvar oklart (R2): ingen MAS."
            rows[kind].append(row)
        Deviation.objects.bulk_create(rows[kind])
        rows[kind] = list(
            Deviation.objects.filter(reference__startswith=f"AV-{tag}-{kind[:3]}-").values_list("pk", flat=True)
        )
    through = Deviation.unit_managers.through
    managers = list(template.unit_managers.values_list("pk", flat=True))
    through.objects.bulk_create([through(deviation_id=pk, person_id=m) for pk in rows["routed"] for m in managers])
    return rows


def test_reminder_queries_do_not_grow_with_the_rows_and_none_is_lost_or_doubled(django_assert_num_queries):
    """The same number of queries for 3 and for 9 deviations of each kind (old rows routed per batch, not per
    row); every row gets its one reminder; one already reminded is not reminded again, and a reminder row that
    is missing is written without doubling the notification that was already sent."""
    template = report()
    template.refresh_from_db()
    on = timezone.localdate()

    def run(rows: dict[str, list[int]]) -> int:
        _only([pk for ids in rows.values() for pk in ids])
        with CaptureQueriesContext(connection) as queries:
            counts = deviation_reminders(on=on, batch_size=500)
        assert counts["deviations"] == sum(len(ids) for ids in rows.values()) - 1
        return len(queries)

    def prepare(n: int, tag: str, first_day: int) -> dict[str, list[int]]:
        rows = _mixed_batch(template, n, tag=tag, first_day=first_day)
        done = Deviation.objects.get(pk=rows["routed"][0])  # reminded by an earlier run
        DeviationReminder.objects.create(deviation=done, state=done.state, due_at=done.due_at, kind="overdue")
        unclear = Deviation.objects.get(pk=rows["unclear"][0])
        Notification.objects.create(  # sent, but its reminder row was never written
            recipient=template.reporter,
            kind="deviation_reminder",
            subject="Påminnelse",
            dedupe_key=f"deviation:{unclear.pk}:{unclear.state}:{timezone.localdate(unclear.due_at).isoformat()}:overdue",
        )
        return rows

    small = prepare(3, "S", 1)
    small_queries = run(small)
    large = prepare(9, "L", 40)
    assert run(large) == small_queries

    for rows in (small, large):
        every = [pk for ids in rows.values() for pk in ids]
        reminded = DeviationReminder.objects.filter(deviation_id__in=every, kind="overdue")
        assert reminded.count() == len(every)
        assert reminded.values("deviation_id").distinct().count() == len(every)
        old = Deviation.objects.filter(pk__in=rows["unrouted"])
        assert not old.filter(routed_at__isnull=True).exists()
        assert Deviation.unit_managers.through.objects.filter(deviation__in=old).count() == len(rows["unrouted"]) * (
            template.unit_managers.count()
        )
        keys = Notification.objects.filter(dedupe_key__startswith=f"deviation:{rows['unclear'][0]}:")
        assert keys.filter(recipient=template.reporter).count() == 1
        assert keys.exclude(recipient=template.reporter).exists()  # the register admins were told
    assert deviation_reminders(on=on, batch_size=500)["deviations"] == 0
