"""`gongshi sweep-uploads`, and the same sweep in the web process at start-up and then daily.

Removes the temporary upload folders (`FILES_DIR/tmp/upload-*`) left behind by a process killed
mid-upload; see `db/upload_tmp.py` for what is removed and what never is.
"""

from __future__ import annotations

import argparse
import asyncio
import logging

from ops.jobs import recorded
from settings import Settings

log = logging.getLogger("gongshi.uploads")
DAY = 24 * 3600.0


def run_once(files_dir: str, older_than_hours: float | None = None):
    from db.upload_tmp import sweep
    from domain.temp_uploads import DEFAULT_OLDER_THAN_HOURS, older_than_seconds

    hours = DEFAULT_OLDER_THAN_HOURS if older_than_hours is None else older_than_hours
    return sweep(files_dir, older_than_seconds(hours))


async def daily(files_dir: str, every: float = DAY) -> None:
    """Sweep once at start-up (in a worker thread, so start-up is not held up), then every day."""
    while True:
        try:
            async with recorded("sweep_uploads"):
                swept = await asyncio.to_thread(run_once, files_dir)
            if swept.removed:
                log.info(
                    "sweep-uploads: removed %d abandoned upload folder(s), %d bytes: %s",
                    len(swept.removed),
                    swept.bytes,
                    ", ".join(swept.removed),
                )
        except asyncio.CancelledError:
            raise
        except Exception:  # a failed sweep is tried again the next day, never kills the app
            log.exception("sweep-uploads failed")
        await asyncio.sleep(every)


def _hours(raw: str) -> float:
    from domain.temp_uploads import older_than_seconds

    try:
        hours = float(raw)
        older_than_seconds(hours)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a positive number of hours, got {raw!r}") from None
    return hours


def cmd_sweep_uploads(settings: Settings, args: argparse.Namespace) -> int:
    swept = run_once(settings.files_dir, args.older_than)
    for name in swept.removed:
        print(f"removed {settings.files_dir}/tmp/{name}")
    print(f"swept: folders={len(swept.removed)} bytes={swept.bytes} kept={swept.kept}")
    return 0


def register(sub) -> None:
    s = sub.add_parser(
        "sweep-uploads",
        help="remove temporary upload folders (FILES_DIR/tmp/upload-*) left behind by a killed process",
        description="Remove FILES_DIR/tmp/upload-* folders in which nothing was modified for --older-than "
        "hours (default 24): leftovers of a process killed mid-upload. Nothing else is touched "
        "and symbolic links are removed as links, never followed.",
    )
    s.add_argument(
        "--older-than",
        type=_hours,
        default=None,
        metavar="HOURS",
        help="age of the newest file in a folder before it counts as abandoned (default 24)",
    )
    s.set_defaults(func=cmd_sweep_uploads)
