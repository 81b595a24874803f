from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    """Complaints (klagomål) and collaboration deviations (samverkansavvikelser), SPEC §6a.

    Layering: complaints reads ``responsibility`` and the public functions of
    ``incidents`` (patient crypto, access log, routing, deviation services);
    ``incidents`` never imports ``complaints`` (tests/complaints/test_layers.py).
    """

    name = "complaints"
    verbose_name = _("Complaints and collaboration deviations")

    def ready(self) -> None:
        """Rotate complaints' patient identifiers with the deviations' (``rotate_patient_keys``)."""
        from django.db.models import Q

        from complaints.models import Complaint
        from incidents.key_rotation import register_patient_records

        register_patient_records(
            Complaint,
            label="complaint",
            fields=("reference", "unit_id"),
            access_q=lambda row: Q(deviation__isnull=True, reference=row.reference, unit_id=row.unit_id),
        )
