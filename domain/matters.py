"""The matters list (抽查事项清单 / 检查事项清单) and the inspecting bodies (检查主体清单).

Sources: Shandong 2025 (一) — 抽查事项 are published and "未经公布的事项不得开展抽查"; Liaocheng
(一)(二) — each law-enforcement body publishes its 检查主体清单 and 检查事项清单, "清单之外无检查",
and the list names the level responsible; Liaocheng (二) also asks the list to be kept current.

A matter is published like a plan: never edited in place. A revision is version N+1 with a reason
and the list of what changed; every version stays public. Each version says from when (and,
optionally, until when) it applies, so "the list in force on a day" is a question about versions
(`version_in_force`), not about the latest one.

Versions are plain dicts:
  number        1 = the original publication
  name          事项名称
  field         抽查领域, a check-field code of domain.results.CHECK_FIELDS (food, drug …)
  legal_basis   [{law, article}]: 检查依据, at least one
  object_scope  检查对象
  method        检查方式, a code of METHODS
  level         实施层级: 省 / 市 / 县
  valid_from    first day the version applies
  valid_to      last day it applies, or None (until revised)
  revised_on, reason, changes
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any, Protocol

from domain.errors import Collector, FieldError, ValidationFailed
from domain.plans import LEVELS
from domain.results import CHECK_FIELD_LABELS, CHECK_FIELDS

# 检查方式: on-site, written review, online monitoring and other non-site methods (DOMAIN.md
# "Lists, limits …", after Liaocheng (十) on 非现场监管 and the seeds' 现场检查/书面检查).
METHODS: dict[str, str] = {
    "on_site": "现场检查",
    "document_review": "书面核查",
    "online_monitoring": "网络监测",
    "off_site": "非现场",
}
# Who may inspect (Liaocheng (一): "实施行政检查的主体必须具备法定资格"). The three kinds of body the
# law lets act: an administrative organ within its statutory powers, an organisation a law or
# regulation authorises, and one entrusted by an organ — the kinds 《行政处罚法》(2021) 第十七条、
# 第十九条、第二十条 name for enforcement; no seed lists them for inspections, so by analogy.
LEGAL_STATUSES: dict[str, str] = {
    "administrative_organ": "法定行政机关",
    "authorised_organisation": "法律法规授权的组织",
    "entrusted_organisation": "依法受委托的组织",
}
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
MAX_BASES = 20
LABELS = {
    "name": "事项名称",
    "field": "抽查领域",
    "legal_basis": "检查依据",
    "object_scope": "检查对象",
    "method": "检查方式",
    "level": "实施层级",
    "valid_from": "施行日期",
    "valid_to": "截止日期",
}
_FIELD_BY_LABEL = {v: k for k, v in CHECK_FIELD_LABELS.items()}
_METHOD_BY_LABEL = {v: k for k, v in METHODS.items()}


def valid_code(code: str) -> bool:
    return bool(CODE.match(code))


def field_code(value: Any) -> str | None:
    """A check-field code from its code or its Chinese label (食品 → food), or None."""
    v = str(value or "").strip()
    if v in CHECK_FIELDS:
        return v
    return _FIELD_BY_LABEL.get(v)


def method_code(value: Any) -> str | None:
    """A method code from its code or its label (现场检查 → on_site), or None."""
    v = str(value or "").strip()
    if v in METHODS:
        return v
    return _METHOD_BY_LABEL.get(v)


def _date(value: Any) -> dt.date | None:
    return value if isinstance(value, dt.date) and not isinstance(value, dt.datetime) else None


def _text(raw: dict[str, Any], key: str) -> str:
    return str(raw.get(key) or "").strip()


def _legal_basis(value: Any, c: Collector) -> list[dict[str, str]]:
    if not isinstance(value, list) or not value:
        c.add("legal_basis", "至少一项检查依据：法律法规名称和条款 (at least one {law, article})")
        return []
    if len(value) > MAX_BASES:
        c.add("legal_basis", f"最多 {MAX_BASES} 项 (at most {MAX_BASES})")
        return []
    out = []
    for i, b in enumerate(value):
        p = f"legal_basis[{i}]."
        if not isinstance(b, dict):
            c.add(f"legal_basis[{i}]", "应为 {law, article} 对象 (an object {law, article})")
            continue
        law, article = _text(b, "law"), _text(b, "article")
        if not law:
            c.add(p + "law", "法律法规名称不能为空 (law is required)")
        elif len(law) > 200:
            c.add(p + "law", "过长 (at most 200 characters)")
        if not article:
            c.add(p + "article", "条款不能为空，如 第三十条 (article is required, e.g. 第三十条)")
        elif len(article) > 100:
            c.add(p + "article", "过长 (at most 100 characters)")
        out.append({"law": law, "article": article})
    return out


def _content(raw: dict[str, Any], current: dict[str, Any] | None, c: Collector) -> dict[str, Any]:
    """A version's content from `raw`; keys missing (None) in `raw` keep `current`'s value."""

    def given(key: str) -> bool:
        return raw.get(key) is not None or current is None

    def keep(key: str) -> Any:
        return current[key] if current is not None else None

    name = _text(raw, "name") if given("name") else keep("name")
    if not name:
        c.add("name", "事项名称不能为空 (name is required)")
    elif len(name) > 200:
        c.add("name", "事项名称过长 (at most 200 characters)")
    field = keep("field")
    if given("field"):
        field = field_code(raw.get("field"))
        if field is None:
            c.add("field", f"未知的抽查领域 {raw.get('field')!r} (one of {', '.join(CHECK_FIELDS)})")
    legal = _legal_basis(raw.get("legal_basis"), c) if given("legal_basis") else keep("legal_basis")
    scope = _text(raw, "object_scope") if given("object_scope") else keep("object_scope")
    if not scope:
        c.add("object_scope", "检查对象不能为空 (object_scope is required)")
    elif len(scope) > 500:
        c.add("object_scope", "检查对象过长 (at most 500 characters)")
    method = keep("method")
    if given("method"):
        method = method_code(raw.get("method"))
        if method is None:
            c.add(
                "method",
                f"检查方式应为 现场检查/书面核查/网络监测/非现场 (one of {', '.join(METHODS)}, got {raw.get('method')!r})",
            )
    level = (_text(raw, "level") or "市") if given("level") else keep("level")
    if level not in LEVELS:
        c.add("level", f"实施层级应为 省/市/县 (one of {', '.join(LEVELS)}, got {level!r})")
    valid_from = keep("valid_from")
    if given("valid_from"):
        valid_from = _date(raw.get("valid_from"))
        if valid_from is None:
            c.add("valid_from", "施行日期格式应为 YYYY-MM-DD (a date)")
    valid_to = _date(raw.get("valid_to")) if "valid_to" in raw or current is None else keep("valid_to")
    if raw.get("valid_to") is not None and _date(raw.get("valid_to")) is None:
        c.add("valid_to", "截止日期格式应为 YYYY-MM-DD (a date, or null)")
    elif valid_to is not None and valid_from is not None and valid_to < valid_from:
        c.add("valid_to", "截止日期不能早于施行日期 (valid_to is before valid_from)")
    return {
        "name": name,
        "field": field,
        "legal_basis": legal,
        "object_scope": scope,
        "method": method,
        "level": level,
        "valid_from": valid_from,
        "valid_to": valid_to,
    }


def validate_matter(raw: dict[str, Any], department: str, region_code: str, today: dt.date) -> dict[str, Any]:
    """A new matter (row + version 1) as the db layer stores it, or ValidationFailed listing every
    problem. The department is the acting officer's own (checked by the caller)."""
    c = Collector()
    code = _text(raw, "code")
    if not valid_code(code):
        c.add("code", "事项编码为1到40位字母、数字、“.”“_”“-” (1-40 letters, digits, '.', '_' or '-')")
    content = _content(raw, None, c)
    c.raise_if_any("抽查事项有无效字段，未发布 (the matter has invalid fields; nothing was published)")
    return {
        "code": code,
        "department_code": department,
        "region_code": region_code,
        "published_on": today,
        **content,
        "revised_on": today,
        "reason": "",
        "changes": [],
    }


