"""RFC 9457 problem details for every error; never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException, ValidationException

from domain.errors import DomainError

log = logging.getLogger("gongshi")
PROBLEM = "application/problem+json"


def problem(
    status: int, title: str, detail: str, errors: list[dict] | None = None, headers: dict | None = None, **extra: Any
) -> Response:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    body.update(extra)
    return Response(body, status_code=status, media_type=PROBLEM, headers=headers)


def domain_error(_: Request, exc: DomainError) -> Response:
    extra = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in exc.extra.items()}
    headers = {}
    if "retry_after" in extra:
        headers["Retry-After"] = str(extra["retry_after"])
    return problem(
        exc.status,
        exc.title,
        exc.detail,
        [{"field": e.field, "message": e.message} for e in exc.errors],
        headers=headers,
        **extra,
    )


def _field_of(key: str | None, message: str) -> str:
    if key:
        return key
    # msgspec says e.g. "Expected `int`, got `str` - at `$.items[0].year`"
    if "at `$." in message:
        return message.rsplit("at `$.", 1)[1].rstrip("`")
    return "body"


def validation_error(_: Request, exc: ValidationException) -> Response:
    errors = []
    for e in exc.extra or []:
        if isinstance(e, dict):
            msg = str(e.get("message", "invalid"))
            errors.append({"field": _field_of(e.get("key"), msg), "message": msg})
    if not errors:
        errors.append({"field": "body", "message": str(exc.detail)})
    return problem(422, "Validation failed", "请求中有无效字段 (the request has invalid fields)", errors)


def http_error(_: Request, exc: HTTPException) -> Response:
    titles = {
        401: "Sign-in required",
        403: "Forbidden",
        404: "Not found",
        405: "Method not allowed",
        413: "Request too large",
        429: "Too many requests",
    }
    status = exc.status_code
    detail = exc.detail
    if isinstance(exc, NotAuthorizedException):
        detail = "需要登录或令牌无效 (sign in: the bearer token is missing, invalid or expired)"
    elif isinstance(exc, PermissionDeniedException):
        detail = detail or "Forbidden"
    return problem(status, titles.get(status, "Error"), str(detail), headers=getattr(exc, "headers", None))


def internal_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(500, "Internal error", "服务器内部错误，已记录 (an internal error occurred and was logged)")


HANDLERS = {
    DomainError: domain_error,
    ValidationException: validation_error,
    HTTPException: http_error,
    Exception: internal_error,
}
