"""Credit repair pages for enterprises: /repair (sign in, own negative results with their
eligibility, own applications and objections), /repair/apply/{result_id} (the application form,
multipart with evidence files), /repair/applications/{number} (status and dated timeline) and
/repair/objections/new/{result_id} (the objection form: dispute one of the enterprise's public results
as wrong, multipart with evidence files) and /repair/objections/{number} (an objection's status,
dates, deadlines and the department's decision).

The same use cases as the API (domain/repair_flow.py). The browser keeps the enterprise's JWT
in an HttpOnly, SameSite=Strict cookie scoped to /repair, so no other site can post a form with
it; every POST also passes the portal's FormGuard (portal/form_guard.py: Origin, else the form token).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import jwt
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotAuthorizedException
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.security.jwt import Token

from api.auth import issue_token, retrieve_principal, revoke, sign_in
from api.deps import settings_of
from api.repair import files_by_kind, letter_file, now_of, rule_profiles_out
from db import repair as repo
from db.results import ResultFilter, list_results
from domain import repair_flow as flow
from domain.auth import Principal
from domain.errors import DomainError, Unauthorized
from domain.evidence import FileIn
from domain.repair import (
    APPLICATION_STATUS_LABELS,
    COMMITMENT_TEXT,
    MATERIAL_HINTS,
    MATERIAL_KINDS,
    OBJECTION_STATUS_LABELS,
    application_overdue,
    materials_label,
    objection_deadline_provisional,
    objection_overdue,
)
from portal.labels import N_
from portal.render import page

COOKIE = "gongshi_ent"
NO_STORE = {"Cache-Control": "no-store"}
# The application status labels come from domain.repair.APPLICATION_STATUS_LABELS (also the API's
# status_label); listed here so the catalogue extraction sees them.
STATUS_LABELS = APPLICATION_STATUS_LABELS
APPLICATION_STATUS_MSGIDS = (
    N_("已提交，待受理"),
    N_("待补正材料"),
    N_("已受理，待决定"),
    N_("不予受理"),
    N_("准予修复"),
    N_("不予修复"),
    N_("已终止（结果已停止公示）"),
)
REASON_LABELS = {
    "not_negative": N_("不是失信（负面）结果，无需修复"),
    "not_public": N_("已停止公示"),
    "expired": N_("已满最长公示期，将自动停止公示"),
    "pending": N_("已有待处理的申请"),
    "min_period": N_("公示未满最短期限"),
}
# The objection status labels come from domain.repair.OBJECTION_STATUS_LABELS (also the API's
# status_label); listed here so the catalogue extraction sees them.
OBJECTION_STATUS_MSGIDS = (
    N_("已提交"),
    N_("异议属实，待更正"),
    N_("已更正"),
    N_("异议不成立"),
    N_("已终止（结果已由更正后的版本取代）"),
)
RULE_LOOKUP = N_(
    "适用哪条规则：按发布该结果的部门（谁公示、谁修复）所在地区查找，先县、后市、再省，最后是全国默认规则；"
    "同一地区先看该抽查领域的规则，没有时用该地区的通用规则。"
)
# The check-field labels of the rule list come from domain.results.CHECK_FIELD_LABELS (the API's
# check_field_label); listed here so the catalogue extraction sees them.
# Material kinds and their explanations come from domain.repair (MATERIAL_KINDS, MATERIAL_HINTS,
# COMMITMENT_TEXT, materials_label); listed here so the catalogue extraction sees them.
MATERIAL_MSGIDS = (
    N_("信用修复申请书"),
    N_("守信承诺书"),
    N_("整改材料"),
    N_("身份证明"),
    N_("授权委托书"),
    N_("其他材料"),
    N_("身份证明或授权委托书"),
    N_("企业盖章的信用修复申请书，写明申请修复的检查结果和理由"),
    N_("企业盖章的守信承诺书，内容与本页下方的承诺文本一致"),
    N_("已经整改、履行法定义务的证明材料，例如整改报告、现场照片、补报的年度报告"),
    N_("法定代表人的身份证明"),
    N_("由他人代为办理时，企业盖章的授权委托书和受托人身份证明"),
    N_("其他需要说明的材料（可不提供）"),
    N_(
        "本企业郑重承诺：所提交的信用修复申请材料真实、准确、完整，不存在隐瞒、虚构或者伪造的情形；"
        "已经纠正失信行为、履行法定义务；今后将严格遵守法律法规，依法诚信经营，自觉接受政府、行业组织、"
        "社会公众和新闻舆论的监督。如违反上述承诺，愿意依法承担相应责任，并同意将违反承诺的情况记入信用记录。"
    ),
)
CHECK_FIELD_MSGIDS = (
    N_("一般领域"),
    N_("食品"),
    N_("药品"),
    N_("特种设备"),
    N_("产品质量"),
    N_("生态环境"),
    N_("安全生产"),
    N_("消防"),
    N_("卫生健康"),
    N_("其他"),
    N_("其他领域（通用）"),
)
OBJECTION_REASON_LABELS = {"not_public": N_("已停止公示，不能再提出异议"), "pending": N_("已有待处理的异议")}
ACCEPT = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"


def _cookie_token(request: Request) -> Token | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        return Token.decode(raw, settings_of(request).jwt_secret, "HS256")
    except (NotAuthorizedException, jwt.PyJWTError):
        return None


async def signed_in(request: Request) -> Principal | None:
    token = _cookie_token(request)
    if token is None:
        return None
    p = await retrieve_principal(token, request)
    return p if p is not None and p.role == "enterprise" else None


def _errors(e: DomainError) -> dict[str, str]:
    out: dict[str, str] = {}
    for fe in e.errors:
        key = "attachments" if fe.field.startswith(("attachments", "files")) else fe.field
        out.setdefault(key, fe.message)
    return out


async def _form_and_files(data: dict[str, Any]) -> tuple[dict[str, str], list[FileIn]]:
    """A multipart form's text fields, and its `files` as (filename, bytes)."""
    uploads = data.get("files") or []
    if isinstance(uploads, UploadFile):
        uploads = [uploads]
    # A file input left empty still sends one part with no name and no bytes.
    files: list[FileIn] = [(u.filename, await u.read()) for u in uploads if isinstance(u, UploadFile) and u.filename]
    return {k: v for k, v in data.items() if isinstance(v, str)}, files


