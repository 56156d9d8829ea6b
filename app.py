"""create_app(settings): the one place that wires the pieces together."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from litestar import Litestar, Request, Response
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from litestar.middleware import DefineMiddleware
from litestar.openapi.config import OpenAPIConfig

from api import docs as api_docs
from api.admin_complaints import AdminComplaintsController
from api.admin_guides import AdminGuidesController
from api.admin_matters import AdminMattersController
from api.admin_plans import AdminPlansController
from api.admin_records import AdminDocumentsController, AdminHonoursController, AdminScansController
from api.admin_repair import AdminRepairController
from api.admin_results import AdminResultsController
from api.auth import AuthController, make_jwt_auth
from api.catalog import CatalogController
from api.ckan import ckan_routers
from api.complaints import ComplaintsController, ComplaintStatsController
from api.exchange import ExchangeController
from api.exports import ExportsController
from api.feeds import FeedsController
from api.headers import make_before_send
from api.health import HealthController
from api.http_conventions import ConditionalGetMiddleware, LinkedResponse, OpenDataGate, compression
from api.input_guard import guard_input
from api.matters import DepartmentsController, InspectingBodiesController, MattersController
from api.observe import MetricsController, prometheus_config
from api.plans_guides import GuidesController, PlansController
from api.problems import HANDLERS
from api.problems import http_error as api_http_error
from api.proxy import ProxyHeaders
from api.ratelimit import RateLimitMiddleware, make_limiter
from api.records import ChangesController, DocumentsController, EntitiesController, HonoursController
from api.repair import RepairController, RepairRulesController, RepairStatsController
from api.results import ResultsController
from api.search import SearchController
from api.statistics import StatisticsController
from backoffice import TEMPLATES as BACKOFFICE_TEMPLATES
from backoffice import backoffice_router
from backoffice.session import STORE as ADMIN_SESSION_STORE
from backoffice.session import session_store
from db.engine import bind_tables, close_engine, make_engine, open_engine
from ops.logs import RequestIdMiddleware
from ops.logs import configure as configure_logs
from portal import portal_router, static_router, template_config
from portal.errors import http_error as portal_http_error
from search.factory import make_index
from search.heal import settled as heal_settled
from search.outbox import OutboxWorker
from settings import Settings

API_CONTROLLERS: list = [
    EntitiesController,
    PlansController,
    MattersController,
    InspectingBodiesController,
    DepartmentsController,
    GuidesController,
    HonoursController,
    DocumentsController,
    ChangesController,
    AdminPlansController,
    AdminMattersController,
    AdminGuidesController,
    AdminHonoursController,
    AdminDocumentsController,
    AdminScansController,
    ExportsController,
    FeedsController,
    ResultsController,
    AuthController,
    AdminResultsController,
    RepairController,
    RepairStatsController,
    RepairRulesController,
    ExchangeController,
    AdminRepairController,
    ComplaintsController,
    ComplaintStatsController,
    AdminComplaintsController,
    StatisticsController,
    SearchController,
    CatalogController,
    HealthController,
    MetricsController,
]


MACHINE_PATHS = ("/api/", "/schema", "/feeds/")


def http_error_by_audience(request: Request, exc: HTTPException) -> Response:
    """Errors raised before any route matched (an unknown address, a wrong method): a person
    browsing gets the portal's HTML error page, a program gets problem+json."""
    if request.url.path.startswith(MACHINE_PATHS):
        return api_http_error(request, exc)
    return portal_http_error(request, exc)


def create_app(settings: Settings) -> Litestar:
    settings.check_secret()  # the public default JWT_SECRET only in demo mode
    engine = make_engine(settings.database_url)
    bind_tables(engine)
    jwt_auth = make_jwt_auth(settings)
    limiter = make_limiter(settings)
    search_index = make_index(settings)

    async def on_startup(app: Litestar) -> None:
        bind_tables(engine)
        await open_engine(engine)
        if settings.outbox_worker:  # keeps the search index in step with published records
            app.state.outbox_worker = OutboxWorker(search_index)
            app.state.outbox_worker.start()
        if settings.withdraw_schedule:  # credit repair: daily automatic stop of publicity
            from commands.repair import daily

            app.state.withdraw_task = asyncio.create_task(daily(settings.withdraw_at))
        # Temporary upload folders left behind by a process killed mid-upload: swept in the
        # background now (start-up does not wait for it) and then every day.
        from commands.uploads import daily as sweep_uploads_daily

        app.state.sweep_uploads_task = asyncio.create_task(sweep_uploads_daily(settings.files_dir))

    async def on_shutdown(app: Litestar) -> None:
        worker = getattr(app.state, "outbox_worker", None)
        if worker is not None:
            await worker.stop()
        await heal_settled()  # stale-hit removals being queued by searches
        await search_index.close()
        for name in ("withdraw_task", "sweep_uploads_task"):
            task = getattr(app.state, name, None)
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await close_engine(engine)

    app = Litestar(
        route_handlers=[
            *API_CONTROLLERS,
            *ckan_routers(),
            portal_router(settings),
            backoffice_router(settings),
            static_router(),
            api_docs.assets_router(),
        ],
        template_config=template_config(BACKOFFICE_TEMPLATES),
        stores={ADMIN_SESSION_STORE: session_store(settings)},
        on_app_init=[jwt_auth.on_app_init],
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
        exception_handlers={**HANDLERS, HTTPException: http_error_by_audience},  # type: ignore[dict-item]
        middleware=[
            prometheus_config().middleware,
            DefineMiddleware(RateLimitMiddleware, limiter=limiter, settings=settings),
            ConditionalGetMiddleware,
        ],
        before_send=[make_before_send(settings)],
        before_request=guard_input,
        response_class=LinkedResponse,
        compression_config=compression(),
        state=State(
            {
                "settings": settings,
                "jwt_auth": jwt_auth,
                "engine": engine,
                "limiter": limiter,
                "search_index": search_index,
            }
        ),
        openapi_config=OpenAPIConfig(
            title="“双随机、一公开”公示 API",
            version="1.0.0",
            description="Open data on spot-check plans, inspection results, guides, honours and policy documents.",
            path="/schema",
            render_plugins=api_docs.render_plugins(),
        ),
        request_max_body_size=16 * 1024 * 1024,
        debug=False,
    )
    # HEAD for every GET and CORS on the open-data paths, outside routing so that preflights, 404s
    # and 429s are covered too (api/http_conventions.py).
    app.asgi_handler = OpenDataGate(app.asgi_handler)
    # Every request's id (X-Request-ID, in every log record), and with LOG_FORMAT=json its access log.
    app.asgi_handler = RequestIdMiddleware(app.asgi_handler, access=settings.log_format == "json")
    # Outermost: the client address and scheme behind TRUSTED_PROXIES, for everything inside.
    app.asgi_handler = ProxyHeaders(app.asgi_handler, settings.trusted_proxies)
    configure_logs(settings.log_format)
    logging.getLogger("gongshi").setLevel(logging.INFO)
    return app
