"""Credit repair (信用修复) rules: which rule applies, when a result may be repaired, when its
publicity ends by itself, the application and objection state machines and their deadlines,
which pending applications a withdrawal makes moot, what becomes of a pending objection whose
result stops being public, and who may follow an objection.

Plain functions over plain data; periods and deadlines come from the rule table (configuration),
never from constants here.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any

from domain.auth import Principal
from domain.errors import Conflict, FieldError, NotFound
from domain.periods import first_day_after
from domain.results import CHECK_FIELDS
from domain.workdays import add_working_days, is_provisional

ANY = "*"


# The materials of a repair application (DOMAIN.md "Stopping publicity", Materials; the SAMR
# credit-repair measures of 2021 list the same: 信用修复申请书, 守信承诺书, 履行法定义务/纠正违法行为的材料,
# and the applicant's identity or an authorisation).
MATERIAL_KINDS = {
    "application": "信用修复申请书",
    "commitment": "守信承诺书",
    "correction": "整改材料",
    "identity": "身份证明",
    "authorisation": "授权委托书",
    "other": "其他材料",
}
MATERIAL_HINTS = {
    "application": "企业盖章的信用修复申请书，写明申请修复的检查结果和理由",
    "commitment": "企业盖章的守信承诺书，内容与本页下方的承诺文本一致",
    "correction": "已经整改、履行法定义务的证明材料，例如整改报告、现场照片、补报的年度报告",
    "identity": "法定代表人的身份证明",
    "authorisation": "由他人代为办理时，企业盖章的授权委托书和受托人身份证明",
    "other": "其他需要说明的材料（可不提供）",
}
# Each entry is one kind, or alternatives joined by '|' (either suffices).
DEFAULT_REQUIRED_MATERIALS: tuple[str, ...] = ("application", "commitment", "correction", "identity|authorisation")

# The 守信承诺 the enterprise accepts, shown in full and stored with the application.
COMMITMENT_TEXT = (
    "本企业郑重承诺：所提交的信用修复申请材料真实、准确、完整，不存在隐瞒、虚构或者伪造的情形；"
    "已经纠正失信行为、履行法定义务；今后将严格遵守法律法规，依法诚信经营，自觉接受政府、行业组织、"
    "社会公众和新闻舆论的监督。如违反上述承诺，愿意依法承担相应责任，并同意将违反承诺的情况记入信用记录。"
)


def materials_label(entry: str) -> str:
    """信用修复申请书, or 身份证明或授权委托书 for alternatives."""
    return "或".join(MATERIAL_KINDS.get(k, k) for k in entry.split("|"))


def missing_materials(required: tuple[str, ...], given: list[str]) -> list[str]:
    """The required entries none of whose kinds was given, in the profile's order."""
    have = set(given)
    return [entry for entry in required if not have.intersection(entry.split("|"))]


def parse_required_materials(value: str) -> tuple[str, ...]:
    """The stored form (comma-separated entries) back to a tuple; unknown kinds are dropped."""
    out = []
    for entry in (value or "").split(","):
        kinds = [k.strip() for k in entry.split("|") if k.strip() in MATERIAL_KINDS]
        if kinds:
            out.append("|".join(kinds))
    return tuple(out)


@dataclass(frozen=True)
class Rule:
    jurisdiction: str  # region code, or '*' for the national default
    check_field: str  # a check field, or '*'
    min_months: int
    max_months: int
    accept_days: int
    decide_days: int
    objection_days: int
    source: str = ""
    required_materials: tuple[str, ...] = DEFAULT_REQUIRED_MATERIALS


def jurisdictions_for(region_code: str) -> list[str]:
    """Most specific first: the region itself, its city, its province (GB/T 2260 prefixes)."""
    out: list[str] = []
    for code in (region_code, region_code[:4] + "00", region_code[:2] + "0000"):
        if len(code) == 6 and code not in out:
            out.append(code)
    return out


def rule_region(department_code: str, department_region: str | None) -> str:
    """The region whose repair rules apply to a result: the publishing department's (谁公示、谁修复;
    DOMAIN.md "Which rule applies"), never the enterprise's registered region. The department's
    own `region_code` when it is on the department list; otherwise the GB/T 2260 code its slug
    starts with (`371500-scjg`); otherwise none, and only the national default applies."""
    if department_region and len(department_region) == 6 and department_region.isdigit():
        return department_region
    head = (department_code or "")[:6]
    return head if len(head) == 6 and head.isdigit() else ""


