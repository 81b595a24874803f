"""Writes of contracts (the register's contracts as follow-up manages them): save with the units covered."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction

from responsibility.models import Contract, Unit
from responsibility.permissions import is_register_admin
from responsibility.tenancy import require_same_municipality


def contract_save(*, contract: Contract, actor, units: Iterable[Unit] | None = None) -> Contract:
    """Validate and save a contract and, when given, the units it covers.

    A contract saved through the portal must agree with the route rule (R11): an old contradictory one
    loses its mark here and is validated like any other.
    """
    if not is_register_admin(actor):
        raise PermissionDenied
    contract.predates_route_rule = False
    require_same_municipality(
        contract.municipality_id,
        **{
            name: getattr(contract, name)
            for name in ("provider", "managing_board", "purchasing_board", "successor")
            if getattr(contract, f"{name}_id") is not None
        },
    )
    for unit in units or ():
        require_same_municipality(contract.municipality_id, units=unit)
    contract.full_clean()
    with transaction.atomic():
        contract.save()
        if units is not None:
            contract.units.set(list(units))
    return contract


def contract_ends_without_successor(contract: Contract, *, on: date, within_days: int) -> bool:
    """Whether ``contract`` ends within ``within_days`` of ``on`` (or has ended) and has no successor."""
    return (
        contract.valid_to is not None
        and contract.successor_id is None
        and contract.valid_to <= on + timedelta(days=within_days)
    )
