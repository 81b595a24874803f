"""Issue 13 in follow-up: type-ahead pickers for units, auditors and action owners (eligible choices only, the
request's municipality only), "Avbryt" on every form, and flash messages that link to what was created."""

from __future__ import annotations

import html
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from followup import services
from followup.forms import owners_for
from responsibility.choices import Profession, Role
from responsibility.models import Assignment, Municipality, Person, Region, Unit
from responsibility.permissions import units_visible_to
from tests.factories import person, user

pytestmark = pytest.mark.django_db

PICKER = reverse("followup:picker_search")


def _foreign_auditor() -> Person:
    """A quality auditor called like the demo's, in another municipality."""
    other = Municipality.objects.create(name="Annanstad", code="annanstad", org_number="212000-0001")
    auditor = person("auditor-vastra-soderort")
    foreign = Person.objects.create(
        municipality=other,
        first_name=auditor.first_name,
        last_name=auditor.last_name,
        email="granskare@annanstad.se",
        profession=Profession.OTHER,
    )
    region = Region.objects.create(municipality=other, name="Annan region", code="annan")
    Assignment.objects.create(person=foreign, role=Role.QUALITY_AUDITOR, region=region, valid_from=date(2020, 1, 1))
    return foreign


def test_unit_picker_offers_the_users_units_with_code_and_board(client, django_assert_num_queries):
    """An auditor finds units of their scope by name or code; each choice names code, board and provider."""
    kvalitet = user("kvalitet")
    client.force_login(kvalitet)
    client.get(PICKER, {"kind": "unit", "q": "hage"})  # warm the session and the user's scope
    # Session, user, the roles (with the person), the register-admin look-up, the units.
    with django_assert_num_queries(5):
        results = client.get(PICKER, {"kind": "unit", "q": "hage-01"}).json()["results"]
    unit = Unit.objects.select_related("board", "provider").get(code="hage-01")
    assert results[0] == {
        "value": unit.pk,
        "label": unit.name,
        "detail": f"hage-01 · {unit.board.name} · {unit.provider.name}",
    }
    everything = client.get(PICKER, {"kind": "unit", "q": ""}).json()["results"]
    visible = set(units_visible_to(kvalitet).values_list("pk", flat=True))
    assert everything
    assert {r["value"] for r in everything} <= visible


def test_auditor_picker_offers_only_quality_auditors_of_the_municipality(client):
    auditor = person("auditor-vastra-soderort")
    foreign = _foreign_auditor()
    client.force_login(user("mas"))
    results = client.get(PICKER, {"kind": "auditor", "q": auditor.last_name}).json()["results"]
    chosen = {r["value"] for r in results}
    assert auditor.pk in chosen
    assert foreign.pk not in chosen
    holders = set(
        Assignment.objects.active_on(timezone.localdate())
        .filter(role=Role.QUALITY_AUDITOR, person__pk__in=chosen)
        .values_list("person", flat=True)
    )
    assert holders == chosen


def test_owner_picker_offers_only_people_of_the_follow_ups_unit(client, new_followup):
    """The action owner is one of the people with an assignment covering the unit; the unit manager is among them,
    a unit manager of another unit is not."""
    fu = new_followup("hage-01")
    client.force_login(user("kvalitet"))
    results = client.get(PICKER, {"kind": "owner", "followup": fu.pk, "q": ""}).json()["results"]
    chosen = {r["value"] for r in results}
    assert person("ec-hage-01").pk in chosen
    assert chosen <= set(owners_for(fu).values_list("pk", flat=True))
    others = client.get(PICKER, {"kind": "owner", "followup": fu.pk, "q": person("ec-hage-02").last_name}).json()
    assert person("ec-hage-02").pk not in {r["value"] for r in others["results"]}


def test_picker_refuses_who_may_not_plan_or_perform(client, new_followup):
    """Anonymous: login; a reporter: 403; a MAS asking for the owners of a follow-up she does not perform: 403;
    an unknown follow-up or kind: 404."""
    fu = new_followup("hage-01")
    assert client.get(PICKER, {"kind": "unit"}).status_code == 302
    client.force_login(user("rapportor"))
    assert client.get(PICKER, {"kind": "unit"}).status_code == 403
    client.force_login(user("mas"))
    assert client.get(PICKER, {"kind": "owner", "followup": fu.pk}).status_code == 403
    assert client.get(PICKER, {"kind": "owner", "followup": "999999"}).status_code == 404
    assert client.get(PICKER, {"kind": "nope"}).status_code == 404


