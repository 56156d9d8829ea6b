"""Issue 11 item 11: each step of the repair procedure issues a dated letter (决定书/通知书) — the text
(domain.letters, without a server), then through the real API and database: listed, downloaded as
PDF with the CJK font embedded, read back with pdftotext, seen only by the applicant and the
deciding department."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest

from db.tables import RepairLetter
from demo.departments import load_regions_and_departments
from domain.letters import ADVERSE, LETTER_KINDS, REMEDY, LetterFacts, chinese_date, compose, letter_number
from tests.repair_helpers import World, at

D = dt.date
FACTS = LetterFacts(
    application_number="RA-20261125-0001",
    submitted_on=D(2026, 11, 25),
    uscc="91371500MA3C00000X",
    enterprise_name="聊城市某某食品有限公司",
    department_name="聊城市市场监督管理局",
    result_id=7,
    task_number="T-1",
    published_on=D(2026, 1, 10),
    category_labels=["责令改正"],
)


@pytest.mark.parametrize("action", sorted(LETTER_KINDS))
def test_every_step_has_its_letter(action: str) -> None:
    letter = compose(action, FACTS, "缺少守信承诺书\n整改报告未盖章", D(2026, 12, 7), D(2026, 12, 21), 10)
    kind, title = LETTER_KINDS[action]
    assert (letter.kind, letter.title, letter.issued_on) == (kind, title, D(2026, 12, 7))
    assert letter.department == "聊城市市场监督管理局"
    assert letter.addressee == "聊城市某某食品有限公司（统一社会信用代码：91371500MA3C00000X）："
    text = "".join(letter.paragraphs)
    assert "RA-20261125-0001" in text and "2026年1月10日" in text and "T-1" in text and "责令改正" in text
    # The remedies (行政复议 60 days, 行政诉讼 6 months) on the adverse decisions only.
    assert (letter.remedy == REMEDY) is (action in ADVERSE)
    assert (letter.remedy != "") is (action in ("decline", "reject"))
    if action in ("decline", "reject", "request-materials"):
        assert "缺少守信承诺书；整改报告未盖章。" in text  # the reason, every item, as given
    assert (
        compose(action, FACTS, "x", D(2026, 12, 7)).to_json()
        == type(letter).from_json(compose(action, FACTS, "x", D(2026, 12, 7)).to_json()).to_json()
    )


def test_remedy_names_both_periods_and_their_articles() -> None:
    assert "六十日内依法申请行政复议" in REMEDY and "《中华人民共和国行政复议法》第二十条" in REMEDY
    assert "六个月内依法向人民法院提起行政诉讼" in REMEDY and "《中华人民共和国行政诉讼法》第四十六条" in REMEDY


def test_acceptance_says_when_the_decision_is_due() -> None:
    letter = compose("accept", FACTS, "", D(2026, 11, 26), D(2026, 12, 10), 10)
    assert "自受理之日起10个工作日内（2026年12月10日前）" in letter.paragraphs[1]


def test_dates_and_numbers() -> None:
    assert chinese_date(D(2026, 1, 5)) == "2026年1月5日"
    assert letter_number("RA-20261125-0001", 2) == "RA-20261125-0001-02"


# -- through the API ---------------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    return out.stdout.decode("utf-8").replace("\n", "").replace(" ", "")


def pdf_fonts(data: bytes, tmp_path) -> str:
    f = tmp_path / "letter.pdf"
    f.write_bytes(data)
    return subprocess.run(["pdffonts", str(f)], capture_output=True, check=True, text=True).stdout


def act(number: str, action: str) -> str:
    return f"/api/v1/admin/repair-applications/{number}/{action}"


async def letters(client, number: str, headers) -> list[dict]:
    r = await client.get(f"/api/v1/repair-applications/{number}/letters", headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["application_number"] == number
    return r.json()["items"]


async def test_materials_acceptance_and_approval_letters(client, clock, tmp_path) -> None:
    await load_regions_and_departments()  # the department's full name for the letterhead
    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2026, 1, 10), "T-1")
    number = (await w.apply(client, rid)).json()["number"]
    assert await letters(client, number, w.h["a"]) == []
    clock["now"] = at(D(2026, 11, 26))
    r = await client.post(act(number, "request-materials"), json={"reason": "整改报告未盖章"}, headers=w.h["x"])
    assert r.status_code == 200, r.text
    clock["now"] = at(D(2026, 11, 27))
    files = [("files_correction", ("整改报告.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"))]
    r = await client.post(f"/api/v1/repair-applications/{number}/attachments", files=files, headers=w.h["a"])
    assert r.status_code == 201, r.text
    clock["now"] = at(D(2026, 11, 30))
    assert (await client.post(act(number, "accept"), json={}, headers=w.h["x"])).status_code == 200
    clock["now"] = at(D(2026, 12, 3))
    assert (await client.post(act(number, "approve"), json={}, headers=w.h["x"])).status_code == 200

    items = await letters(client, number, w.h["a"])
    assert [(i["number"], i["kind"], i["action"], i["action_label"], i["issued_on"]) for i in items] == [
        (f"{number}-01", "correction_notice", "request-materials", "一次性告知补正", "2026-11-26"),
        (f"{number}-02", "acceptance", "accept", "受理", "2026-11-30"),
        (f"{number}-03", "approval", "approve", "准予修复", "2026-12-03"),
    ]
    assert [i["title"] for i in items] == ["信用修复申请材料补正通知书", "信用修复申请受理通知书", "准予信用修复决定书"]
    # The department sees the same list.
    assert await letters(client, number, w.h["x2"]) == items
    texts = []
    for i in items:
        assert i["url"].endswith(f"/api/v1/repair-applications/{number}/letters/{i['number']}")
        r = await client.get(f"/api/v1/repair-applications/{number}/letters/{i['number']}", headers=w.h["a"])
        assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
        assert r.headers["cache-control"] == "private, no-store"
        assert r.content.startswith(b"%PDF")
        text = pdf_text(r.content)
        assert i["title"] in text and number in text and i["number"] in text and w.a in text
        assert "聊城市市场监督管理局" in text
        texts.append(text)
        # Issued once, rendered the same every time.
        again = await client.get(f"/api/v1/repair-applications/{number}/letters/{i['number']}", headers=w.h["x"])
        assert again.content == r.content
    assert "整改报告未盖章" in texts[0] and "一次性告知" in texts[0]
    # Accepted on Mon 30 Nov: the default profile's 15 working days from the day after → Mon 21 Dec,
    # the application's own decide_by (domain.repair.decide_by).
    app = (await client.get(f"/api/v1/repair-applications/{number}", headers=w.h["a"])).json()
    assert app["decide_by"] == "2026-12-21"
    assert "自受理之日起15个工作日内（2026年12月21日前）" in texts[1]
    assert "停止公示" in texts[2] and "信用中国" in texts[2]
    assert all("行政复议" not in t for t in texts)  # no adverse decision among them
    assert "yes yes yes" in pdf_fonts(r.content, tmp_path).split("\n")[2]  # embedded, subset, unicode


@pytest.mark.parametrize("steps", [["decline"], ["accept", "reject"]])
async def test_adverse_decisions_name_the_remedies(client, clock, steps: list[str]) -> None:
    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2026, 1, 10), "T-1")
    number = (await w.apply(client, rid)).json()["number"]
    clock["now"] = at(D(2026, 11, 26))
    for step in steps:
        r = await client.post(act(number, step), json={"reason": "整改未完成，现场复查仍不符合要求"}, headers=w.h["x"])
        assert r.status_code == 200, r.text
    last = (await letters(client, number, w.h["a"]))[-1]
    assert last["kind"] == {"decline": "non_acceptance", "reject": "refusal"}[steps[-1]]
    pdf = await client.get(f"/api/v1/repair-applications/{number}/letters/{last['number']}", headers=w.h["a"])
    text = pdf_text(pdf.content)
    assert "理由：整改未完成，现场复查仍不符合要求。" in text
    for words in (
        "六十日内依法申请行政复议",
        "行政复议法》第二十条",
        "六个月内依法向人民法院提起行政诉讼",
        "行政诉讼法》第四十六条",
    ):
        assert words in text, words
    assert "2026年11月26日" in text


async def test_only_the_applicant_and_the_deciding_department_read_them(client, clock) -> None:
    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2026, 1, 10), "T-1")
    number = (await w.apply(client, rid)).json()["number"]
    clock["now"] = at(D(2026, 11, 26))
    assert (await client.post(act(number, "accept"), json={}, headers=w.h["x"])).status_code == 200
    lno = f"{number}-01"
    for path in (
        f"/api/v1/repair-applications/{number}/letters",
        f"/api/v1/repair-applications/{number}/letters/{lno}",
    ):
        assert (await client.get(path)).status_code == 401
        assert (await client.get(path, headers=w.h["b"])).status_code == 403  # another enterprise
        assert (await client.get(path, headers=w.h["y"])).status_code == 403  # another department
    r = await client.get(f"/api/v1/repair-applications/{number}/letters/{number}-09", headers=w.h["a"])
    assert r.status_code == 404
    r = await client.get(f"/api/v1/repair-applications/{number}/letters/..%2F..%2Fetc", headers=w.h["a"])
    assert r.status_code == 404


async def test_a_refused_step_issues_no_letter(client, clock) -> None:
    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2026, 1, 10), "T-1")
    number = (await w.apply(client, rid)).json()["number"]
    assert (await client.post(act(number, "decline"), json={"reason": " "}, headers=w.h["x"])).status_code == 422
    assert (await client.post(act(number, "approve"), json={}, headers=w.h["x"])).status_code == 409
    assert (await client.post(act(number, "accept"), json={}, headers=w.h["y"])).status_code in (403, 404)
    assert await RepairLetter.count() == 0
