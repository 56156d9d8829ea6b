"""Publishing one record in the back office (issue 12 item 6): /admin/publish lists the forms;
each form (/admin/<kind>/new) calls the use case its /api/v1/admin twin calls (domain.publishing:
the same validation, department authorisation, audit, change log and search outbox), once per
form key (backoffice/once.py), and answers with a confirmation page /admin/<kind>/published/{key}
linking to the record. Bad input comes back as the form (422) with each message by its field,
what was typed kept, nothing stored.

Each form is a FormSpec: the page, the defaults, how posted text becomes the use case's input
(backoffice/formvalues.py: typing only, the rules judge), and the use case call."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from backoffice import formvalues as fv
from backoffice.once import new_key, outcome_of, submit_once
from backoffice.render import admin_page
from backoffice.session import PREFIX, require_staff
from db.results import get_result, insert_results
from domain import categories
from domain.auth import Principal, require_role
from domain.errors import DomainError, FieldError
from domain.publishing import publish_results
from domain.results import CHECK_FIELD_LABELS, shanghai_today
from portal.labels import ENTITY_KINDS, INSPECTION_TYPES, N_

HUB = f"{PREFIX}/publish"
Form = dict[str, str]


@dataclass(frozen=True)
class FormSpec:
    object_type: str  # form_submission.object_type and the audit log's object type
    base: str  # /admin/results: the form is {base}/new, its confirmation {base}/published/{key}
    template: str
    title: str
    defaults: Callable[[Principal], Form]
    to_input: Callable[[dict[str, Any]], dict[str, Any]]  # posted form → the use case's raw dict
    store: Callable[[Principal, dict[str, Any]], Awaitable[list[int]]]
    load: Callable[[int], Awaitable[dict[str, Any] | None]]  # a stored record, for the confirmation


# -- 检查结果: POST /api/v1/admin/results's form --------------------------------------------


def _result_defaults(staff: Principal) -> Form:
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

FORMS: dict[str, FormSpec] = {"result": RESULT}


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

    def _form(
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
            form=form if form is not None else spec.defaults(staff),
            once=once or new_key(),
            error=error,
            errors=_field_errors(error) if error else {},
            categories=categories.CATALOGUE,
            entity_kinds=ENTITY_KINDS,
            inspection_types=INSPECTION_TYPES,
            check_fields=CHECK_FIELD_LABELS,
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
            return self._form(
                request, staff, spec, form=fv.form_dict(data), once=fv.text(data, "once"), error=e, status_code=status
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
        return self._form(request, staff, RESULT)

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
