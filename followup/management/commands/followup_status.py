"""Print a board's follow-up status: planned, overdue, open findings, actions by state."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from followup.selectors import followup_status
from responsibility.models import Board


class Command(BaseCommand):
    help = "Follow-up status of one board (planned, overdue, open findings, actions by state)."

    def add_arguments(self, parser):
        parser.add_argument("--board", required=True, help="The board's code, e.g. hagersten-liljeholmen.")
        parser.add_argument("--format", choices=["json", "text"], default="text")
        parser.add_argument("--date", help="YYYY-MM-DD; today by default.")

    def handle(self, *args, board, format, date=None, **options):
        board_obj = Board.objects.filter(code=board).first()
        if board_obj is None:
            raise CommandError(f"No board with code {board!r}.")
        on = timezone.localdate()
        if date:
            from datetime import date as date_cls

            try:
                on = date_cls.fromisoformat(date)
            except ValueError as exc:
                raise CommandError("--date must be YYYY-MM-DD.") from exc
        status = followup_status(board=board_obj, on=on)
        if format == "json":
            self.stdout.write(json.dumps(status, ensure_ascii=False, indent=2))
            return
        for key, value in status.items():
            self.stdout.write(f"{key}: {value}")
