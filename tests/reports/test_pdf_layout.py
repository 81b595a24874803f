"""The board PDFs as a secretary prints them: nothing clipped, a summary first, PDF/A for the archive.

Every generated PDF is read back with pdfplumber: a character outside the page's
printable area (the side margins, or the edge strip top and bottom) fails the test.
That is checked for all five kinds at the demo's scopes and at a whole generated
municipality (bench.volume), where tables run to many pages.
"""

import io
import re
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from core.pdf import html_to_pdf
from incidents.lexmaria.models import LexMariaCase
from incidents.models import Deviation, DeviationState
from reports.builders import ReportParams, build_report
from reports.builders.charts import line_chart
from reports.builders.common import change_in_words, period_bounds
from reports.choices import ReportKind
from reports.scopes import parse_scope, scope_from_ids
from reports.services import render_pdf
from responsibility.models import Board, Municipality
from tests.reports.conftest import assert_no_patient_identity, pdf_text
from tests.reports.pdf_layout import characters_outside, page_count

BOARD = "board:hagersten-liljeholmen"


def _params(kind: str, scope, today: date) -> ReportParams:
    """This year so far for the period reports (the demo's events), last year for the patient safety report."""
    if kind == ReportKind.PATIENT_SAFETY:
        return ReportParams(
            kind=kind,
            scope=scope,
            period_from=date(today.year - 1, 1, 1),
            period_to=date(today.year - 1, 12, 31),
            year=today.year - 1,
        )
    if kind == ReportKind.RESPONSIBILITY:
        return ReportParams(kind=kind, scope=scope, period_from=today, period_to=today)
    return ReportParams(kind=kind, scope=scope, period_from=date(today.year - 1, 1, 1), period_to=today)


def _render(kind: str, scope) -> bytes:
    return render_pdf(data=build_report(params=_params(kind, scope, timezone.localdate()), produced_by="MAS"))


def test_the_layout_check_finds_a_clipped_table():
    """The check itself fails on a table too wide for the page (so a passing report means something)."""
    cells = "".join(f"<td style='white-space:nowrap'>Anmälningsansvarig {i}</td>" for i in range(12))
    pdf = html_to_pdf(f"<html lang='sv'><body><table><tr>{cells}</tr></table></body></html>")
    outside = characters_outside(pdf)
    assert outside
    assert "Anmälningsansvarig" in "".join(o.text for o in outside).replace(" ", "")


@pytest.mark.django_db
@pytest.mark.parametrize("scope_token", [BOARD, "municipality:stockholm"])
@pytest.mark.parametrize("kind", ReportKind.values)
def test_every_report_fits_its_pages_at_demo_scope(kind, scope_token):
    """All five kinds for the demo board and the whole demo municipality: every character inside the page."""
    if kind == ReportKind.PATIENT_SAFETY and not scope_token.startswith("board:"):
        pytest.skip("a patient safety report is one vårdgivare's (a board), not a municipality's")
    pdf = _render(kind, parse_scope(scope_token))
    outside = characters_outside(pdf)
    assert not outside, "\n".join(str(o) for o in outside[:10])
    text = pdf_text(pdf)
    assert "Sammanfattning" in text
    assert_no_patient_identity(text)


@pytest.mark.django_db
def test_every_report_fits_its_pages_for_a_whole_generated_municipality():
    """A municipality of generated volume (3 boards, ~70 units, 3,000 deviations over two years): long tables
    break over landscape pages with their headers repeated, and nothing runs off the page."""
    today = timezone.localdate()
    call_command(
        "generate_volume",
        municipalities=1,
        deviations=3000,
        years=2,
        boards=3,
        units_per_board=15,
        seed=3,
        today=today.isoformat(),
        no_progress=True,
        stdout=StringIO(),
        stderr=StringIO(),
    )
    municipality = parse_scope("municipality:vol-001")
    board = scope_from_ids(kind="board", pk=Board.objects.filter(municipality__code="vol-001").order_by("pk")[0].pk)
    pages = {}
    for kind in ReportKind.values:
        pdf = _render(kind, board if kind == ReportKind.PATIENT_SAFETY else municipality)
        outside = characters_outside(pdf)
        assert not outside, f"{kind}:\n" + "\n".join(str(o) for o in outside[:10])
        pages[kind] = page_count(pdf)
        assert_no_patient_identity(pdf_text(pdf))
    # The long lists really are long here: the Lex Maria cases and the register each fill several pages.
    assert pages[ReportKind.LEX_MARIA] >= 3
    assert pages[ReportKind.RESPONSIBILITY] >= 3


