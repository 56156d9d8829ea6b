"""File imports started from the back office (/admin/imports): one folder per uploaded file.

The page runs the same command a shell user runs (`gongshi import KIND FILE --as USERNAME`, so
the same checking, the same all-or-nothing transaction, the same audit log and search outbox) in
a child process, so a large file neither blocks the server nor dies with the request. Two runs
per file: a check (`--check-only`: every check an import makes, then rolled back) whose report
the officer reads, and — after the officer confirms the counts — the import itself.

    FILES_DIR/imports/<id>/
        job.json            who uploaded what, when (written once by the server)
        upload.csv|.xlsx    the file as uploaded (streamed to disk)
        check.json          the check run's state, progress and outcome (written by the child)
        check-report.csv    every problem the check found (row, column, problem)
        import.json         the import run's state, likewise
        import-report.csv
        confirm.lock        created once by the confirmation (a repeated confirmation does nothing)

Run files are replaced atomically (written beside, then renamed), so the page never reads half
of one, and every process on the host reads the same state (several server workers included).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import secrets
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from settings import Settings

SUBDIR = "imports"
RUNS = ("check", "import")
SUFFIXES = (".csv", ".xlsx")
STALE_SECONDS = 30.0  # a run whose process is gone and that wrote nothing for this long failed
_children: set[asyncio.Task[Any]] = set()  # keeps the reapers alive until their child ends


def jobs_root(files_dir: str) -> Path:
    return Path(files_dir) / SUBDIR


def is_job_id(value: str) -> bool:
    return len(value) == 16 and all(c in "0123456789abcdef" for c in value)


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Replace `path` atomically: a reader sees the old file or the new one, never half."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8")
    os.replace(tmp, path)


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    return data if isinstance(data, dict) else None


class RunStatus:
    """What the child process tells the page (`gongshi import --status-file`): its state
    (running → done | rejected | failed), the phase and rows checked so far, and the outcome."""

    def __init__(self, path: Path, every: float = 0.3) -> None:
        self.path, self.every = path, every
        self.data: dict[str, Any] = {"state": "running", "phase": "starting", "rows_done": 0, "pid": os.getpid()}
        self._last = 0.0
        self._write()

    def _write(self) -> None:
        self.data["updated_at"] = time.time()
        write_json(self.path, self.data)

    def progress(self, phase: str, rows_done: int, rows_total: int | None) -> None:
        self.data.update(phase=phase, rows_done=rows_done, rows_total=rows_total)
        now = time.monotonic()
        if phase != "checking" or now - self._last >= self.every:
            self._last = now
            self._write()

    def finish(self, state: str, **outcome: Any) -> None:
        self.data.update(state=state, phase="finished", **outcome)
        self._write()


@dataclass
class Run:
    state: str  # queued, running, done, rejected, failed
    phase: str = ""
    rows_done: int = 0
    rows_total: int | None = None
    rows: int = 0
    valid: int = 0
    stored: int = 0
    problems: int = 0
    seconds: float = 0.0
    message: str = ""

    @property
    def percent(self) -> int | None:
        if not self.rows_total:
            return None
        return min(99, int(100 * self.rows_done / self.rows_total)) if self.state == "running" else 100


@dataclass
class Job:
    id: str
    dir: Path
    kind: str
    filename: str
    encoding: str
    actor: str
    department_code: str
    created_at: str
    runs: dict[str, Run] = field(default_factory=dict)
    confirmed: bool = False

    @property
    def upload(self) -> Path:
        return next((p for p in (self.dir / f"upload{s}" for s in SUFFIXES) if p.exists()), self.dir / "upload.csv")

    def report(self, run: str) -> Path:
        return self.dir / f"{run}-report.csv"

    @property
    def state(self) -> str:
        """checking → rejected | checked → importing → imported | import_rejected | failed."""
        check, imp = self.runs.get("check"), self.runs.get("import")
        if imp is not None or self.confirmed:
            if imp is None or imp.state in ("queued", "running"):
                return "importing"
            return {"done": "imported", "rejected": "import_rejected"}.get(imp.state, "failed")
        if check is None or check.state in ("queued", "running"):
            return "checking"
        return {"done": "checked", "rejected": "rejected"}.get(check.state, "failed")

    @property
    def running(self) -> bool:
        return self.state in ("checking", "importing")


def new_job(
    files_dir: str, kind: str, filename: str, encoding: str, actor: str, department_code: str
) -> tuple[str, Path]:
    """A new job folder (the upload is streamed into it by the caller); (id, folder)."""
    job_id = secrets.token_hex(8)
    folder = jobs_root(files_dir) / job_id
    folder.mkdir(parents=True)
    write_json(
        folder / "job.json",
        {
            "id": job_id,
            "kind": kind,
            "filename": filename,
            "encoding": encoding,
            "actor": actor,
            "department_code": department_code,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        },
    )
    return job_id, folder


def _pid_alive(pid: Any) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _run(folder: Path, name: str) -> Run | None:
    data = _read_json(folder / f"{name}.json")
    if data is None:
        started = folder / f"{name}.started"
        if not started.exists():
            return None
        if time.time() - started.stat().st_mtime > STALE_SECONDS:
            return Run(state="failed", message="导入进程未能启动 (the import process did not start)")
        return Run(state="queued")
    state = str(data.get("state", "failed"))
    message = str(data.get("message", ""))
    stale = time.time() - float(data.get("updated_at", 0)) > STALE_SECONDS
    if state == "running" and stale and not _pid_alive(data.get("pid")):
        state = "failed"
        message = "导入进程意外结束，未导入任何数据 (the import process ended before finishing; nothing was stored)"
    return Run(
        state=state,
        phase=str(data.get("phase", "")),
        rows_done=int(data.get("rows_done") or 0),
        rows_total=data.get("rows_total"),
        rows=int(data.get("rows") or 0),
        valid=int(data.get("valid") or 0),
        stored=int(data.get("stored") or 0),
        problems=int(data.get("problems") or 0),
        seconds=float(data.get("seconds") or 0.0),
        message=message,
    )


def load_job(files_dir: str, job_id: str) -> Job | None:
    if not is_job_id(job_id):
        return None
    folder = jobs_root(files_dir) / job_id
    meta = _read_json(folder / "job.json")
    if meta is None:
        return None
    job = Job(
        id=job_id,
        dir=folder,
        kind=str(meta["kind"]),
        filename=str(meta["filename"]),
        encoding=str(meta.get("encoding", "utf-8")),
        actor=str(meta["actor"]),
        department_code=str(meta.get("department_code") or ""),
        created_at=str(meta["created_at"]),
        confirmed=(folder / "confirm.lock").exists(),
    )
    for name in RUNS:
        run = _run(folder, name)
        if run is not None:
            job.runs[name] = run
    return job


def department_jobs(files_dir: str, department_code: str, limit: int = 20) -> list[Job]:
    """The department's jobs, newest first."""
    root = jobs_root(files_dir)
    if not root.is_dir():
        return []
    metas = []
    for folder in root.iterdir():
        meta = _read_json(folder / "job.json")
        if meta and (meta.get("department_code") or "") == department_code:
            metas.append((str(meta.get("created_at", "")), folder.name))
    metas.sort(reverse=True)
    return [j for _, i in metas[:limit] if (j := load_job(files_dir, i)) is not None]


