"""Read views of the register: unit list and page, responsibility matrix, findings dashboard.

Thin: check the permission, read through :mod:`responsibility.selectors`, render.
"""

from __future__ import annotations

import tablib
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from responsibility import selectors
from responsibility.choices import Role
from responsibility.filters import DateForm, MatrixFilterForm, UnitFilter
from responsibility.matrix_html import matrix_rows
from responsibility.selectors import MATRIX_ROLES, Matrix, RoleAnswer

UNITS_PER_PAGE = 25


def _url_or_blank(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@require_GET
@login_required
def unit_list(request):
    """The units the user may see, filterable and paginated."""
    units = selectors.units_for_list(user=request.user)
    unit_filter = UnitFilter(request.GET or None, queryset=units, request=request)
    page = Paginator(unit_filter.qs, UNITS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "responsibility/unit_list.html",
        {
            "filter": unit_filter,
            "page": page,
            "query": query.urlencode(),
        },
    )


@require_GET
@login_required
def unit_detail(request, code: str):
    """Who holds MAS, MAR, verksamhetschef and anmälningsansvarig today and on a chosen date, and why."""
    unit = selectors.unit_for_user(user=request.user, code=code)
    if unit is None:
        raise Http404(_("No such unit, or you may not see it."))
    today = timezone.localdate()
    date_form = DateForm(request.GET or None)
    on = date_form.chosen_date()
    current = selectors.unit_responsibility(unit=unit, on=today)
    chosen = selectors.unit_responsibility(unit=unit, on=on) if on != today else None
    return render(
        request,
        "responsibility/unit_detail.html",
        {
            "unit": unit,
            "today": today,
            "date_form": date_form,
            "current": current,
            "chosen": chosen,
            "periods": selectors.unit_operating_periods(unit=unit),
            "history_url": _url_or_blank("responsibility:unit_history", unit.code),
        },
    )


def _holder_text(answer: RoleAnswer) -> str:
    resolution = answer.resolution
    if resolution.deputy is not None:
        return _("%(deputy)s (deputy for %(holder)s)") % {
            "deputy": resolution.deputy.person,
            "holder": resolution.deputy.deputy_for.person,
        }
    if resolution.holder is not None:
        return resolution.holder.full_name
    if resolution.holders:
        return ", ".join(p.full_name for p in resolution.holders)
    return _("Missing")


def _matrix_dataset(matrix: Matrix) -> tablib.Dataset:
    """The matrix as shown, as a table: names, scope and findings; no patient data exists here."""
    headers = [_("Unit code"), _("Unit"), _("Board"), _("Care provider"), _("Operating form")]
    headers += [str(label) for label in _role_labels()]
    headers += [_("Findings")]
    data = tablib.Dataset(headers=headers, title=_("Responsibility matrix")[:31])
    for row in matrix.rows:
        values = [
            row.unit.code,
            row.unit.name,
            row.unit.board.name,
            row.provider.name if row.provider else "",
            row.operating_form_label,
        ]
        for cell in row.cells:
            text = _holder_text(cell)
            if cell.findings:
                text += " [" + ", ".join(f.code for f in cell.findings) + "]"
            values.append(text)
        values.append("; ".join(f"{f.code}: {f.message}" for f in row.findings))
        data.append(values)
    return data


def _role_labels() -> list[str]:
    return [Role(role).label for role in MATRIX_ROLES]


@require_GET
@login_required
def matrix(request):
    """Units × the four roles on a date, with the gaps and warnings of R1–R10; CSV/XLSX export."""
    if not selectors.may_view_matrix(request.user):
        raise PermissionDenied
    choices = selectors.matrix_choices(user=request.user)
    data = request.GET.copy()
    if not any(data.get(k) for k in ("board", "region", "provider")):
        default_board = selectors.default_matrix_board(user=request.user)
        if default_board is not None:
            data["board"] = str(default_board.pk)
    form = MatrixFilterForm(data, choices=choices)
    on = form.chosen_date()
    result = selectors.responsibility_matrix(user=request.user, on=on, **form.filters())
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        dataset = _matrix_dataset(result)
        if export == "csv":
            response = HttpResponse(dataset.export("csv"), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(
                dataset.export("xlsx"),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        response["Content-Disposition"] = f'attachment; filename="ansvarsmatris-{on.isoformat()}.{export}"'
        return response
    query = data.copy()
    query.pop("export", None)
    today = timezone.localdate()
    return render(
        request,
        "responsibility/matrix.html",
        {
            "form": form,
            "matrix": result,
            "rows_html": matrix_rows(result, on=on, today=today),
            "on": on,
            "today": today,
            "role_labels": _role_labels(),
            "query": query.urlencode(),
        },
    )


@require_GET
@login_required
def findings(request):
    """The MAS dashboard: open findings of R1–R10 for the user's scope, grouped by rule, with fix links."""
    if not selectors.may_view_findings(request.user):
        raise PermissionDenied
    date_form = DateForm(request.GET or None)
    on = date_form.chosen_date()
    found = selectors.open_findings(user=request.user, on=on)
    return render(
        request,
        "responsibility/findings.html",
        {
            "date_form": date_form,
            "on": on,
            "groups": selectors.group_findings(found),
            "total": len(found),
        },
    )
