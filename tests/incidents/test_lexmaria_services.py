"""Lex Maria services: the one table of steps (not a line), the four routing variants, recipients on the
event date."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.models import Notification
from incidents.lexmaria import services as lexmaria
from incidents.lexmaria import steps as lexmaria_steps
from incidents.lexmaria.models import LexMariaCase, LexMariaState, LexMariaTransition
from incidents.lexmaria.services import AnalysisAction, LexMariaTransitionError, StaleCaseError, lex_maria_open
from incidents.lexmaria.steps import REQUIRES, Step
from incidents.models import DeviationAction
from responsibility.choices import Role
from responsibility.models import Assignment, CareProvider, Person
from tests.factories import user, user_for
from tests.incidents.lexmaria_factories import deviation, open_case, unit_for_route

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def recipients(case, done) -> set[str]:
    return set(
        Notification.objects.filter(dedupe_key=f"lexmaria:{case.pk}:{done}").values_list(
            "recipient__username", flat=True
        )
    )


def official_user(board_code: str):
    person = Person.objects.get(email=f"official-{board_code}@demo.masportalen.se")
    return user_for(person)


def take(step, case, by, **extra):
    """Take ``step`` on ``case`` as ``by`` with valid data."""
    case.refresh_from_db()
    today = TODAY()
    data = {
        Step.INFORM_PATIENT: {
            "informed_at": today,
            "informed_by": "Elsa Berg, enhetschef",
            "patient_statement": "Larmet besvarades inte.",
        },
        Step.ANALYSE: {
            "leader": Person.objects.get(user__username="enhetschef"),
            "team": "Enhetschef, sjuksköterska",
            "timeline": "22.15 fall, 22.35 upptäckt",
            "causes": "Larmet var avstängt.",
            "actions": [
                AnalysisAction(
                    description="Kontrollera larm varje kväll",
                    owner=Person.objects.get(user__username="enhetschef"),
                    deadline=today + timedelta(days=30),
                )
            ],
        },
        Step.FORWARD: {"forwarded_at": today},
        Step.INFORM_BOARD: {"informed_at": today},
        Step.REPORT_TO_IVO: {"sent_at": today, "ivo_case_number": "3.5.1-12345/2026"},
        Step.SEND_INVESTIGATION: {"sent_at": today},
        Step.IVO_DECISION: {"decided_at": today, "outcome": "IVO avslutar ärendet."},
        Step.CLOSE: {"reason": "Klart."},
    }[step]
    data.update(extra)
    return lexmaria.STEP_SERVICES[step](case=case, user=by, version=case.version, **data)


def test_open_gives_reference_route_and_first_transition():
    """A 'yes' opens a case LM-YYYY-NNNNNN in state decided, recorded with actor and motivation."""
    case = open_case(route="own")
    assert case.reference.startswith(f"LM-{TODAY().year}-")
    assert len(case.reference) == len("LM-2026-000001")
    assert case.state == LexMariaState.DECIDED
    assert case.due_at is not None
    t = case.transitions.get()
    assert (t.from_state, t.to_state, t.actor.username) == ("", "decided", "mas")
    assert t.reason == "Allvarlig vårdskada: höftfraktur efter fall."


def test_open_twice_returns_the_same_case_and_numbers_run_on():
    """Opening again for the same deviation is harmless; the next case takes the next number."""
    first = open_case(route="own")
    again = lex_maria_open(deviation=first.deviation, decided_by=user("mas"), motivation="igen")
    assert again.pk == first.pk
    second = open_case(route="own")
    assert int(second.reference[-6:]) == int(first.reference[-6:]) + 1
    assert LexMariaTransition.objects.filter(case=first).count() == 1


def test_open_requires_motivation():
    """A decision without motivation is refused in Swedish."""
    dev = deviation(unit=unit_for_route("own"))
    with pytest.raises(ValidationError) as exc:
        lex_maria_open(deviation=dev, decided_by=user("mas"), motivation="  ")
    assert "motivering" in str(exc.value).lower()
    assert not LexMariaCase.objects.filter(deviation=dev).exists()


def test_own_operation_end_to_end():
    """Egen regi: the board's MAS reports; the board (its official) is informed; nobody forwards."""
    case = open_case(route="own")
    assert case.route == "own"
    assert case.reporter_person.user.username == "mas"
    assert case.board_mas is None
    assert case.purchasing_board is None
    assert case.board.code == "hagersten-liljeholmen"
    mas = user("mas")
    # Everyone who can take a step now is told (the board can be informed at once); the decider is not.
    assert recipients(case, "open") == {"verksamhetschef", "tjansteman"}
    take(Step.INFORM_PATIENT, case, mas)
    assert recipients(case, Step.INFORM_PATIENT) == {"verksamhetschef", "tjansteman"}
    take(Step.ANALYSE, case, user("verksamhetschef"))
    assert recipients(case, Step.ANALYSE) == {"mas", "tjansteman"}
    with pytest.raises(LexMariaTransitionError):
        take(Step.FORWARD, case, mas)
    take(Step.INFORM_BOARD, case, user("tjansteman"))
    assert recipients(case, Step.INFORM_BOARD) == {"mas"}
    take(Step.REPORT_TO_IVO, case, mas)
    assert recipients(case, Step.REPORT_TO_IVO) == {"tjansteman"}
    take(Step.SEND_INVESTIGATION, case, mas)
    take(Step.IVO_DECISION, case, mas)
    take(Step.CLOSE, case, mas)
    case.refresh_from_db()
    assert case.state == LexMariaState.CLOSED
    assert case.closed_at is not None
    assert case.due_at is None
    assert recipients(case, Step.CLOSE) == {"tjansteman", "verksamhetschef"}
    assert list(case.transitions.values_list("step", "to_state")) == [
        ("", "decided"),
        ("inform_patient", "patient_informed"),
        ("analyse", "analysed"),
        ("inform_board", "board_informed"),
        ("report_to_ivo", "reported_to_ivo"),
        ("send_investigation", "reported_to_ivo"),
        ("ivo_decision", "ivo_decided"),
        ("close", "closed"),
    ]
    assert DeviationAction.objects.filter(deviation=case.deviation).count() == 1


