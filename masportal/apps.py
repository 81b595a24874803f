from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MasportalConfig(AppConfig):
    name = "masportal"
    verbose_name = _("MAS-portalen")

    def ready(self):
        from django.conf import settings
        from django.contrib.auth.signals import user_logged_in
        from django.core import checks

        from masportal.checks import check_production_configuration
        from masportal.middleware import SessionTimeoutMiddleware

        user_logged_in.connect(SessionTimeoutMiddleware.stamp_login, dispatch_uid="masportal_session_stamp")

        # Production: always (every command, and the web/worker/beat start-up). Development: with --deploy only.
        checks.register(check_production_configuration, checks.Tags.security, deploy=not settings.PRODUCTION)
