"""Browser-test fixtures: a real uvicorn server process on a free loopback port, serving the
test database (the SQLite file or PostgreSQL database of the `settings` fixture), and Debian's
Chromium driven through Playwright's async API. Data is published through the server's own
officer endpoints by an httpx client in the test process."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Server:
    url: str
    search_path: str  # the server's own embedded index file


@pytest.fixture(scope="module")
def server(settings: Settings, tmp_path_factory: pytest.TempPathFactory):
    """Base URL of a running uvicorn serving create_app() on the test database.

    Module-scoped, and with a search index file of its own: the server's outbox worker drains the
    shared outbox while it runs, so it must be gone before other test modules use the outbox."""
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/test.sh, which installs it")
    port = _free_port()
    search_path = str(tmp_path_factory.mktemp("browser") / "search.sqlite")
    env = dict(
        os.environ,
        DATABASE_URL=settings.database_url,
        FILES_DIR=settings.files_dir,
        SEARCH_PATH=search_path,
        JWT_SECRET=settings.jwt_secret,
        BASE_URL=f"http://127.0.0.1:{port}",
        OUTBOX_WORKER="1",
        RATE_LIMIT_ANONYMOUS="100000",
        RATE_LIMIT_API_KEY="100000",
        SEARCH_BACKEND="embedded",
        PYTHONPATH=str(ROOT),
    )
    log = open(Path(settings.files_dir).parent / f"uvicorn-{port}.log", "wb")  # noqa: SIM115 (outlives this block)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "tests.browser.asgi:make",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-proxy-headers",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120  # a loaded machine (several suites at once) starts uvicorn slowly
    while True:
        try:
            if httpx.get(base + "/open-data", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            log.close()
            raise RuntimeError("uvicorn did not start: " + Path(log.name).read_text(errors="replace")[-3000:])
        time.sleep(0.2)
    yield Server(base, search_path)
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture
async def http(server: Server, clean_db):
    """An httpx client talking to the server process over real HTTP. The database is cleaned
    first, and so is the server's search index (record ids are reused after a clean, so
    documents of an earlier test would otherwise pass the disclosure check)."""
    from search.embedded import EmbeddedIndex
    from tests.search_helpers import reset_index

    index = EmbeddedIndex(server.search_path)  # the server notices the replaced file
    await reset_index(index)
    await index.close()
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as c:
        yield c


@pytest.fixture(scope="session")
async def browser():
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        await b.close()


@pytest.fixture
async def page(browser, server: Server):
    ctx = await browser.new_context(
        base_url=server.url, viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True
    )
    pg = await ctx.new_page()
    pg.dialogs = []  # every alert/confirm a page tries to open

    async def on_dialog(d) -> None:
        pg.dialogs.append(d.message)
        await d.dismiss()

    pg.on("dialog", on_dialog)
    yield pg
    await ctx.close()


async def shot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path
