"""`gongshi import`: good CSV and XLSX files store everything; any bad input stores nothing."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from db.tables import (
    ALL_TABLES,
    AuditLog,
    ChangeLog,
    Entity,
    Honour,
    Outbox,
    Result,
    ResultCategory,
    ResultDepartment,
    ScanRecord,
)
from db.users import create_user
from demo.departments import load_regions_and_departments
from domain.auth import Principal
from domain.uscc import ALPHABET, _check_character
from importer.run import run_import
from tests.helpers import PASSWORD, make_uscc

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "demo_data" / "examples"
DEPT = "371500-scjg"
OFFICER = Principal("importer", "officer", DEPT)
HEADER = "任务单号,统一社会信用代码,经营主体名称,检查部门,检查日期,检查结果\n"


@pytest.fixture
async def world(client):
    """Departments and regions, and the importing officer's account."""
    await load_regions_and_departments()
    await create_user("importer", PASSWORD, "officer", department_code=DEPT)
    from db.lookups import department_index

    return await department_index()


async def snapshot() -> dict[str, int]:
    return {t._meta.tablename: await t.count() for t in ALL_TABLES}


async def do_import(world, kind: str, path: Path, actor: Principal = OFFICER, **kw):
    return await run_import(Result._meta.db, kind, path, actor, world, progress=False, **kw)


def results_csv(tmp_path: Path, rows: list[str], header: str = HEADER, name: str = "r.csv") -> Path:
    p = tmp_path / name
    p.write_text(header + "".join(r + "\n" for r in rows), encoding="utf-8")
    return p


def row(i: int, uscc: str | None = None, cats: str = "N01", task: str | None = None) -> str:
    return f"{task or f'T-{i}'},{uscc or make_uscc(seed=i)},聊城市测试{i}有限公司,{DEPT},2025-05-0{1 + i % 9},{cats}"


async def test_example_files_import_with_every_side_table(world) -> None:
    for kind in ("entities", "results", "honours", "scan-records"):
        out = await do_import(world, kind, EXAMPLES / f"{kind}.csv")
        assert out.ok and not out.problems, (kind, out.problems)
    assert await Entity.count() == 4 and await Result.count() == 3
    assert await Honour.count() == 3 and await ScanRecord.count() == 2
    assert await ResultDepartment.count() == 5 and await ResultCategory.count() == 4
    assert await AuditLog.count() == 4 + 3 + 3 + 2
    # Public records (results, honours): one change-log row and one outbox row each.
    assert await ChangeLog.count() == 6 and await Outbox.count() == 6
    shop = await Result.select().where(Result.uscc == "92371726MA3N7D1X4A").first()
    assert shop["entity_name"] == "鄄城县张*百货店" and shop["negative"]
    assert shop["penalty_decision_number"] == "聊市监处罚〔2025〕118号"
    # Columns written as constants of the statement read back as Piccolo wrote them.
    assert (shop["disclosure"], shop["revision"], shop["withdrawn_reason"], shop["withdrawn_at"]) == (
        "public",
        1,
        "",
        None,
    )
    assert shop["created_at"] == shop["updated_at"] and shop["created_at"].tzinfo is not None
    assert abs(dt.datetime.now(dt.UTC) - shop["created_at"]) < dt.timedelta(minutes=5)
    joint = await Result.select().where(Result.task_number == "LC-SCJG-2025-0031").first()
    assert joint["department_codes"] == "371500-scjg,371500-zjj,371500-xfjy" and joint["joint"]
    scan = await ScanRecord.select().where(ScanRecord.method == "checkin").first()
    assert scan["scanned_at"] == dt.datetime(2025, 6, 13, 6, 5, tzinfo=dt.UTC)


async def test_results_import_is_served_by_the_api(world, client) -> None:
    out = await do_import(world, "results", EXAMPLES / "results.csv")
    assert out.stored == 3
    page = (await client.get("/api/v1/results", params={"uscc": "92371726MA3N7D1X4A"})).json()
    item = page["items"][0]
    assert item["entity_name"] == "鄄城县张*百货店" and "张三" not in item["entity_name"]
    assert item["departments"] == ["聊城市市场监督管理局"]


