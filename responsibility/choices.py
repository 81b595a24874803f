"""Choices of the responsibility register (SPEC §1–§3)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MAS = "MAS", _("MAS (medically responsible nurse)")
    MAR = "MAR", _("MAR (medically responsible for rehabilitation)")
    OPERATIONS_MANAGER = "OPERATIONS_MANAGER", _("Operations manager (verksamhetschef)")
    UNIT_MANAGER = "UNIT_MANAGER", _("Unit manager (enhetschef)")
    LEX_MARIA_REPORTER = "LEX_MARIA_REPORTER", _("Appointed Lex Maria reporter")
    SAS = "SAS", _("SAS (social responsibility coordinator)")
    QUALITY_AUDITOR = "QUALITY_AUDITOR", _("Quality auditor (kvalitetsuppföljare)")
    BOARD_OFFICIAL = "BOARD_OFFICIAL", _("Board official")
    REPORTER = "REPORTER", _("Reporter (staff)")


# Roles whose holder the resolver answers for every unit (SPEC §3).
STATUTORY_ROLES = (Role.MAS, Role.MAR, Role.OPERATIONS_MANAGER, Role.LEX_MARIA_REPORTER)
# Roles whose statutory holder follows the vårdgivare, and so the contract.
PROVIDER_DUTY_ROLES = (Role.MAS, Role.MAR, Role.LEX_MARIA_REPORTER)


class AssignmentKind(models.TextChoices):
    STATUTORY = "statutory", _("Statutory duty")
    FOLLOW_UP = "follow_up", _("Follow-up task")


class Scope(models.TextChoices):
    UNIT = "unit", _("Unit")
    PROVIDER = "provider", _("Care provider")
    BOARD = "board", _("Board")
    REGION = "region", _("Region")


class ProviderKind(models.TextChoices):
    MUNICIPAL = "municipal", _("Municipal (own operation)")
    CONTRACTOR = "contractor", _("Contractor (entreprenör)")
    PRIVATE = "private", _("Private provider")


class OperatingForm(models.TextChoices):
    OWN = "own", _("Own operation (egen regi)")
    CONTRACT = "contract", _("Contracted (entreprenad)")
    CHOICE = "choice", _("Freedom of choice (LOV)")
    FRAMEWORK = "framework", _("Places bought under framework agreement")


class UnitType(models.TextChoices):
    CARE_HOME = "care_home", _("Residential care home for the elderly")
    CARE_HOME_UNDER_65 = "care_home_u65", _("Special housing under 65")
    SHORT_TERM = "short_term", _("Short-term housing")
    SERVICE_HOUSE = "service_house", _("Service house")
    LSS_GROUP_HOME = "lss_group_home", _("LSS group home")
    LSS_SERVICE_HOME = "lss_service_home", _("LSS service housing")
    LSS_DAILY_ACTIVITY = "lss_daily", _("LSS daily activity")
    DAY_CARE = "day_care", _("Day care")
    SOCIAL_PSYCHIATRY = "social_psychiatry", _("Housing, social psychiatry")
    HOME_HEALTH_CARE = "home_health_care", _("Health care in the home")


class Profession(models.TextChoices):
    NURSE = "nurse", _("Registered nurse")
    PHYSIOTHERAPIST = "physiotherapist", _("Physiotherapist")
    OCCUPATIONAL_THERAPIST = "occupational_therapist", _("Occupational therapist")
    PHYSICIAN = "physician", _("Physician")
    ASSISTANT_NURSE = "assistant_nurse", _("Assistant nurse")
    MANAGER = "manager", _("Manager")
    ADMINISTRATOR = "administrator", _("Administrator")
    OTHER = "other", _("Other")


class ContractKind(models.TextChoices):
    CONTRACT = "contract", _("Contract (entreprenadavtal)")
    FRAMEWORK = "framework", _("Framework agreement (ramavtal)")
    CHOICE = "choice", _("LOV agreement")
    PHYSICIAN = "physician", _("Physician participation (läkarmedverkan)")


class MasHeldBy(models.TextChoices):
    CONTRACTOR = "contractor", _("The care provider (vårdgivaren)")
    BOARD = "board", _("The board")


class LexMariaRoute(models.TextChoices):
    """The routing variants of SPEC §5, named as the SPEC's variant table names them; egen regi has no contract."""

    OWN = "own", _("Own operation (egen regi): the board's MAS reports, the board is informed")
    CONTRACTOR_VIA_BOARD_MAS = (
        "contractor_via_board_mas",
        _(
            "Entreprenad, the contractor holds the MAS duty: the contractor's MAS reports; "
            "the boards are informed through the board's MAS"
        ),
    )
    BOARD_MAS = (
        "board_mas",
        _("Entreprenad, the board kept the MAS duty: the board's MAS reports; the board is informed"),
    )
    PROVIDER_MAS = (
        "provider_mas",
        _(
            "Private provider under ramavtal/LOV (vårdgivare): the provider's MAS "
            "reports; the board concerned is informed"
        ),
    )


class Severity(models.TextChoices):
    ERROR = "error", _("Gap")
    WARNING = "warning", _("Warning")
