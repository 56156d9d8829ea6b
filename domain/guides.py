"""Compliance guides (一业一册): validating a guide and its versions as an officer publishes them.

Sections are `[{heading, body}]`; a body is plain text where blank lines separate paragraphs
and lines starting with "- " are list items (the renderer turns them into HTML/PDF).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from domain.errors import Collector, FieldError, TooLarge, ValidationFailed

FORMATS = ("pdf", "html")
MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_SECTIONS = 100
_VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-_]{0,19}$")
_INDUSTRY = re.compile(r"^[A-T][0-9]{0,4}$")  # GB/T 4754: a section letter and up to 4 digits


def validate_sections(raw: Any, c: Collector) -> list[dict[str, str]]:
    if not isinstance(raw, list) or not raw:
        c.add("sections", "至少需要一个章节 (at least one section {heading, body})")
        return []
    if len(raw) > MAX_SECTIONS:
        c.add("sections", f"最多 {MAX_SECTIONS} 个章节 (at most {MAX_SECTIONS})")
        return []
    out: list[dict[str, str]] = []
    for i, s in enumerate(raw):
        if not isinstance(s, dict):
            c.add(f"sections[{i}]", "应为 {heading, body} (an object)")
            continue
        heading = str(s.get("heading") or "").strip()
        body = str(s.get("body") or "").strip()
        if not heading:
            c.add(f"sections[{i}].heading", "章节标题不能为空 (heading is required)")
        if not body:
            c.add(f"sections[{i}].body", "章节内容不能为空 (body is required)")
        out.append({"heading": heading, "body": body})
    return out


def validate_version(raw: dict[str, Any], existing_versions: list[str], today: dt.date) -> dict[str, Any]:
    """A guide version as stored (guide_version row), or ValidationFailed naming each field."""
    c = Collector()
    version_fields(raw, existing_versions, today, c)
    c.raise_if_any("指南版本有无效字段，未发布 (the guide version has invalid fields; nothing was published)")
    return version_fields(raw, existing_versions, today, Collector())


def version_fields(raw: dict[str, Any], existing: list[str], today: dt.date, c: Collector) -> dict[str, Any]:
    version = str(raw.get("version") or "").strip()
    if not _VERSION.match(version):
        c.add("version", "版本号应为1-20位字母、数字、点或连字符 (1-20 letters, digits, '.', '-' or '_', e.g. 2025.1)")
    elif version in existing:
        c.add("version", f"版本 {version} 已发布，已发布的版本不能修改 (version {version} exists; publish a new one)")
    title = str(raw.get("title") or "").strip()
    if not title:
        c.add("title", "标题不能为空 (title is required)")
    elif len(title) > 300:
        c.add("title", "标题过长 (at most 300 characters)")
    effective = raw.get("effective_on")
    if not isinstance(effective, dt.date):
        c.add("effective_on", "生效日期格式应为 YYYY-MM-DD (a date)")
    sections = validate_sections(raw.get("sections"), c)
    return {
        "version": version,
        "title": title,
        "effective_on": effective,
        "summary": str(raw.get("summary") or "").strip(),
        "sections": sections,
        "change_note": str(raw.get("change_note") or "").strip(),
        "published_on": today,
    }


def validate_guide(raw: dict[str, Any], actor_department: str, today: dt.date) -> tuple[dict[str, Any], dict[str, Any]]:
    """A new guide and its first version, or ValidationFailed listing every bad field."""
    c = Collector()
    code = str(raw.get("industry_code") or "").strip().upper()
    if not _INDUSTRY.match(code):
        c.add("industry_code", "行业代码应为 GB/T 4754 门类字母加至多4位数字 (e.g. H62, F5251)")
    name = str(raw.get("industry_name") or "").strip()
    if not name:
        c.add("industry_name", "行业名称不能为空 (industry_name is required)")
    version = version_fields(raw, [], today, c)
    c.raise_if_any("指南有无效字段，未发布 (the guide has invalid fields; nothing was published)")
    return {"industry_code": code, "industry_name": name, "department_code": actor_department}, version


def download_filename(industry_name: str, title: str, version: str, fmt: str) -> str:
    """The name a downloaded file is saved under, e.g. 餐饮服务经营者合规指引-2025.1.pdf."""
    base = re.sub(r'[\\/:*?"<>|\s]+', "", title) or industry_name or "guide"
    return f"{base}-{version}.{fmt}"


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


def upload_format(filename: str, head: bytes) -> str:
    """The format of a file uploaded in the back office's one file field: a PDF by its content
    (%PDF-), an HTML file by its name (.html/.htm); anything else is refused, naming `file`."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if filename.lower().endswith((".html", ".htm")):
        return "html"
    raise ValidationFailed(
        "上传的文件不是PDF或HTML文件，未发布 (the uploaded file is neither a PDF nor an HTML file; nothing was published)",
        [FieldError("file", "只接受PDF文件或UTF-8编码的HTML文件 (a PDF, or an .html file in UTF-8)")],
    )
