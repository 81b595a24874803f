"""SAML logins through the real test IdP (pysaml2, its own process, signing with xmlsec1), driven over HTTP.

The IdP sends Sambi-style attributes (``urn:oid:`` names, URI name format); the portal maps them per
provider. Faulty answers from the same IdP (wrong issuer, expired, wrong key) are refused and counted.
Chromium journeys (login, single logout) are in test_saml_browser.py.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qs, parse_qsl, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import (
    GIVEN_NAME_ATTRIBUTE,
    GROUPS_ATTRIBUTE,
    HSA_ID_ATTRIBUTE,
    MAIL_ATTRIBUTE,
    SURNAME_ATTRIBUTE,
    Account,
    IdentityProvider,
    PendingLogin,
    PersonIdentifier,
    RefusalCause,
    RefusedLogin,
)
from responsibility.models import Municipality, Person
from tests.accounts.idp import SAML_IDP, IdpBrowser, running, sp_metadata_to_idp
from tests.processes import free_port

pytestmark = pytest.mark.django_db
UID_ATTRIBUTE = "urn:oid:0.9.2342.19200300.100.1.1"


@pytest.fixture(scope="module")
def idp(tmp_path_factory):
    """One IdP for the module (URI name format); each test writes the users it needs to ``users_file``."""
    folder = tmp_path_factory.mktemp("saml-idp")
    users_file = folder / "users.json"
    names = [HSA_ID_ATTRIBUTE, MAIL_ATTRIBUTE, GIVEN_NAME_ATTRIBUTE, SURNAME_ATTRIBUTE, GROUPS_ATTRIBUTE]
    users_file.write_text(json.dumps([{"username": "x", "password": "x", "attributes": dict.fromkeys(names, "")}]))
    port = free_port()
    config = {"port": port, "dir": str(folder), "users_file": str(users_file), "name_format": "uri"}
    with running(SAML_IDP, config, folder):
        yield {"url": f"http://127.0.0.1:{port}", "users_file": users_file}


@pytest.fixture
def client(client):
    """Browsers always send Host (python3-saml reads it)."""
    client.defaults["HTTP_HOST"] = "127.0.0.1"
    return client


@pytest.fixture
def municipality(db):
    # The demo is loaded once per test database (tests/conftest.py); this test rolls back to it.
    return Municipality.objects.get()


def _provider(municipality, idp, *flags) -> str:
    """The IdP as the municipality's "Sambi" (by metadata URL); returns its provider id."""
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
        f"{idp['url']}/metadata",
        "--entity-id",
        f"{idp['url']}/metadata",
        *flags,
    )
    return f"{municipality.code}-sambi"


def _users(idp, *users: dict) -> None:
    idp["users_file"].write_text(json.dumps([{"password": "idp-pass", **u} for u in users]))


def _sambi(hsa_id: str, *, email: str, given: str, surname: str, groups=(), hsa_attribute=HSA_ID_ATTRIBUTE) -> dict:
    return {
        hsa_attribute: hsa_id,
        MAIL_ATTRIBUTE: email,
        GIVEN_NAME_ATTRIBUTE: given,
        SURNAME_ATTRIBUTE: surname,
        GROUPS_ATTRIBUTE: list(groups),
    }


@pytest.mark.parametrize(
    ("hsa_attribute", "flags"),
    [
        pytest.param(HSA_ID_ATTRIBUTE, [], id="sambi-defaults"),
        pytest.param(UID_ATTRIBUTE, ["--id-attribute", UID_ATTRIBUTE], id="configured-attribute"),
    ],
)
def test_urn_oid_attributes_link_the_login_to_the_person_with_that_hsa_id(
    client, idp, municipality, hsa_attribute, flags
):
    """The provider's id attribute (Sambi's employeeHsaId, or the one configured) decides the person, not the e-mail."""
    pid = _provider(municipality, idp, "--link-claim", "hsa_id", *flags)
    sp_metadata_to_idp(client, pid, idp["url"])
    person, other = Person.objects.filter(municipality=municipality, user__isnull=True).exclude(email="")[:2]
    PersonIdentifier.objects.create(person=person, municipality=municipality, claim="hsa_id", value="SE2321000016-A1B2")
    attributes = _sambi(
        "SE2321000016-A1B2",
        email=other.email,
        given="Idp-förnamn",
        surname="Idp-efternamn",
        hsa_attribute=hsa_attribute,
    )
    _users(idp, {"username": "anna", "attributes": attributes})

    final = IdpBrowser(client, idp["url"]).saml_login(pid, "anna", "idp-pass")

    assert final.status_code == 200
    assert final.request["PATH_INFO"] == "/"  # the start page
    person.refresh_from_db()
    account = SocialAccount.objects.get()
    assert (account.user_id, account.uid) == (person.user_id, "SE2321000016-A1B2")  # the HSA-id, not the NameID
    assert (person.user.first_name, person.user.last_name) == (person.first_name, person.last_name)  # the register's
    assert not person.user.has_usable_password()
    assert not Person.objects.get(pk=other.pk).user_id
    assert not PendingLogin.objects.exists()