def validate_revision(raw: dict[str, Any], current: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """Version N+1 from the current version and what the officer changes. A reason is required and
    something must change. `valid_to` given as null in `raw` clears an end date; left out, it stays."""
    c = Collector()
    reason = _text(raw, "reason")
    if not reason:
        c.add("reason", "修订抽查事项必须说明理由 (a revision needs a reason)")
    elif len(reason) > 2000:
        c.add("reason", "理由过长 (at most 2000 characters)")
    content = _content(raw, current, c)
    c.raise_if_any("抽查事项修订有无效字段，未发布 (the revision has invalid fields; nothing was published)")
    changes = diff_versions(current, content)
    if not changes:
        raise ValidationFailed(
            "修订内容与现行版本相同 (the revision changes nothing)",
            [FieldError("reason", "与现行版本相同 (identical to the current version)")],
        )
    return {**content, "revised_on": today, "reason": reason, "changes": changes}


def fmt(key: str, value: Any) -> str:
    if key == "field":
        return CHECK_FIELD_LABELS.get(value, str(value))
    if key == "method":
        return METHODS.get(value, str(value))
    if key == "legal_basis":
        return basis_text(value) or "无"
    if key in ("valid_from", "valid_to"):
        return value.isoformat() if isinstance(value, dt.date) else "长期"
    return str(value) if value not in (None, "") else "无"


def basis_text(bases: Iterable[dict[str, str]]) -> str:
    """《食品安全法》第八十七条；《……》第……条"""
    return "；".join(f"{b['law']}{b['article']}" for b in bases or [])


def diff_versions(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Human-readable changes between two versions ("检查方式：现场检查 → 书面核查")."""
    return [
        f"{label}：{fmt(key, old.get(key))} → {fmt(key, new.get(key))}"
        for key, label in LABELS.items()
        if _norm(key, old.get(key)) != _norm(key, new.get(key))
    ]


def _norm(key: str, value: Any) -> Any:
    if key in ("valid_from", "valid_to") and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if key == "legal_basis":
        return [(b.get("law"), b.get("article")) for b in value or []]
    return value


def version_in_force(versions: Iterable[dict[str, Any]], on: dt.date) -> dict[str, Any] | None:
    """The version of one matter in force on `on`, or None if the matter is not on the list that day.

    A later version supersedes every earlier one from its own `valid_from` on (a revision may take
    effect later than it is published, and until then the earlier version still applies): the
    candidate is the highest-numbered version with valid_from <= on, and it is in force unless its
    `valid_to` lies before `on`. Both ends are inclusive: a matter valid 2025-01-01 to 2025-12-31 is
    on the list on both days and off it on 2024-12-31 and 2026-01-01."""
    candidate = None
    for v in versions:
        start = v["valid_from"]
        if start <= on and (candidate is None or v["number"] > candidate["number"]):
            candidate = v
    if candidate is None:
        return None
    end = candidate.get("valid_to")
    return candidate if end is None or on <= end else None


def latest(versions: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    out = None
    for v in versions:
        if out is None or v["number"] > out["number"]:
            out = v
    return out


def matches(version: dict[str, Any], code: str, q: str) -> bool:
    """Whether a free-text query finds this matter: its code, name, scope, legal basis or labels
    contain the query (case-insensitive; the list is small enough to read whole)."""
    q = q.strip().lower()
    if not q:
        return True
    hay = " ".join(
        (
            code,
            version["name"],
            version["object_scope"],
            basis_text(version["legal_basis"]),
            CHECK_FIELD_LABELS.get(version["field"], ""),
            METHODS.get(version["method"], ""),
            version["level"],
        )
    ).lower()
    return q in hay


def select(
    matters: list[dict[str, Any]],
    versions: dict[int, list[dict[str, Any]]],
    on: dt.date | None,
    field: str | None,
    q: str = "",
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(matter, shown version) pairs of a list request, in code order: with `on`, the matters in
    force that day with the version then in force; without, every matter with its latest version.
    `field` and `q` then filter on the shown version."""
    out = []
    for m in matters:
        vs = versions.get(m["id"], [])
        v = version_in_force(vs, on) if on is not None else latest(vs)
        if v is None or (field and v["field"] != field) or not matches(v, m["code"], q):
            continue
        out.append((m, v))
    out.sort(key=lambda mv: mv[0]["code"])
    return out


class MattersRepo(Protocol):
    async def list_matters(self, department: str | None = None, public_only: bool = True) -> list[dict[str, Any]]: ...
    async def versions_for(self, matter_ids: list[int]) -> dict[int, list[dict[str, Any]]]: ...


async def matters_page(
    repo: MattersRepo,
    department: str | None,
    field: str | None,
    on: dt.date | None,
    q: str,
    after_code: str | None,
    size: int,
) -> tuple[list[tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]], bool, int]:
    """The use case behind GET /api/v1/matters and the portal's /matters: one page of
    (matter, shown version, all versions) after `after_code`, whether more follow, and the total."""
    rows = await repo.list_matters(department)
    versions = await repo.versions_for([r["id"] for r in rows])
    chosen = select(rows, versions, on, field, q)
    total = len(chosen)
    if after_code is not None:
        chosen = [mv for mv in chosen if mv[0]["code"] > after_code]
    page = [(m, v, versions[m["id"]]) for m, v in chosen[:size]]
    return page, len(chosen) > size, total


async def in_force_codes(repo: MattersRepo, department: str, on: dt.date) -> set[str]:
    """The codes of a department's matters on the list in force on `on`."""
    rows = await repo.list_matters(department)
    versions = await repo.versions_for([r["id"] for r in rows])
    return {m["code"] for m, _ in select(rows, versions, on, None)}
