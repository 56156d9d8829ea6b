"""Search benchmark: index build rate, latency in-process and over HTTP, throughput, and Datasette
on an FTS5 table of the same records answering the same queries in the same run.

    .venv/bin/python bench/search_bench.py --results 1000000      # the figures in README.md
    .venv/bin/python bench/search_bench.py --results 20000 --duration 5   # a quick look

Data comes from `gongshi demo --results N` (kept in --workdir and reused while N matches).
The 200 queries are a fixed mix drawn with a fixed seed from that data: two-character words with
more than 100,000 hits, single characters, name fragments, whole names, traditional characters,
USCCs, task numbers, seed-document phrases, filtered queries, two-term queries and hostile input.

Datasette gets a table with the same records and an FTS5 index over the same bigram tokens
(so it finds the same records), and each query as the equivalent raw FTS5 expression with the
same filters and facets (type, year, region). Both servers run as one process on this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from urllib.parse import urlencode

from common import ensure_data, free_port, log

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search.embedded import EmbeddedIndex  # noqa: E402
from search.index import SearchDoc  # noqa: E402
from search.text import analyse, fts5_match, query_phrases  # noqa: E402

PY = sys.executable
BIN = Path(PY).parent


async def read_docs(db: Path) -> list[SearchDoc]:
    from db.engine import bind_tables, make_engine
    from search.source import all_public_docs

    bind_tables(make_engine(f"sqlite:///{db}"))
    docs: list[SearchDoc] = []
    async for batch in all_public_docs(5000):
        docs.extend(batch)
    return docs


async def build_index(path: Path, docs: list[SearchDoc]) -> float:
    for p in path.parent.glob(path.name + "*"):
        p.unlink()
    index = EmbeddedIndex(str(path))

    async def batches():
        for i in range(0, len(docs), 5000):
            yield docs[i : i + 5000]

    def children() -> float:
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        return r.ru_utime + r.ru_stime

    t, cpu, kids = time.perf_counter(), time.process_time(), children()
    n = await index.rebuild(batches())
    elapsed = time.perf_counter() - t
    await index.close()
    assert n == len(docs)
    # CPU seconds of this process and of the build's two worker processes (tokenizing, SQLite):
    # on a busy machine wall time says more about the neighbours than about the build.
    log(
        f"  build used {time.process_time() - cpu:.1f} + {children() - kids:.1f} (workers) CPU-seconds"
        f" (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
    )
    return elapsed


def build_datasette_db(path: Path, docs: list[SearchDoc]) -> float:
    for p in path.parent.glob(path.name + "*"):
        p.unlink()
    t = time.perf_counter()
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute(
        "CREATE TABLE docs (id INTEGER PRIMARY KEY, key TEXT, type TEXT, title TEXT, year INTEGER,"
        " region TEXT, published_on TEXT, grams TEXT)"
    )
    con.execute('CREATE VIRTUAL TABLE docs_fts USING fts5 (grams, content="docs", content_rowid="id")')
    con.execute("BEGIN")
    rows = []
    for i, d in enumerate(docs, start=1):
        grams = " ".join(analyse(x)[0] for x in (d.title, d.body, *[e for e in d.exact if e != d.title], d.uscc) if x)
        rows.append(
            (
                i,
                d.key,
                d.type,
                d.title,
                d.year,
                d.region_code,
                d.published_on.isoformat() if d.published_on else None,
                grams,
            )
        )
        if len(rows) == 10000:
            con.executemany("INSERT INTO docs VALUES (?,?,?,?,?,?,?,?)", rows)
            rows = []
    con.executemany("INSERT INTO docs VALUES (?,?,?,?,?,?,?,?)", rows)
    con.execute("COMMIT")
    con.execute("INSERT INTO docs_fts (docs_fts) VALUES ('rebuild')")
    for col in ("type", "year", "region"):
        con.execute(f"CREATE INDEX docs_{col} ON docs ({col})")
    con.execute("PRAGMA journal_mode=WAL")
    con.close()
    return time.perf_counter() - t


# --- the query mix ---------------------------------------------------------------------------


def query_mix(docs: list[SearchDoc], index_path: Path, n: int = 200) -> list[dict]:
    import opencc

    rnd = random.Random(20261125)
    results = [d for d in docs if d.type == "result"]
    texts = [d for d in docs if d.type in ("document", "plan", "guide")]
    s2t = opencc.OpenCC("s2t")
    con = sqlite3.connect(index_path)

    def hits(q: str) -> int:
        m = "{title body} : (" + fts5_match(query_phrases(q)) + ")"
        return con.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", (m,)).fetchone()[0]

    def fragment(s: str, lo: int, hi: int) -> str:
        k = min(len(s), rnd.randint(lo, hi))
        i = rnd.randint(0, len(s) - k)
        return s[i : i + k]

    # Two-character words by frequency in a sample of names: the broad queries.
    counts: dict[str, int] = {}
    for d in rnd.sample(results, min(20000, len(results))):
        for i in range(len(d.title) - 1):
            bg = d.title[i : i + 2]
            if all("\u4e00" <= c <= "\u9fff" for c in bg):
                counts[bg] = counts.get(bg, 0) + 1
    common = [w for w, _ in sorted(counts.items(), key=lambda kv: -kv[1])[:40]]
    broad = [w for w in common if hits(w) > 100_000][:12] or common[:12]
    qs: list[dict] = []
    qs += [{"q": w, "kind": "2-char, broad"} for w in (broad * 3)[:24]]
    qs += [{"q": rnd.choice(common)[0], "kind": "1 character"} for _ in range(10)]
    qs += [{"q": fragment(rnd.choice(results).title, 3, 6), "kind": "name fragment"} for _ in range(40)]
    qs += [{"q": rnd.choice(results).title, "kind": "whole name"} for _ in range(16)]
    qs += [{"q": s2t.convert(fragment(rnd.choice(results).title, 3, 5)), "kind": "traditional"} for _ in range(14)]
    qs += [{"q": rnd.choice(results).uscc, "kind": "USCC"} for _ in range(14)]
    qs += [
        {"q": rnd.choice(results).exact[1] if len(rnd.choice(results).exact) > 1 else "2025", "kind": "task number"}
        for _ in range(12)
    ]
    qs += [
        {"q": fragment(rnd.choice(texts).body, 2, 6).strip() or "双随机", "kind": "seed-document text"}
        for _ in range(20)
    ]
    for _ in range(24):
        f: dict[str, Any] = rnd.choice(
            [
                {"type": "result"},
                {"year": rnd.choice([2023, 2024, 2025])},
                {"region": rnd.choice(results).region_code},
                {"type": "document"},
            ]
        )
        qs.append({"q": rnd.choice(broad + common[:10]), "kind": "filtered", **f})
    qs += [
        {
            "q": f"{fragment(rnd.choice(results).title, 2, 3)} {fragment(rnd.choice(results).title, 2, 3)}",
            "kind": "two terms",
        }
        for _ in range(16)
    ]
    hostile = ['"', "NEAR(公司", "公司 OR 食品", "*", "-(", "丰" * 2000, "", "不存在的名称甲乙丙", 'a"b', "（）"]
    qs += [{"q": h, "kind": "hostile / no hits"} for h in hostile]
    con.close()
    return qs[:n]


# --- measurements ----------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


async def in_process(db: Path, index_path: Path, queries: list[dict]) -> dict:
    from db.engine import bind_tables, make_engine
    from search.service import SearchQuery, search

    bind_tables(make_engine(f"sqlite:///{db}"))
    index = EmbeddedIndex(str(index_path))
    times: list[float] = []
    totals: list[int] = []
    for rnd in range(2):  # the first pass warms caches
        for q in queries:
            sq = SearchQuery(q=q["q"], type=q.get("type"), year=q.get("year"), region=q.get("region"))
            t = time.perf_counter()
            page = await search(index, sq)
            if rnd:
                times.append((time.perf_counter() - t) * 1000)
                totals.append(page.total or 0)
    await index.close()
    by_kind: dict[str, list[float]] = {}
    for q, ms in zip(queries, times, strict=False):
        by_kind.setdefault(q["kind"], []).append(ms)
    return {
        "p50": pct(times, 50),
        "p95": pct(times, 95),
        "max": max(times),
        "by_kind": {k: round(pct(v, 95), 1) for k, v in by_kind.items()},
        "broad_hits_min": min(t for q, t in zip(queries, totals, strict=False) if q["kind"] == "2-char, broad"),
    }


def ours_url(q: dict) -> str:
    params = {"q": q["q"], **{k: q[k] for k in ("type", "year", "region") if k in q}}
    return "/api/v1/search?" + urlencode(params)


def datasette_url(q: dict) -> str:
    phrases = query_phrases(q["q"])
    params: list[tuple[str, str]] = [
        ("_size", "20"),
        ("_nosuggest", "1"),
        ("_facet", "type"),
        ("_facet", "year"),
        ("_facet", "region"),
    ]
    if phrases:
        params += [("_search", fts5_match(phrases)), ("_searchmode", "raw")]
    else:
        params += [("id", "0")]  # no text: nothing, like ours
    if "type" in q:
        params.append(("type", q["type"]))
    if "year" in q:
        params.append(("year", str(q["year"])))
    if "region" in q:
        params.append(("region__startswith", q["region"]))
    return "/datasette/docs.json?" + urlencode(params)


async def http_run(base: str, urls: list[str], concurrency: int, duration: float) -> dict:
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=60) as c:
        for u in urls:  # warm-up, and every query must answer 200
            r = await c.get(u)
            if r.status_code != 200:
                raise RuntimeError(f"{u} -> {r.status_code} {r.text[:300]}")
        lat: list[float] = []
        for u in urls:
            t = time.perf_counter()
            (await c.get(u)).raise_for_status()
            lat.append((time.perf_counter() - t) * 1000)
        done = 0
        stop = time.perf_counter() + duration

        async def worker(k: int) -> None:
            nonlocal done
            i = k
            while time.perf_counter() < stop:
                (await c.get(urls[i % len(urls)])).raise_for_status()
                done += 1
                i += concurrency

        t = time.perf_counter()
        await asyncio.gather(*(worker(k) for k in range(concurrency)))
        rps = done / (time.perf_counter() - t)
    return {"p50": pct(lat, 50), "p95": pct(lat, 95), "max": max(lat), "rps": rps}


def start(cmd: list[str], env: dict, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError as e:
            time.sleep(0.1)
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode()[-2000:] if proc.stderr else "server died") from e
    raise RuntimeError(f"{cmd[0]} did not start")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


async def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--results", type=int, default=1_000_000)
    ap.add_argument("--workdir", default=str(ROOT / "var" / "bench"))
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--duration", type=float, default=20.0, help="seconds of throughput measurement per server")
    ap.add_argument("--skip-datasette", action="store_true")
    args = ap.parse_args()
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    out: dict = {"results": args.results}

    db = ensure_data(work, args.results)
    t = time.perf_counter()
    docs = await read_docs(db)
    out["read_s"] = time.perf_counter() - t
    out["documents"] = len(docs)
    log(f"read {len(docs):,} search documents from the database in {out['read_s']:.1f} s")

    index_path = work / "search.sqlite"
    build_s = await build_index(index_path, docs)
    out["build_s"], out["build_rate"] = build_s, len(docs) / build_s
    out["index_mb"] = index_path.stat().st_size / 1e6
    log(
        f"embedded index: {len(docs):,} documents in {build_s:.1f} s = {out['build_rate']:,.0f} documents/s"
        f" ({out['index_mb']:,.0f} MB)"
    )

    queries = query_mix(docs, index_path)
    out["queries"] = len(queries)
    ds_path = work / "datasette.sqlite"
    if not args.skip_datasette:
        out["datasette_build_s"] = build_datasette_db(ds_path, docs)
        log(f"datasette table + FTS5: built in {out['datasette_build_s']:.1f} s")
    del docs

    r = await in_process(db, index_path, queries)
    out["in_process"] = r
    log(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    log(
        f"in-process ({len(queries)} queries): p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms, max {r['max']:.1f} ms;"
        f" broad 2-char queries have ≥ {r['broad_hits_min']:,} hits"
    )
    log("  p95 by kind: " + ", ".join(f"{k} {v} ms" for k, v in r["by_kind"].items()))

    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "SEARCH_PATH": str(index_path),
        "OUTBOX_WORKER": "0",
        "RATE_LIMIT_ANONYMOUS": "1000000000",
        "SEARCH_BACKEND": "embedded",
        "WITHDRAW_SCHEDULE": "0",
        "DEMO_MODE": "1",  # a local benchmark server: the default JWT_SECRET is fine
    }  # the daily stop-of-publicity job would change the data mid-run
    proc = start(
        [
            str(BIN / "gongshi"),
            "serve",
            "--no-migrate",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env,
        port,
    )
    try:
        ours = await http_run(
            f"http://127.0.0.1:{port}", [ours_url(q) for q in queries], args.concurrency, args.duration
        )
    finally:
        stop(proc)
    out["http"] = ours
    log(
        f"HTTP (gongshi serve, 1 process): p50 {ours['p50']:.1f} ms, p95 {ours['p95']:.1f} ms,"
        f" {ours['rps']:.0f} requests/s at concurrency {args.concurrency}"
    )

    if not args.skip_datasette:
        port = free_port()
        proc = start(
            [
                str(BIN / "datasette"),
                "serve",
                str(ds_path),
                "--port",
                str(port),
                "--immutable",
                str(ds_path),
                "--setting",
                "sql_time_limit_ms",
                "5000",
                "--setting",
                "default_page_size",
                "20",
            ],
            {**os.environ},
            port,
        )
        try:
            ds = await http_run(
                f"http://127.0.0.1:{port}", [datasette_url(q) for q in queries], args.concurrency, args.duration
            )
        finally:
            stop(proc)
        out["datasette"] = ds
        out["ratio"] = ours["rps"] / ds["rps"]
        log(
            f"Datasette (same records, same queries): p50 {ds['p50']:.1f} ms, p95 {ds['p95']:.1f} ms,"
            f" {ds['rps']:.0f} requests/s → gongshi/Datasette throughput = {out['ratio']:.1f}×"
        )

    log(
        "targets: "
        + ", ".join(
            [
                f"p95 over HTTP ≤ 50 ms: {'met' if ours['p95'] <= 50 else 'MISSED'} ({ours['p95']:.1f})",
                f"build ≥ 20,000 documents/s: {'met' if out['build_rate'] >= 20000 else 'MISSED'} ({out['build_rate']:,.0f})",
                *(
                    [f"≥ 2× Datasette: {'met' if out['ratio'] >= 2 else 'MISSED'} ({out['ratio']:.1f}×)"]
                    if "ratio" in out
                    else []
                ),
            ]
        )
    )
    (work / "results.json").write_text(json.dumps(out, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
