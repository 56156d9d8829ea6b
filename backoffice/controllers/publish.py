"""Publishing one record in the back office (issue 12 item 6): /admin/publish lists the forms;
each form (/admin/<kind>/new) calls the use case its /api/v1/admin twin calls (domain.publishing:
the same validation, department authorisation, audit, change log and search outbox), once per
form key (backoffice/once.py), and answers with a confirmation page /admin/<kind>/published/{key}
linking to the record. Bad input comes back as the form (422) with each message by its field,
what was typed kept, nothing stored.

Each form is a FormSpec: the page, the defaults, how posted text becomes the use case's input
(backoffice/formvalues.py: typing only, the rules judge), and the use case call."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from api.admin_plans import region_of_department
from backoffice import formvalues as fv
from backoffice.once import is_key, new_key, outcome_of, submit_once
from backoffice.render import admin_page, local_time
from backoffice.session import PREFIX, require_staff
from db import documents as dq
from db import honours as hq
from db import scans as sq
from db.results import department_names, get_result, insert_results
from domain import categories
from domain.auth import Principal, require_role
from domain.errors import DomainError, FieldError, NotFound
from domain.publishing import publish_document, publish_honours, publish_results, record_scans
from domain.records import SCAN_METHOD_LABELS
from domain.results import CHECK_FIELD_LABELS, SHANGHAI, shanghai_today
from portal.labels import ENTITY_KINDS, HONOUR_KINDS, INSPECTION_TYPES, N_

HUB = f"{PREFIX}/publish"
Form = dict[str, str]


@dataclass(frozen=True)
class FormSpec:
    object_type: str  # form_submission.object_type and the audit log's object type
    base: str  # /admin/results: the form is {base}/new, its confirmation {base}/published/{key}
    template: str
    title: str
    defaults: Callable[[Principal], Awaitable[Form]]
    to_input: Callable[[dict[str, Any]], dict[str, Any]]  # posted form → the use case's raw dict
    store: Callable[[Principal, dict[str, Any]], Awaitable[list[int]]]
    load: Callable[[int], Awaitable[dict[str, Any] | None]]  # a stored record, for the confirmation


# -- 检查结果: POST /api/v1/admin/results's form --------------------------------------------


async def _result_defaults(staff: Principal) -> Form:
    return {
        "departments": staff.department_code,
        "inspection_type": "抽查",
        "check_field": "general",
        "published_on": shanghai_today().isoformat(),
    }


def _result_input(data: dict[str, Any]) -> dict[str, Any]:
    t = lambda name: fv.text(data, name)  # noqa: E731
    return {
        "task_number": t("task_number"),
        "uscc": t("uscc").upper(),
        "entity_name": t("entity_name"),
        "departments": fv.split(t("departments")),
        "inspected_on": fv.date_or_text(t("inspected_on")),
        "categories": fv.many(data, "categories"),
        "entity_kind": t("entity_kind") or None,
        "region_code": t("region_code") or None,
        "inspection_type": t("inspection_type") or "抽查",
        "check_field": t("check_field") or "general",
        "follow_up": t("follow_up"),
        "penalty_decision_number": t("penalty_decision_number"),
        "published_on": fv.date_or_text(t("published_on")),
        "operator_name": t("operator_name"),
    }


async def _publish_result(staff: Principal, raw: dict[str, Any]) -> list[int]:
    return await publish_results(staff, [raw], insert_results, shanghai_today())


RESULT = FormSpec(
    object_type="result",
    base=f"{PREFIX}/results",
    template="admin/publish_result.html",
    title=N_("发布检查结果"),
    defaults=_result_defaults,
    to_input=_result_input,
    store=_publish_result,
    load=get_result,
)


# -- 荣誉信息: POST /api/v1/admin/honours's form ----------------------------------------------


async def _honour_defaults(staff: Principal) -> Form:
    return {"kind": "other"}


def _honour_input(data: dict[str, Any]) -> dict[str, Any]:
    t = lambda name: fv.text(data, name)  # noqa: E731
    return {
        "uscc": t("uscc").upper(),
        "entity_name": t("entity_name"),
        "honour": t("honour"),
        "awarded_by": t("awarded_by"),
        "awarded_on": fv.date_or_text(t("awarded_on")),
        "kind": t("kind") or "other",
        "valid_until": fv.date_or_text(t("valid_until")),
        "source_document": t("source_document"),
        "region_code": t("region_code") or None,
    }


async def _publish_honour(staff: Principal, raw: dict[str, Any]) -> list[int]:
    return await publish_honours(staff, [raw], hq.insert_honours, region_of_department)


HONOUR = FormSpec(
    object_type="honour",
    base=f"{PREFIX}/honours",
    template="admin/publish_honour.html",
    title=N_("发布荣誉信息"),
    defaults=_honour_defaults,
    to_input=_honour_input,
    store=_publish_honour,
    load=hq.get_honour,
)


# -- 政策文件: POST /api/v1/admin/documents's form --------------------------------------------


async def _document_defaults(staff: Principal) -> Form:
    dept = staff.department_code or ""
    names = await department_names([dept]) if dept else {}
    return {
        "issuer": names.get(dept, ""),
        "region_code": await region_of_department(dept) if dept else "",
        "published_on": shanghai_today().isoformat(),
    }


def _document_input(data: dict[str, Any]) -> dict[str, Any]:
    t = lambda name: fv.text(data, name)  # noqa: E731
    return {
        "title": t("title"),
        "issuer": t("issuer"),
        "body": str(data.get("body") or "").strip(),
        "region_code": t("region_code"),
        "doc_number": t("doc_number") or None,
        "issued_on": fv.date_or_text(t("issued_on")),
        "issued_year": fv.int_or_text(t("issued_year")),
        "region_name": t("region_name"),
        "source": t("source"),
        "published_on": fv.date_or_text(t("published_on")),
    }


async def _publish_document(staff: Principal, raw: dict[str, Any]) -> list[int]:
    return [await publish_document(staff, raw, dq.insert_document, shanghai_today())]


DOCUMENT = FormSpec(
    object_type="document",
    base=f"{PREFIX}/documents",
    template="admin/publish_document.html",
    title=N_("发布政策文件"),
    defaults=_document_defaults,
    to_input=_document_input,
    store=_publish_document,
    load=dq.get_document,
)


# -- 扫码记录: POST /api/v1/admin/scan-records's form (not public) ----------------------------


async def _scan_defaults(staff: Principal) -> Form:
    return {"method": "scan", "scanned_at": dt.datetime.now(SHANGHAI).strftime("%Y-%m-%dT%H:%M")}


def _scan_input(data: dict[str, Any]) -> dict[str, Any]:
    t = lambda name: fv.text(data, name)  # noqa: E731
    return {
        "uscc": t("uscc").upper(),
        "officer_credentials": [c for line in t("officer_credentials").splitlines() for c in fv.split(line)],
        "scanned_at": fv.beijing_time_or_text(t("scanned_at")),
        "method": t("method") or "scan",
        "task_number": t("task_number"),
        "location": t("location"),
    }


async def _record_scan(staff: Principal, raw: dict[str, Any]) -> list[int]:
    return await record_scans(staff, [raw], sq.insert_scans, dt.datetime.now(dt.UTC))


SCAN = FormSpec(
    object_type="scan_record",
    base=f"{PREFIX}/scan-records",
    template="admin/publish_scan.html",
    title=N_("记录扫码入企"),
    defaults=_scan_defaults,
    to_input=_scan_input,
    store=_record_scan,
    load=sq.get_scan,
)

FORMS: dict[str, FormSpec] = {"result": RESULT, "honour": HONOUR, "document": DOCUMENT, "scan_record": SCAN}


def _field_errors(e: DomainError) -> dict[str, str]:
    """field → its messages (several for one field joined), as the form shows them."""
    out: dict[str, str] = {}
    for f in getattr(e, "errors", []) or []:
        if isinstance(f, FieldError):
            out[f.field] = f"{out[f.field]}；{f.message}" if f.field in out else f.message
    return out


class PublishPagesController(Controller):
    path = PREFIX
    dependencies = {"staff": Provide(require_staff)}

    async def _form(
        self,
        request: Request,
        staff: Principal,
        spec: FormSpec,
        *,
        form: Form | None = None,
        once: str = "",
        error: DomainError | None = None,
        status_code: int = 200,
    ) -> Template:
        return admin_page(
            request,
            spec.template,
            staff,
            section="publish",
            crumbs=[(HUB, "发布信息")],
            status_code=status_code,
            spec=spec,
            form=form if form is not None else await spec.defaults(staff),
            once=once or new_key(),
            error=error,
            errors=_field_errors(error) if error else {},
            categories=categories.CATALOGUE,
            entity_kinds=ENTITY_KINDS,
            inspection_types=INSPECTION_TYPES,
            check_fields=CHECK_FIELD_LABELS,
            honour_kinds=HONOUR_KINDS,
            scan_methods=SCAN_METHOD_LABELS,
        )

    async def _submit(self, request: Request, staff: Principal, spec: FormSpec, data: dict[str, Any]) -> Any:
        require_role(staff, "officer", "admin")
        try:
            raw = spec.to_input(data)
            outcome = await submit_once(data, staff, spec.object_type, lambda: spec.store(staff, raw))
        except DomainError as e:
            if not _field_errors(e) and e.status in (401, 403, 404):
                raise  # not the form's fault: the refusal page
            status = e.status if e.status in (403, 409) else 422
            key = fv.text(data, "once")  # unused still: the same form keeps it
            return await self._form(
                request,
                staff,
                spec,
                form=fv.form_dict(data),
                once=key if is_key(key) else new_key(),
                error=e,
                status_code=status,
            )
        again = "?again=1" if outcome.repeated else ""
        return Redirect(f"{spec.base}/published/{outcome.key}{again}", status_code=303)

    async def _published(self, request: Request, staff: Principal, spec: FormSpec, key: str, again: str) -> Template:
        require_role(staff, "officer", "admin")
        outcome = await outcome_of(key, staff, spec.object_type, repeated=again == "1")
        rows = [r for r in [await spec.load(i) for i in outcome.ids] if r is not None]
        return admin_page(
            request,
            "admin/published.html",
            staff,
            section="publish",
            crumbs=[(HUB, "发布信息"), (f"{spec.base}/new", spec.title)],
            spec=spec,
            outcome=outcome,
            rows=rows,
            local=local_time,
            cat_labels=lambda codes: [
                categories.BY_CODE[c] for c in (codes or "").split(",") if c in categories.BY_CODE
            ],
        )

    @get("/publish", name="admin:publish")
    async def hub(self, request: Request, staff: NamedDependency[Principal]) -> Template:
        require_role(staff, "officer", "admin")
        return admin_page(request, "admin/publish.html", staff, section="publish", forms=FORMS)

    @get("/results/new", name="admin:result_new")
    async def result_form(self, request: Request, staff: NamedDependency[Principal]) -> Template:
        require_role(staff, "officer", "admin")
        return await self._form(request, staff, RESULT)

    @post("/results/new", name="admin:result_publish", status_code=200)
    async def result_publish(
        self,
        request: Request,
        staff: NamedDependency[Principal],
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Any:
        return await self._submit(request, staff, RESULT, data)

    @get("/results/published/{key:str}", name="admin:result_published")
    async def result_published(
        self, request: Request, staff: NamedDependency[Principal], key: FromPath[str], again: FromQuery[str] = ""
    ) -> Template:
        return await self._published(request, staff, RESULT, key, again)

    @get("/honours/new", name="admin:honour_new")
    async def honour_form(self, request: Request, staff: NamedDependency[Principal]) -> Template:
        require_role(staff, "officer", "admin")
        return await self._form(request, staff, HONOUR)

    @post("/honours/new", name="admin:honour_publish", status_code=200)
    async def honour_publish(
        self,
        request: Request,
        staff: NamedDependency[Principal],
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Any:
        return await self._submit(request, staff, HONOUR, data)

    @get("/honours/published/{key:str}", name="admin:honour_published")
    async def honour_published(
        self, request: Request, staff: NamedDependency[Principal], key: FromPath[str], again: FromQuery[str] = ""
    ) -> Template:
        return await self._published(request, staff, HONOUR, key, again)

    @get("/documents/new", name="admin:document_new")
    async def document_form(self, request: Request, staff: NamedDependency[Principal]) -> Template:
        require_role(staff, "officer", "admin")
        return await self._form(request, staff, DOCUMENT)

    @post("/documents/new", name="admin:document_publish", status_code=200)
    async def document_publish(
        self,
        request: Request,
        staff: NamedDependency[Principal],
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Any:
        return await self._submit(request, staff, DOCUMENT, data)

    @get("/documents/published/{key:str}", name="admin:document_published")
    async def document_published(
        self, request: Request, staff: NamedDependency[Principal], key: FromPath[str], again: FromQuery[str] = ""
    ) -> Template:
        return await self._published(request, staff, DOCUMENT, key, again)

    @get("/scan-records/new", name="admin:scan_new")
    async def scan_form(self, request: Request, staff: NamedDependency[Principal]) -> Template:
        require_role(staff, "officer", "admin")
        return await self._form(request, staff, SCAN)

    @post("/scan-records/new", name="admin:scan_record", status_code=200)
    async def scan_record(
        self,
        request: Request,
        staff: NamedDependency[Principal],
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Any:
        return await self._submit(request, staff, SCAN, data)

    @get("/scan-records/published/{key:str}", name="admin:scan_recorded")
    async def scan_recorded(
        self, request: Request, staff: NamedDependency[Principal], key: FromPath[str], again: FromQuery[str] = ""
    ) -> Template:
        return await self._published(request, staff, SCAN, key, again)

    @get("/scan-records/{scan_id:int}", name="admin:scan_detail")
    async def scan_detail(
        self, request: Request, staff: NamedDependency[Principal], scan_id: FromPath[int]
    ) -> Template:
        """One stored scan record, for its department only (another's answers 404, as an unknown id)."""
        require_role(staff, "officer", "admin")
        row = await sq.get_scan(scan_id)
        if row is None or row["department_code"] != staff.department_code:
            raise NotFound(f"没有编号为 {scan_id} 的扫码记录 (no scan record {scan_id})")
        return admin_page(
            request,
            "admin/scan_detail.html",
            staff,
            section="publish",
            crumbs=[(HUB, "发布信息")],
            r=row,
            local=local_time,
            scan_methods=SCAN_METHOD_LABELS,
        )
