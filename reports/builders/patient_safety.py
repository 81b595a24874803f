"""Patientsäkerhetsberättelse for a vårdgivare and a calendar year (PSL 3 kap. 10 §).

The sections follow SOSFS 2011:9 7 kap. 2–3 §§ and SKR's national template
(SPEC §7). Each section has a short guidance text saying what the regulation
asks for, the narrative written in the browser
(:class:`~reports.models.PatientSafetyNarrative`) and the figures of the year,
read by the same builders as the other reports. Actions not completed by the
end of the year are listed with owner and deadline and carried into the coming
year's goals.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import overlaps_q
from followup.choices import ACTION_UNFINISHED_STATES, FollowUpState
from followup.models import Action, FollowUp
from incidents.models import DeviationAction
from reports.builders.common import MAX_LIST_ROWS, redact
from reports.builders.complaints import (
    complaints_report_figures,
)
from reports.builders.deviations import (
    deviation_figures,
    deviations_in,
)
from reports.builders.followup import followup_figures, followups_in
from reports.builders.lex_maria import lex_maria_figures, scope_units
from reports.builders.operations import provider_operations
from reports.builders.responsibility import responsibility_figures
from reports.models import PatientSafetyNarrative
from reports.scopes import ReportScope
from responsibility.choices import ContractKind
from responsibility.models import CareProvider, Contract

# Longest text of an action copied into the report.
ACTION_TEXT_LIMIT = 160


def provider_scope(provider: CareProvider, label: str) -> ReportScope:
    from reports.choices import ScopeKind

    return ReportScope(
        ScopeKind.PROVIDER, provider.pk, label, f"provider:{provider.org_number}", provider.municipality_id
    )


def register_date(year: int, now: datetime) -> date:
    """The register is shown as on the last day of the year, or today while the year is running."""
    return min(date(year, 12, 31), timezone.localtime(now).date())


def narrative_guidance() -> dict[str, str]:
    """What SOSFS 2011:9 7 kap. and PSL 3 kap. 10 § ask each section to say (shown above the text)."""
    return {
        "goals_and_strategies": _(
            "State the vårdgivare's overall goals and strategies for patient safety in the year (SOSFS 2011:9 "
            "7 kap. 3 § 1)."
        ),
        "organisation": _(
            "Describe how the responsibility for patient safety work is organised: the board as vårdgivare, "
            "operations managers, MAS and MAR (HSL 11 kap. 4 §), and who reports under Lex Maria. The table is "
            "read from the register."
        ),
        "followup": _(
            "Describe the structure for following up and evaluating patient safety work: egenkontroll, "
            "follow-ups of units and contracts, and what they found (SOSFS 2011:9 7 kap. 3 § 2)."
        ),
        "collaboration": _(
            "Describe how the vårdgivare collaborated with others to prevent care injuries: the agreement on "
            "physician participation with the region and its follow-up, and deviations in the collaboration "
            "(PSL 3 kap. 10 §, SOSFS 2011:9 7 kap. 2 §)."
        ),
        "risk_analysis": _(
            "Describe how risks of care injury were analysed before changes and in daily work, and what the "
            "analyses led to (SOSFS 2011:9 5 kap. 1 §)."
        ),
        "deviations": _(
            "Account for the investigation of events that caused or could have caused a care injury, the Lex "
            "Maria reports to IVO, and what was learnt (PSL 3 kap. 3 and 5 §§, SOSFS 2011:9 7 kap. 3 § 3)."
        ),
        "complaints": _(
            "Account for complaints and comments from patients and relatives, how they were handled and "
            "analysed, and what they led to (PSL 7 kap., SOSFS 2011:9 5 kap. 3 §)."
        ),
        "participation": _(
            "Describe how patients and relatives took part in the patient safety work, e.g. being informed and "
            "heard when an event was investigated (PSL 3 kap. 8 §)."
        ),
        "results": _(
            "Summarise and analyse the year: the actions taken to increase patient safety and what they "
            "achieved (PSL 3 kap. 10 § 2–3)."
        ),
        "goals_next_year": _(
            "State the goals and strategies for the coming year. Actions not completed this year are carried "
            "here with owner and date (PSL 3 kap. 10 § 3)."
        ),
    }


def not_written() -> str:
    return _("Not yet written.")


def patient_safety_figures(*, provider: CareProvider, scope_label: str, year: int, now: datetime) -> dict:
    scope = provider_scope(provider, scope_label)
    start, end = date(year, 1, 1), date(year, 12, 31)
    narrative = PatientSafetyNarrative.objects.filter(provider=provider, year=year).first()
    # What several sections share, read once: who operated which unit when, and the provider's units.
    operations = provider_operations(provider.pk)
    unit_ids = scope_units(scope)
    deviations = deviation_figures(
        scope=scope,
        period_from=start,
        period_to=end,
        now=now,
        operations=operations,
        municipality=provider.municipality,
    )
    followup = followup_figures(scope=scope, period_from=start, period_to=end, now=now)
    followups = followups_in(scope=scope, period_from=start, period_to=end)
    today = timezone.localtime(now).date()
    year_end = min(end, today)
    # Corrective actions of the year's deviations: done in the year, and still not done.
    dev_actions = DeviationAction.objects.filter(
        deviation__in=deviations_in(scope=scope, period_from=start, period_to=end, operations=operations).values("pk")
    )
    dev_action_counts = dev_actions.aggregate(
        total=Count("id"),
        done=Count("id", filter=Q(done_at__isnull=False)),
        not_done=Count("id", filter=Q(done_at__isnull=True)),
    )
    # The follow-ups' actions by state, as counted per contract in the follow-up figures.
    fu_actions = Action.objects.filter(finding__follow_up__in=followups.values("pk"))
    fu_action_counts = {
        "total": followup["actions"],
        "verified": sum(r["verified"] for r in followup["contracts"]),
        "unfinished": sum(r["unfinished"] for r in followup["contracts"]),
    }
    carried = [
        {
            "source": r["deviation__reference"],
            "kind": _("Deviation"),
            "description": r["description"],
            "owner": f"{r['owner__first_name']} {r['owner__last_name']}",
            "deadline": r["deadline"],
        }
        for r in dev_actions.filter(done_at__isnull=True)
        .order_by("deadline", "pk")
        .values("deviation__reference", "description", "owner__first_name", "owner__last_name", "deadline")[
            :MAX_LIST_ROWS
        ]
    ] + [
        {
            "source": r["finding__follow_up__unit__name"] or r["finding__follow_up__contract__case_number"] or "–",
            "kind": _("Follow-up"),
            "description": r["description"],
            "owner": f"{r['owner__first_name']} {r['owner__last_name']}",
            "deadline": r["deadline"],
        }
        for r in fu_actions.filter(state__in=ACTION_UNFINISHED_STATES)
        .order_by("deadline", "pk")
        .values(
            "finding__follow_up__unit__name",
            "finding__follow_up__contract__case_number",
            "description",
            "owner__first_name",
            "owner__last_name",
            "deadline",
        )[:MAX_LIST_ROWS]
    ]
    for row in carried:
        text = redact(row["description"])
        row["description"] = text if len(text) <= ACTION_TEXT_LIMIT else text[: ACTION_TEXT_LIMIT - 1] + "…"
        row["overdue"] = row["deadline"] < year_end
    carried.sort(key=lambda r: (r["deadline"], r["source"]))
    # Agreements on physician participation (läkarmedverkan) of the provider's board in force in the year.
    board_id = provider.board_id
    physician = []
    if board_id is not None:
        contracts = Contract.objects.filter(
            Q(purchasing_board_id=board_id) | Q(managing_board_id=board_id),
            overlaps_q(Contract, start, end),
            kind=ContractKind.PHYSICIAN,
        ).order_by("valid_from", "pk")
        followed = {
            r["contract_id"]: r
            for r in FollowUp.objects.filter(
                contract__in=contracts,
                scheduled_date__gte=start,
                scheduled_date__lte=end,
            )
            .values("contract_id")
            .annotate(planned=Count("id"), performed=Count("id", filter=Q(state=FollowUpState.COMPLETED)))
            .order_by()
        }
        for c in contracts:
            physician.append(
                {
                    "title": c.title,
                    "case_number": c.case_number,
                    "valid_from": c.valid_from,
                    "valid_to": c.valid_to,
                    "around_the_clock": c.doctor_available_24_7,
                    "planned": followed.get(c.pk, {}).get("planned", 0),
                    "performed": followed.get(c.pk, {}).get("performed", 0),
                }
            )
    return {
        "provider": provider,
        "year": year,
        "narrative": narrative,
        "deviations": deviations,
        "lex_maria": lex_maria_figures(scope=scope, period_from=start, period_to=end, now=now, unit_ids=unit_ids),
        "followup": followup,
        "register": responsibility_figures(scope=scope, on=register_date(year, now)),
        "deviation_actions": dev_action_counts,
        "followup_actions": fu_action_counts,
        "carried": carried,
        "physician": physician,
        "complaints": complaints_report_figures(scope=scope, period_from=start, period_to=end, unit_ids=unit_ids),
    }


def has_data(figures: dict) -> bool:
    """Whether anything happened in the year: deviations, Lex Maria cases, follow-ups or a written narrative."""
    return bool(
        figures["deviations"]["total"]
        or figures["lex_maria"]["total"]
        or figures["followup"]["planned"]
        or figures["narrative"] is not None
        or figures["complaints"]["complaints"].total
        or figures["complaints"]["collaborations"].total
    )
