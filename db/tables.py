"""Piccolo tables: the records the portal keeps.

Composite unique and composite indexes are created by raw SQL in the migrations
(Piccolo cannot add constraints to SQLite tables). Only structure lives here; the rules (what is public, who may do what) are in `domain/`.
Several columns are deliberately denormalised on results (entity name, kind, region,
year, department and category codes) so public lists filter on one indexed table, and
because a published result must keep the entity name it was published under.
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    BigInt,
    Boolean,
    Date,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class Region(Table, tablename="region"):
    code = Varchar(length=6, primary_key=True)  # GB/T 2260
    name = Varchar(length=100)
    parent_code = Varchar(length=6, null=True, default=None, index=True)


class Department(Table, tablename="department"):
    id = Serial(primary_key=True)
    code = Varchar(length=40, unique=True)  # stable slug, e.g. 371500-scjg
    name = Varchar(length=120)  # 聊城市市场监督管理局
    short_name = Varchar(length=40)  # 市场监管局
    region_code = Varchar(length=6, index=True)
    # The same line's department one level up (371500-scjg → 370000-scjg), '' at the top.
    parent_code = Varchar(length=40, default="")
    # 检查主体清单: its standing to inspect (domain.matters.LEGAL_STATUSES), '' when not confirmed.
    legal_status = Varchar(length=30, default="")


class Entity(Table, tablename="entity"):
    """A market entity (经营主体)."""

    id = Serial(primary_key=True)
    uscc = Varchar(length=18, unique=True)
    name = Varchar(length=200)
    kind = Varchar(length=20)  # enterprise / individual / cooperative / other
    region_code = Varchar(length=6, index=True)
    industry_code = Varchar(length=5, default="")
    risk_class = Varchar(length=1, default="")  # A-D
    status = Varchar(length=10, default="存续")
    # Operator of an individual business: stored in full, shown masked.
    operator_name = Varchar(length=50, default="")
    updated_at = Timestamptz()


class Task(Table, tablename="inspection_task"):
    """An inspection task (抽查任务) with its 任务单号."""

    id = Serial(primary_key=True)
    task_number = Varchar(length=64, unique=True)
    title = Varchar(length=300, default="")
    department_code = Varchar(length=40, index=True)  # lead department
    year = Integer()
    plan_id = Integer(null=True, default=None)
    joint = Boolean(default=False)
    created_at = Timestamptz()


class Result(Table, tablename="inspection_result"):
    """An inspection result (抽查检查结果)."""

    id = Serial(primary_key=True)
    # task_number, uscc, region_code, year: indexed as the leading column of composite indexes
    # (migration 2026-11-25T10:50:00), not on their own.
    task_number = Varchar(length=64)
    uscc = Varchar(length=18)
    entity_name = Varchar(length=200)
    entity_kind = Varchar(length=20)
    region_code = Varchar(length=6)
    # Lead (publishing) department: it decides repairs and objections (谁公示、谁修复).
    department_code = Varchar(length=40)  # lists by department go through ResultDepartment
    # All inspecting departments, comma-separated codes (lead first); filtered via ResultDepartment.
    department_codes = Text()
    inspected_on = Date()
    year = Integer()
    inspection_type = Varchar(length=10)  # 抽查 / 检查
    # Comma-separated category codes; filtered via ResultCategory.
    category_codes = Text()
    negative = Boolean(default=False)
    # Inspection field (抽查领域) for the repair rule table: general/food/drug/special_equipment …
    check_field = Varchar(length=30, default="general")
    joint = Boolean(default=False)
    follow_up = Varchar(length=200, default="")
    penalty_decision_number = Varchar(length=100, default="")
    published_on = Date(index=True)
    # More than 20 working days after the inspection (domain.results.published_late).
    published_late = Boolean(default=False)
    # Disclosure: 'public' or 'withdrawn' (with a reason code, time, actor and note).
    # Not indexed: nearly every row is 'public', so an index on it only misleads the planner.
    disclosure = Varchar(length=12, default="public")
    withdrawn_reason = Varchar(length=30, default="")
    withdrawn_at = Timestamptz(null=True, default=None)
    withdrawn_by = Varchar(length=100, default="")
    withdrawn_note = Text(default="")
    # An objection correction publishes a new revision and withdraws this one.
    revision = Integer(default=1)
    revision_of = Integer(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class ResultCategory(Table, tablename="result_category"):
    id = Serial(primary_key=True)
    result_id = Integer()  # probed together with the code: result_category_cr (code, result_id)
    code = Varchar(length=8)  # indexed by result_category_cy / _cr
    year = Integer()  # copied from the result so (code, year) lists use one index


class ResultDepartment(Table, tablename="result_department"):
    id = Serial(primary_key=True)
    result_id = Integer()  # probed together with the department: result_department_dr
    department_code = Varchar(length=40)  # indexed by result_department_dy / _dr
    year = Integer()  # copied from the result so (department, year) lists use one index


class PenaltyDecision(Table, tablename="penalty_decision"):
    """A penalty decision a result links to; when it stops being public, so does the result."""

    id = Serial(primary_key=True)
    number = Varchar(length=100, unique=True)
    department_code = Varchar(length=40)
    decided_on = Date()
    disclosure = Varchar(length=12, default="public")
    withdrawn_at = Timestamptz(null=True, default=None)


class Plan(Table, tablename="plan"):
    """An annual spot-check plan. Its content lives in immutable revisions."""

    id = Serial(primary_key=True)
    year = Integer(index=True)
    department_code = Varchar(length=40, index=True)  # lead department
    region_code = Varchar(length=6)
    current_revision = Integer(default=1)
    published_on = Date()
    disclosure = Varchar(length=12, default="public")


class PlanRevision(Table, tablename="plan_revision"):
    id = Serial(primary_key=True)
    plan_id = Integer(index=True)
    number = Integer()  # 1 = the original publication
    title = Varchar(length=300)
    participating = JSON(default=[])  # department names
    body = Text(default="")
    items = JSON(default=[])  # list of plan items (see domain.plans)
    revised_on = Date()
    reason = Text(default="")
    changes = JSON(default=[])  # human-readable change list against the previous revision
    created_by = Varchar(length=100, default="")


class Matter(Table, tablename="matter"):
    """A matter of the matters list (抽查事项清单). Its content lives in immutable versions."""

    id = Serial(primary_key=True)
    code = Varchar(length=40, unique=True)
    department_code = Varchar(length=40, index=True)
    region_code = Varchar(length=6, default="")
    current_version = Integer(default=1)  # the latest version (not necessarily in force today)
    published_on = Date()
    disclosure = Varchar(length=12, default="public")
    withdrawn_at = Timestamptz(null=True, default=None)
    withdrawn_note = Text(default="")


class MatterVersion(Table, tablename="matter_version"):
    id = Serial(primary_key=True)
    matter_id = Integer(index=True)
    number = Integer()  # 1 = the original publication
    name = Varchar(length=200)
    field = Varchar(length=30)  # a check-field code (domain.results.CHECK_FIELDS)
    legal_basis = JSON(default=[])  # [{law, article}]
    object_scope = Text(default="")
    method = Varchar(length=30)  # domain.matters.METHODS
    level = Varchar(length=4)  # 省 / 市 / 县
    valid_from = Date()
    valid_to = Date(null=True, default=None)
    revised_on = Date()
    reason = Text(default="")
    changes = JSON(default=[])
    created_by = Varchar(length=100, default="")


class Guide(Table, tablename="guide"):
    """一业一册: one booklet per industry; content lives in versions."""

    id = Serial(primary_key=True)
    industry_code = Varchar(length=10, index=True)
    industry_name = Varchar(length=100)
    department_code = Varchar(length=40)
    current_version = Varchar(length=20, default="")
    disclosure = Varchar(length=12, default="public")


class GuideVersion(Table, tablename="guide_version"):
    id = Serial(primary_key=True)
    guide_id = Integer(index=True)
    version = Varchar(length=20)
    title = Varchar(length=300)
    effective_on = Date()
    summary = Text(default="")
    sections = JSON(default=[])  # [{heading, body}]
    change_note = Text(default="")
    published_on = Date()


class GuideFile(Table, tablename="guide_file"):
    id = Serial(primary_key=True)
    version_id = Integer(index=True)
    format = Varchar(length=10)  # pdf / html
    filename = Varchar(length=200)
    path = Varchar(length=400)  # relative to FILES_DIR
    bytes = BigInt()
    sha256 = Varchar(length=64)


class Honour(Table, tablename="honour"):
    id = Serial(primary_key=True)
    uscc = Varchar(length=18, index=True)
    entity_name = Varchar(length=200)
    honour = Varchar(length=200)
    kind = Varchar(length=30, index=True)  # award / credit / whitelist / bank_whitelist / other
    awarded_by = Varchar(length=200)
    awarded_on = Date()
    year = Integer(index=True)
    valid_until = Date(null=True, default=None)
    source_document = Varchar(length=300, default="")
    department_code = Varchar(length=40)
    region_code = Varchar(length=6, default="")
    disclosure = Varchar(length=12, default="public")
    created_at = Timestamptz()


class Document(Table, tablename="policy_document"):
    id = Serial(primary_key=True)
    title = Varchar(length=300)
    issuer = Varchar(length=200)
    doc_number = Varchar(length=100, null=True, default=None)
    # Some documents carry only a year; then issued_on is null and issued_year is set.
    issued_on = Date(null=True, default=None)
    issued_year = Integer()
    region_code = Varchar(length=6)
    region_name = Varchar(length=100, default="")
    body = Text()
    source = Varchar(length=300, default="")  # provenance
    department_code = Varchar(length=40, default="")
    disclosure = Varchar(length=12, default="public")
    published_on = Date()


class ScanRecord(Table, tablename="scan_record"):
    """扫码入企 records. Officer credential numbers are never public."""

    id = Serial(primary_key=True)
    uscc = Varchar(length=18, index=True)
    department_code = Varchar(length=40, index=True)
    officer_credentials = JSON(default=[])
    scanned_at = Timestamptz(index=True)
    method = Varchar(length=10)  # scan / checkin (扫码 / 定位打卡)
    task_number = Varchar(length=64, default="")
    location = Varchar(length=200, default="")


class FormSubmission(Table, tablename="form_submission"):
    """A back-office form that was carried out (backoffice/once.py): its one-time key, who sent
    it and what it stored, written in the same transaction as those records."""

    id = Serial(primary_key=True)
    key = Varchar(length=64, unique=True)
    actor = Varchar(length=100)
    object_type = Varchar(length=20)  # result / honour / document / scan_record / plan / ...
    object_ids = Text(default="")  # comma-separated ids, in the order stored
    at = Timestamptz()


class User(Table, tablename="portal_user"):
    id = Serial(primary_key=True)
    username = Varchar(length=100, unique=True)
    password_hash = Varchar(length=200)
    # enterprise / officer / supervisor / admin
    role = Varchar(length=20)
    uscc = Varchar(length=18, default="")  # enterprise accounts
    department_code = Varchar(length=40, default="")  # officers
    region_code = Varchar(length=6, default="")  # supervisors (司法行政) oversee a region
    display_name = Varchar(length=100, default="")
    active = Boolean(default=True)
    created_at = Timestamptz()
    # Set by a password reset or a deactivation: sessions and tokens from before it are void.
    password_changed_at = Timestamptz(null=True, default=None)


class AuditLog(Table, tablename="audit_log"):
    """Append-only: rows are inserted, never updated or deleted."""

    id = Serial(primary_key=True)
    at = Timestamptz()
    actor = Varchar(length=100)
    actor_role = Varchar(length=20)
    department_code = Varchar(length=40, default="")
    action = Varchar(length=40)
    object_type = Varchar(length=20)
    object_id = Varchar(length=64)
    reason = Text(default="")
    detail = JSON(default={})


class ChangeLog(Table, tablename="change_log"):
    """Every change to what the public sees, numbered (`seq`) for /api/v1/changes."""

    seq = Serial(primary_key=True)
    at = Timestamptz(index=True)
    object_type = Varchar(length=20)
    object_id = Varchar(length=64)
    action = Varchar(length=12)  # published / updated / withdrawn


class Evaluation(Table, tablename="inspection_evaluation"):
    """事后评价: an enterprise's evaluation of one of its inspections (domain.evaluation). Not
    public one by one: the region's supervisors read them; the public sees department aggregates."""

    id = Serial(primary_key=True)
    inspection_kind = Varchar(length=10)  # result / scan
    inspection_ref = Integer()  # the result's or scan record's id; unique with the kind
    uscc = Varchar(length=18, index=True)
    department_code = Varchar(length=40, index=True)
    region_code = Varchar(length=6, default="")  # the department's: whose supervisors read it
    inspected_on = Date()
    rating = Integer()
    issues = Varchar(length=200, default="")  # comma-separated domain.evaluation.ISSUES codes
    comment = Text(default="")
    created_at = Timestamptz()
    created_by = Varchar(length=100, default="")


