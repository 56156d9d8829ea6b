"""File import in Chromium against the uvicorn process: an officer signs in, uploads a results
file with one bad row (the report is shown, nothing is stored), uploads the fixed file, confirms
the counts, and the records are public; then withdraws one (撤回) from the department's results
after the confirmation step, and it answers 410; axe-core and the 375 px check on every page."""

from __future__ import annotations

from pathlib import Path

from db.tables import Result
from demo.departments import load_regions_and_departments
from tests.browser.conftest import shot
from tests.browser.test_backoffice_browser import check_page
from tests.helpers import PASSWORD, make_uscc
from tests.repair_helpers import DEPT, World

HEADER = "任务单号,统一社会信用代码,经营主体名称,检查部门,检查日期,检查结果\n"


def results_file(path: Path, bad_row: int | None = None) -> Path:
    lines = [HEADER]
    for i in range(4):
        uscc = "91371500MA3XXXXX" if i == bad_row else make_uscc(seed=700 + i)
        lines.append(f"WEB-{i},{uscc},聊城市网页导入{i}有限公司,{DEPT},2025-06-0{1 + i},N01\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


async def test_officer_imports_a_file_fixes_its_bad_row_and_the_records_are_public(page, http, tmp_path) -> None:
    await World().setup(http)
    await load_regions_and_departments()  # the importer names departments by code or full name
    await page.goto("/admin/imports")
    await page.get_by_label("用户名").fill("officer-x")
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url("**/admin/imports")
    await check_page(page, "import-form")

    await page.get_by_label("数据类型").select_option("results")
    await page.get_by_label("文件（.csv 或 .xlsx").set_input_files(str(results_file(tmp_path / "检查结果.csv", 2)))
    await page.get_by_role("button", name="上传并检查").click()
    await page.get_by_text("未导入任何数据").first.wait_for(timeout=60_000)
    problem = page.locator("table.problem-table tbody tr").first
    assert (await problem.locator("td").nth(0).inner_text()) == "4"  # the header is row 1
    assert "统一社会信用代码" in await problem.inner_text()
    assert await page.locator("table.problem-table tbody tr").count() == 1
    await check_page(page, "import-rejected")
    assert await Result.count() == 0

    await page.get_by_role("link", name="重新上传").first.click()
    await page.get_by_label("数据类型").select_option("results")
    await page.get_by_label("文件（.csv 或 .xlsx").set_input_files(str(results_file(tmp_path / "检查结果-改正.csv")))
    await page.get_by_role("button", name="上传并检查").click()
    await page.get_by_text("检查通过").first.wait_for(timeout=60_000)
    await check_page(page, "import-checked")
    assert await Result.count() == 0
    await page.get_by_role("button", name="确认导入 4 条").click()
    await page.get_by_text("导入完成").wait_for(timeout=60_000)
    await check_page(page, "import-done")
    assert await Result.count() == 4
    public = (await http.get("/api/v1/results", params={"page_size": 50})).json()
    assert {i["task_number"] for i in public["items"]} >= {"WEB-0", "WEB-1", "WEB-2", "WEB-3"}
    await page.get_by_role("navigation", name="后台导航").get_by_role("link", name="文件导入").click()
    await page.get_by_text("检查结果-改正.csv").wait_for()
    await shot(page, "backoffice/import-list-1280")

    nav = page.get_by_role("navigation", name="后台导航")
    await nav.get_by_role("link", name="检查结果").click()
    await page.wait_for_url("**/admin/results")
    await check_page(page, "results-list")
    await page.get_by_label("任务单号或统一社会信用代码").fill("WEB-1")
    await page.get_by_role("button", name="查找").click()
    await page.get_by_role("link", name="WEB-1").click()
    await check_page(page, "result-detail")
    await page.get_by_label("撤回理由").fill("经营主体名称录入错误")
    await page.get_by_role("button", name="撤回", exact=True).click()
    await page.get_by_text("请确认：撤回该检查结果").wait_for()
    await check_page(page, "result-revoke-confirm")
    rid = int(page.url.rsplit("/", 2)[-2])
    assert (await http.get(f"/api/v1/results/{rid}")).status_code == 200  # nothing done before confirming
    await page.get_by_role("button", name="确认撤回").click()
    await page.get_by_text("已撤回").wait_for()
    await check_page(page, "result-revoked")
    assert (await http.get(f"/api/v1/results/{rid}")).status_code == 410
