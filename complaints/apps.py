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
