"""Issue 13 item 11: with REDIS_URL, the counters every worker shares — rate limits, sign-in
throttles, complaint-filing limits — and token revocations live in a real Redis (Debian's
redis-server, started by scripts/test.sh and .ci/run), counted atomically. Two limiters built from
the same settings are two workers: each has its own client and its own in-process lock, so only
Redis itself can keep their count exact."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import os
import secrets

import pytest
from litestar.security.jwt import Token

from api.auth import is_revoked, revoke
from api.ratelimit import RateLimiter, make_limiter
from domain.errors import TooManyRequests, Unauthorized
from domain.signin import Throttle, authenticate
from settings import Settings

REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
async def workers(settings):
    """Two limiters on one Redis, as two web workers have; a fresh key space per test."""
    s = dataclasses.replace(settings, redis_url=REDIS_URL)
    a, b = make_limiter(s), make_limiter(s)
    try:
        await a.store.get("ping")
    except Exception as e:  # not a skip: a test that cannot run proves nothing
        pytest.fail(f"no Redis at {REDIS_URL} ({e}); scripts/test.sh installs and starts redis-server")
    yield a, b
    await a.store.delete_all()
    for limiter in (a, b):
        await limiter.store.__aexit__(None, None, None)


def key() -> str:
    return f"test:{secrets.token_hex(6)}"


async def test_two_workers_share_one_exact_count(workers) -> None:
    a, b = workers
    k = key()
    verdicts = await asyncio.gather(*[(a if i % 2 else b).hit(k, 100, 60) for i in range(300)])
    assert sum(v.allowed for v in verdicts) == 100  # read-then-write from two processes lets more through
    assert sorted(v.remaining for v in verdicts if v.allowed) == list(range(100))
    redis = a.store._redis  # the store's own client: the key has its window's expiry
    ttl = await redis.ttl(f"gongshi:{RateLimiter._window(k, 60)[0]}")
    assert 0 < ttl <= 61


async def test_a_hit_taken_back_is_shared_and_never_below_zero(workers) -> None:
    a, b = workers
    k = key()
    await a.hit(k, 3, 60)
    await b.undo(k, 60)
    await b.undo(k, 60)
    v = await a.hit(k, 3, 60)
    assert v.remaining == 2  # one hit counted, not -1 + 1


async def test_sign_in_throttle_counts_across_workers(workers) -> None:
    a, b = workers

    class NoUsers:
        async def by_username(self, username: str) -> dict | None:
            return None

    throttle = Throttle(per_account=4, per_client=100, window_seconds=600)
    name = f"user-{secrets.token_hex(4)}"
    outcomes = []
    for i in range(6):
        try:
            await authenticate(NoUsers(), a if i % 2 else b, throttle, name, "wrong-password", "198.51.100.7")
        except Unauthorized:
            outcomes.append(401)
        except TooManyRequests:
            outcomes.append(429)
    assert outcomes == [401, 401, 401, 401, 429, 429]


async def test_a_token_revoked_on_one_worker_is_refused_on_the_other(workers) -> None:
    a, b = workers
    token = Token(
        sub="off-a",
        exp=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5),
        jti=secrets.token_hex(16),
    )

    class State:
        def __init__(self, limiter: RateLimiter) -> None:
            self.limiter = limiter

    assert not await is_revoked(State(b), token)
    await revoke(State(a), token)
    assert await is_revoked(State(b), token)
    left = await a.store.expires_in("jwt-revoked:" + str(token.jti))
    assert left is not None and 0 < left <= 301  # kept only until the token would expire anyway


def test_without_redis_the_count_stays_in_the_process() -> None:
    limiter = make_limiter(Settings())
    assert type(limiter.store).__name__ == "MemoryStore"
