"""The relevance table: what Chinese users type, and the records they must (not) get.

Runs the search use case (`search.service.search`) over the embedded index built from the
database, with the five real seed policy documents as long Chinese text.
"""

from __future__ import annotations

import datetime as dt

import pytest

from db.tables import ALL_TABLES
from search.service import SearchQuery, search
from search.source import all_public_docs
from tests.helpers import make_uscc
from tests.search_helpers import (
    add_departments,
    add_guide,
    add_honour,
    add_plan,
    add_result,
    add_seed_documents,
    withdraw_result,
)

U_FENGHUA = make_uscc(region="371502", seed=11)
U_MIANFEN = make_uscc(region="371526", seed=12)
R: dict[str, str] = {}  # name in the table -> search key


@pytest.fixture(scope="module")
async def corpus(app):
    for table in ALL_TABLES:
        if table._meta.tablename != "repair_rule":
            await table.delete(force=True)
    await add_departments()
    R["jinan"] = (
        f"result-{await add_result('济南市丰华食品有限公司', region='370102', depts=('370100-scjg',), cats=('X06',), follow_up='移交执法机构')}"
    )
    R["liaocheng"] = f"result-{await add_result('聊城市丰华食品有限公司', U_FENGHUA)}"
    R["drug"] = f"result-{await add_result('聊城市东昌府区康泰大药房', depts=('370000-yjj',), cats=('N02',))}"
    R["trad"] = f"result-{await add_result('臨清市興隆藥品連鎖有限公司', region='371581', depts=('370000-yjj',))}"
    R["hotpot"] = f"result-{await add_result('聊城市东昌府区老王火锅店', cats=('X05',), follow_up='责令改正')}"
    R["steel"] = f"result-{await add_result('山东鲁西钢铁集团有限公司', on=dt.date(2024, 3, 1))}"
    R["school"] = f"result-{await add_result('聊城市第3中学食堂')}"
    R["abc"] = f"result-{await add_result('聊城ABC科技有限公司')}"
    R["mianfen"] = f"result-{await add_result('高唐县金丰面粉厂', U_MIANFEN, region='371526')}"
    R["task"] = f"result-{await add_result('茌平区顺达物流有限公司', task='LC-SCJG-2025-0042')}"
    R["penalty"] = f"result-{await add_result('冠县宏远建材有限公司', cats=('X08',), penalty='聊市监罚〔2025〕17号')}"
    withdrawn = await add_result("聊城市撤回测试商贸有限公司")
    R["withdrawn"] = f"result-{withdrawn}"
    R["plan"] = "plan-" + str(
        await add_plan(
            "聊城市市场监督管理局2025年度“双随机、一公开”抽查计划",
            [
                {
                    "code": "1",
                    "field": "食品安全",
                    "matters": ["食品生产企业监督检查", "网络餐饮服务第三方平台检查"],
                    "scope": "食品生产企业",
                    "departments": ["聊城市市场监督管理局"],
                    "level": "市",
                    "months": [5, 6],
                }
            ],
            body="按照“进一次门、查多项事”的要求开展部门联合抽查。",
        )
    )
    R["guide"] = "guide-" + str(
        await add_guide(
            "餐饮服务",
            "餐饮服务业合规经营指引（一业一册）",
            [
                {"heading": "明厨亮灶", "body": "后厨操作区域应当透明可视，接受消费者监督。"},
                {"heading": "食品留样", "body": "集体用餐配送单位每餐次的食品成品应当留样。"},
            ],
            summary="面向餐馆、食堂和外卖商家",
        )
    )
    R["honour"] = "honour-" + str(await add_honour("聊城市丰华食品有限公司", U_FENGHUA, "守合同重信用企业"))
    seeds = await add_seed_documents()
    for file, i in seeds.items():
        R["d_" + file.split("-")[0]] = f"document-{i}"  # d_juancheng, d_liaocheng, d_shandong …
    await app.state.search_index.rebuild(all_public_docs())
    # Withdrawn after indexing and the outbox not drained: the index is stale on purpose.
    await withdraw_result(withdrawn)
    yield R


