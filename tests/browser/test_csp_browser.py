"""The Content-Security-Policy in Chromium (issue 13, item 4): no public page, form or the API
docs page makes the browser refuse anything, and Swagger UI still draws the API from its static start-up script."""

from __future__ import annotations

from tests.complaint_fixtures import add_departments
from tests.portal_helpers import seed
from tests.test_portal_pages import pages_of


async def _watch(page) -> list[str]:
    """Console reports of refusals, and (window.__csp) the policy's violation events, recorded
    from before any page script runs."""
    refused: list[str] = []
    await page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI))"
    )

    def on_console(msg) -> None:
        if "Content Security Policy" in msg.text or "Refused to" in msg.text:
            refused.append(msg.text)

    page.on("console", on_console)
    return refused


async def test_no_page_breaks_the_policy(page, http) -> None:
    s = await seed(http)
    await add_departments()
    refused = await _watch(page)
    paths = [*pages_of(s), "/search?q=%E4%B8%B0%E5%8D%8E", "/complaints/new", "/complaints/track", "/repair"]
    for path in paths:
        r = await page.goto(path)
        assert r is not None and r.status == 200, path
        assert "frame-ancestors 'none'" in (await r.all_headers())["content-security-policy"]
        assert await page.evaluate("window.__csp") == [], path
    assert refused == []

    # The statistics chart's legend swatches keep their colour without a style attribute.
    await page.goto("/statistics")
    fills = await page.locator(".legend .swatch rect").evaluate_all("rs => rs.map(r => r.getAttribute('fill'))")
    assert len(fills) >= 1 and all(f.startswith("#") for f in fills), fills
    assert await page.evaluate("window.__csp") == []


async def test_the_api_docs_page_draws_under_the_policy(page, http) -> None:
    refused = await _watch(page)
    await page.goto("/schema")
    await page.locator(".swagger-ui .info .title").wait_for(timeout=15000)
    assert "公示 API" in await page.locator(".swagger-ui .info .title").inner_text()
    assert await page.locator(".opblock-tag").count() > 5
    assert await page.evaluate("window.__csp") == []
    assert refused == []
