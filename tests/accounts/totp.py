"""TOTP codes as an authenticator app computes them (RFC 6238, through allauth's own HOTP function)."""

import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value


def totp_code(secret: str, *, at: float | None = None) -> str:
    return format_hotp_value(hotp_value(secret, int((at or time.time()) // 30)))


def enrol_totp(page) -> str:
    """Set up TOTP on allauth's activation page; return the secret."""
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("#id_code").fill(totp_code(secret))
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(lambda url: "/totp/activate/" not in url)
    return secret
