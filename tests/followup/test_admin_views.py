"""Plans, routines, delegation revocation and the followup_status command."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from followup import delegations
from followup.models import ChecklistTemplate, Delegation, FollowUpPlan
from tests.factories import person, unit, user

pytestmark = pytest.mark.django_db


def _login(client, username):
    assert client.login(username=username, password="demo")  # noqa: S106 - the demo password


def test_mas_creates_a_plan_and_unit_manager_may_not(client, today):
    data = {
        "title": "Halvårsvis egenkontroll Lärkan",
        "kind": "self_assessment",
        "scope": "unit",
        "unit": unit("hage-03").pk,
        "checklist_template": ChecklistTemplate.objects.get(code="mas-ansvarsomraden").pk,
        "interval_months": 6,
        "starts_on": today.isoformat(),
        "lead_days": 30,
        "auditor": person("auditor-vastra-soderort").pk,
    }
    _login(client, "enhetschef")
    assert client.post(reverse("followup:plan_create"), data).status_code == 403
    assert not FollowUpPlan.objects.filter(title=data["title"]).exists()
    client.logout()
    _login(client, "mas")
    response = client.post(reverse("followup:plan_create"), data)
    assert response.status_code == 302
    plan = FollowUpPlan.objects.get(title=data["title"])
    assert plan.unit.code == "hage-03"
    assert plan.created_by == user("mas")


def test_plan_without_its_target_is_refused_in_swedish(client, today):
    _login(client, "mas")
    response = client.post(
        reverse("followup:plan_create"),
        {
            "title": "Utan mål",
            "kind": "supervision",
            "scope": "contract",
            "checklist_template": ChecklistTemplate.objects.get(code="mas-ansvarsomraden").pk,
            "interval_months": 12,
            "starts_on": today.isoformat(),
            "lead_days": 30,
        },
    )
    assert response.status_code == 400
    assert "Välj vad planen omfattar." in response.content.decode()


def test_mas_revokes_a_delegation_with_date_and_reason(client, today):
    d = delegations.delegation_create(
        actor=user("mas"),
        from_person=person("nurse-hage-01"),
        to_person=person("staff-hage-01"),
        unit=unit("hage-01"),
        tasks="Ögondroppar",
        valid_from=today,
        valid_to=today + timedelta(days=90),
    )
    url = reverse("followup:delegation_revoke", args=[d.pk])
    _login(client, "rapportor")
    assert client.post(url, {"revoked_at": today.isoformat(), "revoked_reason": "x"}).status_code == 403
    client.logout()
    _login(client, "mas")
    response = client.post(url, {"revoked_at": today.isoformat(), "revoked_reason": ""})
    assert response.status_code == 400
    assert "Ange ett skäl till återkallelsen." in response.content.decode()
    assert client.post(url, {"revoked_at": today.isoformat(), "revoked_reason": "Slutat."}).status_code == 302
    d = Delegation.objects.get(pk=d.pk)
    assert d.revoked_at == today
    assert d.revoked_reason == "Slutat."


def test_routine_library_flags_routines_due_for_revision(client):
    _login(client, "mas")
    body = client.get(reverse("followup:routine_list")).content.decode()
    assert "Läkemedelshantering i särskilt boende" in body
    assert "Ska revideras" in body


def test_followup_status_command_json(today):
    out = StringIO()
    call_command("followup_status", "--board", "hagersten-liljeholmen", "--format", "json", stdout=out)
    status = json.loads(out.getvalue())
    assert status["board"] == "hagersten-liljeholmen"
    assert set(status) >= {"planned", "overdue", "open_findings", "actions_by_state"}
    assert set(status["actions_by_state"]) == {"open", "reported_done", "verified", "sent_back"}
    assert all(status["actions_by_state"][s] >= 1 for s in ("open", "reported_done", "verified", "sent_back"))
    assert status["open_findings"] >= 1


def test_start_page_shows_followup_items(client):
    _login(client, "kvalitet")
    body = client.get("/").content.decode()
    assert "Uppföljningar att genomföra" in body
    assert "Åtgärder att verifiera" in body
