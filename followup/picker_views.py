"""Type-ahead choices (JSON) of follow-up's pickers: units, quality auditors, the people who may own an action, and the
people and units of the delegation and routine forms.

The register's endpoint (``responsibility:picker_search``) is for register admins; follow-ups, delegations and
routines are kept by MAS (and MAR, quality auditors), so their pickers ask here, each kind with the permission of the
form it serves and the same choices as that form's select.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.views.decorators.http import require_GET

from followup import selectors
from followup.forms import auditors_queryset, delegates_for, delegators_queryset, owners_for
from followup.permissions import can_create_followup, can_manage_delegations, can_manage_routines, can_perform
from responsibility import pickers
from responsibility.models import Person, Unit
from responsibility.permissions import units_visible_to
from responsibility.tenancy import municipality_of


def _owners(request, q: str) -> list[dict]:
    pk = request.GET.get("followup", "")
    follow_up = selectors.followup_detail(user=request.user, pk=int(pk)) if pk.isdigit() else None
    if follow_up is None:
        raise Http404
    if not can_perform(request.user, follow_up):
        raise PermissionDenied
    return pickers.person_results(pickers.with_current(owners_for(follow_up)), q)


def _people(request, q: str, qs) -> list[dict]:
    return pickers.person_results(pickers.with_current(qs.filter(municipality=municipality_of(request))), q)


def _delegation_units(request):
    return selectors.delegation_units(request.user).filter(municipality=municipality_of(request))


def _delegates(request, q: str) -> list[dict]:
    """People who may receive a delegation: at the unit chosen on the form (``unit``), else at any of the user's."""
    units = _delegation_units(request)
    unit = request.GET.get("unit", "")
    if unit.isdigit():
        units = units.filter(pk=int(unit))
    return _people(request, q, delegates_for(units))


# kind → (who may ask, the matches of ``q``)
SEARCHES: dict[str, tuple[Callable, Callable]] = {
    "unit": (
        can_create_followup,
        lambda request, q: pickers.unit_results(
            units_visible_to(request.user).filter(municipality=municipality_of(request)), q
        ),
    ),
    "auditor": (can_create_followup, lambda request, q: _people(request, q, auditors_queryset())),
    "owner": (can_create_followup, _owners),
    "delegation_unit": (can_manage_delegations, lambda request, q: pickers.unit_results(_delegation_units(request), q)),
    "delegator": (can_manage_delegations, lambda request, q: _people(request, q, delegators_queryset())),
    "delegate": (can_manage_delegations, _delegates),
    "routine_owner": (can_manage_routines, lambda request, q: _people(request, q, Person.objects.all())),
    "routine_unit": (
        can_manage_routines,
        lambda request, q: pickers.unit_results(Unit.objects.filter(municipality=municipality_of(request)), q),
    ),
}


@login_required
@require_GET
def picker_search(request):
    """At most ``pickers.LIMIT`` matches of ``q`` of ``kind`` (see ``SEARCHES``); 403 for who may not use its form."""
    kind = request.GET.get("kind", "unit")
    if kind not in SEARCHES:
        raise Http404
    allowed, search = SEARCHES[kind]
    if not allowed(request.user):
        raise PermissionDenied
    return JsonResponse({"results": search(request, request.GET.get("q", ""))})
