"""Test data in one place: the demo's objects by key, factory_boy factories and a small municipality (`Org`).

Most tests run on the demo municipality (loaded once per test database,
tests/conftest.py) and fetch its people, units and categories by key. Service
tests that must not depend on the demo build their own organisation with
`Org` (one region, one board, an own provider and a contractor). Patient
identities go through the product's own crypto (incidents/patient.py).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from itertools import count

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from factory.django import DjangoModelFactory

from complaints.models import ComplaintCategory
from incidents import patient as patient_crypto
from incidents.lexmaria.models import LexMariaCase, LexMariaState
from incidents.models import Deviation, DeviationCategory, DeviationState
from responsibility.choices import (
    AssignmentKind,
    ContractKind,
    LexMariaRoute,
    OperatingForm,
    Profession,
    ProviderKind,
)
from responsibility.demo_data import make_org_number
from responsibility.models import (
    CONSISTENT_ROUTES,
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
from responsibility.resolver import units_with_board

DEMO_MUNICIPALITY = "stockholm"

# --- The demo's objects, by key ------------------------------------------------------------------------------------


def user(username: str):
    """A demo login (password "demo")."""
    return get_user_model().objects.get(username=username)


def person(key: str) -> Person:
    """A demo person by the local part of their e-mail address (``ec-hage-01``, ``auditor-vastra-soderort``)."""
    return Person.objects.get(email=f"{key}@demo.masportalen.se")


def unit(code: str) -> Unit:
    """A demo unit by code, with its board (and region) and provider."""
    return Unit.objects.select_related("board__region", "provider").get(code=code)


def category(code: str = "fall") -> DeviationCategory:
    """A demo deviation category by code."""
    return DeviationCategory.objects.get(municipality__code=DEMO_MUNICIPALITY, code=code)


def complaint_category(code: str) -> ComplaintCategory:
    """A demo complaint category by code."""
    return ComplaintCategory.objects.get(municipality__code=DEMO_MUNICIPALITY, code=code)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """An aware datetime on ``day`` (the portal's time zone)."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


# --- Factories ---------------------------------------------------------------------------------------------------------

D0 = date(2025, 1, 1)
_seq = count(1)


class UserFactory(DjangoModelFactory):
    """A login with the demo password."""

    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"test-user-{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.se")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.objects.create_user(*args, password="demo", **kwargs)


class MunicipalityFactory(DjangoModelFactory):
    class Meta:
        model = Municipality

    name = factory.Sequence(lambda n: f"Testkommun {n}")
    code = factory.Sequence(lambda n: f"test-{n}")
    org_number = "212000-0142"


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region

    municipality = factory.SubFactory(MunicipalityFactory)
    code = "r"
    name = "Testregion"


class BoardFactory(DjangoModelFactory):
    class Meta:
        model = Board

    municipality = factory.SubFactory(MunicipalityFactory)
    region = factory.SubFactory(RegionFactory, municipality=factory.SelfAttribute("..municipality"))
    code = "b"
    name = "Testnämnd"


class CareProviderFactory(DjangoModelFactory):
    """The municipality's own provider (egen regi) unless ``kind`` says contractor."""

    class Meta:
        model = CareProvider

    municipality = factory.SubFactory(MunicipalityFactory)
    kind = ProviderKind.MUNICIPAL
    name = "Egen regi"
    org_number = factory.LazyAttribute(lambda o: o.municipality.org_number)


class ContractorFactory(CareProviderFactory):
    kind = ProviderKind.CONTRACTOR
    name = "Entreprenör AB"
    org_number = factory.Sequence(lambda n: make_org_number(900_000 + n))


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    municipality = factory.SubFactory(MunicipalityFactory)
    first_name = "Anna"
    last_name = factory.Sequence(lambda n: f"T{n}")
    profession = Profession.NURSE
    licensed = True


class DeviationCategoryFactory(DjangoModelFactory):
    """A deviation category (get or create by municipality and code)."""

    class Meta:
        model = DeviationCategory
        django_get_or_create = ("municipality", "code")

    municipality = factory.LazyFunction(lambda: Municipality.objects.get(code=DEMO_MUNICIPALITY))
    code = "fall"
    name = "Fall"


