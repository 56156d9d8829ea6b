"""An enterprise follows its own objections: GET /api/v1/objections (keyset pages, newest first),
GET /api/v1/objections/{number}, and the portal's list on /repair with /repair/objections/{number}.
Only the objecting enterprise (and, as for repair applications, the deciding department) reads
one; another enterprise gets the unknown number's 404. The rules without a database first, then
every status after the department's decisions, over HTTP on the real database."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest

from db.tables import Objection
from domain import repair as rules
from domain.auth import Principal
from domain.workdays import covered_years
from portal.controllers.repair import OBJECTION_STATUS_MSGIDS
from tests.helpers import migration_runner
from tests.repair_helpers import DEPT, NOW, OTHER_DEPT, PDF, World, at, b64
from tests.test_repair_portal import portal_sign_in

D = dt.date
mig = importlib.import_module("migrations.gongshi_2026_11_25t17_30_00_000000")
UNKNOWN = "YY20261125ABCDEFGH"


# -- the rules, without a database ------------------------------------------------------------------


def test_who_may_read_an_objection() -> None:
    see = rules.objection_visibility
    a = Principal("ent-a", "enterprise", uscc="91371500MA3C000001")
    assert see(a, "91371500MA3C000001", DEPT) == rules.VISIBLE
    assert (
        see(Principal("ent-a2", "enterprise", uscc="91371500MA3C000001"), "91371500MA3C000001", DEPT) == rules.VISIBLE
    )  # any account of the same enterprise
    # Another enterprise is told nothing exists; so is an enterprise account without a USCC.
    assert (
        see(Principal("ent-b", "enterprise", uscc="91371500MA3C000002"), "91371500MA3C000001", DEPT) == rules.NOT_FOUND
    )
    assert see(Principal("ent-0", "enterprise"), "", DEPT) == rules.NOT_FOUND
    # Officers: the deciding department reads it (as for applications); others are refused.
    assert see(Principal("x", "officer", department_code=DEPT), "91371500MA3C000001", DEPT) == rules.VISIBLE
    assert see(Principal("ax", "admin", department_code=DEPT), "91371500MA3C000001", DEPT) == rules.VISIBLE
    assert see(Principal("y", "officer", department_code=OTHER_DEPT), "91371500MA3C000001", DEPT) == rules.FORBIDDEN
    assert see(Principal("s", "supervisor", region_code="371500"), "91371500MA3C000001", DEPT) == rules.FORBIDDEN


def test_every_objection_status_has_a_chinese_label_the_portal_translates() -> None:
    labels = rules.OBJECTION_STATUS_LABELS
    assert set(labels) == set(rules.OBJECTION_STATUSES)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in labels.values())
    assert set(OBJECTION_STATUS_MSGIDS) == set(labels.values())


def test_a_deadline_past_the_known_calendar_is_provisional() -> None:
    last = covered_years()[1]
    assert rules.objection_deadline_provisional(D(last, 12, 31), None) is False
    assert rules.objection_deadline_provisional(D(last, 12, 24), D(last + 1, 1, 4)) is True
    assert rules.objection_deadline_provisional(D(last + 1, 1, 4), None) is True


# -- over HTTP: helpers ------------------------------------------------------------------------------------


async def file(client, w: World, rid: int, who: str = "a", reason: str = "抽检样品不是本企业的", **kw) -> str:
    body = {"result_id": rid, "reason": reason, **kw}
    r = await client.post("/api/v1/objections", json=body, headers=w.h[who])
    assert r.status_code == 201, r.text
    return r.json()["number"]


async def mine(client, w: World, number: str, who: str = "a") -> dict:
    r = await client.get(f"/api/v1/objections/{number}", headers=w.h[who])
    assert r.status_code == 200, r.text
    return r.json()


async def walk(client, headers: dict, page_size: int) -> tuple[list[str], list[int]]:
    """Every page of the signed-in enterprise's list: the numbers in order and each page's size."""
    numbers: list[str] = []
    sizes: list[int] = []
    cursor = None
    while True:
        params = {"page_size": page_size, **({"cursor": cursor} if cursor else {})}
        r = await client.get("/api/v1/objections", params=params, headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        numbers += [i["number"] for i in body["items"]]
        sizes.append(len(body["items"]))
        cursor = body["next_cursor"]
        if cursor is None:
            return numbers, sizes


# -- the API -----------------------------------------------------------------------------------------------


async def test_the_owner_lists_and_reads_its_objection_and_nobody_else_learns_it_exists(client, clock) -> None:
    w = await World().setup(client)
    ra = await w.publish(client, w.a, D(2026, 11, 1), "T-A")
    rb = await w.publish(client, w.b, D(2026, 11, 1), "T-B")
    na = await file(client, w, ra, attachments=[{"filename": "送检记录.pdf", "content_base64": b64(PDF)}])
    nb = await file(client, w, rb, who="b", reason="不服")

    body = (await client.get("/api/v1/objections", headers=w.h["a"])).json()
    assert body["next_cursor"] is None and [i["number"] for i in body["items"]] == [na]
    item = body["items"][0]
    assert item == {
        "number": na,
        "result_id": ra,
        "uscc": w.a,
        "department_code": DEPT,
        "reason": "抽检样品不是本企业的",
        "status": "submitted",
        "status_label": "已提交",
        "submitted_at": "2026-11-25T02:00:00Z",
        "verify_by": "2026-12-02",
        "confirmed_at": None,
        "correct_by": None,
        "decided_at": None,
        "decision_note": "",
        "corrected_result_id": None,
        "overdue": [],
        "deadline_provisional": False,
        "attachments": [
            {
                "filename": "送检记录.pdf",
                "content_type": "application/pdf",
                "bytes": len(PDF),
                "sha256": item["attachments"][0]["sha256"],
                "kind": "other",
                "kind_label": "其他材料",
            }
        ],
        "applicant": None,
    }
    # The POST answer's fields (API.md: number, status, verify_by) mean the same here.
    assert await mine(client, w, na) == item
    assert [i["number"] for i in (await client.get("/api/v1/objections", headers=w.h["b"])).json()["items"]] == [nb]

    # Another enterprise's number answers exactly as an unknown number does.
    other = await client.get(f"/api/v1/objections/{na}", headers=w.h["b"])
    unknown = await client.get(f"/api/v1/objections/{UNKNOWN}", headers=w.h["b"])
    assert other.status_code == unknown.status_code == 404
    assert other.headers["content-type"] == unknown.headers["content-type"] == "application/problem+json"
    assert other.json() == {k: v.replace(UNKNOWN, na) if isinstance(v, str) else v for k, v in unknown.json().items()}
    assert na not in str(unknown.json()) and "ent-a" not in other.text and w.a not in other.text

    # Anonymous: sign in first.
    for url in ("/api/v1/objections", f"/api/v1/objections/{na}", f"/api/v1/objections/{UNKNOWN}"):
        r = await client.get(url)
        assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json", url

    # Officers, as for applications: no "own" list; the deciding department reads one (with who
    # filed it), another department is refused, an unknown number is 404.
    for who in ("x", "y"):
        r = await client.get("/api/v1/objections", headers=w.h[who])
        assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json"
    seen = await mine(client, w, na, who="x")
    assert seen["applicant"] == "ent-a" and seen["status"] == "submitted"
    assert (await client.get(f"/api/v1/objections/{na}", headers=w.h["y"])).status_code == 403
    assert (await client.get(f"/api/v1/objections/{UNKNOWN}", headers=w.h["x"])).status_code == 404
    # … and keep their admin endpoints.
    admin = (await client.get("/api/v1/admin/objections", headers=w.h["x"])).json()["items"]
    assert {i["number"] for i in admin} == {na, nb}


async def test_pages_walk_every_objection_once_newest_first(client, clock) -> None:
    w = await World().setup(client)
    filed: list[str] = []
    for i in range(7):
        clock["now"] = NOW + dt.timedelta(minutes=i)
        filed.append(await file(client, w, await w.publish(client, w.a, D(2026, 11, 1), f"T-{i}")))
        if i == 3:  # another enterprise's objection in between
            await file(client, w, await w.publish(client, w.b, D(2026, 11, 1), "T-B"), who="b")

    numbers, sizes = await walk(client, w.h["a"], 3)
    assert numbers == filed[::-1] and sizes == [3, 3, 1]
    everything = (await client.get("/api/v1/objections", headers=w.h["a"])).json()  # default page_size 20
    assert [i["number"] for i in everything["items"]] == filed[::-1] and everything["next_cursor"] is None

    # Stable under inserts: an objection filed mid-walk is not seen twice nor shifts the pages.
    first = (await client.get("/api/v1/objections", params={"page_size": 3}, headers=w.h["a"])).json()
    late = await file(client, w, await w.publish(client, w.a, D(2026, 11, 1), "T-late"))
    rest, cursor = [], first["next_cursor"]
    while cursor:
        page = (
            await client.get("/api/v1/objections", params={"page_size": 3, "cursor": cursor}, headers=w.h["a"])
        ).json()
        rest += [i["number"] for i in page["items"]]
        cursor = page["next_cursor"]
    assert [i["number"] for i in first["items"]] + rest == filed[::-1]
    assert (await walk(client, w.h["a"], 3))[0] == [late, *filed[::-1]]

    for params, field in (
        ({"page_size": 0}, "page_size"),
        ({"page_size": 101}, "page_size"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ):
        r = await client.get("/api/v1/objections", params=params, headers=w.h["a"])
        assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", r.text
        assert [e["field"] for e in r.json()["errors"]] == [field]


@pytest.fixture
def run_migration(app, clean_db, monkeypatch):
    return migration_runner(mig, monkeypatch)


async def test_the_enterprise_sees_each_decision(run_migration, client, clock) -> None:
    w = await World().setup(client)
    r1 = await w.publish(client, w.a, D(2026, 11, 1), "T-1", categories=["X07"])
    r2 = await w.publish(client, w.a, D(2026, 11, 1), "T-2")
    r3 = await w.publish(client, w.a, D(2026, 11, 1), "T-3")
    o1, o2, o3 = [await file(client, w, r) for r in (r1, r2, r3)]

    # Confirmed: the correction deadline (the objection period, 5 working days) and the note.
    clock["now"] = at(D(2026, 11, 27))  # Friday
    r = await client.post(f"/api/v1/admin/objections/{o1}/confirm", json={"note": "核实属实"}, headers=w.h["x"])
    assert r.status_code == 200, r.text
    got = await mine(client, w, o1)
    assert (got["status"], got["status_label"], got["correct_by"], got["decision_note"], got["decided_at"]) == (
        "confirmed",
        "异议属实，待更正",
        "2026-12-04",
        "核实属实",
        None,
    )
    assert got["confirmed_at"] == "2026-11-27T02:00:00Z" and got["overdue"] == []

    # Overdue as the department's list flags it: o1 not corrected by Dec 4, o3 not verified by Dec 2.
    clock["now"] = at(D(2026, 12, 7))
    assert (await mine(client, w, o1))["overdue"] == ["correct_overdue"]
    assert (await mine(client, w, o3))["overdue"] == ["verify_overdue"]

    # Corrected: the corrected revision's result id, which is public.
    r = await client.post(
        f"/api/v1/admin/objections/{o1}/correct", json={"note": "更正为合格", "categories": ["N02"]}, headers=w.h["x"]
    )
    assert r.status_code == 200, r.text
    new_id = r.json()["corrected_result_id"]
    got = await mine(client, w, o1)
    assert (got["status"], got["status_label"], got["corrected_result_id"], got["decision_note"]) == (
        "corrected",
        "已更正",
        new_id,
        "更正为合格",
    )
    assert got["decided_at"] == "2026-12-07T02:00:00Z" and got["overdue"] == []
    assert (await client.get(f"/api/v1/results/{new_id}")).status_code == 200

    # Rejected: with the department's reason.
    r = await client.post(
        f"/api/v1/admin/objections/{o2}/reject", json={"note": "检查记录无误，样品确为本企业所有"}, headers=w.h["x"]
    )
    assert r.status_code == 200, r.text
    got = await mine(client, w, o2)
    assert (got["status"], got["status_label"], got["decision_note"], got["corrected_result_id"]) == (
        "rejected",
        "异议不成立",
        "检查记录无误，样品确为本企业所有",
        None,
    )
    assert got["decided_at"] == "2026-12-07T02:00:00Z" and got["overdue"] == []

    # Moot: an objection older code left pending on r1 after o1's correction replaced it,
    # closed by migration 2026-11-25T17:30:00 with the reason.
    await Objection.insert(
        Objection(
            number="YYOLD0001",
            result_id=r1,
            pending_result_id=r1,
            uscc=w.a,
            applicant="ent-a",
            department_code=DEPT,
            reason="又一次异议",
            status="submitted",
            submitted_at=at(D(2026, 12, 7), 9),
            verify_by=D(2026, 12, 14),
        )
    )
    await run_migration()
    got = await mine(client, w, "YYOLD0001")
    assert (got["status"], got["status_label"]) == ("moot", "已终止（结果已由更正后的版本取代）")
    assert got["decision_note"] == rules.objection_moot_reason(
        rules.Withdrawal(r1, "corrected", at(D(2026, 12, 7)), ref=o1, replaced_by=new_id, replaced_revision=2)
    )
    assert o1 in got["decision_note"] and str(new_id) in got["decision_note"]
    assert got["decided_at"] is not None and got["overdue"] == []
    assert "decided_by" not in got  # who decided is the department, not a person (nor the migration)

    statuses = {
        i["number"]: i["status"] for i in (await client.get("/api/v1/objections", headers=w.h["a"])).json()["items"]
    }
    assert statuses == {o1: "corrected", o2: "rejected", o3: "submitted", "YYOLD0001": "moot"}


async def test_a_deadline_past_the_known_calendar_is_flagged_provisional(client, clock) -> None:
    w = await World().setup(client)
    last = covered_years()[1]
    rid = await w.publish(client, w.a, D(last, 12, 1), "T-1")
    clock["now"] = at(D(last, 12, 28))  # 5 working days from here run into an unpublished year
    got = await mine(client, w, await file(client, w, rid))
    assert got["verify_by"].startswith(str(last + 1)) and got["deadline_provisional"] is True


async def test_the_openapi_document_describes_both_reads(client) -> None:
    doc = (await client.get("/schema/openapi.json")).json()
    assert "get" in doc["paths"]["/api/v1/objections"] and "post" in doc["paths"]["/api/v1/objections"]
    one = doc["paths"]["/api/v1/objections/{number}"]["get"]
    assert "200" in one["responses"]
    fields = doc["components"]["schemas"]["EnterpriseObjectionOut"]["properties"]
    assert {
        "number",
        "status",
        "status_label",
        "verify_by",
        "correct_by",
        "decision_note",
        "corrected_result_id",
        "overdue",
        "deadline_provisional",
    } <= set(fields)
    params = {p["name"] for p in doc["paths"]["/api/v1/objections"]["get"].get("parameters", [])}
    assert {"page_size", "cursor"} <= params


# -- the portal ------------------------------------------------------------------------------------------


async def test_the_portal_lists_the_objections_and_shows_one(client, clock) -> None:
    w = await World().setup(client)
    r1 = await w.publish(client, w.a, D(2026, 11, 1), "T-1", categories=["X07"])
    r2 = await w.publish(client, w.a, D(2026, 11, 1), "T-2")
    r3 = await w.publish(client, w.a, D(2026, 11, 1), "T-3")
    o1, o2, o3 = [await file(client, w, r) for r in (r1, r2, r3)]
    nb = await file(client, w, await w.publish(client, w.b, D(2026, 11, 1), "T-B"), who="b")
    clock["now"] = at(D(2026, 11, 27))
    await client.post(
        f"/api/v1/admin/objections/{o1}/correct", json={"note": "更正为合格", "categories": ["N02"]}, headers=w.h["x"]
    )
    new_id = (await mine(client, w, o1))["corrected_result_id"]
    await client.post(f"/api/v1/admin/objections/{o2}/reject", json={"note": "检查记录无误"}, headers=w.h["x"])

    await portal_sign_in(client, "ent-a")
    home = await client.get("/repair")
    assert home.status_code == 200 and home.headers["cache-control"] == "no-store"
    assert "我的异议" in home.text and nb not in home.text
    for number in (o1, o2, o3):
        assert f'href="/repair/objections/{number}"' in home.text
    assert "已更正" in home.text and f'href="/results/{new_id}"' in home.text
    assert "异议不成立" in home.text and "检查记录无误" in home.text
    assert "已提交" in home.text and "2026-12-02" in home.text  # o3's verify_by

    page = await client.get(f"/repair/objections/{o1}")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="zh-Hans">' in page.text and o1 in page.text
    assert 'class="status">已更正<' in page.text and "更正为合格" in page.text
    assert f'href="/results/{new_id}"' in page.text and f'href="/results/{r1}"' in page.text
    assert "2026-12-02" in page.text and "2026-12-04" in page.text  # verify_by, correct_by
    assert "抽检样品不是本企业的" in page.text
    assert f'href="/api/v1/objections/{o1}"' in page.text  # the JSON twin
    rejected = await client.get(f"/repair/objections/{o2}")
    assert "异议不成立" in rejected.text and "不予采纳的理由" in rejected.text and "检查记录无误" in rejected.text

    english = await client.get(f"/repair/objections/{o1}", params={"lang": "en"})
    assert '<html lang="en">' in english.text and "Corrected result" in english.text
    assert 'class="status">Corrected<' in english.text and "已更正" not in english.text
    english_home = await client.get("/repair", params={"lang": "en"})
    assert "My objections" in english_home.text and "Objection not upheld" in english_home.text

    # Another enterprise: the unknown number's 404 page; signed out: back to the sign-in.
    assert (await client.get(f"/repair/objections/{nb}")).status_code == 404
    await client.post("/repair/sign-out")
    await portal_sign_in(client, "ent-b")
    assert (await client.get(f"/repair/objections/{o1}")).status_code == 404
    assert (await client.get(f"/repair/objections/{UNKNOWN}")).status_code == 404
    assert (await client.get(f"/repair/objections/{nb}")).status_code == 200
    await client.post("/repair/sign-out")
    r = await client.get(f"/repair/objections/{o1}")
    assert r.status_code == 303 and r.headers["location"] == "/repair"


async def test_the_portal_pages_through_more_than_twenty(client, clock) -> None:
    w = await World().setup(client)
    filed = []
    for i in range(21):
        filed.append(await file(client, w, await w.publish(client, w.a, D(2026, 11, 1), f"T-{i}")))
    await portal_sign_in(client, "ent-a")
    home = await client.get("/repair")
    shown = [n for n in filed if f'href="/repair/objections/{n}"' in home.text]
    assert shown == filed[1:] and "更早的异议" in home.text
    start = home.text.index("/repair?objections_cursor=")
    link = home.text[start : home.text.index('"', start)].replace("&amp;", "&")
    older = await client.get(link)
    assert older.status_code == 200
    assert [n for n in filed if f'href="/repair/objections/{n}"' in older.text] == filed[:1]
    assert "更早的异议" not in older.text and "最新的异议" in older.text
