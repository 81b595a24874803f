"""The demo organisation (SPEC §9): Stockholm's four regions and 14 boards, fictitious units and people.

Idempotent: every row is found by its natural key before it is created, so a
second run changes nothing. It also seeds one real case of each check R1–R12.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import translation

from responsibility.checks import ensure_default_rules
from responsibility.choices import (
    AssignmentKind,
    ContractKind,
    LexMariaRoute,
    MasHeldBy,
    OperatingForm,
    Profession,
    ProviderKind,
    Role,
    UnitType,
)
from responsibility.demo_data import (
    DEMO_PASSWORD,
    PROVIDERS,
    REGIONS,
    START,
    UNIT_NAMES,
    make_org_number,
    type_words,
)
from responsibility.demo_people import seed_people
from responsibility.models import Assignment, Board, CareProvider, Contract, Municipality, Person, Region, Unit
from responsibility.services import unit_create


class DemoBuilder:
    """Builds the demo organisation; ``today`` anchors the dates that must be near now (R10)."""

    def __init__(self, *, today: date):
        self.today = today
        self.rng = random.Random(2026)
        self.people: dict[str, Person] = {}

    # --- helpers -----------------------------------------------------------
    def person(
        self,
        key: str,
        first: str,
        last: str,
        profession: str,
        *,
        licensed: bool = True,
        title: str = "",
        username: str | None = None,
    ) -> Person:
        if key in self.people:
            return self.people[key]
        email = f"{key}@demo.masportalen.se"
        person, _ = Person.objects.get_or_create(
            municipality=self.municipality,
            email=email,
            defaults={
                "first_name": first,
                "last_name": last,
                "profession": profession,
                "licensed": licensed,
                "title": title,
            },
        )
        if username:
            User = get_user_model()
            user, created = User.objects.get_or_create(
                username=username, defaults={"first_name": first, "last_name": last, "email": email}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                if username == "admin":
                    user.is_staff = user.is_superuser = True
                user.save()
            if person.user_id != user.pk:
                person.user = user
                person.save(update_fields=["user"])
        self.people[key] = person
        return person

    def assign(
        self,
        person: Person,
        role: str,
        *,
        scope,
        valid_from: date = START,
        valid_to: date | None = None,
        kind: str = AssignmentKind.STATUTORY,
        deputy_for: Assignment | None = None,
        has_staffing_mandate: bool = True,
        basis: str = "",
    ) -> Assignment:
        field = {Region: "region", Board: "board", CareProvider: "provider", Unit: "unit"}[type(scope)]
        assignment, _ = Assignment.objects.get_or_create(
            person=person,
            role=role,
            kind=kind,
            valid_from=valid_from,
            **{field: scope},
            defaults={
                "valid_to": valid_to,
                "deputy_for": deputy_for,
                "has_staffing_mandate": has_staffing_mandate,
                "basis": basis,
            },
        )
        return assignment

    # --- the organisation ------------------------------------------------------
    @transaction.atomic
    def build(self) -> None:
        # The dated rule set R1–R10 is seeded by a migration; a flushed test database loses it.
        ensure_default_rules()
        self.municipality, _ = Municipality.objects.get_or_create(
            code="stockholm", defaults={"name": "Stockholms stad", "org_number": "212000-0142"}
        )
        self.regions: dict[str, Region] = {}
        self.boards: dict[str, Board] = {}
        self.municipal: dict[str, CareProvider] = {}
        for r_code, r_name, host, boards in REGIONS:
            region, _ = Region.objects.get_or_create(
                municipality=self.municipality, code=r_code, defaults={"name": r_name}
            )
            self.regions[r_code] = region
            for b_code, b_name in boards:
                board, _ = Board.objects.get_or_create(
                    municipality=self.municipality, code=b_code, defaults={"name": b_name, "region": region}
                )
                self.boards[b_code] = board
                self.municipal[b_code], _ = CareProvider.objects.get_or_create(
                    municipality=self.municipality,
                    kind=ProviderKind.MUNICIPAL,
                    board=board,
                    defaults={
                        "name": b_name.replace("stadsdelsnämnd", "stadsdelsförvaltning") + " (egen regi)",
                        "org_number": self.municipality.org_number,
                    },
                )
            if region.host_board_id is None:
                region.host_board = self.boards[host]
                region.save(update_fields=["host_board"])
        self.providers: dict[str, CareProvider] = {}
        for i, (key, name, kind, _variant) in enumerate(PROVIDERS):
            self.providers[key], _ = CareProvider.objects.get_or_create(
                municipality=self.municipality,
                org_number=make_org_number(100 + i * 37),
                defaults={"name": name, "kind": kind},
            )
        self._contracts()
        self._units()
        seed_people(self)
        self._r11_r12()

    def _contracts(self) -> None:
        self.contracts: dict[str, Contract] = {}
        board_codes = list(self.boards)
        for i, (key, name, _kind, variant) in enumerate(PROVIDERS):
            board = self.boards[board_codes[(i * 3) % len(board_codes)]]
            if variant.startswith("contractor_mas"):
                fields = {
                    "kind": ContractKind.CONTRACT,
                    "mas_held_by": MasHeldBy.CONTRACTOR,
                    "informs_board_mas": True,
                    "mas_clause": "4.11",
                    "lex_maria_route": LexMariaRoute.CONTRACTOR_VIA_BOARD_MAS,
                    "journal_access": True,
                }
            elif variant == "board_mas":
                fields = {
                    "kind": ContractKind.CONTRACT,
                    "mas_held_by": MasHeldBy.BOARD,
                    "informs_board_mas": False,
                    "mas_clause": "5.2",
                    "lex_maria_route": LexMariaRoute.BOARD_MAS,
                    "journal_access": True,
                }
            else:
                fields = {
                    "kind": ContractKind.FRAMEWORK if variant == "framework" else ContractKind.CHOICE,
                    "mas_held_by": MasHeldBy.CONTRACTOR,
                    "informs_board_mas": False,
                    "lex_maria_route": LexMariaRoute.PROVIDER_MAS,
                    "journal_access": False,
                }
            contract, _ = Contract.objects.get_or_create(
                municipality=self.municipality,
                case_number=f"SLK 2024/{1100 + i}",
                defaults={
                    **fields,
                    "title": f"Avtal {name}",
                    "provider": self.providers[key],
                    "managing_board": board,
                    "purchasing_board": board,
                    "valid_from": START,
                    # One contract ends soon without a successor (flagged by follow-up jobs).
                    "valid_to": self.today + timedelta(days=45) if key == "lindblomma" else date(2028, 12, 31),
                },
            )
            self.contracts[key] = contract
        Contract.objects.get_or_create(
            municipality=self.municipality,
            case_number="SLK 2023/0456",
            defaults={
                "kind": ContractKind.PHYSICIAN,
                "title": "Avtal om läkarmedverkan med Region Stockholm",
                "managing_board": self.boards["hagersten-liljeholmen"],
                "purchasing_board": self.boards["hagersten-liljeholmen"],
                "valid_from": date(2023, 1, 1),
                "valid_to": date(2027, 12, 31),
                "mas_held_by": MasHeldBy.BOARD,
                "lex_maria_route": LexMariaRoute.OWN,
                "doctor_available_24_7": True,
                "nurse_assessment_24_7": True,
                "physical_visits": "Läkare besöker varje vård- och omsorgsboende minst en gång i veckan.",
                "non_compliance_consequences": "Vite enligt avtalets bilaga 3 och åtgärdsplan inom 30 dagar.",
            },
        )

    def _units(self) -> None:
        self.units: dict[str, Unit] = {}
        provider_keys = [p[0] for p in PROVIDERS]
        types_cycle = [
            UnitType.CARE_HOME,
            UnitType.CARE_HOME,
            UnitType.LSS_GROUP_HOME,
            UnitType.HOME_HEALTH_CARE,
            UnitType.SHORT_TERM,
            UnitType.LSS_DAILY_ACTIVITY,
            UnitType.DAY_CARE,
            UnitType.SERVICE_HOUSE,
            UnitType.SOCIAL_PSYCHIATRY,
            UnitType.LSS_SERVICE_HOME,
            UnitType.CARE_HOME_UNDER_65,
        ]
        n = 0
        for b_index, (b_code, board) in enumerate(self.boards.items()):
            per_board = 5 if b_index % 2 == 0 else 4
            for j in range(per_board):
                n += 1
                unit_type = types_cycle[(b_index + j) % len(types_cycle)]
                name = UNIT_NAMES[(b_index * 2 + j) % len(UNIT_NAMES)]
                code = f"{b_code[:4]}-{j + 1:02d}"
                if b_code == "hagersten-liljeholmen" and j == 0:
                    name, unit_type = "Ekbacken", UnitType.CARE_HOME
                own = j == 0 or (j == 1 and b_index % 3 == 0)
                if own and not (b_code == "hagersten-liljeholmen" and j == 1):
                    provider, form, contract = self.municipal[b_code], OperatingForm.OWN, None
                else:
                    key = provider_keys[(b_index + j) % len(provider_keys)]
                    if b_code == "hagersten-liljeholmen" and j == 1:
                        key = "norrsken"
                    provider, contract = self.providers[key], self.contracts[key]
                    form = {
                        ContractKind.CONTRACT: OperatingForm.CONTRACT,
                        ContractKind.FRAMEWORK: OperatingForm.FRAMEWORK,
                        ContractKind.CHOICE: OperatingForm.CHOICE,
                    }[contract.kind]
                places = {
                    UnitType.CARE_HOME: 60,
                    UnitType.CARE_HOME_UNDER_65: 24,
                    UnitType.SHORT_TERM: 20,
                    UnitType.SERVICE_HOUSE: 40,
                    UnitType.LSS_GROUP_HOME: 6,
                    UnitType.LSS_SERVICE_HOME: 10,
                    UnitType.SOCIAL_PSYCHIATRY: 12,
                }.get(unit_type, 0)
                existing = Unit.objects.filter(municipality=self.municipality, code=code).first()
                if existing is None:
                    existing = unit_create(
                        unit=Unit(
                            municipality=self.municipality,
                            code=code,
                            name=f"{name} {type_words(unit_type)}"
                            if name != "Ekbacken"
                            else "Ekbacken vård- och omsorgsboende",
                            unit_type=unit_type,
                            board=board,
                            provider=provider,
                            operating_form=form,
                            contract=contract,
                            places=places + (j * 4 if places else 0),
                            provides_rehabilitation=unit_type
                            in (
                                UnitType.CARE_HOME,
                                UnitType.SHORT_TERM,
                                UnitType.HOME_HEALTH_CARE,
                                UnitType.CARE_HOME_UNDER_65,
                            ),
                            active_from=START,
                        )
                    )
                self.units[code] = existing
        # R3: Stjärnvägen's units provide rehabilitation, and Stjärnvägen has no MAR.
        for unit in self.units.values():
            if unit.provider_id == self.providers["stjarnvagen"].pk and not unit.provides_rehabilitation:
                unit.provides_rehabilitation = True
                unit.save(update_fields=["provides_rehabilitation"])

    def _r11_r12(self) -> None:
        """R11: a ramavtal saved before the route rule that contradicts itself (private provider, MAS duty
        'the board', route through the board's MAS). R12: a contractor whose contract ended in March 2026
        still runs its unit, and has appointed no MAS and no anmälningsansvarig."""
        board = self.boards["spanga-tensta"]
        r11_provider, _ = CareProvider.objects.get_or_create(
            municipality=self.municipality,
            org_number=make_org_number(900),
            defaults={"name": "Nordstjärnan Vård AB", "kind": ProviderKind.PRIVATE},
        )
        r11_contract = Contract.objects.filter(municipality=self.municipality, case_number="SLK 2023/0981").first()
        if r11_contract is None:
            # Bypasses the form on purpose: the row is as an older version of the portal saved it.
            r11_contract = Contract.objects.create(
                municipality=self.municipality,
                case_number="SLK 2023/0981",
                kind=ContractKind.FRAMEWORK,
                title="Ramavtal Nordstjärnan Vård AB",
                provider=r11_provider,
                managing_board=board,
                purchasing_board=board,
                valid_from=START,
                valid_to=date(2028, 12, 31),
                mas_held_by=MasHeldBy.BOARD,
                lex_maria_route=LexMariaRoute.CONTRACTOR_VIA_BOARD_MAS,
                predates_route_rule=True,
            )
        r12_provider, _ = CareProvider.objects.get_or_create(
            municipality=self.municipality,
            org_number=make_org_number(937),
            defaults={"name": "Fristad Omsorg AB", "kind": ProviderKind.CONTRACTOR},
        )
        r12_contract, _ = Contract.objects.get_or_create(
            municipality=self.municipality,
            case_number="SLK 2022/0412",
            defaults={
                "kind": ContractKind.CONTRACT,
                "title": "Entreprenadavtal Fristad Omsorg AB",
                "provider": r12_provider,
                "managing_board": board,
                "purchasing_board": board,
                "valid_from": date(2022, 4, 1),
                "valid_to": date(2026, 3, 31),
                "mas_held_by": MasHeldBy.CONTRACTOR,
                "informs_board_mas": True,
                "mas_clause": "4.11",
                "lex_maria_route": LexMariaRoute.CONTRACTOR_VIA_BOARD_MAS,
            },
        )
        for code, name, provider, contract, form in (
            ("span-91", "Nordstjärnans vård- och omsorgsboende", r11_provider, r11_contract, OperatingForm.FRAMEWORK),
            ("span-92", "Fristads korttidsboende", r12_provider, r12_contract, OperatingForm.CONTRACT),
        ):
            unit = Unit.objects.filter(municipality=self.municipality, code=code).first()
            if unit is None:
                unit = unit_create(
                    unit=Unit(
                        municipality=self.municipality,
                        code=code,
                        name=name,
                        unit_type=UnitType.CARE_HOME,
                        board=board,
                        provider=provider,
                        operating_form=form,
                        contract=contract,
                        places=32,
                        provides_rehabilitation=False,
                        active_from=START,
                    )
                )
            self.units[code] = unit
            vc = self.person(
                f"vc-{code}",
                *("Tove", "Ahl") if code == "span-91" else ("Jonas", "Falk"),
                Profession.MANAGER,
                title="Verksamhetschef",
            )
            self.assign(vc, Role.OPERATIONS_MANAGER, scope=provider)
            manager = self.person(
                f"ec-{code}",
                *("Sanna", "Ek") if code == "span-91" else ("Leo", "Dahl"),
                Profession.MANAGER,
                title="Enhetschef",
            )
            self.assign(manager, Role.UNIT_MANAGER, scope=unit, kind=AssignmentKind.FOLLOW_UP)
            self.assign(manager, Role.REPORTER, scope=unit, kind=AssignmentKind.FOLLOW_UP)
        # Nordstjärnan has its own MAS and anmälningsansvarig (it is a vårdgivare); Fristad has neither.
        mas = self.person("mas-nordstjarnan", "Ylva", "Berg", Profession.NURSE, title="MAS")
        self.assign(mas, Role.MAS, scope=r11_provider)
        self.assign(mas, Role.LEX_MARIA_REPORTER, scope=r11_provider)


def load(*, today: date) -> DemoBuilder:
    builder = DemoBuilder(today=today)
    with translation.override("sv"):
        builder.build()
    return builder
