"""Faults on the real services: a worker killed mid-letter, Redis restarted under a
batch, the database connection dropped under a request, an unwritable media folder.

The worker tests start real `celery worker` processes on a Redis server of their
own (a `redis-server` child process on a free port, append-only file on, as in
docker-compose), so killing workers, restarting Redis and the short visibility
timeout they use never touch the shared Redis that other test runs are using. The
test process sends its tasks there too, through the normal path (a committed
transaction enqueues them). They run only with CELERY_BROKER_URL set (CI); the
database test only on PostgreSQL. Every wait is bounded.
"""

import os
import shutil
import signal
import socket
import subprocess
import time
from contextlib import closing
from pathlib import Path

import psycopg2
import pytest
import redis
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import connection
from django.test import Client

from funding import selectors, services
from funding.models import AwardLetter, LetterBatch, LetterStatus
from tests.conftest import REPO, TEST_QUEUE, VENV_BIN, _database_url_for_worker
from tests.factories import CallFactory
from tests.funding.conftest import announce, plan, selected_proposal
from tests.login import log_in
from tests.proposals.conftest import make_proposal  # noqa: F401  (fixture)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

needs_worker = pytest.mark.skipif(
    not settings.CELERY_BROKER_URL or not shutil.which("redis-server"),
    reason="needs Redis (redis-server) and Celery workers: CELERY_BROKER_URL is unset (tasks run in-process)")
needs_postgres = pytest.mark.skipif(not settings.IS_POSTGRES,
                                    reason="needs PostgreSQL: DATABASE_URL is unset (SQLite in memory)")

YEAR = 2093


def free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {seconds} s waiting for {what}")
        time.sleep(0.2)


class PrivateRedis:
    """A redis-server of this test's own, persisting to an append-only file like production's."""

    def __init__(self, folder: Path):
        self.folder, self.port, self.process = folder, free_port(), None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        log = open(self.folder / "redis.log", "ab")  # noqa: SIM115  (the server's, closed when it exits)
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
             "--appendfsync", "always", "--dir", str(self.folder)], stdout=log, stderr=subprocess.STDOUT)
        client = redis.Redis(port=self.port)
        wait_until(lambda: self._answers(client), 20, "the private Redis to answer")

    @staticmethod
    def _answers(client) -> bool:
        try:
            return client.ping()
        except redis.ConnectionError:
            return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: Redis flushes its append-only file and exits
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def reset_celery_connections():
    """Forget the connection pools, so the next task goes to the broker now configured."""
    from kombu import pools

    from megaproject.celery_app import app

    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None
    pools.reset()  # kombu keeps pools per broker address process-wide: start afresh


@pytest.fixture
def private_broker(monkeypatch, tmp_path):
    """The test process and its workers on a Redis server of their own."""
    from megaproject.celery_app import app

    server = PrivateRedis(tmp_path)
    server.start()
    old = app.conf.broker_url
    monkeypatch.setenv("CELERY_BROKER_URL", server.url)  # Celery reads the variable before its settings
    app.conf.broker_url = server.url
    reset_celery_connections()
    try:
        yield server
    finally:
        app.conf.broker_url = old
        monkeypatch.undo()
        reset_celery_connections()
        server.stop()


class Workers:
    """`celery worker --pool solo` processes on the private broker; all stopped at the end."""

    def __init__(self, broker, media_root: Path, logs: Path):
        self.broker, self.media_root, self.logs, self.started = broker, media_root, logs, []

    def start(self, **env) -> subprocess.Popen:
        n = len(self.started) + 1
        log_path = self.logs / f"worker-{n}.log"
        environment = {**os.environ, "CELERY_BROKER_URL": self.broker.url, "CELERY_RESULT_BACKEND": self.broker.url,
                       "MEDIA_ROOT": str(self.media_root), **env}
        database_url = _database_url_for_worker()
        if database_url:
            environment["DATABASE_URL"] = database_url
        else:
            environment.pop("DATABASE_URL", None)
        with open(log_path, "wb") as log:
            worker = subprocess.Popen(
                [str(VENV_BIN / "celery"), "-A", "megaproject", "worker", "--pool", "solo", "-l", "info",
                 "-n", f"faults-{os.getpid()}-{n}@%h", "--without-mingle", "--without-gossip", "--without-heartbeat",
                 "-Q", TEST_QUEUE], cwd=REPO, env=environment, stdout=log, stderr=subprocess.STDOUT)
        self.started.append(worker)

        def ready():
            if worker.poll() is not None:
                pytest.fail(f"worker {n} exited with {worker.returncode}:\n{log_path.read_text()}")
            return " ready." in log_path.read_text(errors="replace")

        wait_until(ready, 60, f"worker {n} to be ready")
        return worker

    def stop_all(self):
        for worker in self.started:
            if worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait()

    def log(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.logs.glob("worker-*.log")))


