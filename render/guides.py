"""Render a compliance guide version (一业一册) to HTML (Jinja2) and PDF (fpdf2).

Pure functions from the guide's fields to bytes: no database, no web. The PDF embeds a
subset of a CJK TrueType font found on the machine (Debian's fonts-wqy-zenhei or
fonts-noto-cjk; `PDF_FONT` in the settings names another one). Output is reproducible:
the same content gives the same bytes, so the sha256 of a version's files is stable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from render.pdf import Document, FontMissing, find_font

__all__ = ["FontMissing", "GuideContent", "find_font", "render_html", "render_pdf"]

TEMPLATES = Path(__file__).parent / "templates"
FOOTER = "本指南依据现行法律法规和监管部门公开文件编写，仅供经营主体自查参考；以法律法规原文为准。"


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


def render_pdf(g: GuideContent, font_path: str = "") -> bytes:
    # Fixed creation date (the effective date) keeps the bytes reproducible.
    doc = Document(
        f"{g.title}（{g.version}）",
        g.industry_name,
        dt.datetime.combine(g.effective_on, dt.time(0, 0), dt.UTC),
        font_path,
    )
    write = doc.write
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
                doc.ln(1.5)
            else:
                write("".join(b["lines"]), 10.5, 2)
        doc.ln(2)
    write(FOOTER, 8, 0)
    return doc.output()


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
