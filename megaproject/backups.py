"""Backups of the portal: the database and the stored files, with a manifest of checksums.

`manage.py backup` writes one folder per backup under BACKUP_DIR:

    BACKUP_DIR/
      20261202-130501/          a complete backup (its folder is made private: mode 0700)
        database.dump           PostgreSQL: `pg_dump --format=custom`
        database.sqlite3        SQLite instead: a copy made with sqlite3's backup API
        media.tar.gz            MEDIA_ROOT (local storage only; an S3 bucket is backed up by the store)
        manifest.json           SHA-256 and size of each file above, the portal version, the last
                                applied migration of each app, the row count of every table, and
                                the SHA-256 of every stored file inside media.tar.gz
      latest -> 20261202-130501 a symbolic link, moved only once a backup is complete

A backup is built in a hidden temporary folder (`.partial-…`) and renamed to its
timestamp only when every file and the manifest are written, so a failed or
interrupted run never leaves anything that looks complete or moves `latest`. Then
the oldest complete backups beyond BACKUP_KEEP are removed.

On PostgreSQL the row counts and migrations are read in the very snapshot that
pg_dump dumps (`pg_export_snapshot` + `pg_dump --snapshot`), so they describe the
dump exactly even while the portal is in use.

`manage.py restore` checks everything before it touches anything: every file's
checksum against the manifest, that the dump opens (`pg_restore --list`, or an
SQLite integrity check) and that the media archive reads to its end with every
member's checksum right. Only then does it restore the database
(`pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction`:
all or nothing) and unpack the files, and it checks the restored row counts.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import environ
from django.conf import settings
from django.db import connections
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
MEDIA_ARCHIVE = "media.tar.gz"
LATEST = "latest"
PARTIAL_PREFIX = ".partial-"
# A complete backup's folder name: its local start time, with -2, -3… when two start in one second.
NAME = re.compile(r"^(\d{8}-\d{6})(?:-(\d+))?$")
# Folders of interrupted runs are removed by a later backup once they are this old.
STALE_PARTIAL_SECONDS = 24 * 3600
# libpq connection settings that Django's OPTIONS may carry, with their environment variable.
_LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT", "options": "PGOPTIONS", "service": "PGSERVICE",
    "target_session_attrs": "PGTARGETSESSIONATTRS", "application_name": "PGAPPNAME",
}

Log = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that failed or was refused; the message names the file or setting."""


# --- The database: PostgreSQL or SQLite ---------------------------------------------------------


@dataclass(frozen=True)
class Database:
    vendor: str  # "postgresql" or "sqlite"
    config: dict = field(repr=False)  # Django's NAME, USER, PASSWORD, HOST, PORT, OPTIONS

    @classmethod
    def configured(cls, alias: str = "default") -> Database:
        return cls.from_config(connections[alias].settings_dict)

    @classmethod
    def from_url(cls, url: str) -> Database:
        try:
            config = environ.Env.db_url_config(url)
        except Exception as exc:  # environ raises several kinds on a bad URL
            raise BackupError(f"--database-url: cannot read this URL ({exc.__class__.__name__})") from exc
        return cls.from_config(config)

    @classmethod
    def from_config(cls, config: dict) -> Database:
        engine = config.get("ENGINE", "")
        if engine.endswith("postgresql"):
            return cls("postgresql", dict(config))
        if engine.endswith("sqlite3"):
            return cls("sqlite", dict(config))
        raise BackupError(f"unsupported database engine {engine!r}: backups cover PostgreSQL and SQLite")

    @property
    def name(self) -> str:
        return str(self.config.get("NAME") or "")

    def describe(self) -> str:
        """For messages: no password."""
        if self.vendor == "sqlite":
            return f"SQLite database {self.name}"
        host = self.config.get("HOST") or "local socket"
        port = f":{self.config['PORT']}" if self.config.get("PORT") else ""
        return f"PostgreSQL database {self.name!r} on {host}{port}"

    # PostgreSQL connection parameters, for psycopg2 and for pg_dump/pg_restore.
    def libpq(self, dbname: str | None = None) -> dict:
        params = {"dbname": dbname or self.name}
        for key, target in (("USER", "user"), ("PASSWORD", "password"), ("HOST", "host"), ("PORT", "port")):
            if self.config.get(key):
                params[target] = str(self.config[key])
        for key, value in (self.config.get("OPTIONS") or {}).items():
            if key in _LIBPQ_OPTIONS:
                params[key] = str(value)
        return params

    def pg_env(self) -> dict:
        """The environment for pg_dump/pg_restore: the password never appears on a command line."""
        env = dict(os.environ)
        names = {"user": "PGUSER", "password": "PGPASSWORD", "host": "PGHOST", "port": "PGPORT",
                 "dbname": "PGDATABASE", **_LIBPQ_OPTIONS}
        for key, value in self.libpq().items():
            env[names[key]] = value
        return env

    def is_in_memory(self) -> bool:
        return self.vendor == "sqlite" and (self.name in ("", ":memory:") or "mode=memory" in self.name)


