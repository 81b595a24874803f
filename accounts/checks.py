from django.conf import settings
from django.core.checks import Warning, register


@register()
def sso_secret_keys(app_configs, **kwargs):
    """Production encrypts the identity providers' client secrets with its own keys, not one derived from SECRET_KEY."""
    if settings.PRODUCTION and not settings.SSO_SECRET_KEYS:
        return [
            Warning(
                "MASPORTAL_SSO_SECRET_KEYS is not set: client secrets of identity providers are encrypted with a key "
                "derived from DJANGO_SECRET_KEY (changing that key makes them unreadable).",
                hint="Set MASPORTAL_SSO_SECRET_KEYS to one or more Fernet keys, newest first, or give providers their "
                "secret through an environment variable (--client-secret-env).",
                id="accounts.W001",
            )
        ]
    return []
