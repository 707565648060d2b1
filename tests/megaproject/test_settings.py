"""Settings come from the environment; a bad value stops start-up and names the variable.

Each scenario is a fresh Python process with a controlled environment (nothing
inherited but PATH and HOME), as a server would start. The processes of the
module are started together on first use, so the module costs about as much
as its slowest scenario.
"""

import ast
import json
import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PYTHON = str(REPO / ".venv" / "bin" / "python") if (REPO / ".venv" / "bin" / "python").exists() else sys.executable
ERROR = "django.core.exceptions.ImproperlyConfigured: "


def random_secret_key() -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(60))


def start_django(code: str = "", **env):
    """`import django; django.setup()` then `code`."""
    return ["-c", f"import django; django.setup()\n{code}"], env


def manage(*args, **env):
    return ["manage.py", *args], env


PRODUCTION = {
    "DEBUG": "false", "SECRET_KEY": random_secret_key(), "ALLOWED_HOSTS": "portal.example.kr",
    "PORTAL_BASE_URL": "https://portal.example.kr", "EMAIL_URL": "smtp://mailer:secret@smtp.example.kr:587",
}

# Production environments, each with one change: the settings module is run once per case in one process
# (megaproject/settings.py through runpy, without django.setup), printing the refusal or chosen values.
SETTINGS_CASES = {
    "complete": {},
    "no allowed hosts": {"ALLOWED_HOSTS": None},
    "empty allowed hosts": {"ALLOWED_HOSTS": ""},
    "no base url": {"PORTAL_BASE_URL": None},
    "plain http base url": {"PORTAL_BASE_URL": "http://portal.example.kr"},
    "plain http base url, https redirect off": {"PORTAL_BASE_URL": "http://portal.example.kr",
                                                 "SECURE_SSL_REDIRECT": "false", "USE_X_FORWARDED_PROTO": "true"},
    "localhost base url": {"PORTAL_BASE_URL": "https://localhost:8443"},
    "loopback base url": {"PORTAL_BASE_URL": "https://127.0.0.1"},
    "other loopback base url": {"PORTAL_BASE_URL": "https://127.0.1.1/portal"},
    "ipv6 loopback base url": {"PORTAL_BASE_URL": "https://[::1]/"},
    "unspecified base url": {"PORTAL_BASE_URL": "https://0.0.0.0"},
    "no email url": {"EMAIL_URL": None},
    "console email": {"EMAIL_URL": "consolemail://"},
    "locmem email": {"EMAIL_URL": "memorymail://"},
    "file email": {"EMAIL_URL": "filemail:///tmp/mail"},
    "dummy email": {"EMAIL_URL": "dummymail://"},
    "unknown email scheme": {"EMAIL_URL": "submission://mailer:secret@smtp.example.kr"},
    "smtps email": {"EMAIL_URL": "smtps://mailer:secret@smtp.example.kr:465"},
    "hsts opted in": {"SECURE_HSTS_INCLUDE_SUBDOMAINS": "true", "SECURE_HSTS_PRELOAD": "true"},
    "admins": {"ADMINS": "Ops Team <ops@example.kr>, security@example.kr"},
    "admins without an address": {"ADMINS": "Ops Team"},
    "admins with sentry": {"ADMINS": "ops@example.kr", "SENTRY_DSN": "https://public@sentry.example.kr/1"},
    "bad sentry dsn": {"SENTRY_DSN": "not a dsn"},
    "log format xml": {"LOG_FORMAT": "xml"},
    "log level loud": {"LOG_LEVEL": "LOUD"},
    "log format text": {"LOG_FORMAT": "text", "LOG_LEVEL": "warning"},
    "metrics network not a network": {"METRICS_ALLOWED_NETWORKS": "10.0.0.0/8,10.0.0.0/33"},
    "metrics networks": {"METRICS_ALLOWED_NETWORKS": "10.0.0.0/8,fd00::/8"},
    "short metrics token": {"METRICS_TOKEN": "secret"},
    "multiprocess dir missing": {"PROMETHEUS_MULTIPROC_DIR": "/nonexistent/prometheus"},
    "debug defaults": {"DEBUG": "true", "SECRET_KEY": None, "ALLOWED_HOSTS": None, "PORTAL_BASE_URL": None,
                       "EMAIL_URL": None},
}
SHOWN = ["EMAIL_BACKEND", "PORTAL_BASE_URL", "LOG_FORMAT", "LOG_LEVEL", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
         "SECURE_HSTS_PRELOAD", "SILENCED_SYSTEM_CHECKS", "ADMINS", "METRICS_ALLOWED_NETWORKS"]
