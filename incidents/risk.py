"""Risk bands of the 4×4 matrix: the one home of "which risk level is this score".

SPEC §4: risk score = consequence × probability (1–16) with configurable
thresholds; "a score ≥ 8 … goes to MAS" (``Municipality.mas_risk_threshold``).
The bands follow that threshold so that "high" always means "goes to the MAS
on its score": low 1–3, moderate 4 up to the threshold, high from the threshold
to 11, very high 12–16. SPEC names no band for a score of 3; it is *low* here
(the board report's band, which the queue used to call "moderate").
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

MODERATE_FROM = 4
VERY_HIGH_FROM = 12
MAX_SCORE = 16
DEFAULT_MAS_RISK_THRESHOLD = 8  # Municipality.mas_risk_threshold's default (SPEC §4)


class RiskBand(models.TextChoices):
    LOW = "low", _("Low")
    MODERATE = "moderate", _("Moderate")
    HIGH = "high", _("High")
    VERY_HIGH = "very_high", _("Very high")


def risk_band(score: int, *, threshold: int = DEFAULT_MAS_RISK_THRESHOLD) -> RiskBand:
    """The band of ``score`` when scores from ``threshold`` go to the MAS."""
    if score >= VERY_HIGH_FROM:
        return RiskBand.VERY_HIGH
    if score >= threshold:
        return RiskBand.HIGH
    if score >= MODERATE_FROM:
        return RiskBand.MODERATE
    return RiskBand.LOW


def risk_level(score: int, *, threshold: int = DEFAULT_MAS_RISK_THRESHOLD) -> tuple[str, str]:
    """The band key and its label for ``score``."""
    band = risk_band(score, threshold=threshold)
    return band.value, str(band.label)


def risk_band_ranges(threshold: int = DEFAULT_MAS_RISK_THRESHOLD) -> list[tuple[RiskBand, int, int]]:
    """Each band with its lowest and highest score (an empty band has low > high)."""
    high_from = min(max(threshold, 1), VERY_HIGH_FROM)
    moderate_from = min(MODERATE_FROM, high_from)
    return [
        (RiskBand.LOW, 1, moderate_from - 1),
        (RiskBand.MODERATE, moderate_from, high_from - 1),
        (RiskBand.HIGH, high_from, VERY_HIGH_FROM - 1),
        (RiskBand.VERY_HIGH, VERY_HIGH_FROM, MAX_SCORE),
    ]


def risk_band_q(band: str, *, threshold=None, score_field: str = "risk_score") -> Q:
    """Rows whose score is in ``band``; the threshold is each row's municipality's unless given."""
    threshold = F("municipality__mas_risk_threshold") if threshold is None else threshold
    score = score_field
    if band == RiskBand.VERY_HIGH:
        return Q(**{f"{score}__gte": VERY_HIGH_FROM})
    below_very_high = Q(**{f"{score}__lt": VERY_HIGH_FROM})
    if band == RiskBand.HIGH:
        return below_very_high & Q(**{f"{score}__gte": threshold})
    below_threshold = below_very_high & Q(**{f"{score}__lt": threshold})
    if band == RiskBand.MODERATE:
        return below_threshold & Q(**{f"{score}__gte": MODERATE_FROM})
    return below_threshold & Q(**{f"{score}__lt": MODERATE_FROM})
