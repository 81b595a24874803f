"""List collaboration deviations with reference, counterpart, direction, state, dates, reply deadline, overdue."""

import json

from django.core.management.base import BaseCommand
from django.utils import timezone

from complaints.models import Counterpart
from complaints.selectors import collaboration_row, collaborations_for
from core.commands import one_by_code
from responsibility.commands import one_municipality


class Command(BaseCommand):
    help = "Collaboration deviations (samverkansavvikelser) of a counterpart or all, by direction."

    def add_arguments(self, parser):
        parser.add_argument("--counterpart", help="The counterpart's code, e.g. region-stockholm (default: all).")
        parser.add_argument(
            "--municipality", help="The municipality's code, when codes repeat or without --counterpart."
        )
        parser.add_argument("--direction", choices=["outgoing", "incoming", "all"], default="all")
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args, counterpart: str | None, municipality: str | None, direction: str, format: str, **options):
        found_counterpart = None
        municipality_id = None
        if counterpart:
            found_counterpart = one_by_code(
                Counterpart.objects.all(), counterpart, municipality=municipality, what="counterpart"
            )
        else:
            municipality_id = one_municipality(municipality, instead="--counterpart").pk
        now = timezone.now()
        rows = [
            collaboration_row(c, now=now).as_dict()
            for c in collaborations_for(
                counterpart=found_counterpart, direction=direction, municipality_id=municipality_id
            )
        ]
        if format == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2, sort_keys=True))
            return
        for row in rows:
            flag = " OVERDUE" if row["overdue"] else ""
            self.stdout.write(
                f"{row['reference']}\t{row['direction']}\t{row['counterpart']}\t{row['state']}"
                f"\t{row['reply_deadline'] or '-'}{flag}"
            )
