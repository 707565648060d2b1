"""Wording a Korean official reads every day: 아이디 on the log-in form, the matching rule stated plainly,
the ranking's tie-break rule translated, letters' language named, English money written as in English."""

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import translation

from evaluations.services.aggregation import TIE_BREAK_RULE
from funding.models import AwardLetter, LetterLanguage
from programmes.models import MatchingBasis

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "expected", "absent"), [("ko", "아이디", "사용자 이름"), ("en", "Username", "아이디")])
def test_the_log_in_form_asks_for_the_id(client, language, expected, absent):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    label = re.search(r'for="id_username"[^>]*>\s*([^<]+)', html).group(1).strip()
    assert label == expected and absent not in html


def test_the_call_states_its_matching_rule_plainly(call):
    call.min_local_matching_pct = Decimal("20.00")
    with translation.override("ko"):
        assert call.matching_rule() == "지방비는 국비의 20% 이상"
        call.matching_basis, call.min_local_matching_pct = MatchingBasis.TOTAL, Decimal("12.50")
        assert call.matching_rule() == "지방비는 총사업비의 12.5% 이상"
    with translation.override("en"):
        assert call.matching_rule() == "Local funds at least 12.5% of the total project cost"


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_call_page_shows_the_rule_not_a_symbol(client, ministry, call, language):
    from tests.login import log_in

    log_in(client, ministry)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(f"/calls/{call.pk}/").content.decode()
    expected = {"ko": "지방비는 국비의 20% 이상", "en": "Local funds at least 20% of national funding"}[language]
    assert expected in html and "≥" not in html and "일정 비율" not in html


def test_the_tie_break_rule_is_translated():
    with translation.override("ko"):
        assert str(TIE_BREAK_RULE).startswith("동점이면 단순 평균이 높은 제안서")
    with translation.override("en"):
        assert str(TIE_BREAK_RULE).startswith("Ties are broken by the higher plain mean")


def test_a_letter_names_its_language():
    with translation.override("ko"):
        assert [AwardLetter(language=code).get_language_display() for code in LetterLanguage.values] == [
            "한국어", "English"]


def test_english_money_reads_as_english():
    from core.templatetags.portal import eok

    with translation.override("en"):
        assert (eok(300_000_000), eok(5_500_000_000)) == ("KRW 300 million", "KRW 5.5 billion")
    with translation.override("ko"):
        assert eok(300_000_000) == "3억원"
