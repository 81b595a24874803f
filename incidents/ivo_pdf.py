"""The Lex Maria investigation as a PDF to attach in IVO's e-service (the portal never submits to IVO)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from incidents.models import DeviationAction, LexMariaCase, LexMariaTransition
from masportal.users import actor_display
from responsibility.models import Unit

# States from which the event analysis exists and the investigation can be produced.
PDF_STATES = ("analysed", "board_informed", "reported_to_ivo", "ivo_decided", "closed")


def investigation_context(*, case: LexMariaCase, produced_by) -> dict:
    """Everything the investigation shows; no patient identity (IVO's form asks for it separately)."""
    deviation = case.deviation
    unit = Unit.objects.select_related("board", "provider").get(pk=deviation.unit_id)
    return {
        "case": case,
        "deviation": deviation,
        "unit": unit,
        "actions": list(DeviationAction.objects.filter(deviation=deviation).select_related("owner")),
        "transitions": list(LexMariaTransition.objects.filter(case=case).select_related("actor")),
        "produced_at": timezone.localtime(),
        "produced_by": actor_display(produced_by),
    }


def investigation_pdf(*, case: LexMariaCase, produced_by) -> bytes:
    """Render the investigation of ``case`` as PDF bytes."""
    from weasyprint import HTML

    html = render_to_string("incidents/lex_maria/investigation_pdf.html",
                            investigation_context(case=case, produced_by=produced_by))
    return HTML(string=html).write_pdf()
