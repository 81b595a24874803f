"""Start-page items of the responsibility register."""

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.start import StartItem
from responsibility.choices import Role, Severity


def _url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def sections_for(*, user, role: str) -> list[StartItem]:
    if role in (Role.MAS, Role.MAR):
        from responsibility.selectors import open_findings

        found = open_findings(user=user, on=timezone.localdate())
        gaps = sum(1 for f in found if f.severity == Severity.ERROR)
        return [
            StartItem(_("Responsibility matrix"), _url("responsibility:matrix")),
            StartItem(_("Gaps in the responsibility register"), _url("responsibility:findings"), count=gaps),
            StartItem(
                _("Warnings in the responsibility register"), _url("responsibility:findings"), count=len(found) - gaps
            ),
        ]
    if role == Role.BOARD_OFFICIAL:
        from responsibility.selectors import matrix_findings

        found = matrix_findings(user=user, on=timezone.localdate())
        errors = sum(1 for f in found if f.severity == Severity.ERROR)
        return [
            StartItem(_("Responsibility matrix"), _url("responsibility:matrix")),
            StartItem(_("Errors in the responsibility register"), _url("responsibility:matrix"), count=errors),
        ]
    if role == "ADMIN":
        return [
            StartItem(_("Register administration"), _url("responsibility:admin_home")),
            StartItem(_("Django admin"), _url("admin:index")),
        ]
    return []
