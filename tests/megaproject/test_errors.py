"""Errors: the 500 page names the request id; a document that could not be built tells officials only
that (staff have been told), staff read the error, and the exception goes to the logs (ERROR: to
Sentry or the ADMINS' mail) and to the documents' failure counter."""

import logging

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import path, reverse

from funding.models import AwardLetter, LetterStatus
from funding.tasks import generate_award_letter
from megaproject import urls as portal_urls
from tests.funding.conftest import (  # noqa: F401  (fixtures)
    _english,
    _media_root,
    announce,
    approve,
    approved,
    build_letter,
    compiled_locale,
    complete_proposal,
    korean_catalogue,
    letter,
    make_proposal,
    prepared,
    proposal,
    selected,
)
from tests.login import log_in

pytestmark = pytest.mark.django_db

NOTICE = "This document could not be built — staff have been told."


# --- The 500 page ---------------------------------------------------------------------------


def explode(request):
    raise RuntimeError("the database is on fire")


urlpatterns = [path("explode/", explode), *portal_urls.urlpatterns]
handler500 = portal_urls.handler500


@override_settings(ROOT_URLCONF=__name__)
def test_the_500_page_shows_the_request_id_of_the_response_and_no_exception():
    response = Client(raise_request_exception=False).get("/explode/")
    assert response.status_code == 500
    body = response.content.decode()
    request_id = response["X-Request-ID"]
    assert f"<code>{request_id}</code>" in body
    assert "A temporary error occurred" in body and "일시적인 오류가 발생했습니다" in body
    assert "RuntimeError" not in body and "on fire" not in body


def test_the_500_page_is_rendered_without_the_database(django_assert_num_queries):
    from megaproject.observability import server_error

    request = RequestFactory().get("/")
    request.request_id = "0123456789abcdef0123456789abcdef"
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    assert b"A temporary error occurred" in response.content and b"<code>0123456789abcdef" in response.content


# --- A letter that could not be built -----------------------------------------------------------


@pytest.fixture
def failed_letter(letter, settings, tmp_path):  # noqa: F811  (fixtures)
    """The built letter rebuilt where no file can be stored (MEDIA_ROOT below a file): failed for good."""
    blocker = tmp_path / "afile"
    blocker.write_text("not a directory")
    settings.MEDIA_ROOT = blocker / "media"
    with pytest.raises(OSError):
        generate_award_letter.apply(kwargs={"letter_id": letter.pk})
    failed = AwardLetter.objects.get(pk=letter.pk)
    assert (failed.status, failed.error.split(":")[0]) == (LetterStatus.FAILED, "NotADirectoryError")
    return failed


def signed_in(user) -> Client:
    browser = Client()
    browser.cookies["django_language"] = "en"
    return log_in(browser, user)  # staff: the code of their authenticator too


def test_an_official_sees_that_the_letter_could_not_be_built_and_not_the_exception(failed_letter, official):
    announce(failed_letter.decision.proposal.call)  # before, the letter is sealed for the region
    browser = signed_in(official)
    page = browser.get(reverse("funding:decision", args=[failed_letter.decision.proposal_id]))
    assert page.status_code == 200
    text = page.content.decode()
    assert NOTICE in text
    assert "NotADirectoryError" not in text and "Errno" not in text
    status = browser.get(reverse("funding:letter_status", args=[failed_letter.pk])).json()
    assert (status["status"], status["error"]) == ("failed", NOTICE)


def test_staff_see_the_error_of_the_failed_letter(failed_letter, ministry):
    browser = signed_in(ministry)
    for url in (reverse("funding:decision", args=[failed_letter.decision.proposal_id]),
                reverse("funding:letters", args=[failed_letter.decision.proposal.call_id])):
        text = browser.get(url).content.decode()
        assert failed_letter.error in text.replace("&#x27;", "'"), url
        assert NOTICE not in text, url
    status = browser.get(reverse("funding:letter_status", args=[failed_letter.pk])).json()
    assert status["error"] == failed_letter.error


def test_the_notice_is_in_korean_for_a_korean_reader(failed_letter, official, korean_catalogue):  # noqa: F811  (fixtures)
    from django.utils import translation

    with translation.override("ko"):
        assert failed_letter.error_for(official) == "문서를 만들지 못했습니다. 담당자에게 알렸습니다."


def test_the_failure_is_logged_with_its_exception_and_counted(letter, settings, tmp_path, caplog):  # noqa: F811  (fixtures)
    from prometheus_client import REGISTRY

    def failed_count():
        return REGISTRY.get_sample_value("portal_documents_total", {"kind": "awardletter", "outcome": "failed"}) or 0

    before = failed_count()
    blocker = tmp_path / "afile"
    blocker.write_text("not a directory")
    settings.MEDIA_ROOT = blocker / "media"
    with caplog.at_level(logging.INFO, logger="core.documents"), pytest.raises(OSError):
        generate_award_letter.apply(kwargs={"letter_id": letter.pk})

    (record,) = [r for r in caplog.records if r.name == "core.documents" and r.levelno >= logging.ERROR]
    assert record.getMessage().startswith(f"awardletter {letter.pk} failed for good after 1 tries: NotADirectoryError")
    assert record.exc_info is not None and record.exc_info[0] is NotADirectoryError
    assert failed_count() - before == 1


def test_a_built_letter_is_counted_as_generated(prepared, ministry2, approve):  # noqa: F811  (fixtures)
    from prometheus_client import REGISTRY

    def generated():
        return REGISTRY.get_sample_value("portal_documents_total", {"kind": "awardletter", "outcome": "generated"}) or 0

    before = generated()
    _decision, built = approve(prepared, ministry2)
    assert built.status == LetterStatus.DONE
    assert generated() - before == AwardLetter.objects.filter(decision=built.decision, status=LetterStatus.DONE).count()
