"""Chinese-aware text handling shared by every backend: folding, bigram tokens, query phrases, snippets.

Chinese has no spaces, so CJK text is indexed as overlapping character bigrams. For a run of
CJK characters c1..cn the token stream is c1c2, c2c3, …, c(n-1)cn, cn: every character starts
exactly one token (the last one of a run stands alone). Latin words and numbers are whole tokens.
A query term is tokenized the same way and matched as a phrase, so it finds every record that
contains it as a substring (punctuation between pieces is ignored on both sides):

* a run in the middle of the term is bounded on both sides, so its tokens are the document's;
* the first run may be preceded by more CJK in the document: its tokens are a suffix of the
  document's run, which lines up because each run ends with the lone last character;
* the last run may be followed by more CJK: only its bigrams are used, and a one-character last
  run becomes the prefix query `c*` (any token starting with c: every occurrence of c starts one).

Folding makes traditional and simplified characters, full-width and half-width forms, and
upper and lower case equal: NFKC, then casefold, then OpenCC's traditional → simplified
character table. It is per character, so highlights can be mapped back to the original text.
"""

from __future__ import annotations

import functools
import html
import operator
import re
import unicodedata
from dataclasses import dataclass

_CJK = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# A CJK run, or a run of other letters/digits (no underscore: FTS5's unicode61 splits on it).
_PIECE = re.compile(f"([{_CJK}]+)|([^\\W_{_CJK}]+)")
_CJK_RUN = re.compile(f"[{_CJK}]+")
# Everything that is in no piece: not CJK, and not a letter or digit (\w less "_").
_NOT_PIECE = re.compile(f"(?:[^\\w{_CJK}]|_)+")
_SPACE = re.compile(r"\s+")
# Whitespace between two CJK characters is a line break or PDF spacing (实 施 方 案), not a word
# boundary: Chinese does not separate words. It is dropped before tokenizing documents.
_CJK_GAP = re.compile(f"(?<=[{_CJK}])\\s+(?=[{_CJK}])")

# Queries are cut to this many characters and terms: enough for any real name, title or
# document number; a pasted page of text must not turn into a thousand-token phrase.
MAX_QUERY_CHARS = 200
MAX_TERMS = 12


@functools.lru_cache(maxsize=1)
def _t2s_table() -> dict[int, str]:
    """OpenCC's traditional → simplified character table, as a str.translate table.

    Only one-to-one character mappings are used, so folding never changes positions.
    """
    import os

    import opencc

    path = os.path.join(os.path.dirname(opencc.__file__), "dictionary", "TSCharacters.txt")
    table: dict[int, str] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 2 or len(parts[0]) != 1:
                continue
            target = parts[1].split(" ")[0]
            if len(target) == 1 and target != parts[0]:
                table[ord(parts[0])] = target
    return table


