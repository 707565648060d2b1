"""The `options` tag: a filter's <option>s from (value, label) pairs, in one call."""

from django.template import Context, Template


def render(pairs, selected) -> str:
    return Template("{% load portal %}{% options pairs selected %}").render(Context({"pairs": pairs, "selected": selected}))


def test_the_option_whose_value_is_the_selected_text_is_marked_and_no_other():
    html = render([(1, "2023"), (12, "2027")], "12")
    assert html == '<option value="1">2023</option><option value="12" selected>2027</option>'


def test_nothing_is_selected_for_an_empty_or_unknown_value():
    assert "selected" not in render([("", "—"), ("busan", "부산")], "")
    assert "selected" not in render([("busan", "부산")], "seoul")
    assert "selected" not in render([("busan", "부산")], None)


def test_values_and_labels_are_escaped():
    html = render([('"><script>', "<b>x</b>")], "")
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html
