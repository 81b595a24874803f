"""Global search (``/sok/?q=…``): a reference jumps to its case, anything else is grouped by kind.

Every kind is read through the selector its own list uses (``deviations_visible_to``,
``lex_maria_cases_visible_to``, ``units_visible_to``, ``followups_visible_to``; people and
contracts only for register admins, as their lists), so search never shows more than the
lists do. Patient identity is never searched nor shown: only references, unit, category,
state and dates are read for a row, and the free text is matched in the database
(PostgreSQL full-text search with the Swedish configuration, ``icontains`` elsewhere).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from followup.selectors import contract_list, followups_visible_to
from incidents.lexmaria.selectors import lex_maria_cases_visible_to
from incidents.selectors import deviations_visible_to
from responsibility.models import Person
from responsibility.permissions import is_register_admin, units_visible_to
from responsibility.tenancy import municipality_id_of

REFERENCE_RE = re.compile(r"^\s*(AV|LM)-\d{4}-\d{1,8}\s*$", re.IGNORECASE)
PER_KIND = 20
MIN_LENGTH = 2
MAX_LENGTH = 200


@dataclass
class Hit:
    """One result: what to show and where it leads."""

    title: str
    url: str
    detail: str = ""


@dataclass
class Group:
    """The results of one kind (at most ``PER_KIND``; ``more`` when there were more)."""

    key: str
    title: str
    hits: list[Hit] = field(default_factory=list)
    more: bool = False


@dataclass
class SearchResult:
    """What a search found: a case to go to, or groups of hits."""

    query: str
    redirect: str = ""
    reference_not_found: bool = False
    too_short: bool = False
    groups: list[Group] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(len(g.hits) for g in self.groups)


def _text_q(query: str, *fields: str) -> Q:
    q = Q()
    for name in fields:
        q |= Q(**{f"{name}__icontains": query})
    return q


def _full_text(qs: QuerySet, query: str, *, text_fields: tuple[str, ...], exact_fields: tuple[str, ...]) -> QuerySet:
    """Match ``query`` in free text (Swedish full-text search on PostgreSQL) or in short fields (contains)."""
    if connection.vendor == "postgresql":
        vector = SearchVector(*text_fields, config="swedish")
        terms = SearchQuery(query, config="swedish", search_type="websearch")
        match = Q(_search=terms)
        # Every reference has digits (AV-2026-000123): a query without any cannot be part of one, and
        # leaving the contains-match out lets the planner use the full-text GIN index alone.
        if any(ch.isdigit() for ch in query):
            match |= _text_q(query, *exact_fields)
        return qs.annotate(_search=vector).filter(match)
    return qs.filter(_text_q(query, *text_fields, *exact_fields))


def _take(qs: QuerySet) -> tuple[list, bool]:
    rows = list(qs[: PER_KIND + 1])
    return rows[:PER_KIND], len(rows) > PER_KIND


def _deviations(user, query: str) -> Group:
    qs = _full_text(
        deviations_visible_to(user=user),
        query,
        text_fields=("description", "immediate_actions"),
        exact_fields=("reference",),
    )
    rows, more = _take(
        qs.select_related("unit", "category")
        .only("pk", "reference", "state", "occurred_at", "unit__name", "category__name")
        .order_by("-occurred_at", "-pk")
    )
    hits = [
        Hit(
            str(d),
            d.get_absolute_url(),
            f"{d.unit.name} · {d.category.name} · {d.get_state_display()} · {d.occurred_at:%Y-%m-%d}",
        )
        for d in rows
    ]
    return Group("deviations", _("Deviations"), hits, more)


def _lex_maria(user, query: str) -> Group:
    qs = _full_text(
        lex_maria_cases_visible_to(user=user), query, text_fields=("motivation",), exact_fields=("reference",)
    )
    rows, more = _take(
        qs.select_related("board").only("pk", "reference", "state", "decided_at", "board__name").order_by("-pk")
    )
    hits = [Hit(c.reference, c.get_absolute_url(), f"{c.board.name} · {c.get_state_display()}") for c in rows]
    return Group("lex_maria", _("Lex Maria cases"), hits, more)


def _units(user, query: str, municipality_id: int | None) -> Group:
    qs = units_visible_to(user).filter(_text_q(query, "name", "code"))
    if municipality_id is not None:
        qs = qs.filter(municipality_id=municipality_id)
    rows, more = _take(qs.select_related("provider").only("pk", "code", "name", "provider__name").order_by("name"))
    return Group("units", _("Units"), [Hit(u.name, u.get_absolute_url(), u.provider.name) for u in rows], more)


def _people(user, query: str, municipality_id: int | None) -> Group:
    group = Group("people", _("People"))
    if not is_register_admin(user) or municipality_id is None:
        return group
    qs = Person.objects.filter(municipality_id=municipality_id).filter(
        _text_q(query, "first_name", "last_name", "email", "title")
    )
    rows, group.more = _take(qs.order_by("last_name", "first_name", "pk"))
    group.hits = [
        Hit(str(p), reverse("responsibility:person_edit", args=[p.pk]), " · ".join(x for x in (p.title, p.email) if x))
        for p in rows
    ]
    return group


def _contracts(user, query: str, municipality_id: int | None) -> Group:
    group = Group("contracts", _("Contracts"))
    if not is_register_admin(user) or municipality_id is None:
        return group
    qs = contract_list(user=user).filter(_text_q(query, "case_number", "title", "provider__name"))
    rows, group.more = _take(qs)
    # A physician agreement (läkarmedverkan, with the region) has no care provider: its kind tells it apart.
    group.hits = [
        Hit(
            str(c),
            reverse("followup:contract_detail", args=[c.pk]),
            c.provider.name if c.provider_id else c.get_kind_display(),
        )
        for c in rows
    ]
    return group


def _followups(user, query: str) -> Group:
    qs = followups_visible_to(user).filter(
        _text_q(query, "trigger_reference", "summary", "unit__name", "contract__case_number")
    )
    rows, more = _take(qs.select_related("unit", "contract", "municipality").order_by("-scheduled_date", "-pk"))
    hits = [Hit(str(f), f.get_absolute_url(), f.get_state_display()) for f in rows]
    return Group("followups", _("Follow-ups"), hits, more)


def search(*, user, query: str) -> SearchResult:
    """Search what ``user`` may see for ``query``; a visible case's reference gives a redirect instead."""
    query = " ".join((query or "").split())[:MAX_LENGTH]
    result = SearchResult(query=query)
    if len(query) < MIN_LENGTH:
        result.too_short = bool(query)
        return result
    if REFERENCE_RE.match(query):
        reference = query.upper()
        if reference.startswith("AV-"):
            found = deviations_visible_to(user=user).filter(reference=reference).values_list("pk", flat=True).first()
            if found is not None:
                result.redirect = reverse("incidents:deviation_detail", args=[found])
                return result
        else:
            found = (
                lex_maria_cases_visible_to(user=user).filter(reference=reference).values_list("pk", flat=True).first()
            )
            if found is not None:
                result.redirect = reverse("incidents:lex_maria_detail", args=[found])
                return result
        result.reference_not_found = True
    municipality_id = municipality_id_of(user)
    result.groups = [
        _deviations(user, query),
        _lex_maria(user, query),
        _units(user, query, municipality_id),
        _people(user, query, municipality_id),
        _contracts(user, query, municipality_id),
        _followups(user, query),
    ]
    return result
