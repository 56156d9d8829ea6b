"""Seed data for the portal tests, published through the real officer endpoints (works with the
in-process client and with an httpx client pointed at a running server)."""

from __future__ import annotations

from dataclasses import dataclass, field

from db.users import create_user
from tests.helpers import PASSWORD, make_uscc, result_payload
from tests.records_helpers import DEPT, document_payload, guide_payload, honour_payload, plan_payload

XSS_NAME = '<script>alert("xss")</script><img src=x onerror=alert(1)>聊城市恶意名称有限公司'
XSS_TITLE = "<img src=x onerror=alert(2)>餐饮服务<script>alert(3)</script>指引"


@dataclass
class Seeded:
    headers: dict[str, str]
    uscc: str  # 聊城市丰华食品有限公司: two results (one negative, one joint) and an honour
    uscc2: str  # a second entity with one clean result
    xss_uscc: str
    result_ids: list[int] = field(default_factory=list)
    withdrawn_result: int = 0
    xss_result: int = 0
    plan_id: int = 0
    guide_id: int = 0
    xss_guide_id: int = 0
    honour_id: int = 0
    document_id: int = 0


async def officer_headers(client, username: str = "portal-officer") -> dict[str, str]:
    await create_user(username, PASSWORD, "officer", department_code=DEPT)
    r = await client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def _post(client, path: str, headers: dict, body: dict) -> dict:
    r = await client.post(path, headers=headers, json=body)
    assert r.status_code == 201, f"{path}: {r.status_code} {r.text}"
    return r.json()


async def seed(client) -> Seeded:
    h = await officer_headers(client)
    s = Seeded(headers=h, uscc=make_uscc(seed=11), uscc2=make_uscc(seed=12), xss_uscc=make_uscc(seed=13))
    bulk = [
        result_payload(
            s.uscc,
            task="LC-2024-007",
            inspected_on="2024-05-10",
            categories=["X05"],
            follow_up="责令改正",
            entity_name="聊城市丰华食品有限公司",
        ),
        result_payload(
            s.uscc,
            task="LC-2025-001",
            inspected_on="2025-06-12",
            categories=["N01"],
            departments=[DEPT, "371500-sthj"],
            entity_name="聊城市丰华食品有限公司",
        ),
        result_payload(
            s.uscc2,
            task="LC-2025-001",
            inspected_on="2025-06-13",
            categories=["N02"],
            entity_name="聊城市东昌府区惠民超市",
        ),
        result_payload(
            s.uscc2,
            task="LC-2025-009",
            inspected_on="2025-08-01",
            categories=["X07"],
            entity_name="聊城市东昌府区惠民超市",
        ),
    ]
    s.result_ids = (await _post(client, "/api/v1/admin/results/bulk", h, {"items": bulk}))["ids"]
    s.withdrawn_result = s.result_ids[3]
    s.xss_result = (
        await _post(
            client, "/api/v1/admin/results", h, result_payload(s.xss_uscc, task="LC-2025-666", entity_name=XSS_NAME)
        )
    )["ids"][0]
    s.plan_id = (await _post(client, "/api/v1/admin/plans", h, plan_payload()))["id"]
    items = plan_payload()["items"]
    items[1] = dict(items[1], ratio_percent=8)
    await _post(
        client,
        f"/api/v1/admin/plans/{s.plan_id}/revisions",
        h,
        {
            "reason": "根据省局通知提高生态环境抽查比例",
            "body": "根据省联席会议工作要点制定。增加重点排污单位的抽查比例。",
            "items": items,
        },
    )
    s.guide_id = (await _post(client, "/api/v1/admin/guides", h, guide_payload()))["id"]
    await _post(
        client,
        f"/api/v1/admin/guides/{s.guide_id}/versions",
        h,
        {
            "version": "2025.2",
            "title": "餐饮服务经营者合规指引（2025年修订）",
            "effective_on": "2025-09-01",
            "summary": "增加餐具集中消毒要求。",
            "change_note": "增加“餐具清洗消毒”检查事项",
            "sections": guide_payload()["sections"] + [{"heading": "信用修复", "body": "整改完成后可申请信用修复。"}],
        },
    )
    s.xss_guide_id = (
        await _post(
            client,
            "/api/v1/admin/guides",
            h,
            guide_payload(industry_code="F52", industry_name="零售业", title=XSS_TITLE),
        )
    )["id"]
    s.honour_id = (await _post(client, "/api/v1/admin/honours", h, honour_payload(s.uscc)))["ids"][0]
    s.document_id = (await _post(client, "/api/v1/admin/documents", h, document_payload()))["id"]
    return s


async def withdraw_result(result_id: int) -> None:
    """Stop a result's publicity the way the repair use case does (record kept, not public)."""
    from db import changes
    from db.tables import Result
    from db.tx import write_transaction

    async with write_transaction():
        await Result.update({Result.disclosure: "withdrawn", Result.withdrawn_reason: "repaired"}).where(
            Result.id == result_id
        )
        await changes.public_change("result", [result_id], "withdrawn")
