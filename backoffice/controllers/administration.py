"""Administration (role `admin`, issue 12 item 7): accounts (/admin/accounts), the repair-rule
profiles (/admin/repair-rules) and the audit log (/admin/audit).

The rules and use cases are domain.accounts (create, deactivate/reactivate, reset a password),
domain.repair_flow.add_rule_profile (the one POST /api/v1/admin/repair-rules calls) and
domain.audit (the search form's checks); these handlers only read the form and render.
Every page here answers 403 to officers and supervisors (domain.auth.require_role)."""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import quote

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from api.repair import now_of
from backoffice.render import admin_page, local_time
from backoffice.session import PREFIX, require_staff
from db import audit as audit_repo
from db import repair as repair_repo
from db import users as users_repo
from db.tables import Department, Region
from domain import accounts
from domain import audit as audit_rules
from domain import repair as repair_rules
from domain import repair_flow as flow
from domain.auth import Principal, require_role
from domain.errors import Conflict, DomainError, NotFound, ValidationFailed
from domain.pagination import decode_cursor, encode_cursor, split_page
from domain.results import CHECK_FIELD_LABELS
from portal.render import url_with

FormData = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
ACCOUNTS = f"{PREFIX}/accounts"
RULES = f"{PREFIX}/repair-rules"
AUDIT = f"{PREFIX}/audit"
PAGE = 30
ALL_ROLES = (*accounts.WEB_ROLES, "admin", "exchange")
RULE_ROWS = 3  # blank rule rows the profile form starts with; 增加一行 adds one more (no script needed)
RULE_NUMBERS = ("min_months", "max_months", "accept_days", "decide_days", "objection_days")
RULE_FIELD_LABELS = {
    "jurisdiction": "地区",
    "source": "依据的文件",
    "rules": "各领域的规则",
    "check_field": "领域",
    "min_months": "最短公示期（月）",
    "max_months": "最长公示期（月）",
    "accept_days": "受理期限（工作日）",
    "decide_days": "决定期限（工作日）",
    "objection_days": "异议核实期限（工作日）",
    "required_materials": "所需材料",
}


def _rule_error_label(key: str) -> str:
    """rules-0-min_months → 第 1 条 · 最短公示期（月）, as the summary above the form names it."""
    if key.startswith("rules-"):
        _, i, name = key.split("-", 2)
        if i.isdigit():
            return f"第 {int(i) + 1} 条 · {RULE_FIELD_LABELS.get(name, name)}"
    return RULE_FIELD_LABELS.get(key, key)


def _field_errors(error: DomainError | None) -> dict[str, str]:
    return {f.field: f.message for f in getattr(error, "errors", [])} if error else {}


async def _departments() -> list[dict[str, Any]]:
    return await Department.select(Department.code, Department.name).order_by(Department.code)


async def _regions() -> list[dict[str, Any]]:
    return await Region.select(Region.code, Region.name).order_by(Region.code)


