"""Settings come from the environment; a bad value stops start-up and names the variable.

Each scenario is a fresh Python process with a controlled environment (nothing
inherited but PATH and HOME), as a server would start. The processes of the
module are started together on first use, so the module costs about as much
as its slowest scenario.
"""

import ast
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


PRODUCTION = {"DEBUG": "false", "SECRET_KEY": random_secret_key(), "ALLOWED_HOSTS": "portal.example.kr"}

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
    "storage s3": start_django(
        "from django.conf import settings\n"
        "from django.core.files.storage import storages\n"
        "print(repr(settings.STORAGES['default']))\n"
        "s = storages['default']\n"
        "print(f'{type(s).__module__}.{type(s).__name__}')",
        DEBUG="true", STORAGE_BACKEND="s3", AWS_STORAGE_BUCKET_NAME="portal-uploads",
        AWS_S3_ENDPOINT_URL="https://s3.example.kr",
    ),
    "storage default": start_django(
        "from django.conf import settings; print(settings.STORAGES['default']['BACKEND'])", DEBUG="true"
    ),
    "deploy check": manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION),
    "production over plain http": start_django(
        "from django.test import Client\n"
        "for path in ('/healthz', '/accounts/login/'):\n"
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
def started():
    base = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "megaproject.settings",
    }
    processes = {
        name: subprocess.Popen([PYTHON, *args], cwd=REPO, env={**base, **env}, text=True,
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
    result = outcome("deploy check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert "WARNING" not in result.stderr


def test_production_mode_turns_on_the_secure_cookies_and_https_settings(outcome):
    result = outcome("production security")
    assert result.stdout.strip() == "False True True True 31536000 ['portal.example.kr']", result.stderr


def test_production_redirects_plain_http_to_https_except_the_health_check(outcome):
    result = outcome("production over plain http")
    assert result.stdout.strip().splitlines() == [
        "/healthz 200 -",
        "/accounts/login/ 301 https://portal.example.kr/accounts/login/",
    ], result.stderr


def test_production_pages_carry_hsts_a_strict_csp_secure_cookies_and_login_throttling(outcome):
    result = outcome("production headers over https")
    assert result.returncode == 0, result.stderr
    status, hsts, csp, csrf_cookie, rest = result.stdout.strip().splitlines()
    assert status == "200"
    assert hsts == "max-age=31536000; includeSubDomains; preload"
    directives = dict((d.split(" ", 1) + [""])[:2] for d in csp.split("; "))
    assert directives["default-src"] == "'self'"
    assert "'unsafe-inline'" not in directives.get("script-src", directives["default-src"])
    assert directives.get("frame-ancestors") == "'none'" and directives.get("object-src") == "'none'"
    assert csrf_cookie == "True Lax"
    assert rest == "True Lax DENY megaproject.throttling.LoginThrottleBackend 5 0"
