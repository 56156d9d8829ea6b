"""What the Meilisearch backend sends, checked without a server (the live contract suite runs
against a server when MEILI_URL is set)."""

from __future__ import annotations

import datetime as dt

from search.index import IndexQuery, SearchDoc
from search.meili import INDEX_SETTINGS, filter_expression, meili_document, meili_query


def test_document_carries_bigrams_and_exact_keys() -> None:
    d = SearchDoc(
        type="document",
        id="5",
        title="工作要点",
        body="鲁双随机办〔２０２４〕３号 待处理",
        url_path="/documents/5",
        published_on=dt.date(2024, 5, 6),
        year=2024,
        region_code="371726",
        exact=("工作要点", "鲁双随机办〔2024〕3号"),
    )
    m = meili_document(d)
    assert m["key"] == "document-5" and m["regions"] == ["37", "3717", "371726"]
    assert "处理" in m["grams"].split() and "2024" in m["grams"].split()
    assert "鲁双随机办20243号" in m["exact_keys"]
    assert m["pub_ts"] == dt.date(2024, 5, 6).toordinal()


def test_query_and_filters_are_quoted() -> None:
    assert meili_query("南市丰") == '"南市 市丰"'
    assert meili_query("2024年") == '"2024" 年'  # a one-character tail is a prefix search
    assert meili_query('"OR NEAR(') == '"or" "near"'
    q = IndexQuery(types=("result",), year=2025, region="3715", department='a"b', category="X05")
    assert filter_expression(q) == [
        'type IN ["result"]',
        "year = 2025",
        'regions = "3715"',
        'departments = "a\\"b"',
        'categories = "X05"',
    ]


def test_index_settings() -> None:
    assert INDEX_SETTINGS["localizedAttributes"][0]["locales"] == ["cmn"]
    assert "uscc" in INDEX_SETTINGS["typoTolerance"]["disableOnAttributes"]
    assert INDEX_SETTINGS["pagination"]["maxTotalHits"] == 1000
