"""Settings: read from the environment once, at start-up, and passed in.

Nothing here is cached at import time; `Settings.from_env()` is called by the CLI
and by tests build their own `Settings(...)` directly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

# A public value: refused at start-up unless DEMO_MODE (issue 13 item 9).
DEFAULT_JWT_SECRET = "dev-only-secret-change-me"


def _default_var() -> Path:
    return Path(os.getcwd()) / "var"


def _hhmm(value: str) -> str:
    import re

    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        raise ValueError(f"WITHDRAW_AT must be HH:MM (24-hour), got {value!r}")
    return value


def _license(value: str) -> str:
    from domain.datasets import license_of

    license_of(value)  # a ValueError naming the accepted values, at start-up
    return value


def _check_networks(name: str, values: tuple[str, ...]) -> None:
    import ipaddress

    for v in values:
        try:
            ipaddress.ip_network(v, strict=False)
        except ValueError as exc:
            raise ValueError(f"{name}: {v!r} is not an IP address or network (e.g. 10.0.0.5, 10.0.0.0/24)") from exc


@dataclass(frozen=True)
class Settings:
    # `sqlite:///path/to/file.sqlite` or `postgresql://user@host:port/db`.
    database_url: str = "sqlite:///var/gongshi.sqlite"
    # `embedded` (SQLite FTS5 file) or `meilisearch`.
    search_backend: str = "embedded"
    search_path: str = "var/search.sqlite"
    meili_url: str = ""
    meili_master_key: str = ""
    meili_index_prefix: str = "gongshi"
    # `embedded`: with SEARCH_BACKEND=meilisearch, also keep the embedded index at search_path and
    # answer from it while Meilisearch is unreachable; "" (default): answer 503 instead.
    search_fallback: str = ""
    # The search page says 索引更新中 while the oldest search-outbox row waiting to be applied is
    # older than this (seconds); 0 turns the notice off.
    search_lag_notice_seconds: int = 10
    redis_url: str = ""
    files_dir: str = "var/files"
    # The largest file the back office's import page takes (/admin/imports), in MiB.
    import_max_mb: int = 200
    jwt_secret: str = DEFAULT_JWT_SECRET
    jwt_ttl_seconds: int = 3600
    # DEMO_MODE=1 (scripts/run-demo.sh): the server may start with the public default JWT_SECRET.
    demo_mode: bool = False
    # Reverse proxies (addresses or networks) whose X-Forwarded-For / X-Forwarded-Proto count
    # (api/proxy.py); empty: nobody's, the direct peer is the client.
    trusted_proxies: tuple[str, ...] = field(default_factory=tuple)
    # Addresses or networks that may read /metrics (everyone else gets 404); empty: nobody.
    metrics_allow: tuple[str, ...] = ("127.0.0.1", "::1")
    # /readyz fails while the oldest search-outbox row waiting is older than this (seconds).
    ready_outbox_lag_seconds: int = 300
    # `text` (default) or `json`: one JSON object per log line, with the request id.
    log_format: str = "text"
    # Public base URL used to build each record's `url`.
    base_url: str = "http://127.0.0.1:8000"
    # Strict-Transport-Security max-age in seconds, sent only when BASE_URL is https (0: never).
    hsts_seconds: int = 31536000
    # Rate limits per minute: anonymous callers, callers with an API key.
    rate_limit_anonymous: int = 120
    rate_limit_api_key: int = 1200
    # Comma-separated API keys that raise the rate limit (journalists, newsrooms).
    api_keys: tuple[str, ...] = field(default_factory=tuple)
    # Run the outbox worker inside the web process.
    outbox_worker: bool = True
    # Complaints: response deadline in working days, how old a visit may be,
    # and the window around a visit in which scan records are looked for.
    complaint_respond_days: int = 15
    complaint_max_age_days: int = 90
    complaint_scan_window_minutes: int = 120
    # Complaint attachments per filing; filings per client address per hour and per USCC per
    # day (instead of a CAPTCHA); tracking look-ups per client and per number per 10 minutes.
    complaint_max_attachments: int = 5
    complaint_file_limit_client: int = 10
    complaint_file_limit_uscc: int = 5
    complaint_lookup_limit: int = 20
    # Sign-in throttling (API, portal and back office alike): failed attempts per account and per
    # client address within a window of this many seconds; past either limit, 429 until it ends.
    signin_limit_account: int = 10
    signin_limit_client: int = 30
    signin_window_seconds: int = 600
    # Back office (/admin): a session ends after this many seconds without a request.
    admin_session_idle_seconds: int = 1800
    # Attachment limits.
    max_attachment_bytes: int = 10 * 1024 * 1024
    max_video_bytes: int = 50 * 1024 * 1024
    # A CJK .ttf/.ttc font for guide PDFs; empty = look for fonts-wqy-zenhei / fonts-noto-cjk.
    pdf_font: str = ""
    # Credit repair: run `withdraw-expired` in the web process at start-up and daily at this
    # Asia/Shanghai time (WITHDRAW_SCHEDULE=0 turns it off, e.g. when cron runs the command).
    withdraw_schedule: bool = True
    # JOBS=0: this process never runs the background jobs (another process, e.g. `gongshi worker`,
    # does). With JOBS=1 every process contends and one leads (ops.jobs).
    jobs: bool = True
    withdraw_at: str = "01:00"
    # The footer a Chinese government website carries (《政府网站发展指引》, 国办发〔2017〕47号):
    # 主办单位, 承办单位, 网站标识码, ICP 备案号 (linked to the MIIT register), 公安机关备案号 (linked
    # to the MPS register) and a contact line. Empty: not shown. scripts/run-demo.sh sets demo values.
    site_sponsor: str = ""
    site_operator: str = ""
    site_id: str = ""
    site_icp: str = ""
    site_psb: str = ""
    site_contact: str = ""
    # The open data's licence (domain.datasets.LICENSES id, or "Title|https://licence-url") and its
    # publisher (the catalogue's dcat:publisher, CKAN's organisation); shown in every page footer,
    # export and catalogue entry. Publisher empty: SITE_SPONSOR, else the portal's own name.
    data_license: str = "CC-BY-4.0"
    data_publisher: str = ""

    @property
    def publisher(self) -> str:
        return self.data_publisher or self.site_sponsor or "“双随机、一公开”公示门户"

    def check_secret(self) -> None:
        """Refuse to serve with the public default JWT_SECRET outside demo mode: anyone could sign
        tokens (and form tokens) with it."""
        if self.jwt_secret == DEFAULT_JWT_SECRET and not self.demo_mode:
            raise ValueError(
                "JWT_SECRET is the public default: set your own before serving, e.g. "
                "`export JWT_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')` "
                "(the same value on every worker); only the demo (DEMO_MODE=1, set by scripts/run-demo.sh) "
                "may run with the default"
            )

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))

    @property
    def sqlite_path(self) -> str:
        if self.is_postgres:
            raise ValueError("DATABASE_URL is not a SQLite URL")
        prefix = "sqlite:///"
        if not self.database_url.startswith(prefix):
            raise ValueError(f"DATABASE_URL must start with {prefix} or postgresql://")
        return self.database_url[len(prefix) :]

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        e = os.environ if env is None else env
        d = cls()

        def get(name: str, default: str) -> str:
            return e.get(name, default) or default

        def get_int(name: str, default: int) -> int:
            raw = e.get(name)
            if not raw:
                return default
            try:
                return int(raw)
            except ValueError as exc:
                raise ValueError(f"{name} must be a whole number, got {raw!r}") from exc

        backend = get("SEARCH_BACKEND", d.search_backend)
        if backend not in ("embedded", "meilisearch"):
            raise ValueError(f"SEARCH_BACKEND must be 'embedded' or 'meilisearch', got {backend!r}")
        fallback = get("SEARCH_FALLBACK", "").strip().lower()
        fallback = "" if fallback in ("off", "none", "0", "no") else fallback
        if fallback not in ("", "embedded"):
            raise ValueError(f"SEARCH_FALLBACK must be 'embedded' or empty (off), got {fallback!r}")
        keys = tuple(k.strip() for k in get("API_KEYS", "").split(",") if k.strip())
        proxies = tuple(p.strip() for p in get("TRUSTED_PROXIES", "").split(",") if p.strip())
        _check_networks("TRUSTED_PROXIES", proxies)  # a typo fails the start, not trust silently
        raw_allow = e.get("METRICS_ALLOW")  # set but empty: nobody
        allow = d.metrics_allow if raw_allow is None else tuple(p.strip() for p in raw_allow.split(",") if p.strip())
        _check_networks("METRICS_ALLOW", allow)
        log_format = get("LOG_FORMAT", d.log_format).strip().lower()
        if log_format not in ("text", "json"):
            raise ValueError(f"LOG_FORMAT must be 'text' or 'json', got {log_format!r}")
        return cls(
            database_url=get("DATABASE_URL", d.database_url),
            search_backend=backend,
            search_path=get("SEARCH_PATH", d.search_path),
            meili_url=get("MEILI_URL", ""),
            meili_master_key=get("MEILI_MASTER_KEY", ""),
            meili_index_prefix=get("MEILI_INDEX_PREFIX", d.meili_index_prefix),
            search_fallback=fallback,
            search_lag_notice_seconds=get_int("SEARCH_LAG_NOTICE_SECONDS", d.search_lag_notice_seconds),
            redis_url=get("REDIS_URL", ""),
            files_dir=get("FILES_DIR", d.files_dir),
            import_max_mb=get_int("IMPORT_MAX_MB", d.import_max_mb),
            jwt_secret=get("JWT_SECRET", d.jwt_secret),
            jwt_ttl_seconds=get_int("JWT_TTL_SECONDS", d.jwt_ttl_seconds),
            demo_mode=get("DEMO_MODE", "0") not in ("0", "false", "no"),
            trusted_proxies=proxies,
            metrics_allow=allow,
            ready_outbox_lag_seconds=get_int("READY_OUTBOX_LAG_SECONDS", d.ready_outbox_lag_seconds),
            log_format=log_format,
            base_url=get("BASE_URL", d.base_url).rstrip("/"),
            hsts_seconds=get_int("HSTS_SECONDS", d.hsts_seconds),
            rate_limit_anonymous=get_int("RATE_LIMIT_ANONYMOUS", d.rate_limit_anonymous),
            rate_limit_api_key=get_int("RATE_LIMIT_API_KEY", d.rate_limit_api_key),
            api_keys=keys,
            outbox_worker=get("OUTBOX_WORKER", "1") not in ("0", "false", "no"),
            complaint_respond_days=get_int("COMPLAINT_RESPOND_DAYS", d.complaint_respond_days),
            complaint_max_age_days=get_int("COMPLAINT_MAX_AGE_DAYS", d.complaint_max_age_days),
            complaint_scan_window_minutes=get_int("COMPLAINT_SCAN_WINDOW_MINUTES", d.complaint_scan_window_minutes),
            complaint_max_attachments=get_int("COMPLAINT_MAX_ATTACHMENTS", d.complaint_max_attachments),
            complaint_file_limit_client=get_int("COMPLAINT_FILE_LIMIT_CLIENT", d.complaint_file_limit_client),
            complaint_file_limit_uscc=get_int("COMPLAINT_FILE_LIMIT_USCC", d.complaint_file_limit_uscc),
            complaint_lookup_limit=get_int("COMPLAINT_LOOKUP_LIMIT", d.complaint_lookup_limit),
            signin_limit_account=get_int("SIGNIN_LIMIT_ACCOUNT", d.signin_limit_account),
            signin_limit_client=get_int("SIGNIN_LIMIT_CLIENT", d.signin_limit_client),
            signin_window_seconds=get_int("SIGNIN_WINDOW_SECONDS", d.signin_window_seconds),
            admin_session_idle_seconds=get_int("ADMIN_SESSION_IDLE_SECONDS", d.admin_session_idle_seconds),
            max_attachment_bytes=get_int("MAX_ATTACHMENT_BYTES", d.max_attachment_bytes),
            max_video_bytes=get_int("MAX_VIDEO_BYTES", d.max_video_bytes),
            pdf_font=get("PDF_FONT", ""),
            withdraw_schedule=get("WITHDRAW_SCHEDULE", "1") not in ("0", "false", "no"),
            jobs=get("JOBS", "1") not in ("0", "false", "no"),
            withdraw_at=_hhmm(get("WITHDRAW_AT", d.withdraw_at)),
            site_sponsor=get("SITE_SPONSOR", ""),
            site_operator=get("SITE_OPERATOR", ""),
            site_id=get("SITE_ID", ""),
            site_icp=get("SITE_ICP", ""),
            site_psb=get("SITE_PSB", ""),
            site_contact=get("SITE_CONTACT", ""),
            data_license=_license(get("DATA_LICENSE", d.data_license)),
            data_publisher=get("DATA_PUBLISHER", ""),
        )
