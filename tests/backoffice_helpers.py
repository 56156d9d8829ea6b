"""Signing in to the back office over HTTP (the login form with its CSRF field)."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.helpers import PASSWORD


def csrf_of(html: str) -> str:
    m = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF field in the page"
    return m.group(1)


async def admin_login(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> None:
    page = await client.get("/admin/login")
    assert page.status_code == 200, page.text
    r = await client.post(
        "/admin/login", data={"username": username, "password": password, "_csrf_token": csrf_of(page.text)}
    )
    assert r.status_code == 303, r.text


async def admin_post(client: httpx.AsyncClient, url: str, data: dict[str, Any], form_page: str) -> httpx.Response:
    """POST a form with the CSRF token of `form_page` (the page the form is on)."""
    page = await client.get(form_page)
    assert page.status_code == 200, page.text
    return await client.post(url, data={**data, "_csrf_token": csrf_of(page.text)})
