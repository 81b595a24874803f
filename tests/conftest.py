"""Shared fixtures: the demo organisation, a real headless Chromium, axe checks."""

import os
import shutil

import pytest
from django.core.management import call_command

from tests import dbtemplate
from tests.demo_snapshot import DemoSnapshot

# Playwright's sync API runs an event loop in the test thread; the ORM calls
# the tests make around it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("MASPORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DEMO_PASSWORD = "demo"
# Demo login → the heading of the start-page section that proves the role.
DEMO_ROLE_SECTIONS = {
    "mas": "MAS",
    "mar": "MAR",
    "verksamhetschef": "OPERATIONS_MANAGER",
    "enhetschef": "UNIT_MANAGER",
    "rapportor": "REPORTER",
    "tjansteman": "BOARD_OFFICIAL",
    "kvalitet": "QUALITY_AUDITOR",
    "entreprenor-mas": "MAS",
    "admin": "ADMIN",
}


def pytest_configure(config):
    """Hash test passwords cheaply: the demo creates logins again after every flush."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Copy the run's migrated template instead of migrating again, when scripts/test made one (tests/dbtemplate.py)."""
    dbtemplate.install()


@pytest.fixture(scope="session")
def django_db_setup(request, django_db_setup, django_db_blocker):
    """Load the demo municipality once per test database; plain db tests roll back to it.

    When the session has transactional tests, copy the demo's rows (``tests/demo_snapshot.py``): after a
    test's flush, ``live_demo`` puts them back in a statement per table instead of running ``load_demo``.
    """
    with django_db_blocker.unblock():
        call_command("load_demo", verbosity=0)
        if any(_is_transactional(item) for item in request.session.items):
            _Demo.snapshot = DemoSnapshot()
            _Demo.snapshot.take()
    yield
    if _Demo.snapshot is not None:
        with django_db_blocker.unblock():
            _Demo.snapshot.drop()
        _Demo.snapshot = None


@pytest.fixture
def live_demo(transactional_db):
    """The demo municipality for tests that commit (live server, worker processes), exactly as ``load_demo`` wrote it."""
    _Demo.load()


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run the README's test command, which installs it.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server, live_demo):
    """A fresh browser page (desktop size) against the live server with the demo loaded."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="sv-SE")
    context.set_default_timeout(15_000)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def tablet_page(browser, live_server, live_demo):
    """A fresh page with a tablet viewport and touch."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 768, "height": 1024}, has_touch=True, locale="sv-SE"
    )
    context.set_default_timeout(15_000)
    pg = context.new_page()
    yield pg
    context.close()


def assert_accessible(page) -> None:
    """Fail on any serious or critical axe-core violation on the current page."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import Error as PlaywrightError

    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            results = Axe().run(page)
            break
        except PlaywrightError as exc:
            # A form post or link click just before may still be replacing the
            # document; axe then finds no document. Run it on the page that loads.
            navigating = "documentElement" in str(exc) or "Execution context was destroyed" in str(exc)
            if not navigating or attempt == 2:
                raise
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert not bad, "axe violations on {}:\n{}".format(
        page.url,
        "\n".join(f"- {v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:5]]}" for v in bad),
    )


def follow(link) -> None:
    """Click a link and wait until the page it leads to has loaded.

    A bare click returns as soon as the click is dispatched; reading the page
    straight after it races the navigation (an empty content() or an axe run on
    a document that is being replaced).
    """
    with link.page.expect_navigation():
        link.click()


def login(page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the login form and wait for the start page."""
    page.goto("/login/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in", exact=True).click()
    page.wait_for_url(lambda url: "/login/" not in url)
    if "/accounts/2fa/totp/activate/" in page.url:
        # A register admin logging in with a password sets up MFA first (accounts/middleware.py).
        from tests.accounts.totp import enrol_totp

        enrol_totp(page)
        page.goto("/")


@pytest.fixture
def org(db):
    """A small municipality of its own (``tests.factories.Org``) for service tests that must not depend on the demo."""
    from tests.factories import Org

    return Org()


@pytest.fixture
def demo_user(db, django_user_model):
    """Return a demo login by username."""

    def get(username: str):
        return django_user_model.objects.get(username=username)

    return get


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    names = set(getattr(item, "fixturenames", ()))
    return bool(names & {"transactional_db", "live_server", "live_demo", "page", "tablet_page"})


def _uses_db(item) -> bool:
    return item.get_closest_marker("django_db") is not None or "db" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(items):
    """Mark tests that commit: a transactional test flushes the database (and the demo) when it ends.

    pytest-django already orders the items plain → transactional → no database,
    so one process (bare ``pytest``) and ``-n 2`` with xdist's default ``load``
    (each worker runs its items in that order) never run a plain test after a
    flush. Schedulers that group or steal (``--dist loadfile``, ``worksteal``)
    can; ``pytest_runtest_setup`` below reloads the demo for those. scripts/test
    still runs ``-m "not transactional"`` and ``-m transactional`` as two phases,
    where no reload is ever needed.
    """
    for item in items:
        if _is_transactional(item):
            item.add_marker(pytest.mark.transactional)


class _Demo:
    """Whether this process's test database lost the demo (a transactional test flushed it), and its snapshot."""

    flushed = False
    snapshot: DemoSnapshot | None = None

    @classmethod
    def load(cls) -> None:
        """Put the demo back: from the snapshot when there is one, else with ``load_demo``."""
        if cls.snapshot is not None:
            cls.snapshot.restore()
        else:
            call_command("load_demo", verbosity=0)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before a plain database test, load the demo again if a transactional test flushed it on this worker.

    Runs before the test's fixtures open its rolled-back transaction, so the
    demo is committed once and shared again by the plain tests that follow.
    """
    if _is_transactional(item):
        _Demo.flushed = True  # its teardown flushes every table
    elif _Demo.flushed and _uses_db(item):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            _Demo.load()
        _Demo.flushed = False
        item.user_properties.append(("demo_reloaded", 1))


def pytest_terminal_summary(terminalreporter):
    """Say how many URL × role × object cases the crawl (tests/test_crawl*.py) checked."""
    cases = roles = reloads = 0
    for reports in terminalreporter.stats.values():
        for report in reports:
            if getattr(report, "when", "") == "setup":
                reloads += sum(
                    value for name, value in getattr(report, "user_properties", ()) if name == "demo_reloaded"
                )
            if getattr(report, "when", "") != "call":
                continue
            for name, value in getattr(report, "user_properties", ()):
                if name == "crawl_cases":
                    cases += value
                elif name == "crawl_role":
                    roles += 1
    if cases:
        terminalreporter.write_line(f"crawl: {cases} URL × role × object × method cases checked ({roles} roles)")
    if reloads:
        terminalreporter.write_line(f"demo: loaded again {reloads}× for plain tests after a transactional test's flush")
