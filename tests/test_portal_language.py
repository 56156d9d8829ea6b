"""Chinese pages in Chinese, English pages in English: the rules' bilingual messages
("中文 (English)") and the parsers' English-only ones are shown in the page's language."""

from __future__ import annotations

import html
import re

import pytest

from portal.messages import localize, parser_message, split
from tests.complaint_fixtures import add_departments, body, jpg
from tests.helpers import make_uscc
from tests.test_complaints_portal import form_fields

# An English gloss after Chinese text: "必填 (required)", "未保存 (the request …)".
GLOSS = re.compile(r"[\u4e00-\u9fff。，、；：！？）]\s*\(([a-z][^()\u4e00-\u9fff]*)\)")


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def assert_no_gloss(page: str) -> None:
    text = visible_text(page)
    assert not GLOSS.search(text), GLOSS.search(text).group(0)
    for english in ("nothing was stored", "(required)", "Expected `"):
        assert english not in text, english


@pytest.mark.parametrize(
    "text, zh, en",
    [
        ("必填 (required)", "必填", "required"),
        (
            "请求中有无效字段，未保存 (the request has invalid fields; nothing was stored)",
            "请求中有无效字段，未保存",
            "the request has invalid fields; nothing was stored",
        ),
        (
            "最多5个附件 (at most 5 attachments); nothing was stored",
            "最多5个附件",
            "at most 5 attachments; nothing was stored",
        ),
        (
            "通过登记的住所（经营场所）无法联系",
            "通过登记的住所（经营场所）无法联系",
            "通过登记的住所（经营场所）无法联系",
        ),
        ("依据第三条(一)处理", "依据第三条(一)处理", "依据第三条(一)处理"),
        ("号码无效 (bad number (check digit))", "号码无效", "bad number (check digit)"),
        ("代码为空 (empty)；日期有误 (bad date)", "代码为空；日期有误", "empty; bad date"),
        ("plain English", "plain English", "plain English"),
    ],
)
def test_split_bilingual_messages(text: str, zh: str, en: str) -> None:
    assert split(text) == (zh, en)
    assert localize(text, "zh") == zh and localize(text, "en") == en


def test_parser_messages_become_plain_ones() -> None:
    assert parser_message("Expected `int | null`, got `str`") == "应为整数 (must be a whole number)"
    assert parser_message("Expected `date`, got `str`") == "日期格式应为 YYYY-MM-DD (must be a date YYYY-MM-DD)"
    assert parser_message("应为整数 (must be a whole number)") is None
    assert parser_message("something else entirely") is None


async def test_a_failed_complaint_shows_chinese_only_and_names_each_field(client) -> None:
    await add_departments()
    fields = form_fields(body(make_uscc()))
    fields["contact_phone"] = "12"
    fields["description"] = ""
    photo = [("attachments", ("现场.jpg", jpg(), "image/jpeg"))]
    r = await client.post("/complaints/new", data=fields, files=photo)
    assert r.status_code == 422, r.text[:300]
    assert_no_gloss(r.text)
    summary = r.text.split('id="form-problem"', 1)[1].split("</div>", 1)[0]
    assert 'href="#f-contact_phone">联系电话：' in summary
    assert 'href="#f-description">经过：' in summary
    assert "autofocus" in r.text.split('id="form-problem"', 1)[0].rsplit("<div", 1)[1]
    en = await client.post("/complaints/new?lang=en", data=fields, files=photo)
    assert en.status_code == 422
    en_summary = en.text.split('id="form-problem"', 1)[1].split("</div>", 1)[0]
    assert "Contact phone" in en_summary and not re.search(r"[\u4e00-\u9fff]", visible_text(en_summary))


async def test_a_bad_query_parameter_page_is_in_the_pages_language(client) -> None:
    r = await client.get("/search", params={"q": "药", "year": "abc"})
    assert r.status_code == 422
    assert_no_gloss(r.text)
    assert "应为整数" in visible_text(r.text)
    en = await client.get("/search", params={"q": "药", "year": "abc", "lang": "en"})
    assert "must be a whole number" in visible_text(en.text)


async def test_the_systems_note_on_the_tracking_page_is_in_the_pages_language(client) -> None:
    from tests.test_complaints_portal import file_via_form

    await add_departments()
    number, code, _r = await file_via_form(client)
    zh = await client.post("/complaints/track", data={"number": number, "lookup_code": code})
    assert "投诉已收到，等待核查" in visible_text(zh.text)
    assert_no_gloss(zh.text)
    en = await client.post("/complaints/track?lang=en", data={"number": number, "lookup_code": code})
    assert "complaint received; awaiting review" in visible_text(en.text)


async def test_english_result_and_entity_pages_show_category_labels(client) -> None:
    from tests.portal_helpers import seed

    s = await seed(client)
    rid = s.result_ids[0]  # X05 发现问题已责令改正
    for path in (f"/results/{rid}", f"/entities/{s.uscc}"):
        en = visible_text((await client.get(path, params={"lang": "en"})).text)
        assert "Problem found, ordered to correct" in en, path
        zh = visible_text((await client.get(path)).text)
        assert "发现问题已责令改正" in zh, path
    api = (await client.get(f"/api/v1/results/{rid}")).json()
    assert api["categories"][0]["label"] == "发现问题已责令改正"
    assert api["categories"][0]["label_en"] == "Problem found, ordered to correct"


async def test_a_withdrawn_records_page_says_why_in_the_pages_language(client) -> None:
    from tests.portal_helpers import seed, withdraw_result

    s = await seed(client)
    await withdraw_result(s.withdrawn_result)
    zh = await client.get(f"/results/{s.withdrawn_result}")
    assert zh.status_code == 410
    assert_no_gloss(zh.text)
    assert "该检查结果已停止公示：信用修复后停止公示" in visible_text(zh.text)
    en = await client.get(f"/results/{s.withdrawn_result}", params={"lang": "en"})
    assert f"record {s.withdrawn_result} is no longer public: publicity stopped after credit repair" in visible_text(
        en.text
    )
