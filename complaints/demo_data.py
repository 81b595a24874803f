"""The demo complaints and collaboration deviations as data (SPEC §6a, §9): categories, counterparts, cases."""

from __future__ import annotations

from dataclasses import dataclass, field

from complaints.choices import (
    Channel,
    CollaborationState,
    ComplainantKind,
    ComplaintState,
    CounterpartKind,
    Direction,
    Outcome,
)

# (code, name, concerns health care, rehabilitation, deviation category code)
CATEGORIES = [
    ("vard-behandling", "Vård och behandling", True, False, "vard-behandling"),
    ("lakemedel", "Läkemedel", True, False, "lakemedel"),
    ("omvardnad", "Omvårdnad och hygien", True, False, "infektion-hygien"),
    ("rehabilitering", "Rehabilitering och hjälpmedel", True, True, "mtp-hjalpmedel"),
    ("bemotande", "Bemötande", False, False, "bemotande"),
    ("kommunikation", "Kommunikation och information", False, False, "information"),
    ("tillganglighet", "Tillgänglighet och väntetider", False, False, "ovrigt"),
    ("ovrigt", "Övrigt", False, False, "ovrigt"),
]

COUNTERPARTS = [
    (
        "region-stockholm",
        "Region Stockholm",
        CounterpartKind.REGION,
        "Samverkansfunktionen, Region Stockholm",
        "samverkan@regionstockholm.example",
        "08-123 456 00",
        2,
    ),
    (
        "huslakare-hagersten",
        "Husläkarmottagningen Hägersten AB",
        CounterpartKind.PROVIDER,
        "Verksamhetschef Jonas Ek",
        "info@huslakare-hagersten.example",
        "08-555 010 20",
        1,
    ),
]
SERIES_START = 900001
DEMO_PNR = "19400412-1226"


@dataclass
class ComplaintSpec:
    unit: str
    days_ago: int
    channel: str
    complainant: str
    categories: list[str]
    description: str
    state: str = ComplaintState.REGISTERED
    acknowledged_after: int | None = None
    answered_after: int | None = None
    outcome: str = ""
    external_deadline_in: int | None = None
    external_case_number: str = ""
    patient: bool = False
    start_deviation: bool = False
    extra: dict = field(default_factory=dict)
    # Received last calendar year on this (month, day) instead of ``days_ago`` (the annual reports' year).
    last_year_on: tuple[int, int] | None = None


