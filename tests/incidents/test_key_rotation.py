"""Patient-key rotation: every identifier moves to the newest key, hashes follow the new hash key, twice is a no-op."""

import hashlib
import hmac

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import CommandError, call_command
from django.test import override_settings

from complaints.models import Complaint
from incidents import patient
from incidents.models import Deviation, PatientDataAccess

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
OLD_HASH_KEY = "old-hash-key-of-the-municipality-0123456789"
NEW_HASH_KEY = "new-hash-key-of-the-municipality-9876543210"


def _hash(key: str, normalized: str) -> str:
    return hmac.new(key.encode(), normalized.encode(), hashlib.sha256).hexdigest()


@pytest.fixture
def under_old_key(db):
    """The demo's identifiers (deviations and complaints) re-encrypted under OLD_KEY with OLD_HASH_KEY hashes;
    returns {(model, pk): number}."""
    numbers = {}
    rows = list(Deviation.objects.exclude(patient_identifier_encrypted=""))
    assert len(rows) >= 3, "the demo has deviations with a patient identifier"
    rows += list(Complaint.objects.exclude(patient_identifier_encrypted=""))
    assert any(isinstance(r, Complaint) for r in rows), "the demo has complaints with a patient identifier"
    old = Fernet(OLD_KEY.encode())
    for row in rows:
        model = type(row)
        number = patient.decrypt_identifier(row.patient_identifier_encrypted)
        numbers[(model.__name__, row.pk)] = number
        model.objects.filter(pk=row.pk).update(
            patient_identifier_encrypted=old.encrypt(number.encode()).decode(), patient_hash=_hash(OLD_HASH_KEY, number)
        )
        PatientDataAccess.objects.filter(_access_q(row)).update(patient_hash=_hash(OLD_HASH_KEY, number))
        if model is Complaint:  # a view of the complaint, logged under the old hash
            PatientDataAccess.objects.create(
                user=_mas(),
                reference=row.reference,
                unit_id=row.unit_id,
                patient_hash=_hash(OLD_HASH_KEY, number),
                action="complaint_view",
            )
        model.history.model.objects.filter(id=row.pk).exclude(patient_hash="").update(
            patient_hash=_hash(OLD_HASH_KEY, number)
        )
    return numbers


def _mas():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="mas")


def _access_q(row):
    from django.db.models import Q

    if isinstance(row, Deviation):
        return Q(deviation_id=row.pk)
    return Q(deviation__isnull=True, reference=row.reference, unit_id=row.unit_id)


def _snapshot():
    return [
        ((model.__name__, pk), token, hashed)
        for model in (Deviation, Complaint)
        for pk, token, hashed in model.objects.exclude(patient_identifier_encrypted="")
        .order_by("pk")
        .values_list("pk", "patient_identifier_encrypted", "patient_hash")
    ]


def test_rotation_moves_every_identifier_to_the_new_key(under_old_key, capsys):
    """After rotation every identifier decrypts with only the new key and carries the new hash; twice changes nothing."""
    with override_settings(PATIENT_DATA_KEYS=[NEW_KEY, OLD_KEY], PATIENT_HASH_KEY=NEW_HASH_KEY):
        call_command("rotate_patient_keys", "--batch-size", "2")
    out = capsys.readouterr()
    n = len(under_old_key)
    assert f"Checked {n} identifiers: re-encrypted {n}, re-computed {n} look-up hashes" in out.out
    assert f"{n}/{n} (100 %)" in out.err  # the progress bar reached the end

    only_new = Fernet(NEW_KEY.encode())
    for key, token, hashed in _snapshot():
        assert only_new.decrypt(token.encode()).decode() == under_old_key[key]
        with pytest.raises(InvalidToken):
            Fernet(OLD_KEY.encode()).decrypt(token.encode())
        assert hashed == _hash(NEW_HASH_KEY, under_old_key[key])
        model = Deviation if key[0] == "Deviation" else Complaint
        row = model.objects.get(pk=key[1])
        assert set(PatientDataAccess.objects.filter(_access_q(row)).values_list("patient_hash", flat=True)) <= {hashed}
        history = set(
            model.history.model.objects.filter(id=key[1])
            .exclude(patient_hash="")
            .values_list("patient_hash", flat=True)
        )
        assert history <= {hashed}
    assert PatientDataAccess.objects.exists()
    complaint_views = PatientDataAccess.objects.filter(deviation__isnull=True, action="complaint_view")
    assert complaint_views.exists()
    assert set(complaint_views.values_list("patient_hash", flat=True)) <= {h for _k, _t, h in _snapshot()}

    before = _snapshot()
    with override_settings(PATIENT_DATA_KEYS=[NEW_KEY, OLD_KEY], PATIENT_HASH_KEY=NEW_HASH_KEY):
        call_command("rotate_patient_keys", "--no-progress")
    assert "re-encrypted 0, re-computed 0 look-up hashes (0 access-log rows, 0 history rows)" in capsys.readouterr().out
    assert _snapshot() == before


def test_rotation_resumes_after_an_interruption(under_old_key):
    """A run stopped after one batch leaves consistent rows; the next run finishes the rest."""
    from incidents.key_rotation import RotationResult, rotate_batch

    with override_settings(PATIENT_DATA_KEYS=[NEW_KEY, OLD_KEY], PATIENT_HASH_KEY=NEW_HASH_KEY):
        first = RotationResult()
        rotate_batch(after_pk=0, batch_size=1, result=first)  # "interrupted" here
        assert first.reencrypted == 1
        call_command("rotate_patient_keys", "--no-progress")
    only_new = Fernet(NEW_KEY.encode())
    assert {key: only_new.decrypt(t.encode()).decode() for key, t, _h in _snapshot()} == under_old_key


def test_identifier_under_an_unknown_key_is_reported_not_lost(under_old_key):
    """An identifier that no configured key opens is named in the error and left as it is."""
    with (
        override_settings(PATIENT_DATA_KEYS=[NEW_KEY], PATIENT_HASH_KEY=NEW_HASH_KEY),
        pytest.raises(CommandError, match="decrypt with none of the configured keys"),
    ):
        call_command("rotate_patient_keys", "--no-progress")
    assert all(Fernet(OLD_KEY.encode()).decrypt(t.encode()) for _pk, t, _h in _snapshot())
