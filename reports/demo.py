"""Demo data of the reports: a draft patient safety narrative for last year (idempotent)."""

from datetime import date

from reports.models import PatientSafetyNarrative
from responsibility.choices import ProviderKind
from responsibility.models import CareProvider

DEMO_TEXTS = {
    "goals_and_strategies": (
        "Nämndens mål är att ingen patient ska drabbas av en vårdskada. Arbetet bygger på riskanalys, "
        "avvikelsehantering och egenkontroll enligt SOSFS 2011:9."
    ),
    "organisation": (
        "Nämnden är vårdgivare för verksamheterna i egen regi. MAS och MAR i region Västra söderort svarar "
        "för de uppgifter som följer av HSL 11 kap. 4 §; verksamhetschefen svarar för verksamheten."
    ),
    "collaboration": "Samverkan sker med Region Stockholm enligt avtalet om läkarmedverkan.",
}


def load(*, today: date) -> None:
    provider = CareProvider.objects.filter(kind=ProviderKind.MUNICIPAL, board__code="hagersten-liljeholmen").first()
    if provider is None:
        return
    PatientSafetyNarrative.objects.get_or_create(provider=provider, year=today.year - 1, defaults=DEMO_TEXTS)
