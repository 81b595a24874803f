"""Reports never stay "running": late ack, takeover of abandoned runs, stale_reports, bounded retry, retention."""

from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from core.scheduling import registered_jobs, run_scheduled_jobs
from reports import services
from reports.choices import ReportKind, ReportState
from reports.models import GeneratedReport
from reports.tasks import generate_report
from responsibility.tenancy import municipality_id_of

pytestmark = pytest.mark.django_db


def _report(user, **fields) -> GeneratedReport:
    values = {
        "kind": ReportKind.RESPONSIBILITY,
        "scope_kind": "municipality",
        "scope_label": "Demo kommun",
        "scope_id": municipality_id_of(user),
        "period_from": date(2026, 1, 1),
        "period_to": date(2026, 1, 1),
        "requested_by": user,
    }
    values.update(fields)
    return GeneratedReport.objects.create(**values)


def _age(report: GeneratedReport, minutes: float) -> None:
    past = timezone.now() - timedelta(minutes=minutes)
    GeneratedReport.objects.filter(pk=report.pk).update(progressed_at=past, started_at=past, requested_at=past)


def test_task_acknowledges_late_and_rejects_when_the_worker_is_lost():
    """The message stays with the broker until the report is finished, and goes back if the worker dies."""
    assert generate_report.acks_late is True
    assert generate_report.reject_on_worker_lost is True


def test_stale_reports_is_a_registered_job_shown_by_list(capsys):
    """`run_scheduled_jobs --list` names stale_reports."""
    call_command("run_scheduled_jobs", "--list")
    assert "stale_reports" in capsys.readouterr().out.split()


def test_stale_reports_fails_rows_without_progress_with_a_swedish_message(demo_user, settings):
    """A running report without progress for REPORT_STALE_MINUTES fails; a recent one is left alone."""
    settings.REPORT_STALE_MINUTES = 30
    user = demo_user("tjansteman")
    stuck = _report(user, state=ReportState.RUNNING, progress=50, attempts=1)
    _age(stuck, 31)
    queued_lost = _report(user, state=ReportState.QUEUED)
    _age(queued_lost, 45)
    fresh = _report(user, state=ReportState.RUNNING, progress=50, attempts=1)
    _age(fresh, 5)
    [run] = run_scheduled_jobs(only="stale_reports")
    assert run.counts == {"failed": 2}
    for report in (stuck, queued_lost):
        report.refresh_from_db()
        assert report.state == ReportState.FAILED
        assert "slutade göra framsteg" in report.error
        [row] = report.transitions.all()  # one history row, made by the job (no actor), with the reason
        assert (row.to_state, row.actor, row.reason) == (ReportState.FAILED, None, report.error)
    fresh.refresh_from_db()
    assert fresh.state == ReportState.RUNNING
    [again] = run_scheduled_jobs(only="stale_reports")
    assert again.counts == {"failed": 0}


def test_redelivered_task_takes_over_an_abandoned_run_and_finishes(demo_user, settings):
    """A run whose worker died (no progress for the lease) is generated again when its message comes back."""
    settings.REPORT_LEASE_SECONDS = 60
    report = _report(demo_user("tjansteman"), state=ReportState.RUNNING, progress=50, attempts=1)
    _age(report, 2)
    result = services.report_generate(report_id=report.pk)
    assert result.state == ReportState.DONE
    assert result.attempts == 2
    assert result.file.read().startswith(b"%PDF")


def test_duplicate_delivery_leaves_a_live_run_and_a_finished_report_alone(demo_user, settings):
    """A second delivery while the first worker still makes progress, or after the end, changes nothing."""
    settings.REPORT_LEASE_SECONDS = 600
    user = demo_user("tjansteman")
    live = _report(user, state=ReportState.RUNNING, progress=50, attempts=1, progressed_at=timezone.now())
    assert services.report_generate(report_id=live.pk).state == ReportState.RUNNING
    live.refresh_from_db()
    assert (live.attempts, live.progress) == (1, 50)
    failed = _report(user, state=ReportState.FAILED, attempts=1, error="x")
    assert services.report_generate(report_id=failed.pk).state == ReportState.FAILED


def test_abandoned_run_with_no_attempts_left_fails_with_a_clear_message(demo_user, settings):
    """Takeovers are bounded: at REPORT_MAX_ATTEMPTS the report fails and says so."""
    settings.REPORT_LEASE_SECONDS = 60
    settings.REPORT_MAX_ATTEMPTS = 2
    report = _report(demo_user("tjansteman"), state=ReportState.RUNNING, progress=50, attempts=2)
    _age(report, 2)
    result = services.report_generate(report_id=report.pk)
    assert result.state == ReportState.FAILED
    assert "2 försök" in GeneratedReport.objects.get(pk=report.pk).error