def _pg_connect(database: Database, dbname: str | None = None):
    import psycopg2

    try:
        return psycopg2.connect(**database.libpq(dbname))
    except psycopg2.Error as exc:
        raise BackupError(f"cannot connect to {database.describe()}: {str(exc).strip()}") from exc


def _need(program: str) -> str:
    path = shutil.which(program)
    if not path:
        raise BackupError(f"{program} is not installed: install Debian's postgresql-client "
                          "(scripts/setup.sh does), the same major version as the server or newer")
    return path


def _run(args: list[str], env: dict, what: str) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip()
        raise BackupError(f"{what} failed (exit {done.returncode}): {detail}")


def _pg_tables(cursor) -> list[tuple[str, str]]:
    cursor.execute(
        "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
        "AND n.nspname NOT LIKE 'pg\\_toast%%' AND n.nspname NOT LIKE 'pg\\_temp%%' ORDER BY 1, 2"
    )
    return list(cursor.fetchall())


def _table_key(schema: str, table: str) -> str:
    return table if schema == "public" else f"{schema}.{table}"


def pg_row_counts(cursor) -> dict[str, int]:
    from psycopg2 import sql

    counts = {}
    for schema, table in _pg_tables(cursor):
        cursor.execute(sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(table)))
        counts[_table_key(schema, table)] = cursor.fetchone()[0]
    return counts


def _pg_migrations(cursor) -> dict[str, str]:
    cursor.execute("SELECT to_regclass('django_migrations') IS NOT NULL")
    if not cursor.fetchone()[0]:
        return {}
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
    return dict(cursor.fetchall())  # the last applied migration of each app


def _dump_postgres(database: Database, dest: Path) -> dict:
    import psycopg2
    import psycopg2.extensions

    pg_dump = _need("pg_dump")
    conn = _pg_connect(database)
    try:
        conn.set_session(isolation_level=psycopg2.extensions.ISOLATION_LEVEL_REPEATABLE_READ, readonly=True)
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = pg_row_counts(cursor)
            migrations = _pg_migrations(cursor)
            # The dump reads the snapshot this transaction exported: the counts above describe it.
            _run([pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={dest}"],
                 database.pg_env(), "pg_dump")
        server = conn.server_version
        conn.rollback()
    except psycopg2.Error as exc:
        raise BackupError(f"reading the {database.describe()} failed: {str(exc).strip()}") from exc
    finally:
        conn.close()
    return {"vendor": "postgresql", "file": PG_DUMP, "name": database.name,
            "server_version": f"{server // 10000}.{server % 10000}", "row_counts": counts, "migrations": migrations}


def _read_only(path: Path) -> str:
    return f"{Path(path).resolve().as_uri()}?mode=ro"


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                        "ORDER BY name")
    return [name for (name,) in rows]


