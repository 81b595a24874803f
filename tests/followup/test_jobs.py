"""Scheduled jobs: plans over a simulated year, reminders and escalation, delegations, routines, contracts."""

import threading
from datetime import date, timedelta

import pytest
from django.db import connection, connections

from core.calendar import add_months
from core.models import JobRun, Notification
from core.scheduling import run_scheduled_jobs
from followup.choices import FollowUpKind, PlanScope, ReminderKind
from followup.models import ChecklistTemplate, Delegation, FollowUp, FollowUpPlan, Reminder, Routine
from followup.plans import plan_units
from responsibility.models import Board, Contract, Municipality
from tests.factories import person, unit, user


def _plan(**fields) -> FollowUpPlan:
    base = {
        "municipality": Municipality.objects.get(code="stockholm"),
        "kind": FollowUpKind.SUPERVISION,
        "checklist_template": ChecklistTemplate.objects.get(code="mas-ansvarsomraden"),
        "auditor": person("auditor-vastra-soderort"),
        "lead_days": 30,
    }
    base.update(fields)
    return FollowUpPlan.objects.create(**base)


def _run(on: date, job: str):
    (run,) = run_scheduled_jobs(on=on, only=job)
    assert run.status == JobRun.Status.OK, run.errors
    return run


@pytest.mark.django_db
def test_quarterly_plan_over_a_simulated_year_creates_each_follow_up_once():
    """Stepping day by day through a year, a quarterly plan creates each follow-up once, 30 days ahead."""
    plan = _plan(
        title="Kvartalsvis tillsyn",
        scope=PlanScope.UNIT,
        unit=unit("hage-01"),
        interval_months=3,
        starts_on=date(2031, 1, 10),
    )
    created_on: dict[date, date] = {}
    day = date(2031, 1, 1)
    while day <= date(2031, 12, 31):
        before = set(FollowUp.objects.filter(plan=plan).values_list("scheduled_date", flat=True))
        _run(day, "followups_from_plans")
        after = set(FollowUp.objects.filter(plan=plan).values_list("scheduled_date", flat=True))
        if after != before:  # a second run the same day creates nothing
            assert _run(day, "followups_from_plans").counts["created"] == 0
        for new in after - before:
            created_on[new] = day
        day += timedelta(days=1)
    assert created_on == {
        date(2031, 1, 10): date(2031, 1, 1),  # the first run: already within the lead time
        date(2031, 4, 10): date(2031, 3, 11),
        date(2031, 7, 10): date(2031, 6, 10),
        date(2031, 10, 10): date(2031, 9, 10),
        date(2032, 1, 10): date(2031, 12, 11),
    }
    assert FollowUp.objects.filter(plan=plan).count() == 5
    assert set(FollowUp.objects.filter(plan=plan).values_list("auditor__email", flat=True)) == {
        "auditor-vastra-soderort@demo.masportalen.se"
    }


@pytest.mark.django_db
def test_every_unit_within_three_years_month_by_month():
    """A board plan 'every unit within three years' reviews each unit exactly once per 36 months."""
    board = Board.objects.get(code="skarholmen")
    plan = _plan(
        title="Varje enhet inom tre år",
        scope=PlanScope.BOARD,
        board=board,
        interval_months=36,
        spread_units=True,
        starts_on=date(2031, 1, 1),
    )
    units = plan_units(plan)
    assert len(units) >= 4
    for month in range(37):
        on = add_months(date(2031, 1, 1), month)
        _run(on, "followups_from_plans")
        _run(on, "followups_from_plans")
    rows = list(FollowUp.objects.filter(plan=plan).values_list("unit_id", "scheduled_date"))
    in_cycle = [(u, d) for u, d in rows if d < date(2034, 1, 1)]
    assert sorted(u for u, _ in in_cycle) == sorted(u.pk for u in units)
    assert len({d for _, d in in_cycle}) == len(units)  # spread: no two units in the same month
    assert len(rows) == len(set(rows))


