"""The foundation: demo data, start pages, health, the embedded broker with a real worker."""

import json
import shutil
import subprocess
import time
import uuid

import pytest
from celery.result import EagerResult
from django.apps import apps
from django.core.management import call_command
from django.test import override_settings

from core.models import Heartbeat
from tests.conftest import DEMO_ROLE_SECTIONS, assert_accessible, login
from tests.processes import free_port, start_worker, stop


def _row_counts() -> dict[str, int]:
    skip = {"sessions", "admin", "django_celery_beat"}
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label not in skip}


@pytest.mark.django_db
def test_load_demo_twice_changes_no_row_count():
    """Running load_demo a second time creates nothing new."""
    before = _row_counts()
    call_command("load_demo", verbosity=0)
    assert _row_counts() == before
    assert before["responsibility.Board"] == 14
    assert before["responsibility.Region"] == 4
    assert 55 <= before["responsibility.Unit"] <= 65


@pytest.mark.django_db
def test_every_demo_login_reaches_its_role_section(client):
    """Each demo login lands on a start page with the section of its role."""
    for username, section in DEMO_ROLE_SECTIONS.items():
        client.logout()
        assert client.login(username=username, password="demo"), username
        response = client.get("/")
        assert response.status_code == 200
        assert f'id="role-{section}"' in response.content.decode(), username


@pytest.mark.django_db
def test_start_page_is_swedish_by_default(client):
    """The interface speaks Swedish unless the user switches language."""
    response = client.get("/login/")
    assert 'lang="sv"' in response.content.decode()
    assert "Logga in" in response.content.decode()


@pytest.mark.django_db
def test_language_switch_gives_english(client):
    """The language switch turns the interface English."""
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    response = client.get("/login/")
    assert 'lang="en"' in response.content.decode()
    assert "Log in to MAS-portalen" in response.content.decode()


@pytest.mark.django_db
def test_healthz_reports_components(client):
    """/healthz answers JSON with database, broker, worker and beat states; a part down makes it 503."""
    Heartbeat.objects.create(source="worker", at=__import__("django.utils.timezone").utils.timezone.now())
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"]["status"] == "up"
    assert body["worker"]["status"] == "up"
    assert body["beat"]["status"] == "down"
    assert set(body) >= {"database", "broker", "worker", "beat", "status"}


@pytest.mark.django_db
def test_healthz_reports_unreachable_broker_as_down(client):
    """A broker that does not answer is reported down, and the page still answers."""
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"]["status"] == "down"
    assert response.json()["status"] == "degraded"


@pytest.mark.django_db
@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server on PATH")
def test_healthz_reports_stopped_redis_as_down(client):
    """A real Redis broker is up, then stopped: /healthz follows it and keeps answering."""
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],  # noqa: S607
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"redis://127.0.0.1:{port}/0"
        with override_settings(CELERY_BROKER_URL=url, CELERY_BROKER_TRANSPORT_OPTIONS={}):
            for _ in range(50):
                if client.get("/healthz").json()["broker"]["status"] == "up":
                    break
                time.sleep(0.1)
            assert client.get("/healthz").json()["broker"]["status"] == "up"
            server.terminate()
            server.wait(timeout=10)
            response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["broker"]["status"] == "down"
    finally:
        if server.poll() is None:
            server.kill()


@pytest.mark.django_db(transaction=True)
def test_task_runs_in_a_real_worker_process():
    """A task queued through the configured broker is executed by a separate worker process."""
    from core.tasks import heartbeat

    queue = f"test-{uuid.uuid4().hex[:8]}"
    Heartbeat.objects.filter(source="worker").delete()
    worker = start_worker(queue)
    try:
        result = heartbeat.apply_async(queue=queue)
        # Published to the broker, not run in this process: Celery is not eager.
        assert heartbeat.app.conf.task_always_eager is False
        assert not isinstance(result, EagerResult)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not Heartbeat.objects.filter(source="worker").exists():
            assert worker.poll() is None, worker.stdout.read().decode()
            time.sleep(0.3)
        assert Heartbeat.objects.filter(source="worker").exists(), "the worker did not run the task"
    finally:
        stop(worker)


@pytest.mark.browser
@pytest.mark.parametrize("username", list(DEMO_ROLE_SECTIONS))
def test_demo_role_logs_in_to_its_start_page(page, username):
    """In a real browser, every demo role logs in and sees its start page without axe violations."""
    page.goto("/login/")
    assert_accessible(page)
    login(page, username)
    section = page.locator(f"#role-{DEMO_ROLE_SECTIONS[username]}")
    section.wait_for()
    assert page.locator("h1").count() == 1
    assert_accessible(page)


@pytest.mark.browser
def test_wrong_password_shows_swedish_error_and_keeps_username(page):
    """A wrong password gives a Swedish error summary and the username stays filled in."""
    page.goto("/login/")
    page.get_by_label("Användarnamn").fill("mas")
    page.get_by_label("Lösenord").fill("fel-lösenord")
    page.get_by_role("button", name="Logga in").click()
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert "Fel användarnamn eller lösenord" in summary.inner_text()
    assert page.get_by_label("Användarnamn").input_value() == "mas"
    assert_accessible(page)


@pytest.mark.browser
def test_healthz_json_in_browser(page):
    """Monitoring reads /healthz as JSON."""
    from core.services import heartbeat_record

    heartbeat_record(source="worker")
    heartbeat_record(source="beat")
    response = page.goto("/healthz")
    assert response.status == 200
    assert json.loads(page.locator("body").inner_text())["database"]["status"] == "up"


@pytest.mark.browser
def test_start_page_reflows_at_320_px(browser, live_server, live_demo):
    """At 320 CSS px (400 % zoom of 1280) the start page needs no horizontal scrolling."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        login(page, "mas")
        page.locator("#role-MAS").wait_for()
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        assert_accessible(page)
    finally:
        context.close()


@pytest.mark.browser
def test_skip_link_moves_focus_to_main(page):
    """The first Tab reaches the skip link, which takes keyboard users to the main content."""
    login(page, "rapportor")
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Hoppa till huvudinnehållet"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


@pytest.mark.django_db
def test_notifications_of_one_transaction_queue_one_delivery(django_capture_on_commit_callbacks, demo_user):
    """Many notifications written in one transaction ask the broker once, and each recipient once per key."""
    from core.services import notify

    mas, vc = demo_user("mas"), demo_user("verksamhetschef")
    with django_capture_on_commit_callbacks() as callbacks:
        first = notify(recipients=[mas, vc], kind="t", subject="A", dedupe_key="k1")
        second = notify(recipients=[mas], kind="t", subject="B", dedupe_key="k2")
        again = notify(recipients=[mas, vc], kind="t", subject="A", dedupe_key="k1")
    assert (first, second, again) == (2, 1, 0)
    assert len(callbacks) == 1
