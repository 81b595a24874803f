"""MFA: a register admin logging in with a password sets up TOTP first; codes log in; a recovery code works once."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import get_user_model

from tests.accounts.totp import totp_code

pytestmark = pytest.mark.django_db
DEMO_PASSWORD = "demo"  # noqa: S105 - the demo logins' published password


@pytest.fixture
def demo(db):
    """The demo, loaded once per test database (tests/conftest.py); this test rolls back to it."""


def _login(client, username):
    return client.post("/login/", {"username": username, "password": DEMO_PASSWORD})


def test_admin_without_mfa_is_sent_to_enrol_and_then_logs_in_with_a_code(client, demo):
    response = _login(client, "admin")
    assert response.status_code == 302
    start = client.get("/")
    assert start.status_code == 302
    assert start.url.startswith("/accounts/2fa/totp/activate/")
    assert client.get("/konton/").url.startswith("/accounts/2fa/totp/activate/")  # every page until enrolled
    page = client.get(start.url)
    secret = page.context["form"].secret
    done = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert done.status_code == 302
    assert client.get("/").status_code == 200
    admin = get_user_model().objects.get(username="admin")
    assert Authenticator.objects.filter(user=admin, type=Authenticator.Type.TOTP).exists()


def test_with_totp_the_password_alone_is_not_enough(client, demo):
    admin = get_user_model().objects.get(username="admin")
    secret = "JBSWY3DPEHPK3PXP"  # noqa: S105 - a TOTP secret made up for the test
    TOTP.activate(admin, secret)
    response = _login(client, "admin")
    assert response.url.startswith("/accounts/2fa/authenticate/")
    assert client.get("/").status_code == 302  # not logged in yet
    assert client.post("/accounts/2fa/authenticate/", {"code": "000000"}).status_code == 200  # wrong code
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert client.get("/").status_code == 200


def test_a_user_who_is_not_admin_needs_no_mfa(client, demo):
    _login(client, "mas")
    assert client.get("/").status_code == 200


def test_a_recovery_code_works_once(client, demo):
    admin = get_user_model().objects.get(username="admin")
    TOTP.activate(admin, "JBSWY3DPEHPK3PXP")
    codes = RecoveryCodes.activate(admin).get_unused_codes()
    _login(client, "admin")
    client.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert client.get("/").status_code == 200
    client.logout()
    _login(client, "admin")
    client.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert client.get("/").status_code == 302  # used already: refused