def sqlite_row_counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # noqa: S608 (names from sqlite_master)
            for name in _sqlite_tables(conn)}


def _sqlite_migrations(conn: sqlite3.Connection) -> dict[str, str]:
    if "django_migrations" not in _sqlite_tables(conn):
        return {}
    return dict(conn.execute("SELECT app, name FROM django_migrations ORDER BY id").fetchall())


def _copy_sqlite(database: Database, dest: Path) -> dict:
    copy = sqlite3.connect(dest)
    try:
        if database.is_in_memory():  # only the running process can read it (tests): its own connection
            connection = connections["default"]
            connection.ensure_connection()
            connection.connection.backup(copy)
        else:
            source_path = Path(database.name)
            if not source_path.is_file():
                raise BackupError(f"the SQLite database {source_path} does not exist")
            source = sqlite3.connect(_read_only(source_path), uri=True)
            try:
                source.backup(copy)  # a consistent copy even while the portal writes
            finally:
                source.close()
        counts, migrations = sqlite_row_counts(copy), _sqlite_migrations(copy)
    finally:
        copy.close()
    return {"vendor": "sqlite", "file": SQLITE_COPY, "name": database.name, "row_counts": counts,
            "migrations": migrations}


# --- Files and checksums ----------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _Hashing:
    """A file read by tarfile, hashed on the way: the checksum is of exactly the archived bytes."""

    def __init__(self, f):
        self.f, self.digest = f, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.f.read(size)
        self.digest.update(data)
        return data


def _archive_media(media_root: Path, dest: Path) -> dict:
    files: dict[str, str] = {}
    total = 0
    with tarfile.open(dest, "w:gz", compresslevel=6) as tar:
        if media_root.is_dir():
            for path in sorted(media_root.rglob("*")):
                if path.is_symlink() or not path.is_file():
                    continue  # folders are implied by the files' paths; links are not followed
                name = path.relative_to(media_root).as_posix()
                with open(path, "rb") as f:
                    info = tar.gettarinfo(arcname=name, fileobj=f)
                    info.uid = info.gid = 0
                    info.uname = info.gname = ""
                    reader = _Hashing(f)
                    tar.addfile(info, reader)
                files[name] = reader.digest.hexdigest()
                total += info.size
    return {"storage": "local", "file": MEDIA_ARCHIVE, "root": str(media_root), "count": len(files),
            "bytes": total, "files": files}


def portal_version() -> dict:
    """`git describe` when the code is a git checkout; always the hash of the lock file."""
    base = Path(settings.BASE_DIR)
    version = {}
    lock = base / "requirements.txt"
    if lock.is_file():
        version["requirements_sha256"] = sha256_of(lock)
    git = shutil.which("git")
    if git and (base / ".git").exists():
        try:
            done = subprocess.run([git, "describe", "--tags", "--always", "--dirty"], cwd=base,
                                  capture_output=True, text=True, timeout=10, check=False)
            if done.returncode == 0 and done.stdout.strip():
                version["git"] = done.stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            pass
    return version


# --- Backup --------------------------------------------------------------------------------------------


@dataclass
class BackupResult:
    folder: Path
    manifest: dict
    removed: list[Path]


def _sort_key(folder: Path):
    stamp, number = NAME.match(folder.name).groups()
    return stamp, int(number or 1)


def complete_backups(target: Path) -> list[Path]:
    """The complete backups under `target`, oldest first."""
    if not target.is_dir():
        return []
    found = [p for p in target.iterdir()
             if NAME.match(p.name) and p.is_dir() and not p.is_symlink() and (p / MANIFEST).is_file()]
    return sorted(found, key=_sort_key)


