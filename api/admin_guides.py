"""Officers publish compliance guides and new guide versions with their PDF/HTML files.

Files come from the officer (multipart upload) or are rendered from the sections
(render.guides). They are written to FILES_DIR first (content-addressed); if the database
write then fails, the files this attempt created are removed, so nothing is left half-way."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

import anyio
import msgspec
from litestar import Controller, Request, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, JSONBody

from api.admin_plans import acting_department
from api.admin_results import shanghai_today
from api.deps import principal_of, settings_of
from api.record_schemas import DownloadOut
from api.record_serialize import downloads_out
from db import guides as gq
from db.results import department_names
from domain.auth import require_department
from domain.disclosure import ensure_servable
from domain.errors import Collector, FieldError, NotFound, TooLarge, Unavailable, ValidationFailed
from domain.guides import FORMATS, download_filename, validate_guide, validate_version
from render import filestore
from render.guides import FontMissing, content_from, render_html, render_pdf
from settings import Settings

MAX_FILE_BYTES = 32 * 1024 * 1024


class GuideIn(msgspec.Struct):
    industry_code: str
    industry_name: str
    version: str
    title: str
    effective_on: dt.date
    sections: list[dict[str, Any]]
    summary: str = ""
    change_note: str = ""
    department: str | None = None


class VersionIn(msgspec.Struct):
    version: str
    title: str
    effective_on: dt.date
    sections: list[dict[str, Any]]
    summary: str = ""
    change_note: str = ""


class GuidePublished(msgspec.Struct):
    id: int
    version: str
    url: str
    downloads: list[DownloadOut]


def check_upload(fmt: str, data: bytes) -> None:
    """An uploaded file must be what it says it is."""
    if len(data) > MAX_FILE_BYTES:
        raise TooLarge(f"文件过大 (the {fmt} file exceeds {MAX_FILE_BYTES} bytes)", [FieldError(fmt, "too large")])
    if fmt == "pdf" and not data.startswith(b"%PDF-"):
        raise ValidationFailed("The uploaded PDF is not a PDF.", [FieldError("pdf", "不是PDF文件 (not a PDF file)")])
    if fmt == "html":
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationFailed(
                "The uploaded HTML is not UTF-8.",
                [FieldError("html", "HTML文件应为UTF-8编码 (the HTML file must be UTF-8)")],
            ) from None


async def make_files(
    settings: Settings, guide: dict, version: dict, uploads: dict[str, bytes]
) -> list[filestore.StoredFile]:
    """Store the uploaded files and render the missing formats from the sections."""
    code = guide.get("department_code", "")
    content = content_from(guide, version, (await department_names([code])).get(code, "") if code else "")
    stored: list[filestore.StoredFile] = []
    try:
        for fmt in FORMATS:
            data = uploads.get(fmt)
            if data is None:
                if fmt == "html":
                    data = render_html(content)
                else:
                    try:  # font parsing and layout take about a second: keep the event loop free
                        data = await anyio.to_thread.run_sync(render_pdf, content, settings.pdf_font)
                    except FontMissing as e:
                        raise Unavailable(str(e)) from None
            name = download_filename(guide["industry_name"], version["title"], version["version"], fmt)
            stored.append(filestore.store(settings.files_dir, data, fmt, name))
    except BaseException:
        filestore.remove_created(settings.files_dir, stored)
        raise
    return stored


async def publish_version(settings: Settings, actor: Any, guide_id: int, raw: dict, uploads: dict[str, bytes]) -> dict:
    guide = await gq.get_guide(guide_id)
    if guide is None:
        raise NotFound(f"没有编号为 {guide_id} 的合规指南 (no guide {guide_id})")
    require_department(actor, guide["department_code"])
    ensure_servable("合规指南", guide_id, guide["disclosure"], "")
    existing = [v["version"] for v in await gq.list_versions(guide_id)]
    version = validate_version(raw, existing, shanghai_today())
    for fmt, data in uploads.items():
        check_upload(fmt, data)
    stored = await make_files(settings, guide, version, uploads)
    try:
        await gq.insert_version(guide_id, version, [f.row() for f in stored], actor)
    except BaseException:
        filestore.remove_created(settings.files_dir, stored)
        raise
    return {"version": version["version"], "files": [f.row() for f in stored]}


class AdminGuidesController(Controller):
    path = "/api/v1/admin/guides"
    tags = ["admin"]
    opt = {"problems": (503,)}  # 503: no CJK font to render the PDF with

    @post(
        "/",
        summary="Publish a new guide (一业一册) with its first version; files rendered from the sections",
        status_code=201,
    )
    async def publish(self, request: Request, data: JSONBody[GuideIn]) -> GuidePublished:
        actor = principal_of(request)
        settings = settings_of(request)
        dept = acting_department(actor, data.department)
        guide, version = validate_guide(msgspec.structs.asdict(data), dept, shanghai_today())
        stored = await make_files(settings, guide, version, {})
        try:
            guide_id = await gq.insert_guide(guide, version, [f.row() for f in stored], actor)
        except BaseException:
            filestore.remove_created(settings.files_dir, stored)
            raise
        return GuidePublished(
            id=guide_id,
            version=version["version"],
            url=f"{settings.base_url}/guides/{guide_id}",
            downloads=downloads_out([f.row() for f in stored], settings.base_url, guide_id, version["version"]),
        )

    @post("/{guide_id:int}/versions", summary="Publish a new version of a guide (files rendered)", status_code=201)
    async def new_version(self, request: Request, guide_id: FromPath[int], data: JSONBody[VersionIn]) -> GuidePublished:
        settings = settings_of(request)
        out = await publish_version(settings, principal_of(request), guide_id, msgspec.structs.asdict(data), {})
        return GuidePublished(
            id=guide_id,
            version=out["version"],
            url=f"{settings.base_url}/guides/{guide_id}",
            downloads=downloads_out(out["files"], settings.base_url, guide_id, out["version"]),
        )

    @post(
        "/{guide_id:int}/versions/upload",
        status_code=201,
        summary="Publish a new version with uploaded files (multipart: `meta` JSON, `pdf` and/or `html` files)",
        request_max_body_size=2 * MAX_FILE_BYTES + 1024 * 1024,
    )
    async def upload_version(
        self,
        request: Request,
        guide_id: FromPath[int],
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> GuidePublished:
        actor = principal_of(request)
        settings = settings_of(request)
        guide = await gq.get_guide(guide_id)  # 404 / 403 before looking at the parts
        if guide is None:
            raise NotFound(f"没有编号为 {guide_id} 的合规指南 (no guide {guide_id})")
        require_department(actor, guide["department_code"])
        c = Collector()
        meta_raw = data.get("meta")
        raw: dict = {}
        if isinstance(meta_raw, UploadFile):
            meta_raw = (await meta_raw.read()).decode("utf-8", "replace")
        try:
            raw = msgspec.structs.asdict(msgspec.json.decode(meta_raw or "", type=VersionIn, dec_hook=None))
        except (msgspec.ValidationError, msgspec.DecodeError, json.JSONDecodeError) as e:
            c.add("meta", f"版本信息应为JSON (meta must be JSON with version, title, effective_on, sections): {e}")
        uploads: dict[str, bytes] = {}
        for fmt in FORMATS:
            f = data.get(fmt)
            if isinstance(f, UploadFile):
                uploads[fmt] = await f.read()
            elif f is not None:
                c.add(fmt, "应为上传的文件 (must be a file part)")
        c.raise_if_any("上传内容无效，未发布 (invalid upload; nothing was published)")
        out = await publish_version(settings, actor, guide_id, raw, uploads)
        return GuidePublished(
            id=guide_id,
            version=out["version"],
            url=f"{settings.base_url}/guides/{guide_id}",
            downloads=downloads_out(out["files"], settings.base_url, guide_id, out["version"]),
        )
