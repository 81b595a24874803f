"""A follow-up plan's occurrences and the follow-ups they make due (SPEC §6), each created exactly once.

:func:`plans_missing_followups` reads, for every active plan at once (a fixed number of statements, however
many plans and units there are), which plans have an occurrence due and its follow-up missing; the job
locks only those and creates their follow-ups with :func:`followups_from_plan`, which reads the plan's
units and follow-ups again under the lock (the unique constraints are the backstop).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q

from core.calendar import add_months
from core.dates import ValidityPeriod
from followup.choices import FollowUpTrigger, PlanScope
from followup.models import FollowUp, FollowUpPlan
from responsibility.models import Unit

# Dates per statement when reading the follow-ups that exist (well below SQLite's limit of parameters).
_DATES_PER_READ = 500


def plan_units(plan: FollowUpPlan) -> list[Unit | None]:
    """The units a plan covers, in a stable order; ``[None]`` for a contract without units."""
    if plan.scope == PlanScope.UNIT:
        return [plan.unit]
    if plan.scope == PlanScope.BOARD:
        return list(Unit.objects.filter(board_id=plan.board_id).select_related("board").order_by("code"))
    units = list(plan.contract.units.select_related("board").order_by("code"))
    return units or [None]


@dataclass(frozen=True)
class Occurrence:
    unit: Unit | UnitPeriod | None
    on: date

    @property
    def key(self) -> tuple[int | None, date]:
        """The follow-up's ``(unit_id, period_start)``: what the unique constraints hold once per plan."""
        return (self.unit.pk if self.unit else None, self.on)


def plan_occurrences(
    plan: FollowUpPlan,
    *,
    until: date,
    units: list[Unit | UnitPeriod | None] | None = None,
    skip_before: date | None = None,
) -> list[Occurrence]:
    """Every occurrence of ``plan`` up to ``until``, per covered unit.

    With ``spread_units`` unit number *i* of *n* starts ``i * interval / n``
    months after ``starts_on``, so that every unit is reviewed once per interval.
    ``skip_before``: leave out occurrences more than an interval before that date (each unit's latest
    occurrence on or before it is kept), without stepping through them.
    """
    units = plan_units(plan) if units is None else units
    n = len(units)
    months_to_skip = (
        (skip_before.year - plan.starts_on.year) * 12 + skip_before.month - plan.starts_on.month
        if skip_before is not None
        else 0
    )
    result = []
    for i, unit in enumerate(units):
        offset = (i * plan.interval_months) // n if plan.spread_units and n else 0
        # Occurrence k falls in month offset + k * interval (from starts_on); this k is in a month before
        # skip_before's, so it and those after it hold the latest one on or before skip_before.
        k = max(0, (months_to_skip - offset) // plan.interval_months - 1)
        while True:
            day = add_months(plan.starts_on, offset + k * plan.interval_months)
            if day > until or (plan.ends_on and day > plan.ends_on):
                break
            result.append(Occurrence(unit, day))
            k += 1
    return result


def plan_due(plan: FollowUpPlan, *, on: date, units: list[Unit | UnitPeriod | None]) -> list[Occurrence]:
    """The occurrences of ``plan`` that should have a follow-up by ``on`` (its ``units`` given).

    Per unit only the latest past occurrence and the coming ones within the lead days:
    a plan started long ago does not produce a backlog of stale follow-ups.
    Occurrences outside the contract's period or a unit's active period are skipped.
    """
    occurrences = plan_occurrences(plan, until=on + timedelta(days=plan.lead_days), units=units, skip_before=on)
    latest_past: dict[int | None, date] = {}
    for occ in occurrences:
        key = occ.unit.pk if occ.unit else None
        if occ.on <= on:
            latest_past[key] = max(latest_past.get(key, occ.on), occ.on)
    contract = plan.contract if plan.scope == PlanScope.CONTRACT else None
    return [
        occ
        for occ in occurrences
        if occ.on >= latest_past.get(occ.key[0], occ.on)
        and (contract is None or contract.is_active_on(occ.on))
        and (occ.unit is None or occ.unit.is_active_on(occ.on))
    ]


def followups_from_plan(*, plan: FollowUpPlan, on: date, limit: int) -> int:
    """Create the follow-ups of ``plan`` due by ``on`` + lead days (:func:`plan_due`), each exactly once;
    return how many. The caller holds the plan's lock: its units and follow-ups are read here."""
    due = plan_due(plan, on=on, units=plan_units(plan))
    existing = set(FollowUp.objects.filter(plan=plan).values_list("unit_id", "period_start"))
    contract = plan.contract if plan.scope == PlanScope.CONTRACT else None
    to_create = [
        FollowUp(
            municipality_id=plan.municipality_id,
            kind=plan.kind,
            trigger=FollowUpTrigger.PLAN,
            plan=plan,
            period_start=occ.on,
            unit=occ.unit,
            contract_id=contract.pk if contract is not None else (occ.unit.contract_id if occ.unit else None),
            board_id=occ.unit.board_id if occ.unit else contract.managing_board_id,
            checklist_template_id=plan.checklist_template_id,
            scheduled_date=occ.on,
            auditor_id=plan.auditor_id,
        )
        for occ in due
        if occ.key not in existing
    ][:limit]
    if not to_create:
        return 0
    before = FollowUp.objects.filter(plan=plan).count()
    FollowUp.objects.bulk_create(to_create, ignore_conflicts=True)
    return FollowUp.objects.filter(plan=plan).count() - before


def active_plans(*, on: date):
    """The plans a run for ``on`` looks at: active, started within a year and not ended more than a year ago."""
    return FollowUpPlan.objects.filter(active=True, starts_on__lte=on + timedelta(days=366)).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=on - timedelta(days=366))
    )


