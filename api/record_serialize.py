"""Rows of plans, guides, documents, entities and changes to response structs.

Each public record gets its portal page as `url` ({base_url}/plans/{id} …) and files get
API download URLs.
"""

from __future__ import annotations

from urllib.parse import quote

from api.record_schemas import (
    ChangeOut,
    DocumentOut,
    DownloadOut,
    GuideOut,
    GuideSectionOut,
    GuideVersionOut,
    PlanItemOut,
    PlanOut,
    PlanRevisionOut,
)


def plan_out(plan: dict, revisions: list[dict], dept_names: dict[str, str], base_url: str) -> PlanOut:
    current = next((r for r in revisions if r["number"] == plan["current_revision"]), revisions[-1])
    return PlanOut(
        id=plan["id"],
        year=plan["year"],
        title=current["title"],
        department_code=plan["department_code"],
        department=dept_names.get(plan["department_code"], plan["department_code"]),
        region_code=plan["region_code"],
        participating=list(current["participating"] or []),
        current_revision=current["number"],
        published_on=plan["published_on"],
        revised_on=current["revised_on"],
        body=current["body"],
        items=[
            PlanItemOut(
                code=str(i.get("code", "")),
                field=i.get("field", ""),
                matters=list(i.get("matters") or []),
                scope=i.get("scope", ""),
                departments=list(i.get("departments") or []),
                level=i.get("level", ""),
                months=list(i.get("months") or []),
                ratio_percent=i.get("ratio_percent"),
                ratio_by_class=dict(i.get("ratio_by_class") or {}),
                method=i.get("method", ""),
                joint=bool(i.get("joint", False)),
            )
            for i in current["items"] or []
        ],
        revisions=[
            PlanRevisionOut(
                number=r["number"],
                title=r["title"],
                revised_on=r["revised_on"],
                reason=r["reason"],
                changes=list(r["changes"] or []),
            )
            for r in revisions
        ],
        url=f"{base_url}/plans/{plan['id']}",
    )


def download_url(base_url: str, guide_id: int, fmt: str, version: str | None = None) -> str:
    url = f"{base_url}/api/v1/guides/{guide_id}/download?format={fmt}"
    return url + (f"&version={quote(version)}" if version else "")


def downloads_out(files: list[dict], base_url: str, guide_id: int, version: str | None) -> list[DownloadOut]:
    return [
        DownloadOut(
            format=f["format"],
            url=download_url(base_url, guide_id, f["format"], version),
            bytes=int(f["bytes"]),
            sha256=f["sha256"],
        )
        for f in files
    ]


def guide_out(guide: dict, versions: list[dict], files: dict[int, list[dict]], base_url: str) -> GuideOut:
    current = next((v for v in versions if v["version"] == guide["current_version"]), versions[-1])
    gid = guide["id"]
    return GuideOut(
        id=gid,
        industry_code=guide["industry_code"],
        industry_name=guide["industry_name"],
        department_code=guide["department_code"],
        title=current["title"],
        version=current["version"],
        effective_on=current["effective_on"],
        published_on=current["published_on"],
        summary=current["summary"],
        sections=[
            GuideSectionOut(heading=s.get("heading", ""), body=s.get("body", "")) for s in current["sections"] or []
        ],
        downloads=downloads_out(files.get(current["id"], []), base_url, gid, None),
        versions=[
            GuideVersionOut(
                version=v["version"],
                title=v["title"],
                effective_on=v["effective_on"],
                published_on=v["published_on"],
                change_note=v["change_note"],
                downloads=downloads_out(files.get(v["id"], []), base_url, gid, v["version"]),
            )
            for v in versions
        ],
        url=f"{base_url}/guides/{gid}",
    )


def document_out(row: dict, base_url: str) -> DocumentOut:
    return DocumentOut(
        id=row["id"],
        title=row["title"],
        issuer=row["issuer"],
        doc_number=row["doc_number"] or None,
        issued_on=row["issued_on"],
        issued_year=row["issued_year"],
        region_code=row["region_code"],
        region_name=row["region_name"],
        source=row["source"],
        published_on=row["published_on"],
        text=row.get("body", ""),
        url=f"{base_url}/documents/{row['id']}",
    )


def change_out(row: dict) -> ChangeOut:
    oid = row["object_id"]
    return ChangeOut(
        seq=row["seq"],
        at=row["at"],
        type=row["object_type"],
        id=int(oid) if oid.isdigit() else oid,
        action=row["action"],
    )
