"""List a board's open Lex Maria cases (state, age, next deadline, whose move) as JSON or text."""

import json

from django.core.management.base import BaseCommand
from django.utils import timezone

from core.commands import one_by_code
from incidents.lexmaria_selectors import board_open_cases, queue_row
from responsibility.models import Board


class Command(BaseCommand):
    help = "The board's open Lex Maria cases with state, age in days, next deadline and whose move it is."

    def add_arguments(self, parser):
        parser.add_argument("--board", required=True, help="The board's code, e.g. hagersten-liljeholmen.")
        parser.add_argument("--municipality", help="The municipality's code, when board codes repeat.")
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args, board: str, municipality: str | None, format: str, **options):
        found = one_by_code(Board.objects.all(), board, municipality=municipality, what="board")
        today = timezone.localdate()
        rows = [queue_row(case, today=today).as_dict() for case in board_open_cases(board=found)]
        if format == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2, sort_keys=True))
            return
        for row in rows:
            deadline = row["next_deadline"] or "-"
            self.stdout.write(
                f"{row['reference']}\t{row['state']}\t{row['age_days']} d\t{deadline}\t{row['whose_move']}"
            )
