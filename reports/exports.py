"""CSV and XLSX of a report's tables: the same :class:`ReportData` as the page and the PDF."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from reports.builders.common import ReportData


def _meta_rows(data: ReportData) -> list[list[str]]:
    rows = [
        [_("Report"), data.title],
        [_("Scope"), f"{data.scope.kind_label}: {data.scope.label}"],
        [data.period_heading, data.period_label],
        [_("Data as of"), timezone.localtime(data.data_as_of).strftime("%Y-%m-%d %H:%M")],
        [_("Produced by"), data.produced_by],
    ]
    if data.is_empty:
        rows.append([_("Note"), data.empty_message])
    return rows


def _plain(value) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return value
    return str(value)


def report_csv(data: ReportData) -> bytes:
    """All tables one after the other, semicolon-separated (Swedish Excel), UTF-8 with BOM."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for row in _meta_rows(data):
        writer.writerow(row)
    for table in data.tables:
        writer.writerow([])
        writer.writerow([table.caption])
        writer.writerow(table.header_labels)
        for row in table.rows:
            writer.writerow([_plain(v) for v in row])
        if table.totals and table.rows:
            writer.writerow([_plain(v) for v in table.totals])
        if not table.rows and table.empty_text:
            writer.writerow([table.empty_text])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def report_xlsx(data: ReportData) -> bytes:
    """One sheet about the report, then one sheet per table with a bold header row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    about = wb.active
    about.title = _("About")[:31]
    for row in _meta_rows(data):
        about.append(row)
    about.column_dimensions["A"].width = 20
    about.column_dimensions["B"].width = 60
    used = {about.title}
    bold = Font(bold=True)
    for table in data.tables:
        title = _sheet_title(table.caption, used)
        used.add(title)
        ws = wb.create_sheet(title)
        ws.append([table.caption])
        ws["A1"].font = bold
        ws.append(table.header_labels)
        for cell in ws[2]:
            cell.font = bold
        for row in table.rows:
            ws.append([_xlsx_value(v) for v in row])
        if table.totals and table.rows:
            ws.append([_xlsx_value(v) for v in table.totals])
            for cell in ws[ws.max_row]:
                cell.font = bold
        if not table.rows and table.empty_text:
            ws.append([table.empty_text])
        for row in ws.iter_rows(min_row=3):
            for cell in row:
                if isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd"
        for i, _col in enumerate(table.columns, start=1):
            ws.column_dimensions[ws.cell(row=2, column=i).column_letter].width = 22
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def _sheet_title(caption: str, used: set[str]) -> str:
    base = "".join(ch for ch in caption if ch not in "[]:*?/\\")[:28].strip() or "Tabell"
    title, n = base, 2
    while title in used:
        title = f"{base[:26]} {n}"
        n += 1
    return title
