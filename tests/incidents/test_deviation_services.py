"""Deviation services: the transitions table, routing on the event date, patient data, reminders, conflicts."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from core.models import Notification
from incidents import patient, reporting, services
from incidents.jobs import deviation_reminders
from incidents.lexmaria.models import LexMariaCase
from incidents.models import Deviation, DeviationState, DeviationTransition
from responsibility.choices import AssignmentKind, Role
from responsibility.models import Assignment, Person
from tests.factories import unit, user
from tests.incidents.deviation_helpers import SAMORDNING_PNR, VALID_PNR, report

pytestmark = pytest.mark.django_db


def _kinds_for(deviation) -> dict[str, set[str]]:
    rows = Notification.objects.filter(dedupe_key__startswith=f"deviation:{deviation.pk}:")
    out: dict[str, set[str]] = {}
    for n in rows.select_related("recipient"):
        out.setdefault(n.kind, set()).add(n.recipient.username)
    return out


def test_submit_assigns_reference_routes_and_records_transition():
    """A submitted report gets AV-YYYY-NNNNNN, is registered, routed to the managers and recorded."""
    d = report()
    assert re.fullmatch(r"AV-\d{4}-\d{6}", d.reference)
    assert d.state == DeviationState.REGISTERED
    assert d.mas_person.user.username == "mas"
    t = DeviationTransition.objects.get(deviation=d)
    assert (t.from_state, t.to_state, t.actor.username) == ("draft", "registered", "rapportor")
    kinds = _kinds_for(d)
    assert kinds["deviation_registered"] == {"enhetschef", "verksamhetschef"}
    assert "deviation_to_mas" not in kinds  # low risk
    assert kinds["deviation_received"] == {"rapportor"}
    assert d.due_at.date() == (d.reported_at + timedelta(days=14)).date()


def test_references_are_consecutive():
    """Two reports take consecutive numbers of the year's series."""
    first, second = report(), report()
    assert int(second.reference[-6:]) == int(first.reference[-6:]) + 1


def test_draft_has_no_reference_and_is_not_routed():
    """A draft keeps everything typed, has no reference and notifies nobody."""
    d = report(submit=False, pnr=VALID_PNR)
    assert d.state == DeviationState.DRAFT
    assert d.reference == ""
    assert not Notification.objects.filter(dedupe_key__startswith=f"deviation:{d.pk}:").exists()
    assert patient.decrypt_identifier(d.patient_identifier_encrypted) == "191212121212"


def test_high_risk_goes_to_mas_and_mar_for_rehabilitation():
    """Score ≥ threshold notifies the MAS; a rehabilitation category notifies the MAR instead."""
    high = report(consequence=3, probability=3)
    assert _kinds_for(high)["deviation_to_mas"] == {"mas"}
    rehab = report(consequence=4, probability=2, category_code="mtp-hjalpmedel")
    assert rehab.mas_role == Role.MAR
    assert _kinds_for(rehab)["deviation_to_mas"] == {"mar"}


def test_contracted_unit_routes_to_contractor_mas_and_copies_board_mas():
    """Under a contract where the contractor holds the MAS duty, its MAS assesses; the board's MAS gets a copy."""
    d = report(by="entreprenor-mas", unit_code="hage-02", consequence=4, probability=4, pnr=VALID_PNR)
    assert d.mas_person.user.username == "entreprenor-mas"
    assert d.board_mas_copy.user.username == "mas"
    kinds = _kinds_for(d)
    assert kinds["deviation_information_copy"] == {"mas"}
    assert kinds["deviation_to_mas"] == {"entreprenor-mas"}
    for note in Notification.objects.filter(dedupe_key__startswith=f"deviation:{d.pk}:"):
        text = note.subject + note.body + note.link
        assert "1212" not in text
        assert d.reference in note.subject


