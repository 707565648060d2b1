"""Amounts of won as people type them, read back as integer won (the server is the truth; the
money-input script only helps while typing).

Accepted: digits with thousands separators and spaces ("1,000,000", "1 000 000"), full-width
digits and signs ("１００", "１，０００", not "²"), Korean units with or without digits and decimals
("1억 2천만", "3억", "5천만원", "1.5억", "2억5000만", "만원"), a trailing 원 / won / KRW or a
leading ₩, and a leading minus (read as a negative amount: the field refuses it with its own
message). Big units (만, 억, 조) must come largest first; the result must be a whole number of
won. Anything else raises ValueError.
"""

import re
from decimal import Decimal, InvalidOperation

SMALL = {"십": 10, "백": 100, "천": 1000}
BIG = {"만": 10**4, "억": 10**8, "조": 10**12}
_TOKEN = re.compile(r"([0-9]+(?:\.[0-9]+)?)?([십백천만억조])?")
_MINUS = ("-", "−", "‐", "–")
# Full-width forms (Korean and Japanese keyboards) to ASCII, and the ideographic space. Not NFKC:
# that would read a superscript "²" as 2.
_FULL_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: " "}


def parse_won(text: str | None) -> int | None:
    """The amount typed in `text` in won; None when nothing was typed."""
    if text is None:
        return None
    s = str(text).translate(_FULL_WIDTH).strip()
    s = re.sub(r"[\s,_'’]", "", s)
    s = s.removeprefix("₩").removeprefix("\\")
    negative = False
    if s[:1] in _MINUS:
        negative, s = True, s[1:].removeprefix("₩")
    lowered = s.lower()
    for suffix in ("원", "won", "krw"):
        if lowered.endswith(suffix):
            s = s[: -len(suffix)]
            break
    if not s:
        if negative:
            raise ValueError(text)
        return None
    amount = _read(s)
    if amount != amount.to_integral_value():
        raise ValueError(text)  # a fraction of a won
    return -int(amount) if negative else int(amount)


def _read(s: str) -> Decimal:
    if s.isascii() and s.isdigit():
        return Decimal(s)
    total = Decimal(0)
    group = Decimal(0)  # the part before the next big unit (천/백/십 and plain digits)
    last_big = None
    pos = 0
    seen_digit = seen_unit = False
    while pos < len(s):
        m = _TOKEN.match(s, pos)
        if not m or m.end() == pos:
            raise ValueError(s)
        pos = m.end()
        digits, unit = m.groups()
        try:
            number = Decimal(digits) if digits else None
        except InvalidOperation:
            raise ValueError(s) from None
        seen_digit |= number is not None
        if unit is None:
            if pos != len(s):
                raise ValueError(s)
            group += number
        elif unit in SMALL:
            seen_unit = True
            group += (Decimal(1) if number is None else number) * SMALL[unit]
        else:
            seen_unit = True
            if last_big is not None and BIG[unit] >= last_big:
                raise ValueError(s)  # 만 before 억, or a unit twice
            last_big = BIG[unit]
            if number is not None:
                group += number
            total += (group or Decimal(1)) * BIG[unit]
            group = Decimal(0)
    if not (seen_digit or seen_unit):
        raise ValueError(s)
    return total + group
