"""Statistics page: checks by department and year, problem-discovery rate, share of joint
checks. Figures come from db.stats (same as /api/v1/statistics); only the drawing is here."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.response import Template

from db.snapshot import read_snapshot
from db.stats import statistics
from domain.statistics import JOINT_TARGET
from portal.charts import departments_by_year, yearly_rates
from portal.render import page


class StatisticsPagesController(Controller):
    path = "/statistics"

    @get("/", name="portal:statistics")
    async def statistics_page(self, request: Request) -> Template:
        async with read_snapshot():
            stats = await statistics()
            assert stats is not None  # None only when asked not to wait
            return page(
                request,
                "statistics.html",
                api_url="/api/v1/statistics",
                nav="statistics",
                s=stats,
                dept_chart=departments_by_year(stats),
                problem_chart=yearly_rates(stats, "problem_rate"),
                joint_chart=yearly_rates(stats, "joint_share", target=JOINT_TARGET),
                joint_target=JOINT_TARGET,
            )
