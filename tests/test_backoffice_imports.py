"""File import in the back office (/admin/imports) over real HTTP: the upload runs the same
checks as `gongshi import` in a child process (importer.jobs), a file with one bad row shows
its report on the page and as CSV and stores nothing, a good file shows its counts and is
stored only once the officer confirms (a repeated confirmation stores nothing twice), and bad
form input comes back as the form with the message by its field."""

from __future__ import annotations

import asyncio
import csv
import io
import re

import httpx

from db.tables import AuditLog, Result
from db.users import create_user
from demo.departments import load_regions_and_departments
from tests.backoffice_helpers import admin_login, csrf_of
from tests.helpers import PASSWORD, make_uscc

DEPT = "371500-scjg"
HEADER = "任务单号,统一社会信用代码,经营主体名称,检查部门,检查日期,检查结果\n"


def job_dirs(files_dir) -> set[str]:
    root = files_dir / "imports"
    return {p.name for p in root.iterdir() if p.name != "incoming"} if root.exists() else set()


def results_file(rows: int, bad_row: int | None = None) -> bytes:
    lines = [HEADER]
    for i in range(rows):
        date = "2025-13-40" if i == bad_row else f"2025-05-0{1 + i % 9}"
        lines.append(f"IMP-{i},{make_uscc(seed=100 + i)},聊城市导入测试{i}有限公司,{DEPT},{date},N01\n")
    return "".join(lines).encode("utf-8")


async def officer(client: httpx.AsyncClient, username: str = "imp-officer", dept: str = DEPT) -> None:
    await load_regions_and_departments()
    await create_user(username, PASSWORD, "officer", department_code=dept)
    await admin_login(client, username)


async def upload(client: httpx.AsyncClient, content: bytes, name: str = "results.csv", **fields: str) -> httpx.Response:
    form = (await client.get("/admin/imports")).text
    data = {"_csrf_token": csrf_of(form), "kind": "results", "encoding": "utf-8", **fields}
    return await client.post("/admin/imports", data=data, files={"file": (name, content, "text/csv")})


