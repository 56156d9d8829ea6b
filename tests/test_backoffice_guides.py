"""Guides (一业一册) in the back office over real HTTP: a new guide from the sections editor,
previewed (the sections as the public page shows them, the HTML and PDF files rendered on the
fly, nothing stored) and published on confirmation; a new version pre-filled with the one in
force, with an uploaded PDF that waits between the preview and the confirmation and is the file
published; bad input re-renders the form (422, each message by its field, nothing stored)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from tests.backoffice_helpers import admin_login, csrf_of
from tests.records_helpers import guide_payload, snapshot
from tests.repair_helpers import PDF, World

EMPTY_FILE = {"file": ("", b"", "application/octet-stream")}  # what a browser sends for no file


def guide_form(**kw: Any) -> dict[str, str]:
    g = guide_payload()
    sections = kw.pop("sections", g["sections"])
    form = {k: g[k] for k in ("industry_code", "industry_name", "version", "title", "effective_on", "summary")}
    form["rows"] = str(len(sections) + 2)
    for i, s in enumerate(sections):
        form[f"sections-{i}-heading"] = s["heading"]
        form[f"sections-{i}-body"] = s["body"]
    form.update(kw)
    return form


def once_of(html: str) -> str:
    m = re.search(r'name="once" value="([^"]+)"', html)
    assert m, "no one-time key in the form"
    return m.group(1)


async def officer(client) -> World:
    w = await World().setup(client)
    await admin_login(client, "officer-x")
    return w


def hidden_fields(html: str) -> dict[str, str]:
    out = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    return {k: v.replace("&#10;", "\n").replace("&amp;", "&") for k, v in out.items()}


async def db_state(files_dir: Path) -> tuple:
    """The record counts and the published files (a file waiting in tmp/ is not published)."""
    counts, files = await snapshot(files_dir)
    return counts, tuple(f for f in files if "/tmp/" not in f)


async def post_new(client, form: dict[str, str]):
    """POST the new-guide form with the token and one-time key of a freshly opened form."""
    page = (await client.get("/admin/guides/new")).text
    once = re.search(r'name="once" value="([^"]+)"', page)
    assert once
    return await client.post("/admin/guides/new", data={**form, "once": once.group(1), "_csrf_token": csrf_of(page)})


async def create_guide(client) -> int:
    r = await post_new(client, guide_form(action="publish"))
    assert r.status_code == 303, r.text
    m = re.fullmatch(r"/admin/guides/(\d+)\?done=published", r.headers["location"])
    assert m, r.headers["location"]
    return int(m.group(1))


async def test_new_guide_is_previewed_with_its_files_then_published(client, files_dir) -> None:
    await officer(client)
    page = await client.get("/admin/guides/new")
    assert page.status_code == 200 and 'name="sections-2-heading"' in page.text
    before = await snapshot(files_dir)
    r = await post_new(client, guide_form(action="preview"))
    assert r.status_code == 200, r.text
    assert "请核对内容：尚未发布" in r.text
    assert '<h2 id="s1">证照办理</h2>' in r.text and "<li>食品经营许可证</li>" in r.text  # as the public page
    confirm = hidden_fields(r.text)
    html = await client.post("/admin/guides/new", data={**confirm, "action": "view_html"})
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in html.headers["content-security-policy"]
    assert "餐饮服务经营者合规指引" in html.text and "从业人员健康证明" in html.text
    pdf = await client.post("/admin/guides/new", data={**confirm, "action": "view_pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert await snapshot(files_dir) == before  # the preview and its files stored nothing

    back = await client.post("/admin/guides/new", data={**confirm, "action": "edit"})
    assert back.status_code == 200 and 'value="H62"' in back.text and "- 餐具清洗消毒" in back.text
    done = await client.post("/admin/guides/new", data={**confirm, "action": "publish"})
    assert done.status_code == 303, done.text
    stored = await snapshot(files_dir)
    twice = await client.post("/admin/guides/new", data={**confirm, "action": "publish"})
    assert twice.headers["location"] == done.headers["location"] + "&again=1"
    assert await snapshot(files_dir) == stored  # the confirmation sent twice published one guide
    gid = int(done.headers["location"].split("/")[3].split("?")[0])
    public = (await client.get(f"/api/v1/guides/{gid}")).json()
    assert public["title"] == "餐饮服务经营者合规指引" and public["version"] == "2025.1"
    assert {d["format"] for d in public["downloads"]} == {"pdf", "html"}
    detail = (await client.get(done.headers["location"])).text
    assert "合规指南已发布" in detail
    assert f'href="/admin/guides/{gid}"' in (await client.get("/admin/guides")).text
    assert 'href="/admin/guides"' in (await client.get("/admin/")).text


async def test_bad_new_guide_comes_back_with_messages_by_their_fields(client, files_dir) -> None:
    await officer(client)
    before = await snapshot(files_dir)
    sections = [{"heading": "证照办理", "body": ""}, {"heading": "", "body": ""}, {"heading": "", "body": "无标题"}]
    form = guide_form(industry_code="餐饮", title="", effective_on="2025-13-01", sections=sections)
    for action in ("preview", "publish"):
        r = await post_new(client, {**form, "action": action})
        assert r.status_code == 422, r.text
        for key in ("industry_code", "title", "effective_on", "sections-0-body", "sections-2-heading"):
            assert f'id="f-{key}-error"' in r.text, key
        assert 'href="#f-sections-2-heading"' in r.text  # the blank row 1 is skipped, row 2 named
        assert 'value="餐饮"' in r.text and ">无标题</textarea>" in r.text  # values kept
    r = await post_new(client, guide_form(sections=[], action="preview"))
    assert r.status_code == 422 and 'id="f-sections-error"' in r.text
    assert await snapshot(files_dir) == before


async def test_add_rows_keeps_the_sections_typed(client, files_dir) -> None:
    await officer(client)
    before = await snapshot(files_dir)
    r = await post_new(client, guide_form(action="add"))
    assert r.status_code == 200 and 'name="rows" value="7"' in r.text and 'value="证照办理"' in r.text
    assert await snapshot(files_dir) == before


async def test_new_version_with_an_uploaded_pdf_is_previewed_then_published(client, files_dir) -> None:
    await officer(client)
    gid = await create_guide(client)
    url = f"/admin/guides/{gid}/versions/new"
    page = await client.get(url)
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    assert 'value="证照办理"' in page.text and 'value="餐饮服务经营者合规指引"' in page.text  # pre-filled
    before = await db_state(files_dir)
    form = {"_csrf_token": csrf_of(page.text), "once": once_of(page.text)} | guide_form(
        version="2026.1", change_note="新增许可要求"
    )
    del form["industry_code"], form["industry_name"]
    pdf = PDF + b"% officer's own typeset file\n"
    r = await client.post(
        url, data={**form, "action": "preview"}, files={"file": ("指引2026.pdf", pdf, "application/pdf")}
    )
    assert r.status_code == 200, r.text
    assert "您上传的 指引2026.pdf" in r.text and "新增许可要求" in r.text
    confirm = hidden_fields(r.text)
    assert re.fullmatch(r"[0-9a-f]{16}", confirm["upload"])
    assert await db_state(files_dir) == before
    assert confirm["_csrf_token"]  # the streamed route renders a token too (the middleware did not run)
    shown = await client.post(url, data={**confirm, "action": "view_pdf"}, files=EMPTY_FILE)
    assert shown.status_code == 200, shown.text[-3000:]
    assert shown.content == pdf  # the preview opens the uploaded file, not a rendered one
    done = await client.post(url, data={**confirm, "action": "publish"}, files=EMPTY_FILE)
    assert done.status_code == 303 and done.headers["location"] == f"/admin/guides/{gid}?done=version", done.text
    public = (await client.get(f"/api/v1/guides/{gid}")).json()
    assert public["version"] == "2026.1"
    by_format = {d["format"]: d for d in public["downloads"]}
    assert by_format["pdf"]["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert "html" in by_format  # rendered from the sections
    assert not list((files_dir / "tmp").glob(f"upload-{confirm['upload']}"))  # the waiting file is gone
    before = await db_state(files_dir)
    again = await client.post(url, data={**confirm, "action": "publish"}, files=EMPTY_FILE)
    assert again.status_code == 303 and again.headers["location"].endswith("&again=1")  # once per form key
    assert await db_state(files_dir) == before  # a second confirmation publishes nothing
    assert "该表单此前已经提交过" in (await client.get(again.headers["location"])).text
    assert len((await client.get(f"/api/v1/guides/{gid}")).json()["versions"]) == 2


async def test_bad_new_versions_come_back_with_messages_and_store_nothing(client, files_dir) -> None:
    await officer(client)
    gid = await create_guide(client)
    url = f"/admin/guides/{gid}/versions/new"
    page = await client.get(url)
    form = {"_csrf_token": csrf_of(page.text), "once": once_of(page.text)} | guide_form(
        version="2025.1"
    )  # already published
    before = await db_state(files_dir)
    r = await client.post(url, data={**form, "action": "preview"}, files=EMPTY_FILE)
    assert r.status_code == 422 and 'id="f-version-error"' in r.text and "已发布" in r.text
    form["version"] = "2026.1"
    r = await client.post(
        url, data={**form, "action": "preview"}, files={"file": ("notes.txt", b"hello", "text/plain")}
    )
    assert r.status_code == 422 and 'id="f-file-error"' in r.text and 'value="2026.1"' in r.text
    # The form that came back can be sent again: its token is the checked one, not empty
    again = await client.post(url, data={**form, "_csrf_token": csrf_of(r.text), "action": "add"}, files=EMPTY_FILE)
    assert again.status_code == 200 and 'value="2026.1"' in again.text
    r = await client.post(
        url, data={**form, "action": "publish"}, files={"file": ("x.pdf", b"not a pdf", "text/plain")}
    )
    assert r.status_code == 422 and 'id="f-file-error"' in r.text
    assert await db_state(files_dir) == before
    assert not list((files_dir / "tmp").glob("upload-*"))  # nothing left waiting
    no_token = {k: v for k, v in form.items() if k != "_csrf_token"}
    r = await client.post(url, data={**no_token, "action": "publish"}, files=EMPTY_FILE)
    assert r.status_code == 403
    assert await db_state(files_dir) == before


async def test_another_departments_guide_is_404(client, files_dir) -> None:
    await officer(client)
    gid = await create_guide(client)
    client.cookies.clear()
    await admin_login(client, "officer-y")
    for path in (f"/admin/guides/{gid}", f"/admin/guides/{gid}/versions/new"):
        assert (await client.get(path)).status_code == 404
    assert f'href="/admin/guides/{gid}"' not in (await client.get("/admin/guides")).text
    before = await snapshot(files_dir)
    page = await client.get("/admin/guides")
    r = await client.post(
        f"/admin/guides/{gid}/versions/new",
        data={"_csrf_token": csrf_of(page.text), "version": "9", "action": "publish"},
        files=EMPTY_FILE,
    )
    assert r.status_code == 404
    assert await snapshot(files_dir) == before
