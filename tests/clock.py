"""Test dates that do not expire.

The timelines in the factories and tests were written as they stood on REFERENCE_TODAY (an open
call: consulting until 31 December 2026, submissions until 29 January 2027, review in February
and March 2027). `on()` and `at()` move such a written date forward by whole weeks, as many as
have passed since then in Korea, so the suite meets today (timezone.localdate(), Asia/Seoul)
where it was written to meet it, on any date: the same distances between dates, the same
weekdays. Dates that are history by design (the 2023 call as it ran) stay as written.
"""

import datetime
import functools
from zoneinfo import ZoneInfo

SEOUL = ZoneInfo("Asia/Seoul")
# The day the written timelines meet today (a Friday); any day of the week after it meets them too.
REFERENCE_TODAY = datetime.date(2026, 12, 4)


@functools.cache
def shift() -> datetime.timedelta:
    """Whole weeks from REFERENCE_TODAY to today in Korea (weekdays keep their names), reckoned once
    per run: a module's written dates and the factories' agree even if the run passes midnight."""
    from django.utils import timezone

    days = (timezone.localdate(timezone=SEOUL) - REFERENCE_TODAY).days
    return datetime.timedelta(days=days // 7 * 7)


def on(year: int, month: int, day: int) -> datetime.date:
    """The written date `year-month-day` moved to today's timeline."""
    return datetime.date(year, month, day) + shift()


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, tzinfo=SEOUL) -> datetime.datetime:
    """The written moment (Korea time unless `tzinfo` says otherwise) moved to today's timeline."""
    return datetime.datetime(year, month, day, hour, minute, second, tzinfo=tzinfo) + shift()
