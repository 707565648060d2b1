"""Presentation helpers used on every page: money in 원 and 억원."""

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core import josa as particles

register = template.Library()

EOK = 100_000_000  # 1억원


@register.filter
def won(amount) -> str:
    """Full won with thousands separators: 5,500,000,000원."""
    if amount is None or amount == "":
        return "—"
    return _("%(amount)s won") % {"amount": f"{int(amount):,}"}


@register.filter
def eok(amount) -> str:
    """The amount in 억원 (hundred millions) in Korean; in English as a reader of English writes it:
    KRW 5.5 billion, KRW 300 million (never "0.3 billion won")."""
    if amount is None or amount == "":
        return "—"
    if (get_language() or "ko").startswith("en"):
        value = int(amount)
        if abs(value) >= 1_000_000_000:
            return f"KRW {_trim(value / 1_000_000_000)} billion"
        if abs(value) >= 1_000_000:
            return f"KRW {_trim(value / 1_000_000)} million"
        return f"KRW {value:,}"
    return f"{_trim(int(amount) / EOK)}억원"


def _trim(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


@register.filter
def money(amount) -> str:
    """One filter for every amount: full won, then 억원 in brackets."""
    if amount is None or amount == "":
        return "—"
    return f"{won(amount)} ({eok(amount)})"


@register.filter
def typed_eok(value) -> str:
    """What a money cell holds (a saved amount or the text typed into it) in 억원, or "" when it
    is blank, under 0.01억원 (0.01 billion), negative or not an amount (the cell's error says why)."""
    from core.money_input import parse_won

    try:
        amount = parse_won(value) if isinstance(value, str) else value
    except ValueError:
        return ""
    english = (get_language() or "ko").startswith("en")
    if not amount or amount < (10_000_000 if english else EOK // 100):  # would read "0억원", "0 billion won"
        return ""
    return eok(amount)


@register.filter
def percent(value) -> str:
    if value is None:
        return "—"
    return f"{_trim(float(value))}%"


@register.filter
def lookup(mapping, key):
    """mapping[key] in a template (labels of stored codes)."""
    try:
        return mapping.get(key, key)
    except AttributeError:
        return key


@register.filter
def figure(value) -> str:
    """A score figure with two decimals (half-up), or a dash."""
    from decimal import ROUND_HALF_UP, Decimal

    if value is None or value == "":
        return "—"
    return str(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@register.filter(is_safe=True)
def josa_mark(value) -> str:
    """Mark a value put before a Korean particle in a translated sentence (see core.josa)."""
    return particles.mark(value)


@register.filter(is_safe=True)
def josa(value) -> str:
    """A translated sentence with each marked value's particle chosen: "버전 2를", "전라남도는"."""
    resolved = particles.resolve(str(value))
    # Only Hangul particles replace the invisible marks: safe text stays safe.
    return mark_safe(resolved) if isinstance(value, SafeData) else resolved  # noqa: S308


@register.simple_tag
def options(pairs, selected="") -> str:
    """The <option>s of a select from (value, label) pairs, the one whose value equals `selected` (compared as
    text) marked selected: a long filter form renders its choices in one call instead of a template loop."""
    selected = "" if selected is None else str(selected)
    return format_html_join("", '<option value="{}"{}>{}</option>', (
        (value, mark_safe(" selected") if str(value) == selected and selected != "" else "", label)
        for value, label in pairs))


@register.filter
def page_links(page):
    """The page numbers a pagination bar shows: the first, the last and three on each side of the
    current one, `None` where numbers are left out (a loop of a few items, not one per page)."""
    paginator = page.paginator
    return [None if n == paginator.ELLIPSIS else n
            for n in paginator.get_elided_page_range(page.number, on_each_side=3, on_ends=1)]
