"""The embedded index's bulk build: the worker-process build writes exactly what the in-process
build writes, its tokens are the ones a delete re-derives, and a failed build leaves the old
index in place. Also: the tokenizer's fast paths give the tokens of the plain definition."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import re
import sqlite3

import pytest

from search import text
from search.embedded import EmbeddedIndex
from search.index import IndexQuery, SearchDoc
from search.text import FIELD_SEP

NAMES = [
    "丰华食品",
    "康泰大药房",
    "藥品零售連鎖",
    "老王火锅店",
    "鲁西钢铁",
    "ABC科技",
    "第3中学食堂",
    "金丰面粉厂",
    "顺达物流",
    "宏远建材",
    "ＸＹＺ数码",
    "興隆商貿",
]
CITIES = ["济南市", "聊城市", "临清市", "高唐县", "鄄城县", "石家庄市"]
DEPTS = ["370100-scjg", "371500-scjg", "370000-yjj", "371500-sw"]


def corpus(n: int) -> list[SearchDoc]:
    """Varied documents, oldest first: CJK runs, traditional and full-width characters, Latin
    words, digits, punctuation, CJK split by spaces, facets present and absent."""
    rnd = random.Random(20261125)
    docs = []
    for i in range(n):
        name = rnd.choice(CITIES) + rnd.choice(NAMES) + rnd.choice(["有限公司", "（个体工商户）", "", " 分 店"])
        task = f"{rnd.choice(['370000', '371500'])}-SCJG-{2023 + i % 4}-{i % 97:04d}"
        body = FIELD_SEP.join(
            x
            for x in (
                "抽查",
                rnd.choice(["聊城市市场监督管理局", "山东省药品监督管理局", ""]),
                rnd.choice(["未发现问题", "发现问题、已责令改正", "合格"]),
                f"任务单号 {task}",
                rnd.choice(["", "2024年度计划", "实 施 方 案"]),
            )
            if x
        )
        type_ = rnd.choice(["result"] * 6 + ["honour", "document", "plan"])
        day = None if i % 50 == 7 else dt.date(2023, 1, 1) + dt.timedelta(days=i // 3)
        docs.append(
            SearchDoc(
                type=type_,
                id=str(i + 1),
                title=name,
                body=body,
                url_path=f"/{type_}s/{i + 1}",
                published_on=day,
                year=day.year if day else None,
                region_code=rnd.choice(["", "37", "3715", "371502", "370102"]),
                departments=tuple(rnd.sample(DEPTS, rnd.randint(0, 2))),
                categories=tuple(rnd.sample(["N01", "N02", "X06"], rnd.randint(0, 2))),
                uscc=rnd.choice(["", f"91371502MA3C4X{i % 1000:03d}K"]),
                exact=tuple(x for x in (name, task, rnd.choice(["", f"聊市监罚〔2025〕{i}号"])) if x),
            )
        )
    return docs


async def build(path: str, docs: list[SearchDoc], *, apart: bool, batch: int = 97) -> EmbeddedIndex:
    ix = EmbeddedIndex(path)
    ix.build_in_processes = apart
    ix.build_parallel_min = 1 if apart else 10**9

    async def batches():
        for i in range(0, len(docs), batch):
            yield docs[i : i + batch]

    assert await ix.rebuild(batches()) == len(docs)
    return ix


def contents(path: str) -> dict[str, list]:
    """Everything the build wrote: `doc`, `exact`, and every token instance in the FTS index."""
    con = sqlite3.connect(path)
    con.execute("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, fts, 'instance')")
    out = {
        "doc": con.execute("SELECT * FROM doc ORDER BY rid").fetchall(),
        "exact": con.execute("SELECT term, rid FROM exact ORDER BY term, rid").fetchall(),
        "fts": con.execute("SELECT term, doc, col, offset FROM temp.v ORDER BY doc, col, offset, term").fetchall(),
        "config": con.execute("SELECT k, v FROM fts_config WHERE k IN ('automerge', 'hashsize') ORDER BY k").fetchall(),
        "schema": con.execute("SELECT type, name, sql FROM main.sqlite_master ORDER BY name").fetchall(),
        "integrity": con.execute("PRAGMA main.integrity_check").fetchall(),
        "journal": con.execute("PRAGMA main.journal_mode").fetchall(),
    }
    con.close()
    return out


async def test_worker_build_writes_what_the_in_process_build_writes(tmp_path) -> None:
    docs = corpus(1500)
    here = await build(str(tmp_path / "here.sqlite"), docs, apart=False)
    apart = await build(str(tmp_path / "apart.sqlite"), docs, apart=True)
    a, b = contents(here.path), contents(apart.path)
    assert len(a["doc"]) == 1500 and len(a["exact"]) > 1500 and len(a["fts"]) > 1500 * 30
    assert a == b
    # The build settings are gone: later updates merge and flush like any FTS5 table.
    assert b["config"] == [("automerge", 4), ("hashsize", 1024 * 1024)]
    assert b["integrity"] == [("ok",)] and b["journal"] == [("wal",)]
    assert {name for t, name, _ in b["schema"] if t == "index"} >= {"doc_key", "doc_uscc", "exact_term"}
    assert sorted(p for p in os.listdir(tmp_path) if "apart" in p) == ["apart.sqlite"]  # no build files left
    # And it answers: one character, a phrase across a word boundary, traditional characters.
    for q in ("丰", "城市丰华", "药品零售", "xyz数码", "2024年"):
        page = await apart.search(IndexQuery(text=q, limit=5))
        assert page.total == (await here.search(IndexQuery(text=q, limit=5))).total and page.total > 0  # type: ignore[operator]
    await here.close()
    await apart.close()


async def test_deleting_every_document_after_a_worker_build_leaves_no_token(tmp_path) -> None:
    """A contentless FTS5 delete must be given the very tokens that were inserted: the single-row
    derivation (`_columns`, used by upsert and delete) must agree with the workers' bulk one."""
    docs = corpus(600)
    ix = await build(str(tmp_path / "s.sqlite"), docs, apart=True)
    await ix.upsert(docs[:50])  # replacing re-derives and deletes the built tokens first
    await ix.delete([d.key for d in docs])
    after = contents(ix.path)
    assert after["doc"] == [] and after["exact"] == [] and after["fts"] == []
    await ix.close()


