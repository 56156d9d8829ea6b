"""Security headers on every response (pages, API, static files, errors).

Set in Litestar's app-level `before_send` hook rather than as route `response_headers`, because
the hook also sees the responses no route produced (404 for an unknown address, 405, the error
pages) and the static-file router's. A response that already carries a header keeps its own.

- Content-Security-Policy: scripts and styles only from this site, never inline (the portal has
  none; the API docs page loads its Swagger UI set-up from /schema/assets), nothing may frame a
  page (`frame-ancestors 'none'`, plus X-Frame-Options for browsers that predate it), forms post
  only here. `img-src data:` is for the icons Swagger UI's stylesheet embeds.
- X-Content-Type-Options: nosniff, so an uploaded or exported file is never run as a script.
- Referrer-Policy: same-origin, so a complaint's tracking address never leaks to another site.
- Permissions-Policy: the portal uses no device feature.
- Strict-Transport-Security: only when BASE_URL is https (HSTS_SECONDS; 0 turns it off).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

from settings import Settings

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=()"


def security_headers(settings: Settings) -> dict[str, str]:
    out = {
        "Content-Security-Policy": CSP,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Permissions-Policy": PERMISSIONS,
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if settings.base_url.startswith("https://") and settings.hsts_seconds > 0:
        out["Strict-Transport-Security"] = f"max-age={settings.hsts_seconds}; includeSubDomains"
    return out


def make_before_send(settings: Settings) -> Callable[[Message, Scope], Awaitable[None]]:
    fixed = list(security_headers(settings).items())

    async def add_security_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        for name, value in fixed:
            if name not in headers:
                headers[name] = value

    return add_security_headers