@pytest.fixture
def workers(private_broker, reference_data, tmp_path, settings):
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = media  # the test reads what the workers write
    logs = tmp_path / "logs"
    logs.mkdir()
    pool = Workers(private_broker, media, logs)
    try:
        yield pool
    finally:
        pool.stop_all()


def letter_files(media_root: Path) -> list[str]:
    folder = media_root / "letters"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.fixture
def decisions(ministry, make_proposal):  # noqa: F811  (the imported fixture)
    """Prepared decisions for three selected proposals of a call of their own (within the envelope)."""

    def prepare(count: int):
        call = CallFactory(created_by=ministry, updated_by=ministry, year=YEAR)
        prepared = []
        for _ in range(count):
            proposal = selected_proposal(make_proposal, call=call)
            years, obligations = plan(proposal)
            prepared.append(services.funding_prepare(actor=ministry, proposal=proposal, years=years,
                                                     obligations=obligations))
        return call, prepared

    return prepare


def letter_of(decision) -> AwardLetter:
    return AwardLetter.objects.get(decision=decision, language="ko")


# --- (a) a worker killed with SIGKILL in the middle of a letter -----------------------------------


@needs_worker
def test_a_worker_killed_mid_letter_leaves_exactly_one_letter_built_by_the_next_worker(
    workers, decisions, ministry2, tmp_path
):
    pause = tmp_path / "pause"
    pause.touch()
    env = {"LETTER_TEST_PAUSE_FILE": str(pause), "CELERY_VISIBILITY_TIMEOUT": "3"}
    first = workers.start(**env)
    _call, (prepared,) = decisions(1)
    decision = services.funding_approve(actor=ministry2, decision=prepared)  # commits: the task goes to Redis

    wait_until(lambda: Path(f"{pause}.reached").exists(), 60, "the letter build to reach the pause")
    assert letter_of(decision).status == LetterStatus.RUNNING
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    pause.unlink()
    broker = redis.Redis(port=workers.broker.port)
    unacked = broker.zrange("unacked_index", 0, -1, withscores=True)
    assert len(unacked) == 1  # the letter's task, delivered and never acknowledged
    wait_until(lambda: time.time() - unacked[0][1] > 3.5, 20, "the visibility timeout to pass")

    workers.start(**env)  # a new worker gets the unacknowledged task back and builds the letter
    letter = wait_until(lambda: (row := letter_of(decision)).status == LetterStatus.DONE and row, 60,
                        f"the letter to be built again:\n{workers.log()}")

    assert AwardLetter.objects.filter(decision=decision).count() == 1
    assert (letter.status, letter.error, letter.attempts) == (LetterStatus.DONE, "", 2)
    assert letter_files(workers.media_root) == [Path(letter.file.name).name]
    assert (workers.media_root / letter.file.name).read_bytes()[:5] == b"%PDF-"


# --- (b) Redis restarted during a batch -----------------------------------------------------------


@needs_worker
def test_a_batch_finishes_when_redis_restarts_in_the_middle_of_it(
    workers, private_broker, decisions, ministry, ministry2, tmp_path
):
    call, prepared = decisions(3)
    approved = [services.funding_approve(actor=ministry2, decision=p) for p in prepared]
    redis.Redis(port=private_broker.port).flushall()  # the approvals' own tasks: the batch asks again
    pause = tmp_path / "pause"
    pause.touch()
    workers.start(LETTER_TEST_PAUSE_FILE=str(pause), CELERY_VISIBILITY_TIMEOUT="3")
    batch = services.letters_batch(actor=ministry, call=call)  # three tasks queued
    wait_until(lambda: Path(f"{pause}.reached").exists(), 60, "the first letter to be under way")

    private_broker.stop()
    private_broker.start()  # the same server again, its queue read back from the append-only file
    pause.unlink()

    def finished():
        return selectors.batch_progress(LetterBatch.objects.get(pk=batch.pk))["finished"]

    wait_until(finished, 90, f"the batch to finish after the restart:\n{workers.log()}")
    progress = selectors.batch_progress(LetterBatch.objects.get(pk=batch.pk))
    assert (progress["done"], progress["failed"], progress["total"]) == (3, 0, 3)
    letters = [letter_of(d) for d in approved]
    assert AwardLetter.objects.filter(decision__in=approved).count() == 3
    assert sorted(letter_files(workers.media_root)) == sorted(Path(lt.file.name).name for lt in letters)


