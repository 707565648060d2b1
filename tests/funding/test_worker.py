"""With Redis and a real Celery worker: approving a decision gets its letter built by the
worker; the same task twice still leaves one letter and one file.

The worker is a separate process with its own settings: it stores letters under the
configured MEDIA_ROOT (not the per-test one), so this module looks there and removes
what its letters left behind.
"""

import time
from pathlib import Path

import pytest
from django.conf import settings

from funding import services
from funding.models import AwardLetter, LetterStatus
from funding.tasks import generate_award_letter
from tests.factories import CallFactory
from tests.funding.conftest import plan, selected_proposal, sha256_of

# Read before any fixture points MEDIA_ROOT at a temporary directory.
WORKER_MEDIA_ROOT = Path(settings.MEDIA_ROOT)
YEAR = 2091  # a year of its own, so the letters' file names are this module's only

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(not settings.CELERY_BROKER_URL,
                       reason="needs Redis and a Celery worker: CELERY_BROKER_URL is unset"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def our_files() -> list[Path]:
    folder = WORKER_MEDIA_ROOT / "letters"
    return sorted(folder.glob(f"MEGA-{YEAR}-*.pdf")) if folder.exists() else []


@pytest.fixture
def worker_media(settings, celery_worker):
    settings.MEDIA_ROOT = WORKER_MEDIA_ROOT  # where the worker writes
    for stale in our_files():
        stale.unlink()
    yield WORKER_MEDIA_ROOT
    for path in our_files():
        path.unlink()


@pytest.fixture
def prepared_in_its_own_call(ministry, make_proposal):
    call = CallFactory(created_by=ministry, updated_by=ministry, year=YEAR)
    proposal = selected_proposal(make_proposal, call=call)
    years, obligations = plan(proposal)
    return services.funding_prepare(actor=ministry, proposal=proposal, years=years, obligations=obligations)


def wait_for(letter_id: int, statuses=(LetterStatus.DONE, LetterStatus.FAILED), seconds: float = 30) -> AwardLetter:
    deadline = time.monotonic() + seconds
    while True:
        letter = AwardLetter.objects.get(pk=letter_id)
        if letter.status in statuses or time.monotonic() > deadline:
            return letter
        time.sleep(0.2)


def test_approving_a_decision_gets_the_letter_built_by_the_worker(worker_media, prepared_in_its_own_call,
                                                                   ministry2):
    decision = services.funding_approve(actor=ministry2, decision=prepared_in_its_own_call)  # committed
    requested = AwardLetter.objects.get(decision=decision)

    letter = wait_for(requested.pk)

    assert (letter.status, letter.error, letter.attempts) == (LetterStatus.DONE, "", 1)
    path = worker_media / letter.file.name
    assert path.read_bytes()[:5] == b"%PDF-"
    assert (letter.checksum, letter.size) == (sha256_of(path), path.stat().st_size)
    assert our_files() == [path]


def test_the_same_task_enqueued_twice_leaves_one_letter_and_one_file(worker_media, prepared_in_its_own_call,
                                                                     ministry2):
    decision = services.funding_approve(actor=ministry2, decision=prepared_in_its_own_call)
    letter = AwardLetter.objects.get(decision=decision)

    results = [generate_award_letter.delay(letter_id=letter.pk) for _ in range(2)]
    for result in results:
        assert result.get(timeout=30) == LetterStatus.DONE
    letter = wait_for(letter.pk)

    assert AwardLetter.objects.filter(decision=decision).count() == 1
    assert letter.status == LetterStatus.DONE
    assert letter.attempts == 3  # the approval's task, then ours twice (one solo worker, in order)
    assert our_files() == [worker_media / letter.file.name]
    assert letter.checksum == sha256_of(our_files()[0])

