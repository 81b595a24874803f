"""The patient safety narrative (patientsäkerhetsberättelse, SOSFS 2011:9 7 kap.): its sections, review and the
board's adoption, each move through the one transition helper with a history row."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.transitions import Machine, Transition, transition_row
from reports.choices import NarrativeMove, NarrativeState
from reports.models import (
    NARRATIVE_SECTIONS,
    NarrativeTransition,
    PatientSafetyNarrative,
)
from reports.scopes import ReportScope, may_report_on, parse_scope
from responsibility.choices import ProviderKind
from responsibility.models import CareProvider

# A draft is written, sent for review (text locked, e.g. to the board's secretariat), taken back to draft to
# change it, and adopted by the board (from draft or review); an adopted report never changes again.
NARRATIVE_TRANSITIONS: dict[str, Transition] = {
    NarrativeState.REVIEW: Transition((NarrativeState.DRAFT,), NarrativeState.REVIEW),
    NarrativeState.DRAFT: Transition((NarrativeState.REVIEW,), NarrativeState.DRAFT),
    NarrativeState.ADOPTED: Transition((NarrativeState.DRAFT, NarrativeState.REVIEW), NarrativeState.ADOPTED),
}
NARRATIVES = Machine(
    model=PatientSafetyNarrative,
    table=NARRATIVE_TRANSITIONS,
    state_labels=NarrativeState,
    move_labels=NarrativeMove,
    record=transition_row(NarrativeTransition, "narrative"),
    select_related=("provider__board",),
    refused=lambda move, state: _("The report has been adopted by the board and can no longer be changed."),
)
NARRATIVE_FIELDS = tuple(name for name, _figures in NARRATIVE_SECTIONS)


def narrative_for(*, provider: CareProvider, year: int) -> PatientSafetyNarrative:
    """The narrative of ``provider`` for ``year``, unsaved and empty when none is written yet."""
    return PatientSafetyNarrative.objects.filter(provider=provider, year=year).first() or PatientSafetyNarrative(
        provider=provider, year=year
    )


def narrative_scope(provider: CareProvider) -> ReportScope:
    """The report scope a narrative belongs to: the board of a municipal provider, else the provider."""
    token = (
        f"board:{provider.board.code}" if provider.kind == ProviderKind.MUNICIPAL else f"provider:{provider.org_number}"
    )
    return parse_scope(token)


def _authorise_narrative(user, provider: CareProvider) -> None:
    """Only who may report on the provider's scope writes its narrative."""
    if not may_report_on(user, narrative_scope(provider)):
        raise PermissionDenied


def narrative_save(
    *, user, provider: CareProvider, year: int, texts: dict[str, str], version: int
) -> PatientSafetyNarrative:
    """Save the narrative's sections; refused once adopted or when someone else saved in between."""
    _authorise_narrative(user, provider)
    with transaction.atomic():
        narrative, _created = PatientSafetyNarrative.objects.select_for_update().get_or_create(
            provider=provider, year=year
        )
        if narrative.state == NarrativeState.REVIEW:
            raise ValidationError(
                _(
                    "The report is in review and its text is locked: take it back to draft to "
                    "change it. Your text is kept below."
                )
            )
        if narrative.state != NarrativeState.DRAFT:
            raise ValidationError(_("The report has been adopted by the board and can no longer be changed."))
        if narrative.version != version:
            raise ValidationError(
                _(
                    "Someone else saved the report while you were editing. Your text is kept below: "
                    "copy what you need, reload the page and save again."
                )
            )
        for name in NARRATIVE_FIELDS:
            if name in texts:
                setattr(narrative, name, texts[name].strip())
        narrative.updated_by = user
        narrative.version += 1
        narrative.full_clean()
        narrative.save()
    return narrative


def narrative_move(*, user, narrative: PatientSafetyNarrative, to: str) -> PatientSafetyNarrative:
    """Send the narrative for review or take it back to draft (adoption is :func:`narrative_adopt`); twice is
    harmless."""
    if to not in (NarrativeState.REVIEW, NarrativeState.DRAFT):
        raise ValidationError(_("The report cannot be moved there."))

    def apply(n: PatientSafetyNarrative) -> list[str]:
        n.updated_by = user
        n.full_clean()
        return ["updated_by"]

    return NARRATIVES.move(
        narrative, move=to, actor=user, apply=apply, authorise=lambda n: _authorise_narrative(user, n.provider)
    )


def narrative_adopt(
    *, user, narrative: PatientSafetyNarrative, adopted_on: date, paragraph: str = ""
) -> PatientSafetyNarrative:
    """Record that the board adopted the report on ``adopted_on`` in ``paragraph`` of its minutes (draft → adopted);
    twice is harmless."""

    def apply(n: PatientSafetyNarrative) -> list[str]:
        if adopted_on > timezone.localdate():
            raise ValidationError({"adopted_on": _("The adoption date cannot be in the future.")})
        if adopted_on.year < n.year:
            raise ValidationError(
                {"adopted_on": _("The report can be adopted only after the year it describes began.")}
            )
        n.adopted_on, n.adopted_by, n.adopted_paragraph = adopted_on, user, paragraph.strip()
        n.full_clean()
        return ["adopted_on", "adopted_paragraph", "adopted_by"]

    return NARRATIVES.move(
        narrative,
        move=NarrativeState.ADOPTED,
        actor=user,
        apply=apply,
        authorise=lambda n: _authorise_narrative(user, n.provider),
    )
