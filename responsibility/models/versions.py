"""The register's version: raised by the database on every write to what the resolver reads."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegisterVersion(models.Model):
    """One row whose number database triggers raise on every write to the tables the resolver reads.

    The triggers (migration ``0007_register_version``) fire for services, imports, bulk updates, raw SQL and
    the admin alike; a resolver index cached across requests is keyed by the number
    (:mod:`responsibility.register_cache`), so a register change is never answered from before it.
    """

    version = models.BigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("register version")
        verbose_name_plural = _("register versions")

    def __str__(self) -> str:
        return str(self.version)