def test_recipients_resolved_on_event_date_not_today():
    """A MAS appointed on the unit after the event is not the one told; the MAS of the event date is."""
    newcomer = Person.objects.create(
        municipality=unit("hage-01").municipality,
        first_name="Ny",
        last_name="Mas",
        profession="nurse",
        licensed=True,
        user=__import__("django.contrib.auth")
        .contrib.auth.get_user_model()
        .objects.create_user("nymas", email="nymas@example.se"),
    )
    Assignment.objects.create(
        person=newcomer,
        role=Role.MAS,
        kind=AssignmentKind.STATUTORY,
        unit=unit("hage-01"),
        valid_from=timezone.localdate() - timedelta(days=3),
    )
    old = report(days_ago=10, consequence=4, probability=4)
    assert _kinds_for(old)["deviation_to_mas"] == {"mas"}
    new = report(days_ago=0.1, consequence=4, probability=4)
    assert _kinds_for(new)["deviation_to_mas"] == {"nymas"}


def _walk_to(d, state):
    ec, mas = user("enhetschef"), user("mas")
    if state in ("investigating", "awaiting_mas_assessment", "actions", "closed"):
        d = services.deviation_start_investigation(deviation=d, user=ec, version=d.version)
    if state in ("awaiting_mas_assessment", "actions", "closed"):
        d = services.deviation_send_to_mas(deviation=d, user=ec, version=d.version)
    if state in ("actions", "closed"):
        d = services.deviation_assess(
            deviation=d,
            user=mas,
            version=d.version,
            assessment="Bedömd.",
            lex_maria=False,
            motivation="Ingen allvarlig vårdskada.",
        )
    if state == "closed":
        d = services.deviation_close(deviation=d, user=mas, version=d.version, feedback="Tack, åtgärdat.")
    return d


def test_full_path_records_every_transition_with_actor():
    """registered → investigating → awaiting MAS → actions → closed, each recorded with who and why."""
    d = _walk_to(report(), "closed")
    rows = list(
        DeviationTransition.objects.filter(deviation=d).values_list("from_state", "to_state", "actor__username")
    )
    assert rows == [
        ("draft", "registered", "rapportor"),
        ("registered", "investigating", "enhetschef"),
        ("investigating", "awaiting_mas_assessment", "enhetschef"),
        ("awaiting_mas_assessment", "actions", "mas"),
        ("actions", "closed", "mas"),
    ]
    d.refresh_from_db()
    assert d.feedback_to_reporter == "Tack, åtgärdat."
    assert d.closed_at
    assert d.due_at is None
    assert d.history.count() >= 5
    assert Notification.objects.filter(recipient__username="rapportor", kind="deviation_outcome").count() == 1


def test_return_reject_and_complete_without_mas():
    """MAS may return for more investigation; a low-risk investigation completes without MAS; reject records why."""
    ec, mas = user("enhetschef"), user("mas")
    d = _walk_to(report(), "awaiting_mas_assessment")
    d = services.deviation_return(deviation=d, user=mas, version=d.version, reason="Utred orsaken mer.")
    assert d.state == DeviationState.INVESTIGATING
    d = services.deviation_save_investigation(
        deviation=d,
        user=ec,
        version=d.version,
        investigator=None,
        cause_analysis="Rutinen följdes inte.",
        lessons_learned="",
    )
    d = services.deviation_complete_investigation(deviation=d, user=ec, version=d.version)
    assert d.state == DeviationState.ACTIONS
    r = services.deviation_reject(deviation=report(), user=ec, version=None, reason="Inte vård.")
    assert r.state == DeviationState.REJECTED
    assert r.rejection_reason == "Inte vård."


def test_high_risk_cannot_skip_mas():
    """A deviation meeting the threshold cannot be completed without MAS assessment (Swedish message)."""
    d = _walk_to(report(consequence=4, probability=3), "investigating")
    d.cause_analysis = "x"
    Deviation.objects.filter(pk=d.pk).update(cause_analysis="x")
    with pytest.raises(ValidationError) as exc:
        services.deviation_complete_investigation(deviation=d, user=user("enhetschef"), version=d.version)
    assert "skicka den till MAS" in " ".join(exc.value.messages)
    d.refresh_from_db()
    assert d.state == DeviationState.INVESTIGATING


