"""One deviation as a printable PDF (PDF/A): the facts, the investigation, the actions and the history.

The document never holds the patient's identity, whoever prints it: a printed
page leaves the access control behind. Free text is scrubbed of anything shaped
like a personnummer. What else it shows follows the deviation page: the
investigation, actions and history only for those working the case.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from core.pdf import html_to_pdf
from incidents.models import Deviation, DeviationTransition
from incidents.patient import redact
from incidents.permissions import Actor
from incidents.risk import risk_level

WORKING_ACTORS = frozenset({Actor.MANAGER, Actor.DUTY})


def deviation_document_context(*, deviation: Deviation, user, kinds: frozenset[str]) -> dict:
    """Everything the printed deviation shows for ``user`` (whose relation to it is ``kinds``)."""
    working = bool(kinds & WORKING_ACTORS)
    case = getattr(deviation, "lex_maria_case", None) if working else None
    return {
        "deviation": deviation,
        "working": working,
        "only_reporter": kinds == {Actor.REPORTER},
        "description": redact(deviation.description),
        "immediate_actions": redact(deviation.immediate_actions),
        "cause_analysis": redact(deviation.cause_analysis),
        "lessons_learned": redact(deviation.lessons_learned),
        "assessment": redact(deviation.assessment),
        "lex_maria_motivation": redact(deviation.lex_maria_motivation),
        "feedback": redact(deviation.feedback_to_reporter),
        "rejection_reason": redact(deviation.rejection_reason),
        "risk_label": risk_level(deviation.risk_score, threshold=deviation.municipality.mas_risk_threshold)[1],
        "lex_maria_case": case,
        "actions": [
            {"description": redact(a.description), "owner": a.owner, "deadline": a.deadline, "done_at": a.done_at}
            for a in deviation.actions.select_related("owner")
        ]
        if working
        else [],
        "transitions": [
            {
                "at": t.at,
                "from": t.get_from_state_display(),
                "to": t.get_to_state_display(),
                "actor": (t.actor.get_full_name() or t.actor.get_username()) if t.actor else "–",
                "reason": redact(t.reason),
            }
            for t in DeviationTransition.objects.filter(deviation=deviation).select_related("actor")
        ]
        if working
        else [],
        "produced_at": timezone.localtime(),
        "produced_by": user.get_full_name() or user.get_username(),
    }


def deviation_pdf(*, deviation: Deviation, user, kinds: frozenset[str]) -> bytes:
    """Render the printable deviation for ``user`` as PDF/A bytes (never with the patient's identity)."""
    html = render_to_string(
        "incidents/deviation_pdf.html", deviation_document_context(deviation=deviation, user=user, kinds=kinds)
    )
    return html_to_pdf(html)
