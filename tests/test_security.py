"""Production safety: configuration checks, login throttling, session timeouts, headers and error pages."""

import logging
import os
import re
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.urls import path

from masportal import urls as portal_urls
from masportal import views as portal_views
from masportal.checks import check_production_configuration
from masportal.middleware import SessionTimeoutMiddleware

ROOT = Path(__file__).resolve().parent.parent
GOOD_FERNET = "mO3tTTRCZ4bP8G1o-ZEOYrh4wDV9CgpUgk1p3YynM2U="
GOOD = {
    "PRODUCTION": True,
    "DEBUG": False,
    "SECRET_KEY": "x7Kq0-a-real-random-production-secret-that-is-long-enough-4f9a",
    "PATIENT_DATA_KEYS": [GOOD_FERNET],
    "PATIENT_HASH_KEY": "a-real-random-hash-key-of-forty-characters-91c2",
    "DATABASE_URL_SET": True,
    "DATABASE_URL": "postgres://masportal:pw@db:5432/masportal",
    "CELERY_BROKER_URL_SET": True,
    "CELERY_BROKER_URL": "redis://redis:6379/0",
    "ALLOWED_HOSTS": ["mas.example.se"],
}


def _ids(**changes) -> set[str]:
    with override_settings(**{**GOOD, **changes}):
        return {finding.id for finding in check_production_configuration()}


def _env(**extra) -> dict:
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "PYTHONPATH"}}
    return {**keep, **extra}


def _production_env(**changes) -> dict:
    values = {
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": GOOD["SECRET_KEY"],
        "MASPORTAL_PATIENT_KEYS": GOOD_FERNET,
        "MASPORTAL_PATIENT_HASH_KEY": GOOD["PATIENT_HASH_KEY"],
        "DATABASE_URL": "postgres://masportal:pw@db:5432/masportal",
        "CELERY_BROKER_URL": "redis://redis:6379/0",
        "DJANGO_ALLOWED_HOSTS": "mas.example.se",
    }
    values.update(changes)
    return _env(**{k: v for k, v in values.items() if v is not None})


# --- Configuration checks --------------------------------------------------------------------------


def test_safe_production_configuration_passes():
    """A production configuration with its own keys, PostgreSQL, Redis and a host name has no finding."""
    assert _ids() == set()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"SECRET_KEY": ""}, "masportal.E001"),
        ({"SECRET_KEY": "dev-only-insecure-key-not-for-production"}, "masportal.E002"),
        ({"SECRET_KEY": "change-me-to-a-long-random-string"}, "masportal.E002"),
        ({"SECRET_KEY": "short-key"}, "masportal.E003"),
        ({"PATIENT_DATA_KEYS": []}, "masportal.E010"),
        ({"PATIENT_DATA_KEYS": ["cXXdZfxuv1RnLGTHhEwo9Ln3GtdCzJ_5y5RRhqnyPsk="]}, "masportal.E011"),
        ({"PATIENT_DATA_KEYS": [GOOD_FERNET, "ZGV2LW9ubHktcGF0aWVudC1rZXktMzItYnl0ZXMhIQ=="]}, "masportal.E011"),
        ({"PATIENT_HASH_KEY": ""}, "masportal.E013"),
        ({"PATIENT_HASH_KEY": "dev-only-patient-hash-key"}, "masportal.E014"),
        ({"PATIENT_HASH_KEY": "build"}, "masportal.E014"),
        ({"DATABASE_URL_SET": False}, "masportal.E020"),
        ({"DATABASE_URL": "sqlite:////app/var/masportal.sqlite3"}, "masportal.E021"),
        ({"CELERY_BROKER_URL_SET": False}, "masportal.E030"),
        ({"CELERY_BROKER_URL": "filesystem://"}, "masportal.E031"),
        ({"DEBUG": True}, "masportal.E040"),
        ({"ALLOWED_HOSTS": []}, "masportal.E041"),
        ({"ALLOWED_HOSTS": ["*"]}, "masportal.E041"),
        ({"ALLOWED_HOSTS": ["localhost", "127.0.0.1"]}, "masportal.E041"),
    ],
)
def test_unsafe_production_configuration_is_an_error(changes, expected):
    """Each unsafe production setting is reported as an error with its id."""
    assert expected in _ids(**changes)


