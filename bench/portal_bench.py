"""Portal benchmark: server-side latency of the public pages at a given data size.

    .venv/bin/python bench/portal_bench.py --results 1000000     # the figures in README.md
    .venv/bin/python bench/portal_bench.py --results 20000 --requests 200   # a quick look

Data comes from `gongshi demo --results N` (kept in --workdir and reused while N matches).
A `gongshi serve` subprocess serves it (one uvicorn worker, outbox worker off so background
indexing does not compete); one client in this process asks sequentially over a keep-alive
loopback connection, so the measured time is the server's time plus well under a millisecond.
Every page kind is asked for --requests random records after a warm-up of --warmup requests.
The target: p95 ≤ 30 ms for the detail pages (result, entity profile, plan, guide, honour,
document). List and figure pages are reported too.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import httpx
from common import ensure_data, free_port, log

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TARGET_MS = 30.0
DETAIL = ("result", "entity", "plan", "guide", "honour", "document")


def sample_paths(db: Path, n: int, rnd: random.Random) -> dict[str, list[str]]:
    """Random public records of each kind, read straight from the file."""
    con = sqlite3.connect(db)

    def ids(sql: str) -> list:
        return [r[0] for r in con.execute(sql)]

    max_id = con.execute("SELECT MAX(id) FROM inspection_result").fetchone()[0] or 0
    result_ids: list[int] = []
    while len(result_ids) < n and max_id:
        batch = [rnd.randint(1, max_id) for _ in range(n * 2)]
        q = ",".join("?" * len(batch))
        result_ids += [
            r[0]
            for r in con.execute(f"SELECT id FROM inspection_result WHERE id IN ({q}) AND disclosure = 'public'", batch)
        ]
    result_ids = result_ids[:n]
    q = ",".join("?" * len(result_ids))
    usccs = [r[0] for r in con.execute(f"SELECT uscc FROM inspection_result WHERE id IN ({q})", result_ids)]

    def pick(values: list) -> list:
        return [rnd.choice(values) for _ in range(n)] if values else []

    paths = {
        "result": [f"/results/{i}" for i in result_ids],
        "entity": [f"/entities/{u}" for u in usccs],
        "plan": [f"/plans/{i}" for i in pick(ids("SELECT id FROM plan WHERE disclosure = 'public'"))],
        "guide": [f"/guides/{i}" for i in pick(ids("SELECT id FROM guide WHERE disclosure = 'public'"))],
        "honour": [f"/honours/{i}" for i in pick(ids("SELECT id FROM honour WHERE disclosure = 'public'"))],
        "document": [
            f"/documents/{i}" for i in pick(ids("SELECT id FROM policy_document WHERE disclosure = 'public'"))
        ],
        "home": ["/"] * n,
        "statistics": ["/statistics"] * n,
        "plans list": ["/plans"] * n,
        "honours list": [f"/honours?year={rnd.choice([2023, 2024, 2025])}" for _ in range(n)],
    }
    con.close()
    return {k: v for k, v in paths.items() if v}


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))
    return values[k]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--results", type=int, default=1_000_000)
    ap.add_argument("--requests", type=int, default=500, help="requests per page kind")
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out" / "portal")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    db = ensure_data(args.workdir, args.results)
    rnd = random.Random(args.seed)
    paths = sample_paths(db, args.requests + args.warmup, rnd)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "OUTBOX_WORKER": "0",
        "SEARCH_PATH": str(args.workdir / "search.sqlite"),
        "FILES_DIR": str(args.workdir / "files"),
        "RATE_LIMIT_ANONYMOUS": "100000000",
        "DEMO_MODE": "1",  # a local benchmark server: the default JWT_SECRET is fine
    }
    server = subprocess.Popen(
        [str(BIN / "gongshi"), "serve", "--port", str(port), "--log-level", "warning"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    failed = False
    try:
        with httpx.Client(base_url=base, timeout=60) as c:
            deadline = time.monotonic() + 60
            while True:
                try:
                    c.get("/open-data")
                    break
                except httpx.HTTPError as e:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit(
                            "server did not start: " + (server.stderr.read() if server.stderr else b"").decode()[-2000:]
                        ) from e
                    time.sleep(0.2)
            log(f"server: gongshi serve on {base}, {args.results:,} results, {args.requests} requests per kind")
            log(f"{'page':<14} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}  target")
            for kind, urls in paths.items():
                times: list[float] = []
                for i, url in enumerate(urls):
                    t = time.perf_counter()
                    r = c.get(url)
                    dt_ms = (time.perf_counter() - t) * 1000
                    if r.status_code != 200:
                        raise SystemExit(f"{url}: HTTP {r.status_code}")
                    if i >= args.warmup:
                        times.append(dt_ms)
                p95 = percentile(times, 95)
                verdict = ""
                if kind in DETAIL:
                    ok = p95 <= TARGET_MS
                    failed |= not ok
                    verdict = f"p95 ≤ {TARGET_MS:.0f} ms: {'ok' if ok else 'MISSED'}"
                log(
                    f"{kind:<14} {statistics.median(times):8.1f} {p95:8.1f} {percentile(times, 99):8.1f} "
                    f"{max(times):8.1f}  {verdict}"
                )
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
