"""The unit scope of a role: one unit, a care provider's units, a board's units or a region's units.

Two questions, each answered here once (SPEC §2, §3: an assignment's scope is a unit, a
provider, a board or a region, whose boards' units it then covers):

- :func:`units_in_scope_q` — units (or rows with a unit at ``prefix``) inside a set of scopes
  (:func:`unit_in_scope`: the same question of one unit already loaded);
- :func:`covering_unit_q` — assignments (or rows with the same four keys) whose scope covers a unit.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q


def units_in_scope_q(
    *,
    unit_ids: Iterable[int] = (),
    provider_ids: Iterable[int] = (),
    board_ids: Iterable[int] = (),
    region_ids: Iterable[int] = (),
    prefix: str = "",
) -> Q:
    """A filter on Unit (or on a model whose unit is at ``prefix``, e.g. ``"unit__"``) for these scopes."""
    p = prefix
    q = Q(**{f"{p}id__in" if p else "pk__in": sorted(unit_ids)})
    if provider_ids:
        q |= Q(**{f"{p}provider_id__in": sorted(provider_ids)})
    if board_ids:
        q |= Q(**{f"{p}board_id__in": sorted(board_ids)})
    if region_ids:
        q |= Q(**{f"{p}board__region_id__in": sorted(region_ids)})
    return q


def unit_in_scope(
    unit,
    *,
    unit_ids: Iterable[int] = (),
    provider_ids: Iterable[int] = (),
    board_ids: Iterable[int] = (),
    region_ids: Iterable[int] = (),
) -> bool:
    """:func:`units_in_scope_q` asked of one loaded unit (its board loaded too when ``region_ids`` is given)."""
    return (
        unit.pk in unit_ids
        or unit.provider_id in provider_ids
        or unit.board_id in board_ids
        or (bool(region_ids) and unit.board.region_id in region_ids)
    )


def covering_unit_q(unit, prefix: str = "") -> Q:
    """Rows (assignments) whose scope covers ``unit``: the unit, its provider, its board or the board's region."""
    q = (
        Q(**{f"{prefix}unit_id": unit.pk})
        | Q(**{f"{prefix}provider_id": unit.provider_id})
        | Q(**{f"{prefix}board_id": unit.board_id})
    )
    region_id = unit.board.region_id
    if region_id:
        q |= Q(**{f"{prefix}region_id": region_id})
    return q


def unit_or_provider_q(unit, prefix: str = "") -> Q:
    """Rows (assignments) of ``unit`` itself or of its care provider (the narrow part of :func:`covering_unit_q`)."""
    return Q(**{f"{prefix}unit_id": unit.pk}) | Q(**{f"{prefix}provider_id": unit.provider_id})
