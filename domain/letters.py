"""Decision letters (决定书 / 通知书) of the credit-repair procedure (issue 11 item 11).

Every step the deciding department takes — 受理, 不予受理, 一次性告知补正, 准予修复, 不予修复 —
produces a dated written letter to the enterprise (DOMAIN.md, "Periods, deadlines and the repair
procedure": "Each is a written decision naming the enterprise's remedies"). This module writes the
letter's text as plain data; render/letters.py lays it out as a PDF, db/repair.py stores it in the
step's own transaction, so a letter exists exactly when its step happened and says what the step
said. The text is frozen when the letter is issued: later changes to the rules, the department's
name or this module never rewrite a letter already sent.

Remedies for an adverse decision (不予受理, 不予修复 — the decisions that refuse the enterprise what it
asked for):
- 行政复议 within 60 days of knowing (or when it should have known) of the decision: 《中华人民共和国行政复议法》（2023年修订）第二十条第一款.
- 行政诉讼 within 6 months of knowing or when it should have known: 《中华人民共和国行政诉讼法》第四十六条第一款.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

# action → (kind, title). The titles follow the usual names of these documents in the SAMR
# credit-repair practice (信用修复申请受理通知书 / 不予受理决定书 / 补正材料通知书 / 准予信用修复决定书 /
# 不予信用修复决定书).
LETTER_KINDS: dict[str, tuple[str, str]] = {
    "accept": ("acceptance", "信用修复申请受理通知书"),
    "decline": ("non_acceptance", "信用修复申请不予受理决定书"),
    "request-materials": ("correction_notice", "信用修复申请材料补正通知书"),
    "approve": ("approval", "准予信用修复决定书"),
    "reject": ("refusal", "不予信用修复决定书"),
}
KIND_LABELS = {kind: title for kind, title in LETTER_KINDS.values()}
ADVERSE = frozenset({"decline", "reject"})

REMEDY_DAYS_REVIEW = 60  # 《行政复议法》（2023年修订）第二十条第一款
REMEDY_MONTHS_SUIT = 6  # 《行政诉讼法》第四十六条第一款
REMEDY = (
    "如不服本决定，可以自知道或者应当知道该决定之日起六十日内依法申请行政复议"
    "（《中华人民共和国行政复议法》第二十条），"
    "或者自知道或者应当知道该决定之日起六个月内依法向人民法院提起行政诉讼"
    "（《中华人民共和国行政诉讼法》第四十六条）。"
)


@dataclass(frozen=True)
class LetterFacts:
    """What a letter says about the case, read when the step is taken."""

    application_number: str
    submitted_on: dt.date
    uscc: str
    enterprise_name: str
    department_name: str
    result_id: int
    task_number: str
    published_on: dt.date
    category_labels: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Letter:
    """A letter's text as issued (stored as JSON; rendered to PDF on request)."""

    kind: str
    title: str
    department: str
    addressee: str
    paragraphs: list[str]
    remedy: str
    issued_on: dt.date

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["issued_on"] = self.issued_on.isoformat()
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Letter:
        return cls(**{**data, "issued_on": dt.date.fromisoformat(data["issued_on"])})


def chinese_date(day: dt.date) -> str:
    """2026-12-07 → 2026年12月7日 (the date as written on an official document)."""
    return f"{day.year}年{day.month}月{day.day}日"


def _reason_lines(reason: str) -> str:
    """The officer's reason as one run of text: lines joined with ；, final punctuation kept."""
    parts = [ln.strip().rstrip("；;。.") for ln in reason.replace("\r\n", "\n").split("\n") if ln.strip()]
    return "；".join(parts) + ("。" if parts else "")


def compose(
    action: str,
    facts: LetterFacts,
    reason: str,
    issued_on: dt.date,
    decide_by: dt.date | None = None,
    decide_days: int | None = None,
) -> Letter:
    """The letter for `action` (one of LETTER_KINDS). `reason` is the step's stored note (required
    for the adverse steps and the list of missing materials); `decide_by`/`decide_days` say, on an
    acceptance, by when the decision is due (domain.repair.decide_by)."""
    kind, title = LETTER_KINDS[action]
    subject = (
        f"你单位于{chinese_date(facts.submitted_on)}提交的信用修复申请（申请编号 {facts.application_number}），"
        f"涉及本机关于{chinese_date(facts.published_on)}公示的检查结果（任务单号 {facts.task_number}，"
        f"结果编号 {facts.result_id}"
        + (f"，检查结果：{'、'.join(facts.category_labels)}" if facts.category_labels else "")
        + "）"
    )
    paragraphs: list[str]
    if action == "accept":
        due = (
            f"本机关将自受理之日起{decide_days}个工作日内（{chinese_date(decide_by)}前）作出是否准予信用修复的决定。"
            if decide_by is not None and decide_days is not None
            else "本机关将在规定期限内作出是否准予信用修复的决定。"
        )
        paragraphs = [f"{subject}，经审查，材料齐全，符合受理条件，本机关决定予以受理。", due]
    elif action == "decline":
        paragraphs = [f"{subject}，经审查，本机关决定不予受理。", f"理由：{_reason_lines(reason)}"]
    elif action == "request-materials":
        paragraphs = [
            f"{subject}，经审查，申请材料不齐全或者不符合要求。现一次性告知你单位需要补正的全部内容：",
            _reason_lines(reason),
            "请通过本门户“信用修复”页面或者开放接口补正材料。受理期限自收到全部补正材料之日起重新计算；"
            "补正前不予受理。",
        ]
    elif action == "approve":
        paragraphs = [
            f"{subject}，经审查，符合信用修复条件，本机关决定准予信用修复。",
            f"自{chinese_date(issued_on)}起，该检查结果停止公示；修复结果将共享至省级信用信息共享平台、"
            "国家企业信用信息公示系统和“信用中国”网站。",
        ]
        if reason and reason != "准予信用修复 (approved)":
            paragraphs.append(f"说明：{_reason_lines(reason)}")
    elif action == "reject":
        paragraphs = [
            f"{subject}，经审查，本机关决定不予信用修复，该检查结果继续公示。",
            f"理由：{_reason_lines(reason)}",
        ]
    else:  # pragma: no cover - LETTER_KINDS[action] above raised already
        raise KeyError(action)
    return Letter(
        kind=kind,
        title=title,
        department=facts.department_name,
        addressee=f"{facts.enterprise_name}（统一社会信用代码：{facts.uscc}）：",
        paragraphs=paragraphs,
        remedy=REMEDY if action in ADVERSE else "",
        issued_on=issued_on,
    )


def letter_number(application_number: str, seq: int) -> str:
    """The letter's own number: the application's number and the letter's place among its letters
    (RA-20261207-0001-02 for the second), so it can be quoted and looked up."""
    return f"{application_number}-{seq:02d}"
