"""The portal's own Prometheus metrics, beside the per-route request count and latency that
Litestar's PrometheusMiddleware records (api/observe.py). Registered once per process in
prometheus_client's default registry; scraped at /metrics (METRICS_ALLOW)."""

from __future__ import annotations

import time

from prometheus_client import Counter, Gauge

OUTBOX_PENDING = Gauge("gongshi_search_outbox_pending", "Search-index updates waiting in the outbox")
OUTBOX_OLDEST_AGE = Gauge(
    "gongshi_search_outbox_oldest_age_seconds", "Age of the oldest search-index update still waiting (0 when none)"
)
SEARCH_ERRORS = Counter("gongshi_search_errors", "Searches the search backend could not answer (503 or fallback)")
SEARCH_FALLBACKS = Counter(
    "gongshi_search_fallbacks", "Searches answered by the embedded fallback while Meilisearch was unreachable"
)
JOB_LAST_SUCCESS = Gauge(
    "gongshi_job_last_success_timestamp_seconds",
    "Unix time of each background job's last successful run",
    ["job"],
)
SIGNIN_THROTTLED = Counter("gongshi_signin_throttled", "Sign-in attempts refused by the throttle (429)")


def job_succeeded(job: str) -> None:
    JOB_LAST_SUCCESS.labels(job=job).set(time.time())
