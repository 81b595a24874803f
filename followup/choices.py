"""Choices of contract follow-up, delegations and routines (SPEC §6)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DutyArea(models.TextChoices):
    """The MAS duty areas of HSF 2017:80 4 kap. 6 § that a checklist is built on."""

    MEDICATION = "medication", _("Medication management")
    PHYSICIAN_CONTACT = "physician_contact", _("Contact with physician")
    DELEGATION = "delegation", _("Delegation")
    RECORDS = "records", _("Record keeping")
    DEVIATIONS = "deviations", _("Lex Maria and deviation management")
    MEDICAL_DEVICES = "medical_devices", _("Medical devices")
    REHABILITATION = "rehabilitation", _("Rehabilitation")
    HYGIENE = "hygiene", _("Basic hygiene")
    OTHER = "other", _("Other")


class FollowUpKind(models.TextChoices):
    CONTRACT_REVIEW = "contract_review", _("Contract follow-up (avtalsuppföljning)")
    SUPERVISION = "supervision", _("Supervision (tillsyn)")
    SELF_ASSESSMENT = "self_assessment", _("Self-assessment (egenkontroll)")
    RECORD_REVIEW = "record_review", _("Record review (journalgranskning)")


class FollowUpTrigger(models.TextChoices):
    PLAN = "plan", _("Follow-up plan")
    INCIDENT = "incident", _("Incident")
    BOARD_REQUEST = "board_request", _("Request from the board")
    UNIT_REQUEST = "unit_request", _("The unit's own request")


class FollowUpState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress (draft)")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class FollowUpMove(models.TextChoices):
    """A move on a follow-up (the table is ``followup.services.FOLLOWUP_TRANSITIONS``)."""

    START = "start", _("Start the follow-up")
    COMPLETE = "complete", _("Complete the follow-up")


class AnswerStatus(models.TextChoices):
    FULFILLED = "fulfilled", _("Fulfilled")
    PARTLY = "partly", _("Partly fulfilled")
    NOT_FULFILLED = "not_fulfilled", _("Not fulfilled")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class FindingSeverity(models.TextChoices):
    DEFICIENCY = "deficiency", _("Deficiency")
    OBSERVATION = "observation", _("Observation")


class ActionState(models.TextChoices):
    OPEN = "open", _("Open")
    REPORTED_DONE = "reported_done", _("Reported done")
    VERIFIED = "verified", _("Verified")
    SENT_BACK = "sent_back", _("Sent back")


class ActionMove(models.TextChoices):
    """A move on a corrective action (the table is ``followup.actions.ACTION_TRANSITIONS``)."""

    REPORT_DONE = "report_done", _("Report done")
    VERIFY = "verify", _("Verify")
    SEND_BACK = "send_back", _("Send back")


# A follow-up is still to be performed (or finished) in these states: the one home of "open follow-up".
FOLLOWUP_OPEN_STATES = (FollowUpState.PLANNED, FollowUpState.IN_PROGRESS)

# An action is still the owner's to do in these states.
ACTION_OPEN_STATES = (ActionState.OPEN, ActionState.SENT_BACK)
# An action is not done until verified (SPEC §6: a closed loop).
ACTION_UNFINISHED_STATES = (ActionState.OPEN, ActionState.SENT_BACK, ActionState.REPORTED_DONE)


class PlanScope(models.TextChoices):
    CONTRACT = "contract", _("Contract")
    UNIT = "unit", _("Unit")
    BOARD = "board", _("All units of a board")


class RoutineLevel(models.TextChoices):
    POLICY = "policy", _("Policy")
    GUIDELINE = "guideline", _("Guideline (riktlinje)")
    ROUTINE = "routine", _("Routine (rutin)")
    INSTRUCTION = "instruction", _("Instruction")


class RoutineScope(models.TextChoices):
    MUNICIPALITY = "municipality", _("The whole municipality")
    REGION = "region", _("Region")
    BOARD = "board", _("Board")
    PROVIDER = "provider", _("Care provider")
    UNIT = "unit", _("Unit")


class ReminderKind(models.TextChoices):
    ACTION_DUE = "action_due", _("Action due soon")
    ACTION_OVERDUE = "action_overdue", _("Action overdue")
    ACTION_ESCALATED = "action_escalated", _("Overdue action escalated to the manager")
    ACTION_ESCALATED_BOARD = "action_escalated_board", _("Overdue action escalated to the board")
    FOLLOWUP_DUE = "followup_due", _("Follow-up due soon")
    FOLLOWUP_OVERDUE = "followup_overdue", _("Follow-up overdue")
    DELEGATION_EXPIRING = "delegation_expiring", _("Delegation expiring")
    ROUTINE_REVISION = "routine_revision", _("Routine due for revision")
    ASSIGNMENT_NO_SUCCESSOR = "assignment_no_successor", _("Assignment ending without successor")
    CONTRACT_NO_SUCCESSOR = "contract_no_successor", _("Contract ending without successor")
