"""The Lex Maria investigation as a PDF to attach in IVO's e-service (the portal never submits to IVO)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from core.pdf import html_to_pdf
from core.users import actor_display
from incidents.lexmaria.models import LexMariaCase, LexMariaTransition
from incidents.models import DeviationAction
from incidents.patient import redact
from responsibility.models import Unit

# Deviation categories (codes of the demo and the default list) that point to a report to Läkemedelsverket.
MEDICAL_DEVICE_CATEGORIES = frozenset({"mtp-hjalpmedel"})
MEDICINE_CATEGORIES = frozenset({"lakemedel"})


def other_reports(*, deviation) -> list[dict]:
    """The other reports the event may need besides Lex Maria, each with its basis and whether it likely applies."""
    code = deviation.category.code if deviation.category_id else ""
    return [
        {
            "report": _("Negative event or incident with a medical device: to the manufacturer and Läkemedelsverket"),
            "basis": "HSLF-FS 2021:52 4 kap.; MDR art. 87",
            "likely": code in MEDICAL_DEVICE_CATEGORIES,
        },
        {
            "report": _("Suspected adverse drug reaction: to Läkemedelsverket"),
            "basis": "HSLF-FS 2021:75",
            "likely": code in MEDICINE_CATEGORIES,
        },
        {
            "report": _("A licensed professional may be a danger to patient safety: a separate report to IVO"),
            "basis": "PSL 3 kap. 7 §",
            "likely": False,
        },
    ]


def investigation_context(*, case: LexMariaCase, produced_by) -> dict:
    """Everything the investigation shows; no patient identity (IVO's form asks for it separately)."""
    deviation = case.deviation
    unit = Unit.objects.select_related("board", "provider").get(pk=deviation.unit_id)
    return {
        "case": case,
        "deviation": deviation,
        "description": redact(deviation.description),
        "immediate_actions": redact(deviation.immediate_actions),
        "motivation": redact(case.motivation),
        "patient_statement": redact(case.patient_statement),
        "analysis_timeline": redact(case.analysis_timeline),
        "analysis_causes": redact(case.analysis_causes),
        "analysis_actions": redact(case.analysis_actions),
        "other_reports": other_reports(deviation=deviation),
        "unit": unit,
        "actions": list(DeviationAction.objects.filter(deviation=deviation).select_related("owner")),
        "transitions": list(LexMariaTransition.objects.filter(case=case).select_related("actor")),
        "produced_at": timezone.localtime(),
        "produced_by": actor_display(produced_by),
    }


def investigation_pdf(*, case: LexMariaCase, produced_by) -> bytes:
    """Render the investigation of ``case`` as PDF bytes."""
    html = render_to_string(
        "incidents/lex_maria/investigation_pdf.html", investigation_context(case=case, produced_by=produced_by)
    )
    return html_to_pdf(html)
