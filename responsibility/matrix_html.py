"""The responsibility matrix's table rows, written in Python (issue 17).

The matrix of the largest board has 60 rows × 4 role cells; through the template engine each cell cost about
50 µs, most of the page. :func:`matrix_rows` writes the same markup the template did (the cell and
``responsibility/_findings_list.html`` written out): the row header with ``scope="row"``, each holder in
``<strong>``, the deputy badge, "Missing" where nobody holds the role, and every finding link with its
visually hidden unit name. Every value is escaped as the template did (``conditional_escape``); the words are
translated once per page.
"""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.html import escape
from responsibility.checks import Finding
from responsibility.selectors import Matrix, MatrixRow, RoleAnswer


class _Words:
    """The page's fixed words, translated once."""

    def __init__(self):
        self.warning = escape(_("Warning"))
        self.gap = escape(_("Gap"))
        self.deputy = escape(_("deputy"))
        self.missing = escape(_("Missing"))
        self.basis = escape(_("Basis"))
        self.fix = escape(_("Fix"))
        self.none = escape(_("None"))

    def label(self, finding: Finding) -> tuple[str, str]:
        """The CSS class and the word of a finding: a warning, or a gap."""
        return ("finding-warning", self.warning) if finding.is_warning else ("finding-error", self.gap)


def _holder(answer: RoleAnswer, words: _Words) -> str:
    res = answer.resolution
    if res.deputy:
        deputy_for = escape(_("Deputy for %(holder)s") % {"holder": res.deputy.deputy_for.person})
        return (
            f'\n<strong>{escape(res.deputy.person)}</strong> <span class="badge">{words.deputy}</span>\n'
            f'<div class="muted">{deputy_for}</div>\n'
        )
    holder = res.holder
    if holder:
        title = f' <span class="muted">({escape(holder.title)})</span>' if holder.title else ""
        return f"\n<strong>{escape(holder)}</strong>{title}\n"
    if res.holders:
        return f"\n<strong>{escape(', '.join(str(p) for p in res.holders))}</strong>\n"
    return f"\n<strong>{words.missing}</strong>\n"


def _findings_list(findings: list[Finding], words: _Words) -> str:
    """A list of findings with code, text, basis and fix link (``responsibility/_findings_list.html``)."""
    items = []
    for f in findings:
        css, word = words.label(f)
        code = escape(f.code)
        items.append(
            f'\n  <li class="{css}">\n    <span>{code} {word}:</span>\n'
            f'    <span class="finding-text">{escape(f.message)}</span>\n'
            f'    <span class="muted">({words.basis}: {escape(f.legal_basis)})</span>\n'
            f'    <a href="{escape(f.fix_url)}">{words.fix}<span class="visually-hidden"> {code} – '
            f"{escape(f.unit.name)}</span></a>\n  </li>"
        )
    return '<ul class="findings">' + "".join(items) + "\n</ul>"


def _row(row: MatrixRow, *, day: str, dated: bool, words: _Words) -> str:
    unit = row.unit
    url = escape(reverse("responsibility:unit_detail", args=[unit.code]))
    name = escape(unit.name)
    code = escape(unit.code)
    cells = []
    for answer in row.cells:
        links = "".join(
            f'<div><a class="{css}" href="{url}?date={day}#findings">{escape(f.code)} {word}'
            f'<span class="visually-hidden"> – {name}</span></a></div>'
            for f in answer.findings
            for css, word in [words.label(f)]
        )
        cells.append(f"\n    <td>{_holder(answer, words)}\n      {links}\n    </td>")
    found = _findings_list(row.findings, words) if row.findings else words.none
    return (
        f'\n  <tr data-unit="{code}">\n    <th scope="row"><a href="{url}{f"?date={day}" if dated else ""}">'
        f"{name}</a>\n"
        f'      <div class="muted">{code} · {escape(unit.board)}</div></th>\n'
        f'    <td>{escape(row.provider)}<div class="muted">{escape(row.operating_form_label)}</div></td>'
        f"{''.join(cells)}\n    <td>{found}</td>\n  </tr>"
    )


def matrix_rows(matrix: Matrix, *, on: date, today: date) -> SafeString:
    """The ``<tbody>`` rows of the matrix on ``on`` (unit links carry the date when it is not today)."""
    day = escape(on.isoformat())
    words = _Words()
    return mark_safe(  # noqa: S308 - every value above is escaped
        "".join(_row(row, day=day, dated=on != today, words=words) for row in matrix.rows)
    )
