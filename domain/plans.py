"""Annual spot-check plans: validating what an officer publishes, and the human-readable diff
between two revisions (a published plan is never edited in place; a revision says what changed).

Plan items are plain dicts (stored as JSON):
  code            stable key within the plan ("1", "2" … assigned when missing), used by the diff
  field           抽查领域, e.g. 食品安全
  matters         抽查事项: list of named check items
  scope           抽查对象
  departments     抽查部门 (names)
  level           实施层级: 省 / 市 / 县
  months          时间安排: list of months 1-12
  ratio_percent   overall 抽查比例 in percent, or None
  ratio_by_class  per credit-risk class, e.g. {"A": 3, "B": 4, "C": 5, "D": 6}
  method          检查方式
  joint           部门联合
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from domain.errors import Collector, FieldError, ValidationFailed

LEVELS = ("省", "市", "县")
RISK_CLASSES = ("A", "B", "C", "D")
MAX_ITEMS = 500

LABELS = {
    "field": "抽查领域",
    "matters": "抽查事项",
    "scope": "抽查对象",
    "departments": "抽查部门",
    "level": "实施层级",
    "months": "时间安排",
    "ratio_percent": "抽查比例",
    "ratio_by_class": "分级抽查比例",
    "method": "检查方式",
    "joint": "联合抽查",
}


def _strs(value: Any) -> list[str] | None:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    return [v.strip() for v in value if v.strip()]


def _percent(value: Any) -> float | str | None:
    """A percentage 0 < p <= 100, or None; a string means 'invalid'."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (0 < value <= 100):
        return "invalid"
    return float(value)


def validate_items(raw_items: Any, c: Collector, prefix: str = "items") -> list[dict[str, Any]]:
    """Normalise plan items; every problem goes to `c` as items[i].field."""
    if not isinstance(raw_items, list) or not raw_items:
        c.add(prefix, "计划至少需要一个抽查事项 (a plan needs at least one item)")
        return []
    if len(raw_items) > MAX_ITEMS:
        c.add(prefix, f"最多 {MAX_ITEMS} 项 (at most {MAX_ITEMS} items)")
        return []
    items: list[dict[str, Any]] = []
    codes: set[str] = set()
    for i, raw in enumerate(raw_items):
        p = f"{prefix}[{i}]."
        if not isinstance(raw, dict):
            c.add(f"{prefix}[{i}]", "应为对象 (an object)")
            continue
        code = str(raw.get("code") or i + 1).strip()
        if code in codes:
            c.add(p + "code", f"编号 {code} 重复 (duplicate item code)")
        codes.add(code)
        field = str(raw.get("field") or "").strip()
        if not field:
            c.add(p + "field", "抽查领域不能为空 (field is required)")
        matters = _strs(raw.get("matters"))
        if matters is None or not matters:
            c.add(p + "matters", "至少一个抽查事项 (a non-empty list of check items)")
        departments = _strs(raw.get("departments"))
        if departments is None:
            c.add(p + "departments", "应为部门名称列表 (a list of department names)")
        level = raw.get("level") or "市"
        if level not in LEVELS:
            c.add(p + "level", f"实施层级应为 省/市/县 (one of {', '.join(LEVELS)}, got {level!r})")
        months = raw.get("months") or []
        if not isinstance(months, list) or not all(
            isinstance(m, int) and not isinstance(m, bool) and 1 <= m <= 12 for m in months
        ):
            c.add(p + "months", "月份应为1到12的整数列表 (a list of months 1-12)")
            months = []
        ratio = _percent(raw.get("ratio_percent"))
        if ratio == "invalid":
            c.add(p + "ratio_percent", "抽查比例应为0到100之间的百分数 (a percentage above 0 and at most 100)")
        by_class_raw = raw.get("ratio_by_class") or {}
        by_class: dict[str, float] = {}
        if not isinstance(by_class_raw, dict):
            c.add(p + "ratio_by_class", "应为 {A: 3, B: 4, …} (an object keyed by credit class)")
        else:
            for k, v in by_class_raw.items():
                pv = _percent(v)
                if k not in RISK_CLASSES or not isinstance(pv, float):
                    c.add(
                        p + "ratio_by_class", f"信用风险分类 {k!r} 或比例 {v!r} 无效 (classes A-D, percentages 0-100)"
                    )
                else:
                    by_class[k] = pv
        joint = raw.get("joint", False)
        if not isinstance(joint, bool):
            c.add(p + "joint", "应为 true 或 false (a boolean)")
        items.append(
            {
                "code": code,
                "field": field,
                "matters": matters or [],
                "scope": str(raw.get("scope") or "").strip(),
                "departments": departments or [],
                "level": level,
                "months": sorted(set(months)),
                "ratio_percent": ratio if isinstance(ratio, float) else None,
                "ratio_by_class": dict(sorted(by_class.items())),
                "method": str(raw.get("method") or "").strip(),
                "joint": bool(joint) if isinstance(joint, bool) else False,
            }
        )
    return items


