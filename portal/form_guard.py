"""The one guard in front of every form post of the portal (and, for Origin, of the back office).

A browser posting a form to the portal from another site must be refused (issue 13 item 7: a
complaint posted with `Origin: https://evil.example` was stored). Every unsafe request (POST, PUT,
PATCH, DELETE) to a route of the router this middleware sits on is checked before its handler runs:

1. `Origin` sent: it must be this site — the origin of BASE_URL, or the scheme and host the request
   itself came to (after TRUSTED_PROXIES, api/proxy.py). Anything else, `null` included, is
   answered 403 with the portal's error page ("跨站提交被拒绝"). Every current browser sends
   Origin with a form post, so for browsers this is the whole check.
2. No `Origin` (an old browser, a privacy extension, a script): `Sec-Fetch-Site: cross-site` or
   `same-site` is refused as above; otherwise the request must carry the form token — the hidden
   field `_csrf_token` (or the header `X-CSRFToken`) equal to the HttpOnly, SameSite=Strict cookie
   `gongshi_csrf` (double submit, the token signed with a key derived from JWT_SECRET, as Litestar's
   CSRFConfig does for /admin). Without it: 403 saying to reload the form.

The token is read from the body without consuming it: the body's first part (64 KiB at most for
multipart — the hidden field is each form's first; 1 MiB for URL-encoded forms) is buffered and
handed on unchanged, so the complaint form's streamed upload is still streamed.

Pages put the token into their forms with `{{ form_token() }}` (a template global). A page that
does so, for a visitor without a valid cookie, sets the cookie and becomes `Cache-Control:
no-store`; pages without forms set no cookie and stay cacheable.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

from jinja2 import pass_context
from jinja2.runtime import Context
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.exceptions import PermissionDeniedException
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from settings import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
COOKIE = "gongshi_csrf"
FIELD = "_csrf_token"
HEADER = b"x-csrftoken"
MULTIPART_PEEK = 64 * 1024
URLENCODED_PEEK = 1024 * 1024
_STATE_NEW = "form_token_new"  # scope state: a token minted for this response (cookie to set)
_STATE_KEY = "form_token_key"

CROSS_SITE = (
    "跨站提交被拒绝：表单只能从本站页面提交 (cross-site form posts are refused: send this form from this site's page)"
)
NO_TOKEN = (
    "表单安全令牌缺失或已失效，请返回表单页面刷新后重新提交 "
    "(the form's security token is missing or no longer valid: go back, reload the form and send it again)"
)


def _key(settings: Settings) -> bytes:
    # Derived from JWT_SECRET so every worker signs tokens alike without another setting.
    return hashlib.sha256(b"gongshi-portal-csrf:" + settings.jwt_secret.encode()).digest()


def mint(key: bytes) -> str:
    raw = secrets.token_hex(32)
    return raw + hmac.new(key, raw.encode(), hashlib.sha256).hexdigest()


def valid(key: bytes, token: str | None) -> bool:
    if not token or len(token) != 128:
        return False
    raw, mac = token[:64], token[64:]
    return hmac.compare_digest(mac, hmac.new(key, raw.encode(), hashlib.sha256).hexdigest())


def _origin_of(url: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or (443 if scheme == "https" else 80)


def _headers(scope: Scope) -> dict[bytes, str]:
    out: dict[bytes, str] = {}
    for k, v in scope.get("headers", []):
        out.setdefault(k.lower(), v.decode("latin-1"))
    return out


def own_origins(scope: Scope, settings: Settings) -> set[tuple[str, str, int]]:
    """This site: BASE_URL's origin, and the scheme and Host the request came to."""
    out = set()
    base = _origin_of(settings.base_url)
    if base:
        out.add(base)
    host = _headers(scope).get(b"host")
    if host:
        here = _origin_of(f"{scope.get('scheme', 'http')}://{host}")
        if here:
            out.add(here)
    return out


def _cookie(headers: dict[bytes, str], name: str) -> str | None:
    for part in headers.get(b"cookie", "").split(";"):
        k, _, v = part.strip().partition("=")
        if k == name:
            return v
    return None


def _multipart_field(buf: bytes, boundary: bytes, name: str) -> tuple[str | None, bool]:
    """(value of field `name`, whether the buffer holds enough to know). Fields are looked for only
    up to the first file part: the hidden field comes first in every portal form."""
    delim = b"--" + boundary
    pieces = buf.split(delim)
    # pieces[0] is the preamble; a part is complete when another delimiter follows it.
    for piece in pieces[1:-1]:
        head, sep, body = piece.partition(b"\r\n\r\n")
        if not sep:
            return None, True
        disposition = head.decode("utf-8", "replace")
        if f'name="{name}"' in disposition:
            value = body[:-2] if body.endswith(b"\r\n") else body
            return value.decode("utf-8", "replace"), True
        if "filename=" in disposition:
            return None, True
    last = pieces[-1] if len(pieces) > 1 else b""
    return None, last.startswith(b"--")  # the closing delimiter: the body is complete


