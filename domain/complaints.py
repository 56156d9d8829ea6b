"""Complaints about unscanned entries (未扫码入企投诉): validation, numbers and codes, states, roles.

Anyone may file (no account); the answer is a tracking number with a check character and a
lookup code that only the filer gets. The code is never stored, only its SHA-256: it is 80
random bits, so a fast hash is enough (it is not a password a person chose).

Roles (see README "Complaints"): the 司法行政 supervisor whose region covers the department's
region handles the complaint and alone moves it between states; an officer of the named
department (or of the department it was referred to) may add a response note but not decide;
enterprises and other departments see nothing. Contact details are for the supervisor only:
the department complained about sees them masked, so a complaint cannot invite retaliation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import filetype
import phonenumbers
from stdnum.iso7064 import mod_37_36

from domain import uscc as uscc_rules
from domain.auth import Principal
from domain.errors import Collector, Conflict, FieldError, Forbidden, NotFound, TooLarge, ValidationFailed
from domain.masking import mask_person_name, mask_phone
from domain.regions import region_range

SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")  # China has no DST

# ---------------------------------------------------------------- states and who moves them
RECEIVED, UNDER_REVIEW, SUBSTANTIATED, NOT_SUBSTANTIATED, REFERRED, CLOSED = (
    "received",
    "under_review",
    "substantiated",
    "not_substantiated",
    "referred",
    "closed",
)
STATUSES = (RECEIVED, UNDER_REVIEW, SUBSTANTIATED, NOT_SUBSTANTIATED, REFERRED, CLOSED)
DECISIONS = (SUBSTANTIATED, NOT_SUBSTANTIATED, REFERRED)
OPEN = (RECEIVED, UNDER_REVIEW)  # not yet answered: these can be overdue
STATUS_LABELS = {
    RECEIVED: "已受理",
    UNDER_REVIEW: "核查中",
    SUBSTANTIATED: "属实",
    NOT_SUBSTANTIATED: "不属实",
    REFERRED: "已转办",
    CLOSED: "已办结",
}
TRANSITIONS: dict[str, tuple[str, ...]] = {
    RECEIVED: (UNDER_REVIEW,),
    UNDER_REVIEW: DECISIONS,
    SUBSTANTIATED: (CLOSED,),
    NOT_SUBSTANTIATED: (CLOSED,),
    REFERRED: (CLOSED,),
    CLOSED: (),
}
ROLE_SUPERVISOR, ROLE_DEPARTMENT, ROLE_SYSTEM = "supervisor", "department", "system"
MAX_NOTE = 2000


@dataclass(frozen=True)
class Rules:
    """The configurable limits (from Settings)."""

    respond_days: int = 15
    max_age_days: int = 90
    scan_window_minutes: int = 120
    max_image_bytes: int = 10 * 1024 * 1024
    max_video_bytes: int = 50 * 1024 * 1024
    max_attachments: int = 5


def supervises(p: Principal, region_code: str) -> bool:
    if p.role != "supervisor" or not p.region_code:
        return False
    lo, hi = region_range(p.region_code)
    return lo <= region_code < hi


def is_department_of(p: Principal, c: dict[str, Any]) -> bool:
    return (
        p.role in ("officer", "admin")
        and bool(p.department_code)
        and p.department_code in (c["department_code"], c.get("referred_to") or "")
    )


def access_of(p: Principal, c: dict[str, Any]) -> str:
    """'handler' (full view, may decide), 'department' (masked contact, may respond); else 403."""
    if supervises(p, c["region_code"]):
        return "handler"
    if is_department_of(p, c):
        return "department"
    raise Forbidden(
        "无权查看此投诉：仅所在地区的司法行政监督人员和被投诉部门可以查看 "
        "(only the region's supervisor and the named department see this complaint)"
    )


def check_move(p: Principal, c: dict[str, Any], to: str, note: str, referred_to: str | None) -> None:
    """Raise unless `p` may move complaint `c` to state `to` with this note."""
    if access_of(p, c) != "handler":
        raise Forbidden(
            "被投诉部门可以回复说明，但不能决定投诉的处理结果 "
            "(the named department may respond with a note but cannot decide; "
            "the region's supervisor decides)"
        )
    c_ = Collector()
    if not to:
        c_.add("to", f"必填 (required: one of {', '.join(STATUSES)})")
    elif to not in STATUSES:
        c_.add("to", f"未知状态 {to!r} (unknown state; one of {', '.join(STATUSES)})")
    if not note.strip():
        c_.add("note", "每次状态变更都需要一条公开说明 (every move needs a public note)")
    elif len(note) > MAX_NOTE:
        c_.add("note", f"说明不能超过{MAX_NOTE}字 (at most {MAX_NOTE} characters)")
    if to == REFERRED and not (referred_to or "").strip():
        c_.add("referred_to", "转办需要指明接收部门 (a referral names the department it goes to)")
    if to != REFERRED and referred_to:
        c_.add("referred_to", "只有转办时才指定接收部门 (referred_to goes only with 'referred')")
    if referred_to and referred_to == c["department_code"]:
        c_.add("referred_to", "不能转办给被投诉部门本身 (cannot refer to the department complained about)")
    c_.raise_if_any("状态变更无效 (invalid move)")
    if to not in TRANSITIONS[c["status"]]:
        allowed = ", ".join(TRANSITIONS[c["status"]]) or "none (closed)"
        raise Conflict(
            f"不能从“{STATUS_LABELS[c['status']]}”变更为“{STATUS_LABELS[to]}” "
            f"(cannot move from {c['status']} to {to}; allowed: {allowed})",
            [FieldError("to", f"allowed from {c['status']}: {allowed}")],
        )


def check_response(p: Principal, c: dict[str, Any], note: str) -> str:
    """A note without a state change; returns the role it is shown under."""
    role = access_of(p, c)
    if c["status"] == CLOSED:
        raise Conflict("投诉已办结，不能再添加说明 (the complaint is closed)")
    c_ = Collector()
    if not note.strip():
        c_.add("note", "说明不能为空 (the note is empty)")
    elif len(note) > MAX_NOTE:
        c_.add("note", f"说明不能超过{MAX_NOTE}字 (at most {MAX_NOTE} characters)")
    c_.raise_if_any("说明无效 (invalid note)")
    return ROLE_SUPERVISOR if role == "handler" else ROLE_DEPARTMENT


def contact_view(access: str, name: str, phone: str) -> tuple[str, str]:
    if access == "handler":
        return name, phone
    return mask_person_name(name), mask_phone(phone)


# ---------------------------------------------------------------- numbers and lookup codes
_NUMBER = re.compile(r"^TS-(\d{4})-(\d{6,})-([0-9A-Z])$")
_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 symbols: no 0/O, 1/I
CODE_LENGTH = 16  # 80 bits


def tracking_number(year: int, seq: int) -> str:
    """TS-2026-000123-K: the last character is ISO 7064 Mod 37,36 over the rest (catches typos)."""
    body = f"TS{year:04d}{seq:06d}"
    return f"TS-{year:04d}-{seq:06d}-{mod_37_36.calc_check_digit(body)}"


def parse_tracking_number(raw: str) -> str:
    """Normalise and check a tracking number; a typo is a 422 naming `number`."""
    text = re.sub(r"\s", "", raw).upper()
    m = _NUMBER.match(text)
    if not m:
        raise ValidationFailed(
            "投诉编号格式不对 (malformed tracking number)",
            [FieldError("number", "投诉编号形如 TS-2026-000123-K (like TS-2026-000123-K)")],
        )
    if not mod_37_36.is_valid(f"TS{m.group(1)}{m.group(2)}{m.group(3)}"):
        raise ValidationFailed(
            "投诉编号校验位不符，请检查是否抄错 (check character does not match: a typo?)",
            [FieldError("number", "校验位不符 (check character does not match)")],
        )
    return text


def new_lookup_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(raw: str) -> str:
    return re.sub(r"[\s-]", "", raw).upper()


def hash_code(code: str) -> str:
    return "sha256$" + hashlib.sha256(normalise_code(code).encode()).hexdigest()


# Compared against when the number is unknown, so both answers take the same time.
_DUMMY_HASH = hash_code("0" * CODE_LENGTH)


def code_matches(code: str, stored_hash: str | None) -> bool:
    return hmac.compare_digest(hash_code(code), stored_hash or _DUMMY_HASH) and stored_hash is not None


def not_found(number: str) -> NotFound:
    """One answer for an unknown number and a wrong code: nothing tells them apart."""
    return NotFound("没有找到该投诉，请核对编号和查询码 (no complaint with this number and lookup code)")


# ---------------------------------------------------------------- filing: fields
@dataclass
class Upload:
    """An attachment already streamed to a temporary place (the handle is opaque here)."""

    filename: str
    size: int
    content_type: str
    sha256: str
    handle: Any


@dataclass
class Draft:
    uscc: str
    enterprise_name: str
    contact_name: str
    contact_phone: str
    visited_at: dt.datetime
    place: str
    department_code: str
    officers: str
    scanned: str
    description: str
    region_code: str = ""
    uploads: list[Upload] = field(default_factory=list)


IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/heic": "heic"}
VIDEO_TYPES = {"video/mp4": "mp4", "video/quicktime": "mov"}
ACCEPTED = "JPG, PNG, WEBP, HEIC, MP4, MOV"


def detect_type(head: bytes) -> str | None:
    """The MIME type from the content's first bytes, if it is one we take; never from the name."""
    kind = filetype.guess(head)
    if kind is None or kind.mime not in IMAGE_TYPES | VIDEO_TYPES:
        return None
    return str(kind.mime)


