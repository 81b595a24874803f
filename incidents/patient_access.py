"""Reading a deviation's patient identity and the one access log (PDL 4 kap. 3 §; kept ≥ 5 years)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from incidents import patient
from incidents.models import Deviation, DeviationState, PatientDataAccess
from incidents.permissions import can_see_patient_data

State = DeviationState


def log_patient_access(
    *,
    user,
    patient_hash: str,
    action: str = "view",
    deviation: Deviation | None = None,
    unit_id: int | None = None,
    reference: str = "",
) -> PatientDataAccess:
    """Write one row of the access log (PDL 4 kap. 3 §): who saw which record's patient data, when, where.

    The one access log of the portal: deviations pass ``deviation``; other records holding patient
    data (a complaint) pass their ``reference`` and unit; a patient's log extract passes neither.
    """
    return PatientDataAccess.objects.create(
        user=user,
        deviation=deviation,
        unit_id=deviation.unit_id if deviation is not None else unit_id,
        patient_hash=patient_hash,
        action=action,
        reference="" if deviation is not None else reference,
    )


def patient_data_access_record(*, user, deviations=(), records=(), action: str = "view") -> int:
    """Log one access per deviation or other record (a complaint) holding patient data, in one INSERT.

    ``records`` are rows with ``reference``, ``unit_id`` and ``patient_hash`` (see :func:`log_patient_access`).
    Return how many were logged.
    """
    rows = [
        PatientDataAccess(user=user, deviation=d, unit_id=d.unit_id, patient_hash=d.patient_hash, action=action)
        for d in deviations
        if d.patient_hash
    ]
    rows += [
        PatientDataAccess(
            user=user, reference=r.reference, unit_id=r.unit_id, patient_hash=r.patient_hash, action=action
        )
        for r in records
        if r.patient_hash
    ]
    PatientDataAccess.objects.bulk_create(rows)
    return len(rows)


def may_read_patient_data(
    *, user, deviation: Deviation, action: str = "view", kinds: frozenset[str] | None = None
) -> bool:
    """Whether ``user`` may read the patient identity of ``deviation`` for ``action``.

    Its reporter while it is a draft (continuing the report); else whoever's part on the unit needs it
    (:func:`incidents.permissions.can_see_patient_data`).
    """
    if action == "edit":
        return deviation.state == State.DRAFT and deviation.reporter_id == user.pk
    return can_see_patient_data(user=user, deviation=deviation, kinds=kinds)


def deviation_patient_identifier(
    *, user, deviation: Deviation, action: str = "view", kinds: frozenset[str] | None = None
) -> str:
    """The patient's personnummer of ``deviation`` for ``user``, entered in the access log (PDL 4 kap. 3 §).

    The one way a page reads a deviation's patient identity: "" when it holds none; ``PermissionDenied``
    (and nothing logged) when ``user`` may not read it.
    """
    if not deviation.has_patient_data:
        return ""
    if not may_read_patient_data(user=user, deviation=deviation, action=action, kinds=kinds):
        raise PermissionDenied(_("You may not see the patient's identity."))
    pnr = patient.format_personnummer(patient.decrypt_identifier(deviation.patient_identifier_encrypted))
    patient_data_access_record(user=user, deviations=[deviation], action=action)
    return pnr
