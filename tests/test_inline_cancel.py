"""Issue 13: "Avbryt" on every form a user fills inline on a detail page (deviation, Lex Maria case, follow-up, action,
complaint, collaboration deviation, patient safety narrative). Without JavaScript it is a link back to the page at the
form's section; following it writes nothing and shows the page without what a refused post sent back."""

from __future__ import annotations

from datetime import timedelta

import lxml.html
import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint
from incidents.models import Deviation, DeviationState, DeviationTransition, LexMariaCase
from responsibility.models import CareProvider
from tests.complaints.helpers import collaboration, complaint
from tests.factories import user
from tests.incidents.deviation_helpers import report
from tests.incidents.lexmaria_factories import open_case
from tests.inline_forms import FIELDS, assert_every_inline_form_cancels_back_to, forms_with_fields

pytestmark = pytest.mark.django_db


def test_deviation_detail_forms_of_the_unit_and_the_mas_cancel_back_to_the_deviation(client):
    d = report()
    url = reverse("incidents:deviation_detail", args=[d.pk])
    client.force_login(user("enhetschef"))
    assert assert_every_inline_form_cancels_back_to(client, url) >= 2  # the investigation, an action, …
    client.post(reverse("incidents:deviation_step", args=[d.pk, "send_to_mas"]), {"version": d.version})
    client.force_login(user("mas"))
    assert assert_every_inline_form_cancels_back_to(client, url) >= 3  # assess, back to the unit, reject


def test_lex_maria_step_forms_cancel_back_to_the_case(client):
    case = open_case(route="own")
    client.force_login(user("mas"))
    assert assert_every_inline_form_cancels_back_to(client, case.get_absolute_url()) >= 4


def test_complaint_and_collaboration_forms_cancel_back_to_the_case(client):
    c = complaint()
    client.force_login(user("mas"))
    assert assert_every_inline_form_cancels_back_to(client, reverse("complaints:complaint_detail", args=[c.pk])) >= 2
    case = collaboration()
    assert assert_every_inline_form_cancels_back_to(client, reverse("complaints:collaboration_detail", args=[case.pk]))


def test_patient_safety_narrative_forms_cancel_back_to_the_narrative(client):
    provider = CareProvider.objects.get(kind="municipal", board__code="hagersten-liljeholmen")
    url = reverse("reports:narrative_edit", args=[provider.pk, timezone.localdate().year - 1])
    client.force_login(user("mas"))
    assert assert_every_inline_form_cancels_back_to(client, url) == 2  # the sections and the adoption


def test_cancel_after_a_refused_move_shows_the_deviation_as_stored_and_writes_nothing(client):
    """A reject without a reason is refused and re-shown with what was typed; "Avbryt" leads to the deviation page
    without the typed text or the error, and nothing about the deviation changed."""
    d = report()
    client.force_login(user("enhetschef"))
    client.post(reverse("incidents:deviation_step", args=[d.pk, "send_to_mas"]), {"version": d.version})
    d.refresh_from_db()
    before = (d.state, d.version, DeviationTransition.objects.filter(deviation=d).count())
    client.force_login(user("mas"))
    refused = client.post(
        reverse("incidents:deviation_step", args=[d.pk, "assess"]),
        {"version": d.version, "assessment": "Min halvfärdiga bedömning", "lex_maria": "", "motivation": ""},
    )
    assert refused.status_code == 400
    doc, forms = forms_with_fields(refused.content.decode())
    cancel = next(f for f in forms if "Min halvfärdiga bedömning" in lxml.html.tostring(f, encoding="unicode"))
    href = cancel.xpath(".//a[@data-cancel]")[0].get("href")
    assert href == f"{d.get_absolute_url()}#move-assess"
    page = client.get(href)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Min halvfärdiga bedömning" not in body
    assert 'id="error-summary"' not in body
    d = Deviation.objects.get(pk=d.pk)
    assert (d.state, d.version, DeviationTransition.objects.filter(deviation=d).count()) == before
    assert d.state == DeviationState.AWAITING_MAS


def test_cancel_after_a_refused_lex_maria_step_leaves_the_case_unchanged(client):
    case = open_case(route="own")
    client.force_login(user("mas"))
    refused = client.post(
        reverse("incidents:lex_maria_step", args=[case.pk, "inform_patient"]),
        {
            "inform_patient-version": case.version,
            "inform_patient-informed_at": (timezone.localdate() + timedelta(days=2)).isoformat(),
            "inform_patient-patient_statement": "Min egen beskrivning",
        },
    )
    assert refused.status_code == 400
    assert f'href="{case.get_absolute_url()}#step-title-inform_patient" data-cancel' in refused.content.decode()
    body = client.get(case.get_absolute_url()).content.decode()
    assert "Min egen beskrivning" not in body
    after = LexMariaCase.objects.get(pk=case.pk)
    assert (after.state, after.version, after.patient_statement) == (case.state, case.version, "")


def test_complaint_moves_without_fields_get_no_cancel(client):
    """A move that is a lone button (nothing typed) has nothing to cancel."""
    c = complaint()
    client.force_login(user("mas"))
    doc = lxml.html.fromstring(client.get(reverse("complaints:complaint_detail", args=[c.pk])).content.decode())
    for form in doc.xpath("//main//form[@method='post']"):
        if not form.xpath(FIELDS):
            assert not form.xpath(".//a[@data-cancel]")
    assert Complaint.objects.filter(pk=c.pk).exists()
