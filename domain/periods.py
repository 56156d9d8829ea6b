"""Periods counted in months, as the Civil Code counts them: the one place that decides when a
period of N months that starts with an event has run, for every period the portal keeps (the
minimum publicity before a repair application, the statutory maximum after which publicity stops
by itself, and any other period in months or years).

《中华人民共和国民法典》:
- 第二百零一条: 按照年、月、日计算期间的，开始的当日不计入，自下一日开始计算 — the day of the event
  (e.g. publication) is not counted; the period starts the next day.
- 第二百零二条: 按照年、月计算期间的，到期月的对应日为期间的最后一日；没有对应日的，月末日为期间的最后一日
  — a period of N months ends on the corresponding day of the Nth month, or on that month's last day
  when it has no such day.
- 第二百零三条: 期间的最后一日的截止时间为二十四时 — the period runs to the end of its last day, so a
  right that needs the period to have passed begins the next day, and publicity limited to the
  period stops the next day. Its first paragraph (a last day that is a statutory holiday moves to
  the day after the holiday) extends a time limit within which a party must act; publicity and the
  waiting period before an application run whatever the weekday, so it does not move them
  (DOMAIN.md, "Periods, deadlines and the repair procedure": 36 months from 2025-01-15 are public
  through Saturday 2028-01-15 and stop on 2028-01-16).

Working-day deadlines are counted by domain.workdays.add_working_days, never here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from dateutil.relativedelta import relativedelta


def period_last_day(event_on: dt.date, months: int) -> dt.date:
    """The last day of a period of `months` months started by an event on `event_on` (民法典
    第二百零一条、第二百零二条): the corresponding day of the last month, or that month's last day.
    Published 2025-01-15, 6 months → 2025-07-15; published 2025-08-31, 6 months → 2026-02-28."""
    if months < 0:
        raise ValueError("a period has a non-negative number of months")
    if months == 0:
        return event_on
    # relativedelta moves to the corresponding day and clamps to the month's last day (art. 202).
    last: dt.date = event_on + relativedelta(months=months)
    return last


def first_day_after(event_on: dt.date, months: int) -> dt.date:
    """The first day after a period of `months` months started on `event_on` has run: the day a
    right that needs the period to have passed begins (the earliest day to apply for repair), or
    the first day a result whose maximum period has run is no longer public. Published
    2025-01-15: 6 months → 2025-07-16, 36 months → 2028-01-16; published 2025-08-31: 6 months →
    2026-03-01."""
    return period_last_day(event_on, months) + dt.timedelta(days=1)


def latest_event_with_run_period(today: dt.date, months: int) -> dt.date:
    """The latest event day whose period of `months` months has fully run by `today` (i.e. the
    largest d with first_day_after(d, months) <= today): used to bound queries for results whose
    maximum period has run. Month ends make the mapping many-to-one, so this searches the few
    candidates rather than inverting relativedelta."""
    guess: dt.date = today - relativedelta(months=months)
    # Candidates lie within a few days of the naive inverse; walk forward while still run.
    day = guess - dt.timedelta(days=4)
    best = None
    for _ in range(10):
        if first_day_after(day, months) <= today:
            best = day
        day += dt.timedelta(days=1)
    if best is None:  # pragma: no cover - the window above always holds one
        raise AssertionError("no event day found")
    return best


def days_period_last_day(event_on: dt.date, days: int, is_rest_day: Callable[[dt.date], bool] | None = None) -> dt.date:
    """The last day of a period of `days` days that starts with an event, within which a party
    must act (民法典 第二百零一条: the event's day is not counted; 第二百零三条 first paragraph: a
    last day that is a 法定休假日 — a statutory holiday or a rest day — moves to the first day after
    it). `is_rest_day(day)` says which days those are (domain.workdays: not a working day)."""
    last = event_on + dt.timedelta(days=days)
    if is_rest_day is not None:
        while is_rest_day(last):
            last += dt.timedelta(days=1)
    return last