class DeviationFactory(DjangoModelFactory):
    """A deviation written straight to the database (no routing), with a patient identity encrypted for real.

    ``patient`` is a personnummer (encrypted and hashed by incidents/patient.py) or "" for none;
    ``reference`` defaults to ``AV-TEST-<pk>``.
    """

    class Meta:
        model = Deviation
        skip_postgeneration_save = True  # numbered() saves the reference itself

    class Params:
        patient = ""
        day = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))

    unit = factory.LazyFunction(lambda: unit("hage-01"))
    municipality = factory.LazyAttribute(lambda o: o.unit.municipality)
    state = DeviationState.AWAITING_MAS
    occurred_at = factory.LazyAttribute(lambda o: at(o.day, 14, 30))
    discovered_at = factory.LazyAttribute(lambda o: o.occurred_at + timedelta(hours=1))
    reported_at = factory.LazyAttribute(lambda o: o.occurred_at + timedelta(hours=2))
    category = factory.LazyAttribute(lambda o: DeviationCategoryFactory(municipality=o.unit.municipality))
    description = "Fall i korridoren, höftfraktur."
    consequence = 4
    probability = 3
    risk_score = factory.LazyAttribute(lambda o: o.consequence * o.probability)
    patient_identifier_encrypted = factory.LazyAttribute(
        lambda o: patient_crypto.encrypt_identifier(o.patient) if o.patient else ""
    )
    patient_hash = factory.LazyAttribute(lambda o: patient_crypto.patient_hash(o.patient) if o.patient else "")

    @factory.post_generation
    def numbered(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy passes the object first
        if create and not obj.reference:
            obj.reference = f"AV-TEST-{obj.pk:06d}"
            obj.save(update_fields=["reference"])


class LexMariaCaseFactory(DjangoModelFactory):
    """A Lex Maria case on a deviation, decided (and reported to IVO when ``ivo_sent_at`` is given)."""

    class Meta:
        model = LexMariaCase

    deviation = factory.SubFactory(DeviationFactory)
    reference = factory.LazyAttribute(lambda o: o.deviation.reference.replace("AV", "LM"))
    route = LexMariaRoute.OWN
    state = factory.LazyAttribute(lambda o: LexMariaState.REPORTED if o.ivo_sent_at else LexMariaState.DECIDED)
    board = factory.LazyAttribute(lambda o: o.deviation.unit.board)
    decided_at = factory.LazyFunction(timezone.now)
    motivation = "Allvarlig vårdskada."
    ivo_sent_at = None


# --- A small municipality of its own ---------------------------------------------------------------------------------


class Org:
    """A small municipality: one region, one board, its own provider and a contractor (independent of the demo)."""

    def __init__(self) -> None:
        n = next(_seq)
        self.municipality = MunicipalityFactory(name=f"Testkommun {n}", code=f"test-{n}")
        self.region = RegionFactory(municipality=self.municipality)
        self.board = BoardFactory(municipality=self.municipality, region=self.region)
        self.municipal = CareProviderFactory(municipality=self.municipality, board=self.board)
        self.contractor = ContractorFactory(municipality=self.municipality, org_number=make_org_number(900_000 + n))
        self.n = n

    def contract(self, *, mas_held_by: str, clause: str = "4.11") -> Contract:
        return Contract.objects.create(
            municipality=self.municipality,
            kind=ContractKind.CONTRACT,
            title="Avtal",
            provider=self.contractor,
            managing_board=self.board,
            purchasing_board=self.board,
            case_number=f"T {self.n}/{next(_seq)}",
            valid_from=D0,
            mas_held_by=mas_held_by,
            mas_clause=clause,
            lex_maria_route=CONSISTENT_ROUTES[(ContractKind.CONTRACT, mas_held_by)],
        )

    def unit(self, code: str = "u1", *, contract: Contract | None = None, rehab: bool = False) -> Unit:
        provider = self.contractor if contract else self.municipal
        form = OperatingForm.CONTRACT if contract else OperatingForm.OWN
        new = Unit.objects.create(
            municipality=self.municipality,
            code=f"{code}-{self.n}",
            name=f"Enhet {code}",
            unit_type="care_home",
            board=self.board,
            provider=provider,
            operating_form=form,
            contract=contract,
            provides_rehabilitation=rehab,
            active_from=D0,
        )
        UnitOperatingPeriod.objects.create(
            unit=new, valid_from=D0, provider=provider, operating_form=form, contract=contract
        )
        return units_with_board(Unit.objects.filter(pk=new.pk)).select_related("municipality").get()

    def person(self, name: str = "Anna", *, profession: str = Profession.NURSE, licensed: bool = True) -> Person:
        return PersonFactory(
            municipality=self.municipality,
            first_name=name,
            last_name=f"T{next(_seq)}",
            profession=profession,
            licensed=licensed,
        )

    def assign(
        self,
        person: Person,
        role: str,
        scope,
        *,
        valid_from: date = D0,
        valid_to: date | None = None,
        deputy_for: Assignment | None = None,
        kind: str = AssignmentKind.STATUTORY,
        **extra,
    ) -> Assignment:
        field = {Region: "region", Board: "board", CareProvider: "provider", Unit: "unit"}[type(scope)]
        return Assignment.objects.create(
            person=person,
            role=role,
            kind=kind,
            valid_from=valid_from,
            valid_to=valid_to,
            deputy_for=deputy_for,
            **{field: scope},
            **extra,
        )


def user_for(person: Person):
    """The login of ``person``, created when the demo gave them none."""
    if person.user_id is None:
        person.user = UserFactory(
            username=f"p{person.pk}",
            email=person.email or f"p{person.pk}@example.se",
            first_name=person.first_name,
            last_name=person.last_name,
        )
        person.save(update_fields=["user"])
    return person.user
