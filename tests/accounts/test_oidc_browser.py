"""Log in through a real OpenID Connect provider (django-oauth-toolkit, its own process) in Chromium."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.core.management import call_command

from accounts.models import PendingLogin, PersonIdentifier
from responsibility.models import Municipality, Person
from tests.accounts.idp import OIDC_OP, running
from tests.conftest import DEMO_ROLE_SECTIONS
from tests.processes import free_port

pytestmark = pytest.mark.browser

USERS = [
    {
        "username": "maria",
        "password": "idp-pass-maria",
        "email": "maria.idp@example.se",
        "email_verified": True,
        "hsa_id": "SE2321000016-MAS1",
        "groups": [],
        "name": "Maria MAS",
    },
    {
        "username": "okand",
        "password": "idp-pass-okand",
        "email": "okand@example.se",
        "email_verified": True,
        "hsa_id": "SE2321000016-XXXX",
        "groups": [],
        "name": "Okänd Person",
    },
]


@pytest.fixture
def oidc_idp(live_server, live_demo, tmp_path):
    """The OP on a free port, configured as the demo municipality's "SITHS eID" (linking by HSA-id)."""
    port = free_port()
    municipality = Municipality.objects.get()
    call_command(
        "sso_provider",
        "add",
        "--municipality",
        municipality.code,
        "--kind",
        "oidc",
        "--name",
        "SITHS eID",
        "--issuer",
        f"http://127.0.0.1:{port}/o",
        "--client-id",
        "portal",
        "--client-secret",
        "op-secret",
        "--link-claim",
        "hsa_id",
    )
    provider_id = f"{municipality.code}-siths-eid"
    config = {
        "port": port,
        "db": str(tmp_path / "op.sqlite3"),
        "client_id": "portal",
        "client_secret": "op-secret",
        "redirect_uris": [f"{live_server.url}/accounts/oidc/{provider_id}/login/callback/"],
        "post_logout_redirect_uris": [f"{live_server.url}/login/"],
        "users": USERS,
    }
    with running(OIDC_OP, config, tmp_path):
        yield municipality


def _idp_login(page, username: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_role("button", name="Logga in med SITHS eID").click()
    page.wait_for_url(lambda url: "127.0.0.1" in url and "/login/" in url)
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Logga in hos IdP").click()
    page.wait_for_url(lambda url: "127.0.0.1" not in url)


def test_oidc_login_links_the_person_by_hsa_id_shows_their_roles_and_logs_out_at_the_idp(page, oidc_idp):
    mas = get_user_model().objects.get(username="mas")
    PersonIdentifier.objects.create(person=mas.person, municipality=oidc_idp, claim="hsa_id", value="SE2321000016-MAS1")

    _idp_login(page, "maria", "idp-pass-maria")

    page.locator(f"#role-{DEMO_ROLE_SECTIONS['mas']}").wait_for()
    account = SocialAccount.objects.get(uid__isnull=False)
    assert account.user_id == mas.pk  # the person's existing login, not a new one
    mas.portal_account.refresh_from_db()
    assert mas.portal_account.last_method == "oidc"

    page.locator(".logout-form button").click()
    # RP-initiated logout: the portal session ends, the IdP asks to confirm, ends its session and
    # sends the browser back to the portal's login page.
    page.wait_for_url(lambda url: "127.0.0.1" in url and "/o/logout/" in url)
    page.get_by_role("button", name="Logga ut hos IdP").click()
    page.wait_for_url(lambda url: "127.0.0.1" not in url and "/login/" in url)
    page.get_by_role("button", name="Logga in med SITHS eID").click()
    page.wait_for_url(lambda url: "127.0.0.1" in url)
    assert page.locator("#id_username").is_visible()  # the IdP asks again: its session ended too


def test_oidc_login_of_someone_not_in_the_register_is_refused_in_swedish_and_pending_for_the_admin(
    page, oidc_idp, client
):
    users_before = get_user_model().objects.count()

    _idp_login(page, "okand", "idp-pass-okand")

    assert "/konton/sso/ingen-person/" in page.url
    assert "Din inloggning är inte kopplad än" in page.locator("h1").inner_text()
    assert "registeradministratör" in page.locator("main").inner_text()
    assert get_user_model().objects.count() == users_before  # nothing created
    assert not SocialAccount.objects.exists()
    pending = PendingLogin.objects.get()
    assert pending.claims["hsa_id"] == "SE2321000016-XXXX"

    client.force_login(get_user_model().objects.get(username="admin"))
    body = client.get("/konton/").content.decode()
    assert "SE2321000016-XXXX" in body
    assert "Okänd Person" in body

    person = Person.objects.filter(municipality=oidc_idp, user__isnull=True).first()
    client.post(f"/konton/vantande/{pending.pk}/koppla/", {"person": person.pk})
    assert PersonIdentifier.objects.get(claim="hsa_id", value="SE2321000016-XXXX").person == person
    # The next login links (the IdP session is still open, so no IdP login page): a login without
    # a password is created for the person, and the start page opens.
    page.goto("/login/")
    page.get_by_role("button", name="Logga in med SITHS eID").click()
    page.wait_for_url(lambda url: "127.0.0.1" not in url and "/login/" not in url)
    assert page.url.split("/", 3)[3] == ""  # the start page
    person.refresh_from_db()
    assert person.user is not None
    assert not person.user.has_usable_password()
    assert SocialAccount.objects.get().user == person.user
