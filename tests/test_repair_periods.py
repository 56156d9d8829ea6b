"""The repair procedure's periods and deadlines to the day (民法典第二百零一条至第二百零三条; decide_by
from acceptance), each boundary with the day before, on and after it, and every action from every
status. Plain functions, no server."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from domain import repair as r
from domain.errors import Conflict
from domain.periods import first_day_after, latest_event_with_run_period, period_last_day

D = dt.date
DAY = dt.timedelta(days=1)
RULE = r.Rule("*", "*", 6, 36, 3, 15, 5, "test")


@pytest.mark.parametrize(
    "event,months,last_day,first_after",
    [
        (D(2025, 1, 15), 6, D(2025, 7, 15), D(2025, 7, 16)),  # DOMAIN.md / issue example
        (D(2025, 8, 31), 6, D(2026, 2, 28), D(2026, 3, 1)),  # no Feb 31: the month's last day
        (D(2025, 1, 15), 36, D(2028, 1, 15), D(2028, 1, 16)),  # maximum: public through, stop on
        (D(2023, 8, 31), 6, D(2024, 2, 29), D(2024, 3, 1)),  # leap year: Feb 29 is the last day
        (D(2024, 2, 29), 12, D(2025, 2, 28), D(2025, 3, 1)),  # from a leap day
        (D(2024, 2, 29), 48, D(2028, 2, 29), D(2028, 3, 1)),  # to a leap day
        (D(2025, 6, 30), 6, D(2025, 12, 30), D(2025, 12, 31)),  # the last day of a year is a day like any
        (D(2025, 7, 31), 5, D(2025, 12, 31), D(2026, 1, 1)),  # ends on Dec 31 → next year
        (D(2025, 12, 31), 2, D(2026, 2, 28), D(2026, 3, 1)),
        (D(2025, 3, 31), 1, D(2025, 4, 30), D(2025, 5, 1)),
        (D(2025, 1, 31), 1, D(2025, 2, 28), D(2025, 3, 1)),
        (D(2025, 5, 25), 12, D(2026, 5, 25), D(2026, 5, 26)),
        # No holiday extension (art. 203 para 1): 2028-01-15 is a Saturday and still the last day.
        (D(2025, 1, 15), 36, D(2028, 1, 15), D(2028, 1, 16)),
        (D(2025, 4, 1), 6, D(2025, 10, 1), D(2025, 10, 2)),  # ends on 国庆: not moved
    ],
)
def test_month_periods(event: dt.date, months: int, last_day: dt.date, first_after: dt.date) -> None:
    assert period_last_day(event, months) == last_day
    assert first_day_after(event, months) == first_after


def test_eligibility_day_before_on_after_the_minimum() -> None:
    facts = r.ResultFacts(1, "X", True, "public", D(2025, 1, 15), "371500", "general", "d")
    before = r.eligibility(facts, RULE, D(2025, 7, 15), False)
    on = r.eligibility(facts, RULE, D(2025, 7, 16), False)
    after = r.eligibility(facts, RULE, D(2025, 7, 17), False)
    assert not before.eligible and before.earliest_on == D(2025, 7, 16)
    assert [x.code for x in before.reasons] == ["min_period"]
    assert on.eligible and after.eligible and on.earliest_on == D(2025, 7, 16)


def test_expiry_day_before_on_after_the_maximum() -> None:
    facts = r.ResultFacts(1, "X", True, "public", D(2025, 1, 15), "371500", "general", "d")
    assert r.expires_on(D(2025, 1, 15), RULE) == D(2028, 1, 16)
    assert r.eligibility(facts, RULE, D(2028, 1, 15), False).eligible  # still public that day
    for day in (D(2028, 1, 16), D(2028, 1, 17)):
        e = r.eligibility(facts, RULE, day, False)
        assert [x.code for x in e.reasons] == ["expired"]


def test_latest_event_with_run_period_is_exact_around_month_ends() -> None:
    # For every day of two years and several periods: the bound is the largest event day whose
    # period has run, so the withdraw job's query misses nothing and includes nothing early.
    start = D(2027, 1, 1)
    for months in (6, 12, 36):
        for i in range(0, 730, 1):
            today = start + dt.timedelta(days=i)
            last = latest_event_with_run_period(today, months)
            assert first_day_after(last, months) <= today
            assert first_day_after(last + DAY, months) > today


# -- working-day deadlines ----------------------------------------------------------------------


def test_decide_by_runs_from_acceptance_across_national_day_2025() -> None:
    # Accepted Tue 2025-09-30: 国庆+中秋 Oct 1-8 off, Sat Oct 11 a make-up working day;
    # 15 working days: Oct 9, 10, 11, 13-17, 20-24, 27, 28 → Oct 28.
    assert r.decide_by(D(2025, 9, 30), RULE) == D(2025, 10, 28)
    # Accepted on the holiday Oct 1 instead: Oct 2-8 are holidays too, so the same Oct 28.
    assert r.decide_by(D(2025, 10, 1), RULE) == D(2025, 10, 28)
    # Accepted Thu Oct 9: Oct 10, 11 (make-up), 13-17, 20-24, 27, 28, 29 → Oct 29.
    assert r.decide_by(D(2025, 10, 9), RULE) == D(2025, 10, 29)
    # The day of acceptance is not counted: accepted Mon Oct 27 → 15 working days end Nov 17.
    assert r.decide_by(D(2025, 10, 27), RULE) == D(2025, 11, 17)


def test_decide_by_across_spring_festival_2026() -> None:
    # 春节 2026: Feb 15-23 off; Sat Feb 14 and Sat Feb 28 are make-up working days.
    # Accepted Thu Feb 12: Feb 13, 14 (make-up), 24, 25, 26, 27, 28 (make-up), Mar 2-6, 9, 10, 11 → Mar 11.
    assert r.decide_by(D(2026, 2, 12), RULE) == D(2026, 3, 11)
    # Submitted Feb 12: accept within 3 working days → Feb 13, 14, 24 → Feb 24.
    assert r.accept_by(D(2026, 2, 12), RULE) == D(2026, 2, 24)


def test_decide_overdue_day_before_on_after() -> None:
    by = r.decide_by(D(2025, 9, 30), RULE)
    assert r.application_overdue("accepted", None, by, by - DAY) == []
    assert r.application_overdue("accepted", None, by, by) == []
    assert r.application_overdue("accepted", None, by, by + DAY) == ["decide_overdue"]


def test_accept_overdue_day_before_on_after_and_stopped_while_awaiting_materials() -> None:
    by = r.accept_by(D(2025, 9, 30), RULE)
    assert by == D(2025, 10, 11)
    assert r.application_overdue("submitted", by, None, by - DAY) == []
    assert r.application_overdue("submitted", by, None, by) == []
    assert r.application_overdue("submitted", by, None, by + DAY) == ["accept_overdue"]
    assert r.application_overdue("awaiting_materials", None, None, by + DAY * 100) == []


# -- every action from every status ---------------------------------------------------------------

ALLOWED = {
    ("accept", "submitted"): "accepted",
    ("decline", "submitted"): "declined",
    ("decline", "awaiting_materials"): "declined",
    ("request-materials", "submitted"): "awaiting_materials",
    ("approve", "accepted"): "approved",
    ("reject", "accepted"): "rejected",
}


@pytest.mark.parametrize(
    "action,status", list(itertools.product(sorted(r.APPLICATION_ACTIONS), sorted(r.APPLICATION_STATUSES)))
)
def test_every_action_from_every_status(action: str, status: str) -> None:
    if (action, status) in ALLOWED:
        assert r.transition(r.APPLICATION_ACTIONS, action, status) == ALLOWED[(action, status)]
        return
    with pytest.raises(Conflict) as e:
        r.transition(r.APPLICATION_ACTIONS, action, status, r.APPLICATION_STATUS_LABELS)
    assert e.value.extra["current_status"] == status
    assert r.APPLICATION_STATUS_LABELS[status] in e.value.detail


def test_statuses_have_labels_and_reasons_are_required_for_adverse_steps() -> None:
    assert set(r.APPLICATION_STATUS_LABELS) == set(r.APPLICATION_STATUSES)
    assert {"decline", "request-materials", "reject"} == r.REASON_REQUIRED
    assert (frozenset({"awaiting_materials"}), "submitted") == r.SUPPLY_MATERIALS
