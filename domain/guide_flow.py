"""Use cases: an officer publishes a compliance guide (一业一册) with its first version, and new
versions of it, with their PDF/HTML files. POST /api/v1/admin/guides[/{id}/versions[/upload]]
and the back office's /admin/guides forms call these, with the same authorisation.

Storage arrives as `store` (db.guides: get_guide, list_versions, insert_guide, insert_version)
and the files as `files`: `await files.make(guide, version, uploads)` stores the uploaded files
and renders the missing formats from the sections (returning stored files with `.row()`), and
`files.remove(stored)` removes those this attempt created. If the database write fails, the
files are removed, so nothing is left half-way. A published version is never changed: a change
is a new version (DOMAIN.md, 'Compliance guide': versioned, downloadable as PDF and HTML)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from domain.auth import Principal, acting_department, require_department
from domain.disclosure import ensure_servable
from domain.errors import NotFound
from domain.guides import check_upload, validate_guide, validate_version


def guide_step(actor: Principal, raw: dict[str, Any], today: dt.date) -> tuple[dict[str, Any], dict[str, Any]]:
    """What publish_guide checks, storing nothing: (the guide, its first version)."""
    return validate_guide(raw, acting_department(actor, raw.get("department")), today)


async def publish_guide(
    store: Any, files: Any, actor: Principal, raw: dict[str, Any], today: dt.date
) -> tuple[int, dict[str, Any], list[dict[str, Any]]]:
    """Publish a new guide and its first version (files rendered from the sections); returns
    (guide id, the version, its file rows)."""
    guide, version = guide_step(actor, raw, today)
    stored = await files.make(guide, version, {})
    try:
        guide_id = await store.insert_guide(guide, version, [f.row() for f in stored], actor)
    except BaseException:
        files.remove(stored)
        raise
    return int(guide_id), version, [f.row() for f in stored]


async def own_guide(store: Any, actor: Principal, guide_id: int) -> dict[str, Any]:
    """The guide a new version is published for: it exists, is the actor's department's, is public."""
    guide = await store.get_guide(guide_id)
    if guide is None:
        raise NotFound(f"没有编号为 {guide_id} 的合规指南 (no guide {guide_id})")
    require_department(actor, guide["department_code"])
    ensure_servable("合规指南", guide_id, guide["disclosure"], "")
    return dict(guide)


async def version_step(
    store: Any, actor: Principal, guide_id: int, raw: dict[str, Any], uploads: dict[str, bytes], today: dt.date
) -> tuple[dict[str, Any], dict[str, Any]]:
    """What publish_version checks, storing nothing: (the guide, the new version)."""
    guide = await own_guide(store, actor, guide_id)
    existing = [v["version"] for v in await store.list_versions(guide_id)]
    version = validate_version(raw, existing, today)
    for fmt, data in uploads.items():
        check_upload(fmt, data)
    return guide, version


async def publish_version(
    store: Any,
    files: Any,
    actor: Principal,
    guide_id: int,
    raw: dict[str, Any],
    uploads: dict[str, bytes],
    today: dt.date,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Publish a new version of a guide (uploaded files kept, the missing formats rendered) and
    make it current; returns (the version, its file rows). A version string already published
    is refused: a published version is never changed."""
    guide, version = await version_step(store, actor, guide_id, raw, uploads, today)
    stored = await files.make(guide, version, uploads)
    try:
        await store.insert_version(guide_id, version, [f.row() for f in stored], actor)
    except BaseException:
        files.remove(stored)
        raise
    return version, [f.row() for f in stored]
