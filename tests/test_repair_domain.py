"""Working days on the official calendar, rule lookup, eligibility boundaries, state machines."""

from __future__ import annotations

import datetime as dt

import pytest

from domain import repair as r
from domain.errors import Conflict
from domain.evidence import check_files
from domain.workdays import (
    CalendarNotCovered,
    add_working_days,
    covered_years,
    is_provisional,
    is_working_day,
    working_days_between,
)

D = dt.date


# -- working days ----------------------------------------------------------------------


def test_national_day_2025_spans_the_holiday_and_counts_make_up_days() -> None:
    # 国庆+中秋 2025: Oct 1-8 off; Sun Sep 28 and Sat Oct 11 are working days (调休).
    assert is_working_day(D(2025, 9, 28)) and is_working_day(D(2025, 10, 11))
    assert not any(is_working_day(D(2025, 10, d)) for d in range(1, 9))
    # Friday Sep 26 + 1 working day is the make-up Sunday, not Monday.
    assert add_working_days(D(2025, 9, 26), 1) == D(2025, 9, 28)
    # Submitted Tue Sep 30: 3 working days are Oct 9, 10 and the make-up Saturday Oct 11.
    assert add_working_days(D(2025, 9, 30), 3) == D(2025, 10, 11)
    # 15 working days from Sep 30: Oct 9,10,11, 13-17, 20-24, 27,28 → Oct 28.
    assert add_working_days(D(2025, 9, 30), 15) == D(2025, 10, 28)
    assert working_days_between(D(2025, 9, 30), D(2025, 10, 28)) == 15


def test_spring_festival_2026() -> None:
    # 春节 2026: Feb 15-23 off; Sat Feb 14 and Sat Feb 28 are working days.
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)  # Friday → the make-up Saturday
    assert add_working_days(D(2026, 2, 14), 1) == D(2026, 2, 24)  # across the whole holiday
    # 15 working days from Thu Feb 12: Feb 13, 14, 24-27, 28(Sat), Mar 2-6, 9, 10, 11.
    assert add_working_days(D(2026, 2, 12), 15) == D(2026, 3, 11)
    assert working_days_between(D(2026, 2, 14), D(2026, 2, 24)) == 1


def test_deadline_landing_on_a_make_up_saturday() -> None:
    # 3 working days from Thu Oct 2 2025 (a holiday): Oct 9, 10 and the make-up Saturday Oct 11.
    assert add_working_days(D(2025, 10, 2), 3) == D(2025, 10, 11)
    assert D(2025, 10, 11).weekday() == 5
    # An ordinary Saturday is not a working day.
    assert not is_working_day(D(2025, 10, 18))
    assert add_working_days(D(2025, 10, 17), 1) == D(2025, 10, 20)


def test_past_the_calendar_the_official_answer_is_refused_but_deadlines_are_provisional() -> None:
    _first, last = covered_years()
    beyond = D(last + 1, 1, 5)
    with pytest.raises(CalendarNotCovered) as e:
        is_working_day(beyond)
    assert str(last + 1) in e.value.detail and "chinese-calendar" in e.value.detail
    assert e.value.status == 503
    # A deadline that runs into the unpublished year counts Monday to Friday there and says so.
    inside = add_working_days(D(last, 12, 20), 5)
    late = add_working_days(D(last, 12, 20), 15)
    assert not is_provisional(inside) or inside.year > last
    assert late.year == last + 1 and late.weekday() < 5 and is_provisional(late)
    assert working_days_between(D(last + 1, 1, 4), D(last + 1, 1, 11)) == 5


def test_zero_and_between() -> None:
    assert add_working_days(D(2025, 10, 1), 0) == D(2025, 10, 1)
    assert working_days_between(D(2025, 10, 10), D(2025, 10, 1)) == 0
    with pytest.raises(ValueError):
        add_working_days(D(2025, 10, 1), -1)


# -- rules -----------------------------------------------------------------------------

DEFAULT = [
    r.Rule("*", "*", 6, 36, 3, 15, 5),
    r.Rule("*", "food", 12, 36, 3, 15, 5),
    r.Rule("*", "drug", 12, 36, 3, 15, 5),
    r.Rule("*", "special_equipment", 12, 36, 3, 15, 5),
]


def test_rule_lookup_most_specific_first() -> None:
    rules = [
        *DEFAULT,
        r.Rule("370000", "*", 3, 24, 2, 10, 5),
        r.Rule("371500", "food", 9, 30, 3, 15, 5),
        r.Rule("371726", "food", 8, 30, 3, 15, 5),
    ]
    assert r.pick_rule(rules, "371726", "food").min_months == 8  # (region, field)
    assert r.pick_rule(rules, "371502", "food").min_months == 9  # (city, field)
    assert r.pick_rule(rules, "140100", "food").min_months == 12  # ('*', field)
    assert r.pick_rule(rules, "371502", "general").min_months == 3  # (province, '*')
    assert r.pick_rule(rules, "370100", "drug").min_months == 12  # national drug rule beats province '*'
    assert r.pick_rule(rules, "140100", "general").min_months == 6  # ('*', '*')
    assert r.jurisdictions_for("371726") == ["371726", "371700", "370000"]
    assert r.jurisdictions_for("370000") == ["370000"]


def facts(published: dt.date, field: str = "general", negative: bool = True, disclosure: str = "public"):
    return r.ResultFacts(1, "X", negative, disclosure, published, "371500", field, "371500-scjg")


