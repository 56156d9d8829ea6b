"""Who is signed in to the back office.

A server-side session (Litestar's ServerSideSessionConfig over the app's store: memory, or Redis
so every worker sees it) in a cookie scoped to /admin: HttpOnly, SameSite=Strict, Secure when
BASE_URL is https, ended after ADMIN_SESSION_IDLE_SECONDS without a request (the store entry and
the cookie are renewed on every request). The session holds only the username; the account is
read on every request, so a deactivated account or a changed role takes effect at once.
CSRF: Litestar's CSRFConfig (double-submit token, a hidden field in every form) on the /admin
router only.
"""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import quote, urlsplit

from litestar import Request
from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.types import Empty

from db.tables import User
from domain.accounts import signed_in_before_change
from domain.auth import Principal
from settings import Settings

PREFIX = "/admin"
SESSION_COOKIE = "gongshi_admin"
CSRF_COOKIE = "gongshi_admin_csrf"
STORE = "admin_sessions"
STAFF_ROLES = ("officer", "admin", "supervisor")
_ROTATE = "admin_session_id"  # scope state key: the fresh session id a sign-in sets


class SignInRequired(Exception):
    """A back-office page without a session: answered by a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class RotatingBackend(ServerSideSessionBackend):
    """Litestar's server-side sessions with two changes: a new session id at sign-in (no session
    fixation: the id the sign-in put in the scope state wins over the cookie's), and no session
    stored or cookie set for a visitor who is not signed in (Litestar would store an empty
    session for every anonymous request)."""

    def get_session_id(self, connection: ASGIConnection) -> str:
        fresh = connection.scope.get("state", {}).get(_ROTATE)
        return str(fresh) if fresh else super().get_session_id(connection)

    async def store_in_message(self, scope_session: Any, message: Any, connection: ASGIConnection) -> None:
        if scope_session is Empty or not scope_session:
            had = connection.cookies.get(self.config.key)
            if had and had != "null":  # signed out (or the session was cleared): delete it
                await super().store_in_message(Empty, message, connection)
            return
        await super().store_in_message(scope_session, message, connection)


class AdminSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingBackend


def _https(settings: Settings) -> bool:
    return settings.base_url.startswith("https://")


def session_config(settings: Settings) -> AdminSessionConfig:
    return AdminSessionConfig(
        key=SESSION_COOKIE,
        store=STORE,
        path=PREFIX,
        httponly=True,
        samesite="strict",
        secure=_https(settings),
        max_age=settings.admin_session_idle_seconds,
        renew_on_access=True,
    )


def csrf_config(settings: Settings) -> CSRFConfig:
    import hashlib

    # Derived from JWT_SECRET so every worker signs tokens alike without another setting.
    secret = hashlib.sha256(b"gongshi-admin-csrf:" + settings.jwt_secret.encode()).hexdigest()
    return CSRFConfig(
        secret=secret,
        cookie_name=CSRF_COOKIE,
        cookie_path=PREFIX,
        cookie_secure=_https(settings),
        cookie_httponly=True,
        cookie_samesite="strict",
    )


def session_store(settings: Settings) -> Store:
    if settings.redis_url:
        from litestar.stores.redis import RedisStore

        return RedisStore.with_client(url=settings.redis_url, namespace="gongshi-admin-sessions")
    return MemoryStore()


async def start_session(request: Request, username: str) -> None:
    """Sign `username` in under a fresh session id (the old session, if any, is deleted)."""
    import secrets

    store = request.app.stores.get(STORE)
    old = request.cookies.get(SESSION_COOKIE)
    if old and old != "null":
        await store.delete(old)
    request.scope.setdefault("state", {})[_ROTATE] = secrets.token_hex(32)
    request.set_session({"username": username, "at": time.time()})


async def staff_of(request: Request) -> Principal | None:
    """The signed-in officer, administrator or supervisor, or None."""
    session: dict[str, Any] = request.session if "session" in request.scope else {}
    username = session.get("username") if isinstance(session, dict) else None
    if not username:
        return None
    row = await User.select().where((User.username == username) & (User.active == True)).first()  # noqa: E712
    if row is None or row["role"] not in STAFF_ROLES:
        return None
    if signed_in_before_change(session.get("at"), row["password_changed_at"]):
        return None  # the password was reset since: this session ended with it
    return Principal(
        username=row["username"],
        role=row["role"],
        department_code=row["department_code"],
        uscc=row["uscc"],
        region_code=row["region_code"],
    )


async def require_staff(request: Request) -> Principal:
    """Dependency of every back-office page but the sign-in: the staff member, or a redirect."""
    p = await staff_of(request)
    if p is None:
        here = request.url.path
        if request.url.query:
            here += "?" + request.url.query
        raise SignInRequired(here if request.method == "GET" else PREFIX + "/")
    return p


_SAFE = re.compile(r"^/admin(/[^\s\\]*)?$")


def safe_next(raw: str | None) -> str:
    """Where to go after signing in: a back-office path on this site, else the inbox. Refuses
    absolute and scheme-relative URLs (//evil.example), backslashes and anything outside /admin."""
    raw = (raw or "").strip()
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or not _SAFE.match(parts.path) or raw.startswith("//"):
        return PREFIX + "/"
    return raw


def login_url(next_path: str) -> str:
    return f"{PREFIX}/login?next={quote(next_path, safe='/')}"
