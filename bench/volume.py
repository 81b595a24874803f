"""Synthetic volume data for benchmarks (issue 7): many municipalities, hundreds of units, millions of deviations.

Everything is drawn from ``random.Random`` streams seeded by ``(seed, municipality
number, purpose)`` and dated relative to an explicit ``today``, so the same
arguments give the same rows. Generated municipalities have codes ``vol-001``,
``vol-002``, … and coexist with the demo; one that already exists is skipped, so a
second run with ``first`` set adds more without collisions.

Rows are written in batches: with PostgreSQL through ``COPY`` (ids taken from the
table's sequence first, so children can point at them), elsewhere through
``bulk_create``. History tables (django-simple-history) are not filled: the
volume is about the live tables the pages read.

Who holds a role on a date is never guessed here: assessors come from the
resolver's index, Lex Maria chains from ``incidents.lexmaria.resolve_chain``.
"""

from __future__ import annotations

import bisect
import math
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction

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
from responsibility.demo import UNIT_NAMES
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
from responsibility.resolver import build_index, units_with_board
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
    "fall": ["Brukaren hittades sittande på golvet i sitt rum vid morgonrundan.",
             "Fall i badrummet vid förflyttning utan hjälpmedel.",
             "Brukaren föll i korridoren på väg till matsalen, slog i höften."],
    "lakemedel": ["Kvällsdosen av ordinerat läkemedel gavs inte.",
                  "Fel dos iordningställd i dosett, upptäcktes vid administrering.",
                  "Läkemedel gavs till fel tid efter byte av dosrulle.",
                  "Signering saknas på signeringslistan för morgondosen."],
    "vard-behandling": ["Ordinerad blodsockerkontroll utfördes inte.",
                        "Sårvård enligt ordination blev inte utförd under helgen."],
    "information": ["Information om ändrad ordination nådde inte kvällspersonalen.",
                    "Saknad dokumentation vid överflyttning från sjukhus."],
    "mtp-hjalpmedel": ["Lyftselen var sliten och byttes ut.", "Rollatorns broms fungerade inte."],
    "infektion-hygien": ["Basala hygienrutiner följdes inte vid omvårdnad.",
                         "Smittspridning av calici på avdelningen."],
    "trycksar": ["Trycksår kategori 2 upptäcktes på hälen.", "Rodnad över korsbenet som inte avbleknar."],
    "bemotande": ["Brukaren upplevde sig illa bemött vid duschning."],
    "hot-vald": ["Brukare slog personal vid omvårdnad.", "Hot mot personal under kvällspasset."],
    "ovrigt": ["Larmet fungerade inte under natten.", "Nyckel till läkemedelsskåpet saknades."],
}
IMMEDIATE = ["Sjuksköterska kontaktades och bedömde brukaren.", "Läkare kontaktades.",
             "Anhöriga informerades.", "Ny dos gavs efter ordination.", ""]
CAUSES = ["Rutinen var inte känd av vikarierande personal.", "Hög arbetsbelastning under passet.",
          "Brister i överrapporteringen mellan passen.", "Hjälpmedlet var inte kontrollerat."]
LESSONS = ["Rutinen gås igenom på nästa arbetsplatsträff.", "Checklista för överrapportering införs.",
           "Utbildning i basala hygienrutiner för all personal."]
ACTION_TEXTS = ["Genomgång av rutinen med all personal", "Uppdatera signeringslistan", "Kontroll av hjälpmedel",
                "Utbildning i läkemedelshantering", "Införa checklista vid överrapportering"]
FIRST_NAMES = ["Anna", "Maria", "Karin", "Sara", "Eva", "Lena", "Emma", "Johan", "Erik", "Lars", "Ali", "Fatima",
               "Mikael", "Sofia", "Ida", "Nils", "Amir", "Elin", "Hanna", "Per", "Leila", "Omar", "Britt", "Jonas"]
LAST_NAMES = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
              "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Hassan", "Lindberg", "Berg", "Holm", "Ek", "Sund"]
AREAS = ["Norra", "Södra", "Östra", "Västra", "Centrala", "Sjöstaden", "Bergslagen", "Dalby", "Åsen", "Hamnen",
         "Skogsbacka", "Lunda", "Torp", "Viken", "Ängby", "Mossen", "Ryd", "Höjden"]

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


class Progress:
    """A progress bar on stderr: one line, redrawn at most a few times a second."""

    def __init__(self, *, total: int, stream=None, enabled: bool = True):
        self.total = max(total, 1)
        self.done = 0
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.started = time.monotonic()
        self._last = 0.0
        self.label = ""

    def advance(self, n: int, label: str | None = None) -> None:
        self.done += n
        if label is not None:
            self.label = label
        now = time.monotonic()
        if self.enabled and (now - self._last > 0.3 or self.done >= self.total):
            self._last = now
            share = min(self.done / self.total, 1.0)
            bar = "#" * int(share * 30)
            self.stream.write(f"\r[{bar:<30}] {share:6.1%} {self.done:>10,}/{self.total:,} deviations "
                              f"{now - self.started:7.1f}s {self.label[:40]:<40}")
            self.stream.flush()

    def note(self, text: str) -> None:
        if self.enabled:
            self.stream.write(f"\n{text}\n")
            self.stream.flush()

    def finish(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


# --- writing rows ------------------------------------------------------------------------


@contextmanager
def explicit_timestamps(model: type[models.Model]) -> Iterator[None]:
    """Let bulk_create keep the given values of ``auto_now``/``auto_now_add`` fields (deterministic rows)."""
    saved = []
    for f in model._meta.concrete_fields:
        if isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add):
            saved.append((f, f.auto_now, f.auto_now_add))
            f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


