"""Deterministic generation of realistic demo data (same --seed, same data).

Produces plain values only: entity drafts and raw result / honour / scan dicts that then go
through the same domain validation as imports and the admin API (see demo/load.py).
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from demo import names as V
from demo.departments import DEPARTMENTS, DemoDepartment, regions
from domain.import_rows import EntityDraft
from domain.regions import region_prefix
from domain.uscc import ALPHABET, with_check_character


def demo_years(today: dt.date) -> tuple[int, ...]:
    """The demo's inspection years: this year and the three before, so the data stays as fresh
    on the real clock as on the day it was written (a fixed 2023 would slide past the 3-year
    maximum publicity period)."""
    return tuple(range(today.year - 3, today.year + 1))


NEGATIVE_RATE = {"A": 0.05, "B": 0.10, "C": 0.19, "D": 0.28}  # ≈15% overall with the weights below
RISK_SHARE = (("A", 0.30), ("B", 0.45), ("C", 0.18), ("D", 0.07))
RISK_PICK = {"A": 0.6, "B": 1.0, "C": 2.0, "D": 3.0}  # 双随机 weighted by credit risk (分类监管)
# Where demo entities are registered, and how many of them (share).
REGION_SHARE = (("3715", 0.45), ("371726", 0.10), ("1301", 0.15), ("1401", 0.10), ("37", 0.12), ("14", 0.08))
NEUTRAL = (("N01", 0.55), ("N02", 0.25), ("N03", 0.12), ("N04", 0.05), ("N01;N02", 0.03))
NEGATIVE = (
    ("X05", 0.35),
    ("X06", 0.15),
    ("X07", 0.15),
    ("X01", 0.12),
    ("X03", 0.10),
    ("X08", 0.06),
    ("X02", 0.04),
    ("X04", 0.03),
)
FOLLOW_UP = {
    "X05": "责令限期改正，已整改到位",
    "X06": "移交执法机构立案调查",
    "X07": "责令停止销售，立案调查",
    "X01": "责令限期公示，列入经营异常名录",
    "X03": "列入经营异常名录",
    "X08": "立案调查",
    "X02": "立案调查，列入经营异常名录",
    "X04": "立案调查",
}


def _pick(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    r = rng.random()
    acc = 0.0
    for value, share in table:
        acc += share
        if r < acc:
            return value
    return table[-1][0]


@dataclass
class World:
    """Regions, departments and entities the results are generated over."""

    region_names: dict[str, str]
    entities: list[EntityDraft] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)  # typical check field per entity
    by_dept: dict[str, tuple[list[int], list[float]]] = field(default_factory=dict)  # indices, cum. weights


def covers(dept: DemoDepartment, region: str) -> bool:
    return region.startswith(region_prefix(dept.region_code))


def local_name(code: str, names: dict[str, str]) -> str:
    """菏泽市鄄城县 → 鄄城县 (the name an entity carries), 聊城市 → 聊城市."""
    name = names[code]
    parent = code[:4] + "00"
    if parent != code and parent in names and name.startswith(names[parent]):
        return name[len(names[parent]) :]
    return name


def _regions_for(prefix: str, names: dict[str, str]) -> list[str]:
    """Registration regions under a prefix that some demo department covers (not provinces)."""
    out = [c for c in names if c.startswith(prefix) and not c.endswith("0000")]
    return [c for c in out if any(covers(d, c) for d in DEPARTMENTS)]


def _org_code(i: int, salt: int) -> str:
    """9-character organisation code, unique per entity index: 'MA' + 7 base-31 digits."""
    n = (i * 7_368_787 + salt) % (31**7)
    digits = []
    for _ in range(7):
        n, r = divmod(n, 31)
        digits.append(ALPHABET[r])
    return "MA" + "".join(reversed(digits))


def make_entities(rng: random.Random, n: int) -> World:
    names = regions()
    world = World(names)
    pools = {p: _regions_for(p, names) for p, _ in REGION_SHARE}
    salt = rng.randrange(31**7)
    for i in range(n):
        prefix = _pick(rng, REGION_SHARE)
        region = rng.choice(pools[prefix])
        place = local_name(region, names)
        r = rng.random()
        operator = ""
        if r < 0.70:
            kind, kch = "enterprise", "1"
            word, industry, fld = rng.choice(V.INDUSTRIES)
            name = f"{place}{rng.choice(V.TRADE_NAMES)}{word}{rng.choice(V.COMPANY_FORMS)}"
        elif r < 0.97:
            kind, kch = "individual", "2"
            shop, industry, fld = rng.choice(V.SHOPS)
            operator = rng.choice(V.SURNAMES) + "".join(rng.choice(V.GIVEN) for _ in range(rng.choice((1, 2))))
            name = f"{place}{operator}{shop}"
        else:
            kind, kch = "cooperative", "3"
            word, industry = rng.choice(V.COOPERATIVES)
            fld = "food"
            name = f"{place}{rng.choice(V.TRADE_NAMES)}{word}"
        uscc = with_check_character(f"9{kch}{region}{_org_code(i, salt)}")
        status = "存续" if rng.random() > 0.03 else rng.choice(("注销", "吊销", "迁出"))
        world.entities.append(EntityDraft(uscc, name, kind, region, industry, _pick(rng, RISK_SHARE), status, operator))
        world.fields.append(fld)
    for d in DEPARTMENTS:
        p = region_prefix(d.region_code)
        idx = [i for i, e in enumerate(world.entities) if e.region_code.startswith(p)]
        cum, acc = [], 0.0
        for i in idx:
            acc += RISK_PICK[world.entities[i].risk_class]
            cum.append(acc)
        world.by_dept[d.code] = (idx, cum)
    return world


@dataclass
class Generated:
    results: list[dict]
    tasks: list[tuple]  # (task_number, title, department_code, year, joint)
    penalties: list[tuple]  # (number, department_code, decided_on)


def _slug(code: str) -> str:
    return code.split("-", 1)[1]


def _abbr(region: str) -> str:
    for key in (region, region[:4], region[:2]):
        if key in V.REGION_ABBR:
            return V.REGION_ABBR[key]
    return ""


def make_results(rng: random.Random, world: World, n: int, today: dt.date) -> Iterator[Generated]:
    """Tasks of 5-60 entities each until `n` results exist; yields one task at a time."""
    depts = [d for d in DEPARTMENTS if world.by_dept[d.code][0]]
    # Market regulation runs most checks; the others join or run their own field's checks.
    weights = [6.0 if _slug(d.code) == "scjg" else 1.0 for d in depts]
    seq: dict[tuple[str, int], int] = {}
    pen_seq: dict[tuple[str, int], int] = {}
    made = 0
    last = today - dt.timedelta(days=7)
    while made < n:
        lead = rng.choices(depts, weights)[0]
        year = rng.choice(demo_years(today))
        start = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(330))
        if start > last - dt.timedelta(days=30):
            continue
        joint = rng.random() < 0.35
        partners = [
            d
            for d in depts
            if d is not lead
            and (covers(d, lead.region_code) or covers(lead, d.region_code))
            and d.region_code[:2] == lead.region_code[:2]
        ]
        team = [lead] + (rng.sample(partners, min(len(partners), rng.choice((1, 1, 2)))) if joint and partners else [])
        fld = rng.choice(V.DEPT_FIELDS.get(_slug(lead.code), ("general",)))
        k = seq[(lead.code, year)] = seq.get((lead.code, year), 0) + 1
        task = f"{lead.region_code}-{_slug(lead.code).upper()}-{year}-{k:04d}"
        title = f"{year}年{lead.name}{V.DEPT_TOPIC[fld]}{'部门联合' if len(team) > 1 else ''}双随机抽查"
        idx, cum = world.by_dept[lead.code]
        size = min(rng.randint(5, 60), n - made, len(idx))
        chosen: dict[int, None] = {}
        for _ in range(size * 3):
            if len(chosen) >= size:
                break
            chosen[idx[bisect.bisect_left(cum, rng.random() * cum[-1])]] = None
        results, penalties = [], []
        for ei in chosen:
            e = world.entities[ei]
            inspected = min(start + dt.timedelta(days=rng.randrange(45)), last)
            published = min(inspected + dt.timedelta(days=rng.randint(2, 19)), today)
            follow, penalty = "", ""
            if e.status != "存续":
                cats = {"注销": "S02", "吊销": "S03", "迁出": "S04"}[e.status]
            elif rng.random() < NEGATIVE_RATE[e.risk_class]:
                first = _pick(rng, NEGATIVE)
                cats = first
                if rng.random() < 0.25:
                    second = _pick(rng, NEGATIVE)
                    cats += f";{second}" if second != first else ""
                follow = FOLLOW_UP[first]
                if first != "X03" and rng.random() < 0.45:
                    stem = f"{_abbr(lead.region_code)}{V.DEPT_ABBR.get(_slug(lead.code), '罚')}"
                    pk = pen_seq[(stem, year)] = pen_seq.get((stem, year), 0) + 1
                    penalty = f"{stem}〔{year}〕{pk}号"
                    decided = min(inspected + dt.timedelta(days=rng.randint(20, 60)), today)
                    penalties.append((penalty, lead.code, decided))
            else:
                cats = _pick(rng, NEUTRAL)
            results.append(
                {
                    "task_number": task,
                    "uscc": e.uscc,
                    "entity_name": e.name,
                    "entity_kind": e.kind,
                    "region_code": e.region_code,
                    "departments": [d.code for d in team],
                    "inspected_on": inspected,
                    "inspection_type": "抽查" if rng.random() < 0.88 else "检查",
                    "categories": cats.split(";"),
                    "check_field": fld if fld != "general" else world.fields[ei] if rng.random() < 0.5 else "general",
                    "follow_up": follow,
                    "penalty_decision_number": penalty,
                    "published_on": published,
                    "operator_name": e.operator_name,
                }
            )
        made += len(results)
        yield Generated(results, [(task, title, lead.code, year, len(team) > 1)], penalties)


HONOURS = (
    # (honour, kind, for which entity kinds, share, awarded by: 'province' / 'city' / bank, years valid)
    ("省长质量奖", "award", ("enterprise",), 0.0008, "province_gov", None),
    ("守合同重信用企业", "credit", ("enterprise",), 0.02, "scjg", 2),
    ("“名特优新”个体工商户", "award", ("individual",), 0.02, "scjg", 3),
    ("“无事不扰”企业白名单", "whitelist", ("enterprise", "individual", "cooperative"), 0.04, "scjg", 1),
    ("“信易贷”银行授信白名单", "bank_whitelist", ("enterprise", "cooperative"), 0.01, "bank", 1),
)
PROVINCE_GOV = {"37": "山东省人民政府", "14": "山西省人民政府", "13": "河北省人民政府"}


def make_honours(rng: random.Random, world: World, today: dt.date) -> list[tuple[str, dict]]:
    """(publishing department code, raw honour) pairs."""
    out: list[tuple[str, dict]] = []
    scjg = [d for d in DEPARTMENTS if _slug(d.code) == "scjg"]
    for e in world.entities:
        if e.status != "存续":
            continue
        for honour, kind, kinds, share, by, years in HONOURS:
            if e.kind not in kinds or rng.random() >= share:
                continue
            if kind == "whitelist" and e.risk_class != "A":
                continue
            local = max((d for d in scjg if covers(d, e.region_code)), key=lambda d: len(region_prefix(d.region_code)))
            province = e.region_code[:2]
            awarded = dt.date(rng.choice(demo_years(today)[:-1]), rng.randint(1, 12), rng.randint(1, 28))
            awarded = min(awarded, today)
            awarded_by = {
                "province_gov": PROVINCE_GOV[province],
                "scjg": local.name,
                "bank": f"中国人民银行{world.region_names.get(e.region_code[:4] + '00', '')}分行",
            }[by]
            until = dt.date(awarded.year + years, 12, 31) if years else None
            doc_year = awarded.year
            out.append(
                (
                    local.code,
                    {
                        "uscc": e.uscc,
                        "entity_name": e.name,
                        "honour": honour,
                        "kind": kind,
                        "awarded_by": awarded_by,
                        "awarded_on": awarded,
                        "valid_until": until,
                        "region_code": e.region_code,
                        "source_document": f"{_abbr(local.region_code)}市监发〔{doc_year}〕{rng.randint(3, 160)}号",
                    },
                )
            )
    return out


SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def officer_pool(rng: random.Random, dept: DemoDepartment) -> list[str]:
    """Invented credential numbers (执法证号) of a department's inspectors. Never public."""
    return [f"{dept.region_code[:4]}{rng.randint(0, 99999):05d}" for _ in range(10)]


def make_scan(rng: random.Random, raw_result: dict, pool: list[str], place: str) -> dict:
    day: dt.date = raw_result["inspected_on"]
    at = dt.datetime(
        day.year, day.month, day.day, rng.randint(8, 16), rng.randrange(60), rng.randrange(60), tzinfo=SHANGHAI
    )
    return {
        "uscc": raw_result["uscc"],
        "department": raw_result["departments"][0],
        "officer_credentials": rng.sample(pool, rng.choice((2, 2, 3))),
        "scanned_at": at,
        "method": "扫码" if rng.random() < 0.85 else "定位打卡",
        "task_number": raw_result["task_number"],
        "location": f"{place}{rng.choice(V.STREETS)}{rng.randint(1, 300)}号",
    }