def test_an_unknown_hsa_id_is_pending_with_the_mapped_claims_shown_to_the_admin(client, idp, municipality):
    pid = _provider(municipality, idp, "--link-claim", "hsa_id")
    sp_metadata_to_idp(client, pid, idp["url"])
    attributes = _sambi("SE2321000016-ZZZZ", email="okand@example.se", given="Olle", surname="Okänd")
    _users(idp, {"username": "olle", "attributes": attributes})
    users_before = get_user_model().objects.count()

    final = IdpBrowser(client, idp["url"]).saml_login(pid, "olle", "idp-pass")

    assert final.request["PATH_INFO"] == "/konton/sso/ingen-person/"
    assert get_user_model().objects.count() == users_before
    pending = PendingLogin.objects.get()
    assert pending.subject == "SE2321000016-ZZZZ"
    assert {k: pending.claims[k] for k in ("hsa_id", "email", "given_name", "family_name", "name")} == {
        "hsa_id": "SE2321000016-ZZZZ",
        "email": "okand@example.se",
        "given_name": "Olle",
        "family_name": "Okänd",
        "name": "Olle Okänd",
    }
    client.force_login(get_user_model().objects.get(username="admin"))
    body = client.get("/konton/").content.decode()
    assert "SE2321000016-ZZZZ" in body
    assert "Olle Okänd" in body


def test_the_idp_group_grants_register_admin_and_a_login_without_it_takes_it_away(client, idp, municipality):
    pid = _provider(municipality, idp, "--link-claim", "hsa_id", "--admin-group", "cn=mas-admin,o=kommun")
    sp_metadata_to_idp(client, pid, idp["url"])
    mas = get_user_model().objects.get(username="mas")
    PersonIdentifier.objects.create(person=mas.person, municipality=municipality, claim="hsa_id", value="SE-MAS")
    groups = ["cn=personal,o=kommun", "cn=mas-admin,o=kommun"]
    maria = {"username": "maria", "attributes": _sambi("SE-MAS", email="m@example.se", given="M", surname="A")}
    maria["attributes"][GROUPS_ATTRIBUTE] = groups
    _users(idp, maria)
    browser = IdpBrowser(client, idp["url"])

    browser.saml_login(pid, "maria", "idp-pass")
    assert client.get("/konton/").status_code == 200
    assert Account.objects.get(user=mas).admin_from_idp

    client.logout()
    maria["attributes"][GROUPS_ATTRIBUTE] = groups[:1]
    _users(idp, maria)
    browser.saml_login(pid, "maria", "idp-pass")  # the IdP session answers, with the groups of now
    assert client.get("/").status_code == 200
    assert client.get("/konton/").status_code == 403
    assert not Account.objects.get(user=mas).admin_from_idp
    reasons = list(
        Account.history.filter(user_id=mas.pk)
        .order_by("history_date")
        .values_list("history_change_reason", flat=True)
        .exclude(history_change_reason=None)
    )
    assert reasons == [
        "Registeradministratör genom gruppen cn=mas-admin,o=kommun hos Sambi",
        "Registeradministratör borttagen: inloggningen hos Sambi saknade gruppen cn=mas-admin,o=kommun",
    ]


@pytest.mark.parametrize(
    ("fault", "cause", "says"),
    [
        ("wrong_issuer", RefusalCause.ISSUER, "kom från en annan identitetsleverantör"),
        ("expired", RefusalCause.EXPIRED, "hade gått ut"),
        ("wrong_key", RefusalCause.SIGNATURE, "inte signerat med dess kända nyckel"),
    ],
)
def test_a_faulty_answer_from_the_idp_is_refused_in_swedish_links_nothing_and_is_recorded(
    client, idp, municipality, caplog, fault, cause, says
):
    pid = _provider(municipality, idp, "--link-claim", "hsa_id")
    sp_metadata_to_idp(client, pid, idp["url"])
    mas = get_user_model().objects.get(username="mas")
    PersonIdentifier.objects.create(person=mas.person, municipality=municipality, claim="hsa_id", value="SE-MAS")
    attributes = _sambi("SE-MAS", email=mas.person.email, given="M", surname="A")
    _users(idp, {"username": "maria", "attributes": attributes, "fault": fault})
    users_before = get_user_model().objects.count()

    with caplog.at_level(logging.WARNING, logger="accounts"):
        final = IdpBrowser(client, idp["url"]).saml_login(pid, "maria", "idp-pass")

    assert final.status_code == 403
    body = final.content.decode()
    assert "Inloggningen nekades" in body
    assert says in body
    assert not SocialAccount.objects.exists()
    assert not PendingLogin.objects.exists()
    assert get_user_model().objects.count() == users_before
    assert client.get("/").status_code == 302  # not logged in
    refusal = RefusedLogin.objects.get()
    assert (refusal.provider.provider_id, refusal.cause, refusal.attempts) == (pid, cause, 1)
    assert [r.getMessage().split(":")[0] for r in caplog.records if r.name == "accounts"] == [
        f"SSO login refused (provider {refusal.provider.pk}, cause {cause})"
    ]
    client.force_login(get_user_model().objects.get(username="admin"))
    listing = client.get("/konton/inloggningstjanster/").content.decode()
    assert refusal.detail in listing.replace("&#x27;", "'")


