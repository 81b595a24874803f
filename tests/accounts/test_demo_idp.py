"""The demo's development OpenID Connect provider, started the way ``scripts/start`` starts it.

``devidp/start.py`` runs ``devidp/oidc_op.py`` (the same OP the other OIDC tests start) with the users
of ``devidp/demo.json``; ``load_demo --dev-idp ISSUER`` configures the demo's "Demo-IdP" for it.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.core.management import call_command

from accounts import demo
from accounts.models import IdentityProvider, PersonIdentifier
from responsibility.models import Person
from tests.accounts.idp import ROOT
from tests.conftest import DEMO_ROLE_SECTIONS
from tests.processes import free_port

START = ROOT / "devidp" / "start.py"
DEMO_JSON = json.loads((ROOT / "devidp" / "demo.json").read_text(encoding="utf-8"))


def _start(port: int, portal: str, folder: Path) -> subprocess.CompletedProcess:
    """``devidp/start.py`` as scripts/start runs it."""
    return subprocess.run(  # noqa: S603 - our own launcher
        [sys.executable, str(START), "--port", str(port), "--portal", portal, "--dir", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )


@contextmanager
def dev_idp(portal: str, folder: Path):
    port = free_port()
    started = _start(port, portal, folder)
    assert started.returncode == 0, started.stderr
    try:
        yield started.stdout.strip()
    finally:
        os.kill(int((folder / "pid").read_text()), signal.SIGTERM)


def test_the_dev_idp_and_the_demo_provider_agree_on_the_client_and_the_people():
    """devidp/demo.json (the IdP's side) and accounts/demo.py (the portal's side) name the same client and HSA-ids."""
    assert (DEMO_JSON["client_id"], DEMO_JSON["client_secret"]) == (demo.CLIENT_ID, demo.CLIENT_SECRET)
    assert DEMO_JSON["provider_id"] == f"{demo.MUNICIPALITY_CODE}-demo-idp"
    assert DEMO_JSON["title"] == demo.NAME
    hsa_ids = {u["email"]: u["hsa_id"] for u in DEMO_JSON["users"]}
    assert {email: hsa_ids[email] for email in demo.HSA_IDS} == demo.HSA_IDS
    assert "okand" in {u["username"] for u in DEMO_JSON["users"]}  # one who is in no register


@pytest.mark.django_db
def test_load_demo_configures_the_demo_provider_only_with_a_dev_idp_and_deactivates_it_without():
    call_command("load_demo", "--dev-idp", "http://127.0.0.1:8001/o", verbosity=0)
    provider = IdentityProvider.objects.get(name="Demo-IdP")
    assert (provider.provider_id, provider.kind, provider.issuer) == (
        "stockholm-demo-idp",
        "oidc",
        "http://127.0.0.1:8001/o",
    )
    assert (provider.client_id, provider.link_claim, provider.is_active) == ("masportal-demo", "hsa_id", True)
    mas = Person.objects.get(user__username="mas")
    assert PersonIdentifier.objects.get(claim="hsa_id", value="SE2120000142-D001").person == mas

    call_command("load_demo", verbosity=0)
    provider.refresh_from_db()
    assert not provider.is_active  # no dead button on the login page
    assert PersonIdentifier.objects.filter(claim="hsa_id").count() == len(demo.HSA_IDS)  # idempotent


def test_the_dev_idp_does_not_start_on_a_taken_port_and_says_why(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = _start(port, "http://127.0.0.1:8000", tmp_path)
    assert started.returncode == 1
    assert f"port {port} is taken" in started.stderr
    assert not (tmp_path / "pid").exists()


def test_the_dev_idp_refuses_production(tmp_path):
    started = subprocess.run(  # noqa: S603 - our own launcher
        [sys.executable, str(START), "--port", str(free_port()), "--dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "DJANGO_ENV": "production"},
        check=False,
    )
    assert started.returncode == 1
    assert "does not run in production" in started.stderr


def _idp_login(page, username: str) -> None:
    page.goto("/login/")
    page.get_by_role("button", name="Logga in med Demo-IdP").click()
    page.wait_for_url(lambda url: "127.0.0.1" in url and "/login/" in url)
    assert "Demo-IdP" in page.locator("h1").inner_text()
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("idp")
    page.get_by_role("button", name="Logga in hos IdP").click()
    page.wait_for_url(lambda url: "127.0.0.1" not in url)


@pytest.mark.browser
def test_demo_people_log_in_through_the_dev_idp_in_chromium(page, live_server, tmp_path):
    """The demo MAS lands on her start page by HSA-id; the nurse gets a login without a password at her first SSO."""
    with dev_idp(live_server.url, tmp_path) as issuer:
        call_command("load_demo", "--dev-idp", issuer, verbosity=0)

        _idp_login(page, "mas")
        page.locator(f"#role-{DEMO_ROLE_SECTIONS['mas']}").wait_for()
        mas = get_user_model().objects.get(username="mas")
        assert SocialAccount.objects.get(user=mas).provider == "stockholm-demo-idp"

        page.locator(".logout-form button").click()  # RP-initiated logout at the IdP too
        page.wait_for_url(lambda url: "127.0.0.1" in url and "/o/logout/" in url)
        page.get_by_role("button", name="Logga ut hos IdP").click()
        page.wait_for_url(lambda url: "127.0.0.1" not in url and "/login/" in url)

        nurse = Person.objects.get(email="nurse-hage-01@demo.masportalen.se")
        assert nurse.user is None
        _idp_login(page, "sjukskoterska")
        page.locator(f"#role-{DEMO_ROLE_SECTIONS['rapportor']}").wait_for()
        nurse.refresh_from_db()
        assert nurse.user is not None
        assert not nurse.user.has_usable_password()
