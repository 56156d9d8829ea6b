"""CORS as a browser enforces it: a page from another origin (a newsroom's notebook) reads the
open data with fetch(), sees the validators and the next-page link, revalidates with a 304, and
cannot post to the API or send a bearer token across origins."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.helpers import make_uscc, result_payload, sign_in
from tests.records_helpers import DEPT


class _Notebook(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<!doctype html><title>notebook</title>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def newsroom() -> Iterator[str]:
    """Another origin on the loopback (another port), serving a blank notebook page; a real server,
    since Chromium keeps pages from outside the loopback off loopback addresses."""
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Notebook)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


async def test_a_page_from_another_origin_reads_but_cannot_write(page, http, server, newsroom) -> None:
    h = await sign_in(http, "officer1", "officer", department_code=DEPT)
    items = [result_payload(make_uscc(seed=i), task=f"CORS-{i}") for i in range(3)]
    assert (await http.post("/api/v1/admin/results/bulk", json={"items": items}, headers=h)).status_code == 201

    await page.goto(f"{newsroom}/notebook")
    got = await page.evaluate(
        """async (api) => {
            const r = await fetch(api + '/api/v1/results?page_size=2');
            const body = await r.json();
            const again = await fetch(api + '/api/v1/results?page_size=2',
                                      {headers: {'If-None-Match': r.headers.get('ETag')}, cache: 'no-store'});
            const feed = await fetch(api + '/feeds/publications.atom');
            let posted = 'sent';
            try {
                await fetch(api + '/api/v1/complaints', {method: 'POST', body: '{}',
                                                         headers: {'Content-Type': 'application/json'}});
            } catch (e) { posted = 'blocked'; }
            let bearer = 'sent';
            try {
                await fetch(api + '/api/v1/my/inspections', {headers: {'Authorization': 'Bearer x'}});
            } catch (e) { bearer = 'blocked'; }
            return {status: r.status, n: body.items.length, etag: r.headers.get('ETag'),
                    link: r.headers.get('Link'), again: again.status,
                    feed: feed.status, feedType: feed.headers.get('Content-Type'), posted, bearer};
        }""",
        server.url,
    )
    assert got["status"] == 200 and got["n"] == 2
    assert got["etag"].startswith('W/"') and 'rel="next"' in got["link"]
    assert got["again"] == 304
    assert got["feed"] == 200 and got["feedType"].startswith("application/atom+xml")
    assert got["posted"] == "blocked" and got["bearer"] == "blocked"
