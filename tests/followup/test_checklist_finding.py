"""Follow-up checklist → finding (issue 13): an "Ej uppfyllt"/"Delvis" item starts a finding prefilled with its
area and full text; the checklist item's text is never cut."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from followup import services
from followup.choices import AnswerStatus
from followup.models import Finding
from tests.followup.conftest import user

pytestmark = pytest.mark.django_db


def _answered(client, new_followup):
    fu = new_followup()
    services.followup_start(follow_up=fu, actor=user("kvalitet"))
    answers = list(fu.answers.order_by("order"))
    client.force_login(user("kvalitet"))
    response = client.post(
        reverse("followup:followup_detail", args=[fu.pk]),
        {
            f"status-{answers[0].pk}": AnswerStatus.NOT_FULFILLED,
            f"comment-{answers[0].pk}": "Ingen signering i kväll.",
            f"status-{answers[1].pk}": AnswerStatus.FULFILLED,
            "save": "1",
            "summary": "",
        },
    )
    assert response.status_code == 302
    return fu, answers


def test_not_fulfilled_item_offers_a_finding_and_fulfilled_does_not(client, new_followup):
    fu, answers = _answered(client, new_followup)
    body = client.get(reverse("followup:followup_detail", args=[fu.pk])).content.decode()
    assert f'href="?answer={answers[0].pk}#new-finding"' in body
    assert f'href="?answer={answers[1].pk}#new-finding"' not in body


def test_the_finding_form_is_prefilled_with_the_item_and_its_area(client, new_followup):
    """Following the link fills in the item's full text (and the comment), its duty area and the item itself;
    recording it needs no retyping, and the item then says a finding is recorded."""
    fu, answers = _answered(client, new_followup)
    item = answers[0]
    url = reverse("followup:followup_detail", args=[fu.pk])
    body = client.get(url, {"answer": item.pk}).content.decode()
    textarea = re.search(r'<textarea name="finding-description"[^>]*>(.*?)</textarea>', body, re.S).group(1)
    assert html.unescape(textarea).strip() == f"{item.question}\nIngen signering i kväll."
    assert re.search(rf'<option value="{item.area}" selected>', body)
    assert re.search(rf'<option value="{item.pk}" selected>{re.escape(html.escape(item.question))}', body)
    response = client.post(
        reverse("followup:finding_create", args=[fu.pk]),
        {
            "finding-description": html.unescape(textarea).strip(),
            "finding-area": item.area,
            "finding-severity": "deficiency",
            "finding-answer": item.pk,
        },
    )
    assert response.status_code == 302
    finding = Finding.objects.get(follow_up=fu)
    assert (finding.area, finding.answer_id) == (item.area, item.pk)
    body = client.get(url).content.decode()
    assert "En iakttagelse är registrerad för punkten." in body
    # The action form names the action "Åtgärd", never "Händelse".
    form = body[body.index('id="new-action"') :]
    assert re.search(r'<label for="id_action-description">Åtgärd', form)
    assert "Händelse" not in form
    assert f'href="?answer={item.pk}#new-finding"' not in body


def test_checklist_item_text_is_not_cut(new_followup):
    fu = new_followup()
    services.followup_start(follow_up=fu, actor=user("kvalitet"))
    longest = max(fu.answers.all(), key=lambda a: len(a.question))
    assert len(longest.question) > 60
    assert str(longest).startswith(longest.question)
    assert str(longest.template_item).endswith(longest.question)
