"""Load figures (issue 13 item 15): mixed reads at concurrency 50 against `gongshi serve --workers N`
for N = 1, 2, 4 on the 1,000,000-result data, then concurrent complaint filings — server errors
counted, every filing checked stored exactly once.

    .venv/bin/python bench/make_data.py     # bench/out/{entities,results}.csv, once
    .venv/bin/python bench/run.py           # bench/out/bench.sqlite with the imports, once
    .venv/bin/python bench/load.py          # builds bench/out/load-search.sqlite once, then the runs
    .venv/bin/python bench/load.py --workers 1,2 --requests 5000     # smaller

Reads (weights): API result detail (20), results by USCC (15), results by department and year
(10), entity profile (10), search with Chinese queries (20), and the portal's home page, a result
page, an entity page and a search page (25 together). The server runs with its rate limits raised
out of the way and the background jobs on (one leader). Each run prints requests/s, p50/p95/p99
and the count of each status; a 5xx anywhere, or a filing stored other than once, is a failure
(exit 1). The machine's load average is printed with every figure."""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import secrets
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DEPT = "371500-scjg"
QUERIES = ["食品", "药品", "特种设备", "责令改正", "聊城市", "有限公司", "消防", "未发现问题", "东昌府区", "燃气"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _load() -> str:
    a, b, c = os.getloadavg()
    return f"load average {a:.2f} {b:.2f} {c:.2f} on {os.cpu_count()} CPUs"


def sample(n: int) -> tuple[list[str], int]:
    usccs: list[str] = []
    rows = 0
    with (OUT / "results.csv").open(encoding="utf-8") as f:
        for i, row in enumerate(csv.reader(f)):
            rows = i
            if i and i % 97 == 0 and len(usccs) < n:
                usccs.append(row[1])
    return usccs, rows


def ensure_index(env: dict[str, str]) -> None:
    path = Path(env["SEARCH_PATH"])
    if path.exists():
        return
    print(f"building the search index {path} (once; {_load()}) …", flush=True)
    t = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "cli.py"), "reindex"], cwd=ROOT, env=env, check=True)
    print(f"  built in {time.perf_counter() - t:.0f} s", flush=True)


def make_urls(usccs: list[str], results: int, rnd: random.Random) -> list[str]:
    years = (2023, 2024, 2025, 2026)
    choices = [
        (20, lambda: f"/api/v1/results/{rnd.randint(1, results)}"),
        (15, lambda: f"/api/v1/results?uscc={rnd.choice(usccs)}"),
        (10, lambda: f"/api/v1/results?department={DEPT}&year={rnd.choice(years)}"),
        (10, lambda: f"/api/v1/entities/{rnd.choice(usccs)}"),
        (20, lambda: f"/api/v1/search?q={rnd.choice(QUERIES)}"),
        (5, lambda: "/"),
        (7, lambda: f"/results/{rnd.randint(1, results)}"),
        (6, lambda: f"/entities/{rnd.choice(usccs)}"),
        (7, lambda: f"/search?q={rnd.choice(QUERIES)}"),
    ]
    table = [make for weight, make in choices for _ in range(weight)]
    return [rnd.choice(table)() for _ in range(100_000)]


def kind_of(url: str) -> str:
    if url.startswith("/api/v1/search"):
        return "api search"
    if url.startswith("/api/v1/entities"):
        return "api entity"
    if url.startswith("/api/v1/results?"):
        return "api list"
    if url.startswith("/api/v1/results/"):
        return "api detail"
    return "portal page"


async def reads(base: str, urls: list[str], n: int, concurrency: int) -> dict:
    times: dict[str, list[float]] = {}
    statuses: dict[int, int] = {}
    errors: list[str] = []
    queue = iter(urls[:n])
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:

        async def worker() -> None:
            for url in queue:
                t = time.perf_counter()
                try:
                    r = await client.get(url)
                    code = r.status_code
                except httpx.HTTPError as e:
                    code = 599
                    errors.append(f"{url}: {type(e).__name__}")
                times.setdefault(kind_of(url), []).append((time.perf_counter() - t) * 1000)
                statuses[code] = statuses.get(code, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    every = sorted(x for v in times.values() for x in v)

    def pct(xs: list[float], p: float) -> float:
        return round(xs[min(len(xs) - 1, int(len(xs) * p))], 1)

    return {
        "requests": len(every),
        "seconds": round(elapsed, 1),
        "requests_per_s": round(len(every) / elapsed, 1),
        "p50_ms": round(statistics.median(every), 1),
        "p95_ms": pct(every, 0.95),
        "p99_ms": pct(every, 0.99),
        "by_kind_p95_ms": {k: pct(sorted(v), 0.95) for k, v in sorted(times.items())},
        "statuses": dict(sorted(statuses.items())),
        "server_errors": sum(c for s, c in statuses.items() if s >= 500),
        "transport_errors": errors[:5],
    }


async def filings(base: str, n: int, usccs: list[str]) -> dict:
    """`n` complaints filed at once, each with a marker in its description."""
    run = secrets.token_hex(4)
    visited = time.strftime("%Y-%m-%dT%H:%M:%S+08:00", time.localtime(time.time() - 7200))
    statuses: dict[int, int] = {}
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:

        async def one(i: int) -> None:
            body = {
                "uscc": usccs[i % len(usccs)],
                "enterprise_name": "聊城市负载测试有限公司",
                "contact_name": "王建国",
                "contact_phone": "13812345678",
                "visited_at": visited,
                "place": "聊城市东昌府区柳园路18号",
                "department": DEPT,
                "officers": ["李明"],
                "scanned": "no",
                "description": f"负载测试 {run}-{i:04d}：两名执法人员进入车间，未扫码入企。",
            }
            try:
                r = await client.post("/api/v1/complaints", json=body)
                code = r.status_code
            except httpx.HTTPError:
                code = 599
            statuses[code] = statuses.get(code, 0) + 1

        t = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(n)))
        elapsed = time.perf_counter() - t
    return {"filed": n, "seconds": round(elapsed, 1), "statuses": dict(sorted(statuses.items())), "marker": run}


