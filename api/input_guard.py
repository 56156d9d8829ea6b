"""One check in front of every route: text carrying C0 control characters is refused with 422
naming the field (domain/text.py says why), and a JSON body nested deeper than any real request
answers 400 instead of exhausting the decoder's recursion (a 500 before).

Litestar's app-level `before_request` hook sees the request the handler will get, so the body it
reads here is cached for the handler. Handlers that stream their body themselves (complaint
filings, opt `streams_body`) are left to check what they read (api/uploads.py).
"""

from __future__ import annotations

import re

import msgspec
from litestar import Request
from litestar.datastructures import UploadFile

from domain.errors import DomainError, FieldError, ValidationFailed
from domain.text import control_errors, field_errors

# Control characters in a JSON string are always escaped (a raw one is invalid JSON), so a body
# without such an escape needs no decoding here. A false hit (an escaped backslash before
# "u0007") is decoded and found clean.
ESCAPED_CONTROL = re.compile(rb"\\u00(?:0[0-8bBcCeEfF]|1[0-9a-fA-F])")
BRACKETS = 500


class TooDeep(DomainError):
    status = 400
    title = "Bad request"


def refused(errors: list[FieldError]) -> ValidationFailed:
    return ValidationFailed("请求中含有不可见的控制字符 (the request contains control characters)", errors)


def check_json_body(body: bytes) -> None:
    """Decoded here only when it may hold a control character or be deeply nested: a body with
    fewer brackets than BRACKETS cannot exhaust the decoder's recursion (msgspec stops at
    Python's recursion limit, about 1,000 levels, with RecursionError)."""
    many = body.count(b"[") + body.count(b"{") > BRACKETS
    if not many and not ESCAPED_CONTROL.search(body):
        return
    try:
        data = msgspec.json.decode(body)
    except RecursionError:
        raise TooDeep(
            "JSON 嵌套层数过多 (the JSON body is nested too deeply)",
            [FieldError("body", "nested too deeply")],
        ) from None
    except msgspec.DecodeError:
        return  # the handler reports invalid JSON in its own words
    errors = control_errors(data)
    if errors:
        raise refused(errors)


async def guard_input(request: Request) -> None:
    errors = field_errors(request.query_params.multi_items())
    errors += field_errors((k, v) for k, v in request.path_params.items() if isinstance(v, str))
    if errors:
        raise refused(errors)
    if request.method in ("GET", "HEAD", "OPTIONS") or request.route_handler.opt.get("streams_body"):
        return
    media_type = request.content_type[0]
    if media_type == "application/json" or media_type.endswith("+json"):
        check_json_body(await request.body())
    elif media_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
        pairs: list[tuple[str, str]] = []
        for key, value in form.multi_items():
            if isinstance(value, str):
                pairs.append((key, value))
            elif isinstance(value, UploadFile) and value.filename:
                pairs.append((f"{key}.filename", value.filename))
        errors = field_errors(pairs)
        if errors:
            raise refused(errors)