def test_contractor_route_goes_through_the_board_mas():
    """Entreprenad, contractor holds MAS: the contractor's MAS reports; the board's MAS forwards to both boards."""
    case = open_case(route="contractor_via_board_mas")
    contractor_mas, board_mas = user("entreprenor-mas"), user("mas")
    assert case.reporter_person.user == contractor_mas
    assert case.board_mas.user == board_mas
    assert case.board.code == "hagersten-liljeholmen"
    assert case.purchasing_board.code == "skarholmen"
    purchasing_official = official_user("skarholmen")
    assert recipients(case, "open") == {"entreprenor-mas"}  # the decider (mas) is the board's MAS
    take(Step.INFORM_PATIENT, case, contractor_mas)
    take(Step.ANALYSE, case, contractor_mas)
    # Next is the board's MAS, not the boards directly.
    assert recipients(case, Step.ANALYSE) == {"mas"}
    with pytest.raises(PermissionDenied):
        take(Step.INFORM_BOARD, case, contractor_mas)
    with pytest.raises(PermissionDenied):
        take(Step.FORWARD, case, contractor_mas)
    with pytest.raises(LexMariaTransitionError) as exc:
        take(Step.INFORM_BOARD, case, board_mas)
    assert "vidarebefordra" in str(exc.value)
    take(Step.FORWARD, case, board_mas)
    case.refresh_from_db()
    assert case.state == LexMariaState.ANALYSED
    assert case.forwarded_by_board_mas_at == TODAY()
    assert recipients(case, Step.FORWARD) == {"entreprenor-mas", "tjansteman", purchasing_official.username}
    take(Step.INFORM_BOARD, case, board_mas)
    take(Step.REPORT_TO_IVO, case, contractor_mas)
    assert recipients(case, Step.REPORT_TO_IVO) == {"mas", "tjansteman", purchasing_official.username}
    take(Step.SEND_INVESTIGATION, case, contractor_mas)
    take(Step.IVO_DECISION, case, contractor_mas)
    take(Step.CLOSE, case, contractor_mas)
    case.refresh_from_db()
    assert case.state == LexMariaState.CLOSED


