"""The human API docs page (Swagger UI) served from this app, with no CDN.

The Swagger UI files are vendored in api/static/swagger-ui (npm `swagger-ui-dist`, Apache-2.0)
and served at /schema/assets; Litestar's default favicon (a CDN URL) is replaced by a local one.
The page has no inline script or style (the Content-Security-Policy in api/headers.py forbids
them): Swagger UI is started by api/static/docs/swagger-init.js, which loads the OpenAPI JSON.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from litestar import Request, Router
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.static_files import create_static_files_router

from api.openapi_truth import TruthfulJsonRenderPlugin, TruthfulSwaggerRenderPlugin, new_cache

ASSETS_DIR = Path(__file__).parent / "static" / "swagger-ui"
INIT_DIR = Path(__file__).parent / "static" / "docs"
ASSETS_PATH = "/schema/assets"
SPEC_URL = "/schema/openapi.json"


class SwaggerPage(TruthfulSwaggerRenderPlugin):
    """Litestar's Swagger UI page without its inline script and style: the start-up script loads
    the (corrected) document from /schema/openapi.json instead of having it inlined."""

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        title = escape(str(openapi_schema["info"]["title"]))
        return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
{self.favicon}
<link href="{self.css_url}" rel="stylesheet">
<link href="{ASSETS_PATH}/swagger-page.css" rel="stylesheet">
<script src="{self.js_url}"></script>
<script src="{self.standalone_preset_js_url}"></script>
<script src="{ASSETS_PATH}/swagger-init.js"></script>
</head>
<body>
<div id="swagger-container" data-spec-url="{SPEC_URL}"></div>
</body>
</html>
""".encode()


def render_plugins() -> list[OpenAPIRenderPlugin]:
    """JSON at /schema/openapi.json; Swagger UI at /schema (the first HTML plugin is the
    default page) and /schema/swagger. Both show the document as api/openapi_truth.py corrects it."""
    cache = new_cache()
    return [
        SwaggerPage(
            cache,
            path=["/swagger", "/docs"],
            js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            css_url=f"{ASSETS_PATH}/swagger-ui.css",
            standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
            favicon=f"<link rel='icon' type='image/png' href='{ASSETS_PATH}/favicon-32x32.png'>",
        ),
        TruthfulJsonRenderPlugin(cache),
    ]


def assets_router() -> Router:
    return create_static_files_router(
        path=ASSETS_PATH,
        directories=[ASSETS_DIR, INIT_DIR],
        opt={"exclude_from_auth": True},
        include_in_schema=False,
        cache_control=None,
    )