def limit_for(mime: str, rules: Rules) -> int:
    return rules.max_video_bytes if mime in VIDEO_TYPES else rules.max_image_bytes


def extension_for(mime: str) -> str:
    return (IMAGE_TYPES | VIDEO_TYPES)[mime]


def too_large(index: int, mime: str | None, limit: int) -> TooLarge:
    what = "视频" if mime in VIDEO_TYPES else "图片"
    return TooLarge(
        f"第{index + 1}个附件超过{what}大小上限 {limit // (1024 * 1024)} MB "
        f"(attachment {index + 1} exceeds the {limit} byte limit); nothing was stored",
        [FieldError(f"attachments[{index}]", f"larger than {limit} bytes")],
    )


_SCANNED = {
    "yes": "yes",
    "no": "no",
    "unknown": "unknown",
    "true": "yes",
    "false": "no",
    "是": "yes",
    "否": "no",
    "不清楚": "unknown",
    "": "unknown",
}
_LIMITS = {"enterprise_name": 200, "contact_name": 50, "place": 300, "officers": 1000, "description": 5000}


def parse_phone(raw: str) -> str:
    """Mobile 1[3-9]xxxxxxxxx or a landline with its area code, optionally +86; returns E.164.

    The shape check gives the filer a plain message; phonenumbers then checks that the mobile
    prefix or area code really exists."""
    compact = re.sub(r"[\s\-()（）]", "", raw.strip())
    intl = compact.startswith(("+86", "86"))
    national = compact[3:] if compact.startswith("+86") else compact[2:] if intl else compact
    mobile = re.fullmatch(r"1[3-9]\d{9}", national)
    landline = re.fullmatch(r"0\d{9,11}", national) or (intl and re.fullmatch(r"[1-9]\d{8,10}", national))
    if not (mobile or landline):
        if re.fullmatch(r"\d{7,8}", national):
            raise ValueError("固定电话需带区号，如 0635-8241234 (a landline needs its area code, e.g. 0635-8241234)")
        raise ValueError(
            "电话号码格式不对：手机号为1[3-9]开头的11位数字，固定电话需带区号 "
            "(a mobile number 1[3-9]xxxxxxxxx, or a landline with area code, optionally +86)"
        )
    try:
        num = phonenumbers.parse("+86" + national.lstrip("0"), None)
    except phonenumbers.NumberParseException:
        num = None
    ok_types = (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    if num is None or not phonenumbers.is_valid_number(num) or phonenumbers.number_type(num) not in ok_types:
        raise ValueError(
            "不是有效的中国大陆电话号码（号段或区号不存在）(not a valid mainland China number: "
            "unknown mobile prefix or area code)"
        )
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


def parse_visit(raw: str, now: dt.datetime, max_age_days: int) -> dt.datetime:
    """ISO 8601; without an offset it is Beijing time (what a form's date-time field sends)."""
    try:
        when = dt.datetime.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError(
            "时间格式应为 ISO 8601，如 2026-11-20T09:30:00+08:00 (use ISO 8601, e.g. 2026-11-20T09:30:00+08:00)"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=SHANGHAI)
    if when > now + dt.timedelta(minutes=1):
        raise ValueError("到访时间不能晚于现在 (the visit time is in the future)")
    if when < now - dt.timedelta(days=max_age_days):
        raise ValueError(f"只受理{max_age_days}天内的到访 (visits older than {max_age_days} days are not accepted)")
    return when


def validate_filing(
    raw: dict[str, Any], uploads: list[Upload], rules: Rules, now: dt.datetime, departments: dict[str, dict[str, Any]]
) -> Draft:
    """Every field problem at once, as 422 field errors. `departments`: code → {region_code}."""
    c = Collector()

    def text(name: str, required: bool = True) -> str:
        value = raw.get(name)
        if value is None:
            value = ""
        if isinstance(value, list):
            value = "、".join(str(v).strip() for v in value if str(v).strip())
        value = str(value).strip()
        if required and not value:
            c.add(name, "必填 (required)")
        elif len(value) > _LIMITS.get(name, 200):
            c.add(name, f"不能超过{_LIMITS.get(name, 200)}字 (at most {_LIMITS.get(name, 200)} characters)")
        return value

    code = ""
    raw_uscc = text("uscc")
    if raw_uscc:
        try:
            code = uscc_rules.validate(raw_uscc)
        except uscc_rules.InvalidUSCC as e:
            c.add("uscc", str(e))
    name, contact, place = text("enterprise_name"), text("contact_name"), text("place")
    officers, description = text("officers", required=False), text("description")
    phone = ""
    raw_phone = text("contact_phone")
    if raw_phone:
        try:
            phone = parse_phone(raw_phone)
        except ValueError as e:
            c.add("contact_phone", str(e))
    visited = now
    raw_visit = text("visited_at")
    if raw_visit:
        try:
            visited = parse_visit(raw_visit, now, rules.max_age_days)
        except ValueError as e:
            c.add("visited_at", str(e))
    dept = text("department")
    if dept and dept not in departments:
        # The name results show (聊城市市场监督管理局) is accepted as well as the code.
        dept = next((code for code, d in departments.items() if d.get("name") == dept), dept)
    if dept and dept not in departments:
        c.add("department", f"未知部门 {dept!r}，请填写部门代码或全称 (unknown department: give its code or full name)")
    scanned_raw = raw.get("scanned")
    scanned_key = str(scanned_raw).strip().lower() if scanned_raw is not None else ""
    scanned = _SCANNED.get(scanned_key)
    if scanned is None:
        c.add("scanned", "应为 yes / no / unknown (one of yes, no, unknown)")
    if len(uploads) > rules.max_attachments:
        c.add("attachments", f"最多{rules.max_attachments}个附件 (at most {rules.max_attachments} attachments)")
    c.raise_if_any("投诉内容有误，未保存 (the complaint has invalid fields; nothing was stored)")
    return Draft(
        uscc=code,
        enterprise_name=name,
        contact_name=contact,
        contact_phone=phone,
        visited_at=visited,
        place=place,
        department_code=dept,
        officers=officers,
        scanned=scanned or "unknown",
        description=description,
        region_code=departments[dept]["region_code"],
        uploads=uploads,
    )


# ---------------------------------------------------------------- filing: the use case
@dataclass
class Filed:
    number: str
    lookup_code: str
    status: str
    respond_by: dt.date


async def file_complaint(
    draft: Draft,
    rules: Rules,
    now: dt.datetime,
    *,
    throttle: Callable[[str], Awaitable[None]],
    find_scans: Callable[[str, str, dt.datetime, dt.datetime], Awaitable[list[dict[str, Any]]]],
    insert: Callable[..., Awaitable[str]],
    add_working_days: Callable[[dt.date, int], dt.date],
) -> Filed:
    """Throttle per USCC, cross-check the scan records, store everything in one go."""
    from domain.complaint_checks import crosscheck

    await throttle(draft.uscc)
    window = dt.timedelta(minutes=rules.scan_window_minutes)
    scans = await find_scans(draft.uscc, draft.department_code, draft.visited_at - window, draft.visited_at + window)
    finding = crosscheck(draft.visited_at, rules.scan_window_minutes, draft.scanned, scans)
    respond_by = add_working_days(now.astimezone(SHANGHAI).date(), rules.respond_days)
    code = new_lookup_code()
    number = await insert(
        draft=draft,
        code_hash=hash_code(code),
        crosscheck=finding,
        respond_by=respond_by,
        filed_at=now,
        number_for=lambda seq: tracking_number(now.astimezone(SHANGHAI).year, seq),
        first_note="投诉已收到，等待核查 (complaint received; awaiting review)",
    )
    return Filed(number=number, lookup_code=code, status=RECEIVED, respond_by=respond_by)


def is_overdue(status: str, respond_by: dt.date, today: dt.date) -> bool:
    """Overdue: still without an answer (substantiated / not / referred) after respond_by."""
    return status in OPEN and today > respond_by
