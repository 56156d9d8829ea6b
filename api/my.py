"""The enterprise's own record (issue 14 item 6): `GET /api/v1/my/inspections` — its published
results with the scan records of that department on that day (officer credential numbers
included: shown to this enterprise only, never public), and its scan records no result claims —
and `POST /api/v1/my/inspections/{id}/evaluation` (事后评价, domain.evaluation). Supervisors read
their region's evaluations at `GET /api/v1/admin/evaluations`; anyone reads the department
aggregates at `GET /api/v1/stats/evaluations` (fewer than 3 evaluations withheld)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody, Parameter

from api.deps import principal_of
from api.repair import now_of
from db import evaluations as repo
from db.results import department_names
from domain import categories
from domain import evaluation as rules
from domain.auth import Principal, require_role
from domain.errors import FieldError, ValidationFailed
from domain.pagination import decode_cursor, split_page
from domain.pagination import page_size as check_page_size


class ScanOut(msgspec.Struct):
    id: int
    scanned_at: dt.datetime
    method: str  # scan / checkin (扫码 / 定位打卡)
    officer_credentials: list[str]
    task_number: str
    location: str


class EvaluationOut(msgspec.Struct):
    rating: int
    issues: list[str]
    comment: str
    created_at: dt.datetime


class InspectionOut(msgspec.Struct):
    id: str  # result-<id> or scan-<id>: the path of its evaluation
    kind: str  # result: a published result; scan: a visit no result has been published for
    inspected_on: dt.date
    department: str
    department_name: str
    scanned: bool  # a scan record of that department on that day exists
    scans: list[ScanOut]
    evaluable_until: dt.date  # 民法典 第二百零一条、第二百零三条 (domain.evaluation)
    can_evaluate: bool
    evaluation: EvaluationOut | None
    result_id: int | None = None
    result_url: str | None = None
    task_number: str | None = None
    categories: list[str] | None = None


class InspectionList(msgspec.Struct):
    items: list[InspectionOut]
    evaluation_days: int
    issues: dict[str, str]
    ratings: dict[int, str]


class EvaluationCreated(msgspec.Struct):
    id: int
    inspection: str
    rating: int
    issues: list[str]
    comment: str
    created_at: dt.datetime


def _scan(s: dict) -> ScanOut:
    creds = s["officer_credentials"]
    if isinstance(creds, str):
        import json

        creds = json.loads(creds or "[]")
    return ScanOut(
        id=s["id"],
        scanned_at=s["scanned_at"],
        method=s["method"],
        officer_credentials=list(creds or []),
        task_number=s["task_number"],
        location=s["location"],
    )


def _evaluation(e: dict | None) -> EvaluationOut | None:
    if e is None:
        return None
    return EvaluationOut(
        rating=e["rating"],
        issues=[i for i in (e["issues"] or "").split(",") if i],
        comment=e["comment"],
        created_at=e["created_at"],
    )


async def own_inspections(p: Principal, now: dt.datetime, base: str) -> list[InspectionOut]:
    """The use case behind the API and the portal page /repair/inspections."""
    require_role(p, "enterprise")
    items = rules.own_inspections(
        await repo.own_results(p.uscc),
        await repo.own_scans(p.uscc),
        await repo.own_evaluations(p.uscc),
        rules.local_day(now),
    )
    names = await department_names(sorted({i["department_code"] for i in items}))
    out = []
    for i in items:
        r = i.get("result")
        out.append(
            InspectionOut(
                id=i["id"],
                kind=i["kind"],
                inspected_on=i["inspected_on"],
                department=i["department_code"],
                department_name=names.get(i["department_code"], i["department_code"]),
                scanned=bool(i["scans"]),
                scans=[_scan(s) for s in i["scans"]],
                evaluable_until=i["evaluable_until"],
                can_evaluate=i["can_evaluate"],
                evaluation=_evaluation(i["evaluation"]),
                result_id=r["id"] if r else None,
                result_url=f"{base}/results/{r['id']}" if r else None,
                task_number=r["task_number"] if r else None,
                categories=[
                    categories.BY_CODE[c].label
                    for c in (r["category_codes"] or "").split(",")
                    if c in categories.BY_CODE
                ]
                if r
                else None,
            )
        )
    return out


class MyInspectionsController(Controller):
    path = "/api/v1/my/inspections"
    tags = ["enterprise"]

    @get("/", summary="The signed-in enterprise's own inspections: results, scan records, evaluations")
    async def list_(self, request: Request) -> InspectionList:
        return InspectionList(
            items=await own_inspections(principal_of(request), now_of(request), request.app.state.settings.base_url),
            evaluation_days=rules.EVALUATION_DAYS,
            issues=rules.ISSUES,
            ratings=rules.RATINGS,
        )

    @post("/{inspection_id:str}/evaluation", summary="Evaluate one of its inspections (事后评价)", status_code=201)
    async def evaluate(self, request: Request, inspection_id: FromPath[str], data: JSONBody[dict]) -> EvaluationCreated:
        stored = await rules.evaluate(repo, principal_of(request), inspection_id, data, now_of(request))
        return EvaluationCreated(
            id=stored["id"],
            inspection=inspection_id,
            rating=stored["rating"],
            issues=[i for i in stored["issues"].split(",") if i],
            comment=stored["comment"],
            created_at=stored["created_at"],
        )


class RegionEvaluationOut(msgspec.Struct):
    id: int
    inspection: str
    uscc: str
    department: str
    inspected_on: dt.date
    rating: int
    issues: list[str]
    comment: str
    created_at: dt.datetime


class RegionEvaluationPage(msgspec.Struct):
    items: list[RegionEvaluationOut]
    next_cursor: str | None


class AdminEvaluationsController(Controller):
    path = "/api/v1/admin/evaluations"
    tags = ["admin"]

    @get("/", summary="Evaluations of inspections in the supervisor's region, newest first")
    async def list_(
        self,
        request: Request,
        page_size: int | None = Parameter(default=None, description="1-100, default 20"),
        cursor: FromQuery[str | None] = None,
    ) -> RegionEvaluationPage:
        p = principal_of(request)
        require_role(p, "supervisor")
        size = check_page_size(page_size)
        key = decode_cursor(cursor)
        rows, next_cursor = split_page(
            await repo.region_evaluations(p.region_code, int(key["id"]) if key else None, size + 1), size
        )
        return RegionEvaluationPage(
            items=[
                RegionEvaluationOut(
                    id=r["id"],
                    inspection=f"{r['inspection_kind']}-{r['inspection_ref']}",
                    uscc=r["uscc"],
                    department=r["department_code"],
                    inspected_on=r["inspected_on"],
                    rating=r["rating"],
                    issues=[i for i in (r["issues"] or "").split(",") if i],
                    comment=r["comment"],
                    created_at=r["created_at"],
                )
                for r in rows
            ],
            next_cursor=next_cursor,
        )


class DepartmentEvaluationStats(msgspec.Struct):
    department: str
    department_name: str
    suppressed: bool  # fewer than 3 evaluations: no figures (the enterprise must stay unrecognisable)
    count: int | None
    average_rating: float | None
    issue_shares: dict[str, float] | None


class EvaluationStats(msgspec.Struct):
    year: int
    items: list[DepartmentEvaluationStats]
    issues: dict[str, str]
    min_count: int


class EvaluationStatsController(Controller):
    path = "/api/v1/stats/evaluations"
    tags = ["statistics"]
    opt = {"exclude_from_auth": True}

    @get("/", summary="事后评价 by department: count, average, share naming each problem; under 3 withheld")
    async def stats(
        self, request: Request, year: Annotated[int | None, Parameter(description="default: this year")] = None
    ) -> EvaluationStats:
        today = rules.local_day(now_of(request))
        y = today.year if year is None else year
        if not 2000 <= y <= today.year + 1:
            raise ValidationFailed(
                "year out of range",
                [FieldError("year", f"年份应在 2000 到 {today.year + 1} 之间 (2000..{today.year + 1})")],
            )
        figures = rules.aggregate(await repo.rows_for_year(y))
        names = await department_names([f.department_code for f in figures])
        return EvaluationStats(
            year=y,
            items=[
                DepartmentEvaluationStats(
                    department=f.department_code,
                    department_name=names.get(f.department_code, f.department_code),
                    suppressed=f.suppressed,
                    count=None if f.suppressed else f.count,
                    average_rating=f.average,
                    issue_shares=None if f.suppressed else f.issue_shares,
                )
                for f in figures
            ],
            issues=rules.ISSUES,
            min_count=rules.SUPPRESS_BELOW,
        )
