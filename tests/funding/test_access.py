"""Who may reach what in the funding app, generated from the URL configuration.

The world: a Gwangju + Jeonnam proposal whose decision was approved, its Korean
letter built, and a batch. Every URL of funding.urls is requested with GET and
POST by a Busan official, an expert and an anonymous visitor: none gets the page
or changes anything. A control shows the project's own lead official does get
the decision page and the letter, so the refusals are not vacuous.
"""

import pytest
from django.test import Client
from django.urls import reverse

from funding import services
from funding import urls as funding_urls
from funding.models import AwardLetter, FundingDecision, LetterBatch, Scenario, ScenarioLine, SelectionNote
from tests.funding.conftest import announce
from tests.login import log_in

pytestmark = pytest.mark.django_db

FILL = {
    "selection": lambda w: w["call"], "letters": lambda w: w["call"], "decision": lambda w: w["proposal"],
    "batch_progress": lambda w: w["batch"], "letter_status": lambda w: w["letter"],
    "letter_download": lambda w: w["letter"], "letter_retry": lambda w: w["letter"],
    # The decision page's actions, one URL each (POST only).
    "decision_prepare": lambda w: w["proposal"], "decision_approve": lambda w: w["proposal"],
    "decision_letter": lambda w: w["proposal"],
    "select": lambda w: w["proposal"],  # a proposal's selection decision, opened from the board
    # Cut-line scenarios (staff only): the call's list and comparison, a scenario and its "turn into decisions".
    "scenarios": lambda w: w["call"], "scenario_compare": lambda w: w["call"],
    "scenario": lambda w: w["scenario"], "scenario_decide": lambda w: w["scenario"],
}
PAYLOAD = {"op": "approve", "decision": "", "confirm": "yes", "action": "select", "reason": "이유", "proposal": "",
           "name": "몰래 만든 시나리오", "top": "3"}


@pytest.fixture
def world(letter, ministry, django_capture_on_commit_callbacks, build_letter):
    with django_capture_on_commit_callbacks(execute=False):
        batch = services.letters_batch(actor=ministry, call=letter.decision.proposal.call)
    letter = build_letter(AwardLetter.objects.get(pk=letter.pk))  # the batch asked for it again
    proposal = letter.decision.proposal
    scenario = Scenario.objects.create(call=proposal.call, name="예산 내 상위 5개", created_by=ministry)
    return {"call": proposal.call_id, "proposal": proposal.pk, "letter": letter.pk, "batch": batch.pk,
            "decision": letter.decision_id, "scenario": scenario.pk}


def state() -> list:
    return [
        list(FundingDecision.objects.order_by("pk").values_list("pk", "state", "approved_by")),
        list(AwardLetter.objects.order_by("pk").values_list("pk", "status", "attempts", "checksum")),
        list(LetterBatch.objects.order_by("pk").values_list("pk")),
        list(SelectionNote.objects.order_by("pk").values_list("pk", "reason")),
        list(Scenario.objects.order_by("pk").values_list("pk", "name", "notes", "decided_at")),
        list(ScenarioLine.objects.order_by("pk").values_list("pk", "choice", "amount_won")),
    ]


def urls(world) -> list[tuple[str, str]]:
    return [(p.name, reverse(f"funding:{p.name}", args=[FILL[p.name](world)])) for p in funding_urls.urlpatterns]


def test_the_matrix_covers_every_url_of_the_funding_app():
    assert {p.name for p in funding_urls.urlpatterns} == set(FILL)


@pytest.mark.parametrize("who", ["outsider_official", "expert", "anonymous"])
def test_nobody_outside_the_project_gets_a_funding_page_or_changes_anything(request, world, who):
    client = Client()
    if who != "anonymous":
        log_in(client, request.getfixturevalue(who))
    before = state()
    payload = {**PAYLOAD, "decision": world["decision"], "proposal": world["proposal"]}
    for name, url in urls(world):
        for method in ("get", "post"):
            response = getattr(client, method)(url, payload if method == "post" else None)
            if who == "anonymous" and response.status_code == 302:
                assert response["Location"].startswith(reverse("login")), (name, method)
            else:
                assert response.status_code in (403, 404, 405), (name, method, response.status_code)
    assert state() == before


def test_the_project_s_own_official_reads_the_decision_and_downloads_the_letter(client, official, world, letter):
    announce(letter.decision.proposal.call)  # before, sealed (tests/megaproject/test_sealed_results.py)
    log_in(client, official)
    assert client.get(reverse("funding:decision", args=[world["proposal"]])).status_code == 200
    response = client.get(reverse("funding:letter_download", args=[world["letter"]]))
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    # …but cannot act as staff.
    assert client.get(reverse("funding:selection", args=[world["call"]])).status_code == 403