async def test_xlsx_with_typed_cells(world, tmp_path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["task_number", "USCC", "Entity Name", "departments", "inspected_on", "categories", "follow_up"])
    ws.append(
        ["X-1", make_uscc(seed=1), "聊城市甲有限公司", "聊城市市场监督管理局", dt.datetime(2025, 3, 4), "合格", ""]
    )
    ws.append(["X-2", make_uscc(seed=2), "聊城市乙有限公司", DEPT, "2025/03/05", "X05；X01", "责令改正"])
    path = tmp_path / "results.xlsx"
    wb.save(path)
    out = await do_import(world, "results", path)
    assert out.ok, out.problems
    rows = await Result.select().order_by(Result.task_number)
    assert [r["inspected_on"] for r in rows] == [dt.date(2025, 3, 4), dt.date(2025, 3, 5)]
    assert rows[1]["category_codes"] == "X05,X01" and rows[1]["negative"]


async def test_xlsx_rows_are_numbered_like_the_spreadsheet_and_unreadable_files_say_so(world, tmp_path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["任务单号", "统一社会信用代码", "经营主体名称", "检查部门", "检查日期", "检查结果"])
    ws.append([2025001, make_uscc(seed=1), "聊城市甲有限公司", DEPT, dt.date(2025, 3, 4), "X05"])  # a number cell
    ws.append([None] * 6)  # row 3: blank, not a record, still counted
    ws.append(["X-4", 91371500123456789, "聊城市乙有限公司", DEPT, "2025-03-05", "X01"])  # row 4: USCC as a number
    ws.append(["X-5", make_uscc(seed=5), "聊城市丙有限公司", DEPT, "2025-13-01", "X01"])  # row 5: no such date
    path = tmp_path / "r.xlsx"
    wb.save(path)
    out = await _rejected(world, path)
    assert [(p.row, p.column) for p in out.problems] == [(4, "统一社会信用代码"), (5, "检查日期")], out.problems
    assert "stored as a number" in out.problems[0].message
    del ws  # the good rows alone: the whole number reads as the text it shows
    wb = openpyxl.Workbook()
    wb.active.append(["任务单号", "统一社会信用代码", "经营主体名称", "检查部门", "检查日期", "检查结果"])
    wb.active.append([2025001, make_uscc(seed=1), "聊城市甲有限公司", DEPT, dt.date(2025, 3, 4), "X05"])
    wb.save(path)
    assert (await do_import(world, "results", path)).stored == 1
    assert (await Result.select(Result.task_number).first())["task_number"] == "2025001"
    for name, content, says in (
        ("bad.xlsx", b"PK\x03\x04 not really a workbook", "cannot read the XLSX file"),
        ("text.xlsx", "任务单号,uscc\n".encode(), "cannot read the XLSX file"),
    ):
        bad = tmp_path / name
        bad.write_bytes(content)
        out = await _rejected(world, bad)
        assert out.problems[0].row == 0 and says in out.problems[0].message
    empty = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(empty)
    assert "the file is empty" in (await _rejected(world, empty)).problems[0].message


async def test_utf8_with_bom_is_accepted(world, tmp_path) -> None:
    p = tmp_path / "bom.csv"
    p.write_bytes("\ufeff".encode() + (HEADER + row(1) + "\n").encode())
    assert (await do_import(world, "results", p)).stored == 1


async def _rejected(world, path: Path, kind: str = "results", actor: Principal = OFFICER, **kw):
    before = await snapshot()
    out = await do_import(world, kind, path, actor, **kw)
    assert out.problems and out.stored == 0 and not out.ok
    assert await snapshot() == before, "a rejected file must store nothing"
    return out


async def test_non_utf8_csv_names_the_problem_and_gb18030_can_be_asked_for(world, tmp_path) -> None:
    p = tmp_path / "gbk.csv"
    p.write_bytes((HEADER + row(1) + "\n").encode("gb18030"))
    out = await _rejected(world, p)
    msg = out.problems[0].message
    assert "UTF-8" in msg and "GB18030" in msg and "--encoding gb18030" in msg
    assert (await do_import(world, "results", p, encoding="gb18030")).stored == 1


