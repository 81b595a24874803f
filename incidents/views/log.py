"""Log review for MAS/MAR (the patient-data access log) and the "Ansvar oklart" cases."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from incidents import patient
from incidents.forms import (
    AccessLogForm,
)
from incidents.permissions import (
    may_review_access_log,
)
from incidents.selectors import (
    unrouted_for,
)
from responsibility.permissions import is_register_admin

# --- log review ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def access_log(request):
    """Loggkontroll for MAS/MAR: filter by user, patient (posted, hashed) and period; a patient's log extract."""
    from incidents.selectors import access_log_for

    if not may_review_access_log(request.user):
        raise PermissionDenied(_("Only MAS and MAR review the access log."))
    form = AccessLogForm(request.POST if request.method == "POST" else None)
    rows = access_log_for(user=request.user)
    extract = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["username"]:
            rows = rows.filter(user__username=data["username"].strip())
        if data["patient"]:
            rows = rows.filter(patient_hash=patient.patient_hash(data["patient"]))
            extract = True
        if data["start"]:
            rows = rows.filter(at__date__gte=data["start"])
        if data["end"]:
            rows = rows.filter(at__date__lte=data["end"])
        page_number = data.get("page") or 1
    elif request.method == "POST":
        rows = rows.none()
        page_number = 1
    else:
        page_number = 1
    page = Paginator(rows, 50).get_page(page_number)
    return render(
        request,
        "incidents/access_log.html",
        {"form": form, "page": page, "extract": extract},
        status=400 if request.method == "POST" and not form.is_valid() else 200,
    )


@require_GET
@login_required
def unrouted_cases(request):
    """Register admins: open cases whose responsible MAS/MAR or reporter could not be resolved (SPEC §3)."""
    if not is_register_admin(request.user):
        raise PermissionDenied(_("Only register administrators see the cases without a resolved owner."))
    deviations, cases = unrouted_for(user=request.user)
    return render(
        request,
        "incidents/unrouted.html",
        {
            "deviations": list(deviations[:200]),
            "cases": list(cases[:200]),
            "deviation_count": deviations.count(),
            "case_count": cases.count(),
        },
    )