def _publish(partial: Path, target: Path) -> Path:
    """Rename the finished folder to its timestamp (a new one if that name is taken)."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    for number in range(1, 1000):
        final = target / (stamp if number == 1 else f"{stamp}-{number}")
        if final.exists():
            continue
        try:
            partial.rename(final)  # never replaces a complete backup: those are not empty
        except OSError:
            if final.exists():
                continue
            raise
        return final
    raise BackupError(f"no free folder name for {stamp} under {target}")


def _point_latest(target: Path, final: Path) -> None:
    link = target / LATEST
    temporary = target / f".{LATEST}-{os.getpid()}"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(final.name)
    os.replace(temporary, link)  # atomic: `latest` is the old backup or the new one, never missing


def _prune(target: Path, keep: int) -> list[Path]:
    removed = []
    latest = (target / LATEST).resolve() if (target / LATEST).is_symlink() else None
    backups = complete_backups(target)
    for folder in backups[: max(0, len(backups) - keep)]:
        if folder.resolve() != latest:
            shutil.rmtree(folder)
            removed.append(folder)
    now = time.time()
    for folder in target.glob(f"{PARTIAL_PREFIX}*"):
        try:
            if folder.is_dir() and now - folder.stat().st_mtime > STALE_PARTIAL_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            pass
    return removed


def backup(*, target: Path, keep: int, database: Database, media_root: Path, storage: str,
           log: Log = lambda message: None) -> BackupResult:
    if keep < 1:
        raise BackupError(f"BACKUP_KEEP must be at least 1, not {keep}")
    target = Path(target).absolute()
    try:
        target.mkdir(parents=True, exist_ok=True)
        partial = Path(tempfile.mkdtemp(prefix=PARTIAL_PREFIX, dir=target))  # mode 0700
    except OSError as exc:
        raise BackupError(f"BACKUP_DIR {target} is not a writable folder: {exc.strerror or exc}") from exc
    try:
        started = timezone.now()
        log(f"Dumping the {database.describe()}…")
        if database.vendor == "postgresql":
            db = _dump_postgres(database, partial / PG_DUMP)
        else:
            db = _copy_sqlite(database, partial / SQLITE_COPY)
        if storage == "local":
            log(f"Archiving the stored files of {media_root}…")
            media = _archive_media(Path(media_root), partial / MEDIA_ARCHIVE)
        else:
            media = {"storage": storage, "note": "Stored files are in the S3 bucket (STORAGE_BACKEND=s3): "
                                                 "back the bucket up with the object store (versioning or replication)."}
            log(f"Not archiving stored files: {media['note']}")
        files = {}
        for name in (db["file"], media.get("file")):
            if name:
                path = partial / name
                files[name] = {"sha256": sha256_of(path), "bytes": path.stat().st_size}
        manifest = {
            "format": FORMAT,
            "created_at": started.isoformat(),
            "finished_at": timezone.now().isoformat(),
            "host": socket.gethostname(),
            "portal_version": portal_version(),
            "database": db,
            "media": media,
            "files": files,
        }
        with open(partial / MANIFEST, "w", encoding="utf-8") as f:
            json.dump(manifest, f, ensure_ascii=False, indent=2, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        final = _publish(partial, target)
    except BaseException as exc:
        shutil.rmtree(partial, ignore_errors=True)
        if isinstance(exc, OSError):
            raise BackupError(f"writing the backup under {target} failed: {exc}; nothing was kept") from exc
        raise
    try:
        _point_latest(target, final)
    except OSError as exc:
        raise BackupError(f"the backup {final} is complete, but {target / LATEST} could not be pointed at it: "
                          f"{exc}") from exc
    removed = _prune(target, keep)
    return BackupResult(final, manifest, removed)


# --- Restore -------------------------------------------------------------------------------------------------


def resolve(spec: str, backup_dir: Path) -> Path:
    """`latest`, a folder name under BACKUP_DIR, or a path to a backup folder."""
    backup_dir = Path(backup_dir)
    if spec == LATEST:
        link = backup_dir / LATEST
        if not link.exists():
            raise BackupError(f"{link} does not exist: no complete backup under {backup_dir}")
        return link.resolve()
    for candidate in (backup_dir / spec, Path(spec)):
        if candidate.is_dir():
            return candidate.resolve()
    raise BackupError(f"{spec}: no such backup folder (looked in {backup_dir} and the current folder)")


def _read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{path}: missing or unreadable ({exc}); nothing was restored") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or not isinstance(manifest.get("files"), dict):
        raise BackupError(f"{path}: not a manifest of format {FORMAT}; nothing was restored")
    return manifest


def _check_members(archive: Path, expected: dict[str, str]) -> None:
    """Read the archive to its end (gzip checks its CRC there): safe member names, every
    stored file's checksum as in the manifest, none missing."""
    seen = set()
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                try:
                    tarfile.data_filter(member, "/nonexistent-restore-target")
                except tarfile.FilterError as exc:
                    raise BackupError(f"{archive}: refused member {member.name!r} ({exc}); nothing was restored") from exc
                if not member.isfile():
                    continue
                f = tar.extractfile(member)
                digest = hashlib.sha256()
                for chunk in iter(lambda f=f: f.read(1 << 20), b""):
                    digest.update(chunk)
                if expected.get(member.name) != digest.hexdigest():
                    raise BackupError(f"{archive}: {member.name} does not match the manifest's checksum; "
                                      "nothing was restored")
                seen.add(member.name)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{archive}: the archive does not open ({exc}); nothing was restored") from exc
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"{archive}: {len(missing)} file(s) of the manifest are missing, e.g. {missing[0]}; "
                          "nothing was restored")


