"""Issue 15: no case without an owner, the ownership guard, deputies, the one MAR → MAS rule, the demo's
Lex Maria cases (SPEC §3 "No case without an owner", "Deputies", "MAR and MAS"; §5 variant table)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import Notification
from core.scheduling import run_scheduled_jobs
from incidents import reporting, routing, services, workflow
from incidents.lexmaria.actors import actor_kinds
from incidents.lexmaria.models import LexMariaCase, LexMariaTransition
from incidents.lexmaria.routing import resolve_chain
from incidents.lexmaria.services import lex_maria_open
from incidents.lexmaria.steps import Actor
from incidents.models import Deviation, DeviationState, DeviationTransition
from responsibility.choices import LexMariaRoute, Role
from responsibility.models import Assignment, CareProvider, Person, Unit
from responsibility.resolver import board_duty_holder
from tests.factories import user, user_for
from tests.incidents.deviation_helpers import report
from tests.incidents.lexmaria_factories import category, deviation

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _unit(**filters) -> Unit:
    return Unit.objects.select_related("board", "provider").filter(**filters).order_by("code").first()


def _nurse(first: str, last: str, municipality_id: int) -> Person:
    return Person.objects.create(
        municipality_id=municipality_id,
        first_name=first,
        last_name=last,
        profession="nurse",
        licensed=True,
        email=f"{first.lower()}@example.se",
    )


def _manager_login(unit: Unit):
    return user_for(Person.objects.get(email=f"ec-{unit.code}@demo.masportalen.se"))


def _told(user, kind: str) -> bool:
    return Notification.objects.filter(recipient=user, kind=kind).exists()


# --- 1. a serious deviation always reaches someone -------------------------------------------------


def test_deviation_without_contractor_mas_goes_to_the_boards_mas_and_moves_when_the_register_is_fixed(client):
    """Kastanjen's contract gives it the MAS duty but it has no MAS (R5): "Skicka till MAS" gives the case
    to the board's MAS marked "Ansvar oklart"; she is told and reminded; the register admins list it; once
    a MAS is registered the job re-routes it (history row, both told) and the list no longer has it."""
    unit = _unit(provider__name="Kastanjen Äldreomsorg AB")
    manager = _manager_login(unit)
    board_mas = board_duty_holder(board=unit.board, role=Role.MAS, on=TODAY()).holder
    board_mas_user = user_for(board_mas)
    dev = report(by=manager.username, unit_code=unit.code, consequence=3, probability=2)

    moved = services.deviation_send_to_mas(deviation=dev, user=manager, version=dev.version)

    assert moved.state == DeviationState.AWAITING_MAS
    assert moved.mas_person == board_mas
    assert moved.mas_unclear_reason.startswith("Ansvar oklart (R5):")
    assert "ingen MAS registrerad" in moved.mas_unclear_reason
    assert _told(board_mas_user, "deviation_assessment")
    assert "ingen MAS" in reporting.owner_text(moved) or "okänd" in reporting.owner_text(moved)
    # The reminder job reminds the fallback owner.
    Deviation.objects.filter(pk=moved.pk).update(due_at=timezone.now() - timedelta(days=1))
    run_scheduled_jobs(on=TODAY(), only="deviation_reminders")
    assert _told(board_mas_user, "deviation_reminder")
    # The register admins' list of unrouted cases has it.
    client.force_login(user("admin"))
    assert moved.reference in client.get(reverse("incidents:unrouted_cases")).content.decode()

    contractor_mas = _nurse("Klara", "Kastanj", unit.municipality_id)
    Assignment.objects.create(person=contractor_mas, role=Role.MAS, provider=unit.provider, valid_from=date(2024, 1, 1))
    new_user = user_for(contractor_mas)
    runs = run_scheduled_jobs(on=TODAY(), only="reroute_unclear_cases")

    assert runs[0].counts["deviations"] >= 1
    moved.refresh_from_db()
    assert (moved.mas_person, moved.mas_unclear_reason) == (contractor_mas, "")
    history = DeviationTransition.objects.filter(deviation=moved).order_by("pk").last()
    assert history.actor is None
    assert history.reason.startswith("Omfördelad när registret rättades.")
    assert _told(new_user, "deviation_assessment")
    assert Notification.objects.filter(recipient=board_mas_user, dedupe_key__contains=":rerouted:").exists()
    assert moved.reference not in client.get(reverse("incidents:unrouted_cases")).content.decode()
    # A second run finds nothing to do.
    assert run_scheduled_jobs(on=TODAY(), only="reroute_unclear_cases")[0].counts["deviations"] == 0


def test_two_contractor_mas_at_once_is_unclear_too():
    """Two MAS on the provider (R7): nobody is guessed; the board's MAS holds it with the reason."""
    unit = _unit(provider__name="Kastanjen Äldreomsorg AB")
    for first in ("Anna", "Berit"):
        Assignment.objects.create(
            person=_nurse(first, "Dubbel", unit.municipality_id),
            role=Role.MAS,
            provider=unit.provider,
            valid_from=date(2024, 1, 1),
        )
    owner = routing.route(deviation=deviation(unit=unit)).owner
    assert owner.person == board_duty_holder(board=unit.board, role=Role.MAS, on=TODAY()).holder
    assert owner.unclear_reason.startswith("Ansvar oklart (R7): 2 personer har rollen")