def test_a_replayed_response_is_refused_after_its_login_and_links_nothing_more(client, idp, municipality):
    pid = _provider(municipality, idp, "--link-claim", "hsa_id")
    sp_metadata_to_idp(client, pid, idp["url"])
    mas = get_user_model().objects.get(username="mas")
    PersonIdentifier.objects.create(person=mas.person, municipality=municipality, claim="hsa_id", value="SE-MAS")
    _users(idp, {"username": "maria", "attributes": _sambi("SE-MAS", email="m@example.se", given="M", surname="A")})
    browser = IdpBrowser(client, idp["url"])
    assert browser.saml_login(pid, "maria", "idp-pass").status_code == 200
    client.logout()

    replay = browser.post_form(browser.last_answer)  # the same signed, unexpired Response again

    assert replay.status_code == 403
    assert "inte till en inloggning som startades här" in replay.content.decode()
    assert client.get("/").status_code == 302
    assert SocialAccount.objects.count() == 1
    assert RefusedLogin.objects.get().cause == RefusalCause.STATE


@pytest.mark.parametrize(
    ("flags", "signed", "ends"),
    [
        pytest.param([], True, True, id="required-signed"),
        pytest.param([], False, False, id="required-unsigned-refused"),
        pytest.param(["--no-require-signed-logout"], False, True, id="not-required-unsigned"),
    ],
)
def test_an_idp_initiated_logout_request_must_be_signed_where_the_provider_requires_it(
    client, idp, municipality, flags, signed, ends
):
    """A new SAML provider refuses an unsigned LogoutRequest in Swedish and keeps the session; a signed one logs out."""
    pid = _provider(municipality, idp, "--link-claim", "hsa_id", *flags)
    provider = IdentityProvider.objects.get(name="Sambi")
    assert provider.require_signed_logout is not bool(flags)  # on by default for a new provider
    sp_metadata_to_idp(client, pid, idp["url"])
    mas = get_user_model().objects.get(username="mas")
    PersonIdentifier.objects.create(person=mas.person, municipality=municipality, claim="hsa_id", value="SE-MAS")
    _users(idp, {"username": "maria", "attributes": _sambi("SE-MAS", email="m@example.se", given="M", surname="A")})
    browser = IdpBrowser(client, idp["url"])
    browser.saml_login(pid, "maria", "idp-pass")
    assert client.get("/").status_code == 200

    # The IdP's own "log out everywhere": its LogoutRequest (HTTP-Redirect) to the portal's SLS.
    _page, request_url = browser.idp(f"{idp['url']}/logout-all", {} if signed else {"unsigned": "1"})
    parts = urlsplit(request_url)
    assert parts.path == f"/accounts/saml/{pid}/sls/"
    assert ("Signature" in parse_qs(parts.query)) is signed
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(parts.path, dict(parse_qsl(parts.query)))

    if ends:
        assert answer.status_code == 302
        assert answer["Location"].startswith(f"{idp['url']}/slo?SAMLResponse=")  # the portal's LogoutResponse
        assert client.get("/").status_code == 302  # logged out
        assert not RefusedLogin.objects.exists()
    else:
        assert answer.status_code == 400
        body = answer.content.decode()
        assert "Utloggningen nekades" in body
        assert "Du är fortfarande inloggad i MAS-portalen" in body
        # Session, login, the provider (three look-ups), the refusal counted, the page (was 15: the page's
        # register-admin flag and unread count are one statement).
        assert len(queries) == 14
        assert client.get("/").status_code == 200  # the session is kept
        refusal = RefusedLogin.objects.get()
        assert (refusal.provider, refusal.cause) == (provider, RefusalCause.SIGNATURE)
        assert refusal.detail == "Logout: The SAMLRequest is not signed. Rejected."
