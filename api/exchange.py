"""GET /api/v1/exchange/repairs[.csv]: repair decisions and automatic stops of publicity for the
authoritative platforms (修复结果共享; domain.exchange). Role `exchange` only (a system account:
`gongshi create-user --role exchange`); keyset pages by id, oldest first."""

from __future__ import annotations

import csv
import datetime as dt
import io

import msgspec
from litestar import Controller, Request, get
from litestar.params import Parameter
from litestar.response import Response

from api.deps import principal_of
from api.records import parse_since
from db import repair as repo
from domain.auth import require_role
from domain.exchange import DECISION_LABELS
from domain.pagination import page_size as check_page_size
from domain.spreadsheet import neutralise_row

CSV_COLUMNS = (
    "id",
    "at",
    "uscc",
    "entity_name",
    "result_id",
    "task_number",
    "department_code",
    "decision",
    "decision_label",
    "effective_on",
    "application_number",
    "legal_basis",
)


class ExchangeItem(msgspec.Struct):
    id: int  # pass the last one seen as `since` to get what follows
    at: dt.datetime
    uscc: str
    entity_name: str
    result_id: int
    task_number: str
    department_code: str
    decision: str  # repaired / expired / penalty_withdrawn
    decision_label: str
    effective_on: dt.date  # the first day the result is no longer public (Beijing time)
    application_number: str  # the approved application (repaired), else ""
    legal_basis: str


class ExchangePage(msgspec.Struct):
    items: list[ExchangeItem]
    # `since` for the next page; null when this page reached the end (poll again later with last_id).
    next_since: int | None
    last_id: int


def _item(r: dict) -> ExchangeItem:
    return ExchangeItem(
        id=r["id"],
        at=r["at"],
        uscc=r["uscc"],
        entity_name=r["entity_name"],
        result_id=r["result_id"],
        task_number=r["task_number"],
        department_code=r["department_code"],
        decision=r["decision"],
        decision_label=DECISION_LABELS.get(r["decision"], r["decision"]),
        effective_on=r["effective_on"],
        application_number=r["application_number"],
        legal_basis=r["legal_basis"],
    )


async def _page(request: Request, since: str | None, page_size: int | None) -> ExchangePage:
    require_role(principal_of(request), "exchange")
    size = check_page_size(page_size)
    at, after = parse_since(since)
    if at is not None:
        after = await repo.exchange_id_at(at)
    rows = await repo.exchange_rows(after or 0, size + 1)
    more = len(rows) > size
    rows = rows[:size]
    last = rows[-1]["id"] if rows else (after or 0)
    return ExchangePage(items=[_item(r) for r in rows], next_since=last if more else None, last_id=last)


SINCE = Parameter(default=None, description="an outbox id (rows after it) or an ISO 8601 time (rows from then on)")
SIZE = Parameter(default=None, description="1-100, default 20")


class ExchangeController(Controller):
    path = "/api/v1/exchange"
    tags = ["exchange"]

    @get("/repairs", summary="Repair approvals and automatic stops of publicity for the authoritative platforms")
    async def repairs(self, request: Request, since: str | None = SINCE, page_size: int | None = SIZE) -> ExchangePage:
        return await _page(request, since, page_size)

    @get("/repairs.csv", summary="The same page as CSV (UTF-8 with BOM; formula cells neutralised)")
    async def repairs_csv(
        self, request: Request, since: str | None = SINCE, page_size: int | None = SIZE
    ) -> Response[bytes]:
        page = await _page(request, since, page_size)
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(CSV_COLUMNS)
        for i in page.items:
            d = msgspec.to_builtins(i)
            w.writerow(neutralise_row([str(d[c]) for c in CSV_COLUMNS]))
        headers = {"Content-Disposition": 'attachment; filename="repair-exchange.csv"'}
        if page.next_since is not None:
            headers["X-Next-Since"] = str(page.next_since)
        return Response(("\ufeff" + buf.getvalue()).encode(), media_type="text/csv; charset=utf-8", headers=headers)
