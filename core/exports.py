"""A table as a download: CSV (semicolons, with a BOM for Excel) or XLSX (one sheet)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_response(
    *, headers: Sequence[str], rows: Iterable[Sequence], filename: str, sheet: str, xlsx: bool
) -> HttpResponse:
    """``rows`` under ``headers`` as ``<filename>.xlsx`` (one sheet named ``sheet``) or ``<filename>.csv``."""
    if xlsx:
        from openpyxl import Workbook

        workbook = Workbook()
        worksheet = workbook.active
        worksheet.title = sheet
        worksheet.append(list(headers))
        for row in rows:
            worksheet.append(list(row))
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";")
    writer.writerow(headers)
    writer.writerows(rows)
    response = HttpResponse("\ufeff" + text.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
