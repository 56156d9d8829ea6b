"""HTML error pages for portal routes (the API keeps its problem+json handlers).

A withdrawn record answers 410 with the public reason category, as the API does; a missing
one 404; bad query parameters 422 with the fields named. Registered on the portal router.
"""

from __future__ import annotations

import logging

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from domain.errors import DomainError
from portal.render import page

log = logging.getLogger("gongshi")


def _error_page(request: Request, status: int, detail: str, errors: list[dict] | None = None) -> Response:
    return page(request, "error.html", status_code=status, status=status, detail=detail, errors=errors or [])


def domain_error(request: Request, exc: DomainError) -> Response:
    errors = [{"field": e.field, "message": e.message} for e in exc.errors]
    return _error_page(request, exc.status, exc.detail, errors)


def validation_error(request: Request, exc: ValidationException) -> Response:
    errors = [
        {"field": str(e.get("key") or "query"), "message": str(e.get("message", ""))}
        for e in (exc.extra or []) if isinstance(e, dict)
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
