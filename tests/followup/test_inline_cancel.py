"""Issue 13: "Avbryt" on the forms of a follow-up and an action page goes back to that page (tests/inline_forms.py)."""

import pytest

from followup import services
from tests.factories import person, user, user_for
from tests.inline_forms import assert_every_inline_form_cancels_back_to

pytestmark = pytest.mark.django_db


def test_follow_up_and_action_forms_cancel_back_to_their_page(client, new_action):
    """The checklist, the finding and the action forms go back to the follow-up; a finding opened from a checklist
    item goes back to that item, without the prefill; the owner's "report done" goes back to the action."""
    action = new_action()
    follow_up = action.finding.follow_up
    services.followup_start(follow_up=follow_up, actor=user("kvalitet"))
    client.force_login(user("kvalitet"))
    url = follow_up.get_absolute_url()
    assert assert_every_inline_form_cancels_back_to(client, url) == 3
    answer = follow_up.answers.first()
    answer.status = "not_fulfilled"
    answer.save(update_fields=["status"])
    body = client.get(f"{url}?answer={answer.pk}").content.decode()
    assert f'href="{url}#answer-{answer.pk}" data-cancel' in body
    assert assert_every_inline_form_cancels_back_to(client, f"{url}?answer={answer.pk}", at=url) == 3
    client.force_login(user_for(person("ec-hage-01")))
    assert assert_every_inline_form_cancels_back_to(client, action.get_absolute_url()) == 1