@pytest.mark.django_db
def test_contract_plan_skips_dates_after_the_contract_ends():
    """A follow-up is never planned outside the contract's period."""
    contract = Contract.objects.get(case_number="SLK 2024/1100")
    plan = _plan(
        title="Avtalsuppföljning",
        scope=PlanScope.CONTRACT,
        contract=contract,
        interval_months=6,
        starts_on=contract.valid_to - timedelta(days=200),
        kind=FollowUpKind.CONTRACT_REVIEW,
    )
    for month in range(20):
        _run(add_months(plan.starts_on, month), "followups_from_plans")
    dates = set(FollowUp.objects.filter(plan=plan).values_list("scheduled_date", flat=True))
    assert dates
    assert all(d <= contract.valid_to for d in dates)


@pytest.mark.django_db
def test_only_a_plan_with_its_follow_up_missing_is_locked_and_gets_exactly_one():
    """After a run, a new plan due today gets exactly one follow-up; the plans whose follow-ups exist are
    checked but not locked and get none; a second run creates nothing."""
    on = date(2031, 3, 1)
    _plan(title="Redan skapad", scope=PlanScope.UNIT, unit=unit("hage-01"), interval_months=12, starts_on=on)
    first = _run(on, "followups_from_plans")
    assert first.counts["created"] >= 1
    new = _plan(title="Ny plan", scope=PlanScope.UNIT, unit=unit("hage-01"), interval_months=12, starts_on=on)
    run = _run(on, "followups_from_plans")
    assert run.counts == {"plans": first.counts["plans"] + 1, "due": 1, "created": 1}
    assert list(FollowUp.objects.filter(plan=new).values_list("unit__code", "scheduled_date")) == [("hage-01", on)]
    assert _run(on, "followups_from_plans").counts == {"plans": run.counts["plans"], "due": 0, "created": 0}


@pytest.mark.django_db
def test_checking_plans_costs_the_same_statements_for_few_and_many_plans():
    """Which plans have a follow-up to create is read in a fixed number of statements, not per plan."""
    from django.test.utils import CaptureQueriesContext

    on = date(2028, 3, 1)
    contract = Contract.objects.get(case_number="SLK 2024/1100")  # valid until 2028-12-31

    def statements() -> int:
        _run(on, "followups_from_plans")  # what is due
        with CaptureQueriesContext(connection) as queries:
            run = _run(on, "followups_from_plans")
        assert run.counts["due"] == run.counts["created"] == 0
        return len(queries)

    _plan(title="Enhet", scope=PlanScope.UNIT, unit=unit("hage-01"), interval_months=3, starts_on=date(2028, 1, 1))
    few = statements()
    for i in range(3):
        start = date(2028, 1, 1) + timedelta(days=i)
        _plan(
            title=f"Nämnd {i}",
            scope=PlanScope.BOARD,
            board=Board.objects.get(code="bromma"),
            interval_months=1,
            spread_units=True,
            starts_on=start,
        )
        _plan(
            title=f"Avtal {i}",
            scope=PlanScope.CONTRACT,
            contract=contract,
            interval_months=6,
            starts_on=start,
            kind=FollowUpKind.CONTRACT_REVIEW,
        )
        _plan(title=f"Enhet {i}", scope=PlanScope.UNIT, unit=unit("hage-01"), interval_months=2, starts_on=start)
    many = statements()
    assert FollowUp.objects.filter(plan__title__startswith="Nämnd").count() > 3
    assert FollowUp.objects.filter(plan__title__startswith="Avtal").exists()
    assert many == few


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers; two concurrent workers need PostgreSQL row locks.",
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_create_each_follow_up_once(live_demo):
    """Two workers running the plan job concurrently create each follow-up exactly once."""
    plan = _plan(
        title="Samtidig körning",
        scope=PlanScope.BOARD,
        board=Board.objects.get(code="bromma"),
        interval_months=1,
        starts_on=date(2031, 1, 1),
    )
    barrier = threading.Barrier(2)
    errors = []

    def worker():
        try:
            barrier.wait()
            for month in range(12):
                run_scheduled_jobs(on=add_months(date(2031, 1, 1), month), only="followups_from_plans")
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    rows = list(FollowUp.objects.filter(plan=plan).values_list("unit_id", "scheduled_date"))
    assert len(rows) == len(set(rows)) == len(plan_units(plan)) * 12  # Jan … Dec 2031, each once
    assert not JobRun.objects.filter(name="followups_from_plans", status=JobRun.Status.FAILED).exists()


