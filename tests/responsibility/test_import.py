"""Import of units and assignments from CSV/XLSX: preview lists every error, confirm saves all or nothing."""

import html
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from responsibility.choices import Role
from responsibility.models import Assignment, Board, CareProvider, Unit, UnitOperatingPeriod
from responsibility.resources import AssignmentResource, UnitResource

pytestmark = pytest.mark.django_db

UNIT_HEADER = ",".join(UnitResource.Meta.fields)
ASSIGNMENT_HEADER = ",".join(AssignmentResource.Meta.fields)


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    """Uploads land in a temporary directory, not in the checkout's var/."""
    settings.PRIVATE_FILES_ROOT = tmp_path


@pytest.fixture
def admin_client(client, demo_user):
    client.force_login(demo_user("admin"))
    return client


def _upload(client, kind: str, content: bytes | str, name: str = "fil.csv"):
    if isinstance(content, str):
        content = content.encode("utf-8")
    response = client.post(
        reverse("responsibility:import_upload", args=[kind]), {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return response.url


def _contractor_org() -> str:
    return Unit.objects.get(code="hage-02").provider.org_number


def _akerlunda_org() -> str:
    return CareProvider.objects.get(name="Åkerlunda LSS AB").org_number


def _good_units_csv() -> str:
    contract = Unit.objects.get(code="hage-02").contract.case_number
    return (
        "\n".join(
            [
                UNIT_HEADER,
                "hage-81,Lärkan vård- och omsorgsboende,care_home,hagersten-liljeholmen,hagersten-liljeholmen,own,,40,ja,ja,2026-01-01,",
                f"hage-82,Tallen korttidsboende,short_term,hagersten-liljeholmen,{_contractor_org()},contract,{contract},12,ja,nej,2026-02-01,",
            ]
        )
        + "\n"
    )


def test_good_unit_file_previews_then_imports(admin_client):
    """A correct file saves nothing on preview and every row on confirm, with operating periods."""
    preview_url = _upload(admin_client, "units", _good_units_csv())
    body = admin_client.get(preview_url).content.decode()
    assert "Alla 2 rader är korrekta och klara att importera." in body
    assert not Unit.objects.filter(code__in=["hage-81", "hage-82"]).exists()
    response = admin_client.post(preview_url, {"confirm": "1"}, follow=True)
    assert "2 rader importerades." in response.content.decode()
    assert Unit.objects.get(code="hage-82").operating_form == "contract"
    assert UnitOperatingPeriod.objects.filter(unit__code__in=["hage-81", "hage-82"]).count() == 2
    # The stored file is gone: the preview cannot be confirmed twice.
    assert admin_client.post(preview_url, {"confirm": "1"}).status_code == 404


def test_unit_file_with_two_bad_rows_lists_both_errors_and_saves_nothing(admin_client):
    """Two bad rows (unknown board, bad date) are both listed by row and column; confirm saves nothing."""
    content = "\n".join(
        [
            UNIT_HEADER,
            "hage-81,Lärkan,care_home,hagersten-liljeholmen,hagersten-liljeholmen,own,,40,ja,ja,2026-01-01,",
            "hage-82,Tallen,care_home,ingen-namnd,hagersten-liljeholmen,own,,40,ja,ja,2026-01-01,",
            "hage-83,Eken,care_home,hagersten-liljeholmen,hagersten-liljeholmen,own,,40,ja,ja,1 jan 2026,",
        ]
    )
    preview_url = _upload(admin_client, "units", content)
    body = html.unescape(admin_client.get(preview_url).content.decode())
    assert "Filen har 2 fel. Ingenting har sparats." in body
    rows = re.findall(
        r'<tr><th scope="row">(\d+)</th><td><code>(\w+)</code></td><td class="finding-error">([^<]+)</td>', body
    )
    assert rows == [
        ("3", "board", "Det finns ingen nämnd med nyckeln ingen-namnd."),
        ("4", "active_from", "Skriv datumet som ÅÅÅÅ-MM-DD, inte 1 jan 2026."),
    ]
    assert "Bekräfta importen" not in body
    response = admin_client.post(preview_url, {"confirm": "1"})
    assert "Filen har 2 fel." in response.content.decode()
    assert not Unit.objects.filter(code__in=["hage-81", "hage-82", "hage-83"]).exists()


def test_unit_rules_of_the_services_apply_to_each_row(admin_client):
    """A row without a board, a contractor in own operation and a taken code are each refused."""
    content = "\n".join(
        [
            UNIT_HEADER,
            "hage-84,Utan nämnd,care_home,,hagersten-liljeholmen,own,,0,ja,nej,,",
            f"hage-85,Fel regiform,care_home,hagersten-liljeholmen,{_contractor_org()},own,,0,ja,nej,,",
            "hage-01,Dubblett,care_home,hagersten-liljeholmen,hagersten-liljeholmen,own,,0,ja,nej,,",
            "hage-86,Okänd typ,slott,hagersten-liljeholmen,hagersten-liljeholmen,own,,0,kanske,nej,,",
        ]
    )
    body = html.unescape(admin_client.get(_upload(admin_client, "units", content)).content.decode())
    assert "En enhet måste höra till en nämnd." in body
    assert "En enhet som drivs av en entreprenör eller privat utförare är inte i egen regi." in body
    assert "Det finns redan en enhet med koden hage-01. Ändra den i webbläsaren." in body
    assert "Okänt värde slott." in body
    assert "Skriv ja eller nej, inte kanske." in body
    assert Unit.objects.filter(name="Utan nämnd").count() == 0


def _person_email(key: str) -> str:
    return f"{key}@demo.masportalen.se"


def test_assignment_file_with_two_bad_rows_saves_nothing(admin_client):
    """An unlicensed MAS and a reversed period are listed; the good row is not saved either."""
    before = Assignment.objects.count()
    content = "\n".join(
        [
            ASSIGNMENT_HEADER,
            f"{_person_email('nurse-hage-01')},MAS,statutory,,,,hage-01,2026-01-01,,ja,Beslut 1",
            f"{_person_email('staff-hage-01')},MAS,statutory,,,,hage-03,2026-01-01,,ja,Beslut 2",
            f"{_person_email('nurse-hage-03')},OPERATIONS_MANAGER,statutory,,,,hage-04,2026-05-01,2026-04-30,ja,Beslut 3",
        ]
    )
    preview_url = _upload(admin_client, "assignments", content)
    body = html.unescape(admin_client.get(preview_url).content.decode())
    assert "Filen har 2 fel. Ingenting har sparats." in body
    assert "En MAS måste vara legitimerad sjuksköterska (HSL 11 kap. 4 §)." in body
    assert "'Gäller till' kan inte vara före 'gäller från'." in body
    admin_client.post(preview_url, {"confirm": "1"})
    assert Assignment.objects.count() == before


def test_overlapping_rows_in_one_file_are_refused(admin_client):
    """Two statutory MAS rows for the same unit and period: the second is refused as an overlap."""
    content = "\n".join(
        [
            ASSIGNMENT_HEADER,
            f"{_person_email('nurse-hage-01')},MAS,,,,,hage-01,2026-01-01,,,",
            f"{_person_email('nurse-hage-03')},MAS,,,,,hage-01,2026-06-01,2026-12-31,,",
        ]
    )
    body = html.unescape(admin_client.get(_upload(admin_client, "assignments", content)).content.decode())
    assert "Filen har 1 fel." in body
    assert "har redan denna lagstadgade roll för samma omfattning från 2026-01-01 till tills vidare" in body


def test_good_assignment_file_in_xlsx_imports(admin_client):
    """An XLSX file with provider (by organisation number) and unit scopes is imported."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(AssignmentResource.Meta.fields))
    sheet.append(
        [
            _person_email("nurse-hage-01"),
            "MAS",
            "statutory",
            None,
            None,
            None,
            "hage-01",
            "2026-01-01",
            None,
            "ja",
            "Beslut 2026",
        ]
    )
    # Åkerlunda has no verksamhetschef yet; the role is written as its Swedish label.
    sheet.append(
        [
            _person_email("nurse-hage-03"),
            "Verksamhetschef",
            "statutory",
            None,
            None,
            _akerlunda_org(),
            None,
            "2027-01-01",
            None,
            "nej",
            None,
        ]
    )
    sheet.append([None] * 11)  # blank rows are ignored
    buffer = io.BytesIO()
    workbook.save(buffer)
    preview_url = _upload(admin_client, "assignments", buffer.getvalue(), name="uppdrag.xlsx")
    assert "Alla 2 rader är korrekta" in admin_client.get(preview_url).content.decode()
    admin_client.post(preview_url, {"confirm": "1"})
    mas = Assignment.objects.get(person__email=_person_email("nurse-hage-01"), role=Role.MAS)
    assert mas.unit.code == "hage-01"
    assert mas.basis == "Beslut 2026"
    manager = Assignment.objects.get(person__email=_person_email("nurse-hage-03"), role=Role.OPERATIONS_MANAGER)
    assert manager.provider.org_number == _akerlunda_org()
    assert manager.has_staffing_mandate is False


def test_semicolon_csv_and_board_code_for_own_provider(admin_client):
    """Swedish Excel's semicolon CSV works; the municipality's own provider is named by its board's code."""
    content = (
        ASSIGNMENT_HEADER.replace(",", ";")
        + "\n"
        + ";".join(
            [
                _person_email("nurse-hage-01"),
                "QUALITY_AUDITOR",
                "follow_up",
                "",
                "",
                "skarholmen",
                "",
                "2030-01-01",
                "",
                "",
                "",
            ]
        )
    )
    preview_url = _upload(admin_client, "assignments", content)
    body = admin_client.get(preview_url).content.decode()
    assert "1 rad är korrekt" in body, html.unescape(body)[-3000:]


def test_missing_column_is_reported_before_any_row(admin_client):
    """A file without a required column is refused with the column named."""
    body = html.unescape(admin_client.get(_upload(admin_client, "units", "code,name\nx,y\n")).content.decode())
    assert "Kolumnen saknas. Använd mallens kolumnnamn." in body
    assert "<code>board</code>" in body


def test_changes_after_preview_are_caught_on_confirm(admin_client):
    """Confirm validates again: a unit created after the preview makes the import fail and save nothing."""
    preview_url = _upload(admin_client, "units", _good_units_csv())
    assert "Alla 2 rader" in admin_client.get(preview_url).content.decode()
    board = Board.objects.get(code="hagersten-liljeholmen")
    Unit.objects.create(
        municipality=board.municipality,
        code="hage-82",
        name="Hann före",
        unit_type="care_home",
        board=board,
        provider=Unit.objects.get(code="hage-01").provider,
        operating_form="own",
    )
    response = admin_client.post(preview_url, {"confirm": "1"})
    assert "Det finns redan en enhet med koden hage-82" in html.unescape(response.content.decode())
    assert not Unit.objects.filter(code="hage-81").exists()


def test_a_preview_belongs_to_the_session_that_uploaded_it(admin_client, client, demo_user, django_user_model):
    """Another admin's session cannot open or confirm someone else's upload."""
    preview_url = _upload(admin_client, "units", _good_units_csv())
    other = django_user_model.objects.create_superuser("admin2", "a2@example.se", "x")
    from django.test import Client

    other_client = Client()
    other_client.force_login(other)
    assert other_client.get(preview_url).status_code == 404
    assert other_client.post(preview_url, {"confirm": "1"}).status_code == 404
    assert not Unit.objects.filter(code="hage-81").exists()


def test_wrong_file_type_is_refused(admin_client):
    """Only .csv and .xlsx files are accepted, with a Swedish message."""
    response = admin_client.post(
        reverse("responsibility:import_upload", args=["units"]), {"file": SimpleUploadedFile("fil.pdf", b"%PDF")}
    )
    assert "Ladda upp en fil som slutar på .csv eller .xlsx." in response.content.decode()


def test_templates_have_the_columns(admin_client):
    """The downloadable templates start with the import columns."""
    for kind, header in (("units", UNIT_HEADER), ("assignments", ASSIGNMENT_HEADER)):
        response = admin_client.get(reverse("responsibility:import_template", args=[kind]))
        assert response["Content-Type"].startswith("text/csv")
        assert response.content.decode("utf-8-sig").splitlines()[0] == header


def test_stale_uploads_are_deleted_on_the_next_upload(admin_client, settings):
    """An upload left unconfirmed for more than a day is removed when someone uploads again."""
    import os
    import time
    from pathlib import Path

    folder = Path(settings.PRIVATE_FILES_ROOT) / "register-imports"
    folder.mkdir(parents=True, exist_ok=True)
    stale = folder / "0123456789abcdef0123456789abcdef.csv"
    stale.write_text("code\n")
    old = time.time() - 2 * 24 * 3600
    os.utime(stale, (old, old))
    _upload(admin_client, "units", _good_units_csv())
    assert not stale.exists()
    assert len(list(folder.iterdir())) == 1
