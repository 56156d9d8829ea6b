"""Builders for the credit-repair tests: a pinned clock, accounts, results published on a date."""

from __future__ import annotations

import base64
import datetime as dt

from tests.helpers import make_uscc, result_payload, sign_in

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
DEPT = "371500-scjg"
OTHER_DEPT = "371500-yjj"
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)  # a Wednesday

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489") + b"\x00" * 32
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120


# One file of each kind the default profile requires (domain.repair.DEFAULT_REQUIRED_MATERIALS).
MATERIALS = (
    ("application", "信用修复申请书.pdf"),
    ("commitment", "守信承诺书.pdf"),
    ("correction", "整改报告.pdf"),
    ("identity", "法定代表人身份证明.pdf"),
)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)


class World:
    """Two enterprises (A, B), an officer of the publishing department X and one of Y."""

    def __init__(self) -> None:
        self.a = make_uscc(seed=101)
        self.b = make_uscc(seed=202)
        self.h: dict[str, dict[str, str]] = {}

    async def setup(self, client) -> World:
        self.h["x"] = await sign_in(client, "officer-x", "officer", department_code=DEPT)
        self.h["x2"] = await sign_in(client, "officer-x2", "officer", department_code=DEPT)
        self.h["y"] = await sign_in(client, "officer-y", "officer", department_code=OTHER_DEPT)
        self.h["a"] = await sign_in(client, "ent-a", "enterprise", uscc=self.a)
        self.h["b"] = await sign_in(client, "ent-b", "enterprise", uscc=self.b)
        return self

    async def publish(
        self,
        client,
        uscc: str,
        published_on: dt.date,
        task: str,
        check_field: str = "general",
        categories: list[str] | None = None,
        penalty: str = "",
    ) -> int:
        body = result_payload(
            uscc,
            task=task,
            dept=DEPT,
            categories=categories or ["X05"],
            check_field=check_field,
            published_on=published_on.isoformat(),
            inspected_on=(published_on - dt.timedelta(days=10)).isoformat(),
            penalty_decision_number=penalty,
        )
        r = await client.post("/api/v1/admin/results", json=body, headers=self.h["x"])
        assert r.status_code == 201, r.text
        return r.json()["ids"][0]

    async def apply(self, client, result_id: int, who: str = "a", **kw):
        body = {
            "result_id": result_id,
            "reason": "已完成整改，补报年报 (corrected)",
            "commitment_accepted": True,
            "attachments": [{"filename": name, "content_base64": b64(PDF), "kind": kind} for kind, name in MATERIALS],
        }
        body.update(kw)
        return await client.post("/api/v1/repair-applications", json=body, headers=self.h[who])


async def run_scheduled_app_until(settings, session_app, done, tries: int = 200) -> None:
    """Start a second app with the daily withdraw schedule on (its first run happens at start-up),
    wait until `await done()` is true (or `tries` × 50 ms), shut it down and give the tables back
    to the session app's engine."""
    import asyncio
    import dataclasses

    from app import create_app
    from db.engine import bind_tables

    scheduled = create_app(dataclasses.replace(settings, withdraw_schedule=True, jobs=True))
    for hook in scheduled.on_startup:
        await hook(scheduled)  # type: ignore[call-arg]
    try:
        for _ in range(tries):
            if await done():
                break
            await asyncio.sleep(0.05)
    finally:
        for hook in scheduled.on_shutdown:
            await hook(scheduled)  # type: ignore[call-arg]
        bind_tables(session_app.state.engine)
