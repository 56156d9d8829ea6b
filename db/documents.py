"""Queries over policy documents (政策文件): plans, work points, implementation rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from db import changes
from db.tables import Document
from db.tx import write_transaction

# Columns for lists: everything but the (long) body.
LIST_COLUMNS = (
    Document.id,
    Document.title,
    Document.issuer,
    Document.doc_number,
    Document.issued_on,
    Document.issued_year,
    Document.region_code,
    Document.region_name,
    Document.source,
    Document.department_code,
    Document.disclosure,
    Document.published_on,
)


@dataclass
class DocumentFilter:
    region_range: tuple[str, str] | None = None  # half-open range of region codes
    year: int | None = None  # issued_year
    public_only: bool = True


def _conditions(f: DocumentFilter) -> list[Any]:
    conds: list[Any] = []
    if f.public_only:
        conds.append(Document.disclosure == "public")
    if f.region_range:
        conds.append((Document.region_code >= f.region_range[0]) & (Document.region_code < f.region_range[1]))
    if f.year is not None:
        conds.append(Document.issued_year == f.year)
    return conds


async def list_documents(f: DocumentFilter, after_id: int | None, limit: int, with_body: bool = False) -> list[dict]:
    """Document rows, newest id first; the body only when asked for."""
    cols = () if with_body else LIST_COLUMNS
    q = Document.select(*cols).order_by(Document.id, ascending=False).limit(limit)
    for c in _conditions(f):
        q = q.where(c)
    if after_id is not None:
        q = q.where(Document.id < after_id)
    return await q


async def count_documents(f: DocumentFilter) -> int:
    q = Document.count()
    for c in _conditions(f):
        q = q.where(c)
    return await q


async def get_document(document_id: int) -> dict | None:
    """The document row with its body (any disclosure state), or None."""
    return await Document.select().where(Document.id == document_id).first()


async def find_by_title(title: str, issuer: str) -> dict | None:
    """A document already published under this title by this issuer (demo loads are idempotent)."""
    return await Document.select(Document.id).where((Document.title == title) & (Document.issuer == issuer)).first()


async def insert_document(doc: dict[str, Any], actor: Any) -> int:
    """Publish a policy document, audited and change-logged in one transaction. Keys: title,
    issuer, doc_number, issued_on, issued_year, region_code, region_name, body, source,
    department_code, published_on."""
    async with write_transaction():
        rows = await Document.insert(Document(**doc, disclosure="public")).returning(Document.id)
        doc_id = rows[0]["id"]
        await changes.audit(actor, "publish", "document", doc_id)
        await changes.public_change("document", [doc_id], "published")
    return doc_id
