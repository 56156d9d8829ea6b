"""Line breaking for Chinese text (禁则处理), as 《中文排版需求》 (W3C, clreq §3.1.7) describes:
a line never begins with closing punctuation or an ideographic stop (。，、；：？！）」》 …) and never
ends with opening punctuation (（「《 …). When a break would violate that, the character before the
break moves to the next line with it (推入), so lines stay within the width; a run of Latin letters
or digits is not split while it fits on one line."""

from __future__ import annotations

from collections.abc import Callable

# 行首禁则: may not start a line.
NO_LINE_START = frozenset("。，、；：？！）」』》〉】〕〗〙〛”’…—～·．,.;:?!)]}%‰℃" + "ー々〻ゝゞ")
# 行末禁则: may not end a line.
NO_LINE_END = frozenset("（「『《〈【〔〖〘〚“‘([{$￥")


def _is_word(c: str) -> bool:
    return c.isascii() and (c.isalnum() or c in "-_/@#&+*'")


def break_lines(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Lines of `text` no wider than `width` (by `measure`), following the rules above. Explicit
    newlines are kept."""
    out: list[str] = []
    for paragraph in text.split("\n"):
        out += _break(paragraph, width, measure)
    return out


def _break(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    lines: list[str] = []
    line = ""
    for c in text:
        if not line or measure(line + c) <= width:
            line += c
            continue
        # `c` does not fit: find where to cut so that neither side breaks a rule.
        cut = len(line)
        head, tail = line, c
        while cut > 1 and (
            tail[0] in NO_LINE_START or head[-1] in NO_LINE_END or (_is_word(head[-1]) and _is_word(tail[0]))
        ):
            cut -= 1
            head, tail = line[:cut], line[cut:] + c
        if cut <= 1 and (tail[0] in NO_LINE_START or head[-1] in NO_LINE_END):
            head, tail = line, c  # nothing can move (a line of punctuation): break anyway
        if _is_word(head[-1]) and _is_word(tail[0]) and cut <= 1:
            head, tail = line, c  # a word longer than the line: split it
        lines.append(head)
        line = tail
    if line or not lines:
        lines.append(line)
    return lines
