"""`gongshi demo`: generate, validate and store the demo data set in one bulk transaction.

Every generated row goes through the same domain validation as an import or an admin API
request (validate_entity / validate_result / validate_honour / validate_scan and the
"a department publishes only under its own name" rule); a failure is a bug and aborts.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TextIO

from tqdm import tqdm

from db import bulk_write
from db.bulk import bulk_session
from demo import generate as G
from demo.departments import BY_CODE, DEPARTMENTS, load_regions_and_departments
from domain.auth import Principal, hash_password
from domain.import_rows import publisher_error, validate_entity, validate_honour, validate_scan
from domain.masking import mask_by_register
from domain.results import validate_result
from importer.run import no_gc

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
# Demo-only passwords, printed at the end and listed in the README. Never use them anywhere real.
PASSWORDS = {
    "officer": "demo-officer-2026",
    "enterprise": "demo-enterprise-2026",
    "supervisor": "demo-supervisor-2026",
    "admin": "demo-admin-2026",
}
SCAN_SHARE = 0.35  # share of results with a scan record (扫码入企)


class DemoPresent(Exception):
    pass


class InvalidDemoRow(AssertionError):
    """Generated data failed domain validation: a bug in the generator."""


@dataclass
class Summary:
    entities: int = 0
    results: int = 0
    negative: int = 0
    honours: int = 0
    scans: int = 0
    tasks: int = 0
    penalties: int = 0
    seconds: float = 0.0
    accounts: list[tuple[str, str, str, str]] | None = None  # username, role, password, scope


def officer_name(code: str) -> str:
    return f"officer-{code}"


def _check(draft: Any, errs: list, what: str, raw: Any) -> Any:
    if draft is None or errs:
        raise InvalidDemoRow(f"generated {what} failed validation: {errs} — {raw}")
    return draft


async def existing_counts() -> dict[str, int]:
    from db.tables import Entity, Result, User

    return {"results": await Result.count(), "entities": await Entity.count(), "accounts": await User.count()}


async def wipe(engine: Any) -> None:
    """--reset: every record goes (migration-seeded repair rules stay); one transaction."""
    from db.tables import ALL_TABLES

    async with bulk_session(engine) as s:
        for t in ALL_TABLES:
            name = t._meta.tablename
            if name == "repair_rule":
                await s.fetch("DELETE FROM repair_rule WHERE created_by <> 'migration'")
            else:
                await s.fetch(f'DELETE FROM "{name}"')


async def load_demo(
    engine: Any,
    settings: Any,
    n_results: int,
    n_entities: int | None = None,
    seed: int = 2026,
    reset: bool = False,
    progress: bool = True,
    out: TextIO = sys.stdout,
) -> Summary:
    with no_gc():  # see importer.run.no_gc: a million long-lived drafts, no cycles
        return await _load_demo(engine, settings, n_results, n_entities, seed, reset, progress, out)


async def _load_demo(
    engine: Any,
    settings: Any,
    n_results: int,
    n_entities: int | None,
    seed: int,
    reset: bool,
    progress: bool,
    out: TextIO,
) -> Summary:
    started = time.perf_counter()
    counts = await existing_counts()
    if any(counts.values()):
        if not reset:
            raise DemoPresent(
                f"数据库中已有数据（{counts['results']} 条结果，{counts['entities']} 个经营主体，{counts['accounts']} 个账号），"
                f"未生成演示数据 (the database already holds data: {counts['results']} results, "
                f"{counts['entities']} entities, {counts['accounts']} accounts; nothing was generated). "
                "Run `gongshi demo --reset` to DELETE EVERYTHING and generate again."
            )
        await wipe(engine)
        _drop_embedded_index(settings, out)
    await load_regions_and_departments()
    rng = random.Random(seed)
    today = dt.datetime.now(SHANGHAI).date()
    now = dt.datetime.now(dt.UTC)
    summary = Summary()
    n_entities = n_entities or max(200, int(n_results * 0.3))

    world = G.make_entities(rng, n_entities)
    for e in world.entities:
        _check(*validate_entity(asdict(e)), "entity", e)
    officers = {d.code: Principal(officer_name(d.code), "officer", d.code) for d in DEPARTMENTS}
    pools = {d.code: G.officer_pool(rng, d) for d in DEPARTMENTS}

    drafts: list[Any] = []
    tasks: list[tuple] = []
    penalties: list[tuple] = []
    scans: list[Any] = []
    seen_scans: set[tuple] = set()
    bar = tqdm(
        total=n_results, unit=" results", desc="generating", disable=not progress, file=sys.stderr, mininterval=0.5
    )
    template: dict[str, Any] | None = None  # a result to model the demo enterprise's own on
    for batch in G.make_results(rng, world, n_results, today):
        for raw in batch.results:
            if template is None and _fits_demo_enterprise(raw, world):
                template = raw
            draft, errs = validate_result(raw)
            draft = _check(draft, errs, "result", raw)
            lead = officers[draft.department_codes[0]]
            if publisher_error(draft.department_codes[0], lead.department_code):
                raise InvalidDemoRow(f"publisher mismatch: {raw}")
            drafts.append(draft)
            if rng.random() < SCAN_SHARE:
                place = G.local_name(draft.region_code, world.region_names)
                sraw = G.make_scan(rng, raw, pools[draft.department_codes[0]], place)
                scan = _check(*validate_scan(sraw, now), "scan record", sraw)
                key = (scan.uscc, scan.department_code, scan.scanned_at)
                if key not in seen_scans:
                    seen_scans.add(key)
                    scans.append(scan)
        tasks += batch.tasks
        penalties += batch.penalties
        bar.update(len(batch.results))
    bar.close()
    demo_uscc = None
    if template is not None:
        own = [_check(*validate_result(raw), "result", raw) for raw in demo_enterprise_results(template, tasks, today)]
        demo_uscc = template["uscc"]
        _make_room(drafts, len(own), demo_uscc)
        drafts += own
    register = {e.uscc: (e.kind, e.operator_name) for e in world.entities}
    mask_by_register(drafts, register)
    # Ids grow with the publication date, as they would have in a real portal.
    drafts.sort(key=lambda d: (d.published_on, d.inspected_on, d.task_number, d.uscc))
    actors = [officers[d.department_codes[0]] for d in drafts]

    honours: dict[str, list[Any]] = {}
    for dept, hraw in G.make_honours(rng, world, today):
        h = _check(*validate_honour(hraw, today), "honour", hraw)
        mask_by_register([h], register)
        honours.setdefault(dept, []).append(h)
    scans_by_dept: dict[str, list[Any]] = {}
    for sc in scans:
        scans_by_dept.setdefault(sc.department_code, []).append(sc)

    accounts = _accounts(world, drafts, today, demo_uscc)
    # One scrypt hash per demo password (each takes ~50 ms; these passwords are public anyway).
    hashes = {role: hash_password(pw) for role, pw in PASSWORDS.items()}
    users = [(u, hashes[role], role, uscc, dept, region, display) for u, role, uscc, dept, region, display in accounts]

    wbar = tqdm(
        total=len(drafts), unit=" results", desc="writing", disable=not progress, file=sys.stderr, mininterval=0.5
    )
    async with bulk_session(engine) as s:
        await bulk_write.write_users(s, users)
        await bulk_write.write_entities(s, world.entities, None)
        await bulk_write.write_tasks(s, tasks)
        await bulk_write.write_penalties(s, penalties)
        await bulk_write.write_results(s, drafts, actors, today, wbar.update)
        for dept, hs in honours.items():
            await bulk_write.write_honours(s, hs, officers[dept])
        for dept, ss in scans_by_dept.items():
            await bulk_write.write_scans(s, ss, officers[dept])
    wbar.close()

    summary.entities = len(world.entities)
    summary.results = len(drafts)
    summary.negative = sum(1 for d in drafts if d.negative)
    summary.honours = sum(len(v) for v in honours.values())
    summary.scans = len(scans)
    summary.tasks = len(tasks)
    summary.penalties = len(penalties)
    summary.accounts = [
        (u, role, PASSWORDS[role], dept or uscc or region) for u, role, uscc, dept, region, _ in accounts
    ]
    summary.seconds = time.perf_counter() - started
    return summary


def _fits_demo_enterprise(raw: dict[str, Any], world: G.World) -> bool:
    """A plain single-department check of a trading enterprise, in the general field (its repair
    rule is the 6-month minimum one), with a neutral finding."""
    return (
        raw["entity_kind"] == "enterprise"
        and len(raw["departments"]) == 1
        and raw["check_field"] == "general"
        and all(c.startswith("N") for c in raw["categories"])
        and not raw["penalty_decision_number"]
    )


# The demo enterprise's own results, dated from today (Asia/Shanghai) so that credit repair can be
# tried on any day: (days before today it was published, categories). The default rule profile
# (SAMR credit-repair measures by analogy: minimum 6 months, maximum 36 months for the general
# field) makes the first eligible today, the second not yet (eligible about five months from now),
# and the third, a neutral result, one the enterprise can file an objection against; the fourth,
# inspected 17 days ago, one it can still evaluate (事后评价 within 30 days, domain.evaluation).
DEMO_ENTERPRISE_RESULTS = ((240, ["X05"]), (30, ["X05"]), (60, ["N01"]), (12, ["N01"]))


def demo_enterprise_results(
    template: dict[str, Any], tasks: list[tuple[Any, ...]], today: dt.date
) -> list[dict[str, Any]]:
    """Raw results for the demo enterprise modelled on `template` (one of the generator's own
    rows, so every field a result needs is there), each in a task of its own of the same
    department, appended to `tasks`."""
    task = next(t for t in tasks if t[0] == template["task_number"])
    out = []
    for i, (ago, cats) in enumerate(DEMO_ENTERPRISE_RESULTS, start=1):
        published = today - dt.timedelta(days=ago)
        inspected = published - dt.timedelta(days=5)
        number = f"{template['task_number'].rsplit('-', 2)[0]}-{inspected.year}-D{i:03d}"
        tasks.append((number, task[1], task[2], inspected.year, *task[4:]))
        negative = not cats[0].startswith("N")
        out.append(
            {
                **template,
                "task_number": number,
                "inspected_on": inspected,
                "published_on": published,
                "categories": cats,
                "follow_up": G.FOLLOW_UP[cats[0]] if negative else "",
                "penalty_decision_number": "",
            }
        )
    return out


def _make_room(drafts: list[Any], n: int, keep_uscc: str) -> None:
    """Drop `n` generated results (the last ones without a penalty decision, of other entities)
    so that the demo holds exactly the number of results asked for."""
    for i in range(len(drafts) - 1, -1, -1):
        if n == 0:
            return
        d = drafts[i]
        if not d.penalty_decision_number and d.uscc != keep_uscc:
            del drafts[i]
            n -= 1


def _accounts(
    world: G.World, drafts: list[Any], today: dt.date, demo_uscc: str | None = None
) -> list[tuple[str, str, str, str, str, str]]:
    """(username, role, uscc, department_code, region_code, display name): one officer per
    department, one enterprise (the one given the results above, for trying credit repair and
    objections), one supervisor, one admin."""
    out = [(officer_name(d.code), "officer", "", d.code, "", f"{d.name}执法人员") for d in DEPARTMENTS]
    entity = next((d for d in drafts if d.uscc == demo_uscc), None) or next(
        (d for d in drafts if d.entity_kind == "enterprise"), None
    )
    if entity is not None:
        out.append(("demo-enterprise", "enterprise", entity.uscc, "", "", entity.entity_name))
    out.append(("demo-supervisor", "supervisor", "", "", "371500", "聊城市司法局行政执法监督"))
    admin_dept = BY_CODE["371500-scjg"]
    out.append(("demo-admin", "admin", "", admin_dept.code, "", f"{admin_dept.name}系统管理员"))
    return out


def _drop_embedded_index(settings: Any, out: TextIO) -> None:
    """After a reset the embedded search index describes records that no longer exist; it is
    rebuilt from the outbox rows the demo writes."""
    path = Path(getattr(settings, "search_path", "") or "")
    if settings.search_backend == "embedded" and path.is_file():
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            p.unlink(missing_ok=True)
        print(f"removed the embedded search index {path} (it is rebuilt from the outbox)", file=out)


async def load_records_if_present(settings: Any, out: TextIO) -> bool:
    """Plans, guides and policy documents from the seeds (demo/records.py, written separately)."""
    try:
        from demo.records import load_records
    except ImportError:
        print("note: demo/records.py is not there yet: no plans, guides or policy documents loaded", file=out)
        return False
    counts = await load_records(settings)
    print("seed records loaded: " + ", ".join(f"{k} {v}" for k, v in (counts or {}).items()), file=out)
    return True


def print_summary(s: Summary, out: TextIO) -> None:
    rate = s.results / s.seconds if s.seconds else 0.0
    neg = 100.0 * s.negative / s.results if s.results else 0.0
    print(f"演示数据已生成 (demo data loaded) in {s.seconds:.1f} s — {rate:,.0f} results/s", file=out)
    print(
        f"  entities {s.entities:,} · results {s.results:,} ({neg:.1f}% negative) · tasks {s.tasks:,} · "
        f"penalty decisions {s.penalties:,} · honours {s.honours:,} · scan records {s.scans:,}",
        file=out,
    )
    print("Demo accounts (DEMO ONLY — these passwords are public):", file=out)
    for user, role, password, scope in s.accounts or []:
        print(f"  {user:<28} {role:<11} {password:<22} {scope}", file=out)
