"""Small builders shared by tests: users, tokens, valid USCCs, results."""

from __future__ import annotations

import random
import string

from db.users import create_user
from domain.uscc import ALPHABET, with_check_character

PASSWORD = "correct-horse-9"


async def browser_origin(request) -> None:
    """httpx request hook: what every browser sends with a form post, the Origin of the page's site,
    on unsafe requests outside /api/ (the portal's and back office's forms; portal/form_guard.py
    checks it). Tests of the guard itself use clients without this hook."""
    if (
        request.method not in ("GET", "HEAD", "OPTIONS")
        and not request.url.path.startswith("/api/")
        and "origin" not in request.headers
    ):
        request.headers["Origin"] = f"{request.url.scheme}://{request.url.netloc.decode()}"


BROWSER = {"request": [browser_origin]}  # AsyncClient(event_hooks=BROWSER)


def make_uscc(region: str = "371500", kind: str = "1", seed: int | None = None) -> str:
    rnd = random.Random(seed)
    org = "".join(
        rnd.choice(
            "0123456789"
            + string.ascii_uppercase.replace("I", "")
            .replace("O", "")
            .replace("S", "")
            .replace("V", "")
            .replace("Z", "")
        )
        for _ in range(9)
    )
    assert all(c in ALPHABET for c in org)
    return with_check_character(f"9{kind}{region}{org}")


async def sign_in(client, username: str, role: str, **kw: str) -> dict[str, str]:
    await create_user(username, PASSWORD, role, **kw)
    r = await client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def result_payload(uscc: str, task: str = "LC-2025-001", dept: str = "371500-scjg", **kw) -> dict:
    body = {
        "task_number": task,
        "uscc": uscc,
        "entity_name": "聊城市丰华食品有限公司",
        "departments": [dept],
        "inspected_on": "2025-06-12",
        "categories": ["N01"],
    }
    body.update(kw)
    return body


def migration_runner(mig, monkeypatch):
    """An async function running migration module `mig`'s forwards() the way `piccolo migrations
    forwards` runs it, on the tests' engine (Piccolo would otherwise find piccolo_conf's engine,
    i.e. DATABASE_URL or var/gongshi.sqlite). For the raw-SQL data migrations (a `RawSQL` handle,
    not wrapped in one transaction)."""
    import piccolo.apps.migrations.auto.migration_manager as mm

    from db.tables import Result

    engine = Result._meta.db
    monkeypatch.setattr(mig.RawSQL._meta, "_db", engine)
    monkeypatch.setattr(mm, "engine_finder", lambda *a, **k: engine)

    async def run() -> None:
        manager = await mig.forwards()
        assert manager.raw and not manager.wrap_in_transaction
        await manager.run()

    return run
