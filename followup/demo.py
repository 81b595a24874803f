"""Demo follow-up data (SPEC §9): a year of plans, performed follow-ups with findings and actions in
every state, delegations and routines. Idempotent: rows are found by natural keys first.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import translation

from followup import actions, plans, services
from followup.choices import (
    AnswerStatus,
    FindingSeverity,
    FollowUpKind,
    FollowUpState,
    FollowUpTrigger,
    PlanScope,
    RoutineLevel,
    RoutineScope,
)
from followup.models import Action, Delegation, FollowUp, FollowUpPlan, Routine
from responsibility.models import Board, Contract, Municipality, Person, Unit


def _person(key: str) -> Person:
    return Person.objects.get(email=f"{key}@demo.masportalen.se")


def _user(username: str):
    return get_user_model().objects.get(username=username)


class FollowUpDemo:
    def __init__(self, *, today: date):
        self.today = today
        self.municipality = Municipality.objects.get(code="stockholm")
        self.template = services.default_template_ensure()
        self.kvalitet = _user("kvalitet")
        self.auditor = _person("auditor-vastra-soderort")
        self.board = Board.objects.get(municipality=self.municipality, code="hagersten-liljeholmen")
        self.ekbacken = Unit.objects.get(municipality=self.municipality, code="hage-01")
        self.norrsken_unit = Unit.objects.get(municipality=self.municipality, code="hage-02")

    @transaction.atomic
    def build(self) -> None:
        self._plans()
        self._performed()
        self._last_year()
        self._delegations()
        self._routines()

    def _plans(self) -> None:
        start = date(self.today.year, 1, 1)
        norrsken = Contract.objects.get(municipality=self.municipality, case_number="SLK 2024/1100")
        specs = [
            (
                "Årlig avtalsuppföljning Norrsken Omsorg AB",
                PlanScope.CONTRACT,
                {"contract": norrsken},
                FollowUpKind.CONTRACT_REVIEW,
                12,
                False,
                start + timedelta(days=75),
            ),
            (
                "Tillsyn av egen regi i Hägersten-Liljeholmen inom tre år",
                PlanScope.BOARD,
                {"board": self.board},
                FollowUpKind.SUPERVISION,
                36,
                True,
                start,
            ),
            (
                "Egenkontroll Ekbacken varje halvår",
                PlanScope.UNIT,
                {"unit": self.ekbacken},
                FollowUpKind.SELF_ASSESSMENT,
                6,
                False,
                start + timedelta(days=40),
            ),
            (
                "Journalgranskning Ekbacken varje kvartal",
                PlanScope.UNIT,
                {"unit": self.ekbacken},
                FollowUpKind.RECORD_REVIEW,
                3,
                False,
                start + timedelta(days=14),
            ),
        ]
        for title, scope, target, kind, months, spread, starts in specs:
            plan, _ = FollowUpPlan.objects.get_or_create(
                municipality=self.municipality,
                title=title,
                defaults={
                    "scope": scope,
                    **target,
                    "kind": kind,
                    "interval_months": months,
                    "spread_units": spread,
                    "starts_on": starts,
                    "checklist_template": self.template,
                    "auditor": self.auditor,
                    "lead_days": 30,
                },
            )
            plans.followups_from_plan(plan=plan, on=self.today, limit=100)

    def _followup(self, *, unit: Unit, kind: str, trigger: str, days: int, reference: str) -> tuple[FollowUp, bool]:
        return FollowUp.objects.get_or_create(
            municipality=self.municipality,
            unit=unit,
            kind=kind,
            trigger=trigger,
            trigger_reference=reference,
            defaults={
                "board": unit.board,
                "contract": unit.contract,
                "checklist_template": self.template,
                "scheduled_date": self.today + timedelta(days=days),
                "auditor": self.auditor,
                "created_by": self.kvalitet,
            },
        )

    def _perform(self, follow_up: FollowUp, statuses: list[str], *, submit: bool) -> None:
        services.followup_start(follow_up=follow_up, actor=self.kvalitet)
        answers = {}
        for answer, status in zip(follow_up.answers.order_by("order", "pk"), statuses, strict=False):
            answers[answer.pk] = services.AnswerInput(
                status=status, comment="Stickprov av fem patienters dokumentation." if status else ""
            )
        services.followup_save_checklist(
            follow_up=follow_up,
            actor=self.kvalitet,
            answers=answers,
            submit=submit,
            summary="Uppföljningen gjordes på plats tillsammans med enhetschefen.",
        )

    def _action(self, finding, *, description: str, owner: Person, deadline_days: int) -> Action:
        deadline = self.today + timedelta(days=max(deadline_days, 0))
        action = actions.action_create(
            finding=finding, actor=self.kvalitet, description=description, owner=owner, deadline=deadline
        )
        if deadline_days < 0:  # an overdue action: the deadline passed while it stayed open
            Action.objects.filter(pk=action.pk).update(deadline=self.today + timedelta(days=deadline_days))
            action.refresh_from_db()
        return action

    def _performed(self) -> None:
        F = AnswerStatus.FULFILLED
        P, N, NA = AnswerStatus.PARTLY, AnswerStatus.NOT_FULFILLED, AnswerStatus.NOT_APPLICABLE
        # 1. A completed contract follow-up at the contractor's unit, with actions in every state.
        fu, created = self._followup(
            unit=self.norrsken_unit,
            kind=FollowUpKind.CONTRACT_REVIEW,
            trigger=FollowUpTrigger.BOARD_REQUEST,
            days=-60,
            reference="Nämndbeslut HL 2026/88",
        )
        if created:
            self._perform(fu, [P, F, N, F, P, F, F, N], submit=True)
            owner = _person("mas-norrsken")
            entreprenor = _user("entreprenor-mas")
            f1 = services.finding_create(
                follow_up=fu,
                actor=self.kvalitet,
                area="delegation",
                description="Tre delegeringsbeslut hade gått ut utan förnyelse.",
            )
            actions.action_create(
                finding=f1,
                actor=self.kvalitet,
                owner=owner,
                description="Förnya delegeringarna och inför bevakning av slutdatum.",
                deadline=self.today + timedelta(days=20),
            )
            f2 = services.finding_create(
                follow_up=fu,
                actor=self.kvalitet,
                area="hygiene",
                description="Basala hygienrutiner följs inte vid måltider.",
            )
            a2 = actions.action_create(
                finding=f2,
                actor=self.kvalitet,
                owner=owner,
                description="Utbilda personalen i basala hygienrutiner.",
                deadline=self.today + timedelta(days=10),
            )
            actions.action_report_done(action=a2, actor=entreprenor, note="Utbildning genomförd för all personal.")
            a3 = actions.action_create(
                finding=f2,
                actor=self.kvalitet,
                owner=owner,
                description="Sätt upp handspritsstationer i matsalen.",
                deadline=self.today + timedelta(days=5),
            )
            actions.action_report_done(action=a3, actor=entreprenor, note="Fyra stationer uppsatta.")
            actions.action_verify(action=a3, actor=self.kvalitet)
            f3 = services.finding_create(
                follow_up=fu,
                actor=self.kvalitet,
                area="medication",
                description="Signeringslistor för läkemedel saknades för en vecka.",
            )
            a4 = actions.action_create(
                finding=f3,
                actor=self.kvalitet,
                owner=owner,
                description="Inför daglig kontroll av signeringslistor.",
                deadline=self.today + timedelta(days=15),
            )
            actions.action_report_done(action=a4, actor=entreprenor, note="Kontrollen är införd.")
            actions.action_send_back(
                action=a4, actor=self.kvalitet, reason="Beskriv vem som gör kontrollen och hur den dokumenteras."
            )
        # 2. A completed supervision of Ekbacken: the unit manager's actions, one overdue.
        fu, created = self._followup(
            unit=self.ekbacken,
            kind=FollowUpKind.SUPERVISION,
            trigger=FollowUpTrigger.INCIDENT,
            days=-40,
            reference="AV-2026-000012",
        )
        if created:
            self._perform(fu, [F, P, F, F, N, F, NA, F], submit=True)
            manager = _person("ec-hage-01")
            f1 = services.finding_create(
                follow_up=fu,
                actor=self.kvalitet,
                area="deviations",
                description="Avvikelser utreds inte inom fastställd tid.",
            )
            self._action(
                f1,
                description="Gå igenom rutinen för avvikelseutredning med personalen.",
                owner=manager,
                deadline_days=-12,
            )
            a2 = self._action(
                f1, description="Utse en ansvarig för uppföljning av avvikelser.", owner=manager, deadline_days=14
            )
            actions.action_report_done(
                action=a2, actor=_user("enhetschef"), note="Sjuksköterskan Lisa är utsedd från och med måndag."
            )
            f2 = services.finding_create(
                follow_up=fu,
                actor=self.kvalitet,
                area="physician_contact",
                severity=FindingSeverity.OBSERVATION,
                description="Rutinen för läkarkontakt kvällstid är inte känd av alla.",
            )
            self._action(
                f2,
                description="Informera kvällspersonalen om rutinen för läkarkontakt.",
                owner=manager,
                deadline_days=21,
            )
        # 3. A record review in progress (a half-filled draft).
        fu, created = self._followup(
            unit=self.ekbacken,
            kind=FollowUpKind.RECORD_REVIEW,
            trigger=FollowUpTrigger.UNIT_REQUEST,
            days=-3,
            reference="Enhetens begäran",
        )
        if created:
            self._perform(fu, [F, F, P], submit=False)
        # 4. A planned follow-up for the auditor to perform in the coming days.
        self._followup(
            unit=self.ekbacken,
            kind=FollowUpKind.SUPERVISION,
            trigger=FollowUpTrigger.BOARD_REQUEST,
            days=5,
            reference="Nämndens begäran 2026",
        )
        assert FollowUp.objects.filter(state=FollowUpState.COMPLETED).exists()

    def _last_year(self) -> None:
        """Last calendar year's egenkontroll of Ekbacken, completed, with actions done and one carried over."""
        F = AnswerStatus.FULFILLED
        P, N, NA = AnswerStatus.PARTLY, AnswerStatus.NOT_FULFILLED, AnswerStatus.NOT_APPLICABLE
        year = self.today.year - 1
        manager = _person("ec-hage-01")
        enhetschef = _user("enhetschef")

        def days_to(month: int, day: int) -> int:
            return (date(year, month, day) - self.today).days

        fu, created = self._followup(
            unit=self.ekbacken,
            kind=FollowUpKind.SELF_ASSESSMENT,
            trigger=FollowUpTrigger.UNIT_REQUEST,
            days=days_to(4, 10),
            reference=f"Egenkontrollplan {year}",
        )
        if created:
            self._perform(fu, [F, N, F, P, F, F, NA, F], submit=True)
            f1 = services.finding_create(
                follow_up=fu,
                actor=self.kvalitet,
                area="medication",
                description="Signeringslistor för vid behovs-läkemedel var ofullständiga på två avdelningar.",
            )
            a1 = self._action(
                f1,
                description="Inför kontroll av signeringslistor vid varje arbetspass.",
                owner=manager,
                deadline_days=days_to(5, 31),
            )
            actions.action_report_done(action=a1, actor=enhetschef, note="Kontrollen görs vid överrapporteringen.")
            actions.action_verify(action=a1, actor=self.kvalitet)
            f2 = services.finding_create(
                follow_up=fu,
                actor=self.kvalitet,
                area="records",
                description="Omvårdnadsepikrisen saknades för tre boende som flyttat in.",
            )
            self._action(
                f2,
                description="Gör omvårdnadsepikris till en punkt i inflyttningschecklistan.",
                owner=manager,
                deadline_days=days_to(11, 30),
            )
        fu, created = self._followup(
            unit=self.ekbacken,
            kind=FollowUpKind.RECORD_REVIEW,
            trigger=FollowUpTrigger.BOARD_REQUEST,
            days=days_to(10, 20),
            reference=f"Journalgranskning {year}",
        )
        if created:
            self._perform(fu, [F, F, P, F, F, F, F, F], submit=True)
            f3 = services.finding_create(
                follow_up=fu,
                actor=self.kvalitet,
                area="rehabilitation",
                severity=FindingSeverity.OBSERVATION,
                description="Fallriskbedömningen uppdaterades inte efter sjukhusvistelse.",
            )
            a3 = self._action(
                f3,
                description="Uppdatera riskbedömningar i Senior alert efter varje sjukhusvistelse.",
                owner=manager,
                deadline_days=days_to(12, 15),
            )
            actions.action_report_done(action=a3, actor=enhetschef, note="Rutinen är uppdaterad.")
            actions.action_verify(action=a3, actor=self.kvalitet)

    def _delegations(self) -> None:
        nurse = _person("nurse-hage-01")
        staff = _person("staff-hage-01")
        specs = [
            ("Insulininjektion subkutant", self.today - timedelta(days=335), self.today + timedelta(days=25)),
            (
                "Överlämnande av iordningställda läkemedel",
                self.today - timedelta(days=30),
                self.today + timedelta(days=300),
            ),
            ("Sårvård av enklare sår", self.today - timedelta(days=400), self.today - timedelta(days=40)),
        ]
        for tasks, valid_from, valid_to in specs:
            Delegation.objects.get_or_create(
                municipality=self.municipality,
                to_person=staff,
                unit=self.ekbacken,
                tasks=tasks,
                defaults={"from_person": nurse, "valid_from": valid_from, "valid_to": valid_to},
            )
        # A revoked delegation of the unit's other staff member.
        other = _person("ec-hage-01")
        Delegation.objects.get_or_create(
            municipality=self.municipality,
            to_person=other,
            unit=self.ekbacken,
            tasks="Katetervård",
            defaults={
                "from_person": nurse,
                "valid_from": self.today - timedelta(days=100),
                "valid_to": self.today + timedelta(days=200),
                "revoked_at": self.today - timedelta(days=10),
                "revoked_reason": "Bytt arbetsuppgifter; delegeringen behövs inte längre.",
            },
        )

    def _routines(self) -> None:
        mas = _person("mas-vastra-soderort")
        mar = _person("mar-vastra-soderort")
        specs = [
            ("Läkemedelshantering i särskilt boende", mas, RoutineLevel.ROUTINE, RoutineScope.REGION, "medication", -5),
            (
                "Delegering av hälso- och sjukvårdsuppgifter",
                mas,
                RoutineLevel.GUIDELINE,
                RoutineScope.MUNICIPALITY,
                "delegation",
                200,
            ),
            (
                "Basala hygienrutiner och klädregler",
                mas,
                RoutineLevel.ROUTINE,
                RoutineScope.MUNICIPALITY,
                "hygiene",
                20,
            ),
            (
                "Avvikelsehantering och Lex Maria",
                mas,
                RoutineLevel.GUIDELINE,
                RoutineScope.MUNICIPALITY,
                "deviations",
                320,
            ),
            ("Rehabilitering och hjälpmedel", mar, RoutineLevel.ROUTINE, RoutineScope.REGION, "rehabilitation", 150),
        ]
        region = self.board.region
        for title, owner, level, scope, area, days in specs:
            Routine.objects.get_or_create(
                municipality=self.municipality,
                title=title,
                scope=scope,
                defaults={
                    "owner": owner,
                    "level": level,
                    "area": area,
                    "version": "1.0",
                    "region": region if scope == RoutineScope.REGION else None,
                    "adopted_on": self.today - timedelta(days=365),
                    "next_revision": self.today + timedelta(days=days),
                },
            )


def load(*, today: date) -> None:
    with translation.override("sv"):
        FollowUpDemo(today=today).build()
