"""The demo organisation (SPEC §9): Stockholm's four regions and 14 boards, fictitious units and people.

Idempotent: every row is found by its natural key before it is created, so a
second run changes nothing. It also seeds one real case of each check R1–R12.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
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
from responsibility.models import Assignment, Board, CareProvider, Contract, Municipality, Person, Region, Unit
from responsibility.services import unit_create
from responsibility.validators import luhn_ok

DEMO_PASSWORD = "demo"
START = date(2024, 1, 1)

REGIONS = [
    (
        "vastra-soderort",
        "Västra söderort",
        "hagersten-liljeholmen",
        [
            ("skarholmen", "Skärholmens stadsdelsnämnd"),
            ("alvsjo", "Älvsjö stadsdelsnämnd"),
            ("hagersten-liljeholmen", "Hägersten-Liljeholmens stadsdelsnämnd"),
        ],
    ),
    (
        "ostra-soderort",
        "Östra söderort",
        "farsta",
        [
            ("skarpnack", "Skarpnäcks stadsdelsnämnd"),
            ("farsta", "Farsta stadsdelsnämnd"),
            ("enskede-arsta-vantor", "Enskede-Årsta-Vantörs stadsdelsnämnd"),
        ],
    ),
    (
        "innerstaden",
        "Innerstaden",
        "sodermalm",
        [
            ("kungsholmen", "Kungsholmens stadsdelsnämnd"),
            ("norrmalm", "Norrmalms stadsdelsnämnd"),
            ("ostermalm", "Östermalms stadsdelsnämnd"),
            ("sodermalm", "Södermalms stadsdelsnämnd"),
        ],
    ),
    (
        "vasterort",
        "Västerort",
        "bromma",
        [
            ("bromma", "Bromma stadsdelsnämnd"),
            ("spanga-tensta", "Spånga-Tensta stadsdelsnämnd"),
            ("rinkeby-kista", "Rinkeby-Kista stadsdelsnämnd"),
            ("hasselby-vallingby", "Hässelby-Vällingby stadsdelsnämnd"),
        ],
    ),
]

# (key, name, kind, route variant). Contractors run units under entreprenad;
# private providers sell places under ramavtal or LOV.
PROVIDERS = [
    ("norrsken", "Norrsken Omsorg AB", ProviderKind.CONTRACTOR, "contractor_mas"),
    ("silverbjorken", "Silverbjörken Vård AB", ProviderKind.CONTRACTOR, "contractor_mas"),
    ("trygga-hander", "Trygga Händer Omsorg AB", ProviderKind.CONTRACTOR, "contractor_mas"),
    ("solglantan", "Solgläntan Vård och Omsorg AB", ProviderKind.CONTRACTOR, "board_mas"),
    ("kastanjen", "Kastanjen Äldreomsorg AB", ProviderKind.CONTRACTOR, "contractor_mas_missing"),
    ("lindblomma", "Lindblomma Care AB", ProviderKind.CONTRACTOR, "board_mas"),
    ("havsutsikten", "Havsutsikten Privatvård AB", ProviderKind.PRIVATE, "framework"),
    ("stjarnvagen", "Stjärnvägen Boende AB", ProviderKind.PRIVATE, "choice"),
    ("malarbo", "Mälarbo Omsorg AB", ProviderKind.PRIVATE, "framework"),
    ("akerlunda", "Åkerlunda LSS AB", ProviderKind.PRIVATE, "choice_no_reporter"),
]

UNIT_NAMES = [
    "Ekängen",
    "Lärkan",
    "Solrosen",
    "Björkhagen",
    "Tallgården",
    "Sjöudden",
    "Rönnen",
    "Hagalund",
    "Vintergatan",
    "Kvarnen",
    "Ängsgården",
    "Lindängen",
    "Bergsgården",
    "Strandvägen",
    "Parkgården",
    "Klövern",
    "Vallmon",
    "Eken",
    "Almen",
    "Humlegården",
    "Kastanjegården",
    "Fyren",
    "Måsen",
    "Tranan",
    "Svanen",
    "Gläntan",
    "Ljungen",
    "Snäckan",
    "Pilen",
    "Cederträdet",
]


@dataclass
class DemoLogin:
    username: str
    role_label: str
    description: str


DEMO_LOGINS = [
    DemoLogin("mas", "MAS", "MAS, region Västra söderort"),
    DemoLogin("mar", "MAR", "MAR, region Västra söderort"),
    DemoLogin("verksamhetschef", "Verksamhetschef", "Verksamhetschef, Hägersten-Liljeholmens egen regi"),
    DemoLogin("enhetschef", "Enhetschef", "Enhetschef, Ekbacken vård- och omsorgsboende"),
    DemoLogin("rapportor", "Rapportör", "Undersköterska, Ekbacken"),
    DemoLogin("tjansteman", "Nämndens tjänsteman", "Hägersten-Liljeholmens stadsdelsnämnd"),
    DemoLogin("kvalitet", "Kvalitetsuppföljare", "Kvalitetsuppföljare, region Västra söderort"),
    DemoLogin("entreprenor-mas", "Entreprenörens MAS", "MAS, Norrsken Omsorg AB"),
    DemoLogin("admin", "Administratör", "Registeradministratör"),
]


def _type_words(unit_type: str) -> str:
    """The unit type as it reads after a name: 'Almen LSS gruppbostad', 'Eken korttidsboende'."""
    label = str(UnitType(unit_type).label)
    return label if label[:3].isupper() else label[0].lower() + label[1:]


def make_org_number(seed: int) -> str:
    """A fictitious but valid organisationsnummer (556xxx-xxxx, Luhn)."""
    base = f"556{seed:06d}"
    for check in range(10):
        if luhn_ok(base + str(check)):
            digits = base + str(check)
            return f"{digits[:6]}-{digits[6:]}"
    raise AssertionError("unreachable")


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
        self._people()
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
                            name=f"{name} {_type_words(unit_type)}"
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

    def _people(self) -> None:
        rng = self.rng
        first_names = [
            "Anna",
            "Maria",
            "Karin",
            "Sara",
            "Eva",
            "Lena",
            "Emma",
            "Johan",
            "Erik",
            "Lars",
            "Ali",
            "Fatima",
            "Mikael",
            "Sofia",
            "Ida",
            "Nils",
            "Amir",
            "Elin",
            "Hanna",
            "Per",
        ]
        last_names = [
            "Andersson",
            "Johansson",
            "Karlsson",
            "Nilsson",
            "Eriksson",
            "Larsson",
            "Olsson",
            "Persson",
            "Svensson",
            "Gustafsson",
            "Pettersson",
            "Jonsson",
            "Hassan",
            "Lindberg",
            "Berg",
            "Holm",
        ]

        def name() -> tuple[str, str]:
            return rng.choice(first_names), rng.choice(last_names)

        # Region MAS and MAR (statutory for egen regi and for contracts where the board kept the duty).
        for r_code, region in self.regions.items():
            demo = r_code == "vastra-soderort"
            mas = self.person(
                f"mas-{r_code}",
                *(("Margareta", "Ek") if demo else name()),
                Profession.NURSE,
                title="Medicinskt ansvarig sjuksköterska",
                username="mas" if demo else None,
            )
            mar = self.person(
                f"mar-{r_code}",
                *(("Rasmus", "Lind") if demo else name()),
                Profession.PHYSIOTHERAPIST,
                title="Medicinskt ansvarig för rehabilitering",
                username="mar" if demo else None,
            )
            mas_a = self.assign(mas, Role.MAS, scope=region, basis="Beslut om regional MAS 2024")
            mar_valid_to = date(2026, 6, 30) if r_code == "innerstaden" else None
            self.assign(mar, Role.MAR, scope=region, valid_to=mar_valid_to)
            if r_code == "innerstaden":
                # The new MAR starts with a gap: R3 findings from 2026-07-01 until then.
                self.assign(mar, Role.MAR, scope=region, valid_from=date(2026, 9, 1))
            for b_code, board in self.boards.items():
                if board.region_id == region.pk:
                    self.assign(mas, Role.LEX_MARIA_REPORTER, scope=self.municipal[b_code])
            # Where a contract leaves the MAS duty with the board, the resolver searches unit → board →
            # region: the region MAS is the municipal vårdgivare's anmälningsansvarig there too.
            self.assign(mas, Role.LEX_MARIA_REPORTER, scope=region, basis="Beslut om anmälningsansvarig 2024")
            # A deputy during the MAS's holiday.
            deputy = self.person(f"mas-deputy-{r_code}", *name(), Profession.NURSE, title="Sjuksköterska, ersättare")
            self.assign(
                deputy,
                Role.MAS,
                scope=region,
                valid_from=date(2026, 7, 6),
                valid_to=date(2026, 8, 2),
                deputy_for=mas_a,
                basis="Semesterersättare",
            )
            # The MAS also acts as kvalitetsuppföljare (follow-up, not statutory).
            auditor = self.person(
                f"auditor-{r_code}",
                *(("Kerstin", "Strand") if demo else name()),
                Profession.NURSE,
                title="Kvalitetsuppföljare",
                username="kvalitet" if demo else None,
            )
            self.assign(auditor, Role.QUALITY_AUDITOR, scope=region, kind=AssignmentKind.FOLLOW_UP)
            self.assign(mas, Role.QUALITY_AUDITOR, scope=region, kind=AssignmentKind.FOLLOW_UP)

        # Board officials and the municipal verksamhetschef per board.
        for b_code, board in self.boards.items():
            demo = b_code == "hagersten-liljeholmen"
            official = self.person(
                f"official-{b_code}",
                *(("Olof", "Sjöberg") if demo else name()),
                Profession.ADMINISTRATOR,
                title="Nämndsekreterare",
                username="tjansteman" if demo else None,
            )
            self.assign(official, Role.BOARD_OFFICIAL, scope=board, kind=AssignmentKind.FOLLOW_UP)
            vc = self.person(
                f"vc-{b_code}",
                *(("Viktor", "Hedlund") if demo else name()),
                Profession.MANAGER,
                title="Verksamhetschef",
                username="verksamhetschef" if demo else None,
            )
            # R9: one board's verksamhetschef lacks the mandate over staffing.
            self.assign(
                vc, Role.OPERATIONS_MANAGER, scope=self.municipal[b_code], has_staffing_mandate=b_code != "alvsjo"
            )

        # Providers: own MAS, anmälningsansvarig and verksamhetschef per the variant.
        for key, _name, kind, variant in PROVIDERS:
            provider = self.providers[key]
            demo = key == "norrsken"
            vc = self.person(f"vc-{key}", *name(), Profession.MANAGER, title="Verksamhetschef")
            # R1: Åkerlunda has no verksamhetschef; Trygga Händer's is added below (R10).
            if key not in ("trygga-hander", "akerlunda"):
                self.assign(vc, Role.OPERATIONS_MANAGER, scope=provider)
            if variant in ("contractor_mas", "framework", "choice", "choice_no_reporter"):
                if key == "malarbo":
                    # R8: a small provider whose verksamhetschef is also its MAS.
                    mas = self.person(f"vcmas-{key}", *name(), Profession.NURSE, title="Verksamhetschef och MAS")
                    self.assign(mas, Role.OPERATIONS_MANAGER, scope=provider, valid_from=date(2025, 1, 1))
                    Assignment.objects.filter(
                        person=vc, provider=provider, role=Role.OPERATIONS_MANAGER, valid_to__isnull=True
                    ).update(valid_to=date(2024, 12, 31))
                else:
                    mas = self.person(
                        f"mas-{key}",
                        *(("Cecilia", "Norén") if demo else name()),
                        Profession.NURSE,
                        title="MAS",
                        username="entreprenor-mas" if demo else None,
                    )
                self.assign(
                    mas, Role.MAS, scope=provider, basis="Avtal 4.11" if kind == ProviderKind.CONTRACTOR else ""
                )
                if variant != "choice_no_reporter":  # R6: Åkerlunda has no anmälningsansvarig.
                    self.assign(mas, Role.LEX_MARIA_REPORTER, scope=provider)
                rehab = self.person(f"mar-{key}", *name(), Profession.OCCUPATIONAL_THERAPIST, title="MAR")
                if key not in ("stjarnvagen",):  # R3: Stjärnvägen provides rehabilitation without MAR.
                    self.assign(rehab, Role.MAR, scope=provider, valid_from=date(2026, 7, 1))
            if variant == "contractor_mas_missing":
                # R5/R2: Kastanjen's contract gives it the MAS duty, but it has appointed nobody.
                self.assign(vc, Role.LEX_MARIA_REPORTER, scope=provider)
        # R10: Trygga Händer's verksamhetschef leaves soon and no successor is appointed.
        vc_th = self.people["vc-trygga-hander"]
        self.assign(
            vc_th,
            Role.OPERATIONS_MANAGER,
            scope=self.providers["trygga-hander"],
            valid_to=self.today + timedelta(days=20),
        )
        # R4: a MAS whose legitimation was later revoked (data kept as registered).
        revoked = self.people["mas-silverbjorken"]
        if revoked.licensed:
            revoked.licensed = False
            revoked.save(update_fields=["licensed"])

        # Units: enhetschef and reporters; the demo unit Ekbacken gets the demo logins.
        for code, unit in self.units.items():
            demo = code == "hage-01"
            manager = self.person(
                f"ec-{code}",
                *(("Elsa", "Berg") if demo else name()),
                Profession.MANAGER,
                title="Enhetschef",
                username="enhetschef" if demo else None,
            )
            self.assign(manager, Role.UNIT_MANAGER, scope=unit, kind=AssignmentKind.FOLLOW_UP)
            reporter = self.person(
                f"staff-{code}",
                *(("Rut", "Nyberg") if demo else name()),
                Profession.ASSISTANT_NURSE,
                licensed=False,
                title="Undersköterska",
                username="rapportor" if demo else None,
            )
            self.assign(reporter, Role.REPORTER, scope=unit, kind=AssignmentKind.FOLLOW_UP)
            self.assign(manager, Role.REPORTER, scope=unit, kind=AssignmentKind.FOLLOW_UP)
            nurse = self.person(f"nurse-{code}", *name(), Profession.NURSE, title="Sjuksköterska")
            self.assign(nurse, Role.REPORTER, scope=unit, kind=AssignmentKind.FOLLOW_UP)
        # R1 and R7 on two units: one lacks a verksamhetschef, another has two at once.
        # R7 is on Farsta's own unit, not on the demo unit Ekbacken, whose verksamhetschef the demo logins use.
        r7_unit = self.units["fars-01"]
        for n in (1, 2):
            vc = self.person(f"vc-dup-{n}", *name(), Profession.MANAGER, title="Verksamhetschef")
            self.assign(vc, Role.OPERATIONS_MANAGER, scope=r7_unit, valid_from=date(2025, 1, 1 + n))
        # The demo admin.
        self.person("admin", "Ada", "Admin", Profession.ADMINISTRATOR, title="Registeradministratör", username="admin")

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
