"""/metrics (issue 13 item 12): Prometheus text format, for the addresses in METRICS_ALLOW only
(anyone else gets the same 404 as an unknown address, so the endpoint is not advertised).

Requests and latency by route template and status come from Litestar's PrometheusMiddleware
(`prometheus_config`, grouped by route so an id in a path is not a new series; unmatched paths are
left out); the outbox figures are read from the database when scraped; the rest are counted where
they happen (ops.metrics)."""

from __future__ import annotations

import ipaddress

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.plugins.prometheus import PrometheusConfig
from litestar.response import Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from api.ratelimit import client_address
from ops import metrics
from search.outbox import oldest_pending_age, pending_count
from settings import Settings

UNWATCHED = ["/metrics", "/healthz", "/readyz", "/static/"]


def prometheus_config() -> PrometheusConfig:
    return PrometheusConfig(
        app_name="gongshi",
        prefix="gongshi",
        group_path=True,
        exclude_unhandled_paths=True,
        exclude=UNWATCHED,
    )


def allowed(settings: Settings, address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(n, strict=False) for n in settings.metrics_allow)


class MetricsController(Controller):
    path = "/metrics"
    include_in_schema = False
    opt = {"exclude_from_auth": True}  # probes and scrapers carry no token

    @get("/", name="ops:metrics", cache=False)
    async def metrics(self, request: Request) -> Response[bytes]:
        if not allowed(request.app.state.settings, client_address(request.scope)):
            raise NotFoundException()
        metrics.OUTBOX_PENDING.set(await pending_count())
        metrics.OUTBOX_OLDEST_AGE.set(await oldest_pending_age())
        return Response(
            generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"}
        )
