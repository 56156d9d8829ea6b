"""A repair decision letter (domain.letters.Letter) as a PDF: the layout of a short official
document — issuing department, title and number centred, the addressee, the body, the remedies
for an adverse decision, the department and date at the foot. Pure: the same letter gives the
same bytes (its creation date is the issue date), with the CJK font embedded (render.pdf)."""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from pathlib import Path

from domain.letters import Letter, chinese_date
from render.pdf import Document

FOOTNOTE = "本文书由“双随机、一公开”公示门户生成；申请企业可在门户“信用修复”页面凭申请编号查阅。"
INDENT = "\u3000\u3000"  # two full-width spaces: a paragraph's first-line indent in Chinese documents


def render_letter_pdf(letter: Letter, number: str, font_path: str = "") -> bytes:
    created = dt.datetime.combine(letter.issued_on, dt.time(0, 0), dt.UTC)
    doc = Document(f"{letter.title}（{number}）", letter.department, created, font_path, margin=22)
    doc.write(letter.department, 14, 2, align="C")
    doc.write(letter.title, 18, 2, align="C")
    doc.write(number, 10.5, 6, align="C")
    doc.write(letter.addressee, 12, 2)
    for paragraph in letter.paragraphs:
        doc.write(INDENT + paragraph, 12, 2)
    if letter.remedy:
        doc.write(INDENT + letter.remedy, 12, 2)
    doc.ln(10)
    doc.write(letter.department, 12, 1, align="R")
    doc.write(chinese_date(letter.issued_on), 12, 12, align="R")
    doc.write(FOOTNOTE, 8, 0)
    return doc.output()


_SAFE = re.compile(r"[A-Za-z0-9-]+")


def letter_pdf(files_dir: str, number: str, letter: Letter, font_path: str = "") -> Path:
    """The letter's PDF under FILES_DIR/letters/, rendered the first time it is asked for (about a
    second with the font subset) and kept: a letter never changes once issued. Written to a
    temporary file and renamed, so a reader never sees half a PDF. Blocking: call it in a thread."""
    if not _SAFE.fullmatch(number):
        raise ValueError(f"not a letter number: {number!r}")
    target = Path(files_dir) / "letters" / f"{number}.pdf"
    if target.is_file():
        return target
    data = render_letter_pdf(letter, number, font_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
