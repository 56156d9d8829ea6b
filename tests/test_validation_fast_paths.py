"""The shortcuts taken for million-row imports must not change a single rule."""

from __future__ import annotations

import datetime as dt

import pytest

from domain import uscc
from domain.results import shanghai_today, validate_result
from tests.helpers import make_uscc


def _raw(**kw):
    raw = {
        "task_number": "LC-1",
        "uscc": make_uscc(seed=3),
        "entity_name": "聊城市丰华食品有限公司",
        "departments": ["371500-scjg"],
        "inspected_on": dt.date(2025, 6, 12),
        "categories": ["N01"],
    }
    raw.update(kw)
    return raw


def test_future_date_still_rejected_after_the_cached_limit_was_set():
    assert validate_result(_raw())[0] is not None  # sets the cached limit
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    # Tomorrow passes the inspection-date limit (clocks a day apart). The publication date, today
    # in Asia/Shanghai by default, is then before the inspection — unless Shanghai is already on
    # that day (16:00-24:00 UTC on a UTC machine), when nothing is wrong at all.
    _draft, errs = validate_result(_raw(inspected_on=tomorrow))
    assert [e.field for e in errs] == (["published_on"] if shanghai_today() < tomorrow else [])
    draft, errs = validate_result(_raw(inspected_on=tomorrow + dt.timedelta(days=1)))
    assert draft is None and [e.field for e in errs] == ["inspected_on"]
    assert "future" in errs[0].message
    assert validate_result(_raw())[0] is not None


def test_clean_looking_uscc_with_a_wrong_check_character_is_rejected():
    good = make_uscc(seed=5)
    wrong = good[:17] + next(c for c in "0123456789" if c != good[17])
    with pytest.raises(uscc.InvalidUSCC, match="check character"):
        uscc.validate(wrong)
    assert uscc.validate(good) == good
    assert uscc.validate(" " + good.lower() + " ") == good
    with pytest.raises(uscc.InvalidUSCC, match="character 3 'O'"):
        uscc.validate(good[:2] + "O" + good[3:])
