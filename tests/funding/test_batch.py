"""“Generate all letters for this call”: one letter per approved decision, progress counted live."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from funding import selectors, services
from funding.models import AwardLetter, LetterBatch, LetterStatus
from tests.funding.conftest import plan, selected_proposal, text_of
from tests.login import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_approved(make_proposal, ministry, ministry2, approve):
    """Two funded proposals of the call, their Korean letters built."""
    decisions = []
    for title in ("첫째 과제", "둘째 과제"):
        proposal = selected_proposal(make_proposal, title_ko=title)
        years, obligations = plan(proposal, national=10 * 10**8, local=10**8)
        prepared = services.funding_prepare(actor=ministry, proposal=proposal, years=years,
                                            obligations=obligations)
        decisions.append(approve(prepared, ministry2)[0])
    return decisions


@pytest.fixture
def batch(two_approved, call, ministry, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # the test sets the statuses itself
        return services.letters_batch(actor=ministry, call=call)


def test_a_batch_asks_for_one_letter_per_approved_decision(two_approved, batch, call, ministry):
    letters = AwardLetter.objects.filter(decision__proposal__call=call)

    assert (batch.call, batch.total, batch.requested_by) == (call, 2, ministry)
    assert sorted(letters.values_list("decision_id", "language", "batches", "status")) == sorted(
        (d.pk, "ko", batch.pk, LetterStatus.PENDING) for d in two_approved)
    assert selectors.batch_progress(batch) == {"total": 2, "done": 0, "failed": 0, "finished": False, "percent": 0}


def test_the_progress_counts_ready_and_failed_letters(batch):
    first, second = batch.letters.order_by("pk")

    AwardLetter.objects.filter(pk=first.pk).update(status=LetterStatus.DONE)
    assert selectors.batch_progress(batch) == {"total": 2, "done": 1, "failed": 0, "finished": False, "percent": 50}
    AwardLetter.objects.filter(pk=second.pk).update(status=LetterStatus.RUNNING)
    assert selectors.batch_progress(batch)["finished"] is False
    AwardLetter.objects.filter(pk=second.pk).update(status=LetterStatus.FAILED)
    assert selectors.batch_progress(batch) == {"total": 2, "done": 1, "failed": 1, "finished": True, "percent": 100}


def test_a_batch_built_by_the_task_finishes(batch, build_letter):
    for letter in batch.letters.all():
        build_letter(letter)
    assert selectors.batch_progress(batch) == {"total": 2, "done": 2, "failed": 0, "finished": True, "percent": 100}


def test_a_batch_that_includes_a_letter_already_being_built_still_finishes(two_approved, call, ministry,
                                                                          django_capture_on_commit_callbacks):
    AwardLetter.objects.filter(decision=two_approved[0]).update(status=LetterStatus.RUNNING)
    with django_capture_on_commit_callbacks(execute=False):
        batch = services.letters_batch(actor=ministry, call=call)
    AwardLetter.objects.filter(decision__proposal__call=call).update(status=LetterStatus.DONE)

    assert selectors.batch_progress(batch) == {"total": 2, "done": 2, "failed": 0, "finished": True, "percent": 100}


def test_an_earlier_batch_still_finishes_when_generate_all_is_pressed_again(two_approved, call, ministry,
                                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        first = services.letters_batch(actor=ministry, call=call)
        services.letters_batch(actor=ministry, call=call)
    AwardLetter.objects.filter(decision__proposal__call=call).update(status=LetterStatus.DONE)

    assert selectors.batch_progress(first) == {"total": 2, "done": 2, "failed": 0, "finished": True, "percent": 100}


def test_a_call_without_approved_decisions_has_nothing_to_generate(call, ministry):
    with pytest.raises(ValidationError) as exc:
        services.letters_batch(actor=ministry, call=call)
    assert exc.value.messages == ["No approved decision in this call yet."]
    assert not LetterBatch.objects.exists()


@pytest.mark.parametrize("who", ["ministry", "admin_user"])
def test_the_progress_endpoint_answers_staff_with_json(client, request, batch, who):
    AwardLetter.objects.filter(pk=batch.letters.order_by("pk").first().pk).update(status=LetterStatus.DONE)
    log_in(client, request.getfixturevalue(who))
    response = client.get(reverse("funding:batch_progress", args=[batch.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"total": 2, "done": 1, "failed": 0, "finished": False, "percent": 50}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize("who", ["official", "outsider_official", "expert"])
def test_the_progress_endpoint_and_the_letters_page_are_forbidden_to_others(client, request, batch, who):
    log_in(client, request.getfixturevalue(who))
    assert client.get(reverse("funding:batch_progress", args=[batch.pk])).status_code == 403
    assert client.get(reverse("funding:letters", args=[batch.call_id])).status_code == 403
    assert client.post(reverse("funding:letters", args=[batch.call_id])).status_code == 403
    assert LetterBatch.objects.count() == 1


def test_the_letters_page_shows_the_batch_progress_and_every_letter(client, batch, ministry):
    AwardLetter.objects.filter(pk=batch.letters.order_by("pk").first().pk).update(status=LetterStatus.DONE)
    log_in(client, ministry)
    response = client.get(reverse("funding:letters", args=[batch.call_id]), {"batch": batch.pk})

    page = response.content.decode()
    assert response.status_code == 200
    assert f'data-progress-url="{reverse("funding:batch_progress", args=[batch.pk])}"' in page
    assert '<progress class="w-100 completeness" id="batch-progress" max="2" value="1">50%</progress>' in page
    assert text_of(response, "batch-label") == "1 ready, 0 failed, of 2"
    assert [c for c in (letter.verification_code for letter in batch.letters.all()) if c not in page] == []
    assert 'id="generate-all"' in page


def test_generate_all_on_the_letters_page_starts_a_batch_and_shows_it(client, two_approved, call, ministry,
                                                                      django_capture_on_commit_callbacks):
    log_in(client, ministry)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("funding:letters", args=[call.pk]))

    batch = LetterBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('funding:letters', args=[call.pk])}?batch={batch.pk}"
    assert batch.total == 2
