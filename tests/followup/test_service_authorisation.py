"""Every follow-up write service decides itself who may write: a refused actor changes nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from followup import contracts, delegations, routines, services
from followup.choices import FollowUpKind, FollowUpState, FollowUpTrigger
from followup.models import Delegation, FollowUp, FollowUpPlan, Routine
from responsibility.models import Contract
from tests.followup.conftest import person, unit, user

pytestmark = pytest.mark.django_db

# The unit manager of hage-01: neither register admin, MAS, MAR nor quality auditor.
OUTSIDER = "enhetschef"


def test_followup_create_refuses_an_actor_who_may_not_create(municipality, today):
    """A unit manager cannot create an ad-hoc follow-up through the service; none is created."""
    before = FollowUp.objects.count()
    with pytest.raises(PermissionDenied):
        services.followup_create(
            actor=user(OUTSIDER),
            municipality=municipality,
            kind=FollowUpKind.SUPERVISION,
            trigger=FollowUpTrigger.BOARD_REQUEST,
            scheduled_date=today + timedelta(days=3),
            unit=unit("hage-01"),
        )
    assert FollowUp.objects.count() == before


def test_plan_save_refuses_an_actor_who_may_not_plan():
    """A unit manager cannot change a follow-up plan; the stored plan keeps its title."""
    plan = FollowUpPlan.objects.order_by("pk").first()
    title = plan.title
    plan.title = "Ändrad av obehörig"
    with pytest.raises(PermissionDenied):
        services.plan_save(plan=plan, actor=user(OUTSIDER))
    assert FollowUpPlan.objects.get(pk=plan.pk).title == title


def test_contract_save_refuses_a_non_admin():
    """Only a register administrator saves a contract; the stored contract is unchanged."""
    contract = Contract.objects.order_by("pk").first()
    title = contract.title
    contract.title = "Ändrat av obehörig"
    with pytest.raises(PermissionDenied):
        contracts.contract_save(contract=contract, actor=user(OUTSIDER))
    assert Contract.objects.get(pk=contract.pk).title == title


def test_delegation_create_and_revoke_refuse_an_actor_outside_the_register(today):
    """Only the MAS of the unit (or the delegating person) keeps the delegation register."""
    before = Delegation.objects.count()
    with pytest.raises(PermissionDenied):
        delegations.delegation_create(
            actor=user(OUTSIDER),
            from_person=person("nurse-hage-01"),
            to_person=person("staff-hage-01"),
            unit=unit("hage-01"),
            tasks="Insulininjektion",
            valid_from=today,
            valid_to=today + timedelta(days=30),
        )
    assert Delegation.objects.count() == before
    d = delegations.delegation_create(
        actor=user("mas"),
        from_person=person("nurse-hage-01"),
        to_person=person("staff-hage-01"),
        unit=unit("hage-01"),
        tasks="Insulininjektion",
        valid_from=today,
        valid_to=today + timedelta(days=30),
    )
    with pytest.raises(PermissionDenied):
        delegations.delegation_revoke(delegation=d, actor=user(OUTSIDER), revoked_at=today, reason="Obehörig.")
    d.refresh_from_db()
    assert d.revoked_at is None
    assert d.revoked_by is None


def test_routine_save_and_revised_refuse_an_actor_who_may_not_manage_routines(today):
    """A unit manager can neither edit a routine nor record its revision; the routine is unchanged."""
    routine = Routine.objects.order_by("pk").first()
    title, next_revision = routine.title, routine.next_revision
    routine.title = "Ändrad av obehörig"
    with pytest.raises(PermissionDenied):
        routines.routine_save(routine=routine, actor=user(OUTSIDER))
    with pytest.raises(PermissionDenied):
        routines.routine_revised(routine=routine, actor=user(OUTSIDER), next_revision=today + timedelta(days=300))
    stored = Routine.objects.get(pk=routine.pk)
    assert (stored.title, stored.next_revision) == (title, next_revision)


def test_followup_moves_follow_the_table(new_followup):
    """Start and complete are the table's moves: starting twice is harmless, an outsider may not start."""
    fu = new_followup()
    with pytest.raises(PermissionDenied):
        services.followup_start(follow_up=fu, actor=user(OUTSIDER))
    assert FollowUp.objects.get(pk=fu.pk).state == FollowUpState.PLANNED
    started = services.followup_start(follow_up=fu, actor=user("kvalitet"))
    again = services.followup_start(follow_up=fu, actor=user("kvalitet"))
    assert (started.state, again.state) == (FollowUpState.IN_PROGRESS, FollowUpState.IN_PROGRESS)
    assert again.started_at == started.started_at