async def test_missing_column(world, tmp_path) -> None:
    p = results_csv(tmp_path, [row(1)], header="任务单号,统一社会信用代码,经营主体名称,检查部门,检查日期\n")
    out = await _rejected(world, p)
    assert any("categories" in x.message and "检查结果" in x.message for x in out.problems)


async def test_invalid_uscc_is_reported_with_its_row_number(world, tmp_path) -> None:
    good = [row(i) for i in range(1, 6)]
    bad = make_uscc(seed=99)[:-1] + ("0" if make_uscc(seed=99)[-1] != "0" else "1")
    p = results_csv(tmp_path, [*good[:2], row(50, uscc=bad), *good[2:]])
    out = await _rejected(world, p)
    assert [(x.row, x.column) for x in out.problems] == [(4, "统一社会信用代码")]
    assert "校验位" in out.problems[0].message


async def test_unknown_category(world, tmp_path) -> None:
    out = await _rejected(world, results_csv(tmp_path, [row(1), row(2, cats="Q99")]))
    assert [(x.row, x.column) for x in out.problems] == [(3, "检查结果")]
    assert "Q99" in out.problems[0].message


async def test_duplicate_task_number_within_the_file(world, tmp_path) -> None:
    u = make_uscc(seed=5)
    out = await _rejected(
        world, results_csv(tmp_path, [row(1, uscc=u, task="T-9"), row(2), row(3, uscc=u, task="T-9")])
    )
    assert [(x.row, x.column) for x in out.problems] == [(4, "任务单号")]
    assert "第 2 行" in out.problems[0].message


async def test_duplicate_task_number_against_the_database(world, tmp_path) -> None:
    assert (await do_import(world, "results", results_csv(tmp_path, [row(1), row(2)], name="a.csv"))).stored == 2
    out = await _rejected(world, results_csv(tmp_path, [row(3), row(2), row(4)], name="b.csv"))
    assert [x.row for x in out.problems] == [3]
    assert "already in the database" in out.problems[0].message


