"""Log in through a real SAML 2.0 IdP (pysaml2's Server, its own process, signing with xmlsec1) in Chromium."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.core.management import call_command

from accounts.models import PendingLogin
from responsibility.models import Municipality
from tests.accounts.idp import free_port, running
from tests.conftest import DEMO_ROLE_SECTIONS

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
        "users": [
            {
                "username": "maria",
                "password": "idp-pass-maria",
                "attributes": {"uid": "maria", "email": mas.person.email, "first_name": "Maria"},
            },
            {
                "username": "okand",
                "password": "idp-pass-okand",
                "attributes": {"uid": "okand", "email": "okand@example.se", "first_name": "Okänd"},
            },
        ],
    }
    with running("saml_idp.py", config, tmp_path):
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
    assert account.uid == "maria"  # the assertion's NameID
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
    assert pending.claims["email"] == "okand@example.se"
    assert pending.claims["uid"] == "okand"
