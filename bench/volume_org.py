"""Volume data (bench): a municipality's organisation, people and assignments."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model

from bench.volume_data import (
    FIRST_NAMES,
    LAST_NAMES,
    STOCKHOLM,
    MunicipalityPlan,
    PatientCodec,
    VolumeSpec,
    _dt,
    org_number,
)
from bench.volume_rows import Progress, RowWriter
from responsibility.choices import (
    AssignmentKind,
    OperatingForm,
    Profession,
    ProviderKind,
    Role,
)
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


class OrgBuilder:
    """Writes one planned municipality: organisation, people, deviations, Lex Maria, follow-up."""

    def __init__(
        self,
        *,
        spec: VolumeSpec,
        plan: MunicipalityPlan,
        n_deviations: int,
        writer: RowWriter,
        progress: Progress,
        codec: PatientCodec,
        password_hash: str,
    ):
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
        self.municipality_id = w.insert(
            Municipality, [{"name": plan.name, "code": plan.code, "org_number": org_number("212", plan.number)}]
        )[0]
        m = self.municipality_id
        self.region_ids = w.insert(Region, [{"municipality_id": m, "code": c, "name": n} for c, n in plan.regions])
        self.board_ids = w.insert(
            Board,
            [{"municipality_id": m, "code": c, "name": n, "region_id": self.region_ids[r]} for c, n, r in plan.boards],
        )
        # Host boards: the first board of each region.
        for r, region_id in enumerate(self.region_ids):
            host = next(self.board_ids[b] for b, (_c, _n, rr) in enumerate(plan.boards) if rr == r)
            Region.objects.filter(pk=region_id).update(host_board_id=host)
        self.provider_ids = w.insert(
            CareProvider,
            [
                {
                    "municipality_id": m,
                    "name": n,
                    "kind": k,
                    "org_number": o,
                    "board_id": self.board_ids[b] if b is not None else None,
                }
                for n, k, o, b in plan.providers
            ],
        )
        contract_rows = []
        for c in plan.contracts:
            row = {
                k: v for k, v in c.items() if k not in ("provider", "managing_board", "purchasing_board", "successor")
            }
            row.update(
                municipality_id=m,
                provider_id=self.provider_ids[c["provider"]] if c["provider"] is not None else None,
                managing_board_id=self.board_ids[c["managing_board"]],
                purchasing_board_id=self.board_ids[c["purchasing_board"]],
            )
            contract_rows.append(row)
        self.contract_ids = w.insert(Contract, contract_rows)
        # Contracts that were replaced: an ended predecessor with the successor set.
        ended_rows, replaced = [], []
        for i, c in enumerate(plan.contracts):
            if c["provider"] is None or i % 4:
                continue
            ended_rows.append(
                {
                    **contract_rows[i],
                    "case_number": f"{c['case_number']}-tidigare",
                    "title": f"{c['title']} (tidigare)",
                    "valid_from": c["valid_from"] - timedelta(days=1460),
                    "valid_to": c["valid_from"] - timedelta(days=1),
                    "successor_id": self.contract_ids[i],
                }
            )
            replaced.append(i)
        w.insert(Contract, ended_rows)

        unit_rows, periods, covered = [], [], set()
        for u in plan.units:
            contract_id = self.contract_ids[u.contract] if u.contract is not None else None
            unit_rows.append(
                {
                    "municipality_id": m,
                    "code": u.code,
                    "name": u.name,
                    "unit_type": u.unit_type,
                    "board_id": self.board_ids[u.board],
                    "provider_id": self.provider_ids[u.provider],
                    "operating_form": u.form,
                    "contract_id": contract_id,
                    "places": u.places,
                    "provides_health_care": True,
                    "provides_rehabilitation": u.rehab,
                    "active_from": self.start - timedelta(days=365 * 2),
                    "active_to": None,
                }
            )
        unit_ids = w.insert(Unit, unit_rows)
        for u, pk in zip(plan.units, unit_ids, strict=True):
            u.pk = pk
            contract_id = self.contract_ids[u.contract] if u.contract is not None else None
            first_from = self.start - timedelta(days=365 * 2)
            if u.previous is not None:
                prev_provider, prev_contract, change = u.previous
                periods.append(
                    {
                        "unit_id": pk,
                        "valid_from": first_from,
                        "valid_to": change - timedelta(days=1),
                        "provider_id": self.provider_ids[prev_provider],
                        "operating_form": OperatingForm.CONTRACT,
                        "contract_id": self.contract_ids[prev_contract],
                    }
                )
                covered.add((self.contract_ids[prev_contract], pk))
                first_from = change
            periods.append(
                {
                    "unit_id": pk,
                    "valid_from": first_from,
                    "valid_to": None,
                    "provider_id": self.provider_ids[u.provider],
                    "operating_form": u.form,
                    "contract_id": contract_id,
                }
            )
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
            people.append(
                {
                    "municipality_id": m,
                    "first_name": rng.choice(FIRST_NAMES),
                    "last_name": rng.choice(LAST_NAMES),
                    "email": f"{key}@{plan.code}.volym.example",
                    "title": title,
                    "profession": profession,
                    "licensed": licensed,
                    "username": f"{plan.code}-{key}" if login else None,
                }
            )
            return len(people) - 1

        def assign(
            p: int,
            role: str,
            scope: str,
            scope_id: int,
            *,
            valid_from: date | None = None,
            valid_to: date | None = None,
            kind: str = AssignmentKind.STATUTORY,
            deputy_of: int | None = None,
            mandate: bool = True,
        ) -> int:
            row = {
                "role": role,
                "kind": kind,
                f"{scope}_id": scope_id,
                "valid_from": valid_from or self.start - timedelta(days=700),
                "valid_to": valid_to,
                "has_staffing_mandate": mandate,
                "basis": "",
                "deputy_of": deputy_of,
            }
            assignments.append((p, row))
            return len(assignments) - 1

        def with_history(
            key: str,
            profession: str,
            title: str,
            role: str,
            scope: str,
            scope_id: int,
            *,
            kind: str = AssignmentKind.STATUTORY,
            share: float = 0.3,
        ) -> tuple[int, int]:
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
            mas, mas_a = with_history(
                f"mas-r{r + 1}", Profession.NURSE, "Medicinskt ansvarig sjuksköterska", Role.MAS, "region", region_id
            )
            self.region_mas[r] = mas
            with_history(
                f"mar-r{r + 1}",
                Profession.PHYSIOTHERAPIST,
                "Medicinskt ansvarig för rehabilitering",
                Role.MAR,
                "region",
                region_id,
            )
            deputy = person(f"mas-ersattare-r{r + 1}", Profession.NURSE, "Sjuksköterska, ersättare", login=True)
            for year in range(self.start.year, self.today.year + 1):
                holiday = date(year, 7, 6)
                if self.start <= holiday and holiday + timedelta(days=27) < self.today:
                    holder_a = mas_a if assignments[mas_a][1]["valid_from"] <= holiday else mas_a - 1
                    assign(
                        deputy,
                        Role.MAS,
                        "region",
                        region_id,
                        valid_from=holiday,
                        valid_to=holiday + timedelta(days=27),
                        deputy_of=holder_a,
                    )
            auditor = person(f"kvalitet-r{r + 1}", Profession.NURSE, "Kvalitetsuppföljare", login=True)
            assign(auditor, Role.QUALITY_AUDITOR, "region", region_id, kind=AssignmentKind.FOLLOW_UP)
            self.auditor_of_region[r] = auditor
        for b, board_id in enumerate(self.board_ids):
            official = person(f"tjansteman-b{b + 1}", Profession.ADMINISTRATOR, "Nämndsekreterare", login=True)
            assign(official, Role.BOARD_OFFICIAL, "board", board_id, kind=AssignmentKind.FOLLOW_UP)
            with_history(
                f"vc-b{b + 1}",
                Profession.MANAGER,
                "Verksamhetschef",
                Role.OPERATIONS_MANAGER,
                "provider",
                self.provider_ids[b],
            )
            region = plan.boards[b][2]
            assign(self.region_mas[region], Role.LEX_MARIA_REPORTER, "provider", self.provider_ids[b])
        for p, (_n, kind, _o, _b) in enumerate(plan.providers):
            if kind == ProviderKind.MUNICIPAL:
                continue
            pid = self.provider_ids[p]
            with_history(
                f"vc-p{p + 1}", Profession.MANAGER, "Verksamhetschef", Role.OPERATIONS_MANAGER, "provider", pid
            )
            mas, _a = with_history(f"mas-p{p + 1}", Profession.NURSE, "MAS", Role.MAS, "provider", pid, share=0.2)
            assign(mas, Role.LEX_MARIA_REPORTER, "provider", pid)
            mar = person(f"mar-p{p + 1}", Profession.OCCUPATIONAL_THERAPIST, "MAR", login=True)
            assign(mar, Role.MAR, "provider", pid, valid_from=date(2026, 7, 1) if p % 5 == 0 else None)
        self.unit_manager: dict[int, int] = {}
        self.unit_staff: dict[int, list[int]] = {}
        self.unit_nurse: dict[int, int] = {}
        for u in plan.units:
            key = u.code
            ec, _a = with_history(
                f"ec-{key}",
                Profession.MANAGER,
                "Enhetschef",
                Role.UNIT_MANAGER,
                "unit",
                u.pk,
                kind=AssignmentKind.FOLLOW_UP,
                share=0.2,
            )
            staff = [
                person(f"personal{i}-{key}", Profession.ASSISTANT_NURSE, "Undersköterska", login=True, licensed=False)
                for i in (1, 2)
            ]
            nurse = person(f"ssk-{key}", Profession.NURSE, "Sjuksköterska", login=False)
            for p in [ec, *staff, nurse]:
                assign(p, Role.REPORTER, "unit", u.pk, kind=AssignmentKind.FOLLOW_UP)
            self.unit_manager[u.pk], self.unit_staff[u.pk], self.unit_nurse[u.pk] = ec, staff, nurse

        # Logins first, then people pointing at them, then assignments (deputies after their holders).
        User = get_user_model()
        user_rows = [
            {
                "username": row["username"],
                "first_name": row["first_name"],
                "last_name": row["last_name"],
                "email": row["email"],
                "password": self.password_hash,
                "is_active": True,
                "date_joined": _dt(self.start_ts),
            }
            for row in people
            if row["username"]
        ]
        user_ids = iter(w.insert(User, user_rows))
        for row in people:
            row["user_id"] = next(user_ids) if row.pop("username") else None
        self.person_ids = w.insert(Person, people)
        self.person_user = {i: row["user_id"] for i, row in enumerate(people)}
        plain = [(i, p, row) for i, (p, row) in enumerate(assignments) if row["deputy_of"] is None]
        ids = w.insert(
            Assignment,
            [
                {**{k: v for k, v in row.items() if k != "deputy_of"}, "person_id": self.person_ids[p]}
                for _i, p, row in plain
            ],
        )
        assignment_pk = {i: pk for (i, _p, _r), pk in zip(plain, ids, strict=True)}
        w.insert(
            Assignment,
            [
                {
                    **{k: v for k, v in row.items() if k != "deputy_of"},
                    "person_id": self.person_ids[p],
                    "deputy_for_id": assignment_pk[row["deputy_of"]],
                }
                for p, row in assignments
                if row["deputy_of"] is not None
            ],
        )
