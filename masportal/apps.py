from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MasportalConfig(AppConfig):
    name = "masportal"
    verbose_name = _("MAS-portalen")
