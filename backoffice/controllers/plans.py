"""The department's annual spot-check plans in the back office: /admin/plans (newest first),
/admin/plans/{id} (the revision in force, its items and the revision history), /admin/plans/new
(a plan with its items) and /admin/plans/{id}/revise (revision N+1: the form pre-filled with the
revision in force, a required reason, then a preview of the change exactly as the public
revision history will show it, published only once the officer confirms).

Both forms call the use cases POST /api/v1/admin/plans[/{id}/revisions] call
(domain.plan_flow.publish_plan / revise_plan, and revision_step for the preview, which stores
nothing). The revise form carries the revision it was based on: if another revision was
published meanwhile (or the confirmation is submitted twice) the answer is a 409 page and
nothing is published. Another department's plan answers 404, as an unknown id does."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from backoffice import plan_form as pf
from backoffice.once import is_key, new_key, submit_once
from backoffice.render import admin_page
from backoffice.session import PREFIX, require_staff
from db import plans as pq
from domain.auth import Principal, require_role
from domain.errors import Conflict, DomainError, NotFound
from domain.pagination import decode_cursor, split_page
from domain.plan_flow import publish_plan, revise_plan, revision_step
from domain.plans import LEVELS, RISK_CLASSES
from domain.results import shanghai_today
from portal.diffview import revision_view
from portal.labels import N_
from portal.render import url_with

BASE = f"{PREFIX}/plans"
PAGE = 20

# The labels of the form's fields, for the error summary's links (the field's own label).
FIELD_LABELS = {
    "year": N_("年度"),
    "title": N_("标题"),
    "participating": N_("参与部门"),
    "body": N_("计划正文"),
    "published_on": N_("发布日期"),
    "reason": N_("调整理由"),
    "items": N_("抽查事项"),
    "code": N_("编号"),
    "field": N_("抽查领域"),
    "matters": N_("抽查事项"),
    "scope": N_("抽查对象"),
    "departments": N_("抽查部门"),
    "level": N_("实施层级"),
    "months": N_("时间安排（月）"),
    "ratio_percent": N_("抽查比例（%）"),
    "ratio_A": N_("分级抽查比例（%）"),
    "method": N_("检查方式"),
    "joint": N_("部门联合"),
    "once": N_("表单"),
}


def _errors(error: DomainError | None, origin: list[int]) -> dict[str, str]:
    """Form field key → its first message."""
    out: dict[str, str] = {}
    for fe in getattr(error, "errors", None) or []:
        out.setdefault(pf.field_key(fe.field, origin), fe.message)
    return out


def _summary(errors: dict[str, str]) -> list[tuple[str, str, int | None, str]]:
    """(anchor, label, row number or None, message) for the error summary at the top."""
    out: list[tuple[str, str, int | None, str]] = []
    for key, message in errors.items():
        parts = key.split("-")
        if parts[0] == "items" and len(parts) >= 2 and parts[1].isdigit():
            name = parts[2] if len(parts) > 2 else "items"
            anchor = f"f-{key}" if len(parts) > 2 else f"f-items-{parts[1]}"
            out.append((anchor, FIELD_LABELS.get(name, name), int(parts[1]) + 1, message))
        else:
            out.append((f"f-{key}", FIELD_LABELS.get(key, key), None, message))
    return out


async def _own_plan(staff: Principal, plan_id: int) -> dict:
    require_role(staff, "officer", "admin")
    plan = await pq.get_plan(plan_id)
    if plan is None or plan["department_code"] != staff.department_code:
        raise NotFound(f"没有编号为 {plan_id} 的抽查计划 (no plan {plan_id})")
    return plan


def _pairs(data: dict[str, Any]) -> list[tuple[str, str]]:
    """What the preview's confirmation form carries back: the form as posted (re-validated by
    the use case on confirmation, so nothing here is trusted)."""
    return [(k, str(v)) for k, v in data.items() if k not in ("_csrf_token", "action")]


class PlanPagesController(Controller):
    path = BASE
    dependencies = {"staff": Provide(require_staff)}

    @get("/", name="admin:plans")
    async def list_(
        self, request: Request, staff: NamedDependency[Principal], cursor: FromQuery[str | None] = None
    ) -> Template:
        require_role(staff, "officer", "admin")
        key = decode_cursor(cursor)
        f = pq.PlanFilter(department=staff.department_code or "-", public_only=False)
        rows, next_cursor = split_page(await pq.list_plans(f, int(key["id"]) if key else None, PAGE + 1), PAGE)
        return admin_page(
            request,
            "admin/plan_list.html",
            staff,
            section="plans",
            rows=rows,
            next_url=url_with(BASE, {}, cursor=next_cursor) if next_cursor else "",
            first_url=BASE if cursor else "",
        )

    @get("/{plan_id:int}", name="admin:plan")
    async def detail(
        self,
        request: Request,
        staff: NamedDependency[Principal],
        plan_id: FromPath[int],
        done: FromQuery[str] = "",
        again: FromQuery[str] = "",
    ) -> Template:
        plan = await _own_plan(staff, plan_id)
        revisions = await pq.list_revisions(plan_id)
        current = next((r for r in revisions if r["number"] == plan["current_revision"]), revisions[-1])
        history = [revision_view(prev, rev) for prev, rev in zip([None, *revisions[:-1]], revisions, strict=False)]
        return admin_page(
            request,
            "admin/plan_detail.html",
            staff,
            section="plans",
            crumbs=[(BASE, "抽查计划")],
            plan=plan,
            current=current,
            history=list(reversed(history)),
            done=done if done in ("published", "revised") else "",
            again=again == "1",
        )

    # -- a new plan -----------------------------------------------------------------------

    def _form(
        self,
        request: Request,
        staff: Principal,
        *,
        plan: dict | None,
        base: int | None,
        values: dict[str, Any],
        rows: list[dict[str, str]],
        error: DomainError | None = None,
        origin: list[int] | None = None,
        status_code: int = 200,
        once: str = "",
    ) -> Template:
        errors = _errors(error, origin or [])
        return admin_page(
            request,
            "admin/plan_form.html",
            staff,
            section="plans",
            crumbs=[
                (BASE, "抽查计划"),
                *([(f"{BASE}/{plan['id']}", f"{plan['year']} · {plan['id']}")] if plan else []),
            ],
            status_code=status_code,
            plan=plan,
            base=base,
            v=values,
            rows=rows,
            levels=LEVELS,
            classes=RISK_CLASSES,
            error=error,
            errors=errors,
            summary=_summary(errors),
            field_labels=FIELD_LABELS,
            add_rows=pf.ADD_ROWS,
            once=once,
        )

    @get("/new", name="admin:plan_new")
    async def new(self, request: Request, staff: NamedDependency[Principal]) -> Template:
        require_role(staff, "officer", "admin")
        values = {"year": str(shanghai_today().year)}
        rows = pf.with_blank_rows([], 3)
        return self._form(request, staff, plan=None, base=None, values=values, rows=rows, once=new_key())

    @post("/new", name="admin:plan_create", status_code=200)
    async def create(
        self,
        request: Request,
        staff: NamedDependency[Principal],
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Any:
        require_role(staff, "officer", "admin")
        rows = pf.rows_of_form(data)
        key = str(data.get("once") or "")
        once = key if is_key(key) else new_key()  # unused still (nothing stored under it): kept
        if data.get("action") == "add":
            rows = pf.with_blank_rows(rows, pf.ADD_ROWS)
            return self._form(request, staff, plan=None, base=None, values=data, rows=rows, once=once)
        raw, origin = pf.plan_raw(data, rows, [])

        async def store() -> list[int]:
            return [await publish_plan(pq, staff, raw, shanghai_today())]

        try:
            # Once per form key: a second post of the same form publishes nothing and is sent
            # to the plan the first one published (backoffice/once.py).
            outcome = await submit_once(data, staff, "plan", store)
        except DomainError as e:
            if e.status in (403, 404):
                raise
            return self._form(
                request,
                staff,
                plan=None,
                base=None,
                values=data,
                rows=rows,
                error=e,
                origin=origin,
                status_code=422,
                once=once,
            )
        again = "&again=1" if outcome.repeated else ""
        return Redirect(f"{BASE}/{outcome.ids[0]}?done=published{again}", status_code=303)

    # -- revision N+1 ---------------------------------------------------------------------

    @get("/{plan_id:int}/revise", name="admin:plan_revise_form")
    async def revise_form(self, request: Request, staff: NamedDependency[Principal], plan_id: FromPath[int]) -> Any:
        plan = await _own_plan(staff, plan_id)
        current = await pq.get_revision(plan_id, plan["current_revision"])
        assert current is not None
        values = {
            "title": current["title"],
            "participating": "、".join(current["participating"] or []),
            "body": current["body"],
            "reason": "",
        }
        rows = pf.with_blank_rows([pf.row_of(i) for i in current["items"]])
        return self._form(request, staff, plan=plan, base=plan["current_revision"], values=values, rows=rows)

    @post("/{plan_id:int}/revise", name="admin:plan_revise", status_code=200)
    async def revise(
        self,
        request: Request,
        staff: NamedDependency[Principal],
        plan_id: FromPath[int],
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Any:
        plan = await _own_plan(staff, plan_id)
        base_text = str(data.get("base") or "")
        base = int(base_text) if base_text.isdigit() else 0
        rows = pf.rows_of_form(data)
        action = data.get("action")
        if action in ("add", "edit"):
            rows = pf.with_blank_rows(rows, pf.ADD_ROWS if action == "add" else 0)
            return self._form(request, staff, plan=plan, base=base, values=data, rows=rows)
        based_on = await pq.get_revision(plan_id, base) if base else None
        taken = [i["code"] for i in based_on["items"]] if based_on else []
        raw, origin = pf.plan_raw(data, rows, taken)
        today = shanghai_today()
        try:
            if action != "publish":
                _plan, current, revision = await revision_step(pq, staff, plan_id, raw, today, base)
                return self._preview(request, staff, plan, current, revision, data)
            await revise_plan(pq, staff, plan_id, raw, today, base)
        except DomainError as e:
            if e.status in (403, 404):
                raise
            if isinstance(e, Conflict):
                return await self._stale(request, staff, plan_id, base, e)
            return self._form(
                request, staff, plan=plan, base=base, values=data, rows=rows, error=e, origin=origin, status_code=422
            )
        return Redirect(f"{BASE}/{plan_id}?done=revised", status_code=303)

    def _preview(
        self,
        request: Request,
        staff: Principal,
        plan: dict,
        current: dict,
        revision: dict[str, Any],
        data: dict[str, Any],
    ) -> Template:
        rev = {**revision, "number": current["number"] + 1}
        return admin_page(
            request,
            "admin/plan_preview.html",
            staff,
            section="plans",
            crumbs=[(BASE, "抽查计划"), (f"{BASE}/{plan['id']}", f"{plan['year']} · {plan['id']}")],
            plan=plan,
            current=current,
            rev=rev,
            h=revision_view(current, rev),
            pairs=_pairs(data),
        )

    async def _stale(self, request: Request, staff: Principal, plan_id: int, base: int, error: DomainError) -> Template:
        plan = await pq.get_plan(plan_id)
        assert plan is not None
        latest = await pq.get_revision(plan_id, plan["current_revision"])
        return admin_page(
            request,
            "admin/plan_conflict.html",
            staff,
            section="plans",
            crumbs=[(BASE, "抽查计划")],
            status_code=409,
            plan=plan,
            latest=latest,
            base=base,
            error=error,
        )
