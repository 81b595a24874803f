"""Complaint and collaboration pages: queues, register, a case and its moves, counterparts, statistics, log extract.

Thin: check the permission, read through :mod:`complaints.selectors`, write
through :mod:`complaints.services`. A complaint's patient identity is shown
only where :func:`complaints.permissions.can_see_patient_data` allows it, and
every such view is written to the one access log.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from complaints import collaboration_services, forms, services, statistics, workflow
from complaints.choices import Direction
from complaints.models import (
    CollaborationDeviation,
    CollaborationTransition,
    Complaint,
    ComplaintTransition,
)
from complaints.permissions import (
    Actor,
    can_see_patient_data,
    collaboration_kinds,
    complaint_kinds,
    may_manage_counterparts,
    may_register_collaboration,
    may_register_complaint,
    may_see_statistics,
    may_use_collaboration_list,
    may_use_complaint_queue,
)
from complaints.selectors import (
    collaboration_list,
    collaboration_overdue_q,
    collaborations_visible_to,
    complaint_overdue_q,
    complaint_queue,
    complaints_visible_to,
    counterparts_for,
    is_overdue,
)
from complaints.workflow import COMPLAINT_OPEN_STATES, CollaborationMove, ComplaintMove
from core.flash import success_with_link
from core.forms import add_service_errors
from responsibility.tenancy import municipality_id_of

PER_PAGE = 25


def _auto_id(step: str) -> str:
    return f"id_{step}_%s"


# --- complaints ---------------------------------------------------------------------------------


@require_GET
@login_required
def complaint_list(request):
    """The complaints queue: a manager's units, a MAS/MAR's complaints, what the user registered."""
    if not (may_use_complaint_queue(request.user) or may_register_complaint(request.user)):
        raise PermissionDenied(_("You have no complaints queue."))
    form = forms.ComplaintFilter(request.GET or None)
    qs = complaint_queue(user=request.user)
    state = ""
    only_overdue = False
    if form.is_valid():
        state = form.cleaned_data["state"]
        only_overdue = form.cleaned_data["overdue"]
    if state == "":
        qs = qs.filter(state__in=COMPLAINT_OPEN_STATES)
    elif state != "all":
        qs = qs.filter(state=state)
    if only_overdue:
        qs = qs.filter(complaint_overdue_q())
    page = Paginator(qs.order_by("due_at", "-received_on", "-id"), PER_PAGE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [{"c": c, "overdue": is_overdue(c, now=now)} for c in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "complaints/complaint_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "may_register": may_register_complaint(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def complaint_create(request):
    """Register a complaint; bad input re-shows the form with everything typed."""
    if not may_register_complaint(request.user):
        raise PermissionDenied(_("You have no unit to register complaints for."))
    if request.method == "POST":
        form = forms.ComplaintForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                complaint = services.complaint_register(user=request.user, data=form.to_input())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                success_with_link(
                    request,
                    _("The complaint is registered with reference"),
                    complaint.get_absolute_url(),
                    complaint.reference,
                )
                return redirect("complaints:complaint_detail", pk=complaint.pk)
        return render(request, "complaints/complaint_form.html", {"form": form}, status=400)
    form = forms.ComplaintForm(user=request.user, initial={"received_on": timezone.localdate()})
    units = list(form.fields["unit"].queryset[:2])
    if len(units) == 1:
        form.initial["unit"] = units[0].pk
    return render(request, "complaints/complaint_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@login_required
def complaint_edit(request, pk: int):
    """Correct a registered complaint (handlers, while it is open); the unit, date and patient stay as registered."""
    complaint = _visible_complaint(request.user, pk)
    kinds = complaint_kinds(user=request.user, case=complaint)
    if not kinds & {Actor.MANAGER, Actor.DUTY} or complaint.state not in COMPLAINT_OPEN_STATES:
        raise PermissionDenied(_("You may not do this on this case."))
    if request.method == "POST":
        form = forms.ComplaintEditForm(request.POST, municipality_id=complaint.municipality_id)
        if form.is_valid():
            try:
                services.complaint_correct(
                    complaint=complaint,
                    user=request.user,
                    version=form.cleaned_data["version"],
                    data=form.to_input(unit=complaint.unit, received_on=complaint.received_on),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("complaints:complaint_detail", pk=pk)
        return render(request, "complaints/complaint_edit.html", {"form": form, "complaint": complaint}, status=400)
    form = forms.ComplaintEditForm(
        municipality_id=complaint.municipality_id,
        initial={
            "version": complaint.version,
            "channel": complaint.channel,
            "complainant_kind": complaint.complainant_kind,
            "categories": list(complaint.categories.values_list("pk", flat=True)),
            "description": complaint.description,
            "external_case_number": complaint.external_case_number,
            "external_deadline": complaint.external_deadline,
        },
    )
    return render(request, "complaints/complaint_edit.html", {"form": form, "complaint": complaint})


COMPLAINT_STEP_FORMS = {
    "investigation": forms.InvestigationForm,
    "link_deviation": forms.LinkDeviationForm,
    "start_deviation": forms.SimpleMoveForm,
    ComplaintMove.ACKNOWLEDGE: forms.AcknowledgeForm,
    ComplaintMove.START_INVESTIGATION: forms.SimpleMoveForm,
    ComplaintMove.ANSWER: forms.AnswerForm,
    ComplaintMove.REOPEN: forms.ReasonForm,
    ComplaintMove.CLOSE: forms.CloseForm,
}


def _visible_complaint(user, pk: int) -> Complaint:
    complaint = (
        complaints_visible_to(user=user)
        .select_related(
            "unit__board",
            "municipality",
            "registered_by",
            "investigator",
            "mas_person",
            "operations_manager",
        )
        .filter(pk=pk)
        .first()
    )
    if complaint is None:
        raise Http404(_("No such complaint, or you may not see it."))
    return complaint


def _linked_deviation(user, deviation_id: int | None):
    """The linked deviation if ``user`` may open it (its reference is not shown otherwise)."""
    if deviation_id is None:
        return None
    from incidents.selectors import deviations_visible_to

    return deviations_visible_to(user=user).filter(pk=deviation_id).first()


def _complaint_context(request, complaint: Complaint, *, bound: dict | None = None) -> dict:
    user = request.user
    kinds = complaint_kinds(user=user, case=complaint)
    show_patient = complaint.has_patient_data and can_see_patient_data(user=user, case=complaint, kinds=kinds)
    pnr = services.complaint_patient_identifier(user=user, complaint=complaint, kinds=kinds) if show_patient else ""
    bound = bound or {}
    handling = bool(kinds & {Actor.MANAGER, Actor.DUTY})
    initial = {
        "version": complaint.version,
        "acknowledged_on": timezone.localdate(),
        "answered_on": timezone.localdate(),
        "actions": complaint.actions,
    }
    moves = []
    for move in workflow.COMPLAINTS.moves_for(obj=complaint, kinds=kinds):
        form = bound.get(move) or COMPLAINT_STEP_FORMS[move](initial=initial, auto_id=_auto_id(move))
        moves.append({"move": move, "label": ComplaintMove(move).label, "form": form})
    extra = {}
    if handling and complaint.state in workflow.COMPLAINT_EDIT_STATES:
        extra["investigation_form"] = bound.get("investigation") or forms.InvestigationForm(
            initial={
                "version": complaint.version,
                "investigation": complaint.investigation,
                "actions": complaint.actions,
            },
            auto_id=_auto_id("investigation"),
        )
    if handling:
        extra["link_form"] = bound.get("link_deviation") or forms.LinkDeviationForm(
            initial={"version": complaint.version}, auto_id=_auto_id("link_deviation")
        )
    deviation = _linked_deviation(user, complaint.deviation_id)
    lex_maria = None
    if deviation is not None and handling:
        from incidents.lexmaria.selectors import lex_maria_cases_visible_to

        lex_maria = lex_maria_cases_visible_to(user=user).filter(deviation_id=deviation.pk).first()
    return {
        "complaint": complaint,
        "kinds": kinds,
        "handling": handling,
        "show_patient": show_patient,
        "patient_identifier": pnr,
        "patient_hidden": complaint.has_patient_data and not show_patient,
        "overdue": is_overdue(complaint),
        "moves": moves,
        "categories": list(complaint.categories.all()),
        "transitions": ComplaintTransition.objects.filter(complaint=complaint).select_related("actor")
        if handling
        else [],
        "deviation": deviation,
        "lex_maria_case": lex_maria,
        "deviation_hidden": complaint.deviation_id is not None and deviation is None,
        "may_start_deviation": handling and complaint.deviation_id is None,
        "may_edit": handling and complaint.state in COMPLAINT_OPEN_STATES,
        **extra,
    }


@require_GET
@login_required
def complaint_detail(request, pk: int):
    """A complaint: facts, deadlines, the moves the user may make; patient identity only to those who need it."""
    complaint = _visible_complaint(request.user, pk)
    return render(request, "complaints/complaint_detail.html", _complaint_context(request, complaint))


def _complaint_call(step: str, *, complaint: Complaint, user, data: dict):
    version = data.get("version")
    if step == "investigation":
        return services.complaint_save_investigation(
            complaint=complaint,
            user=user,
            version=version,
            investigation=data["investigation"],
            actions=data["actions"],
        )
    if step == "link_deviation":
        return services.complaint_link_deviation(
            complaint=complaint, user=user, version=version, reference=data["reference"]
        )
    if step == "start_deviation":
        return services.complaint_start_deviation(complaint=complaint, user=user, version=version)
    if step == ComplaintMove.ACKNOWLEDGE:
        return services.complaint_acknowledge(
            complaint=complaint, user=user, version=version, acknowledged_on=data["acknowledged_on"]
        )
    if step == ComplaintMove.START_INVESTIGATION:
        return services.complaint_start_investigation(complaint=complaint, user=user, version=version)
    if step == ComplaintMove.ANSWER:
        return services.complaint_answer(
            complaint=complaint,
            user=user,
            version=version,
            answer=data["answer"],
            answered_on=data["answered_on"],
            method=data["method"],
            actions=data.get("actions", ""),
            informed_patient_board=data.get("informed_patient_board", False),
            informed_ivo=data.get("informed_ivo", False),
            informed_compensation=data.get("informed_compensation", False),
        )
    if step == ComplaintMove.REOPEN:
        return services.complaint_reopen(complaint=complaint, user=user, version=version, reason=data["reason"])
    if step == ComplaintMove.CLOSE:
        return services.complaint_close(
            complaint=complaint, user=user, version=version, outcome=data["outcome"], comment=data.get("comment", "")
        )
    raise Http404


@dataclass(frozen=True)
class StepPage:
    """What the step view of one kind of case needs: its forms, how to find, judge, move and show a case."""

    forms: dict
    visible: Callable
    kinds: Callable
    call: Callable
    context: Callable
    template: str
    move_labels: type


def _step(request, pk: int, step: str, page: StepPage, success: Callable):
    """Make one move or edit; a refusal re-shows the case with the form as typed (status 400)."""
    if step not in page.forms:
        raise Http404(_("No such step."))
    case = page.visible(request.user, pk)
    if not page.kinds(user=request.user, case=case) & {Actor.MANAGER, Actor.DUTY}:
        raise PermissionDenied(_("You may not do this on this case."))
    form = page.forms[step](request.POST, auto_id=_auto_id(step))
    if form.is_valid():
        try:
            result = page.call(step, case, request.user, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return success(step, result)
    case = page.visible(request.user, pk)
    context = page.context(request, case, bound={step: form})
    if step in page.move_labels.values and not any(m["move"] == step for m in context["moves"]):
        context["moves"].append({"move": step, "label": page.move_labels(step).label, "form": form})
    context[f"{step}_form"] = form
    return render(request, page.template, context, status=400)


COMPLAINT_STEPS = StepPage(
    forms=COMPLAINT_STEP_FORMS,
    visible=_visible_complaint,
    kinds=complaint_kinds,
    call=lambda step, case, user, data: _complaint_call(step, complaint=case, user=user, data=data),
    context=_complaint_context,
    template="complaints/complaint_detail.html",
    move_labels=ComplaintMove,
)


@require_POST
@login_required
def complaint_step(request, pk: int, step: str):
    """Make one move (or save the investigation, link or start a deviation); a refusal keeps what was typed."""

    def success(step: str, result):
        if step == "start_deviation":
            messages.success(
                request,
                _("A deviation draft is started from the complaint. Assess the risk, check the text and submit it."),
            )
            return redirect("incidents:deviation_edit", pk=result.pk)
        messages.success(request, _("Saved."))
        return redirect("complaints:complaint_detail", pk=pk)

    return _step(request, pk, step, COMPLAINT_STEPS, success)


# --- collaboration deviations ---------------------------------------------------------------------


@require_GET
@login_required
def collaboration_list_view(request):
    """Collaboration deviations: the MAS's (both directions) and the units' incoming ones forwarded to them."""
    if not may_use_collaboration_list(request.user):
        raise PermissionDenied(_("You have no collaboration deviations."))
    municipality_id = municipality_id_of(request.user)
    form = forms.CollaborationFilter(request.GET or None, municipality_id=municipality_id)
    qs = collaboration_list(user=request.user)
    if form.is_valid():
        if form.cleaned_data["direction"]:
            qs = qs.filter(direction=form.cleaned_data["direction"])
        if form.cleaned_data["counterpart"]:
            qs = qs.filter(counterpart=form.cleaned_data["counterpart"])
        if form.cleaned_data["overdue"]:
            qs = qs.filter(collaboration_overdue_q())
    page = Paginator(qs.order_by("-registered_at", "-id"), PER_PAGE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [{"c": c, "overdue": is_overdue(c, now=now)} for c in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "complaints/collaboration_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "may_register": may_register_collaboration(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def collaboration_create(request):
    """Register an outgoing or incoming collaboration deviation (MAS/MAR)."""
    if not may_register_collaboration(request.user):
        raise PermissionDenied(_("Only MAS and MAR register collaboration deviations."))
    municipality_id = municipality_id_of(request.user)
    if request.method == "POST":
        form = forms.CollaborationForm(request.POST, user=request.user, municipality_id=municipality_id)
        if form.is_valid():
            try:
                case = collaboration_services.collaboration_register(user=request.user, data=form.to_input())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                success_with_link(
                    request,
                    _("The collaboration deviation is registered with reference"),
                    case.get_absolute_url(),
                    case.reference,
                )
                return redirect("complaints:collaboration_detail", pk=case.pk)
        return render(request, "complaints/collaboration_form.html", {"form": form}, status=400)
    direction = request.GET.get("direction")
    form = forms.CollaborationForm(
        user=request.user,
        municipality_id=municipality_id,
        initial={
            "direction": direction if direction in Direction.values else Direction.OUTGOING,
            "occurred_on": timezone.localdate(),
            "received_on": timezone.localdate(),
        },
    )
    return render(request, "complaints/collaboration_form.html", {"form": form})


COLLABORATION_STEP_FORMS = {
    "link_deviation": forms.LinkDeviationForm,
    CollaborationMove.SEND: forms.SendForm,
    CollaborationMove.RECORD_REPLY: forms.ReplyForm,
    CollaborationMove.FORWARD: forms.SimpleMoveForm,
    CollaborationMove.ANSWER: forms.UnitAnswerForm,
    CollaborationMove.CLOSE: forms.AssessCloseForm,
}


def _visible_collaboration(user, pk: int) -> CollaborationDeviation:
    case = (
        collaborations_visible_to(user=user)
        .select_related(
            "unit",
            "counterpart",
            "category",
            "contract",
            "registered_by",
            "mas_person",
            "operations_manager",
        )
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404(_("No such collaboration deviation, or you may not see it."))
    return case


def _collaboration_context(request, case: CollaborationDeviation, *, bound: dict | None = None) -> dict:
    kinds = collaboration_kinds(user=request.user, case=case)
    bound = bound or {}
    today = timezone.localdate()
    initial = {"version": case.version, "sent_on": today, "reply_on": today}
    moves = []
    for move in workflow.COLLABORATIONS.moves_for(obj=case, kinds=kinds):
        form = bound.get(move) or COLLABORATION_STEP_FORMS[move](initial=initial, auto_id=_auto_id(move))
        moves.append({"move": move, "label": CollaborationMove(move).label, "form": form})
    duty = Actor.DUTY in kinds
    linked = _linked_deviation(request.user, case.deviation_id)
    return {
        "linked_deviation": linked,
        "deviation_hidden": case.deviation_id is not None and linked is None,
        "case": case,
        "kinds": kinds,
        "overdue": is_overdue(case),
        "moves": moves,
        "duty": duty,
        "incoming": case.direction == Direction.INCOMING,
        "transitions": CollaborationTransition.objects.filter(deviation=case).select_related("actor"),
        "link_form": (
            bound.get("link_deviation")
            or forms.LinkDeviationForm(initial={"version": case.version}, auto_id=_auto_id("link_deviation"))
        )
        if duty
        else None,
    }


@require_GET
@login_required
def collaboration_detail(request, pk: int):
    case = _visible_collaboration(request.user, pk)
    return render(request, "complaints/collaboration_detail.html", _collaboration_context(request, case))


def _collaboration_call(step: str, *, case: CollaborationDeviation, user, data: dict):
    version = data.get("version")
    if step == "link_deviation":
        return collaboration_services.collaboration_link_deviation(
            case=case, user=user, version=version, reference=data["reference"]
        )
    if step == CollaborationMove.SEND:
        return collaboration_services.collaboration_send(
            case=case, user=user, version=version, sent_on=data["sent_on"], reply_due=data.get("reply_due")
        )
    if step == CollaborationMove.RECORD_REPLY:
        return collaboration_services.collaboration_record_reply(
            case=case, user=user, version=version, reply_on=data["reply_on"], reply=data["reply"]
        )
    if step == CollaborationMove.FORWARD:
        return collaboration_services.collaboration_forward(case=case, user=user, version=version)
    if step == CollaborationMove.ANSWER:
        return collaboration_services.collaboration_answer(case=case, user=user, version=version, reply=data["reply"])
    if step == CollaborationMove.CLOSE:
        return collaboration_services.collaboration_close(
            case=case, user=user, version=version, assessment=data["assessment"], sent_on=data.get("sent_on")
        )
    raise Http404


COLLABORATION_STEPS = StepPage(
    forms=COLLABORATION_STEP_FORMS,
    visible=_visible_collaboration,
    kinds=collaboration_kinds,
    call=lambda step, case, user, data: _collaboration_call(step, case=case, user=user, data=data),
    context=_collaboration_context,
    template="complaints/collaboration_detail.html",
    move_labels=CollaborationMove,
)


@require_POST
@login_required
def collaboration_step(request, pk: int, step: str):
    """Make one move on a collaboration deviation (or link a deviation); a refusal keeps what was typed."""

    def success(step: str, result):
        messages.success(request, _("Saved."))
        if collaborations_visible_to(user=request.user).filter(pk=pk).exists():
            return redirect("complaints:collaboration_detail", pk=pk)
        return redirect("complaints:collaboration_list")

    return _step(request, pk, step, COLLABORATION_STEPS, success)


# --- counterparts ---------------------------------------------------------------------------------


@require_GET
@login_required
def counterpart_list(request):
    if not may_manage_counterparts(request.user):
        raise PermissionDenied(_("Only MAS and MAR manage counterparts."))
    counterparts = counterparts_for(municipality_id=municipality_id_of(request.user))
    return render(request, "complaints/counterpart_list.html", {"counterparts": counterparts})


@require_http_methods(["GET", "POST"])
@login_required
def counterpart_edit(request, pk: int | None = None):
    """Create or change a counterpart: contact and reply time are data."""
    municipality_id = municipality_id_of(request.user)
    if municipality_id is None or not may_manage_counterparts(request.user):
        raise PermissionDenied(_("Only MAS and MAR manage counterparts."))
    counterpart = None
    if pk is not None:
        counterpart = counterparts_for(municipality_id=municipality_id).filter(pk=pk).first()
        if counterpart is None:
            raise Http404(_("No such counterpart."))
    if request.method == "POST":
        form = forms.CounterpartForm(request.POST, instance=counterpart)
        if form.is_valid():
            values = {k: form.cleaned_data[k] for k in forms.CounterpartForm.Meta.fields}
            try:
                collaboration_services.counterpart_save(
                    user=request.user, municipality_id=municipality_id, counterpart=counterpart, **values
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("complaints:counterpart_list")
        return render(
            request, "complaints/counterpart_form.html", {"form": form, "counterpart": counterpart}, status=400
        )
    form = forms.CounterpartForm(instance=counterpart)
    return render(request, "complaints/counterpart_form.html", {"form": form, "counterpart": counterpart})


# --- statistics and the log extract -------------------------------------------------------------


@require_GET
@login_required
def statistics_view(request):
    """Counts and answer times of complaints and collaboration deviations (no content, no patient data)."""
    if not may_see_statistics(request.user):
        raise PermissionDenied(_("You have no statistics of complaints."))
    year = timezone.localdate().year
    with contextlib.suppress(ValueError):
        year = int(request.GET.get("year", year))
    if not 2000 <= year <= 2100:
        year = timezone.localdate().year
    data = statistics.for_user(user=request.user, year=year)
    return render(request, "complaints/statistics.html", {"data": data, "year": year})


@require_http_methods(["GET", "POST"])
@login_required
def log_extract(request):
    """The patient's log extract (PDL 8 kap. 1 §): personnummer posted, answered with a PDF; itself logged."""
    from complaints.log_extract import may_produce, produce_extract

    if not may_produce(request.user):
        raise PermissionDenied(_("Only MAS and MAR produce a patient's log extract."))
    form = forms.LogExtractForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        pdf = produce_extract(user=request.user, personnummer=form.cleaned_data["patient"])
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="loggutdrag-{timezone.localdate():%Y%m%d}.pdf"'
        response["Cache-Control"] = "no-store"
        return response
    return render(
        request, "complaints/log_extract.html", {"form": form}, status=400 if request.method == "POST" else 200
    )
