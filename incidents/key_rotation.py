"""Patient-key rotation: re-encrypt stored identifiers with the newest key and re-compute look-up hashes.

Run through ``manage.py rotate_patient_keys``. Works in primary-key batches,
each in its own transaction with the rows locked, so that it can be stopped
and started again at any time; a row already encrypted with the newest key and
carrying the current hash is left untouched, so a second run changes nothing.

Deviations are rotated here; another app whose records hold a patient identifier
the same way (``patient_identifier_encrypted``, ``patient_hash``) registers them
with :func:`register_patient_records` (complaints do, in their AppConfig), so
that one run rotates every record and the access-log rows that refer to it.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.db import transaction
from django.db.models import Model, Q

from incidents import patient
from incidents.models import Deviation, PatientDataAccess


@dataclass
class RotationResult:
    """What a rotation run looked at and changed."""

    checked: int = 0
    reencrypted: int = 0
    rehashed: int = 0
    access_rows: int = 0
    history_rows: int = 0
    undecryptable: list[int] = field(default_factory=list)
    undecryptable_other: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PatientRecords:
    """A model holding patient identifiers: which access-log rows refer to one of its rows, and their label."""

    model: type[Model]
    access_q: Callable[[Model], Q]
    label: str
    fields: tuple[str, ...] = ()


DEVIATIONS = PatientRecords(Deviation, lambda row: Q(deviation_id=row.pk), "deviation")
_RECORDS: dict[str, PatientRecords] = {"deviation": DEVIATIONS}


def register_patient_records(
    model: type[Model], *, access_q: Callable[[Model], Q], label: str, fields: tuple[str, ...] = ()
) -> None:
    """Rotate ``model``'s identifiers too; ``access_q(row)`` selects the access-log rows that refer to ``row``."""
    _RECORDS[label] = PatientRecords(model, access_q, label, fields)


def _current_hash(normalized: str) -> str:
    return hmac.new(settings.PATIENT_HASH_KEY.encode(), normalized.encode(), hashlib.sha256).hexdigest()


def rotate_batch(
    *, after_pk: int, batch_size: int, result: RotationResult, records: PatientRecords = DEVIATIONS
) -> int | None:
    """Rotate the next batch of ``records`` with an identifier after ``after_pk``; return the last pk, or None when done."""
    keys = list(settings.PATIENT_DATA_KEYS)
    newest = patient._as_fernet(keys[0])
    every = patient._fernet()
    model = records.model
    history = model.history.model
    with transaction.atomic():
        rows = list(
            model.objects.select_for_update()
            .filter(pk__gt=after_pk)
            .exclude(patient_identifier_encrypted="")
            .order_by("pk")
            .only("pk", "patient_identifier_encrypted", "patient_hash", *records.fields)[:batch_size]
        )
        for row in rows:
            result.checked += 1
            token = row.patient_identifier_encrypted.encode()
            try:
                normalized = newest.decrypt(token).decode()
                new_token = None
            except InvalidToken:
                try:
                    normalized = every.decrypt(token).decode()
                except InvalidToken:
                    if records is DEVIATIONS:
                        result.undecryptable.append(row.pk)
                    else:
                        result.undecryptable_other.append(f"{records.label} {row.pk}")
                    continue
                new_token = newest.encrypt(normalized.encode()).decode()
            new_hash = _current_hash(normalized)
            changed = []
            if new_token is not None:
                row.patient_identifier_encrypted = new_token
                changed.append("patient_identifier_encrypted")
                result.reencrypted += 1
            old_hash = row.patient_hash
            if old_hash != new_hash:
                row.patient_hash = new_hash
                changed.append("patient_hash")
                result.rehashed += 1
            if changed:
                # A queryset update: no history row for a change of key (the identity is the same).
                model.objects.filter(pk=row.pk).update(**{name: getattr(row, name) for name in changed})
            if old_hash and old_hash != new_hash:
                result.history_rows += history.objects.filter(id=row.pk, patient_hash=old_hash).update(
                    patient_hash=new_hash
                )
            # The access log refers to the patient by the record's hash.
            result.access_rows += (
                PatientDataAccess.objects.filter(records.access_q(row))
                .exclude(patient_hash=new_hash)
                .update(patient_hash=new_hash)
            )
    return rows[-1].pk if rows else None


def rotate_all(*, batch_size: int = 500, progress: Callable[[int, int], None] | None = None) -> RotationResult:
    """Rotate every stored identifier and hash of every registered record kind; ``progress(done, total)``."""
    if not settings.PATIENT_DATA_KEYS or not settings.PATIENT_HASH_KEY:
        raise RuntimeError("MASPORTAL_PATIENT_KEYS and MASPORTAL_PATIENT_HASH_KEY must be set.")
    total = sum(r.model.objects.exclude(patient_identifier_encrypted="").count() for r in _RECORDS.values())
    result = RotationResult()
    for records in _RECORDS.values():
        last = 0
        while True:
            last = rotate_batch(after_pk=last, batch_size=batch_size, result=result, records=records)
            if progress:
                progress(min(result.checked, total), total)
            if last is None:
                break
    return result
