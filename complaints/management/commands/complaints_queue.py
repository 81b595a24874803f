"""List complaints (of a board's units) with reference, unit, state, received, answer deadline and overdue."""

import json

from django.core.management.base import BaseCommand
from django.utils import timezone

from complaints.selectors import complaint_row, complaints_for_board
from core.commands import one_by_code
from responsibility.commands import one_municipality
from responsibility.models import Board


class Command(BaseCommand):
    help = "Complaints with reference, unit, state, received, answer deadline and whether overdue (no patient data)."

    def add_arguments(self, parser):
        parser.add_argument("--board", help="The board's code, e.g. hagersten-liljeholmen (default: every board).")
        parser.add_argument(
            "--municipality", help="The municipality's code, when board codes repeat or without --board."
        )
        parser.add_argument("--state", choices=["open", "closed", "all"], default="open")
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args, board: str | None, municipality: str | None, state: str, format: str, **options):
        found_board = None
        municipality_id = None
        if board:
            found_board = one_by_code(Board.objects.all(), board, municipality=municipality, what="board")
        else:
            municipality_id = one_municipality(municipality, instead="--board").pk
        now = timezone.now()
        rows = [
            complaint_row(c, now=now).as_dict()
            for c in complaints_for_board(board=found_board, state=state, municipality_id=municipality_id)
        ]
        if format == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2, sort_keys=True))
            return
        for row in rows:
            flag = " OVERDUE" if row["overdue"] else ""
            self.stdout.write(
                f"{row['reference']}\t{row['state']}\t{row['received']}\t{row['answer_deadline']}\t{row['unit']}{flag}"
            )
