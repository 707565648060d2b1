"""/metrics: Prometheus text for the machine itself, the allowed networks or the bearer token, 404 for
anyone else; request counts and latency by view, SQL queries per request, tasks by state,
documents built or failed, the broker's queue."""

import pytest
from prometheus_client.parser import text_string_to_metric_families

from megaproject.celery_app import ping
from tests.markers import needs_broker, without_broker

pytestmark = pytest.mark.django_db

TOKEN = "a-scrape-token-of-thirty-two-chars"
OUTSIDE = {"REMOTE_ADDR": "10.0.0.1"}


def samples(response) -> dict:
    """{(sample name, frozenset of labels): value} of a Prometheus text exposition."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(found: dict, name: str, **labels) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def test_a_client_on_the_network_without_a_token_gets_404(client, token):
    assert client.get("/metrics", **OUTSIDE).status_code == 404


@pytest.mark.parametrize("header", ["Bearer wrong-token-wrong-token-wrong", "Basic " + TOKEN, TOKEN, ""])
def test_a_client_on_the_network_with_a_wrong_token_gets_404(client, token, header):
    assert client.get("/metrics", HTTP_AUTHORIZATION=header, **OUTSIDE).status_code == 404


def test_no_token_opens_the_metrics_while_metrics_token_is_unset(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ", **OUTSIDE).status_code == 404


def test_a_client_on_the_network_with_the_token_is_served(client, token):
    found = samples(client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", **OUTSIDE))
    assert any(name == "portal_http_requests_total" for name, _labels in found)


def test_the_machine_itself_is_served_without_a_token(client):
    samples(client.get("/metrics"))  # the test client's address is 127.0.0.1


def test_a_client_in_an_allowed_network_is_served_without_a_token(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/24"]
    samples(client.get("/metrics", **OUTSIDE))
    assert client.get("/metrics", REMOTE_ADDR="10.0.1.1").status_code == 404


def test_behind_our_proxy_the_forwarded_client_address_is_checked(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 404


def test_the_metrics_count_the_request_just_made_by_view_method_and_status(client):
    before = samples(client.get("/metrics"))
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/no/such/page/").status_code == 404
    after = samples(client.get("/metrics"))

    def grew(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("portal_http_requests_total", view="login", method="GET", status="200") == 1
    assert grew("portal_http_requests_total", view="unmatched", method="GET", status="404") == 1
    assert grew("portal_http_request_duration_seconds_count", view="login", status="200") == 1
    assert grew("portal_http_request_duration_seconds_bucket", view="login", status="200", le="+Inf") == 1
    # The log-in page reads the session and nothing more of the database.
    assert grew("portal_db_queries_per_request_count", view="login") == 1
    assert grew("portal_db_queries_per_request_bucket", view="login", le="0.0") == 1


def test_the_queries_of_a_signed_in_page_are_counted(client, ministry):
    from tests.login import log_in

    log_in(client, ministry)  # the password, then the code of the authenticator
    before = samples(client.get("/metrics"))
    assert client.get("/accounts/profile/").status_code == 200
    after = samples(client.get("/metrics"))
    queries = (value(after, "portal_db_queries_per_request_sum", view="profile")
               - value(before, "portal_db_queries_per_request_sum", view="profile"))
    assert queries >= 2  # at least the session and the user


@without_broker
def test_tasks_are_counted_by_state(client):
    before = samples(client.get("/metrics"))
    ping.delay()
    after = samples(client.get("/metrics"))
    for state in ("started", "succeeded"):
        grown = (value(after, "portal_celery_tasks_total", task="megaproject.ping", state=state)
                 - value(before, "portal_celery_tasks_total", task="megaproject.ping", state=state))
        assert (state, grown) == (state, 1)


@without_broker
def test_without_a_broker_there_is_no_queue_length(client):
    found = samples(client.get("/metrics"))
    assert not any(name in ("portal_celery_queue_length", "portal_broker_up") for name, _labels in found)


@needs_broker
def test_with_a_redis_broker_the_queue_length_is_exposed(client):
    from megaproject.celery_app import app as celery_app

    found = samples(client.get("/metrics"))
    queue = celery_app.conf.task_default_queue
    assert value(found, "portal_broker_up") == 1
    assert ("portal_celery_queue_length", frozenset({("queue", queue)})) in found


def test_metrics_accept_only_get(client):
    assert client.post("/metrics").status_code == 405
