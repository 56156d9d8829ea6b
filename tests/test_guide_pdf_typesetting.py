"""Guide PDFs typeset for Chinese: no line begins with closing punctuation (禁则), list items hang
their marker, the issuing department and the effective date are on the cover. Read back with
pdftotext, as a reader's tools see it."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import subprocess
from pathlib import Path

from render.guides import GuideContent, find_font, render_pdf
from render.linebreak import NO_LINE_END, NO_LINE_START, break_lines

PUNCT = "。，、；：？！）》"


def sample_text(seed: int) -> str:
    """Sentences whose clause lengths vary, so that a plain character wrap puts punctuation at
    the start of some line whatever the line width."""
    rng = random.Random(seed)
    words = "经营者应当建立进货查验记录制度如实记录食品名称规格数量生产日期供货者名称及联系方式"
    out = []
    for _ in range(60):
        clause = "".join(rng.choice(words) for _ in range(rng.randint(3, 17)))
        out.append(clause + rng.choice(PUNCT))
    return "".join(out) + "《食品安全法》第五十三条。"


def test_break_lines_rules_on_every_width() -> None:
    text = sample_text(1)
    naive_violations = 0
    for width in range(6, 40):
        lines = break_lines(text, width, len)
        assert "".join(lines) == text
        assert all(len(line) <= width for line in lines)
        for a, b in itertools.pairwise(lines):
            assert b[0] not in NO_LINE_START, (width, a, b)
            assert a[-1] not in NO_LINE_END, (width, a, b)
        naive = [text[i : i + width] for i in range(0, len(text), width)]
        naive_violations += sum(1 for line in naive[1:] if line[0] in NO_LINE_START)
    assert naive_violations > 10  # the sample really exercises the rule


def test_a_word_is_kept_whole_and_an_overlong_one_is_split() -> None:
    assert break_lines("检查ABC123项目", 6, len) == ["检查", "ABC123", "项目"]
    assert break_lines("ABCDEFGHIJ", 4, len) == ["ABCD", "EFGH", "IJ"]


def test_pdf_lines_never_start_with_closing_punctuation(tmp_path: Path) -> None:
    find_font()  # the suite installs fonts-wqy-zenhei (scripts/test.sh)
    g = GuideContent(
        industry_code="H62",
        industry_name="餐饮业",
        title="餐饮服务经营者合规指引",
        version="2026.1",
        effective_on=dt.date(2026, 3, 1),
        summary=sample_text(2)[:300],
        sections=[
            {"heading": "进货查验", "body": sample_text(3)},
            {"heading": "常见问题", "body": "\n".join("- " + sample_text(s)[:120] for s in range(4, 9))},
        ],
        issuer="聊城市市场监督管理局",
    )
    pdf = tmp_path / "guide.pdf"
    pdf.write_bytes(render_pdf(g))
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True).stdout
    lines = [ln.strip() for ln in text.decode().splitlines() if ln.strip()]
    assert len(lines) > 40
    items = [ln for ln in lines if ln.startswith("· ")]  # the list marker, set apart from the text
    starts = [ln for ln in lines if ln[0] in NO_LINE_START and ln not in items]
    assert starts == [], starts[:5]
    head = "\n".join(lines[:4])
    assert "聊城市市场监督管理局" in head and "2026-03-01" in head
    # List items: the marker hangs, continuation lines start with text, not a marker.
    assert len(items) == 5
    assert all(ln[2] not in NO_LINE_START for ln in items)
