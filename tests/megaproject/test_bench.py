"""The pieces `make bench` measures the logging cost with (bench/run.py, bench/plain_settings.py)."""

import subprocess
import sys

from django.conf import settings

from bench.run import server_cpu_s


def test_plain_settings_differ_from_the_portal_only_by_the_request_middleware():
    import bench.plain_settings as plain

    assert "megaproject.observability.RequestContextMiddleware" in settings.MIDDLEWARE
    without = [m for m in settings.MIDDLEWARE if m != "megaproject.observability.RequestContextMiddleware"]
    assert without == plain.MIDDLEWARE
    assert plain.ROOT_URLCONF == "megaproject.urls"


def test_server_cpu_counts_the_children_of_the_master_process():
    # A "master" whose one child burns about 0.3 s of CPU, then both wait to be read.
    burn = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.3: pass\ntime.sleep(30)"
    master = subprocess.Popen([sys.executable, "-c",
                               f"import subprocess, sys, time\nsubprocess.Popen([sys.executable, '-c', {burn!r}])\n"
                               "time.sleep(30)"])
    try:
        used = 0.0
        for _ in range(100):
            used = server_cpu_s(master)
            if used >= 0.25:
                break
            subprocess.run(["sleep", "0.1"], check=True)
        assert 0.25 <= used < 5
    finally:
        subprocess.run(["pkill", "-P", str(master.pid)], check=False)
        master.kill()
        master.wait()


def test_the_bench_logs_staff_in_through_the_second_step_over_http(live_server, transactional_db):
    from urllib.parse import urlsplit

    from bench.run import log_in
    from tests.factories import PASSWORD, MinistryFactory

    person = MinistryFactory()
    port = urlsplit(live_server.url).port
    first = log_in(port, person.username, PASSWORD)
    second = log_in(port, person.username, PASSWORD)  # this window's code used: the next one
    assert first.startswith(f"{settings.SESSION_COOKIE_NAME}=") and first != second


def test_the_query_counter_logs_staff_in_through_the_second_step(db):
    from django.test import Client

    from bench.queries import log_in
    from tests.factories import MinistryFactory

    person = MinistryFactory()
    client = log_in(Client(), person.username)
    assert client.session.get("otp_device_id")
    assert client.get("/").status_code == 200
