"""OpenID Connect logins through the real test OP (django-oauth-toolkit, its own process), driven over HTTP.

The Chromium journeys (login, unmatched login, RP-initiated logout) are in test_oidc_browser.py.
"""

from __future__ import annotations

import json

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.core.management import call_command

from accounts.models import Account, PersonIdentifier
from responsibility.models import Municipality
from tests.accounts.idp import OIDC_OP, IdpBrowser, running
from tests.processes import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def op(tmp_path_factory, django_db_setup, django_db_blocker):
    """One OP for the module; a test changes a user's claims (groups) by writing ``users_file``."""
    with django_db_blocker.unblock():
        code = Municipality.objects.get().code
    folder = tmp_path_factory.mktemp("oidc-op")
    port = free_port()
    users = [{"username": "maria", "password": "idp-pass", "email": "m@example.se", "email_verified": True}]
    users_file = folder / "users.json"
    users_file.write_text(json.dumps(users))
    config = {
        "port": port,
        "db": str(folder / "op.sqlite3"),
        "client_id": "portal",
        "client_secret": "op-secret",
        "redirect_uris": [f"http://127.0.0.1/accounts/oidc/{code}-siths-eid/login/callback/"],
        "users": users,
        "users_file": str(users_file),
    }
    with running(OIDC_OP, config, folder):
        yield {"url": f"http://127.0.0.1:{port}", "users_file": users_file, "provider_id": f"{code}-siths-eid"}


@pytest.fixture
def client(client):
    client.defaults["HTTP_HOST"] = "127.0.0.1"
    return client


def _claims(op, **claims) -> None:
    user = {"username": "maria", "password": "idp-pass", "email": "m@example.se", "email_verified": True, **claims}
    op["users_file"].write_text(json.dumps([user]))


def test_the_groups_claim_grants_register_admin_for_the_municipality_and_a_login_without_it_takes_it_away(client, op):
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
        f"{op['url']}/o",
        "--client-id",
        "portal",
        "--client-secret",
        "op-secret",
        "--link-claim",
        "hsa_id",
        "--admin-group",
        "MAS-portalen-admin",
        "--groups-claim",
        "roles",
    )
    mas = get_user_model().objects.get(username="mas")
    PersonIdentifier.objects.create(person=mas.person, municipality=municipality, claim="hsa_id", value="SE-MAS")
    browser = IdpBrowser(client, op["url"])

    _claims(op, hsa_id="SE-MAS", roles=["Personal", "MAS-portalen-admin"], groups=[])
    browser.oidc_login(op["provider_id"], "maria", "idp-pass")
    assert SocialAccount.objects.get().user == mas
    assert client.get("/konton/").status_code == 200
    assert Account.objects.get(user=mas).admin_from_idp

    client.logout()
    _claims(op, hsa_id="SE-MAS", roles=["Personal"], groups=["MAS-portalen-admin"])  # the wrong claim
    browser.oidc_login(op["provider_id"], "maria", "idp-pass")  # the OP's session answers, with the claims of now
    assert client.get("/").status_code == 200
    assert client.get("/konton/").status_code == 403
    account = Account.objects.get(user=mas)
    assert not account.admin_from_idp
    assert account.history.filter(history_change_reason__isnull=False).count() == 2
    assert mas.groups.count() == 0