def pick_rule(rules: list[Rule], region_code: str, check_field: str) -> Rule:
    """(region, field) → (city, field) → (province, field) → ('*', field), then the same with
    field '*'. A field-specific rule beats a jurisdiction's general one, so the national
    12-month minimum for food stays unless a jurisdiction sets its own rule for food."""
    by_key = {(r.jurisdiction, r.check_field): r for r in rules}
    places = [*jurisdictions_for(region_code), ANY]
    for f in (check_field, ANY):
        for j in places:
            if (j, f) in by_key:
                return by_key[(j, f)]
    raise NotFound("没有适用的信用修复规则 (no repair rule applies; the default profile ('*', '*') is missing)")


def earliest_repair_on(published_on: dt.date, rule: Rule) -> dt.date:
    """The first day an application may be made: the day after the minimum period has run
    (民法典第二百零一条至第二百零三条, domain.periods)."""
    return first_day_after(published_on, rule.min_months)


def expires_on(published_on: dt.date, rule: Rule) -> dt.date:
    """The first day the result is no longer public on its own: the day after the maximum period
    has run (民法典第二百零一条至第二百零三条, domain.periods)."""
    return first_day_after(published_on, rule.max_months)


# The seeded national default (migration 2026-12-07T12:20:00 words it so): no seed fixes the months for
# spot-check results; the SAMR measures of 2021 set them for 行政处罚、经营异常名录 and 严重违法失信名单,
# and the default follows them by analogy until a jurisdiction publishes its own (DOMAIN.md "Sources,
# honestly").
DEFAULT_SOURCE = (
    "参照《市场监督管理信用修复管理办法》（国市监信规〔2021〕3号）类推适用。该办法规定的是行政处罚、"
    "经营异常名录和严重违法失信名单的信用修复，没有规定抽查检查结果的公示期限；在本地区发布自己的规则之前，"
    "本门户以其期限作为全国默认规则。 (National default, by analogy with the SAMR credit-repair measures of "
    "2021, which set the periods for administrative penalties, the list of abnormal operations and the list "
    "of serious violations, not for spot-check results; it applies until a jurisdiction publishes its own.)"
)


@dataclass(frozen=True)
class Profile:
    """One jurisdiction's rule profile as the public reads it: where it applies, the document it
    follows and its rule per check field ('*' for all others)."""

    jurisdiction: str
    source: str
    rules: list[Rule]


def profiles(all_rules: list[Rule]) -> list[Profile]:
    """The rule table grouped by jurisdiction (and source), the national default first, then by
    region code; within a profile the general rule ('*') first, then by field."""
    groups: dict[tuple[str, str], list[Rule]] = {}
    for r in all_rules:
        groups.setdefault((r.jurisdiction, r.source), []).append(r)
    out = [
        Profile(j, src, sorted(rs, key=lambda r: (r.check_field != ANY, r.check_field)))
        for (j, src), rs in groups.items()
    ]
    return sorted(out, key=lambda p: (p.jurisdiction != ANY, p.jurisdiction, p.source))


@dataclass(frozen=True)
class Publicity:
    """How long a result stays public and from when its enterprise may apply to stop it early."""

    published_on: dt.date
    last_public_day: dt.date  # the maximum period's last day (民法典第二百零二条)
    expires_on: dt.date  # the first day it is no longer public by itself
    earliest_repair_on: dt.date  # the first day an application may be made
    min_months: int
    max_months: int
    rule_jurisdiction: str
    rule_source: str


def publicity(published_on: dt.date, rule: Rule) -> Publicity:
    ends = expires_on(published_on, rule)
    return Publicity(
        published_on,
        ends - dt.timedelta(days=1),
        ends,
        earliest_repair_on(published_on, rule),
        rule.min_months,
        rule.max_months,
        rule.jurisdiction,
        rule.source,
    )


@dataclass(frozen=True)
class ResultFacts:
    id: int
    uscc: str
    negative: bool
    disclosure: str
    published_on: dt.date
    region_code: str
    check_field: str
    department_code: str


@dataclass
class Reason:
    code: str
    message: str


