"""The public portal: server-rendered pages (Jinja2 through Litestar's template engine).

Layout:
    portal/controllers/   one module per page group; PORTAL_CONTROLLERS in
                          controllers/__init__.py is the one list to register a page in
    portal/templates/     base.html (layout, navigation, language switch, skip link) and pages
    portal/static/        CSS and images, all local (no CDN, no web fonts)
    portal/locale/        gettext catalogues (English; Chinese is the message id)
    portal/i18n.py        language from ?lang= / cookie; `_()` in templates, `tr()` in Python
    portal/render.py      page(request, "x.html", api_url=..., nav=..., **context)
    portal/errors.py      HTML 404/410/422/500/503 pages for portal routes

Adding a page (e.g. complaint filing):
    1. portal/controllers/complaints.py with a litestar Controller whose handlers
       `return page(request, "complaints/new.html", api_url="/api/v1/complaints", nav="services", ...)`.
    2. portal/templates/complaints/new.html: `{% extends "base.html" %}` and fill the blocks
       `title`, `description` and `content` (optionally `head`).
    3. Append the controller to PORTAL_CONTROLLERS in portal/controllers/__init__.py.
    4. Wrap user-visible text in `{{ _("中文") }}` and run scripts/portal-i18n.sh, then
       translate the new entries in portal/locale/en/LC_MESSAGES/messages.po.
    The navigation already points at /complaints/new, /complaints/track and /repair
    (portal.render.SERVICES) and turns them into links once a route with that path exists.

Portal routes are public (exclude_from_auth); a page that needs a signed-in user sets
`opt = {"exclude_from_auth": False}` on its controller.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import pass_context
from jinja2.runtime import Context
from litestar import Router
from litestar.middleware import DefineMiddleware
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from portal import i18n, labels, messages, textblocks
from portal.controllers import PORTAL_CONTROLLERS
from portal.errors import HANDLERS
from portal.form_guard import FormGuard, form_token
from settings import Settings

HERE = Path(__file__).parent
STATIC_PATH = "/static"


def _configure(engine: JinjaTemplateEngine) -> None:
    env = engine.engine
    env.autoescape = True  # every stored text is escaped; see templates/README for the one exception
    env.trim_blocks = True
    env.lstrip_blocks = True
    i18n.install(env)
    env.globals["labels"] = labels
    env.filters["blocks"] = textblocks.blocks
    env.filters["msg"] = _msg
    env.globals["form_token"] = form_token


@pass_context
def _msg(ctx: Context, text: object) -> str:
    """A rule's or parser's message in the page's language (portal.messages)."""
    lang = ctx.get("lang")
    return messages.localize(str(text or ""), getattr(lang, "code", "zh"))


def template_config(*extra: Path) -> TemplateConfig:
    """The portal's templates, then `extra` folders (the back office's), in one environment."""
    return TemplateConfig(
        directory=[HERE / "templates", *extra], engine=JinjaTemplateEngine, engine_callback=_configure
    )


def portal_router(settings: Settings) -> Router:
    """Every portal page; every form post goes through FormGuard (Origin, else the form token)."""
    return Router(
        path="/",
        route_handlers=[*PORTAL_CONTROLLERS],
        middleware=[DefineMiddleware(FormGuard, settings=settings)],
        exception_handlers=HANDLERS,  # type: ignore[arg-type]
        opt={"exclude_from_auth": True},
        include_in_schema=False,
    )


def static_router() -> Router:
    return create_static_files_router(
        path=STATIC_PATH,
        directories=[HERE / "static"],
        opt={"exclude_from_auth": True},
        include_in_schema=False,
        cache_control=None,
    )