def test_where_the_board_has_no_mas_the_register_admins_hold_the_case():
    """No board MAS either: the case is held by the register admins, who are told."""
    unit = _unit(provider__name="Kastanjen Äldreomsorg AB")
    Assignment.objects.filter(role=Role.MAS, region=unit.board.region).update(
        valid_from=date(2020, 1, 1), valid_to=date(2020, 12, 31)
    )
    manager = _manager_login(unit)
    dev = report(by=manager.username, unit_code=unit.code, consequence=3, probability=2)
    moved = services.deviation_send_to_mas(deviation=dev, user=manager, version=dev.version)
    assert moved.mas_person is None
    assert moved.mas_unclear_reason
    assert _told(user("admin"), "deviation_assessment")


def test_sender_is_told_at_once_who_got_the_case(client):
    """The enhetschef pressing "Skicka till MAS" sees that the MAS is unknown and who got the case."""
    unit = _unit(provider__name="Kastanjen Äldreomsorg AB")
    manager = _manager_login(unit)
    board_mas = board_duty_holder(board=unit.board, role=Role.MAS, on=TODAY()).holder
    dev = report(by=manager.username, unit_code=unit.code, consequence=3, probability=2)
    client.force_login(manager)
    response = client.post(
        reverse("incidents:deviation_step", args=[dev.pk, "send_to_mas"]), {"version": dev.version}, follow=True
    )
    body = response.content.decode()
    assert f"Ansvarig MAS/MAR är okänd; ärendet gick i stället till {board_mas.full_name}." in body
    assert "Ansvar oklart" in body


# --- 3. the ownership guard: no guessed route ----------------------------------------------------


def test_unit_without_contract_in_force_never_reports_through_the_boards_mas():
    """R12 (Fristad, contract ended): the case is the provider's own; with no anmälningsansvarig it waits
    in the unrouted list (register admins told), and goes to the provider's reporter once registered."""
    unit = _unit(code="span-92")
    board_mas = board_duty_holder(board=unit.board, role=Role.MAS, on=TODAY()).holder
    case = lex_maria_open(deviation=deviation(unit=unit), decided_by=user("admin"), motivation="Allvarlig vårdskada.")
    assert case.route == LexMariaRoute.PROVIDER_MAS
    assert case.reporter_person is None
    assert case.board_mas is None
    assert case.fallback_person is None
    assert case.owner_unclear_reason.startswith("R12: enheten drivs av annan vårdgivare utan avtal i kraft.")
    assert (
        board_mas.user_id is None
        or not Notification.objects.filter(
            recipient_id=board_mas.user_id, dedupe_key__startswith=f"lexmaria:{case.pk}:"
        ).exists()
    )

    reporter = _nurse("Frida", "Fristad", unit.municipality_id)
    Assignment.objects.create(
        person=reporter, role=Role.LEX_MARIA_REPORTER, provider=unit.provider, valid_from=date(2022, 4, 1)
    )
    reporter_user = user_for(reporter)
    run_scheduled_jobs(on=TODAY(), only="reroute_unclear_cases")
    case.refresh_from_db()
    assert (case.reporter_person, case.owner_unclear_reason) == (reporter, "")
    assert LexMariaTransition.objects.filter(case=case, step="rerouted", actor__isnull=True).exists()
    assert Notification.objects.filter(recipient=reporter_user, dedupe_key__contains=":rerouted:").exists()


def test_unit_without_contract_goes_to_the_providers_own_reporter_when_registered():
    """R12 with the provider's anmälningsansvarig registered: she reports; nothing is unclear."""
    unit = _unit(code="span-92")
    reporter = _nurse("Frida", "Fristad", unit.municipality_id)
    Assignment.objects.create(
        person=reporter, role=Role.LEX_MARIA_REPORTER, provider=unit.provider, valid_from=date(2022, 4, 1)
    )
    chain = resolve_chain(deviation=deviation(unit=unit))
    assert (chain.route, chain.reporter, chain.unclear_reason) == (LexMariaRoute.PROVIDER_MAS, reporter, "")
    assert chain.reason.startswith("R12:")


# --- 5. deputies --------------------------------------------------------------------------------


def _deputy() -> Assignment:
    return Assignment.objects.select_related("person", "deputy_for__person").get(
        role=Role.MAS, region__code="vastra-soderort", deputy_for__isnull=False
    )


