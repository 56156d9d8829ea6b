"""Rate limits with RateLimit-* headers on every API response.

Fixed one-minute windows counted in a Litestar store (memory by default, Redis when REDIS_URL
is set, so several workers share the count). Anonymous callers are counted by client address;
a valid API key (header `X-API-Key`) gets its own, higher limit. Other parts (complaint filing,
lookups) call `RateLimiter.hit` with their own keys and limits.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass
from typing import Any

from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from settings import Settings


@dataclass
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # seconds until the window ends

    def headers(self) -> dict[str, str]:
        h = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset),
        }
        if not self.allowed:
            h["Retry-After"] = str(self.reset)
        return h


# Redis counts in one step on the server, so any number of workers share a window exactly:
# INCR, and the expiry set by the hit that created the key (the window's end plus a second).
_INCR = "local c = redis.call('INCR', KEYS[1]) if c == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end return c"
# A hit taken back (a sign-in that turned out right) never takes the count below zero.
_DECR = "local c = tonumber(redis.call('GET', KEYS[1]) or '0') if c > 0 then return redis.call('DECR', KEYS[1]) end return 0"
NAMESPACE = "gongshi"
REDIS_CONNECTIONS = 32  # per worker


class RateLimiter:
    """Fixed-window counters: in the process's memory (one worker), or in Redis (`redis` given:
    the client behind the RedisStore), counted atomically there by Lua scripts."""

    def __init__(self, store: Store, redis: Any = None) -> None:
        self.store = store
        self._lock = asyncio.Lock()
        self._incr = redis.register_script(_INCR) if redis is not None else None
        self._decr = redis.register_script(_DECR) if redis is not None else None

    @staticmethod
    def _window(key: str, window: int) -> tuple[str, int]:
        now = time.time()
        start = math.floor(now / window) * window
        return f"rl:{key}:{int(start)}", max(1, int(start + window - now))

    async def undo(self, key: str, window: int = 60) -> None:
        """Take one hit back in the current window (a sign-in that turned out right)."""
        k, _reset = self._window(key, window)
        if self._decr is not None:
            await self._decr(keys=[f"{NAMESPACE}:{k}"])
            return
        async with self._lock:
            count = int(await self.store.get(k) or 0)
            if count > 0:
                await self.store.set(k, str(count - 1), expires_in=window + 1)

    async def hit(self, key: str, limit: int, window: int = 60) -> Verdict:
        k, reset = self._window(key, window)
        if self._incr is not None:
            count = int(await self._incr(keys=[f"{NAMESPACE}:{k}"], args=[window + 1]))
        else:
            async with self._lock:  # one process: the lock makes read-increment-write atomic
                raw = await self.store.get(k)
                count = int(raw or 0) + 1
                await self.store.set(k, str(count), expires_in=window + 1)
        return Verdict(allowed=count <= limit, limit=limit, remaining=max(0, limit - count), reset=reset)


def make_store(settings: Settings) -> Store:
    return make_limiter(settings).store


def make_limiter(settings: Settings) -> RateLimiter:
    """With REDIS_URL, a Redis store (keys under `gongshi:`) shared by every worker, and its
    client for the atomic counters; else the process's memory."""
    if settings.redis_url:
        from litestar.stores.redis import RedisStore
        from redis.asyncio import BlockingConnectionPool, Redis

        # A burst of requests waits for a free connection (up to 5 s) instead of failing.
        pool = BlockingConnectionPool.from_url(settings.redis_url, max_connections=REDIS_CONNECTIONS, timeout=5)
        client = Redis(connection_pool=pool)
        return RateLimiter(RedisStore(client, namespace=NAMESPACE, handle_client_shutdown=True), redis=client)
    return RateLimiter(MemoryStore())


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


class RateLimitMiddleware:
    """ASGI middleware for /api/ paths."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter, settings: Settings) -> None:
        self.app = app
        self.limiter = limiter
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode().lower(): v.decode() for k, v in scope.get("headers", [])}
        key = headers.get("x-api-key", "")
        if key and key in self.settings.api_keys:
            verdict = await self.limiter.hit(f"key:{key}", self.settings.rate_limit_api_key)
        else:
            verdict = await self.limiter.hit(f"ip:{client_address(scope)}", self.settings.rate_limit_anonymous)
        extra = [(k.encode(), v.encode()) for k, v in verdict.headers().items()]
        if not verdict.allowed:
            import json

            body = json.dumps(
                {
                    "type": "about:blank",
                    "title": "Too many requests",
                    "status": 429,
                    "detail": f"请求过于频繁，请 {verdict.reset} 秒后再试 (rate limit reached; retry in {verdict.reset} s; "
                    "an API key raises the limit)",
                },
                ensure_ascii=False,
            ).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 429,
                    "headers": [
                        (b"content-type", b"application/problem+json"),
                        (b"content-length", str(len(body)).encode()),
                        *extra,
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})  # type: ignore[arg-type]
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