class JobRun(Table, tablename="job_run"):
    """Each run of a background job, and each process's time as the jobs' leader (ops.jobs)."""

    id = Serial(primary_key=True)
    job = Varchar(length=40)  # leader / withdraw_expired / sweep_uploads
    pid = Integer()
    host = Varchar(length=100, default="")
    started_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)
    ok = Boolean(null=True, default=None)
    detail = Text(default="")


class Outbox(Table, tablename="search_outbox"):
    """Search-index work, written in the same transaction as the change it mirrors."""

    id = Serial(primary_key=True)
    created_at = Timestamptz()
    object_type = Varchar(length=20)
    object_id = Varchar(length=64)
    op = Varchar(length=10)  # upsert / delete
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz()  # indexed by outbox_pending (done_at, next_attempt_at, id)
    last_error = Text(default="")
    done_at = Timestamptz(null=True, default=None)  # every configured index has it (outbox_pending)
    # With SEARCH_FALLBACK=embedded: when the embedded copy took the row (Meilisearch may still lag).
    fallback_done_at = Timestamptz(null=True, default=None)


class RepairRule(Table, tablename="repair_rule"):
    """Publicity periods and deadlines keyed by (jurisdiction, check field)."""

    id = Serial(primary_key=True)
    jurisdiction = Varchar(length=6)  # region code, or '*' for the national default
    check_field = Varchar(length=30)  # '*' or a check field such as food
    min_months = Integer()
    max_months = Integer()
    accept_days = Integer()  # working days
    decide_days = Integer()  # working days
    objection_days = Integer()  # working days
    source = Text()
    # Required material kinds, comma-separated; alternatives joined by '|' (domain.repair).
    required_materials = Text(default="application,commitment,correction,identity|authorisation")
    created_by = Varchar(length=100, default="migration")
    created_at = Timestamptz()


