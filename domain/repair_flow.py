"""Use cases for credit repair and objections. They receive a repository (`repo`, in practice
db/repair.py plus `get_result`), the clock (`now`) and the file settings as arguments."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import Any

from domain import categories, letters
from domain import repair as rules
from domain.auth import Principal, require_department, require_own_uscc, require_role
from domain.errors import Collector, Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from domain.evidence import FileIn, check_files
from domain.masking import public_entity_name
from domain.pagination import decode_cursor, split_page
from domain.pagination import page_size as check_page_size
from domain.periods import latest_event_with_run_period
from domain.results import CHECK_FIELDS, published_late
from domain.workdays import CalendarNotCovered, working_days_between

SHANGHAI = rules.SHANGHAI
local_date = rules.local_date
SYSTEM = Principal(username="system:withdraw-expired", role="system")
MAX_TEXT = 4000


async def rule_for(repo: Any, row: dict[str, Any], all_rules: list[rules.Rule] | None = None) -> rules.Rule:
    """The repair rule for a result: by the publishing department's region and its parents
    (谁公示、谁修复), and the result's check field."""
    region = rules.rule_region(row["department_code"], await repo.department_region(row["department_code"]))
    return rules.pick_rule(all_rules if all_rules is not None else await repo.load_rules(), region, row["check_field"])


async def result_publicity(repo: Any, row: dict[str, Any]) -> rules.Publicity:
    """For anyone reading a public result: until when it stays public and from when its enterprise
    may apply for repair, by the rule that applies to it."""
    return rules.publicity(row["published_on"], await rule_for(repo, row))


async def public_profiles(repo: Any) -> list[rules.Profile]:
    """Every repair-rule profile with its source, for anyone (GET /api/v1/repair-rules, /repair/rules)."""
    return rules.profiles(await repo.load_rules())


def facts(row: dict[str, Any]) -> rules.ResultFacts:
    return rules.ResultFacts(
        row["id"],
        row["uscc"],
        bool(row["negative"]),
        row["disclosure"],
        row["published_on"],
        row["region_code"],
        row["check_field"],
        row["department_code"],
    )


async def _own_result(repo: Any, actor: Principal, result_id: int) -> dict[str, Any]:
    require_role(actor, "enterprise")
    row = await repo.get_result(result_id)
    if row is None:
        raise NotFound(f"没有编号为 {result_id} 的检查结果 (no result {result_id})")
    require_own_uscc(actor, row["uscc"])
    return row


async def check_eligibility(
    repo: Any, actor: Principal, result_id: int, today: dt.date
) -> tuple[dict[str, Any], rules.Rule, rules.Eligibility]:
    row = await _own_result(repo, actor, result_id)
    rule = await rule_for(repo, row)
    pending = await repo.pending_application_exists(result_id)
    return row, rule, rules.eligibility(facts(row), rule, today, pending)


