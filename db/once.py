"""Forms carried out once: the form_submission row of a one-time form key, written in the same
transaction as what the form stored (backoffice/once.py is the mechanism the pages use)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from db import changes
from db.tables import FormSubmission
from db.tx import write_transaction


async def submission(key: str) -> dict[str, Any] | None:
    """The row of a form key already carried out, or None."""
    row: dict[str, Any] | None = await FormSubmission.select().where(FormSubmission.key == key).first()
    return row


def ids_of(row: dict[str, Any]) -> list[int]:
    return [int(i) for i in str(row["object_ids"] or "").split(",") if i]


async def run_once(
    key: str, actor: Any, object_type: str, store: Callable[[], Awaitable[list[int]]]
) -> tuple[dict[str, Any], bool]:
    """Carry out `store` (a use case storing records and returning their ids) for the form key
    `key` at most once: in one write transaction, look for the key, else run `store` and write the
    key's row. Returns (the key's row, whether it was already there). A second post of the same
    form — also one racing the first (the unique key makes the later transaction fail; it then
    finds the first one's row) — stores nothing and gets the first outcome. Whatever `store`
    raises (a validation error) rolls everything back, the key stays unused."""
    try:
        async with write_transaction():
            row = await submission(key)
            if row is not None:
                return row, True
            ids = await store()
            new = {
                "key": key,
                "actor": actor.username,
                "object_type": object_type,
                "object_ids": ",".join(str(i) for i in ids),
                "at": changes.now(),
            }
            await FormSubmission.insert(FormSubmission(**new))
            return new, False
    except Exception:
        # A post racing the first fails on a unique key — the form key's, or first the records'
        # own (the use case then answers 409 "已发布过") — once the first has committed: if the key
        # is carried out now, this post gets the first one's outcome; anything else stands.
        row = await submission(key)
        if row is None:
            raise
        return row, True
