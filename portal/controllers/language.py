"""GET /lang/{code}?next=/path: remember the language in a cookie and go back."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from portal.i18n import COOKIE, DEFAULT, LANGS


def _safe_next(target: str | None) -> str:
    # Only local paths: no open redirect to another site ("//host" or "http://…").
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


class LanguageController(Controller):
    path = "/lang"

    @get("/{code:str}", name="portal:lang")
    async def switch(self, request: Request, code: FromPath[str], next: FromQuery[str | None] = None) -> Redirect:
        code = code if code in LANGS else DEFAULT
        resp = Redirect(path=_safe_next(next), status_code=303)
        resp.set_cookie(COOKIE, code, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
        return resp
