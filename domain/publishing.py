"""Use case: an officer publishes inspection results (one or a bulk batch, all-or-nothing)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from domain.auth import Principal, require_department
from domain.errors import Conflict, FieldError, Forbidden, ValidationFailed
from domain.masking import mask_by_register
from domain.results import MAX_BULK, ResultDraft, validate_result


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
