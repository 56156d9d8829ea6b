"""Annual-caps benchmark (年度频次上限): how the count behind `inspections_by_year` and the
over-cap figures read a large database. Prints figures; asserts nothing.

    .venv/bin/python bench/caps_bench.py                      # 1,000,000 demo results (SQLite)
    .venv/bin/python bench/caps_bench.py --results 20000      # a quick look
    DATABASE_URL=postgresql://... .venv/bin/python bench/caps_bench.py   # an already loaded PG DB

Data: `gongshi demo --results N` in --workdir (bench/common.ensure_data, shared with
portal_bench.py) unless DATABASE_URL names a database. Reported: the query plan of the per-entity
read (it must use the index result_uscc_id), p50/p95 of the profile's count for --requests random
entities, and the time of the supervisor's over-cap list for the demo city and of the public
aggregate for the busiest year. The entity page itself over HTTP: bench/portal_bench.py.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import ensure_data, log

ROOT = Path(__file__).resolve().parent.parent


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


async def main(args: argparse.Namespace) -> None:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{ensure_data(args.workdir, args.results)}"
    from api.caps import inspections_by_year, over_cap_items, over_cap_stats
    from db.engine import bind_tables, close_engine, make_engine, open_engine
    from db.tables import Entity, Result

    engine = make_engine(url)
    bind_tables(engine)
    await open_engine(engine)
    try:
        total = await Result.count()
        log(f"database: {url.split('@')[-1]} — {total:,} results, {await Entity.count():,} entities")
        explain = "EXPLAIN" if url.startswith("postgres") else "EXPLAIN QUERY PLAN"
        sample = await Result.raw("SELECT uscc FROM inspection_result ORDER BY id LIMIT 1")
        plan = await Result.raw(
            f"{explain} SELECT uscc, task_number, inspected_on, check_field, joint, department_codes, "
            "withdrawn_reason FROM inspection_result WHERE uscc = {}",
            sample[0]["uscc"],
        )
        log(
            "plan of the per-entity read: "
            + " | ".join(str(next(iter(r.values())) if len(r) == 1 else r.get("detail", r)) for r in plan)
        )
        rnd = random.Random(args.seed)
        max_id = (await Result.raw("SELECT MAX(id) AS m FROM inspection_result"))[0]["m"]
        usccs: list[str] = []
        while len(usccs) < args.requests:
            ids = [rnd.randint(1, max_id) for _ in range(args.requests)]
            rows = await Result.select(Result.uscc, Result.id).where(Result.id.is_in(ids))
            usccs += [r["uscc"] for r in rows]
        usccs = usccs[: args.requests]
        risk = {
            r["uscc"]: r["risk_class"]
            for r in await Entity.select(Entity.uscc, Entity.risk_class).where(Entity.uscc.is_in(usccs))
        }
        for u in usccs[:10]:  # warm-up
            await inspections_by_year(u, risk.get(u, ""))
        times, years, over = [], 0, 0
        for u in usccs:
            t = time.perf_counter()
            out = await inspections_by_year(u, risk.get(u, ""))
            times.append((time.perf_counter() - t) * 1000)
            years += len(out)
            over += sum(y.over_cap for y in out)
        log(
            f"inspections_by_year, {len(times)} random entities: p50 {statistics.median(times):.2f} ms, "
            f"p95 {pct(times, 95):.2f} ms, max {max(times):.2f} ms ({years} entity-years, {over} over a cap)"
        )
        busiest = (
            await Result.raw("SELECT year, COUNT(*) AS n FROM inspection_result GROUP BY year ORDER BY n DESC LIMIT 1")
        )[0]
        y = busiest["year"]
        t = time.perf_counter()
        items = await over_cap_items(y, args.region)
        log(
            f"over-cap list, region {args.region}, {y} ({busiest['n']:,} results that year): {len(items)} enterprise-fields over a cap in {(time.perf_counter() - t) * 1000:.0f} ms"
        )
        t = time.perf_counter()
        stats = await over_cap_stats(y)
        shown = sum(1 for i in stats.items if not i.suppressed)
        log(
            f"public aggregate, {y}: {len(stats.items)} department cells ({shown} shown) in {(time.perf_counter() - t) * 1000:.0f} ms"
        )
    finally:
        await close_engine(engine)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--results", type=int, default=1_000_000)
    ap.add_argument("--requests", type=int, default=500)
    ap.add_argument("--region", default="371500")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out" / "portal")
    asyncio.run(main(ap.parse_args()))
