"""Log in and out through a real SAML 2.0 IdP (pysaml2's Server, its own process, signing with xmlsec1) in Chromium.

The IdP sends Sambi's attribute names (``urn:oid:``, URI name format). Single logout both ways:
the portal's LogoutRequest to the IdP, and the IdP's own "log out everywhere".
"""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.core.management import call_command

from accounts.models import GIVEN_NAME_ATTRIBUTE, HSA_ID_ATTRIBUTE, MAIL_ATTRIBUTE, PendingLogin
from responsibility.models import Municipality
from tests.accounts.idp import SAML_IDP, idp_events, running
from tests.conftest import DEMO_ROLE_SECTIONS
from tests.processes import free_port

pytestmark = pytest.mark.browser


@pytest.fixture
def saml_idp(live_server, live_demo, tmp_path):
    """The IdP on a free port, configured as the demo municipality's "Sambi" (linking by e-mail), by metadata URL."""
    port = free_port()
    municipality = Municipality.objects.get()
    mas = get_user_model().objects.get(username="mas")
    call_command(
        "sso_provider",
        "add",
        "--municipality",
        municipality.code,
        "--kind",
        "saml",
        "--name",
        "Sambi",
        "--metadata",
        f"http://127.0.0.1:{port}/metadata",
        "--entity-id",
        f"http://127.0.0.1:{port}/metadata",
        "--link-claim",
        "email",
    )
    provider_id = f"{municipality.code}-sambi"
    config = {
        "port": port,
        "dir": str(tmp_path),
        "sp_metadata_url": f"{live_server.url}/accounts/saml/{provider_id}/metadata/",
        "name_format": "uri",
        "users": [
            {
                "username": "maria",
                "password": "idp-pass-maria",
                "attributes": {MAIL_ATTRIBUTE: mas.person.email, GIVEN_NAME_ATTRIBUTE: "Maria"},
            },
            {
                "username": "okand",
                "password": "idp-pass-okand",
                "attributes": {
                    HSA_ID_ATTRIBUTE: "SE2321000016-OKND",
                    MAIL_ATTRIBUTE: "okand@example.se",
                    GIVEN_NAME_ATTRIBUTE: "Okänd",
                },
            },
        ],
    }
    with running(SAML_IDP, config, tmp_path):
        municipality.idp_url = f"http://127.0.0.1:{port}"
        yield municipality


def _idp_login(page, username: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_role("button", name="Logga in med Sambi").click()
    page.wait_for_url(lambda url: "127.0.0.1" in url and "/sso" in url)
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Logga in hos IdP").click()
    page.wait_for_url(lambda url: "127.0.0.1" not in url)


def test_saml_login_links_the_person_by_email_and_opens_their_start_page(page, saml_idp):
    mas = get_user_model().objects.get(username="mas")
    assert mas.person.email  # the demo's MAS has an e-mail address to link by

    _idp_login(page, "maria", "idp-pass-maria")
    assert not PendingLogin.objects.exists()

    page.locator(f"#role-{DEMO_ROLE_SECTIONS['mas']}").wait_for()
    account = SocialAccount.objects.get()
    assert account.provider == f"{saml_idp.code}-sambi"
    assert account.uid == "maria"  # no HSA-id in the assertion: its NameID
    assert account.user_id == mas.pk  # the person's existing login, not a new one
    mas.portal_account.refresh_from_db()
    assert mas.portal_account.last_method == "saml"


def test_saml_login_of_someone_not_in_the_register_gets_the_swedish_page_and_is_pending(page, saml_idp):
    users_before = get_user_model().objects.count()

    _idp_login(page, "okand", "idp-pass-okand")

    assert "/konton/sso/ingen-person/" in page.url
    assert "Din inloggning är inte kopplad än" in page.locator("h1").inner_text()
    assert get_user_model().objects.count() == users_before  # nothing created
    assert not SocialAccount.objects.exists()
    pending = PendingLogin.objects.get()
    assert pending.subject == "SE2321000016-OKND"  # the HSA-id, not the NameID
    assert (pending.claims["email"], pending.claims["hsa_id"]) == ("okand@example.se", "SE2321000016-OKND")


def test_logout_in_the_portal_sends_a_logout_request_to_the_idp_and_ends_both_sessions(page, saml_idp):
    _idp_login(page, "maria", "idp-pass-maria")
    page.locator(f"#role-{DEMO_ROLE_SECTIONS['mas']}").wait_for()

    page.locator(".logout-form button").click()
    # The portal ends its session, sends a LogoutRequest to the IdP's single logout service, and the
    # IdP's LogoutResponse brings the browser back to the portal's login page.
    page.wait_for_url(lambda url: "127.0.0.1" not in url and "/login/" in url)
    events = idp_events(saml_idp.idp_url)
    issued = [e["session_index"] for e in events if e["event"] == "authn_response"]
    assert [e for e in events if e["event"] == "logout_request"] == [
        {"event": "logout_request", "name_id": "maria", "session_index": issued, "ended": True}
    ]
    page.goto("/")
    assert "/login/" in page.url  # the portal session ended
    page.get_by_role("button", name="Logga in med Sambi").click()
    page.wait_for_url(lambda url: "127.0.0.1" in url and "/sso" in url)
    assert page.locator("#id_username").is_visible()  # the IdP asks again: its session ended too


def test_logout_at_the_idp_ends_the_portal_session(page, saml_idp):
    _idp_login(page, "maria", "idp-pass-maria")
    page.locator(f"#role-{DEMO_ROLE_SECTIONS['mas']}").wait_for()

    page.goto(f"{saml_idp.idp_url}/logout-all")
    page.get_by_role("button", name="Logga ut från alla tjänster").click()
    # The IdP's LogoutRequest goes to the portal's SLS, which ends the session and answers the IdP.
    page.get_by_text("Du är utloggad från alla tjänster.").wait_for()
    events = [e["event"] for e in idp_events(saml_idp.idp_url)]
    assert events[-2:] == ["logout_initiated", "logout_response"]
    assert idp_events(saml_idp.idp_url)[-1]["status"] == "urn:oasis:names:tc:SAML:2.0:status:Success"
    page.goto("/")
    assert "/login/" in page.url
