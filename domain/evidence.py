"""Correction evidence (整改材料) attached to repair applications and objections.

The type is read from the file's content (magic bytes, via `filetype`), never from its name or
the browser's Content-Type: a renamed executable is refused whatever it is called.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

import filetype

from domain.errors import FieldError

# MIME type found in the content → extension used on disk.
ALLOWED = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
MAX_FILES = 10


@dataclass(frozen=True)
class EvidenceFile:
    filename: str  # as given, cleaned for display only
    content_type: str
    ext: str
    data: bytes
    sha256: str
    kind: str = "other"  # what the file is (domain.repair.MATERIAL_KINDS for repair applications)

    @property
    def size(self) -> int:
        return len(self.data)


def clean_name(name: str) -> str:
    """Keep the name for display: no path parts, no control characters, at most 200 characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return (base or "attachment")[:200]


FileIn = tuple[str, bytes] | tuple[str, bytes, str]  # (filename, data) or (filename, data, kind)


def check_files(
    files: Sequence[FileIn], max_bytes: int, field: str = "attachments"
) -> tuple[list[EvidenceFile], list[FieldError]]:
    """Every problem at once, each naming the file's position in the request. A file may carry
    its kind as a third element (default `other`)."""
    errs: list[FieldError] = []
    out: list[EvidenceFile] = []
    if len(files) > MAX_FILES:
        errs.append(FieldError(field, f"最多 {MAX_FILES} 个附件 (at most {MAX_FILES} files, got {len(files)})"))
        return [], errs
    for i, item in enumerate(files):
        name, data = item[0], item[1]
        file_kind = item[2] if len(item) > 2 else "other"
        where = f"{field}[{i}]"
        if not data:
            errs.append(FieldError(where, f"文件 {clean_name(name)} 为空 (the file is empty)"))
            continue
        if len(data) > max_bytes:
            errs.append(
                FieldError(
                    where,
                    f"文件 {clean_name(name)} 超过 {max_bytes} 字节 "
                    f"(the file has {len(data)} bytes; the limit is {max_bytes})",
                )
            )
            continue
        kind = filetype.guess(data)
        mime = kind.mime if kind else ""
        if mime not in ALLOWED:
            errs.append(
                FieldError(
                    where,
                    f"文件 {clean_name(name)} 不是 PDF、JPG 或 PNG "
                    f"(only PDF, JPG and PNG are accepted; the content is "
                    f"{mime or 'not a recognised type'})",
                )
            )
            continue
        out.append(
            EvidenceFile(clean_name(name), mime, ALLOWED[mime], data, hashlib.sha256(data).hexdigest(), file_kind)
        )
    return (out if not errs else []), errs
