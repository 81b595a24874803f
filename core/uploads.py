"""Checks every upload passes: zip-based documents that unpack too far, and file names safe to show and serve."""

from __future__ import annotations

import unicodedata
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Bidirectional controls (U+061C, U+200E/F, U+202A–E, U+2066–9) and other invisible format characters
# are category Cf; control characters Cc. Neither belongs in a file name.
_DROP_CATEGORIES = {"Cc", "Cf"}
_SEPARATORS = {"/", "\\", "\x00"}
MAX_NAME_LENGTH = 200


def clean_filename(name: str, *, default: str = "bilaga") -> str:
    """``name`` as it may be stored, shown and sent in Content-Disposition.

    Unicode NFC; bidirectional and other control/format characters removed; path separators replaced
    (only the last path part is kept); no leading dots; at most 200 characters, keeping the extension.
    """
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in _DROP_CATEGORIES and ch not in _SEPARATORS)
    name = " ".join(name.split()).lstrip(". ")
    if not name:
        return default
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        ext = ext[:20] if dot else ""
        name = (stem if dot else name)[: MAX_NAME_LENGTH - len(ext) - 1] + ("." + ext if ext else "")
    return name


def check_zip_expansion(upload) -> None:
    """Refuse a zip-based file (docx, xlsx, odt …) that unpacks beyond the configured size or ratio.

    Reads only the archive's directory (the declared sizes) and then unpacks each member in a bounded
    stream, so a member lying about its size is caught too. Not a zip: nothing to check.
    """
    limit = settings.UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES
    ratio = settings.UPLOAD_ZIP_MAX_RATIO
    packed = max(getattr(upload, "size", 0) or 0, 1)
    upload.seek(0)
    try:
        if not zipfile.is_zipfile(upload):
            return
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
            declared = sum(m.file_size for m in members)
            if declared > limit or declared > ratio * packed:
                raise _bomb(limit)
            total = 0
            for member in members:
                with archive.open(member) as stream:
                    while chunk := stream.read(64 * 1024):
                        total += len(chunk)
                        if total > limit or total > ratio * packed:
                            raise _bomb(limit)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError) as exc:
        raise ValidationError(_("The file is damaged and cannot be read."), code="damaged") from exc
    finally:
        upload.seek(0)


def _bomb(limit: int) -> ValidationError:
    return ValidationError(
        _(
            "The file unpacks to far more than it weighs (over %(mb)s MB or a suspicious ratio) and was refused. "
            "Save the document again or attach it as PDF."
        )
        % {"mb": limit // (1024 * 1024)},
        code="zip_bomb",
    )
