"""The public verification page: the main facts of a ready letter, and nothing for any other code."""

import pytest
from django.test import Client
from django.utils import translation

from core.templatetags.portal import money, won
from funding.models import AwardLetter, LetterStatus
from tests.factories import EOK
from tests.funding.conftest import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymous(korean_catalogue):
    """A visitor with no account and no language cookie: the portal answers in Korean."""
    return Client()


def test_the_code_of_a_ready_letter_shows_its_reference_title_regions_and_national_total(anonymous, letter):
    proposal = letter.decision.proposal
    response = anonymous.get(f"/verify/{letter.verification_code}")

    assert response.status_code == 200
    main = text_of(response, "main")
    with translation.override("ko"):
        total, yearly = money(54 * EOK), won(18 * EOK)
    assert total == "5,400,000,000원 (54억원)"
    assert [fact for fact in (letter.decision.reference, proposal.title_ko, proposal.title_en, "광주광역시, 전라남도",
                              total, f"2027: {yearly}", letter.checksum) if fact not in main] == []
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_code_is_accepted_in_lower_case_and_with_spaces(anonymous, letter):
    assert anonymous.get(f"/verify/%20{letter.verification_code.lower()}%20").status_code == 200


def test_a_wrong_code_is_404_and_reveals_no_letter(anonymous, letter):
    response = anonymous.get("/verify/23456789ABCD")

    page = response.content.decode()
    assert response.status_code == 404
    assert [leak for leak in (letter.verification_code, letter.decision.reference,
                              letter.decision.proposal.title_ko, letter.checksum) if leak in page] == []
    assert 'role="alert"' in page


@pytest.mark.parametrize("status", [LetterStatus.PENDING, LetterStatus.RUNNING, LetterStatus.FAILED])
def test_the_code_of_a_letter_that_is_not_ready_is_404_too(anonymous, letter, status):
    AwardLetter.objects.filter(pk=letter.pk).update(status=status)
    response = anonymous.get(f"/verify/{letter.verification_code}")

    assert response.status_code == 404
    assert letter.decision.proposal.title_ko not in response.content.decode()
