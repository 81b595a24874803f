"""Collaboration deviation pages (SPEC §6a): the list, register, a case and its moves; counterparts.

Thin: check the permission, read through :mod:`complaints.selectors`, write through
:mod:`complaints.collaboration_services`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from complaints import collaboration_services, forms, workflow
from complaints.case_pages import PER_PAGE, StepPage, linked_deviation, step_view
from complaints.choices import Direction
from complaints.models import CollaborationDeviation, CollaborationTransition
from complaints.permissions import (
    Actor,
    collaboration_kinds,
    may_manage_counterparts,
    may_register_collaboration,
    may_use_collaboration_list,
)
from complaints.selectors import (
    collaboration_list,
    collaboration_overdue_q,
    collaborations_visible_to,
    counterparts_for,
    is_overdue,
)
from complaints.workflow import CollaborationMove
from core.flash import success_with_link
from core.forms import add_service_errors, auto_id
from responsibility.tenancy import municipality_id_of


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
        form = bound.get(move) or COLLABORATION_STEP_FORMS[move](initial=initial, auto_id=auto_id(move))
        moves.append({"move": move, "label": CollaborationMove(move).label, "form": form})
    duty = Actor.DUTY in kinds
    linked = linked_deviation(request.user, case.deviation_id)
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
            or forms.LinkDeviationForm(initial={"version": case.version}, auto_id=auto_id("link_deviation"))
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

    return step_view(request, pk, step, COLLABORATION_STEPS, success)


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