def fill_codes(items: list[dict[str, Any]], taken: list[str]) -> list[dict[str, Any]]:
    """Give the items without a code the numbers after the highest numeric code among `taken`
    (the base revision's items) and the items themselves: the diff matches items by code, so a
    new item must never take the code of an item that exists or was just removed."""
    numbers = [int(c) for c in [*taken, *(str(i.get("code") or "") for i in items)] if c.strip().isdigit()]
    n = max(numbers, default=0)
    out = []
    for item in items:
        if not str(item.get("code") or "").strip():
            n += 1
            item = {**item, "code": str(n)}
        out.append(item)
    return out


def validate_plan(raw: dict[str, Any], actor_department: str, region_code: str, today: dt.date) -> dict[str, Any]:
    """A new plan as the db layer stores it (plan row + revision 1), or ValidationFailed.
    The lead department is the actor's own (checked by the caller before)."""
    c = Collector()
    year = raw.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not (2000 <= year <= 2100):
        c.add("year", f"年度应为2000到2100之间的整数 (a year 2000-2100, got {year!r})")
    title = str(raw.get("title") or "").strip()
    if not title:
        c.add("title", "标题不能为空 (title is required)")
    elif len(title) > 300:
        c.add("title", "标题过长 (at most 300 characters)")
    participating = _strs(raw.get("participating"))
    if participating is None:
        c.add("participating", "应为部门名称列表 (a list of department names)")
    items = validate_items(raw.get("items"), c)
    published_on = raw.get("published_on") or today
    if not isinstance(published_on, dt.date) or published_on > today + dt.timedelta(days=1):
        c.add("published_on", "发布日期无效或在未来 (a date, not in the future)")
    c.raise_if_any("计划有无效字段，未发布 (the plan has invalid fields; nothing was published)")
    return {
        "year": year,
        "department_code": actor_department,
        "region_code": region_code,
        "published_on": published_on,
        "title": title,
        "participating": participating or [],
        "body": str(raw.get("body") or ""),
        "items": items,
    }


def validate_revision(raw: dict[str, Any], current: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """Revision N+1 from the current revision and what the officer changes; a reason is
    required and something must actually change."""
    c = Collector()
    reason = str(raw.get("reason") or "").strip()
    if not reason:
        c.add("reason", "调整计划必须说明理由 (a revision needs a reason)")
    title = current["title"] if raw.get("title") is None else str(raw["title"]).strip()
    if not title:
        c.add("title", "标题不能为空 (title is required)")
    participating = current["participating"] if raw.get("participating") is None else _strs(raw["participating"])
    if participating is None:
        c.add("participating", "应为部门名称列表 (a list of department names)")
    items = current["items"] if raw.get("items") is None else validate_items(raw["items"], c)
    body = current["body"] if raw.get("body") is None else str(raw["body"])
    c.raise_if_any("计划调整有无效字段，未发布 (the revision has invalid fields; nothing was published)")
    new = {"title": title, "participating": participating or [], "body": body, "items": items}
    diff = diff_revisions(current, new)
    if not diff:
        raise ValidationFailed(
            "调整内容与现行版本相同 (the revision changes nothing)",
            [FieldError("items", "与现行版本相同 (identical to the current revision)")],
        )
    return {**new, "reason": reason, "revised_on": today, "changes": diff}


def _fmt(key: str, value: Any) -> str:
    if key == "ratio_percent":
        return "未规定" if value is None else f"{value:g}%"
    if key == "ratio_by_class":
        return "、".join(f"{k}类{v:g}%" for k, v in value.items()) or "未规定"
    if key == "months":
        return "、".join(f"{m}月" for m in value) or "未规定"
    if key == "joint":
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(value) or "无"
    return str(value) or "无"


def _item_label(item: dict[str, Any]) -> str:
    return f"第{item['code']}项（{item['field']}）"


def diff_items(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
    """Human-readable changes between two item lists, matched by item `code`."""
    out: list[str] = []
    before = {i["code"]: i for i in old}
    after = {i["code"]: i for i in new}
    for code, item in after.items():
        if code not in before:
            out.append(f"新增{_item_label(item)}：{_fmt('matters', item['matters'])}")
    for code, item in before.items():
        if code not in after:
            out.append(f"删除{_item_label(item)}：{_fmt('matters', item['matters'])}")
    for code, item in after.items():
        prev = before.get(code)
        if prev is None:
            continue
        for key, label in LABELS.items():
            if prev.get(key) != item.get(key):
                out.append(f"{_item_label(item)}{label}：{_fmt(key, prev.get(key))} → {_fmt(key, item.get(key))}")
    return out


def diff_revisions(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Changes in title, participating departments, text and items."""
    out: list[str] = []
    if old["title"] != new["title"]:
        out.append(f"标题：{old['title']} → {new['title']}")
    added = [d for d in new["participating"] if d not in old["participating"]]
    removed = [d for d in old["participating"] if d not in new["participating"]]
    if added:
        out.append(f"新增参与部门：{'、'.join(added)}")
    if removed:
        out.append(f"移除参与部门：{'、'.join(removed)}")
    if old["body"] != new["body"]:
        out.append("计划正文已修改")
    return out + diff_items(old["items"], new["items"])
