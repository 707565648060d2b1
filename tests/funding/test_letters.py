"""Award letters: one per approved decision and language, built into a PDF with embedded
Korean fonts, idempotent, downloadable by the project's regions and staff only, given up
after too many attempts, never marked ready when the file could not be stored."""

import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from core.templatetags.portal import won
from funding import services
from funding.models import AwardLetter, LetterStatus
from funding.tasks import generate_award_letter
from tests.factories import EOK
from tests.funding.conftest import EAGER, announce, compact, letters_on_disk, pdf_text, sha256_of
from tests.login import log_in

pytestmark = pytest.mark.django_db


def stored_path(letter) -> Path:
    return Path(settings.MEDIA_ROOT) / letter.file.name


@pytest.fixture
def pending_letter(prepared, ministry2, django_capture_on_commit_callbacks):
    """Approved, the letter requested but not built (its task never ran)."""
    with django_capture_on_commit_callbacks(execute=False):
        decision = services.funding_approve(actor=ministry2, decision=prepared)
    return AwardLetter.objects.get(decision=decision)


def test_approving_requests_one_korean_letter_and_building_it_stores_a_pdf_with_its_checksum(
    korean_catalogue, prepared, ministry2, approve
):
    decision, letter = approve(prepared, ministry2)

    assert list(AwardLetter.objects.filter(decision=decision).values_list("language", "status")) == [
        ("ko", LetterStatus.DONE)]
    path = stored_path(letter)
    assert (letter.requested_by, letter.attempts, letter.error) == (ministry2, 1, "")
    assert letter.file.name.startswith(f"letters/{decision.reference}-ko-")
    assert path.read_bytes()[:5] == b"%PDF-"
    assert (letter.checksum, letter.size) == (sha256_of(path), path.stat().st_size)
    assert letter.generated_at is not None
    assert letter.issued_on is not None
    assert len(letter.verification_code) == 12


def test_the_korean_letter_states_the_project_the_regions_every_amount_and_the_verification_code(
    korean_catalogue, selected, letter
):
    text = pdf_text(stored_path(letter))
    regions = [p.region for p in selected.participations.select_related("region").order_by("region__order")]
    with translation.override("ko"):
        amounts = [won(18 * EOK), won(2 * EOK), won(54 * EOK), won(6 * EOK)]

    assert amounts == ["1,800,000,000원", "200,000,000원", "5,400,000,000원", "600,000,000원"]
    assert selected.title_ko in text
    assert [r.name_ko for r in regions if r.name_ko in text] == ["광주광역시", "전라남도"]
    assert [a for a in amounts if a not in text] == []
    assert text.count(amounts[0]) == 3  # national, each pilot year
    assert letter.decision.reference in text
    assert letter.verification_code in compact(text)
    assert f"/verify/{letter.verification_code}" in text


def test_the_letter_embeds_its_nanum_fonts(letter):
    listing = subprocess.run(["pdffonts", str(stored_path(letter))], capture_output=True, text=True,
                             check=True).stdout
    fonts = [line.split() for line in listing.splitlines()[2:]]
    nanum = [f for f in fonts if "Nanum" in f[0]]

    assert nanum != []
    assert [f[0] for f in nanum if f[-5] != "yes"] == []  # the "emb" column
    assert any("NanumMyeongjo" in f[0] for f in nanum)


def test_the_letter_embeds_its_fonts_as_pypdf_sees_them(letter):
    from pypdf import PdfReader

    embedded = set()
    for page in PdfReader(str(stored_path(letter))).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", []):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                if "/FontFile2" in descriptor:
                    embedded.add(str(descriptor["/FontName"]).split("+")[-1])
    assert {"NanumMyeongjo", "NanumGothic"} <= embedded


def test_building_the_same_letter_twice_keeps_one_row_and_one_file(letter, build_letter):
    again = build_letter(letter)

    assert AwardLetter.objects.filter(decision=letter.decision).count() == 1
    assert (again.pk, again.verification_code, again.status, again.attempts) == (
        letter.pk, letter.verification_code, LetterStatus.DONE, 2)
    assert letters_on_disk(settings.MEDIA_ROOT) == [Path(again.file.name).name]
    assert again.checksum == sha256_of(stored_path(again))