def _text(c: Collector, name: str, value: str, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        c.add(name, "不能为空 (required)")
    elif len(value) > MAX_TEXT:
        c.add(name, f"最多 {MAX_TEXT} 字 (at most {MAX_TEXT} characters)")
    return value


async def apply(
    repo: Any,
    actor: Principal,
    result_id: int,
    reason: str,
    commitment_accepted: bool,
    files: list[FileIn],
    now: dt.datetime,
    files_dir: str,
    max_bytes: int,
    contact: str = "",
) -> dict[str, Any]:
    """File an application: 403 for another's result, 422 for bad fields or not yet eligible
    (with earliest_on), 409 when one is pending. Nothing is stored unless all of it is."""
    today = local_date(now)
    row = await _own_result(repo, actor, result_id)
    c = Collector()
    reason = _text(c, "reason", reason)
    contact = _text(c, "applicant_contact", contact, required=False)[:100]
    if commitment_accepted is not True:
        c.add("commitment_accepted", "须接受守信承诺 (the 守信承诺 must be accepted)")
    _check_kinds(c, files, "attachments")
    evidence, errs = check_files(files, max_bytes)
    c.errors.extend(errs)
    rule = await rule_for(repo, row)
    missing = rules.missing_materials(rule.required_materials, [f.kind for f in evidence]) if not errs else []
    if missing:
        names = "、".join(rules.materials_label(m) for m in missing)
        c.add("attachments", f"缺少材料：{names} (missing materials: {', '.join(missing)})")
        c.raise_if_any(missing_materials=missing)
    c.raise_if_any()
    pending = await repo.pending_application_exists(result_id)
    elig = rules.eligibility(facts(row), rule, today, pending)
    if pending:
        raise Conflict(
            "该结果已有待处理的修复申请 (an application for this result is already pending)",
            [FieldError("result_id", "an application for this result is pending")],
        )
    if not elig.eligible:
        raise ValidationFailed(
            "尚不符合信用修复条件 (the result cannot be repaired yet): " + "; ".join(r.message for r in elig.reasons),
            [FieldError("result_id", r.message) for r in elig.reasons],
            earliest_on=elig.earliest_on,
            reasons=[r.code for r in elig.reasons],
        )
    accept_by = rules.accept_by(today, rule)
    number = rules.new_number("XF", today)
    await repo.insert_application(
        {
            "number": number,
            "result_id": result_id,
            "pending_result_id": result_id,
            "uscc": row["uscc"],
            "applicant": actor.username,
            "applicant_contact": contact,
            "department_code": row["department_code"],
            "reason": reason,
            "commitment_accepted": True,
            "commitment_text": rules.COMMITMENT_TEXT,
            "status": "submitted",
            "submitted_at": now,
            "accept_by": accept_by,
            "decide_by": None,  # runs from acceptance (自受理之日起): unknown until then
        },
        evidence,
        actor,
        files_dir,
        now,
    )
    return {"number": number, "status": "submitted", "accept_by": accept_by, "decide_by": None}


def _check_kinds(c: Collector, files: list[FileIn], field: str) -> None:
    unknown = sorted({str(f[2]) for f in files if len(f) > 2 and f[2] not in rules.MATERIAL_KINDS})
    if unknown:
        c.add(
            field,
            f"未知的材料类型 {', '.join(unknown)} (unknown material kind; one of {', '.join(rules.MATERIAL_KINDS)})",
        )


def can_see(actor: Principal, uscc: str, department_code: str) -> bool:
    """Only the applicant enterprise and the deciding department (谁公示、谁修复)."""
    if actor.role == "enterprise":
        return actor.uscc == uscc
    return actor.role in ("officer", "admin") and actor.department_code == department_code


async def application_for(repo: Any, actor: Principal, number: str) -> dict[str, Any]:
    app = await repo.get_application(number)
    if app is None:
        raise NotFound(f"没有编号为 {number} 的修复申请 (no application {number})")
    if not can_see(actor, app["uscc"], app["department_code"]):
        raise Forbidden("只有申请企业和作出决定的部门可以查看 (only the applicant and the deciding department see it)")
    return app


async def add_files(
    repo: Any,
    actor: Principal,
    number: str,
    files: list[FileIn],
    now: dt.datetime,
    files_dir: str,
    max_bytes: int,
) -> dict[str, Any]:
    """The applicant adds files to a pending application. While the department awaits materials
    (一次性告知补正) the files are the materials asked for: the application goes back to
    `submitted` and the acceptance clock starts again on the day they arrive."""
    app = await application_for(repo, actor, number)
    require_own_uscc(actor, app["uscc"])
    if app["status"] not in rules.APPLICATION_PENDING:
        label = rules.APPLICATION_STATUS_LABELS.get(app["status"], app["status"])
        raise Conflict(
            f"申请已办结（{label}），不能补充材料 (the application is {app['status']}: no more files)",
            current_status=app["status"],
        )
    c = Collector()
    if not files:
        c.add("files", "至少上传一个文件 (at least one file)")
    _check_kinds(c, files, "files")
    evidence, errs = check_files(files, max_bytes, field="files")
    c.errors.extend(errs)
    c.raise_if_any()
    supplied = None
    if app["status"] == rules.AWAITING_MATERIALS:
        rule = await _rule_for_application(repo, app)
        allowed, to = rules.SUPPLY_MATERIALS
        supplied = (allowed, to, rules.accept_by(local_date(now), rule))
    await repo.add_application_files(app, evidence, actor, files_dir, now, supplied=supplied)
    return await repo.get_application(number)


async def _rule_for_application(repo: Any, app: dict[str, Any]) -> rules.Rule:
    row = await repo.get_result(app["result_id"])
    if row is None:  # results are never deleted; a missing one is a broken database
        raise NotFound(f"没有编号为 {app['result_id']} 的检查结果 (no result {app['result_id']})")
    return await rule_for(repo, row)


DEFAULT_NOTES = {
    "accept": "予以受理 (accepted)",
    "approve": "准予信用修复 (approved)",
}


def decision_step(status: str, action: str, reason: str) -> tuple[str, str]:
    """(the status `action` leads to from `status`, the reason as it will be stored): NotFound for
    an unknown action, Conflict when the step is not open from `status`, ValidationFailed when a
    reason is required (rules.REASON_REQUIRED) and missing, or too long. decide() checks with it;
    the back office's confirmation step checks with it before anything is done."""
    to = rules.transition(rules.APPLICATION_ACTIONS, action, status, rules.APPLICATION_STATUS_LABELS)
    c = Collector()
    reason = _text(c, "reason", reason, required=(action in rules.REASON_REQUIRED))
    c.raise_if_any()
    return to, reason or DEFAULT_NOTES.get(action, "")


async def decide(
    repo: Any, actor: Principal, number: str, action: str, reason: str, now: dt.datetime
) -> dict[str, Any]:
    """One step of the procedure by the deciding department (谁公示、谁修复): accept, decline,
    request-materials, approve, reject. Accepting starts the decision clock (decide_by from the day
    of acceptance); asking for materials stops the acceptance clock (accept_by unknown until they
    arrive)."""
    app = await repo.get_application(number)
    if app is None:
        raise NotFound(f"没有编号为 {number} 的修复申请 (no application {number})")
    require_department(actor, app["department_code"])
    to, reason = decision_step(app["status"], action, reason)
    today = local_date(now)
    result = await repo.get_result(app["result_id"])
    if result is None:  # results are never deleted; a missing one is a broken database
        raise NotFound(f"没有编号为 {app['result_id']} 的检查结果 (no result {app['result_id']})")
    rule = await rule_for(repo, result)
    deadlines: dict[str, dt.date | None] = {}
    if action == "accept":
        deadlines["decide_by"] = rules.decide_by(today, rule)
    elif action == "request-materials":
        deadlines["accept_by"] = None
    letter = letters.compose(
        action,
        await letter_facts(repo, app, result),
        reason,
        today,
        decide_by=deadlines.get("decide_by"),
        decide_days=rule.decide_days,
    )
    allowed, _ = rules.APPLICATION_ACTIONS[action]
    if not await repo.decide_application(
        app, action, allowed, to, actor, reason, now, deadlines=deadlines, letter=letter.to_json()
    ):
        fresh = await repo.get_application(number)
        raise Conflict(
            f"申请已被处理，当前状态 {fresh['status']} (the application was decided meanwhile: {fresh['status']})",
            current_status=fresh["status"],
        )
    return await repo.get_application(number)


async def letter_facts(repo: Any, app: dict[str, Any], result: dict[str, Any]) -> letters.LetterFacts:
    """What a letter of this application says about the case: the enterprise under its registered
    name (the letter goes to the enterprise itself, so the name is not masked), the deciding
    department's full name, the result concerned."""
    entity = await repo.get_entity(app["uscc"])
    names = await repo.department_names([app["department_code"]])
    labels = []
    for code in filter(None, result["category_codes"].split(",")):
        try:
            labels.append(categories.lookup(code).label)
        except KeyError:
            labels.append(code)
    return letters.LetterFacts(
        application_number=app["number"],
        submitted_on=local_date(app["submitted_at"]),
        uscc=app["uscc"],
        enterprise_name=entity["name"] if entity else result["entity_name"],
        department_name=names.get(app["department_code"], app["department_code"]),
        result_id=result["id"],
        task_number=result["task_number"],
        published_on=result["published_on"],
        category_labels=labels,
    )


async def application_letters(repo: Any, actor: Principal, number: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """An application's letters, for the applicant and the deciding department only (404/403 as
    for the application itself)."""
    app = await application_for(repo, actor, number)
    return app, await repo.letters_of(app["id"])


async def application_letter(repo: Any, actor: Principal, number: str, letter_number: str) -> dict[str, Any]:
    _app, rows = await application_letters(repo, actor, number)
    for row in rows:
        if row["number"] == letter_number:
            return row
    raise NotFound(f"申请 {number} 没有文书 {letter_number} (no letter {letter_number})")


def application_statuses(raw: str | None) -> list[str] | None:
    """A comma-separated status filter (None: every status); 422 naming `status` for unknown ones."""
    if not raw:
        return None
    out = [s.strip() for s in raw.split(",") if s.strip()]
    allowed = rules.APPLICATION_STATUSES
    if any(s not in allowed for s in out):
        raise ValidationFailed("unknown status", [FieldError("status", f"one of {', '.join(sorted(allowed))}")])
    return out


async def department_applications(
    repo: Any,
    actor: Principal,
    statuses: list[str] | None,
    overdue: bool | None,
    page_size: int | None,
    cursor: str | None,
    today: dt.date,
) -> tuple[list[dict[str, Any]], str | None]:
    """The deciding department's applications, newest first, one keyset page (rows, next_cursor)
    — the API's admin list and the back office's. With `overdue`, only those whose running
    deadline has (True) or has not (False) passed, the page filled from as many rows as it takes."""
    require_role(actor, "officer", "admin")
    size = check_page_size(page_size)
    key = decode_cursor(cursor)
    after = key["id"] if key else None
    if overdue is None:
        rows = await repo.list_applications(actor.department_code, statuses, after, size + 1)
        return split_page(rows, size)
    found: list[dict[str, Any]] = []
    while True:
        batch = await repo.list_applications(actor.department_code, statuses, after, 200)
        for a in batch:
            flags = rules.application_overdue(a["status"], a["accept_by"], a["decide_by"], today)
            if bool(flags) == overdue:
                found.append(a)
                if len(found) > size:
                    return split_page(found, size)
        if len(batch) < 200:
            return found, None
        after = batch[-1]["id"]


# -- objections ---------------------------------------------------------------------------


async def file_objection(
    repo: Any,
    actor: Principal,
    result_id: int,
    reason: str,
    files: list[FileIn],
    now: dt.datetime,
    files_dir: str,
    max_bytes: int,
) -> dict[str, Any]:
    today = local_date(now)
    row = await _own_result(repo, actor, result_id)
    c = Collector()
    reason = _text(c, "reason", reason)
    evidence, errs = check_files(files, max_bytes)
    c.errors.extend(errs)
    if row["disclosure"] != "public":
        c.add("result_id", "该结果已停止公示 (the result is no longer public)")
    c.raise_if_any()
    # Checked before any file is written; the unique pending_result_id still settles races (409).
    if (await repo.pending_objections([result_id])).get(result_id):
        raise Conflict(
            "该结果已有待处理的异议 (an objection to this result is already pending)",
            [FieldError("result_id", "an objection to this result is pending")],
        )
    rule = await rule_for(repo, row)
    verify_by = rules.objection_verify_by(today, rule)
    number = rules.new_number("YY", today)
    await repo.insert_objection(
        {
            "number": number,
            "result_id": result_id,
            "pending_result_id": result_id,
            "uscc": row["uscc"],
            "applicant": actor.username,
            "department_code": row["department_code"],
            "reason": reason,
            "status": "submitted",
            "submitted_at": now,
            "verify_by": verify_by,
        },
        evidence,
        actor,
        files_dir,
        now,
    )
    return {"number": number, "status": "submitted", "verify_by": verify_by}


async def objection_target(
    repo: Any, actor: Principal, result_id: int
) -> tuple[dict[str, Any], rules.ObjectionEligibility]:
    """The result an enterprise is about to dispute and whether it may now (the portal's form).
    Another enterprise's result answers exactly as an unknown one (404), as its objections do."""
    require_role(actor, "enterprise")
    row = await repo.get_result(result_id)
    if row is None or not actor.uscc or row["uscc"] != actor.uscc:
        raise NotFound(f"没有编号为 {result_id} 的检查结果 (no result {result_id})")
    pending = (await repo.pending_objections([result_id])).get(result_id)
    return row, rules.objection_eligibility(row["disclosure"], pending)


async def objection_eligibilities(
    repo: Any, actor: Principal, rows: list[dict[str, Any]]
) -> list[rules.ObjectionEligibility]:
    """For the enterprise's own result rows (one query for the pending objections of all of them)."""
    require_role(actor, "enterprise")
    pending = await repo.pending_objections([r["id"] for r in rows])
    for r in rows:
        require_own_uscc(actor, r["uscc"])
    return [rules.objection_eligibility(r["disclosure"], pending.get(r["id"])) for r in rows]


async def _objection(repo: Any, actor: Principal, number: str) -> dict[str, Any]:
    obj = await repo.get_objection(number)
    if obj is None:
        raise NotFound(f"没有编号为 {number} 的异议 (no objection {number})")
    require_department(actor, obj["department_code"])
    return obj


async def own_applications(
    repo: Any, actor: Principal, page_size: int | None, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """The signed-in enterprise's own repair applications (by its USCC), newest first, one keyset
    page: (rows, next_cursor)."""
    require_role(actor, "enterprise")
    size = check_page_size(page_size)
    key = decode_cursor(cursor)
    rows = await repo.applications_of_uscc(actor.uscc, key["id"] if key else None, size + 1)
    return split_page(rows, size)


async def own_objections(
    repo: Any, actor: Principal, page_size: int | None, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """The signed-in enterprise's own objections (by its USCC), newest first, one keyset page:
    (rows, next_cursor). Only enterprises have a list of their own (officers use the admin list)."""
    require_role(actor, "enterprise")
    size = check_page_size(page_size)
    key = decode_cursor(cursor)
    rows = await repo.objections_of_uscc(actor.uscc, key["id"] if key else None, size + 1)
    return split_page(rows, size)


async def objection_for(repo: Any, actor: Principal, number: str) -> dict[str, Any]:
    """One objection for its enterprise or its deciding department: 404 for an unknown number and,
    identically, for another enterprise's; 403 for other officers (rules.objection_visibility)."""
    obj = await repo.get_objection(number)
    seen = rules.NOT_FOUND if obj is None else rules.objection_visibility(actor, obj["uscc"], obj["department_code"])
    if seen == rules.NOT_FOUND:
        raise NotFound(f"没有编号为 {number} 的异议 (no objection {number})")
    if seen == rules.FORBIDDEN:
        raise Forbidden(
            "只有提出异议的企业和作出决定的部门可以查看 (only the objecting enterprise and the deciding "
            "department see it)"
        )
    return obj


async def decide_objection(
    repo: Any, actor: Principal, number: str, action: str, note: str, now: dt.datetime
) -> dict[str, Any]:
    obj = await _objection(repo, actor, number)
    to = rules.transition({k: v for k, v in rules.OBJECTION_ACTIONS.items() if k != "correct"}, action, obj["status"])
    c = Collector()
    note = _text(c, "note", note, required=(action == "reject"))
    c.raise_if_any()
    correct_by = None
    if to == "confirmed":
        row = await repo.get_result(obj["result_id"])
        rule = await rule_for(repo, row)
        correct_by = rules.objection_correct_by(local_date(now), rule)
    allowed, _ = rules.OBJECTION_ACTIONS[action]
    if not await repo.decide_objection(
        obj, action, allowed, to, actor, note or "异议属实 (confirmed)", now, correct_by
    ):
        raise Conflict("异议已被处理 (the objection was decided meanwhile)")
    return await repo.get_objection(number)


def corrected_values(old: dict[str, Any], raw: dict[str, Any], entity: dict[str, Any] | None = None) -> dict[str, Any]:
    """Validate an officer's correction; returns the changed Result columns (422 naming fields).
    A corrected entity name is published masked as every other one is (domain.masking, with the
    register entry `entity` of the result's USCC when there is one)."""
    c = Collector()
    out: dict[str, Any] = {}
    if raw.get("categories") is not None:
        try:
            cats = categories.parse_codes([str(x) for x in raw["categories"]])
            if not cats:
                raise KeyError("至少需要一个结果类别 (at least one category)")
            codes = [x.code for x in cats]
            out["category_codes"] = ",".join(codes)
            out["negative"] = categories.is_negative(codes)
        except KeyError as e:
            c.add("categories", e.args[0])
    for name in ("follow_up", "penalty_decision_number", "entity_name"):
        if raw.get(name) is not None:
            out[name] = str(raw[name]).strip()[:200]
    if raw.get("entity_name") is not None:
        if not out["entity_name"]:
            c.add("entity_name", "不能为空 (required)")
        kind, operator = (entity["kind"], entity["operator_name"]) if entity else (old.get("entity_kind", ""), "")
        out["entity_name"] = public_entity_name(out["entity_name"], kind, operator, old["uscc"])
    if raw.get("check_field") is not None:
        if raw["check_field"] not in CHECK_FIELDS:
            c.add("check_field", f"one of {', '.join(CHECK_FIELDS)}")
        out["check_field"] = raw["check_field"]
    if raw.get("inspected_on") is not None:
        out["inspected_on"] = raw["inspected_on"]
        out["year"] = raw["inspected_on"].year
        if raw["inspected_on"] > old["published_on"]:
            c.add("inspected_on", "检查日期不能晚于公示日期 (inspected_on is after published_on)")
    changed = {k: v for k, v in out.items() if old.get(k) != v}
    if "inspected_on" in changed:
        # The publication date stays (the periods run from it); whether it was late may change.
        changed["published_late"] = published_late(changed["inspected_on"], old["published_on"])
    if not c.errors and not changed:
        c.add("categories", "更正内容与原结果相同 (the correction changes nothing)")
    c.raise_if_any()
    return changed


def correction_step(
    status: str, old: dict[str, Any], raw: dict[str, Any], note: str, entity: dict[str, Any] | None = None
) -> tuple[str, dict[str, Any]]:
    """(the note as stored, the changed Result columns) for a correction of `old`: Conflict when
    the objection's status does not allow it, 422 naming the fields otherwise wrong. What
    correct_objection publishes, and what the back office previews before it does."""
    rules.transition(rules.OBJECTION_ACTIONS, "correct", status)
    c = Collector()
    note = _text(c, "note", note)
    c.raise_if_any()
    return note, corrected_values(old, raw, entity)


async def correct_objection(
    repo: Any, actor: Principal, number: str, raw: dict[str, Any], note: str, now: dt.datetime
) -> dict[str, Any]:
    obj = await _objection(repo, actor, number)
    old = await repo.get_result(obj["result_id"])
    note, values = correction_step(obj["status"], old, raw, note, await repo.get_entity(old["uscc"]))
    rule = await rule_for(repo, old)
    correct_by = obj["correct_by"] or rules.objection_correct_by(local_date(now), rule)
    allowed, _ = rules.OBJECTION_ACTIONS["correct"]
    new_id = await repo.correct_objection(obj, allowed, old, values, actor, note, now, correct_by)
    if new_id is None:
        raise Conflict("异议已被处理 (the objection was decided meanwhile)")
    return await repo.get_objection(number)


# -- automatic stop -----------------------------------------------------------------------


async def withdraw_expired(repo: Any, now: dt.datetime) -> dict[str, int]:
    """Results past their maximum period, and results whose linked penalty is no longer public.
    Conditional updates make a second run (or a second worker) change nothing."""
    today = local_date(now)
    all_rules = await repo.load_rules()
    expired: list[int] = []
    if all_rules:
        # No result published after `bound` can have run its maximum under any rule (the shortest
        # maximum gives the latest bound); the exact test per result is expires_on() below.
        bound = max(latest_event_with_run_period(today, r.max_months) for r in all_rules)
        regions = await repo.department_regions()
        for r in await repo.public_published_on_or_before(bound):
            region = rules.rule_region(r["department_code"], regions.get(r["department_code"]))
            rule = rules.pick_rule(all_rules, region, r["check_field"])
            if rules.expires_on(r["published_on"], rule) <= today:
                expired.append(r["id"])
    done_expired = await repo.withdraw_results(sorted(expired), "expired", SYSTEM, "公示期满 (maximum period)", now)
    penalty = await repo.public_with_withdrawn_penalty()
    done_penalty = await repo.withdraw_results(
        penalty, "penalty_withdrawn", SYSTEM, "关联处罚已停止公示 (linked penalty withdrawn)", now
    )
    return {"expired": len(done_expired), "penalty_withdrawn": len(done_penalty)}


# -- public figures -----------------------------------------------------------------------


@dataclass
class DepartmentFigures:
    department_code: str
    applications: int = 0
    approvals: int = 0
    rejections: int = 0
    pending: int = 0
    moot: int = 0  # closed because the result stopped being public another way: neither decided nor pending
    median_working_days_to_decide: float | None = None
    declined: int = 0  # 不予受理: refused at acceptance, not decided on its merits


def figures(rows: list[dict[str, Any]]) -> list[DepartmentFigures]:
    """Counts and the median working days from submission to decision, per department. A moot
    application counts as an application, not as pending, approved or rejected, nor in the median."""
    by: dict[str, DepartmentFigures] = {}
    days: dict[str, list[int]] = {}
    for r in rows:
        f = by.setdefault(r["department_code"], DepartmentFigures(r["department_code"]))
        f.applications += 1
        if r["status"] == "approved":
            f.approvals += 1
        elif r["status"] == "rejected":
            f.rejections += 1
        elif r["status"] == rules.DECLINED:
            f.declined += 1
        elif r["status"] == rules.MOOT:
            f.moot += 1
        else:
            f.pending += 1
        if r["status"] in ("approved", "rejected") and r["decided_at"] is not None:
            try:
                d = working_days_between(local_date(r["submitted_at"]), local_date(r["decided_at"]))
            except CalendarNotCovered:
                continue
            days.setdefault(r["department_code"], []).append(d)
    for code, ds in days.items():
        by[code].median_working_days_to_decide = float(statistics.median(ds))
    return sorted(by.values(), key=lambda f: f.department_code)


async def add_rule_profile(
    repo: Any, actor: Principal, jurisdiction: str, source: str, raws: list[dict[str, Any]], now: dt.datetime
) -> list[rules.Rule]:
    """An administrator adds a jurisdiction's own rule profile (POST /api/v1/admin/repair-rules
    and the back office's /admin/repair-rules/new): every rule checked, all stored or none."""
    require_role(actor, "admin")
    profile, errs = rules.validate_profile(jurisdiction, source, raws)
    if errs:
        raise ValidationFailed("规则无效，未保存 (invalid rules; nothing was saved)", errs)
    await repo.insert_rules(profile, actor, now)
    return profile
