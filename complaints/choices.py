"""Choices of complaints and collaboration deviations (SPEC §6a)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ComplaintState(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ACKNOWLEDGED = "acknowledged", _("Receipt confirmed")
    INVESTIGATING = "investigating", _("Being investigated")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class Channel(models.TextChoices):
    LETTER = "letter", _("Letter")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    IN_PERSON = "in_person", _("In person")
    IVO = "ivo", _("Forwarded by IVO")
    PATIENT_BOARD = "patient_board", _("Forwarded by the patientnämnd")


class ComplainantKind(models.TextChoices):
    PATIENT = "patient", _("The patient")
    RELATIVE = "relative", _("A närstående")
    ANONYMOUS = "anonymous", _("Anonymous")


class AnswerMethod(models.TextChoices):
    LETTER = "letter", _("Letter")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    MEETING = "meeting", _("Meeting")


class Outcome(models.TextChoices):
    FOUNDED = "founded", _("Founded")
    PARTLY_FOUNDED = "partly_founded", _("Partly founded")
    UNFOUNDED = "unfounded", _("Unfounded")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CounterpartKind(models.TextChoices):
    REGION = "region", _("Region")
    PROVIDER = "provider", _("Other care provider")


class Direction(models.TextChoices):
    OUTGOING = "outgoing", _("Outgoing (to the counterpart)")
    INCOMING = "incoming", _("Incoming (from the counterpart)")


class CollaborationState(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    SENT = "sent", _("Sent, awaiting reply")
    FORWARDED = "forwarded", _("Forwarded to the unit")
    REPLIED = "replied", _("Replied")
    CLOSED = "closed", _("Closed")
