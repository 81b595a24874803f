from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The base layer every app uses: notifications and their outbox, scheduled jobs, locking, working days."""

    name = "core"
    label = "core"
    verbose_name = _("Base")
