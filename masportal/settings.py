"""Settings for MAS-portalen, read from the environment.

With nothing configured the portal runs on embedded defaults: an SQLite file
and a filesystem Celery broker under ``var/``. Production sets
``DJANGO_ENV=production`` and must provide ``DJANGO_SECRET_KEY``,
``DATABASE_URL``, ``CELERY_BROKER_URL``, the patient keys and the allowed
hosts; ``masportal/checks.py`` refuses to start otherwise (system checks with
ids, errors in production and warnings in development).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("MASPORTAL_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DJANGO_ENV = os.environ.get("DJANGO_ENV", "development")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env_bool("DJANGO_DEBUG", False)

# Development defaults: published in this repository, so masportal/checks.py
# refuses them in production (and any other key found in the repository files).
DEV_SECRET_KEY = "dev-only-insecure-key-not-for-production"  # noqa: S105 - published on purpose, refused in production
DEV_PATIENT_KEY = "cXXdZfxuv1RnLGTHhEwo9Ln3GtdCzJ_5y5RRhqnyPsk="
DEV_PATIENT_HASH_KEY = "dev-only-patient-hash-key"

# Production has no defaults for secrets: an empty value is reported by the
# system checks with a clear message (and the web server, worker and beat refuse
# to start), rather than an exception while the settings load.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "" if PRODUCTION else DEV_SECRET_KEY)

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1]").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_celery_beat",
    "guardian",
    "simple_history",
    "django_filters",
    "django_tables2",
    "import_export",
    "django_htmx",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "core",
    "masportal",
    "responsibility",
    "incidents",
    "followup",
    "complaints",
    "reports",
    "api",
    # Single sign-on (OIDC, SAML) and MFA: django-allauth, configured per municipality in accounts/.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "allauth.mfa",
    "accounts",
]
# The benchmark's volume-data generator (manage.py generate_volume): development only, not in the image.
if not PRODUCTION and (BASE_DIR / "bench" / "apps.py").exists():
    INSTALLED_APPS.append("bench")

MIDDLEWARE = [
    # Health and liveness answer before host validation and the HTTPS redirect:
    # the container healthchecks call them on 127.0.0.1 over plain HTTP.
    "masportal.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "masportal.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "masportal.middleware.SwedishByDefaultLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Register admins who log in with a password are sent to set up MFA before anything else.
    "accounts.middleware.MfaRequiredMiddleware",
    "masportal.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "masportal.middleware.DatabaseUnavailableMiddleware",
    # Last, so that a lockout answers before the login view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "masportal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "masportal.context_processors.portal",
            ],
        },
    },
]

WSGI_APPLICATION = "masportal.wsgi.application"

# --- Database -------------------------------------------------------------
DEFAULT_SQLITE_PATH = VAR_DIR / "masportal.sqlite3"
# Whether the database and broker were configured (production requires both).
DATABASE_URL_SET = bool(os.environ.get("DATABASE_URL", "").strip())
CELERY_BROKER_URL_SET = bool(os.environ.get("CELERY_BROKER_URL", "").strip())
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip() or f"sqlite:///{DEFAULT_SQLITE_PATH}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
_postgres = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
# PostgreSQL: each web thread and worker process keeps its connection between requests (a new connection is a
# TCP and authentication round trip on every request), checked before reuse so that a restarted database costs a
# reconnect, not an error. SQLite: a connection per request.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("DJANGO_CONN_MAX_AGE", "60" if _postgres else "0"))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = _postgres
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server, the worker and beat share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so that a worker process started by a test sees it.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("DJANGO_TEST_SQLITE", str(VAR_DIR / f"test-{os.getpid()}.sqlite3")),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Celery ----------------------------------------------------------------
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "").strip() or "filesystem://"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # A task taken by a worker that dies (acks_late) is given to another worker after this many
    # seconds. It must exceed the longest task (REPORT_TASK_TIME_LIMIT) and the report lease.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": int(os.environ.get("MASPORTAL_BROKER_VISIBILITY_TIMEOUT", "1200")),
    }
    # How often (seconds × scans) a worker looks for messages past the visibility timeout (kombu's defaults
    # when unset; the fault drill shortens them).
    for _option, _variable in (
        ("unacked_restore_interval", "MASPORTAL_BROKER_RESTORE_INTERVAL"),
        ("unacked_restore_throttle", "MASPORTAL_BROKER_RESTORE_THROTTLE"),
    ):
        if os.environ.get(_variable):
            CELERY_BROKER_TRANSPORT_OPTIONS[_option] = int(os.environ[_variable])
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
CELERY_TIMEZONE = "Europe/Stockholm"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "masportal.heartbeat", "schedule": 30.0},
    "deliver-notifications": {"task": "masportal.deliver_notifications", "schedule": 60.0},
    "scheduled-jobs-nightly": {"task": "masportal.run_scheduled_jobs", "schedule": crontab(hour=2, minute=15)},
    "stale-reports": {"task": "masportal.run_scheduled_jobs", "schedule": 300.0, "kwargs": {"only": "stale_reports"}},
}
# Seconds after which a missing worker or beat heartbeat counts as down.
HEARTBEAT_MAX_AGE = int(os.environ.get("MASPORTAL_HEARTBEAT_MAX_AGE", "120"))

# --- Background work that must never stay "running" ----------------------------------
# Report generation: hard time limit of one run (seconds); a running report that has not
# progressed for REPORT_LEASE_SECONDS is taken over when its task is delivered again;
# stale_reports marks queued/running reports without progress for REPORT_STALE_MINUTES as
# failed; a user may start a report at most REPORT_MAX_ATTEMPTS times; generated files are
# removed after REPORT_RETENTION_DAYS (the row is kept).
REPORT_TASK_TIME_LIMIT = int(os.environ.get("MASPORTAL_REPORT_TIME_LIMIT", "660"))
REPORT_LEASE_SECONDS = int(os.environ.get("MASPORTAL_REPORT_LEASE_SECONDS", "900"))
REPORT_STALE_MINUTES = int(os.environ.get("MASPORTAL_REPORT_STALE_MINUTES", "30"))
REPORT_MAX_ATTEMPTS = int(os.environ.get("MASPORTAL_REPORT_MAX_ATTEMPTS", "3"))
REPORT_RETENTION_DAYS = int(os.environ.get("MASPORTAL_REPORT_RETENTION_DAYS", "90"))
CELERY_TASK_ANNOTATIONS = {
    "reports.generate_report": {
        "time_limit": REPORT_TASK_TIME_LIMIT,
        "soft_time_limit": max(REPORT_TASK_TIME_LIMIT - 60, 30),
    },
}
# Resolver indexes (one unit, one date) kept per process across requests, keyed by the register's version
# (responsibility.register_cache): the oldest is dropped beyond this many.
REGISTER_CACHE_SIZE = 512
# Scheduled jobs work in batches of this many rows until done or out of this many seconds
# (a job out of time stops after its batch; the next run continues where it stopped).
JOB_BATCH_SIZE = int(os.environ.get("MASPORTAL_JOB_BATCH_SIZE", "500"))
JOB_TIME_BUDGET_SECONDS = float(os.environ.get("MASPORTAL_JOB_TIME_BUDGET_SECONDS", "600"))
# Outbox: an e-mail is tried at most EMAIL_MAX_ATTEMPTS times, waiting EMAIL_RETRY_BASE_SECONDS
# doubled after each failure; one claimed but not recorded for EMAIL_CLAIM_TIMEOUT_SECONDS
# (the worker died while sending) is not sent again but shown to the register admin.
EMAIL_MAX_ATTEMPTS = int(os.environ.get("MASPORTAL_EMAIL_MAX_ATTEMPTS", "5"))
EMAIL_RETRY_BASE_SECONDS = int(os.environ.get("MASPORTAL_EMAIL_RETRY_BASE_SECONDS", "60"))
EMAIL_CLAIM_TIMEOUT_SECONDS = int(os.environ.get("MASPORTAL_EMAIL_CLAIM_TIMEOUT_SECONDS", "600"))
# The e-mails sent are recorded together, at least this often (one UPDATE, not one per e-mail): a worker killed
# meanwhile leaves at most this long of sending "interrupted" (shown as failed, never sent twice).
EMAIL_RECORD_SENT_SECONDS = float(os.environ.get("MASPORTAL_EMAIL_RECORD_SENT_SECONDS", "1"))
# Uploaded zip-based documents (docx, xlsx, odt …): at most this much unpacked, and at most
# this many times their packed size.
UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES = int(os.environ.get("MASPORTAL_UPLOAD_ZIP_MAX_BYTES", str(100 * 1024 * 1024)))
UPLOAD_ZIP_MAX_RATIO = int(os.environ.get("MASPORTAL_UPLOAD_ZIP_MAX_RATIO", "100"))
# Largest attachment of a deviation report (bytes).
DEVIATION_ATTACHMENT_MAX_BYTES = int(os.environ.get("MASPORTAL_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
# The Celery queue report generation is sent to (a worker must consume it).
REPORTS_QUEUE = os.environ.get("MASPORTAL_REPORTS_QUEUE", "celery")
# Deadlines: every per-municipality deadline and threshold is a field of responsibility.Municipality
# (docs/rule-homes.md). LEX_MARIA_STEP_DAYS is retired: the Lex
# Maria step deadlines are Municipality.lex_maria_*_days; only responsibility migration 0003 reads this, to
# carry an old override ({"patient": 3, "report": 7, …}) into those fields.
LEX_MARIA_STEP_DAYS: dict[str, int] = {}

# --- Auth ------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out user or address before the password is checked.
    "core.security.PortalAxesBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
    # Used by allauth to log in a user after SSO or MFA (no password check of its own here).
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
GUARDIAN_RAISE_403 = True

# Single sign-on and MFA (django-allauth). Providers are configured per municipality
# in the portal (/konton/leverantorer/) or with `manage.py sso_provider`; accounts/
# hands them to allauth. Nobody signs up: local accounts are created by the register admin,
# SSO accounts only when the login matches a person in the register.
ACCOUNT_ADAPTER = "accounts.adapter.PortalAccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapter.PortalSocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_QUERY_EMAIL = False
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {"OAUTH_PKCE_ENABLED": True},
    # allauth's SAML provider, keeping the assertion's NameID for single logout.
    "saml": {"provider_class": "accounts.saml.PortalSAMLProvider"},
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "MAS-portalen"
MFA_PASSKEY_LOGIN_ENABLED = False
# WebAuthn needs HTTPS except on localhost during development and tests.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION
# Fernet key(s) for the SSO client secrets stored in the database, newest first. Without
# it (development) a key is derived from DJANGO_SECRET_KEY; production must set it.
SSO_SECRET_KEYS = [k.strip() for k in os.environ.get("MASPORTAL_SSO_SECRET_KEYS", "").split(",") if k.strip()]

# Login throttling (django-axes): after MASPORTAL_LOGIN_FAILURE_LIMIT failures
# for one username or from one address, further attempts are refused for
# MASPORTAL_LOGIN_COOLOFF_MINUTES; the lockout then expires by itself, and
# failures during it do not extend it (an attacker cannot lock a user out for
# good). The register admin lifts lockouts at /inloggningsspärrar/.
AXES_ENABLED = env_bool("MASPORTAL_LOGIN_THROTTLING", True)
AXES_FAILURE_LIMIT = int(os.environ.get("MASPORTAL_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("MASPORTAL_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "masportal.views.login_locked_out"
AXES_CLIENT_IP_CALLABLE = "core.security.client_ip"
AXES_HTTP_RESPONSE_CODE = 429
# Log the username and address of each failure and lockout (the password is always masked).
AXES_SENSITIVE_PARAMETERS = []
# Reverse proxies in front of the web server whose X-Forwarded-For is trusted
# (0: the peer address is the client's).
TRUSTED_PROXY_COUNT = int(os.environ.get("MASPORTAL_TRUSTED_PROXY_COUNT", "0"))

# Sessions: shared PCs in care units. Logged out after MASPORTAL_SESSION_IDLE_MINUTES
# without activity and MASPORTAL_SESSION_MAX_HOURS after logging in, whatever happens.
SESSION_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("MASPORTAL_SESSION_IDLE_MINUTES", "30")))
SESSION_MAX_AGE = timedelta(hours=int(os.environ.get("MASPORTAL_SESSION_MAX_HOURS", "10")))
SESSION_COOKIE_AGE = int(SESSION_MAX_AGE.total_seconds())
ANONYMOUS_USER_NAME = None

# --- I18n ------------------------------------------------------------------
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

# --- Static, media, files ---------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploaded attachments and generated reports live outside the web root and
# are only ever served through a view that checks permissions.
PRIVATE_FILES_ROOT = Path(os.environ.get("MASPORTAL_PRIVATE_FILES", VAR_DIR / "private"))
MEDIA_ROOT = PRIVATE_FILES_ROOT
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 15 * 1024 * 1024

# --- Patient data ------------------------------------------------------------
# Fernet key(s) for personnummer at rest, newest first; and the key for the
# look-up hash. Production must set both.
PATIENT_DATA_KEYS = [
    k.strip()
    for k in os.environ.get("MASPORTAL_PATIENT_KEYS", "" if PRODUCTION else DEV_PATIENT_KEY).split(",")
    if k.strip()
]
PATIENT_HASH_KEY = os.environ.get("MASPORTAL_PATIENT_HASH_KEY", "" if PRODUCTION else DEV_PATIENT_HASH_KEY)

# --- E-mail ------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
# Seconds an SMTP connection may hang before the attempt counts as failed.
EMAIL_TIMEOUT = int(os.environ.get("DJANGO_EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "mas-portalen@example.se")

# --- Security ------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Strict Content-Security-Policy (django-csp): scripts and styles only from our
# own static files; no inline script, no eval, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
)
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))

# --- Logging: never patient data ------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)


# --- REST API v1 (api/) --------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ClientRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.problem_exception_handler",
    "UNAUTHENTICATED_USER": None,
}
# Calls per client (DRF rate syntax, e.g. 600/min); counted in the default cache (per process unless shared).
API_RATE_LIMIT = os.environ.get("MASPORTAL_API_RATE_LIMIT", "600/min")
SPECTACULAR_SETTINGS = {
    "TITLE": "MAS-portalen API",
    "DESCRIPTION": "The register, deviations and Lex Maria cases of one municipality, for its other systems.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema.add_problem_responses"],
}
