"""The human API docs page (Swagger UI) served from this app, with no CDN.

The Swagger UI files are vendored in api/static/swagger-ui (npm `swagger-ui-dist`, Apache-2.0)
and served at /schema/assets; Litestar's default favicon (a CDN URL) is replaced by a local one.
"""

from __future__ import annotations

from pathlib import Path

from litestar import Router
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.static_files import create_static_files_router

from api.openapi_truth import TruthfulJsonRenderPlugin, TruthfulSwaggerRenderPlugin, new_cache

ASSETS_DIR = Path(__file__).parent / "static" / "swagger-ui"
ASSETS_PATH = "/schema/assets"


def render_plugins() -> list[OpenAPIRenderPlugin]:
    """JSON at /schema/openapi.json; Swagger UI at /schema (the first HTML plugin is the
    default page) and /schema/swagger. Both show the document as api/openapi_truth.py corrects it."""
    cache = new_cache()
    return [
        TruthfulSwaggerRenderPlugin(
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
        directories=[ASSETS_DIR],
        opt={"exclude_from_auth": True},
        include_in_schema=False,
        cache_control=None,
    )