async def settled(client: httpx.AsyncClient, url: str, timeout: float = 90.0) -> str:
    """The job page once no run is going (it stops refreshing itself)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while True:
        r = await client.get(url)
        assert r.status_code == 200, r.text
        if 'http-equiv="refresh"' not in r.text:
            return r.text
        assert loop.time() < end, "the import did not finish in time"
        await asyncio.sleep(0.3)


async def test_a_bad_row_shows_the_report_and_stores_nothing_then_the_fixed_file_imports(client) -> None:
    await officer(client)
    r = await upload(client, results_file(5, bad_row=3), name="first-try.csv")
    assert r.status_code == 303, r.text
    job = r.headers["location"]
    assert re.fullmatch(r"/admin/imports/[0-9a-f]{16}", job)
    html = await settled(client, job)
    assert "未导入任何数据" in html and "检查未通过" in html
    # The problem names its row (the header is row 1, so data row 3 is row 5) and column.
    assert re.search(r"<td>5</td><td>检查日期</td>", html), html
    assert await Result.count() == 0
    report = await client.get(f"{job}/report.csv")
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert rows[0] == ["row", "column", "problem"] and rows[1][:2] == ["5", "检查日期"]
    assert 'name="_csrf_token"' in html and "/confirm" not in html  # nothing to confirm

    r = await upload(client, results_file(5), name="fixed.csv")
    job = r.headers["location"]
    html = await settled(client, job)
    assert "检查通过" in html and "文件共 5 行，全部有效" in html
    assert await Result.count() == 0  # checked, not stored: the officer confirms the counts first
    confirm = await client.post(f"{job}/confirm", data={"_csrf_token": csrf_of(html)})
    assert confirm.status_code == 303
    again = await client.post(f"{job}/confirm", data={"_csrf_token": csrf_of(html)})
    assert again.status_code == 303  # a double-submitted confirmation does nothing twice
    html = await settled(client, job)
    assert "导入完成" in html and "已导入 5 条" in html, html
    assert await Result.count() == 5
    audited = AuditLog.count().where(AuditLog.actor == "imp-officer", AuditLog.object_type == "result")
    assert await audited == 5  # as `gongshi import` writes it
    public = (await client.get("/api/v1/results", params={"q": "", "page_size": 20})).json()
    assert {i["task_number"] for i in public["items"]} >= {f"IMP-{i}" for i in range(5)}
    listing = (await client.get("/admin/imports")).text
    assert "first-try.csv" in listing and "fixed.csv" in listing
    assert "已导入" in listing and "检查未通过" in listing


async def test_bad_form_input_comes_back_with_the_message_by_its_field(client, files_dir) -> None:
    await officer(client)
    before = job_dirs(files_dir)
    r = await upload(client, results_file(2), kind="")
    assert r.status_code == 422 and 'id="e-kind"' in r.text and 'aria-invalid="true"' in r.text
    r = await upload(client, b"%PDF-1.4", name="results.pdf")
    assert r.status_code == 422 and 'id="e-file"' in r.text and ".xlsx" in r.text
    r = await upload(client, b"", name="")
    assert r.status_code == 422 and 'id="e-file"' in r.text
    r = await upload(client, results_file(2), encoding="latin-1")
    assert r.status_code == 422 and 'id="e-encoding"' in r.text
    assert job_dirs(files_dir) == before and not list((files_dir / "imports" / "incoming").iterdir())


async def test_the_form_needs_its_token_and_jobs_stay_in_their_department(client, files_dir) -> None:
    await officer(client)
    before = job_dirs(files_dir)
    r = await client.post(
        "/admin/imports", data={"kind": "results", "encoding": "utf-8"}, files={"file": ("r.csv", results_file(2))}
    )
    assert r.status_code == 403
    r = await client.post(
        "/admin/imports",
        data={"_csrf_token": "forged" * 12, "kind": "results"},
        files={"file": ("r.csv", results_file(2))},
    )
    assert r.status_code == 403
    assert job_dirs(files_dir) == before
    job = (await upload(client, results_file(2), name="dept-only.csv")).headers["location"]
    await settled(client, job)
    await client.post("/admin/logout", data={"_csrf_token": csrf_of((await client.get("/admin/imports")).text)})
    await officer(client, "other-officer", "371500-zjj")
    assert (await client.get(job)).status_code == 404
    assert (await client.get(f"{job}/report.csv")).status_code == 404
    assert (await client.get("/admin/imports/zzzz")).status_code == 404
    other = (await client.get("/admin/imports")).text
    assert "dept-only.csv" not in other


def test_job_states_follow_their_runs_and_a_dead_run_is_failed(tmp_path) -> None:
    import os
    import time

    from importer import jobs

    job_id, folder = jobs.new_job(str(tmp_path), "results", "r.csv", "utf-8", "x", DEPT)

    def state() -> str:
        job = jobs.load_job(str(tmp_path), job_id)
        assert job is not None
        return job.state

    assert state() == "checking"  # nothing started yet: shown as going, until it starts
    jobs.write_json(folder / "check.json", {"state": "running", "pid": os.getpid(), "updated_at": time.time() - 60})
    assert state() == "checking"  # silent for a minute, but its process is alive (a long commit)
    jobs.write_json(folder / "check.json", {"state": "running", "pid": 2**22 + 1, "updated_at": time.time() - 60})
    job = jobs.load_job(str(tmp_path), job_id)
    assert job is not None and job.state == "failed" and "nothing was stored" in job.runs["check"].message
    jobs.write_json(folder / "check.json", {"state": "done", "rows": 3, "valid": 3})
    assert state() == "checked"
    job = jobs.load_job(str(tmp_path), job_id)
    assert job is not None
    assert jobs.claim_confirmation(job) and not jobs.claim_confirmation(job)
    assert state() == "importing"
    jobs.write_json(folder / "import.json", {"state": "rejected", "problems": 1})
    assert state() == "import_rejected"
    jobs.write_json(folder / "import.json", {"state": "done", "stored": 3})
    assert state() == "imported"
    assert jobs.load_job(str(tmp_path), "../../etc") is None and jobs.load_job(str(tmp_path), "0" * 16) is None


async def test_a_file_past_the_size_limit_is_refused_with_413_and_leaves_nothing(client, app, files_dir) -> None:
    import dataclasses

    await officer(client)
    jobs_before = job_dirs(files_dir)
    incoming = files_dir / "imports" / "incoming"
    parts_before = set(incoming.iterdir()) if incoming.exists() else set()
    settings = app.state.settings
    app.state.settings = dataclasses.replace(settings, import_max_mb=1)
    try:
        big = results_file(1) + b"x" * (1024 * 1024 + 1)  # one byte past the 1 MB limit
        r = await upload(client, big, name="big.csv")
    finally:
        app.state.settings = settings
    assert r.status_code == 413, r.text
    assert "1 MB" in r.text
    assert job_dirs(files_dir) == jobs_before  # no job was made
    assert (set(incoming.iterdir()) if incoming.exists() else set()) == parts_before  # the partial file is gone
    assert await Result.count() == 0
