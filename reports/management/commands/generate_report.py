"""Produce a board report as a PDF from the command line."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from core.commands import output_path
from reports.builders import build_report
from reports.choices import ReportKind
from reports.services import ReportInputError, check_params, display_name, render_pdf


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value}") from exc


class Command(BaseCommand):
    help = (
        "Produce a report as PDF: KIND is deviations, lex_maria, followup, responsibility or patient_safety. "
        "Scope: municipality, region:CODE, board:CODE or provider:ORGNR. "
        "patient_safety takes --year; responsibility uses --on (or --to) as the register date."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=ReportKind.values)
        parser.add_argument("--scope", required=True, help="municipality | region:CODE | board:CODE | provider:ORGNR")
        parser.add_argument("--from", dest="period_from", help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="period_to", help="last day, YYYY-MM-DD")
        parser.add_argument("--on", help="register date for responsibility, YYYY-MM-DD")
        parser.add_argument("--year", type=int, help="calendar year for patient_safety")
        parser.add_argument("--out", required=True, help="the PDF file to write")

    def handle(self, *args, **options):
        out = output_path(options["out"])  # before the work: a wrong path fails at once
        with translation.override("sv"):
            try:
                params = check_params(
                    user=None,
                    kind=options["kind"],
                    scope_token=options["scope"],
                    period_from=_date(options["period_from"]) if options["period_from"] else None,
                    period_to=_date(options["period_to"]) if options["period_to"] else None,
                    on=_date(options["on"]) if options["on"] else None,
                    year=options["year"],
                )
            except ReportInputError as exc:
                raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
            data = build_report(params=params, produced_by=display_name(None))
            pdf = render_pdf(data=data)
        out.write_bytes(pdf)
        self.stdout.write(f"{out} ({len(pdf)} bytes)")
