"""Backups: `manage.py backup` and `manage.py restore`.

A small world (a funded proposal whose award letter is built into MEDIA_ROOT) is
backed up from the test database, restored into a new database (megaproject_bk_…)
and a new media folder, and compared table by table and file by file; a separate
`manage.py shell` on the restored copy logs in and downloads the letter. A target
that cannot be written, a failure half-way and a damaged backup never leave
anything marked as the latest backup or touch the database being restored into.

PostgreSQL only (pg_dump / pg_restore), but for the last test, which covers the
SQLite copy the portal's development set-up uses.
"""

import hashlib
import io
import json
import os
import subprocess
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from tests.conftest import REPO, VENV_BIN, _database_url_for_worker
from tests.factories import PASSWORD, MinistryFactory
from tests.funding.conftest import approve, approved, build_letter, letter, prepared, selected  # noqa: F401
from tests.proposals.conftest import _media_root, complete_proposal, make_proposal, proposal  # noqa: F401

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

needs_postgres = pytest.mark.skipif(not settings.IS_POSTGRES,
                                    reason="needs PostgreSQL (pg_dump/pg_restore): DATABASE_URL is not a postgres:// URL")


# --- Helpers ----------------------------------------------------------------------------------------------


def url_of(name: str) -> str:
    """A postgres:// URL for database `name` on the test database's server."""
    db = settings.DATABASES["default"]
    auth = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"


def connect(name: str):
    db = settings.DATABASES["default"]
    return psycopg2.connect(dbname=name, user=db.get("USER") or None, password=db.get("PASSWORD") or None,
                            host=db.get("HOST") or "127.0.0.1", port=db.get("PORT") or 5432)


