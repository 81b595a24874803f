"""Follow-up plans and follow-ups, findings and actions, delegations and routines (SPEC §6).

Contracts themselves live in :mod:`responsibility.models`; this app registers
them through its own views and follows them up. One module per concern; every
name is importable from ``followup.models``.
"""

from followup.models.actions import Action, ActionTransition, Finding
from followup.models.checklists import ChecklistTemplate, ChecklistTemplateItem
from followup.models.delegations import Delegation
from followup.models.followups import (
    ChecklistAnswer,
    FollowUp,
    FollowUpPlan,
    FollowUpTransition,
    answer_attachment_path,
)
from followup.models.reminders import Reminder
from followup.models.routines import Routine
from followup.models.storage import PrivateStorage, new_token, private_storage

__all__ = [
    "Action",
    "ActionTransition",
    "ChecklistAnswer",
    "ChecklistTemplate",
    "ChecklistTemplateItem",
    "Delegation",
    "Finding",
    "FollowUp",
    "FollowUpPlan",
    "FollowUpTransition",
    "PrivateStorage",
    "Reminder",
    "Routine",
    "answer_attachment_path",
    "new_token",
    "private_storage",
]
