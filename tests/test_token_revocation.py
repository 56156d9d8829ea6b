"""Signing out revokes the token (issue 13 item 9): its jti stays in the shared store until the
token's expiry and the token answers 401 from then on; the public default JWT_SECRET is refused
at start-up outside demo mode."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from litestar.security.jwt import Token

from api.auth import REVOKED
from db.users import create_user
from settings import DEFAULT_JWT_SECRET, Settings
from tests.helpers import PASSWORD, make_uscc

ROOT = Path(__file__).resolve().parent.parent


async def token_for(client, username: str) -> str:
    r = await client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_api_sign_out_revokes_that_token_only(client, app, settings) -> None:
    await create_user("ent-r", PASSWORD, "enterprise", uscc=make_uscc())
    first, second = await token_for(client, "ent-r"), await token_for(client, "ent-r")
    assert (await client.get("/api/v1/repair-applications", headers=bearer(first))).status_code == 200
    r = await client.post("/api/v1/auth/sign-out", headers=bearer(first))
    assert r.status_code == 204
    assert (await client.get("/api/v1/repair-applications", headers=bearer(first))).status_code == 401
    assert (await client.post("/api/v1/auth/sign-out", headers=bearer(first))).status_code == 401
    # Another token of the same account is not affected.
    assert (await client.get("/api/v1/repair-applications", headers=bearer(second))).status_code == 200
    # Kept exactly as long as the token would have lived.
    jti = Token.decode(first, settings.jwt_secret, "HS256").jti
    store = app.state.limiter.store
    left = await store.expires_in(f"{REVOKED}{jti}")
    assert left is not None and settings.jwt_ttl_seconds - 60 <= left <= settings.jwt_ttl_seconds + 1


async def test_sign_out_without_a_token_is_401(client) -> None:
    assert (await client.post("/api/v1/auth/sign-out")).status_code == 401


async def test_a_token_without_jti_is_refused(client, settings) -> None:
    await create_user("ent-j", PASSWORD, "enterprise", uscc=make_uscc())
    exp = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    old = Token(sub="ent-j", exp=exp, extras={"role": "enterprise"}).encode(settings.jwt_secret, "HS256")
    assert (await client.get("/api/v1/repair-applications", headers=bearer(old))).status_code == 401


async def test_portal_sign_out_revokes_the_cookie_token(client) -> None:
    await create_user("ent-p", PASSWORD, "enterprise", uscc=make_uscc())
    r = await client.post("/repair/sign-in", data={"username": "ent-p", "password": PASSWORD})
    assert r.status_code == 303
    cookie = client.cookies.get("gongshi_ent", path="/repair")
    assert cookie and "退出登录" in (await client.get("/repair")).text
    assert (await client.post("/repair/sign-out")).status_code == 303
    # A copy of the cookie kept by someone (a shared computer, a stolen cookie) no longer works.
    client.cookies.set("gongshi_ent", cookie, domain="testserver.local", path="/repair")
    page = await client.get("/repair")
    assert "退出登录" not in page.text and 'action="/repair/sign-in"' in page.text
    assert (await client.get("/api/v1/repair-applications", headers=bearer(cookie))).status_code == 401


def test_the_default_secret_is_refused_outside_demo_mode(settings) -> None:
    from app import create_app

    default = dataclasses.replace(settings, jwt_secret=DEFAULT_JWT_SECRET)
    with pytest.raises(ValueError, match="JWT_SECRET") as e:
        create_app(default)
    assert "secrets.token_hex" in str(e.value) and "DEMO_MODE" in str(e.value)
    assert Settings.from_env({"DEMO_MODE": "1"}).demo_mode
    dataclasses.replace(default, demo_mode=True).check_secret()  # the demo may


def test_gongshi_serve_refuses_the_default_secret(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("JWT_SECRET", "DEMO_MODE")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite'}", PYTHONPATH=str(ROOT))
    started = time.monotonic()
    r = subprocess.run(
        [sys.executable, "-m", "cli", "serve", "--port", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2, r.stdout + r.stderr
    assert "JWT_SECRET is the public default" in r.stderr and "export JWT_SECRET=" in r.stderr
    assert time.monotonic() - started < 60
