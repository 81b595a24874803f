"""The demo organisation's people and their assignments (SPEC §9), seeding one real case of each check."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from responsibility.choices import (
    AssignmentKind,
    Profession,
    ProviderKind,
    Role,
)
from responsibility.demo_data import (
    PROVIDERS,
)
from responsibility.models import Assignment

if TYPE_CHECKING:
    from responsibility.demo import DemoBuilder


def seed_people(b: DemoBuilder) -> None:
    """The demo people and their assignments, with one real case of each check R1–R10."""
    rng = b.rng
    first_names = [
        "Anna",
        "Maria",
        "Karin",
        "Sara",
        "Eva",
        "Lena",
        "Emma",
        "Johan",
        "Erik",
        "Lars",
        "Ali",
        "Fatima",
        "Mikael",
        "Sofia",
        "Ida",
        "Nils",
        "Amir",
        "Elin",
        "Hanna",
        "Per",
    ]
    last_names = [
        "Andersson",
        "Johansson",
        "Karlsson",
        "Nilsson",
        "Eriksson",
        "Larsson",
        "Olsson",
        "Persson",
        "Svensson",
        "Gustafsson",
        "Pettersson",
        "Jonsson",
        "Hassan",
        "Lindberg",
        "Berg",
        "Holm",
    ]

    def name() -> tuple[str, str]:
        return rng.choice(first_names), rng.choice(last_names)

    # Region MAS and MAR (statutory for egen regi and for contracts where the board kept the duty).
    for r_code, region in b.regions.items():
        demo = r_code == "vastra-soderort"
        mas = b.person(
            f"mas-{r_code}",
            *(("Margareta", "Ek") if demo else name()),
            Profession.NURSE,
            title="Medicinskt ansvarig sjuksköterska",
            username="mas" if demo else None,
        )
        mar = b.person(
            f"mar-{r_code}",
            *(("Rasmus", "Lind") if demo else name()),
            Profession.PHYSIOTHERAPIST,
            title="Medicinskt ansvarig för rehabilitering",
            username="mar" if demo else None,
        )
        mas_a = b.assign(mas, Role.MAS, scope=region, basis="Beslut om regional MAS 2024")
        mar_valid_to = date(2026, 6, 30) if r_code == "innerstaden" else None
        b.assign(mar, Role.MAR, scope=region, valid_to=mar_valid_to)
        if r_code == "innerstaden":
            # The new MAR starts with a gap: R3 findings from 2026-07-01 until then.
            b.assign(mar, Role.MAR, scope=region, valid_from=date(2026, 9, 1))
        for b_code, board in b.boards.items():
            if board.region_id == region.pk:
                b.assign(mas, Role.LEX_MARIA_REPORTER, scope=b.municipal[b_code])
        # Where a contract leaves the MAS duty with the board, the resolver searches unit → board →
        # region: the region MAS is the municipal vårdgivare's anmälningsansvarig there too.
        b.assign(mas, Role.LEX_MARIA_REPORTER, scope=region, basis="Beslut om anmälningsansvarig 2024")
        # A deputy during the MAS's holiday.
        deputy = b.person(f"mas-deputy-{r_code}", *name(), Profession.NURSE, title="Sjuksköterska, ersättare")
        b.assign(
            deputy,
            Role.MAS,
            scope=region,
            valid_from=date(2026, 7, 6),
            valid_to=date(2026, 8, 2),
            deputy_for=mas_a,
            basis="Semesterersättare",
        )
        # The MAS also acts as kvalitetsuppföljare (follow-up, not statutory).
        auditor = b.person(
            f"auditor-{r_code}",
            *(("Kerstin", "Strand") if demo else name()),
            Profession.NURSE,
            title="Kvalitetsuppföljare",
            username="kvalitet" if demo else None,
        )
        b.assign(auditor, Role.QUALITY_AUDITOR, scope=region, kind=AssignmentKind.FOLLOW_UP)
        b.assign(mas, Role.QUALITY_AUDITOR, scope=region, kind=AssignmentKind.FOLLOW_UP)

    # Board officials and the municipal verksamhetschef per board.
    for b_code, board in b.boards.items():
        demo = b_code == "hagersten-liljeholmen"
        official = b.person(
            f"official-{b_code}",
            *(("Olof", "Sjöberg") if demo else name()),
            Profession.ADMINISTRATOR,
            title="Nämndsekreterare",
            username="tjansteman" if demo else None,
        )
        b.assign(official, Role.BOARD_OFFICIAL, scope=board, kind=AssignmentKind.FOLLOW_UP)
        vc = b.person(
            f"vc-{b_code}",
            *(("Viktor", "Hedlund") if demo else name()),
            Profession.MANAGER,
            title="Verksamhetschef",
            username="verksamhetschef" if demo else None,
        )
        # R9: one board's verksamhetschef lacks the mandate over staffing.
        b.assign(vc, Role.OPERATIONS_MANAGER, scope=b.municipal[b_code], has_staffing_mandate=b_code != "alvsjo")

    # Providers: own MAS, anmälningsansvarig and verksamhetschef per the variant.
    for key, _name, kind, variant in PROVIDERS:
        provider = b.providers[key]
        demo = key == "norrsken"
        vc = b.person(f"vc-{key}", *name(), Profession.MANAGER, title="Verksamhetschef")
        # R1: Åkerlunda has no verksamhetschef; Trygga Händer's is added below (R10).
        if key not in ("trygga-hander", "akerlunda"):
            b.assign(vc, Role.OPERATIONS_MANAGER, scope=provider)
        if variant in ("contractor_mas", "framework", "choice", "choice_no_reporter"):
            if key == "malarbo":
                # R8: a small provider whose verksamhetschef is also its MAS.
                mas = b.person(f"vcmas-{key}", *name(), Profession.NURSE, title="Verksamhetschef och MAS")
                b.assign(mas, Role.OPERATIONS_MANAGER, scope=provider, valid_from=date(2025, 1, 1))
                Assignment.objects.filter(
                    person=vc, provider=provider, role=Role.OPERATIONS_MANAGER, valid_to__isnull=True
                ).update(valid_to=date(2024, 12, 31))
            else:
                mas = b.person(
                    f"mas-{key}",
                    *(("Cecilia", "Norén") if demo else name()),
                    Profession.NURSE,
                    title="MAS",
                    username="entreprenor-mas" if demo else None,
                )
            b.assign(mas, Role.MAS, scope=provider, basis="Avtal 4.11" if kind == ProviderKind.CONTRACTOR else "")
            if variant != "choice_no_reporter":  # R6: Åkerlunda has no anmälningsansvarig.
                b.assign(mas, Role.LEX_MARIA_REPORTER, scope=provider)
            rehab = b.person(f"mar-{key}", *name(), Profession.OCCUPATIONAL_THERAPIST, title="MAR")
            if key not in ("stjarnvagen",):  # R3: Stjärnvägen provides rehabilitation without MAR.
                b.assign(rehab, Role.MAR, scope=provider, valid_from=date(2026, 7, 1))
        if variant == "contractor_mas_missing":
            # R5/R2: Kastanjen's contract gives it the MAS duty, but it has appointed nobody.
            b.assign(vc, Role.LEX_MARIA_REPORTER, scope=provider)
    # R10: Trygga Händer's verksamhetschef leaves soon and no successor is appointed.
    vc_th = b.people["vc-trygga-hander"]
    b.assign(
        vc_th,
        Role.OPERATIONS_MANAGER,
        scope=b.providers["trygga-hander"],
        valid_to=b.today + timedelta(days=20),
    )
    # R4: a MAS whose legitimation was later revoked (data kept as registered).
    revoked = b.people["mas-silverbjorken"]
    if revoked.licensed:
        revoked.licensed = False
        revoked.save(update_fields=["licensed"])

    # Units: enhetschef and reporters; the demo unit Ekbacken gets the demo logins.
    for code, unit in b.units.items():
        demo = code == "hage-01"
        manager = b.person(
            f"ec-{code}",
            *(("Elsa", "Berg") if demo else name()),
            Profession.MANAGER,
            title="Enhetschef",
            username="enhetschef" if demo else None,
        )
        b.assign(manager, Role.UNIT_MANAGER, scope=unit, kind=AssignmentKind.FOLLOW_UP)
        reporter = b.person(
            f"staff-{code}",
            *(("Rut", "Nyberg") if demo else name()),
            Profession.ASSISTANT_NURSE,
            licensed=False,
            title="Undersköterska",
            username="rapportor" if demo else None,
        )
        b.assign(reporter, Role.REPORTER, scope=unit, kind=AssignmentKind.FOLLOW_UP)
        b.assign(manager, Role.REPORTER, scope=unit, kind=AssignmentKind.FOLLOW_UP)
        nurse = b.person(f"nurse-{code}", *name(), Profession.NURSE, title="Sjuksköterska")
        b.assign(nurse, Role.REPORTER, scope=unit, kind=AssignmentKind.FOLLOW_UP)
    # R1 and R7 on two units: one lacks a verksamhetschef, another has two at once.
    # R7 is on Farsta's own unit, not on the demo unit Ekbacken, whose verksamhetschef the demo logins use.
    r7_unit = b.units["fars-01"]
    for n in (1, 2):
        vc = b.person(f"vc-dup-{n}", *name(), Profession.MANAGER, title="Verksamhetschef")
        b.assign(vc, Role.OPERATIONS_MANAGER, scope=r7_unit, valid_from=date(2025, 1, 1 + n))
    # The demo admin.
    b.person("admin", "Ada", "Admin", Profession.ADMINISTRATOR, title="Registeradministratör", username="admin")