def _material_fields(rule: Any) -> list[dict[str, Any]]:
    """One file field per material kind, in the order of the profile's requirements: its label, its
    explanation, and whether it is required (alone, or as one of alternatives)."""
    required = {k: entry for entry in rule.required_materials for k in entry.split("|")}
    order = [k for entry in rule.required_materials for k in entry.split("|")]
    order += [k for k in MATERIAL_KINDS if k not in order]
    return [
        {
            "kind": k,
            "label": MATERIAL_KINDS[k],
            "hint": MATERIAL_HINTS[k],
            "required": k in required and "|" not in required[k],
            "either": materials_label(required[k]) if k in required and "|" in required[k] else "",
        }
        for k in order
    ]


def _nocache(t: Template) -> Template:
    t.headers.update(NO_STORE)
    return t


class RepairPagesController(Controller):
    path = "/repair"

    @get("/", name="portal:repair")
    async def home(
        self,
        request: Request,
        objections_cursor: FromQuery[str | None] = None,
        applications_cursor: FromQuery[str | None] = None,
    ) -> Template:
        p = await signed_in(request)
        if p is None:
            return _nocache(
                page(
                    request,
                    "repair/sign_in.html",
                    api_url="/api/v1/repair-applications",
                    nav="services",
                    error="",
                    username="",
                )
            )
        today = flow.local_date(now_of(request))
        # The enterprise's public results, newest 100: negative ones may be repaired, any may be disputed.
        public = await list_results(ResultFilter(uscc=p.uscc), None, 100)
        results = []
        for r in await list_results(ResultFilter(uscc=p.uscc, negative=True), None, 100):
            _row, _rule, e = await flow.check_eligibility(repo, p, r["id"], today)
            results.append({"row": r, "e": e})
        # Each list pages on its own cursor (20 a page, like the API's lists).
        apps, apps_next = await flow.own_applications(repo, p, None, applications_cursor)
        objections, next_cursor = await flow.own_objections(repo, p, None, objections_cursor)
        disputable = [
            {"row": r, "o": o}
            for r, o in zip(public, await flow.objection_eligibilities(repo, p, public), strict=False)
        ]
        return _nocache(
            page(
                request,
                "repair/home.html",
                api_url="/api/v1/repair-applications",
                nav="services",
                who=p,
                results=results,
                apps=apps,
                apps_next=apps_next,
                apps_paged=bool(applications_cursor),
                status_labels=STATUS_LABELS,
                reason_labels=REASON_LABELS,
                objections=objections,
                objections_next=next_cursor,
                objections_paged=bool(objections_cursor),
                objection_labels=OBJECTION_STATUS_LABELS,
                disputable=disputable,
                objection_reason_labels=OBJECTION_REASON_LABELS,
            )
        )

    @post("/sign-in", name="portal:repair_sign_in", status_code=200)
    async def sign_in(
        self, request: Request, data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
    ) -> Any:
        username = (data.get("username") or "").strip()
        try:
            row: dict | None = await sign_in(request, username, data.get("password") or "")
        except Unauthorized:
            row = None
        # TooManyRequests goes on to the portal's error page: 429 with Retry-After and the wait.
        if row is None or row["role"] != "enterprise":
            t = page(
                request,
                "repair/sign_in.html",
                api_url="/api/v1/repair-applications",
                nav="services",
                status_code=401,
                username=username,
                error=N_("用户名或密码错误，或该账号不是企业账号"),
            )
            return _nocache(t)
        s = settings_of(request)
        token = issue_token(request, row, {"role": row["role"], "uscc": row["uscc"]})
        resp = Redirect("/repair", status_code=303)
        resp.set_cookie(
            COOKIE,
            token,
            max_age=s.jwt_ttl_seconds,
            path="/repair",
            httponly=True,
            samesite="strict",
            secure=s.base_url.startswith("https://"),
        )
        return resp

    @post("/sign-out", name="portal:repair_sign_out", status_code=303)
    async def sign_out(self, request: Request) -> Response:
        token = _cookie_token(request)
        if token is not None:  # revoked, not only forgotten by this browser (api/auth.py)
            await revoke(request.app.state, token)
        resp = Redirect("/repair", status_code=303)
        resp.delete_cookie(COOKIE, path="/repair")
        return resp

    async def _form(
        self, request: Request, p: Principal, result_id: int, form: dict, error: DomainError | None = None
    ) -> Template:
        today = flow.local_date(now_of(request))
        row, rule, e = await flow.check_eligibility(repo, p, result_id, today)
        s = settings_of(request)
        return _nocache(
            page(
                request,
                "repair/apply.html",
                api_url=f"/api/v1/results/{result_id}/repair-eligibility",
                nav="services",
                status_code=error.status if error else 200,
                r=row,
                e=e,
                rule=rule,
                form=form,
                errors=_errors(error) if error else {},
                detail=error.detail if error else "",
                reason_labels=REASON_LABELS,
                accept=ACCEPT,
                max_mb=max(1, s.max_attachment_bytes // (1024 * 1024)),
                kinds=_material_fields(rule),
                commitment_text=COMMITMENT_TEXT,
            )
        )

    @get("/rules", name="portal:repair_rules", media_type=MediaType.HTML)
    async def rules(self, request: Request) -> Template:
        """Every repair-rule profile with its source, for anyone: which rule applies and why."""
        return page(
            request,
            "repair/rules.html",
            api_url="/api/v1/repair-rules",
            nav="services",
            profiles=(await rule_profiles_out()).items,
            lookup=RULE_LOOKUP,
        )

    @get("/apply/{result_id:int}", name="portal:repair_apply")
    async def apply_form(self, request: Request, result_id: FromPath[int]) -> Any:
        p = await signed_in(request)
        if p is None:
            return Redirect("/repair", status_code=303)
        return await self._form(request, p, result_id, {})

    @post("/apply/{result_id:int}", name="portal:repair_apply_post", status_code=200)
    async def apply(
        self,
        request: Request,
        result_id: FromPath[int],
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Any:
        p = await signed_in(request)
        if p is None:
            return Redirect("/repair", status_code=303)
        form = {k: v for k, v in data.items() if isinstance(v, str)}
        files = await files_by_kind(data)
        s = settings_of(request)
        try:
            out = await flow.apply(
                repo,
                p,
                result_id,
                form.get("reason", ""),
                form.get("commitment_accepted") == "yes",
                files,
                now_of(request),
                s.files_dir,
                s.max_attachment_bytes,
                contact=form.get("applicant_contact", ""),
            )
        except DomainError as e:
            if e.status in (403, 404):
                raise
            return await self._form(request, p, result_id, form, e)
        return Redirect(f"/repair/applications/{out['number']}?filed=1", status_code=303)

    async def _objection_form(
        self, request: Request, p: Principal, result_id: int, form: dict, error: DomainError | None = None
    ) -> Template:
        row, o = await flow.objection_target(repo, p, result_id)  # another enterprise's result: 404
        s = settings_of(request)
        return _nocache(
            page(
                request,
                "repair/object.html",
                api_url="/api/v1/objections",
                nav="services",
                status_code=error.status if error else 200,
                r=row,
                o=o,
                form=form,
                errors=_errors(error) if error else {},
                detail=error.detail if error else "",
                reason_labels=OBJECTION_REASON_LABELS,
                accept=ACCEPT,
                max_text=flow.MAX_TEXT,
                max_mb=max(1, s.max_attachment_bytes // (1024 * 1024)),
            )
        )

    @get("/objections/new/{result_id:int}", name="portal:repair_object", media_type=MediaType.HTML)
    async def objection_form(self, request: Request, result_id: FromPath[int]) -> Any:
        p = await signed_in(request)
        if p is None:
            return Redirect("/repair", status_code=303)
        return await self._objection_form(request, p, result_id, {})

    @post(
        "/objections/new/{result_id:int}", name="portal:repair_object_post", status_code=200, media_type=MediaType.HTML
    )
    async def file_objection(
        self,
        request: Request,
        result_id: FromPath[int],
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Any:
        p = await signed_in(request)
        if p is None:
            return Redirect("/repair", status_code=303)
        await flow.objection_target(repo, p, result_id)  # 404 for another enterprise's result, before any work
        form, files = await _form_and_files(data)
        s = settings_of(request)
        try:
            out = await flow.file_objection(
                repo, p, result_id, form.get("reason", ""), files, now_of(request), s.files_dir, s.max_attachment_bytes
            )
        except DomainError as e:
            if e.status in (403, 404):
                raise
            return await self._objection_form(request, p, result_id, form, e)
        return Redirect(f"/repair/objections/{out['number']}?filed=1", status_code=303)

    @get("/applications/{number:str}", name="portal:repair_application")
    async def application(self, request: Request, number: FromPath[str], filed: FromQuery[bool] = False) -> Any:
        p = await signed_in(request)
        if p is None:
            return Redirect("/repair", status_code=303)
        app = await flow.application_for(repo, p, number)
        today = flow.local_date(now_of(request))
        return _nocache(
            page(
                request,
                "repair/application.html",
                api_url=f"/api/v1/repair-applications/{number}",
                nav="services",
                a=app,
                events=await repo.application_events(app["id"]),
                letters=await repo.letters_of(app["id"]),
                files=await repo.attachments_of("repair", app["id"]),
                material_labels=MATERIAL_KINDS,
                overdue=application_overdue(app["status"], app["accept_by"], app["decide_by"], today),
                status_labels=STATUS_LABELS,
                filed=filed,
                local=_local,
            )
        )

    @get("/applications/{number:str}/letters/{letter_number:str}", name="portal:repair_letter")
    async def letter(self, request: Request, number: FromPath[str], letter_number: FromPath[str]) -> Any:
        p = await signed_in(request)
        if p is None:
            return Redirect("/repair", status_code=303)
        return await letter_file(request, await flow.application_letter(repo, p, number, letter_number))

    @get("/objections/{number:str}", name="portal:repair_objection", media_type=MediaType.HTML)
    async def objection(self, request: Request, number: FromPath[str], filed: FromQuery[bool] = False) -> Any:
        p = await signed_in(request)
        if p is None:
            return Redirect("/repair", status_code=303)
        obj = await flow.objection_for(repo, p, number)  # another enterprise's: the unknown number's 404
        today = flow.local_date(now_of(request))
        return _nocache(
            page(
                request,
                "repair/objection.html",
                api_url=f"/api/v1/objections/{number}",
                nav="services",
                o=obj,
                files=await repo.attachments_of("objection", obj["id"]),
                overdue=objection_overdue(obj["status"], obj["verify_by"], obj["correct_by"], today),
                provisional=objection_deadline_provisional(obj["verify_by"], obj["correct_by"]),
                objection_labels=OBJECTION_STATUS_LABELS,
                local=_local,
                filed=filed,
            )
        )


def _local(when: dt.datetime | None) -> str:
    return when.astimezone(flow.SHANGHAI).strftime("%Y-%m-%d %H:%M") if when else ""
