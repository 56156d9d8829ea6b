"""The back office's inbox (待办): what a staff member must act on now, each item with the
deadline that is running, its working-day countdown and whether it has passed; oldest deadline
first, overdue ones on top. Scoped as the API lists are: officers and administrators see their
department's repair applications and objections and the complaints naming (or referred to) the
department; supervisors the complaints of their region.

Deadlines come from the records (set by the repair rules and the complaint rules when the record
was filed or moved); which one runs, and whether it has passed, is decided by the rule modules
(domain.repair.application_overdue / objection_overdue, domain.complaints.is_overdue)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from domain import complaints as complaint_rules
from domain import repair as repair_rules
from domain.auth import Principal
from domain.regions import region_range
from domain.workdays import working_days_between

SHOWN = 50  # items listed per queue; the count covers all of them


@dataclass(frozen=True)
class Item:
    kind: str  # application / objection / complaint
    number: str
    href: str
    subject: str  # whom it is about (USCC, enterprise)
    status: str
    deadline: dt.date | None  # the running deadline; None while the clock is stopped
    days_left: int | None  # working days until the deadline (negative: overdue by)
    overdue: bool


@dataclass
class Queue:
    key: str  # applications / objections / complaints
    count: int = 0
    items: list[Item] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(1 for i in self.items if i.overdue)


def countdown(deadline: dt.date | None, today: dt.date) -> int | None:
    """Working days left until `deadline` (0 on the day itself), negative once it has passed."""
    if deadline is None:
        return None
    if deadline >= today:
        return working_days_between(today, deadline)
    return -max(1, working_days_between(deadline, today))


def application_deadline(a: dict[str, Any]) -> dt.date | None:
    """Acceptance while submitted, the decision once accepted; none while materials are awaited."""
    if a["status"] == "submitted":
        d: dt.date | None = a["accept_by"]
        return d
    if a["status"] == "accepted":
        d = a["decide_by"]
        return d
    return None


def objection_deadline(o: dict[str, Any]) -> dt.date | None:
    if o["status"] == "submitted":
        d: dt.date | None = o["verify_by"]
        return d
    if o["status"] == "confirmed":
        d = o["correct_by"]
        return d
    return None


def _sorted(items: list[Item]) -> list[Item]:
    far = dt.date.max
    return sorted(items, key=lambda i: (not i.overdue, i.deadline or far, i.number))


def application_item(a: dict[str, Any], today: dt.date) -> Item:
    deadline = application_deadline(a)
    flags = repair_rules.application_overdue(a["status"], a["accept_by"], a["decide_by"], today)
    return Item(
        "application",
        a["number"],
        f"/admin/repair-applications/{a['number']}",
        a["uscc"],
        a["status"],
        deadline,
        countdown(deadline, today),
        bool(flags),
    )


def objection_item(o: dict[str, Any], today: dt.date) -> Item:
    deadline = objection_deadline(o)
    flags = repair_rules.objection_overdue(o["status"], o["verify_by"], o["correct_by"], today)
    return Item(
        "objection",
        o["number"],
        f"/admin/objections/{o['number']}",
        o["uscc"],
        o["status"],
        deadline,
        countdown(deadline, today),
        bool(flags),
    )


def complaint_item(c: dict[str, Any], today: dt.date) -> Item:
    open_ = c["status"] in complaint_rules.OPEN
    deadline = c["respond_by"] if open_ else None
    return Item(
        "complaint",
        c["number"],
        f"/admin/complaints/{c['number']}",
        f"{c['enterprise_name']}（{c['uscc']}）",
        c["status"],
        deadline,
        countdown(deadline, today),
        complaint_rules.is_overdue(c["status"], c["respond_by"], today),
    )


def complaint_scope(p: Principal) -> tuple[tuple[str, str] | None, str | None]:
    """(region range, department) of the complaints `p` handles or answers; (None, None): none."""
    if p.role == "supervisor" and p.region_code:
        return region_range(p.region_code), None
    if p.role in ("officer", "admin") and p.department_code:
        return None, p.department_code
    return None, None


async def inbox(repair_repo: Any, complaint_repo: Any, actor: Principal, today: dt.date) -> list[Queue]:
    """The queues for `actor`: repair applications and objections (officers and administrators),
    complaints (supervisors: of the region; officers: naming the department)."""
    queues: list[Queue] = []
    if actor.role in ("officer", "admin") and actor.department_code:
        dept = actor.department_code
        pending = sorted(repair_rules.APPLICATION_PENDING)
        apps = await repair_repo.list_applications(dept, pending, None, 1000)
        queues.append(
            Queue(
                "applications",
                await repair_repo.count_applications(dept, pending),
                _sorted([application_item(a, today) for a in apps])[:SHOWN],
            )
        )
        open_objections = sorted(repair_rules.OBJECTION_PENDING)
        objs = await repair_repo.list_objections(dept, open_objections, None, 1000)
        queues.append(
            Queue(
                "objections",
                await repair_repo.count_objections(dept, open_objections),
                _sorted([objection_item(o, today) for o in objs])[:SHOWN],
            )
        )
    region, dept_ = complaint_scope(actor)
    if region is not None or dept_ is not None:
        open_c = list(complaint_rules.OPEN)
        rows = await complaint_repo.open_for(region, dept_, open_c, 1000)
        queues.append(
            Queue(
                "complaints",
                await complaint_repo.count_for(region, dept_, open_c),
                _sorted([complaint_item(c, today) for c in rows])[:SHOWN],
            )
        )
    return queues