def test_a_key_written_in_a_repository_file_is_refused():
    """Any value that appears in the repository's files (here a line of docker-compose.yml) counts as published."""
    value = "pg_isready -U masportal -d masportal"
    assert value in (ROOT / "docker-compose.yml").read_text()
    assert "masportal.E002" in _ids(SECRET_KEY=value)
    assert "masportal.E014" in _ids(PATIENT_HASH_KEY=value)


def test_development_reports_the_same_findings_as_warnings():
    """In development the findings are warnings (W…), so development starts with zero configuration."""
    with override_settings(
        PRODUCTION=False,
        DEBUG=True,
        SECRET_KEY=settings.DEV_SECRET_KEY,
        DATABASE_URL_SET=False,
        CELERY_BROKER_URL_SET=False,
    ):
        findings = check_production_configuration()
    assert {f.id for f in findings} >= {"masportal.W002", "masportal.W020", "masportal.W030"}
    assert not any(f.is_serious() for f in findings)


def test_development_check_passes_with_zero_configuration():
    """`manage.py check` with nothing configured succeeds (the README's first command keeps working)."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=_env(),  # noqa: S603
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_with_development_keys_refuses_with_ids():
    """`manage.py check` in production with the published keys and no database/broker fails, naming each id."""
    env = _production_env(
        DJANGO_SECRET_KEY=settings.DEV_SECRET_KEY,
        MASPORTAL_PATIENT_KEYS=settings.DEV_PATIENT_KEY,
        MASPORTAL_PATIENT_HASH_KEY=settings.DEV_PATIENT_HASH_KEY,
        DATABASE_URL=None,
        CELERY_BROKER_URL=None,
        DJANGO_ALLOWED_HOSTS=None,
        DJANGO_DEBUG="1",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,  # noqa: S603
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    found = set(re.findall(r"masportal\.E\d{3}", result.stderr))
    assert found == {
        "masportal.E002",
        "masportal.E011",
        "masportal.E014",
        "masportal.E020",
        "masportal.E030",
        "masportal.E040",
        "masportal.E041",
    }


def test_production_cookies_and_headers_are_secure():
    """In production the session and CSRF cookies are Secure, HttpOnly and SameSite, with HSTS and HTTPS redirect."""
    code = (
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_CONTENT_TYPE_NOSNIFF, s.X_FRAME_OPTIONS)"
    )
    result = subprocess.run(  # noqa: S603, S607
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,  # noqa: S603
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True True Lax True True True True DENY"


# --- Login throttling --------------------------------------------------------------------------------


def _login(client, username, password, **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)


@pytest.mark.django_db
def test_wrong_passwords_then_right_one_is_refused_with_swedish_message(client, caplog):
    """After the failure limit, even the right password is refused with a Swedish message; nothing logs the password."""
    caplog.set_level(logging.INFO)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "mas", "hemligt-fel-1")
    response = _login(client, "mas", "demo")
    assert response.status_code == 429
    body = response.content.decode()
    assert "För många misslyckade inloggningar" in body
    assert 'value="mas"' in body  # the username stays filled in
    assert "_auth_user_id" not in client.session
    assert "hemligt-fel-1" not in caplog.text
    assert "demo" not in caplog.text.replace("demo_", "")
    assert "mas" in caplog.text
    assert re.search(r"(?i)lock", caplog.text)


@pytest.mark.django_db
def test_lockout_expires_after_the_cool_off(client):
    """When the cool-off has passed since the latest failure, the right password logs in again."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "mas", "fel")
    assert _login(client, "mas", "demo").status_code == 429
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.first().attempt_time - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    response = _login(client, "mas", "demo")
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


