"""Complaint pages: the queue, register, correct, a complaint and its moves; statistics, the log extract.

Thin: check the permission, read through :mod:`complaints.selectors`, write
through :mod:`complaints.services`. Collaboration deviations and counterparts are
:mod:`complaints.collaboration_views`. A complaint's patient identity is shown
only where :func:`complaints.permissions.can_see_patient_data` allows it, and
every such view is written to the one access log.
"""

from __future__ import annotations

import contextlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from complaints import forms, services, statistics, workflow
from complaints.case_pages import PER_PAGE, StepPage, linked_deviation, step_view
from complaints.models import Complaint, ComplaintTransition
from complaints.permissions import (
    Actor,
    can_see_patient_data,
    complaint_kinds,
    may_register_complaint,
    may_see_statistics,
    may_use_complaint_queue,
)
from complaints.selectors import complaint_overdue_q, complaint_queue, complaints_visible_to, is_overdue
from complaints.workflow import COMPLAINT_OPEN_STATES, ComplaintMove
from core.flash import success_with_link
from core.forms import add_service_errors, auto_id

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
        form = bound.get(move) or COMPLAINT_STEP_FORMS[move](initial=initial, auto_id=auto_id(move))
        moves.append({"move": move, "label": ComplaintMove(move).label, "form": form})
    extra = {}
    if handling and complaint.state in workflow.COMPLAINT_EDIT_STATES:
        extra["investigation_form"] = bound.get("investigation") or forms.InvestigationForm(
            initial={
                "version": complaint.version,
                "investigation": complaint.investigation,
                "actions": complaint.actions,
            },
            auto_id=auto_id("investigation"),
        )
    if handling:
        extra["link_form"] = bound.get("link_deviation") or forms.LinkDeviationForm(
            initial={"version": complaint.version}, auto_id=auto_id("link_deviation")
        )
    deviation = linked_deviation(user, complaint.deviation_id)
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

    return step_view(request, pk, step, COMPLAINT_STEPS, success)


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
