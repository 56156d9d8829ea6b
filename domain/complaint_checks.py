"""What the scan records say about a complaint, and the public statistics.

The cross-check is stored with the complaint when it is filed (what was known then) and shown
to the handler; officer credential numbers in it are never public.
Statistics are by named department and month of filing; counts under MIN_COUNT are withheld
so a single complaint (and so its enterprise) cannot be picked out.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import Any

from domain.complaints import DECISIONS, NOT_SUBSTANTIATED, SHANGHAI, SUBSTANTIATED

NO_RECORD, SCAN_FOUND, CHECKIN_ONLY = "no_record", "scan_found", "checkin_only"
MIN_COUNT = 3


def crosscheck(
    visited_at: dt.datetime, window_minutes: int, claimed_scanned: str, scans: list[dict[str, Any]]
) -> dict[str, Any]:
    """Classify the scan records of the same entity and department around the visit.

    scan_found: an officer scanned the licence QR code (contradicts "nobody scanned");
    checkin_only: only a location check-in, no QR scan; no_record: nothing in the window."""
    records = []
    for s in sorted(scans, key=lambda s: s["scanned_at"]):
        at = s["scanned_at"]
        creds = list(s.get("officer_credentials") or [])
        records.append(
            {
                "at": at.astimezone(SHANGHAI).isoformat(),
                "method": s["method"],
                "officer_credentials": creds,
                "fewer_than_two_officers": len(creds) < 2,
                "location": s.get("location") or "",
                "task_number": s.get("task_number") or "",
                "minutes_from_visit": round((at - visited_at).total_seconds() / 60),
            }
        )
    scans_ = [r for r in records if r["method"] == "scan"]
    if scans_:
        outcome = SCAN_FOUND
        first = scans_[0]
        summary = (
            f"到访前后{window_minutes}分钟内有扫码记录：{first['at']} 执法证号 "
            f"{'、'.join(first['officer_credentials']) or '（未记录）'}"
        )
    elif records:
        outcome = CHECKIN_ONLY
        first = records[0]
        summary = f"仅有定位打卡记录，无扫码记录：{first['at']} {first['location']}".rstrip()
    else:
        outcome = NO_RECORD
        summary = f"到访前后{window_minutes}分钟内没有该部门对该企业的扫码或定位打卡记录"
    consistent = {"no": outcome != SCAN_FOUND, "yes": outcome != NO_RECORD}.get(claimed_scanned)
    return {
        "outcome": outcome,
        "summary": summary,
        "window_minutes": window_minutes,
        "claimed_scanned": claimed_scanned,
        "consistent_with_claim": consistent,
        "records": records,
    }


@dataclass
class StatRow:
    department_code: str
    month: str  # YYYY-MM of filing, Beijing time
    received: int | None
    substantiated_share: float | None
    median_days_to_close: float | None
    overdue: int | None
    suppressed: bool


def _shown(n: int) -> int | None:
    return n if n == 0 or n >= MIN_COUNT else None


def complaint_stats(
    rows: list[dict[str, Any]], decisions: dict[int, list[tuple[dt.datetime, str]]], today: dt.date
) -> list[StatRow]:
    """rows: id, department_code, filed_at, closed_at, respond_by, status.
    decisions: complaint id → the supervisor's decision events (at, status), any order."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in rows:
        month = r["filed_at"].astimezone(SHANGHAI).strftime("%Y-%m")
        groups.setdefault((r["department_code"], month), []).append(r)
    out = []
    for (dept, month), items in sorted(groups.items()):
        received = len(items)
        if received < MIN_COUNT:
            out.append(StatRow(dept, month, None, None, None, None, True))
            continue
        subst = decided = overdue = 0
        days: list[int] = []
        for r in items:
            evs = sorted(decisions.get(r["id"], []))
            outcome = evs[-1][1] if evs else None
            if outcome in (SUBSTANTIATED, NOT_SUBSTANTIATED):
                decided += 1
                subst += outcome == SUBSTANTIATED
            answered = evs[0][0].astimezone(SHANGHAI).date() if evs else None
            if (answered or today) > r["respond_by"]:
                overdue += 1
            if r["closed_at"] is not None:
                days.append(
                    (r["closed_at"].astimezone(SHANGHAI).date() - r["filed_at"].astimezone(SHANGHAI).date()).days
                )
        out.append(
            StatRow(
                department_code=dept,
                month=month,
                received=received,
                substantiated_share=round(subst / decided, 3) if decided >= MIN_COUNT else None,
                median_days_to_close=float(statistics.median(days)) if len(days) >= MIN_COUNT else None,
                overdue=_shown(overdue),
                suppressed=False,
            )
        )
    return out


__all__ = ["DECISIONS", "MIN_COUNT", "StatRow", "complaint_stats", "crosscheck"]
