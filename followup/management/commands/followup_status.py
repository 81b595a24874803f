"""Print a board's follow-up status: planned, overdue, open findings, actions by state."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.commands import one_by_code
from followup.selectors import followup_status
from responsibility.models import Board


class Command(BaseCommand):
    help = "Follow-up status of one board (planned, overdue, open findings, actions by state)."

    def add_arguments(self, parser):
        parser.add_argument("--board", required=True, help="The board's code, e.g. hagersten-liljeholmen.")
        parser.add_argument("--format", choices=["json", "text"], default="text")
        parser.add_argument("--date", help="YYYY-MM-DD; today by default.")
        parser.add_argument("--municipality", help="The municipality's code, when codes repeat across municipalities.")

    def handle(self, *args, board, format, date=None, municipality=None, **options):
        board_obj = one_by_code(Board.objects.all(), board, municipality=municipality, what="board")
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