@pytest.mark.django_db
def test_action_reminders_and_escalation_at_the_right_dates_once(new_action, today):
    """Owner reminded 2 days before, told the day after; then the verksamhetschef, then the board official."""
    action = new_action(deadline_days=20)
    d = action.deadline

    def sent(on):
        _run(on, "action_reminders")
        _run(on, "action_reminders")
        return sorted(
            Reminder.objects.filter(object_id=action.pk, sent_on=on, kind__startswith="action").values_list(
                "kind", "recipient__username"
            )
        )

    assert sent(d - timedelta(days=3)) == []
    assert sent(d - timedelta(days=2)) == [(ReminderKind.ACTION_DUE, "enhetschef")]
    assert sent(d) == []
    assert sent(d + timedelta(days=1)) == [(ReminderKind.ACTION_OVERDUE, "enhetschef")]
    assert sent(d + timedelta(days=6)) == []
    assert sent(d + timedelta(days=7)) == [(ReminderKind.ACTION_ESCALATED, "verksamhetschef")]
    assert sent(d + timedelta(days=14)) == [(ReminderKind.ACTION_ESCALATED_BOARD, "tjansteman")]
    assert sent(d + timedelta(days=30)) == []
    notes = Notification.objects.filter(dedupe_key__startswith="action_", dedupe_key__contains=f":{action.pk}:")
    assert notes.count() == 4
    assert all("Brist" not in n.subject for n in notes)


@pytest.mark.django_db
def test_verified_action_gets_no_reminders(new_action):
    """Once verified, nothing more is sent."""
    from followup import actions

    action = new_action(deadline_days=5)
    actions.action_report_done(action=action, actor=user("enhetschef"), note="Klart")
    actions.action_verify(action=action, actor=user("kvalitet"))
    _run(action.deadline + timedelta(days=30), "action_reminders")
    assert not Reminder.objects.filter(object_id=action.pk, kind__startswith="action").exists()


@pytest.mark.django_db
def test_delegation_expiry_reminder_once_and_not_after_revocation(today):
    """Both parties (those with a login) hear 30 days before expiry, once; a revoked delegation is not reminded."""
    from followup import delegations

    d = delegations.delegation_create(
        actor=user("mas"),
        from_person=person("nurse-hage-01"),
        to_person=person("staff-hage-01"),
        unit=unit("hage-01"),
        tasks="Blodsockermätning",
        valid_from=today,
        valid_to=today + timedelta(days=200),
    )
    revoked = delegations.delegation_create(
        actor=user("mas"),
        from_person=person("nurse-hage-01"),
        to_person=person("staff-hage-01"),
        unit=unit("hage-01"),
        tasks="Sondmatning",
        valid_from=today,
        valid_to=today + timedelta(days=200),
    )
    delegations.delegation_revoke(delegation=revoked, actor=user("mas"), revoked_at=today, reason="Behövs inte.")
    _run(d.valid_to - timedelta(days=31), "delegations_expiring")
    assert not Reminder.objects.filter(kind=ReminderKind.DELEGATION_EXPIRING, object_id=d.pk).exists()
    _run(d.valid_to - timedelta(days=30), "delegations_expiring")
    _run(d.valid_to - timedelta(days=30), "delegations_expiring")
    _run(d.valid_to - timedelta(days=29), "delegations_expiring")
    # The delegating nurse has no login; the delegated staff member is told once.
    assert list(
        Reminder.objects.filter(kind=ReminderKind.DELEGATION_EXPIRING, object_id=d.pk).values_list(
            "recipient__username", flat=True
        )
    ) == ["rapportor"]
    assert not Reminder.objects.filter(kind=ReminderKind.DELEGATION_EXPIRING, object_id=revoked.pk).exists()
    assert Delegation.objects.get(pk=d.pk).is_active_on(d.valid_to)
    assert not Delegation.objects.get(pk=d.pk).is_active_on(d.valid_to + timedelta(days=1))


@pytest.mark.django_db
def test_routine_revision_reminder_to_owner_once(today, municipality):
    """A routine's owner is reminded 30 days before the revision date, once."""
    r = Routine.objects.create(
        municipality=municipality,
        title="Testrutin",
        owner=person("mas-vastra-soderort"),
        next_revision=today + timedelta(days=100),
    )
    _run(today + timedelta(days=69), "routines_due_for_revision")
    assert not Reminder.objects.filter(kind=ReminderKind.ROUTINE_REVISION, object_id=r.pk).exists()
    _run(today + timedelta(days=70), "routines_due_for_revision")
    _run(today + timedelta(days=71), "routines_due_for_revision")
    assert list(
        Reminder.objects.filter(kind=ReminderKind.ROUTINE_REVISION, object_id=r.pk).values_list(
            "recipient__username", flat=True
        )
    ) == ["mas"]