def test_requesting_the_letter_again_reuses_its_row_and_code(letter, ministry):
    again = services.letter_request(actor=ministry, decision=letter.decision, language="ko")

    assert AwardLetter.objects.filter(decision=letter.decision).count() == 1
    assert (again.pk, again.verification_code, again.status, again.attempts, again.requested_by) == (
        letter.pk, letter.verification_code, LetterStatus.PENDING, 0, ministry)


def test_a_letter_being_built_is_not_requested_a_second_time(letter, ministry):
    AwardLetter.objects.filter(pk=letter.pk).update(status=LetterStatus.RUNNING, attempts=1)
    again = services.letter_request(actor=ministry, decision=letter.decision, language="ko")
    assert (again.pk, again.status, again.attempts) == (letter.pk, LetterStatus.RUNNING, 1)


def test_the_english_letter_is_a_second_row_with_its_own_code_and_the_english_title(
    korean_catalogue, letter, ministry, build_letter
):
    english = services.letter_request(actor=ministry, decision=letter.decision, language="en")
    english = build_letter(english)

    assert list(AwardLetter.objects.filter(decision=letter.decision).values_list("language", flat=True)) == [
        "en", "ko"]
    assert english.pk != letter.pk
    assert english.verification_code != letter.verification_code
    assert english.status == LetterStatus.DONE
    text = pdf_text(stored_path(english))
    assert letter.decision.proposal.title_en in text
    assert "1,800,000,000 won" in text
    assert sorted(letters_on_disk(settings.MEDIA_ROOT)) == sorted(
        Path(name).name for name in (letter.file.name, english.file.name))


def test_only_approved_decisions_get_letters_only_in_the_portal_languages_and_only_for_staff(letter, ministry):
    from django.core.exceptions import PermissionDenied, ValidationError

    from funding.models import FundingDecision

    unapproved = FundingDecision.objects.create(proposal=letter.decision.proposal, version=2, prepared_by=ministry,
                                                national_total_won=54 * EOK)
    with pytest.raises(ValidationError) as exc:
        services.letter_request(actor=ministry, decision=unapproved, language="ko")
    assert exc.value.messages == ["Letters are issued for approved decisions only."]
    with pytest.raises(ValidationError) as exc:
        services.letter_request(actor=ministry, decision=letter.decision, language="fr")
    assert exc.value.messages == ["Unknown language."]
    with pytest.raises(PermissionDenied):
        services.letter_request(actor=letter.decision.proposal.created_by, decision=letter.decision)
    assert AwardLetter.objects.count() == 1