@dataclass
class Eligibility:
    eligible: bool
    earliest_on: dt.date | None
    reasons: list[Reason] = field(default_factory=list)
    expires_on: dt.date | None = None


def eligibility(r: ResultFacts, rule: Rule, today: dt.date, pending: bool) -> Eligibility:
    """Whether the result's own enterprise may apply today. Ownership is checked by the caller
    (another enterprise's result is a 403, not a reason)."""
    reasons: list[Reason] = []
    earliest = earliest_repair_on(r.published_on, rule)
    ends = expires_on(r.published_on, rule)
    if not r.negative:
        reasons.append(
            Reason(
                "not_negative", "该结果不是失信（负面）结果，无需修复 (the result is not negative: nothing to repair)"
            )
        )
    if r.disclosure != "public":
        reasons.append(Reason("not_public", "该结果已停止公示 (the result is no longer public)"))
    elif today >= ends:
        reasons.append(
            Reason(
                "expired",
                f"已满最长公示期，{ends.isoformat()} 起自动停止公示 "
                f"(the maximum period ended on {ends.isoformat()}: publicity stops by itself)",
            )
        )
    if pending:
        reasons.append(Reason("pending", "该结果已有待处理的修复申请 (an application for this result is pending)"))
    if today < earliest:
        reasons.append(
            Reason(
                "min_period",
                f"公示未满最短期限 {rule.min_months} 个月，最早可于 {earliest.isoformat()} 申请 "
                f"(public for less than {rule.min_months} months; earliest {earliest.isoformat()})",
            )
        )
    never = any(x.code in ("not_negative", "not_public", "expired") for x in reasons)
    return Eligibility(
        eligible=not reasons,
        earliest_on=None if never else earliest,
        reasons=reasons,
        expires_on=ends,
    )


@dataclass
class ObjectionEligibility:
    allowed: bool
    reasons: list[Reason] = field(default_factory=list)
    pending_number: str | None = None  # the objection already pending on the result, if any


def objection_eligibility(disclosure: str, pending_number: str | None) -> ObjectionEligibility:
    """Whether the result's own enterprise may dispute it (异议) now: any of its results while it is
    public (negative or not: a wrong record is wrong either way), one pending objection per result.
    Ownership is checked by the caller."""
    reasons: list[Reason] = []
    if disclosure != "public":
        reasons.append(Reason("not_public", "该结果已停止公示 (the result is no longer public)"))
    if pending_number:
        reasons.append(Reason("pending", "该结果已有待处理的异议 (an objection to this result is already pending)"))
    return ObjectionEligibility(allowed=not reasons, reasons=reasons, pending_number=pending_number or None)


# -- deadlines --------------------------------------------------------------------------


def accept_by(received_on: dt.date, rule: Rule) -> dt.date:
    """The acceptance deadline: `accept_days` working days from receipt, the day of receipt not
    counted (期间开始之日不计算在内; domain.workdays). When materials were asked for (一次性告知补正)
    the clock starts again on the day they arrive."""
    return add_working_days(received_on, rule.accept_days)


def decide_by(accepted_on: dt.date, rule: Rule) -> dt.date:
    """The decision deadline: `decide_days` working days from acceptance (自受理之日起), the day
    of acceptance not counted; unknown (None on the record) until the application is accepted.
    DOMAIN.md "Periods, deadlines and the repair procedure"; the default 15 working days follow
    the SAMR credit-repair measures (《市场监督管理信用修复管理办法》, 2021) by analogy."""
    return add_working_days(accepted_on, rule.decide_days)


def objection_verify_by(submitted_on: dt.date, rule: Rule) -> dt.date:
    return add_working_days(submitted_on, rule.objection_days)


def objection_correct_by(confirmed_on: dt.date, rule: Rule) -> dt.date:
    """A confirmed error is corrected within the objection period (5 working days by default)."""
    return add_working_days(confirmed_on, rule.objection_days)


# -- state machines -----------------------------------------------------------------------

# The repair procedure (DOMAIN.md "Periods, deadlines and the repair procedure"): 受理 or
# 不予受理 (with reasons), or 一次性告知补正 (the department lists every missing or defective item
# at once; the acceptance clock stops until the enterprise supplies them); after acceptance
# 准予修复 or 不予修复 (with reasons).
SUBMITTED, AWAITING_MATERIALS, ACCEPTED = "submitted", "awaiting_materials", "accepted"
DECLINED, APPROVED, REJECTED = "declined", "approved", "rejected"

