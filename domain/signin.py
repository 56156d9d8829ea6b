"""Sign-in (one use case for the API token, the portal's enterprise sign-in and the back office).

- The password is checked in a worker thread (scrypt costs about 50 ms of CPU: on the event loop
  it would stall every other request), at most a few at a time (each scrypt holds 16 MiB).
- An unknown or inactive username costs the same scrypt as a wrong password, so response time
  does not tell which usernames exist.
- Failed attempts are counted per account and per client address in fixed windows
  (issue 13 item 1: e.g. 10 per 10 minutes); once either count reaches its limit every attempt
  for that account or from that address answers 429 with the wait, the right password included,
  until the window ends. Each attempt is counted before its password is checked (a burst of
  parallel guesses cannot all pass a check made before any of them failed); a successful one
  takes its count back, so successes are not counted.

Which roles a sign-in serves is the caller's business (checked after the password, so a refusal
never tells a role apart from a wrong password).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Protocol

import anyio
import anyio.to_thread

from domain.auth import check_password
from domain.errors import TooManyRequests, Unauthorized

WRONG = "用户名或密码错误 (wrong username or password)"
# A well-formed stored hash no password matches: an unknown username runs the same scrypt.
_DUMMY_HASH = "scrypt$16384$" + "00" * 16 + "$" + "00" * 64


@dataclass(frozen=True)
class Throttle:
    per_account: int = 10
    per_client: int = 30
    window_seconds: int = 600


class Hit(Protocol):
    allowed: bool
    reset: int  # seconds until the window ends


class Counter(Protocol):
    """A shared counter store (the app's rate limiter: memory, or Redis across workers)."""

    async def hit(self, key: str, limit: int, window: int = 60) -> Hit: ...

    async def undo(self, key: str, window: int = 60) -> None: ...


class Users(Protocol):
    async def by_username(self, username: str) -> dict[str, Any] | None: ...


_limiter: anyio.CapacityLimiter | None = None


def _hash_limiter() -> anyio.CapacityLimiter:
    global _limiter  # created lazily, inside the running event loop
    if _limiter is None:
        _limiter = anyio.CapacityLimiter(4)
    return _limiter


async def password_matches(password: str, stored: str) -> bool:
    """check_password in a worker thread, off the event loop."""
    return await anyio.to_thread.run_sync(check_password, password, stored, limiter=_hash_limiter())


def _keys(username: str, client: str) -> tuple[str, str]:
    return f"signin:user:{username.casefold()}", f"signin:ip:{client}"


def _throttled(waits: list[int]) -> TooManyRequests:
    wait = max(waits)
    minutes = math.ceil(wait / 60)
    return TooManyRequests(
        f"登录失败次数过多，请 {minutes} 分钟后再试 (too many failed sign-ins; try again in {wait} s)",
        retry_after=wait,
    )


async def authenticate(
    users: Users, counter: Counter, throttle: Throttle, username: str, password: str, client: str
) -> dict[str, Any]:
    """The active account whose password this is, or Unauthorized (401, one message for every
    wrong part) / TooManyRequests (429 with retry_after)."""
    username = (username or "").strip()
    user_key, ip_key = _keys(username, client)
    # Counted before the password is checked, so a burst of parallel guesses cannot all slip in
    # under the limit; a successful sign-in takes its count back.
    hits = [
        await counter.hit(user_key, throttle.per_account, throttle.window_seconds),
        await counter.hit(ip_key, throttle.per_client, throttle.window_seconds),
    ]
    if not all(h.allowed for h in hits):
        raise _throttled([h.reset for h in hits if not h.allowed])
    row = await users.by_username(username) if username else None
    stored = row["password_hash"] if row is not None and row["active"] else _DUMMY_HASH
    ok = await password_matches(password or "", stored)
    if row is None or not row["active"] or not ok:
        raise Unauthorized(WRONG)
    await counter.undo(user_key, throttle.window_seconds)
    await counter.undo(ip_key, throttle.window_seconds)
    return row
