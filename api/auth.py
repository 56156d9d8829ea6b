"""Sign-in: POST /api/v1/auth/token issues a JWT with role, department and USCC claims."""

from __future__ import annotations

import msgspec
from litestar import Controller, Request, post
from litestar.connection import ASGIConnection
from litestar.params import JSONBody
from litestar.security.jwt import JWTAuth, Token

from api.ratelimit import client_address
from db import users as users_repo
from db.tables import User
from domain.auth import Principal
from domain.signin import Throttle, authenticate
from settings import Settings


class TokenIn(msgspec.Struct):
    username: str
    password: str


class TokenOut(msgspec.Struct):
    access_token: str
    token_type: str
    expires_in: int
    role: str


async def retrieve_principal(token: Token, connection: ASGIConnection) -> Principal | None:
    row = await User.select().where((User.username == token.sub) & (User.active == True)).first()  # noqa: E712
    if row is None:
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
    return await authenticate(
        users_repo, request.app.state.limiter, throttle, username, password, client_address(request.scope)
    )


def make_jwt_auth(settings: Settings) -> JWTAuth[Principal]:
    import datetime as dt

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
        auth: JWTAuth = request.app.state.jwt_auth
        settings: Settings = request.app.state.settings
        token = auth.create_token(
            identifier=row["username"],
            token_extras={"role": row["role"], "department": row["department_code"], "uscc": row["uscc"]},
        )
        return TokenOut(access_token=token, token_type="Bearer", expires_in=settings.jwt_ttl_seconds, role=row["role"])
