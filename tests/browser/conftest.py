"""Fixtures for the browser journeys: one headless Chromium per session, a fresh
context per test, and a live server loaded with the demo data.

Self-contained on purpose: nothing here relies on tests/conftest.py.
"""

import contextlib
import importlib
import io
import os

# Playwright's sync API runs an event loop in the main thread; without this,
# Django's ORM (seed_demo, the flush between tests) refuses to run beside it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from django.apps import apps  # noqa: E402
from django.core.management import call_command  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def chromium_browser():
    """One headless Chromium for the whole run (starting it is the slow part)."""
    if not CHROMIUM.exists():
        pytest.skip(f"browser journeys need Chromium at {CHROMIUM}")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    playwright = sync_api.sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()


@pytest.fixture
def new_context(chromium_browser):
    """Factory for isolated browser contexts (own cookies), closed after the test.

    bypass_csp lets axe-core be injected into pages served with our strict CSP.
    The browser says it prefers English: the portal must still answer in Korean.
    """
    contexts = []

    def make(**options):
        options = {"bypass_csp": True, "locale": "en-US", "viewport": DESKTOP, **options}
        context = chromium_browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


class DemoSnapshot:
    """The demo data as seed_demo left it, taken once per worker process and put back per test.

    Seeding costs 20-50 s; putting the rows back costs well under one. Taken right after the first
    seed of the process: every table's rows (PostgreSQL: COPY; SQLite: SELECT), the files the seed
    wrote under MEDIA_ROOT, and the Celery tasks it queued on a broker. restore() empties every table
    as Django's flush does, copies the rows back in one transaction (the foreign keys are checked at
    its commit), moves the primary-key sequences past them, copies the files into this test's
    MEDIA_ROOT and queues the tasks again, as the seed would have.
    """

    def __init__(self):
        self.rows = {}  # table -> COPY text (PostgreSQL) or (columns, rows) (SQLite)
        self.files = {}  # path relative to MEDIA_ROOT -> bytes
        self.tasks = []  # (task name, args, kwargs) queued on the broker

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
        """Run seed_demo and take what it left; tasks it would queue on a broker are kept to be queued
        after the snapshot (a worker already running must not change rows while they are copied)."""
        from unittest import mock

        from celery import current_app
        from celery.app.task import Task
        from django.db import connection

        snapshot = cls()
        before = cls.media_files(settings.MEDIA_ROOT)
        eager = current_app.conf.task_always_eager

        def keep(task, args=None, kwargs=None, **options):
            snapshot.tasks.append((task.name, list(args or ()), dict(kwargs or {})))

        # In-process (no broker) the tasks run inside the seed and their files are taken with the rest.
        queued = contextlib.nullcontext() if eager else mock.patch.object(Task, "apply_async", autospec=True,
                                                                          side_effect=keep)
        with queued:
            call_command("seed_demo", stdout=io.StringIO())
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
        snapshot.queue_tasks()
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
        self.queue_tasks()

    def queue_tasks(self) -> None:
        from celery import current_app

        for name, args, kwargs in self.tasks:
            current_app.tasks[name].apply_async(args=args, kwargs=kwargs)


_demo_snapshot: DemoSnapshot | None = None


@pytest.fixture
def portal(live_server, settings):
    """Base URL of a live server holding the demo data (accounts use password demo1234).

    The test itself must use a transactional database (the server answers from
    another thread); test_journeys.py marks every test accordingly. The first
    test of the process seeds the demo (the reference data of the data migration
    - regions, strategic industries - loaded again first, as Django empties every
    table between transactional tests; its load() is idempotent) and a
    DemoSnapshot keeps the result; the next ones get it back from there.
    BROWSER_RESEED=1 seeds for every test as before.
    """
    global _demo_snapshot
    settings.ALLOW_DEMO_DATA = True  # seed_demo refuses without it
    # Demo accounts are hashed with a cheap hasher: seeding 20 users with
    # PBKDF2 would cost seconds per test. The live server shares these settings.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if _demo_snapshot is not None and not os.environ.get("BROWSER_RESEED"):
        _demo_snapshot.restore(settings)
    else:
        reference_data = importlib.import_module("programmes.migrations.0002_reference_data")
        reference_data.load(apps, None)
        _demo_snapshot = DemoSnapshot.seed(settings)
    return live_server.url
