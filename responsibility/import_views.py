"""Register import from CSV/XLSX: upload, preview every row error, confirm all rows or none (admins only).

The uploaded file is kept server-side under a random token until it is confirmed or cancelled.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from core.uploads import clean_filename
from responsibility import imports
from responsibility.admin_views import import_label, municipality_of, register_admin_required
from responsibility.forms import ImportUploadForm
from responsibility.resources import IMPORT_KINDS, RESOURCES, read_dataset, template_csv

SESSION_KEY = "register_imports"


UPLOAD_MAX_AGE_SECONDS = 24 * 3600


def _import_dir() -> Path:
    path = Path(settings.PRIVATE_FILES_ROOT) / "register-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _purge_stale_uploads() -> None:
    """Delete uploads nobody confirmed or cancelled within a day."""
    limit = time.time() - UPLOAD_MAX_AGE_SECONDS
    for old in _import_dir().iterdir():
        if old.is_file() and old.stat().st_mtime < limit:
            old.unlink(missing_ok=True)


def _check_kind(kind: str) -> None:
    if kind not in IMPORT_KINDS:
        raise Http404


COLUMN_HELP = {
    "units": [
        ("code", gettext_lazy("Unit code, unique (e.g. hage-07).")),
        ("name", gettext_lazy("Name of the unit.")),
        (
            "unit_type",
            gettext_lazy(
                "Type: care_home, care_home_u65, short_term, service_house, lss_group_home, lss_service_home, lss_daily, day_care, social_psychiatry, home_health_care."
            ),
        ),
        ("board", gettext_lazy("Code of the responsible board.")),
        ("provider", gettext_lazy("Organisation number of the care provider; for own operation the board's code.")),
        ("operating_form", gettext_lazy("own, contract, choice or framework.")),
        ("contract", gettext_lazy("Case number (diarienummer) of the contract; empty for own operation.")),
        ("places", gettext_lazy("Number of places (empty: 0).")),
        ("provides_health_care", gettext_lazy("ja or nej (empty: ja).")),
        ("provides_rehabilitation", gettext_lazy("ja or nej (empty: nej).")),
        ("active_from", gettext_lazy("Date YYYY-MM-DD (empty: 2020-01-01).")),
        ("active_to", gettext_lazy("Date YYYY-MM-DD or empty.")),
    ],
    "assignments": [
        ("person_email", gettext_lazy("E-mail of a person already in the register.")),
        (
            "role",
            gettext_lazy(
                "MAS, MAR, OPERATIONS_MANAGER, UNIT_MANAGER, LEX_MARIA_REPORTER, SAS, QUALITY_AUDITOR, BOARD_OFFICIAL or REPORTER."
            ),
        ),
        ("kind", gettext_lazy("statutory or follow_up (empty: statutory).")),
        ("region", gettext_lazy("Region code – fill in exactly one of region, board, provider and unit.")),
        ("board", gettext_lazy("Board code.")),
        ("provider", gettext_lazy("Organisation number of the care provider; for own operation the board's code.")),
        ("unit", gettext_lazy("Unit code.")),
        ("valid_from", gettext_lazy("Date YYYY-MM-DD.")),
        ("valid_to", gettext_lazy("Date YYYY-MM-DD, inclusive; empty: until further notice.")),
        ("has_staffing_mandate", gettext_lazy("For operations managers: ja or nej (empty: ja).")),
        ("basis", gettext_lazy("Decision or contract clause behind the assignment.")),
    ],
}


@register_admin_required
@require_http_methods(["GET", "POST"])
def import_upload(request, kind):
    """Upload a file; it is kept server-side and previewed before anything is saved."""
    _check_kind(kind)
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            _purge_stale_uploads()
            token = uuid.uuid4().hex
            suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
            with open(_import_dir() / f"{token}{suffix}", "wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            pending = request.session.get(SESSION_KEY, {})
            pending[token] = {
                "kind": kind,
                "suffix": suffix,
                "name": clean_filename(upload.name, default="import")[:120],
            }
            request.session[SESSION_KEY] = pending
            return redirect("responsibility:import_preview", kind=kind, token=token)
    else:
        form = ImportUploadForm()
    return render(
        request,
        "responsibility/admin/import_upload.html",
        {
            "title": import_label(kind),
            "form": form,
            "kind": kind,
            "columns": COLUMN_HELP[kind],
            "template_url": reverse("responsibility:import_template", args=[kind]),
        },
        status=400 if form.errors else 200,
    )


def _pending(request, kind: str, token: str) -> tuple[dict, Path]:
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if not entry or entry["kind"] != kind:
        raise Http404(_("The uploaded file is no longer available. Upload it again."))
    path = _import_dir() / f"{token}{entry['suffix']}"
    if not path.exists():
        raise Http404(_("The uploaded file is no longer available. Upload it again."))
    return entry, path


def _forget(request, token: str, path: Path) -> None:
    pending = request.session.get(SESSION_KEY, {})
    pending.pop(token, None)
    request.session[SESSION_KEY] = pending
    path.unlink(missing_ok=True)


@register_admin_required
@require_http_methods(["GET", "POST"])
def import_preview(request, kind, token):
    """Show every row error of the stored file; confirm imports all rows in one transaction or none."""
    _check_kind(kind)
    entry, path = _pending(request, kind, token)
    content = path.read_bytes()
    filename = entry["name"] + ("" if entry["name"].lower().endswith(entry["suffix"]) else entry["suffix"])
    municipality = municipality_of(request)
    if request.method == "POST":
        if "cancel" in request.POST:
            _forget(request, token, path)
            messages.info(request, _("The import was cancelled; nothing was saved."))
            return redirect("responsibility:import_upload", kind=kind)
        outcome = imports.register_import(kind=kind, content=content, filename=filename, municipality=municipality)
        if outcome.ok:
            _forget(request, token, path)
            messages.success(request, _("%(n)s rows were imported.") % {"n": outcome.total_rows})
            return redirect("responsibility:unit_admin_list" if kind == "units" else "responsibility:assignment_list")
    else:
        outcome = imports.register_import_check(
            kind=kind, content=content, filename=filename, municipality=municipality
        )
    try:
        dataset = read_dataset(content=content, filename=filename)
        headers, rows = list(dataset.headers or []), [list(r) for r in dataset]
    except Exception:  # noqa: BLE001 - the errors already say the file is unreadable
        headers, rows = [], []
    error_rows = {e.row for e in outcome.errors}
    return render(
        request,
        "responsibility/admin/import_preview.html",
        {
            "title": _("Preview: %(label)s") % {"label": import_label(kind)},
            "kind": kind,
            "filename": entry["name"],
            "outcome": outcome,
            "headers": headers,
            "rows": [
                {"number": i + 2, "values": ["" if v is None else v for v in r], "has_error": (i + 2) in error_rows}
                for i, r in enumerate(rows)
            ],
            "upload_url": reverse("responsibility:import_upload", args=[kind]),
            "columns": RESOURCES[kind].Meta.fields,
        },
    )


@register_admin_required
@require_GET
def import_template(request, kind):
    """A CSV file with the import columns and an example row."""
    _check_kind(kind)
    response = HttpResponse("\ufeff" + template_csv(kind=kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="mall-{kind}.csv"'
    return response