class AccountPagesController(Controller):
    path = ACCOUNTS
    dependencies = {"staff": Provide(require_staff)}

    @get("/", name="admin:accounts")
    async def list_(
        self,
        request: Request,
        staff: NamedDependency[Principal],
        role: FromQuery[str] = "",
        find: FromQuery[str] = "",
        cursor: FromQuery[str | None] = None,
    ) -> Template:
        require_role(staff, "admin")
        key = decode_cursor(cursor, ("u",), ())
        role = role if role in ALL_ROLES else ""
        find = find.strip()[:100]
        rows = await users_repo.list_accounts(role or None, find or None, key["u"] if key else None, PAGE + 1)
        more = len(rows) > PAGE
        rows = rows[:PAGE]
        params = {"role": role, "find": find}
        next_url = url_with(ACCOUNTS, params, cursor=encode_cursor({"u": rows[-1]["username"]})) if more else ""
        return admin_page(
            request,
            "admin/account_list.html",
            staff,
            section="accounts",
            rows=rows,
            role=role,
            find=find,
            roles=ALL_ROLES,
            next_url=next_url,
            first_url=url_with(ACCOUNTS, params) if cursor else "",
        )

    async def _form(
        self,
        request: Request,
        staff: Principal,
        values: dict[str, str],
        error: DomainError | None = None,
        status_code: int = 200,
    ) -> Template:
        return admin_page(
            request,
            "admin/account_form.html",
            staff,
            section="accounts",
            crumbs=[(ACCOUNTS, "账号管理")],
            status_code=status_code,
            values=values,
            error=error,
            errors=_field_errors(error),
            department_options=[(d["code"], f"{d['name']}（{d['code']}）") for d in await _departments()],
            region_options=[(r["code"], f"{r['name']}（{r['code']}）") for r in await _regions()],
        )

    @get("/new", name="admin:account_new")
    async def new(self, request: Request, staff: NamedDependency[Principal], role: FromQuery[str] = "") -> Template:
        require_role(staff, "admin")
        return await self._form(request, staff, {"role": role if role in accounts.WEB_ROLES else "officer"})

    @post("/", name="admin:account_create", status_code=200)
    async def create(self, request: Request, staff: NamedDependency[Principal], data: FormData) -> Template:
        require_role(staff, "admin")
        try:
            account, password = await accounts.create_account(users_repo, staff, data, now_of(request))
        except ValidationFailed as e:
            return await self._form(request, staff, data, error=e, status_code=422)
        # The temporary password is shown on this response only (never in a URL, never stored in clear).
        return admin_page(
            request,
            "admin/account_password.html",
            staff,
            section="accounts",
            crumbs=[(ACCOUNTS, "账号管理")],
            username=account.username,
            password=password,
            created=True,
        )

    async def _detail(
        self,
        request: Request,
        staff: Principal,
        username: str,
        *,
        status_code: int = 200,
        error: DomainError | None = None,
        reason: str = "",
        confirm: str = "",
        done: str = "",
    ) -> Template:
        require_role(staff, "admin")
        row = await users_repo.by_username(username)
        if row is None:
            raise NotFound(f"没有用户名为 {username} 的账号 (no account {username})")
        history = await audit_repo.search(audit_rules.AuditQuery(object_type="account", object_id=username), None, 20)
        return admin_page(
            request,
            "admin/account_detail.html",
            staff,
            section="accounts",
            crumbs=[(ACCOUNTS, "账号管理")],
            status_code=status_code,
            a=row,
            managed=row["role"] in accounts.WEB_ROLES,
            is_self=row["username"] == staff.username,
            history=history,
            action_label=audit_rules.action_label,
            local=local_time,
            error=error,
            errors=_field_errors(error),
            reason=reason,
            confirm=confirm,
            done=done,
            reason_max=accounts.REASON_MAX,
        )

    @get("/{username:str}", name="admin:account_detail")
    async def detail(
        self, request: Request, staff: NamedDependency[Principal], username: FromPath[str], done: FromQuery[str] = ""
    ) -> Template:
        return await self._detail(request, staff, username, done=done if done in ("deactivate", "reactivate") else "")

    @post("/{username:str}/{action:str}", name="admin:account_action", status_code=200)
    async def act(
        self,
        request: Request,
        staff: NamedDependency[Principal],
        username: FromPath[str],
        action: FromPath[str],
        data: FormData,
    ) -> Any:
        require_role(staff, "admin")
        if action not in ("deactivate", "reactivate", "reset-password"):
            raise NotFound(f"没有这项操作 (no action {action!r})")
        reason = data.get("reason", "")
        now = now_of(request)
        try:
            if action == "reset-password":
                if data.get("confirm") != "1":
                    return await self._detail(request, staff, username, confirm=action)
                password = await accounts.reset_password(users_repo, staff, username, now)
                return admin_page(
                    request,
                    "admin/account_password.html",
                    staff,
                    section="accounts",
                    crumbs=[(ACCOUNTS, "账号管理"), (f"{ACCOUNTS}/{username}", username)],
                    username=username,
                    password=password,
                    created=False,
                )
            if action == "deactivate" and username == staff.username:
                raise Conflict("不能停用自己的账号 (you cannot deactivate your own account)")
            if action == "deactivate" and data.get("confirm") != "1":
                accounts.check_reason(reason)  # the confirmation is shown only for a step that would be taken
                return await self._detail(request, staff, username, reason=reason, confirm=action)
            await accounts.set_active(users_repo, staff, username, action == "reactivate", reason, now)
        except DomainError as e:
            if e.status in (403, 404):
                raise
            return await self._detail(
                request, staff, username, status_code=409 if e.status == 409 else 422, error=e, reason=reason
            )
        return Redirect(f"{ACCOUNTS}/{username}?done={action}", status_code=303)


