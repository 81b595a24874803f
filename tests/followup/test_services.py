"""The deficiency → action → verification loop, checklists as drafts, delegations and bad input."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from followup import actions, delegations, services
from followup.choices import ActionState, AnswerStatus, FollowUpKind, FollowUpState, FollowUpTrigger
from followup.models import ActionTransition, Delegation
from responsibility.models import Contract
from tests.factories import person, unit, user

pytestmark = pytest.mark.django_db


def test_action_loop_with_send_back_ends_verified(new_action):
    """An action is done only when verified; a send-back needs a reason and reopens it for the owner."""
    action = new_action()
    owner, auditor = user("enhetschef"), user("kvalitet")
    assert not action.is_done
    actions.action_report_done(action=action, actor=owner, note="Rutinen är uppdaterad.")
    action.refresh_from_db()
    assert action.state == ActionState.REPORTED_DONE
    assert not action.is_done
    with pytest.raises(ValidationError) as exc:
        actions.action_send_back(action=action, actor=auditor, reason="  ")
    assert "Ange ett skäl" in str(exc.value) or "reason" in exc.value.message_dict
    actions.action_send_back(action=action, actor=auditor, reason="Visa den nya rutinen.")
    action.refresh_from_db()
    assert action.state == ActionState.SENT_BACK
    assert action.sent_back_reason == "Visa den nya rutinen."
    actions.action_report_done(action=action, actor=owner, note="Rutinen bifogad i intranätet.")
    actions.action_verify(action=action, actor=auditor)
    action.refresh_from_db()
    assert action.is_done
    assert action.verified_by == auditor
    assert action.verified_at is not None
    moves = list(
        ActionTransition.objects.filter(action=action).values_list("from_state", "to_state", "actor__username")
    )
    assert moves == [
        ("open", "open", "kvalitet"),
        ("open", "reported_done", "enhetschef"),
        ("reported_done", "sent_back", "kvalitet"),
        ("sent_back", "reported_done", "enhetschef"),
        ("reported_done", "verified", "kvalitet"),
    ]
    # Running a transition again is harmless; an illegal one is refused.
    actions.action_verify(action=action, actor=auditor)
    with pytest.raises(ValidationError):
        actions.action_report_done(action=action, actor=owner, note="igen")
    assert ActionTransition.objects.filter(action=action).count() == 5


def test_only_the_auditor_verifies_and_only_owner_or_manager_reports(new_action):
    """The owner cannot verify their own action; a contractor's MAS cannot report a municipal unit's action."""
    action = new_action()
    with pytest.raises(PermissionDenied):
        actions.action_report_done(action=action, actor=user("entreprenor-mas"), note="x")
    actions.action_report_done(action=action, actor=user("enhetschef"), note="Klart.")
    with pytest.raises(PermissionDenied):
        actions.action_verify(action=action, actor=user("enhetschef"))
    action.refresh_from_db()
    assert action.state == ActionState.REPORTED_DONE


def test_action_without_owner_or_deadline_is_refused(new_followup):
    """An action needs an owner and a deadline; the messages are Swedish."""
    fu = new_followup()
    finding = services.finding_create(follow_up=fu, actor=user("kvalitet"), description="Brist.")
    with pytest.raises(ValidationError) as exc:
        actions.action_create(
            finding=finding, actor=user("kvalitet"), description="Gör något", owner=None, deadline=None
        )
    assert set(exc.value.message_dict) == {"owner", "deadline"}
    assert exc.value.message_dict["owner"] == ["Välj vem som äger åtgärden."]
    assert finding.actions.count() == 0


def test_followup_outside_contract_period_is_refused(municipality):
    """An ad-hoc follow-up dated outside the contract's period is refused with the period in the message."""
    contract = Contract.objects.get(case_number="SLK 2024/1100")
    with pytest.raises(ValidationError) as exc:
        services.followup_create(
            actor=user("kvalitet"),
            municipality=municipality,
            kind=FollowUpKind.CONTRACT_REVIEW,
            trigger=FollowUpTrigger.BOARD_REQUEST,
            scheduled_date=contract.valid_to + timedelta(days=1),
            contract=contract,
            unit=unit("hage-02"),
            auditor=person("auditor-vastra-soderort"),
        )
    message = exc.value.message_dict["scheduled_date"][0]
    assert "utanför avtalsperioden" in message
    assert contract.valid_to.isoformat() in message


