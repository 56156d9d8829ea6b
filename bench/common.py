"""Helpers shared by the benchmarks: logging, a free loopback port, and the demo database
they run on (generated once with `gongshi demo`, reused while its size matches)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def log(msg: str) -> None:
    print(msg, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_data(workdir: Path, results: int) -> Path:
    """workdir/db.sqlite holding `results` demo results; regenerated when the size differs."""
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "db.sqlite"
    marker = workdir / "db.results"
    if db.exists() and marker.exists() and marker.read_text().strip() == str(results):
        log(f"data: reusing {db} ({results:,} results)")
        return db
    for p in workdir.glob("db.sqlite*"):
        p.unlink()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    t = time.perf_counter()
    subprocess.run([str(BIN / "gongshi"), "migrate"], env=env, check=True, capture_output=True, cwd=ROOT)
    subprocess.run(
        [str(BIN / "gongshi"), "demo", "--results", str(results), "--no-progress"],
        env=env,
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    marker.write_text(str(results))
    log(f"data: gongshi demo --results {results:,} took {time.perf_counter() - t:.0f} s")
    return db
