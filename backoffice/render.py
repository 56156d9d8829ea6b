"""admin_page(): the portal's page() with what every back-office page shows (who is signed in,
the breadcrumbs, the section), never cached."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Request
from litestar.response import Template

from domain.auth import Principal
from domain.repair import SHANGHAI
from portal.labels import N_
from portal.render import page

ROLE_LABELS = {
    "officer": N_("执法人员"),
    "admin": N_("管理员"),
    "supervisor": N_("监督人员"),
    "enterprise": N_("企业"),
    "exchange": N_("数据交换账号"),
}
NO_STORE = {"Cache-Control": "no-store"}


def admin_page(
    request: Request,
    template: str,
    staff: Principal | None,
    *,
    section: str = "",
    crumbs: list[tuple[str, str]] | None = None,
    status_code: int = 200,
    **context: Any,
) -> Template:
    t = page(
        request,
        template,
        status_code=status_code,
        staff=staff,
        section=section,
        crumbs=crumbs or [],
        role_labels=ROLE_LABELS,
        **context,
    )
    t.headers.update(NO_STORE)
    return t


def local_time(value: dt.datetime | str | None) -> str:
    """A stored moment as the officers read it: Beijing time to the minute ("" for none). ISO
    strings (job files, SQLite's raw rows) are read first; anything else is shown as it is."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return str(value)
    if value is None:
        return ""
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
