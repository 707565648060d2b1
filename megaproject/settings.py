"""Settings for the Mega Project portal, read from the environment.

Every production difference is a variable (see README "Configuration").
A malformed value stops start-up with an ImproperlyConfigured error that names
the variable, so a typo never silently falls back to a default.
"""

import ipaddress
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
if not ALLOWED_HOSTS and not DEBUG:
    raise ImproperlyConfigured("ALLOWED_HOSTS: must be set when DEBUG is off (production mode).")
CSRF_TRUSTED_ORIGINS = _read("CSRF_TRUSTED_ORIGINS", env.list, default=[])

# Demo accounts (password demo1234) are only ever created on a DEBUG install.
ALLOW_DEMO_DATA = _bool("ALLOW_DEMO_DATA", default=DEBUG)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "mozilla_django_oidc",  # single sign-on over OpenID Connect (accounts/sso.py), when OIDC_ENABLED
    "axes",  # log-in throttling
    # The second factor (accounts.twofactor): TOTP devices and one-time recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",  # /sitemap.xml of the public pages (public_pages/sitemaps.py)
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
    "agreements",
    "reports",
    "trail",
    "public_pages",  # pages without log-in: call notices, questions and answers, results, open data
    "api",  # the read API under /api/v1/ with personal access tokens
    "ninja",  # the API's documentation page files (served by the portal, no CDN)
    "auditlog",
    "audit",
    "megaproject",  # the composition root: its management command seed_demo
]