@pytest.mark.django_db
def test_wide_tables_go_on_landscape_pages_with_repeated_headers():
    """The register table (7 columns) is printed on landscape pages; its header row repeats on each of them."""
    pdf = _render(ReportKind.RESPONSIBILITY, parse_scope("municipality:stockholm"))
    reader = PdfReader(io.BytesIO(pdf))
    landscape = [
        " ".join(p.extract_text().split()) for p in reader.pages if float(p.mediabox.width) > float(p.mediabox.height)
    ]
    register_pages = [text for text in landscape if "stadsdelsnämnd" in text and "Verksamhetschef" in text]
    assert len(register_pages) >= 2  # the register of 59 units runs over pages, its header on each
    portrait = [p for p in reader.pages if float(p.mediabox.width) < float(p.mediabox.height)]
    assert "Sammanfattning" in portrait[0].extract_text()


@pytest.mark.django_db
def test_pdf_a_metadata_outline_and_embedded_fonts():
    """The archived PDF is PDF/A-2b: XMP identification, title, author (the producing unit), language,
    bookmarks for the sections, and every font embedded."""
    data = build_report(
        params=_params(ReportKind.DEVIATIONS, parse_scope(BOARD), timezone.localdate()), produced_by="MAS"
    )
    pdf = render_pdf(data=data)
    reader = PdfReader(io.BytesIO(pdf))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r"pdfaid:part(>|=\")2", xmp)
    assert re.search(r"pdfaid:conformance(>|=\")B", xmp)
    assert "Avvikelserapport" in xmp
    assert "Hägersten-Liljeholmens stadsdelsnämnd" in xmp  # dc:creator, the unit the report is about
    assert reader.trailer["/Root"]["/Lang"] == "sv"
    assert reader.metadata.title.startswith("Avvikelserapport – Hägersten-Liljeholmens stadsdelsnämnd")
    outline = [item.title for item in _flatten(reader.outline)]
    assert "Sammanfattning" in outline
    for section in data.sections:
        assert section.heading in outline
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]


def _flatten(outline):
    for item in outline:
        if isinstance(item, list):
            yield from _flatten(item)
        else:
            yield item


def test_changes_on_small_bases_are_told_as_counts():
    """No "+811,1 %": a small earlier figure, or more than a doubling, is told as counts; otherwise a percentage."""
    from django.utils import translation

    with translation.override("sv"):
        assert change_in_words(82, 9) == "↑ ökning från 9 till 82"
        assert change_in_words(3, 19) == "↓ minskning från 19 till 3"
        assert change_in_words(300, 100) == "↑ ökning från 100 till 300"
        assert change_in_words(112, 100) == "↑ ökning med 12,0 % (från 100 till 112)"
        assert change_in_words(90, 120) == "↓ minskning med 25,0 % (från 120 till 90)"
        assert change_in_words(5, 5) == "→ oförändrat (5)"
        assert change_in_words(5, None) == ""


@pytest.mark.django_db
def test_deviation_summary_equals_the_detail_and_independent_counts(seeded, period):
    """The summary's key figures are those of the detail tables and of plain ORM counts; categories are sorted."""
    start, end = period
    data = build_report(
        params=ReportParams(kind=ReportKind.DEVIATIONS, scope=parse_scope(BOARD), period_from=start, period_to=end),
        produced_by="MAS",
    )
    lo, hi = period_bounds(start, end)
    reported = Deviation.objects.filter(
        unit__board__code="hagersten-liljeholmen", occurred_at__gte=lo, occurred_at__lt=hi
    ).exclude(state=DeviationState.DRAFT)
    figures = {(f.label, f.compared_with.split(" (")[0]): f for f in data.summary.figures}
    total = figures[("Rapporterade avvikelser", "Föregående period")]
    assert total.value == reported.count()
    tables = {t.key: t for t in data.tables}
    assert tables["category"].totals[1] == total.value
    assert figures[("Bedömda som Lex Maria", "")].value == reported.filter(lex_maria_decision=True).count()
    assert figures[("Bedömda som Lex Maria", "")].value == tables["unit"].totals[2]
    overdue = reported.filter(
        state__in=(DeviationState.REGISTERED, DeviationState.INVESTIGATING, DeviationState.AWAITING_MAS),
        due_at__lt=timezone.now(),
    )
    assert figures[("Försenade utredningar och bedömningar", "")].value == overdue.count()
    threshold = Municipality.objects.get(code="stockholm").mas_risk_threshold
    high = reported.filter(risk_score__gte=threshold).count()
    assert figures[("Hög eller mycket hög risk", "")].value == high
    counts = [row[1] for row in tables["category"].rows]
    assert counts == sorted(counts, reverse=True)
    if overdue.exists():
        assert any("försenad" in item for item in data.summary.attention)


