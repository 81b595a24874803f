"""Who must use MFA: register admins always; everyone else where their municipality requires it."""

from __future__ import annotations

from allauth.mfa.utils import is_mfa_enabled

from accounts.models import LoginPolicy
from responsibility.permissions import is_register_admin
from responsibility.tenancy import municipality_id_of


def mfa_required(user) -> bool:
    """Whether ``user`` (logged in with a password) must set up MFA before using the portal."""
    if is_mfa_enabled(user):
        return False
    if is_register_admin(user):
        return True
    municipality_id = municipality_id_of(user)
    return bool(
        municipality_id
        and LoginPolicy.objects.filter(municipality_id=municipality_id, mfa_required_for_all=True).exists()
    )
