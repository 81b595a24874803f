"""Reads of the API: what a client may see, always inside its own municipality.

A client's reach is the register's scope filter (:class:`responsibility.permissions.UserScope`) built from
the token's restriction, inside the token's municipality; deviations and Lex Maria cases follow the units.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet

from api.models import ApiClient, ApiRequestLog
from complaints.models import Complaint
from followup.models import FollowUp
from incidents.lexmaria.models import LexMariaCase
from incidents.models import Deviation, DeviationState
from responsibility.models import Assignment, Contract, Person, Unit
from responsibility.permissions import UserScope
from responsibility.resolver import units_with_board


def _restriction_q(client: ApiClient) -> Q:
    q = Q()
    board_ids = frozenset(b.pk for b in client.boards.all())
    if board_ids:
        q &= UserScope(board_ids=board_ids).unit_q()
    if client.provider_id:
        q &= UserScope(provider_ids=frozenset({client.provider_id})).unit_q()
    return q


def client_units(*, client: ApiClient) -> QuerySet[Unit]:
    """Units the client may see: its municipality's, narrowed to its boards and provider when it has them."""
    cached = getattr(client, "_api_unit_q", None)
    if cached is None:
        cached = client._api_unit_q = _restriction_q(client)
    return Unit.objects.filter(cached, municipality_id=client.municipality_id)


def client_unit(*, client: ApiClient, code: str) -> Unit | None:
    return units_with_board(client_units(client=client)).filter(code=code).first()


def client_people(*, client: ApiClient) -> QuerySet[Person]:
    """People of the municipality; a restricted client sees those assigned within its units' reach."""
    people = Person.objects.filter(municipality_id=client.municipality_id)
    if client.provider_id or client.boards.exists():
        people = people.filter(pk__in=client_assignments(client=client).values("person_id"))
    return people


def client_assignments(*, client: ApiClient) -> QuerySet[Assignment]:
    """Assignments on the client's units, their providers, boards and regions."""
    units = client_units(client=client)
    q = (
        Q(unit__in=units.values("pk"))
        | Q(provider__in=units.values("provider_id"))
        | Q(board__in=units.values("board_id"))
        | Q(region__in=units.values("board__region_id"))
    )
    return Assignment.objects.filter(q, person__municipality_id=client.municipality_id)


def client_contracts(*, client: ApiClient) -> QuerySet[Contract]:
    """Contracts of the municipality that cover one of the client's units or its providers."""
    units = client_units(client=client)
    return Contract.objects.filter(
        Q(units__in=units.values("pk")) | Q(provider__in=units.values("provider_id")),
        municipality_id=client.municipality_id,
    ).distinct()


def client_deviations(*, client: ApiClient) -> QuerySet[Deviation]:
    """Registered deviations (never drafts) of the client's units; patient identity is never read."""
    return (
        Deviation.objects.filter(
            municipality_id=client.municipality_id, unit__in=client_units(client=client).values("pk")
        )
        .exclude(state=DeviationState.DRAFT)
        .defer("patient_identifier_encrypted")
    )


def client_lex_maria_cases(*, client: ApiClient) -> QuerySet[LexMariaCase]:
    """Lex Maria cases of the client's units (and, for a board-restricted client, its purchased ones)."""
    q = Q(deviation__unit__in=client_units(client=client).values("pk"))
    board_ids = [b.pk for b in client.boards.all()]
    if board_ids and not client.provider_id:
        q |= Q(board_id__in=board_ids) | Q(purchasing_board_id__in=board_ids)
    return LexMariaCase.objects.filter(q, deviation__municipality_id=client.municipality_id)


def client_complaints(*, client: ApiClient) -> QuerySet[Complaint]:
    """Complaints of the client's units; the patient's identity is never read."""
    return Complaint.objects.filter(
        municipality_id=client.municipality_id, unit__in=client_units(client=client).values("pk")
    ).defer("patient_identifier_encrypted")


def client_followups(*, client: ApiClient) -> QuerySet[FollowUp]:
    """Follow-ups of the client's units and of contracts covering them (a contract review has no unit)."""
    units = client_units(client=client)
    q = Q(unit__in=units.values("pk")) | Q(unit__isnull=True, contract__in=client_contracts(client=client).values("pk"))
    return FollowUp.objects.filter(q, municipality_id=client.municipality_id)


def updated_since(qs: QuerySet, since: datetime) -> QuerySet:
    """Rows changed at or after ``since``, from their history (for models without an updated column)."""
    return qs.filter(pk__in=qs.model.history.filter(history_date__gte=since).values("id"))


def case_filters(
    qs: QuerySet, data: dict, *, unit: str, board: str, day: str, updated: str | None = None, extra: tuple = ()
) -> QuerySet:
    """Apply a case list's query (unit, board, state, period, ``updated_since`` and ``extra`` fields) to ``qs``.

    ``unit``/``board`` are the lookups of the unit's and board's code, ``day`` the date the period filters on,
    ``updated`` the row's update timestamp (cases without one are matched through their history).
    """
    for key, field in {"unit": unit, "board": board, "state": "state", **{k: k for k in extra}}.items():
        if data.get(key):
            qs = qs.filter(**{field: data[key]})
    if data.get("period_start"):
        qs = qs.filter(**{f"{day}__gte": data["period_start"]})
    if data.get("period_end"):
        qs = qs.filter(**{f"{day}__lte": data["period_end"]})
    if data.get("updated_since"):
        since = data["updated_since"]
        qs = qs.filter(**{f"{updated}__gte": since}) if updated else updated_since(qs, since)
    return qs


def clients_of(*, municipality_id: int | None) -> QuerySet[ApiClient]:
    """The municipality's API clients (none for an admin without a municipality: never another's)."""
    if municipality_id is None:
        return ApiClient.objects.none()
    return (
        ApiClient.objects.filter(municipality_id=municipality_id)
        .select_related("provider", "created_by", "revoked_by")
        .prefetch_related("boards")
    )


def recent_requests(*, client: ApiClient, limit: int = 20) -> list[ApiRequestLog]:
    return list(client.requests.all()[:limit])
