from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Logins and single sign-on")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from simple_history import register

        # Every change of a login (activation, link, password set) is in the history.
        user_model = get_user_model()
        if not hasattr(user_model, "history"):
            register(user_model, app="accounts", excluded_fields=["password", "last_login"])
        from accounts import checks, signals  # noqa: F401 - registers the check, connects the login receivers
