"""The API docs page loads nothing from another host, and the OpenAPI document describes
every path promised in API.md."""

from __future__ import annotations

import re

# The public contract (API.md), path parameters written as {}.
API_MD_PATHS = [
    "/api/v1/search",
    "/api/v1/results",
    "/api/v1/results/{}",
    "/api/v1/entities/{}",
    "/api/v1/plans",
    "/api/v1/plans/{}",
    "/api/v1/guides",
    "/api/v1/guides/{}",
    "/api/v1/guides/{}/download",
    "/api/v1/honours",
    "/api/v1/documents",
    "/api/v1/documents/{}",
    "/api/v1/changes",
    "/api/v1/auth/token",
    "/api/v1/results/{}/repair-eligibility",
    "/api/v1/repair-applications",
    "/api/v1/repair-applications/{}",
    "/api/v1/objections",
    "/api/v1/complaints",
    "/api/v1/complaints/{}",
]


def _norm(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path).rstrip("/") or "/"


async def test_docs_page_is_served_without_any_external_host(client) -> None:
    for url in ("/schema", "/schema/swagger"):
        r = await client.get(url)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", r.text)
        assert len(refs) >= 4, refs  # favicon, css, bundle, preset
        for ref in refs:
            assert ref.startswith("/") and not ref.startswith("//"), ref
            got = await client.get(ref)
            assert got.status_code == 200 and len(got.content) > 0, ref
        assert "cdn." not in r.text and "unpkg" not in r.text and "googleapis" not in r.text


async def test_openapi_describes_every_promised_path(client) -> None:
    doc = (await client.get("/schema/openapi.json")).json()
    have = {_norm(p) for p in doc["paths"]}
    missing = [p for p in API_MD_PATHS if p not in have]
    assert not missing, f"not in the OpenAPI document: {missing}"
