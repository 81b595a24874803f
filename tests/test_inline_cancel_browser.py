"""Browser journey (issue 13): "Avbryt" on a form inline on a detail page puts that form back as the page served it,
keeps what is typed in the other forms, writes nothing; after a refused post it returns to the page as stored."""

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.models import Deviation, DeviationState, DeviationTransition
from reports.models import PatientSafetyNarrative
from responsibility.models import CareProvider
from tests.conftest import assert_accessible, follow, login
from tests.factories import user
from tests.incidents.deviation_helpers import report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTHING_SAVED = "Formuläret är som det var. Inget sparades."


def _section(page, heading: str):
    return page.locator("section", has=page.get_by_role("heading", level=2, name=heading, exact=True))


def _stored(deviation: Deviation) -> tuple:
    d = Deviation.objects.get(pk=deviation.pk)
    return d.state, d.version, d.assessment, d.rejection_reason, DeviationTransition.objects.filter(deviation=d).count()


def test_mas_cancels_one_form_and_keeps_the_other_then_cancels_a_refused_assessment(page):
    d = report()
    services.deviation_send_to_mas(deviation=d, user=user("enhetschef"), version=d.version)
    before = _stored(d)
    url = reverse("incidents:deviation_detail", args=[d.pk])

    login(page, "mas")
    page.goto(url)
    assess = _section(page, "Registrera MAS-bedömningen")
    reject = _section(page, "Avvisa (inte en avvikelse)")
    assess.get_by_label("Bedömning").fill("Fallet bedöms som en vårdskada.")
    reject.get_by_label("Skäl").fill("Ändrade mig")

    # In place: only the reject form is put back; the page is not reloaded, the assessment typed stays.
    reject.get_by_role("link", name="Avbryt").click()
    assert reject.get_by_label("Skäl").input_value() == ""
    assert assess.get_by_label("Bedömning").input_value() == "Fallet bedöms som en vårdskada."
    assert page.url.endswith(url)
    focused = page.evaluate("document.activeElement.id")
    assert focused == "move-reject"
    page.get_by_role("status").filter(has_text=NOTHING_SAVED).wait_for(state="attached")
    assert_accessible(page)
    assert _stored(d) == before

    # A refused post (no Lex Maria answer) comes back with what was typed; "Avbryt" leads to the deviation as stored.
    with page.expect_navigation():
        assess.get_by_role("button", name="Registrera MAS-bedömningen").click()
    assert "/steg/assess/" in page.url
    assert page.locator("#error-summary").is_visible()
    assert _section(page, "Registrera MAS-bedömningen").get_by_label("Bedömning").input_value() != ""
    follow(_section(page, "Registrera MAS-bedömningen").get_by_role("link", name="Avbryt"))
    assert page.url.endswith(f"{url}#move-assess")
    assert page.locator("#error-summary").count() == 0
    assert _section(page, "Registrera MAS-bedömningen").get_by_label("Bedömning").input_value() == ""
    assert_accessible(page)
    assert _stored(d) == before
    assert before[0] == DeviationState.AWAITING_MAS


def test_cancel_after_a_refused_post_to_the_same_page_loads_it_afresh_at_the_form(page):
    """The narrative page posts to itself: after a refused adoption (no date), "Avbryt" loads the page without the
    error and returns focus to the adoption section; nothing is adopted."""
    provider = CareProvider.objects.get(kind="municipal", board__code="hagersten-liljeholmen")
    year = timezone.localdate().year - 1
    url = reverse("reports:narrative_edit", args=[provider.pk, year])
    login(page, "mas")
    page.goto(url)
    adoption = _section(page, "Nämndens fastställelse")
    with page.expect_navigation():
        adoption.get_by_role("button", name="Registrera fastställelse").click()
    assert adoption.locator(".error-summary").count() == 1
    with page.expect_navigation():
        adoption.get_by_role("link", name="Avbryt").click()
    page.wait_for_function("document.activeElement && document.activeElement.id === 'adopt-title'")
    assert page.locator(".error-summary").count() == 0
    assert_accessible(page)
    assert not PatientSafetyNarrative.objects.filter(provider=provider, year=year, adopted_on__isnull=False).exists()
