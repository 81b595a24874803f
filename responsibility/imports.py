"""Register imports: check a file, or import it in one transaction (SPEC §2).

The services of the import (``resources`` reads the file and maps rows onto the register's write services).
"""

from __future__ import annotations

from django.db import transaction

from responsibility.models import Municipality
from responsibility.resources import ImportFileError, ImportOutcome, RowError, read_dataset, run_import


def register_import_check(*, kind: str, content: bytes, filename: str, municipality: Municipality):
    """Validate every row of an import file by the register's rules; save nothing."""
    try:
        dataset = read_dataset(content=content, filename=filename)
    except ImportFileError as exc:
        return ImportOutcome(errors=[RowError(1, "—", str(exc))])
    return run_import(kind=kind, dataset=dataset, municipality=municipality, dry_run=True)


def register_import(*, kind: str, content: bytes, filename: str, municipality: Municipality):
    """Import every row of a file in one transaction, or nothing if any row has an error."""
    try:
        dataset = read_dataset(content=content, filename=filename)
    except ImportFileError as exc:
        return ImportOutcome(errors=[RowError(1, "—", str(exc))])
    with transaction.atomic():
        outcome = run_import(kind=kind, dataset=dataset, municipality=municipality, dry_run=False)
        if not outcome.ok:
            transaction.set_rollback(True)
    return outcome
