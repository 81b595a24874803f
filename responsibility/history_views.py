"""The register's history pages: a unit's (for anyone who may see the unit), an assignment's and the latest
changes of the municipality's register (register admins)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from responsibility import history
from responsibility.admin_views import municipality_of, register_admin_required, unit_page_url
from responsibility.models import Assignment, Board, CareProvider, Person, Region, Unit
from responsibility.permissions import is_register_admin, units_visible_to


def _render_history(request, *, title, intro, entries, back_url="", back_label="", periods=None):
    return render(
        request,
        "responsibility/admin/history.html",
        {
            "title": title,
            "intro": intro,
            "entries": sorted(entries, key=lambda e: e.when, reverse=True),
            "back_url": back_url,
            "back_label": back_label,
            "periods": periods,
        },
    )


@login_required
@require_GET
def unit_history(request, code):
    """The unit's own changes and its assignments' changes, for anyone who may see the unit."""
    unit = get_object_or_404(Unit, municipality=municipality_of(request), code=code)
    if not units_visible_to(request.user).filter(pk=unit.pk).exists():
        raise Http404(_("No such unit, or you may not see it."))
    admin = is_register_admin(request.user)
    unit_records, assignment_records = history.unit_records(unit)
    entries = history.entries_for(unit_records) + history.entries_for(
        assignment_records,
        url_for=lambda r: reverse("responsibility:assignment_history", args=[r.id]) if admin else "",
    )
    return _render_history(
        request,
        title=_("History of %(object)s") % {"object": unit},
        intro=_("Every change to the unit and to the assignments on the unit, newest first."),
        entries=entries,
        periods=unit.operating_periods.select_related("provider", "contract").order_by("-valid_from"),
        back_url=unit_page_url(unit),
        back_label=_("Back to the unit"),
    )


@register_admin_required
@require_GET
def assignment_history(request, pk):
    assignment = get_object_or_404(
        Assignment.objects.select_related("person"), pk=pk, person__municipality=municipality_of(request)
    )
    return _render_history(
        request,
        title=_("History of assignment %(object)s") % {"object": assignment},
        intro=_("Every change to the assignment, newest first."),
        entries=history.entries_for(history.assignment_records(assignment)),
        back_url=reverse("responsibility:assignment_edit", args=[pk]),
        back_label=_("Back to the assignment"),
    )


RECENT_URLS = {
    Unit: "unit_history",
    Assignment: "assignment_history",
    Person: "person_edit",
    CareProvider: "provider_edit",
    Board: "board_edit",
    Region: "region_edit",
}


def _recent_url(model, record) -> str:
    if model not in RECENT_URLS:
        return ""
    return reverse(f"responsibility:{RECENT_URLS[model]}", args=[record.code if model is Unit else record.id])


@register_admin_required
@require_GET
def history_recent(request):
    """The latest changes anywhere in the administrator's municipality's register."""
    entries = [
        history.entry(
            record, record.prev_record if record.history_type == "~" else None, url=_recent_url(model, record)
        )
        for record, model in history.recent_records(municipality_of(request))
    ]
    return _render_history(
        request,
        title=_("Recent changes to the register"),
        intro=_("The latest %(n)s changes, newest first.") % {"n": history.RECENT_LIMIT},
        entries=entries,
        back_url=reverse("responsibility:admin_home"),
        back_label=_("Back to administration"),
    )