@pytest.mark.parametrize(
    ("state", "call"),
    [
        ("registered", lambda d: services.deviation_close(deviation=d, user=user("mas"), version=None, feedback="x")),
        (
            "registered",
            lambda d: services.deviation_assess(
                deviation=d, user=user("mas"), version=None, assessment="x", lex_maria=False, motivation="x"
            ),
        ),
        ("closed", lambda d: services.deviation_reject(deviation=d, user=user("mas"), version=None, reason="x")),
        ("actions", lambda d: services.deviation_send_to_mas(deviation=d, user=user("enhetschef"), version=None)),
        (
            "closed",
            lambda d: services.deviation_start_investigation(deviation=d, user=user("enhetschef"), version=None),
        ),
    ],
)
def test_illegal_moves_are_refused_in_swedish(state, call):
    """A move the table does not allow is refused with a Swedish message and changes nothing."""
    d = _walk_to(report(), state)
    before = (d.state, d.version, DeviationTransition.objects.filter(deviation=d).count())
    with pytest.raises(ValidationError) as exc:
        call(d)
    assert "är inte möjligt när avvikelsen är" in " ".join(exc.value.messages)
    d.refresh_from_db()
    assert (d.state, d.version, DeviationTransition.objects.filter(deviation=d).count()) == before


def test_wrong_actor_is_refused_and_nothing_changes():
    """The reporter cannot investigate; another provider's MAS cannot assess; nothing changes."""
    d = report()
    with pytest.raises(PermissionDenied):
        services.deviation_start_investigation(deviation=d, user=user("rapportor"), version=d.version)
    d = _walk_to(d, "awaiting_mas_assessment")
    with pytest.raises(PermissionDenied):
        services.deviation_assess(
            deviation=d,
            user=user("entreprenor-mas"),
            version=d.version,
            assessment="x",
            lex_maria=False,
            motivation="x",
        )
    d.refresh_from_db()
    assert d.state == DeviationState.AWAITING_MAS
    assert d.assessed_at is None


def test_second_concurrent_assessment_gets_conflict_message_and_first_is_kept():
    """Two assessors on the same version: the second is told to reload; the first assessment stands."""
    d = _walk_to(report(), "awaiting_mas_assessment")
    shown_version = d.version
    services.deviation_return(deviation=d, user=user("mas"), version=shown_version, reason="Mer utredning.")
    with pytest.raises(ValidationError) as exc:
        services.deviation_assess(
            deviation=d,
            user=user("mas"),
            version=shown_version,
            assessment="Min bedömning",
            lex_maria=False,
            motivation="Ingen skada",
        )
    d.refresh_from_db()
    assert d.state == DeviationState.INVESTIGATING
    assert d.assessment == ""
    ec = user("enhetschef")
    v = d.version
    services.deviation_save_investigation(
        deviation=d, user=ec, version=v, investigator=None, cause_analysis="Först", lessons_learned=""
    )
    with pytest.raises(ValidationError) as exc:
        services.deviation_save_investigation(
            deviation=d, user=ec, version=v, investigator=None, cause_analysis="Andra", lessons_learned=""
        )
    assert "Någon annan har ändrat avvikelsen" in " ".join(exc.value.messages)
    d.refresh_from_db()
    assert d.cause_analysis == "Först"


def test_lex_maria_yes_opens_the_case_in_the_same_transaction():
    """A "yes" with motivation opens the Lex Maria case; a "no" does not."""
    d = _walk_to(report(consequence=4, probability=4), "awaiting_mas_assessment")
    d = services.deviation_assess(
        deviation=d,
        user=user("mas"),
        version=d.version,
        assessment="Allvarligt.",
        lex_maria=True,
        motivation="Bestående skada.",
    )
    case = LexMariaCase.objects.get(deviation=d)
    assert case.motivation == "Bestående skada."
    no = _walk_to(report(), "actions")
    assert not LexMariaCase.objects.filter(deviation=no).exists()


