"""Domain rules, table-tested without a database or server."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from domain import categories, uscc
from domain.disclosure import ensure_servable
from domain.errors import Gone, ValidationFailed
from domain.masking import mask_by_register, mask_person_name, public_entity_name
from domain.pagination import decode_cursor, encode_cursor, page_size
from domain.regions import region_range


@pytest.mark.parametrize("raw", ["914403001922038216", "91440300708461136T", "91330100799655058B"])
def test_valid_public_usccs(raw: str) -> None:
    assert uscc.validate(raw) == raw


@pytest.mark.parametrize(
    "raw,expected",
    [
        (" 91440300708461136t ", "91440300708461136T"),
        ("９１４４０３００７０８４６１１３６Ｔ", "91440300708461136T"),
        ("9144-0300-7084-6113-6T", "91440300708461136T"),
    ],
)
def test_normalisation(raw: str, expected: str) -> None:
    assert uscc.validate(raw) == expected


@pytest.mark.parametrize(
    "raw,fragment",
    [
        ("", "empty"),
        ("9144030070846113", "18 characters, got 16"),
        ("9144030070846113600", "got 19"),
        ("91440300708461I36T", "character 15 'I'"),
        ("914403007084611O6T", "character 16 'O'"),
        ("91440300708461136X", "should be 'T', got 'X'"),
        ("914403001922038217", "should be '6'"),
    ],
)
def test_invalid_usccs_name_the_problem(raw: str, fragment: str) -> None:
    with pytest.raises(uscc.InvalidUSCC) as e:
        uscc.validate(raw)
    assert fragment in str(e.value)


def test_check_character_matches_the_weights_in_the_standard() -> None:
    # Independent computation with the weights from GB 32100-2015.
    weights = [pow(3, i, 31) for i in range(17)]
    assert weights == [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    stem = "91440300708461136"
    s = sum(uscc.ALPHABET.index(c) * w for c, w in zip(stem, weights, strict=False))
    assert uscc.with_check_character(stem)[-1] == uscc.ALPHABET[(31 - s % 31) % 31]


@pytest.mark.parametrize(
    "codes,negative",
    [(["N01"], False), (["N02", "N03"], False), (["X05"], True), (["N01", "X07"], True), (["S02"], False)],
)
def test_negative_if_any_category_is_negative(codes: list[str], negative: bool) -> None:
    assert categories.is_negative(codes) is negative


def test_category_lookup_by_code_or_label() -> None:
    assert categories.lookup("x05").label == "发现问题已责令改正"
    assert categories.lookup("通过登记的住所（经营场所）无法联系").code == "X03"
    with pytest.raises(KeyError, match="Q99"):
        categories.lookup("Q99")


@pytest.mark.parametrize(
    "written,code",
    [
        ("公示信息隐瞒真实情况、弄虚作假", "X02"),  # the official label, with its 、
        ("公示信息隐瞒真实情况弄虚作假", "X02"),  # as older files write it
        ("通过登记的住所（经营场所）无法联系", "X03"),  # full-width brackets, as written
        ("通过登记的住所(经营场所)无法联系", "X03"),  # half-width
        ("通过登记的住所（经营场所)无法联系", "X03"),  # mixed
        (" 发现问题已责令改正 ", "X05"),
    ],
)
def test_official_labels_as_written_and_their_variants(written: str, code: str) -> None:
    assert categories.lookup(written).code == code
    assert categories.parse_codes([written])[0].code == code


def test_x02_is_labelled_as_officially_written() -> None:
    assert categories.BY_CODE["X02"].label == "公示信息隐瞒真实情况、弄虚作假"
    with pytest.raises(KeyError):
        categories.lookup("公示信息隐瞒真实情况")  # a prefix is not a label


def test_catalogue_has_every_official_label_once() -> None:
    labels = [c.label for c in categories.CATALOGUE]
    assert len(labels) == len(set(labels)) == 16
    assert sum(c.negative for c in categories.CATALOGUE) == 8


@pytest.mark.parametrize("name,masked", [("张三", "张*"), ("欧阳明华", "欧***"), ("李", "李*"), ("", "")])
def test_mask_person_name(name: str, masked: str) -> None:
    assert mask_person_name(name) == masked


def test_individual_business_name_is_masked_only_for_individuals() -> None:
    assert public_entity_name("鄄城县张三百货店", "individual", "张三") == "鄄城县张*百货店"
    assert public_entity_name("张三科技有限公司", "enterprise", "张三") == "张三科技有限公司"


@pytest.mark.parametrize(
    "register,own,given_kind,published,unknown",
    [
        # the register knows an individual and its operator: masked though the record names none
        ({"U": ("individual", "张三")}, "", "enterprise", "鄄城县张*百货店", False),
        # the register says enterprise: its kind wins over the record's, nothing is masked
        ({"U": ("enterprise", "")}, "张三", "individual", "鄄城县张三百货店", False),
        # the register knows the individual without an operator; the record's own operator masks
        ({"U": ("individual", "")}, "张三", "individual", "鄄城县张*百货店", False),
        # unknown entity: the record's kind and operator decide, and it is named for registering
        ({}, "张三", "individual", "鄄城县张*百货店", True),
        ({}, "", "individual", "鄄城县张三百货店", True),
    ],
)
def test_mask_by_register(register, own, given_kind, published, unknown) -> None:
    d = SimpleNamespace(uscc="U", entity_name="鄄城县张三百货店", entity_kind=given_kind, operator_name=own)
    out = mask_by_register([d], register)
    assert d.entity_name == published
    assert out == ({"U": (d, "鄄城县张三百货店")} if unknown else {})


def test_mask_by_register_records_without_kind_or_operator() -> None:
    # Honours carry neither: only the register can mask them.
    h = SimpleNamespace(uscc="U", entity_name="鄄城县张三百货店")
    mask_by_register([h], {"U": ("individual", "张三")})
    assert h.entity_name == "鄄城县张*百货店"


def test_withdrawn_record_is_never_served() -> None:
    ensure_servable("检查结果", 1, "public", "")
    with pytest.raises(Gone) as e:
        ensure_servable("检查结果", 1, "withdrawn", "repaired")
    assert e.value.status == 410 and e.value.extra["reason"] == "repaired"


def test_cursor_round_trip_and_malformed() -> None:
    assert decode_cursor(encode_cursor({"id": 42})) == {"id": 42}
    for bad in ["!!!", "e30", encode_cursor({"id": "x"}), encode_cursor({"id": 1, "x": 2})]:
        with pytest.raises(ValidationFailed) as e:
            decode_cursor(bad)
        assert e.value.errors[0].field == "cursor"


@pytest.mark.parametrize("size,ok", [(None, True), (1, True), (100, True), (0, False), (101, False), (1000000, False)])
def test_page_size_bounds(size: int | None, ok: bool) -> None:
    if ok:
        assert page_size(size) >= 1
    else:
        with pytest.raises(ValidationFailed):
            page_size(size)


def test_region_ranges() -> None:
    assert region_range("370000") == ("37", "38")
    assert region_range("371500") == ("3715", "3716")
    assert region_range("371726") == ("371726", "371727")


def test_region_full_names() -> None:
    from domain.regions import full_name

    names = {
        "370000": "山东省",
        "371500": "聊城市",
        "371525": "冠县",
        "110000": "北京市",
        "110100": "市辖区",
        "110105": "朝阳区",
    }
    assert full_name("371525", names) == "聊城市冠县"  # a county with its city
    assert full_name("371500", names) == "聊城市"
    assert full_name("370000", names) == "山东省"
    assert full_name("110105", names) == "北京市朝阳区"  # a municipality's district: no 市辖区
    assert full_name("999999", names) == "999999"  # unknown: the code itself


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+86 635 1234567", "'+86 635 1234567"),
        ("-1", "'-1"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("聊城市=公司", "聊城市=公司"),  # only the first character counts
        ("LC-2025-001", "LC-2025-001"),
        ("", ""),
        ("'=1", "'=1"),  # already text
    ],
)
def test_csv_cells_are_neutralised_against_formulas(cell: str, safe: str) -> None:
    from domain.spreadsheet import neutralise_cell, neutralise_row

    assert neutralise_cell(cell) == safe
    assert neutralise_row([cell, "x"]) == [safe, "x"]
