"""Print the findings of the checks R1–R10 on a date (operators script against this).

Exit code 0 whether or not there are findings; an error (unknown board, bad date) exits non-zero.
"""

import json

from django.core.management.base import BaseCommand

from core.commands import one_by_code
from responsibility.checks import findings_as_dict, run_checks
from responsibility.commands import one_municipality
from responsibility.management.commands.who_is_responsible import parse_date
from responsibility.models import Board, Unit
from responsibility.resolver import units_with_board


class Command(BaseCommand):
    help = "Run the register checks R1–R10 for all units (or one board's) on a date and print the findings."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="YYYY-MM-DD (default: today).")
        parser.add_argument("--board", help="Board code: only the board's units.")
        parser.add_argument("--municipality", help="The municipality's code, when codes repeat across municipalities.")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **options):
        on = parse_date(options["date"])
        units = Unit.objects.all()
        if options["municipality"]:
            units = units.filter(municipality=one_municipality(options["municipality"], instead="--municipality"))
        if options["board"]:
            board = one_by_code(
                Board.objects.all(), options["board"], municipality=options["municipality"], what="board"
            )
            units = units.filter(board=board)
        units = units_with_board(units).select_related("municipality").order_by("code")
        findings = run_checks(units=units, on=on)
        if options["format"] == "json":
            payload = findings_as_dict(findings=findings, on=on, board=options["board"])
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        for f in findings:
            self.stdout.write(f"{f.code}\t{f.severity}\t{f.unit.code}\t{f.message}")
        self.stdout.write(f"{len(findings)} findings on {on.isoformat()}.")
