"""The foreign-data check: references and personnummer a user must never be shown, and finding them in a body."""

from __future__ import annotations

import re

REFERENCE_RE = re.compile(r"\b(AV|LM|KL|SV)-\d{4}-\d{6}\b")
PNR_RE = re.compile(r"(?<!\d)(\d{6}|\d{8})[-+]?(\d{4})(?!\d)")


def _pnr10(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    return digits[-10:]


def forbidden_for(user) -> tuple[set[str], set[str]]:
    """References and personnummer (last 10 digits) that ``user`` must never be shown."""
    from complaints.models import CollaborationDeviation, Complaint
    from complaints.permissions import can_see_patient_data as can_see_complaint_patient
    from complaints.selectors import collaborations_visible_to, complaints_visible_to
    from incidents import patient
    from incidents.lexmaria.models import LexMariaCase
    from incidents.lexmaria.selectors import lex_maria_cases_visible_to
    from incidents.models import Deviation
    from incidents.permissions import can_see_patient_data
    from incidents.selectors import access_log_for, deviations_visible_to

    all_refs = set(Deviation.objects.exclude(reference="").values_list("reference", flat=True))
    all_refs |= set(LexMariaCase.objects.values_list("reference", flat=True))
    all_refs |= set(Complaint.objects.values_list("reference", flat=True))
    all_refs |= set(CollaborationDeviation.objects.values_list("reference", flat=True))
    complaint_pnr = {
        pk: _pnr10(patient.decrypt_identifier(enc))
        for pk, enc in Complaint.objects.exclude(patient_identifier_encrypted="").values_list(
            "pk", "patient_identifier_encrypted"
        )
    }
    pnr_of = {}
    for pk, enc in Deviation.objects.exclude(patient_identifier_encrypted=b"").values_list(
        "pk", "patient_identifier_encrypted"
    ):
        if enc:
            pnr_of[pk] = _pnr10(patient.decrypt_identifier(enc))
    if user is None:
        return all_refs, set(pnr_of.values()) | set(complaint_pnr.values())
    visible = deviations_visible_to(user=user)
    cases = lex_maria_cases_visible_to(user=user)
    seen = set(visible.values_list("reference", flat=True))
    seen |= set(cases.values_list("reference", flat=True))
    seen |= set(cases.values_list("deviation__reference", flat=True))
    # The access log (loggkontroll) names the records opened in the reviewer's units.
    seen |= set(access_log_for(user=user).values_list("deviation__reference", flat=True))
    seen_pnrs = {
        pnr_of[d.pk] for d in visible.filter(pk__in=list(pnr_of)) if can_see_patient_data(user=user, deviation=d)
    }
    complaints = complaints_visible_to(user=user)
    seen |= set(complaints.values_list("reference", flat=True))
    seen |= set(collaborations_visible_to(user=user).values_list("reference", flat=True))
    # A deviation started from a complaint names the complaint in its text.
    seen |= {ref for ref in all_refs if ref.startswith("KL-") and visible.filter(description__contains=ref).exists()}
    seen |= set(access_log_for(user=user).values_list("reference", flat=True))
    seen_pnrs |= {
        complaint_pnr[c.pk]
        for c in complaints.filter(pk__in=list(complaint_pnr))
        if can_see_complaint_patient(user=user, case=c)
    }
    return all_refs - seen, (set(pnr_of.values()) | set(complaint_pnr.values())) - seen_pnrs


def leaks_in(body: str, refs: set[str], pnrs: set[str]) -> tuple[str, ...]:
    found = {m.group(0) for m in REFERENCE_RE.finditer(body)} & refs
    found |= {(m.group(1) + m.group(2))[-10:] for m in PNR_RE.finditer(body)} & pnrs
    return tuple(sorted(found))
