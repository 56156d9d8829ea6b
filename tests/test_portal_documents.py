"""Policy documents read like documents: paragraphs rebuilt from the extracted lines, numbered
parts as headings with a table of contents, the 抄送 block and the 印发 line set apart, the
metadata in a table, and the original downloadable exactly as stored."""

from __future__ import annotations

from pathlib import Path

from portal.doctext import contents, structure
from tests.portal_helpers import officer_headers

SEEDS = Path(__file__).resolve().parent.parent / "demo_data" / "seeds"


def test_lines_become_paragraphs_and_parts_headings() -> None:
    body = (SEEDS / "liaocheng-2025-enterprise-inspection-rules.txt").read_text(encoding="utf-8")
    blocks = structure(body)
    kinds = [b.kind for b in blocks]
    assert kinds[:3] == ["head", "head", "head"]  # masthead, document number, issuer
    assert [b.text[:2] for b in contents(blocks)] == ["一、", "二、", "三、", "四、", "五、", "六、"]
    assert any(b.kind == "cc" and b.text.startswith("抄送") and b.text.endswith("市检察院.") for b in blocks)
    assert blocks[-1].kind == "closing" and blocks[-1].text.endswith("印发")
    first = next(b for b in blocks if b.text.startswith("(一)公布涉企检查主体清单"))
    # The printed lines of one paragraph are one paragraph again, ending where the text does.
    assert first.kind == "p" and first.text.endswith("完成时间:２０２５年５月)")
    assert "实施方案的通知" in [b.text for b in blocks]  # "实 施 方 案 的 通 知" without the gaps
    # Nothing of the text is lost: every character outside whitespace is still there, in order.
    squeeze = lambda t: "".join(t.split())  # noqa: E731
    assert squeeze("".join(b.text for b in blocks)) == squeeze(body)


def test_a_one_line_per_paragraph_text_keeps_its_paragraphs() -> None:
    body = "一、总体要求\n第一段话。\n第二段话没有编号。\n（一）具体要求\n内容。"
    blocks = structure(body)
    assert [(b.kind, b.text) for b in blocks] == [
        ("h2", "一、总体要求"),
        ("p", "第一段话。"),
        ("p", "第二段话没有编号。"),
        ("h3", "（一）具体要求"),
        ("p", "内容。"),
    ]


async def test_document_page_and_original(client) -> None:
    body = (SEEDS / "liaocheng-2025-enterprise-inspection-rules.txt").read_text(encoding="utf-8")
    h = await officer_headers(client)
    doc = {
        "title": "聊城市严格规范涉企行政检查工作实施方案",
        "issuer": "聊城市人民政府办公室",
        "doc_number": "聊政办发〔2025〕3号",
        "issued_on": "2025-04-30",
        "region_code": "371500",
        "body": body,
        "source": "聊城市人民政府网站",
    }
    r = await client.post("/api/v1/admin/documents", json=doc, headers=h)
    assert r.status_code == 201, r.text
    did = r.json()["id"]
    page = (await client.get(f"/documents/{did}")).text
    meta = page.split('class="doc-meta"', 1)[1].split("</table>", 1)[0]
    assert "发文字号" in meta and "聊政办发〔2025〕3号" in meta and "来源" in meta and "聊城市人民政府网站" in meta
    assert 'class="doc-toc"' in page and 'href="#part-1"' in page and 'id="part-1"' in page
    assert 'class="doc-cc"' in page and 'class="doc-closing"' in page
    original = await client.get(f"/documents/{did}/original.txt")
    assert original.status_code == 200 and original.headers["content-type"].startswith("text/plain")
    stored = (await client.get(f"/api/v1/documents/{did}")).json()["text"]
    assert original.content.decode("utf-8") == stored and "实 施 方 案" in stored  # as stored, gaps and all
    assert "attachment" in original.headers["content-disposition"]
