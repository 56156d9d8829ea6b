"""Errors the use cases raise; the web layer turns them into problem details."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FieldError:
    field: str
    message: str


class DomainError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str, errors: list[FieldError] | None = None, **extra: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.extra = extra


class ValidationFailed(DomainError):
    status = 422
    title = "Validation failed"


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Gone(DomainError):
    """A record whose publicity has stopped. Carries the reason category, never the details."""

    status = 410
    title = "No longer public"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"


class Unauthorized(DomainError):
    status = 401
    title = "Sign-in required"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class TooLarge(DomainError):
    status = 413
    title = "Request too large"


class Unavailable(DomainError):
    status = 503
    title = "Service unavailable"


@dataclass
class Collector:
    """Collects field errors so a request reports every problem at once."""

    errors: list[FieldError] = field(default_factory=list)

    def add(self, field_name: str, message: str) -> None:
        self.errors.append(FieldError(field_name, message))

    def raise_if_any(
        self,
        detail: str = "请求中有无效字段，未保存 (the request has invalid fields; nothing was stored)",
        **extra: object,
    ) -> None:
        if self.errors:
            raise ValidationFailed(detail, self.errors, **extra)


class TooManyRequests(DomainError):
    """Carries `retry_after` (seconds) in extra; the web layer sends it as Retry-After."""

    status = 429
    title = "Too many requests"