@pytest.mark.parametrize(
    "field,published,boundary",
    [
        # 民法典 201-203: the period ends on the corresponding day; the right begins the next day.
        ("general", D(2025, 5, 25), D(2025, 11, 26)),  # 6 months
        ("general", D(2025, 1, 15), D(2025, 7, 16)),  # DOMAIN.md's example
        ("food", D(2025, 5, 25), D(2026, 5, 26)),  # 12 months
        ("special_equipment", D(2024, 8, 31), D(2025, 9, 1)),
        ("general", D(2025, 8, 31), D(2026, 3, 1)),  # Aug 31 + 6 months ends Feb 28 → apply Mar 1
    ],
)
def test_min_period_day_before_on_after(field: str, published: dt.date, boundary: dt.date) -> None:
    rule = r.pick_rule(DEFAULT, "371500", field)
    before = r.eligibility(facts(published, field), rule, boundary - dt.timedelta(days=1), False)
    on = r.eligibility(facts(published, field), rule, boundary, False)
    after = r.eligibility(facts(published, field), rule, boundary + dt.timedelta(days=1), False)
    assert not before.eligible and [x.code for x in before.reasons] == ["min_period"]
    assert before.earliest_on == boundary
    assert on.eligible and on.earliest_on == boundary and after.eligible


def test_max_period_day_before_on_after() -> None:
    rule = r.pick_rule(DEFAULT, "371500", "general")
    published = D(2022, 11, 25)
    end = D(2025, 11, 26)  # public through 2025-11-25 (36 months), stopped on the 26th
    assert r.expires_on(published, rule) == end
    assert r.eligibility(facts(published), rule, end - dt.timedelta(days=1), False).eligible
    for day in (end, end + dt.timedelta(days=1)):
        e = r.eligibility(facts(published), rule, day, False)
        assert not e.eligible and [x.code for x in e.reasons] == ["expired"] and e.earliest_on is None


def test_other_reasons() -> None:
    rule = DEFAULT[0]
    today = D(2026, 11, 25)
    assert [x.code for x in r.eligibility(facts(D(2025, 1, 1), negative=False), rule, today, False).reasons] == [
        "not_negative"
    ]
    assert [
        x.code for x in r.eligibility(facts(D(2025, 1, 1), disclosure="withdrawn"), rule, today, False).reasons
    ] == ["not_public"]
    e = r.eligibility(facts(D(2026, 10, 1)), rule, today, True)
    assert {x.code for x in e.reasons} == {"pending", "min_period"} and e.earliest_on == D(2027, 4, 2)


def test_state_machines() -> None:
    assert r.transition(r.APPLICATION_ACTIONS, "accept", "submitted") == "accepted"
    assert r.transition(r.APPLICATION_ACTIONS, "approve", "accepted") == "approved"
    with pytest.raises(Conflict):
        r.transition(r.APPLICATION_ACTIONS, "approve", "rejected")
    with pytest.raises(Conflict):
        r.transition(r.APPLICATION_ACTIONS, "accept", "accepted")
    # Not before acceptance (自受理之日起): the 409 names the current status.
    with pytest.raises(Conflict) as e:
        r.transition(r.APPLICATION_ACTIONS, "approve", "submitted", r.APPLICATION_STATUS_LABELS)
    assert "已提交，待受理" in e.value.detail and e.value.extra["current_status"] == "submitted"
    assert r.transition(r.OBJECTION_ACTIONS, "confirm", "submitted") == "confirmed"
    with pytest.raises(Conflict):
        r.transition(r.OBJECTION_ACTIONS, "reject", "corrected")


def test_overdue_flags() -> None:
    accept_by = r.accept_by(D(2025, 9, 30), DEFAULT[0])
    assert accept_by == D(2025, 10, 11)
    # Before acceptance only accept_by runs; decide_by is unknown.
    assert r.application_overdue("submitted", accept_by, None, D(2025, 10, 11)) == []
    assert r.application_overdue("submitted", accept_by, None, D(2025, 10, 12)) == ["accept_overdue"]
    assert r.application_overdue("submitted", accept_by, None, D(2026, 10, 12)) == ["accept_overdue"]
    # Accepted on Oct 10: 15 working days from acceptance.
    decide_by = r.decide_by(D(2025, 10, 10), DEFAULT[0])
    assert r.application_overdue("accepted", accept_by, decide_by, decide_by) == []
    assert r.application_overdue("accepted", accept_by, decide_by, decide_by + dt.timedelta(days=1)) == [
        "decide_overdue"
    ]
    # The acceptance clock is stopped while materials are awaited.
    assert r.application_overdue("awaiting_materials", None, None, D(2025, 12, 1)) == []
    assert r.application_overdue("approved", accept_by, decide_by, D(2025, 12, 1)) == []
    assert r.objection_overdue("confirmed", D(2025, 10, 1), D(2025, 10, 9), D(2025, 10, 10)) == ["correct_overdue"]


def test_profile_validation_names_fields() -> None:
    rules, errs = r.validate_profile(
        "37",
        "",
        [
            {
                "check_field": "nope",
                "min_months": 40,
                "max_months": 12,
                "accept_days": 0,
                "decide_days": 15,
                "objection_days": 5,
            }
        ],
    )
    fields = {e.field for e in errs}
    assert not rules
    assert {"jurisdiction", "source", "rules[0].check_field", "rules[0].min_months", "rules[0].accept_days"} <= fields


PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_evidence_type_comes_from_content_not_name() -> None:
    ok, errs = check_files([("a.png", PNG), ("b.pdf", PDF)], 1000)
    assert not errs and [f.content_type for f in ok] == ["image/png", "application/pdf"]
    _, errs = check_files([("evil.pdf", b"MZ\x90\x00" + b"\x00" * 60)], 1000)
    assert errs and errs[0].field == "attachments[0]"
    _, errs = check_files([("renamed.txt", PNG)], 1000)  # a PNG with the wrong name is still a PNG
    assert not errs
    _, errs = check_files([("big.pdf", PDF + b"x" * 2000)], 1000)
    assert errs and "1000" in errs[0].message
