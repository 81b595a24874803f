"""The deviation queue's table rows, written in Python (issue 17).

A page of the queue has 25 rows × 7 cells; through the template engine they were a large part of the MAS
list's time. :func:`queue_rows` writes the markup the template did: the reference as the row header
(``scope="row"``) linking to the deviation, unit, category, date of the event, risk score with its level,
state with the "responsibility unclear" badge, and the next deadline with the "overdue" badge or a dash.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.html import escape


def _day(value) -> str:
    """``{{ value|date:"Y-m-d" }}`` of an aware datetime: its local date."""
    return timezone.localtime(value).strftime("%Y-%m-%d")


def queue_rows(rows: list[dict]) -> SafeString:
    """The ``<tbody>`` rows of the queue; ``rows`` as the list view builds them (``d``, ``overdue``, ``risk``)."""
    unclear = f' <span class="badge badge-unclear">{escape(_("Responsibility unclear"))}</span>'
    overdue = f' <span class="badge badge-overdue">{escape(_("Overdue"))}</span>'
    out = []
    for row in rows:
        d = row["d"]
        url = escape(reverse("incidents:deviation_detail", args=[d.pk]))
        due = '<span class="muted">–</span>'
        if d.due_at:
            due = _day(d.due_at) + (overdue if row["overdue"] else "")
        out.append(
            f'\n    <tr>\n      <th scope="row"><a href="{url}">{escape(d.reference)}</a></th>\n'
            f"      <td>{escape(d.unit.name)}</td>\n"
            f"      <td>{escape(d.category.name)}</td>\n"
            f"      <td>{_day(d.occurred_at)}</td>\n"
            f"      <td>{escape(d.risk_score)} ({escape(row['risk'])})</td>\n"
            f"      <td>{escape(d.get_state_display())}{unclear if d.mas_unclear_reason else ''}</td>\n"
            f"      <td>{due}</td>\n    </tr>"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
