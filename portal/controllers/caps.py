"""/inspection-limits: the annual caps on inspections (年度频次上限) per check field and credit-risk
class, and the public figure of enterprises inspected over a cap by department. Same use cases as
api/caps.py."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.params import FromQuery
from litestar.response import Template

from api.caps import caps_out, over_cap_stats
from db import caps as cq
from db.snapshot import read_snapshot
from domain import caps as rules
from domain.entities import RISK_CLASSES
from domain.errors import Collector
from domain.results import shanghai_today
from portal.labels import N_
from portal.render import page, url_with

# domain.caps.RISK_CLASS_LABELS, listed so the catalogue extraction sees them.
MSGIDS = (N_("A类（信用风险低）"), N_("B类（信用风险一般）"), N_("C类（信用风险较高）"), N_("D类（信用风险高）"))


class CapPagesController(Controller):
    path = "/"

    @get("/inspection-limits", name="portal:inspection_limits")
    async def limits(self, request: Request, year: FromQuery[str | None] = None) -> Template:
        async with read_snapshot():
            c = Collector()
            y = shanghai_today().year
            if year:
                if not year.isdigit() or not rules.YEAR_MIN <= int(year) <= rules.YEAR_MAX:
                    c.add("year", f"年份应在 {rules.YEAR_MIN}-{rules.YEAR_MAX} 之间 (2000-2100, got {year!r})")
                else:
                    y = int(year)
            c.raise_if_any("请求参数无效 (invalid query parameters)")
            table = caps_out(await cq.list_caps())
            grid: dict[str, dict[str, int]] = {}
            sources: list[str] = []
            for item in table.items:
                grid.setdefault(item.field, {})[item.risk_class] = item.cap_per_year
                if item.source not in sources:
                    sources.append(item.source)
            stats = await over_cap_stats(y)
            return page(
                request,
                "inspection_limits.html",
                api_url="/api/v1/inspection-limits",
                nav="matters",
                grid=grid,
                labels_=dict(rules.RISK_CLASS_LABELS),
                classes=RISK_CLASSES,
                field_label=rules.field_label,
                sources=sources,
                basis=table.basis,
                stats=stats,
                year=y,
                stats_url=url_with("/api/v1/stats/over-cap", {"year": str(y)}),
            )