@dataclass(frozen=True, eq=False)
class UnitPeriod(ValidityPeriod):
    """What :func:`plan_due` reads of a unit, as a plain row (thousands are read at once): id and active period."""

    pk: int
    active_from: date
    active_to: date | None
    period_start, period_end = Unit.period_start, Unit.period_end


_UNIT_PERIOD = ("pk", "active_from", "active_to")


def _units_of(plans: list[FollowUpPlan], plans_qs) -> dict[int, list[Unit | UnitPeriod | None]]:
    """:func:`plan_units` of every plan in two statements (the boards' units, the contracts' units), as
    :class:`UnitPeriod` rows in the same order."""
    by_board: dict[int, list[UnitPeriod]] = defaultdict(list)
    boards = plans_qs.filter(scope=PlanScope.BOARD).values("board_id")
    for board_id, *row in (
        Unit.objects.filter(board_id__in=boards).order_by("code", "pk").values_list("board_id", *_UNIT_PERIOD)
    ):
        by_board[board_id].append(UnitPeriod(*row))
    by_contract: dict[int, list[UnitPeriod]] = defaultdict(list)
    contracts = plans_qs.filter(scope=PlanScope.CONTRACT).values("contract_id")
    for contract_id, *row in (
        Unit.objects.filter(contracts__in=contracts).order_by("code", "pk").values_list("contracts", *_UNIT_PERIOD)
    ):
        by_contract[contract_id].append(UnitPeriod(*row))
    result: dict[int, list[Unit | UnitPeriod | None]] = {}
    for plan in plans:
        if plan.scope == PlanScope.UNIT:
            result[plan.pk] = [plan.unit]
        elif plan.scope == PlanScope.BOARD:
            result[plan.pk] = by_board[plan.board_id]
        else:
            result[plan.pk] = by_contract[plan.contract_id] or [None]
    return result


def plans_missing_followups(*, on: date) -> tuple[int, list[int]]:
    """How many plans a run for ``on`` checks, and the pks (in order) of those with an occurrence due
    (:func:`plan_due`) whose follow-up does not exist yet.

    Reads without locking, in a fixed number of statements: the plans, their units, and the follow-ups
    that exist on the due dates. A plan it names may have been done meanwhile by another worker:
    :func:`followups_from_plan`, under the plan's lock, creates only what is still missing.
    """
    plans_qs = active_plans(on=on)
    plans = list(plans_qs.select_related("contract", "unit").order_by("pk"))
    units = _units_of(plans, plans_qs)
    due = {plan.pk: plan_due(plan, on=on, units=units[plan.pk]) for plan in plans}
    existing: set[tuple[int, int | None, date]] = set()
    dates = sorted({occ.on for occurrences in due.values() for occ in occurrences})
    for start in range(0, len(dates), _DATES_PER_READ):
        chunk = dates[start : start + _DATES_PER_READ]
        existing.update(
            FollowUp.objects.filter(plan__in=plans_qs.values("pk"), period_start__in=chunk).values_list(
                "plan_id", "unit_id", "period_start"
            )
        )
    missing = [pk for pk, occurrences in due.items() if any((pk, *occ.key) not in existing for occ in occurrences)]
    return len(plans), missing
