"""Guide files on disk under FILES_DIR, content-addressed (guides/ab/abcdef….pdf).

Content addressing makes a write idempotent and lets a failed publication remove exactly
the files it created (a file that existed before may belong to another version)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class StoredFile:
    format: str
    filename: str
    path: str  # relative to files_dir
    bytes: int
    sha256: str
    created: bool  # False when identical content was already stored

    def row(self) -> dict:
        return {
            "format": self.format,
            "filename": self.filename,
            "path": self.path,
            "bytes": self.bytes,
            "sha256": self.sha256,
        }


def store(files_dir: str, data: bytes, fmt: str, filename: str) -> StoredFile:
    digest = hashlib.sha256(data).hexdigest()
    rel = f"guides/{digest[:2]}/{digest}.{fmt}"
    target = Path(files_dir) / rel
    if target.is_file() and target.stat().st_size == len(data):
        return StoredFile(fmt, filename, rel, len(data), digest, created=False)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Write to a temporary file and rename: a reader never sees a half-written file.
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return StoredFile(fmt, filename, rel, len(data), digest, created=True)


def remove_created(files_dir: str, stored: list[StoredFile]) -> None:
    """Undo `store` for the files this attempt created (called when the database write failed)."""
    for f in stored:
        if f.created:
            (Path(files_dir) / f.path).unlink(missing_ok=True)
