"""The PDF typesetting the portal's documents share (guides, repair letters): fpdf2 with a subset
of a CJK TrueType font embedded, lines broken by the Chinese rules (render.linebreak), and
reproducible bytes (a fixed creation date given by the caller)."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from render.linebreak import break_lines

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


class FontMissing(RuntimeError):
    """No CJK font: install fonts-wqy-zenhei (apt) or set PDF_FONT to a .ttf/.ttc file."""


def find_font(configured: str = "") -> str:
    for candidate in ([configured] if configured else []) + list(FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return candidate
    raise FontMissing(
        "没有可用的中文字体，无法生成PDF (no CJK font for the PDF: apt-get install fonts-wqy-zenhei, "
        "or set PDF_FONT to a .ttf/.ttc file)"
    )


class Document:
    """An A4 document in the CJK font; `write` sets text, `output` gives the bytes."""

    def __init__(self, title: str, subject: str, created: dt.datetime, font_path: str = "", margin: float = 18) -> None:
        from fpdf import FPDF

        font = find_font(font_path)
        # fontTools reports every table it drops while subsetting (e.g. BDF bitmaps): not our concern.
        logging.getLogger("fontTools.subset").setLevel(logging.ERROR)
        self.pdf: Any = FPDF(format="A4")
        self.pdf.set_title(title)
        self.pdf.set_subject(subject)
        self.pdf.set_creator("gongshi")
        self.pdf.set_creation_date(created)  # fixed: the same content gives the same bytes
        self.pdf.add_font("cjk", "", font)
        self.pdf.set_auto_page_break(True, margin=margin)
        self.pdf.add_page()

    def write(
        self, text: str, size: float, gap: float = 2.0, first: str = "", indent: float = 0.0, align: str = "L"
    ) -> None:
        """Lines broken by the Chinese rules (render.linebreak); `first` (a list marker) hangs in
        the margin of the first line and the other lines align with the text after it; `align`
        is fpdf's (L, C, R)."""
        from fpdf.enums import XPos, YPos

        pdf = self.pdf
        width = pdf.epw
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
            pdf.cell(width - indent - lead, h, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align=align)
        pdf.ln(gap)

    def ln(self, gap: float) -> None:
        self.pdf.ln(gap)

    def output(self) -> bytes:
        return bytes(self.pdf.output())
