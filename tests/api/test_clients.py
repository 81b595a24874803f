"""API clients: the register admin's page (token shown once, revoke) and the api_client command."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from api.models import ApiClient
from tests.api.conftest import Api, make_client
from tests.conftest import assert_accessible, follow, login

PAGE = "/integrationer/klienter/"


def _login(client, username: str) -> None:
    client.force_login(get_user_model().objects.get(username=username))


@pytest.mark.django_db
def test_only_the_register_admin_manages_clients(client):
    assert client.get(PAGE).status_code == 302
    _login(client, "mas")
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"name": "X", "scopes": ["read:register"]}).status_code == 403
    assert not ApiClient.objects.filter(name="X").exists()


@pytest.mark.django_db
def test_admin_creates_a_client_sees_the_token_once_and_it_works(client):
    _login(client, "admin")
    response = client.post(
        PAGE, {"name": "Platina", "scopes": ["read:cases", "read:register"], "boards": [], "expires_on": ""}
    )
    assert response.status_code == 200
    page = response.content.decode()
    created = ApiClient.objects.get(name="Platina")
    token = next(w for w in page.split('"') if w.startswith(f"masp.{created.key_id}."))
    assert created.scopes == ["read:register", "read:cases"]
    assert created.municipality.code == "stockholm"
    assert created.expires_at is not None
    assert created.created_by.username == "admin"
    assert Api(token).get("/api/v1/units/").status_code == 200
    again = client.get(PAGE).content.decode()
    assert "Platina" in again
    assert token not in again
    assert token.split(".")[2] not in again


@pytest.mark.django_db
def test_a_client_without_scopes_is_refused_in_swedish_keeping_the_name(client):
    _login(client, "admin")
    response = client.post(PAGE, {"name": "Lifecare", "scopes": []})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Välj minst en behörighet." in page
    assert 'value="Lifecare"' in page
    assert not ApiClient.objects.filter(name="Lifecare").exists()


@pytest.mark.django_db
def test_admin_revokes_a_client_and_its_token_stops_working(client):
    created, token = make_client(name="BI")
    _login(client, "admin")
    assert client.post(f"/integrationer/klienter/{created.pk}/aterkalla/").status_code == 302
    created.refresh_from_db()
    assert created.revoked_at is not None
    assert created.revoked_by.username == "admin"
    assert Api(token).get("/api/v1/units/").status_code == 401


@pytest.mark.django_db
def test_the_command_creates_lists_and_revokes():
    out = io.StringIO()
    call_command(
        "api_client",
        "create",
        "--municipality",
        "stockholm",
        "--name",
        "Treserva",
        "--scopes",
        "read:register,write:deviations",
        "--board",
        "farsta",
        "--format",
        "json",
        stdout=out,
    )
    created = json.loads(out.getvalue())
    assert created["scopes"] == ["read:register", "write:deviations"]
    assert created["boards"] == ["farsta"]
    assert Api(created["token"]).get("/api/v1/units/").status_code == 200
    out = io.StringIO()
    call_command("api_client", "list", "--format", "json", stdout=out)
    listed = {c["name"]: c for c in json.loads(out.getvalue())}
    assert "token" not in listed["Treserva"]
    assert listed["Treserva"]["revoked_at"] is None
    call_command("api_client", "revoke", "--name", "Treserva", stdout=io.StringIO())
    assert Api(created["token"]).get("/api/v1/units/").status_code == 401
    with pytest.raises(CommandError):
        call_command("api_client", "create", "--municipality", "stockholm", "--name", "Y", "--scopes", "write:all")
    with pytest.raises(CommandError):
        call_command("api_client", "create", "--municipality", "nowhere", "--name", "Y", "--scopes", "read:register")


@pytest.mark.browser
def test_admin_creates_and_revokes_a_client_in_the_browser(page):
    """From the navigation: create a client (token shown once, accessible page), then revoke it."""
    login(page, "admin")
    follow(page.get_by_role("link", name="API-klienter"))
    assert_accessible(page)
    page.get_by_label("Systemets namn").fill("Lifecare")
    page.get_by_label("Rapportera avvikelser").check()
    page.get_by_role("button", name="Skapa klient och token").click()
    token = page.get_by_label("Token", exact=True).input_value()
    assert token.startswith("masp.")
    assert_accessible(page)
    page.get_by_role("button", name="Återkalla – Lifecare").click()
    assert "Klienten Lifecare är återkallad" in page.content()
    assert ApiClient.objects.get(name="Lifecare").revoked_at is not None
