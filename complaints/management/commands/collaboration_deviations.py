"""List collaboration deviations with reference, counterpart, direction, state, dates, reply deadline, overdue."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from complaints.models import Counterpart
from complaints.selectors import collaboration_row, collaborations_for
from responsibility.models import Municipality


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
            counterparts = Counterpart.objects.filter(code=counterpart)
            if municipality:
                counterparts = counterparts.filter(municipality__code=municipality)
            found = list(counterparts[:2])
            if not found:
                raise CommandError(f"Unknown counterpart: {counterpart}")
            if len(found) > 1:
                raise CommandError(
                    f"Counterpart code {counterpart} exists in several municipalities: give --municipality."
                )
            found_counterpart = found[0]
        else:
            municipalities = Municipality.objects.filter(code=municipality) if municipality else Municipality.objects
            found = list(municipalities.all()[:2])
            if not found:
                raise CommandError(f"Unknown municipality: {municipality}")
            if len(found) > 1:
                raise CommandError("Several municipalities: give --counterpart or --municipality.")
            municipality_id = found[0].pk
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
