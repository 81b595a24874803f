"""User administration: only register admins of the municipality, never another municipality's users."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from accounts.crypto import client_secret
from accounts.models import IdentityProvider, RefusalCause, RefusedLogin
from responsibility.models import Municipality, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    # The demo is loaded once per test database (tests/conftest.py); this test rolls back to it.
    return Municipality.objects.get()


@pytest.fixture
def other_municipality(demo):
    other = Municipality.objects.create(name="Annan kommun", code="annan", org_number="212000-0001")
    admin = get_user_model().objects.create_user("annan-admin", password="x-Annan-2026!")  # noqa: S106
    Person.objects.create(
        municipality=other, user=admin, first_name="Anna", last_name="Annan", profession="ADMINISTRATOR"
    )
    admin.user_permissions.add(
        *__import__("django.contrib.auth.models", fromlist=["Permission"]).Permission.objects.filter(
            codename="change_unit"
        )
    )
    return other, admin


def _user(username):
    return get_user_model().objects.get(username=username)


@pytest.mark.parametrize("url", ["/konton/", "/konton/ny/", "/konton/inloggningstjanster/"])
def test_only_register_admins_reach_user_administration(client, demo, url):
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(_user("mas"))
    assert client.get(url).status_code == 403
    client.force_login(_user("admin"))
    assert client.get(url).status_code == 200


def test_the_list_shows_the_municipalitys_logins_with_person_and_never_another_municipalitys(
    client, demo, other_municipality
):
    client.force_login(_user("admin"))
    body = client.get("/konton/").content.decode()
    assert "mas" in body
    assert str(_user("mas").person) in body
    assert "annan-admin" not in body
    # Another municipality's login: 404 on its page, and the actions refuse it (nothing changes).
    foreign = _user("annan-admin")
    assert client.get(f"/konton/{foreign.pk}/").status_code == 404
    assert client.post(f"/konton/{foreign.pk}/inaktivera/", {"confirm": "1"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.is_active


def test_admin_creates_a_local_login_for_a_person_and_deactivates_it_never_deleting(client, demo):
    person = Person.objects.filter(municipality=demo, user__isnull=True).first()
    client.force_login(_user("admin"))
    response = client.post(
        "/konton/ny/", {"person": person.pk, "username": "ny.person", "password": "Långt-Lösenord-2026"}
    )
    assert response.status_code == 302
    user = _user("ny.person")
    person.refresh_from_db()
    assert person.user == user
    assert user.check_password("Långt-Lösenord-2026")

    # Without confirmation nothing happens; with it the login is deactivated, not deleted.
    client.post(f"/konton/{user.pk}/inaktivera/")
    user.refresh_from_db()
    assert user.is_active
    client.post(f"/konton/{user.pk}/inaktivera/", {"confirm": "1"})
    user.refresh_from_db()
    assert not user.is_active
    assert user.history.filter(is_active=False).exists()  # the change is in the history
    assert user.history.first().history_user == _user("admin")

    client.post(f"/konton/{user.pk}/koppla-bort/", {"confirm": "1"})
    person.refresh_from_db()
    assert person.user is None
    assert person.history.filter(user=None).exists()


def test_a_person_from_another_municipality_cannot_be_given_a_login(client, demo, other_municipality):
    other, _admin = other_municipality
    stranger = Person.objects.create(
        municipality=other, first_name="Sven", last_name="Främling", profession="ADMINISTRATOR"
    )
    client.force_login(_user("admin"))
    response = client.post(
        "/konton/ny/", {"person": stranger.pk, "username": "sven", "password": "Långt-Lösenord-2026"}
    )
    assert response.status_code == 400
    assert not get_user_model().objects.filter(username="sven").exists()


def test_provider_by_command_stores_the_secret_encrypted_and_never_prints_it(demo):
    out = StringIO()
    call_command(
        "sso_provider",
        "add",
        "--municipality",
        demo.code,
        "--kind",
        "oidc",
        "--name",
        "SITHS eID",
        "--issuer",
        "https://idp.example.se/o",
        "--client-id",
        "portal",
        "--client-secret",
        "hemligt-123",
        "--link-claim",
        "hsa_id",
        stdout=out,
    )
    provider = IdentityProvider.objects.get()
    assert "hemligt-123" not in provider.secret_encrypted
    assert client_secret(provider) == "hemligt-123"
    listing = StringIO()
    call_command("sso_provider", "list", "--municipality", demo.code, "--format", "json", stdout=listing)
    rows = json.loads(listing.getvalue())
    assert rows == [
        {
            "municipality": demo.code,
            "kind": "oidc",
            "name": "SITHS eID",
            "login_url": f"/accounts/oidc/{demo.code}-siths-eid/login/",
            "link_claim": "hsa_id",
            "admin_group": "",
            "groups": "groups",
            "secret_set": True,
        }
    ]
    assert "hemligt-123" not in out.getvalue() + listing.getvalue()
    call_command("sso_provider", "remove", "--municipality", demo.code, "--name", "SITHS eID", stdout=StringIO())
    assert not IdentityProvider.objects.exists()


def test_a_used_provider_is_deactivated_by_remove_and_adding_it_again_brings_it_back(demo):
    from accounts.models import Account

    add = ["sso_provider", "add", "--municipality", demo.code, "--kind", "oidc", "--name", "SITHS eID"]
    add += ["--issuer", "https://idp.example.se/o", "--client-id", "portal", "--client-secret", "s"]
    call_command(*add, stdout=StringIO())
    provider = IdentityProvider.objects.get()
    mas = get_user_model().objects.get(username="mas")
    Account.objects.update_or_create(user=mas, defaults={"municipality": demo, "provider": provider})
    out = StringIO()

    call_command("sso_provider", "remove", "--municipality", demo.code, "--name", "SITHS eID", stdout=out)

    assert out.getvalue() == "SITHS eID: deactivated\n"
    provider.refresh_from_db()
    assert not provider.is_active  # kept: a login used it
    listing = StringIO()
    call_command("sso_provider", "list", "--format", "json", stdout=listing)
    assert json.loads(listing.getvalue()) == []
    call_command(*add, stdout=StringIO())
    provider.refresh_from_db()
    assert provider.is_active


def test_provider_page_never_shows_the_secret_back(client, demo):
    client.force_login(_user("admin"))
    response = client.post(
        "/konton/inloggningstjanster/ny/",
        {
            "kind": "oidc",
            "name": "Freja eID",
            "slug": "freja",
            "issuer": "https://freja.example.se",
            "client_id": "portal",
            "secret": "superhemligt",
            "scopes": "openid email",
            "link_claim": "email",
            "groups_claim": "groups",
            "is_active": "on",
            "logout_at_idp": "on",
        },
    )
    assert response.status_code == 302
    provider = IdentityProvider.objects.get(name="Freja eID")
    assert provider.municipality == demo
    assert client_secret(provider) == "superhemligt"
    page = client.get(f"/konton/inloggningstjanster/{provider.pk}/").content.decode()
    assert "superhemligt" not in page
    assert provider.secret_encrypted not in page
    assert "angiven (visas inte)" in page
    # On the login page: "Logga in med Freja eID".
    client.logout()
    assert "Logga in med Freja eID" in client.get("/login/").content.decode()


def test_a_replayed_or_forged_oidc_callback_is_refused_and_links_nothing(client, demo):
    from allauth.socialaccount.models import SocialAccount

    call_command(
        "sso_provider",
        "add",
        "--municipality",
        demo.code,
        "--kind",
        "oidc",
        "--name",
        "SITHS eID",
        "--issuer",
        "http://127.0.0.1:9/o",
        "--client-id",
        "portal",
        "--client-secret",
        "s",
        stdout=StringIO(),
    )
    response = client.get(
        f"/accounts/oidc/{demo.code}-siths-eid/login/callback/", {"code": "stolen-code", "state": "replayed-state"}
    )
    assert response.status_code == 302
    assert response.url == "/konton/sso/nekad/"
    page = client.get(response.url)
    assert page.status_code == 403
    assert "Inloggningen nekades" in page.content.decode()
    assert "inte till en inloggning som startades här" in page.content.decode()
    assert not SocialAccount.objects.exists()
    refusal = RefusedLogin.objects.get()
    assert (refusal.cause, refusal.attempts) == (RefusalCause.STATE, 1)


def test_the_providers_page_lists_the_municipalitys_refused_logins_only_in_a_fixed_number_of_queries(
    client, demo, other_municipality, django_assert_num_queries
):
    from datetime import timedelta

    from django.utils import timezone

    from accounts import services

    other, _admin = other_municipality
    today = timezone.localdate()
    mine = [
        IdentityProvider.objects.create(
            municipality=demo, kind="oidc", name=f"IdP {n}", slug=f"idp-{n}", issuer="https://idp.example.se"
        )
        for n in range(3)
    ]
    foreign = IdentityProvider.objects.create(
        municipality=other, kind="oidc", name="Annans IdP", slug="annan", issuer="https://idp.example.se"
    )
    for provider in mine:
        services.sso_refusal_record(provider=provider, cause=RefusalCause.ISSUER, detail="Invalid issuer")
    services.sso_refusal_record(provider=mine[0], cause=RefusalCause.ISSUER, detail="Invalid issuer again")
    services.sso_refusal_record(provider=foreign, cause=RefusalCause.SIGNATURE, detail="Annans signaturfel")
    RefusedLogin.objects.create(provider=mine[1], cause=RefusalCause.EXPIRED, day=today - timedelta(days=31))
    assert RefusedLogin.objects.get(provider=mine[0]).attempts == 2  # one row per provider, cause and day
    client.force_login(_user("admin"))

    with django_assert_num_queries(9):
        body = client.get("/konton/inloggningstjanster/").content.decode()

    assert body.count("fel utfärdare") == 3
    assert "Invalid issuer again" in body
    assert "Annans signaturfel" not in body
    assert "utgånget svar" not in body  # older than 30 days


def test_the_person_choice_is_a_type_ahead_picker_over_people_without_a_login_of_the_municipality(
    client, demo, other_municipality
):
    """Create and link offer the people without a login through the picker, namesakes told apart by title,
    workplace and e-mail; never someone who has a login, never another municipality's people."""
    other, _ = other_municipality
    lonely = Person.objects.create(
        municipality=other, first_name="Hanna", last_name="Gustafsson", email="hanna@annan.example"
    )
    without = Person.objects.filter(municipality=demo, user__isnull=True).order_by("pk")
    namesake = Person.objects.create(
        municipality=demo, first_name="Hanna", last_name="Gustafsson", title="Sjuksköterska", email="hg2@demo.example"
    )
    client.force_login(_user("admin"))
    body = client.get("/konton/ny/").content.decode()
    assert 'data-picker="login_person"' in body
    assert "picker.js" in body
    assert "Hanna Gustafsson – Sjuksköterska · hg2@demo.example" in body  # the plain select's label too

    found = client.get("/register/admin/valj/", {"kind": "login_person", "q": "Hanna Gustafsson"}).json()["results"]
    found_ids = [r["value"] for r in found]
    assert namesake.pk in found_ids
    assert lonely.pk not in found_ids
    assert set(found_ids) <= set(without.values_list("pk", flat=True)) | {namesake.pk}
    assert {r["label"] for r in found} == {"Hanna Gustafsson"}
    assert {"value": namesake.pk, "label": "Hanna Gustafsson", "detail": "Sjuksköterska · hg2@demo.example"} in found
    # The demo's other Hanna Gustafssons are told apart from her by title, workplace and e-mail.
    assert len({r["detail"] for r in found}) == len(found) > 1
    everyone = client.get("/register/admin/valj/", {"kind": "login_person", "q": ""}).json()["results"]
    offered = {r["value"] for r in everyone}
    assert offered
    assert offered <= set(without.values_list("pk", flat=True)) | {namesake.pk}
    assert _user("mas").person.pk not in offered  # has a login

    user = _user("mas")
    assert 'data-picker="login_person"' not in client.get(f"/konton/{user.pk}/").content.decode()  # linked

    client.force_login(_user("mas"))
    assert client.get("/register/admin/valj/", {"kind": "login_person", "q": "a"}).status_code == 403
