"""Client secrets of identity providers: encrypted at rest (Fernet), or read from an environment variable.

A secret is never shown back: forms and commands only say whether one is set.
"""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _fernet() -> MultiFernet:
    keys = list(settings.SSO_SECRET_KEYS)
    if not keys:
        # Development only (checks refuse production without MASPORTAL_SSO_SECRET_KEYS).
        digest = hashlib.sha256(f"sso-secrets:{settings.SECRET_KEY}".encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode() if secret else ""


def client_secret(provider) -> str:
    """The provider's client secret in clear, for the token request only; "" when none or unreadable."""
    if provider.secret_env:
        return os.environ.get(provider.secret_env, "")
    if not provider.secret_encrypted:
        return ""
    try:
        return _fernet().decrypt(provider.secret_encrypted.encode()).decode()
    except InvalidToken:
        return ""