SETTINGS_PROBE = f"""
import json, os, runpy, sys
from django.core.exceptions import ImproperlyConfigured
base = dict(os.environ)
for name, changes in json.loads(sys.argv[1]).items():
    os.environ.clear()
    os.environ.update(base)
    for key, value in changes.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    try:
        found = runpy.run_path("megaproject/settings.py")
    except ImproperlyConfigured as exc:
        print(json.dumps([name, "refused", str(exc)]))
    else:
        handlers = found["LOGGING"]["root"]["handlers"]
        print(json.dumps([name, "started", {{**{{k: found.get(k) for k in {SHOWN!r}}}, "log handlers": handlers}}]))
"""

SCENARIOS = {
    "debug on, no secret key": start_django("from django.conf import settings; print(settings.DEBUG)", DEBUG="true"),
    "debug off, no secret key": start_django(DEBUG="false"),
    "debug unset, no secret key": start_django(),
    "bad database url": start_django(DEBUG="true", DATABASE_URL="nosuch://x"),
    "debug maybe": start_django(DEBUG="maybe", SECRET_KEY=random_secret_key()),
    "allow demo data perhaps": start_django(DEBUG="true", ALLOW_DEMO_DATA="perhaps"),
    "conn max age forever": start_django(DEBUG="true", CONN_MAX_AGE="forever"),
    "storage ftp": start_django(DEBUG="true", STORAGE_BACKEND="ftp"),
    "storage s3 without bucket": start_django(DEBUG="true", STORAGE_BACKEND="s3"),
    "broker over http": start_django(DEBUG="true", CELERY_BROKER_URL="http://127.0.0.1:6379/0"),
    "cache over memcached": start_django(DEBUG="true", CACHE_URL="memcached://127.0.0.1:11211"),
    "cache on redis": start_django("from django.conf import settings; print(settings.CACHES['default']['BACKEND'])",
                                   DEBUG="true", CACHE_URL="redis://127.0.0.1:6379/4"),
    "cache unset": start_django("from django.conf import settings; print(settings.CACHES['default']['BACKEND'])",
                                DEBUG="true"),
    "storage s3": start_django(
        "from django.conf import settings\n"
        "from django.core.files.storage import storages\n"
        "print(repr(settings.STORAGES['default']))\n"
        "s = storages['default']\n"
        "print(f'{type(s).__module__}.{type(s).__name__}')",
        DEBUG="true", STORAGE_BACKEND="s3", AWS_STORAGE_BUCKET_NAME="portal-uploads",
        AWS_S3_ENDPOINT_URL="https://s3.example.kr",
    ),
    "idle longer than a log-in": start_django(DEBUG="true", SESSION_IDLE_TIMEOUT_MINUTES="800"),
    "idle zero": start_django(DEBUG="true", SESSION_IDLE_TIMEOUT_STAFF_MINUTES="0"),
    "session lengths": start_django(
        "from django.conf import settings\n"
        "print(settings.SESSION_IDLE_TIMEOUT_STAFF_MINUTES, settings.SESSION_IDLE_TIMEOUT_MINUTES,"
        " settings.SESSION_ABSOLUTE_LIFETIME_HOURS, settings.SESSION_COOKIE_AGE, settings.SESSION_ENGINE)",
        DEBUG="true", SESSION_ABSOLUTE_LIFETIME_HOURS="8"),
    "storage default": start_django(
        "from django.conf import settings; print(settings.STORAGES['default']['BACKEND'])", DEBUG="true"
    ),
    "deploy check": manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION),
    "settings cases": (["-c", SETTINGS_PROBE, json.dumps(SETTINGS_CASES)], PRODUCTION),
    "sentry": start_django(
        "import sentry_sdk\n"
        "client = sentry_sdk.get_client()\n"
        "print(client.is_active(), client.options['send_default_pii'], client.options['environment'],"
        " client.options['release'])",
        **PRODUCTION, SENTRY_DSN="https://public@sentry.example.kr/1", SENTRY_RELEASE="portal-1.4.0",
        DATABASE_URL="sqlite://:memory:",
    ),
    "production over plain http": start_django(
        "from django.test import Client\n"
        "for path in ('/healthz', '/healthz/live', '/healthz/ready', '/metrics', '/accounts/login/'):\n"
        "    r = Client().get(path, HTTP_HOST='portal.example.kr')\n"
        "    print(path, r.status_code, r.get('Location', '-'))",
        **PRODUCTION, DATABASE_URL="sqlite://:memory:",
    ),
    "production headers over https": start_django(
        "from django.conf import settings\n"
        "from django.test import Client, override_settings\n"
        "plain = {**settings.STORAGES, 'staticfiles': {'BACKEND': 'django.contrib.staticfiles.storage.StaticFilesStorage'}}\n"
        "with override_settings(STORAGES=plain):  # no collectstatic manifest here\n"
        "    r = Client().get('/accounts/login/', HTTP_HOST='portal.example.kr', secure=True)\n"
        "print(r.status_code)\n"
        "print(r['Strict-Transport-Security'])\n"
        "print(r['Content-Security-Policy'])\n"
        "c = r.cookies['csrftoken']\n"
        "print(bool(c['secure']), c['samesite'])\n"
        "print(settings.SESSION_COOKIE_HTTPONLY, settings.SESSION_COOKIE_SAMESITE, settings.X_FRAME_OPTIONS,"
        " settings.AUTHENTICATION_BACKENDS[0], settings.AXES_FAILURE_LIMIT, settings.TRUSTED_PROXY_COUNT)",
        **PRODUCTION, DATABASE_URL="sqlite://:memory:",
    ),
    "production security": start_django(
        "from django.conf import settings\n"
        "print(settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE,"
        " settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS, settings.ALLOWED_HOSTS)",
        **PRODUCTION,
    ),
}