# --- Download ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["official", "partner_official", "ministry", "admin_user"])
def test_the_regions_of_the_project_and_staff_download_the_pdf(client, request, letter, who):
    announce(letter.decision.proposal.call)  # before, sealed for the regions (tests/megaproject/test_sealed_results.py)
    log_in(client, request.getfixturevalue(who))
    response = client.get(reverse("funding:letter_download", args=[letter.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{letter.decision.reference}-ko.pdf"'
    assert b"".join(response.streaming_content) == stored_path(letter).read_bytes()


@pytest.mark.parametrize("who", ["outsider_official", "expert"])
def test_anyone_else_does_not_find_the_letter(client, request, letter, who):
    log_in(client, request.getfixturevalue(who))
    assert client.get(reverse("funding:letter_download", args=[letter.pk])).status_code == 404
    assert client.get(reverse("funding:letter_download", args=[letter.pk + 1000])).status_code == 404


def test_a_letter_that_is_not_ready_is_forbidden(client, letter, official, ministry):
    announce(letter.decision.proposal.call)
    for status in (LetterStatus.PENDING, LetterStatus.RUNNING, LetterStatus.FAILED):
        AwardLetter.objects.filter(pk=letter.pk).update(status=status)
        for user in (official, ministry):
            log_in(client, user)
            assert client.get(reverse("funding:letter_download", args=[letter.pk])).status_code == 403


def test_the_status_endpoint_answers_the_project_s_regions_and_staff_only(client, letter, official,
                                                                          outsider_official):
    url = reverse("funding:letter_status", args=[letter.pk])
    announce(letter.decision.proposal.call)
    log_in(client, official)
    assert client.get(url).json() == {"status": "done", "label": "Ready", "error": ""}
    log_in(client, outsider_official)
    assert client.get(url).status_code == 404


# --- Attempts and failures -------------------------------------------------------------------


def test_a_letter_at_the_attempt_limit_is_marked_failed_instead_of_built(settings, pending_letter):
    settings.LETTER_MAX_ATTEMPTS = 3
    AwardLetter.objects.filter(pk=pending_letter.pk).update(attempts=3)

    letter = services.letter_build(letter_id=pending_letter.pk)

    stored = AwardLetter.objects.get(pk=pending_letter.pk)
    assert (letter.status, stored.status, stored.attempts, stored.error) == (
        LetterStatus.FAILED, LetterStatus.FAILED, 3, "Gave up after 3 attempts.")
    assert (stored.file.name, stored.checksum) == ("", "")
    assert letters_on_disk(settings.MEDIA_ROOT) == []


def test_the_task_gives_up_visibly_at_the_attempt_limit(settings, pending_letter):
    AwardLetter.objects.filter(pk=pending_letter.pk).update(attempts=settings.LETTER_MAX_ATTEMPTS)

    assert generate_award_letter.apply(kwargs={"letter_id": pending_letter.pk}).get() == LetterStatus.FAILED
    assert AwardLetter.objects.get(pk=pending_letter.pk).error == (
        f"Gave up after {settings.LETTER_MAX_ATTEMPTS} attempts.")


def test_the_task_builds_a_pending_letter(pending_letter):
    assert generate_award_letter.apply(kwargs={"letter_id": pending_letter.pk}).get() == LetterStatus.DONE
    assert AwardLetter.objects.get(pk=pending_letter.pk).status == LetterStatus.DONE


@pytest.fixture
def broken_storage(settings, tmp_path):
    """MEDIA_ROOT below a file: no directory can be made there (works for root too)."""
    blocker = tmp_path / "afile"
    blocker.write_text("not a directory")
    settings.MEDIA_ROOT = blocker / "media"
    return settings.MEDIA_ROOT


def test_when_the_file_cannot_be_stored_the_build_fails_and_the_letter_is_not_marked_ready(
    pending_letter, broken_storage
):
    with pytest.raises(OSError):
        services.letter_build(letter_id=pending_letter.pk)

    stored = AwardLetter.objects.get(pk=pending_letter.pk)
    assert stored.status != LetterStatus.DONE
    assert (stored.file.name, stored.checksum, stored.size, stored.generated_at) == ("", "", 0, None)
    assert not Path(broken_storage).exists()


def test_the_task_marks_the_letter_failed_with_the_storage_error_and_a_retry_later_builds_it(
    settings, tmp_path, pending_letter, broken_storage, ministry, build_letter
):
    with pytest.raises(OSError):
        generate_award_letter.apply(kwargs={"letter_id": pending_letter.pk})

    stored = AwardLetter.objects.get(pk=pending_letter.pk)
    assert (stored.status, stored.file.name, stored.attempts) == (LetterStatus.FAILED, "", 1)
    assert stored.error == f"NotADirectoryError: [Errno 20] Not a directory: '{broken_storage}'"

    settings.MEDIA_ROOT = tmp_path / "media"  # storage repaired; staff press "Retry"
    retried = services.letter_request(actor=ministry, decision=stored.decision, language="ko")
    assert (retried.status, retried.error, retried.attempts) == (LetterStatus.PENDING, "", 0)
    built = build_letter(retried)
    assert (built.status, built.attempts, built.verification_code) == (
        LetterStatus.DONE, 1, pending_letter.verification_code)
    assert letters_on_disk(settings.MEDIA_ROOT) == [Path(built.file.name).name]


@pytest.mark.skipif(not EAGER, reason="the eager path of letter_request only: CELERY_BROKER_URL is set")
def test_without_a_broker_requesting_a_letter_builds_it_after_the_commit(letter, ministry,
                                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.letter_request(actor=ministry, decision=letter.decision, language="en")
    assert AwardLetter.objects.get(decision=letter.decision, language="en").status == LetterStatus.DONE
