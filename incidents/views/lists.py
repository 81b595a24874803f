"""The deviation lists: my reports, the queues and the queue's export (no patient data, no free text)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.exports import table_response
from core.paging import counted_page
from incidents.forms import (
    DeviationFilter,
)
from incidents.list_html import queue_rows
from incidents.models import (
    Deviation,
)
from incidents.risk import risk_level
from incidents.selectors import (
    assessment_queue_for,
    is_overdue,
    my_reports,
    queue_filter_choices,
    queue_for,
)
from incidents.workflow import OPEN_STATES
from responsibility.choices import Role
from responsibility.tenancy import person_of

PER_PAGE = 25


# --- lists ---------------------------------------------------------------------------------


@require_GET
@login_required
def my_reports_view(request):
    """The reporter's own reports: state and feedback; no patient data."""
    page = Paginator(my_reports(user=request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "incidents/my_reports.html", {"page": page})


def _queue(request, *, assessment: bool):
    user = request.user
    base = assessment_queue_for(user=user) if assessment else queue_for(user=user)
    units, categories = queue_filter_choices(user=user)
    filterset = DeviationFilter(request.GET or None, queryset=base, units=units, categories=categories)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    if not request.GET.get("sort"):
        qs = qs.order_by("due_at", "-reported_at", "-id") if assessment else qs.order_by("-reported_at", "-id")
    return filterset, qs


def _may_use_queue(user) -> bool:
    from incidents.permissions import DUTY_ROLES, MANAGER_ROLES
    from responsibility.permissions import user_roles

    if user_roles(user) & set(MANAGER_ROLES + DUTY_ROLES + (Role.LEX_MARIA_REPORTER,)):
        return True
    # A deputy (or a fallback) keeps the cases given to her after her period ends (SPEC §3 Deputies).
    person = person_of(user)
    return person is not None and Deviation.objects.filter(mas_person=person, state__in=OPEN_STATES).exists()


@require_GET
@login_required
def deviation_list(request, assessment: bool = False):
    """The queue: a manager's units, a MAS/MAR's deviations, information copies; filters, sort, pages, export."""
    if not _may_use_queue(request.user):
        raise PermissionDenied(_("You have no deviation queue."))
    filterset, qs = _queue(request, assessment=assessment)
    page = counted_page(qs, per_page=PER_PAGE, number=request.GET.get("page"))
    now = timezone.now()
    rows = [
        {
            "d": d,
            "overdue": is_overdue(d, now=now),
            "risk": risk_level(d.risk_score, threshold=d.municipality.mas_risk_threshold)[1],
        }
        for d in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "incidents/deviation_list.html",
        {
            "filterset": filterset,
            "page": page,
            "rows": rows,
            "rows_html": queue_rows(rows),
            "assessment": assessment,
            "query": query.urlencode(),
        },
    )


def assessment_queue(request):
    return deviation_list(request, assessment=True)


EXPORT_COLUMNS = [
    ("reference", "Referens"),
    ("unit", "Enhet"),
    ("category", "Kategori"),
    ("event_kind", "Händelse eller risk"),
    ("state", "Status"),
    ("occurred", "Inträffade"),
    ("reported", "Rapporterad"),
    ("consequence", "Konsekvens"),
    ("probability", "Sannolikhet"),
    ("risk_score", "Riskpoäng"),
    ("risk_level", "Risknivå"),
    ("due", "Nästa tidsgräns"),
    ("overdue", "Försenad"),
]


def _export_rows(qs) -> list[list]:
    now = timezone.now()
    rows = []
    for d in qs:
        rows.append(
            [
                d.reference,
                d.unit.name,
                d.category.name,
                d.get_event_kind_display(),
                d.get_state_display(),
                timezone.localtime(d.occurred_at).strftime("%Y-%m-%d %H:%M"),
                timezone.localtime(d.reported_at).strftime("%Y-%m-%d %H:%M") if d.reported_at else "",
                d.consequence,
                d.probability,
                d.risk_score,
                risk_level(d.risk_score, threshold=d.municipality.mas_risk_threshold)[1],
                timezone.localtime(d.due_at).strftime("%Y-%m-%d") if d.due_at else "",
                _("yes") if is_overdue(d, now=now) else _("no"),
            ]
        )
    return rows


@require_GET
@login_required
def deviation_export(request):
    """The filtered queue as CSV or XLSX: no patient data and no free text (which might hold it)."""
    if not _may_use_queue(request.user):
        raise PermissionDenied(_("You have no deviation queue."))
    _filterset, qs = _queue(request, assessment=request.GET.get("queue") == "assessment")
    return table_response(
        headers=[str(label) for _key, label in EXPORT_COLUMNS],
        rows=_export_rows(qs),
        filename=f"avvikelser-{timezone.localdate().isoformat()}",
        sheet="Avvikelser",
        xlsx=request.GET.get("format") == "xlsx",
    )
