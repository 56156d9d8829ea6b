"""A policy document's text laid out as a document (display only: the stored text is never
changed, and `/documents/{id}/original.txt` serves it as stored).

Text extracted from a PDF arrives one printed line at a time, often with blank lines between
them. Lines are joined into paragraphs again: a paragraph ends where a line ends with sentence
punctuation and is shorter than a full printed line, or where the next line begins a numbered
part. Headings are the parts numbered 一、 (level 2) and short （一） / 第…条 lines (level 3); the
抄送 block, the 附件 list and the closing 印发 line are set apart, as 《党政机关公文格式》
(GB/T 9704-2012) places them. Spaces that PDF extraction puts between Chinese characters
(实 施 方 案) are dropped for display, as search does."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

H2 = re.compile(r"^[一二三四五六七八九十百]+、")
H3 = re.compile(r"^[（(][一二三四五六七八九十百]+[）)]|^第[一二三四五六七八九十百零]+[章节条]")
NUMBERED = re.compile(
    r"^(?:[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十百]+[）)]|第[一二三四五六七八九十百零]+[章节条]|\d+[.、．])"
)
ENDS = tuple('。.！!？?；;：:」”"）)')
MD_HEADING = re.compile(r"^#{1,6}\s+")
CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])[ \u3000]+(?=[\u3400-\u9fff])")


@dataclass(frozen=True)
class Block:
    kind: str  # head (the lines above the text) | h2 | h3 | p | cc (抄送) | attachment (附件) | closing (印发)
    text: str
    anchor: str = ""


def _full_width(lines: list[str]) -> int:
    """The length of a full printed line when the text was extracted from print (the commonest
    length among the longer lines, shared by many of them); 0 when each line is a paragraph."""
    longer = [len(ln) for ln in lines if len(ln) >= 12]
    if not longer:
        return 0
    length, count = Counter(longer).most_common(1)[0]
    return length if count >= 0.25 * len(longer) else 0


def structure(body: str) -> list[Block]:
    # Markdown heading marks (a document converted through Markdown) and the spaces between
    # Chinese characters are dropped for display.
    lines = [CJK_GAP.sub("", MD_HEADING.sub("", ln.strip())) for ln in body.replace("\r\n", "\n").split("\n")]
    lines = [ln for ln in lines if ln]
    full = _full_width(lines)
    blocks: list[Block] = []
    para: list[str] = []
    n2 = 0

    def flush() -> None:
        nonlocal para
        if para:
            blocks.append(Block("p", "".join(para)))
            para = []

    for i, ln in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if ln.startswith("抄送"):
            flush()
            blocks.append(Block("cc", ln))
            continue
        if blocks and blocks[-1].kind == "cc" and not para and not NUMBERED.match(ln) and "印发" not in ln:
            blocks[-1] = Block("cc", blocks[-1].text + ln)  # the 抄送 list runs on over lines
            continue
        if ln.endswith("印发") or re.search(r"\d{4}年\d{1,2}月\d{1,2}日印发$", ln):
            flush()
            blocks.append(Block("closing", ln))
            continue
        if re.match(r"^附件[:：\d１-９]", ln) or ln == "附件":
            flush()
            blocks.append(Block("attachment", ln))
            continue
        short = len(ln) <= 30 and not any(p in ln[:-1] for p in "。；;")
        if H2.match(ln) and short and not para:
            n2 += 1
            blocks.append(Block("h2", ln, f"part-{n2}"))
            continue
        if H3.match(ln) and short and len(ln) <= 24 and not ln.endswith(ENDS[:2]):
            flush()
            blocks.append(Block("h3", ln))
            continue
        if NUMBERED.match(ln):
            flush()
        ends_sentence = ln.endswith(ENDS)
        if (
            not n2
            and not para
            and not ends_sentence
            and (not full or len(ln) < full - 3)
            and not any(p in ln for p in "，,。；")
        ):
            blocks.append(Block("head", ln))  # a title or masthead line above the text
            continue
        para.append(ln)
        if not full or (ends_sentence and len(ln) < full - 1) or NUMBERED.match(nxt) or not nxt:
            flush()
    flush()
    return blocks


def contents(blocks: list[Block], at_least: int = 3) -> list[Block]:
    """The level-2 headings, for a table of contents when a document has enough of them."""
    heads = [b for b in blocks if b.kind == "h2"]
    return heads if len(heads) >= at_least else []