class FormGuard:
    """ASGI middleware for a router whose unsafe requests are form posts from this site's pages.

    `require_token=False` checks Origin (and Sec-Fetch-Site) only: the back office, whose token is
    checked on every post by Litestar's CSRFMiddleware behind this."""

    def __init__(self, app: ASGIApp, settings: Settings, require_token: bool = True) -> None:
        self.app = app
        self.settings = settings
        self.require_token = require_token
        self.key = _key(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})[_STATE_KEY] = self.key
        send = self._cookie_setter(scope, send)  # a page rendered with a form token, e.g. a 422 form
        if scope["method"] in SAFE_METHODS:  # type: ignore[typeddict-item]
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        origin = headers.get(b"origin")
        if origin is not None:
            if _origin_of(origin) not in own_origins(scope, self.settings):
                raise PermissionDeniedException(CROSS_SITE)
            await self.app(scope, receive, send)
            return
        if headers.get(b"sec-fetch-site", "").lower() in ("cross-site", "same-site"):
            raise PermissionDeniedException(CROSS_SITE)
        if not self.require_token:
            await self.app(scope, receive, send)
            return
        cookie = _cookie(headers, COOKIE)
        sent = headers.get(HEADER)
        replay: list[Any] = []
        if sent is None:
            sent, replay = await self._token_from_body(headers, receive)
        if not (valid(self.key, cookie) and sent is not None and hmac.compare_digest(sent, cookie or "")):
            raise PermissionDeniedException(NO_TOKEN)
        await self.app(scope, _replaying(replay, receive), send)

    async def _token_from_body(self, headers: dict[bytes, str], receive: Receive) -> tuple[str | None, list[Any]]:
        ctype = headers.get(b"content-type", "")
        media = ctype.split(";")[0].strip().lower()
        boundary = b""
        if media == "multipart/form-data":
            for param in ctype.split(";")[1:]:
                k, _, v = param.strip().partition("=")
                if k.lower() == "boundary":
                    boundary = v.strip('"').encode("latin-1")
            if not boundary:
                return None, []
            limit = MULTIPART_PEEK
        elif media == "application/x-www-form-urlencoded":
            limit = URLENCODED_PEEK
        else:
            return None, []
        messages: list[Any] = []
        buf = b""
        more = True
        while more and len(buf) <= limit:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            buf += message.get("body", b"")
            more = bool(message.get("more_body", False))
            if boundary:
                value, known = _multipart_field(buf, boundary, FIELD)
                if known:
                    return value, messages
        if boundary:
            return _multipart_field(buf, boundary, FIELD)[0], messages
        if more:  # a URL-encoded form past the limit: not a portal form
            return None, messages
        values = parse_qs(buf.decode("latin-1"), keep_blank_values=True).get(FIELD)
        return (values[0] if values else None), messages

    def _cookie_setter(self, scope: Scope, send: Send) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                token = scope.get("state", {}).get(_STATE_NEW)
                if token:
                    headers = MutableScopeHeaders.from_message(message)
                    cookie = Cookie(
                        key=COOKIE,
                        value=token,
                        path="/",
                        httponly=True,
                        samesite="strict",
                        secure=self.settings.base_url.startswith("https://"),
                    )
                    headers.add("set-cookie", cookie.to_header(header=""))
                    headers["cache-control"] = "no-store"  # a token per visitor: never from a cache
            await send(message)

        return wrapped


def _replaying(messages: list[Any], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Any:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


def token_for(scope: Scope) -> str:
    """The visitor's form token: the cookie's when it is valid, else a new one (set as the cookie on
    this response)."""
    state = scope.setdefault("state", {})
    key = state.get(_STATE_KEY)
    if key is None:
        raise RuntimeError("form_token() on a page outside FormGuard")
    if state.get(_STATE_NEW):
        return str(state[_STATE_NEW])
    existing = _cookie(_headers(scope), COOKIE)
    if valid(key, existing):
        return str(existing)
    state[_STATE_NEW] = mint(key)
    return str(state[_STATE_NEW])


@pass_context
def form_token(ctx: Context) -> str:
    """Template global: `<input type="hidden" name="_csrf_token" value="{{ form_token() }}">`."""
    return token_for(ctx["request"].scope)
