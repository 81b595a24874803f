"""Validity periods: the one rule for "active on a date".

Every dated row of the register (units, assignments, operating periods,
contracts, the R1–R12 rule set) and the follow-up delegations is valid from
its start date **inclusive** to its end date **inclusive**; an empty end date
means "until further notice" (SPEC §3: an assignment is person + role + scope
+ valid_from/valid_to; a unit's operation and contract change over time and
history is kept). A revocation date, where a model has one, ends the validity
**on** that date (the row was still valid the day before).

The same rule answers three ways: ``Model.objects.active_on(on)`` (a queryset),
``Model.active_q(on, prefix=...)`` (a ``Q`` for filters across a relation or
with ``OuterRef``) and ``instance.is_active_on(on)`` (one row in memory).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import models
from django.db.models import Q


def period_q(
    on: Any, *, start: str, end: str, end_nullable: bool = True, revoked: str | None = None, prefix: str = ""
) -> Q:
    """Rows whose period ``start``–``end`` (both inclusive) contains ``on``; ``on`` may be an expression."""
    q = Q(**{f"{prefix}{start}__lte": on})
    if end_nullable:
        q &= Q(**{f"{prefix}{end}__isnull": True}) | Q(**{f"{prefix}{end}__gte": on})
    else:
        q &= Q(**{f"{prefix}{end}__gte": on})
    if revoked:
        q &= Q(**{f"{prefix}{revoked}__isnull": True}) | Q(**{f"{prefix}{revoked}__gt": on})
    return q


class ValidityPeriod:
    """A model mixin (adds no fields): which fields hold the period, and the rule over them.

    Set ``period_start``/``period_end`` (and ``period_revoked``) on the model when
    its fields are not ``valid_from``/``valid_to``.
    """

    period_start = "valid_from"
    period_end = "valid_to"
    period_revoked: str | None = None

    @classmethod
    def active_q(cls, on: Any, *, prefix: str = "") -> Q:
        """A ``Q`` for rows active on ``on``; ``prefix`` (e.g. ``"assignments__"``) reaches them through a relation."""
        end_nullable = cls._meta.get_field(cls.period_end).null
        return period_q(
            on,
            start=cls.period_start,
            end=cls.period_end,
            end_nullable=end_nullable,
            revoked=cls.period_revoked,
            prefix=prefix,
        )

    def is_active_on(self, on: date) -> bool:
        """Whether this row is active on ``on`` (the same rule as ``active_q``)."""
        start = getattr(self, self.period_start)
        end = getattr(self, self.period_end)
        if start > on or (end is not None and end < on):
            return False
        revoked = getattr(self, self.period_revoked) if self.period_revoked else None
        return revoked is None or on < revoked


class ActiveOnQuerySet(models.QuerySet):
    """A queryset with ``active_on(on)`` for a model with ``ValidityPeriod``."""

    def active_on(self, on: Any) -> ActiveOnQuerySet:
        """The rows active on ``on`` (start and end inclusive, open end when empty)."""
        return self.filter(self.model.active_q(on))


def not_ended_q(model: type[ValidityPeriod], on: Any, *, prefix: str = "") -> Q:
    """Rows of ``model`` not ended before ``on`` (active on ``on`` or starting later): end empty or ≥ ``on``."""
    end = f"{prefix}{model.period_end}"
    q = Q(**{f"{end}__gte": on})
    if model._meta.get_field(model.period_end).null:
        q |= Q(**{f"{end}__isnull": True})
    return q


def overlaps_q(model: type[ValidityPeriod], start: Any, end: Any | None, *, prefix: str = "") -> Q:
    """Rows of ``model`` whose period shares a day with ``start``–``end`` (both inclusive; ``end`` None: open)."""
    q = not_ended_q(model, start, prefix=prefix)
    if end is not None:
        q &= Q(**{f"{prefix}{model.period_start}__lte": end})
    return q
