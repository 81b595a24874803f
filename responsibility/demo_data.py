"""The demo organisation's data (SPEC §9): regions and boards, providers, unit names, demo logins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from responsibility.choices import (
    ProviderKind,
    UnitType,
)
from responsibility.validators import luhn_ok

DEMO_PASSWORD = "demo"
START = date(2024, 1, 1)

REGIONS = [
    (
        "vastra-soderort",
        "Västra söderort",
        "hagersten-liljeholmen",
        [
            ("skarholmen", "Skärholmens stadsdelsnämnd"),
            ("alvsjo", "Älvsjö stadsdelsnämnd"),
            ("hagersten-liljeholmen", "Hägersten-Liljeholmens stadsdelsnämnd"),
        ],
    ),
    (
        "ostra-soderort",
        "Östra söderort",
        "farsta",
        [
            ("skarpnack", "Skarpnäcks stadsdelsnämnd"),
            ("farsta", "Farsta stadsdelsnämnd"),
            ("enskede-arsta-vantor", "Enskede-Årsta-Vantörs stadsdelsnämnd"),
        ],
    ),
    (
        "innerstaden",
        "Innerstaden",
        "sodermalm",
        [
            ("kungsholmen", "Kungsholmens stadsdelsnämnd"),
            ("norrmalm", "Norrmalms stadsdelsnämnd"),
            ("ostermalm", "Östermalms stadsdelsnämnd"),
            ("sodermalm", "Södermalms stadsdelsnämnd"),
        ],
    ),
    (
        "vasterort",
        "Västerort",
        "bromma",
        [
            ("bromma", "Bromma stadsdelsnämnd"),
            ("spanga-tensta", "Spånga-Tensta stadsdelsnämnd"),
            ("rinkeby-kista", "Rinkeby-Kista stadsdelsnämnd"),
            ("hasselby-vallingby", "Hässelby-Vällingby stadsdelsnämnd"),
        ],
    ),
]

# (key, name, kind, route variant). Contractors run units under entreprenad;
# private providers sell places under ramavtal or LOV.
PROVIDERS = [
    ("norrsken", "Norrsken Omsorg AB", ProviderKind.CONTRACTOR, "contractor_mas"),
    ("silverbjorken", "Silverbjörken Vård AB", ProviderKind.CONTRACTOR, "contractor_mas"),
    ("trygga-hander", "Trygga Händer Omsorg AB", ProviderKind.CONTRACTOR, "contractor_mas"),
    ("solglantan", "Solgläntan Vård och Omsorg AB", ProviderKind.CONTRACTOR, "board_mas"),
    ("kastanjen", "Kastanjen Äldreomsorg AB", ProviderKind.CONTRACTOR, "contractor_mas_missing"),
    ("lindblomma", "Lindblomma Care AB", ProviderKind.CONTRACTOR, "board_mas"),
    ("havsutsikten", "Havsutsikten Privatvård AB", ProviderKind.PRIVATE, "framework"),
    ("stjarnvagen", "Stjärnvägen Boende AB", ProviderKind.PRIVATE, "choice"),
    ("malarbo", "Mälarbo Omsorg AB", ProviderKind.PRIVATE, "framework"),
    ("akerlunda", "Åkerlunda LSS AB", ProviderKind.PRIVATE, "choice_no_reporter"),
]

UNIT_NAMES = [
    "Ekängen",
    "Lärkan",
    "Solrosen",
    "Björkhagen",
    "Tallgården",
    "Sjöudden",
    "Rönnen",
    "Hagalund",
    "Vintergatan",
    "Kvarnen",
    "Ängsgården",
    "Lindängen",
    "Bergsgården",
    "Strandvägen",
    "Parkgården",
    "Klövern",
    "Vallmon",
    "Eken",
    "Almen",
    "Humlegården",
    "Kastanjegården",
    "Fyren",
    "Måsen",
    "Tranan",
    "Svanen",
    "Gläntan",
    "Ljungen",
    "Snäckan",
    "Pilen",
    "Cederträdet",
]


@dataclass
class DemoLogin:
    username: str
    role_label: str
    description: str


DEMO_LOGINS = [
    DemoLogin("mas", "MAS", "MAS, region Västra söderort"),
    DemoLogin("mar", "MAR", "MAR, region Västra söderort"),
    DemoLogin("verksamhetschef", "Verksamhetschef", "Verksamhetschef, Hägersten-Liljeholmens egen regi"),
    DemoLogin("enhetschef", "Enhetschef", "Enhetschef, Ekbacken vård- och omsorgsboende"),
    DemoLogin("rapportor", "Rapportör", "Undersköterska, Ekbacken"),
    DemoLogin("tjansteman", "Nämndens tjänsteman", "Hägersten-Liljeholmens stadsdelsnämnd"),
    DemoLogin("kvalitet", "Kvalitetsuppföljare", "Kvalitetsuppföljare, region Västra söderort"),
    DemoLogin("entreprenor-mas", "Entreprenörens MAS", "MAS, Norrsken Omsorg AB"),
    DemoLogin("admin", "Administratör", "Registeradministratör"),
]


def type_words(unit_type: str) -> str:
    """The unit type as it reads after a name: 'Almen LSS gruppbostad', 'Eken korttidsboende'."""
    label = str(UnitType(unit_type).label)
    return label if label[:3].isupper() else label[0].lower() + label[1:]


def make_org_number(seed: int) -> str:
    """A fictitious but valid organisationsnummer (556xxx-xxxx, Luhn)."""
    base = f"556{seed:06d}"
    for check in range(10):
        if luhn_ok(base + str(check)):
            digits = base + str(check)
            return f"{digits[:6]}-{digits[6:]}"
    raise AssertionError("unreachable")