@pytest.mark.django_db
def test_failures_during_lockout_do_not_extend_it(client):
    """Further attempts during a lockout do not push its end: an attacker cannot lock a user out for good."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "mas", "fel")
    first_end = AccessAttempt.objects.order_by("-attempt_time").first().attempt_time
    for _ in range(3):
        _login(client, "mas", "fel")
    assert AccessAttempt.objects.order_by("-attempt_time").first().attempt_time == first_end


@pytest.mark.django_db
def test_failures_from_one_address_lock_the_address(client):
    """Failures for different usernames from one address lock that address."""
    for n in range(settings.AXES_FAILURE_LIMIT):
        _login(client, f"gissning{n}", "fel")
    assert _login(client, "mar", "demo").status_code == 429
    # Another address may still log in as mar.
    assert _login(client, "mar", "demo", REMOTE_ADDR="10.0.0.9").status_code == 302


@pytest.mark.django_db
def test_register_admin_sees_and_lifts_a_lockout(client, demo_user):
    """The register admin finds the lockout in the portal (linked from the menu) and lifts it; the user logs in."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "mas", "fel", REMOTE_ADDR="10.0.0.1")
    assert _login(client, "mas", "demo", REMOTE_ADDR="10.0.0.2").status_code == 429
    admin = client.__class__()
    admin.force_login(demo_user("admin"))
    home = admin.get("/").content.decode()
    assert 'href="/inloggningssp%C3%A4rrar/"' in home or 'href="/inloggningsspärrar/"' in home
    page = admin.get("/inloggningsspärrar/")
    assert page.status_code == 200
    assert "Användarnamn: mas" in page.content.decode()
    response = admin.post("/inloggningsspärrar/", {"kind": "username", "value": "mas"}, follow=True)
    assert "Spärren för mas är hävd." in response.content.decode()
    assert _login(client, "mas", "demo", REMOTE_ADDR="10.0.0.2").status_code == 302


