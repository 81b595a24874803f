"""WebAuthn in Chromium with a virtual authenticator (CDP): register a security key, then log in with it."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model

from tests.conftest import DEMO_ROLE_SECTIONS, login

pytestmark = pytest.mark.browser


def test_a_security_key_is_registered_in_the_mfa_pages_and_then_needed_to_log_in(page):
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator_id = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )["authenticatorId"]
    login(page, "mas")
    page.locator(f"#role-{DEMO_ROLE_SECTIONS['mas']}").wait_for()

    page.goto("/accounts/2fa/webauthn/add/")
    page.locator("#id_name").fill("Min säkerhetsnyckel")
    page.locator("#mfa_webauthn_add").click()
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)
    mas = get_user_model().objects.get(username="mas")
    key = Authenticator.objects.get(user=mas, type=Authenticator.Type.WEBAUTHN)
    assert key.wrap().name == "Min säkerhetsnyckel"
    assert len(cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]) == 1

    page.goto("/")
    page.locator(".logout-form button").click()
    page.wait_for_url(lambda url: "/login/" in url)
    login(page, "mas")
    # The password alone is not enough now: the second step asks for the key.
    page.wait_for_url(lambda url: "/accounts/2fa/authenticate/" in url)
    page.locator("#mfa_webauthn_authenticate").click()
    page.locator(f"#role-{DEMO_ROLE_SECTIONS['mas']}").wait_for()
    key.refresh_from_db()
    assert key.last_used_at is not None
