"""The money filters: full won, 억원 in Korean, billions in English.

The Korean results come from the Korean catalogue ("%(amount)s won" →
"%(amount)s원"). The catalogue is compiled from locale/ko/LC_MESSAGES/django.po
into a temporary LOCALE_PATHS, so the tests follow the .po file whether or not
`compilemessages` has been run since it last changed.
"""

from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

from core.templatetags.portal import eok, money, percent, won
from tests import po

LOCALE = Path(__file__).resolve().parents[2] / "locale"


@pytest.fixture(scope="session")
def compiled_locale(tmp_path_factory):
    source = LOCALE / "ko" / "LC_MESSAGES" / "django.po"
    if not source.exists():
        pytest.fail(f"the Korean catalogue {source} does not exist yet")
    target = tmp_path_factory.mktemp("locale")
    for catalogue in LOCALE.glob("*/LC_MESSAGES/django.po"):
        language = catalogue.parent.parent.name
        po.write_mo(po.parse(catalogue), target / language / "LC_MESSAGES" / "django.mo")
    return target


@pytest.fixture
def korean(settings, compiled_locale):
    settings.LOCALE_PATHS = [compiled_locale]  # resets Django's translation caches
    with translation.override("ko"):
        yield


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def test_won_in_korean_has_thousands_separators_and_the_won_sign(korean):
    assert won(5_500_000_000) == "5,500,000,000원"


def test_eok_in_korean_counts_hundred_millions(korean):
    assert eok(5_500_000_000) == "55억원"


def test_money_in_korean_gives_both(korean):
    assert money(5_500_000_000) == "5,500,000,000원 (55억원)"


@pytest.mark.parametrize(
    ("amount", "expected"),
    [(30_000_000_000, "300억원"), (100_000_000_000, "1,000억원"), (12_345_678_900, "123.46억원"),
     (150_000_000, "1.5억원"), (0, "0억원")],
)
def test_eok_in_korean_trims_needless_decimals(korean, amount, expected):
    assert eok(amount) == expected


def test_won_in_english(english):
    assert won(5_500_000_000) == "5,500,000,000 won"


def test_eok_in_english_counts_billions(english):
    assert eok(5_500_000_000) == "5.5 billion won"


def test_money_in_english_gives_both(english):
    assert money(5_500_000_000) == "5,500,000,000 won (5.5 billion won)"


@pytest.mark.parametrize("missing", [None, ""])
def test_a_missing_amount_is_a_dash(korean, missing):
    assert (won(missing), eok(missing), money(missing)) == ("—", "—", "—")


def test_an_amount_given_as_text_is_formatted_like_a_number(korean):
    assert money("5500000000") == "5,500,000,000원 (55억원)"


@pytest.mark.parametrize(
    ("value", "expected"), [(Decimal("20.00"), "20%"), (Decimal("12.50"), "12.5%"), (0, "0%"), (None, "—")]
)
def test_percent_drops_trailing_zeros(value, expected):
    assert percent(value) == expected


def test_the_filters_are_template_builtins(korean):
    rendered = Template("{{ cap|won }} / {{ cap|eok }} / {{ cap|money }}").render(Context({"cap": 5_500_000_000}))
    assert rendered == "5,500,000,000원 / 55억원 / 5,500,000,000원 (55억원)"
