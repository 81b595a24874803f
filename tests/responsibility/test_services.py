"""Writes to the register: the services refuse what breaks a rule and save all or nothing."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from responsibility.choices import OperatingForm, Profession, ProviderKind, Role
from responsibility.imports import register_import
from responsibility.models import (
    Assignment,
    Board,
    CareProvider,
    Contract,
    Municipality,
    Person,
    Region,
    Unit,
    UnitOperatingPeriod,
)
from responsibility.services import (
    assignment_save,
    register_object_save,
    unit_change_operation,
    unit_create,
    unit_update,
)

pytestmark = pytest.mark.django_db


def _municipality() -> Municipality:
    """The demo municipality (a service is always given its municipality; there is no default)."""
    return Municipality.objects.get(code="stockholm")


def _person(profession: str, *, licensed: bool = True, email: str = "p@example.se") -> Person:
    return Person.objects.create(
        municipality=_municipality(),
        first_name="Test",
        last_name="Person",
        email=email,
        profession=profession,
        licensed=licensed,
    )


def test_unit_update_refuses_to_change_operation_in_place():
    """Changing provider through unit_update is refused: operation changes are dated."""
    unit = Unit.objects.get(code="hage-01")
    unit.provider = CareProvider.objects.filter(kind=ProviderKind.CONTRACTOR).first()
    unit.operating_form = OperatingForm.CONTRACT
    with pytest.raises(ValidationError):
        unit_update(unit=unit)
    assert Unit.objects.get(code="hage-01").operating_form == OperatingForm.OWN


def test_unit_update_saves_own_facts():
    """A unit's name and places change through unit_update."""
    unit = Unit.objects.get(code="hage-01")
    unit.places = 99
    unit_update(unit=unit)
    assert Unit.objects.get(code="hage-01").places == 99


def test_unit_create_without_board_is_refused():
    """A unit without a board is refused and nothing is saved."""
    provider = Unit.objects.get(code="hage-01").provider
    unit = Unit(
        municipality=_municipality(),
        code="x-01",
        name="X",
        unit_type="care_home",
        provider=provider,
        operating_form=OperatingForm.OWN,
    )
    with pytest.raises(ValidationError) as exc:
        unit_create(unit=unit)
    assert "board" in exc.value.message_dict
    assert not Unit.objects.filter(code="x-01").exists()


def test_change_of_operation_keeps_history_of_periods():
    """unit_change_operation closes the current period and opens a new one; the unit history has both values."""
    unit = Unit.objects.get(code="hage-01")
    contract = Contract.objects.filter(provider__kind=ProviderKind.CONTRACTOR, kind="contract").first()
    day = timezone.localdate() + timedelta(days=30)
    unit_change_operation(
        unit=unit, provider=contract.provider, operating_form=OperatingForm.CONTRACT, contract=contract, from_date=day
    )
    periods = list(UnitOperatingPeriod.objects.filter(unit=unit).order_by("valid_from"))
    assert len(periods) == 2
    assert periods[0].operating_form == OperatingForm.OWN
    assert periods[0].valid_to == day - timedelta(days=1)
    assert periods[1].operating_form == OperatingForm.CONTRACT
    assert periods[1].valid_to is None
    latest = unit.history.first()
    assert latest.diff_against(latest.prev_record).changed_fields == ["contract", "operating_form", "provider"]
    assert contract.units.filter(pk=unit.pk).exists()


@pytest.mark.parametrize(
    ("role", "profession", "licensed"),
    [
        (Role.MAS, Profession.NURSE, False),
        (Role.MAS, Profession.PHYSIOTHERAPIST, True),
        (Role.MAR, Profession.NURSE, True),
        (Role.MAR, Profession.OCCUPATIONAL_THERAPIST, False),
    ],
)
def test_unqualified_holders_are_refused(role, profession, licensed):
    """A MAS must be a licensed nurse; a MAR a licensed physiotherapist or occupational therapist."""
    person = _person(profession, licensed=licensed)
    with pytest.raises(ValidationError) as exc:
        assignment_save(
            assignment=Assignment(
                person=person, role=role, unit=Unit.objects.get(code="hage-01"), valid_from=date(2026, 1, 1)
            )
        )
    assert "person" in exc.value.message_dict
    assert not Assignment.objects.filter(person=person).exists()


def test_mar_may_be_an_occupational_therapist():
    """A licensed occupational therapist may be MAR."""
    person = _person(Profession.OCCUPATIONAL_THERAPIST)
    assignment_save(
        assignment=Assignment(
            person=person, role=Role.MAR, unit=Unit.objects.get(code="hage-01"), valid_from=date(2026, 1, 1)
        )
    )
    assert Assignment.objects.filter(person=person, role=Role.MAR).count() == 1


def test_overlap_is_refused_and_adjacent_periods_are_allowed():
    """Overlapping statutory assignments are refused; one ending the day before the next starts is fine."""
    unit = Unit.objects.get(code="hage-01")
    first = _person(Profession.NURSE, email="a@example.se")
    second = _person(Profession.NURSE, email="b@example.se")
    assignment_save(
        assignment=Assignment(
            person=first, role=Role.MAS, unit=unit, valid_from=date(2026, 1, 1), valid_to=date(2026, 6, 30)
        )
    )
    with pytest.raises(ValidationError):
        assignment_save(assignment=Assignment(person=second, role=Role.MAS, unit=unit, valid_from=date(2026, 6, 30)))
    assignment_save(assignment=Assignment(person=second, role=Role.MAS, unit=unit, valid_from=date(2026, 7, 1)))
    assert Assignment.objects.filter(unit=unit, role=Role.MAS).count() == 2


def test_register_object_save_validates_org_number():
    """A provider with a bad organisation number is refused by the service too."""
    provider = CareProvider(
        municipality=_municipality(), name="Fel AB", kind=ProviderKind.PRIVATE, org_number="556677-8891"
    )
    with pytest.raises(ValidationError):
        register_object_save(obj=provider)
    assert not CareProvider.objects.filter(name="Fel AB").exists()


def test_register_object_save_refuses_duplicate_codes():
    """Two regions with the same code in one municipality are refused."""
    with pytest.raises(ValidationError):
        register_object_save(obj=Region(municipality=_municipality(), code="vastra-soderort", name="Dubblett"))
    assert Region.objects.filter(code="vastra-soderort").count() == 1


def test_register_import_saves_nothing_when_one_row_is_bad():
    """register_import rolls back the good rows when any row is bad."""
    board = Board.objects.get(code="hagersten-liljeholmen")
    content = (
        "code,name,unit_type,board,provider,operating_form\n"
        f"imp-01,Bra,care_home,{board.code},{board.code},own\n"
        f"imp-02,Dålig,care_home,{board.code},{board.code},contract\n"
    ).encode()
    outcome = register_import(kind="units", content=content, filename="u.csv", municipality=_municipality())
    assert [(e.row, e.column) for e in outcome.errors] == [(3, "operating_form")]
    assert not Unit.objects.filter(code__startswith="imp-").exists()


def test_register_import_saves_every_row_when_all_are_good():
    """register_import creates each unit with its operating period."""
    content = b"code,name,unit_type,board,provider,operating_form\nimp-01,Bra,care_home,alvsjo,alvsjo,own\n"
    outcome = register_import(kind="units", content=content, filename="u.csv", municipality=_municipality())
    assert outcome.ok
    assert outcome.total_rows == 1
    unit = Unit.objects.get(code="imp-01")
    assert unit.board.code == "alvsjo"
    assert unit.provider.board == unit.board
    assert unit.operating_periods.count() == 1