def fold(text: str) -> str:
    """NFKC (full-width → half-width), casefold, traditional → simplified."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKC", text).casefold()
    # Most text has no traditional character: a set test is cheaper than translating.
    return text if _traditional().isdisjoint(text) else text.translate(_t2s_table())


@functools.lru_cache(maxsize=1)
def _traditional() -> frozenset[str]:
    return frozenset(chr(k) for k in _t2s_table())


def fold_char(ch: str) -> str:
    return fold(ch)


def _gapless(folded: str) -> str:
    # Only text with whitespace can have a CJK gap: a space, or a character str.isprintable()
    # rejects (every other whitespace character). Most titles and fields have none.
    return _CJK_GAP.sub("", folded) if " " in folded or not folded.isprintable() else folded


def analyse(text: str) -> tuple[str, str]:
    """(token stream for the index, space-separated; exact key: the folded pieces joined)."""
    s = _gapless(fold(text))
    if len(s) > 1 and _CJK_RUN.fullmatch(s):
        # The commonest case (a company name, a department): one CJK run.
        return " ".join(map(operator.add, s, s[1:])) + " " + s[-1], s
    out: list[str] = []
    key: list[str] = []
    # findall + map keep the per-character work in C: this runs for every indexed field.
    for run, word in _PIECE.findall(s):
        if word:
            out.append(word)
            key.append(word)
        else:
            key.append(run)
            if len(run) == 1:
                out.append(run)
            else:
                out.append(" ".join(map(operator.add, run, run[1:])))
                out.append(run[-1])
    return " ".join(out), "".join(key)


_cached_tokens = functools.lru_cache(maxsize=65536)(lambda text: analyse(text)[0])
FIELD_SEP = " · "


def analyse_fields(text: str) -> str:
    """Token stream of text made of FIELD_SEP-joined fields (search.documents builds bodies so).

    Equal to analyse(text)[0] (the separator is punctuation, so no token spans it), but each
    field is tokenized once per process: department names, category labels and the like repeat
    across a million results, which makes rebuilding the index several times faster.
    """
    return " ".join(filter(None, map(_cached_tokens, text.split(FIELD_SEP))))


def index_tokens(text: str) -> str:
    """The token stream stored in the full-text index for `text` (space-separated)."""
    return analyse(text)[0]


@dataclass(frozen=True)
class Phrase:
    """One query term as tokens; `prefix` means the last token matches as a prefix."""

    tokens: tuple[str, ...]
    prefix: bool
    pieces: tuple[str, ...]  # folded pieces, for highlighting

    def fts5(self) -> str:
        # Tokens are letters, digits and CJK only, so quoting them can never produce syntax.
        return '"' + " ".join(self.tokens) + '"' + ("*" if self.prefix else "")


def _term_phrase(term: str) -> Phrase | None:
    pieces = [(m.group(1), m.group(2)) for m in _PIECE.finditer(term)]
    if not pieces:
        return None
    tokens: list[str] = []
    prefix = False
    last = len(pieces) - 1
    for i, (run, word) in enumerate(pieces):
        if run is None:
            tokens.append(word)
        elif i < last:
            tokens.extend([run[j : j + 2] for j in range(len(run) - 1)])
            tokens.append(run[-1])
        elif len(run) == 1:
            tokens.append(run)
            prefix = True
        else:
            tokens.extend([run[j : j + 2] for j in range(len(run) - 1)])
    return Phrase(tuple(tokens), prefix, tuple(r or w for r, w in pieces))


def normalise_query(raw: str) -> str:
    """Fold and trim what the user typed; whitespace separates terms."""
    return _SPACE.sub(" ", fold(raw or "")).strip()[:MAX_QUERY_CHARS]


def query_phrases(raw: str) -> list[Phrase]:
    """Every whitespace-separated term that has at least one letter, digit or CJK character.

    Operators users type (quotes, *, NEAR(, OR, -, parentheses) are only text here: the
    punctuation is dropped like any other, and words such as OR become ordinary tokens.
    """
    phrases: list[Phrase] = []
    seen: set[tuple[tuple[str, ...], bool]] = set()
    for term in normalise_query(raw).split(" "):
        p = _term_phrase(term)
        if p is not None and (p.tokens, p.prefix) not in seen:
            seen.add((p.tokens, p.prefix))
            phrases.append(p)
        if len(phrases) >= MAX_TERMS:
            break
    return phrases


def fts5_match(phrases: list[Phrase]) -> str:
    return " AND ".join(p.fts5() for p in phrases)


# --- highlighting -------------------------------------------------------------------------


def _folded_with_offsets(text: str) -> tuple[str, list[int]]:
    """Folded text (without CJK-gap whitespace) and, per folded character, its original index."""
    parts: list[str] = []
    offsets: list[int] = []
    pos = 0
    for m in [*_CJK_GAP.finditer(text), None]:
        end = m.start() if m else len(text)
        seg = text[pos:end]
        folded = fold(seg)
        if len(folded) == len(seg):  # the usual case: one folded character per character
            parts.append(folded)
            offsets.extend(range(pos, end))
        else:
            for i, ch in enumerate(seg, start=pos):
                f = fold(ch)
                parts.append(f)
                offsets.extend([i] * len(f))
        if m:
            pos = m.end()
    return "".join(parts), offsets


def _spans(text: str, phrases: list[Phrase]) -> list[tuple[int, int]]:
    """Original-text spans of every occurrence of every query piece, merged."""
    folded, offsets = _folded_with_offsets(text)
    spans: list[tuple[int, int]] = []
    for p in phrases:
        for piece in p.pieces:
            start = folded.find(piece)
            while start != -1:
                end = start + len(piece)
                spans.append((offsets[start], offsets[end - 1] + 1))
                start = folded.find(piece, end)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def highlight(text: str, phrases: list[Phrase], width: int = 80) -> str:
    """HTML-escaped excerpt of `text` around the first match, with <mark> around matches.

    Stored text is never trusted as HTML: everything is escaped, only our <mark> is markup.
    """
    text = _SPACE.sub(" ", text).strip()
    cut_before = cut_after = False
    if len(text) > 4 * width and phrases:
        # Long text (a policy document): cut a window around the first match before the
        # character-by-character work. fold() keeps positions when it keeps the length.
        folded = fold(text)
        if len(folded) == len(text):
            found = [i for i in (folded.find(p.pieces[0]) for p in phrases) if i >= 0]
            first = min(found) if found else 0
            lo, hi = max(0, first - width), first + 2 * width
            cut_before, cut_after = lo > 0, hi < len(text)
            text = text[lo:hi]
    spans = _spans(text, phrases) if phrases else []
    if spans:
        first = spans[0][0]
        start = max(0, first - width // 4)
    else:
        start = 0
    end = min(len(text), start + width)
    if end - start < width:
        start = max(0, end - width)
    out: list[str] = ["…" if start > 0 or cut_before else ""]
    pos = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(html.escape(text[pos:s]))
        out.append("<mark>" + html.escape(text[s:e]) + "</mark>")
        pos = e
    out.append(html.escape(text[pos:end]))
    if end < len(text) or cut_after:
        out.append("…")
    return "".join(out)


def contains_all(text: str, phrases: list[Phrase]) -> bool:
    """Whether every phrase's pieces occur in `text` (used to tell title hits from body hits)."""
    folded = fold(text)
    return all(all(piece in folded for piece in p.pieces) for p in phrases)


def exact_key(text: str) -> str:
    """Folded letters, digits and CJK only: 鲁双随机办〔２０２４〕３号 and 鲁双随机办[2024]3号 agree.

    The same as analyse(text)[1] (the pieces joined), without making the tokens.
    """
    return _NOT_PIECE.sub("", fold(text))


def snippet(title: str, body: str, phrases: list[Phrase], width: int = 80) -> str:
    """The body around its first match; if only the title matched, the title leads the excerpt."""
    if phrases and not _spans(body, phrases) and _spans(title, phrases):
        return highlight(f"{title}　{body}", phrases, width)
    return highlight(body or title, phrases, width)
