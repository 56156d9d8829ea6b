"""File import in the back office (/admin/imports): an officer uploads a CSV or XLSX file of
results, entities, honours or scan records; the portal checks every row exactly as
`gongshi import` does (it runs that command, importer.jobs) and shows the problem report on
screen and as CSV, with nothing stored; a file without problems shows its counts and is stored
only when the officer confirms them. The page refreshes itself while a run is going (a meta
refresh: no JavaScript) and shows the rows checked so far.

Jobs belong to the officer's department: another department's job answers 404, as an unknown one.
"""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import File, Redirect, Template

from api.deps import settings_of
from backoffice.render import admin_page
from backoffice.render import local_time as _local
from backoffice.session import CSRF_COOKIE, PREFIX, csrf_config, require_staff
from backoffice.upload import read_file_form
from domain.auth import Principal, require_role
from domain.errors import Conflict, DomainError, FieldError, NotFound, ValidationFailed
from importer import columns, jobs
from portal.labels import N_

BASE = f"{PREFIX}/imports"
KIND_LABELS = {
    "results": N_("检查结果"),
    "entities": N_("经营主体（登记信息）"),
    "honours": N_("荣誉信息"),
    "scan-records": N_("扫码入企记录（不公开）"),
}
ENCODINGS = {"utf-8": N_("UTF-8（推荐）"), "gb18030": N_("GB18030 / GBK（旧版 Excel 另存的 CSV）")}
REPORT_ROWS = 200  # problems shown on the page; the CSV has every one


def _officer(staff: Principal) -> None:
    require_role(staff, "officer", "admin")
    if not staff.department_code:
        raise NotFound("该账户不属于任何部门，不能导入 (this account acts for no department)")


def _job(request: Request, staff: Principal, job_id: str) -> jobs.Job:
    _officer(staff)
    job = jobs.load_job(settings_of(request).files_dir, job_id)
    if job is None or job.department_code != staff.department_code:
        raise NotFound(f"没有编号为 {job_id} 的导入 (no import {job_id})")
    return job


def _columns(kind: str) -> list[tuple[str, str, bool]]:
    """(Chinese header, English header, required) per column of a kind, for the form's help."""
    out = []
    for c in columns.KINDS[kind]:
        zh = next((h for h in c.headers if not h.isascii()), c.headers[0])
        out.append((zh, c.headers[0], c.required))
    return out


