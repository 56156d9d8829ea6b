"""/admin/login and /admin/logout. The password check, the throttle and the one message for
every wrong part are domain.signin.authenticate's (through api.auth.sign_in, as for the API and
the portal); this page adds only who may use the back office."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery
from litestar.response import Redirect

from api.auth import sign_in
from backoffice.render import admin_page
from backoffice.session import PREFIX, STAFF_ROLES, safe_next, staff_of, start_session
from domain.errors import TooManyRequests, Unauthorized


class LoginController(Controller):
    path = PREFIX

    @get("/login", name="admin:login")
    async def form(
        self, request: Request, next: FromQuery[str | None] = None, signed_out: FromQuery[bool] = False
    ) -> Any:
        target = safe_next(next)
        if await staff_of(request) is not None:
            return Redirect(target, status_code=303)
        return admin_page(request, "admin/login.html", None, next=target, username="", error="", signed_out=signed_out)

    @post("/login", name="admin:login_post", status_code=200)
    async def login(
        self, request: Request, data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
    ) -> Any:
        username = (data.get("username") or "").strip()
        target = safe_next(data.get("next"))

        def again(status: int, error: str, minutes: int = 0) -> Any:
            return admin_page(
                request,
                "admin/login.html",
                None,
                status_code=status,
                next=target,
                username=username,
                error=error,
                minutes=minutes,
            )

        try:
            row = await sign_in(request, username, data.get("password") or "")
        except Unauthorized:
            return again(401, "wrong")
        except TooManyRequests as e:
            wait = int(str(e.extra.get("retry_after", 60)))
            t = again(429, "throttled", max(1, -(-wait // 60)))
            t.headers["Retry-After"] = str(wait)
            return t
        if row["role"] not in STAFF_ROLES:
            return admin_page(request, "admin/refused.html", None, status_code=403)
        await start_session(request, row["username"])
        return Redirect(target, status_code=303)

    @post("/logout", name="admin:logout", status_code=303)
    async def logout(self, request: Request) -> Redirect:
        request.clear_session()
        return Redirect(f"{PREFIX}/login?signed_out=1", status_code=303)