COMPLAINTS = [
    ComplaintSpec(
        "hage-01",
        3,
        Channel.PHONE,
        ComplainantKind.RELATIVE,
        ["bemotande"],
        "Dottern ringde: hennes mamma fick vänta länge på hjälp vid toalettbesök på kvällen.",
    ),
    ComplaintSpec(
        "hage-01",
        40,
        Channel.LETTER,
        ComplainantKind.PATIENT,
        ["vard-behandling", "lakemedel"],
        "Brev om att smärtlindringen inte gavs enligt ordination under en helg.",
        state=ComplaintState.INVESTIGATING,
        acknowledged_after=2,
    ),
    ComplaintSpec(
        "hage-01",
        12,
        Channel.EMAIL,
        ComplainantKind.RELATIVE,
        ["omvardnad"],
        "Make till boende skriver att munvården har brustit under flera veckor.",
    ),
    ComplaintSpec(
        "hage-01",
        6,
        Channel.IVO,
        ComplainantKind.RELATIVE,
        ["vard-behandling"],
        "IVO har överlämnat ett klagomål om att en boende inte fick läkarkontakt vid försämring.",
        state=ComplaintState.ACKNOWLEDGED,
        acknowledged_after=1,
        external_deadline_in=10,
        external_case_number="IVO 3.5.1-04512/2026",
        patient=True,
    ),
    ComplaintSpec(
        "hage-01",
        60,
        Channel.IN_PERSON,
        ComplainantKind.PATIENT,
        ["lakemedel"],
        "Boende berättade vid besök att fel tabletter delats ut vid lunch.",
        state=ComplaintState.CLOSED,
        acknowledged_after=1,
        answered_after=14,
        outcome=Outcome.FOUNDED,
        patient=True,
        start_deviation=True,
    ),
    ComplaintSpec(
        "skar-01",
        30,
        Channel.LETTER,
        ComplainantKind.RELATIVE,
        ["kommunikation"],
        "Anhörig fick inte besked om att hennes far flyttats till korttidsboende.",
        state=ComplaintState.CLOSED,
        acknowledged_after=3,
        answered_after=20,
        outcome=Outcome.UNFOUNDED,
    ),
    ComplaintSpec(
        "hage-02",
        20,
        Channel.PHONE,
        ComplainantKind.RELATIVE,
        ["lakemedel", "omvardnad"],
        "Anhörig uppger att insulinet gavs för sent flera morgnar i rad.",
        state=ComplaintState.INVESTIGATING,
        acknowledged_after=2,
    ),
    ComplaintSpec(
        "alvs-01",
        100,
        Channel.EMAIL,
        ComplainantKind.ANONYMOUS,
        ["tillganglighet"],
        "Anonymt mejl om att det är svårt att nå avdelningen på telefon.",
        state=ComplaintState.CLOSED,
        acknowledged_after=4,
        answered_after=35,
        outcome=Outcome.PARTLY_FOUNDED,
    ),
    ComplaintSpec(
        "skar-02",
        35,
        Channel.PATIENT_BOARD,
        ComplainantKind.PATIENT,
        ["vard-behandling"],
        "Patientnämnden har överlämnat synpunkter på hur ett fall följdes upp.",
        state=ComplaintState.ACKNOWLEDGED,
        acknowledged_after=3,
    ),
    # Last year's complaints, all answered and closed (the patientsäkerhetsberättelse analyses them).
    ComplaintSpec(
        "hage-01",
        0,
        Channel.LETTER,
        ComplainantKind.RELATIVE,
        ["omvardnad"],
        "Anhörig skriver att hennes mor inte fått hjälp med munvård på flera dagar.",
        state=ComplaintState.CLOSED,
        acknowledged_after=2,
        answered_after=21,
        outcome=Outcome.FOUNDED,
        patient=True,
        last_year_on=(2, 11),
    ),
    ComplaintSpec(
        "hage-01",
        0,
        Channel.PHONE,
        ComplainantKind.PATIENT,
        ["bemotande"],
        "Boende upplevde att nattpersonalen talade över huvudet på honom.",
        state=ComplaintState.CLOSED,
        acknowledged_after=2,
        answered_after=21,
        outcome=Outcome.PARTLY_FOUNDED,
        patient=False,
        last_year_on=(3, 28),
    ),
    ComplaintSpec(
        "hage-01",
        0,
        Channel.EMAIL,
        ComplainantKind.RELATIVE,
        ["lakemedel"],
        "Son frågar varför smärtplåstret inte byttes enligt ordination.",
        state=ComplaintState.CLOSED,
        acknowledged_after=2,
        answered_after=21,
        outcome=Outcome.FOUNDED,
        patient=True,
        last_year_on=(5, 6),
    ),
    ComplaintSpec(
        "hage-01",
        0,
        Channel.IN_PERSON,
        ComplainantKind.RELATIVE,
        ["kommunikation"],
        "Anhöriga fick inte veta att läkaren ändrat behandlingen.",
        state=ComplaintState.CLOSED,
        acknowledged_after=2,
        answered_after=21,
        outcome=Outcome.PARTLY_FOUNDED,
        patient=False,
        last_year_on=(6, 17),
    ),
    ComplaintSpec(
        "hage-01",
        0,
        Channel.LETTER,
        ComplainantKind.PATIENT,
        ["rehabilitering"],
        "Boende har väntat länge på utprovning av ny rullstol.",
        state=ComplaintState.CLOSED,
        acknowledged_after=2,
        answered_after=21,
        outcome=Outcome.FOUNDED,
        patient=False,
        last_year_on=(8, 25),
    ),
    ComplaintSpec(
        "hage-01",
        0,
        Channel.PHONE,
        ComplainantKind.RELATIVE,
        ["tillganglighet"],
        "Svårt att nå sjuksköterskan på telefon kvällstid.",
        state=ComplaintState.CLOSED,
        acknowledged_after=2,
        answered_after=21,
        outcome=Outcome.UNFOUNDED,
        patient=False,
        last_year_on=(9, 30),
    ),
    ComplaintSpec(
        "hage-01",
        0,
        Channel.PATIENT_BOARD,
        ComplainantKind.PATIENT,
        ["vard-behandling"],
        "Patientnämnden överlämnar synpunkter på uppföljningen efter ett fall.",
        state=ComplaintState.CLOSED,
        acknowledged_after=2,
        answered_after=21,
        outcome=Outcome.PARTLY_FOUNDED,
        patient=True,
        last_year_on=(11, 12),
    ),
    ComplaintSpec(
        "hage-01",
        0,
        Channel.EMAIL,
        ComplainantKind.ANONYMOUS,
        ["ovrigt"],
        "Anonymt mejl om att besökstiderna inte anslagits.",
        state=ComplaintState.CLOSED,
        acknowledged_after=2,
        answered_after=21,
        outcome=Outcome.WITHDRAWN,
        patient=False,
        last_year_on=(12, 3),
    ),
]


