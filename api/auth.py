"""Sign-in: POST /api/v1/auth/token issues a JWT with role, department and USCC claims;
POST /api/v1/auth/sign-out revokes it.

Every token carries a `jti`. Signing out (here, or /repair/sign-out for the portal's cookie) keeps
that jti in the shared store (the rate limiter's: memory, or Redis across workers) until the
token would have expired anyway; a revoked token, or one without a jti, is refused with 401.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from typing import Any

import msgspec
from litestar import Controller, Request, post
from litestar.connection import ASGIConnection
from litestar.params import JSONBody
from litestar.security.jwt import JWTAuth, Token
from litestar.status_codes import HTTP_204_NO_CONTENT

from api.ratelimit import client_address
from db import users as users_repo
from db.tables import User
from domain.accounts import signed_in_before_change
from domain.auth import Principal
from domain.errors import TooManyRequests, Unauthorized
from domain.signin import Throttle, authenticate
from ops.metrics import SIGNIN_THROTTLED
from settings import Settings


class TokenIn(msgspec.Struct):
    username: str
    password: str


class TokenOut(msgspec.Struct):
    access_token: str
    token_type: str
    expires_in: int
    role: str


REVOKED = "jwt-revoked:"


async def revoke(app_state: Any, token: Token) -> None:
    """Keep `token`'s jti in the shared store until the token expires."""
    if not isinstance(token.jti, str) or not token.jti:
        return
    left = int(token.exp.timestamp() - time.time()) + 1
    if left > 0:
        await app_state.limiter.store.set(REVOKED + token.jti, "1", expires_in=left)


async def is_revoked(app_state: Any, token: Token) -> bool:
    if not isinstance(token.jti, str) or not token.jti:
        return True  # every token this server issues has one
    return await app_state.limiter.store.exists(REVOKED + token.jti)


def issue_token(request: Request, row: dict, extras: dict) -> str:
    """A signed token for the account `row`, with a fresh jti (so it can be revoked)."""
    auth: JWTAuth = request.app.state.jwt_auth
    return auth.create_token(identifier=row["username"], token_unique_jwt_id=secrets.token_hex(16), token_extras=extras)


async def retrieve_principal(token: Token, connection: ASGIConnection) -> Principal | None:
    if await is_revoked(connection.app.state, token):
        return None
    row = await User.select().where((User.username == token.sub) & (User.active == True)).first()  # noqa: E712
    if row is None:
        return None
    changed = row["password_changed_at"]
    # A token's iat is whole seconds: one issued in the second of a reset, after it, stays good.
    if signed_in_before_change(token.iat.timestamp(), changed.replace(microsecond=0) if changed else None):
        return None
    return Principal(
        username=row["username"],
        role=row["role"],
        department_code=row["department_code"],
        uscc=row["uscc"],
        region_code=row["region_code"],
    )


async def sign_in(request: Request, username: str, password: str) -> dict:
    """domain.signin.authenticate with this app's throttle settings, shared counter store and the
    caller's address: every sign-in (API token, portal, back office) comes through here."""
    s: Settings = request.app.state.settings
    throttle = Throttle(s.signin_limit_account, s.signin_limit_client, s.signin_window_seconds)
    try:
        return await authenticate(
            users_repo, request.app.state.limiter, throttle, username, password, client_address(request.scope)
        )
    except TooManyRequests:
        SIGNIN_THROTTLED.inc()
        raise


def make_jwt_auth(settings: Settings) -> JWTAuth[Principal]:
    return JWTAuth[Principal](
        retrieve_user_handler=retrieve_principal,
        token_secret=settings.jwt_secret,
        default_token_expiration=dt.timedelta(seconds=settings.jwt_ttl_seconds),
        exclude_opt_key="exclude_from_auth",
        exclude=["/schema", "/static", "^/$"],
    )


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]
    opt = {"exclude_from_auth": True}

    @post("/token", summary="Sign in and get a bearer token", status_code=200)
    async def token(self, request: Request, data: JSONBody[TokenIn]) -> TokenOut:
        row = await sign_in(request, data.username, data.password)
        settings: Settings = request.app.state.settings
        token = issue_token(
            request, row, {"role": row["role"], "department": row["department_code"], "uscc": row["uscc"]}
        )
        return TokenOut(access_token=token, token_type="Bearer", expires_in=settings.jwt_ttl_seconds, role=row["role"])

    @post(
        "/sign-out",
        summary="Sign out: revoke the bearer token sent with this request",
        description="The token is refused (401) from now on, on every worker, until it would have expired.",
        status_code=HTTP_204_NO_CONTENT,
        opt={"exclude_from_auth": False},
    )
    async def sign_out(self, request: Request) -> None:
        token = request.auth
        if not isinstance(token, Token):
            raise Unauthorized("需要登录 (a bearer token is required)")
        await revoke(request.app.state, token)
