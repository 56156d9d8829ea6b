"""Readiness (GET /readyz, issue 13 item 12): the checks a load balancer or an orchestrator asks
before sending traffic, each named with what failed, so an operator reads the cause from the
503 itself. Plain functions over the facts the web layer gathers."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str = ""


@dataclass(frozen=True)
class Readiness:
    checks: list[Check] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return all(c.ok for c in self.checks)

    def as_json(self) -> dict[str, object]:
        return {
            "status": "ready" if self.ready else "not ready",
            "checks": {c.name: {"ok": c.ok, "detail": c.detail} for c in self.checks},
        }


def migrations_check(expected: set[str], applied: set[str]) -> Check:
    missing = sorted(expected - applied)
    if missing:
        return Check(
            "migrations",
            False,
            f"{len(missing)} migration(s) not applied, first {missing[0]}: run `gongshi migrate`",
        )
    return Check("migrations", True, f"{len(expected)} applied")


def outbox_check(oldest_pending_seconds: float, pending: int, limit_seconds: int) -> Check:
    """The search index may lag the database by at most `limit_seconds` (READY_OUTBOX_LAG_SECONDS)."""
    if oldest_pending_seconds > limit_seconds:
        return Check(
            "search_outbox",
            False,
            f"{pending} update(s) waiting, the oldest for {oldest_pending_seconds:.0f} s (limit {limit_seconds} s)",
        )
    return Check("search_outbox", True, f"{pending} waiting, oldest {oldest_pending_seconds:.0f} s")