class ImportPagesController(Controller):
    path = BASE
    dependencies = {"staff": Provide(require_staff)}

    def _form(
        self,
        request: Request,
        staff: Principal,
        *,
        status_code: int = 200,
        error: DomainError | None = None,
        form: dict[str, str] | None = None,
    ) -> Template:
        errors = {f.field: f.message for f in getattr(error, "errors", [])} if error else {}
        return admin_page(
            request,
            "admin/import_form.html",
            staff,
            section="imports",
            status_code=status_code,
            kinds=KIND_LABELS,
            encodings=ENCODINGS,
            kind_columns={k: _columns(k) for k in KIND_LABELS},
            recent=jobs.department_jobs(settings_of(request).files_dir, staff.department_code or ""),
            max_mb=settings_of(request).import_max_mb,
            error=error,
            errors=errors,
            form=form or {},
            local=_local,
        )

    @get("/", name="admin:imports")
    async def index(self, request: Request, staff: NamedDependency[Principal]) -> Template:
        _officer(staff)
        return self._form(request, staff)

    @post(
        "/",
        name="admin:import_upload",
        status_code=200,
        # The body is read as it arrives (read_file_form), so neither the CSRF middleware nor the
        # input guard may read it first; the token is checked there before the file is written.
        opt={"exclude_from_csrf": True, "streams_body": True},
        request_max_body_size=None,  # limited while streaming (IMPORT_MAX_MB)
    )
    async def upload(self, request: Request, staff: NamedDependency[Principal]) -> Any:
        _officer(staff)
        settings = settings_of(request)
        tmp = jobs.jobs_root(settings.files_dir) / "incoming"
        tmp.mkdir(parents=True, exist_ok=True)
        part = tmp / f"{secrets.token_hex(8)}.part"
        fields: dict[str, str] = {}
        try:
            form = await read_file_form(
                request,
                part,
                file_field="file",
                max_bytes=settings.import_max_mb * 1024 * 1024,
                csrf_secret=csrf_config(settings).secret,
                csrf_cookie=CSRF_COOKIE,
            )
            fields = form.fields
            kind, encoding = form.fields.get("kind", ""), form.fields.get("encoding", "utf-8")
            errors = []
            if kind not in KIND_LABELS:
                errors.append(FieldError("kind", "请选择导入的数据类型 (choose what the file holds)"))
            if encoding not in ENCODINGS:
                errors.append(FieldError("encoding", "不支持的编码 (unknown encoding)"))
            suffix = Path(form.filename).suffix.lower()
            if not form.filename or form.size == 0:
                errors.append(FieldError("file", "请选择要导入的文件 (choose a file)"))
            elif suffix not in jobs.SUFFIXES:
                errors.append(FieldError("file", "只接受 .csv 或 .xlsx 文件 (only .csv and .xlsx files)"))
            if errors:
                raise ValidationFailed("文件未上传，请检查以下内容 (the file was not taken)", errors)
            job_id, folder = jobs.new_job(
                settings.files_dir, kind, form.filename, encoding, staff.username, staff.department_code or ""
            )
            part.replace(folder / f"upload{suffix}")
        except ValidationFailed as e:
            return self._form(request, staff, status_code=422, error=e, form=fields)
        finally:
            part.unlink(missing_ok=True)
        job = jobs.load_job(settings.files_dir, job_id)
        assert job is not None
        await jobs.start(job, "check", settings)
        return Redirect(f"{BASE}/{job_id}", status_code=303)

    @get("/{job_id:str}", name="admin:import_job")
    async def job(self, request: Request, staff: NamedDependency[Principal], job_id: FromPath[str]) -> Template:
        job = _job(request, staff, job_id)
        run = "import" if "import" in job.runs else "check"
        problems, total = jobs.report_rows(job.report(run), REPORT_ROWS)
        return admin_page(
            request,
            "admin/import_job.html",
            staff,
            section="imports",
            crumbs=[(BASE, "文件导入")],
            job=job,
            check=job.runs.get("check"),
            imported=job.runs.get("import"),
            kind_label=KIND_LABELS.get(job.kind, job.kind),
            problems=problems,
            problem_total=total,
            report_run=run,
            refresh=job.running,
            local=_local,
        )

    @post("/{job_id:str}/confirm", name="admin:import_confirm", status_code=200)
    async def confirm(
        self,
        request: Request,
        staff: NamedDependency[Principal],
        job_id: FromPath[str],
        data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Any:
        job = _job(request, staff, job_id)
        if job.state != "checked" or not jobs.claim_confirmation(job):
            if job.state in ("importing", "imported"):  # a repeated confirmation: already going
                return Redirect(f"{BASE}/{job_id}", status_code=303)
            raise Conflict(f"该文件未通过检查，不能导入 (this file did not pass the check: {job.state})")
        await jobs.start(job, "import", settings_of(request))
        return Redirect(f"{BASE}/{job_id}", status_code=303)

    @post("/{job_id:str}/discard", name="admin:import_discard", status_code=200)
    async def discard(
        self,
        request: Request,
        staff: NamedDependency[Principal],
        job_id: FromPath[str],
        data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Any:
        job = _job(request, staff, job_id)
        if job.running:
            raise Conflict("正在检查或导入，请稍后再删除 (a run is going; discard it when it ends)")
        shutil.rmtree(job.dir, ignore_errors=True)
        return Redirect(BASE, status_code=303)

    @get("/{job_id:str}/report.csv", name="admin:import_report")
    async def report(self, request: Request, staff: NamedDependency[Principal], job_id: FromPath[str]) -> File:
        job = _job(request, staff, job_id)
        run = "import" if "import" in job.runs else "check"
        path = job.report(run)
        if not path.exists():
            raise NotFound("该导入没有问题清单 (this import has no problem report)")
        return File(
            path=path,
            filename=f"{Path(job.filename).stem}-问题清单.csv",
            media_type="text/csv; charset=utf-8",
            headers={"Cache-Control": "private, no-store"},
        )