MIDDLEWARE = [
    # First: the request id (X-Request-ID), the access log line and the request metrics, for every
    # response including redirects to https and static files (megaproject/observability.py).
    "megaproject.observability.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "megaproject.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "megaproject.middleware.KoreanFirstLocaleMiddleware",
    # The read API's conventions (api/conventions.py): its language from Accept-Language, ETag and
    # If-None-Match, Vary and Cache-Control. Only under /api/v1/.
    "api.conventions.ApiConventionsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "megaproject.middleware.RejectNulCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor (django-otp).
    "django_otp.middleware.OTPMiddleware",
    # A logged-in person who owes the second factor reaches only its pages (accounts/middleware.py).
    "accounts.middleware.SecondFactorMiddleware",
    # The request's user and IP for the audit trail's field-level changes (django-auditlog).
    "audit.middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Idle timeout and absolute lifetime of a log-in, sessions ended from "My sessions" (accounts/sessions.py).
    # After the messages (it tells the person why) and htmx (a partial request is redirected whole).
    "accounts.sessions.SessionLimitsMiddleware",
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
                "accounts.context_processors.single_sign_on",
                "reports.context_processors.todo_count",
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
    # Django's password check, refusing also a person whose access end date has passed
    # (and, through get_user, ending their open sessions).
    "accounts.backends.PortalModelBackend",
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

# Absolute address of the portal, printed on award letters (verification link) and in mails.
# With DEBUG off it must be the public https:// address: a letter or a mail pointing at
# localhost or plain http is useless to its reader.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="" if not DEBUG else "http://127.0.0.1:8000").rstrip("/")
# The account national funds are returned to, printed on a settlement's repayment notice (반환 통지서).
SETTLEMENT_REPAYMENT_ACCOUNT = env.str("SETTLEMENT_REPAYMENT_ACCOUNT", default="")


def _is_local(host: str) -> bool:
    """localhost, a loopback or unspecified address (127.0.0.1, ::1, 0.0.0.0)."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


if not DEBUG:
    _base = urlparse(PORTAL_BASE_URL)
    _base_host = (_base.hostname or "").lower()
    if not PORTAL_BASE_URL:
        raise ImproperlyConfigured(
            "PORTAL_BASE_URL: must be set to the portal's public https:// address when DEBUG is off (production mode)."
        )
    if _base.scheme != "https" or not _base_host or _is_local(_base_host):
        raise ImproperlyConfigured(
            f"PORTAL_BASE_URL: must be the portal's public https:// address (not localhost) when DEBUG is off, "
            f"got {PORTAL_BASE_URL!r}."
        )
# A letter task gives up visibly after this many attempts (worker crashes included).
LETTER_MAX_ATTEMPTS = _read("LETTER_MAX_ATTEMPTS", env.int, default=5)
# Fault tests only (tests/megaproject/test_faults.py): while this file exists, a letter build
# waits just before storing its PDF, so a test can kill its worker or restart Redis mid-letter.
LETTER_TEST_PAUSE_FILE = env.str("LETTER_TEST_PAUSE_FILE", default="")
# Exports with more rows than this run as a Celery task (progress page, download link);
# their files are kept this many hours, then deleted by a periodic task.
EXPORT_SYNC_MAX_ROWS = _read("EXPORT_SYNC_MAX_ROWS", env.int, default=5000)
EXPORT_KEEP_HOURS = _read("EXPORT_KEEP_HOURS", env.int, default=24)

# --- Signed documents (core.documents.signing) ----------------------------------------
# Award letters, stage-evaluation reports and call result reports are PDF/A-3b files signed
# (PAdES) with the ministry's certificate: a PKCS#12 file (certificate, private key, CA chain)
# and its password. A file that cannot sign (unreadable, wrong password, no private key, not
# valid today, a demo certificate with DEBUG off) stops the start (CoreConfig.ready). Unset:
# documents are unsigned and say so; `check --deploy` warns (core.W001).
DOCUMENT_SIGNING_PKCS12 = env.str("DOCUMENT_SIGNING_PKCS12", default="")
DOCUMENT_SIGNING_PASSWORD = env.str("DOCUMENT_SIGNING_PASSWORD", default="")
if DOCUMENT_SIGNING_PASSWORD and not DOCUMENT_SIGNING_PKCS12:
    raise ImproperlyConfigured("DOCUMENT_SIGNING_PASSWORD: set without DOCUMENT_SIGNING_PKCS12 (the certificate file).")
# /verify accepts a PDF of at most this many bytes to check whether the portal issued it.
DOCUMENT_VERIFY_MAX_BYTES = _read("DOCUMENT_VERIFY_MAX_BYTES", env.int, default=20 * 1024 * 1024)

# --- E-mail -----------------------------------------------------------------
# With DEBUG off an SMTP server is required: the console, file, in-memory and dummy back ends
# would lose every password reset and notification without a word.
_email_url = env.str("EMAIL_URL", default="consolemail://" if DEBUG else "")
if not _email_url:
    raise ImproperlyConfigured(
        "EMAIL_URL: must be set to an SMTP server (smtp://user:password@host:587 or smtps://…) "
        "when DEBUG is off (production mode)."
    )
try:
    _email = env.email_url_config(_email_url)
except Exception as exc:  # the URL (and its password) is not repeated in the message
    raise ImproperlyConfigured(
        f"EMAIL_URL: invalid value (scheme {urlparse(_email_url).scheme!r}; use smtp://, smtps:// or consolemail://)"
    ) from exc
if not DEBUG and _email["EMAIL_BACKEND"] != "django.core.mail.backends.smtp.EmailBackend":
    raise ImproperlyConfigured(
        f"EMAIL_URL: must name an SMTP server (smtp:// or smtps://) when DEBUG is off; "
        f"{urlparse(_email_url).scheme}:// would not send the mail."
    )
vars().update(_email)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Mega Project Portal <noreply@megaproject.local>")


def _admins(name):
    """ADMINS="Name <a@b>,c@d": who is mailed the server errors when SENTRY_DSN is unset."""
    from email.utils import getaddresses

    raw = env.str(name, default="")
    people = getaddresses([raw]) if raw.strip() else []
    for _person, address in people:
        if "@" not in address or address.startswith("@") or address.endswith("@"):
            raise ImproperlyConfigured(f"{name}: expected 'Name <address@example.kr>, …', got {raw!r}")
    return people


ADMINS = _admins("ADMINS")
# The sender of the mails to ADMINS (Django's default, root@localhost, is refused by most servers).
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

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
    # Each person's to-dos (core.todos) by mail, once a day at 07:30 KST (accounts.tasks.send_daily_digests).
    "daily-todo-digest": {"task": "accounts.tasks.send_daily_digests", "schedule": crontab(hour=7, minute=30)},
    # Delete the files of expired exports, every hour on the hour.
    "purge-expired-exports": {"task": "reports.tasks.purge_expired_exports", "schedule": crontab(minute=0)},
}
# Planning phases (issue 17): the regions with work left are reminded these many days before a phase closes.
PLANNING_REMINDER_DAYS = (7, 1)
CELERY_BEAT_SCHEDULE["remind-planning-deadlines"] = {"task": "proposals.tasks.remind_planning_deadlines",
                                                     "schedule": crontab(hour=9, minute=30)}

# --- Caches -------------------------------------------------------------------
# Per process: cached reference data ("default") and the dashboards' figures
# ("figures", keyed by the data version, so a change anywhere shows at once).
# The default cache holds what several web processes must share (the password-reset throttle's
# counts, cached reference data): CACHE_URL=redis://host:6379/4 in any deployment with more than
# one process. Dashboard figures stay in each process (keyed by the data version).
_cache_url = env.str("CACHE_URL", default="")
if _cache_url and urlparse(_cache_url).scheme not in {"redis", "rediss"}:
    raise ImproperlyConfigured(f"CACHE_URL: use redis://host:6379/N (got {urlparse(_cache_url).scheme or 'nothing'}://).")
CACHES = {
    "default": ({"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url,
                 "KEY_PREFIX": "portal"} if _cache_url else
                {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"}),
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
    # Opt-in: on a shared government domain, HSTS for every subdomain or a place on the
    # browsers' preload list is the domain owner's decision, not this portal's.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
    SECURE_HSTS_PRELOAD = _bool("SECURE_HSTS_PRELOAD", default=False)
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
# Wrong second-factor codes count with wrong passwords; a right password does not wipe them.
AXES_HANDLER = "megaproject.throttling.LoginThrottleHandler"

# The second factor (accounts.twofactor): the name authenticator apps show. django-otp's own delay
# after a wrong code (1, 2, 4 … seconds per device) stays on; nothing turns the second step off.
OTP_TOTP_ISSUER = "지역혁신 메가프로젝트 포털"
AXES_VERBOSE = False
# Health checks from the container runtime and the metrics scraper come over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^healthz/(live|ready)$", r"^metrics$"]
# The two deployment checks about the opt-in HSTS variables above (includeSubDomains: W005,
# preload: W021) are silenced, and only these: every other warning of
# `check --deploy --fail-level WARNING` still fails (tests/megaproject/test_settings.py).
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]

# --- Logs, errors and metrics --------------------------------------------------------------
# One line per record on standard error: JSON (time, level, logger, message, request_id, user_id,
# task_id and the access line's method, path, status, duration_ms) or text. Every request gets an
# id (X-Request-ID, on the 500 page too) and one access line from megaproject.observability.
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(f"LOG_LEVEL: expected DEBUG, INFO, WARNING, ERROR or CRITICAL, got {LOG_LEVEL!r}")
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json").lower()
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT: expected json or text, got {LOG_FORMAT!r}")

# Errors: to Sentry when SENTRY_DSN is set (no personal data: send_default_pii off), otherwise
# mailed to ADMINS (Django's AdminEmailHandler, DEBUG off only) — server errors, failed tasks and
# documents that could not be built (every record at ERROR).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="development" if DEBUG else "production")
SENTRY_RELEASE = env.str("SENTRY_RELEASE", default="") or None
SENTRY_TRACES_SAMPLE_RATE = _read("SENTRY_TRACES_SAMPLE_RATE", env.float, default=0.0)
if not 0.0 <= SENTRY_TRACES_SAMPLE_RATE <= 1.0:
    raise ImproperlyConfigured(f"SENTRY_TRACES_SAMPLE_RATE: expected 0.0 to 1.0, got {SENTRY_TRACES_SAMPLE_RATE}")
if SENTRY_DSN:
    import sentry_sdk

    try:
        sentry_sdk.init(
            dsn=SENTRY_DSN,
            send_default_pii=False,
            environment=SENTRY_ENVIRONMENT,
            release=SENTRY_RELEASE,
            traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
        )
    except Exception as exc:  # a malformed DSN (its key is not repeated here)
        raise ImproperlyConfigured(f"SENTRY_DSN: invalid value ({exc.__class__.__name__})") from exc

_log_handlers = ["console"]
if ADMINS and not SENTRY_DSN:
    _log_handlers.append("mail_admins")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "context": {"()": "megaproject.observability.ContextFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "json": {"()": "megaproject.observability.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["context"]},
        "mail_admins": {"class": "django.utils.log.AdminEmailHandler", "level": "ERROR",
                        "filters": ["require_debug_false"]},
    },
    "root": {"handlers": _log_handlers, "level": LOG_LEVEL},
    "loggers": {
        # Django's own handlers (console in DEBUG, mail_admins) give way to the root's: one line per record.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        # django-axes logs every log-in at INFO; failures and lockouts are WARNING.
        "axes": {"level": "WARNING"},
    },
}
# Celery workers keep this configuration instead of installing their own handlers.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Metrics at /metrics (megaproject/metrics.py), served only to METRICS_ALLOWED_NETWORKS (client
# addresses as for log-in throttling, TRUSTED_PROXY_COUNT) or to `Authorization: Bearer METRICS_TOKEN`.
# With several processes (gunicorn workers) set PROMETHEUS_MULTIPROC_DIR, read by prometheus_client
# itself, to an empty directory shared by them (emptied before they start).
METRICS_ALLOWED_NETWORKS = _read("METRICS_ALLOWED_NETWORKS", env.list, default=["127.0.0.0/8", "::1/128"])
for _network in METRICS_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError as exc:
        raise ImproperlyConfigured(f"METRICS_ALLOWED_NETWORKS: {_network!r} is not a network ({exc})") from exc
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
if METRICS_TOKEN and len(METRICS_TOKEN) < 24:
    raise ImproperlyConfigured("METRICS_TOKEN: use at least 24 characters (e.g. `openssl rand -hex 24`).")
PROMETHEUS_MULTIPROC_DIR = env.str("PROMETHEUS_MULTIPROC_DIR", default="")
if PROMETHEUS_MULTIPROC_DIR and not Path(PROMETHEUS_MULTIPROC_DIR).is_dir():
    raise ImproperlyConfigured(f"PROMETHEUS_MULTIPROC_DIR: {PROMETHEUS_MULTIPROC_DIR!r} is not a directory.")


# --- Mail and password reset (accounts) ---------------------------------------
def _count_setting(name, default, minimum=1):
    value = _read(name, env.int, default=default)
    if value < minimum:
        raise ImproperlyConfigured(f"{name}: must be at least {minimum}, not {value}")
    return value


# Notification mails (accounts/tasks.py): an SMTP failure is retried MAIL_MAX_RETRIES times,
# waiting MAIL_RETRY_BACKOFF_SECONDS, then twice as long each time (at most 30 minutes); then
# the mail is marked failed on its notification and staff see it (admin, health details).
MAIL_MAX_RETRIES = _count_setting("MAIL_MAX_RETRIES", 5, minimum=0)
MAIL_RETRY_BACKOFF_SECONDS = _count_setting("MAIL_RETRY_BACKOFF_SECONDS", 60)
# Seconds an SMTP connection may block before the attempt counts as failed.
EMAIL_TIMEOUT = _count_setting("EMAIL_TIMEOUT", 10)
# Password reset requests allowed in an hour for one e-mail address and from one client
# address (the log-in throttle's client address: TRUSTED_PROXY_COUNT); over the limit the
# page looks like a success and nothing is sent. Counted in the default cache.
PASSWORD_RESET_PER_ADDRESS_HOUR = _count_setting("PASSWORD_RESET_PER_ADDRESS_HOUR", 3)
PASSWORD_RESET_PER_IP_HOUR = _count_setting("PASSWORD_RESET_PER_IP_HOUR", 20)
# Requests one API token may make in a minute (api/auth.py, a fixed window in the default cache);
# over it the API answers 429 with Retry-After.
API_RATE_LIMIT_PER_MINUTE = _count_setting("API_RATE_LIMIT_PER_MINUTE", 60)
# Mails still pending long after their notification (their task never reached the broker, or
# was lost) are queued again, every hour at half past.
CELERY_BEAT_SCHEDULE["resend-stuck-mails"] = {"task": "accounts.tasks.resend_stuck_mails",
                                              "schedule": crontab(minute=30)}
# People (accounts/people.py): an invitation link is valid this many days; the accounts whose access
# end date has passed are deactivated every day at 00:05 KST (log-in is refused from midnight anyway).
INVITATION_VALID_DAYS = _count_setting("INVITATION_VALID_DAYS", 7, minimum=1)
CELERY_BEAT_SCHEDULE["end-expired-access"] = {"task": "accounts.tasks.end_expired_access",
                                              "schedule": crontab(hour=0, minute=5)}


# --- Log-in sessions (accounts/sessions.py) ----------------------------------------------
# Sessions stay in the database (Django's default SESSION_ENGINE), so ending one from "My sessions"
# deletes it for every web process. A person is logged out after this many minutes without a request:
# ministry staff and administrators after SESSION_IDLE_TIMEOUT_STAFF_MINUTES, officials and experts after
# SESSION_IDLE_TIMEOUT_MINUTES (longer: an expert writes a scoresheet's comments, an official a plan
# section, for a long while before saving). Whatever the activity, a log-in lasts at most
# SESSION_ABSOLUTE_LIFETIME_HOURS; the session cookie expires at the same moment.
SESSION_IDLE_TIMEOUT_STAFF_MINUTES = _count_setting("SESSION_IDLE_TIMEOUT_STAFF_MINUTES", 30)
SESSION_IDLE_TIMEOUT_MINUTES = _count_setting("SESSION_IDLE_TIMEOUT_MINUTES", 120)
SESSION_ABSOLUTE_LIFETIME_HOURS = _count_setting("SESSION_ABSOLUTE_LIFETIME_HOURS", 12)
for _name in ("SESSION_IDLE_TIMEOUT_STAFF_MINUTES", "SESSION_IDLE_TIMEOUT_MINUTES"):
    if vars()[_name] > SESSION_ABSOLUTE_LIFETIME_HOURS * 60:
        raise ImproperlyConfigured(f"{_name}: must not be longer than SESSION_ABSOLUTE_LIFETIME_HOURS.")
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_LIFETIME_HOURS * 3600
# The rows of ended sessions ("My sessions", the previous log-in) are deleted after this many days,
# with the expired sessions of the session store, every night at 03:40 KST.
SESSION_HISTORY_DAYS = _count_setting("SESSION_HISTORY_DAYS", 90)
CELERY_BEAT_SCHEDULE["purge-ended-sessions"] = {"task": "accounts.tasks.purge_ended_sessions",
                                                "schedule": crontab(hour=3, minute=40)}
# Failed log-ins are kept by django-axes (at most 1000 per username) so that a person reads, at log-in,
# how many failed attempts on their account came since their previous log-in.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# --- Single sign-on (OpenID Connect, accounts/sso.py) -------------------------------------
# Off by default. On: the log-in page offers the organisation's identity provider (code flow
# with PKCE S256, state and nonce; ID tokens RS256, checked against the provider's JWKS, its
# issuer and this client). The provider's endpoints are read from OIDC_OP_ISSUER's
# /.well-known/openid-configuration on first use and cached for an hour; an endpoint variable
# set here (OIDC_OP_AUTHORIZATION_ENDPOINT, _TOKEN_, _USER_, _JWKS_, _LOGOUT_) wins over it.
# SSO never creates an account: a first log-in binds the provider's subject to the one active
# account whose user name (OIDC_USERNAME_CLAIM, when set) or verified e-mail (OIDC_EMAIL_CLAIM)
# matches; anyone else is asked to see an administrator.
OIDC_ENABLED = _bool("OIDC_ENABLED", default=False)
OIDC_OP_ISSUER = env.str("OIDC_OP_ISSUER", default="").rstrip("/")
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_OP_LOGOUT_ENDPOINT = env.str("OIDC_OP_LOGOUT_ENDPOINT", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile")
OIDC_USERNAME_CLAIM = env.str("OIDC_USERNAME_CLAIM", default="")
OIDC_EMAIL_CLAIM = env.str("OIDC_EMAIL_CLAIM", default="email")
# Seconds the portal waits for the identity provider before showing "not answering".
OIDC_TIMEOUT = _read("OIDC_TIMEOUT", env.int, default=10)
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_USE_NONCE = True
OIDC_CREATE_USER = False
OIDC_STORE_ID_TOKEN = True  # the id_token_hint of the provider's log-out
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
OIDC_OP_LOGOUT_URL_METHOD = "accounts.sso.provider_logout_url"
if OIDC_ENABLED:
    for _name in ("OIDC_RP_CLIENT_ID", "OIDC_RP_CLIENT_SECRET"):
        _required(_name, "when OIDC_ENABLED is on")
    if not OIDC_OP_ISSUER and not all((OIDC_OP_AUTHORIZATION_ENDPOINT, OIDC_OP_TOKEN_ENDPOINT,
                                       OIDC_OP_USER_ENDPOINT, OIDC_OP_JWKS_ENDPOINT)):
        raise ImproperlyConfigured("OIDC_OP_ISSUER: must be set when OIDC_ENABLED is on (or every "
                                   "OIDC_OP_*_ENDPOINT variable).")
    if OIDC_RP_SIGN_ALGO not in {"RS256", "RS384", "RS512", "ES256", "ES384", "PS256"}:
        raise ImproperlyConfigured(f"OIDC_RP_SIGN_ALGO: expected an asymmetric algorithm such as RS256, "
                                   f"got {OIDC_RP_SIGN_ALGO!r}")
    if not OIDC_EMAIL_CLAIM and not OIDC_USERNAME_CLAIM:
        raise ImproperlyConfigured("OIDC_EMAIL_CLAIM: set it or OIDC_USERNAME_CLAIM (how a first log-in "
                                   "finds its account).")
    AUTHENTICATION_BACKENDS.append("accounts.sso.PortalOIDCBackend")
# Off: ministry staff and administrators may not log in with a password (only through SSO),
# except the break-glass administrators (accounts.User.is_break_glass), whose every log-in is
# recorded and mailed to every administrator.
PASSWORD_LOGIN_FOR_STAFF = _bool("PASSWORD_LOGIN_FOR_STAFF", default=True)
if not PASSWORD_LOGIN_FOR_STAFF and not OIDC_ENABLED:
    raise ImproperlyConfigured("PASSWORD_LOGIN_FOR_STAFF: can be off only with OIDC_ENABLED on (staff would "
                               "have no way to log in but the break-glass accounts).")

# --- Access log of personal data (audit.personal_data) --------------------------------------------
# Every reading of an expert's contact details is logged (who, when, why); entries are kept this
# many days (two years, as the Personal Information Protection Act's guidance expects), then
# deleted every night at 03:30 KST; the purge is recorded on the audit trail.
PERSONAL_DATA_LOG_RETENTION_DAYS = _count_setting("PERSONAL_DATA_LOG_RETENTION_DAYS", 730)
CELERY_BEAT_SCHEDULE["purge-personal-data-log"] = {"task": "audit.tasks.purge_personal_data_log",
                                                   "schedule": crontab(hour=3, minute=30)}

# --- Public pages (public/) ---------------------------------------------------------------------
# The privacy officer (개인정보 보호책임자) named on the privacy policy and the terms of use:
# department, telephone and e-mail, as one line. The default is a placeholder to replace.
PRIVACY_OFFICER_CONTACT = env.str(
    "PRIVACY_OFFICER_CONTACT",
    default="과학기술정보통신부 지역혁신정책과 개인정보 보호책임자 · 044-202-0000 · privacy@msit.go.kr (예시)")


# --- Backups ----------------------------------------------------------------------------
# `manage.py backup` writes a new folder under BACKUP_DIR (database dump, archive of MEDIA_ROOT,
# manifest of SHA-256 checksums), points BACKUP_DIR/latest at it once complete and keeps the
# newest BACKUP_KEEP complete backups (megaproject/backups.py).
BACKUP_DIR = _read("BACKUP_DIR", env.path, default=BASE_DIR / "backups")
BACKUP_KEEP = _read("BACKUP_KEEP", env.int, default=7)
if BACKUP_KEEP < 1:
    raise ImproperlyConfigured(f"BACKUP_KEEP: must be at least 1, got {BACKUP_KEEP}")
