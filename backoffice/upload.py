"""A back-office form with one large file, read as it arrives: the text fields into memory (small),
the file straight to disk, the size limit enforced while streaming (an oversized file is refused
after `max_bytes`, not after the whole body).

Litestar's CSRF middleware would read the whole body into memory to find the token, so the route
using this is excluded from it (`opt={"exclude_from_csrf": True}`) and the same double-submit
check is made here, before a byte of the file is written: the form's `_csrf_token` (its first
field) must match the `gongshi_admin_csrf` cookie, exactly as CSRFMiddleware compares them. The
Origin check of FormGuard still runs in front of every /admin post.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from hmac import compare_digest
from pathlib import Path
from typing import BinaryIO

from litestar import Request
from litestar.exceptions import PermissionDeniedException
from litestar.middleware.csrf import CSRF_SECRET_LENGTH, generate_csrf_hash
from litestar.utils.scope.state import ScopeState
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from domain.errors import FieldError, TooLarge, ValidationFailed

MAX_FIELD_BYTES = 4096


@dataclass
class FileForm:
    fields: dict[str, str] = field(default_factory=dict)
    filename: str = ""  # as the browser named it (folders stripped); "" when no file was chosen
    size: int = 0


def _decode(token: str, secret: str) -> str | None:
    if len(token) < CSRF_SECRET_LENGTH + 1:
        return None
    head, mac = token[:CSRF_SECRET_LENGTH], token[CSRF_SECRET_LENGTH:]
    return head if compare_digest(mac, generate_csrf_hash(token=head, secret=secret)) else None


def tokens_match(form_token: str, cookie_token: str | None, secret: str) -> bool:
    """Litestar's CSRFMiddleware comparison: both tokens carry a valid HMAC and the same secret part."""
    if not cookie_token:
        return False
    a, b = _decode(form_token, secret), _decode(cookie_token, secret)
    return a is not None and b is not None and compare_digest(a, b)


async def read_file_form(
    request: Request,
    dest: Path,
    *,
    file_field: str,
    max_bytes: int,
    csrf_secret: str,
    csrf_cookie: str,
    max_field_bytes: int = MAX_FIELD_BYTES,
    max_fields: int = 200,
) -> FileForm:
    """Stream a multipart form: its one file (`file_field`) to `dest`, the rest as text fields.
    403 when the CSRF token does not come before the file or does not match; 413 past `max_bytes`;
    422 for a malformed body, a text field over `max_field_bytes` or more than `max_fields` fields.
    The caller removes `dest` when it keeps nothing."""
    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise ValidationFailed(
            "请以文件上传表单提交 (send the form as multipart/form-data)",
            [FieldError("file", "multipart form expected")],
        )
    form = FileForm()
    cookie = request.cookies.get(csrf_cookie)
    st: dict = {"hdr": {}, "f": b"", "v": b"", "name": "", "buf": b"", "fh": None}

    def check_token() -> None:
        if not tokens_match(form.fields.get("_csrf_token", ""), cookie, csrf_secret):
            raise PermissionDeniedException("CSRF token verification failed")
        # The middleware did not run, so a page rendered in answer (the form with its messages,
        # a preview) would have no token for csrf_token(): it gets the one just checked.
        ScopeState.from_scope(request.scope).csrf_token = form.fields["_csrf_token"]

    def on_header_field(data: bytes, start: int, end: int) -> None:
        st["f"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        st["v"] += data[start:end]

    def on_header_end() -> None:
        st["hdr"][st["f"].decode("latin-1").lower()] = st["v"]
        st["f"] = st["v"] = b""

    def on_headers_finished() -> None:
        _, disp = parse_options_header(st["hdr"].get("content-disposition", b""))
        st["name"] = disp.get(b"name", b"").decode("utf-8", "replace")
        st["buf"] = b""
        filename = disp.get(b"filename")
        if filename is not None and st["name"] == file_field:
            check_token()  # before the first byte of the file reaches the disk
            form.filename = filename.decode("utf-8", "replace").replace("\\", "/").rsplit("/", 1)[-1]
            st["fh"] = open(dest, "wb")  # noqa: SIM115 (closed in on_part_end or finally)

    def on_part_data(data: bytes, start: int, end: int) -> None:
        fh: BinaryIO | None = st["fh"]
        chunk = data[start:end]
        if fh is not None:
            form.size += len(chunk)
            if form.size > max_bytes:
                raise TooLarge(f"文件超过 {max_bytes // (1024 * 1024)} MB (the file exceeds {max_bytes} bytes)")
            fh.write(chunk)
            return
        st["buf"] += chunk
        if len(st["buf"]) > max_field_bytes:
            raise ValidationFailed(
                "字段过长 (a form field is too long)", [FieldError(st["name"] or "body", "too long")]
            )

    def on_part_end() -> None:
        if st["fh"] is not None:
            st["fh"].close()
            st["fh"] = None
        else:
            form.fields[st["name"]] = st["buf"].decode("utf-8", "replace")
            if len(form.fields) > max_fields:
                raise ValidationFailed("表单字段过多 (too many form fields)", [FieldError("body", "too many fields")])
        st["hdr"] = {}

    parser = MultipartParser(
        boundary,
        {
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        },
    )
    try:
        async for chunk in request.stream():
            if chunk:
                parser.write(chunk)
        parser.finalize()
    except MultipartParseError as e:
        raise ValidationFailed(
            f"表单格式错误 (malformed multipart body: {e})", [FieldError("file", "malformed multipart body")]
        ) from None
    finally:
        if st["fh"] is not None:
            st["fh"].close()
    check_token()  # a form without a file still needs its token
    return form