async def test_text_holding_a_nul_builds_the_same(tmp_path) -> None:
    docs = corpus(300)
    docs[5] = SearchDoc(
        type="document",
        id="nul",
        title="带\x00空字符的标题",
        body="正文\x00内容 · 特别条款",
        url_path="/documents/nul",
        published_on=dt.date(2025, 1, 1),
        year=2025,
    )
    here = await build(str(tmp_path / "here.sqlite"), docs, apart=False)
    apart = await build(str(tmp_path / "apart.sqlite"), docs, apart=True)
    assert contents(here.path) == contents(apart.path)
    assert [h.key for h in (await apart.search(IndexQuery(text="特别条款"))).hits] == ["document-nul"]
    await here.close()
    await apart.close()


async def test_a_failed_worker_build_keeps_the_old_index(tmp_path) -> None:
    path = str(tmp_path / "s.sqlite")
    ix = await build(path, corpus(200), apart=False)
    before = (await ix.search(IndexQuery(text="丰华"))).total
    docs = corpus(1000)

    async def failing():
        for i in range(0, 1000, 100):
            if i == 500:
                raise RuntimeError("database went away")
            yield docs[i : i + 100]
            await asyncio.sleep(0)

    ix.build_in_processes, ix.build_parallel_min = True, 1
    with pytest.raises(RuntimeError, match="database went away"):
        await ix.rebuild(failing())
    assert (await ix.search(IndexQuery(text="丰华"))).total == before > 0  # type: ignore[operator]
    assert await ix.count() == 200
    assert not [p for p in os.listdir(tmp_path) if ".rebuild" in p]
    await ix.close()


# --- the tokenizer's fast paths -------------------------------------------------------------

_PIECE = re.compile(f"([{text._CJK}]+)|([^\\W_{text._CJK}]+)")


def reference_analyse(s: str) -> tuple[str, str]:
    """The definition (search.text's docstring), written plainly."""
    out, key = [], []
    for run, word in _PIECE.findall(text._CJK_GAP.sub("", text.fold(s))):
        if word:
            out.append(word)
            key.append(word)
        else:
            key.append(run)
            out.extend([run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]])
    return " ".join(out), "".join(key)


def test_analyse_and_exact_key_match_the_definition() -> None:
    rnd = random.Random(7)
    alphabet = list(
        "丰华食品有限公司藥品連鎖〇ＡＢＣａｂ１２３abcXY019_-—·、，。（）()〔〕“” \t\n\u3000\u00a0\x1f"
        "éßΣς\U00020001\U0003134a\u9fff\ufa6e\uf900\u0301\ue000\u200bꭰ"
    )
    samples = ["", " ", "丰", "丰华", "济南市丰华食品有限公司", "实 施 方 案", "2024年度", "鲁双随机办〔２０２４〕３号"]
    samples += ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 14))) for _ in range(20000)]
    for s in samples:
        assert text.analyse(s) == reference_analyse(s), repr(s)
        assert text.exact_key(s) == reference_analyse(s)[1], repr(s)
        assert text.analyse_fields(s) == reference_analyse(s)[0], repr(s)


async def test_without_worker_processes_the_build_runs_here(tmp_path, monkeypatch, caplog) -> None:
    import sys

    docs = corpus(300)
    here = await build(str(tmp_path / "here.sqlite"), docs, apart=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    apart = await build(str(tmp_path / "apart.sqlite"), docs, apart=True)
    assert "runs in one process" in caplog.text
    assert contents(here.path) == contents(apart.path)
    assert not [p for p in os.listdir(tmp_path) if ".rebuild" in p]
    await here.close()
    await apart.close()


async def test_a_worker_process_answers_in_order_and_reports_errors() -> None:
    from search import embedded

    w = await embedded._Worker.start()
    refused = await w.call("rebuild")  # only build steps are run
    tokens = await w.call("_tokenizer_run", embedded._pack(embedded._doc_columns(1, corpus(3))))
    with pytest.raises(ValueError, match="not a build step"):
        await refused
    with pytest.raises(RuntimeError, match="not open"):  # the tokenizer's file was never opened
        await tokens
    await w.close()
    assert w.proc.returncode == 0
