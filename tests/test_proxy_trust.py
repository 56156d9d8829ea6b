"""Whose X-Forwarded-For counts (api/proxy.py, issue 13 item 8). The test app trusts 10.99.0.0/16
(tests/conftest.py); every other peer's forwarded headers are ignored. `gongshi serve` itself is
started too, to show it does not trust 127.0.0.1 by default."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from api.proxy import parse_networks, resolve_client
from db.users import create_user
from settings import Settings
from tests.helpers import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
NETS = parse_networks(["10.99.0.0/16", "fd00::/8"])


def client_at(app, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver.local")


_n = iter(range(10**6))


async def fail_sign_in(c: httpx.AsyncClient, forwarded: str | None) -> int:
    """A wrong sign-in under a fresh username each time, so only the per-address count fills."""
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    body = {"username": f"nobody-{next(_n)}", "password": "x" * 10}
    r = await c.post("/api/v1/auth/token", json=body, headers=headers)
    return r.status_code


def test_resolution_rules() -> None:
    assert resolve_client("203.0.113.9", "198.51.100.7", NETS) == "203.0.113.9"  # untrusted peer
    assert resolve_client("10.99.0.1", "198.51.100.7", NETS) == "198.51.100.7"
    # Read from the right: what the client wrote in front of the proxy's entry does not count.
    assert resolve_client("10.99.0.1", "1.2.3.4, 198.51.100.7", NETS) == "198.51.100.7"
    assert resolve_client("10.99.0.1", "198.51.100.7, 10.99.0.2", NETS) == "198.51.100.7"  # two proxies
    assert resolve_client("10.99.0.1", "not-an-ip, 10.99.0.2", NETS) == "10.99.0.2"
    assert resolve_client("10.99.0.1", "198.51.100.7:5555", NETS) == "198.51.100.7"
    assert resolve_client("10.99.0.1", None, NETS) == "10.99.0.1"
    assert resolve_client("10.99.0.1", "198.51.100.7", ()) == "10.99.0.1"  # nothing trusted by default
    assert Settings().trusted_proxies == ()
    assert Settings.from_env({"TRUSTED_PROXIES": "10.0.0.5, 10.1.0.0/16"}).trusted_proxies == (
        "10.0.0.5",
        "10.1.0.0/16",
    )
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        Settings.from_env({"TRUSTED_PROXIES": "10.0.0.300"})


async def test_a_forged_header_from_an_untrusted_peer_does_not_change_the_throttle_key(app, clean_db, settings) -> None:
    async with client_at(app, "203.0.113.9") as c:
        for i in range(settings.signin_limit_client):
            assert await fail_sign_in(c, f"198.51.100.{i}") == 401
        # A fresh forged address each time: still the peer's count, now full.
        assert await fail_sign_in(c, "198.51.100.250") == 429
        assert await fail_sign_in(c, None) == 429


async def test_from_a_trusted_proxy_the_forwarded_client_is_the_key(app, clean_db, settings) -> None:
    async with client_at(app, "10.99.0.1") as proxy:
        for _ in range(settings.signin_limit_client):
            assert await fail_sign_in(proxy, "198.51.100.7") == 401
        assert await fail_sign_in(proxy, "198.51.100.7") == 429
        # Another client behind the same proxy has its own count, and so has the proxy itself.
        assert await fail_sign_in(proxy, "198.51.100.8") == 401
        assert await fail_sign_in(proxy, None) == 401
        # A client cannot escape by writing its own entry in front: the proxy appends the real one.
        assert await fail_sign_in(proxy, "192.0.2.1, 198.51.100.7") == 429
    await create_user("ok-user", PASSWORD, "officer", department_code="371500-scjg")
    async with client_at(app, "10.99.0.1") as proxy:
        r = await proxy.post(
            "/api/v1/auth/token",
            json={"username": "ok-user", "password": PASSWORD},
            headers={"X-Forwarded-For": "198.51.100.9"},
        )
        assert r.status_code == 200


async def test_forwarded_proto_counts_only_from_a_trusted_proxy(app, clean_db) -> None:
    # The form guard compares Origin with the scheme the request came in on.
    form = {"number": "TS-1", "lookup_code": "x"}
    https = {"Origin": "https://testserver.local", "X-Forwarded-Proto": "https"}
    async with client_at(app, "10.99.0.1") as proxy:
        assert (await proxy.post("/complaints/track", data=form, headers=https)).status_code == 422
    async with client_at(app, "203.0.113.9") as other:
        assert (await other.post("/complaints/track", data=form, headers=https)).status_code == 403


async def test_api_rate_limit_follows_the_resolved_client(app, clean_db, settings) -> None:
    await app.state.limiter.store.delete_all()
    async with client_at(app, "10.99.0.1") as proxy:
        r = await proxy.get("/api/v1/plans", headers={"X-Forwarded-For": "198.51.100.20"})
        assert r.status_code == 200
    assert await app.state.limiter.store.exists(_window_key("ip:198.51.100.20"))
    async with client_at(app, "203.0.113.10") as other:
        await other.get("/api/v1/plans", headers={"X-Forwarded-For": "198.51.100.21"})
    assert await app.state.limiter.store.exists(_window_key("ip:203.0.113.10"))
    assert not await app.state.limiter.store.exists(_window_key("ip:198.51.100.21"))


def _window_key(key: str) -> str:
    from api.ratelimit import RateLimiter

    return RateLimiter._window(key, 60)[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gongshi_serve_does_not_trust_loopback_by_default(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite'}",
        "SEARCH_PATH": str(tmp_path / "search.sqlite"),
        "FILES_DIR": str(tmp_path / "files"),
        "JWT_SECRET": "serve-test-secret",
        "OUTBOX_WORKER": "0",
        "WITHDRAW_SCHEDULE": "0",
        "SIGNIN_LIMIT_CLIENT": "3",
        "SIGNIN_LIMIT_ACCOUNT": "1000",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("TRUSTED_PROXIES", None)
    env.pop("FORWARDED_ALLOW_IPS", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/open-data", timeout=1)
                break
            except httpx.HTTPError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((proc.stdout.read() if proc.stdout else b"").decode()[-3000:]) from None
                time.sleep(0.2)
        codes = [
            httpx.post(
                base + "/api/v1/auth/token",
                json={"username": f"u{i}", "password": "x" * 10},
                headers={"X-Forwarded-For": f"198.51.100.{i}"},
                timeout=10,
            ).status_code
            for i in range(5)
        ]
        assert codes == [401, 401, 401, 429, 429], codes
    finally:
        proc.terminate()
        proc.wait(15)
