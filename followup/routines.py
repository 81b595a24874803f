"""Routines (rutiner) and their revision dates."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.transitions import lock
from followup.models import Routine
from followup.permissions import can_manage_routines


def routine_save(*, routine: Routine, actor) -> Routine:
    """Validate and save a routine."""
    if not can_manage_routines(actor):
        raise PermissionDenied
    routine.full_clean()
    routine.save()
    return routine


def routine_revised(*, routine: Routine, actor, next_revision: date, version: str = "") -> Routine:
    """Record that a routine was revised and when it is next due."""
    if not can_manage_routines(actor):
        raise PermissionDenied
    if next_revision <= timezone.localdate():
        raise ValidationError({"next_revision": _("The next revision must be a future date.")})
    with transaction.atomic():
        routine = lock(Routine.objects, routine.pk)
        routine.next_revision = next_revision
        routine.adopted_on = timezone.localdate()
        if version:
            routine.version = version
        routine.save(update_fields=["next_revision", "adopted_on", "version"])
    return routine