def claim_confirmation(job: Job) -> bool:
    """True for the one confirmation that starts the import; a repeated one gets False."""
    try:
        fd = os.open(job.dir / "confirm.lock", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def command(job: Job, run: str) -> list[str]:
    args = [
        sys.executable,
        "-m",
        "cli",
        "import",
        job.kind,
        str(job.upload),
        "--as",
        job.actor,
        "--encoding",
        job.encoding,
        "--no-progress",
        "--status-file",
        str(job.dir / f"{run}.json"),
        "--report",
        str(job.report(run)),
        "--max-problems",
        "0",
    ]
    if run == "check":
        args.append("--check-only")
    return args


async def start(job: Job, run: str, settings: Settings) -> None:
    """Start `gongshi import` for the job in a child process and return at once; the child
    writes `<run>.json` as it goes. The child gets this server's database and files settings."""
    (job.dir / f"{run}.started").touch()
    env = dict(os.environ, DATABASE_URL=settings.database_url, FILES_DIR=settings.files_dir)
    root = Path(__file__).resolve().parents[1]
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(root), env.get("PYTHONPATH", "")) if p)
    log = open(job.dir / f"{run}.log", "wb")  # noqa: SIM115 (handed to the child, closed by the reaper)
    try:
        proc = await asyncio.create_subprocess_exec(
            *command(job, run), stdout=log, stderr=log, stdin=asyncio.subprocess.DEVNULL, env=env, cwd=str(root)
        )
    except BaseException:
        log.close()
        raise

    async def reap() -> None:
        try:
            await proc.wait()
        finally:
            log.close()

    task = asyncio.get_running_loop().create_task(reap())
    _children.add(task)
    task.add_done_callback(_children.discard)


def report_rows(path: Path, limit: int) -> tuple[list[list[str]], int]:
    """The first `limit` problems of a report CSV and how many it holds."""
    import csv

    if not path.exists():
        return [], 0
    rows: list[list[str]] = []
    total = 0
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        next(reader, None)
        for row in reader:
            total += 1
            if len(rows) < limit:
                rows.append(row)
    return rows, total
