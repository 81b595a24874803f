"""Volume data (bench): deviations and Lex Maria cases, routed by the routing engine on a prebuilt index."""

from __future__ import annotations

import bisect
import math
import random
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from itertools import accumulate

from django.apps import apps

from bench.volume_data import (
    ACTION_TEXTS,
    CATEGORIES,
    CAUSES,
    DAY,
    DESCRIPTIONS,
    IMMEDIATE,
    LESSONS,
    STOCKHOLM,
    UnitPlan,
    _dt,
    add_working_days,
    personnummer,
)
from bench.volume_org import OrgBuilder
from incidents.lexmaria.routing import resolve_chain
from incidents.models import Deviation, DeviationCategory
from incidents.routing import RoutingIndex, RoutingIndexes, copies_board_mas, duty_owner
from responsibility.choices import (
    LexMariaRoute,
)
from responsibility.models import (
    Municipality,
    Unit,
)
from responsibility.resolver import units_with_board


class EventsBuilder(OrgBuilder):
    # -- deviations ------------------------------------------------------------------------------------
    def _categories(self) -> list[tuple[int, str, bool]]:
        m = self.municipality_id
        ids = self.writer.insert(
            apps.get_model("incidents", "DeviationCategory"),
            [
                {
                    "municipality_id": m,
                    "code": code,
                    "name": name,
                    "is_rehabilitation": rehab,
                    "always_to_mas": False,
                    "active": True,
                    "order": i * 10,
                }
                for i, (code, name, _w, rehab) in enumerate(CATEGORIES)
            ],
        )
        return [(pk, code, rehab) for pk, (code, _n, _w, rehab) in zip(ids, CATEGORIES, strict=True)]

    def _indexes(self) -> Callable[[float], RoutingIndex]:
        """The routing engine's index per quarter, built on first use (holders are resolved, never guessed).

        ``incidents.routing.RoutingIndex`` holds the municipality's units and one virtual egen-regi unit per board
        (the board's own MAS/MAR), so precedence stays in the resolver.
        """
        units = list(units_with_board(Unit.objects.filter(municipality_id=self.municipality_id)))
        self.unit_objects = {u.pk: u for u in units}
        indexes = RoutingIndexes(units)

        def index_on(ts: float) -> RoutingIndex:
            d = datetime.fromtimestamp(ts, STOCKHOLM).date()
            quarter = date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)
            return indexes.on(min(quarter + timedelta(days=45), self.today))

        return index_on

    def _routing(self, index, unit_pk: int, rehab: bool) -> tuple[str, int | None, int | None, int | None]:
        """(duty role, MAS/MAR person, their login, board's MAS for the information copy) on the index's date.

        The duty holder is ``incidents.routing.duty_owner`` on the quarter's index (the MAR for
        rehabilitation, else the MAS; nobody when the register leaves it unclear); the copy goes to the
        board's MAS when ``incidents.routing.copies_board_mas`` says the contract in force asks for it.
        """
        key = (index.on, unit_pk, rehab)
        if key not in self._routes:
            unit = self.unit_objects[unit_pk]
            owner = duty_owner(index=index, unit=unit, rehabilitation=rehab)
            role, holder = owner.role, (None if owner.unclear else owner.person)
            copy = None
            if copies_board_mas(index.register.operation(unit).contract_in_force):
                board_mas = index.board_holder(unit.board, role).holder
                if board_mas is not None and (holder is None or board_mas.pk != holder.pk):
                    copy = board_mas.pk
            self._routes[key] = (role, holder.pk if holder else None, holder.user_id if holder else None, copy)
        return self._routes[key]

    def _chain(self, *, index: RoutingIndex, unit: Unit, category: DeviationCategory) -> dict:
        """The Lex Maria chain of a case on ``unit`` as ``incidents.lexmaria.routing.resolve_chain`` resolves it
        on the quarter's index: route, purchasing board, reporter (or the fallback) and the board's MAS."""
        chain = resolve_chain(Deviation(unit_id=unit.pk, category=category), index=index)

        def pk(obj):
            return obj.pk if obj is not None else None

        return {
            "route": chain.route,
            "purchasing_board_id": pk(chain.purchasing_board),
            "reporter_person_id": pk(chain.reporter),
            "reporter_deputy_for_id": pk(chain.reporter_deputy_for),
            "board_mas_id": pk(chain.board_mas),
            "owner_unclear_reason": chain.unclear_reason,
            "fallback_person_id": pk(chain.fallback),
        }

    def _deviations(self) -> None:
        models_ = {
            name: apps.get_model("incidents", name)
            for name in (
                "Deviation",
                "DeviationTransition",
                "DeviationAction",
                "PatientDataAccess",
                "LexMariaCase",
                "LexMariaTransition",
                "ReferenceCounter",
            )
        }
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
            reported = discovered + (
                rng.uniform(300, 8 * 3600) if rng.random() < 0.7 else rng.uniform(8 * 3600, 3 * DAY)
            )
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
            batch = events[batch_start : batch_start + self.spec.batch_size]
            rows, children = [], []
            for reported, occurred, discovered, unit in batch:
                row, kids = self._deviation(
                    rng,
                    reported,
                    occurred,
                    discovered,
                    unit,
                    categories,
                    cat_cum,
                    investigation_days,
                    threshold,
                    cons_threshold,
                    index_on,
                )
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
        self.writer.insert(
            RC,
            [
                {"municipality_id": self.municipality_id, "prefix": "AV", "year": y, "last": last}
                for y, last in sorted(counters.items())
            ]
            + [
                {"municipality_id": self.municipality_id, "prefix": "LM", "year": y, "last": last}
                for y, last in sorted(lm_counters.items())
            ],
        )

    def _deviation(
        self,
        rng,
        reported,
        occurred,
        discovered,
        unit: UnitPlan,
        categories,
        cat_cum,
        investigation_days,
        threshold,
        cons_threshold,
        index_on,
    ):
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
            "municipality_id": self.municipality_id,
            "unit_id": unit.pk,
            "occurred_at": _dt(occurred),
            "discovered_at": _dt(discovered),
            "reported_at": _dt(reported),
            "reporter_id": self.person_user[reporter_p],
            "reported_on_behalf_of": "Nattpersonal, undersköterska" if on_behalf else "",
            "category_id": cat_pk,
            "event_kind": "occurred" if rng.random() < 0.8 else "risk",
            "description": rng.choice(DESCRIPTIONS[cat_code]),
            "immediate_actions": rng.choice(IMMEDIATE),
            "patient_identifier_encrypted": "",
            "patient_hash": "",
            "consequence": consequence,
            "probability": probability,
            "risk_score": risk,
            "created_at": _dt(reported),
            "updated_at": _dt(reported),
            "version": 0,
        }
        if self.codec.available and rng.random() < (0.75 if row["event_kind"] == "occurred" else 0.4):
            patient_no = self.plan.number * 10_000_000 + unit.pk % 100_000 * 50 + rng.randrange(max(unit.places, 10))
            row["patient_identifier_encrypted"], row["patient_hash"] = self.codec.encode(personnummer(patient_no))
        transitions: list[dict] = []
        actions: list[dict] = []
        access: list[dict] = []
        lm = None

        def move(from_state: str, to_state: str, at: float, actor_p: int | None, reason: str = "") -> None:
            transitions.append(
                {
                    "from_state": from_state,
                    "to_state": to_state,
                    "at": _dt(at),
                    "actor_id": self.person_user.get(actor_p) if actor_p is not None else None,
                    "reason": reason,
                }
            )

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
                row.update(
                    state="rejected",
                    due_at=None,
                    investigator_id=self.person_user[manager],
                    rejection_reason="Händelsen gäller inte hälso- och sjukvård.",
                    updated_at=_dt(rejected),
                )
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
                access.append(
                    {
                        "user_id": self.person_user[manager],
                        "at": _dt(min(t_inv + rng.uniform(0, 2) * DAY, now)),
                        "unit_id": unit.pk,
                        "patient_hash": row["patient_hash"],
                        "action": "view",
                    }
                )
        stuck = rng.random() < 0.004
        t_done = math.inf if stuck else t_inv + rng.lognormvariate(math.log(8), 0.6) * DAY
        if t_done >= now:
            return row, (transitions, actions, access, None)
        row.update(cause_analysis=rng.choice(CAUSES), updated_at=_dt(t_done))
        t_actions = t_done
        if high:
            move("investigating", "awaiting_mas_assessment", t_done, manager)
            row.update(state="awaiting_mas_assessment", due_at=_dt(add_working_days(t_done, self.assessment_days)))
            t_assessed = math.inf if rng.random() < 0.005 else t_done + rng.lognormvariate(math.log(2), 0.7) * DAY
            if t_assessed >= now:
                return row, (transitions, actions, access, None)
            assessor = self._routing(index_on(t_assessed), unit.pk, cat_rehab)[2]
            lex_maria = rng.random() < (0.2 if consequence == 4 else 0.03 if consequence == 3 else 0.005)
            row.update(
                assessor_id=assessor,
                assessed_at=_dt(t_assessed),
                lex_maria_decision=lex_maria,
                assessment="Bedömd av MAS utifrån risk och konsekvens.",
                lex_maria_motivation="Händelsen har medfört risk för allvarlig vårdskada."
                if lex_maria
                else "Ingen allvarlig vårdskada eller risk för sådan.",
            )
            transitions.append(
                {
                    "from_state": "awaiting_mas_assessment",
                    "to_state": "actions",
                    "at": _dt(t_assessed),
                    "actor_id": assessor,
                    "reason": "",
                }
            )
            if lex_maria:
                lm = t_assessed
            t_actions = t_assessed
        else:
            move("investigating", "actions", t_done, manager)
        deadline = datetime.fromtimestamp(t_actions + rng.randint(14, 45) * DAY, STOCKHOLM).date()
        row.update(
            state="actions",
            due_at=_dt(datetime.combine(deadline, datetime.min.time(), STOCKHOLM).timestamp()),
            updated_at=_dt(t_actions),
        )
        t_closed = math.inf if rng.random() < 0.01 else t_actions + rng.lognormvariate(math.log(18), 0.8) * DAY
        closed = t_closed < now
        for _ in range(1 if rng.random() < 0.7 else 2):
            done = closed or rng.random() < 0.3
            done_at = datetime.fromtimestamp(min(t_closed, now - DAY) if closed else t_actions + DAY, STOCKHOLM).date()
            actions.append(
                {
                    "description": rng.choice(ACTION_TEXTS),
                    "owner_id": self.person_ids[manager],
                    "deadline": deadline,
                    "done_at": done_at if done else None,
                }
            )
        if closed:
            move("actions", "closed", t_closed, manager)
            row.update(
                state="closed",
                due_at=None,
                closed_at=_dt(t_closed),
                lessons_learned=rng.choice(LESSONS),
                feedback_to_reporter="Tack för din rapport. Åtgärder har vidtagits på enheten.",
                updated_at=_dt(t_closed),
            )
        return row, (transitions, actions, access, lm)

    def _lex_maria(self, rng, cases, models_, counters, categories, index_on) -> None:
        if not cases:
            return
        category_objects = {pk: DeviationCategory(pk=pk, code=code, is_rehabilitation=r) for pk, code, r in categories}
        Case, Transition = models_["LexMariaCase"], models_["LexMariaTransition"]
        rows, steps = [], []
        for pk, dev, decided in cases:
            decided_d = datetime.fromtimestamp(decided, STOCKHOLM)
            counters[decided_d.year] += 1
            unit = self.unit_objects[dev["unit_id"]]
            chain = self._chain(
                index=index_on(dev["occurred_at"].timestamp()), unit=unit, category=category_objects[dev["category_id"]]
            )
            route = chain["route"]
            board_id = unit.board_id
            # The steps of SPEC §5, each some days after the previous one, as far as today.
            stamps = [("decided", decided)]
            at = decided
            for state, days in (
                ("patient_informed", (1, 5)),
                ("analysed", (14, 45)),
                ("board_informed", (2, 10)),
                ("reported_to_ivo", (1, 7)),
                ("ivo_decided", (60, 240)),
                ("closed", (3, 20)),
            ):
                at += rng.uniform(*days) * DAY
                if at >= self.now_ts:
                    break
                stamps.append((state, at))
            state = stamps[-1][0]
            reached = dict(stamps)

            def day(s: str, reached: dict = reached):
                return datetime.fromtimestamp(reached[s], STOCKHOLM).date() if s in reached else None

            row = {
                "deviation_id": pk,
                "reference": f"LM-{decided_d.year}-{counters[decided_d.year]:06d}",
                **chain,
                "state": state,
                "board_id": board_id,
                "decided_by_id": dev.get("assessor_id"),
                "decided_at": _dt(decided),
                "motivation": dev["lex_maria_motivation"],
                "patient_informed_at": day("patient_informed"),
                "patient_informed_by": "Sjuksköterska" if "patient_informed" in reached else "",
                "analysis_team": "Enhetschef, sjuksköterska, undersköterska" if "analysed" in reached else "",
                "analysis_causes": rng.choice(CAUSES) if "analysed" in reached else "",
                "analysis_actions": rng.choice(LESSONS) if "analysed" in reached else "",
                "forwarded_by_board_mas_at": day("analysed")
                if route == LexMariaRoute.CONTRACTOR_VIA_BOARD_MAS and "board_informed" in reached
                else None,
                "board_informed_at": day("board_informed"),
                "ivo_sent_at": day("reported_to_ivo"),
                "ivo_case_number": f"IVO 3.5.1-{decided_d.year}-{rng.randint(10000, 99999)}"
                if "reported_to_ivo" in reached
                else "",
                "ivo_decision_at": day("ivo_decided"),
                "ivo_outcome": "IVO avslutar ärendet; vårdgivaren har utrett och vidtagit åtgärder."
                if "ivo_decided" in reached
                else "",
                "closed_at": _dt(reached["closed"]) if "closed" in reached else None,
                "due_at": None
                if state in ("closed", "reported_to_ivo")
                else _dt(stamps[-1][1] + (3 if state == "decided" else 42 if state == "patient_informed" else 7) * DAY),
                "version": len(stamps) - 1,
            }
            rows.append(row)
            steps.append(stamps)
        ids = self.writer.insert(Case, rows)
        trans = []
        for case_id, stamps, row in zip(ids, steps, rows, strict=True):
            previous = ""
            for state, at in stamps:
                trans.append(
                    {
                        "case_id": case_id,
                        "from_state": previous,
                        "to_state": state,
                        "at": _dt(at),
                        "actor_id": row["decided_by_id"],
                        "reason": "",
                    }
                )
                previous = state
        self.writer.insert(Transition, trans)
