"""When a temporary upload folder counts as abandoned.

A request streaming an upload keeps writing to its folder, and no request lives for hours, so a
folder whose newest modification is older than the threshold belongs to a process that died
mid-upload (SIGKILL, power loss, out of memory) and will never be cleaned up by its request.
"""

from __future__ import annotations

import math

DEFAULT_OLDER_THAN_HOURS = 24.0


def older_than_seconds(hours: float) -> float:
    """The threshold in seconds; it must be a positive, finite number of hours."""
    if not (hours > 0) or math.isinf(hours):
        raise ValueError(f"the age must be a positive number of hours, got {hours!r}")
    return hours * 3600.0


def is_abandoned(newest_mtime: float, now: float, older_than: float) -> bool:
    """True when nothing in the folder was modified within `older_than` seconds before `now`.

    A modification time in the future (a clock set back) keeps the folder: it may be in use."""
    return newest_mtime < now - older_than
