"""Amounts of won as people type them (core.money_input.parse_won) and the form field every money
cell uses (core.forms.WonField): read to integer won, refused at the cell with what was typed kept."""

import pytest
from django import forms
from django.utils import translation

from core.forms import MAX_WON, WonField
from core.money_input import parse_won
from core.templatetags.portal import typed_eok


@pytest.mark.parametrize(("typed", "won"), [
    ("1000000", 1_000_000),
    ("1,000,000", 1_000_000),
    (" 1 000 000 ", 1_000_000),
    ("１００", 100),  # full-width digits
    ("１，０００，０００", 1_000_000),  # full-width comma
    ("1\u3000000", 1_000),  # ideographic space
    ("1억 2천만", 120_000_000),
    ("1억2천만", 120_000_000),
    ("3억", 300_000_000),
    ("5천만원", 50_000_000),
    ("5천만 원", 50_000_000),
    ("1.5억", 150_000_000),
    ("2억5000만", 250_000_000),
    ("2천5백만", 25_000_000),
    ("천만", 10_000_000),
    ("만원", 10_000),
    ("3억 5000", 300_005_000),
    ("1조 2억", 1_000_200_000_000),
    ("1억2천3백4십5만6789", 123_456_789),
    ("1.2345억", 123_450_000),
    ("１억 ２천만원", 120_000_000),
    ("₩1,000", 1_000),
    ("1,000 won", 1_000),
    ("1000KRW", 1_000),
    ("0", 0),
    ("-100", -100),  # read; the field refuses it as negative, not as unreadable
    ("－3억", -300_000_000),
])
def test_typed_amounts_are_read_to_integer_won(typed, won):
    assert parse_won(typed) == won


@pytest.mark.parametrize("typed", [None, "", "   ", "원"])
def test_nothing_typed_is_none(typed):
    assert parse_won(typed) is None


@pytest.mark.parametrize("typed", [
    "abc", "1.5", "12원34", "1만1억", "1억억", "1억 2억", "1.2.3억", "1e6", "0.000000001억", "-", "--5", "1억-",
    "천만천만", "100$", "²", "1²억",
])
def test_what_is_not_an_amount_of_won_is_refused(typed):
    with pytest.raises(ValueError):
        parse_won(typed)


class MoneyForm(forms.Form):
    amount = WonField(required=False, max_won=300_000_000)


@pytest.mark.parametrize(("typed", "won"), [("1억 2천만", 120_000_000), ("3억", 300_000_000), ("", None)])
def test_the_field_cleans_to_integer_won(typed, won):
    form = MoneyForm({"amount": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == won


@pytest.mark.parametrize(("typed", "message"), [
    ("-1", "Amounts cannot be negative."),
    ("-5천만", "Amounts cannot be negative."),
    ("3억 1", "At most 300,000,000 won."),
    ("1억 2천 오백", "Type an amount in won, e.g. 1,000,000 or 1억 2천만."),
])
def test_the_field_refuses_at_the_cell_and_keeps_what_was_typed(typed, message):
    form = MoneyForm({"amount": typed})
    with translation.override("en"):
        assert not form.is_valid()
        assert form.errors == {"amount": [message]}
    assert form["amount"].value() == typed  # shown back as typed


def test_the_field_has_a_default_cap_far_above_any_envelope():
    assert WonField().clean(str(MAX_WON)) == MAX_WON
    with pytest.raises(forms.ValidationError):
        WonField().clean(str(MAX_WON + 1))


def test_the_field_tells_the_script_its_cap_and_is_a_text_input():
    html = str(MoneyForm()["amount"])
    assert 'data-max="300000000"' in html and 'type="text"' in html and "money-input" in html


@pytest.mark.parametrize(("value", "ko", "en"), [
    ("1억 2천만", "1.2억원", "KRW 120 million"),
    (5_500_000_000, "55억원", "KRW 5.5 billion"),
    ("100만", "0.01억원", ""), ("1천만", "0.1억원", "KRW 10 million"), ("199,900", "", ""),  # never "0억원"
    ("", "", ""), ("-1", "", ""), ("abc", "", ""), (0, "", ""),
])
def test_the_cell_echoes_the_amount_in_eok(value, ko, en):
    with translation.override("ko"):
        assert typed_eok(value) == ko
    with translation.override("en"):
        assert typed_eok(value) == en
