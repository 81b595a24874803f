"""The one "service error → form errors" helper: a service's ValidationError shown on the form that sent it.

A service names the field an error is about (``ValidationError({"deadline": …})``): the error goes on
that field when the form has it; otherwise on the form itself, prefixed with the field's label so the
user still knows what it is about; an error without a field goes on the form. The form stays bound,
so nothing the user entered is lost.
"""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def auto_id(step: str) -> str:
    """The id pattern of a step form's fields, unique on a page that holds one form per step (names stay plain)."""
    return f"id_{step}_%s"


def field_label(form: forms.BaseForm, field: str) -> str:
    """The label of a field the form does not show: the model's verbose name, else the name itself."""
    model = getattr(getattr(form, "_meta", None), "model", None)
    if model is not None:
        try:
            return str(model._meta.get_field(field).verbose_name)
        except Exception:  # noqa: BLE001 - not a model field: show its name
            return field
    return field


def add_service_errors(
    form: forms.BaseForm, error: ValidationError, *, field_map: Mapping[str, str] | None = None
) -> None:
    """Put ``error`` on ``form``: on the named field when the form has it (``field_map`` renames), else on top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        name = (field_map or {}).get(field, field)
        if name in form.fields:
            form.add_error(name, errors)
        elif name == NON_FIELD_ERRORS:
            form.add_error(None, errors)
        else:
            label = field_label(form, name)
            for err in errors:
                form.add_error(
                    None,
                    ValidationError(
                        "%(label)s: %(message)s", params={"label": label, "message": " ".join(err.messages)}
                    ),
                )
