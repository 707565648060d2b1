"""Shared fixtures: one user per role, an open call, and a real Celery worker.

Without CELERY_BROKER_URL tasks run eagerly and the worker tests skip; without
DATABASE_URL the suite runs on SQLite and the PostgreSQL-only tests skip.
"""

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.utils import translation

from programmes.models import Region

from .factories import AdminFactory, CallFactory, ExpertFactory, MinistryFactory, OfficialFactory

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = REPO / ".venv" / "bin"

# Each test run sends its tasks to its own queue, consumed only by its own worker:
# two runs sharing a Redis server never take each other's tasks.
TEST_QUEUE = f"pytest-{os.getpid()}"


def _use_test_queue():
    from megaproject.celery_app import app as celery_app

    celery_app.conf.task_default_queue = TEST_QUEUE


_use_test_queue()


# --- Parallel runs (pytest-xdist, `make test`: -n 2 --dist loadgroup) ------------------------------
# Each xdist worker is a process of its own: its test database (pytest-django adds _gw0, _gw1 to the
# name, the fixture below the process id), its task queue (TEST_QUEUE above), its Celery worker
# subprocesses and, from here, its MEDIA_ROOT, which the Celery workers it starts inherit.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
WORKER_MEDIA_ROOT = None
if XDIST_WORKER:
    WORKER_MEDIA_ROOT = Path(tempfile.mkdtemp(prefix=f"megaproject-media-{XDIST_WORKER}-"))
    settings.MEDIA_ROOT = WORKER_MEDIA_ROOT
    os.environ["MEDIA_ROOT"] = str(WORKER_MEDIA_ROOT)

# Run one after another on a single xdist worker, never beside each other: the Chromium journeys
# (one Chromium and one live server at a time). The other worker goes on with everything else
# meanwhile. The tests that start whole sets of processes (tests/megaproject/test_faults.py: its own
# Redis and workers on free ports; test_prod_check.py: the production topology on free ports, its
# own database) need no one else's processes: each is a group of its own like any module, so
# either worker takes it and the browser group alone is the long one.
SERIAL = ("tests/browser/",)


def pytest_configure(config):
    # WhiteNoise warns on every request that `collectstatic` has not been run; tests need no static files.
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning")


# The longest groups, measured (a minute or more each): under `make test` (--dist loadgroup
# --no-loadscope-reorder) xdist hands out whole groups in the order of the collection, so these go
# first. Otherwise xdist would order the groups by their number of tests and leave these one- or
# two-test modules to the end, one worker finishing its last one while the other waits.
LONGEST_FIRST = ("serial", "tests/megaproject/test_access_matrix.py", "tests/megaproject/test_hostile_input.py",
                 "tests/api/test_schema_fuzz.py", "tests/megaproject/test_prod_check.py",
                 "tests/megaproject/test_faults.py")


def pytest_collection_modifyitems(config, items):
    """Under xdist's loadgroup, a module's tests stay together (as --dist loadfile would keep them)
    and the SERIAL ones share one group; in a distributed run the LONGEST_FIRST groups lead."""
    if not config.pluginmanager.hasplugin("xdist"):
        return
    groups = {}
    for item in items:
        module = item.nodeid.split("::")[0]
        groups[item.nodeid] = "serial" if module.startswith(SERIAL) else module
        item.add_marker(pytest.mark.xdist_group(groups[item.nodeid]))
    if getattr(config.option, "dist", "no") != "no":
        rank = {group: n for n, group in enumerate(LONGEST_FIRST)}
        items.sort(key=lambda item: rank.get(groups[item.nodeid], len(rank)))  # stable: the rest keep their order


def pytest_sessionfinish(session, exitstatus):
    if WORKER_MEDIA_ROOT is not None:
        shutil.rmtree(WORKER_MEDIA_ROOT, ignore_errors=True)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On PostgreSQL, a test database of this run's own (test_<name>_<pid>).

    With the default name, a second run on the same server (a developer's and
    CI's, or the browser suite's beside this one) would drop the database the
    first run is using.
    """
    for db in settings.DATABASES.values():
        if db["ENGINE"].endswith("postgresql"):
            test = db.setdefault("TEST", {})
            test["NAME"] = f"{test.get('NAME') or 'test_' + db['NAME']}_{os.getpid()}"


@pytest.fixture(autouse=True)
def _no_cached_figures(monkeypatch):
    """Each test starts without cached dashboard figures (their key is the data version,
    which a rolled-back test can repeat on SQLite)."""
    from django.core.cache import caches

    from audit import version

    caches["figures"].clear()
    # Nor a data version read before. audit.version keeps it two seconds unless an audit event is
    # written; in tests only the event forgets it, so a page's query count never depends on timing.
    version.forget_data_version()
    monkeypatch.setattr(version, "VERSION_SECONDS", float("inf"))
    yield
    caches["figures"].clear()
    version.forget_data_version()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    """The locale middleware activates a language in the test thread; never let it leak."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def reference_data(transactional_db):
    """Regions and industries again, for transactional tests: Django empties every
    table after each of them, data migrations included."""
    import importlib

    from django.apps import apps

    importlib.import_module("programmes.migrations.0002_reference_data").load(apps, None)


