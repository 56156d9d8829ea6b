"""The back office (政务后台): server-rendered pages under /admin for officers, supervisors and
administrators, on the same use cases and authorisation functions as /api/v1/admin.

Layout:
    backoffice/session.py       the /admin session (server-side, idle expiry), CSRF, who is signed in
    backoffice/controllers/     one module per page group; BACKOFFICE_CONTROLLERS registers them
    backoffice/templates/admin/ pages extending admin/base.html (itself the portal's base.html)
    backoffice/render.py        admin_page(): portal.render.page plus the signed-in staff member

Every page but /admin/login depends on `staff` (session.require_staff): without a session it
redirects to /admin/login?next=<the page>.
"""

from __future__ import annotations

from pathlib import Path

from litestar import Request, Response, Router
from litestar.middleware import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.response import Redirect

from backoffice.controllers import BACKOFFICE_CONTROLLERS
from backoffice.session import PREFIX, SignInRequired, csrf_config, login_url, session_config
from portal.errors import HANDLERS
from portal.form_guard import FormGuard
from settings import Settings

TEMPLATES = Path(__file__).parent / "templates"


def _sign_in_first(_: Request, exc: SignInRequired) -> Response:
    return Redirect(login_url(exc.next_path), status_code=303)


def backoffice_router(settings: Settings) -> Router:
    return Router(
        path="/",
        route_handlers=[*BACKOFFICE_CONTROLLERS],
        middleware=[
            session_config(settings).middleware,
            # A foreign Origin gets the clear 403 page first; the token is Litestar's CSRF, on every post.
            DefineMiddleware(FormGuard, settings=settings, require_token=False),
            DefineMiddleware(CSRFMiddleware, config=csrf_config(settings)),
        ],
        exception_handlers={**HANDLERS, SignInRequired: _sign_in_first},  # type: ignore[dict-item]
        opt={"exclude_from_auth": True},
        include_in_schema=False,
    )


__all__ = ["PREFIX", "TEMPLATES", "backoffice_router"]
