"""Test fixtures: a real database (SQLite file, or the PostgreSQL named by DATABASE_URL),
migrated by the project's own migrations, and the app behind an httpx client."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import httpx
import pytest

from db.migrate import migrate
from db.tables import ALL_TABLES
from settings import Settings
from tests.helpers import BROWSER

KEEP = {"repair_rule"}  # seeded by migrations: kept between tests


def _postgres_reset(url: str) -> None:
    from urllib.parse import urlparse

    u = urlparse(url)
    subprocess.run(
        [
            "psql",
            "-h",
            u.hostname or "127.0.0.1",
            "-p",
            str(u.port or 5432),
            "-U",
            u.username or "postgres",
            "-d",
            (u.path or "/test").lstrip("/"),
            "-qc",
            "DROP SCHEMA public CASCADE; CREATE SCHEMA public;",
        ],
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    tmp = tmp_path_factory.mktemp("gongshi")
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp / 'test.sqlite'}"
    s = Settings(
        database_url=url,
        search_path=str(tmp / "search.sqlite"),
        files_dir=str(tmp / "files"),
        jwt_secret="test-secret-test-secret-test-secret",
        base_url="http://testserver.local",
        outbox_worker=False,
        jobs=False,  # the test app never takes the jobs' lead (a browser test's server process may)
        withdraw_schedule=False,  # tests run withdraw-expired themselves
        rate_limit_anonymous=100000,
        rate_limit_api_key=100000,
        # Only this network's forwarded headers count (tests/test_proxy_trust.py); the default
        # client, 127.0.0.1, is untrusted, as in production without TRUSTED_PROXIES.
        trusted_proxies=("10.99.0.0/16",),
    )
    if s.is_postgres:
        _postgres_reset(url)
    migrate(s, quiet=True)
    return s


@pytest.fixture(scope="session")
def engine_name(settings: Settings) -> str:
    return "postgres" if settings.is_postgres else "sqlite"


@pytest.fixture(scope="session")
async def app(settings: Settings):
    """One app for the session, started in the tests' own event loop, so the database
    pool it opens serves both the app and the tests' direct queries."""
    from app import create_app

    application = create_app(settings)
    # The start-up and shut-down hooks are called directly: pytest finalises session
    # fixtures in another task, where an anyio cancel scope from app.lifespan() cannot exit.
    for hook in application.on_startup:
        await hook(application)  # type: ignore[call-arg]
    yield application
    for hook in application.on_shutdown:
        await hook(application)  # type: ignore[call-arg]


@pytest.fixture
async def client(app, clean_db):
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local", event_hooks=BROWSER) as c:
        yield c


@pytest.fixture
async def clean_db(settings: Settings, app):
    """Every test starts from the migrated, empty schema."""
    from search.heal import settled

    await settled()  # an earlier test's search may still be queueing a stale hit's removal
    await app.state.limiter.store.delete_all()  # rate limits and sign-in throttles start at zero
    for table in ALL_TABLES:
        if table._meta.tablename in KEEP:
            continue
        await table.delete(force=True)
    await _reset_repair_rules()
    yield


async def _reset_repair_rules() -> None:
    from db.tables import RepairRule

    await RepairRule.delete().where(RepairRule.created_by != "migration")


@pytest.fixture
def files_dir(settings: Settings) -> Path:
    return Path(settings.files_dir)


@pytest.fixture
def clock(app):
    """Pins the app's clock (app.state.clock) at tests.repair_helpers.NOW; tests move it with
    clock['now'] = ..."""
    from tests.repair_helpers import NOW

    box = {"now": NOW}
    app.state.clock = lambda: box["now"]
    yield box
    del app.state.clock
