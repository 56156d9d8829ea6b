"""Working days (工作日) on the official Chinese calendar, make-up working days (调休) included.

The holiday arrangement is published by the State Council each year (usually in November for
the next year), so it comes from the maintained `chinese-calendar` package, never a hand-kept
list. Past the last year the installed package knows, deadlines count Monday to Friday and are
*provisional* (`is_provisional`): refusing a repair application or a complaint because next
year's arrangement is not packaged yet would take away the enterprise's right to apply, which is
worse than a deadline that may move by a few days. `is_working_day` itself stays strict (it
raises CalendarNotCovered) for callers that need the official answer. Upgrading the package
extends the official range.

Counting follows the usual administrative rule (期间开始之日不计算在内): the day something
happens is not counted; "within 3 working days" of a Monday submission ends on Thursday.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar

from domain.errors import Unavailable


class CalendarNotCovered(Unavailable):
    """The installed calendar has no holiday arrangement for this year yet."""


def _first_last_year() -> tuple[int, int]:
    from chinese_calendar import constants

    years = [d.year for d in (*constants.holidays, *constants.workdays)]
    return min(years), max(years)


def covered_years() -> tuple[int, int]:
    """The first and last year the installed `chinese-calendar` has official data for."""
    return _first_last_year()


def is_working_day(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        first, last = covered_years()
        raise CalendarNotCovered(
            f"{day.year}年的节假日安排尚未收录，无法计算工作日 (the official holiday calendar for "
            f"{day.year} is not in the installed chinese-calendar package, which covers {first}–{last}; "
            f"upgrade it once the State Council has published the {day.year} arrangement)",
            year=day.year,
        ) from None


def counts_as_working_day(day: dt.date) -> bool:
    """Official answer where the calendar covers the year; Monday to Friday beyond it."""
    if day.year > covered_years()[1]:
        return day.weekday() < 5
    return is_working_day(day)


def is_provisional(deadline: dt.date) -> bool:
    """True when a deadline was counted partly past the official calendar (it may still move)."""
    return deadline.year > covered_years()[1]


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start` (start itself not counted); n >= 0.

    n = 0 gives `start` unchanged, working day or not. Past the calendar: see the module note."""
    if n < 0:
        raise ValueError("n must be >= 0")
    day = start
    left = n
    while left > 0:
        day += dt.timedelta(days=1)
        if counts_as_working_day(day):
            left -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days d with start < d <= end (0 when end <= start): the days a decision took."""
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if counts_as_working_day(day):
            count += 1
    return count
