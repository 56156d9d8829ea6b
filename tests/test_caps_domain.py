"""年度频次上限 rules (domain.caps), without a server: what one inspection is, the cap that applies,
years, over-cap lists, the public aggregate and the supervisor's region."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest

from domain import caps
from domain.auth import Principal
from domain.caps import Cap, InspectionRow
from domain.errors import Forbidden, ValidationFailed

U1, U2 = "91371500MA3C000001", "91371500MA3C000002"
CAPS = {(f, r): Cap(f, r, n, "test") for (f, r), n in caps.DEMO_CAPS.items()}


def row(task: str, day: str, field: str = "general", depts: str = "371500-scjg", uscc: str = U1, **kw) -> InspectionRow:
    return InspectionRow(
        uscc=uscc,
        task_number=task,
        inspected_on=dt.date.fromisoformat(day),
        check_field=field,
        joint="," in depts,
        department_codes=depts,
        **kw,
    )


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([], 0),
        ([row("T1", "2025-03-01")], 1),
        # Two departments' separate checks are two inspections.
        ([row("T1", "2025-03-01"), row("T2", "2025-03-01", depts="371500-sthj")], 2),
        # A joint check is one result listing every department: once.
        ([row("J1", "2025-03-01", depts="371500-scjg,371500-sthj,371500-yjgl")], 1),
        # The same joint visit published under two task numbers (same day, same departments): once.
        (
            [
                row("J1", "2025-03-01", depts="371500-scjg,371500-sthj"),
                row("J2", "2025-03-01", depts="371500-sthj,371500-scjg"),
            ],
            1,
        ),
        # Joint on different days, or with different departments: two visits.
        (
            [
                row("J1", "2025-03-01", depts="371500-scjg,371500-sthj"),
                row("J2", "2025-03-02", depts="371500-scjg,371500-sthj"),
            ],
            2,
        ),
        (
            [
                row("J1", "2025-03-01", depts="371500-scjg,371500-sthj"),
                row("J2", "2025-03-01", depts="371500-scjg,371500-wjw"),
            ],
            2,
        ),
        # A corrected result's revisions share the task number: once.
        ([row("T1", "2025-03-01", withdrawn_reason="corrected"), row("T1", "2025-03-01")], 1),
        # Publicity stopped after repair or expiry: the inspection still happened.
        (
            [row("T1", "2025-03-01", withdrawn_reason="repaired"), row("T2", "2025-04-01", withdrawn_reason="expired")],
            2,
        ),
        # Withdrawn by the publishing department itself: not an inspection.
        ([row("T1", "2025-03-01", withdrawn_reason="revoked")], 0),
        # The same task number for two enterprises: one inspection each.
        ([row("T1", "2025-03-01"), row("T1", "2025-03-01", uscc=U2)], 2),
    ],
)
def test_what_one_inspection_is(rows: list[InspectionRow], expected: int) -> None:
    assert len(caps.inspections(rows)) == expected


@pytest.mark.parametrize(
    ("field", "risk", "expected"),
    [
        ("general", "A", 1),
        ("general", "D", 4),
        ("food", "A", 2),
        ("food", "D", 6),
        ("special_equipment", "C", 4),
        ("environment", "B", 2),
        ("general", "", None),  # no risk class: no cap is made up
        ("general", "E", None),
        ("unknown_field", "A", None),
    ],
)
def test_the_cap_that_applies(field: str, risk: str, expected: int | None) -> None:
    c = caps.cap_for(CAPS, field, risk)
    assert (c.per_year if c else None) == expected


@pytest.mark.parametrize(("count", "cap", "over"), [(0, 1, False), (1, 1, False), (2, 1, True), (9, None, False)])
def test_reaching_the_cap_is_allowed_passing_it_is_not(count: int, cap: int | None, over: bool) -> None:
    assert caps.is_over(count, cap) is over


def test_years_are_the_inspection_dates_years_and_each_year_has_its_own_cap() -> None:
    rows = [row("T1", "2024-12-31"), row("T2", "2025-01-01"), row("T3", "2025-12-31")]
    entries = caps.by_year(caps.inspections(rows), CAPS, "A")  # general, class A: cap 1
    assert [(e.year, e.count, e.cap, e.over_cap) for e in entries] == [(2025, 2, 1, True), (2024, 1, 1, False)]


def test_a_joint_check_counted_once_keeps_an_enterprise_under_its_cap() -> None:
    joint = [row("J1", "2025-05-01", field="food", depts="371500-scjg,371500-sthj")]
    alone = [row("F1", "2025-06-01", field="food"), row("F2", "2025-07-01", field="food", depts="371500-sthj")]
    # Class A food: cap 2. One joint check (two departments) and one more: 2, not over.
    [e] = caps.by_year(caps.inspections(joint + alone[:1]), CAPS, "A")
    assert (e.count, e.cap, e.over_cap) == (2, 2, False)
    [e] = caps.by_year(caps.inspections(joint + alone), CAPS, "A")
    assert (e.count, e.cap, e.over_cap) == (3, 2, True)


def test_the_binding_field_is_reported_with_every_field_and_the_total() -> None:
    rows = [row("F1", "2025-02-01", field="food"), row("G1", "2025-03-01"), row("G2", "2025-04-01")]
    [e] = caps.by_year(caps.inspections(rows), CAPS, "A")  # general cap 1 (2 done), food cap 2 (1 done)
    assert (e.check_field, e.count, e.cap, e.over_cap, e.total) == ("general", 2, 1, True, 3)
    assert [(f.check_field, f.count, f.cap, f.over_cap) for f in e.fields] == [
        ("general", 2, 1, True),
        ("food", 1, 2, False),
    ]
    # Under every cap: the field with the least room left binds.
    [e] = caps.by_year(caps.inspections(rows[:2]), CAPS, "B")  # general 1 of 2, food 1 of 3
    assert (e.check_field, e.count, e.cap, e.over_cap) == ("general", 1, 2, False)
    # No risk class: counts, no cap, never over.
    [e] = caps.by_year(caps.inspections(rows), CAPS, "")
    assert (e.cap, e.over_cap, e.total) == (None, False, 3)


def test_over_cap_lists_the_enterprise_with_every_department_that_inspected_it() -> None:
    rows = [
        row("T1", "2025-02-01", depts="371500-scjg,371500-sthj"),
        row("T2", "2025-03-01", depts="371500-yjgl"),
        row("T3", "2025-03-01", uscc=U2),
    ]
    out = caps.over_cap(caps.inspections(rows), {U1: "A", U2: "A"}, CAPS)
    assert [(o.uscc, o.year, o.check_field, o.count, o.cap, o.departments) for o in out] == [
        (U1, 2025, "general", 2, 1, ("371500-scjg", "371500-sthj", "371500-yjgl"))
    ]
    assert caps.over_cap(caps.inspections(rows), {U1: "B"}, CAPS) == []  # class B: cap 2


def test_the_public_aggregate_withholds_cells_under_three() -> None:
    items = [
        caps.OverCap(f"U{i}", 2025, "general", 3, 1, ("371500-scjg",) + (("371500-sthj",) if i < 2 else ()))
        for i in range(4)
    ]
    got = {(r.department_code, r.year): (r.enterprises, r.suppressed) for r in caps.aggregate(items)}
    assert got == {("371500-scjg", 2025): (4, False), ("371500-sthj", 2025): (None, True)}


@pytest.mark.parametrize(
    ("p", "requested", "expected"),
    [
        (Principal("s", "supervisor", region_code="371500"), None, "371500"),
        (Principal("s", "supervisor", region_code="371500"), "371502", "371502"),  # a district of the city
        (Principal("s", "supervisor", region_code="371500"), "140000", Forbidden),
        (Principal("s", "supervisor", region_code="371502"), "371500", Forbidden),  # the city above
        (Principal("s", "supervisor"), None, Forbidden),
        (Principal("o", "officer", department_code="371500-scjg"), None, Forbidden),
        (Principal("s", "supervisor", region_code="371500"), "37", ValidationFailed),
    ],
)
def test_a_supervisor_sees_their_own_region_only(p: Principal, requested: str | None, expected) -> None:
    if isinstance(expected, str):
        assert caps.oversight_region(p, requested) == expected
    else:
        with pytest.raises(expected):
            caps.oversight_region(p, requested)


def test_the_migration_seeds_exactly_the_documented_demo_caps() -> None:
    mig = importlib.import_module("migrations.gongshi_2026_12_08t06_10_00_000000")
    assert mig.SOURCE == caps.DEMO_SOURCE
    assert {(f, r): n for f, r, n in mig.CAPS} == caps.DEMO_CAPS
    assert "演示值" in caps.DEMO_SOURCE and "demo defaults" in caps.DEMO_SOURCE
