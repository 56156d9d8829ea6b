"""Benchmarks: import rows/s, and p50/p95 latency over HTTP against a real `gongshi serve`.

    .venv/bin/python bench/make_data.py                  # bench/out/{entities,results}.csv (1M results, 300k entities)
    .venv/bin/python bench/run.py                        # fresh scratch SQLite DB bench/out/bench.sqlite
    .venv/bin/python bench/run.py --skip-import          # HTTP figures only, on the loaded DB
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_bulk .venv/bin/python bench/run.py

The server runs as a subprocess on 127.0.0.1 (loopback only) with the outbox worker, the
daily withdraw job and rate limits out of the way, so the figures measure the read path.
Each scenario: a warm-up, then at most --requests requests or --seconds seconds.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
OFFICER, PASSWORD, DEPT = "bench-officer", "bench-password-1", "371500-scjg"
TARGETS = {"import_rows_per_s": 20_000, "detail_p95_ms": 10.0, "filtered_p95_ms": 25.0}


def gongshi(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    p = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), *args],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=None if "import" in args else subprocess.PIPE,
    )
    if check and p.returncode != 0:
        raise SystemExit(f"gongshi {' '.join(args)} failed:\n{p.stdout}\n{p.stderr or ''}")
    return p


def prepare(env: dict) -> dict:
    """Fresh database, departments, an officer, then the two imports (timed by the importer)."""
    url = env["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url[len("sqlite:///") :] + suffix).unlink(missing_ok=True)
    else:
        from urllib.parse import urlparse

        u = urlparse(url)
        subprocess.run(
            [
                "psql",
                "-h",
                u.hostname or "127.0.0.1",
                "-U",
                u.username or "postgres",
                "-d",
                u.path.lstrip("/"),
                "-qc",
                "DROP SCHEMA public CASCADE; CREATE SCHEMA public;",
            ],
            check=True,
        )
    gongshi(env, "migrate")
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import asyncio, os\nfrom db.engine import make_engine, bind_tables\n"
            "from demo.departments import load_regions_and_departments\n"
            "bind_tables(make_engine(os.environ['DATABASE_URL']))\n"
            "asyncio.run(load_regions_and_departments())",
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    gongshi(env, "create-user", OFFICER, "--role", "officer", "--department", DEPT, "--password", PASSWORD)
    figures = {}
    for kind, file in (("entities", "entities.csv"), ("results", "results.csv")):
        t = time.perf_counter()
        # --no-index: the import's own figure (the search index is bench/search_bench.py's and
        # bench/load.py's business).
        p = gongshi(env, "import", kind, str(OUT / file), "--as", OFFICER, "--no-index")
        seconds = time.perf_counter() - t
        m = re.search(r"imported (\d+)", p.stdout)
        n = int(m.group(1)) if m else 0
        print(p.stdout.strip())
        figures[f"import_{kind}"] = {"rows": n, "seconds": round(seconds, 1), "rows_per_s": round(n / seconds)}
    return figures


def sample_keys(n: int) -> list[str]:
    usccs: list[str] = []
    with (OUT / "results.csv").open(encoding="utf-8") as f:
        for i, row in enumerate(csv.reader(f)):
            if i and i % 97 == 0:
                usccs.append(row[1])
            if len(usccs) >= n:
                break
    return usccs


def measure(client: httpx.Client, make_url, requests: int, seconds: float, warmup: int) -> dict:
    warm_until = time.perf_counter() + min(seconds, 30.0)
    for _ in range(warmup):
        client.get(make_url())
        if time.perf_counter() > warm_until:
            break
    times: list[float] = []
    statuses: dict[int, int] = {}
    deadline = time.perf_counter() + seconds
    while len(times) < requests and time.perf_counter() < deadline:
        url = make_url()
        t = time.perf_counter()
        r = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
        statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
    times.sort()
    return {
        "requests": len(times),
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
        "statuses": statuses,
    }


def http_figures(env: dict, port: int, requests: int, seconds: float, results: int) -> dict:
    server_env = {**env, "OUTBOX_WORKER": "0", "WITHDRAW_SCHEDULE": "0", "RATE_LIMIT_ANONYMOUS": "100000000"}
    proc = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "cli.py"),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-migrate",
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=server_env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            for _ in range(300):
                try:
                    client.get("/api/v1/results?page_size=1")
                    break
                except httpx.TransportError:
                    time.sleep(0.2)
            rnd = random.Random(1)
            usccs = sample_keys(2000)
            years = (2023, 2024, 2025, 2026)
            partner = "371500-xfjy"  # a joint-check partner: a sparser department
            scenarios = {
                "result_detail": lambda: f"/api/v1/results/{rnd.randint(1, results)}",
                "results_by_uscc": lambda: f"/api/v1/results?uscc={rnd.choice(usccs)}",
                "results_by_department_year": lambda: f"/api/v1/results?department={DEPT}&year={rnd.choice(years)}",
                "results_by_partner_department_year": lambda: (
                    f"/api/v1/results?department={partner}&year={rnd.choice(years)}"
                ),
            }
            return {name: measure(client, make, requests, seconds, warmup=200) for name, make in scenarios.items()}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--skip-import", action="store_true", help="reuse the loaded database")
    p.add_argument("--requests", type=int, default=3000, help="requests per scenario (after warm-up)")
    p.add_argument("--seconds", type=float, default=60.0, help="time limit per scenario")
    p.add_argument("--port", type=int, default=8123)
    p.add_argument("--results", type=int, default=1_000_000, help="results in the loaded data (detail ids 1..N)")
    a = p.parse_args()
    env = {**os.environ}
    env.setdefault("DATABASE_URL", f"sqlite:///{OUT / 'bench.sqlite'}")
    env["PYTHONPATH"] = str(ROOT)
    # `gongshi serve` refuses the public default secret; the benchmark's server gets a throwaway one.
    env.setdefault("JWT_SECRET", secrets.token_hex(32))
    engine = "postgresql" if env["DATABASE_URL"].startswith("postgres") else "sqlite"
    figures: dict = {
        "engine": engine,
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "cpus": os.cpu_count(),
        "load_avg": os.getloadavg(),
    }
    if not a.skip_import:
        figures.update(prepare(env))
    figures["http"] = http_figures(env, a.port, a.requests, a.seconds, a.results)
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    checks = []
    if "import_results" in figures:
        checks.append(
            ("import results rows/s", figures["import_results"]["rows_per_s"], TARGETS["import_rows_per_s"], ">=")
        )
    h = figures["http"]
    checks.append(("detail p95 ms", h["result_detail"]["p95_ms"], TARGETS["detail_p95_ms"], "<="))
    for k in ("results_by_uscc", "results_by_department_year", "results_by_partner_department_year"):
        checks.append((f"{k} p95 ms", h[k]["p95_ms"], TARGETS["filtered_p95_ms"], "<="))
    for name, value, target, op in checks:
        ok = value >= target if op == ">=" else value <= target
        print(f"{'PASS' if ok else 'MISS'}  {name}: {value} (target {op} {target})")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"latest-{engine}.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
