"""HTTP conventions for the open data (issue 16 item 5): what a browser app, a harvester and a
mirror expect from a public data service.

- `OpenDataGate` (outermost ASGI wrapper): `HEAD` wherever `GET` is (answered by the GET handler,
  body dropped, a stream cancelled once its headers are out), and CORS for `GET`/`HEAD` on the
  open-data paths — any origin, no credentials (`Access-Control-Allow-Origin: *`, never
  `Allow-Credentials`), preflights answered here so they cost no handler and no rate-limit hit.
  Litestar's `CORSConfig` applies to the whole application (the portal's forms too), so this
  small wrapper scopes it to the paths below.
- `ConditionalGetMiddleware`: `ETag` and `Last-Modified` on every handler marked
  `opt={"conditional": True}`, and `304 Not Modified` before the handler runs when the caller's
  `If-None-Match` / `If-Modified-Since` still holds. The validator is the change log's newest row
  (`seq`, `at`): every change to what the public sees is numbered there (db/changes.public_change,
  the bulk writer, the daily withdrawal), and these answers depend on nothing else, so a mirror
  re-reading an unchanged list, feed or export costs one indexed query, not the export.
- `LinkedResponse`: `Link: <…>; rel="next"` on every list answer with a `next_cursor` (RFC 8288).
- `compression()`: brotli, falling back to gzip (Litestar's `CompressionConfig`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from litestar import Request, Response
from litestar.config.compression import CompressionConfig
from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send

# Paths open to other origins (browser notebooks, newsroom apps): the public API, the CKAN-style
# API, feeds, catalogues, dumps and the OpenAPI document that describes them.
CORS_PREFIXES = ("/api/v1/", "/api/3/", "/api/action/", "/feeds/", "/downloads/")
CORS_PATHS = frozenset({"/catalog.jsonld", "/data.json", "/datapackage.json", "/schema/openapi.json", "/downloads"})
CORS_METHODS = ("GET", "HEAD")
# Request headers a cross-origin reader may send: content negotiation, revalidation, ranges on
# dump files and the API key. Not `Authorization`: accounts are not open to other origins.
CORS_ALLOW_HEADERS = (
    "accept",
    "accept-language",
    "content-language",
    "if-modified-since",
    "if-none-match",
    "range",
    "x-api-key",
)
# Response headers a browser app may read besides the CORS-safelisted ones.
CORS_EXPOSE_HEADERS = (
    "Content-Disposition",
    "Content-Length",
    "ETag",
    "Last-Modified",
    "Link",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "Retry-After",
)
CORS_MAX_AGE = 86400
# Served data is revalidated on every use (it may change at any moment) but may be stored.
CACHE_CONTROL = "public, no-cache"
# Part of every ETag, so that a release that changes a representation changes its validators.
REPRESENTATION_VERSION = "1"


def cors_applies(path: str) -> bool:
    return path in CORS_PATHS or path.startswith(CORS_PREFIXES)


def _header(scope: Scope, name: bytes) -> str | None:
    for k, v in scope.get("headers", []):
        if k.lower() == name:
            return v.decode("latin-1")
    return None


def _cors_headers() -> list[tuple[bytes, bytes]]:
    return [
        (b"access-control-allow-origin", b"*"),
        (b"access-control-expose-headers", ", ".join(CORS_EXPOSE_HEADERS).encode()),
    ]


async def _send_simple(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes = b"") -> None:
    await send(
        {"type": "http.response.start", "status": status, "headers": [*headers, (b"content-length", b"%d" % len(body))]}
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})


class OpenDataGate:
    """The outermost ASGI layer (wraps Litestar's own handler): HEAD and CORS."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]  # type: ignore[typeddict-item]
        path = scope["path"]
        cors = cors_applies(path)
        if method == "OPTIONS" and cors and _header(scope, b"access-control-request-method") is not None:
            await self._preflight(scope, send)
            return
        if cors and method in CORS_METHODS:
            send = self._with_cors(send)
        if method == "HEAD":
            await self._head(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _preflight(self, scope: Scope, send: Send) -> None:
        wanted = (_header(scope, b"access-control-request-method") or "").strip().upper()
        asked = [h.strip().lower() for h in (_header(scope, b"access-control-request-headers") or "").split(",")]
        refused = [h for h in asked if h and h not in CORS_ALLOW_HEADERS]
        if wanted not in CORS_METHODS or refused:
            detail = (
                f"其他网站只能以 GET 或 HEAD 读取 (other origins may only GET or HEAD; asked {wanted or 'nothing'})"
                if wanted not in CORS_METHODS
                else f"不允许的请求头 (request headers not allowed across origins: {', '.join(refused)})"
            )
            body = json.dumps(
                {"type": "about:blank", "title": "Cross-origin request refused", "status": 403, "detail": detail},
                ensure_ascii=False,
            ).encode()
            await _send_simple(send, 403, [(b"content-type", b"application/problem+json")], body)
            return
        await _send_simple(
            send,
            204,
            [
                (b"access-control-allow-origin", b"*"),
                (b"access-control-allow-methods", ", ".join(CORS_METHODS).encode()),
                (b"access-control-allow-headers", ", ".join(CORS_ALLOW_HEADERS).encode()),
                (b"access-control-max-age", str(CORS_MAX_AGE).encode()),
            ],
        )

    @staticmethod
    def _with_cors(send: Send) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if not k.lower().startswith(b"access-control-")]
                message = {**message, "headers": [*kept, *_cors_headers()]}
            await send(message)

        return wrapped

    async def _head(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the GET handler and send its status and headers only. Once they are out, the app
        is told the client left, so a streamed export stops instead of running to its end."""
        started = False
        finished = False

        async def head_receive() -> ReceiveMessage:
            if started:
                return {"type": "http.disconnect"}
            return await receive()

        async def head_send(message: Message) -> None:
            nonlocal started, finished
            if message["type"] == "http.response.start":
                started = True
                await send(message)
            elif message["type"] == "http.response.body" and not finished:
                finished = True
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        await self.app({**scope, "method": "GET"}, head_receive, head_send)  # type: ignore[arg-type]


def _version_etag(seq: int | None, at: dt.datetime | None, scope: Scope) -> str:
    key = "|".join(
        [
            REPRESENTATION_VERSION,
            str(seq),
            at.isoformat() if at else "",
            scope["path"],
            scope.get("query_string", b"").decode("latin-1"),
        ]
    )
    return 'W/"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def etag_matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 §13.1.2: weak comparison; `*` matches any current representation."""
    if if_none_match.strip() == "*":
        return True
    opaque = etag.removeprefix("W/")
    return any(t.strip().removeprefix("W/") == opaque for t in if_none_match.split(","))


def not_modified_since(if_modified_since: str, last_modified: dt.datetime) -> bool:
    """True when `If-Modified-Since` is a valid HTTP date no earlier than the (whole-second)
    last modification; an unparseable date is ignored, as RFC 9110 §13.1.3 says."""
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError, IndexError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)
    return last_modified.replace(microsecond=0) <= since


class ConditionalGetMiddleware:
    """ETag / Last-Modified / 304 for the GET handlers marked `opt={"conditional": True}`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = scope.get("route_handler")
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"  # type: ignore[typeddict-item]
            or handler is None
            or not handler.opt.get("conditional")
        ):
            await self.app(scope, receive, send)
            return
        from db.changefeed import latest_change

        seq, at = await latest_change()
        etag = _version_etag(seq, at, scope)
        validators = [(b"etag", etag.encode()), (b"cache-control", CACHE_CONTROL.encode())]
        if at is not None:
            validators.append((b"last-modified", format_datetime(at.astimezone(dt.UTC), usegmt=True).encode()))
        inm = _header(scope, b"if-none-match")
        ims = _header(scope, b"if-modified-since")
        fresh = (
            etag_matches(inm, etag)
            if inm is not None
            else (ims is not None and at is not None and not_modified_since(ims, at))
        )
        if fresh:
            await send({"type": "http.response.start", "status": 304, "headers": validators})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return

        async def with_validators(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                message = {**message, "headers": [*message.get("headers", []), *validators]}
            await send(message)

        await self.app(scope, receive, with_validators)


class LinkedResponse(Response):
    """The application's response class: a list answer with a `next_cursor` also says where the
    next page is, as `Link: <…?cursor=…>; rel="next"` (the same URL with the cursor replaced)."""

    def to_asgi_response(self, app: Any, request: Request, **kwargs: Any) -> Any:
        cursor = getattr(self.content, "next_cursor", None)
        if isinstance(cursor, str) and cursor:
            base = request.app.state.settings.base_url.rstrip("/")
            query = [(k, v) for k, v in parse_qsl(request.scope.get("query_string", b"").decode()) if k != "cursor"]
            query.append(("cursor", cursor))
            self.headers = {
                **(self.headers or {}),
                "Link": f'<{base}{request.url.path}?{urlencode(query)}>; rel="next"',
            }
        return super().to_asgi_response(app, request, **kwargs)


def compression() -> CompressionConfig:
    """Brotli for clients that accept it, gzip for the rest (Litestar's CompressionConfig). Levels
    are moderate: the CSV export of a million rows streams through it. Files that are compressed
    already (guide PDFs, dump .gz files) are left alone."""
    return CompressionConfig(
        backend="brotli",
        brotli_quality=4,
        brotli_gzip_fallback=True,
        gzip_compress_level=6,
        minimum_size=1024,
        exclude=[r"^/api/v1/guides/\d+/download", r"^/downloads/.+\.(gz|sqlite)$", r"^/static/.+\.(png|woff2)$"],
    )
