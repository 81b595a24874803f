"""A page of a list and the list's length in one statement (issue 17).

Django's :meth:`~django.core.paginator.Paginator.get_page` counts the rows (``SELECT COUNT(*)``) and then reads
the page: on a MAS's queue both statements scan the same thousands of rows. :func:`counted_page` reads the
page with the total as a window (``COUNT(*) OVER ()``, computed before the LIMIT) and gives the same
:class:`~django.core.paginator.Page` as ``get_page``; only a page past the end (or a number below 1) counts
separately and falls back to ``get_page``'s own answer, the last page.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window

TOTAL = "_page_total"


def _page_number(number) -> int | None:
    """``number`` as ``Paginator.validate_number`` reads it (None when not an integer: the first page)."""
    try:
        if isinstance(number, float) and not number.is_integer():
            raise ValueError
        return int(number)
    except (TypeError, ValueError):
        return None


def counted_page(qs: QuerySet, *, per_page: int, number) -> Page:
    """The page ``number`` of ``qs`` (ordered) as :meth:`Paginator.get_page` returns it, in one statement."""
    paginator = Paginator(qs, per_page)
    wanted = _page_number(number)
    wanted = 1 if wanted is None else wanted
    if wanted >= 1:
        bottom = (wanted - 1) * per_page
        rows = list(qs.annotate(**{TOTAL: Window(Count("pk"))})[bottom : bottom + per_page])
        if rows:
            paginator.count = getattr(rows[0], TOTAL)  # the cached property, set from the window
            return Page(rows, wanted, paginator)
        if wanted == 1:  # an empty list: its one empty page
            paginator.count = 0
            return Page([], 1, paginator)
    return paginator.get_page(number)