# action → (statuses it may start from, status it leads to)
APPLICATION_ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "accept": (frozenset({SUBMITTED}), ACCEPTED),
    "decline": (frozenset({SUBMITTED, AWAITING_MATERIALS}), DECLINED),
    "request-materials": (frozenset({SUBMITTED}), AWAITING_MATERIALS),
    "approve": (frozenset({ACCEPTED}), APPROVED),
    "reject": (frozenset({ACCEPTED}), REJECTED),
}
# The enterprise's own step: the materials asked for arrive (portal or API attachments).
SUPPLY_MATERIALS: tuple[frozenset[str], str] = (frozenset({AWAITING_MATERIALS}), SUBMITTED)
# Actions that need a written reason: the decisions against the enterprise, and the list of what
# is missing (一次性告知: every item at once).
REASON_REQUIRED = frozenset({"decline", "request-materials", "reject"})
# Actions that end the application (a decision, kept with who made it, when and why).
FINAL_ACTIONS = frozenset({"decline", "approve", "reject"})

APPLICATION_PENDING = frozenset({SUBMITTED, AWAITING_MATERIALS, ACCEPTED})
# Closed without a decision: the result stopped being public some other way while the
# application was pending (see applications_made_moot below).
MOOT = "moot"
MOOT_FROM = APPLICATION_PENDING
APPLICATION_STATUSES = frozenset({*APPLICATION_PENDING, DECLINED, APPROVED, REJECTED, MOOT})

# What each status is called, in the procedure's own words (the API's `status_label`; the portal
# translates it). 受理/不予受理/补正/准予修复/不予修复: DOMAIN.md, the repair procedure.
APPLICATION_STATUS_LABELS = {
    SUBMITTED: "已提交，待受理",
    AWAITING_MATERIALS: "待补正材料",
    ACCEPTED: "已受理，待决定",
    DECLINED: "不予受理",
    APPROVED: "准予修复",
    REJECTED: "不予修复",
    MOOT: "已终止（结果已停止公示）",
}
ACTION_LABELS = {
    "accept": "受理",
    "decline": "不予受理",
    "request-materials": "一次性告知补正",
    "approve": "准予修复",
    "reject": "不予修复",
}

OBJECTION_ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "confirm": (frozenset({"submitted"}), "confirmed"),
    "reject": (frozenset({"submitted"}), "rejected"),
    "correct": (frozenset({"submitted", "confirmed"}), "corrected"),
}
OBJECTION_PENDING = frozenset({"submitted", "confirmed"})


def transition(
    actions: dict[str, tuple[frozenset[str], str]],
    action: str,
    current: str,
    labels: dict[str, str] | None = None,
) -> str:
    """The status `action` leads to from `current`; NotFound for an unknown action, Conflict (409)
    naming the current status when the action is not open from it."""
    if action not in actions:
        raise NotFound(f"未知操作 {action!r} (unknown action; one of {', '.join(actions)})")
    allowed, to = actions[action]
    if current not in allowed:
        label = (labels or {}).get(current, current)
        raise Conflict(
            f"当前状态为“{label}”，不能执行 {action} (cannot {action} from status {current}; "
            f"it needs {' or '.join(sorted(allowed))})",
            [FieldError("status", f"{action} needs one of {', '.join(sorted(allowed))}")],
            current_status=current,
        )
    return to


def application_overdue(status: str, accept_by: dt.date | None, decide_by: dt.date | None, today: dt.date) -> list[str]:
    """Which running deadline has passed: acceptance while submitted (the clock is stopped while
    materials are awaited), the decision once accepted (it runs from acceptance only)."""
    flags: list[str] = []
    if status == SUBMITTED and accept_by is not None and today > accept_by:
        flags.append("accept_overdue")
    if status == ACCEPTED and decide_by is not None and today > decide_by:
        flags.append("decide_overdue")
    return flags


def objection_overdue(status: str, verify_by: dt.date, correct_by: dt.date | None, today: dt.date) -> list[str]:
    flags: list[str] = []
    if status == "submitted" and today > verify_by:
        flags.append("verify_overdue")
    if status == "confirmed" and correct_by is not None and today > correct_by:
        flags.append("correct_overdue")
    return flags


