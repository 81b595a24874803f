"""Avtalsuppföljningsrapport: per contract, follow-ups performed against planned, findings, actions and overdue actions.

A follow-up belongs to its own contract or, when it only names a unit, to the
unit's contract; follow-ups of units without a contract (egen regi) are one
group of their own. Figures are grouped in the database per contract.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from followup.choices import ACTION_UNFINISHED_STATES, ActionState, DutyArea, FindingSeverity, FollowUpState
from followup.models import Action, Finding, FollowUp
from reports.builders.charts import add_counts
from reports.builders.common import (
    MAX_LIST_ROWS,
    Column,
    Figure,
    KeyFigure,
    Section,
    Summary,
    Table,
    previous_period,
    redact,
)
from reports.choices import ScopeKind
from reports.scopes import ReportScope
from responsibility.models import Contract


def _scope_q(scope: ReportScope, prefix: str = "") -> Q:
    """Follow-ups of the scope: the unit in the scope, or (without unit) the contract's boards or provider."""
    p = prefix
    if scope.kind == ScopeKind.MUNICIPALITY:
        return Q(**{f"{p}municipality_id": scope.id})
    if scope.kind == ScopeKind.PROVIDER:
        return Q(**{f"{p}unit__provider_id": scope.id}) | Q(**{f"{p}contract__provider_id": scope.id})
    if scope.kind == ScopeKind.BOARD:
        return (
            Q(**{f"{p}board_id": scope.id})
            | Q(**{f"{p}unit__board_id": scope.id})
            | Q(**{f"{p}contract__purchasing_board_id": scope.id})
        )
    return (
        Q(**{f"{p}board__region_id": scope.id})
        | Q(**{f"{p}unit__board__region_id": scope.id})
        | Q(**{f"{p}contract__purchasing_board__region_id": scope.id})
    )


def followups_in(*, scope: ReportScope, period_from: date, period_to: date) -> QuerySet[FollowUp]:
    """Follow-ups scheduled in the period in the scope (cancelled ones are not planned work)."""
    return (
        FollowUp.objects.filter(
            _scope_q(scope),
            municipality_id=scope.municipality_id,
            scheduled_date__gte=period_from,
            scheduled_date__lte=period_to,
        )
        .exclude(state=FollowUpState.CANCELLED)
        .distinct()
    )


def _contract_key(prefix: str = ""):
    return Coalesce(F(f"{prefix}contract_id"), F(f"{prefix}unit__contract_id"))


