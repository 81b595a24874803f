"""Views: the permission matrix, Swedish messages, half-filled checklists, contracts, exact query counts."""

from datetime import timedelta

import pytest
from django.urls import reverse

from followup import services
from followup.choices import ActionState, AnswerStatus, FollowUpState
from followup.models import FollowUp
from responsibility.models import Contract
from tests.factories import person, unit, user

pytestmark = pytest.mark.django_db


def _login(client, username):
    assert client.login(username=username, password="demo")  # noqa: S106 - the demo password


def test_anonymous_is_sent_to_login(client):
    for name in (
        "followup:followup_list",
        "followup:action_list",
        "followup:delegation_list",
        "followup:contract_list",
        "followup:job_runs",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert "/login/" in response["Location"]


def test_contractor_staff_see_only_their_providers_followups_and_actions(client, new_action):
    """The contractor's MAS sees Norrsken's follow-ups and actions, never the municipal unit's."""
    municipal = new_action(code="hage-01")
    _login(client, "entreprenor-mas")
    followups = client.get(reverse("followup:followup_list")).context["followups"]
    assert followups
    assert {f.unit.provider.name for f in followups} == {"Norrsken Omsorg AB"}
    actions = client.get(reverse("followup:action_list") + "?state=all").context["actions"]
    assert actions
    assert all(a.finding.follow_up.unit.provider.name == "Norrsken Omsorg AB" for a in actions)
    assert client.get(reverse("followup:followup_detail", args=[municipal.finding.follow_up_id])).status_code == 404
    assert client.get(reverse("followup:action_detail", args=[municipal.pk])).status_code == 404
    # Nor can it act on the municipal action: nothing changes.
    response = client.post(reverse("followup:action_detail", args=[municipal.pk]), {"do": "report", "report-note": "x"})
    assert response.status_code == 404
    municipal.refresh_from_db()
    assert municipal.state == ActionState.OPEN


def test_unit_staff_do_not_see_other_units(client, new_action):
    """Ekbacken's unit manager sees Ekbacken's follow-ups, not another board's unit."""
    other = new_action(code="hage-03", owner_key="ec-hage-03")
    _login(client, "enhetschef")
    codes = {f.unit.code for f in client.get(reverse("followup:followup_list")).context["followups"]}
    assert codes == {"hage-01"}
    assert client.get(reverse("followup:action_detail", args=[other.pk])).status_code == 404


def test_auditor_sees_followups_they_audit(client):
    _login(client, "kvalitet")
    followups = client.get(reverse("followup:followup_list") + "?mine=1").context["followups"]
    assert followups
    assert all(f.auditor.email == "auditor-vastra-soderort@demo.masportalen.se" for f in followups)


def test_owner_reports_done_and_auditor_verifies_through_the_views(client, new_action):
    action = new_action()
    _login(client, "enhetschef")
    response = client.post(reverse("followup:action_detail", args=[action.pk]), {"do": "report", "report-note": ""})
    assert response.status_code == 400
    assert "Beskriv vad som har gjorts." in response.content.decode()
    response = client.post(
        reverse("followup:action_detail", args=[action.pk]), {"do": "report", "report-note": "Rutinen uppdaterad."}
    )
    assert response.status_code == 302
    # The owner may not verify.
    client.post(reverse("followup:action_detail", args=[action.pk]), {"do": "verify"})
    action.refresh_from_db()
    assert action.state == ActionState.REPORTED_DONE
    client.logout()
    _login(client, "kvalitet")
    response = client.post(reverse("followup:action_detail", args=[action.pk]), {"do": "send_back", "back-reason": ""})
    assert response.status_code == 400
    assert "Ange ett skäl" in response.content.decode()
    client.post(reverse("followup:action_detail", args=[action.pk]), {"do": "verify"})
    action.refresh_from_db()
    assert action.state == ActionState.VERIFIED
    assert action.verified_by == user("kvalitet")


def test_half_filled_checklist_is_kept_as_draft_listing_missing_items(client, new_followup):
    fu = new_followup()
    services.followup_start(follow_up=fu, actor=user("kvalitet"))
    answers = list(fu.answers.order_by("order"))
    _login(client, "kvalitet")
    data = {
        f"status-{answers[0].pk}": AnswerStatus.PARTLY,
        f"comment-{answers[0].pk}": "Saknar signering",
        f"comment-{answers[1].pk}": "Kommentar utan bedömning",
        "submit": "1",
        "summary": "Utkast",
    }
    response = client.post(reverse("followup:followup_detail", args=[fu.pk]), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Sparad som utkast: de här punkterna är inte besvarade än" in body
    assert body.count('href="#answer-') == 7
    fu.refresh_from_db()
    assert fu.state == FollowUpState.IN_PROGRESS
    assert fu.summary == "Utkast"
    assert fu.answers.get(pk=answers[1].pk).comment == "Kommentar utan bedömning"


def test_checklist_attachment_is_served_only_through_the_permission_check(client, new_followup, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.PRIVATE_FILES_ROOT = tmp_path
    fu = new_followup()
    services.followup_start(follow_up=fu, actor=user("kvalitet"))
    answer = fu.answers.order_by("order").first()
    _login(client, "kvalitet")
    upload = SimpleUploadedFile("foto.txt", b"bevis", content_type="text/plain")
    client.post(reverse("followup:followup_detail", args=[fu.pk]), {f"attachment-{answer.pk}": upload, "save": "1"})
    answer.refresh_from_db()
    assert answer.attachment_name == "foto.txt"
    assert str(tmp_path) in answer.attachment.path
    url = reverse("followup:answer_attachment", args=[answer.pk])
    assert b"".join(client.get(url).streaming_content) == b"bevis"
    client.logout()
    _login(client, "entreprenor-mas")
    assert client.get(url).status_code == 404


def test_adhoc_followup_outside_contract_period_shows_swedish_error_and_keeps_input(client):
    contract = Contract.objects.get(case_number="SLK 2024/1100")
    _login(client, "kvalitet")
    late = (contract.valid_to + timedelta(days=3)).isoformat()
    response = client.post(
        reverse("followup:followup_create"),
        {
            "kind": "contract_review",
            "trigger": "incident",
            "trigger_reference": "AV-2026-000099",
            "unit": unit("hage-02").pk,
            "contract": contract.pk,
            "scheduled_date": late,
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "utanför avtalsperioden" in body
    assert 'value="AV-2026-000099"' in body
    assert late in body
    assert not FollowUp.objects.filter(trigger_reference="AV-2026-000099").exists()


def test_delegation_register_refuses_bad_input_in_swedish(client, today):
    _login(client, "mas")
    response = client.post(
        reverse("followup:delegation_create"),
        {
            "from_person": person("nurse-hage-01").pk,
            "to_person": person("staff-hage-01").pk,
            "unit": unit("hage-01").pk,
            "tasks": "Insulin",
            "valid_from": today.isoformat(),
            "valid_to": (today + timedelta(days=400)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "högst 365 dagar" in response.content.decode()
    assert "Insulin</textarea>" in response.content.decode()  # nothing lost


def test_contracts_are_for_register_admins_only(client, today):
    _login(client, "mas")
    assert client.get(reverse("followup:contract_list")).status_code == 403
    client.logout()
    _login(client, "admin")
    response = client.get(reverse("followup:contract_list"))
    assert response.status_code == 200
    assert "Upphör utan efterföljande avtal" in response.content.decode()  # Lindblomma ends in 45 days
    old = Contract.objects.get(title__contains="Lindblomma")
    response = client.post(
        reverse("followup:contract_create"),
        {
            "kind": "contract",
            "title": "Nytt avtal Lindblomma",
            "provider": old.provider_id,
            "managing_board": old.managing_board_id,
            "purchasing_board": old.purchasing_board_id,
            "case_number": "SLK 2026/2001",
            "valid_from": (old.valid_to + timedelta(days=1)).isoformat(),
            "units": [unit("hage-02").pk],
            "mas_held_by": "board",
            "lex_maria_route": "board_mas",
            "journal_access": "on",
            "informs_board_mas": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    new = Contract.objects.get(case_number="SLK 2026/2001")
    assert list(new.units.values_list("code", flat=True)) == ["hage-02"]
    assert new.journal_access
    response = client.post(
        reverse("followup:contract_edit", args=[old.pk]),
        {
            "kind": old.kind,
            "title": old.title,
            "provider": old.provider_id,
            "managing_board": old.managing_board_id,
            "purchasing_board": old.purchasing_board_id,
            "case_number": old.case_number,
            "valid_from": old.valid_from.isoformat(),
            "valid_to": old.valid_to.isoformat(),
            "mas_held_by": old.mas_held_by,
            "lex_maria_route": old.lex_maria_route,
            "successor": new.pk,
            "units": list(old.units.values_list("pk", flat=True)),
        },
    )
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.successor == new


def test_job_runs_page_for_admins(client):
    from core.scheduling import run_scheduled_jobs

    run_scheduled_jobs(only="followups_from_plans")
    _login(client, "kvalitet")
    assert client.get(reverse("followup:job_runs")).status_code == 403
    client.logout()
    _login(client, "admin")
    assert "followups_from_plans" in client.get(reverse("followup:job_runs")).content.decode()


# session, user, the user's assignments (scope), the person, guardian grants, the list, navigation.
LIST_QUERIES = 8  # + the unread-notification count in the header


def test_followup_list_query_count_is_constant(client, django_assert_num_queries, new_followup):
    """The follow-up list costs exactly LIST_QUERIES queries, however many rows it shows."""
    _login(client, "kvalitet")
    url = reverse("followup:followup_list")
    client.get(url)  # warm the per-process caches (content types)
    with django_assert_num_queries(LIST_QUERIES):
        first = client.get(url)
    for _ in range(3):
        new_followup()
    with django_assert_num_queries(LIST_QUERIES):
        second = client.get(url)
    assert len(second.context["followups"]) == len(first.context["followups"]) + 3


def test_action_list_query_count_is_constant(client, django_assert_num_queries, new_action):
    """The action list costs exactly LIST_QUERIES queries, however many rows it shows."""
    _login(client, "enhetschef")
    url = reverse("followup:action_list") + "?state=all"
    client.get(url)  # warm the per-process caches (content types)
    with django_assert_num_queries(LIST_QUERIES):
        first = client.get(url)
    for _ in range(3):
        new_action()
    with django_assert_num_queries(LIST_QUERIES):
        second = client.get(url)
    assert len(second.context["actions"]) == len(first.context["actions"]) + 3
