"""The temporary upload folders under FILES_DIR/tmp, and the sweep of abandoned ones.

A complaint's body is streamed into `FILES_DIR/tmp/upload-<hex>` (`api/uploads.new_tmp_dir`) and the
request removes the folder when it ends, whatever happens. A process killed mid-upload cannot: its
folder stays. `sweep` removes the entries of FILES_DIR/tmp whose names start with one of `PREFIXES`
and whose newest modification time (the folder's own and everything inside it, read without
following symbolic links) is older than the threshold (`domain.temp_uploads.is_abandoned`).

Safety: only direct entries of FILES_DIR/tmp with a known prefix are candidates; FILES_DIR/tmp
itself and everything else under FILES_DIR are never touched. Symbolic links are never followed:
a link is removed as a link, its target is left alone, and a link's own time counts, not its
target's. A folder or file that vanishes while the sweep works (its request finished and removed
it, or moved the file into place) is skipped, not an error.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

from domain.temp_uploads import is_abandoned

log = logging.getLogger("gongshi.uploads")

TMP_DIR = "tmp"
# Every name pattern the code uses for temporary folders in FILES_DIR/tmp (api/uploads.new_tmp_dir).
PREFIXES = ("upload-",)


@dataclass
class Swept:
    removed: list[str] = field(default_factory=list)  # names of the removed entries of FILES_DIR/tmp
    bytes: int = 0  # size of the regular files removed
    kept: int = 0  # candidates still in use (modified within the threshold)


def tmp_root(files_dir: str | os.PathLike[str]) -> Path:
    return Path(files_dir) / TMP_DIR


def newest_mtime(path: str | os.PathLike[str]) -> float | None:
    """The newest modification time of `path` and everything below it, without following links;
    None when `path` itself has vanished."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    newest = st.st_mtime
    if stat.S_ISDIR(st.st_mode):
        try:
            entries = list(os.scandir(path))
        except (FileNotFoundError, NotADirectoryError):
            return newest
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                t = newest_mtime(entry.path)
            else:
                try:
                    t = entry.stat(follow_symlinks=False).st_mtime
                except FileNotFoundError:
                    t = None
            if t is not None and t > newest:
                newest = t
    return newest


def remove_tree(path: str | os.PathLike) -> int:
    """Remove `path` (a folder with its contents, or a single file or link) without following links;
    return the bytes of the regular files in it. Whatever has already vanished is skipped; a folder
    written into meanwhile is left (not empty) for the next sweep to judge again."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return 0
    if not stat.S_ISDIR(st.st_mode):  # a file, or a link (to a folder or not): unlink the entry itself
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        return st.st_size if stat.S_ISREG(st.st_mode) else 0
    size = sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file() and not f.is_symlink())

    def tolerate(_func, _path, exc_info) -> None:
        e = exc_info[1]
        if not (isinstance(e, FileNotFoundError) or (isinstance(e, OSError) and e.errno == errno.ENOTEMPTY)):
            raise e

    shutil.rmtree(path, onerror=tolerate)  # unlinks links inside, never follows them
    return size


def sweep(files_dir: str | os.PathLike, older_than: float, now: float | None = None) -> Swept:
    """Remove the abandoned temporary upload folders (see the module's docstring).
    `older_than` is in seconds (`domain.temp_uploads.older_than_seconds`)."""
    root = tmp_root(files_dir)
    swept = Swept()
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return swept  # no upload has ever been made
    now = time.time() if now is None else now
    for entry in entries:
        if not entry.name.startswith(PREFIXES):
            continue
        try:
            newest = newest_mtime(entry.path)
            if newest is None:  # its request finished and removed it meanwhile
                continue
            if not is_abandoned(newest, now, older_than):
                swept.kept += 1
                continue
            swept.bytes += remove_tree(entry.path)
        except OSError as e:  # e.g. a file the server may not read or delete: say so, go on with the others
            log.warning("could not sweep %s: %s", entry.path, e)
        if os.path.lexists(entry.path):
            swept.kept += 1
        else:
            swept.removed.append(entry.name)
    return swept
