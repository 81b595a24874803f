"""System checks that refuse an unsafe production configuration.

Registered by ``MasportalConfig.ready``. In production (``DJANGO_ENV=production``)
they run with every management command and when the web server, the worker and
beat start, and report errors; in development they report the same findings
as warnings, and only with ``manage.py check --deploy`` (development starts with
zero configuration on published keys by design).

Ids: ``masportal.E001``… in production, ``masportal.W001``… in development,
with the same number for the same finding.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Warning
from django.core.exceptions import ImproperlyConfigured

# Files of this repository whose values are public: a key found in one of them is published.
REPOSITORY_FILES = ("masportal/settings.py", "Dockerfile", ".env.example", "docker-compose.yml", "README.md")
MIN_KEY_LENGTH = 32


def _published_values() -> set[str]:
    """Every value the repository publishes as a key: the development defaults and the build/placeholder keys."""
    values = {
        settings.DEV_SECRET_KEY,
        settings.DEV_PATIENT_KEY,
        settings.DEV_PATIENT_HASH_KEY,
        "change-me-to-a-long-random-string",
        "change-me",
        "build",
        # Former Dockerfile build key (kept: it has been published).
        "ZGV2LW9ubHktcGF0aWVudC1rZXktMzItYnl0ZXMhIQ==",
    }
    return {v for v in values if v}


def _in_repository(value: str) -> str | None:
    """The repository file that contains ``value``, if any."""
    base = Path(settings.BASE_DIR)
    for name in REPOSITORY_FILES:
        path = base / name
        try:
            if value in path.read_text(encoding="utf-8", errors="ignore"):
                return name
        except OSError:
            continue
    return None


def _published(value: str) -> str | None:
    """Why ``value`` is public (a development default or a file of the repository), or None."""
    if value in _published_values():
        return "a development or example key of this repository"
    if len(value) >= 8:
        found = _in_repository(value)
        if found:
            return f"written in {found} in this repository"
    return None


def _finding(number: int, msg: str, hint: str) -> Error | Warning:
    if settings.PRODUCTION:
        return Error(msg, hint=hint, id=f"masportal.E{number:03d}")
    return Warning(msg, hint=hint, id=f"masportal.W{number:03d}")


def _key_findings(*, name: str, value: str, missing: int, published: int, short: int, what: str) -> list:
    if not value:
        return [_finding(missing, f"{name} is not set; it protects {what}.", f"Set {name} in the environment.")]
    why = _published(value)
    if why:
        return [
            _finding(
                published,
                f"{name} is a published key ({why}); anyone could read or forge {what}.",
                f"Generate a new secret for {name}; never reuse a key from the repository.",
            )
        ]
    if len(value) < MIN_KEY_LENGTH:
        return [
            _finding(
                short,
                f"{name} is shorter than {MIN_KEY_LENGTH} characters.",
                f"Use a random value of at least {MIN_KEY_LENGTH} characters.",
            )
        ]
    return []


def _secret_key() -> str:
    try:
        return settings.SECRET_KEY
    except ImproperlyConfigured:  # Django refuses to hand out an empty SECRET_KEY
        return ""


def check_production_configuration(app_configs=None, **kwargs) -> list:
    """Refuse missing or published secrets, the embedded database and broker, DEBUG and missing hosts."""
    findings = []
    findings += _key_findings(
        name="DJANGO_SECRET_KEY",
        value=_secret_key(),
        missing=1,
        published=2,
        short=3,
        what="sessions and signed values",
    )
    keys = list(settings.PATIENT_DATA_KEYS)
    if not keys:
        findings.append(
            _finding(
                10,
                "MASPORTAL_PATIENT_KEYS is not set: patient identifiers cannot be encrypted.",
                "Set MASPORTAL_PATIENT_KEYS to one or more Fernet keys, newest first.",
            )
        )
    for position, key in enumerate(keys, start=1):
        findings += _key_findings(
            name=f"MASPORTAL_PATIENT_KEYS (key {position})",
            value=key,
            missing=10,
            published=11,
            short=12,
            what="patient identifiers at rest",
        )
    findings += _key_findings(
        name="MASPORTAL_PATIENT_HASH_KEY",
        value=settings.PATIENT_HASH_KEY,
        missing=13,
        published=14,
        short=15,
        what="the patient look-up hash",
    )
    if not settings.DATABASE_URL_SET:
        findings.append(
            _finding(
                20,
                "DATABASE_URL is not set: the portal would use the embedded SQLite file.",
                "Set DATABASE_URL=postgres://user:password@host:5432/masportal.",
            )
        )
    elif settings.DATABASE_URL.startswith("sqlite"):
        findings.append(
            _finding(
                21, "DATABASE_URL points to SQLite, which is for development only.", "Use PostgreSQL in production."
            )
        )
    if not settings.CELERY_BROKER_URL_SET:
        findings.append(
            _finding(
                30,
                "CELERY_BROKER_URL is not set: the portal would use the embedded filesystem broker.",
                "Set CELERY_BROKER_URL=redis://host:6379/0.",
            )
        )
    elif settings.CELERY_BROKER_URL.startswith("filesystem://"):
        findings.append(
            _finding(
                31,
                "CELERY_BROKER_URL is the filesystem broker, which is for development only.",
                "Use Redis in production.",
            )
        )
    if settings.PRODUCTION and settings.DEBUG:
        findings.append(
            _finding(
                40,
                "DEBUG is on: error pages would show settings and data to anyone.",
                "Unset DJANGO_DEBUG (or set it to 0).",
            )
        )
    hosts = [h for h in settings.ALLOWED_HOSTS if h not in {"localhost", "127.0.0.1", "[::1]"}]
    if not hosts or "*" in settings.ALLOWED_HOSTS:
        findings.append(
            _finding(
                41,
                "DJANGO_ALLOWED_HOSTS names no public host name (or allows every host).",
                "Set DJANGO_ALLOWED_HOSTS to the portal's host names, e.g. mas.kommun.se.",
            )
        )
    return findings


def refuse_unsafe_start(process: str) -> None:
    """Stop a production process (web, worker, beat) when the system checks find an error."""
    if not settings.PRODUCTION:
        return
    from django.core import checks

    errors = [m for m in checks.run_checks(include_deployment_checks=True) if m.is_serious()]
    if errors:
        lines = "\n".join(f"  {m.id}: {m.msg} ({m.hint})" for m in errors)
        raise ImproperlyConfigured(f"MAS-portalen {process} refuses to start in production:\n{lines}")
