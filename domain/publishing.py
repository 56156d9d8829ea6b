"""Use cases: an officer publishes inspection results, honours and policy documents and records
scan records (one or a bulk batch, all-or-nothing), and the publishing department withdraws a
result (撤回). The /api/v1/admin handlers and the back-office forms call these same functions;
the store (db.*) is passed in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from domain.auth import Principal, acting_department, require_department, require_role
from domain.disclosure import WITHDRAWAL_REASONS, is_public
from domain.errors import Collector, Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from domain.masking import mask_by_register
from domain.records import check_bulk_size, validate_document, validate_honour, validate_scan
from domain.results import MAX_BULK, ResultDraft, validate_result
from domain.text import control_errors


async def publish_results(
    actor: Principal,
    raws: list[dict[str, Any]],
    insert: Callable[[list[ResultDraft], Any, dt.date, Callable[..., Any]], Awaitable[list[int]]],
    today: dt.date,
    bulk: bool = False,
) -> list[int]:
    require_department(actor, actor.department_code)
    if not raws:
        raise ValidationFailed("没有要发布的结果 (nothing to publish)", [FieldError("items", "empty")])
    if len(raws) > MAX_BULK:
        raise ValidationFailed(
            f"一次最多发布 {MAX_BULK} 条 (at most {MAX_BULK} results per request, got {len(raws)})",
            [FieldError("items", f"at most {MAX_BULK} items")],
        )
    drafts: list[ResultDraft] = []
    errors: list[FieldError] = []
    seen: dict[tuple[str, str], int] = {}
    for i, raw in enumerate(raws):
        prefix = f"items[{i}]." if bulk else ""
        draft, errs = validate_result(raw, prefix, today)
        errors.extend(errs)
        if draft is None:
            continue
        if draft.department_codes[0] != actor.department_code:
            errors.append(
                FieldError(
                    prefix + "departments",
                    f"只能以本部门 {actor.department_code} 的名义发布 "
                    f"(the first department must be your own, {actor.department_code})",
                )
            )
        key = (draft.task_number, draft.uscc)
        if key in seen:
            raise Conflict(
                f"同一请求中任务单号 {key[0]} 与主体 {key[1]} 重复 (duplicate task_number and uscc in the request)",
                [FieldError(prefix + "task_number", f"same as items[{seen[key]}]")],
            )
        seen[key] = i
        drafts.append(draft)
    if errors:
        dept_errors = [e for e in errors if e.field.endswith("departments") and "本部门" in e.message]
        if dept_errors and len(dept_errors) == len(errors):
            raise Forbidden(dept_errors[0].message, dept_errors)
        raise ValidationFailed(
            f"{len(errors)} 处字段错误，未发布任何结果 ({len(errors)} field errors; nothing was published)", errors
        )
    # Names are masked against the entity register inside the store's transaction.
    return await insert(drafts, actor, today, mask_by_register)


# -- honours, policy documents, scan records ---------------------------------------------


def _own_department(actor: Principal, raws: list[dict[str, Any]]) -> str:
    """Every item must be for the actor's own department (403 otherwise); returns it."""
    for raw in raws:
        acting_department(actor, raw.get("department"))
    return acting_department(actor, actor.department_code)


async def publish_honours(
    actor: Principal,
    raws: list[dict[str, Any]],
    insert: Callable[[list[dict[str, Any]], Any, Callable[..., Any]], Awaitable[list[int]]],
    region_of: Callable[[str], Awaitable[str]],
    bulk: bool = False,
) -> list[int]:
    """Publish honours (荣誉信息) under the actor's department, all or nothing; `region_of` gives
    the department's region (the default for an entity whose code names none)."""
    dept = _own_department(actor, raws)
    check_bulk_size(len(raws))
    region = await region_of(dept)
    c = Collector()
    rows = [validate_honour(raw, dept, region, c, f"items[{i}]." if bulk else "") for i, raw in enumerate(raws)]
    c.raise_if_any(
        f"{len(c.errors)} 处字段错误，未发布任何荣誉信息 ({len(c.errors)} field errors; nothing was published)"
    )
    return await insert(rows, actor, mask_by_register)


async def publish_document(
    actor: Principal,
    raw: dict[str, Any],
    insert: Callable[[dict[str, Any], Any], Awaitable[int]],
    today: dt.date,
) -> int:
    """Publish one policy document (政策文件) under the actor's department."""
    dept = acting_department(actor, raw.get("department"))
    return await insert(validate_document(raw, dept, today), actor)


async def record_scans(
    actor: Principal,
    raws: list[dict[str, Any]],
    insert: Callable[[list[dict[str, Any]], Any], Awaitable[list[int]]],
    now: dt.datetime,
    bulk: bool = False,
) -> list[int]:
    """Store scan records (扫码入企; not public) of the actor's department, all or nothing."""
    dept = _own_department(actor, raws)
    check_bulk_size(len(raws))
    c = Collector()
    rows = [validate_scan(raw, dept, now, c, f"items[{i}]." if bulk else "") for i, raw in enumerate(raws)]
    c.raise_if_any(f"{len(c.errors)} 处字段错误，未保存任何扫码记录 ({len(c.errors)} field errors; nothing was stored)")
    return await insert(rows, actor)


# -- 撤回: the publishing department withdraws a result it published ------------------------

REVOKE_REASON_MAX = 500


def revoke_step(actor: Principal, result: dict[str, Any] | None, result_id: int, reason: str) -> str:
    """Check a withdrawal by the publishing department (谁公示、谁负责: only the department that
    published the result may withdraw it) and return the reason as stored. Another department's
    result answers 404, as an unknown one (no page reveals which results exist elsewhere); a
    result no longer public answers 409 naming why; the reason is required (it is audited and
    told to the enterprise whose pending repair application this closes). What revoke_result
    does, and what the back office's confirmation step checks before it asks."""
    require_role(actor, "officer", "admin")
    if result is None or result["department_code"] != actor.department_code:
        raise NotFound(f"没有编号为 {result_id} 的检查结果 (no result {result_id})")
    if not is_public(result["disclosure"]):
        label = WITHDRAWAL_REASONS.get(result["withdrawn_reason"], "已停止公示 (no longer public)")
        raise Conflict(f"该结果已停止公示，不能撤回：{label} (the result is no longer public)")
    c = Collector()
    reason = (reason or "").strip()
    if not reason:
        c.add("reason", "请填写撤回理由 (a reason is required)")
    elif len(reason) > REVOKE_REASON_MAX:
        c.add("reason", f"最多 {REVOKE_REASON_MAX} 字 (at most {REVOKE_REASON_MAX} characters)")
    for e in control_errors(reason, "reason"):
        c.add(e.field, e.message)
    c.raise_if_any("撤回未办理 (nothing was withdrawn)")
    return reason


async def revoke_result(repo: Any, actor: Principal, result_id: int, reason: str, now: dt.datetime) -> dict[str, Any]:
    """Withdraw a published result (reason `revoked`, 发布机关撤回) everywhere at once, in one
    transaction with its audit row, change-log entry and search-outbox row, closing the pending
    repair applications it makes moot (db.repair.withdraw_results, the path every withdrawal
    takes). Returns the result as now stored."""
    reason = revoke_step(actor, await repo.get_result(result_id), result_id, reason)
    done = await repo.withdraw_results([result_id], "revoked", actor, reason, now)
    if not done:
        raise Conflict("该结果已在此期间停止公示 (the result stopped being public meanwhile)")
    row: dict[str, Any] = await repo.get_result(result_id)
    return row