@pytest.mark.django_db
def test_lex_maria_summary_equals_independent_counts():
    today = timezone.localdate()
    data = build_report(
        params=_params(ReportKind.LEX_MARIA, parse_scope("municipality:stockholm"), today), produced_by="MAS"
    )
    lo, hi = period_bounds(date(today.year - 1, 1, 1), today)
    cases = LexMariaCase.objects.filter(
        decided_at__gte=lo, decided_at__lt=hi, deviation__municipality__code="stockholm"
    )
    figures = {f.label: f.value for f in data.summary.figures}
    assert figures["Beslutade Lex Maria-ärenden"] == cases.count() > 0
    assert figures["Anmäld till IVO"] == cases.filter(ivo_sent_at__isnull=False).count()
    before_ivo = cases.filter(state__in=("decided", "patient_informed", "analysed", "board_informed")).count()
    assert figures["Ännu inte anmälda till IVO"] == before_ivo
    ivo = [c.label for c in {t.key: t for t in data.tables}["lex_maria_ivo"].columns]
    assert len(ivo) == len(set(ivo))
    assert "Datum för IVO:s beslut" in ivo
    assert "IVO:s beslut" in ivo


def test_line_chart_tells_its_series_apart_without_colour_and_has_no_second_caption():
    """Solid line with filled dots against dashed line with open dots; the chart draws no title of its own."""
    chart = line_chart(title="Avvikelser per månad", alt="", labels=["01", "02"], series=[("A", [1, 2]), ("B", [2, 1])])
    chart_id = re.search(r'id="(chart-[0-9a-f-]+)"', chart.svg).group(1)
    assert f"#{chart_id} .series.serie-0 .line{{stroke-width:3;stroke-dasharray:none}}" in chart.svg
    assert f"#{chart_id} .series.serie-1 .line{{stroke-width:2.2;stroke-dasharray:9,5}}" in chart.svg
    assert f"#{chart_id} .series.serie-1 .dot{{fill:#ffffff" in chart.svg
    assert "Avvikelser per månad" not in chart.svg


@pytest.mark.django_db
def test_followup_and_register_summaries_equal_independent_counts():
    """The follow-up summary counts follow-ups and findings as plain queries do; the register summary counts the
    units and the gaps (severity error) that run_checks finds, and names each rule with gaps."""
    from followup.choices import FollowUpState
    from followup.models import Finding, FollowUp
    from responsibility.checks import run_checks
    from responsibility.choices import Severity
    from responsibility.models import Unit

    today = timezone.localdate()
    municipality = parse_scope("municipality:stockholm")
    data = build_report(params=_params(ReportKind.FOLLOWUP, municipality, today), produced_by="MAS")
    followups = FollowUp.objects.filter(
        municipality__code="stockholm", scheduled_date__gte=date(today.year - 1, 1, 1), scheduled_date__lte=today
    ).exclude(state=FollowUpState.CANCELLED)
    figures = {f.label: f.value for f in data.summary.figures}
    assert figures["Planerade uppföljningar under perioden"] == followups.count() > 0
    assert figures["Genomförda uppföljningar"] == followups.filter(state=FollowUpState.COMPLETED).count()
    assert figures["Iakttagelser"] == Finding.objects.filter(follow_up__in=followups).count()

    data = build_report(params=_params(ReportKind.RESPONSIBILITY, municipality, today), produced_by="MAS")
    units = Unit.objects.filter(municipality__code="stockholm", active_from__lte=today).exclude(active_to__lt=today)
    gaps = [
        f
        for f in run_checks(units=units.select_related("board", "municipality"), on=today)
        if f.severity == Severity.ERROR
    ]
    figures = {f.label: f.value for f in data.summary.figures}
    assert figures["Verksamheter"] == units.count()
    assert figures["Brister (R1–R7)"] == len(gaps) > 0
    for code in {g.code for g in gaps}:
        assert any(item.startswith(f"{code} ") for item in data.summary.attention)