def _rule_rows(data: dict[str, str]) -> list[dict[str, Any]]:
    """The form's rule rows (rules-<i>-<field>) as validate_profile takes them; a row left wholly
    blank is not a rule. Numbers stay text when they are not whole numbers, so the message quotes them."""
    rows: list[dict[str, Any]] = []
    for i in range(int(data.get("rows", RULE_ROWS) or RULE_ROWS) if str(data.get("rows", "")).isdigit() else RULE_ROWS):
        raw = {
            k: (data.get(f"rules-{i}-{k}") or "").strip() for k in ("check_field", "required_materials", *RULE_NUMBERS)
        }
        if not any(raw.values()):
            continue
        row: dict[str, Any] = {"check_field": raw["check_field"], "_index": i}
        for k in RULE_NUMBERS:
            row[k] = int(raw[k]) if raw[k].isdigit() else raw[k]
        if raw["required_materials"]:
            row["required_materials"] = [e.strip() for e in raw["required_materials"].split(",")]
        rows.append(row)
    return rows


def _row_errors(error: DomainError | None, rows: list[dict[str, Any]]) -> dict[str, str]:
    """validate_profile names rules[<n>].<field> by the n-th non-blank row; the form's fields are
    rules-<i>-<field> by the row's place on the page."""
    out: dict[str, str] = {}
    for f, m in _field_errors(error).items():
        if f.startswith("rules[") and "]." in f:
            n, _, name = f[len("rules[") :].partition("].")
            if n.isdigit() and int(n) < len(rows):
                out[f"rules-{rows[int(n)]['_index']}-{name}"] = m
                continue
        out[f] = m
    return out


class RulePagesController(Controller):
    path = RULES
    dependencies = {"staff": Provide(require_staff)}

    @get("/", name="admin:repair_rules")
    async def list_(self, request: Request, staff: NamedDependency[Principal]) -> Template:
        require_role(staff, "officer", "admin", "supervisor")
        rules = await repair_repo.list_rules()
        return admin_page(
            request,
            "admin/rule_list.html",
            staff,
            section="rules",
            rules=rules,
            materials=lambda v: "、".join(
                repair_rules.materials_label(e) for e in repair_rules.parse_required_materials(v)
            ),
            field_labels=CHECK_FIELD_LABELS,
        )

    async def _form(
        self,
        request: Request,
        staff: Principal,
        data: dict[str, str],
        error: DomainError | None = None,
        status_code: int = 200,
        rows: list[dict[str, Any]] | None = None,
    ) -> Template:
        n = int(data["rows"]) if str(data.get("rows", "")).isdigit() else RULE_ROWS
        return admin_page(
            request,
            "admin/rule_form.html",
            staff,
            section="rules",
            crumbs=[(RULES, "信用修复规则")],
            status_code=status_code,
            values=data,
            rows=max(1, min(n, 20)),
            error=error,
            errors=_row_errors(error, rows or []),
            error_label=_rule_error_label,
            field_choices=CHECK_FIELD_LABELS,
            material_kinds={k: v for k, v in repair_rules.MATERIAL_KINDS.items() if k != "other"},
            default_materials=",".join(repair_rules.DEFAULT_REQUIRED_MATERIALS),
            region_options=[(r["code"], f"{r['name']}（{r['code']}）") for r in await _regions()],
        )

    @get("/new", name="admin:repair_rules_new")
    async def new(self, request: Request, staff: NamedDependency[Principal]) -> Template:
        require_role(staff, "admin")
        return await self._form(request, staff, {"rules-0-check_field": "*"})

    @post("/", name="admin:repair_rules_add", status_code=200)
    async def add(self, request: Request, staff: NamedDependency[Principal], data: FormData) -> Any:
        require_role(staff, "admin")
        if "add_row" in data:  # 增加一行: the same form, one more blank row, nothing stored
            n = int(data["rows"]) if str(data.get("rows", "")).isdigit() else RULE_ROWS
            return await self._form(request, staff, {**data, "rows": str(min(n + 1, 20))})
        rows = _rule_rows(data)
        try:
            await flow.add_rule_profile(
                repair_repo,
                staff,
                data.get("jurisdiction", ""),
                data.get("source", ""),
                [{k: v for k, v in r.items() if k != "_index"} for r in rows],
                now_of(request),
            )
        except DomainError as e:
            if e.status in (403, 404):
                raise
            return await self._form(
                request, staff, data, error=e, status_code=409 if e.status == 409 else 422, rows=rows
            )
        return Redirect(f"{RULES}?added={data.get('jurisdiction', '').strip()}", status_code=303)


