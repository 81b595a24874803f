"""The default checklist: the MAS duty areas of HSF 2017:80 4 kap. 6 § (editable data once seeded)."""

DEFAULT_TEMPLATE_CODE = "mas-ansvarsomraden"
DEFAULT_TEMPLATE_NAME = "MAS ansvarsområden (HSF 4 kap. 6 §)"
DEFAULT_TEMPLATE_DESCRIPTION = "Checklista för avtalsuppföljning och tillsyn byggd på MAS ansvarsområden."
# (code, duty area, question, legal basis); the data migration 0002 holds a frozen copy.
DEFAULT_TEMPLATE_ITEMS = [
    (
        "lakemedel",
        "medication",
        "Hanteras läkemedel enligt gällande föreskrifter och lokala rutiner (ordination, iordningställande, administrering, förvaring)?",
        "HSLF-FS 2017:37; HSF 4 kap. 6 §",
    ),
    (
        "lakarkontakt",
        "physician_contact",
        "Kontaktas läkare eller annan hälso- och sjukvårdspersonal när en patients tillstånd kräver det?",
        "HSF 4 kap. 6 § 1",
    ),
    (
        "delegering",
        "delegation",
        "Finns skriftliga, personliga och tidsbegränsade delegeringsbeslut för de uppgifter som utförs av icke legitimerad personal?",
        "SOSFS 1997:14; HSF 4 kap. 6 § 5",
    ),
    (
        "journal",
        "records",
        "Förs patientjournal enligt patientdatalagen och sker regelbunden loggkontroll?",
        "PDL 3 kap., 4 kap. 3 §; HSLF-FS 2016:40",
    ),
    (
        "avvikelser",
        "deviations",
        "Rapporteras, utreds och följs avvikelser upp, och anmäls allvarliga vårdskador enligt Lex Maria?",
        "PSL 3 kap. 5 §, 6 kap. 4 §; HSLF-FS 2017:41",
    ),
    (
        "mtp",
        "medical_devices",
        "Hanteras medicintekniska produkter och hjälpmedel säkert (kontroll, underhåll, utbildning)?",
        "HSLF-FS 2021:52; HSF 4 kap. 6 §",
    ),
    (
        "rehabilitering",
        "rehabilitation",
        "Får patienterna rehabilitering, habilitering och hjälpmedel enligt bedömt behov?",
        "HSL 11 kap. 4 §; prop. 2025/26:19",
    ),
    ("hygien", "hygiene", "Följer personalen basala hygienrutiner och klädregler?", "SOSFS 2015:10"),
]
