"""C0 control characters (issue 13, item 2): refused with 422 naming the field wherever text comes
in — API bodies, queries, paths, portal forms, imports — while tab, LF and CR pass; and a record
that already holds one never breaks the Atom feed (it answered 500 for everyone)."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest

from db.tables import Complaint, Result
from db.tx import write_transaction
from domain.text import control_errors, xml_safe
from tests.complaint_fixtures import add_departments, body, client_ip, jpg, snapshot
from tests.helpers import BROWSER, make_uscc, result_payload, sign_in
from tests.test_import import _rejected, results_csv, row, world  # noqa: F401 (world is a fixture)

DEPT = "371500-scjg"


def _fields(r: httpx.Response) -> list[str]:
    assert r.status_code == 422, (r.status_code, r.text[:500])
    return [e["field"] for e in r.json()["errors"]]


def test_the_rule_names_every_nested_field_and_passes_tab_lf_cr() -> None:
    data = {"a": "ok\t\n\r", "items": [{"b": "x"}, {"b": "y\x07"}], "c": ["\x00"], "d": 3}
    assert [e.field for e in control_errors(data)] == ["items[1].b", "c[0]"]
    assert "U+0007" in control_errors({"b": "y\x07"})[0].message
    assert control_errors("\x1f") and not control_errors("\x7f 中文")
    assert xml_safe("a\x07b\x0bc\ufffe\tz") == "abc\tz"


async def test_an_api_body_with_a_control_character_is_refused_naming_the_field(client) -> None:
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    u = make_uscc(seed=31)
    r = await client.post(
        "/api/v1/admin/results", json=result_payload(u, entity_name="聊城市丰华\x07食品有限公司"), headers=h
    )
    assert _fields(r) == ["entity_name"] and "U+0007" in r.text
    bulk = {"items": [result_payload(u, task="T-1"), result_payload(u, task="T-2\x00")]}
    assert _fields(await client.post("/api/v1/admin/results/bulk", json=bulk, headers=h)) == ["items[1].task_number"]
    assert await Result.count() == 0
    # Tab, LF and CR are text.
    ok = await client.post("/api/v1/admin/results", json=result_payload(u, follow_up="第一行\r\n第二行\t完"), headers=h)
    assert ok.status_code == 201, ok.text


async def test_queries_and_paths_with_a_control_character_are_refused(client) -> None:
    assert _fields(await client.get("/api/v1/plans", params={"department": "371500\x00"})) == ["department"]
    # Search text is not stored: a hostile search answers 200 (tests/test_api_search.py).
    assert (await client.get("/api/v1/search", params={"q": "丰华\x00"})).status_code == 200
    assert _fields(await client.get("/api/v1/results", params={"uscc": "9137\x01"})) == ["uscc"]
    assert _fields(await client.get("/api/v1/entities/9137%07")) == ["uscc"]
    r = await client.get("/documents", params={"region": "3715\x1b"})  # a portal page: the HTML error page
    assert r.status_code == 422 and "U+001B" in r.text


@pytest.fixture
async def complaint_client(app, clean_db, files_dir: Path):
    await app.state.limiter.store.delete_all()
    shutil.rmtree(files_dir / "tmp", ignore_errors=True)
    transport = httpx.ASGITransport(app=app, client=client_ip())
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local", event_hooks=BROWSER) as c:
        await add_departments()
        yield c


async def test_complaints_by_json_multipart_and_the_portal_form(complaint_client) -> None:
    c = complaint_client
    r = await c.post(
        "/api/v1/complaints", json=body(make_uscc(), description="未扫码\x08进入车间检查，也未出示任务单。")
    )
    assert _fields(r) == ["description"]
    form = {k: v for k, v in body(make_uscc(), place="聊城市\x0c柳园路18号").items() if k != "officers"}
    form["visited_at"] = form["visited_at"][:16]
    files = [("attachments", ("现场.jpg", jpg(), "image/jpeg"))]
    assert _fields(await c.post("/api/v1/complaints", data=form, files=files)) == ["place"]
    page = await c.post("/complaints/new", data=form, files=files)
    assert page.status_code == 422 and 'id="e-place"' in page.text and "U+000C" in page.text
    assert await snapshot() == (0, 0, 0, 0)
    good = await c.post(
        "/api/v1/complaints", json=body(make_uscc(), description="第一段。\n\n第二段：未扫码进入车间检查。")
    )
    assert good.status_code == 201, good.text
    assert await Complaint.count() == 1


async def test_portal_forms_parsed_by_the_framework_are_checked_too(client) -> None:
    r = await client.post("/repair/sign-in", data={"username": "ent\x02a", "password": "x"})
    assert r.status_code == 422 and "username" in r.text and "U+0002" in r.text
    r = await client.post("/complaints/track", data={"number": "TS\x03", "lookup_code": "x"})
    assert r.status_code == 422 and "number" in r.text


async def test_an_import_row_with_a_control_character_names_its_row_and_column(world, tmp_path) -> None:  # noqa: F811
    bad = row(2).replace("聊城市测试2有限公司", "聊城市测试\x07有限公司")
    out = await _rejected(world, results_csv(tmp_path, [row(1), bad, row(3)]))
    assert [(x.row, x.column) for x in out.problems] == [(3, "经营主体名称")]
    assert "U+0007" in out.problems[0].message


async def test_the_feed_survives_control_characters_already_stored(client) -> None:
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    r = await client.post("/api/v1/admin/results", json=result_payload(make_uscc(seed=32)), headers=h)
    rid = r.json()["ids"][0]
    async with write_transaction():  # as stored before the rule
        await Result.update({Result.entity_name: "聊城市\x07丰华\x1f食品有限公司", Result.task_number: "T\x0b1"}).where(
            Result.id == rid
        )
    feed = await client.get("/feeds/publications.atom")
    assert feed.status_code == 200, feed.text[:300]
    root = ET.fromstring(feed.content)  # well-formed
    titles = [e.text or "" for e in root.iter("{http://www.w3.org/2005/Atom}title")]
    assert any("聊城市丰华食品有限公司" in t for t in titles), titles
    for path in (f"/api/v1/results/{rid}", f"/results/{rid}", "/api/v1/exports/results.csv", "/api/v1/changes"):
        got = await client.get(path)
        assert got.status_code == 200, (path, got.status_code)
