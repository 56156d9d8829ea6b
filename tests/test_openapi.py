"""The OpenAPI document tells the truth (issue 16 item 7): it validates with
openapi-spec-validator (0 errors), public operations carry no security requirement and account
operations the bearer scheme, every operation documents its problem+json answers, the API key
header is described and the main public record has a valid example."""

from __future__ import annotations

import jsonschema
from openapi_spec_validator import OpenAPIV31SpecValidator

from tests.helpers import make_uscc, result_payload, sign_in
from tests.records_helpers import DEPT

PUBLIC = [
    ("/api/v1/results", "get"),
    ("/api/v1/results/{result_id}", "get"),
    ("/api/v1/search", "get"),
    ("/api/v1/entities/{uscc}", "get"),
    ("/api/v1/changes", "get"),
    ("/api/v1/exports/results.csv", "get"),
    ("/feeds/publications.atom", "get"),
    ("/api/v1/complaints", "post"),
    ("/api/v1/auth/token", "post"),
]
ACCOUNT = [
    ("/api/v1/admin/results/bulk", "post"),
    ("/api/v1/repair-applications", "post"),
    ("/api/v1/admin/scan-records", "get"),
]


async def openapi(client) -> dict:
    r = await client.get("/schema/openapi.json")
    assert r.status_code == 200
    return r.json()


async def test_openapi_document_validates_with_zero_errors(client) -> None:
    doc = await openapi(client)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in OpenAPIV31SpecValidator(doc).iter_errors()]
    assert errors == []
    assert doc["openapi"].startswith("3.1")


async def test_security_only_where_an_account_is_needed(client) -> None:
    doc = await openapi(client)
    assert "security" not in doc  # no global requirement
    for path, method in PUBLIC:
        assert "security" not in doc["paths"][path][method], (path, method)
    for path, method in ACCOUNT:
        assert doc["paths"][path][method]["security"] == [{"BearerToken": []}], (path, method)
    schemes = doc["components"]["securitySchemes"]
    assert schemes["BearerToken"] == {**schemes["BearerToken"], "type": "http", "scheme": "bearer"}
    assert "name" not in schemes["BearerToken"]
    assert schemes["ApiKey"]["in"] == "header" and schemes["ApiKey"]["name"] == "X-API-Key"
    # Every /api/v1/admin operation needs an account, and the document says so.
    for path, item in doc["paths"].items():
        if path.startswith("/api/v1/admin/"):
            for method, op in item.items():
                assert op.get("security") == [{"BearerToken": []}], (path, method)


async def test_problem_answers_are_documented_and_match_what_the_api_sends(client) -> None:
    doc = await openapi(client)
    ops = doc["paths"]

    def statuses(path: str, method: str) -> set[str]:
        return {
            s for s, r in ops[path][method]["responses"].items() if "application/problem+json" in r.get("content", {})
        }

    assert {"404", "410", "422", "429"} <= statuses("/api/v1/results/{result_id}", "get")
    assert {"400", "401", "403", "409", "413", "422", "429"} <= statuses("/api/v1/admin/results/bulk", "post")
    assert {"422", "429", "503"} <= statuses("/api/v1/search", "get")
    for path, item in ops.items():
        for method, op in item.items():
            assert "400" not in op["responses"] or "application/problem+json" in op["responses"]["400"]["content"]
            if path.startswith("/api/"):
                assert "429" in op["responses"], (path, method)
    problem = doc["components"]["schemas"]["Problem"]
    # What the API really answers fits the documented schema.
    bad = await client.get("/api/v1/results", params={"uscc": "not-a-uscc"})
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    jsonschema.validate(bad.json(), problem)
    missing = await client.get("/api/v1/results/999999")
    assert missing.status_code == 404
    jsonschema.validate(missing.json(), problem)
    unauth = await client.post("/api/v1/admin/results/bulk", json={"items": []})
    assert unauth.status_code == 401
    jsonschema.validate(unauth.json(), problem)


async def test_result_example_fits_its_schema_and_the_real_answer(client) -> None:
    doc = await openapi(client)
    schemas = doc["components"]["schemas"]
    resolver_doc = {"components": {"schemas": schemas}}

    def check(instance: dict) -> None:
        jsonschema.validate(instance, {**schemas["ResultOut"], "components": resolver_doc["components"]})

    (example,) = schemas["ResultOut"]["examples"]
    check(example)
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    r = await client.post("/api/v1/admin/results/bulk", json={"items": [result_payload(make_uscc(seed=5))]}, headers=h)
    real = (await client.get(f"/api/v1/results/{r.json()['ids'][0]}")).json()
    check(real)
    assert set(example) == set(real)  # the example shows every field a result has
