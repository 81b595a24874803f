"""How the patient safety report's figures are shown: its sections with guidance and narrative, tables and summary."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from reports.builders.charts import line_chart
from reports.builders.common import Column, Figure, KeyFigure, Section, Summary, Table
from reports.builders.complaints import (
    collaboration_figures_list,
    collaboration_tables,
    complaint_figures_list,
    complaint_tables,
)
from reports.builders.deviation_sections import (
    add_by_category,
    high_risk_total,
    lex_maria_total,
    unit_table,
)
from reports.builders.followup import add_findings_by_area
from reports.builders.patient_safety import narrative_guidance, not_written
from reports.builders.responsibility import REGISTER_ROLES
from reports.models import NARRATIVE_SECTIONS, PatientSafetyNarrative
from responsibility.choices import Role, Severity


def _register_table(register: dict) -> Table:
    """Each statutory role: who holds it, since when, for how many units."""
    per_holder: dict[tuple[str, str], dict] = defaultdict(lambda: {"units": 0, "since": None})
    for row in register["units"]:
        for role in REGISTER_ROLES:
            names = row["holders"][role]
            if names:
                entry = per_holder[(role, names)]
                entry["units"] += 1
                since = row["since"].get(role)
                if since and (entry["since"] is None or since < entry["since"]):
                    entry["since"] = since
    rows = [
        [str(Role(role).label), names, entry["since"], entry["units"]]
        for (role, names), entry in sorted(
            per_holder.items(), key=lambda item: (REGISTER_ROLES.index(item[0][0]), item[0][1])
        )
    ]
    return Table(
        key="ps_register",
        caption=_("Statutory roles on %(date)s") % {"date": register["on"].isoformat()},
        columns=[
            Column(_("Role")),
            Column(_("Held by")),
            Column(_("In the register since"), nowrap=True),
            Column(_("Units"), numeric=True),
        ],
        rows=rows,
        empty_text=_("No roles in the register."),
        note=_(
            "Several names in one row: the role is held by more than one person for the same units, a gap to correct."
        ),
    )


def carried_table(carried: list[dict], year: int) -> Table:
    return Table(
        key="ps_carried",
        caption=_("Actions not completed in %(year)s, carried into %(next)s") % {"year": year, "next": year + 1},
        columns=[
            Column(_("From"), nowrap=True),
            Column(_("Kind")),
            Column(_("Action"), wide=True),
            Column(_("Owner")),
            Column(_("Deadline"), nowrap=True),
            Column(_("Overdue")),
        ],
        rows=[
            [r["source"], r["kind"], r["description"], r["owner"], r["deadline"], _("yes") if r["overdue"] else _("no")]
            for r in carried
        ],
        empty_text=_("Every action decided in the year was completed."),
    )


def patient_safety_summary(*, figures: dict) -> Summary:
    dev, lm, fu, reg = figures["deviations"], figures["lex_maria"], figures["followup"], figures["register"]
    narrative, year = figures["narrative"], figures["year"]
    gaps = sum(1 for x in reg["findings"] if x.severity == Severity.ERROR)
    carried = len(figures["carried"])
    previous_year = str(year - 1)
    summary = Summary(
        figures=[
            KeyFigure(_("Deviations reported"), dev["total"], dev["previous"]["total"], previous_year),
            KeyFigure(_("High or very high risk"), high_risk_total(dev)),
            KeyFigure(_("Lex Maria cases decided"), lm["total"], lm["previous"]["total"], previous_year),
            KeyFigure(_("Reported to IVO"), lm["reported"]),
            KeyFigure(_("Follow-ups performed"), fu["performed"], note=_("of %(n)s planned") % {"n": fu["planned"]}),
            KeyFigure(_("Complaints received"), figures["complaints"]["complaints"].total),
            KeyFigure(_("Gaps in the register"), gaps),
            KeyFigure(_("Actions not completed, carried forward"), carried),
        ]
    )
    summary.lead = _(
        "The patient safety report of %(provider)s for %(year)s (PSL 3 kap. 10 §): how patient safety work was "
        "organised, what was done to increase patient safety and with what results, and the goals for %(next)s."
    ) % {"provider": figures["provider"].name, "year": year, "next": year + 1}
    if narrative is None or narrative.state != "adopted":
        summary.attention.append(
            _(
                "For decision: the board adopts the patient safety report for %(year)s. It is "
                "to be ready by 1 March and available to anyone who asks."
            )
            % {"year": year}
        )
    if gaps:
        summary.attention.append(
            ngettext(
                "%(n)s gap in the register of statutory roles must be corrected.",
                "%(n)s gaps in the register of statutory roles must be corrected.",
                gaps,
            )
            % {"n": gaps}
        )
    if carried:
        summary.attention.append(
            ngettext(
                "%(n)s action was not completed in the year; it is carried into next year's goals with owner and date.",
                "%(n)s actions were not completed in the year; they are carried into next year's goals with owner "
                "and date.",
                carried,
            )
            % {"n": carried}
        )
    if lm["total"]:
        summary.attention.append(
            ngettext(
                "%(n)s event was reported or decided to be reported to IVO under Lex Maria.",
                "%(n)s events were reported or decided to be reported to IVO under Lex Maria.",
                lm["total"],
            )
            % {"n": lm["total"]}
        )
    return summary


def _months(year: int) -> list[date]:
    return [date(year, m, 1) for m in range(1, 13)]


def patient_safety_sections(*, figures: dict) -> list[Section]:
    narrative = figures["narrative"]
    dev, lm, fu, reg = figures["deviations"], figures["lex_maria"], figures["followup"], figures["register"]
    year = figures["year"]
    guidance = narrative_guidance()
    sections: dict[str, Section] = {}
    for field_name, _figures_key in NARRATIVE_SECTIONS:
        label = str(PatientSafetyNarrative._meta.get_field(field_name).verbose_name)
        text = getattr(narrative, field_name, "") if narrative else ""
        section = Section(
            heading=label,
            guidance=guidance.get(field_name, ""),
            paragraphs=[p for p in text.split("\n\n") if p.strip()] if text else [],
        )
        if not text:
            section.intro = not_written()
        sections[field_name] = section

    # Organisation of responsibility: from the register, with names and dates.
    org = sections["organisation"]
    gaps = sum(1 for x in reg["findings"] if x.severity == Severity.ERROR)
    org.figures = [Figure(_("Units"), len(reg["units"])), Figure(_("Gaps in the register"), gaps)]
    org.tables.append(_register_table(reg))

    # Structure for follow-up and evaluation: the follow-ups of the year and what they found.
    follow = sections["followup"]
    follow.figures = [
        Figure(_("Follow-ups planned"), fu["planned"]),
        Figure(_("Follow-ups performed"), fu["performed"]),
        Figure(pgettext("follow-up", "Findings"), fu["findings"]),
        Figure(_("Of which deficiencies"), fu["deficiencies"]),
        Figure(_("Overdue actions"), fu["overdue_total"]),
    ]
    add_findings_by_area(follow, figures=fu, key="ps_findings_area")
    follow.tables.append(
        Table(
            key="ps_contracts",
            caption=_("Follow-up per contract"),
            columns=[
                Column(_("Contract")),
                Column(_("Planned"), numeric=True),
                Column(_("Performed"), numeric=True),
                Column(pgettext("follow-up", "Findings"), numeric=True),
                Column(_("Actions"), numeric=True),
                Column(_("Verified"), numeric=True),
            ],
            rows=[
                [r["contract"], r["planned"], r["performed"], r["findings"], r["actions"], r["verified"]]
                for r in fu["contracts"]
            ],
            totals=[
                _("Total"),
                fu["planned"],
                fu["performed"],
                fu["findings"],
                fu["actions"],
                sum(r["verified"] for r in fu["contracts"]),
            ],
            empty_text=_("No follow-ups were scheduled in the year."),
        )
    )

    # Collaboration: physician participation agreements and their follow-up.
    collab = sections["collaboration"]
    collab.tables.append(
        Table(
            key="ps_physician",
            caption=_("Agreements on physician participation (läkarmedverkan) in %(year)s") % {"year": year},
            columns=[
                Column(_("Agreement")),
                Column(_("Case number"), nowrap=True),
                Column(_("Valid"), nowrap=True),
                Column(_("Doctor around the clock")),
                Column(_("Follow-ups planned"), numeric=True),
                Column(_("Performed"), numeric=True),
            ],
            rows=[
                [
                    r["title"],
                    r["case_number"],
                    f"{r['valid_from'].isoformat()} – {r['valid_to'].isoformat() if r['valid_to'] else ''}",
                    _("yes") if r["around_the_clock"] else _("no"),
                    r["planned"],
                    r["performed"],
                ]
                for r in figures["physician"]
            ],
            empty_text=_("No agreement on physician participation is registered for the board."),
        )
    )
    collab.figures = collaboration_figures_list(figures["complaints"]["collaborations"])
    collab.tables += collaboration_tables(figures["complaints"]["collaborations"], prefix="ps_")

    # Risk analysis: how the year's deviations were scored.
    risk = sections["risk_analysis"]
    risk_rows = [
        [label, sum(n for score, n in dev["by_score"].items() if low <= score <= high)]
        for label, low, high in dev["risk_levels"]
    ]
    risk.tables.append(
        Table(
            key="ps_risk",
            caption=_("Deviations of %(year)s by risk level (consequence × probability)") % {"year": year},
            columns=[Column(_("Risk level")), Column(_("Deviations"), numeric=True)],
            rows=risk_rows,
            totals=[_("Total"), dev["total"]],
        )
    )

    # Deviations and Lex Maria: figures, charts, trends.
    devs = sections["deviations"]
    devs.figures = [
        Figure(_("Deviations reported"), dev["total"]),
        Figure(_("Previous year"), dev["previous"]["total"]),
        Figure(_("Decided as Lex Maria"), lex_maria_total(dev)),
        Figure(_("Lex Maria cases decided"), lm["total"]),
        Figure(_("Reported to IVO"), lm["reported"]),
    ]
    months = _months(year)
    current = [dev["monthly"].get(m, 0) for m in months]
    before = [dev["monthly_last_year"].get(m.replace(year=year - 1), 0) for m in months]
    labels = [m.strftime("%Y-%m") for m in months]
    if dev["total"] or any(before):
        devs.charts.append(
            line_chart(
                title=_("Deviations per month, %(year)s and %(previous)s") % {"year": year, "previous": year - 1},
                alt=_(
                    "Line chart of deviations per month, this year (solid line, filled dots) and the year before "
                    "(dashed line, open dots). The figures are in the table below."
                ),
                labels=[m.strftime("%m") for m in months],
                series=[
                    (_("%(year)s (solid line, filled dots)") % {"year": year}, current),
                    (_("%(year)s (dashed line, open dots)") % {"year": year - 1}, before),
                ],
            )
        )
    devs.tables.append(
        Table(
            key="ps_monthly",
            caption=_("Deviations per month"),
            columns=[
                Column(_("Month"), nowrap=True),
                Column(str(year), numeric=True),
                Column(str(year - 1), numeric=True),
            ],
            rows=[[label, c, b] for label, c, b in zip(labels, current, before, strict=True)],
            totals=[_("Total"), sum(current), sum(before)],
        )
    )
    add_by_category(devs, figures=dev, key="ps_category", empty_text=_("No deviations in the year."))
    devs.tables.append(unit_table(dev, key="ps_unit", empty_text=_("No deviations in the year.")))
    devs.tables.append(
        Table(
            key="ps_lex_maria",
            caption=_("Lex Maria cases decided in %(year)s") % {"year": year},
            columns=[
                Column(_("Case"), nowrap=True),
                Column(_("Unit")),
                Column(_("Event"), nowrap=True),
                Column(_("Sent to IVO"), nowrap=True),
                Column(_("IVO's decision"), wide=True),
            ],
            rows=[
                [c["reference"], c["deviation__unit__name"], c["event_day"], c["ivo_sent_at"], c["ivo_outcome"]]
                for c in lm["cases"]
            ],
            empty_text=_("No Lex Maria cases were decided in the year."),
        )
    )

    # Complaints: received in the year, answer times, categories, units and outcomes.
    complaints_section = sections["complaints"]
    complaints_section.figures = complaint_figures_list(figures["complaints"]["complaints"])
    complaints_section.tables += complaint_tables(figures["complaints"]["complaints"], prefix="ps_")

    # Participation: what the Lex Maria cases show.
    informed = sum(1 for c in lm["cases"] if c["patient_informed_at"])
    sections["participation"].figures = [
        Figure(
            _("Lex Maria cases where the patient or relatives were informed"),
            informed,
            _("of %(n)s") % {"n": lm["total"]},
        ),
    ]

    # Results: actions taken and their results.
    results = sections["results"]
    da, fa = figures["deviation_actions"], figures["followup_actions"]
    results.tables.append(
        Table(
            key="ps_actions",
            caption=_("Actions decided in %(year)s and their state") % {"year": year},
            columns=[
                Column(_("Source")),
                Column(_("Decided"), numeric=True),
                Column(_("Completed"), numeric=True),
                Column(_("Not completed"), numeric=True),
            ],
            rows=[
                [_("Investigations of deviations"), da["total"], da["done"], da["not_done"]],
                [_("Follow-ups (verified by the MAS)"), fa["total"], fa["verified"], fa["unfinished"]],
            ],
            totals=[
                _("Total"),
                da["total"] + fa["total"],
                da["done"] + fa["verified"],
                da["not_done"] + fa["unfinished"],
            ],
        )
    )

    # Actions not completed: owner and date, carried into the coming year's goals.
    carried = Section(
        heading=_("Actions not completed"),
        guidance=_(
            "Actions decided in the year but not completed by its end, with owner and deadline; they are "
            "carried into the goals of the coming year (PSL 3 kap. 10 § 3)."
        ),
    )
    carried.tables.append(carried_table(figures["carried"], year))
    ordered = []
    for name, _key in NARRATIVE_SECTIONS:
        if name == "goals_next_year":
            ordered.append(carried)
        ordered.append(sections[name])
    if figures["carried"]:
        sections["goals_next_year"].paragraphs.append(
            ngettext(
                "The %(n)s action not completed in %(year)s (see Actions not completed) is part of the goals for "
                "%(next)s.",
                "The %(n)s actions not completed in %(year)s (see Actions not completed) are part of the goals for "
                "%(next)s.",
                len(figures["carried"]),
            )
            % {"n": len(figures["carried"]), "year": year, "next": year + 1}
        )
    return ordered
