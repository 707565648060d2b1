"""The first administrator of a fresh install: `manage.py createsuperuser`, interactive or
with --noinput and DJANGO_SUPERUSER_*, makes an administrator (role admin, no region) who
logs in to the portal and to the admin through their log-in pages.

The production case runs the real command in a fresh process with DEBUG off and
production settings, on the test database (PostgreSQL when DATABASE_URL is set, else a
copy of the SQLite test database), the interactive one on a real pseudo-terminal; a
second fresh process then logs in through the log-in pages over https.
"""

import json
import os
import secrets
import select
import sqlite3
import subprocess
import time
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from accounts.models import Role, User
from tests.conftest import _database_url_for_worker
from tests.login import enrol_on_page

REPO = Path(__file__).resolve().parents[2]
PYTHON = str(REPO / ".venv" / "bin" / "python")
HOST = "portal.megaproject.test"


def test_createsuperuser_without_input_makes_an_administrator_who_logs_in_to_the_portal_and_the_admin(
        client, monkeypatch, db):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "first-admin")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "it@ministry.example.kr")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-first-admin-passphrase")
    call_command("createsuperuser", "--noinput", stdout=StringIO())

    admin = User.objects.get(username="first-admin")
    assert (admin.role, admin.region, admin.email) == (Role.ADMIN, None, "it@ministry.example.kr")
    assert (admin.is_superuser, admin.is_staff, admin.is_active) == (True, True, True)

    login = client.post(reverse("login"), {"username": "first-admin", "password": "a-long-first-admin-passphrase"})
    # An administrator enrols an authenticator before any page (accounts.twofactor).
    assert (login.status_code, login["Location"]) == (302, f"{reverse('twofactor_enrol')}?next=%2F")
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("twofactor_enrol"))
    enrolled = enrol_on_page(client, login["Location"])
    assert enrolled["Location"] == f"{reverse('twofactor_codes')}?next=%2F"
    assert client.get(reverse("dashboard")).templates[0].name == "reports/dashboard_admin.html"
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200


def test_an_administrator_made_in_code_gets_the_admin_role_unless_told_otherwise(db):
    made = User.objects.create_superuser("made-in-code", "a@example.kr", "a-long-passphrase-here")
    assert (made.role, made.region_id) == (Role.ADMIN, None)
    ministry = User.objects.create_superuser("ministry-super", "m@example.kr", "a-long-passphrase-here",
                                             role=Role.MINISTRY)
    assert (ministry.role, ministry.region_id) == (Role.MINISTRY, None)


# --- In production: fresh processes, DEBUG off -----------------------------------------------


def production_env(database_url: str) -> dict:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/root"),
        "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": HOST,
        "PORTAL_BASE_URL": f"https://{HOST}", "EMAIL_URL": "smtp://127.0.0.1:2525",
        "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "megaproject.settings",
    }


def run(args, env, **kwargs):
    return subprocess.run([PYTHON, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120, **kwargs)


def interactive(args, env, answers: list[str], timeout=60) -> tuple[list[str], str]:
    """Run `args` on a pseudo-terminal, typing the next answer whenever a prompt ("…: ") waits;
    returns the prompts and all it printed."""
    master, slave = os.openpty()
    proc = subprocess.Popen([PYTHON, *args], cwd=REPO, env=env, stdin=slave, stdout=slave, stderr=slave,
                            start_new_session=True)  # no controlling terminal: getpass reads the pty
    os.close(slave)
    seen, answered_at, deadline = b"", 0, time.monotonic() + timeout
    pending, prompts = list(answers), []
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # the other end closed: the process is done
                    break
                if not chunk:
                    break
                seen += chunk
            tail = seen[answered_at:].decode(errors="replace").rstrip()
            if pending and tail.endswith(":"):
                prompts.append(tail.splitlines()[-1].strip())
                os.write(master, (pending.pop(0) + "\n").encode())
                answered_at = len(seen)
            if proc.poll() is not None and not ready:
                break
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"no end after {seen.decode(errors='replace')!r}") from None
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    return prompts, seen.decode(errors="replace")