def test_deputy_covers_assessment_and_anmalningsansvar_and_keeps_her_cases(client):
    """On an event in the MAS's holiday the deputy assesses and is the anmälningsansvarig of the case she
    decides, "som ersättare för" the MAS; after her period she still has the case in her queue."""
    deputy = _deputy()
    on = deputy.valid_from + timedelta(days=5)
    assert on < TODAY()
    unit = _unit(code="hage-01")
    dev = deviation(unit=unit, occurred=on, state=DeviationState.REGISTERED)
    manager = user("enhetschef")
    moved = services.deviation_send_to_mas(deviation=dev, user=manager, version=dev.version)
    assert (moved.mas_person, moved.mas_deputy_for) == (deputy.person, deputy.deputy_for.person)
    deputy_user = user_for(deputy.person)
    # Her deputy period is over today, and she still holds the case.
    assert deputy.valid_to < TODAY()
    client.force_login(deputy_user)
    queue = client.get(reverse("incidents:assessment_queue"))
    assert queue.status_code == 200
    assert moved.reference in queue.content.decode()

    services.deviation_assess(
        deviation=moved,
        user=deputy_user,
        version=moved.version,
        assessment="Allvarlig.",
        lex_maria=True,
        motivation="Bestående skada.",
    )
    case = LexMariaCase.objects.get(deviation=moved)
    assert (case.reporter_person, case.reporter_deputy_for) == (deputy.person, deputy.deputy_for.person)
    holder = deputy.deputy_for.person.full_name
    assert f"som ersättare för {holder}" in case.transitions.get().reason
    assert f"som ersättare för {holder}" in moved.transitions.order_by("pk").last().reason
    assert Actor.REPORTER in actor_kinds(user=deputy_user, case=case)


def test_deputy_hands_a_case_back():
    """The deputy hands the assessment back to the MAS she replaced; the history says so."""
    deputy = _deputy()
    dev = deviation(
        unit=_unit(code="hage-01"), occurred=deputy.valid_from + timedelta(days=2), state=DeviationState.REGISTERED
    )
    moved = services.deviation_send_to_mas(deviation=dev, user=user("enhetschef"), version=dev.version)
    deputy_user = user_for(deputy.person)
    assert workflow.Move.HAND_BACK in workflow.moves_for(user=deputy_user, deviation=moved)
    back = services.deviation_hand_back(deviation=moved, user=deputy_user, version=moved.version)
    assert (back.mas_person, back.mas_deputy_for) == (deputy.deputy_for.person, None)
    assert (
        back.transitions.order_by("pk")
        .last()
        .reason.startswith(f"Tillbakalämnat av {deputy.person.full_name} till {deputy.deputy_for.person.full_name}.")
    )


# --- 7. the demo's Lex Maria cases ------------------------------------------------------------------


def test_demo_cases_are_decided_and_reported_by_the_right_people():
    """Each demo case was decided by the MAS/MAR who held the deviation's assessment, and its reporter is
    the variant's: the provider's own for private and contracted units, never the board's MAS there."""
    cases = LexMariaCase.objects.filter(deviation__reference__startswith="AV-DEMO-LM-").select_related(
        "deviation__unit__provider", "decided_by__person", "reporter_person", "board"
    )
    assert {c.route for c in cases} == set(LexMariaRoute.values)
    for case in cases:
        assert case.decided_by.person == case.deviation.mas_person, case.reference
        assert case.deviation.assessor_id == case.decided_by_id
        board_mas = board_duty_holder(board=case.board, role=Role.MAS, on=case.decided_at.date()).holder
        if case.route in (LexMariaRoute.CONTRACTOR_VIA_BOARD_MAS, LexMariaRoute.PROVIDER_MAS):
            assert case.reporter_person != board_mas, case.reference
            assert Assignment.objects.filter(
                person=case.reporter_person, provider=case.deviation.unit.provider, role=Role.LEX_MARIA_REPORTER
            ).exists(), case.reference
            assert case.decided_by.username != "mas", case.reference
        else:
            assert case.reporter_person == board_mas, case.reference
        for t in case.transitions.exclude(step=""):
            assert t.actor_id is not None, case.reference


# --- 10. one MAR → MAS rule --------------------------------------------------------------------------


def test_rehabilitation_without_mar_falls_back_to_the_mas_in_routing_and_in_the_lex_maria_chain():
    """Stjärnvägen has no MAR (R3) and, here, no anmälningsansvarig: a rehabilitation event goes to its MAS
    in the deviation routing and the same MAS reports in the Lex Maria chain (one rule)."""
    unit = _unit(provider__name="Stjärnvägen Boende AB")
    Assignment.objects.filter(role=Role.LEX_MARIA_REPORTER, provider=unit.provider).update(
        valid_from=date(2020, 1, 1), valid_to=date(2020, 12, 31)
    )
    mas = Assignment.objects.get(role=Role.MAS, provider=unit.provider).person
    dev = deviation(unit=unit, rehabilitation=True)
    assert dev.category == category(rehabilitation=True)
    owner = routing.route(deviation=dev).owner
    assert (owner.role, owner.person, owner.unclear_reason) == (Role.MAS, mas, "")
    chain = resolve_chain(deviation=dev)
    assert chain.reporter == mas
    assert CareProvider.objects.get(pk=unit.provider_id).kind == "private"