def test_board_kept_mas_route():
    """Entreprenad where the board kept the MAS duty: the board's MAS reports, the board is informed."""
    case = open_case(route="board_mas")
    assert case.route == "board_mas"
    assert case.reporter_person.user.username == "mas"
    assert case.board_mas is None
    mas = user("mas")
    official = official_user(case.board.code)
    take(Step.INFORM_PATIENT, case, mas)
    take(Step.ANALYSE, case, mas)
    assert recipients(case, Step.ANALYSE) == {official.username}
    take(Step.INFORM_BOARD, case, mas)
    take(Step.REPORT_TO_IVO, case, mas)
    case.refresh_from_db()
    assert case.state == LexMariaState.REPORTED


def test_private_provider_route_leaves_the_board_mas_out():
    """Ramavtal/LOV: the provider's MAS reports; the board concerned is informed; the board's MAS never is."""
    case = open_case(route="provider_mas")
    assert case.route == "provider_mas"
    assert case.board_mas is None
    provider_reporter = user_for(case.reporter_person)
    assert Assignment.objects.filter(
        person=case.reporter_person, role=Role.LEX_MARIA_REPORTER, provider=case.deviation.unit.provider
    ).exists()
    official = official_user(case.board.code)
    for step in (
        Step.INFORM_PATIENT,
        Step.ANALYSE,
        Step.INFORM_BOARD,
        Step.REPORT_TO_IVO,
        Step.SEND_INVESTIGATION,
        Step.IVO_DECISION,
        Step.CLOSE,
    ):
        take(step, case, provider_reporter)
    case.refresh_from_db()
    assert case.state == LexMariaState.CLOSED
    assert official.username in recipients(case, Step.ANALYSE)
    everyone = set(
        Notification.objects.filter(dedupe_key__startswith=f"lexmaria:{case.pk}:").values_list(
            "recipient__username", flat=True
        )
    )
    assert "mas" not in everyone
    with pytest.raises(PermissionDenied):
        take(Step.CLOSE, case, user("mas"))


def test_recipients_are_resolved_on_the_event_date():
    """The anmälningsansvarig and the board's MAS holding the duty on the event date are in the chain."""
    occurred = TODAY() - timedelta(days=20)
    municipal = CareProvider.objects.get(kind="municipal", board__code="hagersten-liljeholmen")
    old = Assignment.objects.get(role=Role.LEX_MARIA_REPORTER, provider=municipal, valid_to__isnull=True)
    old.valid_to = occurred + timedelta(days=5)
    old.save(update_fields=["valid_to"])
    newcomer = Person.objects.create(
        municipality=municipal.municipality,
        first_name="Nina",
        last_name="Ny",
        profession="nurse",
        licensed=True,
        email="nina@example.se",
    )
    Assignment.objects.create(
        person=newcomer, role=Role.LEX_MARIA_REPORTER, provider=municipal, valid_from=occurred + timedelta(days=6)
    )
    new_user = user_for(newcomer)
    region_mas = Assignment.objects.get(role=Role.MAS, region__code="vastra-soderort", deputy_for__isnull=True)
    region_mas.valid_to = occurred + timedelta(days=5)
    region_mas.save(update_fields=["valid_to"])
    Assignment.objects.create(
        person=newcomer, role=Role.MAS, region=region_mas.region, valid_from=occurred + timedelta(days=6)
    )

    own = open_case(route="own", occurred=occurred)
    assert own.reporter_person.user.username == "mas"
    contractor = open_case(route="contractor_via_board_mas", occurred=occurred, decided_by=user("entreprenor-mas"))
    assert contractor.board_mas.user.username == "mas"
    assert "mas" in recipients(contractor, "open")
    assert new_user.username not in recipients(contractor, "open")
    # An event after the change goes to the newcomer.
    later = open_case(route="own", occurred=TODAY() - timedelta(days=1))
    assert later.reporter_person == newcomer


