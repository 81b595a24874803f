"""One deviation: its page, its PDF, each step's form and the attachments.

Patient identity is shown only where :func:`incidents.permissions.can_see_patient_data` allows it, and
every such view writes a :class:`~incidents.models.PatientDataAccess` row.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.forms import add_service_errors, auto_id
from core.uploads import clean_filename
from incidents import deviation_pdf as deviation_document
from incidents import services
from incidents.forms import (
    ActionForm,
    AssessForm,
    CloseForm,
    InvestigationForm,
    ReasonForm,
    SimpleMoveForm,
)
from incidents.lexmaria.models import LexMariaCase
from incidents.models import (
    Deviation,
    DeviationAttachment,
    DeviationState,
    DeviationTransition,
)
from incidents.patient_access import deviation_patient_identifier, patient_data_access_record
from incidents.permissions import (
    Actor,
    actor_kinds,
    can_download_attachments,
    can_see_patient_data,
)
from incidents.reporting import owner_text
from incidents.risk import risk_level
from incidents.selectors import (
    deviations_visible_to,
    is_overdue,
)
from incidents.workflow import INVESTIGATION_STATES, Move, moves_for

logger = logging.getLogger(__name__)

# The step forms of the detail page: step → (form class, service call).
STEP_FORMS = {
    "investigation": InvestigationForm,
    "action": ActionForm,
    Move.START_INVESTIGATION: SimpleMoveForm,
    Move.SEND_TO_MAS: SimpleMoveForm,
    Move.COMPLETE_INVESTIGATION: SimpleMoveForm,
    Move.ASSESS: AssessForm,
    Move.RETURN: ReasonForm,
    Move.CLOSE: CloseForm,
    Move.REJECT: ReasonForm,
    Move.HAND_BACK: SimpleMoveForm,
    Move.FAST_TRACK: SimpleMoveForm,
}
DEVIATION_FORMS = {"investigation", "action"}


# --- one deviation ---------------------------------------------------------------------


def _visible(user, pk: int) -> Deviation:
    deviation = (
        deviations_visible_to(user=user)
        .select_related(
            "unit__board",
            "unit__provider",
            "category",
            "municipality",
            "reporter",
            "investigator",
            "assessor",
            "mas_person",
            "board_mas_copy",
            "mas_deputy_for",
        )
        .filter(pk=pk)
        .first()
    )
    if deviation is None:
        raise Http404(_("No such deviation, or you may not see it."))
    return deviation


def _detail_context(request, deviation: Deviation, *, bound: dict | None = None) -> dict:
    user = request.user
    kinds = actor_kinds(user=user, deviation=deviation)
    show_patient = deviation.has_patient_data and can_see_patient_data(user=user, deviation=deviation, kinds=kinds)
    pnr = deviation_patient_identifier(user=user, deviation=deviation, kinds=kinds) if show_patient else ""
    bound = bound or {}
    moves = moves_for(user=user, deviation=deviation, kinds=kinds) if deviation.state != "draft" else []
    forms = {}
    initial = {"version": deviation.version}
    for move in moves:
        forms[move] = bound.get(move) or STEP_FORMS[move](initial=initial, auto_id=auto_id(move))
    working = bool(kinds & {Actor.MANAGER, Actor.DUTY})
    if Actor.MANAGER in kinds and deviation.state in INVESTIGATION_STATES:
        forms["investigation"] = bound.get("investigation") or InvestigationForm(
            deviation=deviation,
            auto_id=auto_id("investigation"),
            initial={
                **initial,
                "investigator": deviation.investigator_id,
                "cause_analysis": deviation.cause_analysis,
                "lessons_learned": deviation.lessons_learned,
            },
        )
        forms["action"] = bound.get("action") or ActionForm(
            deviation=deviation, initial=initial, auto_id=auto_id("action")
        )
    move_list = [{"move": m, "label": Move(m).label, "form": forms[m]} for m in moves]
    return {
        "deviation": deviation,
        "kinds": kinds,
        "working": working,
        "only_reporter": kinds == {Actor.REPORTER},
        "show_patient": show_patient,
        "patient_identifier": pnr,
        "patient_hidden": deviation.has_patient_data and not show_patient,
        "risk_label": risk_level(deviation.risk_score, threshold=deviation.municipality.mas_risk_threshold)[1],
        "overdue": is_overdue(deviation),
        "moves": move_list,
        "investigation_form": forms.get("investigation"),
        "action_form": forms.get("action"),
        "actions": deviation.actions.select_related("owner") if working else [],
        "transitions": DeviationTransition.objects.filter(deviation=deviation).select_related("actor")
        if working
        else [],
        "attachments": list(deviation.attachments.all())
        if can_download_attachments(user=user, deviation=deviation, kinds=kinds)
        else [],
        "lex_maria_case": getattr(deviation, "lex_maria_case", None) if working else None,
    }


@require_GET
@login_required
def deviation_detail(request, pk: int):
    """A deviation: facts, risk, state, the moves the user may make; patient identity only to those who need it."""
    deviation = _visible(request.user, pk)
    if deviation.state == DeviationState.DRAFT:
        return redirect("incidents:deviation_edit", pk=pk)
    return render(request, "incidents/deviation_detail.html", _detail_context(request, deviation))


@require_GET
@login_required
def deviation_pdf(request, pk: int):
    """The deviation as a printable PDF for whoever may see its page; never with the patient's identity.

    Printing a deviation that concerns a patient is entered in the access log (action "print")."""
    deviation = _visible(request.user, pk)
    if deviation.state == DeviationState.DRAFT:
        raise Http404(_("A draft cannot be printed; submit the report first."))
    kinds = actor_kinds(user=request.user, deviation=deviation)
    pdf = deviation_document.deviation_pdf(deviation=deviation, user=request.user, kinds=kinds)
    if deviation.has_patient_data:
        patient_data_access_record(user=request.user, deviations=[deviation], action="print")
    logger.info("Deviation %s printed by user %s", deviation.pk, request.user.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="avvikelse-{deviation.reference}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def _call_step(step: str, *, deviation: Deviation, user, data: dict):
    version = data.get("version")
    if step == "investigation":
        return services.deviation_save_investigation(
            deviation=deviation,
            user=user,
            version=version,
            investigator=data.get("investigator"),
            cause_analysis=data.get("cause_analysis", ""),
            lessons_learned=data.get("lessons_learned", ""),
        )
    if step == "action":
        return services.deviation_add_action(
            deviation=deviation,
            user=user,
            version=version,
            description=data["description"],
            owner=data["owner"],
            deadline=data["deadline"],
        )
    if step == Move.START_INVESTIGATION:
        return services.deviation_start_investigation(deviation=deviation, user=user, version=version)
    if step == Move.SEND_TO_MAS:
        return services.deviation_send_to_mas(deviation=deviation, user=user, version=version)
    if step == Move.COMPLETE_INVESTIGATION:
        return services.deviation_complete_investigation(deviation=deviation, user=user, version=version)
    if step == Move.ASSESS:
        return services.deviation_assess(
            deviation=deviation,
            user=user,
            version=version,
            assessment=data["assessment"],
            lex_maria=data["lex_maria"],
            motivation=data["motivation"],
        )
    if step == Move.RETURN:
        return services.deviation_return(deviation=deviation, user=user, version=version, reason=data["reason"])
    if step == Move.CLOSE:
        return services.deviation_close(
            deviation=deviation,
            user=user,
            version=version,
            feedback=data["feedback"],
            lessons_learned=data.get("lessons_learned"),
        )
    if step == Move.REJECT:
        return services.deviation_reject(deviation=deviation, user=user, version=version, reason=data["reason"])
    if step == Move.HAND_BACK:
        return services.deviation_hand_back(deviation=deviation, user=user, version=version)
    if step == Move.FAST_TRACK:
        return services.deviation_fast_track(deviation=deviation, user=user, version=version)
    raise Http404


def _done_message(step: str, moved: Deviation):
    """What happened, with a link to what was created (the Lex Maria case after a "yes")."""
    if step == "investigation":
        return _("The investigation is saved.")
    if step == "action":
        return _("The action is added.")
    if step == Move.FAST_TRACK:
        return _(
            "The deviation is in your assessment now. The unit's investigation continues; "
            "the unit's managers have been told."
        )
    if step == Move.ASSESS and moved.lex_maria_decision:
        case = LexMariaCase.objects.filter(deviation=moved).only("pk", "reference").first()
        if case is not None:
            return format_html(
                _(
                    "The MAS assessment is recorded and Lex Maria case {reference} is opened: "
                    '<a href="{url}">open {reference}</a>.'
                ),
                reference=case.reference,
                url=case.get_absolute_url(),
            )
    return _("Done: %(move)s.") % {"move": Move(step).label}


@require_POST
@login_required
def deviation_step(request, pk: int, step: str):
    """Make one move (or save the investigation); a refused move re-shows the form with what was typed."""
    if step not in STEP_FORMS:
        raise Http404(_("No such step."))
    deviation = _visible(request.user, pk)
    kinds = actor_kinds(user=request.user, deviation=deviation)
    if not kinds & {Actor.MANAGER, Actor.DUTY}:
        raise PermissionDenied(_("You may not do this on this deviation."))
    form_class = STEP_FORMS[step]
    kwargs = {"deviation": deviation} if step in DEVIATION_FORMS else {}
    form = form_class(request.POST, auto_id=auto_id(step), **kwargs)
    if form.is_valid():
        try:
            moved = _call_step(step, deviation=deviation, user=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _done_message(step, moved))
            if step == Move.SEND_TO_MAS and moved.mas_unclear_reason:
                # The sender is told at once that the responsible MAS is unknown and who got the case instead.
                messages.warning(request, owner_text(moved))
            if deviations_visible_to(user=request.user).filter(pk=pk).exists():
                return redirect("incidents:deviation_detail", pk=pk)
            return redirect("incidents:deviation_list")
    deviation = _visible(request.user, pk)
    context = _detail_context(request, deviation, bound={step: form})
    if step not in DEVIATION_FORMS and not any(m["move"] == step for m in context["moves"]):
        # The deviation moved on meanwhile: show the refusal with what was typed anyway.
        context["moves"].append({"move": step, "label": Move(step).label, "form": form})
    return render(request, "incidents/deviation_detail.html", context, status=400)


@require_GET
@login_required
def attachment_download(request, pk: int):
    """Stream an attachment from outside the web root, after the permission check."""
    attachment = DeviationAttachment.objects.filter(pk=pk).select_related("deviation").first()
    if attachment is None or not deviations_visible_to(user=request.user).filter(pk=attachment.deviation_id).exists():
        raise Http404(_("No such attachment, or you may not see it."))
    deviation = attachment.deviation
    if not can_download_attachments(user=request.user, deviation=deviation):
        raise PermissionDenied(_("You may not open the attachments of this deviation."))
    if deviation.has_patient_data:
        patient_data_access_record(user=request.user, deviations=[deviation], action="attachment")
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=clean_filename(attachment.original_name),
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