def test_reminders_are_sent_exactly_once():
    """A reminder before the deadline and one after it, each once, however often the job runs."""
    d = report()
    on = timezone.localdate()
    Deviation.objects.filter(pk=d.pk).update(due_at=timezone.now() + timedelta(days=1))
    Deviation.objects.exclude(pk=d.pk).update(due_at=None)
    assert deviation_reminders(on=on, batch_size=100)["before"] == 2  # enhetschef + verksamhetschef
    assert deviation_reminders(on=on, batch_size=100)["before"] == 0
    later = on + timedelta(days=3)
    assert deviation_reminders(on=later, batch_size=100)["overdue"] == 2
    assert deviation_reminders(on=later + timedelta(days=1), batch_size=100)["overdue"] == 0
    texts = Notification.objects.filter(kind="deviation_reminder").values_list("subject", flat=True)
    assert all(d.reference in t for t in texts)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("19121212-1212", True),
        ("121212-1212", True),
        ("191212121212", True),
        ("121212+1212", True),
        (SAMORDNING_PNR, True),
        ("701063-2391", True),
        ("19121212-1213", False),
        ("19121312-1212", False),
        ("1212121212x", False),
        ("19701093-2391", False),
        ("", False),
        ("20991212-1212", False),
    ],
)
def test_personnummer_validation(value, ok):
    """Format, date (samordningsnummer: day + 60) and check digit."""
    if ok:
        assert len(patient.normalize_personnummer(value)) == 12
    else:
        with pytest.raises(ValidationError):
            patient.normalize_personnummer(value)


def test_patient_identity_is_stored_encrypted_with_keyed_hash():
    """The database holds no readable number; the hash is the same for every way of writing it."""
    d = report(pnr="121212+1212")  # "+": a hundred years or older
    raw = Deviation.objects.filter(pk=d.pk).values_list("patient_identifier_encrypted", "patient_hash").get()
    assert "1212" not in raw[0]
    assert raw[1] == patient.patient_hash("19121212-1212")
    assert len(raw[1]) == 64
    assert patient.is_samordningsnummer(patient.normalize_personnummer(SAMORDNING_PNR))


def test_bad_report_input_gives_swedish_errors():
    """Future event, discovery before the event and a unit the user cannot report for are refused in Swedish."""
    now = timezone.now()
    r = reporting.Report(
        unit=unit("hage-02"),
        occurred_at=now + timedelta(hours=1),
        discovered_at=now,
        category=None,
        event_kind="occurred",
        description="",
        consequence=5,
        probability=None,
        patient_identifier="19121212-1213",
    )
    errors = reporting.validate_report(user=user("rapportor"), report=r)
    assert errors["unit"] == ["Du kan inte rapportera avvikelser för den här enheten."]
    assert errors["occurred_at"] == ["Händelsen kan inte ligga i framtiden."]
    assert errors["discovered_at"] == ["Den kan inte ha upptäckts innan den inträffade."]
    assert "patient_identifier" in errors
    assert "category" in errors
    assert "consequence" in errors


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_threads_assessing_at_once_one_wins(live_demo):
    """On PostgreSQL two simultaneous assessments serialise on the row lock: one succeeds, one conflicts."""
    d = _walk_to(report(), "awaiting_mas_assessment")
    version = d.version
    results: list[str] = []
    barrier = threading.Barrier(2)

    def assess(text: str) -> None:
        from django.db import connections

        try:
            barrier.wait()
            services.deviation_assess(
                deviation=d,
                user=user("mas"),
                version=version,
                assessment=text,
                lex_maria=False,
                motivation="Ingen skada",
            )
            results.append("ok")
        except ValidationError:
            results.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=assess, args=(t,)) for t in ("A", "B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["conflict", "ok"]
    d.refresh_from_db()
    assert d.state == DeviationState.ACTIONS
    assert d.assessment in ("A", "B")
    assert DeviationTransition.objects.filter(deviation=d, to_state="actions").count() == 1