# -- applications made moot by a withdrawal ----------------------------------------------------

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def local_date(t: dt.datetime) -> dt.date:
    return t.astimezone(SHANGHAI).date()


@dataclass(frozen=True)
class Withdrawal:
    """A result that has just stopped being public: why (a domain.disclosure reason code), when,
    and the facts the applicant is told. Filled in by whoever withdrew it, in that transaction."""

    result_id: int
    reason: str  # expired / penalty_withdrawn / corrected / revoked / repaired
    at: dt.datetime
    ref: str = ""  # the objection (corrected) or application (repaired) that caused it
    penalty_decision_number: str = ""
    replaced_by: int | None = None  # corrected: the new revision's result id …
    replaced_revision: int | None = None  # … its revision number …
    replacement_negative: bool = False  # … and whether it is still negative


@dataclass(frozen=True)
class Mooted:
    """An application closed as moot, with the reason shown to the applicant."""

    application_id: int
    number: str
    result_id: int
    cause: str  # the withdrawal reason code
    reason: str


def moot_reason(w: Withdrawal) -> str:
    """What happened to the result, in words for the applicant (Chinese first, English in brackets)."""
    day = local_date(w.at).isoformat()
    if w.reason == "expired":
        return (
            f"检查结果已满最长公示期，于 {day} 自动停止公示，本申请无需再作决定，予以终止 "
            f"(the result reached its statutory maximum publicity period and stopped being public on {day}; "
            f"the application no longer needs a decision and is closed)"
        )
    if w.reason == "penalty_withdrawn":
        pn = w.penalty_decision_number
        return (
            f"关联的行政处罚决定 {pn} 已停止公示，检查结果随之于 {day} 停止公示，本申请予以终止 "
            f"(the linked penalty decision {pn} is no longer public, so the result stopped being public "
            f"on {day}; the application is closed)"
        )
    if w.reason == "corrected":
        rev, new = w.replaced_revision, w.replaced_by
        then = (
            ("如更正后的结果仍需修复，可对其重新申请 (if the corrected result still needs repair, apply again for it)")
            if w.replacement_negative
            else "更正后的结果不是失信结果，无需修复 (the corrected result is not negative: nothing to repair)"
        )
        return (
            f"检查结果经异议 {w.ref} 核实更正，于 {day} 由第 {rev} 版（结果编号 {new}）取代，本申请予以终止；{then} "
            f"(the result was corrected after objection {w.ref} and replaced by revision {rev}, result {new}, "
            f"on {day}; the application is closed)"
        )
    if w.reason == "revoked":
        return (
            f"发布部门已于 {day} 撤回该检查结果，本申请予以终止 "
            f"(the publishing department withdrew the result on {day}; the application is closed)"
        )
    if w.reason == "repaired":
        return (
            f"检查结果已因修复申请 {w.ref} 获准，于 {day} 停止公示，本申请予以终止 "
            f"(the result stopped being public on {day} when application {w.ref} was approved; "
            f"the application is closed)"
        )
    return (
        f"检查结果已于 {day} 停止公示，本申请予以终止 "
        f"(the result stopped being public on {day}; the application is closed)"
    )


def applications_made_moot(withdrawals: list[Withdrawal], applications: list[dict[str, Any]]) -> list[Mooted]:
    """Which applications a withdrawal closes, and why: every application for a withdrawn result
    that is still pending (submitted or accepted), whatever the path that withdrew it, except the
    approved application whose approval is the withdrawal (`repaired`, ref = its number: it is
    decided, not moot). Decided applications are left as they are.
    `applications`: rows with id, number, result_id and status."""
    by_result = {w.result_id: w for w in withdrawals}
    out: list[Mooted] = []
    for a in applications:
        w = by_result.get(a["result_id"])
        if w is None or a["status"] not in MOOT_FROM:
            continue
        if w.reason == "repaired" and a["number"] == w.ref:
            continue
        out.append(Mooted(a["id"], a["number"], a["result_id"], w.reason, moot_reason(w)))
    return out


# -- objections on results that stopped being public -------------------------------------------

