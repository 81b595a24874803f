"""Attachments of a deviation: checked by content, stored outside the web root under a random name."""

from __future__ import annotations

import secrets
import zipfile

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from core.uploads import check_zip_expansion, clean_filename
from incidents.models import Deviation, DeviationAttachment
from incidents.permissions import can_download_attachments

ATTACHMENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def attachment_max_bytes() -> int:
    return int(settings.DEVIATION_ATTACHMENT_MAX_BYTES)


def sniff_kind(upload) -> str | None:
    """The real type of an uploaded file from its first bytes: pdf, png, jpeg or docx; None for anything else."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        finally:
            upload.seek(0)
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return "docx"
    return None


def validate_attachment(upload) -> str:
    """Return the content type of an allowed upload, or raise a ValidationError in the user's language."""
    limit = attachment_max_bytes()
    if upload.size > limit:
        raise ValidationError(
            _("The file is too large (at most %(mb)s MB).") % {"mb": limit // (1024 * 1024)}, code="too_large"
        )
    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if extension not in ATTACHMENT_TYPES:
        raise ValidationError(_("Only PDF, PNG, JPEG and Word (docx) files can be attached."), code="type")
    check_zip_expansion(upload)
    kind = sniff_kind(upload)
    expected = "jpeg" if extension in ("jpg", "jpeg") else extension
    if kind != expected:
        raise ValidationError(
            _(
                "The file's content does not match its type: only real PDF, PNG, JPEG and Word (docx) files "
                "can be attached."
            ),
            code="disguised",
        )
    return ATTACHMENT_TYPES[extension]


def attachment_add(*, deviation: Deviation, user, upload) -> DeviationAttachment:
    """Store an upload (checked by content) outside the web root under a random name.

    Its reporter adds attachments, and whoever may open them (:func:`incidents.permissions.can_download_attachments`).
    """
    if deviation.reporter_id != user.pk and not can_download_attachments(user=user, deviation=deviation):
        raise PermissionDenied(_("You may not add attachments to this deviation."))
    content_type = validate_attachment(upload)
    attachment = DeviationAttachment(
        deviation=deviation,
        token=secrets.token_urlsafe(24),
        original_name=clean_filename(upload.name),
        content_type=content_type,
        size=upload.size,
        uploaded_by=user,
    )
    attachment.file.save(attachment.token, upload, save=False)
    attachment.save()
    return attachment