@pytest.mark.django_db
def test_contract_ending_without_successor_is_flagged_once(today):
    """The demo contract ending in 45 days is flagged to admins and the board officials, once; a successor stops it."""
    ending = Contract.objects.get(title__contains="Lindblomma")
    _run(today, "contracts_without_successor")
    _run(today, "contracts_without_successor")
    recipients = set(
        Reminder.objects.filter(kind=ReminderKind.CONTRACT_NO_SUCCESSOR, object_id=ending.pk).values_list(
            "recipient__username", flat=True
        )
    )
    assert "admin" in recipients
    assert Reminder.objects.filter(kind=ReminderKind.CONTRACT_NO_SUCCESSOR, object_id=ending.pk).count() == len(
        recipients
    )


@pytest.mark.django_db
def test_assignment_ending_without_successor_is_flagged_once(today):
    """The demo verksamhetschef leaving in 20 days without successor is flagged once (R10)."""
    _run(today, "assignments_without_successor")
    _run(today, "assignments_without_successor")
    rows = Reminder.objects.filter(kind=ReminderKind.ASSIGNMENT_NO_SUCCESSOR)
    assert rows.exists()
    assert rows.count() == rows.values("object_id", "recipient").distinct().count()


@pytest.mark.django_db
def test_action_reminder_queries_do_not_grow_with_the_actions(new_action, today):
    """Telling owners and escalating to the verksamhetschef costs the same queries for 2 and for 6 actions."""
    from django.test.utils import CaptureQueriesContext

    from followup.jobs import action_reminders
    from followup.models import Action

    def overdue(n: int) -> list[int]:
        ids = [new_action(deadline_days=1).pk for _ in range(n)]
        Action.objects.filter(pk__in=ids).update(deadline=today - timedelta(days=7))
        return ids

    def run(ids: list[int]) -> int:
        with CaptureQueriesContext(connection) as queries:
            action_reminders(on=today, batch_size=500)
        for kind, username in (
            (ReminderKind.ACTION_OVERDUE, "enhetschef"),
            (ReminderKind.ACTION_ESCALATED, "verksamhetschef"),
        ):
            sent = Reminder.objects.filter(object_id__in=ids, kind=kind)
            assert sorted(sent.values_list("object_id", "recipient__username")) == [
                (pk, username) for pk in sorted(ids)
            ]
        return len(queries)

    action_reminders(on=today, batch_size=500)  # what the demo has due today
    assert run(overdue(2)) == run(overdue(6))


@pytest.mark.django_db
def test_actions_of_every_municipality_are_escalated_by_their_own_municipalitys_days(new_action, today, municipality):
    """One selection for all municipalities, yet each action is escalated after its own municipality's days."""
    from followup.models import Action
    from tests.factories import MunicipalityFactory

    other = MunicipalityFactory(escalate_after_days=30)
    municipality.escalate_after_days = 7
    municipality.save(update_fields=["escalate_after_days"])
    here, there = new_action(deadline_days=1), new_action(deadline_days=1)
    Action.objects.filter(pk__in=[here.pk, there.pk]).update(deadline=today - timedelta(days=10))
    FollowUp.objects.filter(pk=there.finding.follow_up_id).update(municipality=other)

    def reminded(kind: str) -> set[int]:
        return set(
            Reminder.objects.filter(kind=kind, object_id__in=[here.pk, there.pk]).values_list("object_id", flat=True)
        )

    _run(today, "action_reminders")
    assert reminded(ReminderKind.ACTION_OVERDUE) == {here.pk, there.pk}
    assert reminded(ReminderKind.ACTION_ESCALATED) == {here.pk}
    other.escalate_after_days = 10
    other.save(update_fields=["escalate_after_days"])
    _run(today, "action_reminders")
    assert reminded(ReminderKind.ACTION_ESCALATED) == {here.pk, there.pk}
    assert reminded(ReminderKind.ACTION_ESCALATED_BOARD) == set()
