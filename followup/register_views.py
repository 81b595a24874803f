"""Registers kept by follow-up: plans, delegations, routines, and the scheduled jobs' runs.

Thin: permission first, then a scoped selector, then one service.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.flash import success_with_link
from core.forms import add_service_errors
from core.models import JobRun
from followup import delegations, routines, selectors, services
from followup.forms import (
    DelegationForm,
    PlanForm,
    RevokeForm,
    RoutineForm,
)
from followup.models import FollowUpPlan
from followup.permissions import (
    can_create_followup,
    can_manage_delegations,
    can_manage_plans,
    can_manage_routines,
    can_revoke,
)
from responsibility.permissions import is_register_admin, units_visible_to
from responsibility.tenancy import municipality_of, scope_form_choices

# --- plans ------------------------------------------------------------------------------------


@login_required
@require_GET
def plan_list(request):
    if not (can_manage_plans(request.user) or can_create_followup(request.user)):
        raise PermissionDenied
    plans = list(selectors.plans_visible_to(request.user)[:200])
    return render(request, "followup/plan_list.html", {"plans": plans, "can_plan": can_manage_plans(request.user)})


@login_required
def plan_create(request, pk: int | None = None):
    if not can_manage_plans(request.user):
        raise PermissionDenied
    instance = None
    if pk is not None:
        instance = selectors.plans_visible_to(request.user).filter(pk=pk).first()
        if instance is None:
            raise Http404
    else:
        instance = FollowUpPlan(municipality=municipality_of(request))
    form = PlanForm(
        request.POST if request.method == "POST" else None, instance=instance, units=units_visible_to(request.user)
    )
    scope_form_choices(form, municipality_of(request))
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_save(plan=form.instance, actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            success_with_link(request, _("The follow-up plan was saved:"), plan.get_absolute_url(), plan.title)
            return redirect("followup:plan_list")
    return render(
        request,
        "followup/plan_form.html",
        {"form": form, "plan": instance if pk else None},
        status=400 if form.errors else 200,
    )


# --- delegations ---------------------------------------------------------------------------------


@login_required
@require_GET
def delegation_list(request):
    today = timezone.localdate()
    show = request.GET.get("show", "active")
    qs = selectors.delegations_visible_to(request.user)
    if show == "active":
        qs = qs.filter(revoked_at__isnull=True, valid_to__gte=today)
    delegations = list(qs[:200])
    warning = municipality_of(request).delegation_warning_days if request.user.is_authenticated else 30
    return render(
        request,
        "followup/delegation_list.html",
        {
            "delegations": delegations,
            "today": today,
            "show": show,
            "warning_days": warning,
            "can_manage": can_manage_delegations(request.user),
            "expiring": {
                d.pk
                for d in delegations
                if d.revoked_at is None and today <= d.valid_to <= today + timedelta(days=warning)
            },
            "revocable": {d.pk for d in delegations if d.revoked_at is None and can_revoke(request.user, d)},
        },
    )


@login_required
def delegation_create(request):
    if not can_manage_delegations(request.user):
        raise PermissionDenied
    form = DelegationForm(
        request.POST if request.method == "POST" else None, units=selectors.delegation_units(request.user)
    )
    scope_form_choices(form, municipality_of(request))
    if request.method == "POST" and form.is_valid():
        try:
            delegations.delegation_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The delegation was registered."))
            return redirect("followup:delegation_list")
    return render(request, "followup/delegation_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def delegation_revoke(request, pk: int):
    delegation = selectors.delegations_visible_to(request.user).filter(pk=pk).first()
    if delegation is None:
        raise Http404
    if not can_revoke(request.user, delegation):
        raise PermissionDenied
    form = RevokeForm(request.POST if request.method == "POST" else None, initial={"revoked_at": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            delegations.delegation_revoke(
                delegation=delegation,
                actor=request.user,
                reason=form.cleaned_data["revoked_reason"],
                revoked_at=form.cleaned_data["revoked_at"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The delegation was revoked."))
            return redirect("followup:delegation_list")
    return render(
        request,
        "followup/delegation_revoke.html",
        {"form": form, "delegation": delegation},
        status=400 if form.errors else 200,
    )


# --- routines -------------------------------------------------------------------------------------


@login_required
@require_GET
def routine_list(request):
    routines = list(selectors.routines_visible_to(request.user)[:300])
    return render(
        request,
        "followup/routine_list.html",
        {
            "routines": routines,
            "today": timezone.localdate(),
            "can_manage": can_manage_routines(request.user),
        },
    )


@login_required
def routine_edit(request, pk: int | None = None):
    if not can_manage_routines(request.user):
        raise PermissionDenied
    if pk is None:
        from followup.models import Routine

        instance = Routine(municipality=municipality_of(request))
    else:
        instance = selectors.routines_visible_to(request.user).filter(pk=pk).first()
        if instance is None:
            raise Http404
    form = RoutineForm(request.POST if request.method == "POST" else None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            routine = routines.routine_save(routine=form.instance, actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            url = reverse("followup:routine_edit", args=[routine.pk])
            success_with_link(request, _("The routine was saved:"), url, routine.title)
            return redirect("followup:routine_list")
    return render(
        request,
        "followup/routine_form.html",
        {"form": form, "routine": instance if pk else None},
        status=400 if form.errors else 200,
    )


# --- job runs ----------------------------------------------------------------------------------------


@login_required
@require_GET
def job_runs(request):
    if not is_register_admin(request.user):
        raise PermissionDenied
    runs = list(JobRun.objects.order_by("-started_at", "-id")[:200])
    return render(request, "followup/job_runs.html", {"runs": runs})
