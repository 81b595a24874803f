"""Every PDF the portal prints goes through here: WeasyPrint, as PDF/A-2b for the archive.

PDF/A-2b embeds the fonts and writes XMP metadata (title, author, language from
``<html lang>``); WeasyPrint makes the outline (bookmarks) from the headings.
"""

from __future__ import annotations

import logging

from django.conf import settings

PDF_VARIANT = "pdf/a-2b"


def html_to_pdf(html: str) -> bytes:
    """An archivable PDF (PDF/A-2b) of a self-contained HTML document."""
    from weasyprint import HTML

    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant=PDF_VARIANT)
