"""Risk bands (incidents/risk.py): one rule for the form, the queue, its filter, the export and the board reports."""

import pytest
from django.db.models import F, Value

from incidents.risk import RiskBand, risk_band, risk_band_q, risk_band_ranges
from reports.builders.deviations import risk_levels
from responsibility.models import Municipality

SCORES = sorted({c * p for c in range(1, 5) for p in range(1, 5)})  # 1 2 3 4 6 8 9 12 16


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (1, RiskBand.LOW),
        (3, RiskBand.LOW),  # the board report's band; the queue used to call it "moderate"
        (4, RiskBand.MODERATE),
        (7, RiskBand.MODERATE),
        (8, RiskBand.HIGH),  # the default MAS threshold (SPEC §4: a score ≥ 8 goes to MAS)
        (11, RiskBand.HIGH),
        (12, RiskBand.VERY_HIGH),
        (16, RiskBand.VERY_HIGH),
    ],
)
def test_band_at_each_boundary(score, band):
    """Low 1–3, moderate 4–7, high 8–11, very high 12–16 with the default threshold."""
    assert risk_band(score) == band


def test_high_starts_at_the_municipality_threshold():
    """A municipality that sends scores from 6 to the MAS calls 6 high and 4 moderate."""
    assert risk_band(6, threshold=6) == RiskBand.HIGH
    assert risk_band(4, threshold=6) == RiskBand.MODERATE
    assert risk_band(3, threshold=3) == RiskBand.HIGH
    assert risk_band(12, threshold=13) == RiskBand.VERY_HIGH


@pytest.mark.parametrize("threshold", [3, 4, 6, 8, 9, 12, 13])
def test_ranges_cover_every_score_once_and_agree_with_the_band(threshold):
    """The report's ranges partition 1–16 and put each score where risk_band does."""
    for score in range(1, 17):
        holders = [band for band, low, high in risk_band_ranges(threshold) if low <= score <= high]
        assert holders == [risk_band(score, threshold=threshold)]


@pytest.mark.django_db
@pytest.mark.parametrize("threshold", [4, 6, 8, 9])
def test_queue_filter_agrees_with_the_band(threshold):
    """The queue's risk filter (a Q on each row's municipality threshold) selects exactly the band's scores."""
    municipality = Municipality.objects.create(
        name="Riskkommun", code="risk", org_number="212000-0142", mas_risk_threshold=threshold
    )
    for band in RiskBand:
        selected = [
            s
            for s in SCORES
            if Municipality.objects.filter(pk=municipality.pk)
            .annotate(risk_score=Value(s))
            .filter(risk_band_q(band, threshold=F("mas_risk_threshold")))
            .exists()
        ]
        assert selected == [s for s in SCORES if risk_band(s, threshold=threshold) == band]


def test_report_labels_name_the_ranges():
    """The board report labels each band with its range and drops an empty band."""
    with_default = [label for label, _low, _high in risk_levels(Municipality(mas_risk_threshold=8))]
    assert with_default == ["Låg (1–3)", "Måttlig (4–7)", "Hög (8–11)", "Mycket hög (12–16)"]  # as before
    assert [low for _label, low, _high in risk_levels(Municipality(mas_risk_threshold=4))] == [1, 4, 12]