def test_followup_forms_use_the_pickers(client, new_followup):
    """The create and plan forms' unit and auditor, and the action's owner, are pickers; without JavaScript the
    select's labels tell units apart by code and board."""
    client.force_login(user("mas"))
    for name in ("followup:followup_create", "followup:plan_create"):
        body = client.get(reverse(name)).content.decode()
        assert 'data-picker="unit"' in body
        assert 'data-picker="auditor"' in body
        assert "js/picker" in body
    unit = Unit.objects.select_related("board").get(code="hage-01")
    body = html.unescape(client.get(reverse("followup:followup_create")).content.decode())
    assert f"{unit.name} – hage-01 · {unit.board.name}" in body
    fu = new_followup("hage-01")
    client.force_login(user("kvalitet"))
    services.finding_create(follow_up=fu, actor=user("kvalitet"), description="Brist.")
    body = client.get(fu.get_absolute_url()).content.decode()
    assert 'data-picker="owner"' in body
    assert f'data-picker-params="followup={fu.pk}"' in body


@pytest.mark.parametrize(
    ("username", "page", "back"),
    [
        ("mas", "followup:followup_create", "followup:followup_list"),
        ("mas", "followup:plan_create", "followup:plan_list"),
        ("mas", "followup:routine_create", "followup:routine_list"),
        ("mas", "followup:delegation_create", "followup:delegation_list"),
        ("rapportor", "incidents:deviation_create", "incidents:my_reports"),
        ("mas", "complaints:complaint_create", "complaints:complaint_list"),
        ("mas", "complaints:collaboration_create", "complaints:collaboration_list"),
        ("mas", "complaints:counterpart_create", "complaints:counterpart_list"),
    ],
)
def test_every_form_has_avbryt_back_to_its_list(client, username, page, back):
    client.force_login(user(username))
    response = client.get(reverse(page))
    assert response.status_code == 200
    assert f'<a class="button" href="{reverse(back)}">Avbryt</a>' in response.content.decode()


def test_action_flash_links_the_new_action_and_escapes_its_text(client, new_followup, today):
    """After "Föreslå åtgärd" the message says what happened and links the action; what the user typed is
    escaped (no markup from user data)."""
    fu = new_followup("hage-01")
    finding = services.finding_create(follow_up=fu, actor=user("kvalitet"), description="Brist.")
    client.force_login(user("kvalitet"))
    response = client.post(
        reverse("followup:action_create", args=[fu.pk]),
        {
            "action-finding": finding.pk,
            "action-description": "<b>Rutin</b> ska ses över",
            "action-owner": person("ec-hage-01").pk,
            "action-deadline": (today + timedelta(days=10)).isoformat(),
        },
        follow=True,
    )
    action = finding.actions.get()
    body = response.content.decode()
    assert (
        f'Åtgärden föreslogs: <a href="{action.get_absolute_url()}">&lt;b&gt;Rutin&lt;/b&gt; ska ses över</a>' in body
    )
    assert "<b>Rutin</b>" not in body


def test_followup_created_flash_links_the_follow_up(client, today):
    client.force_login(user("mas"))
    unit = Unit.objects.get(code="hage-01")
    response = client.post(
        reverse("followup:followup_create"),
        {
            "kind": "supervision",
            "trigger": "board_request",
            "trigger_reference": "Nämndens beslut",
            "unit": unit.pk,
            "scheduled_date": (today + timedelta(days=5)).isoformat(),
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert f'Uppföljningen skapades: <a href="{response["Location"]}">' in page


def test_register_flash_names_and_links_the_saved_object_escaped(client):
    """After saving a register object the message names it as a link to it; a name with markup stays text."""
    region = Region.objects.filter(municipality__code="stockholm").first()
    client.force_login(user("admin"))
    url = reverse("responsibility:region_edit", args=[region.pk])
    response = client.post(
        url,
        {"code": region.code, "name": "<i>Region</i> Söder", "host_board": region.host_board_id or ""},
        follow=True,
    )
    body = response.content.decode()
    assert f'Regionen <a href="{url}">&lt;i&gt;Region&lt;/i&gt; Söder</a> sparades.' in body
    assert "<i>Region</i>" not in body