def test_failed_report_shows_misslyckades_and_try_again_until_attempts_run_out(
    client, demo_user, settings, django_capture_on_commit_callbacks
):
    """The orderer sees "Misslyckades" and "Försök igen"; retrying queues it; at the limit a message instead."""
    settings.REPORT_MAX_ATTEMPTS = 2
    settings.REPORTS_QUEUE = "test-never-consumed"
    user = demo_user("tjansteman")
    report = _report(user, state=ReportState.FAILED, attempts=1, error="Rapporten slutade göra framsteg.")
    client.force_login(user)
    page = client.get(reverse("reports:generated_detail", args=[report.pk])).content.decode()
    assert "Misslyckades" in page
    assert "Försök igen" in page
    assert "Försök 1 av 2." in page
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("reports:generated_retry", args=[report.pk]))
    assert response.status_code == 302
    assert len(callbacks) == 1  # the generation is queued once, after the commit
    report.refresh_from_db()
    assert (report.state, report.error, report.attempts) == (ReportState.QUEUED, "", 1)
    GeneratedReport.objects.filter(pk=report.pk).update(state=ReportState.FAILED, attempts=2, error="Fel.")
    page = client.get(reverse("reports:generated_detail", args=[report.pk])).content.decode()
    assert "Försök igen" not in page
    assert "kunde inte skapas på 2 försök" in page
    response = client.post(reverse("reports:generated_retry", args=[report.pk]), follow=True)
    assert "kunde inte skapas på 2 försök" in response.content.decode()
    report.refresh_from_db()
    assert report.state == ReportState.FAILED


def test_another_user_cannot_retry_a_report(client, demo_user):
    """Only the one who ordered it may try again (others get 404 and nothing changes)."""
    report = _report(demo_user("tjansteman"), state=ReportState.FAILED, attempts=1, error="Fel.")
    client.force_login(demo_user("mas"))
    assert client.post(reverse("reports:generated_retry", args=[report.pk])).status_code == 404
    report.refresh_from_db()
    assert report.state == ReportState.FAILED


def test_old_files_are_removed_after_the_retention_but_the_row_stays(client, demo_user, settings):
    """After REPORT_RETENTION_DAYS the PDF is deleted, the row kept and the page says why."""
    settings.REPORT_RETENTION_DAYS = 90
    user = demo_user("tjansteman")
    old = _report(user, state=ReportState.DONE, progress=100, finished_at=timezone.now() - timedelta(days=91))
    old.file.save("old.pdf", ContentFile(b"%PDF-1.7 old"), save=True)
    path = old.file.path
    recent = _report(user, state=ReportState.DONE, progress=100, finished_at=timezone.now() - timedelta(days=89))
    recent.file.save("recent.pdf", ContentFile(b"%PDF-1.7 recent"), save=True)
    [run] = run_scheduled_jobs(only="expired_report_files")
    assert run.counts == {"removed": 1}
    old.refresh_from_db()
    recent.refresh_from_db()
    assert not old.file
    assert old.file_removed_at is not None
    assert not __import__("os").path.exists(path)
    assert recent.file
    client.force_login(user)
    page = client.get(reverse("reports:generated_detail", args=[old.pk])).content.decode()
    assert "togs bort 90 dagar" in page
    assert client.get(reverse("reports:generated_download", args=[old.pk])).status_code == 404


def test_jobs_run_in_dependency_order_not_alphabetically():
    """Creation before reminders, reminders before delivery, clean-up last."""
    names = list(registered_jobs())
    assert names.index("followups_from_plans") < names.index("followup_reminders")
    assert names.index("followups_from_plans") < names.index("action_reminders")
    assert names.index("deviation_reminders") < names.index("deliver_notifications")
    assert names.index("lex_maria_reminders") < names.index("deliver_notifications")
    assert names[-2:] == sorted(["expired_report_files", "stale_reports"])


def test_generate_report_refuses_an_output_directory_that_does_not_exist(tmp_path):
    """`generate_report --out /no/such/dir/x.pdf` fails clearly and creates nothing."""
    missing = tmp_path / "no" / "such"
    with pytest.raises(CommandError, match="does not exist"):
        call_command(
            "generate_report",
            "responsibility",
            "--scope",
            "municipality",
            "--on",
            "2026-01-01",
            "--out",
            str(missing / "x.pdf"),
        )
    assert not missing.exists()


def test_generate_report_command_exits_non_zero_for_a_missing_directory(tmp_path):
    """On the command line the refusal is a non-zero exit with the message on stderr."""
    import subprocess
    import sys

    from tests.processes import ROOT, worker_env

    out = tmp_path / "nope" / "x.pdf"
    result = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "manage.py",
            "generate_report",
            "responsibility",
            "--scope",
            "municipality",
            "--on",
            "2026-01-01",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        env=worker_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "does not exist" in result.stderr
    assert not out.parent.exists()
