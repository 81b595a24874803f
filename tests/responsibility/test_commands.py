"""The operators' commands: who_is_responsible and check_responsibility (names, flags and JSON are stable)."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_who_is_responsible_json_for_a_contracted_unit():
    """The contractor's MAS holds the duty for Norrsken's unit, by the contract's clause 4.11."""
    data = json.loads(run("who_is_responsible", "--unit", "hage-02", "--role", "MAS", "--format", "json"))
    assert data["unit"] == "hage-02"
    assert data["role"] == "MAS"
    assert data["date"] == timezone.localdate().isoformat()
    assert data["holder"]["name"] == "Cecilia Norén"
    assert data["scope"] == "provider"
    assert data["contract"]["mas_held_by"] == "contractor"
    assert data["contract"]["clause"] == "4.11"
    assert set(data) == {
        "unit",
        "role",
        "date",
        "holder",
        "holders",
        "assignment_id",
        "deputy_for",
        "scope",
        "contract",
        "reason",
    }


def test_who_is_responsible_on_a_date_shows_the_deputy():
    """During the region MAS's holiday the deputy answers, and the text says whom they replace."""
    out = run("who_is_responsible", "--unit", "hage-01", "--role", "MAS", "--date", "2026-07-10")
    first, reason = out.strip().splitlines()
    assert first.startswith("hage-01 MAS 2026-07-10: ")
    assert "Margareta Ek" in reason


def test_who_is_responsible_without_holder_says_none():
    """Kastanjen's units have no MAS: the text says NONE."""
    out = run("who_is_responsible", "--unit", "span-04", "--role", "MAS")
    assert out.splitlines()[0].endswith(": NONE")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--unit", "finns-inte", "--role", "MAS"], "Unknown unit: finns-inte"),
        (["--unit", "hage-01", "--role", "MAS", "--date", "2026-02-30"], "Invalid date '2026-02-30': use YYYY-MM-DD."),
    ],
)
def test_who_is_responsible_errors(args, message):
    """Unknown units and bad dates are clear errors."""
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run("who_is_responsible", *args)


def test_who_is_responsible_refuses_unknown_role():
    """Only the four statutory roles are accepted."""
    with pytest.raises(CommandError):
        run("who_is_responsible", "--unit", "hage-01", "--role", "SAS")


def test_check_responsibility_json_for_a_board():
    """Farsta's findings: each with code, severity, unit code, message and legal basis."""
    data = json.loads(run("check_responsibility", "--board", "farsta", "--format", "json"))
    assert data["board"] == "farsta"
    assert data["date"] == timezone.localdate().isoformat()
    assert data["count"] == len(data["findings"]) > 0
    assert all(set(f) == {"code", "severity", "unit", "message", "legal_basis"} for f in data["findings"])
    assert all(f["unit"].startswith("fars-") for f in data["findings"])
    r7 = [f for f in data["findings"] if f["code"] == "R7"]
    assert [f["unit"] for f in r7] == ["fars-01"]
    assert r7[0]["severity"] == "error"
    assert r7[0]["message"].startswith("Två lagstadgade uppdrag som Verksamhetschef överlappar")


def test_check_responsibility_whole_municipality_has_every_rule():
    """Without --board every unit is checked; the demo has all of R1–R12."""
    data = json.loads(run("check_responsibility", "--format", "json"))
    assert {f["code"] for f in data["findings"]} == {f"R{n}" for n in range(1, 13)}


def test_check_responsibility_with_no_findings_exits_normally():
    """A date before any unit existed gives an empty list, and no error."""
    data = json.loads(run("check_responsibility", "--date", "2010-01-01", "--format", "json"))
    assert data == {"date": "2010-01-01", "board": None, "count": 0, "findings": []}


def test_check_responsibility_errors():
    """Unknown boards and bad dates are clear errors."""
    with pytest.raises(CommandError, match="Unknown board: nope"):
        run("check_responsibility", "--board", "nope")
    with pytest.raises(CommandError, match="Invalid date"):
        run("check_responsibility", "--date", "2026-13-01")