LOG_IN = """
import base64, django, json, re
django.setup()
from django.conf import settings
from django.test import Client, override_settings
from accounts.models import User
from accounts.twofactor import confirmed_totp_device, current_code, usable_code

def token(page):
    return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content).group(1).decode()
plain = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
out = {}
with override_settings(STORAGES=plain):  # no collectstatic manifest here
    for username, password in %(accounts)r:
        portal = Client(HTTP_HOST=%(host)r)
        login = portal.post("/accounts/login/", {"username": username, "password": password}, secure=True)
        # The first log-in enrols an authenticator: the key read from the page, the code an app would give.
        page = portal.get(login["Location"], secure=True)
        shown = re.search(rb'id="totp-secret"[^>]*>([A-Z2-7 ]+)<', page.content).group(1).decode().replace(" ", "")
        key = base64.b32decode(shown + "=" * (-len(shown) %% 8)).hex()
        enrolled = portal.post(login["Location"], {"code": current_code(key), "csrfmiddlewaretoken": token(page)},
                               secure=True)
        home = portal.get("/", secure=True)
        admin = Client(HTTP_HOST=%(host)r)
        admin_login = admin.post("/admin/login/", {"username": username, "password": password, "next": "/admin/"},
                                 secure=True)
        user = User.objects.get(username=username)
        # The admin site's log-in owes the second step too: the next code of the authenticator.
        before = admin.get("/admin/", secure=True)
        verify = admin.get(before["Location"], secure=True)
        verified = admin.post(before["Location"], {"code": usable_code(confirmed_totp_device(user)),
                                                   "csrfmiddlewaretoken": token(verify)}, secure=True)
        out[username] = {
            "login": [login.status_code, login.get("Location")],
            "enrolled": [enrolled.status_code, enrolled.get("Location")],
            "dashboard": [home.status_code, 'data-dashboard="admin"' in home.content.decode()],
            "admin login": [admin_login.status_code, admin_login.get("Location")],
            "admin before the code": [before.status_code, before.get("Location")],
            "admin code": [verified.status_code, verified.get("Location")],
            "admin index": admin.get("/admin/", secure=True).status_code,
            "user": [user.role, user.region_id, user.is_superuser, user.is_staff],
        }
print(json.dumps(out))
"""


@pytest.fixture
def shared_database(transactional_db, tmp_path):
    """A DATABASE_URL another process can open holding this test's database."""
    url = _database_url_for_worker()
    if url:
        return url
    path = tmp_path / "portal.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(path) as copy:
        connection.connection.backup(copy)
    copy.close()
    return f"sqlite:///{path}"


def test_in_production_createsuperuser_interactive_or_not_makes_administrators_who_log_in(shared_database):
    env = production_env(shared_database)

    created = run(["manage.py", "createsuperuser", "--noinput"], {
        **env, "DJANGO_SUPERUSER_USERNAME": "first-admin", "DJANGO_SUPERUSER_EMAIL": "it@ministry.example.kr",
        "DJANGO_SUPERUSER_PASSWORD": "a-long-first-admin-passphrase"})
    assert (created.returncode, created.stderr) == (0, "")
    assert created.stdout.strip() == "Superuser created successfully."

    prompts, typed = interactive(["manage.py", "createsuperuser"], env, [
        "second-admin", "it2@ministry.example.kr", "another-long-admin-passphrase", "another-long-admin-passphrase"])
    assert prompts == ["아이디:", "이메일 주소:", "Password:", "Password (again):"], typed
    assert "Superuser created successfully." in typed, typed

    checked = run(["-c", LOG_IN % {"host": HOST, "accounts": [
        ("first-admin", "a-long-first-admin-passphrase"), ("second-admin", "another-long-admin-passphrase")]}], env)
    assert checked.returncode == 0, checked.stderr
    for username, seen in json.loads(checked.stdout.strip().splitlines()[-1]).items():
        assert seen == {
            "login": [302, "/accounts/second-factor/enrol/?next=%2F"],
            "enrolled": [302, "/accounts/second-factor/recovery-codes/?next=%2F"],
            "dashboard": [200, True],
            "admin login": [302, "/admin/"],
            "admin before the code": [302, "/accounts/login/verify/?next=/admin/"],
            "admin code": [302, "/admin/"],
            "admin index": 200,
            "user": ["admin", None, True, True],
        }, username
    if settings.IS_POSTGRES:  # the same rows, seen from here
        assert sorted(User.objects.filter(role=Role.ADMIN, is_superuser=True).values_list("username", flat=True)) == [
            "first-admin", "second-admin"]
