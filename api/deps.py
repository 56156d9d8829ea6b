"""Request-scoped helpers: settings and the signed-in principal."""

from __future__ import annotations

from litestar import Request

from domain.auth import Principal
from domain.errors import Unauthorized
from settings import Settings


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def principal_of(request: Request) -> Principal:
    user = request.scope.get("user")
    if not isinstance(user, Principal):
        raise Unauthorized("需要登录 (sign in first)")
    return user