@pytest.mark.django_db
def test_lockout_page_is_for_register_admins_only(client, demo_user):
    """A user who is not register admin gets 403 and cannot lift a lockout."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "mar", "fel")
    other = client.__class__()
    other.force_login(demo_user("mas"))
    assert other.get("/inloggningsspärrar/").status_code == 403
    assert other.post("/inloggningsspärrar/", {"kind": "username", "value": "mar"}).status_code == 403
    assert AccessAttempt.objects.filter(username="mar").exists()


# --- Sessions -------------------------------------------------------------------------------------


def _age_session(client, **seconds_ago):
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


@pytest.mark.django_db
def test_idle_session_is_logged_out(client):
    """A session unused for longer than the idle timeout is ended server-side and the user must log in again."""
    assert _login(client, "mas", "demo").status_code == 302
    assert client.get("/").status_code == 200
    key = client.session.session_key
    _age_session(client, **{SessionTimeoutMiddleware.LAST_SEEN: settings.SESSION_IDLE_TIMEOUT.total_seconds() + 5})
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_session_in_use_stays_until_its_maximum_lifetime(client):
    """Activity keeps a session alive, but not past the absolute lifetime."""
    assert _login(client, "mas", "demo").status_code == 302
    _age_session(client, **{SessionTimeoutMiddleware.LAST_SEEN: 120})
    assert client.get("/").status_code == 200
    _age_session(
        client,
        **{
            SessionTimeoutMiddleware.STARTED: settings.SESSION_MAX_AGE.total_seconds() + 5,
            SessionTimeoutMiddleware.LAST_SEEN: 10,
        },
    )
    assert client.get("/").status_code == 302


def test_session_defaults_are_thirty_minutes_and_ten_hours():
    """The defaults: 30 minutes idle, 10 hours at most, and the cookie no longer than the session."""
    assert timedelta(minutes=30) == settings.SESSION_IDLE_TIMEOUT
    assert timedelta(hours=10) == settings.SESSION_MAX_AGE
    assert settings.SESSION_COOKIE_AGE == 10 * 3600


@pytest.mark.django_db
def test_logout_ends_the_session_server_side(client):
    """Logging out deletes the session from the store: the old cookie no longer works."""
    assert _login(client, "mas", "demo").status_code == 302
    key = client.session.session_key
    client.post("/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    client.cookies["sessionid"] = key
    assert client.get("/").status_code == 302


# --- Headers ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/login/", "/", "/avvikelser/ny/", "/finns-inte/", "/inloggningsspärrar/"])
def test_every_page_has_a_strict_content_security_policy(client, demo_user, url):
    """Pages carry a CSP without inline scripts, a Permissions-Policy, nosniff and frame denial."""
    client.force_login(demo_user("rapportor"))
    response = client.get(url)
    csp = response.headers.get("Content-Security-Policy", "")
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


BROWSER_TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]


def test_templates_have_no_inline_script_handler_or_style_attribute():
    """Scripts live in static files: no inline <script>, no on…= handlers, no style= in pages for the browser."""
    offenders = []
    for base in BROWSER_TEMPLATE_DIRS:
        for template in base.rglob("*.html"):
            if "/pdf" in str(template) or template.name.endswith("_pdf.html"):
                continue  # rendered by WeasyPrint, never served to a browser
            text = template.read_text()
            for match in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|\sstyle\s*=|<style", text):
                offenders.append(f"{template.relative_to(ROOT)}: {match.group(0).strip()}")
    assert offenders == []


# --- Error pages ------------------------------------------------------------------------------------------


def _boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", _boom), *portal_urls.urlpatterns]
handler500 = "masportal.views.server_error"


@pytest.mark.django_db
def test_404_is_swedish_in_the_portal_layout(client):
    """An unknown address gets the portal's Swedish 404 page."""
    response = client.get("/finns-inte/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Sidan finns inte" in body
    assert 'class="site-header"' in body
    assert 'lang="sv"' in body


@pytest.mark.django_db
def test_403_is_swedish_in_the_portal_layout(client, demo_user):
    """A page the user may not see gets the portal's Swedish 403 page."""
    client.force_login(demo_user("rapportor"))
    response = client.get("/register/admin/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "Åtkomst nekad" in body
    assert 'class="site-header"' in body


def test_500_page_renders_without_the_database(rf):
    """The 500 page renders with the database unavailable (no db access allowed in this test)."""
    response = portal_views.server_error(rf.get("/"))
    assert response.status_code == 500
    body = response.content.decode()
    assert "Något gick fel" in body
    assert 'class="site-header"' in body


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_an_unhandled_error_answers_the_branded_500(client):
    """A bug in a view answers the Swedish 500 page, not Django's default."""
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "Något gick fel" in response.content.decode()


@pytest.mark.parametrize("process", ["worker", "beat"])
def test_celery_worker_and_beat_refuse_an_unsafe_production_start(process, tmp_path):
    """The worker and beat stop at start-up in production with published keys, naming the check ids."""
    env = _production_env(
        DJANGO_SECRET_KEY=settings.DEV_SECRET_KEY,
        MASPORTAL_PATIENT_HASH_KEY=settings.DEV_PATIENT_HASH_KEY,
        CELERY_BROKER_URL="redis://127.0.0.1:1/0",
        MASPORTAL_VAR_DIR=str(tmp_path),
    )
    argv = [sys.executable, "-m", "celery", "-A", "masportal", process, "-l", "warning"]
    if process == "beat":
        argv += ["--schedule", str(tmp_path / "schedule")]
    result = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "MAS-portalen worker/beat refuses to start in production" in output
    assert "failed to resolve host" not in output  # refused before touching the database
    assert "masportal.E002" in output
    assert "masportal.E014" in output
