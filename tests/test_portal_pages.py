"""Portal pages over HTTP: every page renders in Chinese with title, description and JSON twin;
English through the catalogue; withdrawn records are 410 and vanish from lists, profiles and
figures; stored text is escaped; bad parameters are 422 pages naming the field."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.portal_helpers import XSS_NAME, XSS_TITLE, seed, withdraw_result


class Page(HTMLParser):
    """Just enough of a parse to check the head and every asset reference."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.lang = self.title = self.description = self.alternate = None
        self.assets: list[str] = []
        self.links: list[str] = []
        self._in_title = False
        self.scripts = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "title" and self.title is None:  # the page's, not an SVG chart's
            self._in_title, self.title = True, ""  # type: ignore[assignment]
        if tag == "meta" and a.get("name") == "description":
            self.description = a.get("content")
        if tag == "link" and a.get("rel") == "alternate" and a.get("type") == "application/json":
            self.alternate = a.get("href")
        if tag == "script":
            self.scripts += 1
        for key in ("src", "href"):
            if key in a and tag in ("img", "script", "link", "source", "iframe"):
                self.assets.append(a[key])
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if any(k.startswith("on") for k in a):
            raise AssertionError(f"event-handler attribute rendered on <{tag}>: {a}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data  # type: ignore[operator]


def pages_of(s) -> list[str]:
    return [
        "/",
        f"/results/{s.result_ids[0]}",
        f"/entities/{s.uscc}",
        "/plans",
        f"/plans/{s.plan_id}",
        "/guides",
        f"/guides/{s.guide_id}",
        "/honours",
        f"/honours/{s.honour_id}",
        "/documents",
        f"/documents/{s.document_id}",
        "/statistics",
        "/open-data",
        "/services",
    ]


async def test_every_page_has_lang_title_description_twin_and_local_assets(client) -> None:
    s = await seed(client)
    for path in pages_of(s):
        r = await client.get(path)
        assert r.status_code == 200, (path, r.text[-800:])
        assert r.headers["content-type"].startswith("text/html")
        p = Page(r.text)
        assert p.lang == "zh-Hans", path
        assert p.title and "双随机、一公开公示平台" in p.title, (path, p.title)
        assert p.description and len(p.description) > 10, path
        assert p.scripts == 0, path  # the portal needs no JavaScript
        for asset in p.assets:  # nothing from a CDN or any other host
            assert asset.startswith("/") and not asset.startswith("//"), (path, asset)
        # The JSON twin is linked in the head and the footer, and answers JSON.
        assert p.alternate and p.alternate in p.links, path
        twin = await client.get(p.alternate)
        assert twin.status_code == 200 and "json" in twin.headers["content-type"], (path, p.alternate)


async def test_english_switch_uses_the_catalogue_and_cookie(client) -> None:
    s = await seed(client)
    r = await client.get(f"/lang/en?next=/plans/{s.plan_id}")
    assert r.status_code == 303 and r.headers["location"] == f"/plans/{s.plan_id}"
    assert "lang=en" in r.headers["set-cookie"]
    client.cookies.set("lang", "en")  # what the browser keeps from that answer
    r = await client.get(f"/plans/{s.plan_id}")
    p = Page(r.text)
    assert p.lang == "en" and p.title.endswith("Random Inspection Disclosure Portal")  # type: ignore[attr-defined]
    assert "Revision history" in r.text and "Skip to content" in r.text
    assert "调整记录" not in r.text
    # ?lang= beats the cookie, and the switch never redirects off-site.
    assert Page((await client.get("/", params={"lang": "zh"})).text).lang == "zh-Hans"
    for evil in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        r = await client.get("/lang/en", params={"next": evil})
        assert r.headers["location"] == "/", evil


def test_every_portal_message_has_an_english_translation() -> None:
    """Extract every _() from portal/ as scripts/portal-i18n.sh does and check the catalogue."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[1] / "portal"
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    found = {
        msg
        for _f, _l, msg, _c, _x in extract_from_dir(str(root), method_map, options, keywords)
        if isinstance(msg, str)
    }
    with (root / "locale/en/LC_MESSAGES/messages.po").open("rb") as fh:
        catalog = read_po(fh)
    missing = sorted(m for m in found if not (catalog.get(m) and catalog.get(m).string))
    assert not missing, f"run scripts/portal-i18n.sh and translate: {missing}"


async def test_withdrawn_records_answer_410_and_vanish_everywhere(client) -> None:
    s = await seed(client)
    before = (await client.get("/api/v1/statistics")).json()
    rid = s.result_ids[0]  # the 2024 negative result of 聊城市丰华食品有限公司
    await withdraw_result(rid)
    r = await client.get(f"/results/{rid}")
    assert r.status_code == 410 and "text/html" in r.headers["content-type"]
    assert "已停止公示" in r.text and "信用修复" in r.text  # the reason category, as the API says
    assert (await client.get(f"/api/v1/results/{rid}")).status_code == 410  # consistent with the API
    profile = (await client.get(f"/entities/{s.uscc}")).text
    assert f'/results/{rid}"' not in profile and "LC-2024-007" not in profile
    assert f'/results/{s.result_ids[1]}"' in profile
    home = (await client.get("/")).text
    assert f'/results/{rid}"' not in home
    after = (await client.get("/api/v1/statistics")).json()
    assert after["checks"] == before["checks"] - 1
    assert [y["year"] for y in after["years"]] == [2025]  # 2024 had only the withdrawn result
    # Other kinds: a withdrawn plan, guide, honour or document is a 410 page too.
    from db.tables import Document, Guide, Honour, Plan

    for table, path in (
        (Plan, f"/plans/{s.plan_id}"),
        (Guide, f"/guides/{s.guide_id}"),
        (Honour, f"/honours/{s.honour_id}"),
        (Document, f"/documents/{s.document_id}"),
    ):
        await table.update({table.disclosure: "withdrawn"}).where(table.id == int(path.rsplit("/", 1)[1]))
        assert (await client.get(path)).status_code == 410, path
    lists = "".join([(await client.get(p)).text for p in ("/plans", "/guides", "/honours", "/documents")])
    for path in (
        f'/plans/{s.plan_id}"',
        f'/guides/{s.guide_id}"',
        f'/honours/{s.honour_id}"',
        f'/documents/{s.document_id}"',
    ):
        assert path not in lists


async def test_stored_markup_is_escaped(client) -> None:
    s = await seed(client)
    for path in (f"/results/{s.xss_result}", f"/entities/{s.xss_uscc}", "/", f"/guides/{s.xss_guide_id}", "/guides"):
        r = await client.get(path)
        assert r.status_code == 200, path
        Page(r.text)  # raises on any rendered on*= attribute
        assert "<script>" not in r.text and "<img src=x" not in r.text, path
        assert "&lt;script&gt;" in r.text, path
    r = await client.get(f"/results/{s.xss_result}")
    title = Page(r.text).title
    assert XSS_NAME in (title or "")  # shown literally (the parser unescapes the entities)
    assert XSS_TITLE in Page((await client.get(f"/guides/{s.xss_guide_id}")).text).title  # type: ignore[operator]


async def test_plan_history_is_a_readable_diff(client) -> None:
    s = await seed(client)
    r = await client.get(f"/plans/{s.plan_id}")
    html = r.text
    assert "根据省局通知提高生态环境抽查比例" in html  # the reason
    assert re.search(r"<del>.*5%</del> → <ins>.*8%</ins>", html), html
    assert "<ins>增加重点排污单位的抽查比例。</ins>" in html  # body text diff
    assert html.index("第 2 版") < html.index("第 1 版")  # newest first


async def test_statistics_figures(client) -> None:
    await seed(client)
    st = (await client.get("/api/v1/statistics")).json()
    # 5 results over 3 entities; entities with a negative result: 丰华 (2024) and 惠民 (2025); joint: 1.
    assert st["checks"] == 5 and st["entities"] == 3 and st["entities_with_problems"] == 2
    assert st["joint_checks"] == 1 and abs(st["joint_share"] - 0.2) < 1e-9
    y2025 = next(y for y in st["years"] if y["year"] == 2025)
    assert y2025["checks"] == 4 and y2025["entities"] == 3 and y2025["entities_with_problems"] == 1
    depts = {d["department_code"]: d["checks"] for d in st["departments"]}
    assert depts["371500-scjg"] == 5 and depts["371500-sthj"] == 1
    html = (await client.get("/statistics")).text
    assert html.count('role="img"') == 3  # the three charts (the legend swatches are decorative)
    assert "66.7%" in html and "20.0%" in html  # overall problem rate 2/3, joint share 1/5


async def test_guide_page_downloads_arrive_with_their_bytes(client, files_dir) -> None:
    import hashlib
    from urllib.parse import parse_qs, urlparse

    from db.tables import GuideFile, GuideVersion

    s = await seed(client)
    html = (await client.get(f"/guides/{s.guide_id}")).text
    links = [link.replace("&amp;", "&") for link in re.findall(r'href="(/api/v1/guides/\d+/download\?[^"]+)"', html)]
    assert len(links) == 4, links  # current version pdf + html, previous version pdf + html
    assert "<ul><li>营业执照</li><li>食品经营许可证</li></ul>" in html  # "- " lines became a list
    versions = {v["version"]: v["id"] for v in await GuideVersion.select().where(GuideVersion.guide_id == s.guide_id)}
    for link in links:
        q = parse_qs(urlparse(link).query)
        version = q.get("version", ["2025.2"])[0]
        row = (
            await GuideFile.select()
            .where((GuideFile.version_id == versions[version]) & (GuideFile.format == q["format"][0]))
            .first()
        )
        r = await client.get(link)
        assert r.status_code == 200, link
        assert r.content == (files_dir / row["path"]).read_bytes()
        assert hashlib.sha256(r.content).hexdigest() == row["sha256"] and len(r.content) == row["bytes"]
        assert r.headers["content-disposition"].startswith("attachment")
        assert row["sha256"][:16] in html  # the page shows each file's checksum prefix
    assert (await client.get(links[0])).content.startswith(b"%PDF")


@pytest.mark.parametrize(
    "path,field",
    [
        ("/entities/91440300708461136X", "uscc"),
        ("/plans?year=1999", "year"),
        ("/honours?kind=nope", "kind"),
        ("/documents?region=37", "region"),
        ("/honours?cursor=garbage", "cursor"),
    ],
)
async def test_bad_parameters_are_422_pages_naming_the_field(client, path: str, field: str) -> None:
    r = await client.get(path)
    assert r.status_code == 422, r.text
    assert f"<code>{field}</code>" in r.text


async def test_unknown_records_are_404_pages(client) -> None:
    for path in (
        "/results/999999",
        "/plans/999999",
        "/guides/999999",
        "/honours/999999",
        "/documents/999999",
        "/entities/914403001922038216",
    ):
        r = await client.get(path)
        assert r.status_code == 404 and "text/html" in r.headers["content-type"], path


async def test_search_page_facets_chips_pagination_and_escaped_snippets(client, app) -> None:
    from search.outbox import drain
    from tests.search_helpers import reset_index

    index = app.state.search_index
    await reset_index(index)
    s = await seed(client)
    from tests.helpers import make_uscc, result_payload

    more = [
        result_payload(
            make_uscc(seed=100 + i),
            task=f"LC-2025-1{i:02d}",
            entity_name=f"聊城市丰华食品第{i}分店",
            categories=["X06" if i % 2 else "N01"],
        )
        for i in range(25)
    ]
    r = await client.post("/api/v1/admin/results/bulk", headers=s.headers, json={"items": more})
    assert r.status_code == 201, r.text
    await withdraw_result(s.result_ids[1])  # 聊城市丰华食品有限公司's 2025 result
    await drain(index)
    r = await client.get("/search", params={"q": "丰华食品"})
    assert r.status_code == 200
    html = r.text
    p = Page(html)
    assert p.alternate == "/api/v1/search?q=%E4%B8%B0%E5%8D%8E%E9%A3%9F%E5%93%81"
    assert "<mark>丰华食品</mark>" in html
    assert f'/results/{s.result_ids[1]}"' not in html  # withdrawn: never listed
    assert 'rel="next"' in html  # 26 hits, 20 a page
    # A facet link narrows the results and shows a chip that removes it again.
    facet = re.search(r'href="(/search\?q=[^"]*category=X06[^"]*)"', html).group(1).replace("&amp;", "&")
    narrowed = (await client.get(facet)).text
    assert "发现问题待后续处理" in narrowed and 'class="chip"' in narrowed
    assert narrowed.count('<p class="snippet">') == 12 and "共 12 条结果" in narrowed
    chip = re.search(r'<li class="chip"><a href="([^"]+)"', narrowed).group(1).replace("&amp;", "&")
    assert "category" not in chip
    # Next page via the service's cursor.
    nxt = re.search(r'<a rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    page2 = (await client.get(nxt)).text
    assert 'rel="prev"' in page2 and "<mark>" in page2
    # Stored markup in a title is escaped in the title and in the snippet.
    xss = (await client.get("/search", params={"q": "恶意名称"})).text
    Page(xss)
    assert "<script>" not in xss and "&lt;script&gt;" in xss and "<mark>恶意名称</mark>" in xss
    # A USCC is an exact lookup; bad filters are 422 pages naming the field.
    exact = (await client.get("/search", params={"q": s.uscc2})).text
    assert f'href="/entities/{s.uscc2}"' in exact
    bad = await client.get("/search", params={"q": "x", "type": "nope"})
    assert bad.status_code == 422 and "<code>type</code>" in bad.text


async def test_open_data_page_links_answer(client) -> None:
    await seed(client)
    html = (await client.get("/open-data")).text
    hrefs = set(re.findall(r'href="(/(?:docs|schema|api/v1|feeds)[^"{]*)"', html))
    codes = set(re.findall(r"<code>(/(?:api/v1|feeds)/[^<{]*)</code>", html))
    assert "/schema" in hrefs and "/schema/openapi.json" in hrefs and len(codes) >= 10
    for path in sorted(hrefs | codes):
        r = await client.get(
            path.replace("&amp;", "&").rstrip("?q="), params={"q": "食品"} if "search" in path else None
        )
        assert r.status_code == 200, (path, r.status_code)
