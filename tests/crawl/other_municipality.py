"""A second municipality for the crawl: its own admin, units, contracts, deviations, a Lex Maria case,
a complaint and a follow-up, so that every role of the demo municipality meets objects of another
municipality among the "foreign" ones (and must get 404/403 on them, never their data).

The organisation, people, deviations, Lex Maria cases and follow-ups come from the volume
generator (small); the complaint is registered through the product's service; the admin is a
superuser whose person belongs to the second municipality.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

CODE = "vol-900"
ADMIN = "admin-andra-kommunen"
NUMBER = 900
RANGE = 900_000  # where the references of this municipality are moved to (see _renumber)


@dataclass
class OtherMunicipality:
    municipality_id: int
    admin_username: str


def build() -> OtherMunicipality:
    """Create the second municipality (inside the caller's transaction) and return what names it."""
    from bench.volume import VolumeSpec, generate, personnummer
    from complaints.demo import _categories
    from complaints.services import ComplaintInput, complaint_register
    from incidents.lexmaria.models import LexMariaCase
    from incidents.models import Deviation
    from responsibility.choices import Profession, Role
    from responsibility.models import Assignment, Municipality, Person, Unit

    today = timezone.localdate()
    generate(
        spec=VolumeSpec(
            municipalities=1, first=NUMBER, deviations=300, years=1, boards=1, units_per_board=2, today=today, seed=11
        )
    )
    municipality = Municipality.objects.get(code=CODE)
    users = get_user_model().objects
    admin = users.create_user(ADMIN, first_name="Anna", last_name="Andra", is_staff=True, is_superuser=True)
    Person.objects.create(
        municipality=municipality,
        user=admin,
        first_name="Anna",
        last_name="Andra",
        profession=Profession.ADMINISTRATOR,
        title="Registeradministratör",
    )
    # A complaint (with a patient's personnummer), registered by a unit manager of the municipality.
    manager = (
        Assignment.objects.filter(
            person__municipality=municipality, role=Role.UNIT_MANAGER, person__user__isnull=False, valid_to__isnull=True
        )
        .select_related("person__user", "unit")
        .order_by("pk")
        .first()
    )
    categories = list(_categories(municipality).values())[:1]
    complaint_register(
        user=manager.person.user,
        data=ComplaintInput(
            unit=Unit.objects.get(pk=manager.unit_id),
            received_on=today - timedelta(days=3),
            channel="letter",
            complainant_kind="patient",
            categories=categories,
            description="Klagomål i den andra kommunen.",
            patient_identifier=personnummer(990_001),
        ),
    )
    _renumber(municipality)
    assert Deviation.objects.filter(municipality=municipality).exists()
    assert LexMariaCase.objects.filter(deviation__municipality=municipality).exists(), "no Lex Maria case"
    return OtherMunicipality(municipality_id=municipality.pk, admin_username=ADMIN)


def _renumber(municipality) -> None:
    """Move the municipality's references to their own range (AV-2026-900012, …).

    Reference series are per municipality, so both municipalities have an AV-2026-000012; the
    crawl's leak check looks for references in page text and must tell the two apart.
    """
    from complaints.models import Complaint
    from incidents.lexmaria.models import LexMariaCase
    from incidents.models import Deviation

    def moved(reference: str) -> str:
        prefix, year, number = reference.split("-")
        return f"{prefix}-{year}-{RANGE + int(number):06d}"

    for model, where in (
        (Deviation, {"municipality": municipality}),
        (LexMariaCase, {"deviation__municipality": municipality}),
        (Complaint, {"municipality": municipality}),
    ):
        for pk, reference in model.objects.filter(**where).exclude(reference="").values_list("pk", "reference"):
            model.objects.filter(pk=pk).update(reference=moved(reference))
