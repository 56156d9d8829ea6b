"""The SearchIndex contract: every configured backend must pass these.

The embedded backend always runs; the Meilisearch backend joins the parametrization when
MEILI_URL (and MEILI_MASTER_KEY if the server needs one) points at a server.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest

from search.embedded import EmbeddedIndex
from search.index import IndexQuery, SearchDoc, SearchIndex

BACKENDS = ["embedded"] + (["meilisearch"] if os.environ.get("MEILI_URL") else [])


def doc(type_: str, id_: int, title: str, body: str = "", **kw) -> SearchDoc:
    day = kw.pop("published_on", dt.date(2025, 1, 1) + dt.timedelta(days=id_))
    return SearchDoc(
        type=type_,
        id=str(id_),
        title=title,
        body=body,
        url_path=f"/{type_}s/{id_}",
        published_on=day,
        year=kw.pop("year", day.year),
        **kw,
    )


CORPUS = [
    doc(
        "result",
        1,
        "济南市丰华食品有限公司",
        "抽查 发现问题待后续处理",
        region_code="370102",
        departments=("370100-scjg",),
        categories=("X06",),
        uscc="91370102MA3C4X5Y6K",
        exact=("济南市丰华食品有限公司", "JN-2025-001"),
    ),
    doc(
        "result",
        2,
        "聊城市丰华食品有限公司",
        "抽查 未发现问题",
        region_code="371502",
        departments=("371500-scjg", "371500-sw"),
        categories=("N01",),
        exact=("聊城市丰华食品有限公司",),
    ),
    doc(
        "result",
        3,
        "鄄城县藥品零售連鎖店",
        "檢查 合格",
        region_code="371726",
        departments=("371726-scjg",),
        categories=("N02",),
        year=2024,
        published_on=dt.date(2024, 5, 6),
    ),
    doc("result", 4, "丰华", "抽查 合格", region_code="371502", departments=("371500-scjg",), categories=("N02",)),
    doc(
        "document",
        5,
        "关于转发工作要点的通知",
        "鲁双随机办〔２０２４〕３号 各成员单位：现将工作要点转发给你们。",
        region_code="370000",
        exact=("关于转发工作要点的通知", "鲁双随机办〔2024〕3号"),
    ),
    doc(
        "document",
        6,
        "另一份通知",
        "鲁双随机办〔2024〕31号 请遵照执行 2024年度计划",
        region_code="370000",
        exact=("另一份通知", "鲁双随机办〔2024〕31号"),
    ),
    doc(
        "plan",
        7,
        "聊城市2025年度抽查计划",
        '食品安全 抽查事项 OR NEAR(x) "引号"',
        region_code="371500",
        departments=("371500-scjg",),
    ),
    doc(
        "guide",
        8,
        "餐饮服务合规指引",
        "ＡＢＣ 全角字母 与 半角 数字１２３",
        region_code="371500",
        departments=("371500-scjg",),
    ),
    doc(
        "honour",
        9,
        "聊城市丰华食品有限公司（守合同重信用企业）",
        "守合同重信用",
        region_code="371502",
        uscc="91371502MA3D0E1F2G",
        exact=("聊城市丰华食品有限公司",),
    ),
]


@pytest.fixture(params=BACKENDS)
async def index(request, tmp_path):
    if request.param == "embedded":
        ix: SearchIndex = EmbeddedIndex(str(tmp_path / "search.sqlite"))
    else:
        from search.meili import MeiliIndex

        ix = MeiliIndex(
            os.environ["MEILI_URL"], os.environ.get("MEILI_MASTER_KEY", ""), prefix=f"test_{uuid.uuid4().hex[:8]}"
        )
    await ix.upsert(CORPUS)
    yield ix
    if request.param == "meilisearch":
        ix.client.delete_index(ix.uid)  # type: ignore[attr-defined]
    await ix.close()


async def ids(ix: SearchIndex, text: str = "", **kw) -> list[str]:
    page = await ix.search(IndexQuery(text=text, limit=50, **kw))
    return [h.key for h in page.hits]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("南市丰", {"result-1"}),  # crosses the word boundary 济南市|丰华
        ("处理", {"result-1"}),  # 待处理
        ("丰华食品", {"result-1", "result-2", "honour-9"}),
        ("丰", {"result-1", "result-2", "result-4", "honour-9"}),  # one character
        ("药品", {"result-3"}),  # traditional in the record, simplified in the query
        ("藥品零售連鎖", {"result-3"}),  # traditional in both
        ("ABC", {"guide-8"}),  # full-width in the record
        ("１２３", {"guide-8"}),  # full-width in the query
        ("鲁双随机办〔2024〕3号", {"document-5"}),  # not 31号
        ("鲁双随机办[2024]3号", {"document-5"}),  # other brackets
        ("2024年", {"document-6"}),  # Chinese mixed with digits
        ("丰华 聊城", {"result-2", "honour-9"}),  # two terms: both must match
        ("不存在", set()),
    ],
)
async def test_finds_every_record_containing_the_query(index, query, expected) -> None:
    assert set(await ids(index, query)) == expected


@pytest.mark.parametrize(
    "hostile",
    [
        '"',
        '""',
        '"丰华',
        "丰华*",
        "NEAR(丰华",
        "丰华 OR 药品",
        "-丰华",
        "(丰华",
        "丰华)",
        "AND",
        "*",
        "^",
        "title:丰华",
        "{title}:x",
        "   ",
        "",
        "\x00",
        "丰" * 2000,
    ],
)
async def test_operators_are_text_never_syntax(index, hostile) -> None:
    page = await index.search(IndexQuery(text=hostile, limit=10))
    assert page.total is not None  # answered, no exception


async def test_operator_words_match_as_text(index) -> None:
    assert await ids(index, "NEAR(x)") == ["plan-7"]
    assert await ids(index, "OR") == ["plan-7"]


async def test_exact_title_ranks_first(index) -> None:
    got = await ids(index, "丰华")
    assert got[0] == "result-4"  # its whole title is the query
    got = await ids(index, "聊城市丰华食品有限公司")
    assert set(got[:2]) == {"result-2", "honour-9"}


async def test_exact_document_number_ranks_first(index) -> None:
    assert (await ids(index, "鲁双随机办〔2024〕3号"))[0] == "document-5"


async def test_filters(index) -> None:
    assert set(await ids(index, "丰华", types=("honour",))) == {"honour-9"}
    assert set(await ids(index, "丰华", region="3715")) == {"result-2", "result-4", "honour-9"}
    assert set(await ids(index, "丰华", region="370102")) == {"result-1"}
    assert set(await ids(index, "", department="371500-sw")) == {"result-2"}
    assert set(await ids(index, "", category="N02")) == {"result-3", "result-4"}
    assert set(await ids(index, "", year=2024)) == {"result-3"}
    assert set(await ids(index, "合格", year=2025)) == {"result-4"}


async def test_facets_count_every_match(index) -> None:
    page = await index.search(IndexQuery(text="丰华", limit=1))
    assert page.total == 4 and page.facets_exact
    assert page.facets["type"] == {"result": 3, "honour": 1}
    assert page.facets["department"]["371500-scjg"] == 2
    assert page.facets["region"]["371502"] == 3
    assert page.facets["category"] == {"X06": 1, "N01": 1, "N02": 1}


async def test_uscc_lookup(index) -> None:
    assert await ids(index, uscc="91370102MA3C4X5Y6K") == ["result-1"]
    assert await ids(index, uscc="91371502MA3D0E1F2G") == ["honour-9"]


async def test_cursor_walks_every_hit_once(index) -> None:
    seen: list[str] = []
    after = None
    while True:
        page = await index.search(IndexQuery(text="丰", limit=1, after=after))
        seen += [h.key for h in page.hits]
        if not page.more:
            break
        after = page.hits[-1].cursor
    assert len(seen) == len(set(seen)) == 4


async def test_upsert_replaces_and_delete_removes(index) -> None:
    await index.upsert([doc("result", 2, "聊城市新名称商贸有限公司", "抽查 未发现问题", region_code="371502")])
    assert "result-2" not in await ids(index, "丰华食品")
    assert await ids(index, "新名称") == ["result-2"]
    await index.delete(["result-2", "result-404"])
    assert await ids(index, "新名称") == []
    assert await index.count() == len(CORPUS) - 1


async def test_rebuild_replaces_everything(index) -> None:
    async def batches():
        yield [doc("document", 100, "全新的文件", "内容")]

    assert await index.rebuild(batches()) == 1
    assert await ids(index, "丰华") == []
    assert await ids(index, "全新") == ["document-100"]
    await index.upsert([doc("document", 101, "之后的文件", "内容")])
    assert set(await ids(index, "文件")) == {"document-100", "document-101"}
