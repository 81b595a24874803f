"""Browser journey: a board official orders a deviation report, watches its progress and downloads the PDF."""

import time
import uuid
from datetime import date

import pytest

from tests.conftest import assert_accessible, follow, login
from tests.processes import start_worker, stop
from tests.reports.conftest import pdf_text
from tests.reports.seed import seed_period


@pytest.mark.browser
def test_board_official_orders_deviation_report_and_downloads_pdf(page, settings, tmp_path):
    """Tjänstemannen chooses Avvikelserapport, sees the page, orders the PDF, a real worker makes it, she downloads it."""
    start = date(date.today().year - 1, 1, 1)  # noqa: DTZ011 - only the year matters
    seed_period(start=start)
    queue = f"reports-test-{uuid.uuid4().hex[:8]}"
    settings.REPORTS_QUEUE = queue
    worker = start_worker(queue)
    try:
        login(page, "tjansteman")
        follow(page.get_by_role("link", name="Rapporter").first)
        page.get_by_role("heading", name="Rapporter till nämnden").wait_for()
        assert_accessible(page)
        page.locator("#id_kind").select_option("deviations")
        page.locator("#id_scope").select_option("board:hagersten-liljeholmen")
        page.locator("#id_period_from").fill(start.isoformat())
        page.locator("#id_period_to").fill(date(start.year, 3, 31).isoformat())
        page.get_by_role("button", name="Visa rapporten").click()
        page.get_by_role("heading", name="Avvikelserapport", level=1).wait_for()
        assert page.get_by_role("table", name="Avvikelser per kategori", exact=True).is_visible()
        assert_accessible(page)

        page.get_by_role("button", name="Beställ som PDF").click()
        page.get_by_role("heading", name="Avvikelserapport", level=1).wait_for()
        assert page.locator("#report-status[aria-live='polite']").count() == 1
        assert_accessible(page)
        link = page.get_by_role("link", name="Ladda ner PDF:en")
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not link.is_visible():
            assert worker.poll() is None, worker.stdout.read().decode()
            page.wait_for_timeout(300)
        assert link.is_visible(), "the worker did not finish the report"
        assert "Klar" in page.locator("#report-status").inner_text()
        assert_accessible(page)
        with page.expect_download() as download_info:
            link.click()
        path = tmp_path / "rapport.pdf"
        download_info.value.save_as(path)
        pdf = path.read_bytes()
        assert pdf.startswith(b"%PDF")
        assert "Avvikelserapport" in pdf_text(pdf)
        assert "Hägersten-Liljeholmens stadsdelsnämnd" in pdf_text(pdf)

        page.goto("/rapporter/")
        row = page.get_by_role("row").filter(has_text="Avvikelserapport")
        assert "Klar" in row.first.inner_text()
        assert_accessible(page)
    finally:
        stop(worker)
