"""Views of follow-up: thin; permission first, then a scoped selector, then one service (follow-ups and their
actions here; plans, delegations, routines and job runs in :mod:`followup.register_views`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.flash import success_with_link
from core.forms import add_service_errors
from core.uploads import check_zip_expansion, clean_filename
from followup import actions, selectors, services
from followup.choices import ACTION_OPEN_STATES, FOLLOWUP_OPEN_STATES, ActionState, AnswerStatus
from followup.forms import (
    ActionForm,
    FindingForm,
    FollowUpCreateForm,
    ReportDoneForm,
    SendBackForm,
)
from followup.models import ChecklistAnswer, Finding
from followup.permissions import (
    can_create_followup,
    can_manage_plans,
    can_perform,
    can_report_action,
    can_verify_action,
)
from responsibility.permissions import is_register_admin, units_visible_to
from responsibility.tenancy import municipality_of, scope_form_choices

PAGE_SIZE = 50


# --- follow-ups ------------------------------------------------------------------------------


@login_required
@require_GET
def followup_list(request):
    status = request.GET.get("status", "")
    if status not in ("", "planned", "overdue", "completed"):
        status = ""
    mine = request.GET.get("mine") == "1"
    followups = list(selectors.followup_list(user=request.user, status=status, mine=mine)[:PAGE_SIZE])
    return render(
        request,
        "followup/followup_list.html",
        {
            "followups": followups,
            "status": status,
            "mine": mine,
            "today": timezone.localdate(),
            "can_create": can_create_followup(request.user),
            "can_plan": can_manage_plans(request.user),
            "is_admin": is_register_admin(request.user),
        },
    )


@login_required
def followup_create(request):
    if not can_create_followup(request.user):
        raise PermissionDenied
    units = units_visible_to(request.user)
    form = FollowUpCreateForm(request.POST if request.method == "POST" else None, units=units)
    scope_form_choices(form, municipality_of(request))
    if request.method == "POST" and form.is_valid():
        try:
            follow_up = services.followup_create(
                actor=request.user, municipality=municipality_of(request), **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            success_with_link(request, _("The follow-up was created:"), follow_up.get_absolute_url(), str(follow_up))
            return redirect(follow_up)
    return render(request, "followup/followup_form.html", {"form": form}, status=400 if form.errors else 200)


def _detail_or_404(request, pk):
    follow_up = selectors.followup_detail(user=request.user, pk=pk)
    if follow_up is None:
        raise Http404
    return follow_up


@login_required
def followup_detail(request, pk: int):
    """Show a follow-up; its auditor fills in the checklist here (a draft until every item is answered)."""
    follow_up = _detail_or_404(request, pk)
    may_perform = can_perform(request.user, follow_up)
    missing: list[ChecklistAnswer] = []
    if request.method == "POST":
        if not may_perform:
            raise PermissionDenied
        answers = {}
        refused = []
        for answer in follow_up.answers.all():
            upload = request.FILES.get(f"attachment-{answer.pk}")
            if upload is not None:
                try:
                    check_zip_expansion(upload)
                except ValidationError as exc:
                    # The file is refused; everything else entered is saved as a draft and the error shown.
                    refused.append(
                        _("%(name)s: %(error)s")
                        % {"name": clean_filename(upload.name), "error": " ".join(exc.messages)}
                    )
                    upload = None
            answers[answer.pk] = services.AnswerInput(
                status=request.POST.get(f"status-{answer.pk}", "")
                if request.POST.get(f"status-{answer.pk}", "") in AnswerStatus.values
                else "",
                comment=request.POST.get(f"comment-{answer.pk}", "").strip(),
                attachment=upload,
            )
        submit = "submit" in request.POST and not refused
        try:
            missing = services.followup_save_checklist(
                follow_up=follow_up,
                actor=request.user,
                answers=answers,
                summary=request.POST.get("summary", ""),
                submit=submit,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(follow_up)
        for message in refused:
            messages.error(request, message)
        if refused:
            return redirect(follow_up)
        if submit and missing:
            messages.warning(
                request,
                _("The checklist is saved as a draft: %(count)s items are not answered yet.") % {"count": len(missing)},
            )
        elif submit:
            messages.success(request, _("The follow-up is completed."))
            return redirect(follow_up)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect(follow_up)
        follow_up = _detail_or_404(request, pk)
    findings = list(
        Finding.objects.filter(follow_up=follow_up).select_related("answer").prefetch_related("actions__owner")
    )
    answers = list(follow_up.answers.all())
    finding_form = FindingForm(follow_up=follow_up) if may_perform else None
    started = next(
        (a for a in answers if str(a.pk) == request.GET.get("answer") and a.status in FINDING_STATUSES), None
    )
    if may_perform and started is not None:
        finding_form = FindingForm.for_answer(follow_up=follow_up, answer=started)
    context = {
        "follow_up": follow_up,
        "answers": answers,
        "with_finding": {f.answer_id for f in findings if f.answer_id},
        "finding_statuses": FINDING_STATUSES,
        "findings": findings,
        "may_perform": may_perform,
        "missing_ids": {a.pk for a in missing},
        "missing": missing,
        "statuses": AnswerStatus.choices,
        "today": timezone.localdate(),
        "finding_form": finding_form,
        "action_form": ActionForm(follow_up=follow_up, findings=findings) if may_perform and findings else None,
        "editable": may_perform and follow_up.state in FOLLOWUP_OPEN_STATES,
        "transitions": list(follow_up.transitions.select_related("actor")),
    }
    return render(request, "followup/followup_detail.html", context)


# Checklist answers that start a finding (the "Ej uppfyllt" and "Delvis" items).
FINDING_STATUSES = (AnswerStatus.NOT_FULFILLED, AnswerStatus.PARTLY)


@login_required
@require_POST
def followup_start(request, pk: int):
    follow_up = _detail_or_404(request, pk)
    try:
        services.followup_start(follow_up=follow_up, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(follow_up)


@login_required
@require_POST
def finding_create(request, pk: int):
    follow_up = _detail_or_404(request, pk)
    if not can_perform(request.user, follow_up):
        raise PermissionDenied
    form = FindingForm(request.POST, follow_up=follow_up)
    if form.is_valid():
        try:
            services.finding_create(follow_up=follow_up, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The finding was recorded."))
            return redirect(f"{follow_up.get_absolute_url()}#findings")
    return _detail_with_form(request, follow_up, finding_form=form)


@login_required
@require_POST
def action_create(request, pk: int):
    follow_up = _detail_or_404(request, pk)
    if not can_perform(request.user, follow_up):
        raise PermissionDenied
    findings = list(Finding.objects.filter(follow_up=follow_up))
    form = ActionForm(request.POST, follow_up=follow_up, findings=findings)
    if form.is_valid():
        finding = next(f for f in findings if str(f.pk) == form.cleaned_data["finding"])
        try:
            action = actions.action_create(
                finding=finding,
                actor=request.user,
                description=form.cleaned_data["description"],
                owner=form.cleaned_data["owner"],
                deadline=form.cleaned_data["deadline"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            success_with_link(request, _("The action was proposed:"), action.get_absolute_url(), str(action))
            return redirect(f"{follow_up.get_absolute_url()}#findings")
    return _detail_with_form(request, follow_up, action_form=form)


def _detail_with_form(request, follow_up, **forms):
    findings = list(
        Finding.objects.filter(follow_up=follow_up).select_related("answer").prefetch_related("actions__owner")
    )
    context = {
        "with_finding": {f.answer_id for f in findings if f.answer_id},
        "finding_statuses": FINDING_STATUSES,
        "follow_up": follow_up,
        "answers": list(follow_up.answers.all()),
        "findings": findings,
        "may_perform": True,
        "missing_ids": set(),
        "missing": [],
        "statuses": AnswerStatus.choices,
        "today": timezone.localdate(),
        "finding_form": FindingForm(follow_up=follow_up),
        "action_form": ActionForm(follow_up=follow_up, findings=findings) if findings else None,
        "editable": follow_up.state in FOLLOWUP_OPEN_STATES,
        "transitions": list(follow_up.transitions.select_related("actor")),
    }
    context.update(forms)
    return render(request, "followup/followup_detail.html", context, status=400)


@login_required
@require_GET
def answer_attachment(request, pk: int):
    """Serve an answer's attachment to those who may see the follow-up (never from the web root)."""
    answer = get_object_or_404(ChecklistAnswer.objects.exclude(attachment=""), pk=pk)
    if selectors.followup_detail(user=request.user, pk=answer.follow_up_id) is None:
        raise Http404
    response = FileResponse(
        answer.attachment.open("rb"),
        as_attachment=True,
        filename=clean_filename(answer.attachment_name),
        content_type=answer.attachment_content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- actions ------------------------------------------------------------------------------------


@login_required
@require_GET
def action_list(request):
    state = request.GET.get("state", "unfinished")
    mine = request.GET.get("mine") == "1"
    actions = list(selectors.action_list(user=request.user, state=state, mine=mine)[:PAGE_SIZE])
    return render(
        request,
        "followup/action_list.html",
        {
            "actions": actions,
            "state": state,
            "mine": mine,
            "states": ActionState.choices,
            "today": timezone.localdate(),
        },
    )


@login_required
def action_detail(request, pk: int):
    action = selectors.action_detail(user=request.user, pk=pk)
    if action is None:
        raise Http404
    report_form = ReportDoneForm(prefix="report")
    send_back_form = SendBackForm(prefix="back")
    status = 200
    if request.method == "POST":
        what = request.POST.get("do")
        try:
            if what == "report":
                report_form = ReportDoneForm(request.POST, prefix="report")
                if report_form.is_valid():
                    actions.action_report_done(action=action, actor=request.user, note=report_form.cleaned_data["note"])
                    messages.success(request, _("The action is reported done. The auditor will verify it."))
                else:
                    status = 400
            elif what == "verify":
                actions.action_verify(action=action, actor=request.user)
                messages.success(request, _("The action is verified and done."))
            elif what == "send_back":
                send_back_form = SendBackForm(request.POST, prefix="back")
                if send_back_form.is_valid():
                    actions.action_send_back(
                        action=action, actor=request.user, reason=send_back_form.cleaned_data["reason"]
                    )
                    messages.success(request, _("The action was sent back to its owner."))
                else:
                    status = 400
            else:
                messages.error(request, _("Choose what to do with the action."))
                status = 400
        except ValidationError as exc:
            add_service_errors(report_form if what == "report" else send_back_form, exc)
            status = 400
        else:
            if status == 200:
                return redirect(action)
    action = selectors.action_detail(user=request.user, pk=pk)
    return render(
        request,
        "followup/action_detail.html",
        {
            "action": action,
            "report_form": report_form,
            "send_back_form": send_back_form,
            "transitions": list(action.transitions.select_related("actor")),
            "may_report": action.state in ACTION_OPEN_STATES and can_report_action(request.user, action),
            "may_verify": action.state == ActionState.REPORTED_DONE and can_verify_action(request.user, action),
            "today": timezone.localdate(),
        },
        status=status,
    )
