"""Builders for the complaint tests: departments, scan records, bodies, small real media files."""

from __future__ import annotations

import datetime as dt
import random
import struct
import zlib
from pathlib import Path

from db.tables import Attachment, AuditLog, Complaint, ComplaintEvent, Department, ScanRecord

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
DEPT, OTHER_DEPT, FAR_DEPT = "371500-scjg", "371500-sthj", "140000-scjg"
PHONE = "13812345678"


async def add_departments() -> None:
    await Department.insert(
        Department(code=DEPT, name="聊城市市场监督管理局", short_name="市场监管局", region_code="371500"),
        Department(code=OTHER_DEPT, name="聊城市生态环境局", short_name="生态环境局", region_code="371500"),
        Department(code=FAR_DEPT, name="山西省市场监督管理局", short_name="市场监管局", region_code="140000"),
    )


async def add_scan(
    uscc: str,
    at: dt.datetime,
    method: str = "scan",
    dept: str = DEPT,
    creds: list[str] | None = None,
    location: str = "",
) -> None:
    await ScanRecord.insert(
        ScanRecord(
            uscc=uscc,
            department_code=dept,
            officer_credentials=creds or ["3715001", "3715002"],
            scanned_at=at,
            method=method,
            location=location,
        )
    )


def visit_time(hours_ago: float = 2) -> dt.datetime:
    return (dt.datetime.now(SHANGHAI) - dt.timedelta(hours=hours_ago)).replace(microsecond=0)


def body(uscc: str, **kw) -> dict:
    b = {
        "uscc": uscc,
        "enterprise_name": "聊城市丰华食品有限公司",
        "contact_name": "王建国",
        "contact_phone": PHONE,
        "visited_at": visit_time().isoformat(),
        "place": "聊城市东昌府区柳园路18号",
        "department": DEPT,
        "officers": ["李明", "执法证 3715001"],
        "scanned": "no",
        "description": "两名执法人员进入生产车间检查，未扫描营业执照二维码，也未出示检查任务单。",
    }
    b.update(kw)
    return b


def client_ip() -> tuple[str, int]:
    """A fresh client address per test: the rate-limit counters live as long as the app."""
    r = random.Random()
    return f"10.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}", 50000


def png(extra: int = 0) -> bytes:
    def chunk(t: bytes, d: bytes) -> bytes:
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
        + b"\x00" * extra
    )


def jpg(extra: int = 300) -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * extra + b"\xff\xd9"


def mp4(extra: int = 400) -> bytes:
    return b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * extra


async def snapshot() -> tuple[int, ...]:
    return (await Complaint.count(), await ComplaintEvent.count(), await Attachment.count(), await AuditLog.count())


def stray_files(files_dir: Path) -> list[Path]:
    """Every file under FILES_DIR's complaint and temporary folders."""
    return (
        [p for d in ("complaints", "tmp") for p in (files_dir / d).rglob("*") if p.is_file()]
        if files_dir.exists()
        else []
    )
