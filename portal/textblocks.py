"""Guide section bodies as blocks (domain.guides: blank lines separate paragraphs, lines starting
with "- " are list items). Returns plain text pieces; the template escapes and wraps them."""

from __future__ import annotations


def blocks(body: str) -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    for chunk in body.replace("\r\n", "\n").split("\n\n"):
        lines = [ln.strip() for ln in chunk.split("\n") if ln.strip()]
        para: list[str] = []
        items: list[str] = []
        for ln in lines:
            if ln.startswith("- "):
                if para:
                    out.append(("p", "\n".join(para)))
                    para = []
                items.append(ln[2:].strip())
            else:
                if items:
                    out.append(("ul", items))
                    items = []
                para.append(ln)
        if para:
            out.append(("p", "\n".join(para)))
        if items:
            out.append(("ul", items))
    return out