def _all_powerful_case():
    """A contractor-route case where the demo MAS is both reporter and board MAS: every step is theirs."""
    case = open_case(route="contractor_via_board_mas")
    mas_person = Person.objects.get(user__username="mas")
    LexMariaCase.objects.filter(pk=case.pk).update(reporter_person=mas_person, board_mas=mas_person)
    case.refresh_from_db()
    return case


def _done(case, steps):
    """Mark ``steps`` done on ``case`` directly (dates today), as if taken."""
    today = TODAY()
    fields = {
        Step.INFORM_PATIENT: {"patient_informed_at": today, "patient_informed_by": "X"},
        Step.ANALYSE: {"analysed_at": today},
        Step.FORWARD: {"forwarded_by_board_mas_at": today},
        Step.INFORM_BOARD: {"board_informed_at": today},
        Step.REPORT_TO_IVO: {"ivo_sent_at": today, "ivo_case_number": "1"},
        Step.SEND_INVESTIGATION: {"investigation_sent_at": today},
        Step.IVO_DECISION: {"ivo_decision_at": today, "ivo_outcome": "x"},
    }
    update = {}
    for step in steps:
        update.update(fields[step])
    LexMariaCase.objects.filter(pk=case.pk).update(**update)
    case.refresh_from_db()


WITH_REQUIREMENTS = [(step, needs) for step, needs in REQUIRES.items()]


@pytest.mark.parametrize(("step", "needs"), WITH_REQUIREMENTS)
def test_every_step_can_be_taken_once_what_it_needs_is_done(step, needs):
    """Each step is taken as soon as its requirements are done, whatever else is open; version and history."""
    case = _all_powerful_case()
    _done(case, lexmaria_steps.requirements(case, step))
    before = case.version
    result = take(step, case, user("mas"))
    assert lexmaria_steps.is_done(result, step)
    assert result.version == before + 1
    last = case.transitions.last()
    assert (last.step, last.actor.username) == (step, "mas")


@pytest.mark.parametrize(("step", "needs"), [(s, n) for s, n in WITH_REQUIREMENTS if n])
def test_a_step_whose_requirement_is_missing_is_refused_in_swedish(step, needs):
    """A step before what it needs is refused with a Swedish message naming what is missing; nothing changes."""
    case = _all_powerful_case()
    _done(case, needs[1:])
    with pytest.raises(LexMariaTransitionError) as exc:
        take(step, case, user("mas"))
    assert "behöver först" in exc.value.messages[0]
    case.refresh_from_db()
    assert case.version == 0
    assert case.transitions.count() == 1


def test_the_report_to_ivo_is_recorded_right_after_the_decision():
    """PSL 3 kap. 5 § "snarast": the report is recorded before the patient, the analysis or the board."""
    case = open_case(route="own")
    assert Step.REPORT_TO_IVO in lexmaria_steps.open_steps(case)
    reported = take(Step.REPORT_TO_IVO, case, user("mas"))
    assert reported.state == LexMariaState.REPORTED
    assert reported.analysed_at is None
    assert reported.board_informed_at is None
    # The investigation follows as its own dated step once the analysis exists.
    assert Step.SEND_INVESTIGATION not in lexmaria_steps.open_steps(reported)
    take(Step.ANALYSE, reported, user("verksamhetschef"))
    sent = take(Step.SEND_INVESTIGATION, reported, user("mas"))
    assert sent.investigation_sent_at == TODAY()


