"""The department's compliance guides (一业一册) in the back office: /admin/guides (newest first),
/admin/guides/{id} (its versions and files), /admin/guides/new (a guide and its first version)
and /admin/guides/{id}/versions/new (a new version, pre-filled with the one in force).

Both forms have a sections editor that needs no script (backoffice.guide_form) and a preview
step: the sections as the public page will show them, and the HTML and PDF files as they will
be published, opened from the preview (rendered on the fly, nothing stored); then 确认发布. A new
version may come with an uploaded PDF or HTML file instead of the one rendered from the
sections; the version form is then read as it arrives (backoffice.upload, with its own CSRF
check), and the file waits in FILES_DIR/tmp/upload-<hex> (swept when abandoned) between the
preview and the confirmation. Every form calls the use case its /api/v1/admin/guides twin calls
(domain.guide_flow), with the same authorisation. Another department's guide answers 404."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Annotated, Any

import anyio
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from api.admin_guides import GuideFiles
from api.deps import settings_of
from api.uploads import new_tmp_dir
from backoffice import guide_form as gf
from backoffice.once import is_key, new_key, submit_once
from backoffice.render import admin_page
from backoffice.session import CSRF_COOKIE, PREFIX, csrf_config, require_staff
from backoffice.upload import read_file_form
from db import guides as gq
from db.results import department_names
from domain.auth import Principal, require_role
from domain.errors import DomainError, NotFound, Unavailable, ValidationFailed
from domain.guide_flow import guide_step, publish_guide, publish_version, version_step
from domain.guides import MAX_FILE_BYTES, check_upload, upload_format
from domain.pagination import decode_cursor, split_page
from domain.results import shanghai_today
from portal.labels import N_
from portal.render import url_with
from render.guides import FontMissing, content_from, render_html, render_pdf

BASE = f"{PREFIX}/guides"
PAGE = 20
_TOKEN = re.compile(r"^[0-9a-f]{16}$")
FIELD_LABELS = {
    "industry_code": N_("行业代码"),
    "industry_name": N_("行业名称"),
    "version": N_("版本号"),
    "title": N_("标题"),
    "effective_on": N_("施行日期"),
    "summary": N_("简介"),
    "change_note": N_("修订说明"),
    "sections": N_("章节"),
    "heading": N_("章节标题"),
    "body": N_("章节内容"),
    "file": N_("上传文件"),
    "once": N_("表单"),
}
# The sandbox a rendered HTML preview is shown in: its own inline styles, nothing else.
PREVIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


def _errors(error: DomainError | None, origin: list[int]) -> dict[str, str]:
    out: dict[str, str] = {}
    for fe in getattr(error, "errors", None) or []:
        key = "file" if fe.field in ("pdf", "html") else gf.field_key(fe.field, origin)
        out.setdefault(key, fe.message)
    return out


def _summary(errors: dict[str, str]) -> list[tuple[str, str, int | None, str]]:
    out: list[tuple[str, str, int | None, str]] = []
    for key, message in errors.items():
        parts = key.split("-")
        if parts[0] == "sections" and len(parts) >= 2 and parts[1].isdigit():
            name = parts[2] if len(parts) > 2 else "sections"
            out.append((f"f-{key}", FIELD_LABELS.get(name, name), int(parts[1]) + 1, message))
        else:
            out.append((f"f-{key}", FIELD_LABELS.get(key, key), None, message))
    return out


async def _own_guide(staff: Principal, guide_id: int) -> dict:
    require_role(staff, "officer", "admin")
    guide = await gq.get_guide(guide_id)
    if guide is None or guide["department_code"] != staff.department_code:
        raise NotFound(f"没有编号为 {guide_id} 的合规指南 (no guide {guide_id})")
    return guide


# -- an uploaded file waiting between the preview and the confirmation ----------------------


def _upload_dir(files_dir: str, token: str) -> Path | None:
    return Path(files_dir) / "tmp" / f"upload-{token}" if _TOKEN.match(token) else None


def _held_upload(files_dir: str, token: str, staff: Principal) -> tuple[str, str, bytes] | None:
    """(format, filename, bytes) of the file held under `token` for this officer, or None."""
    folder = _upload_dir(files_dir, token)
    if folder is None or not (folder / "owner").is_file():
        return None
    if (folder / "owner").read_text(encoding="utf-8") != staff.username:
        return None
    for fmt in ("pdf", "html"):
        if (folder / fmt).is_file():
            return fmt, (folder / "name").read_text(encoding="utf-8"), (folder / fmt).read_bytes()
    return None


def _drop_upload(files_dir: str, token: str) -> None:
    folder = _upload_dir(files_dir, token)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


class GuidePagesController(Controller):
    path = BASE
    dependencies = {"staff": Provide(require_staff)}

    @get("/", name="admin:guides")
    async def list_(
        self, request: Request, staff: NamedDependency[Principal], cursor: FromQuery[str | None] = None
    ) -> Template:
        require_role(staff, "officer", "admin")
        key = decode_cursor(cursor)
        rows = await gq.list_guides(
            None, int(key["id"]) if key else None, PAGE + 1, public_only=False, department=staff.department_code or "-"
        )
        rows, next_cursor = split_page(rows, PAGE)
        return admin_page(
            request,
            "admin/guide_list.html",
            staff,
            section="guides",
            rows=rows,
            next_url=url_with(BASE, {}, cursor=next_cursor) if next_cursor else "",
            first_url=BASE if cursor else "",
        )

    @get("/{guide_id:int}", name="admin:guide")
    async def detail(
        self,
        request: Request,
        staff: NamedDependency[Principal],
        guide_id: FromPath[int],
        done: FromQuery[str] = "",
        again: FromQuery[str] = "",
    ) -> Template:
        guide = await _own_guide(staff, guide_id)
        versions = await gq.list_versions(guide_id)
        files = await gq.version_files([v["id"] for v in versions])
        return admin_page(
            request,
            "admin/guide_detail.html",
            staff,
            section="guides",
            crumbs=[(BASE, "一业一册")],
            guide=guide,
            versions=list(reversed(versions)),
            files=files,
            done=done if done in ("published", "version") else "",
            again=again == "1",
        )

    # -- the form, its preview and the rendered files ---------------------------------------

    def _form(
        self,
        request: Request,
        staff: Principal,
        *,
        guide: dict | None,
        values: dict[str, Any],
        rows: list[dict[str, str]],
        held: tuple[str, str, bytes] | None = None,
        error: DomainError | None = None,
        origin: list[int] | None = None,
        status_code: int = 200,
    ) -> Template:
        errors = _errors(error, origin or [])
        return admin_page(
            request,
            "admin/guide_form.html",
            staff,
            section="guides",
            crumbs=[(BASE, "一业一册"), *([(f"{BASE}/{guide['id']}", guide["industry_name"])] if guide else [])],
            status_code=status_code,
            guide=guide,
            v=values,
            rows=rows,
            held=held,
            error=error,
            errors=errors,
            summary=_summary(errors),
            add_rows=gf.ADD_ROWS,
            max_mb=MAX_FILE_BYTES // (1024 * 1024),
            # the form's one-time key: kept while nothing was stored under it, else a fresh one
            once=values.get("once") if is_key(str(values.get("once") or "")) else new_key(),
        )

    async def _handle(
        self,
        request: Request,
        staff: Principal,
        data: dict[str, Any],
        guide: dict | None,
        held: tuple[str, str, bytes] | None = None,
    ) -> Any:
        settings = settings_of(request)
        action = str(data.get("action") or "")
        rows = gf.rows_of_form(data)
        if action in ("add", "edit"):
            rows = gf.with_blank_rows(rows, gf.ADD_ROWS if action == "add" else 0)
            return self._form(request, staff, guide=guide, values=data, rows=rows, held=held)
        raw, origin = gf.guide_raw(data, rows)
        uploads = {held[0]: held[2]} if held else {}
        today = shanghai_today()
        files = GuideFiles(settings)
        try:
            if action != "publish":  # the preview and its files: every check, nothing stored
                if guide is None:
                    new_guide, version = guide_step(staff, raw, today)
                else:
                    new_guide, version = await version_step(gq, staff, guide["id"], raw, uploads, today)
                if action in ("view_html", "view_pdf"):
                    return await self._rendered(new_guide, version, uploads, action[5:], settings.pdf_font)
                return self._preview(request, staff, guide, new_guide, version, data, held)
            if guide is None:

                async def store() -> list[int]:
                    return [(await publish_guide(gq, files, staff, raw, today))[0]]

                outcome = await submit_once(data, staff, "guide", store)
                again = "&again=1" if outcome.repeated else ""
                return Redirect(f"{BASE}/{outcome.ids[0]}?done=published{again}", status_code=303)
            gid = int(guide["id"])

            async def store_version() -> list[int]:
                await publish_version(gq, files, staff, gid, raw, uploads, today)
                return [gid]

            # Once per form key: a second confirmation publishes nothing (backoffice/once.py).
            outcome = await submit_once(data, staff, "guide_version", store_version)
        except DomainError as e:
            if e.status in (403, 404, 410):
                raise
            return self._form(
                request,
                staff,
                guide=guide,
                values=data,
                rows=rows,
                held=held,
                error=e,
                origin=origin,
                status_code=e.status if e.status in (409, 413, 503) else 422,
            )
        _drop_upload(settings.files_dir, str(data.get("upload") or ""))
        again = "&again=1" if outcome.repeated else ""
        return Redirect(f"{BASE}/{guide['id']}?done=version{again}", status_code=303)

    def _preview(
        self,
        request: Request,
        staff: Principal,
        guide: dict | None,
        new_guide: dict,
        version: dict,
        data: dict[str, Any],
        held: tuple[str, str, bytes] | None,
    ) -> Template:
        return admin_page(
            request,
            "admin/guide_preview.html",
            staff,
            section="guides",
            crumbs=[(BASE, "一业一册"), *([(f"{BASE}/{guide['id']}", guide["industry_name"])] if guide else [])],
            guide=guide,
            g=new_guide,
            version=version,
            held=held,
            pairs=[(k, str(val)) for k, val in data.items() if k not in ("_csrf_token", "action")],
            action_url=f"{BASE}/{guide['id']}/versions/new" if guide else f"{BASE}/new",
        )

    async def _rendered(self, guide: dict, version: dict, uploads: dict[str, bytes], fmt: str, font: str) -> Response:
        """The file a version will be published with, shown inline: the upload if there is one
        in that format, else rendered from the sections exactly as publishing renders it."""
        data = uploads.get(fmt)
        if data is None:
            code = guide.get("department_code", "")
            issuer = (await department_names([code])).get(code, "") if code else ""
            content = content_from(guide, version, issuer)
            if fmt == "html":
                data = render_html(content)
            else:
                try:
                    data = await anyio.to_thread.run_sync(render_pdf, content, font)
                except FontMissing as e:
                    raise Unavailable(str(e)) from None
        headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
        if fmt == "html":
            headers["Content-Security-Policy"] = PREVIEW_CSP
        return Response(
            content=data,
            media_type="text/html; charset=utf-8" if fmt == "html" else "application/pdf",
            headers={**headers, "Content-Disposition": "inline"},
        )

    # -- a new guide --------------------------------------------------------------------------

    @get("/new", name="admin:guide_new")
    async def new(self, request: Request, staff: NamedDependency[Principal]) -> Template:
        require_role(staff, "officer", "admin")
        return self._form(request, staff, guide=None, values={}, rows=gf.with_blank_rows([], 3))

    @post("/new", name="admin:guide_create", status_code=200)
    async def create(
        self,
        request: Request,
        staff: NamedDependency[Principal],
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Any:
        require_role(staff, "officer", "admin")
        return await self._handle(request, staff, data, None)

    # -- a new version ------------------------------------------------------------------------

    @get("/{guide_id:int}/versions/new", name="admin:guide_version_new")
    async def new_version(self, request: Request, staff: NamedDependency[Principal], guide_id: FromPath[int]) -> Any:
        guide = await _own_guide(staff, guide_id)
        current = await gq.get_version(guide_id, guide["current_version"])
        values: dict[str, Any] = {}
        rows: list[dict[str, str]] = []
        if current:
            values = {"title": current["title"], "summary": current["summary"]}
            rows = gf.rows_of_sections(current["sections"] or [])
        return self._form(request, staff, guide=guide, values=values, rows=gf.with_blank_rows(rows))

    @post(
        "/{guide_id:int}/versions/new",
        name="admin:guide_version_create",
        status_code=200,
        # Read as it arrives (the optional file straight to disk), so neither the CSRF middleware
        # nor the input guard reads the body first; read_file_form checks the token itself.
        opt={"exclude_from_csrf": True, "streams_body": True},
        request_max_body_size=None,  # limited while streaming (MAX_FILE_BYTES)
    )
    async def create_version(self, request: Request, staff: NamedDependency[Principal], guide_id: FromPath[int]) -> Any:
        guide = await _own_guide(staff, guide_id)
        settings = settings_of(request)
        folder = new_tmp_dir(settings.files_dir)
        part = folder / "incoming"
        keep = False
        try:
            try:
                form = await read_file_form(
                    request,
                    part,
                    file_field="file",
                    max_bytes=MAX_FILE_BYTES,
                    csrf_secret=csrf_config(settings).secret,
                    csrf_cookie=CSRF_COOKIE,
                    max_field_bytes=256 * 1024,
                    max_fields=4 * gf.MAX_ROWS + 40,
                )
            except (ValidationFailed, DomainError) as e:
                if e.status in (403, 404):
                    raise
                return self._form(request, staff, guide=guide, values={}, rows=gf.with_blank_rows([]), error=e)
            data = dict(form.fields)
            token = str(data.get("upload") or "")
            held = None if data.get("drop_upload") else _held_upload(settings.files_dir, token, staff)
            if form.filename and form.size:
                head = part.read_bytes()
                try:
                    fmt = upload_format(form.filename, head[:8])
                    check_upload(fmt, head)
                except DomainError as e:
                    rows = gf.with_blank_rows(gf.rows_of_form(data), 0)
                    return self._form(
                        request, staff, guide=guide, values=data, rows=rows, held=held, error=e, status_code=422
                    )
                _drop_upload(settings.files_dir, token)
                part.replace(folder / fmt)
                (folder / "name").write_text(form.filename, encoding="utf-8")
                (folder / "owner").write_text(staff.username, encoding="utf-8")
                token = folder.name.removeprefix("upload-")
                data["upload"] = token
                held = (fmt, form.filename, head)
                keep = True
            elif held is None:
                if data.get("drop_upload"):
                    _drop_upload(settings.files_dir, token)
                data["upload"] = ""
            data.pop("drop_upload", None)
            return await self._handle(request, staff, data, guide, held)
        finally:
            if not keep:
                shutil.rmtree(folder, ignore_errors=True)
