"""Sign-in (one use case for the API token, the portal's enterprise sign-in and the back office).

- The password is checked in a worker thread (scrypt costs about 50 ms of CPU: on the event loop
  it would stall every other request), at most a few at a time (each scrypt holds 16 MiB).
- An unknown or inactive username costs the same scrypt as a wrong password, so response time
  does not tell which usernames exist.
- Failed attempts are counted per account and per client address in fixed windows
  (issue 13 item 1: e.g. 10 per 10 minutes); once either count reaches its limit every attempt
  for that account or from that address answers 429 with the wait, the right password included,
  until the window ends. Successful sign-ins are not counted.

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


class Counter(Protocol):
    """A shared counter store (the app's rate-limit store: memory, or Redis across workers)."""

    async def peek(self, key: str, window: int) -> tuple[int, int]:
        """(count in the current window, seconds until it ends)"""
        ...

    async def hit(self, key: str, limit: int, window: int = 60) -> Any: ...


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


async def _check_throttle(counter: Counter, throttle: Throttle, username: str, client: str) -> None:
    user_key, ip_key = _keys(username, client)
    waits = []
    for key, limit in ((user_key, throttle.per_account), (ip_key, throttle.per_client)):
        count, reset = await counter.peek(key, throttle.window_seconds)
        if count >= limit:
            waits.append(reset)
    if waits:
        wait = max(waits)
        minutes = math.ceil(wait / 60)
        raise TooManyRequests(
            f"登录失败次数过多，请 {minutes} 分钟后再试 (too many failed sign-ins; try again in {wait} s)",
            retry_after=wait,
        )


async def authenticate(
    users: Users, counter: Counter, throttle: Throttle, username: str, password: str, client: str
) -> dict[str, Any]:
    """The active account whose password this is, or Unauthorized (401, one message for every
    wrong part) / TooManyRequests (429 with retry_after)."""
    username = (username or "").strip()
    await _check_throttle(counter, throttle, username, client)
    row = await users.by_username(username) if username else None
    stored = row["password_hash"] if row is not None and row["active"] else _DUMMY_HASH
    ok = await password_matches(password or "", stored)
    if row is None or not row["active"] or not ok:
        user_key, ip_key = _keys(username, client)
        await counter.hit(user_key, throttle.per_account, throttle.window_seconds)
        await counter.hit(ip_key, throttle.per_client, throttle.window_seconds)
        raise Unauthorized(WRONG)
    return row
