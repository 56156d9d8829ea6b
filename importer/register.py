"""The entity register as one import sees it, for masking (domain.masking.mask_by_register).

A million results name a few hundred thousand entities. Asking the database batch by batch
costs the writing connection seconds; for a large file the whole register is read once at the
start instead (one scan), and masking then runs beside the writing, without the connection.
"""

from __future__ import annotations

import sys
from typing import Any

from db.bulk import BulkSession
from domain.import_rows import EntityDraft
from domain.masking import mask_by_register

PRELOAD_FROM_ROWS = 100_000  # a file this large reads the whole register once …
PRELOAD_MAX_ENTITIES = 2_000_000  # … unless the register is larger (memory: ~100 bytes each)


class RegisterCache:
    """uscc → (kind, operator name): the register at the start of the import plus the entities
    this import registers."""

    def __init__(self) -> None:
        self.known: dict[str, tuple[str, str]] = {}
        self.complete = False  # True: an uscc not in `known` is not registered at all
        self._shared: dict[tuple[str, str], tuple[str, str]] = {}

    def _put(self, uscc: str, kind: str, operator: str) -> None:
        # Most entries are (kind, "") for a handful of kinds: share one tuple per kind.
        pair = (sys.intern(kind), operator) if operator else self._shared.setdefault((kind, ""), (sys.intern(kind), ""))
        self.known[uscc] = pair

    async def preload(self, s: BulkSession, expected_rows: int) -> None:
        if expected_rows < PRELOAD_FROM_ROWS:
            return
        count = (await s.fetch('SELECT COUNT(*) FROM "entity"'))[0][0]
        if count > PRELOAD_MAX_ENTITIES:
            return
        for uscc, kind, operator in await s.fetch('SELECT uscc, kind, operator_name FROM "entity"'):
            self._put(uscc, kind, operator)
        self.complete = True

    def missing(self, drafts: list[Any]) -> list[str]:
        """USCCs to look up before masking these drafts (none once the register is preloaded)."""
        if self.complete:
            return []
        return list({d.uscc for d in drafts if d.uscc not in self.known})

    async def fetch(self, s: BulkSession, usccs: list[str]) -> None:
        for uscc, kind, operator in await s.lookup("entity", "uscc", usccs, ("kind", "operator_name")):
            self._put(uscc, kind, operator)

    def mask(self, drafts: list[Any], register_new: bool) -> list[EntityDraft]:
        """Masks the drafts' names; with `register_new`, returns the entities to register (and
        counts them as registered from now on)."""
        unknown = mask_by_register(drafts, self.known)
        if not register_new:
            return []
        new = [
            EntityDraft(d.uscc, full, d.entity_kind, d.region_code, operator_name=d.operator_name)
            for d, full in unknown.values()
        ]
        for e in new:
            self._put(e.uscc, e.kind, e.operator_name)
        return new
