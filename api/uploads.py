"""Streaming reads of a complaint's body (multipart form or JSON) into fields and temporary files.

Files are written to a per-request folder as they arrive, their type is judged from the first
bytes (never from the name or the declared type), and the size limits are enforced while
streaming, so an oversized video is refused after `limit` bytes, not after the whole body.
The caller deletes the folder in a `finally`: whatever goes wrong, nothing stays behind.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from pathlib import Path
from typing import BinaryIO

import msgspec
from litestar import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from domain.complaints import ACCEPTED, Rules, Upload, detect_type, limit_for, too_large
from domain.errors import DomainError, FieldError, TooLarge, ValidationFailed

HEAD = 262  # bytes filetype needs to recognise every format we accept
MAX_FIELD_BYTES = 20_000
MAX_JSON_BYTES = 16 * 1024 * 1024


class Incomplete(DomainError):
    status = 400
    title = "Incomplete upload"


def new_tmp_dir(files_dir: str) -> Path:
    p = Path(files_dir) / "tmp" / f"upload-{secrets.token_hex(8)}"
    p.mkdir(parents=True)
    return p


def bad_type(index: int) -> ValidationFailed:
    return ValidationFailed(
        f"第{index + 1}个附件不是允许的图片或视频格式 (attachment {index + 1} is not an accepted type: {ACCEPTED}); "
        "nothing was stored",
        [FieldError(f"attachments[{index}]", f"类型按文件内容判断，只接受 {ACCEPTED} (judged from the content)")],
    )


class _FileWriter:
    """One attachment being streamed to disk."""

    def __init__(self, path: Path, index: int, filename: str, rules: Rules) -> None:
        self.path, self.index, self.filename, self.rules = path, index, filename, rules
        self.fh: BinaryIO = open(path, "wb")  # noqa: SIM115 (closed by finish/abort)
        self.head = b""
        self.size = 0
        self.mime: str | None = None
        self.sha = hashlib.sha256()

    def write(self, data: bytes) -> None:
        if self.mime is None and len(self.head) < HEAD:
            self.head += data[: HEAD - len(self.head)]
            if len(self.head) >= HEAD:
                self._judge()
        self.size += len(data)
        limit = (
            limit_for(self.mime, self.rules)
            if self.mime
            else max(self.rules.max_video_bytes, self.rules.max_image_bytes)
        )
        if self.size > limit:
            raise too_large(self.index, self.mime, limit)
        self.sha.update(data)
        self.fh.write(data)

    def _judge(self) -> None:
        self.mime = detect_type(self.head)
        if self.mime is None:
            raise bad_type(self.index)

    def finish(self) -> Upload:
        self.fh.close()
        if self.mime is None:
            self._judge()
        assert self.mime is not None
        if self.size > limit_for(self.mime, self.rules):
            raise too_large(self.index, self.mime, limit_for(self.mime, self.rules))
        return Upload(
            filename=self.filename,
            size=self.size,
            content_type=self.mime,
            sha256=self.sha.hexdigest(),
            handle=str(self.path),
        )

    def close(self) -> None:
        if not self.fh.closed:
            self.fh.close()


async def read_multipart(request: Request, tmp: Path, rules: Rules) -> tuple[dict[str, list[str]], list[Upload]]:
    _ctype, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if not boundary:
        raise ValidationFailed(
            "multipart 请求缺少 boundary (multipart body without a boundary)",
            [FieldError("body", "missing multipart boundary")],
        )
    fields: dict[str, list[str]] = {}
    uploads: list[Upload] = []
    state: dict = {"headers": {}, "field": b"", "value": b"", "name": "", "file": None, "buf": b"", "ended": False}

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state["field"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state["value"] += data[start:end]

    def on_header_end() -> None:
        state["headers"][state["field"].decode("latin-1").lower()] = state["value"]
        state["field"] = state["value"] = b""

    def on_headers_finished() -> None:
        _, disp = parse_options_header(state["headers"].get("content-disposition", b""))
        state["name"] = disp.get(b"name", b"").decode("utf-8", "replace")
        filename = disp.get(b"filename")
        state["buf"] = b""
        state["file"] = None
        if filename is not None and state["name"] == "attachments":
            index = len(uploads)
            if index >= rules.max_attachments:
                raise ValidationFailed(
                    f"最多{rules.max_attachments}个附件 (at most {rules.max_attachments} attachments); nothing was stored",
                    [FieldError("attachments", f"at most {rules.max_attachments}")],
                )
            state["file"] = _FileWriter(
                tmp / f"part-{index}",
                index,
                filename.decode("utf-8", "replace").replace("\\", "/").rsplit("/", 1)[-1],
                rules,
            )

    def on_part_data(data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if state["file"] is not None:
            state["file"].write(chunk)
        else:
            state["buf"] += chunk
            if len(state["buf"]) > MAX_FIELD_BYTES:
                raise ValidationFailed(
                    "字段过长 (a form field is too long)",
                    [FieldError(state["name"] or "body", f"at most {MAX_FIELD_BYTES} bytes")],
                )

    def on_part_end() -> None:
        f = state["file"]
        if f is not None:
            if f.size == 0 and not f.filename:  # an empty file input in a browser form
                f.close()
                Path(f.path).unlink(missing_ok=True)
            else:
                uploads.append(f.finish())
        else:
            fields.setdefault(state["name"], []).append(state["buf"].decode("utf-8", "replace"))
        state["headers"], state["file"] = {}, None

    def on_end() -> None:
        state["ended"] = True

    parser = MultipartParser(
        boundary,
        {
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
            "on_end": on_end,
        },
    )
    total_limit = rules.max_attachments * max(rules.max_video_bytes, rules.max_image_bytes) + 1024 * 1024
    total = 0
    try:
        async for chunk in request.stream():
            total += len(chunk)
            if total > total_limit:
                raise TooLarge(
                    f"请求超过 {total_limit} 字节 (the request exceeds {total_limit} bytes); nothing was stored"
                )
            if chunk:
                parser.write(chunk)
        parser.finalize()
    except MultipartParseError as e:
        raise ValidationFailed(
            f"multipart 格式错误 (malformed multipart body: {e})", [FieldError("body", "malformed multipart body")]
        ) from None
    finally:
        if state["file"] is not None:
            state["file"].close()
    if not state["ended"]:
        raise Incomplete(
            "上传不完整，未保存任何内容，请重新提交 (the upload was cut off; nothing was stored, please send it again)",
            [FieldError("body", "multipart body ended early")],
        )
    return fields, uploads


class AttachmentIn(msgspec.Struct):
    filename: str
    content_base64: str


class ComplaintIn(msgspec.Struct):
    """The JSON body. Every field may be missing here so that the domain reports them all at once."""

    uscc: str = ""
    enterprise_name: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    visited_at: str = ""
    place: str = ""
    department: str = ""
    officers: str | list[str] = ""
    scanned: bool | str | None = None
    description: str = ""
    attachments: list[AttachmentIn] = []


async def read_json(request: Request, tmp: Path, rules: Rules) -> tuple[dict, list[Upload]]:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_JSON_BYTES:
            raise TooLarge(
                f"JSON 请求超过 {MAX_JSON_BYTES} 字节，大文件请用 multipart 上传 "
                f"(JSON bodies are limited to {MAX_JSON_BYTES} bytes; send large files as multipart)"
            )
    try:
        data = msgspec.json.decode(bytes(body), type=ComplaintIn)
    except msgspec.ValidationError as e:
        msg = str(e)
        where = msg.rsplit("at `$.", 1)[1].rstrip("`") if "at `$." in msg else "body"
        raise ValidationFailed("请求中有无效字段 (the request has invalid fields)", [FieldError(where, msg)]) from None
    except msgspec.DecodeError as e:
        raise ValidationFailed(
            "请求体不是有效的 JSON (the body is not valid JSON)", [FieldError("body", str(e))]
        ) from None
    except RecursionError:
        raise ValidationFailed(
            "JSON 嵌套层数过多 (the JSON body is nested too deeply)", [FieldError("body", "nested too deeply")]
        ) from None
    if len(data.attachments) > rules.max_attachments:
        raise ValidationFailed(
            f"最多{rules.max_attachments}个附件 (at most {rules.max_attachments} attachments)",
            [FieldError("attachments", f"at most {rules.max_attachments}")],
        )
    uploads = []
    for i, a in enumerate(data.attachments):
        try:
            content = base64.b64decode(a.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationFailed(
                "附件不是有效的 base64 (attachment is not valid base64)",
                [FieldError(f"attachments[{i}].content_base64", "not valid base64")],
            ) from None
        w = _FileWriter(tmp / f"part-{i}", i, a.filename.replace("\\", "/").rsplit("/", 1)[-1], rules)
        try:
            w.write(content)
            uploads.append(w.finish())
        finally:
            w.close()
    raw = msgspec.structs.asdict(data)
    raw.pop("attachments")
    return raw, uploads
