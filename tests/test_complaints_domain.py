"""Complaint rules without a server: numbers, codes, phones, states, cross-check, statistics."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from domain import complaints as c
from domain.auth import Principal
from domain.complaint_checks import complaint_stats, crosscheck
from domain.errors import Conflict, Forbidden, ValidationFailed

SH = c.SHANGHAI


def test_tracking_number_has_a_check_character_that_catches_typos() -> None:
    n = c.tracking_number(2026, 123)
    assert n.startswith("TS-2026-000123-") and c.parse_tracking_number(n.lower()) == n
    for i, ch in enumerate(n):
        if ch.isdigit():  # every single-digit change is caught
            for d in "0123456789":
                if d != ch:
                    with pytest.raises(ValidationFailed):
                        c.parse_tracking_number(n[:i] + d + n[i + 1 :])
    with pytest.raises(ValidationFailed):
        c.parse_tracking_number("TS-2026-123")
    assert c.tracking_number(2026, 1234567).startswith("TS-2026-1234567-")


def test_lookup_codes_are_random_and_only_their_hash_is_compared() -> None:
    codes = {c.new_lookup_code() for _ in range(1000)}
    assert len(codes) == 1000 and all(len(x) == 19 for x in codes)
    code = codes.pop()
    h = c.hash_code(code)
    assert code not in h and c.code_matches(code.lower().replace("-", " "), h)
    assert not c.code_matches("AAAA-AAAA-AAAA-AAAA", h) and not c.code_matches(code, None)


@pytest.mark.parametrize(
    "raw,e164",
    [
        ("13812345678", "+8613812345678"),
        ("+86 138-1234-5678", "+8613812345678"),
        ("0635-8241234", "+866358241234"),
        ("(010)12345678", "+861012345678"),
        ("+86 10 1234 5678", "+861012345678"),
        ("19912345678", "+8619912345678"),
    ],
)
def test_phone_formats(raw: str, e164: str) -> None:
    assert c.parse_phone(raw) == e164


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "8241234", "0635-82412", "abc", "+44 20 7946 0958"])
def test_bad_phones(raw: str) -> None:
    with pytest.raises(ValueError):
        c.parse_phone(raw)


def complaint(status: str = "received", region: str = "371500", dept: str = "371500-scjg", referred: str = "") -> dict:
    return {"status": status, "region_code": region, "department_code": dept, "referred_to": referred}


SUP = Principal("s", "supervisor", region_code="371500")
OFF = Principal("o", "officer", department_code="371500-scjg")


def test_only_the_regions_supervisor_decides() -> None:
    c.check_move(SUP, complaint(), "under_review", "受理", None)
    c.check_move(Principal("p", "supervisor", region_code="370000"), complaint(), "under_review", "受理", None)
    for p in (
        OFF,
        Principal("x", "supervisor", region_code="371726"),
        Principal("e", "enterprise", uscc="x"),
        Principal("a", "admin", department_code="371500-scjg"),
    ):
        with pytest.raises(Forbidden):
            c.check_move(p, complaint(), "under_review", "受理", None)
    assert c.check_response(OFF, complaint(), "说明") == c.ROLE_DEPARTMENT
    assert (
        c.check_response(
            Principal("r", "officer", department_code="371500-sthj"), complaint(referred="371500-sthj"), "已接收"
        )
        == c.ROLE_DEPARTMENT
    )
    with pytest.raises(Forbidden):
        c.check_response(Principal("r", "officer", department_code="371500-sthj"), complaint(), "x")


def test_state_machine() -> None:
    path = ["received", "under_review", "not_substantiated", "closed"]
    for a, b in itertools.pairwise(path):
        c.check_move(SUP, complaint(a), b, "note", None)
    for a, b in [
        ("received", "closed"),
        ("closed", "received"),
        ("under_review", "received"),
        ("substantiated", "not_substantiated"),
    ]:
        with pytest.raises(Conflict):
            c.check_move(SUP, complaint(a), b, "note", None)
    with pytest.raises(ValidationFailed):
        c.check_move(SUP, complaint("under_review"), "referred", "note", None)


def test_contact_is_masked_for_the_department() -> None:
    assert c.contact_view("handler", "王建国", "+8613812345678") == ("王建国", "+8613812345678")
    assert c.contact_view("department", "王建国", "+8613812345678") == ("王**", "+86*******5678")


def test_crosscheck_classification() -> None:
    visit = dt.datetime(2026, 11, 20, 9, 30, tzinfo=SH)
    scan = {"scanned_at": visit + dt.timedelta(minutes=5), "method": "scan", "officer_credentials": ["1", "2"]}
    checkin = {
        "scanned_at": visit - dt.timedelta(minutes=20),
        "method": "checkin",
        "officer_credentials": ["1"],
        "location": "柳园路",
    }
    assert crosscheck(visit, 120, "no", [])["outcome"] == "no_record"
    assert crosscheck(visit, 120, "no", [])["consistent_with_claim"] is True
    r = crosscheck(visit, 120, "no", [scan, checkin])
    assert r["outcome"] == "scan_found" and r["consistent_with_claim"] is False
    assert [x["minutes_from_visit"] for x in r["records"]] == [-20, 5]
    r = crosscheck(visit, 120, "unknown", [checkin])
    assert r["outcome"] == "checkin_only" and r["records"][0]["fewer_than_two_officers"]
    assert r["consistent_with_claim"] is None


def test_statistics_withhold_counts_under_three() -> None:
    t0 = dt.datetime(2026, 3, 2, 10, tzinfo=SH)
    rows = [
        {
            "id": i,
            "department_code": "d1",
            "filed_at": t0,
            "closed_at": t0 + dt.timedelta(days=i),
            "respond_by": dt.date(2026, 3, 20),
            "status": "closed",
        }
        for i in range(1, 5)
    ]
    rows += [
        {
            "id": 10,
            "department_code": "d2",
            "filed_at": t0,
            "closed_at": None,
            "respond_by": dt.date(2026, 3, 20),
            "status": "received",
        }
    ]
    decisions = {
        1: [(t0, "substantiated")],
        2: [(t0, "substantiated")],
        3: [(t0, "not_substantiated")],
        4: [(t0 + dt.timedelta(days=30), "substantiated")],
    }
    d1, d2 = complaint_stats(rows, decisions, dt.date(2026, 4, 1))
    assert (d1.received, d1.substantiated_share, d1.median_days_to_close) == (4, 0.75, 2.5)
    assert d1.overdue is None  # one late answer: a count under three is withheld
    assert d2.suppressed and d2.received is None and d2.overdue is None
    assert c.is_overdue("under_review", dt.date(2026, 3, 20), dt.date(2026, 3, 21))
    assert not c.is_overdue("substantiated", dt.date(2026, 3, 20), dt.date(2026, 3, 21))


def test_filing_validation_collects_every_problem() -> None:
    now = dt.datetime(2026, 11, 25, 12, tzinfo=SH)
    with pytest.raises(ValidationFailed) as e:
        c.validate_filing(
            {"uscc": "x", "contact_phone": "1", "visited_at": "2026-11-26T00:00:00+08:00"}, [], c.Rules(), now, {}
        )
    fields = {f.field for f in e.value.errors}
    assert {"uscc", "contact_phone", "visited_at", "enterprise_name", "description", "department"} <= fields


def test_deadline_uses_the_official_calendar_and_never_refuses_a_complaint() -> None:
    from domain.workdays import add_working_days, covered_years

    # 2025-09-28 (Sunday) and 2025-10-11 (Saturday) are make-up working days; Oct 1-8 are holidays.
    assert add_working_days(dt.date(2025, 9, 26), 2) == dt.date(2025, 9, 29)
    assert add_working_days(dt.date(2025, 9, 30), 1) == dt.date(2025, 10, 9)
    last = covered_years()[1]
    late = add_working_days(dt.date(last, 12, 28), 15)  # runs past the calendar: never refused
    assert late.year == last + 1 and late.weekday() < 5
