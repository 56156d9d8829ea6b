"""Gov-portal conventions: 当前位置 breadcrumbs on inner pages, the footer's site identifiers from
settings, 网站地图 as a page and as sitemaps.org XML without withdrawn records, 长者模式 kept in a
cookie."""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET

import httpx

from tests.portal_helpers import seed, withdraw_result

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


async def test_inner_pages_carry_breadcrumbs_and_home_does_not(client) -> None:
    s = await seed(client)
    home = (await client.get("/")).text
    assert 'class="breadcrumbs"' not in home
    plans = (await client.get("/plans")).text
    crumbs = plans.split('class="breadcrumbs"', 1)[1].split("</nav>", 1)[0]
    assert "当前位置" in crumbs and 'href="/"' in crumbs and 'aria-current="page">抽查计划<' in crumbs
    plan = (await client.get(f"/plans/{s.plan_id}")).text
    crumbs = plan.split('class="breadcrumbs"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/plans">抽查计划</a>' in crumbs and 'aria-current="page"' in crumbs
    result = (await client.get(f"/results/{s.result_ids[0]}")).text
    assert 'class="breadcrumbs"' in result


async def test_footer_shows_the_sites_identifiers_when_set(app, settings) -> None:
    from app import create_app

    configured = dataclasses.replace(
        settings,
        site_sponsor="聊城市人民政府办公室",
        site_operator="聊城市大数据局",
        site_id="3715000001",
        site_icp="鲁ICP备12345678号",
        site_psb="鲁公网安备 37150202000123号",
        site_contact="0635-1234567",
    )
    other = create_app(configured)
    for hook in other.on_startup:
        await hook(other)  # type: ignore[call-arg]
    try:
        transport = httpx.ASGITransport(app=other)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
            footer = (await c.get("/")).text.split('class="site-footer"', 1)[1]
    finally:
        for hook in other.on_shutdown:
            await hook(other)  # type: ignore[call-arg]
    assert "主办单位：聊城市人民政府办公室" in footer and "承办单位：聊城市大数据局" in footer
    assert "网站标识码：3715000001" in footer and "联系方式：0635-1234567" in footer
    assert 'href="https://beian.miit.gov.cn/"' in footer and "鲁ICP备12345678号" in footer
    assert "code=37150202000123" in footer
    assert 'href="/sitemap"' in footer


async def test_default_footer_has_no_empty_identifiers(client) -> None:
    footer = (await client.get("/")).text.split('class="site-footer"', 1)[1]
    assert "主办单位" not in footer and 'href="/sitemap"' in footer


async def test_sitemap_page_and_xml_without_withdrawn_records(client) -> None:
    s = await seed(client)
    await withdraw_result(s.withdrawn_result)
    page = await client.get("/sitemap")
    assert page.status_code == 200 and "网站地图" in page.text
    index = await client.get("/sitemap.xml")
    assert index.status_code == 200 and index.headers["content-type"].startswith("application/xml")
    files = [e.text or "" for e in ET.fromstring(index.content).findall("s:sitemap/s:loc", NS)]
    assert "http://testserver.local/sitemaps/pages.xml" in files
    urls: list[str] = []
    for f in files:
        r = await client.get(f.removeprefix("http://testserver.local"))
        assert r.status_code == 200, f
        urls += [e.text or "" for e in ET.fromstring(r.content).findall("s:url/s:loc", NS)]
    assert f"http://testserver.local/results/{s.result_ids[0]}" in urls
    assert f"http://testserver.local/plans/{s.plan_id}" in urls
    assert f"http://testserver.local/results/{s.withdrawn_result}" not in urls
    assert len(urls) == len(set(urls))
    assert (await client.get("/sitemaps/nothing-0.xml")).status_code == 404


async def test_care_mode_is_kept_in_a_cookie(client) -> None:
    r = await client.get("/care/on", params={"next": "/plans?year=2025"})
    assert r.status_code == 303 and r.headers["location"] == "/plans?year=2025"
    assert re.search(r"care=1", r.headers["set-cookie"])
    page = (await client.get("/plans")).text
    assert '<body class="care">' in page and "退出长者模式" in page
    assert (await client.get("/care/on", params={"next": "https://evil.example/"})).headers["location"] == "/"
    off = await client.get("/care/off", params={"next": "/"})
    assert off.status_code == 303
    assert '<body class="care">' not in (await client.get("/plans")).text
