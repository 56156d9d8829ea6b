"""Bad input never answers 500 (issue 13, item 5: 26 of 552 tried did): integers past the
engine's range in paths, queries, cursors and bodies answer 404 or 422, JSON nested thousands deep
400, impossible years 422, an empty multipart body 422. Every case runs on SQLite and, with
DATABASE_URL set, on PostgreSQL (whose `integer` columns hold at most 2,147,483,647)."""

from __future__ import annotations

import base64
import json

from tests.helpers import make_uscc, sign_in

BIG = 3_000_000_000  # past PostgreSQL integer (serial) columns
HUGE = 10**30  # past 64-bit integers (SQLite's INTEGER)
DEEP = "[" * 5000 + "]" * 5000


def cursor(**key: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def cases(h: dict[str, dict[str, str]]) -> list[tuple[str, str, dict, set[int]]]:
    """(method, url, httpx keyword arguments, the statuses that are right)."""
    nf, bad = {404}, {422}
    out: list[tuple[str, str, dict, set[int]]] = []
    for n in (BIG, HUGE, -BIG):
        for path in (
            "/api/v1/results/{}",
            "/api/v1/plans/{}",
            "/api/v1/guides/{}",
            "/api/v1/guides/{}/download",
            "/api/v1/honours/{}",
            "/api/v1/documents/{}",
            "/results/{}",
            "/plans/{}",
            "/guides/{}",
            "/honours/{}",
            "/documents/{}",
            "/documents/{}/original.txt",
        ):
            out.append(("GET", path.format(n), {}, nf))
        out.append(("GET", f"/api/v1/results/{n}/repair-eligibility", {"headers": h["ent"]}, nf))
        out.append(("GET", f"/repair/apply/{n}", {}, {303, 404}))  # 303: to the sign-in form
        for path, param in (
            ("/api/v1/results", "page_size"),
            ("/api/v1/results", "year"),
            ("/api/v1/plans", "year"),
            ("/api/v1/honours", "page_size"),
            ("/api/v1/documents", "page_size"),
            ("/api/v1/changes", "page_size"),
            ("/api/v1/changes", "since"),
            ("/api/v1/search", "page_size"),
            ("/api/v1/stats/repair", "year"),
            ("/api/v1/stats/complaints", "year"),
            ("/api/v1/exports/results.csv", "year"),
            ("/api/v1/exports/results.jsonl", "year"),
            ("/plans", "year"),
            ("/search", "year"),
            ("/documents", "year"),
            ("/honours", "year"),
        ):
            params = {param: str(n), **({"q": "丰华"} if "search" in path else {})}
            out.append(("GET", path, {"params": params}, bad))
        for path, key in (
            ("/api/v1/results", {"id": n}),
            ("/api/v1/honours", {"id": n}),
            ("/api/v1/documents", {"id": n}),
            ("/api/v1/plans", {"id": n}),
            ("/api/v1/changes", {"seq": n}),
        ):
            out.append(("GET", path, {"params": {"cursor": cursor(**key)}}, bad))
        for result_id in (n, float(n)):
            app = {"result_id": result_id, "reason": "已整改", "commitment_accepted": True}
            out.append(("POST", "/api/v1/repair-applications", {"json": app, "headers": h["ent"]}, bad))
            obj = {"result_id": result_id, "reason": "结果有误"}
            out.append(("POST", "/api/v1/objections", {"json": obj, "headers": h["ent"]}, bad))
        plan = {"year": n, "title": "2025年度抽查计划", "department": "371500-scjg", "items": []}
        out.append(("POST", "/api/v1/admin/plans", {"json": plan, "headers": h["officer"]}, bad))
    out.append(("POST", "/api/v1/repair-applications", {"json": {"result_id": 1e30}, "headers": h["ent"]}, bad))
    for year in ("0", "-1", "10000", "1999"):
        out.append(("GET", "/api/v1/stats/repair", {"params": {"year": year}}, bad))
    for path, who in (
        ("/api/v1/admin/results", "officer"),
        ("/api/v1/admin/results/bulk", "officer"),
        ("/api/v1/repair-applications", "ent"),
        ("/api/v1/complaints", "ent"),
        ("/api/v1/auth/token", "ent"),
    ):
        kw = {"content": DEEP, "headers": {**h[who], "Content-Type": "application/json"}}
        out.append(("POST", path, kw, {400, 422}))
    empty = {"content": b"", "headers": {**h["ent"], "Content-Type": "multipart/form-data; boundary=x"}}
    out.append(("POST", "/api/v1/repair-applications/XF-2025-000001/attachments", empty, {404, 422}))
    out.append(("POST", "/api/v1/repair-applications/XF-2025-000001/attachments", {"headers": h["ent"]}, {404, 422}))
    out.append(("GET", "/api/v1/entities/" + "9" * 5000, {}, {404, 422}))
    return out


async def test_bad_input_answers_4xx_never_500(client) -> None:
    h = {
        "officer": await sign_in(client, "officer1", "officer", department_code="371500-scjg"),
        "ent": await sign_in(client, "ent-a", "enterprise", uscc=make_uscc(seed=5)),
    }
    wrong = []
    tried = cases(h)
    for method, url, kw, ok in tried:
        r = await client.request(method, url, **kw)
        if r.status_code not in ok:
            wrong.append((method, url[:80], str(kw.get("params") or kw.get("json") or "")[:60], r.status_code))
    assert wrong == [], f"{len(wrong)} of {len(tried)} wrong:\n" + "\n".join(map(str, wrong))