class RowWriter:
    """Insert rows (dicts keyed by attname) in batches; return their primary keys in order.

    PostgreSQL: ids from the table's sequence, then ``COPY … FROM STDIN``.
    Other databases: ``bulk_create`` (which returns the ids).
    """

    def __init__(self, *, batch_size: int, stamp: datetime):
        self.batch_size = batch_size
        self.stamp = stamp
        self.copy = connection.vendor == "postgresql"
        self.counts: Counter[str] = Counter()
        self.seconds: Counter[str] = Counter()
        self._layout: dict[type, tuple[list[str], list[str], dict[str, object]]] = {}

    def _fields(self, model: type[models.Model]):
        if model not in self._layout:
            fields = [f for f in model._meta.concrete_fields if not f.primary_key]
            defaults: dict[str, object] = {}
            for f in fields:
                if isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add):
                    defaults[f.attname] = self.stamp
                elif f.has_default():
                    defaults[f.attname] = f.get_default()
                elif f.null:
                    defaults[f.attname] = None
                elif f.empty_strings_allowed:
                    defaults[f.attname] = ""
            self._layout[model] = ([f.attname for f in fields], [f.column for f in fields], defaults)
        return self._layout[model]

    def insert(self, model: type[models.Model], rows: list[dict]) -> list[int]:
        if not rows:
            return []
        self.counts[model._meta.label] += len(rows)
        started = time.monotonic()
        ids: list[int] = []
        for start in range(0, len(rows), self.batch_size):
            chunk = rows[start:start + self.batch_size]
            ids.extend(self._copy(model, chunk) if self.copy else self._bulk(model, chunk))
        self.seconds[model._meta.label] += time.monotonic() - started
        return ids

    def _bulk(self, model, rows: list[dict]) -> list[int]:
        attnames, _columns, defaults = self._fields(model)
        objs = [model(**{a: row[a] if a in row else defaults[a] for a in attnames}) for row in rows]
        with explicit_timestamps(model):
            model.objects.bulk_create(objs, batch_size=min(self.batch_size, 2000))
        return [o.pk for o in objs]

    def _copy(self, model, rows: list[dict]) -> list[int]:
        attnames, columns, defaults = self._fields(model)
        meta = model._meta
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(rows)],
            )
            ids = sorted(r[0] for r in cursor.fetchall())
            column_list = ", ".join(connection.ops.quote_name(c) for c in [meta.pk.column, *columns])
            sql = f"COPY {connection.ops.quote_name(meta.db_table)} ({column_list}) FROM STDIN"
            with cursor.cursor.copy(sql) as copy:
                write = copy.write_row
                for pk, row in zip(ids, rows, strict=True):
                    write([pk, *[row[a] if a in row else defaults[a] for a in attnames]])
        return ids


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
    boards = [(f"{prefix}-b{i + 1:02d}", f"{AREAS[(i + number) % len(AREAS)]} {'nämnd' if i % 2 else 'stadsdelsnämnd'} {i + 1}",
               i % n_regions) for i in range(n_boards)]
    providers: list[tuple[str, str, str, int | None]] = []
    for i, (_c, b_name, _r) in enumerate(boards):
        providers.append((f"{b_name} (egen regi)", ProviderKind.MUNICIPAL, org_number("212", number), i))
    n_contractors = max(2, n_boards // 2 + 2)
    n_private = max(2, n_boards // 3 + 2)
    for i in range(n_contractors):
        providers.append((f"{rng.choice(UNIT_NAMES)} Omsorg {number}-{i + 1} AB", ProviderKind.CONTRACTOR,
                          org_number("556", number * 100 + i), None))
    for i in range(n_private):
        providers.append((f"{rng.choice(UNIT_NAMES)} Privatvård {number}-{i + 1} AB", ProviderKind.PRIVATE,
                          org_number("559", number * 100 + i), None))
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
                "kind": ContractKind.CONTRACT, "mas_held_by": MasHeldBy.CONTRACTOR if variant == "contractor"
                else MasHeldBy.BOARD, "informs_board_mas": variant == "contractor",
                "mas_clause": "4.11" if variant == "contractor" else "5.2",
                "lex_maria_route": LexMariaRoute.CONTRACTOR_VIA_BOARD_MAS if variant == "contractor"
                else LexMariaRoute.BOARD_MAS, "journal_access": True,
            }
        else:
            framework = rng.random() < 0.5
            fields = {"kind": ContractKind.FRAMEWORK if framework else ContractKind.CHOICE,
                      "mas_held_by": MasHeldBy.CONTRACTOR, "informs_board_mas": False, "mas_clause": "",
                      "lex_maria_route": LexMariaRoute.PROVIDER_MAS, "journal_access": False}
        contract_of_provider[p] = len(contracts)
        contracts.append({**fields, "provider": p, "managing_board": board, "purchasing_board": purchasing,
                          "title": f"Avtal {p_name}", "case_number": f"VOL {number}/{1000 + len(contracts)}",
                          "valid_from": start - timedelta(days=rng.randint(200, 900)),
                          "valid_to": spec.today + timedelta(days=rng.choice([45, 200, 400, 800, 1200])),
                          "successor": None})
    contracts.append({"kind": ContractKind.PHYSICIAN, "provider": None, "managing_board": 0, "purchasing_board": 0,
                      "title": "Avtal om läkarmedverkan", "case_number": f"VOL {number}/0001",
                      "valid_from": start - timedelta(days=400), "valid_to": spec.today + timedelta(days=700),
                      "mas_held_by": MasHeldBy.BOARD, "lex_maria_route": LexMariaRoute.OWN,
                      "doctor_available_24_7": True, "nurse_assessment_24_7": True, "successor": None,
                      "physical_visits": "Läkare besöker varje vård- och omsorgsboende minst en gång i veckan."})
    plan = MunicipalityPlan(number, code, f"Volymkommun {number:03d}", regions, boards, providers, contracts)

    contractor_ids = [p for p, pr in enumerate(providers) if pr[1] == ProviderKind.CONTRACTOR]
    private_ids = [p for p, pr in enumerate(providers) if pr[1] == ProviderKind.PRIVATE]
    type_cum = list(accumulate(t[1] for t in UNIT_TYPES))
    for b in range(n_boards):
        # The first board is the largest; the rest vary around the average.
        share = 2.0 if b == 0 else rng.uniform(0.5, 1.5)
        for j in range(max(2, round(spec.units_per_board * share))):
            utype, _w, (lo, hi), rehab, per_place = UNIT_TYPES[bisect.bisect_right(type_cum, rng.random() * type_cum[-1])]
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
                form = OperatingForm.FRAMEWORK if contracts[contract]["kind"] == ContractKind.FRAMEWORK else OperatingForm.CHOICE
            unit = UnitPlan(code=f"{boards[b][0]}-{j + 1:03d}", name=f"{rng.choice(UNIT_NAMES)} {j + 1}",
                            unit_type=utype, board=b, places=places, rehab=rehab, weight=max(weight, 1.0),
                            provider=provider, form=form, contract=contract)
            if form == OperatingForm.CONTRACT and rng.random() < 0.15 and len(contractor_ids) > 1:
                # Re-procured during the period: the previous contractor's contract ended.
                previous = rng.choice([p for p in contractor_ids if p != provider])
                change = start + timedelta(days=rng.randint(60, max(61, 365 * spec.years - 60)))
                unit.previous = (previous, contract_of_provider[previous], change)
            plan.units.append(unit)
    return plan


# --- the builder ------------------------------------------------------------------------------


class MunicipalityBuilder:
    """Writes one planned municipality: organisation, people, deviations, Lex Maria, follow-up."""

    def __init__(self, *, spec: VolumeSpec, plan: MunicipalityPlan, n_deviations: int, writer: RowWriter,
                 progress: Progress, codec: PatientCodec, password_hash: str):
        self.spec, self.plan, self.n_deviations = spec, plan, n_deviations
        self.writer, self.progress, self.codec = writer, progress, codec
        self.password_hash = password_hash
        self.today = spec.today
        self.start = spec.today - timedelta(days=365 * spec.years)
        self.now_ts = datetime.combine(spec.today, datetime.min.time(), STOCKHOLM).timestamp()
        self.start_ts = datetime.combine(self.start, datetime.min.time(), STOCKHOLM).timestamp()
        self.notes: list[str] = []
        self._routes: dict[tuple, tuple] = {}

    def build(self) -> None:
        self._organisation()
        self._people()
        self._deviations()
        self._followup()

    # -- organisation --------------------------------------------------------------------------
    def _organisation(self) -> None:
        plan, w = self.plan, self.writer
        self.municipality_id = w.insert(Municipality, [{"name": plan.name, "code": plan.code,
                                                       "org_number": org_number("212", plan.number)}])[0]
        m = self.municipality_id
        self.region_ids = w.insert(Region, [{"municipality_id": m, "code": c, "name": n} for c, n in plan.regions])
        self.board_ids = w.insert(Board, [{"municipality_id": m, "code": c, "name": n, "region_id": self.region_ids[r]}
                                          for c, n, r in plan.boards])
        # Host boards: the first board of each region.
        for r, region_id in enumerate(self.region_ids):
            host = next(self.board_ids[b] for b, (_c, _n, rr) in enumerate(plan.boards) if rr == r)
            Region.objects.filter(pk=region_id).update(host_board_id=host)
        self.provider_ids = w.insert(CareProvider, [
            {"municipality_id": m, "name": n, "kind": k, "org_number": o,
             "board_id": self.board_ids[b] if b is not None else None}
            for n, k, o, b in plan.providers])
        contract_rows = []
        for c in plan.contracts:
            row = {k: v for k, v in c.items() if k not in ("provider", "managing_board", "purchasing_board", "successor")}
            row.update(municipality_id=m, provider_id=self.provider_ids[c["provider"]] if c["provider"] is not None else None,
                       managing_board_id=self.board_ids[c["managing_board"]],
                       purchasing_board_id=self.board_ids[c["purchasing_board"]])
            contract_rows.append(row)
        self.contract_ids = w.insert(Contract, contract_rows)
        # Contracts that were replaced: an ended predecessor with the successor set.
        ended_rows, replaced = [], []
        for i, c in enumerate(plan.contracts):
            if c["provider"] is None or i % 4:
                continue
            ended_rows.append({**contract_rows[i], "case_number": f"{c['case_number']}-tidigare",
                               "title": f"{c['title']} (tidigare)", "valid_from": c["valid_from"] - timedelta(days=1460),
                               "valid_to": c["valid_from"] - timedelta(days=1), "successor_id": self.contract_ids[i]})
            replaced.append(i)
        w.insert(Contract, ended_rows)

        unit_rows, periods, covered = [], [], set()
        for u in plan.units:
            contract_id = self.contract_ids[u.contract] if u.contract is not None else None
            unit_rows.append({
                "municipality_id": m, "code": u.code, "name": u.name, "unit_type": u.unit_type,
                "board_id": self.board_ids[u.board], "provider_id": self.provider_ids[u.provider],
                "operating_form": u.form, "contract_id": contract_id, "places": u.places,
                "provides_health_care": True, "provides_rehabilitation": u.rehab,
                "active_from": self.start - timedelta(days=365 * 2), "active_to": None,
            })
        unit_ids = w.insert(Unit, unit_rows)
        for u, pk in zip(plan.units, unit_ids, strict=True):
            u.pk = pk
            contract_id = self.contract_ids[u.contract] if u.contract is not None else None
            first_from = self.start - timedelta(days=365 * 2)
            if u.previous is not None:
                prev_provider, prev_contract, change = u.previous
                periods.append({"unit_id": pk, "valid_from": first_from, "valid_to": change - timedelta(days=1),
                                "provider_id": self.provider_ids[prev_provider], "operating_form": OperatingForm.CONTRACT,
                                "contract_id": self.contract_ids[prev_contract]})
                covered.add((self.contract_ids[prev_contract], pk))
                first_from = change
            periods.append({"unit_id": pk, "valid_from": first_from, "valid_to": None,
                            "provider_id": self.provider_ids[u.provider], "operating_form": u.form,
                            "contract_id": contract_id})
            if contract_id:
                covered.add((contract_id, pk))
        w.insert(UnitOperatingPeriod, periods)
        w.insert(Contract.units.through, [{"contract_id": c, "unit_id": u} for c, u in sorted(covered)])
        self.contract_units: dict[int, list[int]] = defaultdict(list)
        for c, u in sorted(covered):
            self.contract_units[c].append(u)

    # -- people and assignments -------------------------------------------------------------------
    def _people(self) -> None:
        rng = random.Random(f"{self.spec.seed}:{self.plan.number}:people")
        plan, w, m = self.plan, self.writer, self.municipality_id
        people: list[dict] = []  # rows, with a "username" key popped before insert
        assignments: list[tuple[int, dict]] = []  # (person index, row); deputy_for by index in "deputy_of"

        def person(key: str, profession: str, title: str, *, login: bool, licensed: bool = True) -> int:
            people.append({"municipality_id": m, "first_name": rng.choice(FIRST_NAMES),
                           "last_name": rng.choice(LAST_NAMES), "email": f"{key}@{plan.code}.volym.example",
                           "title": title, "profession": profession, "licensed": licensed,
                           "username": f"{plan.code}-{key}" if login else None})
            return len(people) - 1

        def assign(p: int, role: str, scope: str, scope_id: int, *, valid_from: date | None = None,
                   valid_to: date | None = None, kind: str = AssignmentKind.STATUTORY, deputy_of: int | None = None,
                   mandate: bool = True) -> int:
            row = {"role": role, "kind": kind, f"{scope}_id": scope_id, "valid_from": valid_from or self.start
                   - timedelta(days=700), "valid_to": valid_to, "has_staffing_mandate": mandate, "basis": "",
                   "deputy_of": deputy_of}
            assignments.append((p, row))
            return len(assignments) - 1

        def with_history(key: str, profession: str, title: str, role: str, scope: str, scope_id: int, *,
                         kind: str = AssignmentKind.STATUTORY, share: float = 0.3) -> tuple[int, int]:
            """A current holder, and sometimes an ended predecessor (changed during the period)."""
            current = person(key, profession, title, login=True)
            if rng.random() < share:
                change = self.start + timedelta(days=rng.randint(30, max(31, 365 * self.spec.years - 30)))
                old = person(f"{key}-tidigare", profession, title, login=True)
                assign(old, role, scope, scope_id, valid_to=change - timedelta(days=1), kind=kind)
                return current, assign(current, role, scope, scope_id, valid_from=change, kind=kind)
            return current, assign(current, role, scope, scope_id, kind=kind)

        self.region_mas: dict[int, int] = {}
        self.auditor_of_region: dict[int, int] = {}
        for r, region_id in enumerate(self.region_ids):
            mas, mas_a = with_history(f"mas-r{r + 1}", Profession.NURSE, "Medicinskt ansvarig sjuksköterska",
                                      Role.MAS, "region", region_id)
            self.region_mas[r] = mas
            with_history(f"mar-r{r + 1}", Profession.PHYSIOTHERAPIST, "Medicinskt ansvarig för rehabilitering",
                         Role.MAR, "region", region_id)
            deputy = person(f"mas-ersattare-r{r + 1}", Profession.NURSE, "Sjuksköterska, ersättare", login=True)
            for year in range(self.start.year, self.today.year + 1):
                holiday = date(year, 7, 6)
                if self.start <= holiday and holiday + timedelta(days=27) < self.today:
                    holder_a = mas_a if assignments[mas_a][1]["valid_from"] <= holiday else mas_a - 1
                    assign(deputy, Role.MAS, "region", region_id, valid_from=holiday,
                           valid_to=holiday + timedelta(days=27), deputy_of=holder_a)
            auditor = person(f"kvalitet-r{r + 1}", Profession.NURSE, "Kvalitetsuppföljare", login=True)
            assign(auditor, Role.QUALITY_AUDITOR, "region", region_id, kind=AssignmentKind.FOLLOW_UP)
            self.auditor_of_region[r] = auditor
        for b, board_id in enumerate(self.board_ids):
            official = person(f"tjansteman-b{b + 1}", Profession.ADMINISTRATOR, "Nämndsekreterare", login=True)
            assign(official, Role.BOARD_OFFICIAL, "board", board_id, kind=AssignmentKind.FOLLOW_UP)
            with_history(f"vc-b{b + 1}", Profession.MANAGER, "Verksamhetschef", Role.OPERATIONS_MANAGER,
                         "provider", self.provider_ids[b])
            region = plan.boards[b][2]
            assign(self.region_mas[region], Role.LEX_MARIA_REPORTER, "provider", self.provider_ids[b])
        for p, (_n, kind, _o, _b) in enumerate(plan.providers):
            if kind == ProviderKind.MUNICIPAL:
                continue
            pid = self.provider_ids[p]
            with_history(f"vc-p{p + 1}", Profession.MANAGER, "Verksamhetschef", Role.OPERATIONS_MANAGER, "provider", pid)
            mas, _a = with_history(f"mas-p{p + 1}", Profession.NURSE, "MAS", Role.MAS, "provider", pid, share=0.2)
            assign(mas, Role.LEX_MARIA_REPORTER, "provider", pid)
            mar = person(f"mar-p{p + 1}", Profession.OCCUPATIONAL_THERAPIST, "MAR", login=True)
            assign(mar, Role.MAR, "provider", pid, valid_from=date(2026, 7, 1) if p % 5 == 0 else None)
        self.unit_manager: dict[int, int] = {}
        self.unit_staff: dict[int, list[int]] = {}
        self.unit_nurse: dict[int, int] = {}
        for u in plan.units:
            key = u.code
            ec, _a = with_history(f"ec-{key}", Profession.MANAGER, "Enhetschef", Role.UNIT_MANAGER, "unit", u.pk,
                                  kind=AssignmentKind.FOLLOW_UP, share=0.2)
            staff = [person(f"personal{i}-{key}", Profession.ASSISTANT_NURSE, "Undersköterska", login=True,
                            licensed=False) for i in (1, 2)]
            nurse = person(f"ssk-{key}", Profession.NURSE, "Sjuksköterska", login=False)
            for p in [ec, *staff, nurse]:
                assign(p, Role.REPORTER, "unit", u.pk, kind=AssignmentKind.FOLLOW_UP)
            self.unit_manager[u.pk], self.unit_staff[u.pk], self.unit_nurse[u.pk] = ec, staff, nurse

        # Logins first, then people pointing at them, then assignments (deputies after their holders).
        User = get_user_model()
        user_rows = [{"username": row["username"], "first_name": row["first_name"], "last_name": row["last_name"],
                      "email": row["email"], "password": self.password_hash, "is_active": True,
                      "date_joined": _dt(self.start_ts)} for row in people if row["username"]]
        user_ids = iter(w.insert(User, user_rows))
        for row in people:
            row["user_id"] = next(user_ids) if row.pop("username") else None
        self.person_ids = w.insert(Person, people)
        self.person_user = {i: row["user_id"] for i, row in enumerate(people)}
        plain = [(i, p, row) for i, (p, row) in enumerate(assignments) if row["deputy_of"] is None]
        ids = w.insert(Assignment, [{**{k: v for k, v in row.items() if k != "deputy_of"},
                                     "person_id": self.person_ids[p]} for _i, p, row in plain])
        assignment_pk = {i: pk for (i, _p, _r), pk in zip(plain, ids, strict=True)}
        w.insert(Assignment, [{**{k: v for k, v in row.items() if k != "deputy_of"},
                               "person_id": self.person_ids[p], "deputy_for_id": assignment_pk[row["deputy_of"]]}
                              for p, row in assignments if row["deputy_of"] is not None])

    # -- deviations ------------------------------------------------------------------------------------
    def _categories(self) -> list[tuple[int, str, bool]]:
        m = self.municipality_id
        ids = self.writer.insert(apps.get_model("incidents", "DeviationCategory"), [
            {"municipality_id": m, "code": code, "name": name, "is_rehabilitation": rehab, "always_to_mas": False,
             "active": True, "order": i * 10} for i, (code, name, _w, rehab) in enumerate(CATEGORIES)])
        return [(pk, code, rehab) for pk, (code, _n, _w, rehab) in zip(ids, CATEGORIES, strict=True)]

    def _indexes(self) -> Callable[[float], object]:
        """The resolver's index per quarter, built on first use (holders are resolved, never guessed).

        Besides the units it holds one virtual unit per board (negative pk), run in egen regi by the
        board's municipal provider: that is how ``incidents.lexmaria.board_duty_holder`` asks for the
        board's own MAS, so precedence stays in the resolver.
        """
        units = list(units_with_board(Unit.objects.filter(municipality_id=self.municipality_id)))
        self.unit_objects = {u.pk: u for u in units}
        boards = {u.board_id: u.board for u in units}
        self.board_units = {
            b: Unit(pk=-b, municipality_id=self.municipality_id, board=board, provider_id=self.provider_ids[i],
                    operating_form=OperatingForm.OWN, contract=None)
            for i, b in enumerate(self.board_ids) if (board := boards.get(b)) is not None
        }
        everything = units + list(self.board_units.values())
        cache: dict[date, object] = {}

        def index_on(ts: float):
            d = datetime.fromtimestamp(ts, STOCKHOLM).date()
            key = date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)
            if key not in cache:
                cache[key] = build_index(units=everything, on=min(key + timedelta(days=45), self.today))
            return cache[key]

        return index_on

    def _routing(self, index, unit_pk: int, rehab: bool) -> tuple[str, int | None, int | None, int | None]:
        """(duty role, MAS/MAR person, their login, board's MAS for the information copy) on the index's date.

        As ``incidents.routing.route`` decides them: the MAR for rehabilitation (else the MAS), and a copy to
        the board's MAS when the contract in force makes the contractor inform the board's MAS.
        """
        key = (index.on, unit_pk, rehab)
        if key not in self._routes:
            unit = self.unit_objects[unit_pk]
            role, holder = Role.MAS, None
            if rehab:
                holder = index.resolve(unit, Role.MAR).holder
                role = Role.MAR if holder is not None else Role.MAS
            if holder is None:
                holder = index.resolve(unit, Role.MAS).holder
            copy = None
            contract = index.operation(unit).contract
            board_unit = self.board_units.get(unit.board_id)
            if (contract is not None and contract.informs_board_mas and contract.mas_held_by == MasHeldBy.CONTRACTOR
                    and board_unit is not None):
                board_mas = index.resolve(board_unit, role).holder
                if board_mas is not None and (holder is None or board_mas.pk != holder.pk):
                    copy = board_mas.pk
            self._routes[key] = (role, holder.pk if holder else None, holder.user_id if holder else None, copy)
        return self._routes[key]

    def _chain(self, *, index, unit: Unit, rehab: bool) -> tuple[str, int | None, int | None, int | None]:
        """Route, purchasing board, reporter and board's MAS of a Lex Maria case, as
        ``incidents.lexmaria.resolve_chain`` decides them, but on the quarter's prebuilt index
        (resolve_chain builds its own per case: ~15 queries, too slow for 10,000 cases)."""
        operation = index.operation(unit)
        contract = operation.contract
        if operation.operating_form == OperatingForm.OWN or contract is None:
            route = LexMariaRoute.OWN if operation.operating_form == OperatingForm.OWN else LexMariaRoute.BOARD_MAS
        else:
            route = contract.lex_maria_route
        duty = Role.MAR if rehab else Role.MAS
        board_unit = self.board_units.get(unit.board_id)
        asked = board_unit if route == LexMariaRoute.BOARD_MAS else unit
        reporter = None
        for role in (Role.LEX_MARIA_REPORTER, duty):
            holder = index.resolve(asked, role).holder if asked is not None else None
            if holder is not None:
                reporter = holder.pk
                break
        board_mas = None
        if route == LexMariaRoute.CONTRACTOR_VIA_BOARD_MAS and board_unit is not None:
            holder = index.resolve(board_unit, duty).holder
            board_mas = holder.pk if holder is not None else None
        purchasing = contract.purchasing_board_id if contract is not None and route != LexMariaRoute.OWN else None
        return route, purchasing, reporter, board_mas

    def _deviations(self) -> None:
        models_ = {name: apps.get_model("incidents", name) for name in
                   ("Deviation", "DeviationTransition", "DeviationAction", "PatientDataAccess", "LexMariaCase",
                    "LexMariaTransition", "ReferenceCounter")}
        rng = random.Random(f"{self.spec.seed}:{self.plan.number}:deviations")
        categories = self._categories()
        cat_cum = list(accumulate(c[2] for c in CATEGORIES))
        units = self.plan.units
        unit_cum = list(accumulate(u.weight for u in units))
        municipality = Municipality.objects.get(pk=self.municipality_id)
        investigation_days = municipality.investigation_days
        self.assessment_days = municipality.mas_assessment_working_days
        threshold, cons_threshold = municipality.mas_risk_threshold, municipality.mas_consequence_threshold
        index_on = self._indexes()
        # The routing fields arrived with incidents migration 0002; older schemas lack them.
        field_names = {f.name for f in models_["Deviation"]._meta.get_fields()}
        self.routing_fields = {"mas_person", "mas_role", "board_mas_copy"} <= field_names
        span = self.now_ts - self.start_ts
        n = self.n_deviations
        # Event times first, so that references follow the order of registration.
        events = []
        for _ in range(n):
            unit = units[bisect.bisect_right(unit_cum, rng.random() * unit_cum[-1])]
            occurred = self.start_ts + rng.random() * span
            discovered = occurred + (rng.uniform(0, 2 * 3600) if rng.random() < 0.8 else rng.uniform(2 * 3600, 2 * DAY))
            reported = discovered + (rng.uniform(300, 8 * 3600) if rng.random() < 0.7 else rng.uniform(8 * 3600, 3 * DAY))
            reported = min(reported, self.now_ts - 60)
            discovered = min(discovered, reported)
            occurred = min(occurred, discovered)
            events.append((reported, occurred, discovered, unit))
        events.sort(key=lambda e: e[0])
        counters: dict[int, int] = defaultdict(int)
        lm_counters: dict[int, int] = defaultdict(int)
        with_patient = 0
        D = models_["Deviation"]
        for batch_start in range(0, n, self.spec.batch_size):
            batch = events[batch_start:batch_start + self.spec.batch_size]
            rows, children = [], []
            for reported, occurred, discovered, unit in batch:
                row, kids = self._deviation(rng, reported, occurred, discovered, unit, categories, cat_cum,
                                            investigation_days, threshold, cons_threshold, index_on)
                if row["state"] != "draft":
                    year = datetime.fromtimestamp(reported, STOCKHOLM).year
                    counters[year] += 1
                    row["reference"] = f"AV-{year}-{counters[year]:06d}"
                with_patient += bool(row["patient_hash"])
                rows.append(row)
                children.append(kids)
            ids = self.writer.insert(D, rows)
            transitions, actions, accesses, cases = [], [], [], []
            for pk, row, (trans, acts, access, lm) in zip(ids, rows, children, strict=True):
                for t in trans:
                    t["deviation_id"] = pk
                for a in acts:
                    a["deviation_id"] = pk
                for a in access:
                    a["deviation_id"] = pk
                transitions += trans
                actions += acts
                accesses += access
                if lm is not None:
                    cases.append((pk, row, lm))
            self.writer.insert(models_["DeviationTransition"], transitions)
            self.writer.insert(models_["DeviationAction"], actions)
            self.writer.insert(models_["PatientDataAccess"], accesses)
            self._lex_maria(rng, cases, models_, lm_counters, categories, index_on)
            self.progress.advance(len(batch), self.plan.code)
        if n and not self.codec.available:
            self.notes.append("incidents/patient.py has no encrypt/hash helper: patient fields left blank.")
        RC = models_["ReferenceCounter"]
        self.writer.insert(RC, [{"municipality_id": self.municipality_id, "prefix": "AV", "year": y, "last": last}
                                for y, last in sorted(counters.items())]
                           + [{"municipality_id": self.municipality_id, "prefix": "LM", "year": y, "last": last}
                              for y, last in sorted(lm_counters.items())])

    def _deviation(self, rng, reported, occurred, discovered, unit: UnitPlan, categories, cat_cum, investigation_days,
                   threshold, cons_threshold, index_on):
        now = self.now_ts
        cat_pk, cat_code, cat_rehab = categories[bisect.bisect_right(cat_cum, rng.random() * cat_cum[-1])]
        consequence = rng.choices((1, 2, 3, 4), cum_weights=(55, 85, 97, 100))[0]
        probability = rng.choices((1, 2, 3, 4), cum_weights=(30, 70, 90, 100))[0]
        risk = consequence * probability
        high = risk >= threshold or consequence >= cons_threshold
        staff = self.unit_staff[unit.pk]
        manager = self.unit_manager[unit.pk]
        on_behalf = rng.random() < 0.05
        reporter_p = manager if on_behalf or rng.random() < 0.15 else rng.choice(staff)
        row = {
            "municipality_id": self.municipality_id, "unit_id": unit.pk, "occurred_at": _dt(occurred),
            "discovered_at": _dt(discovered), "reported_at": _dt(reported),
            "reporter_id": self.person_user[reporter_p],
            "reported_on_behalf_of": "Nattpersonal, undersköterska" if on_behalf else "",
            "category_id": cat_pk, "event_kind": "occurred" if rng.random() < 0.8 else "risk",
            "description": rng.choice(DESCRIPTIONS[cat_code]), "immediate_actions": rng.choice(IMMEDIATE),
            "patient_identifier_encrypted": "", "patient_hash": "",
            "consequence": consequence, "probability": probability, "risk_score": risk,
            "created_at": _dt(reported), "updated_at": _dt(reported), "version": 0,
        }
        if self.codec.available and rng.random() < (0.75 if row["event_kind"] == "occurred" else 0.4):
            patient_no = self.plan.number * 10_000_000 + unit.pk % 100_000 * 50 + rng.randrange(max(unit.places, 10))
            row["patient_identifier_encrypted"], row["patient_hash"] = self.codec.encode(personnummer(patient_no))
        transitions: list[dict] = []
        actions: list[dict] = []
        access: list[dict] = []
        lm = None

        def move(from_state: str, to_state: str, at: float, actor_p: int | None, reason: str = "") -> None:
            transitions.append({"from_state": from_state, "to_state": to_state, "at": _dt(at),
                                "actor_id": self.person_user.get(actor_p) if actor_p is not None else None,
                                "reason": reason})

        # A draft saved in the last week and not yet sent.
        if now - reported < 7 * DAY and rng.random() < 0.03:
            row.update(state="draft", reported_at=None, reference="")
            return row, ([], [], [], None)
        move("draft", "registered", reported, reporter_p)
        if self.routing_fields:
            role, mas_person, _user, copy = self._routing(index_on(occurred), unit.pk, cat_rehab)
            row.update(mas_role=role, mas_person_id=mas_person, board_mas_copy_id=copy)
        row["due_at"] = _dt(reported + investigation_days * DAY)
        if rng.random() < 0.03:
            rejected = reported + rng.uniform(0.5, 5) * DAY
            if rejected < now:
                move("registered", "rejected", rejected, manager, "Inte en avvikelse enligt definitionen.")
                row.update(state="rejected", due_at=None, investigator_id=self.person_user[manager],
                           rejection_reason="Händelsen gäller inte hälso- och sjukvård.", updated_at=_dt(rejected))
            else:
                row["state"] = "registered"
            return row, (transitions, actions, access, None)
        t_inv = reported + min(rng.expovariate(1 / 1.5), 20) * DAY
        if t_inv >= now:
            row["state"] = "registered"
            return row, (transitions, actions, access, None)
        move("registered", "investigating", t_inv, manager)
        row.update(state="investigating", investigator_id=self.person_user[manager], updated_at=_dt(t_inv))
        if row["patient_hash"]:
            for _ in range(rng.choice((0, 1, 1, 2))):
                access.append({"user_id": self.person_user[manager], "at": _dt(min(t_inv + rng.uniform(0, 2) * DAY, now)),
                               "unit_id": unit.pk, "patient_hash": row["patient_hash"], "action": "view"})
        stuck = rng.random() < 0.004
        t_done = math.inf if stuck else t_inv + rng.lognormvariate(math.log(8), 0.6) * DAY
        if t_done >= now:
            return row, (transitions, actions, access, None)
        row.update(cause_analysis=rng.choice(CAUSES), updated_at=_dt(t_done))
        t_actions = t_done
        if high:
            move("investigating", "awaiting_mas_assessment", t_done, manager)
            row.update(state="awaiting_mas_assessment",
                       due_at=_dt(add_working_days(t_done, self.assessment_days)))
            t_assessed = math.inf if rng.random() < 0.005 else t_done + rng.lognormvariate(math.log(2), 0.7) * DAY
            if t_assessed >= now:
                return row, (transitions, actions, access, None)
            assessor = self._routing(index_on(t_assessed), unit.pk, cat_rehab)[2]
            lex_maria = rng.random() < (0.2 if consequence == 4 else 0.03 if consequence == 3 else 0.005)
            row.update(assessor_id=assessor, assessed_at=_dt(t_assessed), lex_maria_decision=lex_maria,
                       assessment="Bedömd av MAS utifrån risk och konsekvens.",
                       lex_maria_motivation="Händelsen har medfört risk för allvarlig vårdskada." if lex_maria
                       else "Ingen allvarlig vårdskada eller risk för sådan.")
            transitions.append({"from_state": "awaiting_mas_assessment", "to_state": "actions", "at": _dt(t_assessed),
                                "actor_id": assessor, "reason": ""})
            if lex_maria:
                lm = t_assessed
            t_actions = t_assessed
        else:
            move("investigating", "actions", t_done, manager)
        deadline = datetime.fromtimestamp(t_actions + rng.randint(14, 45) * DAY, STOCKHOLM).date()
        row.update(state="actions", due_at=_dt(datetime.combine(deadline, datetime.min.time(), STOCKHOLM).timestamp()),
                   updated_at=_dt(t_actions))
        t_closed = math.inf if rng.random() < 0.01 else t_actions + rng.lognormvariate(math.log(18), 0.8) * DAY
        closed = t_closed < now
        for _ in range(1 if rng.random() < 0.7 else 2):
            done = closed or rng.random() < 0.3
            done_at = datetime.fromtimestamp(min(t_closed, now - DAY) if closed else t_actions + DAY, STOCKHOLM).date()
            actions.append({"description": rng.choice(ACTION_TEXTS), "owner_id": self.person_ids[manager],
                            "deadline": deadline, "done_at": done_at if done else None})
        if closed:
            move("actions", "closed", t_closed, manager)
            row.update(state="closed", due_at=None, closed_at=_dt(t_closed), lessons_learned=rng.choice(LESSONS),
                       feedback_to_reporter="Tack för din rapport. Åtgärder har vidtagits på enheten.",
                       updated_at=_dt(t_closed))
        return row, (transitions, actions, access, lm)

    def _lex_maria(self, rng, cases, models_, counters, categories, index_on) -> None:
        if not cases:
            return
        rehab = {pk for pk, _c, r in categories if r}
        Case, Transition = models_["LexMariaCase"], models_["LexMariaTransition"]
        rows, steps = [], []
        for pk, dev, decided in cases:
            decided_d = datetime.fromtimestamp(decided, STOCKHOLM)
            counters[decided_d.year] += 1
            unit = self.unit_objects[dev["unit_id"]]
            route, purchasing, reporter, board_mas = self._chain(
                index=index_on(dev["occurred_at"].timestamp()), unit=unit, rehab=dev["category_id"] in rehab)
            board_id = unit.board_id
            # The steps of SPEC §5, each some days after the previous one, as far as today.
            stamps = [("decided", decided)]
            at = decided
            for state, days in (("patient_informed", (1, 5)), ("analysed", (14, 45)), ("board_informed", (2, 10)),
                                ("reported_to_ivo", (1, 7)), ("ivo_decided", (60, 240)), ("closed", (3, 20))):
                at += rng.uniform(*days) * DAY
                if at >= self.now_ts:
                    break
                stamps.append((state, at))
            state = stamps[-1][0]
            reached = dict(stamps)

            def day(s: str, reached: dict = reached):
                return datetime.fromtimestamp(reached[s], STOCKHOLM).date() if s in reached else None

            row = {"deviation_id": pk, "reference": f"LM-{decided_d.year}-{counters[decided_d.year]:06d}",
                   "route": route, "state": state, "board_id": board_id, "purchasing_board_id": purchasing,
                   "reporter_person_id": reporter, "board_mas_id": board_mas, "decided_by_id": dev.get("assessor_id"),
                   "decided_at": _dt(decided), "motivation": dev["lex_maria_motivation"],
                   "patient_informed_at": day("patient_informed"),
                   "patient_informed_by": "Sjuksköterska" if "patient_informed" in reached else "",
                   "analysis_team": "Enhetschef, sjuksköterska, undersköterska" if "analysed" in reached else "",
                   "analysis_causes": rng.choice(CAUSES) if "analysed" in reached else "",
                   "analysis_actions": rng.choice(LESSONS) if "analysed" in reached else "",
                   "forwarded_by_board_mas_at": day("analysed") if route == LexMariaRoute.CONTRACTOR_VIA_BOARD_MAS
                   and "board_informed" in reached else None,
                   "board_informed_at": day("board_informed"), "ivo_sent_at": day("reported_to_ivo"),
                   "ivo_case_number": f"IVO 3.5.1-{decided_d.year}-{rng.randint(10000, 99999)}"
                   if "reported_to_ivo" in reached else "",
                   "ivo_decision_at": day("ivo_decided"),
                   "ivo_outcome": "IVO avslutar ärendet; vårdgivaren har utrett och vidtagit åtgärder."
                   if "ivo_decided" in reached else "",
                   "closed_at": _dt(reached["closed"]) if "closed" in reached else None,
                   "due_at": None if state in ("closed", "reported_to_ivo")
                   else _dt(stamps[-1][1] + (3 if state == "decided" else 42 if state == "patient_informed" else 7) * DAY),
                   "version": len(stamps) - 1}
            rows.append(row)
            steps.append(stamps)
        ids = self.writer.insert(Case, rows)
        trans = []
        for case_id, stamps, row in zip(ids, steps, rows, strict=True):
            previous = ""
            for state, at in stamps:
                trans.append({"case_id": case_id, "from_state": previous, "to_state": state, "at": _dt(at),
                              "actor_id": row["decided_by_id"], "reason": ""})
                previous = state
        self.writer.insert(Transition, trans)

    # -- follow-up ----------------------------------------------------------------------------------------
    def _followup(self) -> None:
        try:
            FollowUp = apps.get_model("followup", "FollowUp")
        except LookupError:
            self.notes.append("followup models do not exist yet: no follow-ups generated.")
            return
        get = lambda name: apps.get_model("followup", name)  # noqa: E731
        Template = get("ChecklistTemplate")
        template = Template.objects.filter(active=True).order_by("pk").first()
        if template is None:
            self.notes.append("no checklist template: no follow-ups generated.")
            return
        rng = random.Random(f"{self.spec.seed}:{self.plan.number}:followup")
        w, m, plan = self.writer, self.municipality_id, self.plan
        w.insert(get("FollowUpConfig"), [{"municipality_id": m}])
        stamp = _dt(self.start_ts)
        # One plan per external contract (every year) and one per board for egen regi (every unit within 3 years).
        plan_rows, plan_keys = [], []
        for i, c in enumerate(plan.contracts):
            if c["provider"] is None:
                continue
            board = plan.boards[c["managing_board"]]
            plan_rows.append({"municipality_id": m, "title": f"Årlig avtalsuppföljning {c['title']}",
                              "kind": "contract_review", "scope": "contract", "contract_id": self.contract_ids[i],
                              "checklist_template_id": template.pk, "interval_months": 12, "spread_units": False,
                              "starts_on": self.start, "lead_days": 30, "active": True, "created_at": stamp,
                              "auditor_id": self.person_ids[self.auditor_of_region[board[2]]]})
            plan_keys.append(("contract", i))
        for b, board_id in enumerate(self.board_ids):
            plan_rows.append({"municipality_id": m, "title": f"Tillsyn egen regi {plan.boards[b][1]}",
                              "kind": "supervision", "scope": "board", "board_id": board_id,
                              "checklist_template_id": template.pk, "interval_months": 36, "spread_units": True,
                              "starts_on": self.start, "lead_days": 30, "active": True, "created_at": stamp,
                              "auditor_id": self.person_ids[self.auditor_of_region[plan.boards[b][2]]]})
            plan_keys.append(("board", b))
        plan_ids = dict(zip(plan_keys, w.insert(get("FollowUpPlan"), plan_rows), strict=True))

        # Every occurrence of every plan up to the lead time, as the scheduler makes them (followup.services),
        # so that a scheduled run on ``today`` finds them all created.
        try:
            from followup.services import plan_occurrences  # noqa: PLC0415
        except ImportError:
            plan_occurrences = None
        by_pk = {u.pk: u for u in plan.units}
        PlanModel = get("FollowUpPlan")
        followups, meta = [], []
        for (scope, index), row in zip(plan_keys, plan_rows, strict=True):
            if scope == "board":
                covered = sorted((u for u in plan.units if u.board == index), key=lambda u: u.code)
                contract_id = None
            else:
                contract_id = self.contract_ids[index]
                covered = sorted((by_pk[pk] for pk in self.contract_units.get(contract_id, ())), key=lambda u: u.code)
            plan_obj = PlanModel(pk=plan_ids[(scope, index)], starts_on=row["starts_on"], ends_on=None,
                                 interval_months=row["interval_months"], spread_units=row["spread_units"])
            horizon = self.today + timedelta(days=row["lead_days"])
            if plan_occurrences is not None:
                units = [self.unit_objects[u.pk] for u in covered]
                occurrences = [(by_pk[o.unit.pk], o.on) for o in plan_occurrences(plan_obj, until=horizon, units=units)
                               if o.unit is not None]
            else:
                occurrences = []
                for i, u in enumerate(covered):
                    offset = (i * row["interval_months"]) // len(covered) if row["spread_units"] else 0
                    day, k = _add_months(row["starts_on"], offset), 0
                    while day <= horizon:
                        occurrences.append((u, day))
                        k += 1
                        day = _add_months(row["starts_on"], offset + k * row["interval_months"])
            for u, when in occurrences:
                auditor = self.auditor_of_region[plan.boards[u.board][2]]
                if when < self.today - timedelta(days=20):
                    state = "completed" if rng.random() < 0.97 else "cancelled"
                elif when < self.today:
                    state = "in_progress"
                else:
                    state = "planned"
                done_ts = datetime.combine(when, datetime.min.time(), STOCKHOLM).timestamp() + rng.uniform(1, 15) * DAY
                followups.append({
                    "municipality_id": m, "kind": row["kind"], "trigger": "plan", "plan_id": plan_obj.pk,
                    "period_start": when, "unit_id": u.pk,
                    "contract_id": contract_id if contract_id is not None else (
                        self.contract_ids[u.contract] if u.contract is not None else None),
                    "board_id": self.board_ids[u.board], "checklist_template_id": template.pk, "scheduled_date": when,
                    "auditor_id": self.person_ids[auditor], "state": state,
                    "summary": "Uppföljningen visar att verksamheten i huvudsak följer avtalet." if state == "completed" else "",
                    "started_at": _dt(done_ts - DAY) if state in ("completed", "in_progress") else None,
                    "completed_at": _dt(done_ts) if state == "completed" else None,
                    "completed_by_id": self.person_user[auditor] if state == "completed" else None,
                    "created_at": _dt(datetime.combine(when - timedelta(days=30), datetime.min.time(), STOCKHOLM).timestamp()),
                })
                meta.append((u, auditor, done_ts, state))
        followup_ids = w.insert(FollowUp, followups)

        findings, finding_meta = [], []
        areas = ["medication", "physician_contact", "delegation", "records", "deviations", "medical_devices",
                 "rehabilitation", "hygiene"]
        for fid, (u, auditor, done_ts, state) in zip(followup_ids, meta, strict=True):
            if state != "completed":
                continue
            for _ in range(rng.choices((0, 1, 2, 3), weights=(40, 30, 20, 10))[0]):
                severity = "deficiency" if rng.random() < 0.7 else "observation"
                findings.append({"follow_up_id": fid, "area": rng.choice(areas), "severity": severity,
                                 "description": "Brister i dokumentationen av " + rng.choice(["läkemedel", "delegering",
                                                                                              "hygien", "hjälpmedel"]),
                                 "created_by_id": self.person_user[auditor], "created_at": _dt(done_ts)})
                finding_meta.append((u, auditor, done_ts, severity))
        finding_ids = w.insert(get("Finding"), findings)
        actions, action_meta = [], []
        for fid, (u, auditor, done_ts, severity) in zip(finding_ids, finding_meta, strict=True):
            if severity != "deficiency":
                continue
            deadline = datetime.fromtimestamp(done_ts + rng.randint(30, 90) * DAY, STOCKHOLM).date()
            old = deadline < self.today - timedelta(days=30)
            roll = rng.random()
            state = ("verified" if roll < 0.88 else "reported_done" if roll < 0.93 else "open") if old else \
                ("open" if roll < 0.6 else "reported_done" if roll < 0.85 else "verified")
            reported_ts = min(datetime.combine(deadline, datetime.min.time(), STOCKHOLM).timestamp() - rng.uniform(0, 10) * DAY,
                              self.now_ts - DAY)
            verified_ts = min(reported_ts + rng.uniform(1, 14) * DAY, self.now_ts - 3600)
            owner = self.unit_manager[u.pk]
            actions.append({"finding_id": fid, "description": rng.choice(ACTION_TEXTS), "owner_id": self.person_ids[owner],
                            "deadline": deadline, "state": state,
                            "report_note": "Åtgärden är genomförd." if state != "open" else "",
                            "reported_done_at": _dt(reported_ts) if state != "open" else None,
                            "reported_done_by_id": self.person_user[owner] if state != "open" else None,
                            "verified_by_id": self.person_user[auditor] if state == "verified" else None,
                            "verified_at": _dt(verified_ts) if state == "verified" else None,
                            "created_by_id": self.person_user[auditor], "created_at": _dt(done_ts)})
            action_meta.append((owner, auditor, state, reported_ts, verified_ts))
        action_ids = w.insert(get("Action"), actions)
        transitions = []
        for aid, (owner, auditor, state, reported_ts, verified_ts) in zip(action_ids, action_meta, strict=True):
            if state in ("reported_done", "verified"):
                transitions.append({"action_id": aid, "from_state": "open", "to_state": "reported_done",
                                    "actor_id": self.person_user[owner], "at": _dt(reported_ts), "reason": ""})
            if state == "verified":
                transitions.append({"action_id": aid, "from_state": "reported_done", "to_state": "verified",
                                    "actor_id": self.person_user[auditor], "at": _dt(verified_ts), "reason": ""})
        w.insert(get("ActionTransition"), transitions)

        # Delegations: three current per unit (some expiring soon) and the ones they replaced.
        delegations = []
        for u in plan.units:
            nurse = self.person_ids[self.unit_nurse[u.pk]]
            for staff in self.unit_staff[u.pk]:
                valid_from = self.today - timedelta(days=rng.randint(0, 360))
                for k in range(2):
                    vf = valid_from - timedelta(days=365 * k)
                    delegations.append({"municipality_id": m, "from_person_id": nurse,
                                        "to_person_id": self.person_ids[staff], "unit_id": u.pk,
                                        "tasks": "Överlämnande av läkemedel ur dosrulle; insulininjektion",
                                        "valid_from": vf, "valid_to": vf + timedelta(days=364), "created_at": _dt(
                                            datetime.combine(vf, datetime.min.time(), STOCKHOLM).timestamp())})
        w.insert(get("Delegation"), delegations)
        routines = []
        for title in ("Läkemedelshantering", "Avvikelsehantering", "Delegering", "Basal hygien",
                      "Medicintekniska produkter", "Journalföring", "Lex Maria", "Fallprevention"):
            routines.append({"municipality_id": m, "title": f"Rutin för {title.lower()}",
                             "owner_id": self.person_ids[self.region_mas[0]], "level": "routine", "scope": "municipality",
                             "version": "1.0", "adopted_on": self.start,
                             "next_revision": self.today + timedelta(days=rng.randint(-20, 400)), "active": True})
        w.insert(get("Routine"), routines)