def test_board_and_patient_in_any_order_and_close_needs_every_step():
    """Board informed before the patient; closing is refused until every step is done or not applicable."""
    case = open_case(route="own")
    mas = user("mas")
    take(Step.INFORM_BOARD, case, mas)
    take(Step.INFORM_PATIENT, case, mas)
    take(Step.REPORT_TO_IVO, case, mas)
    take(Step.ANALYSE, case, mas)
    with pytest.raises(LexMariaTransitionError) as exc:
        take(Step.CLOSE, case, mas)
    assert "Utredning skickad till IVO" in exc.value.messages[0]
    case.refresh_from_db()
    lexmaria.lex_maria_mark_not_applicable(
        case=case, user=mas, version=case.version, step=Step.SEND_INVESTIGATION, reason="Utredningen bifogades anmälan."
    )
    case.refresh_from_db()
    with pytest.raises(ValidationError):
        lexmaria.lex_maria_mark_not_applicable(
            case=case, user=mas, version=case.version, step=Step.REPORT_TO_IVO, reason="Nej"
        )
    with pytest.raises(ValidationError):
        lexmaria.lex_maria_mark_not_applicable(
            case=case, user=mas, version=case.version, step=Step.IVO_DECISION, reason=" "
        )
    take(Step.IVO_DECISION, case, mas)
    closed = take(Step.CLOSE, case, mas)
    assert closed.state == LexMariaState.CLOSED


def test_step_deadlines_are_the_municipalitys_fields():
    """Each step's deadline comes from the municipality's own setting, counted from when it became possible."""
    case = open_case(route="own")
    municipality = case.deviation.municipality
    decided = timezone.localdate(case.decided_at)
    assert lexmaria_steps.step_deadline(case, Step.REPORT_TO_IVO) == decided + timedelta(days=7)
    municipality.lex_maria_report_days = 2
    municipality.save(update_fields=["lex_maria_report_days"])
    case = LexMariaCase.objects.select_related("deviation__municipality").get(pk=case.pk)
    assert lexmaria_steps.step_deadline(case, Step.REPORT_TO_IVO) == decided + timedelta(days=2)
    assert timezone.localdate(lexmaria_steps.next_due_at(case)) == decided + timedelta(days=2)


def test_taking_a_step_twice_is_harmless():
    """Submitting the same step again (an old form) changes nothing and notifies nobody twice."""
    case = open_case(route="own")
    mas = user("mas")
    version = case.version
    lexmaria.lex_maria_inform_patient(case=case, user=mas, version=version, informed_at=TODAY(), informed_by="X")
    again = lexmaria.lex_maria_inform_patient(
        case=case, user=mas, version=version, informed_at=TODAY(), informed_by="Y"
    )
    assert again.patient_informed_by == "X"
    assert case.transitions.count() == 2


def test_concurrent_edit_is_refused():
    """A form based on an older version of the case is refused, never overwriting the other edit."""
    case = _all_powerful_case()
    LexMariaCase.objects.filter(pk=case.pk).update(version=5)
    case.refresh_from_db()
    with pytest.raises(StaleCaseError):
        lexmaria.lex_maria_report_to_ivo(case=case, user=user("mas"), version=4, sent_at=TODAY(), ivo_case_number="1")
    case.refresh_from_db()
    assert case.ivo_case_number == ""


def test_bad_dates_and_missing_information_are_refused():
    """Future dates, and 'informed' without when/by whom or a reason, are refused field by field."""
    case = open_case(route="own")
    mas = user("mas")
    with pytest.raises(ValidationError) as exc:
        lexmaria.lex_maria_inform_patient(
            case=case, user=mas, version=0, informed_at=TODAY() + timedelta(days=1), informed_by="X"
        )
    assert "framtiden" in exc.value.message_dict["informed_at"][0]
    with pytest.raises(ValidationError):
        lexmaria.lex_maria_inform_patient(case=case, user=mas, version=0, informed_at=None)
    ok = lexmaria.lex_maria_inform_patient(
        case=case, user=mas, version=0, informed_at=None, not_informed_reason="Patienten avled; närstående nåddes inte."
    )
    assert ok.state == LexMariaState.PATIENT_INFORMED
    assert ok.patient_informed_at is None


def test_someone_outside_the_chain_cannot_take_a_step():
    """A board official of another board, or a reporter of the unit, may not move the case."""
    case = open_case(route="own")
    for outsider in (official_user("bromma"), user("rapportor"), user("entreprenor-mas")):
        with pytest.raises(PermissionDenied):
            take(Step.INFORM_PATIENT, case, outsider)
    case.refresh_from_db()
    assert case.state == LexMariaState.DECIDED
