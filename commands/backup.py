"""`gongshi backup DIR` and `gongshi restore DIR [--force]` (ops/backup.py): the database and
FILES_DIR with a manifest of row counts and checksums; a restore checks the backup first, then
the counts after, and rebuilds the search index."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("backup", help="copy the database and FILES_DIR to a new folder, with a manifest")
    s.add_argument("folder", type=Path)
    s.set_defaults(func=run_backup)
    s = sub.add_parser("restore", help="restore a backup folder into DATABASE_URL and FILES_DIR")
    s.add_argument("folder", type=Path)
    s.add_argument("--force", action="store_true", help="replace a database that already holds records")
    s.add_argument("--no-reindex", dest="reindex", action="store_false", help="do not rebuild the search index")
    s.set_defaults(func=run_restore)


def run_backup(settings: Settings, args: argparse.Namespace) -> int:
    from ops.backup import BackupError, backup

    try:
        s = backup(settings, args.folder)
    except BackupError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"backed up {s.rows} rows and {s.files} files ({s.bytes:,} bytes) to {s.folder}")
    return 0


def run_restore(settings: Settings, args: argparse.Namespace) -> int:
    from ops.backup import BackupError, restore

    try:
        restored = restore(settings, args.folder, force=args.force)
    except BackupError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(
        f"restored {sum(restored.values())} rows in {len(restored)} tables from {args.folder}; the counts match the backup"
    )
    if args.reindex:
        from commands.search import _with_db, reindex

        asyncio.run(_with_db(settings, lambda: reindex(settings)))
    return 0
