"""Plan revision history as a readable diff (presentation only; the change lists themselves
are computed by domain.plans.diff_revisions when a revision is published).

Everything returned is plain text in small tagged pieces; the template escapes each piece and
wraps it in <ins>/<del>, so no markup is built from stored text here.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field


@dataclass
class ChangeLine:
    kind: str  # added / removed / changed / other
    subject: str  # e.g. 第2项（食品安全）抽查比例
    before: str = ""
    after: str = ""
    text: str = ""  # the line as stored, for kind == other / added / removed


def classify(line: str) -> ChangeLine:
    """One stored change line → its kind and parts ("X：a → b", "新增…", "删除…/移除…")."""
    if line.startswith("新增"):
        return ChangeLine("added", "", text=line)
    if line.startswith(("删除", "移除")):
        return ChangeLine("removed", "", text=line)
    head, sep, rest = line.partition("：")
    if sep and " → " in rest:
        before, _, after = rest.partition(" → ")
        return ChangeLine("changed", head, before, after)
    return ChangeLine("other", "", text=line)


@dataclass
class TextDiff:
    # (op, text) with op in equal / insert / delete
    pieces: list[tuple[str, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(op != "equal" for op, _ in self.pieces)


def text_diff(old: str, new: str, context: int = 40) -> TextDiff:
    """Character-level diff (Chinese has no spaces to split words on), with long unchanged
    stretches shortened to `context` characters on each side."""
    sm = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            seg = old[i1:i2]
            if len(seg) > 2 * context + 1:
                first = i1 == 0
                last = i2 == len(old)
                head = "" if first else seg[:context]
                tail = "" if last else seg[-context:]
                seg = (head + " … " + tail).strip() if head or tail else "…"
            out.append(("equal", seg))
            continue
        if op in ("delete", "replace"):
            out.append(("delete", old[i1:i2]))
        if op in ("insert", "replace"):
            out.append(("insert", new[j1:j2]))
    return TextDiff(out)


def revision_view(prev: dict | None, rev: dict) -> dict:
    """One entry of a plan's revision history as the public page shows it (and as the back
    office's preview shows a revision before it is published): the revision, its change lines
    classified, and the body's text diff when the body changed."""
    body = text_diff(prev["body"], rev["body"]) if prev and prev["body"] != rev["body"] else None
    return {"rev": rev, "changes": [classify(c) for c in rev.get("changes") or []], "body": body}
