"""The watch feed of one enterprise (/feeds/entities/{uscc}.atom, issue 16 item 4): what was
published about it, corrected, and what stopped being public — the last as an entry that says so
and nothing else (a record no longer public is never shown, DOMAIN.md "Disclosure")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from domain.disclosure import WITHDRAWAL_REASONS, is_public


@dataclass(frozen=True)
class WatchEntry:
    id: str  # a stable Atom id (the record's URL, with #withdrawn for the stop)
    kind: str  # published / corrected / withdrawn / honour
    at: dt.datetime  # Atom published
    updated: dt.datetime  # Atom updated
    title: str
    summary: str
    path: str  # the portal page (for a withdrawn record: its page answers 410 with the reason)


def _reason(code: str) -> str:
    return WITHDRAWAL_REASONS.get(code, "已停止公示 (no longer public)").partition(" (")[0]


def watch_entries(results: list[dict[str, Any]], honours: list[dict[str, Any]], limit: int) -> list[WatchEntry]:
    """Newest first, at most `limit`. A public result is one entry (新公示, or 更正 for a revision
    an objection produced), updated when it was; a result no longer public is one entry saying it
    stopped, when and in which category — no name, task number or finding. Public honours are
    entries; an honour no longer public is left out (its stop time is not recorded)."""
    out: list[WatchEntry] = []
    for r in results:
        path = f"/results/{r['id']}"
        if is_public(r["disclosure"]):
            corrected = (r.get("revision") or 1) > 1
            label = "更正" if corrected else "新公示"
            out.append(
                WatchEntry(
                    id=path,
                    kind="corrected" if corrected else "published",
                    at=r["created_at"],
                    updated=max(r["created_at"], r["updated_at"] or r["created_at"]),
                    title=f"[{label}] {r['entity_name']} 抽查检查结果",
                    summary=f"任务单号 {r['task_number']}，检查日期 {r['inspected_on']}，公示日期 {r['published_on']}",
                    path=path,
                )
            )
        else:
            at = r["withdrawn_at"] or r["updated_at"] or r["created_at"]
            out.append(
                WatchEntry(
                    id=f"{path}#withdrawn",
                    kind="withdrawn",
                    at=at,
                    updated=at,
                    title=f"[停止公示] 检查结果 {r['id']}",
                    summary=f"该检查结果已停止公示：{_reason(r['withdrawn_reason'])}。",
                    path=path,
                )
            )
    for h in honours:
        if is_public(h["disclosure"]):
            path = f"/honours/{h['id']}"
            out.append(
                WatchEntry(
                    id=path,
                    kind="honour",
                    at=h["created_at"],
                    updated=h["created_at"],
                    title=f"[荣誉信息] {h['entity_name']}（{h['honour']}）",
                    summary=f"{h['awarded_by']}，{h['awarded_on']}",
                    path=path,
                )
            )
    out.sort(key=lambda e: (e.updated, e.id), reverse=True)
    return out[:limit]
