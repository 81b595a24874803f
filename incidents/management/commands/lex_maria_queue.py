"""List a board's Lex Maria cases (route, the board's part, state, age, next deadline, whose move) as JSON or text."""

import json

from django.core.management.base import BaseCommand
from django.utils import translation

from core.commands import one_by_code
from incidents.lexmaria.selectors import STATE_FILTERS, board_cases, board_officials, queue_row
from responsibility.models import Board


class Command(BaseCommand):
    help = (
        "The board's Lex Maria cases with route, the board's part (responsible or only informed), state, "
        "age in days, next deadline and whose move it is (with names)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--board", required=True, help="The board's code, e.g. hagersten-liljeholmen.")
        parser.add_argument("--municipality", help="The municipality's code, when board codes repeat.")
        parser.add_argument("--format", choices=["json", "text"], default="text")
        parser.add_argument(
            "--state", choices=STATE_FILTERS, default="open", help="Open cases (default), closed cases or all."
        )

    def handle(self, *args, board: str, municipality: str | None, format: str, state: str, **options):
        found = one_by_code(Board.objects.all(), board, municipality=municipality, what="board")
        cases = list(board_cases(board=found, state=state))
        officials = board_officials(cases)
        rows = [queue_row(case, officials=officials) for case in cases]
        if format == "json":
            self.stdout.write(json.dumps([row.as_dict() for row in rows], ensure_ascii=False, indent=2, sort_keys=True))
            return
        with translation.override("sv"):
            for row in rows:
                deadline = row.next_deadline.isoformat() if row.next_deadline else "-"
                part = "informeras" if row.informed_only else "ansvarig"
                self.stdout.write(
                    f"{row.reference}\t{row.unit}\t{row.state_label}\t{row.age_days} d\t{deadline}"
                    f"{' FÖRSENAD' if row.overdue else ''}\t{row.route_label} (nämnden {part})\t"
                    f"{row.whose_move or '-'}"
                )
            if not rows:
                self.stdout.write("Inga ärenden.")