def verify(folder: Path) -> dict:
    """Every check a restore needs, before anything is touched. Returns the manifest."""
    folder = Path(folder)
    if not folder.is_dir():
        raise BackupError(f"{folder} is not a backup folder")
    manifest = _read_manifest(folder)
    for name, entry in manifest["files"].items():
        path = folder / name
        if "/" in name or name.startswith(".") or not path.is_file():
            raise BackupError(f"{path}: listed in the manifest but missing; nothing was restored")
        actual = sha256_of(path)
        if actual != entry.get("sha256"):
            raise BackupError(f"{path}: checksum mismatch (manifest {entry.get('sha256')}, file {actual}): "
                              "the file is damaged or was changed; nothing was restored")
    db = manifest.get("database") or {}
    dump = folder / str(db.get("file"))
    if db.get("file") not in manifest["files"]:
        raise BackupError(f"{folder / MANIFEST}: names no database file; nothing was restored")
    if db.get("vendor") == "postgresql":
        _run([_need("pg_restore"), "--list", str(dump)], dict(os.environ),
             f"{dump}: the dump does not open; nothing was restored. pg_restore --list")
    elif db.get("vendor") == "sqlite":
        try:
            conn = sqlite3.connect(_read_only(dump), uri=True)
            try:
                result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                conn.close()
        except sqlite3.Error as exc:
            result = str(exc)
        if result != "ok":
            raise BackupError(f"{dump}: the database copy does not open ({result}); nothing was restored")
    else:
        raise BackupError(f"{folder / MANIFEST}: unknown database vendor {db.get('vendor')!r}")
    media = manifest.get("media") or {}
    if media.get("file"):
        if media["file"] not in manifest["files"]:
            raise BackupError(f"{folder / MANIFEST}: the media archive has no checksum; nothing was restored")
        _check_members(folder / media["file"], media.get("files") or {})
    return manifest


def _ensure_pg_database(database: Database, log: Log) -> None:
    """Create the target database when it does not exist yet (a restore into a new database)."""
    from psycopg2 import sql

    conn = _pg_connect(database, dbname="postgres")
    try:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database.name])
            if cursor.fetchone() is None:
                log(f"Creating the {database.describe()}…")
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database.name)))
    finally:
        conn.close()


