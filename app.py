"""create_app(settings): the one place that wires the pieces together."""

from __future__ import annotations

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
from api.my import AdminEvaluationsController, EvaluationStatsController, MyInspectionsController
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
from ops.jobs import JobRunner
from ops.logs import RequestIdMiddleware
from ops.logs import configure as configure_logs
from portal import portal_router, static_router, template_config
from portal.errors import http_error as portal_http_error
from search.factory import make_index
from search.heal import settled as heal_settled
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
    MyInspectionsController,
    AdminEvaluationsController,
    EvaluationStatsController,
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
        if settings.jobs:  # the background jobs, in the one process that leads (ops.jobs)
            app.state.jobs = JobRunner(settings, search_index, app.state)
            await app.state.jobs.start()

    async def on_shutdown(app: Litestar) -> None:
        jobs = getattr(app.state, "jobs", None)
        if jobs is not None:
            await jobs.stop()
        await heal_settled()  # stale-hit removals being queued by searches
        await search_index.close()
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


def app_from_env() -> Litestar:
    """The factory each worker process of `gongshi serve --workers N` calls."""
    return create_app(Settings.from_env())