def row_counts(name: str) -> dict[str, int]:
    """Every table of the public schema and its number of rows."""
    with connect(name) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT table_name FROM information_schema.tables "
                       "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1")
        tables = [t for (t,) in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    conn.close()
    return counts


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def files_of(folder: Path) -> dict[str, str]:
    """Every file under `folder` (relative path → SHA-256)."""
    folder = Path(folder)
    return {p.relative_to(folder).as_posix(): sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """`manage.py …` in a process of its own, with these variables on top of ours."""
    environment = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND")}
    environment.update(DEBUG="true", **env)
    return subprocess.run([str(VENV_BIN / "python"), "manage.py", *args], cwd=REPO, env=environment,
                          capture_output=True, text=True, timeout=120, check=False)


def database_env() -> dict[str, str]:
    """The variables that point a process at this test's database and media folder."""
    return {"DATABASE_URL": _database_url_for_worker(), "MEDIA_ROOT": str(settings.MEDIA_ROOT)}


@pytest.fixture
def scratch_databases():
    """`make()` names a database megaproject_bk_<pid>_<n> (created empty with create=True); all dropped after."""
    names = []

    def make(*, create: bool = False) -> str:
        name = f"megaproject_bk_{os.getpid()}_{len(names) + 1}"
        names.append(name)
        admin = connect("postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if create:
                cursor.execute(f'CREATE DATABASE "{name}"')
        admin.close()
        return name

    yield make
    admin = connect("postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        for name in names:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture
def backup_dir(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    return settings.BACKUP_DIR


@pytest.fixture
def stored_file(settings):
    """One stored file in MEDIA_ROOT, for the tests that need no letter."""
    path = Path(settings.MEDIA_ROOT) / "attachments" / "계획서.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.4 a stored attachment\n" * 100)
    return path


@pytest.fixture
def world(reference_data, letter, ministry, settings):  # noqa: F811  (the letter fixture imported above)
    """A funded proposal and its Korean award letter built into MEDIA_ROOT; `ministry` can
    log in with PASSWORD in any process (a PBKDF2 hash, not the tests' fast MD5)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    ministry.set_password(PASSWORD)
    ministry.save(update_fields=["password"])
    return letter


SERVE_LETTER = """
import hashlib, os
from django.test import Client
from django.urls import reverse
client = Client()
logged_in = client.post(reverse("login"), {"username": os.environ["BK_USERNAME"], "password": os.environ["BK_PASSWORD"]})
# Staff then type their authenticator's code (the restored device, its key restored with it).
from django_otp.plugins.otp_totp.models import TOTPDevice
from accounts.totp_codes import usable_code
device = TOTPDevice.objects.get(user__username=os.environ["BK_USERNAME"], confirmed=True)
verified = client.post(logged_in["Location"], {"code": usable_code(device)})
assert verified.status_code == 302, verified.status_code
response = client.get(reverse("funding:letter_download", args=[int(os.environ["BK_LETTER"])]))
body = b"".join(response.streaming_content) if response.streaming else response.content
print(logged_in.status_code, response.status_code, hashlib.sha256(body).hexdigest())
"""


# --- Back up and restore ------------------------------------------------------------------------------------


@needs_postgres
def test_a_backup_restored_into_a_new_database_and_media_folder_has_every_row_and_file_and_serves_the_letter(
    world, backup_dir, tmp_path, scratch_databases
):
    award_letter = world
    source_counts = row_counts(settings.DATABASES["default"]["NAME"])
    source_files = files_of(settings.MEDIA_ROOT)

    call_command("backup", verbosity=0)

    folder = (backup_dir / "latest").resolve()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(p.name for p in backup_dir.iterdir()) == [folder.name, "latest"]
    assert sorted(p.name for p in folder.iterdir()) == ["database.dump", "manifest.json", "media.tar.gz"]
    assert manifest["files"] == {name: {"sha256": sha256(folder / name), "bytes": (folder / name).stat().st_size}
                                 for name in ("database.dump", "media.tar.gz")}
    assert manifest["database"]["row_counts"] == source_counts
    assert manifest["database"]["row_counts"]["funding_awardletter"] == 1
    assert manifest["database"]["migrations"]["funding"] == max(
        p.stem for p in (REPO / "funding" / "migrations").glob("0*.py"))
    assert manifest["media"]["files"] == source_files
    assert source_files[award_letter.file.name] == award_letter.checksum
    assert manifest["portal_version"]["requirements_sha256"] == sha256(REPO / "requirements.txt")

    checked = io.StringIO()
    call_command("restore", "latest", verify_only=True, stdout=checked)
    assert checked.getvalue() == f"{folder}: every checksum matches and every archive opens (2 files).\n"

    target = scratch_databases()  # does not exist yet: the restore creates it
    restored_media = tmp_path / "restored-media"
    call_command("restore", "latest", database_url=url_of(target), media_root=str(restored_media),
                 interactive=False, verbosity=0)

    assert row_counts(target) == source_counts
    assert files_of(restored_media) == source_files
    served = manage("shell", "--verbosity", "0", "-c", SERVE_LETTER, DATABASE_URL=url_of(target), MEDIA_ROOT=str(restored_media),
                    BK_USERNAME="ministry", BK_PASSWORD=PASSWORD, BK_LETTER=str(award_letter.pk))
    assert served.returncode == 0, served.stderr
    assert served.stdout.splitlines()[-1].split() == ["302", "200", award_letter.checksum]


@needs_postgres
def test_only_the_newest_backups_are_kept_and_latest_names_the_newest(backup_dir, stored_file):
    for _ in range(3):
        call_command("backup", keep=2, verbosity=0)

    kept = sorted(p.name for p in backup_dir.iterdir() if p.name != "latest")
    assert len(kept) == 2
    assert (backup_dir / "latest").resolve().name == kept[-1]


# --- Failures: nothing half-written is ever the latest ---------------------------------------------------------


@needs_postgres
def test_an_unwritable_backup_folder_fails_with_its_name_and_leaves_no_backup(tmp_path, stored_file):
    not_a_folder = tmp_path / "not-a-folder"
    not_a_folder.write_text("a file where the backup folder's parent should be")
    target = not_a_folder / "backups"

    done = manage("backup", BACKUP_DIR=str(target), **database_env())

    assert done.returncode == 1
    assert f"BACKUP_DIR {target} is not a writable folder" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["media", "not-a-folder"]


@needs_postgres
def test_a_backup_failing_half_way_keeps_latest_on_the_previous_backup_and_leaves_no_partial_folder(
    backup_dir, stored_file, scratch_databases
):
    call_command("backup", verbosity=0)
    previous = (backup_dir / "latest").resolve()

    missing = scratch_databases()  # never created: the dump cannot connect
    done = manage("backup", BACKUP_DIR=str(backup_dir), DATABASE_URL=url_of(missing),
                  MEDIA_ROOT=str(settings.MEDIA_ROOT))

    assert done.returncode == 1
    assert f'database "{missing}" does not exist' in done.stderr
    assert (backup_dir / "latest").resolve() == previous
    assert sorted(p.name for p in backup_dir.iterdir()) == [previous.name, "latest"]


def _truncate_media_archive(folder: Path) -> str:
    archive = folder / "media.tar.gz"
    archive.write_bytes(archive.read_bytes()[:-200])
    return f"{archive}: checksum mismatch"


def _damage_dump_and_its_checksum(folder: Path) -> str:
    """The dump damaged and the manifest's checksum rewritten to match: only opening it can tell."""
    dump = folder / "database.dump"
    dump.write_bytes(b"not a pg_dump archive" + dump.read_bytes()[100:])
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["database.dump"]["sha256"] = sha256(dump)
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return f"{dump}: the dump does not open"


@needs_postgres
@pytest.mark.parametrize("damage", [_truncate_media_archive, _damage_dump_and_its_checksum],
                         ids=["truncated media archive", "damaged dump with a matching checksum"])
def test_a_damaged_backup_is_refused_naming_the_file_before_the_target_database_or_folder_is_touched(
    damage, backup_dir, stored_file, tmp_path, scratch_databases
):
    call_command("backup", verbosity=0)
    expected = damage((backup_dir / "latest").resolve())
    target = scratch_databases(create=True)
    with connect(target) as conn, conn.cursor() as cursor:
        cursor.execute("CREATE TABLE kept (note text); INSERT INTO kept VALUES ('before the restore')")
    conn.close()
    restored_media = tmp_path / "restored-media"

    with pytest.raises(CommandError) as refused:
        call_command("restore", "latest", database_url=url_of(target), media_root=str(restored_media),
                     interactive=False, verbosity=0)
    with pytest.raises(CommandError) as checked:
        call_command("restore", "latest", verify_only=True, verbosity=0)

    assert str(refused.value).startswith(f"restore refused: {expected}")
    assert str(checked.value).startswith(f"restore refused: {expected}")
    assert row_counts(target) == {"kept": 1}
    assert not restored_media.exists()


# --- SQLite ----------------------------------------------------------------------------------------------------------


@pytest.mark.skipif(settings.IS_POSTGRES, reason="the SQLite copy: runs when DATABASE_URL is unset")
def test_on_sqlite_a_backup_is_a_copy_restored_into_a_new_file_with_every_row(backup_dir, stored_file, tmp_path):
    import sqlite3

    from accounts.models import User

    MinistryFactory.create_batch(2)
    call_command("backup", verbosity=0)
    folder = (backup_dir / "latest").resolve()
    target = tmp_path / "restored.sqlite3"

    call_command("restore", str(folder), database_url=f"sqlite:///{target}", media_root=str(tmp_path / "m"),
                 interactive=False, verbosity=0)

    conn = sqlite3.connect(target)
    assert conn.execute("SELECT count(*) FROM accounts_user").fetchone()[0] == User.objects.count() == 2
    conn.close()
    assert files_of(tmp_path / "m") == files_of(settings.MEDIA_ROOT)