@dataclass
class CollaborationSpec:
    direction: str
    counterpart: str
    unit: str
    category: str
    occurred_days_ago: int
    description: str
    state: str
    agreement: bool = False
    sent_days_ago: int | None = None
    received_days_ago: int | None = None
    reply_days_ago: int | None = None
    reply: str = ""
    assessment: str = ""


COLLABORATIONS = [
    CollaborationSpec(
        Direction.OUTGOING,
        "region-stockholm",
        "hage-01",
        "information",
        80,
        "Boende skrevs ut från sjukhus utan aktuell läkemedelslista; kvällsdoserna kunde inte ges.",
        CollaborationState.SENT,
        agreement=True,
        sent_days_ago=78,
    ),
    CollaborationSpec(
        Direction.OUTGOING,
        "region-stockholm",
        "skar-01",
        "vard-behandling",
        50,
        "Läkare gick inte att nå under natten trots avtalets tillgänglighet dygnet runt.",
        CollaborationState.REPLIED,
        agreement=True,
        sent_days_ago=48,
        reply_days_ago=10,
        reply="Regionen har sett över bemanningen av jourläkare nattetid.",
    ),
    CollaborationSpec(
        Direction.OUTGOING,
        "region-stockholm",
        "hage-01",
        "lakemedel",
        120,
        "Ordinationsändring efter läkarbesök fördes inte in i läkemedelslistan.",
        CollaborationState.CLOSED,
        agreement=True,
        sent_days_ago=118,
        reply_days_ago=70,
        reply="Rutinen för ordinationsändringar har förtydligats för läkarna.",
        assessment="Svaret är tillräckligt; följs upp vid nästa samverkansmöte.",
    ),
    CollaborationSpec(
        Direction.OUTGOING,
        "huslakare-hagersten",
        "alvs-01",
        "information",
        7,
        "Remissvar kom inte fram till sjuksköterskan på boendet.",
        CollaborationState.SENT,
        sent_days_ago=5,
    ),
    CollaborationSpec(
        Direction.INCOMING,
        "region-stockholm",
        "hage-01",
        "information",
        12,
        "Regionen: vid inskrivning på sjukhus saknades uppgift om boendets läkemedelsgivning.",
        CollaborationState.REGISTERED,
        received_days_ago=10,
    ),
    CollaborationSpec(
        Direction.INCOMING,
        "region-stockholm",
        "hage-01",
        "vard-behandling",
        32,
        "Regionen: patient skickades till akuten utan överrapportering från boendet.",
        CollaborationState.FORWARDED,
        agreement=True,
        received_days_ago=30,
    ),
    CollaborationSpec(
        Direction.INCOMING,
        "region-stockholm",
        "skar-01",
        "trycksar",
        75,
        "Regionen: trycksår upptäcktes vid ankomst till sjukhus utan att ha dokumenterats.",
        CollaborationState.CLOSED,
        received_days_ago=70,
        reply_days_ago=40,
        reply="Boendet har infört riskbedömning av trycksår vid inflyttning och varje månad.",
        assessment="Svaret skickat till regionen; åtgärden följs upp i egenkontrollen.",
    ),
]
