"""Writes to the responsibility register. Every rule across rows is checked here."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.dates import overlaps_q
from responsibility.choices import AssignmentKind, OperatingForm, ProviderKind
from responsibility.models import (
    Assignment,
    Board,
    CareProvider,
    Contract,
    Person,
    Region,
    Unit,
    UnitOperatingPeriod,
)


def overlapping_assignments(*, assignment: Assignment):
    """Statutory assignments of the same role and scope whose period overlaps ``assignment``'s."""
    scope, scope_id = assignment.scope_key
    qs = Assignment.objects.filter(
        role=assignment.role,
        kind=AssignmentKind.STATUTORY,
        deputy_for__isnull=True,
        **{f"{scope}_id": scope_id},
    ).exclude(pk=assignment.pk)
    return qs.filter(overlaps_q(Assignment, assignment.valid_from, assignment.valid_to))


def assignment_validate(*, assignment: Assignment) -> None:
    """Raise ValidationError (keyed by field) if ``assignment`` may not be saved as it is."""
    _validate_assignment(assignment)


def _validate_assignment(assignment: Assignment) -> None:
    assignment.full_clean()
    if assignment.kind == AssignmentKind.STATUTORY and assignment.deputy_for_id is None:
        clash = overlapping_assignments(assignment=assignment).select_related("person").first()
        if clash is not None:
            raise ValidationError(
                {
                    "valid_from": _(
                        "%(person)s already holds this statutory role for the same scope from %(from)s to %(to)s. "
                        "End that assignment first or choose other dates."
                    )
                    % {
                        "person": clash.person,
                        "from": clash.valid_from.isoformat(),
                        "to": clash.valid_to.isoformat() if clash.valid_to else _("until further notice"),
                    }
                }
            )
    if assignment.deputy_for_id:
        holder = assignment.deputy_for
        if assignment.scope_key != holder.scope_key:
            raise ValidationError({"deputy_for": _("A deputy covers the same scope as the person they replace.")})


@transaction.atomic
def assignment_save(*, assignment: Assignment) -> Assignment:
    """Validate and save an assignment (new or changed); refuse overlaps and unqualified holders."""
    _validate_assignment(assignment)
    assignment.save()
    return assignment


@transaction.atomic
def unit_create(
    *,
    unit: Unit,
    valid_from: date | None = None,
) -> Unit:
    """Create a unit with its first operating period."""
    _check_unit_operation(unit)
    unit.full_clean()
    unit.save()
    UnitOperatingPeriod.objects.create(
        unit=unit,
        valid_from=valid_from or unit.active_from,
        provider=unit.provider,
        operating_form=unit.operating_form,
        contract=unit.contract,
    )
    if unit.contract_id:
        unit.contract.units.add(unit)
    return unit


def unit_validate(*, unit: Unit) -> None:
    """Raise ValidationError (keyed by field) if ``unit`` breaks a rule of the register."""
    _check_unit_operation(unit)


@transaction.atomic
def unit_update(*, unit: Unit) -> Unit:
    """Save changes to a unit's own facts (name, type, board, places, period).

    Provider, operating form and contract are dated: change them with
    :func:`unit_change_operation`, never here.
    """
    stored = Unit.objects.select_for_update().get(pk=unit.pk)
    if (stored.provider_id, stored.operating_form, stored.contract_id) != (
        unit.provider_id,
        unit.operating_form,
        unit.contract_id,
    ):
        raise ValidationError(_("Change the provider, operating form or contract from a date instead."))
    _check_unit_operation(unit)
    unit.full_clean()
    unit.save()
    return unit


def _check_unit_operation(unit: Unit) -> None:
    errors = {}
    if not unit.board_id:
        errors["board"] = _("A unit must belong to a board.")
    if unit.provider_id:
        municipal = unit.provider.kind == ProviderKind.MUNICIPAL
        if municipal and unit.operating_form != OperatingForm.OWN:
            errors["operating_form"] = _("A unit run by the municipality's own provider is in own operation.")
        if not municipal and unit.operating_form == OperatingForm.OWN:
            errors["operating_form"] = _("A unit run by a contractor or private provider is not in own operation.")
        if unit.contract_id and unit.contract.provider_id != unit.provider_id:
            errors["contract"] = _("The contract is with another care provider.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def unit_change_operation(
    *, unit: Unit, provider: CareProvider, operating_form: str, contract: Contract | None, from_date: date
) -> Unit:
    """Hand a unit to another provider, form or contract from ``from_date``, keeping the old period."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    unit.provider, unit.operating_form, unit.contract = provider, operating_form, contract
    _check_unit_operation(unit)
    current = unit.operating_periods.filter(valid_from__lte=from_date).order_by("-valid_from").first()
    if current is not None and current.valid_from == from_date:
        raise ValidationError({"from_date": _("The unit already changed operation on that date. Choose a later date.")})
    if unit.operating_periods.filter(valid_from__gt=from_date).exists():
        raise ValidationError({"from_date": _("A later change is already registered. Change that one instead.")})
    if current is not None:
        current.valid_to = from_date - timedelta(days=1)
        current.save(update_fields=["valid_to"])
    UnitOperatingPeriod.objects.create(
        unit=unit, valid_from=from_date, provider=provider, operating_form=operating_form, contract=contract
    )
    unit.save(update_fields=["provider", "operating_form", "contract"])
    if contract is not None:
        contract.units.add(unit)
    return unit


def municipal_provider_for(*, board: Board) -> CareProvider:
    """The municipality's own vårdgivare for ``board``."""
    return CareProvider.objects.get(board=board, kind=ProviderKind.MUNICIPAL)


@transaction.atomic
def register_object_save(*, obj: Region | Board | CareProvider | Person) -> Region | Board | CareProvider | Person:
    """Validate (fields, row rules, constraints) and save a region, board, provider or person."""
    obj.full_clean()
    obj.save()
    return obj
