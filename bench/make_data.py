"""Write benchmark input files: entities.csv and results.csv from the demo generator.

    .venv/bin/python bench/make_data.py --results 1000000 --entities 300000 --out bench/out

Deterministic (--seed). Results reference the generated entities; individual businesses
carry their operator name in the `operator_name` column (masked on import).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from demo import generate as G

RESULT_HEADER = [
    "task_number",
    "uscc",
    "entity_name",
    "entity_kind",
    "region_code",
    "departments",
    "inspected_on",
    "inspection_type",
    "categories",
    "check_field",
    "follow_up",
    "penalty_decision_number",
    "published_on",
    "operator_name",
]
ENTITY_HEADER = ["uscc", "name", "kind", "region_code", "industry_code", "risk_class", "status", "operator_name"]


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--results", type=int, default=1_000_000)
    p.add_argument("--entities", type=int, default=300_000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--out", type=Path, default=Path("bench/out"))
    p.add_argument(
        "--department",
        default="371500-scjg",
        help="the importing officer's department: it leads every result (a department "
        "publishes only under its own name); the generated partners stay as joint departments",
    )
    a = p.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    rng = random.Random(a.seed)
    world = G.make_entities(rng, a.entities)
    with (a.out / "entities.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(ENTITY_HEADER)
        for e in world.entities:
            w.writerow(
                [e.uscc, e.name, e.kind, e.region_code, e.industry_code, e.risk_class, e.status, e.operator_name]
            )
    today = dt.date.today()
    n = 0
    with (a.out / "results.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(RESULT_HEADER)
        for batch in G.make_results(rng, world, a.results, today):
            for r in batch.results:
                depts = [a.department] + [d for d in r["departments"] if d != a.department]
                w.writerow(
                    [
                        r["task_number"],
                        r["uscc"],
                        r["entity_name"],
                        r["entity_kind"],
                        r["region_code"],
                        ";".join(depts),
                        r["inspected_on"].isoformat(),
                        r["inspection_type"],
                        ";".join(r["categories"]),
                        r["check_field"],
                        r["follow_up"],
                        r["penalty_decision_number"],
                        r["published_on"].isoformat(),
                        r["operator_name"],
                    ]
                )
                n += 1
    print(f"wrote {len(world.entities):,} entities and {n:,} results to {a.out} in {time.perf_counter() - t:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
