"""Browser journeys: the auditor performs a follow-up on a tablet, the owner reports, the auditor verifies."""

import re

import pytest

from followup.choices import ActionState, FollowUpState
from followup.models import Action, FollowUp
from tests.conftest import assert_accessible, follow, login

pytestmark = pytest.mark.browser


def test_auditor_performs_followup_on_tablet_and_loop_closes(tablet_page, browser, live_server):
    """kvalitet fills the checklist on a tablet (a draft first), records a finding and an action;
    the unit manager reports it done; the auditor verifies it."""
    page = tablet_page
    follow_up = FollowUp.objects.get(unit__code="hage-01", trigger_reference="Nämndens begäran 2026")
    login(page, "kvalitet")
    assert_accessible(page)
    page.goto("/uppfoljning/?mine=1")
    assert_accessible(page)
    page.goto(f"/uppfoljning/{follow_up.pk}/")
    page.get_by_role("button", name="Påbörja uppföljningen").click()
    page.wait_for_selector("#checklist")
    assert_accessible(page)
    items = page.locator("fieldset.checklist-item")
    assert items.count() == 8
    # Half-filled: saved as a draft, missing items listed.
    items.nth(0).get_by_label("Uppfyllt", exact=True).check()
    items.nth(1).get_by_label("Ej uppfyllt").check()
    items.nth(1).get_by_label("Kommentar").fill("Signeringslistor saknas för en vecka.")
    page.get_by_role("button", name="Slutför uppföljningen").click()
    page.wait_for_selector("#error-summary")
    assert page.locator("#error-summary li").count() == 6
    assert_accessible(page)
    follow_up.refresh_from_db()
    assert follow_up.state == FollowUpState.IN_PROGRESS
    # Fill in the rest and complete.
    for i in range(2, 8):
        items.nth(i).get_by_label("Ej tillämpligt").check()
    page.get_by_role("button", name="Slutför uppföljningen").click()
    page.wait_for_selector("text=Uppföljningen är genomförd.")
    assert page.locator("#followup-state").inner_text() == "Genomförd"
    # A finding and an action.
    page.locator("#id_finding-description").fill("Signeringslistor för läkemedel saknades.")
    page.locator("#id_finding-area").select_option("medication")
    page.get_by_role("button", name="Registrera iakttagelse").click()
    page.wait_for_selector("text=Iakttagelsen registrerades.")
    assert_accessible(page)
    page.locator("#id_action-description").fill("Inför kontroll av signeringslistor varje kväll.")
    # The owner is picked by typing: only people of the unit are offered, namesakes told apart.
    owner = page.get_by_role("combobox", name=re.compile("^Ansvarig"))
    owner.fill("Elsa Berg")
    option = page.get_by_role("option", name=re.compile("^Elsa Berg"))
    option.first.wait_for()
    assert owner.get_attribute("aria-expanded") == "true"
    assert_accessible(page)
    owner.press("ArrowDown")
    owner.press("Enter")
    assert owner.input_value().startswith("Elsa Berg – ")
    page.locator("#id_action-deadline").fill("2099-01-31")
    page.get_by_role("button", name="Föreslå åtgärd").click()
    page.wait_for_selector("text=Åtgärden föreslogs:")
    action = Action.objects.get(description="Inför kontroll av signeringslistor varje kväll.")
    assert action.state == ActionState.OPEN
    assert action.owner.user.username == "enhetschef"

    # The unit manager reports it done.
    owner_context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="sv-SE"
    )
    owner = owner_context.new_page()
    login(owner, "enhetschef")
    owner.goto("/uppfoljning/atgarder/?mine=1")
    assert_accessible(owner)
    follow(owner.get_by_role("link", name=re.compile("Inför kontroll av signeringslistor varje kväll")))
    assert_accessible(owner)
    owner.get_by_label("Vad som gjordes").fill("Kontrollen görs av kvällens sjuksköterska och signeras.")
    owner.get_by_role("button", name="Rapportera klar").click()
    owner.wait_for_selector("text=Åtgärden är rapporterad klar.")
    assert owner.locator("#action-state").inner_text() == "Rapporterad klar"
    owner_context.close()

    # The auditor verifies it.
    page.goto(f"/uppfoljning/atgarder/{action.pk}/")
    assert_accessible(page)
    page.get_by_role("button", name="Verifiera: åtgärden är klar").click()
    page.wait_for_selector("text=Åtgärden är verifierad och klar.")
    assert page.locator("#action-state").inner_text() == "Verifierad"
    action.refresh_from_db()
    assert action.state == ActionState.VERIFIED
    assert action.verified_by.username == "kvalitet"