@pytest.fixture(scope="module")
def started(tmp_path_factory):
    # The deployment check runs as production would: with the ministry's signing certificate
    # (without one it warns, core.W001: tests/core/test_signing_startup.py).
    from tests.certificates import PASSWORD, signing_pkcs12

    certificate = signing_pkcs12(tmp_path_factory.mktemp("signing") / "ministry.p12")
    more = {"deploy check": {"DOCUMENT_SIGNING_PKCS12": str(certificate), "DOCUMENT_SIGNING_PASSWORD": PASSWORD}}
    base = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "megaproject.settings",
    }
    processes = {
        name: subprocess.Popen([PYTHON, *args], cwd=REPO, env={**base, **env, **more.get(name, {})}, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for name, (args, env) in SCENARIOS.items()
    }
    results = {}
    try:
        for name, process in processes.items():
            stdout, stderr = process.communicate(timeout=120)
            results[name] = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
    return results


@pytest.fixture
def outcome(started):
    return started.__getitem__


def last_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    return lines[-1] if lines else ""


def test_it_starts_in_debug_mode_without_a_secret_key(outcome):
    result = outcome("debug on, no secret key")
    assert (result.returncode, result.stdout.strip()) == (0, "True"), result.stderr


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off(outcome):
    result = outcome("debug off, no secret key")
    assert result.returncode == 1
    assert last_line(result) == f"{ERROR}SECRET_KEY: must be set when DEBUG is off (production mode)."


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_unset(outcome):
    result = outcome("debug unset, no secret key")
    assert result.returncode == 1
    assert last_line(result).startswith(f"{ERROR}SECRET_KEY:")


def test_it_refuses_a_database_url_with_an_unknown_scheme_and_names_database_url(outcome):
    result = outcome("bad database url")
    assert result.returncode == 1
    assert last_line(result).startswith(f"{ERROR}DATABASE_URL:")


def test_it_refuses_a_debug_value_that_is_not_a_boolean_and_names_debug(outcome):
    result = outcome("debug maybe")
    assert result.returncode == 1
    assert last_line(result).startswith(f"{ERROR}DEBUG:")


def test_it_refuses_an_allow_demo_data_value_that_is_not_a_boolean_and_names_it(outcome):
    result = outcome("allow demo data perhaps")
    assert result.returncode == 1
    assert last_line(result).startswith(f"{ERROR}ALLOW_DEMO_DATA:")


def test_it_refuses_a_conn_max_age_that_is_not_a_number_and_names_it(outcome):
    result = outcome("conn max age forever")
    assert result.returncode == 1
    assert last_line(result).startswith(f"{ERROR}CONN_MAX_AGE:")


def test_it_refuses_an_unknown_storage_backend_and_names_storage_backend(outcome):
    result = outcome("storage ftp")
    assert result.returncode == 1
    assert last_line(result) == f"{ERROR}STORAGE_BACKEND: must be 'local' or 's3', not 'ftp'"


def test_it_refuses_s3_storage_without_a_bucket_and_names_the_bucket_variable(outcome):
    result = outcome("storage s3 without bucket")
    assert result.returncode == 1
    assert last_line(result).startswith(f"{ERROR}AWS_STORAGE_BUCKET_NAME:")


def test_it_refuses_a_broker_url_with_an_unknown_scheme_and_names_celery_broker_url(outcome):
    result = outcome("broker over http")
    assert result.returncode == 1
    assert last_line(result).startswith(f"{ERROR}CELERY_BROKER_URL:")


def test_it_refuses_a_cache_url_that_is_not_redis_and_names_cache_url(outcome):
    result = outcome("cache over memcached")
    assert result.returncode != 0 and last_line(result).startswith(ERROR + "CACHE_URL:")


def test_a_cache_url_shares_the_default_cache_through_redis_and_without_it_each_process_keeps_its_own(outcome):
    assert outcome("cache on redis").stdout.strip() == "django.core.cache.backends.redis.RedisCache"
    assert outcome("cache unset").stdout.strip() == "django.core.cache.backends.locmem.LocMemCache"


def test_the_session_lengths_are_read_and_the_cookie_lasts_as_long_as_a_log_in(outcome):
    result = outcome("session lengths")
    assert result.stdout.split() == ["30", "120", "8", str(8 * 3600), "django.contrib.sessions.backends.db"]


def test_it_refuses_an_idle_timeout_longer_than_a_log_in_or_of_zero_minutes(outcome):
    assert last_line(outcome("idle longer than a log-in")).startswith(f"{ERROR}SESSION_IDLE_TIMEOUT_MINUTES:")
    assert last_line(outcome("idle zero")).startswith(f"{ERROR}SESSION_IDLE_TIMEOUT_STAFF_MINUTES:")


def test_it_selects_s3_storage_when_storage_backend_is_s3(outcome):
    result = outcome("storage s3")
    assert result.returncode == 0, result.stderr
    configured, instantiated = result.stdout.strip().splitlines()
    storage = ast.literal_eval(configured)
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert (storage["OPTIONS"]["bucket_name"], storage["OPTIONS"]["endpoint_url"]) == (
        "portal-uploads", "https://s3.example.kr",
    )
    assert instantiated == "storages.backends.s3.S3Storage"


def test_it_keeps_uploads_on_the_local_disk_by_default(outcome):
    assert outcome("storage default").stdout.strip() == "django.core.files.storage.FileSystemStorage"


def test_the_deployment_checklist_passes_with_production_settings(outcome):
    """Nothing warns but the two opt-in HSTS checks, silenced by name (security.W005, security.W021)."""
    result = outcome("deploy check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (2 silenced)."
    assert "WARNING" not in result.stderr


@pytest.fixture(scope="module")
def settings_cases(started) -> dict:
    result = started["settings cases"]
    assert result.returncode == 0, result.stderr
    found = {}
    for line in result.stdout.strip().splitlines():
        name, verdict, detail = json.loads(line)
        found[name] = (verdict, detail)
    assert sorted(found) == sorted(SETTINGS_CASES)
    return found


def refusal(settings_cases, case: str) -> str:
    verdict, detail = settings_cases[case]
    assert verdict == "refused", detail
    return detail


def chosen(settings_cases, case: str) -> dict:
    verdict, detail = settings_cases[case]
    assert verdict == "started", detail
    return detail


def test_production_settings_with_every_required_variable_start(settings_cases):
    values = chosen(settings_cases, "complete")
    assert (values["EMAIL_BACKEND"], values["PORTAL_BASE_URL"], values["LOG_FORMAT"], values["LOG_LEVEL"]) == (
        "django.core.mail.backends.smtp.EmailBackend", "https://portal.example.kr", "json", "INFO")
    assert values["SILENCED_SYSTEM_CHECKS"] == ["security.W005", "security.W021"]


@pytest.mark.parametrize(("case", "message"), [
    ("no allowed hosts", "ALLOWED_HOSTS: must be set when DEBUG is off (production mode)."),
    ("empty allowed hosts", "ALLOWED_HOSTS: must be set when DEBUG is off (production mode)."),
    ("no base url",
     "PORTAL_BASE_URL: must be set to the portal's public https:// address when DEBUG is off (production mode)."),
    ("plain http base url", "PORTAL_BASE_URL: must be the portal's public https:// address (not localhost) "
                            "when DEBUG is off, got 'http://portal.example.kr'."),
    ("plain http base url, https redirect off", "PORTAL_BASE_URL: must be the portal's public https:// address "
                                                "(not localhost) when DEBUG is off, got 'http://portal.example.kr'."),
    ("localhost base url", "PORTAL_BASE_URL: must be the portal's public https:// address (not localhost) "
                           "when DEBUG is off, got 'https://localhost:8443'."),
    ("no email url", "EMAIL_URL: must be set to an SMTP server (smtp://user:password@host:587 or smtps://…) "
                     "when DEBUG is off (production mode)."),
    ("console email", "EMAIL_URL: must name an SMTP server (smtp:// or smtps://) when DEBUG is off; "
                      "consolemail:// would not send the mail."),
    ("locmem email", "EMAIL_URL: must name an SMTP server (smtp:// or smtps://) when DEBUG is off; "
                     "memorymail:// would not send the mail."),
    ("unknown email scheme",
     "EMAIL_URL: invalid value (scheme 'submission'; use smtp://, smtps:// or consolemail://)"),
])
def test_production_settings_refuse_to_start_naming_the_variable(settings_cases, case, message):
    assert refusal(settings_cases, case) == message


@pytest.mark.parametrize(("case", "variable"), [
    ("loopback base url", "PORTAL_BASE_URL"),
    ("other loopback base url", "PORTAL_BASE_URL"),
    ("ipv6 loopback base url", "PORTAL_BASE_URL"),
    ("unspecified base url", "PORTAL_BASE_URL"),
    ("file email", "EMAIL_URL"),
    ("dummy email", "EMAIL_URL"),
    ("admins without an address", "ADMINS"),
    ("bad sentry dsn", "SENTRY_DSN"),
    ("log format xml", "LOG_FORMAT"),
    ("log level loud", "LOG_LEVEL"),
    ("metrics network not a network", "METRICS_ALLOWED_NETWORKS"),
    ("short metrics token", "METRICS_TOKEN"),
    ("multiprocess dir missing", "PROMETHEUS_MULTIPROC_DIR"),
])
def test_a_wrong_operations_value_stops_start_up_naming_its_variable(settings_cases, case, variable):
    assert refusal(settings_cases, case).startswith(f"{variable}: ")


def test_no_secret_of_the_mail_server_is_repeated_in_a_refusal(settings_cases):
    assert "secret" not in refusal(settings_cases, "unknown email scheme")


def test_smtps_is_accepted(settings_cases):
    assert chosen(settings_cases, "smtps email")["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"


def test_hsts_for_subdomains_and_the_preload_list_are_opt_in(settings_cases):
    default, opted_in = chosen(settings_cases, "complete"), chosen(settings_cases, "hsts opted in")
    assert (default["SECURE_HSTS_INCLUDE_SUBDOMAINS"], default["SECURE_HSTS_PRELOAD"]) == (False, False)
    assert (opted_in["SECURE_HSTS_INCLUDE_SUBDOMAINS"], opted_in["SECURE_HSTS_PRELOAD"]) == (True, True)


def test_server_errors_are_mailed_to_admins_when_sentry_is_not_configured(settings_cases):
    assert chosen(settings_cases, "complete")["log handlers"] == ["console"]
    admins = chosen(settings_cases, "admins")
    assert admins["ADMINS"] == [["Ops Team", "ops@example.kr"], ["", "security@example.kr"]]
    assert admins["log handlers"] == ["console", "mail_admins"]
    assert chosen(settings_cases, "admins with sentry")["log handlers"] == ["console"]


def test_logs_are_json_in_production_and_text_when_asked_or_in_debug(settings_cases):
    text = chosen(settings_cases, "log format text")
    assert (text["LOG_FORMAT"], text["LOG_LEVEL"]) == ("text", "WARNING")
    debug = chosen(settings_cases, "debug defaults")
    assert (debug["LOG_FORMAT"], debug["EMAIL_BACKEND"], debug["PORTAL_BASE_URL"]) == (
        "text", "django.core.mail.backends.console.EmailBackend", "http://127.0.0.1:8000")


def test_metrics_networks_default_to_loopback_and_can_be_widened(settings_cases):
    assert chosen(settings_cases, "complete")["METRICS_ALLOWED_NETWORKS"] == ["127.0.0.0/8", "::1/128"]
    assert chosen(settings_cases, "metrics networks")["METRICS_ALLOWED_NETWORKS"] == ["10.0.0.0/8", "fd00::/8"]


def test_sentry_is_initialised_from_sentry_dsn_without_personal_data(outcome):
    result = outcome("sentry")
    assert result.stdout.strip() == "True False production portal-1.4.0", result.stderr


def test_production_mode_turns_on_the_secure_cookies_and_https_settings(outcome):
    result = outcome("production security")
    assert result.stdout.strip() == "False True True True 31536000 ['portal.example.kr']", result.stderr


def test_production_redirects_plain_http_to_https_except_the_health_checks_and_metrics(outcome):
    result = outcome("production over plain http")
    assert result.stdout.strip().splitlines() == [
        "/healthz 200 -",
        "/healthz/live 200 -",
        "/healthz/ready 200 -",
        "/metrics 200 -",
        "/accounts/login/ 301 https://portal.example.kr/accounts/login/",
    ], result.stderr


def test_production_pages_carry_hsts_a_strict_csp_secure_cookies_and_login_throttling(outcome):
    result = outcome("production headers over https")
    assert result.returncode == 0, result.stderr
    status, hsts, csp, csrf_cookie, rest = result.stdout.strip().splitlines()
    assert status == "200"
    assert hsts == "max-age=31536000"  # includeSubDomains and preload are opt-in
    directives = dict((d.split(" ", 1) + [""])[:2] for d in csp.split("; "))
    assert directives["default-src"] == "'self'"
    assert "'unsafe-inline'" not in directives.get("script-src", directives["default-src"])
    assert directives.get("frame-ancestors") == "'none'" and directives.get("object-src") == "'none'"
    assert csrf_cookie == "True Lax"
    assert rest == "True Lax DENY megaproject.throttling.LoginThrottleBackend 5 0"
