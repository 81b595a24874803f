"""Reporting a deviation: the form (with the risk matrix), a new report and a saved draft.

Thin: check the permission, write through :func:`incidents.reporting.deviation_save`.
"""

from __future__ import annotations

from contextlib import nullcontext

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.forms import add_service_errors
from incidents.attachments import attachment_add
from incidents.forms import (
    DeviationForm,
)
from incidents.models import (
    Deviation,
    DeviationState,
    EventKind,
)
from incidents.patient_access import deviation_patient_identifier
from incidents.permissions import (
    may_report,
)
from incidents.reporting import deviation_save
from incidents.risk import risk_level


def _require_reporter(user) -> None:
    if not may_report(user):
        raise PermissionDenied(_("You have no unit to report deviations for."))


# --- report ------------------------------------------------------------------------


def _save_report(request, form: DeviationForm, *, deviation: Deviation | None, version: int | None):
    submit = "submit" in request.POST
    upload = form.cleaned_data.get("attachment")
    try:
        # The report and its attachment in one transaction; without one, deviation_save's own (no savepoint).
        with transaction.atomic() if upload else nullcontext():
            saved = deviation_save(
                user=request.user, report=form.report(), deviation=deviation, submit=submit, version=version
            )
            if upload:
                attachment_add(deviation=saved, user=request.user, upload=upload)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    if submit:
        messages.success(
            request,
            _("Thank you! Your deviation has been registered with reference %(reference)s.")
            % {"reference": saved.reference},
        )
        return redirect("incidents:deviation_detail", pk=saved.pk)
    messages.success(request, _("The draft is saved. It is not sent until you submit it."))
    return redirect("incidents:deviation_edit", pk=saved.pk)


def _form_context(form: DeviationForm, **extra) -> dict:
    consequence, probability = form.risk()
    score = consequence * probability if consequence and probability else None
    threshold = form.mas_risk_threshold
    return {
        "form": form,
        "score": score,
        "level": risk_level(score, threshold=threshold)[1] if score else "",
        "matrix": _matrix(consequence, probability, threshold=threshold),
        **extra,
    }


def _matrix(consequence: int | None, probability: int | None, *, threshold: int) -> list[dict]:
    rows = []
    for p in (4, 3, 2, 1):
        cells = []
        for c in (1, 2, 3, 4):
            key, label = risk_level(c * p, threshold=threshold)
            cells.append(
                {
                    "consequence": c,
                    "score": c * p,
                    "level": key,
                    "label": label,
                    "current": c == consequence and p == probability,
                }
            )
        rows.append({"probability": p, "cells": cells})
    return rows


@require_http_methods(["GET", "POST"])
@login_required
def deviation_create(request):
    """The quick report: save a draft or submit."""
    _require_reporter(request.user)
    if request.method == "POST":
        form = DeviationForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            response = _save_report(request, form, deviation=None, version=None)
            if response is not None:
                return response
        return render(request, "incidents/deviation_form.html", _form_context(form), status=400)
    form = DeviationForm(user=request.user, initial={"event_kind": EventKind.OCCURRED})
    units = list(form.fields["unit"].queryset[:2])
    if len(units) == 1:
        form.initial["unit"] = units[0].pk
    return render(request, "incidents/deviation_form.html", _form_context(form))


@require_http_methods(["GET", "POST"])
@login_required
def deviation_edit(request, pk: int):
    """Continue a draft (only its reporter)."""
    deviation = Deviation.objects.filter(pk=pk, reporter=request.user, state=DeviationState.DRAFT).first()
    if deviation is None:
        raise Http404(_("No such draft."))
    if request.method == "POST":
        form = DeviationForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            version = _int(request.POST.get("version"))
            response = _save_report(request, form, deviation=deviation, version=version)
            if response is not None:
                return response
        return render(
            request,
            "incidents/deviation_form.html",
            _form_context(form, draft=deviation, version=request.POST.get("version", "")),
            status=400,
        )
    pnr = deviation_patient_identifier(user=request.user, deviation=deviation, action="edit")
    local = timezone.localtime
    form = DeviationForm(
        user=request.user,
        initial={
            "unit": deviation.unit_id,
            "occurred_at": local(deviation.occurred_at).strftime("%Y-%m-%dT%H:%M"),
            "discovered_at": local(deviation.discovered_at).strftime("%Y-%m-%dT%H:%M"),
            "category": deviation.category_id,
            "event_kind": deviation.event_kind,
            "description": deviation.description,
            "immediate_actions": deviation.immediate_actions,
            "patient_identifier": pnr,
            "consequence": deviation.consequence,
            "probability": deviation.probability,
            "reported_on_behalf_of": deviation.reported_on_behalf_of,
        },
    )
    return render(
        request, "incidents/deviation_form.html", _form_context(form, draft=deviation, version=deviation.version)
    )


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
