"""The OpenAPI document as the API really behaves (issue 16 item 7).

Litestar generates the document from the handlers; this pass corrects what it cannot know:

- security: Litestar's JWT backend puts the bearer requirement on every operation. Here only the
  operations that need a signed-in account carry it (`BearerToken`); public reading carries none.
  The bearer scheme loses the `name` field that OpenAPI 3.1 does not allow on an `http` scheme, and
  the optional `X-API-Key` header (a higher rate limit, never required) is described as a scheme.
- errors: every answer that is not a success is `application/problem+json` (api/problems.py). The
  statuses an operation can return are documented with the `Problem` schema, from what the handler
  is (its path parameters, its body, whether it signs in or writes, which records can be withdrawn),
  plus the statuses a handler lists itself in `opt={"problems": (...)}`. Litestar's own `400`
  (a shape this API never sends) is replaced.
- parameter bounds the handlers check themselves (page sizes, years, record ids) are stated, so a
  client (or a property-based tester) knows the valid range without trying.
- headers without a schema get one (OpenAPI requires `schema` or `content` on a header).
- the main public records get examples.

It runs on the generated dictionary inside the render plugins, so `/schema/openapi.json` and the
Swagger UI show the same document.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from litestar import Litestar, Request
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin
from litestar.routes import HTTPRoute

from domain.pagination import MAX_PAGE_SIZE

PROBLEM = "application/problem+json"
BEARER = "BearerToken"
API_KEY = "ApiKey"
TITLES = {
    400: "Malformed request (the body is not valid JSON, or is nested too deep)",
    401: "Sign-in required: the bearer token is missing, invalid or expired",
    403: "Forbidden: the account may not do this (another department's record, a wrong role)",
    404: "Not found",
    409: "Conflict: the record changed meanwhile or is in a state that does not allow this",
    410: "Gone: the record's publicity has stopped; the body gives the reason category, not the details",
    413: "Request too large",
    422: "Validation failed: `errors` names each field and its problem",
    429: "Too many requests: see `Retry-After` and the `RateLimit-*` headers; an API key raises the limit",
    503: "Service unavailable (the search backend cannot be reached)",
}
# Records whose publicity can stop (detail paths answer 410).
WITHDRAWABLE = re.compile(r"^/api/v1/(admin/)?(results|honours|documents|plans|guides|matters)/\{")
WRITES = {"post", "put", "patch", "delete"}

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "description": "RFC 9457 problem details. Some problems add members, e.g. `earliest_on` on a repair "
    "application that is not yet eligible, `reason` on a 410.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "examples": ["about:blank"]},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
    "additionalProperties": True,
    "examples": [
        {
            "type": "about:blank",
            "title": "Validation failed",
            "status": 422,
            "detail": "请求中有无效字段 (the request has invalid fields)",
            "errors": [{"field": "uscc", "message": "统一社会信用代码应为 18 位 (a USCC has 18 characters)"}],
        }
    ],
}

EXAMPLES: dict[str, dict[str, Any]] = {
    "ResultOut": {
        "id": 1024,
        "task_number": "LC-2025-001",
        "uscc": "91371500MA3C5LQD1X",
        "entity_name": "聊城市丰华食品有限公司",
        "entity_kind": "enterprise",
        "region_code": "371502",
        "departments": ["聊城市市场监督管理局"],
        "department_codes": ["371500-scjg"],
        "inspected_on": "2025-06-12",
        "inspection_type": "定向抽查",
        "categories": [{"code": "N01", "label": "未发现问题", "negative": False}],
        "negative": False,
        "follow_up": "",
        "penalty_decision_number": None,
        "published_on": "2025-06-19",
        "url": "https://gongshi.example.gov.cn/results/1024",
        "check_field": "general",
        "joint": False,
        "published_late": False,
    },
}

SECURITY_SCHEMES: dict[str, Any] = {
    BEARER: {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "For enterprises and officers: `POST /api/v1/auth/token` returns the token; send it as "
        "`Authorization: Bearer <token>`.",
    },
    API_KEY: {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "Optional on every public operation: a key raises the rate limit (RATE_LIMIT_API_KEY "
        "requests a minute instead of RATE_LIMIT_ANONYMOUS). Public reading needs no key and no account.",
    },
}


# Bounds checked by the handlers (domain.pagination.page_size, api.params.Params.year) and the id
# space of the tables (serial keys: PostgreSQL `integer`).
PARAMETER_BOUNDS: dict[str, dict[str, int]] = {
    "page_size": {"minimum": 1, "maximum": MAX_PAGE_SIZE},
    "year": {"minimum": 2000, "maximum": 2100},
}
ID_BOUNDS = {"minimum": 1, "maximum": 2**31 - 1}


def _bound(parameter: dict[str, Any]) -> None:
    bounds = PARAMETER_BOUNDS.get(parameter.get("name", ""))
    if bounds is None and parameter.get("in") == "path" and parameter.get("name", "").endswith("_id"):
        bounds = ID_BOUNDS
    if bounds is None:
        return
    schema = parameter.get("schema") or {}
    for variant in [schema, *schema.get("oneOf", [])]:
        if variant.get("type") == "integer":
            variant.update(bounds)


def _problem_response(status: int) -> dict[str, Any]:
    return {
        "description": TITLES[status],
        "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def _handlers(app: Litestar) -> dict[tuple[str, str], Any]:
    """(path, method) → route handler, for every operation in the document."""
    out: dict[tuple[str, str], Any] = {}
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            for method in handler.http_methods:
                out[(route.path_format or "/", method.lower())] = handler
    return out


def statuses_for(path: str, method: str, op: dict[str, Any], needs_account: bool, extra: tuple[int, ...]) -> set[int]:
    """The problem statuses an operation can answer with."""
    found = {429} if path.startswith("/api/") else set()
    params = op.get("parameters") or []
    if params or op.get("requestBody"):
        found.add(422)
    if any(p.get("in") == "path" for p in params):
        found.add(404)
        if WITHDRAWABLE.match(path):
            found.add(410)
    if op.get("requestBody"):
        found |= {400, 413, 422}
    if needs_account:
        found |= {401, 403}
    if needs_account and method in WRITES:
        found.add(409)
    found |= set(extra)
    return found


def refine(app: Litestar, generated: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(generated)
    doc.pop("security", None)
    components = doc.setdefault("components", {})
    components.setdefault("securitySchemes", {}).update(copy.deepcopy(SECURITY_SCHEMES))
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = copy.deepcopy(PROBLEM_SCHEMA)
    for name, example in EXAMPLES.items():
        if name in schemas:
            schemas[name]["examples"] = [example]
    handlers = _handlers(app)
    for path, item in (doc.get("paths") or {}).items():
        for method, op in item.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            handler = handlers.get((path, method))
            opt = handler.opt if handler is not None else {}
            needs_account = path.startswith("/api/") and not opt.get("exclude_from_auth")
            if needs_account:
                op["security"] = [{BEARER: []}]
            else:
                op.pop("security", None)
            for parameter in op.get("parameters") or []:
                _bound(parameter)
            responses = op["responses"]
            responses.pop("400", None)  # Litestar's default, not this API's problem shape
            for status in sorted(statuses_for(path, method, op, needs_account, tuple(opt.get("problems", ())))):
                responses.setdefault(str(status), _problem_response(status))
            for response in responses.values():
                for header in (response.get("headers") or {}).values():
                    if "schema" not in header and "content" not in header:
                        header["schema"] = {"type": "string"}
    return doc


class _Cache:
    def __init__(self) -> None:
        self.source: dict[str, Any] | None = None
        self.refined: dict[str, Any] = {}

    def get(self, request: Request, generated: dict[str, Any]) -> dict[str, Any]:
        if self.source is not generated:  # Litestar builds the dictionary once per app
            self.refined = refine(request.app, generated)
            self.source = generated
        return self.refined


class TruthfulJsonRenderPlugin(JsonRenderPlugin):
    """/schema/openapi.json, refined."""

    def __init__(self, cache: _Cache, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._cache = cache

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, self._cache.get(request, openapi_schema))


class TruthfulSwaggerRenderPlugin(SwaggerRenderPlugin):
    """The Swagger UI page, showing the refined document."""

    def __init__(self, cache: _Cache, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._cache = cache

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, self._cache.get(request, openapi_schema))


def new_cache() -> _Cache:
    return _Cache()
