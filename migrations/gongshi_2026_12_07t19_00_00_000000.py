"""Mask stored names of individual businesses that are a bare personal name with no operator known.

A 个体工商户 may trade without a registered name, so its register entry can be just the operator's
name (王建国). Before this change masking looked for the operator's name inside the entity's name,
and an entry with no operator name recorded was published in full. The rule now (issue 11 item 8,
domain.masking.public_entity_name): an individual business — register kind `individual`, or a USCC
whose first position is 9 and second 2 — with no operator name, whose name is two to four Han
characters with no business word, is masked all but its first character (王建国 → 王**).

This migration applies that rule to the names stored in inspection_result.entity_name and
honour.entity_name (the entity register keeps full names and masks them when it shows them). The
candidate rows are those whose entity has no operator name (or no register entry) and whose
stored name is 2 to 4 characters long; the frozen formula below decides.

It works as gongshi_2026_11_25t16_30_00_000000 (the earlier re-mask) does and reuses its frozen
machinery (windows of ids, one transaction each, multi-row UPDATE … RETURNING, the audit log row
for every changed row, change log `updated` and search outbox `upsert` for the public ones); a
landed migration never changes, so importing it is as frozen as copying it. Idempotent: a masked
name contains `*`, which no bare personal name does, so a second run changes and logs nothing.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import re

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-07T19:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "mask stored bare personal names of individual businesses with no operator known"

_earlier = importlib.import_module("migrations.gongshi_2026_11_25t16_30_00_000000")
RawSQL, BATCH, TABLES = _earlier.RawSQL, _earlier.BATCH, _earlier.TABLES
ACTOR, ACTOR_ROLE = "system:remask-migration", "system"
ACTION = "remask"
REASON = "masked a bare personal name (privacy)"

# -- the rule, frozen (a copy of domain.masking as of this migration) --------------------------

BARE_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")
BUSINESS_WORDS = (
    "店", "铺", "馆", "厂", "坊", "部", "社", "摊", "档", "吧", "站", "所", "室", "厅", "场", "号",
    "记", "行", "中心", "超市", "商", "贸", "食品", "餐", "饭", "面", "酒", "茶", "烟", "百货", "五金",
    "服装", "建材", "小吃", "水果", "蔬菜", "维修", "修理", "理发", "美容", "美发", "粮油", "批发",
    "零售", "经营", "经销", "销售", "服务", "农资", "养殖", "种植", "加工", "诊", "药", "烧烤", "家电",
    "电器", "手机", "通讯", "汽修", "洗", "宾", "旅", "市", "县", "区", "镇", "乡",
)


def masked_bare_name(name: str) -> str:
    """The name masked all but its first character if it is a bare personal name, else as is."""
    bare = name.strip()
    if not BARE_NAME.fullmatch(bare) or any(w in bare for w in BUSINESS_WORDS):
        return name
    return _earlier.mask_person_name(bare)


# -- the run -----------------------------------------------------------------------------------


async def _candidates(table: str, after_id: int, up_to_id: int) -> list[dict]:
    """Rows with after_id < id <= up_to_id of an individual business with no operator name known
    and a stored name of 2 to 4 characters (length() counts characters on both engines)."""
    return await RawSQL.raw(
        f"SELECT t.id AS id, t.entity_name AS entity_name "
        f"FROM {table} t LEFT JOIN entity e ON e.uscc = t.uscc "
        f"WHERE t.id > {{}} AND t.id <= {{}} "
        f"AND (e.kind = 'individual' OR substr(t.uscc, 1, 2) = '92') "
        f"AND COALESCE(e.operator_name, '') = '' "
        f"AND length(trim(t.entity_name)) BETWEEN 2 AND 4 "
        f"ORDER BY t.id",
        after_id, up_to_id,
    )


async def _log(object_type: str, changed: list[tuple[int, str]], at: dt.datetime) -> None:
    """Audit every changed row; announce (change log `updated`, outbox `upsert`) the public ones."""
    detail = json.dumps({"field": "entity_name", "migration": ID})
    await _earlier._insert_rows(
        "audit_log",
        ("at", "actor", "actor_role", "department_code", "action", "object_type", "object_id", "reason", "detail"),
        [(at, ACTOR, ACTOR_ROLE, "", ACTION, object_type, str(i), REASON, detail) for i, _d in changed],
    )
    public = [i for i, disclosure in changed if disclosure == "public"]
    await _earlier._insert_rows("change_log", ("at", "object_type", "object_id", "action"),
                                [(at, object_type, str(i), "updated") for i in public])
    await _earlier._insert_rows(
        "search_outbox",
        ("created_at", "object_type", "object_id", "op", "attempts", "next_attempt_at", "last_error"),
        [(at, object_type, str(i), "upsert", 0, at, "") for i in public],
    )


async def _mask_window(object_type: str, table: str, has_updated_at: bool, after_id: int, up_to_id: int) -> int:
    async with _earlier._transaction():
        rows = await _candidates(table, after_id, up_to_id)
        updates = [(r["id"], r["entity_name"], new) for r in rows
                   if (new := masked_bare_name(r["entity_name"])) != r["entity_name"]]
        if not updates:
            return 0
        at = dt.datetime.now(dt.timezone.utc)
        changed = sorted(await _earlier._update(table, has_updated_at, updates, at))
        await _log(object_type, changed, at)
        return len(changed)


async def mask_bare_names() -> dict[str, int]:
    """Mask every stored bare personal name the rule catches; returns rows changed by type."""
    counts: dict[str, int] = {}
    for object_type, table, has_updated_at in TABLES:
        counts[object_type] = 0
        top = await _earlier._top_id(table)
        for after_id in range(0, top, BATCH):
            counts[object_type] += await _mask_window(object_type, table, has_updated_at, after_id, after_id + BATCH)
    return counts


async def forwards():
    # No transaction around the whole run: each window of ids commits on its own.
    manager = MigrationManager(migration_id=ID, app_name="gongshi", description=DESCRIPTION,
                               wrap_in_transaction=False)

    async def run() -> None:
        counts = await mask_bare_names()
        print(f"masked bare personal names: results={counts['result']} honours={counts['honour']} ", end="")

    manager.add_raw(run)
    return manager
