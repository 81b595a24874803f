"""Type-ahead choices (JSON) of follow-up's pickers: units, quality auditors, and the people who may own an action.

The register's endpoint (``responsibility:picker_search``) is for register admins; follow-ups are planned and
performed by MAS and quality auditors, so their pickers ask here, with the same permissions as their forms.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.views.decorators.http import require_GET

from followup import selectors
from followup.forms import auditors_queryset, owners_for
from followup.permissions import can_create_followup, can_perform
from responsibility import pickers
from responsibility.permissions import units_visible_to
from responsibility.tenancy import municipality_of


@login_required
@require_GET
def picker_search(request):
    """``kind`` unit | auditor | owner (of ``followup``'s actions); at most ``pickers.LIMIT`` matches of ``q``."""
    if not can_create_followup(request.user):
        raise PermissionDenied
    kind = request.GET.get("kind", "unit")
    q = request.GET.get("q", "")
    municipality = municipality_of(request)
    if kind == "owner":
        pk = request.GET.get("followup", "")
        follow_up = selectors.followup_detail(user=request.user, pk=int(pk)) if pk.isdigit() else None
        if follow_up is None:
            raise Http404
        if not can_perform(request.user, follow_up):
            raise PermissionDenied
        results = pickers.person_results(pickers.with_current(owners_for(follow_up)), q)
    elif kind == "unit":
        results = pickers.unit_results(units_visible_to(request.user).filter(municipality=municipality), q)
    elif kind == "auditor":
        auditors = auditors_queryset().filter(municipality=municipality)
        results = pickers.person_results(pickers.with_current(auditors), q)
    else:
        raise Http404
    return JsonResponse({"results": results})
