"""Fixtures for follow-up tests: demo people and units, and a follow-up being performed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from followup import actions, services
from followup.choices import FollowUpKind, FollowUpTrigger
from responsibility.models import Municipality
from tests.factories import person, unit, user


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def municipality(db):
    return Municipality.objects.get(code="stockholm")


@pytest.fixture
def new_followup(db, municipality, today):
    """Return a factory of ad-hoc follow-ups at a unit, audited by the demo auditor (kvalitet)."""

    def make(code: str = "hage-01", days: int = 3):
        u = unit(code)
        return services.followup_create(
            actor=user("kvalitet"),
            municipality=municipality,
            kind=FollowUpKind.SUPERVISION,
            trigger=FollowUpTrigger.BOARD_REQUEST,
            scheduled_date=today + timedelta(days=days),
            unit=u,
            contract=None,
            auditor=person("auditor-vastra-soderort"),
        )

    return make


@pytest.fixture
def new_action(db, new_followup, today):
    """Return a factory of open actions on a fresh follow-up's finding."""

    def make(code: str = "hage-01", owner_key: str = "ec-hage-01", deadline_days: int = 10):
        fu = new_followup(code)
        finding = services.finding_create(follow_up=fu, actor=user("kvalitet"), description="Brist i rutinen.")
        return actions.action_create(
            finding=finding,
            actor=user("kvalitet"),
            description="Åtgärda rutinen.",
            owner=person(owner_key),
            deadline=today + timedelta(days=deadline_days),
        )

    return make
