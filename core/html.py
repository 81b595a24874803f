"""HTML written in Python where the template engine is the cost (issue 17): one escaping rule for all of it."""

from __future__ import annotations

import html


def escape(value) -> str:
    """Write ``value`` as the template engine writes ``{{ value }}``: safe strings as they are, the rest escaped.

    :func:`django.utils.html.conditional_escape` without its lazy-string wrappers, which cost more than the
    escaping itself when a page writes a thousand values.
    """
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))