# --- (d) an unwritable media folder when a letter is stored -----------------------------------


@needs_worker
def test_an_unwritable_media_folder_fails_the_letter_visibly_and_a_retry_builds_it_once_repaired(
    workers, decisions, ministry2, official
):
    media = workers.media_root
    media.rmdir()
    media.write_bytes(b"not a folder")  # root may write anywhere: a file where the folder should be stops it
    workers.start()
    _call, (prepared,) = decisions(1)
    decision = services.funding_approve(actor=ministry2, decision=prepared)

    failed = wait_until(lambda: (row := letter_of(decision)).error and row, 60, f"the failure:\n{workers.log()}")
    assert failed.status == LetterStatus.PENDING  # a retry is scheduled
    assert failed.attempts >= 1
    assert "Not a directory" in failed.error
    client = Client()
    announce(decision.proposal.call)  # before, the letter is sealed for the region
    log_in(client, official)
    download = client.get(f"/funding/letters/{failed.pk}/download/")
    assert download.status_code == 403  # nothing to serve while the letter is not built
    status = client.get(f"/funding/letters/{failed.pk}/status/").json()
    # The official is told staff know; the exception itself is for staff (and the logs) only.
    assert status["error"] and "Not a directory" not in status["error"]
    staff = Client()
    log_in(staff, ministry2)
    assert staff.get(f"/funding/letters/{failed.pk}/status/").json()["error"] == failed.error

    media.unlink()
    media.mkdir()  # repaired: the next scheduled retry succeeds
    letter = wait_until(lambda: (row := letter_of(decision)).status == LetterStatus.DONE and row, 60,
                        f"a retry to build the letter:\n{workers.log()}")
    assert letter.error == ""
    assert letter.attempts >= 2
    assert letter_files(media) == [Path(letter.file.name).name]
    response = client.get(f"/funding/letters/{letter.pk}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:5] == b"%PDF-"


# --- (c) the database connection dropped under a request ------------------------------------------


@pytest.fixture
def drop_the_connection_of_marked_requests():
    """A request with the header X-Fault: drop-db loses its database connection at its first query:
    a second connection terminates the request's backend (pg_terminate_backend)."""
    marked = {}

    def terminate(execute, sql, params, many, context):
        if marked.pop("armed", False):
            victim = context["connection"].connection.info.backend_pid
            with closing(psycopg2.connect(**connection.get_connection_params())) as other:
                other.autocommit = True
                with other.cursor() as cursor:
                    cursor.execute("SELECT pg_terminate_backend(%s)", [victim])
                    for _ in range(100):  # the backend exits asynchronously
                        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [victim])
                        if cursor.fetchone()[0] == 0:
                            break
                        time.sleep(0.05)
            marked["dropped"] = victim
        return execute(sql, params, many, context)

    def started(sender, environ, **kwargs):
        if environ.get("HTTP_X_FAULT") == "drop-db":
            marked["armed"] = True
            marked["wrapper"] = connection.execute_wrapper(terminate)
            marked["wrapper"].__enter__()

    def finished(sender, **kwargs):
        wrapper = marked.pop("wrapper", None)
        if wrapper is not None:
            wrapper.__exit__(None, None, None)

    request_started.connect(started)
    request_finished.connect(finished)
    yield
    request_started.disconnect(started)
    request_finished.disconnect(finished)
    assert "dropped" in marked, "no request lost its connection"


@needs_postgres
def test_a_request_whose_database_connection_drops_gets_the_error_page_and_the_next_one_works(
    reference_data, live_server, official, drop_the_connection_of_marked_requests
):
    import urllib.error
    import urllib.request

    browser = Client()
    log_in(browser, official)
    cookie = f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"

    def get(**headers):
        request = urllib.request.Request(f"{live_server.url}/accounts/profile/", headers={"Cookie": cookie, **headers})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    status, body = get(**{"X-Fault": "drop-db"})
    assert status == 500
    assert "일시적인 오류가 발생했습니다" in body and "A temporary error occurred" in body
    assert "Traceback" not in body and "OperationalError" not in body and "terminating" not in body

    status, body = get()
    assert status == 200
    assert official.username in body
