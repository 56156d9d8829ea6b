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

from api.admin_results import shanghai_today
from api.deps import principal_of, settings_of
from api.record_schemas import DownloadOut
from api.record_serialize import downloads_out
from db import guides as gq
from db.results import department_names
from domain.errors import Collector, Unavailable
from domain.guide_flow import own_guide, publish_guide, publish_version
from domain.guides import FORMATS, MAX_FILE_BYTES, download_filename
from render import filestore
from render.guides import FontMissing, content_from, render_html, render_pdf
from settings import Settings


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


class GuideFiles:
    """The files a guide version is published with (domain.guide_flow's `files`): the uploads
    stored, the missing formats rendered, under FILES_DIR."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def make(self, guide: dict, version: dict, uploads: dict[str, bytes]) -> list[filestore.StoredFile]:
        return await make_files(self.settings, guide, version, uploads)

    def remove(self, stored: list[filestore.StoredFile]) -> None:
        filestore.remove_created(self.settings.files_dir, stored)


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
        settings = settings_of(request)
        raw = msgspec.structs.asdict(data)
        guide_id, version, rows = await publish_guide(
            gq, GuideFiles(settings), principal_of(request), raw, shanghai_today()
        )
        return GuidePublished(
            id=guide_id,
            version=version["version"],
            url=f"{settings.base_url}/guides/{guide_id}",
            downloads=downloads_out(rows, settings.base_url, guide_id, version["version"]),
        )

    @post("/{guide_id:int}/versions", summary="Publish a new version of a guide (files rendered)", status_code=201)
    async def new_version(self, request: Request, guide_id: FromPath[int], data: JSONBody[VersionIn]) -> GuidePublished:
        settings = settings_of(request)
        raw = msgspec.structs.asdict(data)
        version, rows = await publish_version(
            gq, GuideFiles(settings), principal_of(request), guide_id, raw, {}, shanghai_today()
        )
        return GuidePublished(
            id=guide_id,
            version=version["version"],
            url=f"{settings.base_url}/guides/{guide_id}",
            downloads=downloads_out(rows, settings.base_url, guide_id, version["version"]),
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
        await own_guide(gq, actor, guide_id)  # 404 / 403 before looking at the parts
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
        version, rows = await publish_version(gq, GuideFiles(settings), actor, guide_id, raw, uploads, shanghai_today())
        return GuidePublished(
            id=guide_id,
            version=version["version"],
            url=f"{settings.base_url}/guides/{guide_id}",
            downloads=downloads_out(rows, settings.base_url, guide_id, version["version"]),
        )
