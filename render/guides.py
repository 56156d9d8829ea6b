"""Render a compliance guide version (一业一册) to HTML (Jinja2) and PDF (fpdf2).

Pure functions from the guide's fields to bytes: no database, no web. The PDF embeds a
subset of a CJK TrueType font found on the machine (Debian's fonts-wqy-zenhei or
fonts-noto-cjk; `PDF_FONT` in the settings names another one). Output is reproducible:
the same content gives the same bytes, so the sha256 of a version's files is stable.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from render.linebreak import break_lines

TEMPLATES = Path(__file__).parent / "templates"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
FOOTER = "本指南依据现行法律法规和监管部门公开文件编写，仅供经营主体自查参考；以法律法规原文为准。"


class FontMissing(RuntimeError):
    """No CJK font: install fonts-wqy-zenhei (apt) or set PDF_FONT to a .ttf/.ttc file."""


@dataclass(frozen=True)
class GuideContent:
    industry_code: str
    industry_name: str
    title: str
    version: str
    effective_on: dt.date
    summary: str
    sections: list[dict[str, str]]
    issuer: str = ""  # the publishing department's full name, for the cover


def blocks(body: str) -> list[dict[str, Any]]:
    """Split a section body into paragraphs and bullet lists ('- ' lines)."""
    out: list[dict[str, Any]] = []
    for para in [p for p in body.replace("\r\n", "\n").split("\n\n") if p.strip()]:
        lines = [ln.strip() for ln in para.split("\n") if ln.strip()]
        bullets = [ln[2:].strip() for ln in lines if ln.startswith(("- ", "• "))]
        if bullets and len(bullets) == len(lines):
            out.append({"kind": "list", "lines": bullets})
        else:
            out.append({"kind": "para", "lines": lines})
    return out


def render_html(g: GuideContent) -> bytes:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    html = env.get_template("guide.html").render(
        title=g.title,
        version=g.version,
        industry_name=g.industry_name,
        industry_code=g.industry_code,
        effective_on=g.effective_on.isoformat(),
        summary=g.summary,
        issuer=g.issuer,
        footer=FOOTER,
        sections=[{"heading": s["heading"], "blocks": blocks(s["body"])} for s in g.sections],
    )
    return html.encode("utf-8")


def find_font(configured: str = "") -> str:
    for candidate in ([configured] if configured else []) + list(FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return candidate
    raise FontMissing(
        "没有可用的中文字体，无法生成PDF (no CJK font for the PDF: apt-get install fonts-wqy-zenhei, "
        "or set PDF_FONT to a .ttf/.ttc file)"
    )


def render_pdf(g: GuideContent, font_path: str = "") -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    font = find_font(font_path)
    # fontTools reports every table it drops while subsetting (e.g. BDF bitmaps): not our concern.
    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)
    pdf = FPDF(format="A4")
    pdf.set_title(f"{g.title}（{g.version}）")
    pdf.set_subject(g.industry_name)
    pdf.set_creator("gongshi")
    # Fixed creation date (the effective date) keeps the bytes reproducible.
    pdf.set_creation_date(dt.datetime.combine(g.effective_on, dt.time(0, 0), dt.UTC))
    pdf.add_font("cjk", "", font)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    width = pdf.epw

    def write(text: str, size: float, gap: float = 2.0, first: str = "", indent: float = 0.0) -> None:
        """Lines broken by the Chinese rules (render.linebreak); `first` (a list marker) hangs in
        the margin of the first line and the other lines align with the text after it."""
        pdf.set_font("cjk", size=size)
        h = size * 0.55
        lead = pdf.get_string_width(first) if first else 0.0
        lines = break_lines(text, width - indent - lead, pdf.get_string_width)
        for i, line in enumerate(lines):
            pdf.set_x(pdf.l_margin + indent)
            if first and i == 0:
                pdf.cell(lead, h, first)
            else:
                pdf.set_x(pdf.l_margin + indent + lead)
            pdf.cell(width - indent - lead, h, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(gap)

    write(g.title, 18, 3)
    if g.issuer:
        write(g.issuer, 11, 1.5)
    write(f"自 {g.effective_on.isoformat()} 起施行  版本 {g.version}", 10, 1.5)
    write(f"行业：{g.industry_name}（{g.industry_code}）", 9, 4)
    if g.summary:
        write(g.summary, 11, 5)
    bullet = "· "  # U+00B7: the CJK fonts have it (not U+2022)
    for n, s in enumerate(g.sections, start=1):
        write(s["heading"], 14, 2, first=f"{n}. ")
        for b in blocks(s["body"]):
            if b["kind"] == "list":
                for line in b["lines"]:
                    write(line, 10.5, 0.8, first=bullet, indent=4)
                pdf.ln(1.5)
            else:
                write("".join(b["lines"]), 10.5, 2)
        pdf.ln(2)
    write(FOOTER, 8, 0)
    return bytes(pdf.output())


def content_from(guide: dict[str, Any], version: dict[str, Any], issuer: str = "") -> GuideContent:
    return GuideContent(
        issuer=issuer,
        industry_code=guide["industry_code"],
        industry_name=guide["industry_name"],
        title=version["title"],
        version=version["version"],
        effective_on=version["effective_on"],
        summary=version["summary"],
        sections=version["sections"],
    )