def _restore_postgres(folder: Path, db: dict, database: Database) -> dict[str, int]:
    from psycopg2.extensions import make_dsn

    _run([_need("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          "--exit-on-error", "--no-password", f"--dbname={make_dsn(dbname=database.name)}", str(folder / db["file"])],
         database.pg_env(), "pg_restore")
    conn = _pg_connect(database)
    try:
        with conn.cursor() as cursor:
            return pg_row_counts(cursor)
    finally:
        conn.close()


def _restore_sqlite(folder: Path, db: dict, database: Database) -> dict[str, int]:
    if database.is_in_memory():
        raise BackupError("restore into an in-memory SQLite database is meaningless: give --database-url sqlite:///…")
    target = Path(database.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(_read_only(folder / db["file"]), uri=True)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # page by page under the target's lock: all of it or none
        return sqlite_row_counts(copy)
    finally:
        copy.close()
        source.close()


def _unpack_media(archive: Path, media_root: Path, expected: dict[str, str]) -> int:
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(media_root, filter="data")
    for name, digest in expected.items():
        if sha256_of(media_root / name) != digest:
            raise BackupError(f"{media_root / name}: differs from the manifest after unpacking")
    return len(expected)


def migration_notes(recorded: dict[str, str]) -> list[str]:
    """How the backup's schema compares with this code's migrations."""
    from django.db.migrations.loader import MigrationLoader

    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    leaves = dict(graph.leaf_nodes())
    notes = []
    for app, name in sorted(recorded.items()):
        if (app, name) not in graph.nodes:
            notes.append(f"{app}: the backup has {name}, which this code does not know: "
                         "install the portal version of the manifest before serving it")
        elif leaves.get(app) != name:
            notes.append(f"{app}: the backup is at {name}, this code at {leaves.get(app)}: run `manage.py migrate`")
    return notes


@dataclass
class RestoreResult:
    manifest: dict
    row_counts: dict[str, int]
    media_files: int
    notes: list[str]


def restore(*, folder: Path, database: Database, media_root: Path | None, log: Log = lambda message: None
            ) -> RestoreResult:
    folder = Path(folder)
    log(f"Checking {folder}…")
    manifest = verify(folder)
    db = manifest["database"]
    if db["vendor"] != database.vendor:
        raise BackupError(f"{folder}: a {db['vendor']} backup cannot be restored into a {database.describe()}")
    if database.vendor == "postgresql":
        _ensure_pg_database(database, log)
        log(f"Restoring the {database.describe()}…")
        counts = _restore_postgres(folder, db, database)
    else:
        log(f"Restoring the {database.describe()}…")
        counts = _restore_sqlite(folder, db, database)
    expected = db.get("row_counts") or {}
    differing = sorted(t for t in expected if counts.get(t) != expected[t])
    if differing:
        table = differing[0]
        raise BackupError(f"the restored {database.describe()} differs from the manifest: {table} has "
                          f"{counts.get(table)} rows, the backup {expected[table]} ({len(differing)} table(s) differ)")
    media = manifest.get("media") or {}
    unpacked = 0
    notes = []
    if media.get("file") and media_root is not None:
        log(f"Unpacking the stored files into {media_root}…")
        try:
            unpacked = _unpack_media(folder / media["file"], Path(media_root), media.get("files") or {})
        except (OSError, tarfile.TarError) as exc:
            raise BackupError(f"the database was restored, but unpacking the stored files into {media_root} "
                              f"failed: {exc}; free the space or fix the folder and run the restore again") from exc
    elif media.get("file"):
        notes.append("stored files not unpacked: STORAGE_BACKEND=s3 and no --media-root given")
    elif media.get("note"):
        notes.append(media["note"])
    notes += migration_notes(db.get("migrations") or {})
    return RestoreResult(manifest, counts, unpacked, notes)
