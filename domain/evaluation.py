"""事后评价: the enterprise evaluates an inspection of its own (issue 14 item 6).

Sources: Liaocheng 2025 (七) makes 事后评价 the last step of every 涉企行政检查 ("事前备案、计划匹配、
扫码入企、全程留痕、事后评价"); the problems an enterprise can name are the rules of (八) and (九):
扫码入企 (未扫码), at least two officers (少于两名执法人员) who show their credentials
(未出示执法证件), inspections only of listed matters (超出检查事项, Liaocheng (一)(二) "清单之外无检查"),
and as little disturbance of normal business as possible (影响正常经营: Shanxi 2025 二(二)
"最大程度降低对企业正常生产经营活动的打扰"). No seed sets how long the
enterprise has: the portal gives it EVALUATION_DAYS days after the inspection (issue 14), counted
as the Civil Code counts a period in days (domain.periods.days_period_last_day).

An inspection is a published result of the enterprise (with the scan records of that department
on that day, so it can tell a scanned entry from an unscanned one), or a scan record no result
has been published for yet (the visit itself). Each is evaluated at most once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from domain.errors import Collector, Conflict, FieldError, NotFound, ValidationFailed
from domain.periods import days_period_last_day
from domain.text import control_errors
from domain.workdays import counts_as_working_day

EVALUATION_DAYS = 30
COMMENT_MAX = 1000
ISSUES = {
    "no_credentials": "未出示执法证件",
    "fewer_than_two_officers": "少于两名执法人员",
    "unscanned": "未扫码入企",
    "beyond_matters": "超出检查事项",
    "disruptive": "影响正常经营",
}
RATINGS = {1: "很不满意", 2: "不满意", 3: "一般", 4: "满意", 5: "很满意"}
KINDS = ("result", "scan")
SUPPRESS_BELOW = 3  # public aggregates: a department with fewer evaluations shows none (as complaints)


def evaluable_until(inspected_on: dt.date) -> dt.date:
    return days_period_last_day(inspected_on, EVALUATION_DAYS, lambda d: not counts_as_working_day(d))


@dataclass(frozen=True)
class InspectionRef:
    kind: str  # result / scan
    ref: int

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.ref}"


def parse_ref(raw: str) -> InspectionRef:
    """`result-123` or `scan-45` (the ids GET /api/v1/my/inspections gives); anything else is 404."""
    kind, _, number = (raw or "").partition("-")
    if kind not in KINDS or not number.isdigit() or len(number) > 12:
        raise NotFound(f"没有编号为 {raw[:40]} 的检查 (no inspection {raw[:40]!r})")
    return InspectionRef(kind, int(number))


@dataclass(frozen=True)
class Evaluation:
    rating: int
    issues: tuple[str, ...]
    comment: str


def check_evaluation(raw: dict[str, Any]) -> Evaluation:
    """The form's or body's fields, every problem named at once (422)."""
    c = Collector()
    rating = raw.get("rating")
    if isinstance(rating, str) and rating.strip().isdigit():
        rating = int(rating.strip())
    if not isinstance(rating, int) or isinstance(rating, bool) or rating not in RATINGS:
        c.add("rating", "请评分：1（很不满意）到 5（很满意） (a rating from 1 to 5)")
    issues = raw.get("issues") or []
    if isinstance(issues, str):
        issues = [issues]
    if not isinstance(issues, list) or any(not isinstance(i, str) or i not in ISSUES for i in issues):
        c.add("issues", f"问题应为以下之一: {', '.join(ISSUES)} (issues must come from that list)")
        issues = []
    comment = raw.get("comment") or ""
    if not isinstance(comment, str):
        c.add("comment", "应为文字 (text expected)")
        comment = ""
    comment = comment.strip()
    if len(comment) > COMMENT_MAX:
        c.add("comment", f"最多 {COMMENT_MAX} 个字 (at most {COMMENT_MAX} characters)")
    for e in control_errors(comment, "comment"):
        c.add(e.field, e.message)
    c.raise_if_any("评价未提交，请检查以下内容 (the evaluation was not submitted)")
    return Evaluation(int(rating), tuple(dict.fromkeys(issues)), comment)  # type: ignore[arg-type]


def check_window(inspected_on: dt.date, today: dt.date, already: bool) -> None:
    """409 when evaluated already; 422 naming the last day once the window has passed."""
    if already:
        raise Conflict("该检查已评价，不能重复评价 (this inspection has been evaluated already)")
    last = evaluable_until(inspected_on)
    if today > last:
        raise ValidationFailed(
            f"评价期限已过：检查后 {EVALUATION_DAYS} 日内（至 {last.isoformat()}）可以评价 "
            f"(evaluations are taken within {EVALUATION_DAYS} days of the inspection, until {last.isoformat()})",
            [FieldError("inspection", f"评价期限至 {last.isoformat()} (the window ended on {last.isoformat()})")],
        )


@dataclass(frozen=True)
class DepartmentFigures:
    department_code: str
    count: int
    suppressed: bool
    average: float | None
    issue_shares: dict[str, float]


def aggregate(rows: list[dict[str, Any]]) -> list[DepartmentFigures]:
    """Per department: count, average rating, the share naming each problem; fewer than
    SUPPRESS_BELOW evaluations show the count as suppressed and no figures (an enterprise must not
    be recognisable from an aggregate)."""
    by: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by.setdefault(r["department_code"], []).append(r)
    out = []
    for dept, rs in sorted(by.items()):
        n = len(rs)
        if n < SUPPRESS_BELOW:
            out.append(DepartmentFigures(dept, 0, True, None, {}))
            continue
        named = [set(filter(None, (r["issues"] or "").split(","))) for r in rs]
        out.append(
            DepartmentFigures(
                dept,
                n,
                False,
                round(sum(r["rating"] for r in rs) / n, 2),
                {k: round(sum(k in s for s in named) / n, 3) for k in ISSUES},
            )
        )
    return out


# -- use cases (the API and the portal page call these) -----------------------------------------


def local_day(t: dt.datetime) -> dt.date:
    return t.astimezone(dt.timezone(dt.timedelta(hours=8))).date()


def own_inspections(
    results: list[dict[str, Any]], scans: list[dict[str, Any]], evaluations: list[dict[str, Any]], today: dt.date
) -> list[dict[str, Any]]:
    """The enterprise's inspections, newest first: each published result with the scan records
    of its department on its day (a result with none was, as far as the platform knows, an
    unscanned entry), then each scan record no result claims (a visit whose result is not
    published). Each with its evaluation window and its evaluation, if any."""
    done = {(e["inspection_kind"], e["inspection_ref"]): e for e in evaluations}
    claimed: set[int] = set()
    items: list[dict[str, Any]] = []
    for r in results:
        day = r["inspected_on"]
        matching = [
            s for s in scans if s["department_code"] == r["department_code"] and local_day(s["scanned_at"]) == day
        ]
        claimed.update(s["id"] for s in matching)
        items.append(_item("result", r["id"], day, r["department_code"], today, done, result=r, scans=matching))
    for s in scans:
        if s["id"] not in claimed:
            day = local_day(s["scanned_at"])
            items.append(_item("scan", s["id"], day, s["department_code"], today, done, scans=[s]))
    items.sort(key=lambda i: (i["inspected_on"], i["id"]), reverse=True)
    return items


def _item(
    kind: str, ref: int, day: dt.date, dept: str, today: dt.date, done: dict[tuple[str, int], Any], **extra: object
) -> dict[str, Any]:
    last = evaluable_until(day)
    e = done.get((kind, ref))
    return {
        "id": f"{kind}-{ref}",
        "kind": kind,
        "inspected_on": day,
        "department_code": dept,
        "evaluable_until": last,
        "can_evaluate": e is None and today <= last,
        "evaluation": e,
        **extra,
    }


async def evaluate(repo: Any, actor: Any, raw_id: str, raw: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """The signed-in enterprise evaluates its own inspection: 404 for another's or an unknown one
    (never telling which), 409 once evaluated, 422 past the window or for bad fields."""
    from domain.auth import require_role

    require_role(actor, "enterprise")
    ref = parse_ref(raw_id)
    if ref.kind == "result":
        row = await repo.result_of(ref.ref)
        if row is None or row["uscc"] != actor.uscc or row["disclosure"] != "public":
            raise NotFound(f"没有编号为 {ref.key} 的检查 (no inspection {ref.key})")
        day, dept = row["inspected_on"], row["department_code"]
    else:
        row = await repo.scan_of(ref.ref)
        if row is None or row["uscc"] != actor.uscc:
            raise NotFound(f"没有编号为 {ref.key} 的检查 (no inspection {ref.key})")
        day, dept = local_day(row["scanned_at"]), row["department_code"]
    e = check_evaluation(raw)
    check_window(day, local_day(now), await repo.evaluated(ref.kind, ref.ref))
    stored = {
        "inspection_kind": ref.kind,
        "inspection_ref": ref.ref,
        "uscc": actor.uscc,
        "department_code": dept,
        "region_code": await repo.region_of_department(dept),
        "inspected_on": day,
        "rating": e.rating,
        "issues": ",".join(e.issues),
        "comment": e.comment,
        "created_at": now,
        "created_by": actor.username,
    }
    stored["id"] = await repo.insert(stored, actor)
    return stored
