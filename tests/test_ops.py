"""Operations (issue 13 item 12) over real HTTP: /healthz, /readyz with its checks and 503,
/metrics in Prometheus format for METRICS_ALLOW only, request ids, and JSON logs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
from typing import Any, cast

import httpx
import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from db.tables import Outbox
from domain.readiness import migrations_check, outbox_check
from ops.logs import JsonFormatter, RequestIdFilter, RequestIdMiddleware, request_id_from
from settings import Settings


async def test_healthz_answers_with_a_request_id(client) -> None:
    r = await client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    assert r.headers["cache-control"] == "no-store"
    assert len(r.headers["x-request-id"]) == 16
    mine = await client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.1"})
    assert mine.headers["x-request-id"] == "lb-7f3a.1"  # a proxy's id is kept
    odd = await client.get("/healthz", headers={"X-Request-ID": "<script>"})
    assert odd.headers["x-request-id"] != "<script>" and len(odd.headers["x-request-id"]) == 16
    api = await client.get("/api/v1/results")
    assert "x-request-id" in api.headers  # on every response, not only the health ones


async def test_readyz_is_ready_with_every_check_named(client) -> None:
    r = await client.get("/readyz")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "migrations", "search", "search_outbox"}
    assert all(c["ok"] for c in body["checks"].values())
    assert "applied" in body["checks"]["migrations"]["detail"]


async def test_readyz_fails_while_the_search_index_lags(client, app) -> None:
    old = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
    await Outbox.insert(Outbox(created_at=old, object_type="result", object_id="1", op="upsert", next_attempt_at=old))
    r = await client.get("/readyz")
    assert r.status_code == 503
    check = r.json()["checks"]["search_outbox"]
    assert check["ok"] is False and "limit 300 s" in check["detail"]
    s: Settings = app.state.settings
    app.state.settings = dataclasses.replace(s, ready_outbox_lag_seconds=3600)
    try:
        assert (await client.get("/readyz")).status_code == 200
    finally:
        app.state.settings = s


async def test_readyz_fails_when_the_search_backend_does_not_answer(client, app) -> None:
    index = app.state.search_index

    class Down:
        backend = "embedded"

        async def count(self) -> int:
            raise OSError("index file unreadable")

    app.state.search_index = Down()
    try:
        r = await client.get("/readyz")
    finally:
        app.state.search_index = index
    assert r.status_code == 503
    assert r.json()["checks"]["search"] == {"ok": False, "detail": "OSError: index file unreadable"}
    assert r.json()["checks"]["database"]["ok"] is True


def test_migration_and_outbox_checks() -> None:
    assert migrations_check({"a", "b"}, {"a", "b"}).ok
    missing = migrations_check({"a", "b", "c"}, {"a"})
    assert not missing.ok and "2 migration(s) not applied, first b" in missing.detail
    assert outbox_check(0, 0, 300).ok
    assert not outbox_check(301, 5, 300).ok


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    out = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


async def test_metrics_by_route_template_for_allowed_addresses_only(client, app) -> None:
    await client.get("/api/v1/results/123456")  # a 404 of a matched route: counted under its template
    old = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=42)
    await Outbox.insert(Outbox(created_at=old, object_type="result", object_id="1", op="upsert", next_attempt_at=old))
    r = await client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    got = samples(r.text)
    routes = {dict(k[1]).get("path") for k in got if k[0] == "gongshi_requests_total"}
    assert "/api/v1/results/{result_id}" in routes
    assert "/api/v1/results/123456" not in routes  # one series per route, not per id
    assert got[("gongshi_search_outbox_pending", frozenset())] == 1
    assert got[("gongshi_search_outbox_oldest_age_seconds", frozenset())] >= 42
    assert any(k[0] == "gongshi_request_duration_seconds_bucket" for k in got)

    outside = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("203.0.113.9", 4000)), base_url="http://testserver.local"
    )
    async with outside:
        r = await outside.get("/metrics")
    assert r.status_code == 404


async def test_throttled_sign_ins_are_counted(client) -> None:
    before = REGISTRY.get_sample_value("gongshi_signin_throttled_total") or 0
    statuses = [
        (await client.post("/api/v1/auth/token", json={"username": "nobody", "password": "wrong-password"})).status_code
        for _ in range(12)
    ]
    assert 429 in statuses
    after = REGISTRY.get_sample_value("gongshi_signin_throttled_total") or 0
    assert after - before == statuses.count(429)


def test_json_log_lines_carry_the_request_id() -> None:
    record = logging.LogRecord("gongshi.test", logging.WARNING, __file__, 1, "辖区 %s", ("371500",), None)
    record.request_id = "abc123"
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "辖区 371500" and line["level"] == "warning" and line["request_id"] == "abc123"
    assert request_id_from([(b"x-request-id", b"ok-1")]) == "ok-1"
    assert len(request_id_from([(b"x-request-id", b"a b")])) == 16


async def test_the_access_log_is_one_record_per_request_with_its_id(caplog) -> None:
    async def app(scope, receive, send) -> None:
        logging.getLogger("gongshi.inner").warning("inside the request")
        await send({"type": "http.response.start", "status": 201, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    handler_filter = RequestIdFilter()
    caplog.set_level(logging.INFO)
    for h in (caplog.handler,):
        h.addFilter(handler_filter)
    sent = []

    async def send(m) -> None:
        sent.append(m)

    async def receive() -> dict:
        return {"type": "http.request", "body": b""}

    mw = RequestIdMiddleware(app, access=True)
    scope: Any = {
        "type": "http",
        "method": "POST",
        "path": "/x",
        "headers": [(b"x-request-id", b"rid-9")],
        "client": ("10.0.0.1", 1),
    }
    await mw(scope, cast(Any, receive), send)
    assert (b"x-request-id", b"rid-9") in sent[0]["headers"]
    inner = next(r for r in caplog.records if r.name == "gongshi.inner")
    access = next(r for r in caplog.records if r.name == "gongshi.access")
    assert inner.request_id == "rid-9" and access.request_id == "rid-9"
    assert (access.method, access.path, access.status) == ("POST", "/x", 201)
    line = json.loads(JsonFormatter().format(access))
    assert line["status"] == 201 and line["client"] == "10.0.0.1" and "duration_ms" in line


def test_settings_from_the_environment() -> None:
    assert Settings.from_env({}).metrics_allow == ("127.0.0.1", "::1")
    assert Settings.from_env({"METRICS_ALLOW": ""}).metrics_allow == ()
    assert Settings.from_env({"METRICS_ALLOW": "10.0.0.0/8, 192.0.2.7"}).metrics_allow == ("10.0.0.0/8", "192.0.2.7")
    assert Settings.from_env({"READY_OUTBOX_LAG_SECONDS": "60"}).ready_outbox_lag_seconds == 60
    assert Settings.from_env({"LOG_FORMAT": "JSON"}).log_format == "json"
    with pytest.raises(ValueError, match="METRICS_ALLOW"):
        Settings.from_env({"METRICS_ALLOW": "not-an-address"})
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        Settings.from_env({"LOG_FORMAT": "xml"})