def test_half_filled_checklist_stays_draft_and_lists_missing(new_followup):
    """Submitting a half-filled checklist saves what was given, keeps it in progress and lists the rest."""
    fu = new_followup()
    services.followup_start(follow_up=fu, actor=user("kvalitet"))
    answers = list(fu.answers.order_by("order"))
    assert len(answers) == 8
    given = {a.pk: services.AnswerInput(status=AnswerStatus.FULFILLED, comment="Bra") for a in answers[:3]}
    missing = services.followup_save_checklist(follow_up=fu, actor=user("kvalitet"), answers=given, submit=True)
    fu.refresh_from_db()
    assert fu.state == FollowUpState.IN_PROGRESS
    assert [a.pk for a in missing] == [a.pk for a in answers[3:]]
    assert fu.answers.filter(status=AnswerStatus.FULFILLED, comment="Bra").count() == 3
    rest = {a.pk: services.AnswerInput(status=AnswerStatus.NOT_APPLICABLE) for a in answers[3:]}
    assert services.followup_save_checklist(follow_up=fu, actor=user("kvalitet"), answers=rest, submit=True) == []
    fu.refresh_from_db()
    assert fu.state == FollowUpState.COMPLETED
    assert fu.completed_by == user("kvalitet")


def test_someone_not_auditing_cannot_fill_in_the_checklist(new_followup):
    """Only the auditor performs the follow-up."""
    fu = new_followup()
    with pytest.raises(PermissionDenied):
        services.followup_start(follow_up=fu, actor=user("enhetschef"))
    fu.refresh_from_db()
    assert fu.state == FollowUpState.PLANNED
    assert fu.answers.count() == 0


def _delegation(**overrides):
    base = {
        "actor": user("mas"),
        "from_person": person("nurse-hage-01"),
        "to_person": person("staff-hage-01"),
        "unit": unit("hage-01"),
        "tasks": "Insulininjektion",
        "valid_from": None,
        "valid_to": None,
    }
    base.update(overrides)
    return delegations.delegation_create(**base)


def test_delegation_longer_than_allowed_is_refused(today, municipality):
    """A delegation may last at most Municipality.delegation_max_days."""
    with pytest.raises(ValidationError) as exc:
        _delegation(valid_from=today, valid_to=today + timedelta(days=municipality.delegation_max_days))
    assert "högst 365 dagar" in exc.value.message_dict["valid_to"][0]
    d = _delegation(valid_from=today, valid_to=today + timedelta(days=municipality.delegation_max_days - 1))
    assert d.pk


def test_delegation_to_person_without_role_at_unit_is_refused(today):
    """A delegation goes only to someone with a role at the unit; a non-licensed person cannot delegate."""
    with pytest.raises(ValidationError) as exc:
        _delegation(to_person=person("staff-hage-03"), valid_from=today, valid_to=today + timedelta(days=30))
    assert "har ingen roll" in exc.value.message_dict["to_person"][0]
    with pytest.raises(ValidationError) as exc:
        _delegation(from_person=person("staff-hage-03"), valid_from=today, valid_to=today + timedelta(days=30))
    assert "from_person" in exc.value.message_dict


def test_delegation_revocation_needs_date_and_reason(today):
    """Revoking records date, reason and who; it is no longer active from that date."""
    d = _delegation(valid_from=today - timedelta(days=10), valid_to=today + timedelta(days=100))
    with pytest.raises(ValidationError):
        delegations.delegation_revoke(delegation=d, actor=user("mas"), revoked_at=today, reason="")
    delegations.delegation_revoke(delegation=d, actor=user("mas"), revoked_at=today, reason="Slutat på enheten.")
    d = Delegation.objects.get(pk=d.pk)
    assert d.revoked_at == today
    assert d.revoked_by == user("mas")
    assert d.is_active_on(today - timedelta(days=1))
    assert not d.is_active_on(today)