async def test_empty_file_and_header_only(world, tmp_path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert "empty" in (await _rejected(world, empty)).problems[0].message
    assert "no data rows" in (await _rejected(world, results_csv(tmp_path, []))).problems[0].message


async def test_other_departments_results_and_unknown_department(world, tmp_path) -> None:
    other = Principal("importer", "officer", "371500-sthj")
    out = await _rejected(world, results_csv(tmp_path, [row(1)]), actor=other)
    assert out.problems[0].column == "检查部门" and "371500-sthj" in out.problems[0].message
    p = results_csv(
        tmp_path, [f"T-1,{make_uscc(seed=1)},聊城市甲有限公司,{DEPT};火星市场监管局,2025-05-01,N01"], name="u.csv"
    )
    assert "火星市场监管局" in (await _rejected(world, p)).problems[0].message


async def test_every_bad_row_is_reported_and_the_report_is_capped(world, tmp_path) -> None:
    rows = [row(i, cats="BAD") if i % 2 else row(i) for i in range(1, 200)]
    out = await _rejected(world, results_csv(tmp_path, rows))
    assert len(out.problems) == 100
    import io

    from importer.run import print_report

    buf = io.StringIO()
    print_report(out, buf, limit=10)
    text = buf.getvalue()
    assert "100 problems in 100 rows" in text and "and 90 more problems" in text


async def test_bad_entity_honour_and_scan_rows(world, tmp_path) -> None:
    u = make_uscc(seed=3)
    p = tmp_path / "e.csv"
    p.write_text(
        f"uscc,name,kind,industry_code,risk_class\n{u},甲公司,企业,F5221,E\n{u[:-1]},乙公司,火星,Z9,A\n",
        encoding="utf-8",
    )
    out = await _rejected(world, p, "entities")
    assert {(x.row, x.column) for x in out.problems} == {
        (2, "risk_class"),
        (3, "uscc"),
        (3, "kind"),
        (3, "industry_code"),
    }
    p = tmp_path / "h.csv"
    p.write_text(
        f"uscc,entity_name,honour,awarded_by,awarded_on,valid_until\n{u},甲,守合同重信用企业,市监局,"
        f"2025-02-30,\n{u},甲,守合同重信用企业,市监局,2025-02-01,2024-01-01\n",
        encoding="utf-8",
    )
    out = await _rejected(world, p, "honours")
    assert [(x.row, x.column) for x in out.problems] == [(2, "awarded_on"), (3, "valid_until")]
    p = tmp_path / "s.csv"
    p.write_text(
        f"统一社会信用代码,检查部门,执法证号,扫码时间,方式\n{u},{DEPT},37150012345,2025-06-12 09:30,扫码\n"
        f"{u},{DEPT},A1;A2,2025-06-12 09:31,刷脸\n",
        encoding="utf-8",
    )
    out = await _rejected(world, p, "scan-records")
    assert [(x.row, x.column) for x in out.problems] == [(2, "执法证号"), (3, "方式")]


def test_fast_check_character_matches_stdnum() -> None:
    from stdnum.cn import uscc as std

    rnd = random.Random(11)
    for _ in range(5000):
        stem = "".join(rnd.choice(ALPHABET) for _ in range(17))
        assert _check_character(stem) == std.calc_check_digit(stem)


async def test_the_command_line(world, settings, tmp_path) -> None:
    env = {**os.environ, "DATABASE_URL": settings.database_url, "SEARCH_PATH": settings.search_path}
    cmd = [sys.executable, str(ROOT / "cli.py"), "import"]
    bad = results_csv(tmp_path, [row(1), row(2, cats="Q99")], name="bad.csv")
    p = subprocess.run(
        [*cmd, "results", str(bad), "--as", "importer", "--no-progress"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert p.returncode == 1 and "nothing was stored" in p.stderr and "3\t检查结果" in p.stderr
    assert "Traceback" not in p.stderr
    good = results_csv(tmp_path, [row(1), row(2)], name="good.csv")
    p = subprocess.run(
        [*cmd, "results", str(good), "--as", "importer", "--no-progress"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert p.returncode == 0, p.stderr
    assert "imported 2 results" in p.stdout
    p = subprocess.run(
        [*cmd, "results", str(good), "--as", "nobody", "--no-progress"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert p.returncode == 2 and "nobody" in p.stderr
    assert await Result.count() == 2


# --- the parallel path: worker processes check batches while this process writes -----------


async def _table_rows(table) -> list[tuple]:
    """The table's rows without ids and times (a join row names its result by task number)."""
    if table in (ResultCategory, ResultDepartment):
        col = "code" if table is ResultCategory else "department_code"
        rows = await table.raw(
            f"SELECT r.task_number, j.{col}, j.year FROM {table._meta.tablename} j "
            "JOIN inspection_result r ON r.id = j.result_id"
        )
        return sorted(tuple(r.values()) for r in rows)
    cols = [
        c
        for c in table._meta.columns
        if c._meta.name not in ("id", "created_at", "updated_at", "at", "next_attempt_at", "withdrawn_at")
    ]
    return sorted(tuple(r.values()) for r in await table.select(*cols))


async def test_parallel_checking_stores_exactly_what_checking_in_process_stores(world, tmp_path) -> None:
    """Three worker processes, batches of 7 rows: same rows, join rows, log rows and masking as
    checking in this process with one batch."""
    shop = make_uscc(kind="2", seed=7001)  # an individual business: its operator's name is masked
    rows = [row(i, cats="N01;X05" if i % 3 == 0 else "N01") + "," for i in range(1, 60)]
    rows.append(f"T-shop,{shop},聊城市李四百货店,{DEPT};371500-xfjy,2025-05-02,X05,李四")
    path = results_csv(tmp_path, rows, header=HEADER.rstrip("\n") + ",经营者姓名\n")
    out = await do_import(world, "results", path, workers=3, batch_rows=7)
    assert out.ok and out.stored == 60 and out.rows == 60, out.problems
    parallel = {t._meta.tablename: await _table_rows(t) for t in (Result, ResultCategory, ResultDepartment)}
    logs = (await AuditLog.count(), await ChangeLog.count(), await Outbox.count())
    ids = [r["id"] for r in await Result.select(Result.id).order_by(Result.id)]
    assert ids == list(range(ids[0], ids[0] + 60)), "one id per row, in file order"
    for t in ALL_TABLES:
        if t._meta.tablename not in ("region", "department", "portal_user", "repair_rule"):
            await t.delete(force=True)
    out = await do_import(world, "results", path, workers=1, batch_rows=10_000)
    assert out.ok and out.stored == 60
    assert {t._meta.tablename: await _table_rows(t) for t in (Result, ResultCategory, ResultDepartment)} == parallel
    assert (await AuditLog.count(), await ChangeLog.count(), await Outbox.count()) == logs
    assert await ResultDepartment.count() == 61 and await ResultCategory.count() == 60 + 19
    assert (await Result.select(Result.entity_name).where(Result.uscc == shop).first())[
        "entity_name"
    ] == "聊城市李*百货店"
    assert await Entity.count() == 60, "every new entity registered once"


async def test_parallel_checking_reports_every_problem_across_batches_in_file_order(world, tmp_path) -> None:
    u = make_uscc(seed=4242)
    rows = [row(i) for i in range(1, 40)]
    rows[3] = row(4, cats="Q99")  # row 5: unknown category (batch 1)
    rows[12] = row(13, uscc=u, task="T-dup")  # row 14: first of a pair
    rows[30] = row(31, uscc=u, task="T-dup")  # row 32: duplicate of row 14, in another batch
    rows[35] = row(36, uscc=u[:-1] + "!")  # row 37: bad USCC, after writing stopped
    path = results_csv(tmp_path, rows)
    out = await _rejected(world, path, workers=2, batch_rows=5)
    assert [(x.row, x.column) for x in out.problems] == [(5, "检查结果"), (32, "任务单号"), (37, "统一社会信用代码")]
    assert "第 14 行" in out.problems[1].message
    assert out.rows == 39
    same = await _rejected(world, path, workers=1)
    assert [(x.row, x.column, x.message) for x in same.problems] == [(x.row, x.column, x.message) for x in out.problems]


async def test_parallel_checking_finds_duplicates_against_the_database_in_a_later_batch(world, tmp_path) -> None:
    assert (await do_import(world, "results", results_csv(tmp_path, [row(1), row(2)], name="a.csv"))).stored == 2
    rows = [row(i) for i in range(3, 30)] + [row(2)] + [row(i) for i in range(30, 40)]
    out = await _rejected(world, results_csv(tmp_path, rows, name="b.csv"), workers=2, batch_rows=4)
    assert [x.row for x in out.problems] == [29]
    assert "already in the database" in out.problems[0].message


async def test_an_unreadable_row_late_in_the_file_stores_nothing(world, tmp_path) -> None:
    rows = [row(i) for i in range(1, 30)] + ["T-x," + "长" * 200_000]  # past the csv module's field limit
    out = await _rejected(world, results_csv(tmp_path, rows), workers=2, batch_rows=4)
    assert out.problems[-1].row == 0 and "malformed CSV at row 31" in out.problems[-1].message


async def test_parallel_checking_of_a_quoted_csv_numbers_records_like_a_spreadsheet(world, tmp_path) -> None:
    """Quoted fields (a comma, a line break inside a name) send the file down the path where
    this process parses and workers check: row numbers stay record numbers."""
    rows = [row(i) for i in range(1, 12)]
    rows[2] = f'T-q,{make_uscc(seed=3)},"聊城市甲,乙有限公司",{DEPT},2025-05-04,N01'
    rows[5] = f'T-nl,{make_uscc(seed=6)},"聊城市丙\n丁有限公司",{DEPT},2025-05-04,N01'  # two lines, one record
    rows[8] = row(9, cats="Q99")  # record 10 (line 11)
    path = results_csv(tmp_path, rows)
    out = await _rejected(world, path, workers=2, batch_rows=3)
    assert [(x.row, x.column) for x in out.problems] == [(10, "检查结果")]
    del rows[8]
    out = await do_import(world, "results", results_csv(tmp_path, rows, name="ok.csv"), workers=2, batch_rows=3)
    assert out.ok and out.stored == 10
    assert await Result.exists().where(Result.entity_name == "聊城市甲,乙有限公司")
    assert await Result.exists().where(Result.entity_name == "聊城市丙\n丁有限公司")


def test_line_ranges_cover_the_text_and_number_its_lines() -> None:
    from importer.parallel import _line_ranges

    text = "h1,h2\n" + "".join(f"a{i},b\n" if i != 7 else "\n" for i in range(1, 30)) + "last,x"
    body = text.index("\n") + 1
    ranges = list(_line_ranges(text, body, 4))
    assert ranges[0][0] == body and ranges[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges)), "contiguous"
    for start, end, first_row in ranges:
        assert text[start - 1] == "\n" and (end == len(text) or text[end - 1] == "\n")
        assert first_row == text.count("\n", 0, start) + 1


def test_drafts_cross_between_processes_unchanged() -> None:
    """Dates travel as day numbers; every kind's draft comes back equal (datetimes untouched)."""
    import pickle

    from domain.import_rows import EntityDraft, HonourDraft, ScanDraft
    from domain.results import ResultDraft
    from importer.check import from_wire, to_wire

    drafts = {
        "results": ResultDraft(
            "T-1",
            make_uscc(seed=1),
            "甲公司",
            "enterprise",
            "371500",
            [DEPT, "371500-xfjy"],
            dt.date(2025, 3, 4),
            "抽查",
            ["X05"],
            True,
            published_on=None,
            operator_name="张三",
        ),
        "entities": EntityDraft(make_uscc(seed=2), "乙店", "individual", "371500", operator_name="李四"),
        "honours": HonourDraft(
            make_uscc(seed=3), "丙公司", "守合同重信用企业", "award", "市监局", dt.date(2025, 1, 2), dt.date(2027, 1, 1)
        ),
        "scan-records": ScanDraft(
            make_uscc(seed=4),
            DEPT,
            ("37150012345", "37150012346"),
            dt.datetime(2025, 6, 12, 1, 30, tzinfo=dt.UTC),
            "scan",
        ),
    }
    for kind, d in drafts.items():
        back = from_wire(kind, pickle.loads(pickle.dumps(to_wire(kind, d))))
        assert back == d and type(back) is type(d), kind
    r = drafts["results"]
    r.published_on = dt.date(2025, 3, 10)  # type: ignore[attr-defined]
    assert from_wire("results", to_wire("results", r)).published_on == dt.date(2025, 3, 10)


async def test_parallel_checking_of_every_kind(world) -> None:
    """Entities (plain strings), honours (dates as day numbers) and scan records (datetimes,
    which go by pickle) through worker processes, one row per batch."""
    for kind in ("entities", "results", "honours", "scan-records"):
        out = await do_import(world, kind, EXAMPLES / f"{kind}.csv", workers=2, batch_rows=1)
        assert out.ok and not out.problems, (kind, out.problems)
    assert await Entity.count() == 4 and await Honour.count() == 3 and await ScanRecord.count() == 2
    scan = await ScanRecord.select().where(ScanRecord.method == "checkin").first()
    assert scan["scanned_at"] == dt.datetime(2025, 6, 13, 6, 5, tzinfo=dt.UTC)


@pytest.mark.parametrize("preload", [False, True], ids=["lookups-per-batch", "register-read-once"])
async def test_import_masks_by_the_entity_register(world, tmp_path, monkeypatch, preload) -> None:
    """Rows that do not name the operator are masked when the register knows the entity as an
    individual business, whether the register is looked up batch by batch or read at the start
    (what a file of 100,000 rows or more does)."""
    import importer.register

    if preload:
        monkeypatch.setattr(importer.register, "PRELOAD_FROM_ROWS", 0)
    known, new = make_uscc(kind="2", seed=8101), make_uscc(kind="2", seed=8102)
    ents = tmp_path / "e.csv"
    ents.write_text(
        "统一社会信用代码,名称,主体类型,行政区划代码,经营者姓名\n"
        f"{known},聊城市王小明早餐店,个体工商户,371500,王小明\n",
        encoding="utf-8",
    )
    assert (await do_import(world, "entities", ents)).stored == 1
    rows = [row(i) for i in range(1, 9)]
    rows[1] = f"T-k1,{known},聊城市王小明早餐店,{DEPT},2025-05-02,N01,"
    rows[3] = f"T-n1,{new},聊城市赵六修车铺,{DEPT},2025-05-02,N01,赵六"  # registers the entity …
    rows[6] = f"T-n2,{new},聊城市赵六修车铺,{DEPT},2025-05-03,X05,"  # … which masks a later batch
    path = results_csv(
        tmp_path, [r if r.count(",") == 6 else r + "," for r in rows], header=HEADER.rstrip("\n") + ",经营者姓名\n"
    )
    out = await do_import(world, "results", path, workers=2, batch_rows=3)
    assert out.ok and out.stored == 8, out.problems
    names = {r["task_number"]: r["entity_name"] for r in await Result.select(Result.task_number, Result.entity_name)}
    assert (names["T-k1"], names["T-n1"], names["T-n2"]) == ("聊城市王**早餐店", "聊城市赵*修车铺", "聊城市赵*修车铺")
    reg = await Entity.select(Entity.name, Entity.kind, Entity.operator_name).where(Entity.uscc == new).first()
    assert reg == {"name": "聊城市赵六修车铺", "kind": "individual", "operator_name": "赵六"}
    hon = tmp_path / "h.csv"
    hon.write_text(
        "uscc,entity_name,honour,kind,awarded_by,awarded_on\n"
        f"{known},聊城市王小明早餐店,诚信经营示范店,credit,聊城市市场监督管理局,2025-01-02\n",
        encoding="utf-8",
    )
    assert (await do_import(world, "honours", hon)).stored == 1
    assert (await Honour.select(Honour.entity_name).first())["entity_name"] == "聊城市王**早餐店"


def test_problem_report_csv_keeps_a_quoted_formula_inert(tmp_path) -> None:
    """The report quotes rejected cells; opened in a spreadsheet, a cell that was a formula stays text."""
    import csv

    from importer.check import Problem
    from importer.run import Outcome, write_report_csv

    out = Outcome(kind="results", problems=[Problem(3, '=HYPERLINK("x")', "-1 不是有效日期"), Problem(4, "uscc", "ok")])
    write_report_csv(out, tmp_path / "r.csv")
    rows = list(csv.reader((tmp_path / "r.csv").open(encoding="utf-8-sig", newline="")))
    assert rows == [["row", "column", "problem"], ["3", '\'=HYPERLINK("x")', "'-1 不是有效日期"], ["4", "uscc", "ok"]]


async def test_check_only_runs_every_check_and_stores_nothing(world, tmp_path) -> None:
    path = results_csv(tmp_path, [row(i) for i in range(3)])
    before = await snapshot()
    out = await do_import(world, "results", path, check_only=True)
    assert out.ok and out.valid == 3 and out.stored == 0 and not out.problems
    assert await snapshot() == before  # the rows were written and rolled back: nothing kept
    stored = await do_import(world, "results", path)
    assert stored.ok and stored.stored == 3
    again = await do_import(world, "results", path, check_only=True)
    assert not again.ok and again.valid == 0 and len(again.problems) == 3  # the database's duplicates too
    assert all("数据库中已有" in p.message for p in again.problems)


async def test_the_command_updates_the_search_index_before_it_exits(world, settings, tmp_path, client) -> None:
    """Issue 13 item 13: the first search after `gongshi import` sees every imported record (the
    test app runs no outbox worker, so only the command can have indexed them); `--no-index`
    leaves them to the server's worker."""
    from search.outbox import pending_count

    env = {**os.environ, "DATABASE_URL": settings.database_url, "SEARCH_PATH": settings.search_path}
    cmd = [sys.executable, str(ROOT / "cli.py"), "import", "results"]
    good = results_csv(tmp_path, [row(41), row(42)], name="indexed.csv")
    p = subprocess.run(
        [*cmd, str(good), "--as", "importer", "--no-progress"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert p.returncode == 0, p.stderr
    assert "search index: 2 updates applied" in p.stdout
    assert await pending_count() == 0
    hits = (await client.get("/api/v1/search", params={"q": "聊城市测试41有限公司"})).json()
    assert any("测试41" in h["title"] for h in hits["items"]), hits

    later = results_csv(tmp_path, [row(43)], name="not-indexed.csv")
    p = subprocess.run(
        [*cmd, str(later), "--as", "importer", "--no-progress", "--no-index"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert p.returncode == 0, p.stderr
    assert "search index" not in p.stdout
    assert await pending_count() == 1
