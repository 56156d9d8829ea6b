"""Small builders shared by tests: users, tokens, valid USCCs, results."""

from __future__ import annotations

import random
import string

from db.users import create_user
from domain.uscc import ALPHABET, with_check_character

PASSWORD = "correct-horse-9"


def make_uscc(region: str = "371500", kind: str = "1", seed: int | None = None) -> str:
    rnd = random.Random(seed)
    org = "".join(rnd.choice("0123456789" + string.ascii_uppercase.replace("I", "").replace("O", "")
                             .replace("S", "").replace("V", "").replace("Z", "")) for _ in range(9))
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
