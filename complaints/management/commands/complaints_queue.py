"""List complaints (of a board's units) with reference, unit, state, received, answer deadline and overdue."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from complaints.selectors import complaint_row, complaints_for_board
from responsibility.models import Board, Municipality


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
            boards = Board.objects.filter(code=board)
            if municipality:
                boards = boards.filter(municipality__code=municipality)
            found = list(boards[:2])
            if not found:
                raise CommandError(f"Unknown board: {board}")
            if len(found) > 1:
                raise CommandError(f"Board code {board} exists in several municipalities: give --municipality.")
            found_board = found[0]
        else:
            municipalities = Municipality.objects.filter(code=municipality) if municipality else Municipality.objects
            found = list(municipalities.all()[:2])
            if not found:
                raise CommandError(f"Unknown municipality: {municipality}")
            if len(found) > 1:
                raise CommandError("Several municipalities: give --board or --municipality.")
            municipality_id = found[0].pk
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
