"""Report pages, exports, ordering and downloads: who may see what, and what happens in the background."""

import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from reports.choices import ReportState
from reports.models import GeneratedReport, PatientSafetyNarrative
from reports.services import check_params, report_generate, report_order
from responsibility.models import CareProvider
from tests.conftest import DEMO_PASSWORD
from tests.reports.conftest import assert_no_patient_identity, pdf_text

BOARD = "board:hagersten-liljeholmen"
OTHER_BOARD = "board:bromma"


def _login(client, username: str) -> None:
    assert client.login(username=username, password=DEMO_PASSWORD)


def _query(period, **extra) -> dict:
    return {
        "kind": "deviations",
        "scope": BOARD,
        "period_from": period[0].isoformat(),
        "period_to": period[1].isoformat(),
        **extra,
    }


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    """Reports need a login."""
    response = client.get(reverse("reports:report_list"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.django_db
def test_staff_without_report_role_is_refused(client):
    """A reporter (staff) cannot open the reports."""
    _login(client, "rapportor")
    assert client.get(reverse("reports:report_list")).status_code == 403
    assert client.get(reverse("reports:report_detail"), {"kind": "deviations", "scope": BOARD}).status_code == 403


@pytest.mark.django_db
def test_board_official_chooses_only_their_board(client):
    """A board official's scope choices are their own board; the list page is Swedish."""
    _login(client, "tjansteman")
    response = client.get(reverse("reports:report_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Rapporter till nämnden" in html
    assert 'value="board:hagersten-liljeholmen"' in html
    assert 'value="board:bromma"' not in html
    assert 'value="municipality"' not in html


@pytest.mark.django_db
def test_scope_outside_the_users_own_is_refused_with_a_message(client, period):
    """Asking for another board's report gives a Swedish message, keeps the input and shows nothing of it."""
    _login(client, "tjansteman")
    response = client.get(reverse("reports:report_detail"), _query(period, scope=OTHER_BOARD))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Du får inte se rapporter för Bromma stadsdelsnämnd." in html
    assert f'value="{period[0].isoformat()}"' in html
    assert "Avvikelser per kategori" not in html


@pytest.mark.django_db
def test_contractor_mas_sees_own_provider_only(client, period):
    """The contractor's MAS may report on their own company, not on the board."""
    _login(client, "entreprenor-mas")
    norrsken = CareProvider.objects.get(name="Norrsken Omsorg AB")
    ok = client.get(reverse("reports:report_detail"), _query(period, scope=f"provider:{norrsken.org_number}"))
    assert ok.status_code == 200
    denied = client.get(reverse("reports:report_detail"), _query(period))
    assert denied.status_code == 400
    assert "Du får inte se rapporter för" in denied.content.decode()


@pytest.mark.django_db
def test_period_end_before_start_shows_the_error_on_the_field(client, period):
    """A period ending before it starts is refused with the message linked from the error summary."""
    _login(client, "mas")
    response = client.get(
        reverse("reports:report_detail"),
        _query(period, period_from=period[1].isoformat(), period_to=period[0].isoformat()),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_period_to"' in html
    assert "Periodens slut kan inte vara före dess början." in html


@pytest.mark.django_db
def test_html_report_is_an_accessible_table_page_with_the_same_figures_as_csv_and_xlsx(client, seeded, period):
    """The page, the CSV and the XLSX give the same category counts; tables have captions and header scopes."""
    _login(client, "tjansteman")
    page = client.get(reverse("reports:report_detail"), _query(period))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("<h1>") == 1
    assert re.search(r'<caption id="caption-[\w-]+">Avvikelser per kategori</caption>', html)
    assert '<th scope="col"' in html
    assert '<th scope="row"' in html
    assert "Framtagen av" in html
    assert "Olof Sjöberg" in html
    assert_no_patient_identity(html)

    csv_response = client.get(reverse("reports:report_export", args=["csv"]), _query(period))
    assert csv_response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig")), delimiter=";"))
    start = rows.index(["Avvikelser per kategori"])
    csv_categories = {}
    for row in rows[start + 2 :]:
        if not row or row[0] == "Totalt":
            break
        csv_categories[row[0]] = int(row[1])
    assert csv_categories["Fall"] >= 2
    for name, count in csv_categories.items():
        assert f'<th scope="row">{name}</th><td class="num">{count}</td>' in html
    assert_no_patient_identity(csv_response.content.decode("utf-8-sig"))

    xlsx_response = client.get(reverse("reports:report_export", args=["xlsx"]), _query(period))
    wb = load_workbook(io.BytesIO(xlsx_response.content))
    sheet = wb["Avvikelser per kategori"]
    xlsx_categories = {r[0]: r[1] for r in sheet.iter_rows(min_row=3, values_only=True) if r[0] != "Totalt"}
    assert xlsx_categories == csv_categories


@pytest.mark.django_db
def test_ordering_a_pdf_records_the_order_and_queues_on_commit(client, period, django_capture_on_commit_callbacks):
    """Ordering creates a queued report with who and what, and queues its generation after the commit."""
    _login(client, "tjansteman")
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("reports:report_order"), _query(period))
    report = GeneratedReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:generated_detail", args=[report.pk])
    assert report.state == ReportState.QUEUED
    assert report.requested_by.username == "tjansteman"
    assert (report.kind, report.scope_label, report.period_from) == (
        "deviations",
        "Hägersten-Liljeholmens stadsdelsnämnd",
        period[0],
    )
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_denied_order_creates_and_queues_nothing(client, period, django_capture_on_commit_callbacks):
    """An order for a board the user may not see is refused; no row, nothing queued."""
    _login(client, "tjansteman")
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("reports:report_order"), _query(period, scope=OTHER_BOARD))
    assert response.status_code == 400
    assert not GeneratedReport.objects.exists()
    assert callbacks == []


@pytest.mark.django_db
def test_generation_moves_queued_running_done_and_only_the_requester_downloads(client, demo_user, seeded, period):
    """The task's service takes a report from queued to done with a PDF; a second run changes nothing."""
    user = demo_user("tjansteman")
    params = check_params(user=user, kind="deviations", scope_token=BOARD, period_from=period[0], period_to=period[1])
    report = report_order(user=user, params=params)
    _login(client, "tjansteman")
    status = client.get(reverse("reports:generated_status", args=[report.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in status
    assert "I kö" in status

    done = report_generate(report_id=report.pk)
    assert (done.state, done.progress) == (ReportState.DONE, 100)
    assert done.started_at <= done.finished_at
    assert report_generate(report_id=report.pk).finished_at == done.finished_at
    path = Path(done.file.path)
    assert path.is_relative_to(Path(settings.PRIVATE_FILES_ROOT))
    status = client.get(reverse("reports:generated_status", args=[report.pk])).content.decode()
    assert "hx-trigger" not in status
    assert "Ladda ner PDF:en" in status

    download = client.get(reverse("reports:generated_download", args=[report.pk]))
    pdf = b"".join(download.streaming_content)
    assert download["Content-Type"] == "application/pdf"
    assert pdf.startswith(b"%PDF")
    assert "Avvikelserapport" in pdf_text(pdf)
    assert_no_patient_identity(pdf_text(pdf))

    client.logout()
    _login(client, "mas")
    assert client.get(reverse("reports:generated_download", args=[report.pk])).status_code == 404
    assert client.get(reverse("reports:generated_detail", args=[report.pk])).status_code == 404
    client.logout()
    _login(client, "admin")
    assert client.get(reverse("reports:generated_download", args=[report.pk])).status_code == 200
    path.unlink()


@pytest.mark.django_db
def test_generation_failure_is_recorded_with_a_reason(demo_user):
    """A report whose scope has gone ends as failed with a Swedish reason, not stuck as running."""
    report = GeneratedReport.objects.create(
        kind="deviations",
        scope_kind="board",
        scope_id=999999,
        scope_label="Borttagen nämnd",
        period_from=date(2025, 1, 1),
        period_to=date(2025, 3, 31),
        requested_by=demo_user("mas"),
    )
    failed = report_generate(report_id=report.pk)
    assert failed.state == ReportState.FAILED
    assert failed.error.startswith("Rapporten kunde inte skapas (DoesNotExist)")
    assert not failed.file


@pytest.mark.django_db
def test_narrative_is_saved_then_adopted_and_then_locked(client, period):
    """The MAS writes the sections, the board's adoption is recorded with its date, and the text is then locked."""
    provider = CareProvider.objects.get(kind="municipal", board__code="hagersten-liljeholmen")
    year = period[0].year
    url = reverse("reports:narrative_edit", args=[provider.pk, year])
    _login(client, "mas")
    assert client.get(url).status_code == 200
    response = client.post(url, {"action": "save", "version": 0, "collaboration": "Samverkan med regionen."})
    assert response.status_code == 302
    narrative = PatientSafetyNarrative.objects.get(provider=provider, year=year)
    assert narrative.collaboration == "Samverkan med regionen."
    stale = client.post(url, {"action": "save", "version": 0, "collaboration": "Min text"})
    assert stale.status_code == 400
    assert "Någon annan sparade berättelsen" in stale.content.decode()
    assert "Min text" in stale.content.decode()
    adopted_on = timezone.localdate() - timedelta(days=1)
    assert client.post(url, {"action": "adopt", "adopted_on": adopted_on.isoformat()}).status_code == 302
    narrative.refresh_from_db()
    assert (narrative.state, narrative.adopted_on) == ("adopted", adopted_on)
    assert narrative.history.count() == 3
    locked = client.post(url, {"action": "save", "version": narrative.version, "collaboration": "Ändrat"})
    assert locked.status_code == 400
    narrative.refresh_from_db()
    assert narrative.collaboration == "Samverkan med regionen."


@pytest.mark.django_db
def test_narrative_of_another_board_is_refused(client):
    """A board official cannot write another board's patient safety report."""
    provider = CareProvider.objects.get(kind="municipal", board__code="bromma")
    _login(client, "tjansteman")
    response = client.post(
        reverse("reports:narrative_edit", args=[provider.pk, 2025]), {"action": "save", "version": 0}
    )
    assert response.status_code == 403
    assert not PatientSafetyNarrative.objects.filter(provider=provider).exists()


@pytest.mark.django_db
def test_command_writes_a_pdf(tmp_path, seeded, period):
    """generate_report writes a PDF for a board and a period."""
    out = tmp_path / "avvikelser.pdf"
    call_command(
        "generate_report",
        "deviations",
        "--scope",
        BOARD,
        "--from",
        period[0].isoformat(),
        "--to",
        period[1].isoformat(),
        "--out",
        str(out),
        stdout=io.StringIO(),
    )
    assert out.read_bytes().startswith(b"%PDF")
    assert "Avvikelserapport" in pdf_text(out.read_bytes())


@pytest.mark.django_db
def test_command_refuses_bad_input(tmp_path):
    """A period ending before it starts and an unknown board stop the command with a message."""
    with pytest.raises(CommandError, match="Periodens slut"):
        call_command(
            "generate_report",
            "deviations",
            "--scope",
            BOARD,
            "--from",
            "2026-03-01",
            "--to",
            "2026-02-01",
            "--out",
            str(tmp_path / "x.pdf"),
        )
    with pytest.raises(CommandError, match="Det finns ingen omfattning"):
        call_command(
            "generate_report",
            "lex_maria",
            "--scope",
            "board:finns-inte",
            "--from",
            "2026-01-01",
            "--to",
            "2026-02-01",
            "--out",
            str(tmp_path / "x.pdf"),
        )
    assert not (tmp_path / "x.pdf").exists()
