"""RFC 9457 problem details for every error the API answers (``application/problem+json``), in Swedish."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "/api/v1/problems/"


def _titles() -> dict[int, tuple[str, str]]:
    return {
        400: ("bad-request", _("The request is not valid.")),
        401: ("unauthenticated", _("A valid API token is required.")),
        403: ("forbidden", _("The token may not do this.")),
        404: ("not-found", _("Not found.")),
        405: ("method-not-allowed", _("The method is not allowed here.")),
        406: ("not-acceptable", _("The requested format cannot be delivered.")),
        409: ("conflict", _("The request conflicts with an earlier one.")),
        415: ("unsupported-media-type", _("Send the body as JSON.")),
        422: ("validation-error", _("The data is not valid.")),
        429: ("too-many-requests", _("Too many requests.")),
    }


def _pointer(path: list[str]) -> str:
    return "#/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path)


def field_errors(detail, path: list[str] | None = None) -> list[dict]:
    """Flatten DRF or form errors ({field: [messages]}, nested) into [{pointer, field, detail}]."""
    path = path or []
    out: list[dict] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            sub = path if key in ("non_field_errors", "__all__") else [*path, key]
            out.extend(field_errors(value, sub))
    elif isinstance(detail, list | tuple):
        for item in detail:
            out.extend(field_errors(item, path))
    else:
        out.append({"pointer": _pointer(path), "field": ".".join(map(str, path)), "detail": str(detail)})
    return out


def problem(
    status_code: int, *, detail: str = "", errors: list[dict] | None = None, headers=None, title: str | None = None
) -> Response:
    """A problem details response with a Swedish title (and the field errors, when there are some)."""
    slug, default_title = _titles().get(status_code, ("error", _("The request could not be completed.")))
    body = {
        "type": PROBLEM_TYPE_BASE + slug,
        "title": title or default_title,
        "status": status_code,
        "detail": detail or title or default_title,
    }
    if errors:
        body["errors"] = errors
    return Response(body, status=status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def problem_exception_handler(exc, context):
    """Turn DRF's and Django's 4xx exceptions into problem details; a 500 stays Django's."""
    response = exception_handler(exc, context)
    if response is None:
        return None
    headers = {k: v for k, v in response.headers.items() if k in ("WWW-Authenticate", "Retry-After", "Allow")}
    if isinstance(exc, exceptions.ValidationError):
        return problem(
            status.HTTP_400_BAD_REQUEST,
            detail=_("Correct the fields listed in errors."),
            errors=field_errors(exc.detail),
            headers=headers,
        )
    if isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 1)
        return problem(
            429,
            detail=_("Too many requests from this client. Try again in %(seconds)s seconds.") % {"seconds": wait},
            headers=headers,
        )
    detail = exc.detail if isinstance(getattr(exc, "detail", None), str) else ""
    return problem(response.status_code, detail=str(detail), headers=headers)