def _add_months(d: date, months: int) -> date:
    month = d.month - 1 + months
    year, month = d.year + month // 12, month % 12 + 1
    return date(year, month, min(d.day, 28))


# --- entry point ----------------------------------------------------------------------------------


@dataclass
class VolumeResult:
    counts: Counter
    created: list[str]
    skipped: list[str]
    notes: list[str]
    seconds: float


def generate(*, spec: VolumeSpec, progress: Progress | None = None) -> VolumeResult:
    """Generate ``spec.municipalities`` municipalities and their data; skip those that exist."""
    started = time.monotonic()
    numbers = list(range(spec.first, spec.first + spec.municipalities))
    plans = [plan_municipality(spec=spec, number=n) for n in numbers]
    total_weight = sum(p.weight for p in plans) or 1.0
    shares = [int(spec.deviations * p.weight / total_weight) for p in plans]
    for i in range(spec.deviations - sum(shares)):
        shares[i % len(shares)] += 1
    existing = set(Municipality.objects.filter(code__in=[p.code for p in plans]).values_list("code", flat=True))
    progress = progress or Progress(total=spec.deviations, enabled=False)
    progress.total = max(sum(s for p, s in zip(plans, shares, strict=True) if p.code not in existing), 1)
    stamp = datetime.combine(spec.today, datetime.min.time(), STOCKHOLM)
    writer = RowWriter(batch_size=spec.batch_size, stamp=stamp)
    codec = PatientCodec()
    password_hash = make_password(PASSWORD, salt=_PASSWORD_SALT)
    created, skipped, notes = [], [], []
    superuser = False
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            superuser = bool(cursor.fetchone()[0])
    for plan, share in zip(plans, shares, strict=True):
        if plan.code in existing:
            skipped.append(plan.code)
            continue
        builder = MunicipalityBuilder(spec=spec, plan=plan, n_deviations=share, writer=writer, progress=progress,
                                      codec=codec, password_hash=password_hash)
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
                    if superuser:
                        # Rows are consistent by construction: skip the per-row foreign-key triggers (as
                        # pg_restore --disable-triggers does). Checks and unique indexes still apply.
                        cursor.execute("SET LOCAL session_replication_role TO replica")
            builder.build()
            if superuser:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role TO DEFAULT")
        created.append(plan.code)
        notes.extend(n for n in builder.notes if n not in notes)
    progress.finish()
    if created and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for label in {label for label, _n in writer.counts.items()}:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(apps.get_model(label)._meta.db_table)}")
    return VolumeResult(writer.counts, created, skipped, notes, time.monotonic() - started)
