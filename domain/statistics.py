"""Figures the regime tracks, computed from counts (no database here).

- checks: public inspection results (one per entity per task);
- problem-discovery rate (问题发现率): entities with at least one negative result / entities checked;
- share of joint checks (部门联合抽查占比): results from joint tasks / all results (Shandong's
  2025 target is ≥ 50%).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JOINT_TARGET = 0.5  # 山东省 2025 工作要点: 部门联合抽查占比不低于 50%


def rate(part: int, whole: int) -> float | None:
    """part / whole, or None when nothing was counted (no rate, rather than 0%)."""
    return part / whole if whole else None


@dataclass(frozen=True)
class YearFigures:
    year: int
    checks: int
    entities: int
    entities_with_problems: int
    joint_checks: int
    # Published more than 20 working days after the inspection (domain.results.published_late).
    published_late: int = 0

    @property
    def problem_rate(self) -> float | None:
        return rate(self.entities_with_problems, self.entities)

    @property
    def joint_share(self) -> float | None:
        return rate(self.joint_checks, self.checks)


@dataclass(frozen=True)
class DepartmentFigures:
    code: str
    name: str
    by_year: dict[int, int]

    @property
    def total(self) -> int:
        return sum(self.by_year.values())


@dataclass(frozen=True)
class Statistics:
    years: list[YearFigures]
    departments: list[DepartmentFigures]
    total_checks: int
    total_entities: int
    total_entities_with_problems: int
    total_joint: int
    as_of_seq: int | None = None
    total_published_late: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def problem_rate(self) -> float | None:
        return rate(self.total_entities_with_problems, self.total_entities)

    @property
    def joint_share(self) -> float | None:
        return rate(self.total_joint, self.total_checks)

    @property
    def year_list(self) -> list[int]:
        return [y.year for y in self.years]


def compile_statistics(
    per_year: list[dict[str, Any]],
    problems_per_year: dict[int, int],
    dept_year: list[dict[str, Any]],
    dept_names: dict[str, str],
    totals: dict[str, Any],
    as_of_seq: int | None = None,
    top_departments: int = 12,
) -> Statistics:
    """Assemble figures from the aggregate rows the db layer returns.

    per_year rows: {year, checks, entities, joint, late}; dept_year rows: {department_code, year, n};
    totals: {checks, entities, entities_with_problems, joint, late} (late: published_late results). Departments are ranked by their
    total checks; the rest are left out of the chart (the API gives every department)."""
    years = [
        YearFigures(
            year=int(r["year"]),
            checks=int(r["checks"]),
            entities=int(r["entities"]),
            entities_with_problems=int(problems_per_year.get(int(r["year"]), 0)),
            joint_checks=int(r["joint"] or 0),
            published_late=int(r.get("late") or 0),
        )
        for r in sorted(per_year, key=lambda r: r["year"])
    ]
    by_dept: dict[str, dict[int, int]] = {}
    for r in dept_year:
        by_dept.setdefault(r["department_code"], {})[int(r["year"])] = int(r["n"])
    departments = sorted(
        (DepartmentFigures(code, dept_names.get(code, code), dict(sorted(ys.items()))) for code, ys in by_dept.items()),
        key=lambda d: (-d.total, d.code),
    )
    return Statistics(
        years=years,
        departments=departments[:top_departments] if top_departments else departments,
        total_checks=int(totals.get("checks") or 0),
        total_entities=int(totals.get("entities") or 0),
        total_entities_with_problems=int(totals.get("entities_with_problems") or 0),
        total_joint=int(totals.get("joint") or 0),
        as_of_seq=as_of_seq,
        total_published_late=int(totals.get("late") or 0),
    )
