"""A complaint names the department by its code or by the full name results show."""

from __future__ import annotations

from db.tables import Complaint
from tests.complaint_fixtures import DEPT, add_departments, body
from tests.helpers import make_uscc


async def test_the_department_by_its_full_name_or_code(client) -> None:
    await add_departments()
    r = await client.post("/api/v1/complaints", json=body(make_uscc(seed=901), department="聊城市市场监督管理局"))
    assert r.status_code == 201, r.text
    row = await Complaint.select(Complaint.department_code).where(Complaint.number == r.json()["number"]).first()
    assert row["department_code"] == DEPT
    bad = await client.post("/api/v1/complaints", json=body(make_uscc(seed=902), department="聊城市不存在局"))
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["department"]
    assert "全称" in bad.json()["errors"][0]["message"]
