"""One check in front of every route, so bad input answers 4xx and never 500:
- text carrying C0 control characters is refused with 422 naming the field (domain/text.py);
- whole numbers past the schema's integer range (domain/limits.py): a path id is not found (404),
  a query parameter the handler declares as int, or any number in a JSON body, is a 422;
- a JSON body nested deeper than the decoder's recursion allows answers 400;
- a multipart body a handler needs but did not get (empty, or another media type) is a 422
  (Litestar's extractor fails on an empty one with IndexError).

Litestar's app-level `before_request` hook sees the request the handler will get, so the body it
reads here is cached for the handler. Handlers that stream their body themselves (complaint
filings, opt `streams_body`) are left to check what they read (api/uploads.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import msgspec
from litestar import Request
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.handlers import HTTPRouteHandler
from litestar.params import BodyKwarg, ParameterKwarg

from domain.errors import DomainError, FieldError, NotFound, ValidationFailed
from domain.limits import INT_MAX, INT_MIN, in_range
from domain.text import control_errors, field_errors

# Control characters in a JSON string are always escaped (a raw one is invalid JSON), so a body
# without such an escape needs no decoding here. A false hit (an escaped backslash before
# "u0007") is decoded and found clean.
ESCAPED_CONTROL = re.compile(rb"\\u00(?:0[0-8bBcCeEfF]|1[0-9a-fA-F])")
BRACKETS = 500
# A JSON number that may be past the range: ten or more digits, or an exponent.
LONG_NUMBER = re.compile(rb"[0-9]{10}|[0-9][eE]")
RANGE = f"{INT_MIN}..{INT_MAX}"
# Search text is never stored and the search backends tokenise control characters away, so a
# hostile search still answers 200 (tests/test_api_search.py) instead of 422.
FREE_TEXT_QUERIES = {"q"}
NOT_QUERY = {"request", "data", "state", "scope", "headers", "cookies", "socket", "body"}


class TooDeep(DomainError):
    status = 400
    title = "Bad request"


def refused(errors: list[FieldError]) -> ValidationFailed:
    return ValidationFailed("请求中含有不可见的控制字符 (the request contains control characters)", errors)


def _numbers(value: Any, path: str) -> Iterator[tuple[str, int | float]]:
    if isinstance(value, bool):
        return
    if isinstance(value, (int, float)):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _numbers(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _numbers(v, f"{path}[{i}]")


def number_errors(data: Any) -> list[FieldError]:
    """Whole numbers (or floats with a whole value, which Litestar's lax decoding turns into ints)
    past the range, by path."""
    return [
        FieldError(p or "body", f"超出范围 (out of range: at most {INT_MAX} in size)")
        for p, n in _numbers(data, "")
        if (isinstance(n, int) or n.is_integer()) and not (INT_MIN <= n <= INT_MAX)
    ]


def check_json_body(body: bytes) -> None:
    """Decoded here only when it may hold a control character, a long number or deep nesting: a
    body with fewer brackets than BRACKETS cannot exhaust the decoder's recursion (msgspec stops
    at Python's recursion limit, about 1,000 levels, with RecursionError)."""
    many = body.count(b"[") + body.count(b"{") > BRACKETS
    if not many and not ESCAPED_CONTROL.search(body) and not LONG_NUMBER.search(body):
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
    errors = number_errors(data)
    if errors:
        raise ValidationFailed("请求中有超出范围的数字 (a number in the request is out of range)", errors)


def _is_int(fd: Any) -> bool:
    types = [t.annotation for t in fd.inner_types] if fd.is_optional else [fd.annotation]
    return int in types and bool not in types


_SHAPES: dict[int, tuple[tuple[str, ...], bool, bool]] = {}


def _shape(handler: HTTPRouteHandler) -> tuple[tuple[str, ...], bool, bool]:
    """(query parameters declared int, takes a multipart body, that body is a list of parts),
    worked out once per handler from its signature."""
    key = id(handler)
    if key not in _SHAPES:
        ints: list[str] = []
        multipart = sequence = False
        paths = {p for path in handler.paths for p in re.findall(r"{(\w+)", path)}
        for name, fd in handler.parsed_fn_signature.parameters.items():
            kw = fd.kwarg_definition
            if name == "data":
                if isinstance(kw, BodyKwarg) and kw.media_type == RequestEncodingType.MULTI_PART:
                    multipart, sequence = True, fd.is_non_string_sequence
                continue
            if name in NOT_QUERY or name in paths or not _is_int(fd):
                continue
            if isinstance(kw, ParameterKwarg) and (kw.header or kw.cookie):
                continue
            ints.append((kw.query if isinstance(kw, ParameterKwarg) and kw.query else None) or name)
        _SHAPES[key] = (tuple(ints), multipart, sequence)
    return _SHAPES[key]


def _out_of_range(raw: str) -> bool:
    try:
        return not in_range(int(raw))
    except ValueError:
        return False  # not a whole number: the framework says so in its own words


async def guard_input(request: Request) -> None:
    errors = field_errors((k, v) for k, v in request.query_params.multi_items() if k not in FREE_TEXT_QUERIES)
    errors += field_errors((k, v) for k, v in request.path_params.items() if isinstance(v, str))
    if errors:
        raise refused(errors)
    for value in request.path_params.values():
        if isinstance(value, int) and not in_range(value):
            raise NotFound("没有找到该记录 (no such record)")
    int_queries, multipart, sequence = _shape(request.route_handler)
    wide = [FieldError(n, f"超出范围 (out of range: {RANGE})") for n in int_queries if n in request.query_params]
    wide = [e for e in wide if any(_out_of_range(v) for v in request.query_params.getall(e.field))]
    if wide:
        raise ValidationFailed("请求中有超出范围的数字 (a number in the request is out of range)", wide)
    if request.method in ("GET", "HEAD", "OPTIONS") or request.route_handler.opt.get("streams_body"):
        return
    media_type = request.content_type[0]
    if multipart and media_type != "multipart/form-data":
        raise ValidationFailed(
            "请以 multipart/form-data 上传文件 (send the files as multipart/form-data)",
            [FieldError("body", f"expected multipart/form-data, got {media_type or 'no body'}")],
        )
    if media_type == "application/json" or media_type.endswith("+json"):
        check_json_body(await request.body())
    elif media_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            form = await request.form()
        except (ValueError, IndexError):
            raise ValidationFailed(
                "multipart 格式错误 (malformed form body)", [FieldError("body", "malformed form body")]
            ) from None
        if sequence and not form:
            raise ValidationFailed(
                "请至少上传一个文件 (send at least one file)", [FieldError("files", "no file in the body")]
            )
        pairs: list[tuple[str, str]] = []
        for key, value in form.multi_items():
            if isinstance(value, str):
                pairs.append((key, value))
            elif isinstance(value, UploadFile) and value.filename:
                pairs.append((f"{key}.filename", value.filename))
        errors = field_errors(pairs)
        if errors:
            raise refused(errors)
