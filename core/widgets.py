"""Form widgets written in Python where the template engine is the cost (issue 17).

Django's ``Select`` renders ``select_option.html`` through the template engine once per option; a filter
over a MAS's 150 units spent most of a list page's time there. :class:`QuickSelect` writes the same
markup (``django/forms/widgets/select.html``, ``select_option.html`` and ``attrs.html``) in Python.
:class:`FetchedChoiceIterator` reads a model select's options in one plain fetch (Django's iterator opens a
server-side cursor on PostgreSQL: three round trips for a list of names).
"""

from __future__ import annotations

import html

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.safestring import SafeString, mark_safe

from core.html import escape


def _attrs(attrs: dict) -> str:
    """``django/forms/widgets/attrs.html``: False left out, True as a bare name, else ``name="value"``."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {escape(name)}" if value is True else f' {escape(name)}="{html.escape(str(value))}"')
    return "".join(parts)


class QuickSelect(forms.Select):
    """A ``<select>`` with the markup of Django's, its options written without a template per option."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        out = [f'<select name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                out.append(f'\n  <optgroup label="{escape(group_name)}">')
            for option in options:
                out.append(
                    f'\n  <option value="{html.escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
                    f"{escape(option['label'])}</option>\n"
                )
            if group_name:
                out.append("\n  </optgroup>")
        out.append("\n</select>")
        return mark_safe("".join(out))  # noqa: S308 - every value escaped above


class FetchedChoiceIterator(ModelChoiceIterator):
    """A model select's choices from one ordinary fetch of its queryset (no server-side cursor)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)