class RepairApplication(Table, tablename="repair_application"):
    id = Serial(primary_key=True)
    number = Varchar(length=32, unique=True)
    result_id = Integer(index=True)
    # Equals result_id while the application is pending, null once decided (or moot): the unique
    # constraint lets exactly one pending application per result win a race.
    pending_result_id = Integer(null=True, default=None, unique=True)
    uscc = Varchar(length=18, index=True)
    applicant = Varchar(length=100)
    applicant_contact = Varchar(length=100, default="")
    department_code = Varchar(length=40, index=True)
    reason = Text()
    commitment_accepted = Boolean(default=False)
    commitment_text = Text(default="")  # the 守信承诺 as accepted (domain.repair.COMMITMENT_TEXT)
    # submitted / awaiting_materials / accepted / declined / approved / rejected / moot
    status = Varchar(length=20)
    submitted_at = Timestamptz()
    # Working-day deadlines (domain.repair.accept_by / decide_by): accept_by is null while the
    # department awaits materials (the clock stops), decide_by until the application is accepted.
    accept_by = Date(null=True, default=None)
    decide_by = Date(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    decided_by = Varchar(length=100, default="")
    decision_reason = Text(default="")


class RepairExchange(Table, tablename="repair_exchange"):
    """Outbound record of every repair approval and every automatic stop of publicity (修复结果共享),
    for the province's credit platform, 国家企业信用信息公示系统 and 信用中国 to take
    (GET /api/v1/exchange/repairs). Append-only; written in the withdrawal's transaction."""

    id = Serial(primary_key=True)
    at = Timestamptz()
    uscc = Varchar(length=18)
    entity_name = Varchar(length=200)
    result_id = Integer()
    task_number = Varchar(length=64)
    department_code = Varchar(length=40)
    decision = Varchar(length=30)  # repaired / expired / penalty_withdrawn (domain.exchange)
    effective_on = Date()
    application_number = Varchar(length=32, default="")
    legal_basis = Text()


class RepairEvent(Table, tablename="repair_event"):
    id = Serial(primary_key=True)
    application_id = Integer(index=True)
    at = Timestamptz()
    status = Varchar(length=20)
    note = Text(default="")
    actor = Varchar(length=100, default="")


class RepairLetter(Table, tablename="repair_letter"):
    """A dated letter (决定书/通知书) issued by a step of the repair procedure (domain.letters),
    written in the step's transaction; `content` is its text as issued (Letter.to_json), frozen."""

    id = Serial(primary_key=True)
    application_id = Integer(index=True)
    number = Varchar(length=40, unique=True)  # domain.letters.letter_number
    action = Varchar(length=20)  # accept / decline / request-materials / approve / reject
    kind = Varchar(length=20)  # domain.letters.LETTER_KINDS
    issued_at = Timestamptz()
    issued_by = Varchar(length=100, default="")
    content = JSON()


class Objection(Table, tablename="objection"):
    id = Serial(primary_key=True)
    number = Varchar(length=32, unique=True)
    result_id = Integer(index=True)
    pending_result_id = Integer(null=True, default=None, unique=True)
    uscc = Varchar(length=18, index=True)
    applicant = Varchar(length=100)
    department_code = Varchar(length=40, index=True)
    reason = Text()
    status = Varchar(length=20)  # submitted / confirmed / corrected / rejected
    submitted_at = Timestamptz()
    verify_by = Date()
    confirmed_at = Timestamptz(null=True, default=None)
    correct_by = Date(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    decided_by = Varchar(length=100, default="")
    decision_note = Text(default="")
    corrected_result_id = Integer(null=True, default=None)


class Attachment(Table, tablename="attachment"):
    id = Serial(primary_key=True)
    owner_type = Varchar(length=20)  # repair / objection / complaint
    owner_id = Integer(index=True)
    # application / commitment / correction / identity / authorisation / other (domain.repair.MATERIAL_KINDS)
    kind = Varchar(length=20, default="other")
    filename = Varchar(length=200)
    content_type = Varchar(length=60)
    bytes = BigInt()
    sha256 = Varchar(length=64)
    path = Varchar(length=400)  # relative to FILES_DIR
    created_at = Timestamptz()


class Complaint(Table, tablename="complaint"):
    """未扫码入企 complaint. Contact details are for handlers only."""

    id = Serial(primary_key=True)
    number = Varchar(length=32, unique=True)
    lookup_code_hash = Varchar(length=128)
    uscc = Varchar(length=18, index=True)
    enterprise_name = Varchar(length=200)
    contact_name = Varchar(length=50)
    contact_phone = Varchar(length=20)
    visited_at = Timestamptz()
    place = Varchar(length=300)
    department_code = Varchar(length=40, index=True)
    region_code = Varchar(length=6, index=True)
    officers = Text(default="")
    scanned = Varchar(length=10)  # yes / no / unknown
    description = Text()
    status = Varchar(length=20, index=True)
    filed_at = Timestamptz()
    respond_by = Date()
    closed_at = Timestamptz(null=True, default=None)
    referred_to = Varchar(length=40, default="")
    crosscheck = JSON(default={})


class ComplaintEvent(Table, tablename="complaint_event"):
    id = Serial(primary_key=True)
    complaint_id = Integer(index=True)
    at = Timestamptz()
    status = Varchar(length=20)
    note = Text(default="")  # public: the complainant sees it
    actor = Varchar(length=100, default="")
    actor_role = Varchar(length=20, default="")


ALL_TABLES: list[type[Table]] = [
    Region,
    Department,
    Entity,
    Task,
    Result,
    ResultCategory,
    ResultDepartment,
    PenaltyDecision,
    Plan,
    PlanRevision,
    Matter,
    MatterVersion,
    Guide,
    GuideVersion,
    GuideFile,
    Honour,
    Document,
    ScanRecord,
    FormSubmission,
    User,
    AuditLog,
    ChangeLog,
    Outbox,
    Evaluation,
    JobRun,
    RepairRule,
    RepairApplication,
    RepairEvent,
    RepairLetter,
    RepairExchange,
    Objection,
    Attachment,
    Complaint,
    ComplaintEvent,
]
