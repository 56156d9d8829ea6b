"""Use cases for handling complaints (the API's /api/v1/admin/complaints and the back office's
/admin/complaints): load one for a handler, move it between states with its public note, add a
response note. Who may do what is domain.complaints (access_of, check_move, check_response); the
repository (`repo`, in practice db/complaints.py) is passed in."""

from __future__ import annotations

import datetime as dt
from typing import Any

from domain import complaints as rules
from domain.auth import Principal
from domain.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from domain.inbox import complaint_scope
from domain.pagination import decode_cursor, split_page
from domain.pagination import page_size as check_page_size


async def load(repo: Any, number: str) -> dict[str, Any]:
    """The complaint with this tracking number (422 for a malformed one, 404 for an unknown one);
    callers check access (rules.access_of)."""
    number = rules.parse_tracking_number(number)
    c: dict[str, Any] | None = await repo.get_complaint(number)
    if c is None:
        raise NotFound(f"没有编号为 {number} 的投诉 (no complaint {number})")
    return c


async def move(repo: Any, actor: Principal, number: str, to: str, note: str, referred_to: str | None) -> dict[str, Any]:
    """The supervisor's state change with its public note (a referral names the department it
    goes to); 409 when someone else moved the complaint first. Returns the complaint after."""
    c = await load(repo, number)
    referred = (referred_to or "").strip() or None
    rules.check_move(actor, c, to, note, referred)
    if referred and referred not in await repo.departments():
        raise ValidationFailed(
            "未知部门 (unknown department)",
            [FieldError("referred_to", f"未知部门代码 {referred!r} (unknown department code)")],
        )
    if not await repo.move(actor, c, to, note.strip(), referred, rules.ROLE_SUPERVISOR):
        raise Conflict("投诉状态已被他人更改，请刷新后重试 (someone else moved this complaint first; reload)")
    return await load(repo, number)


async def respond(repo: Any, actor: Principal, number: str, note: str) -> dict[str, Any]:
    """A public note without a state change (the supervisor, or the named department's response)."""
    c = await load(repo, number)
    role = rules.check_response(actor, c, note)
    await repo.add_note(actor, c, note.strip(), role)
    return c


async def handler_list(
    repo: Any,
    actor: Principal,
    status: str | None,
    overdue: bool | None,
    page_size: int | None,
    cursor: str | None,
    today: dt.date,
) -> tuple[list[dict[str, Any]], str | None]:
    """The complaints `actor` handles (supervisor: the region's) or answers (officer: naming or
    referred to the department), newest first, one keyset page (rows, next_cursor); `overdue`
    keeps only unanswered ones past their deadline."""
    if status and status not in rules.STATUSES:
        raise ValidationFailed(
            "未知状态 (unknown status)", [FieldError("status", f"one of {', '.join(rules.STATUSES)}")]
        )
    size = check_page_size(page_size)
    key = decode_cursor(cursor)
    region, dept = complaint_scope(actor)
    if region is None and dept is None:
        raise Forbidden("投诉处理仅限司法行政监督人员和执法部门 (complaints are for supervisors and departments)")
    rows = await repo.list_for(region, dept, status, today if overdue else None, key["id"] if key else None, size + 1)
    return split_page(rows, size)
