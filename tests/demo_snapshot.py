"""The demo data as seed_demo leaves it, seeded once per test process and put back wherever a test needs it.

Seeding costs 20-60 s; putting the rows back costs well under one. Used by the browser journeys
(tests/browser/conftest.py: a live server, committed rows) and by the modules that read the demo
(tests/programmes/test_demo_data.py `demo`: inside a transaction rolled back after the module).
"""

import io
from pathlib import Path

from django.apps import apps
from django.core.management import call_command


class DemoSnapshot:
    """Every table's rows as seed_demo left them (PostgreSQL: COPY; SQLite: SELECT) and the files it wrote
    under MEDIA_ROOT. restore() empties every table as Django's flush does, copies the rows back in one
    transaction (the foreign keys are checked at its commit), moves the primary-key sequences past them and
    writes the files into this test's MEDIA_ROOT.

    The tasks the seed asks of the worker (letters, agreements, settlement PDFs) run in-process during the
    seed (`task_always_eager`), so the snapshot holds their results: a restore queues nothing, and the real
    worker is left free for what the test itself asks of it. Inside a transaction that is never committed
    (the module fixture) no task fires at all, as before.
    """

    def __init__(self):
        self.rows = {}  # table -> COPY text (PostgreSQL) or (columns, rows) (SQLite)
        self.files = {}  # path relative to MEDIA_ROOT -> bytes
        self.output = ""  # what seed_demo printed

    @staticmethod
    def tables(connection):
        return sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))

    @staticmethod
    def media_files(root) -> dict:
        root = Path(root)
        return {p.relative_to(root).as_posix(): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()} \
            if root.is_dir() else {}

    @classmethod
    def seed(cls, settings) -> "DemoSnapshot":
        """Run seed_demo (its tasks in-process) and take what it left."""
        from celery import current_app
        from django.db import connection

        snapshot = cls()
        before = cls.media_files(settings.MEDIA_ROOT)
        eager = current_app.conf.task_always_eager
        current_app.conf.task_always_eager = True
        try:
            out = io.StringIO()
            call_command("seed_demo", stdout=out)
            snapshot.output = out.getvalue()
        finally:
            current_app.conf.task_always_eager = eager
        root = Path(settings.MEDIA_ROOT)
        for name, mtime in cls.media_files(root).items():
            if before.get(name) != mtime:
                snapshot.files[name] = (root / name).read_bytes()
        with connection.cursor() as cursor:
            for table in cls.tables(connection):
                quoted = connection.ops.quote_name(table)
                if connection.vendor == "postgresql":
                    buffer = io.StringIO()
                    cursor.cursor.copy_expert(f"COPY {quoted} TO STDOUT", buffer)
                    if buffer.tell():
                        snapshot.rows[table] = buffer.getvalue()
                else:
                    cursor.execute(f"SELECT * FROM {quoted}")
                    rows = cursor.fetchall()
                    if rows:
                        snapshot.rows[table] = ([c[0] for c in cursor.description], rows)
        return snapshot

    def restore(self, settings) -> None:
        from django.contrib.contenttypes.models import ContentType
        from django.core.management.color import no_style
        from django.db import connection, transaction

        with transaction.atomic(), connection.cursor() as cursor:
            for sql in connection.ops.sql_flush(no_style(), self.tables(connection)):
                cursor.execute(sql)
            for table, data in self.rows.items():
                quoted = connection.ops.quote_name(table)
                if connection.vendor == "postgresql":
                    cursor.cursor.copy_expert(f"COPY {quoted} FROM STDIN", io.StringIO(data))
                else:
                    columns, rows = data
                    names = ", ".join(connection.ops.quote_name(c) for c in columns)
                    marks = ", ".join(["%s"] * len(columns))
                    cursor.executemany(f"INSERT INTO {quoted} ({names}) VALUES ({marks})", rows)
            for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True)):
                cursor.execute(sql)
        ContentType.objects.clear_cache()
        root = Path(settings.MEDIA_ROOT)
        for name, content in self.files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(content)


_snapshots: dict = {}


def demo_data(settings, kind: str) -> str:
    """The demo in the database now: seeded the first time this process asks for `kind`, restored after.
    `kind` keeps apart snapshots taken in different conditions ("committed" by the browser journeys, whose
    seed ran its tasks; "rolled-back" inside the module fixture's transaction, where none fired).
    Returns what the seed printed."""
    if kind in _snapshots:
        _snapshots[kind].restore(settings)
    else:
        _snapshots[kind] = DemoSnapshot.seed(settings)
    return _snapshots[kind].output


def has_snapshot(kind: str) -> bool:
    return kind in _snapshots


def forget(kind: str) -> None:
    _snapshots.pop(kind, None)