OBJECTION_MOOT_FROM = OBJECTION_PENDING
OBJECTION_STATUSES = frozenset({*OBJECTION_PENDING, "corrected", "rejected", MOOT})


def objection_made_moot(withdrawn_reason: str) -> bool:
    """Whether a pending objection is left with nothing to decide by the way its result stopped
    being public. Only when a correction replaced the result with a newer revision (`corrected`):
    the disputed row is superseded, correcting it again would fork the revision history, and if
    the newer revision is still wrong the enterprise objects to that one.

    Every other way (maximum period, linked penalty, an approved repair, the department's
    revocation) leaves the objection pending and decidable: a result that is no longer public
    keeps its record, and a confirmed error must be corrected (DOMAIN.md, 异议); an application
    only asks for publicity to stop, an objection asks for the record to be put right."""
    return withdrawn_reason == "corrected"


def corrected_revision_disclosure(old: dict[str, Any]) -> dict[str, Any]:
    """The disclosure columns of the revision an objection's correction writes, decided from the
    wrong row as it stands inside the correction's transaction (`disclosure`, `withdrawn_reason`,
    `withdrawn_at`, `withdrawn_by`, `withdrawn_note`).

    Still public: the new revision is published (and the wrong one withdrawn as `corrected`).
    No longer public: the correction puts the kept record right without publishing it again. The
    new revision is stored withdrawn with the same reason, instant, actor and note: a correction
    never restarts publicity that has stopped (the maximum period counts from the same
    publication date, a repair stopped it on the enterprise's own application, a revocation or a
    withdrawn penalty is the department's decision). A superseded row is not corrected twice (409)."""
    if old["disclosure"] == "public":
        return {
            "disclosure": "public",
            "withdrawn_reason": "",
            "withdrawn_at": None,
            "withdrawn_by": "",
            "withdrawn_note": "",
        }
    if objection_made_moot(old["withdrawn_reason"]):
        raise Conflict(
            "该结果已经异议更正并由新版本取代，不能再次更正；如新版本仍有错误，请对新版本提出异议 "
            "(the result was already replaced by a corrected revision; object to that revision instead)",
            [FieldError("result_id", "the result was replaced by a corrected revision")],
            reasons=["superseded"],
        )
    return {
        "disclosure": old["disclosure"],
        "withdrawn_reason": old["withdrawn_reason"],
        "withdrawn_at": old["withdrawn_at"],
        "withdrawn_by": old["withdrawn_by"],
        "withdrawn_note": old["withdrawn_note"],
    }


def objection_moot_reason(w: Withdrawal) -> str:
    """Why an objection was closed as moot (its result superseded by another objection's
    correction), in words for the enterprise: the same style as moot_reason."""
    day = local_date(w.at).isoformat()
    rev, new = w.replaced_revision, w.replaced_by
    return (
        f"检查结果已经异议 {w.ref} 核实更正，于 {day} 由第 {rev} 版（结果编号 {new}）取代，本异议无需再作决定，予以终止；"
        f"如更正后的结果仍有错误，可对其提出异议 "
        f"(the result was corrected after objection {w.ref} and replaced by revision {rev}, result {new}, "
        f"on {day}; the objection no longer needs a decision and is closed; if the corrected result is "
        f"still wrong, object to it)"
    )


# -- who follows an objection ----------------------------------------------------------------

# What the enterprise is told each status means (the API's `status_label`; the portal translates it).
OBJECTION_STATUS_LABELS = {
    "submitted": "已提交",
    "confirmed": "异议属实，待更正",
    "corrected": "已更正",
    "rejected": "异议不成立",
    MOOT: "已终止（结果已由更正后的版本取代）",
}

VISIBLE, NOT_FOUND, FORBIDDEN = "visible", "not_found", "forbidden"


def objection_visibility(actor: Principal, uscc: str, department_code: str) -> str:
    """Who reads an objection on the enterprise's endpoints and pages: the objecting enterprise
    (any account carrying its USCC) and, as for a repair application, officers of the department
    that decides it (谁公示、谁修复). Another enterprise is answered as if the number did not exist
    (NOT_FOUND: the same 404 as an unknown number, so numbers cannot be probed); officers of
    another department and other roles get FORBIDDEN (403), as for applications."""
    if actor.role == "enterprise":
        return VISIBLE if actor.uscc and actor.uscc == uscc else NOT_FOUND
    if actor.role in ("officer", "admin") and actor.department_code == department_code:
        return VISIBLE
    return FORBIDDEN


