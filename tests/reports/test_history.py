"""Generated reports and patient safety narratives keep their moves as history rows, shown on their pages."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from reports import narratives, services
from reports.choices import NarrativeState, ReportKind, ReportState
from reports.models import GeneratedReport, NarrativeTransition, PatientSafetyNarrative, ReportTransition
from responsibility.models import CareProvider
from responsibility.tenancy import municipality_id_of
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

# The ordered report's page: login and scope, the report, its history (one query however long), notifications.
REPORT_QUERIES = 7
# The narrative's page: login and scope, the provider, the narrative, its history (one query), notifications.
NARRATIVE_QUERIES = 12


def _failed_report(user) -> GeneratedReport:
    return GeneratedReport.objects.create(
        kind=ReportKind.RESPONSIBILITY,
        scope_kind="municipality",
        scope_label="Demo kommun",
        scope_id=municipality_id_of(user),
        period_from=date(2026, 1, 1),
        period_to=date(2026, 1, 1),
        requested_by=user,
        state=ReportState.FAILED,
        attempts=1,
    )


def _narrative(user) -> PatientSafetyNarrative:
    provider = CareProvider.objects.get(kind="municipal", board__code="hagersten-liljeholmen")
    return narratives.narrative_save(
        user=user, provider=provider, year=timezone.localdate().year, texts={"results": "Färre fall."}, version=0
    )


def test_retrying_a_report_writes_one_row_with_actor_and_reason(demo_user, django_capture_on_commit_callbacks):
    """ "Försök igen" writes exactly one history row (failed → queued) with the user and the move's name."""
    user = demo_user("tjansteman")
    report = _failed_report(user)
    with django_capture_on_commit_callbacks(execute=False):
        services.report_retry(user=user, report=report)
        services.report_retry(user=user, report=report)  # a double click: already on its way
    [row] = ReportTransition.objects.filter(report=report)
    assert (row.from_state, row.to_state, row.actor, row.reason) == (
        ReportState.FAILED,
        ReportState.QUEUED,
        user,
        "Beställd igen",
    )


def test_generating_job_writes_rows_without_an_actor(demo_user):
    """The generating job's moves (queued → running → failed) are history rows without an actor; the failure's
    reason is its Swedish error."""
    report = _failed_report(demo_user("mas"))
    GeneratedReport.objects.filter(pk=report.pk).update(state=ReportState.QUEUED, scope_id=999999)
    failed = services.report_generate(report_id=report.pk)
    rows = list(ReportTransition.objects.filter(report=report))
    assert [(r.from_state, r.to_state, r.actor) for r in rows] == [
        (ReportState.QUEUED, ReportState.RUNNING, None),
        (ReportState.RUNNING, ReportState.FAILED, None),
    ]
    assert rows[0].reason == "Skapandet påbörjades"
    assert rows[1].reason == failed.error


def test_report_page_shows_the_history_and_costs_the_same_however_long(client, demo_user, django_assert_num_queries):
    """The ordered report's page lists each move ("Systemet" for the job's) at a fixed number of queries."""
    user = demo_user("tjansteman")
    report = _failed_report(user)
    ReportTransition.objects.create(
        report=report, from_state=ReportState.RUNNING, to_state=ReportState.FAILED, reason="Avbruten"
    )
    assert client.login(username="tjansteman", password=DEMO_PASSWORD)
    url = reverse("reports:generated_detail", args=[report.pk])
    client.get(url)  # warm the per-process caches
    with django_assert_num_queries(REPORT_QUERIES):
        html = client.get(url).content.decode()
    history = html[html.index('id="history-heading"') :]
    assert "Avbruten" in history
    assert "Systemet" in history
    for _ in range(3):
        ReportTransition.objects.create(
            report=report, from_state=ReportState.FAILED, to_state=ReportState.QUEUED, actor=user, reason="Igen"
        )
    with django_assert_num_queries(REPORT_QUERIES):
        response = client.get(url)
    assert len(response.context["transitions"]) == 4
    assert user.get_full_name() in response.content.decode()


def test_sending_a_narrative_for_review_writes_one_row_with_actor_and_reason(demo_user):
    """Sending for review writes exactly one history row (draft → review) with the user; twice writes nothing."""
    user = demo_user("mas")
    narrative = _narrative(user)
    narratives.narrative_move(user=user, narrative=narrative, to=NarrativeState.REVIEW)
    narratives.narrative_move(user=user, narrative=narrative, to=NarrativeState.REVIEW)
    [row] = NarrativeTransition.objects.filter(narrative=narrative)
    assert (row.from_state, row.to_state, row.actor, row.reason) == (
        NarrativeState.DRAFT,
        NarrativeState.REVIEW,
        user,
        "Skickad för granskning",
    )


def test_narrative_page_shows_the_history_and_costs_the_same_however_long(client, demo_user, django_assert_num_queries):
    """The narrative's page lists each move with who made it, at a fixed number of queries."""
    user = demo_user("mas")
    narrative = _narrative(user)
    narratives.narrative_move(user=user, narrative=narrative, to=NarrativeState.REVIEW)
    assert client.login(username="mas", password=DEMO_PASSWORD)
    url = reverse("reports:narrative_edit", args=[narrative.provider_id, narrative.year])
    client.get(url)  # warm the per-process caches
    with django_assert_num_queries(NARRATIVE_QUERIES):
        html = client.get(url).content.decode()
    history = html[html.index('id="history-heading"') :]
    assert "Skickad för granskning" in history
    assert user.get_full_name() in history
    for _ in range(3):
        NarrativeTransition.objects.create(
            narrative=narrative, from_state=NarrativeState.REVIEW, to_state=NarrativeState.DRAFT, reason="Jobb"
        )
    with django_assert_num_queries(NARRATIVE_QUERIES):
        response = client.get(url)
    assert len(response.context["transitions"]) == 4
    assert "Systemet" in response.content.decode()
