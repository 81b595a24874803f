"""Print who holds a role for a unit on a date, and why (operators script against this)."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.commands import one_by_code
from responsibility.choices import STATUTORY_ROLES
from responsibility.models import Unit
from responsibility.resolver import responsible_for, units_with_board


def parse_date(value: str | None) -> date:
    if not value:
        return timezone.localdate()
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Invalid date {value!r}: use YYYY-MM-DD.") from exc


class Command(BaseCommand):
    help = "Print who holds MAS, MAR, OPERATIONS_MANAGER or LEX_MARIA_REPORTER for a unit on a date, and why."

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="Unit code, e.g. hage-01.")
        parser.add_argument("--role", required=True, choices=[str(r) for r in STATUTORY_ROLES])
        parser.add_argument("--date", help="YYYY-MM-DD (default: today).")
        parser.add_argument("--municipality", help="The municipality's code, when codes repeat across municipalities.")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **options):
        on = parse_date(options["date"])
        unit = one_by_code(
            units_with_board(Unit.objects.all()), options["unit"], municipality=options["municipality"], what="unit"
        )
        resolution = responsible_for(unit=unit, role=options["role"], on=on)
        if options["format"] == "json":
            self.stdout.write(json.dumps(resolution.as_dict(), ensure_ascii=False, indent=2))
            return
        if resolution.holder is not None:
            holder = resolution.holder.full_name
        elif resolution.holders:
            holder = "AMBIGUOUS: " + ", ".join(p.full_name for p in resolution.holders)
        else:
            holder = "NONE"
        self.stdout.write(f"{unit.code} {options['role']} {on.isoformat()}: {holder}")
        self.stdout.write(resolution.reason)
