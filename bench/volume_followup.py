"""Volume data (bench): planned follow-ups, their findings and actions, routines."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.apps import apps

from bench.volume_data import (
    ACTION_TEXTS,
    DAY,
    STOCKHOLM,
    _add_months,
    _dt,
)
from bench.volume_events import EventsBuilder


class MunicipalityBuilder(EventsBuilder):
    """Writes one municipality: organisation, people, deviations, Lex Maria cases, follow-up."""

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
        stamp = _dt(self.start_ts)
        # One plan per external contract (every year) and one per board for egen regi (every unit within 3 years).
        plan_rows, plan_keys = [], []
        for i, c in enumerate(plan.contracts):
            if c["provider"] is None:
                continue
            board = plan.boards[c["managing_board"]]
            plan_rows.append(
                {
                    "municipality_id": m,
                    "title": f"Årlig avtalsuppföljning {c['title']}",
                    "kind": "contract_review",
                    "scope": "contract",
                    "contract_id": self.contract_ids[i],
                    "checklist_template_id": template.pk,
                    "interval_months": 12,
                    "spread_units": False,
                    "starts_on": self.start,
                    "lead_days": 30,
                    "active": True,
                    "created_at": stamp,
                    "auditor_id": self.person_ids[self.auditor_of_region[board[2]]],
                }
            )
            plan_keys.append(("contract", i))
        for b, board_id in enumerate(self.board_ids):
            plan_rows.append(
                {
                    "municipality_id": m,
                    "title": f"Tillsyn egen regi {plan.boards[b][1]}",
                    "kind": "supervision",
                    "scope": "board",
                    "board_id": board_id,
                    "checklist_template_id": template.pk,
                    "interval_months": 36,
                    "spread_units": True,
                    "starts_on": self.start,
                    "lead_days": 30,
                    "active": True,
                    "created_at": stamp,
                    "auditor_id": self.person_ids[self.auditor_of_region[plan.boards[b][2]]],
                }
            )
            plan_keys.append(("board", b))
        plan_ids = dict(zip(plan_keys, w.insert(get("FollowUpPlan"), plan_rows), strict=True))

        # Every occurrence of every plan up to the lead time, as the scheduler makes them (followup.plans),
        # so that a scheduled run on ``today`` finds them all created.
        try:
            from followup.plans import plan_occurrences  # noqa: PLC0415
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
            plan_obj = PlanModel(
                pk=plan_ids[(scope, index)],
                starts_on=row["starts_on"],
                ends_on=None,
                interval_months=row["interval_months"],
                spread_units=row["spread_units"],
            )
            horizon = self.today + timedelta(days=row["lead_days"])
            if plan_occurrences is not None:
                units = [self.unit_objects[u.pk] for u in covered]
                occurrences = [
                    (by_pk[o.unit.pk], o.on)
                    for o in plan_occurrences(plan_obj, until=horizon, units=units)
                    if o.unit is not None
                ]
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
                followups.append(
                    {
                        "municipality_id": m,
                        "kind": row["kind"],
                        "trigger": "plan",
                        "plan_id": plan_obj.pk,
                        "period_start": when,
                        "unit_id": u.pk,
                        "contract_id": contract_id
                        if contract_id is not None
                        else (self.contract_ids[u.contract] if u.contract is not None else None),
                        "board_id": self.board_ids[u.board],
                        "checklist_template_id": template.pk,
                        "scheduled_date": when,
                        "auditor_id": self.person_ids[auditor],
                        "state": state,
                        "summary": "Uppföljningen visar att verksamheten i huvudsak följer avtalet."
                        if state == "completed"
                        else "",
                        "started_at": _dt(done_ts - DAY) if state in ("completed", "in_progress") else None,
                        "completed_at": _dt(done_ts) if state == "completed" else None,
                        "completed_by_id": self.person_user[auditor] if state == "completed" else None,
                        "created_at": _dt(
                            datetime.combine(when - timedelta(days=30), datetime.min.time(), STOCKHOLM).timestamp()
                        ),
                    }
                )
                meta.append((u, auditor, done_ts, state))
        followup_ids = w.insert(FollowUp, followups)

        findings, finding_meta = [], []
        areas = [
            "medication",
            "physician_contact",
            "delegation",
            "records",
            "deviations",
            "medical_devices",
            "rehabilitation",
            "hygiene",
        ]
        for fid, (u, auditor, done_ts, state) in zip(followup_ids, meta, strict=True):
            if state != "completed":
                continue
            for _ in range(rng.choices((0, 1, 2, 3), weights=(40, 30, 20, 10))[0]):
                severity = "deficiency" if rng.random() < 0.7 else "observation"
                findings.append(
                    {
                        "follow_up_id": fid,
                        "area": rng.choice(areas),
                        "severity": severity,
                        "description": "Brister i dokumentationen av "
                        + rng.choice(["läkemedel", "delegering", "hygien", "hjälpmedel"]),
                        "created_by_id": self.person_user[auditor],
                        "created_at": _dt(done_ts),
                    }
                )
                finding_meta.append((u, auditor, done_ts, severity))
        finding_ids = w.insert(get("Finding"), findings)
        actions, action_meta = [], []
        for fid, (u, auditor, done_ts, severity) in zip(finding_ids, finding_meta, strict=True):
            if severity != "deficiency":
                continue
            deadline = datetime.fromtimestamp(done_ts + rng.randint(30, 90) * DAY, STOCKHOLM).date()
            old = deadline < self.today - timedelta(days=30)
            roll = rng.random()
            state = (
                ("verified" if roll < 0.88 else "reported_done" if roll < 0.93 else "open")
                if old
                else ("open" if roll < 0.6 else "reported_done" if roll < 0.85 else "verified")
            )
            reported_ts = min(
                datetime.combine(deadline, datetime.min.time(), STOCKHOLM).timestamp() - rng.uniform(0, 10) * DAY,
                self.now_ts - DAY,
            )
            verified_ts = min(reported_ts + rng.uniform(1, 14) * DAY, self.now_ts - 3600)
            owner = self.unit_manager[u.pk]
            actions.append(
                {
                    "finding_id": fid,
                    "description": rng.choice(ACTION_TEXTS),
                    "owner_id": self.person_ids[owner],
                    "deadline": deadline,
                    "state": state,
                    "report_note": "Åtgärden är genomförd." if state != "open" else "",
                    "reported_done_at": _dt(reported_ts) if state != "open" else None,
                    "reported_done_by_id": self.person_user[owner] if state != "open" else None,
                    "verified_by_id": self.person_user[auditor] if state == "verified" else None,
                    "verified_at": _dt(verified_ts) if state == "verified" else None,
                    "created_by_id": self.person_user[auditor],
                    "created_at": _dt(done_ts),
                }
            )
            action_meta.append((owner, auditor, state, reported_ts, verified_ts))
        action_ids = w.insert(get("Action"), actions)
        transitions = []
        for aid, (owner, auditor, state, reported_ts, verified_ts) in zip(action_ids, action_meta, strict=True):
            if state in ("reported_done", "verified"):
                transitions.append(
                    {
                        "action_id": aid,
                        "from_state": "open",
                        "to_state": "reported_done",
                        "actor_id": self.person_user[owner],
                        "at": _dt(reported_ts),
                        "reason": "",
                    }
                )
            if state == "verified":
                transitions.append(
                    {
                        "action_id": aid,
                        "from_state": "reported_done",
                        "to_state": "verified",
                        "actor_id": self.person_user[auditor],
                        "at": _dt(verified_ts),
                        "reason": "",
                    }
                )
        w.insert(get("ActionTransition"), transitions)

        # Delegations: three current per unit (some expiring soon) and the ones they replaced.
        delegations = []
        for u in plan.units:
            nurse = self.person_ids[self.unit_nurse[u.pk]]
            for staff in self.unit_staff[u.pk]:
                valid_from = self.today - timedelta(days=rng.randint(0, 360))
                for k in range(2):
                    vf = valid_from - timedelta(days=365 * k)
                    delegations.append(
                        {
                            "municipality_id": m,
                            "from_person_id": nurse,
                            "to_person_id": self.person_ids[staff],
                            "unit_id": u.pk,
                            "tasks": "Överlämnande av läkemedel ur dosrulle; insulininjektion",
                            "valid_from": vf,
                            "valid_to": vf + timedelta(days=364),
                            "created_at": _dt(datetime.combine(vf, datetime.min.time(), STOCKHOLM).timestamp()),
                        }
                    )
        w.insert(get("Delegation"), delegations)
        routines = []
        for title in (
            "Läkemedelshantering",
            "Avvikelsehantering",
            "Delegering",
            "Basal hygien",
            "Medicintekniska produkter",
            "Journalföring",
            "Lex Maria",
            "Fallprevention",
        ):
            routines.append(
                {
                    "municipality_id": m,
                    "title": f"Rutin för {title.lower()}",
                    "owner_id": self.person_ids[self.region_mas[0]],
                    "level": "routine",
                    "scope": "municipality",
                    "version": "1.0",
                    "adopted_on": self.start,
                    "next_revision": self.today + timedelta(days=rng.randint(-20, 400)),
                    "active": True,
                }
            )
        w.insert(get("Routine"), routines)
