"""The entity register as masking reads it (domain.masking.mask_by_register)."""

from __future__ import annotations

from db.tables import Entity

CHUNK = 400  # USCCs per query: under SQLite's bound-parameter limit


async def register_of(usccs: list[str]) -> dict[str, tuple[str, str]]:
    """uscc → (kind, operator name) for the USCCs the register knows."""
    out: dict[str, tuple[str, str]] = {}
    for i in range(0, len(usccs), CHUNK):
        rows = await Entity.select(Entity.uscc, Entity.kind, Entity.operator_name).where(
            Entity.uscc.is_in(usccs[i : i + CHUNK])
        )
        out.update((r["uscc"], (r["kind"], r["operator_name"])) for r in rows)
    return out
