"""Demo departments: real names of the regulators the seed documents speak of.

A constant list other demo modules (results, honours, scan records) import, plus a loader
that writes them, and the regions of demo_data/regions.json, into the database. Codes are
`<GB/T 2260 region code>-<department slug>`; the slug says which kind of regulator it is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGIONS_FILE = ROOT / "demo_data" / "regions.json"


@dataclass(frozen=True)
class DemoDepartment:
    code: str
    name: str
    short_name: str
    region_code: str


# Slugs: scjg 市场监管, sthj 生态环境, yjgl 应急管理, wsjk 卫生健康, xfjy 消防救援,
# zjj 住房城乡建设 (gas), yjj 药品监管, sw 商务, nync 农业农村, jtys 交通运输.
DEPARTMENTS: tuple[DemoDepartment, ...] = (
    DemoDepartment("370000-scjg", "山东省市场监督管理局", "市场监管局", "370000"),
    DemoDepartment("370000-yjj", "山东省药品监督管理局", "药监局", "370000"),
    DemoDepartment("370000-sthj", "山东省生态环境厅", "生态环境厅", "370000"),
    DemoDepartment("370000-yjgl", "山东省应急管理厅", "应急管理厅", "370000"),
    DemoDepartment("371500-scjg", "聊城市市场监督管理局", "市场监管局", "371500"),
    DemoDepartment("371500-sthj", "聊城市生态环境局", "生态环境局", "371500"),
    DemoDepartment("371500-yjgl", "聊城市应急管理局", "应急管理局", "371500"),
    DemoDepartment("371500-wsjk", "聊城市卫生健康委员会", "卫生健康委", "371500"),
    DemoDepartment("371500-xfjy", "聊城市消防救援支队", "消防救援支队", "371500"),
    DemoDepartment("371500-zjj", "聊城市住房和城乡建设局", "住建局", "371500"),
    DemoDepartment("371500-sw", "聊城市商务局", "商务局", "371500"),
    DemoDepartment("371500-nync", "聊城市农业农村局", "农业农村局", "371500"),
    DemoDepartment("371500-jtys", "聊城市交通运输局", "交通运输局", "371500"),
    DemoDepartment("371502-scjg", "聊城市东昌府区市场监督管理局", "市场监管局", "371502"),
    DemoDepartment("371526-scjg", "高唐县市场监督管理局", "市场监管局", "371526"),
    DemoDepartment("371581-scjg", "临清市市场监督管理局", "市场监管局", "371581"),
    DemoDepartment("371726-scjg", "鄄城县市场监督管理局", "市场监管局", "371726"),
    DemoDepartment("140000-scjg", "山西省市场监督管理局", "市场监管局", "140000"),
    DemoDepartment("140000-sthj", "山西省生态环境厅", "生态环境厅", "140000"),
    DemoDepartment("140100-scjg", "太原市市场监督管理局", "市场监管局", "140100"),
    DemoDepartment("130100-scjg", "石家庄市市场监督管理局", "市场监管局", "130100"),
    DemoDepartment("130100-sthj", "石家庄市生态环境局", "生态环境局", "130100"),
    DemoDepartment("130100-yjgl", "石家庄市应急管理局", "应急管理局", "130100"),
    DemoDepartment("130100-xfjy", "石家庄市消防救援支队", "消防救援支队", "130100"),
)

BY_CODE: dict[str, DemoDepartment] = {d.code: d for d in DEPARTMENTS}
# (code, name) pairs for callers that want plain tuples.
DEPARTMENT_CODES_NAMES: tuple[tuple[str, str], ...] = tuple((d.code, d.name) for d in DEPARTMENTS)


def regions() -> dict[str, str]:
    """GB/T 2260 code → name, from demo_data/regions.json (the `_about` key skipped)."""
    data = json.loads(REGIONS_FILE.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def parent_region(code: str) -> str | None:
    """371502 → 371500, 371500 → 370000, 370000 → None."""
    if code.endswith("0000"):
        return None
    if code.endswith("00"):
        return code[:2] + "0000"
    return code[:4] + "00"


async def load_regions_and_departments() -> dict[str, int]:
    """Insert the regions and departments that are not there yet (idempotent)."""
    from db.tables import Department, Region

    known_regions = {r["code"] for r in await Region.select(Region.code)}
    new_regions = [
        Region(code=c, name=n, parent_code=parent_region(c)) for c, n in regions().items() if c not in known_regions
    ]
    if new_regions:
        await Region.insert(*new_regions)
    from demo.matter_content import legal_status, parent_of

    known = {r["code"]: r for r in await Department.select()}
    new = [
        Department(
            code=d.code,
            name=d.name,
            short_name=d.short_name,
            region_code=d.region_code,
            parent_code=parent_of(d),
            legal_status=legal_status(d),
        )
        for d in DEPARTMENTS
        if d.code not in known
    ]
    if new:
        await Department.insert(*new)
    for d in DEPARTMENTS:  # registers loaded before departments had a parent and a legal status
        old = known.get(d.code)
        if old is not None and not old["legal_status"]:
            await Department.update(
                {Department.parent_code: parent_of(d), Department.legal_status: legal_status(d)}
            ).where(Department.code == d.code)
    return {"regions": len(new_regions), "departments": len(new)}
