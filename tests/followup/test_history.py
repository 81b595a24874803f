"""A follow-up's moves are kept as history rows (who, when, why) and shown on its page."""

import pytest
from django.urls import reverse

from followup import services
from followup.choices import FollowUpState
from followup.models import FollowUpTransition
from tests.conftest import DEMO_PASSWORD
from tests.factories import user

pytestmark = pytest.mark.django_db

# The follow-up page's exact cost: login and scope, the follow-up, its answers, findings with their actions,
# the forms' choices, the notification count, and one query for the whole history.
DETAIL_QUERIES = 13


def test_starting_a_followup_writes_one_row_with_actor_and_reason(new_followup):
    """Starting writes exactly one history row (planned → in progress) with the auditor and the move's name;
    starting again writes nothing."""
    follow_up = new_followup()
    auditor = user("kvalitet")
    services.followup_start(follow_up=follow_up, actor=auditor)
    services.followup_start(follow_up=follow_up, actor=auditor)
    [row] = FollowUpTransition.objects.filter(follow_up=follow_up)
    assert (row.from_state, row.to_state, row.actor, row.reason) == (
        FollowUpState.PLANNED,
        FollowUpState.IN_PROGRESS,
        auditor,
        "Påbörja uppföljningen",
    )


def test_detail_page_shows_the_history_also_without_an_actor(client, new_followup):
    """The follow-up's page lists each move with who made it; a row without an actor (a job) shows "Systemet"."""
    follow_up = new_followup()
    services.followup_start(follow_up=follow_up, actor=user("kvalitet"))
    FollowUpTransition.objects.create(
        follow_up=follow_up, from_state=FollowUpState.IN_PROGRESS, to_state=FollowUpState.IN_PROGRESS, reason="Jobb"
    )
    assert client.login(username="kvalitet", password=DEMO_PASSWORD)
    html = client.get(reverse("followup:followup_detail", args=[follow_up.pk])).content.decode()
    history = html[html.index('id="history-heading"') :]
    assert "Påbörja uppföljningen" in history
    assert user("kvalitet").get_full_name() in history
    assert "Systemet" in history


def test_detail_page_query_count_does_not_grow_with_the_history(client, django_assert_num_queries, new_followup):
    """The follow-up's page costs the same number of queries with one history row as with four."""
    follow_up = new_followup()
    services.followup_start(follow_up=follow_up, actor=user("kvalitet"))
    assert client.login(username="kvalitet", password=DEMO_PASSWORD)
    url = reverse("followup:followup_detail", args=[follow_up.pk])
    client.get(url)  # warm the per-process caches (content types)
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(url)
    for _ in range(3):
        FollowUpTransition.objects.create(
            follow_up=follow_up,
            from_state=FollowUpState.IN_PROGRESS,
            to_state=FollowUpState.IN_PROGRESS,
            actor=user("kvalitet"),
        )
    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(url)
    assert len(response.context["transitions"]) == 4