def stored_once(db: Path, marker: str, n: int) -> dict:
    con = sqlite3.connect(db)
    try:
        rows = con.execute(
            "SELECT description FROM complaint WHERE description LIKE ?", (f"%负载测试 {marker}-%",)
        ).fetchall()
    finally:
        con.close()
    seen: dict[str, int] = {}
    for (d,) in rows:
        key = d.split(marker + "-", 1)[1][:4]
        seen[key] = seen.get(key, 0) + 1
    return {
        "stored": len(rows),
        "distinct": len(seen),
        "twice_or_more": sum(1 for c in seen.values() if c > 1),
        "missing": n - len(seen),
    }


def serve(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "cli.py"),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-migrate",
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )


def wait_up(base: str) -> None:
    for _ in range(600):
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not start")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--workers", default="1,2,4", help="worker counts to run (default 1,2,4)")
    p.add_argument("--requests", type=int, default=10_000, help="mixed reads per run (default 10,000)")
    p.add_argument("--concurrency", type=int, default=50)
    p.add_argument("--complaints", type=int, default=200, help="concurrent filings per run (default 200)")
    a = p.parse_args()
    db = OUT / "bench.sqlite"
    if not db.exists() or not (OUT / "results.csv").exists():
        raise SystemExit("no bench data: run bench/make_data.py, then bench/run.py (see docs/benchmarks.md)")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "SEARCH_PATH": str(OUT / "load-search.sqlite"),
        "FILES_DIR": str(OUT / "load-files"),
        "DEMO_MODE": "1",
        "PYTHONPATH": str(ROOT),
        "WITHDRAW_SCHEDULE": "0",
        "RATE_LIMIT_ANONYMOUS": "100000000",
        "COMPLAINT_FILE_LIMIT_CLIENT": "100000000",
        "COMPLAINT_FILE_LIMIT_USCC": "100000000",
        "SEARCH_LAG_NOTICE_SECONDS": "0",
    }
    ensure_index(env)
    usccs, results = sample(3000)
    figures: dict = {"at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "cpus": os.cpu_count(), "results": results, "runs": []}
    failed = False
    for workers in [int(w) for w in a.workers.split(",")]:
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        proc = serve(env, port, workers)
        try:
            wait_up(base)
            urls = make_urls(usccs, results, random.Random(workers))
            asyncio.run(reads(base, urls[50_000:], 300, min(a.concurrency, 10)))  # warm-up
            load_before = _load()
            r = asyncio.run(reads(base, urls, a.requests, a.concurrency))
            c = asyncio.run(filings(base, a.complaints, usccs))
            once = stored_once(db, c.pop("marker"), a.complaints)
        finally:
            os.killpg(proc.pid, 15)
            proc.wait(timeout=60)
        run = {"workers": workers, "load_before": load_before, "reads": r, "complaints": {**c, **once}}
        figures["runs"].append(run)
        print(
            f"workers={workers}: {r['requests']} reads at c={a.concurrency} in {r['seconds']} s = "
            f"{r['requests_per_s']} req/s, p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, p99 {r['p99_ms']} ms, "
            f"statuses {r['statuses']}; {a.complaints} filings at once: {c['statuses']} in {c['seconds']} s, "
            f"stored {once['stored']} (twice or more: {once['twice_or_more']}, missing: {once['missing']}) "
            f"[{load_before} before the run]",
            flush=True,
        )
        print(f"  p95 by kind: {r['by_kind_p95_ms']}", flush=True)
        if r["server_errors"] or once["twice_or_more"] or once["missing"] or any(s >= 500 for s in c["statuses"]):
            failed = True
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "load-sqlite.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")
    print(
        "FAIL: server errors or filings not stored exactly once"
        if failed
        else "0 server errors; every filing stored once"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
