"""Request ids and structured logs (LOG_FORMAT=json).

Every request gets an id: the caller's `X-Request-ID` when it is a plain token (letters, digits,
`-`, `_`, `.`, at most 64), else a new one; it is returned as `X-Request-ID` and carried by every
log record written while the request runs, so one line in a proxy's log finds the server's. With
LOG_FORMAT=json each record is one JSON object per line (time, level, logger, message,
request_id, and for the access log method, path, status, duration_ms)."""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import secrets
import time
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_TOKEN = re.compile(r"[A-Za-z0-9._-]{1,64}")
access_log = logging.getLogger("gongshi.access")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    FIELDS = ("method", "path", "status", "duration_ms", "client")

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", "") or REQUEST_ID.get()
        if rid:
            out["request_id"] = rid
        for f in self.FIELDS:
            if hasattr(record, f):
                out[f] = getattr(record, f)
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def configure(log_format: str) -> None:
    """LOG_FORMAT: `json` (one object per line on stderr) or `text` (the default)."""
    root = logging.getLogger()
    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    handler.addFilter(RequestIdFilter())
    for h in list(root.handlers):
        if getattr(h, "_gongshi", False):
            root.removeHandler(h)
    handler._gongshi = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > logging.INFO:
        root.setLevel(logging.INFO)


def request_id_from(headers: list[tuple[bytes, bytes]]) -> str:
    for k, v in headers:
        if k.lower() == b"x-request-id":
            raw = v.decode("latin-1").strip()
            if _TOKEN.fullmatch(raw):
                return raw
            break
    return secrets.token_hex(8)


class RequestIdMiddleware:
    """Outermost ASGI layer: the request id (scope state, context, response header) and, with
    `access=True`, one access-log record per request."""

    def __init__(self, app: ASGIApp, access: bool = False) -> None:
        self.app = app
        self.access = access

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id_from(list(scope.get("headers", [])))
        token = REQUEST_ID.set(rid)
        scope.setdefault("state", {})["request_id"] = rid
        started = time.perf_counter()
        status = {"code": 500}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if self.access:
                client = scope.get("client")
                access_log.info(
                    "%s %s %s",
                    scope.get("method", ""),
                    scope.get("path", ""),
                    status["code"],
                    extra={
                        "method": scope.get("method", ""),
                        "path": scope.get("path", ""),
                        "status": status["code"],
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                        "client": client[0] if client else "",
                    },
                )
            REQUEST_ID.reset(token)
