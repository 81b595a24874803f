"""Start-page items of the responsibility register."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from masportal.start import StartItem
from responsibility.choices import Role


def _url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def sections_for(*, user, role: str) -> list[StartItem]:
    if role in (Role.MAS, Role.MAR, Role.BOARD_OFFICIAL):
        return [StartItem(_("Responsibility matrix"), _url("responsibility:matrix"))]
    if role == "ADMIN":
        return [
            StartItem(_("Register administration"), _url("responsibility:admin_home")),
            StartItem(_("Django admin"), _url("admin:index")),
        ]
    return []
