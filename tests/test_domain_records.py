"""Plan item validation and revision diffs, guide validation and rendering: plain functions."""

from __future__ import annotations

import datetime as dt

import pytest

from domain.errors import Collector, ValidationFailed
from domain.guides import download_filename, validate_guide
from domain.plans import diff_items, diff_revisions, validate_items, validate_revision
from domain.records import validate_document
from render.guides import GuideContent, blocks, render_html, render_pdf

TODAY = dt.date(2025, 6, 1)


def items(*raw):
    c = Collector()
    out = validate_items(list(raw), c)
    assert not c.errors, c.errors
    return out


BASE = {"code": "1", "field": "食品安全", "matters": ["进货查验"], "ratio_percent": 5}


@pytest.mark.parametrize(
    "new,expected",
    [
        ([BASE], []),
        ([dict(BASE, ratio_percent=8)], ["第1项（食品安全）抽查比例：5% → 8%"]),
        ([dict(BASE, months=[4, 5])], ["第1项（食品安全）时间安排：未规定 → 4月、5月"]),
        ([dict(BASE, joint=True)], ["第1项（食品安全）联合抽查：否 → 是"]),
        ([], ["删除第1项（食品安全）：进货查验"]),
        ([BASE, {"code": "2", "field": "特种设备", "matters": ["电梯"]}], ["新增第2项（特种设备）：电梯"]),
        (
            [dict(BASE, ratio_percent=None, ratio_by_class={"A": 3, "D": 6})],
            ["第1项（食品安全）抽查比例：5% → 未规定", "第1项（食品安全）分级抽查比例：未规定 → A类3%、D类6%"],
        ),
    ],
)
def test_diff_items(new, expected) -> None:
    old = items(BASE)
    assert diff_items(old, items(*new) if new else []) == expected


@pytest.mark.parametrize(
    "raw,field",
    [
        ({"field": "x", "matters": ["a"], "level": "国"}, "items[0].level"),
        ({"field": "x", "matters": ["a"], "months": [0]}, "items[0].months"),
        ({"field": "x", "matters": ["a"], "ratio_percent": 120}, "items[0].ratio_percent"),
        ({"field": "x", "matters": ["a"], "ratio_by_class": {"A": 0}}, "items[0].ratio_by_class"),
        ({"field": "x", "matters": "a"}, "items[0].matters"),
        ({"field": "x", "matters": ["a"], "joint": "yes"}, "items[0].joint"),
    ],
)
def test_bad_items_name_the_field(raw, field) -> None:
    c = Collector()
    validate_items([raw], c)
    assert field in [e.field for e in c.errors]


def test_revision_needs_reason_and_a_change() -> None:
    current = {"title": "T", "participating": ["甲"], "body": "b", "items": items(BASE)}
    with pytest.raises(ValidationFailed) as e:
        validate_revision({"title": "T2"}, current, TODAY)
    assert [x.field for x in e.value.errors] == ["reason"]
    with pytest.raises(ValidationFailed):
        validate_revision({"reason": "r"}, current, TODAY)
    rev = validate_revision({"reason": "r", "participating": ["甲", "乙"]}, current, TODAY)
    assert rev["changes"] == ["新增参与部门：乙"] and rev["revised_on"] == TODAY
    assert diff_revisions(current, dict(current, body="c")) == ["计划正文已修改"]


def test_document_year_only_and_guide_validation() -> None:
    doc = validate_document(
        {"title": "t", "issuer": "i", "body": "b", "region_code": "370000", "issued_year": 2025}, "370000-scjg", TODAY
    )
    assert doc["issued_on"] is None and doc["issued_year"] == 2025
    with pytest.raises(ValidationFailed) as e:
        validate_document(
            {
                "title": "t",
                "issuer": "i",
                "body": "b",
                "region_code": "370000",
                "issued_on": dt.date(2024, 1, 1),
                "issued_year": 2025,
            },
            "x",
            TODAY,
        )
    assert [x.field for x in e.value.errors] == ["issued_year"]
    with pytest.raises(ValidationFailed) as e:
        validate_guide(
            {
                "industry_code": "h62x",
                "industry_name": "",
                "version": "v 1",
                "title": "",
                "effective_on": "2025",
                "sections": [{}],
            },
            "d",
            TODAY,
        )
    assert {x.field for x in e.value.errors} >= {
        "industry_code",
        "industry_name",
        "version",
        "title",
        "effective_on",
        "sections[0].heading",
        "sections[0].body",
    }
    assert download_filename("餐饮服务", "餐饮服务 合规/指引", "2025.1", "pdf") == "餐饮服务合规指引-2025.1.pdf"


def test_render_escapes_html_and_pdf_is_reproducible() -> None:
    g = GuideContent(
        "H62",
        "餐饮服务",
        "指引<script>",
        "2025.1",
        dt.date(2025, 1, 1),
        "摘要 & 说明",
        [{"heading": "证照", "body": "段落一\n续行\n\n- 甲\n- 乙"}],
    )
    assert blocks("段落一\n续行\n\n- 甲\n- 乙") == [
        {"kind": "para", "lines": ["段落一", "续行"]},
        {"kind": "list", "lines": ["甲", "乙"]},
    ]
    html = render_html(g).decode()
    assert "<script>" not in html and "指引&lt;script&gt;" in html and "摘要 &amp; 说明" in html
    assert "<li>甲</li>" in html
    a, b = render_pdf(g), render_pdf(g)
    assert a == b and a.startswith(b"%PDF-")