def followup_figures(*, scope: ReportScope, period_from: date, period_to: date, now: datetime) -> dict:
    """Per-contract counts of planned and performed follow-ups, findings and actions by state; overdue actions.

    Four grouped statements: follow-ups per contract (with the previous period's totals), findings per contract
    and duty area, actions per contract and state, and the overdue actions listed.
    """
    today = timezone.localtime(now).date()
    prev_from, prev_to = previous_period(period_from, period_to)  # ends the day before period_from
    ids = followups_in(scope=scope, period_from=period_from, period_to=period_to).values("pk")
    both = followups_in(scope=scope, period_from=prev_from, period_to=period_to).values("pk")
    in_period = Q(scheduled_date__gte=period_from)
    completed = Q(state=FollowUpState.COMPLETED)
    per_contract = {}
    previous = {"planned": 0, "performed": 0}
    for r in (
        FollowUp.objects.filter(pk__in=both)
        .annotate(ck=_contract_key())
        .values("ck")
        .annotate(
            planned=Count("id", filter=in_period),
            performed=Count("id", filter=in_period & completed),
            planned_before=Count("id", filter=~in_period),
            performed_before=Count("id", filter=~in_period & completed),
        )
        .order_by()
    ):
        previous["planned"] += r["planned_before"]
        previous["performed"] += r["performed_before"]
        if not r["planned"]:
            continue
        per_contract[r["ck"]] = {
            "planned": r["planned"],
            "performed": r["performed"],
            "findings": 0,
            "deficiencies": 0,
            "actions": 0,
            "verified": 0,
            "unfinished": 0,
            "overdue": 0,
        }
    by_area: dict[str, int] = {}
    for r in (
        Finding.objects.filter(follow_up_id__in=ids)
        .annotate(ck=_contract_key("follow_up__"))
        .values("ck", "area")
        .annotate(n=Count("id"), deficiencies=Count("id", filter=Q(severity=FindingSeverity.DEFICIENCY)))
        .order_by()
    ):
        counts = per_contract[r["ck"]]
        counts["findings"] += r["n"]
        counts["deficiencies"] += r["deficiencies"]
        by_area[r["area"]] = by_area.get(r["area"], 0) + r["n"]
    actions = Action.objects.filter(finding__follow_up_id__in=ids)
    overdue_q = Q(state__in=ACTION_UNFINISHED_STATES, deadline__lt=today)
    by_state: dict[str, int] = {}
    for r in (
        actions.annotate(ck=_contract_key("finding__follow_up__"))
        .values("ck", "state")
        .annotate(n=Count("id"), overdue=Count("id", filter=overdue_q))
        .order_by()
    ):
        counts = per_contract[r["ck"]]
        counts["actions"] += r["n"]
        counts["verified"] += r["n"] if r["state"] == ActionState.VERIFIED else 0
        counts["unfinished"] += r["n"] if r["state"] in ACTION_UNFINISHED_STATES else 0
        counts["overdue"] += r["overdue"]
        by_state[r["state"]] = by_state.get(r["state"], 0) + r["n"]
    contracts = Contract.objects.select_related("provider").in_bulk([k for k in per_contract if k is not None])
    rows = []
    for key, counts in per_contract.items():
        contract = contracts.get(key)
        rows.append(
            {
                "contract": f"{contract.title} ({contract.case_number})"
                if contract
                else _("No contract (own operation)"),
                "provider": (contract.provider.name if contract and contract.provider else "–"),
                **counts,
            }
        )
    rows.sort(key=lambda r: (r["contract"] == _("No contract (own operation)"), r["contract"]))
    overdue_total = sum(r["overdue"] for r in rows)
    overdue = (
        list(
            actions.filter(overdue_q)
            .annotate(ck=_contract_key("finding__follow_up__"))
            .order_by("deadline", "pk")
            .values(
                "description",
                "deadline",
                "state",
                "finding__area",
                "finding__follow_up__unit__name",
                "owner__first_name",
                "owner__last_name",
                "ck",
            )[:MAX_LIST_ROWS]
        )
        if overdue_total
        else []
    )
    for row in overdue:
        contract = contracts.get(row["ck"])
        row["contract"] = contract.case_number if contract else "–"
        row["days_overdue"] = (today - row["deadline"]).days
        row["description"] = redact(row["description"])
    return {
        "previous": {"from": prev_from, "to": prev_to, **previous},
        "deficiencies": sum(r["deficiencies"] for r in rows),
        "not_performed": sum(r["planned"] - r["performed"] for r in rows),
        "contracts": rows,
        "planned": sum(r["planned"] for r in rows),
        "performed": sum(r["performed"] for r in rows),
        "findings": sum(r["findings"] for r in rows),
        "actions": sum(r["actions"] for r in rows),
        "actions_by_state": by_state,
        "findings_by_area": by_area,
        "overdue_total": overdue_total,
        "overdue": overdue,
    }


def followup_summary(*, figures: dict) -> Summary:
    f = figures
    prev = f["previous"]
    compared = _("Previous period (%(from)s – %(to)s)") % {"from": prev["from"], "to": prev["to"]}
    summary = Summary(
        figures=[
            KeyFigure(_("Follow-ups planned in the period"), f["planned"], prev["planned"], compared),
            KeyFigure(_("Follow-ups performed"), f["performed"], prev["performed"], compared),
            KeyFigure(pgettext("follow-up", "Findings"), f["findings"]),
            KeyFigure(_("Of which deficiencies"), f["deficiencies"]),
            KeyFigure(_("Actions"), f["actions"]),
            KeyFigure(_("Overdue actions"), f["overdue_total"]),
        ]
    )
    summary.lead = _(
        "%(performed)s of %(planned)s planned follow-ups of contracts and units were performed in the "
        "period; they found %(findings)s findings, %(deficiencies)s of them deficiencies."
    ) % {
        "performed": f["performed"],
        "planned": f["planned"],
        "findings": f["findings"],
        "deficiencies": f["deficiencies"],
    }
    if f["not_performed"]:
        summary.attention.append(
            ngettext(
                "%(n)s planned follow-up has not been performed: the board's duty to follow up its contracts "
                "(KL 10 kap. 8 §) is not met for it.",
                "%(n)s planned follow-ups have not been performed: the board's duty to follow up its contracts "
                "(KL 10 kap. 8 §) is not met for them.",
                f["not_performed"],
            )
            % {"n": f["not_performed"]}
        )
    if f["overdue_total"]:
        summary.attention.append(
            ngettext(
                "%(n)s action is not verified by its deadline; see Overdue actions.",
                "%(n)s actions are not verified by their deadlines; see Overdue actions.",
                f["overdue_total"],
            )
            % {"n": f["overdue_total"]}
        )
    return summary


