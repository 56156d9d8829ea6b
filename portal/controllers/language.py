"""GET /lang/{code}?next=/path: remember the language in a cookie and go back."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from portal.i18n import COOKIE, DEFAULT, LANGS
from portal.render import CARE_COOKIE


def _safe_next(target: str | None) -> str:
    # Only local paths: no open redirect to another site ("//host" or "http://…").
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


class CareModeController(Controller):
    """GET /care/on|off?next=/path: 长者模式 (larger type and spacing, 适老化) kept in a cookie."""

    path = "/care"

    @get("/{mode:str}", name="portal:care")
    async def switch(self, request: Request, mode: FromPath[str], next: FromQuery[str | None] = None) -> Redirect:
        resp = Redirect(path=_safe_next(next), status_code=303)
        if mode == "on":
            resp.set_cookie(CARE_COOKIE, "1", max_age=365 * 24 * 3600, samesite="lax", httponly=True)
        else:
            resp.delete_cookie(CARE_COOKIE)
        return resp


class LanguageController(Controller):
    path = "/lang"

    @get("/{code:str}", name="portal:lang")
    async def switch(self, request: Request, code: FromPath[str], next: FromQuery[str | None] = None) -> Redirect:
        code = code if code in LANGS else DEFAULT
        resp = Redirect(path=_safe_next(next), status_code=303)
        resp.set_cookie(COOKIE, code, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
        return resp