def objection_deadline_provisional(verify_by: dt.date, correct_by: dt.date | None) -> bool:
    """True when a deadline the objection has (verify_by, and correct_by once confirmed) was counted
    past the official holiday calendar the portal knows (Monday to Friday there; it may move)."""
    return any(is_provisional(d) for d in (verify_by, correct_by) if d is not None)


def new_number(prefix: str, today: dt.date) -> str:
    """A tracking number: prefix, date, 8 random characters (unguessable; unique index backs it)."""
    alphabet = "ABCDEFGHJKLMNPQRTUWXY0123456789"
    tail = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"{prefix}{today:%Y%m%d}{tail}"


# -- rule profiles ------------------------------------------------------------------------


def validate_profile(jurisdiction: str, source: str, raws: list[dict[str, Any]]) -> tuple[list[Rule], list[FieldError]]:
    """A jurisdiction's own profile: one rule per check field ('*' for all others)."""
    errs: list[FieldError] = []
    j = (jurisdiction or "").strip()
    if not (len(j) == 6 and j.isdigit()):
        errs.append(FieldError("jurisdiction", f"行政区划代码应为6位数字 (a 6-digit GB/T 2260 code, got {j!r})"))
    if not (source or "").strip():
        errs.append(FieldError("source", "请注明规则依据的文件 (name the document the periods come from)"))
    if not raws:
        errs.append(FieldError("rules", "至少需要一条规则 (at least one rule)"))
    seen: set[str] = set()
    rules: list[Rule] = []
    for i, raw in enumerate(raws):
        p = f"rules[{i}]."
        f = str(raw.get("check_field") or "").strip()
        if f != ANY and f not in CHECK_FIELDS:
            errs.append(FieldError(p + "check_field", f"'*' or one of {', '.join(CHECK_FIELDS)} (got {f!r})"))
        if f in seen:
            errs.append(FieldError(p + "check_field", f"{f!r} appears twice"))
        seen.add(f)
        ints = {k: raw.get(k) for k in ("min_months", "max_months", "accept_days", "decide_days", "objection_days")}
        for k, v in ints.items():
            hi = 120 if k.endswith("months") else 60
            lo = 0 if k == "min_months" else 1
            if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
                errs.append(FieldError(p + k, f"应为 {lo} 到 {hi} 的整数 (a whole number {lo}..{hi}, got {v!r})"))
        mn, mx = ints["min_months"], ints["max_months"]
        if isinstance(mn, int) and isinstance(mx, int) and mn > mx:
            errs.append(FieldError(p + "min_months", "最短期限不能超过最长期限 (min_months exceeds max_months)"))
        if (
            isinstance(ints["accept_days"], int)
            and isinstance(ints["decide_days"], int)
            and ints["accept_days"] > ints["decide_days"]
        ):
            errs.append(FieldError(p + "accept_days", "受理期限不能超过决定期限 (accept_days exceeds decide_days)"))
        required = DEFAULT_REQUIRED_MATERIALS
        raw_required = raw.get("required_materials")
        if raw_required is not None:
            entries = [str(x).strip() for x in raw_required] if isinstance(raw_required, list) else []
            bad = [e for e in entries if not e or any(k not in MATERIAL_KINDS or k == "other" for k in e.split("|"))]
            if not isinstance(raw_required, list) or bad:
                errs.append(
                    FieldError(
                        p + "required_materials",
                        f"材料类型应为 {', '.join(k for k in MATERIAL_KINDS if k != 'other')} 之一，可用 | 表示任选其一 "
                        f"(kinds from that list, alternatives joined by '|'; got {bad or raw_required!r})",
                    )
                )
            else:
                required = tuple(entries)
        if not errs:
            n = {k: int(v) for k, v in ints.items() if isinstance(v, int)}  # all checked above
            rules.append(
                Rule(
                    j,
                    f,
                    n["min_months"],
                    n["max_months"],
                    n["accept_days"],
                    n["decide_days"],
                    n["objection_days"],
                    source.strip(),
                    required,
                )
            )
    return (rules if not errs else []), errs
