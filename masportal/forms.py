"""Forms shared across the portal."""

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Wrong username or password. Check both and try again; the password is case-sensitive."),
        "inactive": _("This account is inactive. Contact your administrator."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class LockedOutLoginForm(LoginForm):
    """The login form as shown during a lockout: the username kept, the lockout as the error."""

    def __init__(self, *args, minutes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.minutes = minutes
        self.fields["password"].required = False

    def clean(self):
        raise ValidationError(
            _(
                "Too many failed logins. Try again in %(minutes)s minutes or ask your administrator to lift the lockout."
            ),
            code="locked_out",
            params={"minutes": self.minutes},
        )
