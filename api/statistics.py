"""GET /api/v1/statistics: the figures behind the portal's statistics page (JSON twin)."""

from __future__ import annotations

import msgspec
from litestar import Controller, get

from db.stats import statistics
from domain.statistics import JOINT_TARGET


class YearOut(msgspec.Struct):
    year: int
    checks: int
    entities: int
    entities_with_problems: int
    problem_rate: float | None
    joint_checks: int
    joint_share: float | None
    # Results published more than 20 working days after the inspection (《企业信息公示暂行条例》第六条).
    published_late: int = 0


class DepartmentOut(msgspec.Struct):
    department_code: str
    department: str
    checks_by_year: dict[str, int]
    checks: int


class StatisticsOut(msgspec.Struct):
    checks: int
    entities: int
    entities_with_problems: int
    problem_rate: float | None
    joint_checks: int
    joint_share: float | None
    joint_target: float
    years: list[YearOut]
    departments: list[DepartmentOut]
    published_late: int = 0


class StatisticsController(Controller):
    path = "/api/v1/statistics"
    tags = ["statistics"]
    opt = {"exclude_from_auth": True, "conditional": True}

    @get("/", summary="Spot-check figures: checks by department and year, problem-discovery rate, joint share")
    async def get_statistics(self) -> StatisticsOut:
        s = await statistics(top_departments=0)  # 0: every department
        assert s is not None  # None only when asked not to wait
        return StatisticsOut(
            checks=s.total_checks,
            entities=s.total_entities,
            entities_with_problems=s.total_entities_with_problems,
            problem_rate=s.problem_rate,
            joint_checks=s.total_joint,
            joint_share=s.joint_share,
            joint_target=JOINT_TARGET,
            published_late=s.total_published_late,
            years=[
                YearOut(
                    y.year,
                    y.checks,
                    y.entities,
                    y.entities_with_problems,
                    y.problem_rate,
                    y.joint_checks,
                    y.joint_share,
                    y.published_late,
                )
                for y in s.years
            ],
            departments=[
                DepartmentOut(d.code, d.name, {str(k): v for k, v in d.by_year.items()}, d.total) for d in s.departments
            ],
        )
