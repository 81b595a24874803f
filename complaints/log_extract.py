"""The patient's log extract (PDL 8 kap. 1 §, SPEC §8): every access to records holding one patient's data.

The MAS/MAR posts the personnummer (never in a URL); it is hashed with the
deviation workflow's keyed hash and looked up in the one access log, which
holds deviations' and complaints' accesses alike. The extract covers the
units the user is the statutory MAS/MAR of (as the log review does), and the
extracts already produced for the patient in the municipality; producing it
is itself written to the access log. The PDF shows the personnummer masked.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from incidents import patient
from incidents.models import PatientDataAccess
from incidents.patient_access import log_patient_access
from incidents.permissions import may_review_access_log
from incidents.selectors import duty_unit_ids
from responsibility.tenancy import municipality_id_of

EXTRACT_ACTION = "log_extract"


def may_produce(user) -> bool:
    """MAS and MAR produce log extracts (the same people who do loggkontroll)."""
    return may_review_access_log(user)


def extract_rows(*, user, patient_hash: str) -> QuerySet[PatientDataAccess]:
    """Every logged access to records holding the patient's data that ``user`` answers for, oldest first."""
    municipality_id = municipality_id_of(user)
    records = Q(unit_id__in=duty_unit_ids(user=user))
    earlier_extracts = Q(action=EXTRACT_ACTION, user__person__municipality_id=municipality_id)
    return (
        PatientDataAccess.objects.filter(patient_hash=patient_hash)
        .filter(records | earlier_extracts)
        .select_related("user", "unit", "deviation")
        .order_by("at", "id")
    )


def masked(personnummer: str) -> str:
    """The date of birth with the last four digits hidden (``YYYYMMDD-****``)."""
    return patient.format_personnummer(patient.normalize_personnummer(personnummer))[:9] + "****"


def produce_extract(*, user, personnummer: str) -> bytes:
    """Render the extract for ``personnummer`` as PDF bytes and log that it was produced."""
    from weasyprint import HTML

    digest = patient.patient_hash(personnummer)
    rows = list(extract_rows(user=user, patient_hash=digest))
    html = render_to_string(
        "complaints/log_extract_pdf.html",
        {
            "rows": rows,
            "patient": masked(personnummer),
            "produced_at": timezone.localtime(),
            "produced_by": user.get_full_name() or user.get_username(),
        },
    )
    pdf = HTML(string=html).write_pdf()
    log_patient_access(user=user, patient_hash=digest, action=EXTRACT_ACTION)
    return pdf
