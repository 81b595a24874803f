"""Seed the dated rule set R1–R10 (SPEC §3). A change of law is a new row, not new code."""

from datetime import date

from django.db import migrations

IN_FORCE = date(2017, 4, 1)  # HSL 2017:30 and HSF 2017:80 in force.

RULES = [
    ("R1", "error", IN_FORCE, "HSL (2017:30) 4 kap. 2 §", {}),
    ("R2", "error", IN_FORCE, "HSL (2017:30) 11 kap. 4 §; avtal", {}),
    ("R3", "error", date(2026, 7, 1), "Prop. 2025/26:19; HSL (2017:30) 11 kap. 4 §", {}),
    ("R4", "error", IN_FORCE, "HSL (2017:30) 11 kap. 4 §", {}),
    ("R5", "error", IN_FORCE, "Avtalsvillkor om MAS (t.ex. punkt 4.11)", {}),
    ("R6", "error", IN_FORCE, "HSLF-FS 2017:41 4 §", {}),
    ("R7", "error", IN_FORCE, "Registrets integritet", {}),
    ("R8", "warning", IN_FORCE, "MAS oberoende ställning (lokal rutin)", {}),
    ("R9", "warning", IN_FORCE, "HSL (2017:30) 4 kap. 2 §; prop. 2025/26:19", {}),
    ("R10", "warning", IN_FORCE, "Kontinuitet i ansvarsfördelningen (lokal rutin)", {"days": 30}),
]


def seed(apps, schema_editor):
    RuleDefinition = apps.get_model("responsibility", "RuleDefinition")
    for code, severity, effective_from, basis, params in RULES:
        RuleDefinition.objects.get_or_create(
            code=code,
            effective_from=effective_from,
            defaults={"severity": severity, "legal_basis": basis, "params": params},
        )


def unseed(apps, schema_editor):
    RuleDefinition = apps.get_model("responsibility", "RuleDefinition")
    for code, _severity, effective_from, _basis, _params in RULES:
        RuleDefinition.objects.filter(code=code, effective_from=effective_from).delete()


class Migration(migrations.Migration):
    dependencies = [("responsibility", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
