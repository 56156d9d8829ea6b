"""/admin/: the inbox (domain.inbox.inbox) — each queue with its count, its items oldest
deadline first with the working-day countdown and the overdue flag."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.di import NamedDependency, Provide
from litestar.response import Template

from api.repair import now_of
from backoffice.labels import ITEM_STATUS_LABELS, QUEUE_LABELS
from backoffice.render import admin_page
from backoffice.session import PREFIX, require_staff
from db import complaints as complaint_repo
from db import repair as repair_repo
from domain import inbox as rules
from domain.auth import Principal
from domain.repair import local_date


class InboxController(Controller):
    path = PREFIX
    dependencies = {"staff": Provide(require_staff)}

    @get("/", name="admin:inbox")
    async def inbox(self, request: Request, staff: NamedDependency[Principal]) -> Template:
        today = local_date(now_of(request))
        queues = await rules.inbox(repair_repo, complaint_repo, staff, today)
        return admin_page(
            request,
            "admin/inbox.html",
            staff,
            section="inbox",
            queues=queues,
            today=today,
            queue_labels=QUEUE_LABELS,
            status_labels=ITEM_STATUS_LABELS,
        )