# Where an audited record is read: the back office's page for what the department decides, the
# public page for what is published.
_RECORD_PAGES = {
    "result": f"{PREFIX}/results/{{}}",
    "repair_application": f"{PREFIX}/repair-applications/{{}}",
    "objection": f"{PREFIX}/objections/{{}}",
    "complaint": f"{PREFIX}/complaints/{{}}",
    "account": f"{ACCOUNTS}/{{}}",
    "plan": "/plans/{}",
    "guide": "/guides/{}",
    "document": "/documents/{}",
    "honour": "/honours/{}",
}


def _detail_text(value: Any) -> str:
    """The row's detail (JSON; SQLite hands it back as text) as indented text."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    return json.dumps(value, ensure_ascii=False, indent=1, default=str)


def _record_url(row: dict[str, Any]) -> str:
    pattern = _RECORD_PAGES.get(row["object_type"])
    return pattern.format(quote(str(row["object_id"]), safe="")) if pattern else ""


class AuditPagesController(Controller):
    path = AUDIT
    dependencies = {"staff": Provide(require_staff)}

    @get("/", name="admin:audit")
    async def search(
        self,
        request: Request,
        staff: NamedDependency[Principal],
        actor: FromQuery[str] = "",
        action: FromQuery[str] = "",
        object_type: FromQuery[str] = "",
        object_id: FromQuery[str] = "",
        since: FromQuery[str] = "",
        until: FromQuery[str] = "",
        cursor: FromQuery[str | None] = None,
    ) -> Template:
        require_role(staff, "admin")
        values = {
            "actor": actor,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "since": since,
            "until": until,
        }
        error: DomainError | None = None
        rows: list[dict[str, Any]] = []
        next_url = ""
        try:
            q = audit_rules.parse_query(**values)
            key = decode_cursor(cursor)
            rows, next_cursor = split_page(await audit_repo.search(q, int(key["id"]) if key else None, PAGE + 1), PAGE)
            next_url = url_with(AUDIT, values, cursor=next_cursor) if next_cursor else ""
        except ValidationFailed as e:
            error = e
        return admin_page(
            request,
            "admin/audit.html",
            staff,
            section="audit",
            status_code=422 if error else 200,
            rows=rows,
            values=values,
            error=error,
            errors=_field_errors(error),
            object_labels=audit_rules.OBJECT_LABELS,
            action_label=audit_rules.action_label,
            action_options=[(a, f"{audit_rules.action_label(a)}（{a}）") for a in await audit_repo.actions()],
            object_options=list(audit_rules.OBJECT_LABELS.items()),
            record_url=_record_url,
            detail=_detail_text,
            local=local_time,
            next_url=next_url,
            first_url=url_with(AUDIT, values) if cursor else "",
        )