def add_findings_by_area(section: Section, *, figures: dict, key: str) -> None:
    """Findings by MAS duty area, most first: a bar chart (when there are findings) and its table."""
    rows = sorted(
        ([str(label), figures["findings_by_area"].get(value, 0)] for value, label in DutyArea.choices),
        key=lambda r: (-r[1], r[0]),
    )
    add_counts(
        section,
        key=key,
        title=_("Findings by MAS duty area"),
        alt=_(
            "Bar chart of findings by MAS duty area, most findings first; each bar is labelled with its "
            "number. The figures are in the table below."
        ),
        label_heading=_("Duty area"),
        count_heading=pgettext("follow-up", "Findings"),
        rows=rows,
        total=figures["findings"],
    )


def followup_sections(*, figures: dict) -> list[Section]:
    f = figures
    per_contract = Section(
        heading=_("Per contract"),
        intro=_("Follow-ups scheduled in the period; an action is done only when it has been verified."),
        figures=[
            Figure(_("Follow-ups planned in the period"), f["planned"]),
            Figure(_("Follow-ups performed"), f["performed"]),
            Figure(pgettext("follow-up", "Findings"), f["findings"]),
            Figure(_("Actions"), f["actions"]),
            Figure(_("Overdue actions"), f["overdue_total"]),
        ],
    )
    per_contract.tables.append(
        Table(
            key="contracts",
            caption=_("Follow-up per contract"),
            columns=[
                Column(_("Contract")),
                Column(_("Care provider")),
                Column(_("Planned"), numeric=True),
                Column(_("Performed"), numeric=True),
                Column(pgettext("follow-up", "Findings"), numeric=True),
                Column(_("Of which deficiencies"), numeric=True),
                Column(_("Actions"), numeric=True),
                Column(_("Verified"), numeric=True),
                Column(_("Not verified"), numeric=True),
                Column(_("Overdue"), numeric=True),
            ],
            rows=[
                [
                    r["contract"],
                    r["provider"],
                    r["planned"],
                    r["performed"],
                    r["findings"],
                    r["deficiencies"],
                    r["actions"],
                    r["verified"],
                    r["unfinished"],
                    r["overdue"],
                ]
                for r in f["contracts"]
            ],
            totals=[
                _("Total"),
                "",
                f["planned"],
                f["performed"],
                f["findings"],
                sum(r["deficiencies"] for r in f["contracts"]),
                f["actions"],
                sum(r["verified"] for r in f["contracts"]),
                sum(r["unfinished"] for r in f["contracts"]),
                sum(r["overdue"] for r in f["contracts"]),
            ],
            empty_text=_("No follow-ups were scheduled in the period."),
        )
    )
    status = Section(heading=_("Findings and actions"))
    state_rows = [[str(label), f["actions_by_state"].get(value, 0)] for value, label in ActionState.choices]
    add_findings_by_area(status, figures=f, key="findings_area")
    add_counts(
        status,
        key="actions_state",
        title=_("Actions by state"),
        alt=_(
            "Bar chart of actions by state; each bar is labelled with its number. The figures are in the table below."
        ),
        label_heading=_("State"),
        count_heading=_("Actions"),
        rows=state_rows,
        total=f["actions"],
    )
    note = ""
    if f["overdue_total"] > len(f["overdue"]):
        note = _("The %(shown)s with the oldest deadlines are listed, of %(total)s.") % {
            "shown": len(f["overdue"]),
            "total": f["overdue_total"],
        }
    overdue = Section(heading=_("Overdue actions"))
    overdue.tables.append(
        Table(
            key="overdue_actions",
            caption=_("Actions not verified by their deadline"),
            columns=[
                Column(_("Contract")),
                Column(_("Unit")),
                Column(_("Duty area")),
                Column(_("Action"), wide=True),
                Column(_("Owner")),
                Column(_("Deadline"), nowrap=True),
                Column(_("Days overdue"), numeric=True),
                Column(_("State")),
            ],
            rows=[
                [
                    r["contract"],
                    r["finding__follow_up__unit__name"] or "–",
                    str(DutyArea(r["finding__area"]).label),
                    r["description"],
                    f"{r['owner__first_name']} {r['owner__last_name']}",
                    r["deadline"],
                    r["days_overdue"],
                    str(ActionState(r["state"]).label),
                ]
                for r in f["overdue"]
            ],
            empty_text=_("No overdue actions."),
            note=note,
        )
    )
    return [per_contract, status, overdue]