# --- People -----------------------------------------------------------------


@pytest.fixture
def ministry(db):
    return MinistryFactory(username="ministry", display_name="과기정통부 김주무관")


@pytest.fixture
def ministry2(db):
    return MinistryFactory(username="ministry2", display_name="과기정통부 이사무관")


@pytest.fixture
def admin_user(db):
    """A portal administrator (role admin, staff, not a Django superuser)."""
    return AdminFactory(username="admin", display_name="관리자")


@pytest.fixture
def official(db):
    return OfficialFactory(username="official-gwangju", region=Region.objects.get(code="gwangju"))


@pytest.fixture
def partner_official(db):
    return OfficialFactory(username="official-jeonnam", region=Region.objects.get(code="jeonnam"))


@pytest.fixture
def outsider_official(db):
    return OfficialFactory(username="official-busan", region=Region.objects.get(code="busan"))


@pytest.fixture
def expert(db):
    return ExpertFactory(username="expert1", display_name="김민준 교수")


# --- Calls ------------------------------------------------------------------


@pytest.fixture
def call(ministry):
    """An open call, every region eligible, rubric 25/25/20/15/15."""
    return CallFactory(created_by=ministry, updated_by=ministry)


# --- A real Celery worker -----------------------------------------------------


def _database_url_for_worker() -> str | None:
    """A DATABASE_URL for the pytest test database (None: keep the worker's default)."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        auth = quote(db.get("USER") or "", safe="")
        if db.get("PASSWORD"):
            auth += ":" + quote(db["PASSWORD"], safe="")
        host = db.get("HOST") or "127.0.0.1"
        port = f":{db['PORT']}" if db.get("PORT") else ""
        return f"postgres://{auth}@{host}{port}/{quote(db['NAME'], safe='')}"
    name = str(db.get("NAME") or "")
    if name and name != ":memory:" and "mode=memory" not in name:
        return f"sqlite:///{Path(name).resolve()}"
    return None  # in-memory SQLite cannot be shared with another process


@pytest.fixture
def celery_worker(transactional_db, tmp_path_factory):
    """A `celery worker --pool solo` subprocess on the configured broker, talking to the test database.

    One per test that asks for it, stopped before the test's tables are emptied: a
    worker still running a task would hold locks that make PostgreSQL's TRUNCATE
    deadlock. Tasks queued by other tests meanwhile are purged when it starts."""
    if not settings.CELERY_BROKER_URL:
        pytest.skip("needs Redis and a Celery worker: CELERY_BROKER_URL is unset (tasks run in-process)")
    from megaproject.celery_app import app as celery_app

    # Tasks left in the queue by earlier runs point at other databases: drop them.
    celery_app.control.purge()
    env = dict(os.environ)
    database_url = _database_url_for_worker()
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env.pop("DATABASE_URL", None)
    hostname = f"pytest-{os.getpid()}@%h"
    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    with open(log_path, "wb") as log:
        worker = subprocess.Popen(
            [str(VENV_BIN / "celery"), "-A", "megaproject", "worker", "--pool", "solo", "-l", "warning",
             "-n", hostname, "--without-mingle", "--without-gossip", "-Q", TEST_QUEUE],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        prefix = f"pytest-{os.getpid()}@"
        while True:
            if worker.poll() is not None:
                pytest.fail(f"the Celery worker exited with {worker.returncode}:\n{log_path.read_text()}")
            replies = celery_app.control.inspect(timeout=1).ping() or {}
            name = next((n for n in replies if n.startswith(prefix)), None)
            if name:
                break
            if time.monotonic() > deadline:
                pytest.fail(f"the Celery worker did not answer ping within 30 s:\n{log_path.read_text()}")
        yield name
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
