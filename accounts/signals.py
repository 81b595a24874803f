"""Remember how each login happened (password, OIDC, SAML): the user list shows it, logout uses it."""

from allauth.account.signals import user_logged_in
from django.conf import settings
from django.db.models.signals import post_delete
from django.dispatch import receiver

from accounts import services
from accounts.models import LoginMethod

SESSION_METHOD = "portal_login_method"
SESSION_PROVIDER = "portal_login_provider"


@receiver(user_logged_in)
def _login_recorded(sender, request, user, **kwargs):
    sociallogin = kwargs.get("sociallogin")
    if sociallogin is not None:
        method = services.LOGIN_METHODS.get(sociallogin.provider.id, LoginMethod.OIDC)
        provider_id = sociallogin.account.provider
    else:
        method, provider_id = LoginMethod.PASSWORD, None
    request.session[SESSION_METHOD] = str(method)
    request.session[SESSION_PROVIDER] = provider_id
    services.login_recorded(user=user, method=method, provider_id=provider_id)


@receiver(post_delete, sender=settings.AUTH_USER_MODEL)
def _history_erased(sender, instance, **kwargs):
    """GDPR erasure (``erase_user``) deletes the login: its history rows (name, e-mail) go with it."""
    history = getattr(sender, "history", None)
    if history is not None:
        history.model.objects.filter(id=instance.pk).delete()
