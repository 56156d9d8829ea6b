"""Rows to response structs."""

from __future__ import annotations

from api.schemas import CategoryOut, HonourOut, ResultOut
from domain.categories import BY_CODE


def result_out(row: dict, dept_names: dict[str, str], base_url: str) -> ResultOut:
    codes = [c for c in row["department_codes"].split(",") if c]
    cats = [BY_CODE[c] for c in row["category_codes"].split(",") if c in BY_CODE]
    return ResultOut(
        id=row["id"],
        task_number=row["task_number"],
        uscc=row["uscc"],
        entity_name=row["entity_name"],
        entity_kind=row["entity_kind"],
        region_code=row["region_code"],
        departments=[dept_names.get(c, c) for c in codes],
        department_codes=codes,
        inspected_on=row["inspected_on"],
        inspection_type=row["inspection_type"],
        categories=[CategoryOut(code=c.code, label=c.label, negative=c.negative, label_en=c.label_en) for c in cats],
        negative=bool(row["negative"]),
        follow_up=row["follow_up"],
        penalty_decision_number=row["penalty_decision_number"] or None,
        published_on=row["published_on"],
        url=f"{base_url}/results/{row['id']}",
        check_field=row["check_field"],
        joint=bool(row["joint"]),
        published_late=bool(row.get("published_late")),
    )


def honour_out(row: dict, base_url: str) -> HonourOut:
    return HonourOut(
        id=row["id"],
        uscc=row["uscc"],
        entity_name=row["entity_name"],
        honour=row["honour"],
        kind=row["kind"],
        awarded_by=row["awarded_by"],
        awarded_on=row["awarded_on"],
        valid_until=row["valid_until"],
        source_document=row["source_document"],
        url=f"{base_url}/honours/{row['id']}",
    )
