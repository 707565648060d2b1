"""The money filters: full won, 억원 in Korean, billions in English; and the call's
money rule (programmes.money): local matching on either basis and the envelope.

The Korean results come from the Korean catalogue ("%(amount)s won" →
"%(amount)s원"). The catalogue is compiled from locale/ko/LC_MESSAGES/django.po
into a temporary LOCALE_PATHS, so the tests follow the .po file whether or not
`compilemessages` has been run since it last changed.
"""

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.utils import translation

from core.templatetags.portal import eok, money, percent, won
from programmes.models import MatchingBasis
from programmes.money import (
    CELLS,
    TOTAL,
    TOTAL_KEY,
    YEARS,
    Cell,
    MatchingRule,
    cell_key,
    check_envelope,
    year_key,
)
from tests import po
from tests.factories import EOK, CallFactory

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
    assert eok(5_500_000_000) == "KRW 5.5 billion"
    assert eok(300_000_000) == "KRW 300 million"  # never "0.3 billion won"
    assert eok(2_500_000) == "KRW 2.5 million" and eok(40_000) == "KRW 40,000"


def test_money_in_english_gives_both(english):
    assert money(5_500_000_000) == "5,500,000,000 won (KRW 5.5 billion)"


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


# --- The call's money rule (programmes.money): local matching and the envelope -----------------------


NATIONAL = MatchingRule(pct=Decimal("20.00"), basis=MatchingBasis.NATIONAL)
TOTAL_BASIS = MatchingRule(pct=Decimal("20.00"), basis=MatchingBasis.TOTAL)


def short_of(amount: int, basis: str = "national funding", pct: str = "20") -> str:
    return f"Local funds must be at least {pct}% of the {basis}: at least {amount:,} won."


def test_the_rule_is_read_from_the_call(english):
    call = CallFactory.build(min_local_matching_pct=Decimal("33.33"), matching_basis=MatchingBasis.TOTAL)
    assert MatchingRule.of(call) == MatchingRule(pct=Decimal("33.33"), basis=MatchingBasis.TOTAL)
    assert MatchingRule.of(call).basis_name == "total project cost"


def test_on_the_national_basis_local_funds_are_20_percent_of_the_national_funding(english):
    assert NATIONAL.required_local(national=10_000, other=5_000) == Decimal(2_000)  # other sources do not count
    assert NATIONAL.shortfall(national=10_000, local=2_000) is None
    assert NATIONAL.shortfall(national=10_000, local=1_999) == short_of(2_000)  # 19.99 %


def test_on_the_total_basis_local_funds_are_20_percent_of_the_total_project_cost(english):
    # local ≥ 20 % of (national + local + other): 2,000 of 8,000 + 2,000; 2,000 of 7,000 + 2,000 + 1,000.
    assert TOTAL_BASIS.required_local(national=8_000) == Decimal(2_000)
    assert TOTAL_BASIS.shortfall(national=8_000, local=2_000) is None
    assert TOTAL_BASIS.shortfall(national=7_000, local=2_000, other=1_000) is None
    assert TOTAL_BASIS.shortfall(national=8_000, local=1_999) == short_of(2_000, "total project cost")  # 19.99… %


def test_the_amount_shown_is_rounded_up_and_the_comparison_is_exact(english):
    # 20 % of 10,001 is 2,000.2: 2,000 is short, 2,001 is enough.
    assert NATIONAL.shortfall(national=10_001, local=2_000) == short_of(2_001)
    assert NATIONAL.shortfall(national=10_001, local=2_001) is None
    third = MatchingRule(pct=Decimal("33.33"), basis=MatchingBasis.NATIONAL)
    assert third.shortfall(national=5_500_000_001, local=1_833_150_001) is None  # 1,833,150,000.33…
    assert third.shortfall(national=5_500_000_001, local=1_833_150_000) == short_of(1_833_150_001, pct="33.33")


def test_all_of_the_total_cannot_be_local_while_there_is_national_funding(english):
    everything = MatchingRule(pct=Decimal("100"), basis=MatchingBasis.TOTAL)
    assert everything.shortfall(national=0, local=5) is None
    assert everything.shortfall(national=1, local=10**12) == (
        "Local funds must be at least 100% of the total project cost.")


def test_problems_are_keyed_at_the_region_s_cell_the_year_and_the_total(english):
    cells = [Cell(1, 2027, 10_000, 3_000), Cell(2, 2027, 10_000, 1_500), Cell(1, 2028, 10_000, 1_000)]
    assert NATIONAL.problems(cells) == {
        cell_key(2, 2027, "local"): short_of(2_000),
        cell_key(1, 2028, "local"): short_of(2_000),
        year_key(2028): short_of(2_000),
        TOTAL_KEY: short_of(6_000),
    }
    assert NATIONAL.problems(cells, levels=(YEARS,)) == {year_key(2028): short_of(2_000)}
    assert NATIONAL.problems(cells, levels=(CELLS,), explained={(2, 2027)}) == {
        cell_key(1, 2028, "local"): short_of(2_000)}


def test_on_the_total_basis_other_sources_count_towards_the_year_and_the_total(english):
    cells = [Cell(1, 2027, 7_000, 1_999, 1_000), Cell(None, 2028, 8_000, 0), Cell(1, 2028, 0, 2_000)]
    assert TOTAL_BASIS.problems(cells, levels=(YEARS, TOTAL)) == {
        year_key(2027): short_of(2_000, "total project cost"),
        TOTAL_KEY: short_of(4_000, "total project cost"),
    }


@pytest.mark.django_db
def test_the_envelope_refuses_what_would_overspend_it_and_allows_what_fills_it(english):
    from funding.models import FundingDecision

    call = CallFactory(envelope_won=10 * EOK, cap_won=5 * EOK)
    nothing = FundingDecision.objects.none()
    assert check_envelope(holder=call, approved=nothing, amount=10 * EOK, name="the call's envelope") == 0
    with pytest.raises(ValidationError) as refused:
        check_envelope(holder=call, approved=nothing, amount=10 * EOK + 1, name="the call's envelope")
    assert refused.value.messages == [
        "Approving would exceed the call's envelope: 0 won committed + 1,000,000,001 won > 1,000,000,000 won "
        "(remaining 1,000,000,000 won)."]
