"""Messages from the rules and the parsers, shown in the page's language.

The domain's messages are written once, bilingual, as "中文 (English gloss)" (the API returns them
whole: its clients read both). A page shows one language: the Chinese part on Chinese pages, the
gloss on English pages. A parenthesis counts as a gloss only when it follows Chinese text and holds
no Chinese itself, so "（经营场所）" or "第三条(一)" inside a message stay as they are. Messages that
the web framework's parsers write (msgspec, Litestar) are English-only and technical; they are
replaced by a plain message in the page's language.
"""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")


def _gloss_at(text: str) -> tuple[int, int] | None:
    """(start of " (", index after the matching ")") of the first English gloss, if any."""
    i = 0
    while True:
        i = text.find("(", i)
        if i == -1:
            return None
        if not _CJK.search(text[:i]):
            i += 1
            continue
        depth, j = 0, i
        while j < len(text):
            if text[j] == "(":
                depth += 1
            elif text[j] == ")":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        if depth == 0 and not _CJK.search(text[i : j + 1]):
            return i, j + 1
        i += 1


def split(text: str) -> tuple[str, str]:
    """("中文", "English") of a bilingual message; a message without a gloss is both."""
    at = _gloss_at(text)
    if at is None:
        return text, text
    start, end = at
    zh_head, en_head = text[:start].rstrip(), text[start + 1 : end - 1].strip()
    rest = text[end:]
    if not rest.strip():
        return zh_head, en_head
    if _CJK.search(rest):  # another bilingual part follows ("…; 中文2 (English 2)")
        zh_rest, en_rest = split(rest)
        return zh_head + zh_rest, en_head + "; " + en_rest.lstrip("；;，,。 ")
    return zh_head, en_head + rest  # an English tail ("…; nothing was stored") belongs to the gloss


def localize(text: str, lang: str) -> str:
    zh, en = split(text)
    return en if lang == "en" else zh


# The parsers' own wording → what a person is told (Chinese, English).
_PARSER = (
    (re.compile(r"^Expected `(int|integer)[^`]*`"), ("应为整数", "must be a whole number")),
    (re.compile(r"^Expected `(float|number)[^`]*`"), ("应为数字", "must be a number")),
    (re.compile(r"^Expected `(bool)[^`]*`"), ("应为是或否", "must be yes or no")),
    (
        re.compile(r"^Expected `(date)[^`]*`|Invalid (RFC 3339 encoded )?date"),
        ("日期格式应为 YYYY-MM-DD", "must be a date YYYY-MM-DD"),
    ),
    (re.compile(r"^Expected `str[^`]*` of length <= (\d+)"), ("内容过长", "is too long")),
    (re.compile(r"^Expected `[^`]*` >= "), ("数值过小", "is too small")),
    (re.compile(r"^Expected `[^`]*` <= "), ("数值过大", "is too large")),
    (re.compile(r"^Missing required|^Object missing required field|field required", re.I), ("必填", "is required")),
    (re.compile(r"^Expected `|^Invalid enum value|^Invalid value", re.I), ("格式不正确", "has the wrong format")),
)


def parser_message(message: str) -> str | None:
    """The bilingual message for a parser's English-only one, or None when it is not one."""
    if _CJK.search(message):
        return None
    for pattern, (zh, en) in _PARSER:
        if pattern.search(message):
            return f"{zh} ({en})"
    return None
