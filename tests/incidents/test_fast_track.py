"""MAS fast-track (SPEC §4): the responsible MAS/MAR takes a high-risk deviation into assessment at once,
decides Lex Maria, while the unit's investigation goes on; all in the history; the unit is told."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import Notification
from incidents import services, workflow
from incidents.lexmaria.models import LexMariaCase
from incidents.models import DeviationState, DeviationTransition
from incidents.selectors import assessment_queue_for
from incidents.workflow import Move
from tests.incidents.deviation_helpers import report, user

pytestmark = pytest.mark.django_db


def test_high_risk_registered_deviation_is_in_the_mas_queue_with_the_fast_track_move():
    """A risk-9 deviation sitting in "Registrerad" is in its MAS's queue, and she may take it at once."""
    d = report(consequence=3, probability=3)
    assert d.state == DeviationState.REGISTERED
    mas = user("mas")
    assert d.pk in set(assessment_queue_for(user=mas).values_list("pk", flat=True))
    assert Move.FAST_TRACK in workflow.moves_for(user=mas, deviation=d)
    # The unit's managers do not get the MAS's move.
    assert Move.FAST_TRACK not in workflow.moves_for(user=user("enhetschef"), deviation=d)


def test_low_risk_deviation_is_not_fast_tracked():
    """Below the threshold: not in the MAS queue, no move, and the service refuses in Swedish."""
    d = report(consequence=1, probability=2)
    mas = user("mas")
    assert not assessment_queue_for(user=mas).filter(pk=d.pk).exists()
    assert Move.FAST_TRACK not in workflow.moves_for(user=mas, deviation=d)
    with pytest.raises(ValidationError) as exc:
        services.deviation_fast_track(deviation=d, user=mas, version=d.version)
    assert "tröskeln" in " ".join(exc.value.messages)
    d.refresh_from_db()
    assert d.state == DeviationState.REGISTERED


def test_only_the_mas_or_mar_may_fast_track():
    """The unit's enhetschef cannot take the case into MAS assessment; nothing changes."""
    d = report(consequence=4, probability=4)
    with pytest.raises(PermissionDenied):
        services.deviation_fast_track(deviation=d, user=user("enhetschef"), version=d.version)
    d.refresh_from_db()
    assert d.state == DeviationState.REGISTERED


@pytest.mark.parametrize("investigating", [False, True])
def test_fast_track_then_lex_maria_while_the_investigation_continues(investigating):
    """Registered or investigating → MAS assessment at once; history and the unit told; Lex Maria "yes"
    opens the case; the unit's investigation is still saved afterwards."""
    ec, mas = user("enhetschef"), user("mas")
    d = report(consequence=3, probability=3)
    if investigating:
        d = services.deviation_start_investigation(deviation=d, user=ec, version=d.version)
    from_state = d.state
    d = services.deviation_fast_track(deviation=d, user=mas, version=d.version)
    assert d.state == DeviationState.AWAITING_MAS
    row = DeviationTransition.objects.filter(deviation=d).latest("pk")
    assert (row.from_state, row.to_state, row.actor) == (from_state, DeviationState.AWAITING_MAS, mas)
    assert "utredning fortsätter" in row.reason
    told = set(
        Notification.objects.filter(
            kind="deviation_fast_track", dedupe_key__startswith=f"deviation:{d.pk}:"
        ).values_list("recipient__username", flat=True)
    )
    assert "enhetschef" in told
    assert "mas" not in told
    # The unit goes on investigating while the MAS assesses.
    d = services.deviation_save_investigation(
        deviation=d,
        user=ec,
        version=d.version,
        investigator=None,
        cause_analysis="Larmet var avstängt.",
        lessons_learned="",
    )
    d = services.deviation_assess(
        deviation=d,
        user=mas,
        version=d.version,
        assessment="Allvarlig risk.",
        lex_maria=True,
        motivation="Kunde ha lett till allvarlig vårdskada.",
    )
    assert LexMariaCase.objects.filter(deviation=d).exists()
    d = services.deviation_save_investigation(
        deviation=d,
        user=ec,
        version=d.version,
        investigator=None,
        cause_analysis="Larmet var avstängt; rutinen saknades.",
        lessons_learned="Kontrollera larm varje pass.",
    )
    d.refresh_from_db()
    assert d.cause_analysis.endswith("rutinen saknades.")
    assert not assessment_queue_for(user=mas).filter(pk=d.pk).exists()