ALL = object()
# (query, expectations): "first" = the top hit; "has" = among the hits; "not" = absent;
# "none" = no hits at all.
TABLE: list[tuple[str, dict]] = [
    # Chinese words of 1 to 6 characters
    ("药", {"has": {"drug", "trad"}}),
    ("丰华", {"has": {"jinan", "liaocheng", "honour"}}),
    ("钢铁", {"first": "steel"}),
    ("东昌府区", {"has": {"drug", "hotpot"}}),
    ("放管服", {"first": "d_shijiazhuang"}),
    ("联席会议", {"has": {"d_juancheng", "d_shandong"}}),
    ("涉企行政检查", {"has": {"d_liaocheng", "d_shandong", "d_shanxi", "d_shijiazhuang"}}),
    ("明厨亮灶", {"first": "guide"}),
    ("一业一册", {"first": "guide"}),
    ("网络餐饮", {"first": "plan"}),
    ("食品安全", {"has": {"plan"}}),
    ("守合同重信用", {"first": "honour"}),
    ("无事不扰", {"has": {"d_liaocheng", "d_shandong"}}),
    ("信用风险分级", {"has": {"d_shijiazhuang"}}),
    # fragments that cross word boundaries
    ("南市丰", {"first": "jinan", "not": {"liaocheng"}}),
    ("处理", {"has": {"jinan"}}),  # 发现问题待后续处理
    ("昌府", {"has": {"drug", "hotpot"}}),
    ("锅店", {"first": "hotpot"}),
    ("城市丰华食", {"has": {"liaocheng"}, "not": {"jinan"}}),
    ("实施方案", {"has": {"d_liaocheng", "d_shanxi", "d_shijiazhuang"}}),  # 实 施 方 案 across PDF spacing
    ("查多项事", {"has": {"d_juancheng", "d_liaocheng", "plan"}}),
    # whole names: the exact record first
    ("老王火锅店", {"first": "hotpot"}),
    ("山东鲁西钢铁集团有限公司", {"first": "steel"}),
    ("聊城市严格规范涉企行政检查工作实施方案", {"first": "d_liaocheng"}),
    # traditional characters, full-width forms, case
    ("藥品", {"has": {"trad"}}),
    ("药品连锁", {"first": "trad"}),
    ("临清市兴隆药品连锁有限公司", {"first": "trad"}),
    ("營商環境", {"has": {"d_liaocheng", "d_shanxi", "d_shijiazhuang"}}),
    ("abc", {"first": "abc"}),
    ("ＡＢＣ科技", {"first": "abc"}),
    # a USCC: exact lookup of that entity's records (any case, any width)
    (U_FENGHUA, {"has": {"liaocheng", "honour"}, "not": {"jinan"}}),
    (U_FENGHUA.lower(), {"has": {"liaocheng", "honour"}}),
    ("".join(chr(ord(c) + 0xFEE0) for c in U_MIANFEN), {"first": "mianfen"}),
    # document numbers, task numbers, penalty numbers
    ("鄄双随机办〔2024〕1号", {"first": "d_juancheng"}),
    ("鄄双随机办[2024]1号", {"first": "d_juancheng"}),
    ("聊政办发〔2025〕3号", {"first": "d_liaocheng"}),  # full-width digits in the document
    ("国发〔2019〕5号", {"has": {"d_shanxi", "d_shijiazhuang"}}),  # written 国发[2019]5号 in one of them
    ("LC-SCJG-2025-0042", {"first": "task"}),
    ("聊市监罚〔2025〕17号", {"first": "penalty"}),
    # Chinese mixed with digits
    ("第3中学", {"first": "school"}),
    ("3中", {"has": {"school"}}),
    ("2025年", {"has": {"d_shanxi", "plan"}}),
    # two terms
    ("丰华 聊城", {"has": {"liaocheng", "honour"}, "not": {"jinan"}}),
    # a withdrawn record never appears, even though the index still holds it
    ("撤回测试", {"none": True}),
    ("聊城市撤回测试商贸有限公司", {"none": True}),
    # hostile input
    ("", {"none": True}),
    ("   \t　", {"none": True}),
    ("丰" * 2000, {"none": True}),
    ('"丰华', {"has": {"jinan", "liaocheng"}}),
    ('丰华"', {"has": {"jinan", "liaocheng"}}),
    ("丰华*", {"has": {"jinan", "liaocheng"}}),
    ("-丰华", {"has": {"jinan", "liaocheng"}}),
    ("(丰华", {"has": {"jinan", "liaocheng"}}),
    ("丰华 OR 钢铁", {"none": True}),  # OR is a word here, not an operator
    ("NEAR(丰华 钢铁)", {"none": True}),
    ("*", {"none": True}),
    ("^\"'(){}:-+", {"none": True}),
]


@pytest.mark.parametrize("query, expect", TABLE, ids=[f"{i:02d}" for i in range(len(TABLE))])
async def test_relevance(app, corpus, query: str, expect: dict) -> None:
    page = await search(app.state.search_index, SearchQuery(q=query, page_size=50))
    got = [f"{i.type}-{i.id}" for i in page.items]
    names = {v: k for k, v in corpus.items()}
    readable = [names.get(k, k) for k in got]
    if expect.get("none"):
        assert got == [], readable
    if "first" in expect:
        assert got and got[0] == corpus[expect["first"]], readable
    for name in expect.get("has", ()):
        assert corpus[name] in got, (name, readable)
    for name in expect.get("not", ()):
        assert corpus[name] not in got, (name, readable)
    assert corpus["withdrawn"] not in got


def test_table_is_big_enough() -> None:
    assert len(TABLE) >= 40


async def test_snippets_are_escaped_with_marks(app, corpus) -> None:
    page = await search(app.state.search_index, SearchQuery(q="明厨亮灶"))
    assert "<mark>明厨亮灶</mark>" in page.items[0].snippet
    page = await search(app.state.search_index, SearchQuery(q="南市丰"))
    assert page.items[0].snippet.count("<mark>") >= 1 and "<script" not in page.items[0].snippet
