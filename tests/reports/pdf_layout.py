"""Reading a generated PDF's layout: every character must lie inside the page's printable area."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pdfplumber

MM = 72 / 25.4
# The side margins of every report page (reports/templates/reports/pdf/*.html): text must stay inside them.
SIDE_MARGIN = 16 * MM
# Running headers and footers sit in the top and bottom margins, but never closer to the edge than this.
EDGE = 8 * MM
TOLERANCE = 0.5  # points: rounding in the glyph boxes


@dataclass(frozen=True)
class Outside:
    page: int
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    width: float
    height: float

    def __str__(self) -> str:
        return (
            f"page {self.page} ({self.width:.0f}×{self.height:.0f} pt): {self.text!r} at x {self.x0:.1f}–{self.x1:.1f}, "
            f"y {self.top:.1f}–{self.bottom:.1f}"
        )


def characters_outside(pdf: bytes) -> list[Outside]:
    """Characters (grouped per line) that lie outside the printable area of their page."""
    found: list[Outside] = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for number, page in enumerate(doc.pages, start=1):
            left, right = SIDE_MARGIN - TOLERANCE, page.width - SIDE_MARGIN + TOLERANCE
            top, bottom = EDGE - TOLERANCE, page.height - EDGE + TOLERANCE
            bad = [
                c
                for c in page.chars
                if c["text"].strip() and (c["x0"] < left or c["x1"] > right or c["top"] < top or c["bottom"] > bottom)
            ]
            lines: dict[float, list] = {}
            for c in bad:
                lines.setdefault(round(c["top"]), []).append(c)
            for chars in lines.values():
                found.append(
                    Outside(
                        page=number,
                        text="".join(c["text"] for c in chars)[:60],
                        x0=min(c["x0"] for c in chars),
                        x1=max(c["x1"] for c in chars),
                        top=min(c["top"] for c in chars),
                        bottom=max(c["bottom"] for c in chars),
                        width=page.width,
                        height=page.height,
                    )
                )
    return found


def page_count(pdf: bytes) -> int:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return len(doc.pages)
