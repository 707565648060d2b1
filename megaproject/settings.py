"""Settings for the Mega Project portal, read from the environment.

Every production difference is a variable (see README "Configuration").
A malformed value stops start-up with an ImproperlyConfigured error that names
the variable, so a typo never silently falls back to a default.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()


def _read(name, reader, **kwargs):
    """Read one variable; any parsing error names the variable."""
    try:
        return reader(name, **kwargs)
    except ImproperlyConfigured:
        raise
    except Exception as exc:  # environ raises ValueError/KeyError/... on bad input
        raise ImproperlyConfigured(f"{name}: invalid value ({exc})") from exc


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _bool(name, default=False, **_ignored):
    """Strict boolean: a value that is neither true nor false is an error, not False."""
    raw = env.str(name, default=None)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}: expected true/false (1/0, yes/no, on/off), got {raw!r}")


def _required(name, why):
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(f"{name}: must be set {why}.")
    return value


DEBUG = _bool("DEBUG", default=False)

_DEV_SECRET = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY: must be set when DEBUG is off (production mode)."
        )
    SECRET_KEY = _DEV_SECRET

ALLOWED_HOSTS = _read(
    "ALLOWED_HOSTS", env.list, default=["127.0.0.1", "localhost", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = _read("CSRF_TRUSTED_ORIGINS", env.list, default=[])

# Demo accounts (password demo1234) are only ever created on a DEBUG install.
ALLOW_DEMO_DATA = _bool("ALLOW_DEMO_DATA", default=DEBUG)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "axes",  # log-in throttling
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "django_htmx",
    "simple_history",
    # Our apps, lowest layer first (the import contracts in pyproject.toml keep the order).
    "core",
    "programmes",
    "accounts",
    "proposals",
    "evaluations",
    "funding",
    "projects",
    "reports",
    "trail",
    "auditlog",
    "audit",
    "megaproject",  # the composition root: its management command seed_demo
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "megaproject.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "megaproject.middleware.KoreanFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "megaproject.middleware.RejectNulCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The request's user and IP for the audit trail's field-level changes (django-auditlog).
    "audit.middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: turns a locked-out log-in into the log-in page with the reason (megaproject/throttling.py).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "megaproject.urls"

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
                "accounts.context_processors.notifications",
            ],
            "builtins": ["core.templatetags.portal", "programmes.templatetags.reference"],
        },
    },
]

WSGI_APPLICATION = "megaproject.wsgi.application"

# --- Database -------------------------------------------------------------
_DB_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql", "psql"}
_db_url = env.str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
if urlparse(_db_url).scheme not in _DB_SCHEMES:
    raise ImproperlyConfigured(
        f"DATABASE_URL: unsupported scheme in {_db_url!r}; use postgres://… or sqlite:///…"
    )
DATABASES = {"default": _read("DATABASE_URL", env.db_url, default=_db_url)}
DATABASES["default"]["CONN_MAX_AGE"] = _read("CONN_MAX_AGE", env.int, default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("TEST", {})
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username + address before any password is checked.
    "megaproject.throttling.LoginThrottleBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time ------------------------------------------------------
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = _read("STATIC_ROOT", env.path, default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = _read("MEDIA_ROOT", env.path, default=BASE_DIR / "media")

# STORAGE_BACKEND=s3 keeps uploads and generated PDFs in an S3-compatible store
# so web servers and workers on different machines share them.
STORAGE_BACKEND = env.str("STORAGE_BACKEND", default="local")
if STORAGE_BACKEND == "local":
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif STORAGE_BACKEND == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _required("AWS_STORAGE_BUCKET_NAME", "when STORAGE_BACKEND=s3"),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env.str("AWS_S3_REGION_NAME", default=None),
            "access_key": env.str("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default=None),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    raise ImproperlyConfigured(
        f"STORAGE_BACKEND: must be 'local' or 's3', not {STORAGE_BACKEND!r}"
    )
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Proposal attachments: the largest accepted file (bytes).
ATTACHMENT_MAX_BYTES = _read("ATTACHMENT_MAX_BYTES", env.int, default=20 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Absolute address of the portal, printed on award letters (verification link).
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
# A letter task gives up visibly after this many attempts (worker crashes included).
LETTER_MAX_ATTEMPTS = _read("LETTER_MAX_ATTEMPTS", env.int, default=5)
# Fault tests only (tests/megaproject/test_faults.py): while this file exists, a letter build
# waits just before storing its PDF, so a test can kill its worker or restart Redis mid-letter.
LETTER_TEST_PAUSE_FILE = env.str("LETTER_TEST_PAUSE_FILE", default="")
# Exports with more rows than this run as a Celery task (progress page, download link);
# their files are kept this many hours, then deleted by a periodic task.
EXPORT_SYNC_MAX_ROWS = _read("EXPORT_SYNC_MAX_ROWS", env.int, default=5000)
EXPORT_KEEP_HOURS = _read("EXPORT_KEEP_HOURS", env.int, default=24)

# --- E-mail -----------------------------------------------------------------
_email = _read("EMAIL_URL", env.email_url, default="consolemail://")
vars().update(_email)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Mega Project Portal <noreply@megaproject.local>")

# --- Celery -----------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
if CELERY_BROKER_URL and urlparse(CELERY_BROKER_URL).scheme not in {"redis", "rediss", "amqp", "memory"}:
    raise ImproperlyConfigured(f"CELERY_BROKER_URL: unsupported scheme in {CELERY_BROKER_URL!r}")
# Unset broker: tasks run in-process, eagerly (the embedded default).
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None) or None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
# Beat reads the crontab times of CELERY_BEAT_SCHEDULE in this zone (Korea Standard Time, no daylight saving).
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 8 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Seconds before Redis hands an unacknowledged task (its worker died) to another worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": _read("CELERY_VISIBILITY_TIMEOUT", env.int, default=3600)}
# The periodic tasks, sent by `celery -A megaproject beat` (beside the worker in `make run` with a broker,
# compose's `beat` service, `make prod-check`). Run exactly one beat per deployment: two would send each task twice.
from celery.schedules import crontab  # noqa: E402  (needed only by the schedule)

CELERY_BEAT_SCHEDULE = {
    # Experts with unsubmitted scoresheets, every morning at 09:00 KST.
    "remind-unsubmitted-scores": {"task": "evaluations.tasks.remind_all_calls_under_review",
                                  "schedule": crontab(hour=9, minute=0)},
    # Open the annual reports of ended years and remind the overdue ones, every day at 08:00 KST.
    "annual-reports-daily": {"task": "projects.tasks.annual_reports_daily", "schedule": crontab(hour=8, minute=0)},
    # Delete the files of expired exports, every hour on the hour.
    "purge-expired-exports": {"task": "reports.tasks.purge_expired_exports", "schedule": crontab(minute=0)},
}

# --- Caches -------------------------------------------------------------------
# Per process: cached reference data ("default") and the dashboards' figures
# ("figures", keyed by the data version, so a change anywhere shows at once).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
    "figures": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "figures"},
}

# --- Forms and messages ---------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security -----------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = _bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = _read("SECURE_HSTS_SECONDS", env.int, default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = _bool("SECURE_HSTS_PRELOAD", default=True)
    # Behind a TLS-terminating proxy (compose: web behind a load balancer).
    if _bool("USE_X_FORWARDED_PROTO", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Log-in throttling: 5 failures for one username from one address lock that pair out for 15 minutes.
# The address is REMOTE_ADDR; X-Forwarded-For counts only with TRUSTED_PROXY_COUNT > 0 (our own proxies).
TRUSTED_PROXY_COUNT = _read("TRUSTED_PROXY_COUNT", env.int, default=0)
AXES_FAILURE_LIMIT = _read("LOGIN_FAILURE_LIMIT", env.int, default=5)
AXES_COOLOFF_TIME = timedelta(minutes=_read("LOGIN_COOLOFF_MINUTES", env.int, default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "megaproject.throttling.client_ip"
AXES_LOCKOUT_CALLABLE = "megaproject.throttling.locked_out"
AXES_VERBOSE = False
# Health checks from the container runtime come over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # django-axes logs every log-in at INFO; failures and lockouts are WARNING.
    "loggers": {"axes": {"level": "WARNING"}},
}
