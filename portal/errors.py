"""HTML error pages for portal routes (the API keeps its problem+json handlers).

A withdrawn record answers 410 with the public reason category, as the API does; a missing
one 404; bad query parameters 422 with the fields named; a service the page needs being down
503 with `Retry-After` (as the API's problem details carry it). Registered on the portal router.
"""

from __future__ import annotations

import logging

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from domain.errors import DomainError
from portal.messages import parser_message
from portal.render import page

log = logging.getLogger("gongshi")


def _error_page(
    request: Request, status: int, detail: str, errors: list[dict] | None = None, retry_after: object = None
) -> Response:
    t = page(request, "error.html", status_code=status, status=status, detail=detail, errors=errors or [])
    if retry_after is not None:
        t.headers["Retry-After"] = str(retry_after)
    return t


def domain_error(request: Request, exc: DomainError) -> Response:
    errors = [{"field": e.field, "message": e.message} for e in exc.errors]
    return _error_page(request, exc.status, exc.detail, errors, exc.extra.get("retry_after"))


def unavailable_page(request: Request, exc: DomainError, message: str) -> Response:
    """503 for a service the page depends on (search): `message`, already in the page's
    language, and `Retry-After`. The cause was logged where it happened; it is not shown."""
    return _error_page(request, 503, message, retry_after=exc.extra.get("retry_after"))


def validation_error(request: Request, exc: ValidationException) -> Response:
    errors = [
        {
            "field": str(e.get("key") or "query"),
            "message": parser_message(str(e.get("message", ""))) or str(e.get("message", "")),
        }
        for e in (exc.extra or [])
        if isinstance(e, dict)
    ]
    return _error_page(request, 422, "请求中有无效参数 (the request has invalid parameters)", errors)


def http_error(request: Request, exc: HTTPException) -> Response:
    return _error_page(request, exc.status_code, str(exc.detail))


def internal_error(request: Request, exc: Exception) -> Response:
    log.exception("portal error on %s %s", request.method, request.url.path, exc_info=exc)
    return _error_page(request, 500, "服务器内部错误，已记录 (an internal error occurred and was logged)")


HANDLERS = {
    DomainError: domain_error,
    ValidationException: validation_error,
    HTTPException: http_error,
    Exception: internal_error,
}
