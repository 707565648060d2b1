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


# --- The read API's row: a token of its person, its own target ----------------------------------------


def test_the_query_counter_reads_an_api_page_with_a_token_of_its_person(db):
    from api.models import ApiToken
    from bench.pages import Page
    from bench.queries import client_for
    from tests.factories import CallFactory, MinistryFactory

    person = MinistryFactory()
    CallFactory()
    page = Page("api_calls", "ministry: API call list", person.username, "/api/v1/calls/?page_size=50", api=True)
    response = client_for(page, {}).get(page.url)
    assert response.status_code == 200 and response.json()["count"] == 1
    assert ApiToken.objects.get(owner=person).use_count == 1  # made by api.services.create_token, used once


def test_the_bench_sends_an_api_page_s_token_over_http(live_server, transactional_db):
    from bench.pages import token_of
    from bench.run import fetch
    from tests.factories import MinistryFactory

    person = MinistryFactory()
    url = f"{live_server.url}/api/v1/calls/?page_size=50"
    status, size = fetch(url, f"Authorization: Bearer {token_of(person.username)}")
    assert status == 200 and size > 0
    assert fetch(url)[0] == 401


def test_a_page_with_its_own_target_is_judged_by_it():
    from bench import run

    page = {"rps": 55.0, "p99_ms": 20.0, "errors": 0, "cpu_ms": 1.0, "plain": {"errors": 0, "cpu_ms": 1.0}}
    result = {
        "load": {"baseline": {"rps": 100.0, "p99_ms": 10.0},
                 "pages": {"list": {**page}, "api": {**page, "target_rps": 0.7}}},
        "queries": {str(run.N_SMALL): {"list": 5, "api": 6}, str(run.N_BIG): {"list": 5, "api": 6}},
    }
    run.verdicts(result)
    assert result["load"]["pages"]["list"]["verdict"] == "PASS"  # 0.55× ≥ TARGET_RPS (0.5), p99 2× ≤ 3×
    assert result["load"]["pages"]["api"]["verdict"] == "MISS rps"  # 0.55× < its own 0.7

