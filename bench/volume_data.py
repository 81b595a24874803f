"""Volume data (bench): what is generated — the constants, the spec, the plans (rows are written by :mod:`bench.volume_rows`).

See :mod:`bench.volume` for the generator as a whole.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

from responsibility.choices import (
    ContractKind,
    LexMariaRoute,
    MasHeldBy,
    OperatingForm,
    ProviderKind,
    UnitType,
)
from responsibility.demo_data import UNIT_NAMES
from responsibility.validators import luhn_ok

STOCKHOLM = ZoneInfo("Europe/Stockholm")
DAY = 86_400.0
CODE_PREFIX = "vol-"
PASSWORD = "volym"  # noqa: S105 - every generated (fictitious) login; the bench logs in with it
# A fixed salt keeps the generated rows identical between runs of the same seed.
_PASSWORD_SALT = "masportalvolume"  # noqa: S105

# (code, name, weight, rehabilitation): falls and medication are the commonest by far.
CATEGORIES = [
    ("fall", "Fall", 34, False),
    ("lakemedel", "Läkemedel", 30, False),
    ("vard-behandling", "Vård och behandling", 8, False),
    ("information", "Informationsöverföring/dokumentation", 7, False),
    ("mtp-hjalpmedel", "Medicinteknisk produkt/hjälpmedel", 4, True),
    ("infektion-hygien", "Vårdrelaterad infektion/hygien", 3, False),
    ("trycksar", "Trycksår", 4, False),
    ("bemotande", "Bemötande", 3, False),
    ("hot-vald", "Hot och våld", 3, False),
    ("ovrigt", "Övrigt", 4, False),
]
DESCRIPTIONS = {
    "fall": [
        "Brukaren hittades sittande på golvet i sitt rum vid morgonrundan.",
        "Fall i badrummet vid förflyttning utan hjälpmedel.",
        "Brukaren föll i korridoren på väg till matsalen, slog i höften.",
    ],
    "lakemedel": [
        "Kvällsdosen av ordinerat läkemedel gavs inte.",
        "Fel dos iordningställd i dosett, upptäcktes vid administrering.",
        "Läkemedel gavs till fel tid efter byte av dosrulle.",
        "Signering saknas på signeringslistan för morgondosen.",
    ],
    "vard-behandling": [
        "Ordinerad blodsockerkontroll utfördes inte.",
        "Sårvård enligt ordination blev inte utförd under helgen.",
    ],
    "information": [
        "Information om ändrad ordination nådde inte kvällspersonalen.",
        "Saknad dokumentation vid överflyttning från sjukhus.",
    ],
    "mtp-hjalpmedel": ["Lyftselen var sliten och byttes ut.", "Rollatorns broms fungerade inte."],
    "infektion-hygien": [
        "Basala hygienrutiner följdes inte vid omvårdnad.",
        "Smittspridning av calici på avdelningen.",
    ],
    "trycksar": ["Trycksår kategori 2 upptäcktes på hälen.", "Rodnad över korsbenet som inte avbleknar."],
    "bemotande": ["Brukaren upplevde sig illa bemött vid duschning."],
    "hot-vald": ["Brukare slog personal vid omvårdnad.", "Hot mot personal under kvällspasset."],
    "ovrigt": ["Larmet fungerade inte under natten.", "Nyckel till läkemedelsskåpet saknades."],
}
IMMEDIATE = [
    "Sjuksköterska kontaktades och bedömde brukaren.",
    "Läkare kontaktades.",
    "Anhöriga informerades.",
    "Ny dos gavs efter ordination.",
    "",
]
CAUSES = [
    "Rutinen var inte känd av vikarierande personal.",
    "Hög arbetsbelastning under passet.",
    "Brister i överrapporteringen mellan passen.",
    "Hjälpmedlet var inte kontrollerat.",
]
LESSONS = [
    "Rutinen gås igenom på nästa arbetsplatsträff.",
    "Checklista för överrapportering införs.",
    "Utbildning i basala hygienrutiner för all personal.",
]
ACTION_TEXTS = [
    "Genomgång av rutinen med all personal",
    "Uppdatera signeringslistan",
    "Kontroll av hjälpmedel",
    "Utbildning i läkemedelshantering",
    "Införa checklista vid överrapportering",
]
FIRST_NAMES = [
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
    "Leila",
    "Omar",
    "Britt",
    "Jonas",
]
LAST_NAMES = [
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
    "Ek",
    "Sund",
]
AREAS = [
    "Norra",
    "Södra",
    "Östra",
    "Västra",
    "Centrala",
    "Sjöstaden",
    "Bergslagen",
    "Dalby",
    "Åsen",
    "Hamnen",
    "Skogsbacka",
    "Lunda",
    "Torp",
    "Viken",
    "Ängby",
    "Mossen",
    "Ryd",
    "Höjden",
]

# Unit types: (type, weight, places, rehabilitation, deviation weight per place)
UNIT_TYPES = [
    (UnitType.CARE_HOME, 34, (40, 110), True, 1.0),
    (UnitType.LSS_GROUP_HOME, 20, (5, 8), False, 0.8),
    (UnitType.HOME_HEALTH_CARE, 8, (0, 0), True, 0.0),
    (UnitType.LSS_DAILY_ACTIVITY, 9, (0, 0), False, 0.0),
    (UnitType.SHORT_TERM, 6, (12, 30), True, 1.4),
    (UnitType.SERVICE_HOUSE, 5, (30, 60), False, 0.4),
    (UnitType.DAY_CARE, 5, (0, 0), False, 0.0),
    (UnitType.SOCIAL_PSYCHIATRY, 6, (8, 16), False, 0.6),
    (UnitType.LSS_SERVICE_HOME, 4, (8, 14), False, 0.5),
    (UnitType.CARE_HOME_UNDER_65, 3, (16, 30), True, 0.9),
]
# Deviation weight of a unit without places (home health care, daily activity).
NO_PLACES_WEIGHT = {UnitType.HOME_HEALTH_CARE: 70.0, UnitType.LSS_DAILY_ACTIVITY: 6.0, UnitType.DAY_CARE: 8.0}


@dataclass(frozen=True)
class VolumeSpec:
    """What to generate. ``deviations`` is the total over the municipalities of this run."""

    municipalities: int = 1
    deviations: int = 10_000
    years: int = 3
    seed: int = 1
    today: date = date(2026, 11, 1)
    first: int = 1
    boards: int = 14
    units_per_board: int = 30
    batch_size: int = 10_000


# --- small helpers -------------------------------------------------------------------------


def org_number(prefix: str, n: int) -> str:
    """A valid organisationsnummer (Luhn) from a three-digit prefix and a serial number."""
    base = f"{prefix}{n % 1_000_000:06d}"
    for check in range(10):
        if luhn_ok(base + str(check)):
            return f"{base[:6]}-{base[6:]}{check}"
    raise AssertionError("unreachable")


def personnummer(n: int) -> str:
    """A fictitious, valid personnummer (YYYYMMDD-NNNC) for patient number ``n``."""
    born = date(1925, 1, 1) + timedelta(days=(n * 7919) % (365 * 70))
    serial = f"{n % 1000:03d}"
    digits = born.strftime("%y%m%d") + serial
    for check in range(10):
        if luhn_ok(digits + str(check)):
            return f"{born:%Y%m%d}-{serial}{check}"
    raise AssertionError("unreachable")


def add_working_days(ts: float, days: int) -> float:
    d = datetime.fromtimestamp(ts, STOCKHOLM)
    while days > 0:
        d += timedelta(days=1)
        if d.weekday() < 5:
            days -= 1
    return d.timestamp()


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(int(ts), UTC)


class PatientCodec:
    """Encrypt + hash a personnummer through the incidents app's helper, cached per patient.

    Returns None when the helper does not exist (then patient fields stay blank).
    """

    def __init__(self):
        self.available = False
        self._cache: dict[str, tuple[str, str]] = {}
        try:
            from incidents import patient  # noqa: PLC0415
        except ImportError:
            return
        encrypt = getattr(patient, "encrypt_identifier", None) or getattr(patient, "encrypt", None)
        hasher = getattr(patient, "patient_hash", None) or getattr(patient, "hash_identifier", None)
        if encrypt and hasher:
            self._encrypt, self._hash, self.available = encrypt, hasher, True

    def encode(self, pnr: str) -> tuple[str, str]:
        if pnr not in self._cache:
            self._cache[pnr] = (self._encrypt(pnr), self._hash(pnr))
        return self._cache[pnr]


# --- the structure of one municipality ---------------------------------------------------


@dataclass
class UnitPlan:
    code: str
    name: str
    unit_type: str
    board: int  # index into boards
    places: int
    rehab: bool
    weight: float
    provider: int  # index into providers
    form: str
    contract: int | None
    previous: tuple[int, int, date] | None = None  # (provider, contract, change date)
    pk: int = 0


@dataclass
class MunicipalityPlan:
    number: int
    code: str
    name: str
    regions: list[tuple[str, str]]
    boards: list[tuple[str, str, int]]  # code, name, region index
    providers: list[tuple[str, str, str, int | None]]  # name, kind, org number, board index (municipal)
    contracts: list[dict]
    units: list[UnitPlan] = field(default_factory=list)

    @property
    def weight(self) -> float:
        return sum(u.weight for u in self.units)


def plan_municipality(*, spec: VolumeSpec, number: int) -> MunicipalityPlan:
    """Draw the organisation of municipality ``number`` (no database)."""
    rng = random.Random(f"{spec.seed}:{number}:structure")
    code = f"{CODE_PREFIX}{number:03d}"
    n_boards = spec.boards if number == 1 else rng.randint(max(2, spec.boards // 2), max(2, spec.boards))
    n_regions = max(1, round(n_boards / 3.5))
    # Codes are unique per municipality in the schema, but pages and scopes look some up by code
    # alone; the municipality number in every code keeps generated municipalities apart.
    prefix = f"v{number:03d}"
    regions = [(f"{prefix}-r{i + 1}", f"Region {AREAS[i % len(AREAS)]}") for i in range(n_regions)]
    boards = [
        (
            f"{prefix}-b{i + 1:02d}",
            f"{AREAS[(i + number) % len(AREAS)]} {'nämnd' if i % 2 else 'stadsdelsnämnd'} {i + 1}",
            i % n_regions,
        )
        for i in range(n_boards)
    ]
    providers: list[tuple[str, str, str, int | None]] = []
    for i, (_c, b_name, _r) in enumerate(boards):
        providers.append((f"{b_name} (egen regi)", ProviderKind.MUNICIPAL, org_number("212", number), i))
    n_contractors = max(2, n_boards // 2 + 2)
    n_private = max(2, n_boards // 3 + 2)
    for i in range(n_contractors):
        providers.append(
            (
                f"{rng.choice(UNIT_NAMES)} Omsorg {number}-{i + 1} AB",
                ProviderKind.CONTRACTOR,
                org_number("556", number * 100 + i),
                None,
            )
        )
    for i in range(n_private):
        providers.append(
            (
                f"{rng.choice(UNIT_NAMES)} Privatvård {number}-{i + 1} AB",
                ProviderKind.PRIVATE,
                org_number("559", number * 100 + i),
                None,
            )
        )
    start = spec.today - timedelta(days=365 * spec.years)
    contracts: list[dict] = []
    contract_of_provider: dict[int, int] = {}
    for p, (p_name, kind, _org, _b) in enumerate(providers):
        if kind == ProviderKind.MUNICIPAL:
            continue
        board = rng.randrange(n_boards)
        purchasing = board if rng.random() < 0.85 else rng.randrange(n_boards)
        if kind == ProviderKind.CONTRACTOR:
            variant = "contractor" if rng.random() < 0.7 else "board"
            fields = {
                "kind": ContractKind.CONTRACT,
                "mas_held_by": MasHeldBy.CONTRACTOR if variant == "contractor" else MasHeldBy.BOARD,
                "informs_board_mas": variant == "contractor",
                "mas_clause": "4.11" if variant == "contractor" else "5.2",
                "lex_maria_route": LexMariaRoute.CONTRACTOR_VIA_BOARD_MAS
                if variant == "contractor"
                else LexMariaRoute.BOARD_MAS,
                "journal_access": True,
            }
        else:
            framework = rng.random() < 0.5
            fields = {
                "kind": ContractKind.FRAMEWORK if framework else ContractKind.CHOICE,
                "mas_held_by": MasHeldBy.CONTRACTOR,
                "informs_board_mas": False,
                "mas_clause": "",
                "lex_maria_route": LexMariaRoute.PROVIDER_MAS,
                "journal_access": False,
            }
        contract_of_provider[p] = len(contracts)
        contracts.append(
            {
                **fields,
                "provider": p,
                "managing_board": board,
                "purchasing_board": purchasing,
                "title": f"Avtal {p_name}",
                "case_number": f"VOL {number}/{1000 + len(contracts)}",
                "valid_from": start - timedelta(days=rng.randint(200, 900)),
                "valid_to": spec.today + timedelta(days=rng.choice([45, 200, 400, 800, 1200])),
                "successor": None,
            }
        )
    contracts.append(
        {
            "kind": ContractKind.PHYSICIAN,
            "provider": None,
            "managing_board": 0,
            "purchasing_board": 0,
            "title": "Avtal om läkarmedverkan",
            "case_number": f"VOL {number}/0001",
            "valid_from": start - timedelta(days=400),
            "valid_to": spec.today + timedelta(days=700),
            "mas_held_by": MasHeldBy.BOARD,
            "lex_maria_route": LexMariaRoute.OWN,
            "doctor_available_24_7": True,
            "nurse_assessment_24_7": True,
            "successor": None,
            "physical_visits": "Läkare besöker varje vård- och omsorgsboende minst en gång i veckan.",
        }
    )
    plan = MunicipalityPlan(number, code, f"Volymkommun {number:03d}", regions, boards, providers, contracts)

    contractor_ids = [p for p, pr in enumerate(providers) if pr[1] == ProviderKind.CONTRACTOR]
    private_ids = [p for p, pr in enumerate(providers) if pr[1] == ProviderKind.PRIVATE]
    type_cum = list(accumulate(t[1] for t in UNIT_TYPES))
    for b in range(n_boards):
        # The first board is the largest; the rest vary around the average.
        share = 2.0 if b == 0 else rng.uniform(0.5, 1.5)
        for j in range(max(2, round(spec.units_per_board * share))):
            utype, _w, (lo, hi), rehab, per_place = UNIT_TYPES[
                bisect.bisect_right(type_cum, rng.random() * type_cum[-1])
            ]
            places = rng.randint(lo, hi) if hi else 0
            weight = places * per_place if places else NO_PLACES_WEIGHT.get(utype, 5.0)
            roll = rng.random()  # ~30 % own operation, ~70 % external (seed 001)
            if roll < 0.3:
                provider, form, contract = b, OperatingForm.OWN, None
            elif roll < 0.75:
                provider = rng.choice(contractor_ids)
                form, contract = OperatingForm.CONTRACT, contract_of_provider[provider]
            else:
                provider = rng.choice(private_ids)
                contract = contract_of_provider[provider]
                form = (
                    OperatingForm.FRAMEWORK
                    if contracts[contract]["kind"] == ContractKind.FRAMEWORK
                    else OperatingForm.CHOICE
                )
            unit = UnitPlan(
                code=f"{boards[b][0]}-{j + 1:03d}",
                name=f"{rng.choice(UNIT_NAMES)} {j + 1}",
                unit_type=utype,
                board=b,
                places=places,
                rehab=rehab,
                weight=max(weight, 1.0),
                provider=provider,
                form=form,
                contract=contract,
            )
            if form == OperatingForm.CONTRACT and rng.random() < 0.15 and len(contractor_ids) > 1:
                # Re-procured during the period: the previous contractor's contract ended.
                previous = rng.choice([p for p in contractor_ids if p != provider])
                change = start + timedelta(days=rng.randint(60, max(61, 365 * spec.years - 60)))
                unit.previous = (previous, contract_of_provider[previous], change)
            plan.units.append(unit)
    return plan


# --- the builder ------------------------------------------------------------------------------


def _add_months(d: date, months: int) -> date:
    month = d.month - 1 + months
    year, month = d.year + month // 12, month % 12 + 1
    return date(year, month, min(d.day, 28))
