"""Queries over compliance guides (一业一册), their versions and downloadable files.

A guide is one booklet per industry; each published version is immutable and has its own
PDF/HTML files (stored under FILES_DIR, path relative to it, with byte count and sha256).
`guide.current_version` names the version in force.
"""

from __future__ import annotations

from typing import Any

from db import changes
from db.tables import Guide, GuideFile, GuideVersion
from db.tx import write_transaction


def _conditions(industry: str | None, public_only: bool, department: str | None = None) -> list[Any]:
    conds: list[Any] = []
    if department:
        conds.append(Guide.department_code == department)
    if public_only:
        conds.append(Guide.disclosure == "public")
    if industry:
        # A GB/T 4754 code also covers the codes under it (F52 covers F5251); or the exact name.
        conds.append(Guide.industry_code.like(industry.upper() + "%") | (Guide.industry_name == industry))
    return conds


async def list_guides(
    industry: str | None, after_id: int | None, limit: int, public_only: bool = True, department: str | None = None
) -> list[dict]:
    """Guide rows, newest id first, each with its current version's row merged in under
    `version_row` (title, version, effective_on, summary, sections …)."""
    q = Guide.select().order_by(Guide.id, ascending=False).limit(limit)
    for c in _conditions(industry, public_only, department):
        q = q.where(c)
    if after_id is not None:
        q = q.where(Guide.id < after_id)
    guides = await q
    if not guides:
        return guides
    versions = await (
        GuideVersion.select().where(GuideVersion.guide_id.is_in([g["id"] for g in guides])).output(load_json=True)
    )
    by_key = {(v["guide_id"], v["version"]): v for v in versions}
    for g in guides:
        g["version_row"] = by_key.get((g["id"], g["current_version"]))
    return guides


async def count_guides(industry: str | None, public_only: bool = True) -> int:
    q = Guide.count()
    for c in _conditions(industry, public_only):
        q = q.where(c)
    return await q


async def get_guide(guide_id: int) -> dict | None:
    """The guide row (any disclosure state), or None."""
    return await Guide.select().where(Guide.id == guide_id).first()


async def list_versions(guide_id: int) -> list[dict]:
    """Every version of a guide, oldest first."""
    return await (
        GuideVersion.select().where(GuideVersion.guide_id == guide_id).order_by(GuideVersion.id).output(load_json=True)
    )


async def get_version(guide_id: int, version: str) -> dict | None:
    return await (
        GuideVersion.select()
        .where((GuideVersion.guide_id == guide_id) & (GuideVersion.version == version))
        .output(load_json=True)
        .first()
    )


async def version_files(version_ids: list[int]) -> dict[int, list[dict]]:
    """version id → its file rows (pdf before html)."""
    if not version_ids:
        return {}
    rows = (
        await GuideFile.select()
        .where(GuideFile.version_id.is_in(version_ids))
        .order_by(GuideFile.format, ascending=False)
    )
    out: dict[int, list[dict]] = {v: [] for v in version_ids}
    for r in rows:
        out[r["version_id"]].append(r)
    return out


async def get_file(version_id: int, fmt: str) -> dict | None:
    return await GuideFile.select().where((GuideFile.version_id == version_id) & (GuideFile.format == fmt)).first()


def _version_row(guide_id: int, v: dict[str, Any]) -> GuideVersion:
    return GuideVersion(
        guide_id=guide_id,
        version=v["version"],
        title=v["title"],
        effective_on=v["effective_on"],
        summary=v["summary"],
        sections=v["sections"],
        change_note=v.get("change_note", ""),
        published_on=v["published_on"],
    )


async def _insert_files(version_id: int, files: list[dict[str, Any]]) -> None:
    if files:
        await GuideFile.insert(
            *[
                GuideFile(
                    version_id=version_id,
                    format=f["format"],
                    filename=f["filename"],
                    path=f["path"],
                    bytes=f["bytes"],
                    sha256=f["sha256"],
                )
                for f in files
            ]
        )


async def insert_guide(guide: dict[str, Any], version: dict[str, Any], files: list[dict[str, Any]], actor: Any) -> int:
    """Publish a new guide with its first version and files (already written to disk),
    audited and change-logged in one transaction. Returns the guide id.

    `guide` keys: industry_code, industry_name, department_code. `version` keys: version,
    title, effective_on, summary, sections, change_note, published_on. `files`: format,
    filename, path, bytes, sha256."""
    async with write_transaction():
        rows = await Guide.insert(
            Guide(
                industry_code=guide["industry_code"],
                industry_name=guide["industry_name"],
                department_code=guide["department_code"],
                current_version=version["version"],
                disclosure="public",
            )
        ).returning(Guide.id)
        guide_id = rows[0]["id"]
        vrows = await GuideVersion.insert(_version_row(guide_id, version)).returning(GuideVersion.id)
        await _insert_files(vrows[0]["id"], files)
        await changes.audit(actor, "publish", "guide", guide_id, detail={"version": version["version"]})
        await changes.public_change("guide", [guide_id], "published")
    return guide_id


async def insert_version(guide_id: int, version: dict[str, Any], files: list[dict[str, Any]], actor: Any) -> int:
    """Publish a new version of a guide and make it current. Returns the version row id.
    A duplicate version string hits the unique index (guide_id, version): the caller checks first."""
    async with write_transaction():
        vrows = await GuideVersion.insert(_version_row(guide_id, version)).returning(GuideVersion.id)
        await _insert_files(vrows[0]["id"], files)
        await Guide.update({Guide.current_version: version["version"]}).where(Guide.id == guide_id)
        await changes.audit(
            actor,
            "revise",
            "guide",
            guide_id,
            reason=version.get("change_note", ""),
            detail={"version": version["version"]},
        )
        await changes.public_change("guide", [guide_id], "updated")
    return vrows[0]["id"]


async def all_file_paths() -> set[str]:
    """Every stored path (to tell an orphan file from one still referenced)."""
    return {r["path"] for r in await GuideFile.select(GuideFile.path)}


async def versions_for(guide_ids: list[int]) -> dict[int, list[dict]]:
    """guide id → its versions, oldest first (for a page of guides in one query)."""
    if not guide_ids:
        return {}
    rows = await (
        GuideVersion.select()
        .where(GuideVersion.guide_id.is_in(guide_ids))
        .order_by(GuideVersion.id)
        .output(load_json=True)
    )
    out: dict[int, list[dict]] = {g: [] for g in guide_ids}
    for r in rows:
        out[r["guide_id"]].append(r)
    return out


async def versions_missing(fmt: str) -> list[tuple[dict, dict]]:
    """(guide, version) pairs of public guides whose version has no file in format `fmt`."""
    guides = {g["id"]: g for g in await Guide.select().where(Guide.disclosure == "public")}
    if not guides:
        return []
    versions = await GuideVersion.select().where(GuideVersion.guide_id.is_in(list(guides))).output(load_json=True)
    have = {r["version_id"] for r in await GuideFile.select(GuideFile.version_id).where(GuideFile.format == fmt)}
    return [(guides[v["guide_id"]], v) for v in versions if v["id"] not in have]


async def add_version_files(guide_id: int, version_row_id: int, files: list[dict[str, Any]], actor: Any) -> None:
    """Attach files rendered later (a PDF missing while no CJK font was installed) to a published
    version: audited, and a change to what the public sees (a new download)."""
    async with write_transaction():
        await _insert_files(version_row_id, files)
        await changes.audit(
            actor,
            "add_files",
            "guide",
            guide_id,
            detail={"version_id": version_row_id, "formats": [f["format"] for f in files]},
        )
        await changes.public_change("guide", [guide_id], "updated")
